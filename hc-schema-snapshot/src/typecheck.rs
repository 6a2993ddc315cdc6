//! Type checks of the uses other than `hc_query!` (issue 21): a typed declaration
//! (`#[hc_requires(account(annualrevenue: f64))]`) against each selected environment, and a
//! use without a Rust type (`hc_sql!`, an untyped declaration, a SQL string) against type
//! drift between every snapshot of the directory. Both decide with the one type table
//! ([`crate::types`]) and give [`Finding`]s, worded by [`crate::diagnostic::explain`] and
//! judged by [`crate::verdict`], so that the build and `hc-schema check` say the same.

use std::collections::{BTreeMap, HashSet};

use crate::manifest::{Problem, Usage};
use crate::requirement::Finding;
use crate::snapshot::Snapshot;
use crate::types::{declared_reads, untyped_drift, EnvType, TypeError};
use crate::written::{normalise, Classified};

/// One snapshot of the directory as the drift check reads it: (environment, file as shown,
/// snapshot).
pub type Known<'a> = (&'a str, &'a str, &'a Snapshot);

/// What a typed declaration of `table.column` as `rust` finds in one environment's
/// `snapshot`: `None` when the type reads the column, or when the column is not mapped there
/// (the name check reports that); [`Finding::TypeUnknown`] when the snapshot records no type
/// for it; [`Finding::TypeMismatch`] when the Rust type does not read it
/// ([`declared_reads`]).
///
/// ```
/// use hc_schema_snapshot::{typecheck::declared, Finding, Snapshot};
/// let prod = Snapshot::parse(r#"{"format":1,"environment":"prod","schema":"salesforce","tables":
///     {"account":{"columns":{"annualrevenue":{"type":"character varying(255)"}}}}}"#, "p", "prod").unwrap();
/// assert!(declared("account", "annualrevenue", "String", &prod, false, &[]).is_none());
/// let found = declared("account", "annualrevenue", "f64", &prod, false, &[]).unwrap();
/// assert_eq!(found.kind(), "type_mismatch");
/// ```
pub fn declared(
    table: &str,
    column: &str,
    rust: &str,
    snapshot: &Snapshot,
    strict_types: bool,
    custom: &[String],
) -> Option<Finding> {
    // A type `[types] custom` lists is not checked ([`declared_type`] gives its note).
    if crate::written::normalise(rust, custom)
        .is_ok_and(|n| n.class == crate::written::Classified::Custom)
    {
        return None;
    }
    let found = snapshot.table(table)?.column(column)?;
    let Some(spelling) = &found.data_type else {
        return Some(Finding::TypeUnknown {
            table: table.to_string(),
            column: column.to_string(),
            rust: rust.to_string(),
            strict: strict_types,
        });
    };
    (declared_reads(rust, spelling) == Some(false)).then(|| Finding::TypeMismatch {
        table: table.to_string(),
        column: column.to_string(),
        rust: rust.to_string(),
        found: spelling.clone(),
    })
}

/// What a typed declaration of `table.column` as `rust` finds whatever the environment: a
/// failing [`Finding::UncheckedType`] when hc-schema does not know the Rust type (after
/// normalising its spelling, [`crate::written::normalise`]), a note when `[types] custom`
/// (`custom`) lists it, else `None` (the type is judged per environment by [`declared`]).
///
/// ```
/// use hc_schema_snapshot::typecheck::declared_type;
/// assert!(declared_type("account", "x", "::std::option::Option<f64>", &[]).is_none());
/// let unknown = declared_type("account", "x", "my::Money", &[]).unwrap();
/// assert!(unknown.fails(false));
/// let custom = declared_type("account", "x", "Option<my::Money>", &["my::Money".into()]).unwrap();
/// assert!(!custom.fails(false));
/// ```
pub fn declared_type(table: &str, column: &str, rust: &str, custom: &[String]) -> Option<Finding> {
    let unchecked = |canonical: String, why: String, custom: bool| Finding::UncheckedType {
        table: table.to_string(),
        column: column.to_string(),
        rust: rust.to_string(),
        canonical,
        why,
        custom,
    };
    match normalise(rust, custom) {
        Err(message) => Some(unchecked(rust.to_string(), message, false)),
        Ok(normalised) => match normalised.class {
            Classified::Custom => Some(unchecked(normalised.canonical, String::new(), true)),
            Classified::Unknown(why) => Some(unchecked(normalised.canonical, why, false)),
            Classified::Table(_) | Classified::Outside(_) => None,
        },
    }
}

