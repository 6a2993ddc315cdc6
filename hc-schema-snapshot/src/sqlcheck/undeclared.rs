//! `undeclared`: the uses of an SQL literal inside annotated items that the enclosing
//! annotations do not declare, each with the annotation to extend.

use std::collections::BTreeMap;

use crate::diagnostic::Explanation;
use crate::manifest::{Origin, Site, Spot, Usage};
use crate::requirement::Access;
use crate::scan::{Scan, SqlLiteral};
use crate::sql::{Analysis, ColumnUse, SourceLiteral, TableUse};

use super::finding::Subject;
use super::lint::quoted;

/// One undeclared use: its explanation, what it is about, the annotation to extend, and the
/// use itself (origin `string`, each name at its place).
pub(super) type UndeclaredUse = (Explanation, Vec<Subject>, Site, Usage);

/// The undeclared uses of `analysis` (the SQL of `literal`).
pub(super) fn findings(
    scan: &Scan,
    literal: &SqlLiteral,
    analysis: &Analysis,
    source: &SourceLiteral<'_>,
) -> Vec<UndeclaredUse> {
    let declared = Declared::of(scan, literal);
    undeclared(analysis, &declared)
        .into_iter()
        .map(|missing| {
            let (explanation, site) = missing.explain(scan, literal, source);
            let columns: Vec<&ColumnUse> = match missing.column {
                Some(column) => vec![column],
                None => missing.table.columns.iter().collect(),
            };
            let usage = string_usage(source, missing.table, &columns);
            (explanation, missing.subjects(), site, usage)
        })
        .collect()
}

/// A use of `table` (with `columns`) by an SQL string, each name at its place in the file.
pub(super) fn string_usage(
    source: &SourceLiteral<'_>,
    table: &TableUse,
    columns: &[&ColumnUse],
) -> Usage {
    let spot = |name: &str, at: &std::ops::Range<usize>| {
        let (line, column) = source.locate(at.start);
        Spot::new(name, line, column)
    };
    Usage {
        file: source.file.to_string(),
        table: spot(&table.table, &table.at),
        columns: columns.iter().map(|c| spot(&c.column, &c.at)).collect(),
        access: table.access,
        allowances: Vec::new(),
        origin: Origin::String,
    }
}

/// What the annotations enclosing a literal declare of one table.
#[derive(Debug, Default)]
struct TableDeclared {
    /// Columns declared as read.
    reads: Vec<String>,
    /// Columns declared as written.
    writes: Vec<String>,
    /// Some read group names the table.
    read_group: bool,
    /// Some write group names the table.
    write_group: bool,
}

/// What the annotations enclosing a literal declare, per table.
struct Declared(BTreeMap<String, TableDeclared>);

impl Declared {
    fn of(scan: &Scan, literal: &SqlLiteral) -> Declared {
        let mut tables: BTreeMap<String, TableDeclared> = BTreeMap::new();
        for &index in &literal.annotations {
            let Some(annotation) = scan.annotations.get(index) else {
                continue;
            };
            let Some(usages) = scan.usages.get(annotation.usages.clone()) else {
                continue;
            };
            for usage in usages {
                let table = tables.entry(usage.table.name.clone()).or_default();
                let (group, columns) = match usage.access {
                    Access::Read => (&mut table.read_group, &mut table.reads),
                    Access::Write => (&mut table.write_group, &mut table.writes),
                };
                *group = true;
                columns.extend(usage.columns.iter().map(|c| c.name.clone()));
            }
        }
        Declared(tables)
    }
}

/// A use the annotations do not declare.
struct Missing<'a> {
    table: &'a TableUse,
    /// The column not declared (`None`: the whole table use is not declared: the table is in
    /// no group, or a write has no write group).
    column: Option<&'a ColumnUse>,
}

/// The uses of `analysis` that `declared` does not cover, one per column (or one per table,
/// when the table, or a write of it, is not declared at all).
fn undeclared<'a>(analysis: &'a Analysis, declared: &Declared) -> Vec<Missing<'a>> {
    let mut out = Vec::new();
    for table in &analysis.tables {
        let Some(d) = declared.0.get(&table.table) else {
            out.push(Missing {
                table,
                column: None,
            });
            continue;
        };
        let covered = |column: &str| match table.access {
            Access::Read => d.reads.iter().chain(&d.writes).any(|c| c == column),
            Access::Write => d.writes.iter().any(|c| c == column),
        };
        if table.access == Access::Write && !d.write_group {
            out.push(Missing {
                table,
                column: None,
            });
            continue;
        }
        for column in &table.columns {
            if !covered(&column.column) {
                out.push(Missing {
                    table,
                    column: Some(column),
                });
            }
        }
    }
    out
}

