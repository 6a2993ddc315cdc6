//! SQL string literals outside `hc_sql!`: inside an annotated item, compared with what the
//! enclosing annotations declare (`undeclared`); anywhere else, reported when they touch
//! Heroku Connect tables (`unguarded`).

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::Explanation;
use crate::manifest::Site;
use crate::requirement::Access;
use crate::scan::{ContainerKind, Scan, SqlLiteral};
use crate::sql::{
    analyze, analyze_format, looks_like_sql, substitute_placeholders, Analysis, ColumnUse, Context,
    FormatOutcome, SourceLiteral, SqlError, SqlErrorKind, TableUse,
};

use super::finding::{SqlFinding, SqlFindingKind, Subject};
use super::words::may_touch_hc;

/// What became of one literal.
#[derive(Debug)]
pub(crate) enum LintOutcome {
    /// Not SQL: it does not start like a statement, or sqlparser does not parse it (prose that
    /// happens to hold SQL words), or it is documentation (`#[doc = "..."]`).
    NotSql,
    /// SQL (or possibly SQL) that touches no Heroku Connect table.
    NoHc,
    /// SQL on Heroku Connect tables: these findings (none when every column is declared).
    Checked(Vec<SqlFinding>),
    /// It could touch Heroku Connect tables but could not be analysed: a note.
    Skipped(SqlFinding),
    /// It sits in an item whose annotation is malformed: that error stands for it (what the
    /// annotation declares is unknown, so any finding here would be a follow-on error).
    UnderMalformedAnnotation,
}

/// How the text of a literal reads.
enum Reading {
    Analysis(Analysis),
    NotSql,
    NoHc,
    Skipped { reason: String, at: Range<usize> },
}

/// Read `value` as SQL: a `format!` string with its placeholders substituted, a plain string as
/// it is (and, when it only parses with its `{...}` taken for placeholders, as a template).
fn read(value: &str, format: bool, context: &Context<'_>) -> Reading {
    if !may_touch_hc(value, context) {
        return Reading::NoHc;
    }
    if format {
        let starts_like_sql = match substitute_placeholders(value) {
            Ok(substituted) => looks_like_sql(&substituted.text),
            Err(_) => looks_like_sql(value),
        };
        if !starts_like_sql {
            return Reading::NotSql;
        }
        return match analyze_format(value, context) {
            FormatOutcome::Analyzed(analysis) => Reading::Analysis(analysis),
            FormatOutcome::Failed(errors) => from_errors(&errors),
            FormatOutcome::Skipped { reason, at } => Reading::Skipped { reason, at },
        };
    }
    if !looks_like_sql(value) {
        return Reading::NotSql;
    }
    match analyze(value, context) {
        Ok(analysis) => Reading::Analysis(analysis),
        Err(errors) if is_parse_error(&errors) && value.contains('{') => {
            // A template filled in by hand (`.replace("{schema}", ...)`): read like format!.
            match analyze_format(value, context) {
                FormatOutcome::Analyzed(analysis) => Reading::Analysis(analysis),
                FormatOutcome::Failed(errors) => from_errors(&errors),
                _ => Reading::NotSql,
            }
        }
        Err(errors) => from_errors(&errors),
    }
}

fn is_parse_error(errors: &[SqlError]) -> bool {
    errors
        .iter()
        .any(|e| matches!(e.kind, SqlErrorKind::Parse { .. }))
}

/// Errors of a literal outside `hc_sql!`: one that does not parse is not SQL (prose); any other
/// error (several statements, an ambiguous column...) means it was not checked: skipped.
fn from_errors(errors: &[SqlError]) -> Reading {
    if is_parse_error(errors) || errors.is_empty() {
        return Reading::NotSql;
    }
    Reading::Skipped {
        reason: errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        at: errors[0].at.clone(),
    }
}

