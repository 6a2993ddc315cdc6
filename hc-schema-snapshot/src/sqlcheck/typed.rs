//! `hc_query!` calls' own type errors (issue 21), found without compiling: each call whose SQL
//! analyses is typed by [`crate::sql::type_query`], the function the macro calls, with the
//! column types of every snapshot of the directory and the project's `[types]`; each error is
//! a [`SqlFindingKind::SqlError`] finding with the macro's text, where the compiler shows it
//! (the SQL literal, or an argument too many).
//!
//! Errors rustc itself raises after the expansion (a Rust value of the wrong type for a
//! parameter, a field of the user's struct whose type does not take the column's) are not
//! seen: they need the code's types, which only the compiler knows.

use crate::config::Config;
use crate::diagnostic::Explanation;
use crate::scan::{Scan, SqlArgument};
use crate::snapshot::Snapshot;
use crate::sql::{
    shape, type_query, Analysis, ColumnTypes, Context, FieldType, OutputSource, SnapshotTypes,
    TypedField, Union,
};
use crate::typecheck::Known;

use super::finding::{SqlFinding, SqlFindingKind};
use super::{schemas, SqlChecks};

/// For each `hc_query!` typed by [`SqlChecks::add_typing`] (by its index in
/// [`Scan::sql_macros`]), the `(table, column)`s whose type its typing judges.
pub type QueryTypes = std::collections::HashMap<usize, std::collections::HashSet<(String, String)>>;

impl SqlChecks {
    /// Type every `hc_query!` of the checked queries, as its build types it, with `snapshots`
    /// (every snapshot of the directory that loads: environment, file as shown, snapshot) and
    /// `config`'s `[types]`; add each type error as an [`SqlFindingKind::SqlError`] finding.
    ///
    /// A query no snapshot maps every name of is not typed: every build stops at its names
    /// (reported already), as the macro does.
    ///
    /// Returns, for each `hc_query!` typed (by its index in [`Scan::sql_macros`]), the
    /// `(table, column)`s whose type its typing judges ([`crate::sql::typed_columns`]): its
    /// other columns are used without a Rust type, and their drift is judged as `hc_sql!`'s
    /// is.
    pub fn add_typing(
        &mut self,
        scan: &Scan,
        config: &Config,
        snapshots: &[Known<'_>],
    ) -> QueryTypes {
        let mut typed_columns = QueryTypes::new();
        let union = Union::new(snapshots.iter().map(|(_, _, s)| *s));
        let schemas = schemas(
            config,
            snapshots.iter().map(|(env, _, _)| *env),
            snapshots.iter().map(|(_, _, s)| *s),
        );
        let context = Context::new(schemas, &union);
        let types = SnapshotTypes::new(snapshots.iter().copied());
        let mut found = Vec::new();
        for query in &self.queries {
            let Some(sql_macro) = scan.sql_macros.get(query.sql_macro) else {
                continue;
            };
            let (Some(call), SqlArgument::Literal(literal)) =
                (&sql_macro.query, &sql_macro.argument)
            else {
                continue;
            };
            if !snapshots
                .iter()
                .any(|(_, _, snapshot)| maps_every_name(&query.analysis, snapshot))
            {
                continue;
            }
            let start = literal.extent.start;
            let source = super::source_literal(&sql_macro.file, literal);
            let finding = |line: u32, column: u32, text: String| SqlFinding {
                kind: SqlFindingKind::SqlError,
                file: sql_macro.file.clone(),
                line,
                column,
                explanation: explanation(text),
                subjects: Vec::new(),
                annotation: None,
                uses: Vec::new(),
            };
            let shape = match shape(&literal.value, &context) {
                Ok(shape) => shape,
                Err(errors) => {
                    found.extend(errors.iter().map(|error| {
                        finding(
                            start.line,
                            start.column,
                            source.explain_in(error, "hc_query!").to_string(),
                        )
                    }));
                    continue;
                }
            };
            let typed = type_query(&shape, &types, &config.types, call.arguments.len());
            typed_columns.insert(query.sql_macro, crate::sql::typed_columns(&shape));
            for error in &typed.errors {
                let at = error
                    .argument
                    .and_then(|k| call.arguments.get(k))
                    .copied()
                    .unwrap_or(start);
                found.push(finding(at.line, at.column, error.text(&source)));
            }
            // With the registry on, a column read as two Rust types, as the build refuses it.
            if config.registry.enabled && query.analysis.touches_hc() {
                let rust = crate::sql::rust_types(&shape, &typed);
                for message in crate::sql::registered_type_conflicts(&rust) {
                    found.push(finding(start.line, start.column, message));
                }
            }
            // An alias type `[types] custom` lists is not checked: a note, as a typed
            // declaration's is.
            for (message, at) in custom_types(&shape, &typed.fields, &types, config) {
                found.push(SqlFinding {
                    kind: SqlFindingKind::CustomType,
                    explanation: Explanation {
                        message,
                        notes: vec![source.place(at)],
                        helps: Vec::new(),
                    },
                    ..finding(start.line, start.column, String::new())
                });
            }
        }
        if found.is_empty() {
            return typed_columns;
        }
        self.findings.extend(found);
        self.findings.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
        });
        typed_columns
    }
}