/// The drift of `table.column`, read without a Rust type, between every snapshot of `known`
/// that maps it (the directory's, selected or not, so that every build words it the same),
/// taken in environment-name order: [`Finding::TypeDrift`] when no one Rust type reads every
/// environment's type ([`untyped_drift`]), else `None`.
///
/// ```
/// use hc_schema_snapshot::{typecheck::drift, Snapshot};
/// let snapshot = |env: &str, ty: &str| Snapshot::parse(&format!(r#"{{"format":1,"environment":"{env}",
///     "schema":"salesforce","tables":{{"account":{{"columns":{{"x":{{"type":"{ty}"}}}}}}}}}}"#), "f", env).unwrap();
/// let (test, prod) = (snapshot("test", "date"), snapshot("prod", "timestamp without time zone"));
/// let known = [("prod", "hc-schema/prod.json", &prod), ("test", "hc-schema/test.json", &test)];
/// let found = drift("account", "x", &known).unwrap();
/// assert_eq!(found.kind(), "type_drift");
/// assert!(drift("account", "y", &known).is_none());
/// ```
pub fn drift(table: &str, column: &str, known: &[Known<'_>]) -> Option<Finding> {
    let mut sorted: Vec<&Known<'_>> = known.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let envs: Vec<EnvType> = sorted
        .iter()
        .filter_map(|(env, display, snapshot)| {
            let found = snapshot.table(table)?.column(column)?;
            Some(EnvType {
                env: env.to_string(),
                display: display.to_string(),
                spelling: found.data_type.clone(),
            })
        })
        .collect();
    drift_of(table, column, &envs)
}

/// THE message when a snapshot of the directory cannot be read while a column is used
/// without a Rust type: its type drift cannot be decided (`env`'s file `display`, `error`
/// why it cannot be read). The build (every macro form, once per compilation) and
/// `hc-schema check` fail with it, as `hc_query!` does when it cannot read a snapshot.
///
/// ```
/// use hc_schema_snapshot::typecheck::unreadable_for_drift;
/// let message = unreadable_for_drift("stage", "hc-schema/stage.json", "expected value at line 1");
/// assert!(message.contains("hc-schema/stage.json cannot be read") && message.contains("hc-schema refresh stage"));
/// ```
pub fn unreadable_for_drift(env: &str, display: &str, error: &str) -> String {
    format!(
        "columns read without a Rust type are checked for type drift against every snapshot \
         of the directory, selected or not, and {display} cannot be read: {error}; fix the \
         file (`hc-schema refresh {env}` writes it anew) or remove it from the snapshot \
         directory"
    )
}

/// [`Finding::TypeDrift`] from the environments' types, when [`untyped_drift`] finds one.
fn drift_of(table: &str, column: &str, envs: &[EnvType]) -> Option<Finding> {
    match untyped_drift(&format!("{table}.{column}"), envs)? {
        TypeError::Drift { envs, .. } => Some(Finding::TypeDrift {
            table: table.to_string(),
            column: column.to_string(),
            types: envs
                .into_iter()
                .map(|e| (e.env, e.display, e.spelling.unwrap_or_default()))
                .collect(),
        }),
        _ => None,
    }
}

/// Whether `table.column`, whose types in the environments that map it are `envs` (in
/// environment-name order), drifts: what [`drift`] finds, from the types alone (the build
/// script decides it for the [`crate::types_index::TypesIndex`]).
pub fn drifts(table: &str, column: &str, envs: &[EnvType]) -> bool {
    drift_of(table, column, envs).is_some()
}

/// Every `(table, column)` of `known` that drifts ([`drift`]), in one pass over the
/// snapshots: what the macro asks per column, computed once per compilation.
pub fn drifting(known: &[Known<'_>]) -> HashSet<(String, String)> {
    let mut sorted: Vec<&Known<'_>> = known.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut spellings: BTreeMap<(&str, &str), Vec<EnvType>> = BTreeMap::new();
    for (env, display, snapshot) in &sorted {
        for (table, info) in &snapshot.tables {
            for (column, found) in &info.columns {
                spellings
                    .entry((table.as_str(), column.as_str()))
                    .or_default()
                    .push(EnvType {
                        env: env.to_string(),
                        display: display.to_string(),
                        spelling: found.data_type.clone(),
                    });
            }
        }
    }
    spellings
        .into_iter()
        .filter(|(_, envs)| {
            // Most columns have one spelling everywhere: no drift, nothing to parse.
            let first = envs.iter().find_map(|e| e.spelling.as_deref());
            envs.iter()
                .any(|e| e.spelling.is_some() && e.spelling.as_deref() != first)
        })
        .filter(|((table, column), envs)| drifts(table, column, envs))
        .map(|((table, column), _)| (table.to_string(), column.to_string()))
        .collect()
}

/// The type problems of `usages` in one environment (`env`'s `snapshot`): each typed column's
/// [`declared`] finding, what `hc-schema check` reports beside [`crate::manifest::check_usages`].
pub fn check_declared<'a>(
    usages: &'a [Usage],
    snapshot: &Snapshot,
    strict_types: bool,
    custom: &[String],
) -> Vec<Problem<'a>> {
    let mut out = Vec::new();
    for usage in usages {
        for (column, rust) in usage.typed() {
            if let Some(finding) = declared(
                &usage.table.name,
                column,
                rust,
                snapshot,
                strict_types,
                custom,
            ) {
                out.push(Problem {
                    finding,
                    usage,
                    allowed: None,
                });
            }
        }
    }
    out
}

