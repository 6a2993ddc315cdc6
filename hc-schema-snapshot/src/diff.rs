//! Differences between two environments' snapshots.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::AllowedDeviation;
use crate::names::normalize;
use crate::snapshot::Snapshot;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deviation {
    /// The table.
    pub table: String,
    /// The column; `None` when the whole table differs.
    pub column: Option<String>,
    /// What differs.
    #[serde(flatten)]
    pub kind: DeviationKind,
    /// The reason from `[[diff.allow]]` when the difference is intended.
    pub allowed: Option<String>,
}

/// What differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviationKind {
    /// Present in the first environment only.
    OnlyInA,
    /// Present in the second environment only.
    OnlyInB,
    /// Present in both with different Postgres types.
    TypeDiffers {
        /// Type in the first environment.
        a: String,
        /// Type in the second environment.
        b: String,
    },
}

/// Compare `a` with `b`, sorted by table then column. A table missing on one side is one
/// deviation (its columns are not listed). Deviations matching an `allow` rule carry its reason.
///
/// ```
/// use hc_schema_snapshot::{diff::{diff, DeviationKind}, Snapshot};
/// let a = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"s","tables":{"account":{"columns":{"name":{},"tier__c":{}}}}}"#, "a", "test").unwrap();
/// let b = Snapshot::parse(r#"{"format":1,"environment":"prod","schema":"s","tables":{"account":{"columns":{"name":{}}}}}"#, "b", "prod").unwrap();
/// let deviations = diff(&a, &b, &[]);
/// assert_eq!(deviations[0].column.as_deref(), Some("tier__c"));
/// assert_eq!(deviations[0].kind, DeviationKind::OnlyInA);
/// ```
pub fn diff(a: &Snapshot, b: &Snapshot, allow: &[AllowedDeviation]) -> Vec<Deviation> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    let mut push = |table: &str, column: Option<&str>, kind: DeviationKind| {
        out.push(Deviation {
            table: table.to_string(),
            column: column.map(str::to_string),
            kind,
            allowed: allowed(allow, &a.environment, &b.environment, table, column),
        })
    };
    for table in tables {
        match (a.tables.get(table), b.tables.get(table)) {
            (Some(_), None) => push(table, None, DeviationKind::OnlyInA),
            (None, Some(_)) => push(table, None, DeviationKind::OnlyInB),
            (Some(ta), Some(tb)) => {
                let columns: BTreeSet<&String> =
                    ta.columns.keys().chain(tb.columns.keys()).collect();
                for column in columns {
                    match (ta.columns.get(column), tb.columns.get(column)) {
                        (Some(_), None) => push(table, Some(column), DeviationKind::OnlyInA),
                        (None, Some(_)) => push(table, Some(column), DeviationKind::OnlyInB),
                        (Some(ca), Some(cb)) => {
                            if let (Some(x), Some(y)) = (&ca.data_type, &cb.data_type) {
                                if x != y {
                                    push(
                                        table,
                                        Some(column),
                                        DeviationKind::TypeDiffers {
                                            a: x.clone(),
                                            b: y.clone(),
                                        },
                                    );
                                }
                            }
                        }
                        (None, None) => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// The reason of the first rule covering `table.column` for the pair `env_a`/`env_b`. A rule
/// without `column` covers the whole table; a rule with `envs` applies only when both compared
/// environments are listed.
fn allowed(
    rules: &[AllowedDeviation],
    env_a: &str,
    env_b: &str,
    table: &str,
    column: Option<&str>,
) -> Option<String> {
    rules
        .iter()
        .find(|rule| {
            let table_matches = normalize(&rule.table) == table;
            let column_matches = match (&rule.column, column) {
                (None, _) => true,
                (Some(rule_column), Some(column)) => normalize(rule_column) == column,
                (Some(_), None) => false,
            };
            let envs_match = rule.envs.as_ref().is_none_or(|envs| {
                envs.iter().any(|e| e == env_a) && envs.iter().any(|e| e == env_b)
            });
            table_matches && column_matches && envs_match
        })
        .map(|rule| rule.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: &str, tables: &str) -> Snapshot {
        Snapshot::parse(
            &format!(r#"{{"format":1,"environment":"{env}","schema":"s","tables":{tables}}}"#),
            "x",
            env,
        )
        .unwrap()
    }

    #[test]
    fn tables_columns_and_types() {
        let a = snap(
            "test",
            r#"{"a":{"columns":{"x":{"type":"text"},"y":{}}},"only_a":{"columns":{}}}"#,
        );
        let b = snap(
            "prod",
            r#"{"a":{"columns":{"x":{"type":"integer"},"z":{}}},"only_b":{"columns":{}}}"#,
        );
        let found: Vec<(String, Option<String>, DeviationKind)> = diff(&a, &b, &[])
            .into_iter()
            .map(|d| (d.table, d.column, d.kind))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "a".into(),
                    Some("x".into()),
                    DeviationKind::TypeDiffers {
                        a: "text".into(),
                        b: "integer".into()
                    }
                ),
                ("a".into(), Some("y".into()), DeviationKind::OnlyInA),
                ("a".into(), Some("z".into()), DeviationKind::OnlyInB),
                ("only_a".into(), None, DeviationKind::OnlyInA),
                ("only_b".into(), None, DeviationKind::OnlyInB),
            ]
        );
    }

    #[test]
    fn allow_rules_match_table_column_and_envs() {
        let a = snap(
            "test",
            r#"{"a":{"columns":{"debug__c":{}}},"t":{"columns":{}}}"#,
        );
        let b = snap("prod", r#"{"a":{"columns":{}}}"#);
        let rule =
            |table: &str, column: Option<&str>, envs: Option<Vec<String>>| AllowedDeviation {
                table: table.into(),
                column: column.map(Into::into),
                reason: format!("r-{table}"),
                envs,
            };
        let rules = [
            rule("A", Some("Debug__c"), None),
            rule("t", None, Some(vec!["test".into(), "prod".into()])),
        ];
        let deviations = diff(&a, &b, &rules);
        assert_eq!(deviations[0].allowed.as_deref(), Some("r-A"));
        assert_eq!(deviations[1].allowed.as_deref(), Some("r-t"));
        let staging_only = [rule("t", None, Some(vec!["staging".into()]))];
        assert_eq!(diff(&a, &b, &staging_only)[1].allowed, None);
    }
}