/// The fields of `fields` whose alias type `[types] custom` lists: the note's message (in a
/// typed declaration's words) and where the output is in the SQL.
fn custom_types(
    shape: &crate::sql::Shape,
    fields: &[TypedField],
    types: &dyn ColumnTypes,
    config: &Config,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for field in fields {
        let FieldType::Written(text) = &field.ty else {
            continue;
        };
        let custom = crate::written::normalise(text, &config.types.custom)
            .is_ok_and(|n| n.class == crate::written::Classified::Custom);
        let Some(output) = shape.outputs.iter().find(|o| o.name == field.column) else {
            continue;
        };
        if !custom {
            continue;
        }
        let message = match &output.source {
            OutputSource::Column { table, column } => {
                let mut spellings: Vec<String> = types
                    .column_types(table, column)
                    .0
                    .into_iter()
                    .filter_map(|e| e.spelling)
                    .collect();
                spellings.dedup();
                format!(
                    "`{table}.{column}` is read as `{text}` (the alias `{}`), listed under \
                     [types] custom in hc-schema.toml: not checked against the column's type{}",
                    field.column,
                    if spellings.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", spellings.join(", "))
                    }
                )
            }
            _ => format!(
                "output `{}` is read as `{text}` (the alias `{}`), listed under [types] custom \
                 in hc-schema.toml: not checked against its type",
                field.name, field.column
            ),
        };
        out.push((message, output.at.clone()));
    }
    out
}

/// Whether `snapshot` maps every table and column `analysis` uses (a build selecting it
/// reaches the query's types).
fn maps_every_name(analysis: &Analysis, snapshot: &Snapshot) -> bool {
    analysis.tables.iter().all(|use_| {
        snapshot.table(&use_.table).is_some_and(|table| {
            use_.columns
                .iter()
                .all(|c| table.column(&c.column).is_some())
        })
    })
}

/// The macro's one-string error as an explanation: its `= note:` and `= help:` lines apart
/// when they come notes first (as [`Explanation`] prints them), else the whole text as the
/// message; printed, it is the macro's text either way.
fn explanation(text: String) -> Explanation {
    let mut parts = text.split("\n  = ");
    let message = parts.next().unwrap_or_default().to_string();
    let mut notes = Vec::new();
    let mut helps = Vec::new();
    for part in parts {
        if let Some(note) = part.strip_prefix("note: ").filter(|_| helps.is_empty()) {
            notes.push(note.to_string());
        } else if let Some(help) = part.strip_prefix("help: ") {
            helps.push(help.to_string());
        } else {
            return Explanation {
                message: text,
                notes: Vec::new(),
                helps: Vec::new(),
            };
        }
    }
    let split = Explanation {
        message,
        notes,
        helps,
    };
    if split.to_string() == text {
        split
    } else {
        Explanation {
            message: text,
            notes: Vec::new(),
            helps: Vec::new(),
        }
    }
}
