//! The wording of a finding: what is missing, where it is mapped, what to do.
//!
//! Shared by the macro and the CLI so that a compile error and a CI report say the same thing.

use std::fmt;

use crate::names;
use crate::requirement::Finding;
use crate::snapshot::Snapshot;
use crate::suggest;

/// A snapshot as a check target: the environment, how to show its file, and its content.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Environment name (`prod`).
    pub env: &'a str,
    /// The snapshot path as shown to users (`hc-schema/prod.json`).
    pub display: &'a str,
    /// The snapshot.
    pub snapshot: &'a Snapshot,
}

/// A finding explained: one message line plus notes and help lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// "`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)".
    pub message: String,
    /// Context, such as the environments where the column is mapped.
    pub notes: Vec<String>,
    /// What to do.
    pub helps: Vec<String>,
}

impl fmt::Display for Explanation {
    /// The message followed by `= note:` and `= help:` lines, the way rustc prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for note in &self.notes {
            write!(f, "\n  = note: {note}")?;
        }
        for help in &self.helps {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Explain `finding` in `target`; `known` are all snapshots known (selected or not), used for
/// "mapped in" notes and for Salesforce API names.
///
/// ```
/// use hc_schema_snapshot::diagnostic::{explain, Target};
/// use hc_schema_snapshot::{Finding, Snapshot};
/// let json = |env, cols| format!(r#"{{"format":1,"environment":"{env}","schema":"salesforce",
///     "tables":{{"account":{{"object":"Account","columns":{cols}}}}}}}"#);
/// let prod = Snapshot::parse(&json("prod", r#"{"name":{}}"#), "p", "prod").unwrap();
/// let test = Snapshot::parse(&json("test", r#"{"name":{},"loyalty_tier__c":{"field":"Loyalty_Tier__c"}}"#), "t", "test").unwrap();
/// let prod_t = Target { env: "prod", display: "hc-schema/prod.json", snapshot: &prod };
/// let test_t = Target { env: "test", display: "hc-schema/test.json", snapshot: &test };
/// let finding = Finding::MissingColumn { table: "account".into(), column: "loyalty_tier__c".into() };
/// let text = explain(&finding, &prod_t, &[prod_t, test_t]).to_string();
/// assert_eq!(text, "`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)
///   = note: mapped in: test
///   = help: map Loyalty_Tier__c on Account in prod's Heroku Connect, wait for the sync, then run `hc-schema refresh prod` and commit hc-schema/prod.json");
/// ```
pub fn explain(finding: &Finding, target: &Target<'_>, known: &[Target<'_>]) -> Explanation {
    let env = target.env;
    let mapped_in: Vec<&str> = known
        .iter()
        .filter(|other| other.env != env && mapped(finding, other.snapshot))
        .map(|other| other.env)
        .collect();
    let object = object_name(finding.table(), target, known);
    let mut notes = Vec::new();
    let mut helps = Vec::new();
    let what = match finding {
        Finding::MissingTable { table } => {
            if let Some(near) =
                suggest::closest(table, target.snapshot.tables.keys().map(String::as_str))
            {
                helps.push(format!("did you mean `{near}`?"));
            }
            format!("table `{table}`")
        }
        Finding::MissingColumn { table, column } => {
            if let Some(columns) = target.snapshot.table(table) {
                if let Some(near) =
                    suggest::closest(column, columns.columns.keys().map(String::as_str))
                {
                    helps.push(format!("did you mean `{near}`?"));
                }
            }
            format!("`{table}.{column}`")
        }
    };
    if mapped_in.is_empty() {
        if known.iter().any(|other| other.env != env) {
            notes.push("not mapped in any snapshot".to_string());
        }
    } else {
        notes.push(format!("mapped in: {}", mapped_in.join(", ")));
    }
    let action = match finding {
        Finding::MissingTable { .. } => format!("map the {object} object"),
        Finding::MissingColumn { table, column } => {
            let field = field_name(table, column, target, known);
            format!("map {field} on {object}")
        }
    };
    helps.push(format!(
        "{action} in {env}'s Heroku Connect, wait for the sync, then run \
         `hc-schema refresh {env}` and commit {}",
        target.display
    ));
    Explanation {
        message: format!("{what} is not mapped in {env} ({})", target.display),
        notes,
        helps,
    }
}