/// The problems of `usages`' Rust types that no environment decides ([`declared_type`]: a
/// type hc-schema does not know, or one `[types] custom` lists), once per typed column:
/// what `hc-schema check` reports with the first selected environment.
pub fn check_declared_types<'a>(usages: &'a [Usage], custom: &[String]) -> Vec<Problem<'a>> {
    let mut out = Vec::new();
    for usage in usages {
        for (column, rust) in usage.typed() {
            if let Some(finding) = declared_type(&usage.table.name, column, rust, custom) {
                out.push(Problem {
                    finding,
                    usage,
                    allowed: None,
                });
            }
        }
    }
    out
}

/// The drift problems of `usages` (every column used without a Rust type, [`drift`] over
/// `known`, every snapshot of the directory), once per use, whatever the selection.
pub fn check_drift<'a>(usages: &'a [Usage], known: &[Known<'_>]) -> Vec<Problem<'a>> {
    if known.len() < 2 {
        return Vec::new(); // one snapshot cannot drift from itself
    }
    let drifting = drifting(known);
    let mut out = Vec::new();
    for usage in usages {
        for column in usage.columns.iter().filter(|c| c.rust.is_none()) {
            if !drifting.contains(&(usage.table.name.clone(), column.name.clone())) {
                continue;
            }
            if let Some(finding) = drift(&usage.table.name, &column.name, known) {
                out.push(Problem {
                    finding,
                    usage,
                    allowed: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(env: &str, columns: &str) -> Snapshot {
        let text = format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{"account":{{"columns":{columns}}}}}}}"#
        );
        Snapshot::parse(&text, "f", env).unwrap()
    }

    #[test]
    fn declarations_are_read_by_the_table_and_unknown_types_are_notes() {
        let prod = snapshot(
            "prod",
            r#"{"a":{"type":"double precision"},"b":{},"c":{"type":"date"}}"#,
        );
        assert!(declared("account", "a", "f64", &prod, false, &[]).is_none());
        assert!(declared("account", "a", "Option<f64>", &prod, false, &[]).is_none());
        assert!(declared("account", "a", "my::Money", &prod, false, &[]).is_none());
        assert!(declared("account", "missing", "f64", &prod, false, &[]).is_none());
        let unknown = declared("account", "b", "f64", &prod, false, &[]).unwrap();
        assert!(!unknown.fails(false), "a note without strict_types");
        assert!(declared("account", "b", "f64", &prod, true, &[])
            .unwrap()
            .fails(false));
        let wrong = declared("account", "c", "chrono::NaiveDateTime", &prod, false, &[]).unwrap();
        assert!(wrong.fails(false));
        assert!(declared("account", "c", "chrono::NaiveDate", &prod, false, &[]).is_none());
        // `[types] custom` lists it: not checked here (a note elsewhere), even when its short
        // name is a type of the table's.
        let custom = ["Value".to_string()];
        assert!(declared("account", "a", "Value", &prod, false, &custom).is_none());
        assert!(declared("account", "a", "Value", &prod, false, &[]).is_some());
    }

    #[test]
    fn drifting_agrees_with_drift_column_by_column() {
        let test = snapshot(
            "test",
            r#"{"a":{"type":"character varying(80)"},"b":{"type":"date"},"c":{"type":"timestamp without time zone"},"d":{"type":"integer"}}"#,
        );
        let prod = snapshot(
            "prod",
            r#"{"a":{"type":"text"},"b":{"type":"timestamp without time zone"},"c":{"type":"timestamp with time zone"},"d":{}}"#,
        );
        let known = [
            ("test", "hc-schema/test.json", &test),
            ("prod", "hc-schema/prod.json", &prod),
        ];
        let set = drifting(&known);
        for column in ["a", "b", "c", "d", "e"] {
            assert_eq!(
                set.contains(&("account".to_string(), column.to_string())),
                drift("account", column, &known).is_some(),
                "{column}"
            );
        }
        assert_eq!(set.len(), 1, "only date vs timestamp drifts: {set:?}");
        let Some(Finding::TypeDrift { types, .. }) = drift("account", "b", &known) else {
            panic!("b drifts");
        };
        assert_eq!(types[0].0, "prod", "in environment-name order");
    }
}