/// Check one of the scan's `sql_literals` that is outside `hc_sql!`.
pub(crate) fn check(scan: &Scan, literal: &SqlLiteral, context: &Context<'_>) -> LintOutcome {
    if literal.in_malformed_annotation {
        return LintOutcome::UnderMalformedAnnotation;
    }
    if is_documentation(literal) {
        return LintOutcome::NotSql;
    }
    let format = literal
        .container
        .as_ref()
        .is_some_and(|c| c.is_format_string());
    let start = literal.literal.extent.start;
    let source = SourceLiteral::new(
        &literal.file,
        &literal.literal.value,
        &literal.literal.written,
        start.line,
        start.column,
    );
    let finding = |kind, explanation, subjects, annotation| SqlFinding {
        kind,
        file: literal.file.clone(),
        line: start.line,
        column: start.column,
        explanation,
        subjects,
        annotation,
    };
    let annotated = !literal.annotations.is_empty();
    match read(&literal.literal.value, format, context) {
        Reading::NotSql => LintOutcome::NotSql,
        Reading::NoHc => LintOutcome::NoHc,
        Reading::Analysis(analysis) if !analysis.touches_hc() => LintOutcome::NoHc,
        Reading::Skipped { reason, at } => {
            let help = if annotated {
                "its columns were not compared with the annotation: make sure the enclosing \
                 #[hc_requires] declares every Heroku Connect column it uses"
            } else {
                "nothing checks this SQL: if it uses Heroku Connect tables, use hc_sql! for it \
                 or annotate the item with #[hc_requires(...)]"
            };
            LintOutcome::Skipped(finding(
                SqlFindingKind::Skipped,
                Explanation {
                    message: format!("skipped: {reason}"),
                    notes: vec![source.place(at)],
                    helps: vec![help.to_string()],
                },
                Vec::new(),
                None,
            ))
        }
        Reading::Analysis(analysis) if annotated => {
            let declared = Declared::of(scan, literal);
            let found = undeclared(&analysis, &declared)
                .into_iter()
                .map(|missing| {
                    let (explanation, annotation) = missing.explain(scan, literal, &source);
                    finding(
                        SqlFindingKind::Undeclared,
                        explanation,
                        missing.subjects(),
                        Some(annotation),
                    )
                })
                .collect();
            LintOutcome::Checked(found)
        }
        Reading::Analysis(analysis) => {
            let explanation = unguarded(&analysis, &source, format);
            LintOutcome::Checked(vec![finding(
                SqlFindingKind::Unguarded,
                explanation,
                subjects_of(&analysis),
                None,
            )])
        }
    }
}

/// Whether the literal is documentation (`#[doc = "..."]`, what `///` becomes): text, never
/// run.
fn is_documentation(literal: &SqlLiteral) -> bool {
    literal.container.as_ref().is_some_and(|c| {
        c.kind == ContainerKind::Attribute && c.path.rsplit("::").next() == Some("doc")
    })
}

/// Every table and column the analysis names, with its access.
fn subjects_of(analysis: &Analysis) -> Vec<Subject> {
    let mut out = Vec::new();
    for table in &analysis.tables {
        if table.columns.is_empty() {
            out.push(Subject {
                table: table.table.clone(),
                column: None,
                access: table.access,
            });
        }
        for column in &table.columns {
            out.push(Subject {
                table: table.table.clone(),
                column: Some(column.column.clone()),
                access: table.access,
            });
        }
    }
    out
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

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message for SQL on Heroku Connect tables that nothing checks, with the annotation it
/// needs.
fn unguarded(analysis: &Analysis, source: &SourceLiteral<'_>, format: bool) -> Explanation {
    let mut tables: Vec<&str> = Vec::new();
    for table in &analysis.tables {
        if !tables.contains(&table.table.as_str()) {
            tables.push(&table.table);
        }
    }
    let groups: Vec<String> = analysis
        .tables
        .iter()
        .map(|t| {
            let columns: Vec<&str> = t.columns.iter().map(|c| c.column.as_str()).collect();
            let write = if t.access == Access::Write {
                "write "
            } else {
                ""
            };
            format!("{write}{}({})", t.table, columns.join(", "))
        })
        .collect();
    let annotation = format!("#[hc_requires({})]", groups.join(", "));
    let help = if format {
        format!(
            "annotate the item that builds it with what it needs: {annotation} (SQL built at \
             run time cannot be an hc_sql! literal)"
        )
    } else {
        format!(
            "write it as hc_sql!(\"...\") (the SQL itself is then checked), or annotate the \
             item that uses it: {annotation}"
        )
    };
    let at = analysis.tables.first().map_or(0..0, |t| t.at.clone());
    Explanation {
        message: format!(
            "this SQL uses the Heroku Connect table(s) {} but nothing checks it: it is neither \
             in hc_sql! nor inside an item annotated with #[hc_requires]",
            quoted(&tables)
        ),
        notes: vec![source.place(at)],
        helps: vec![help],
    }
}