fn mapped(finding: &Finding, snapshot: &Snapshot) -> bool {
    match finding {
        Finding::MissingTable { table } => snapshot.has_table(table),
        Finding::MissingColumn { table, column } => snapshot.has_column(table, column),
    }
}

/// The Salesforce object API name of `table`: from any snapshot that knows it, else a guess.
pub fn object_name(table: &str, target: &Target<'_>, known: &[Target<'_>]) -> String {
    std::iter::once(target)
        .chain(known)
        .find_map(|t| t.snapshot.table(table).and_then(|t| t.object.clone()))
        .unwrap_or_else(|| names::guess_api_name(table))
}

/// The Salesforce field API name of `table.column`: from any snapshot that knows it, else a guess.
pub fn field_name(table: &str, column: &str, target: &Target<'_>, known: &[Target<'_>]) -> String {
    std::iter::once(target)
        .chain(known)
        .find_map(|t| {
            t.snapshot
                .table(table)
                .and_then(|t| t.column(column))
                .and_then(|c| c.field.clone())
        })
        .unwrap_or_else(|| names::guess_api_name(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: &str, tables: &str) -> Snapshot {
        let text = format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{tables}}}"#
        );
        Snapshot::parse(&text, "x", env).unwrap()
    }

    #[test]
    fn typo_gets_a_suggestion_and_guessed_names() {
        let prod = snap("prod", r#"{"account":{"columns":{"loyalty_tier__c":{}}}}"#);
        let target = Target {
            env: "prod",
            display: "hc-schema/prod.json",
            snapshot: &prod,
        };
        let finding = Finding::MissingColumn {
            table: "account".into(),
            column: "loyalty_teir__c".into(),
        };
        let explanation = explain(&finding, &target, &[target]);
        assert_eq!(explanation.helps[0], "did you mean `loyalty_tier__c`?");
        assert!(explanation.helps[1].starts_with("map Loyalty_Teir__c on Account in prod's"));
        assert!(explanation.notes.is_empty());
    }

    #[test]
    fn missing_table_mentions_object_and_other_envs() {
        let prod = snap("prod", r#"{"account":{"columns":{}}}"#);
        let test = snap(
            "test",
            r#"{"loyalty_program__c":{"object":"Loyalty_Program__c","columns":{}}}"#,
        );
        let p = Target {
            env: "prod",
            display: "hc-schema/prod.json",
            snapshot: &prod,
        };
        let t = Target {
            env: "test",
            display: "hc-schema/test.json",
            snapshot: &test,
        };
        let finding = Finding::MissingTable {
            table: "loyalty_program__c".into(),
        };
        let explanation = explain(&finding, &p, &[p, t]);
        assert_eq!(
            explanation.message,
            "table `loyalty_program__c` is not mapped in prod (hc-schema/prod.json)"
        );
        assert_eq!(explanation.notes, ["mapped in: test"]);
        assert!(explanation.helps[0].starts_with("map the Loyalty_Program__c object in prod's"));
    }

    #[test]
    fn nowhere_mapped_is_said() {
        let prod = snap("prod", r#"{"account":{"columns":{}}}"#);
        let test = snap("test", r#"{"account":{"columns":{}}}"#);
        let p = Target {
            env: "prod",
            display: "p",
            snapshot: &prod,
        };
        let t = Target {
            env: "test",
            display: "t",
            snapshot: &test,
        };
        let finding = Finding::MissingColumn {
            table: "account".into(),
            column: "zzz".into(),
        };
        assert_eq!(
            explain(&finding, &p, &[p, t]).notes,
            ["not mapped in any snapshot"]
        );
    }
}