impl Missing<'_> {
    fn subjects(&self) -> Vec<Subject> {
        let subject = |column: Option<&str>| Subject {
            table: self.table.table.clone(),
            column: column.map(str::to_string),
            access: self.table.access,
        };
        match self.column {
            Some(column) => vec![subject(Some(&column.column))],
            None if self.table.columns.is_empty() => vec![subject(None)],
            None => self
                .table
                .columns
                .iter()
                .map(|c| subject(Some(&c.column)))
                .collect(),
        }
    }

    /// The message, and the annotation to extend.
    fn explain(
        &self,
        scan: &Scan,
        literal: &SqlLiteral,
        source: &SourceLiteral<'_>,
    ) -> (Explanation, Site) {
        let table = &self.table.table;
        let access = self.table.access;
        let (index, group) = annotation_for(scan, literal, table, access);
        let annotation = &scan.annotations[index];
        let site = Site {
            file: annotation.file.clone(),
            line: annotation.position.line,
            column: annotation.position.column,
        };
        let write = if access == Access::Write {
            "write "
        } else {
            ""
        };
        let (message, help, at) = match self.column {
            Some(used) => {
                let column = &used.column;
                let (verb, declared) = match access {
                    Access::Read => ("read", "declares it"),
                    Access::Write => ("written", "declares it as a write"),
                };
                let help = if group {
                    format!("add `{column}` to `{write}{table}(...)` in that annotation")
                } else {
                    format!("add `{write}{table}({column})` to that annotation")
                };
                (
                    format!(
                        "`{table}.{column}` is {verb} by this SQL, but no enclosing \
                         #[hc_requires] {declared} (the annotation at {site})"
                    ),
                    help,
                    used.at.clone(),
                )
            }
            None => {
                let names: Vec<&str> = self
                    .table
                    .columns
                    .iter()
                    .map(|c| c.column.as_str())
                    .collect();
                let what = match (access, names.is_empty()) {
                    (Access::Read, true) => format!("reads the Heroku Connect table `{table}`"),
                    (Access::Read, false) => format!(
                        "reads the Heroku Connect table `{table}` ({})",
                        quoted(&names)
                    ),
                    (Access::Write, true) => {
                        format!("writes rows of the Heroku Connect table `{table}`")
                    }
                    (Access::Write, false) => format!(
                        "writes the Heroku Connect table `{table}` ({})",
                        quoted(&names)
                    ),
                };
                let declared = if access == Access::Write {
                    "declares a write of it"
                } else {
                    "declares it"
                };
                (
                    format!(
                        "this SQL {what}, but no enclosing #[hc_requires] {declared} (the \
                         annotation at {site})"
                    ),
                    format!(
                        "add `{write}{table}({})` to that annotation",
                        names.join(", ")
                    ),
                    self.table.at.clone(),
                )
            }
        };
        let explanation = Explanation {
            message,
            notes: vec![source.place(at)],
            helps: vec![help],
        };
        (explanation, site)
    }
}

/// The annotation to extend for a use of `table`: the innermost enclosing one with a group of
/// the table and access, else with any group of the table, else the innermost. Also whether it
/// has a group of the table with that access.
fn annotation_for(scan: &Scan, literal: &SqlLiteral, table: &str, access: Access) -> (usize, bool) {
    let has = |index: usize, want: Option<Access>| {
        scan.annotations
            .get(index)
            .and_then(|a| scan.usages.get(a.usages.clone()))
            .is_some_and(|usages| {
                usages
                    .iter()
                    .any(|u| u.table.name == table && want.is_none_or(|w| u.access == w))
            })
    };
    let innermost = literal.annotations.iter().rev().copied();
    if let Some(index) = innermost.clone().find(|&i| has(i, Some(access))) {
        return (index, true);
    }
    let index = innermost
        .clone()
        .find(|&i| has(i, None))
        .or_else(|| literal.annotations.last().copied())
        .unwrap_or_default();
    (index, false)
}
