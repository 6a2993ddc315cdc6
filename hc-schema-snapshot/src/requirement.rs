//! Requirements and THE check.
//!
//! [`check`] is the one function that decides whether a snapshot satisfies a requirement. The
//! macro, the `check` and `verify` commands and the release-phase verify all call it, so they
//! can never disagree.

use serde::{Deserialize, Serialize};

use crate::names;
use crate::snapshot::Snapshot;

/// "This code needs these columns of this table", with names normalised to Postgres casing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Requirement {
    /// Postgres table name (lower case).
    pub table: String,
    /// Postgres column names (lower case), in the order written.
    pub columns: Vec<String>,
}

impl Requirement {
    /// A requirement on `table` for `columns`; names may be in Salesforce or Postgres casing.
    ///
    /// ```
    /// use hc_schema_snapshot::Requirement;
    /// let requirement = Requirement::new("Account", ["Name", "Loyalty_Tier__c"]);
    /// assert_eq!(requirement.table, "account");
    /// assert_eq!(requirement.columns, ["name", "loyalty_tier__c"]);
    /// ```
    pub fn new<I, S>(table: &str, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Requirement {
            table: names::normalize(table),
            columns: columns
                .into_iter()
                .map(|c| names::normalize(c.as_ref()))
                .collect(),
        }
    }
}

/// One unmet part of a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The whole table is not mapped (its columns are not reported separately).
    MissingTable {
        /// Postgres table name.
        table: String,
    },
    /// The table is mapped but this column is not.
    MissingColumn {
        /// Postgres table name.
        table: String,
        /// Postgres column name.
        column: String,
    },
}

impl Finding {
    /// The table the finding is about.
    pub fn table(&self) -> &str {
        match self {
            Finding::MissingTable { table } | Finding::MissingColumn { table, .. } => table,
        }
    }

    /// The column the finding is about, if it is about a column.
    pub fn column(&self) -> Option<&str> {
        match self {
            Finding::MissingTable { .. } => None,
            Finding::MissingColumn { column, .. } => Some(column),
        }
    }

    /// `table` or `table.column`.
    pub fn subject(&self) -> String {
        match self {
            Finding::MissingTable { table } => table.clone(),
            Finding::MissingColumn { table, column } => format!("{table}.{column}"),
        }
    }
}

/// What [`check`] needs to know of an environment's schema. Names are in Postgres casing
/// (lower case), as in a [`Requirement`].
///
/// Implemented by [`Snapshot`] and by [`crate::NameIndex`] (the macro's compact form), so the
/// rule stays in one function whichever form is at hand.
pub trait Schema {
    /// Whether the table is mapped.
    fn has_table(&self, table: &str) -> bool;
    /// Whether the column of the table is mapped (never true for a table that is not: [`check`]
    /// relies on it).
    fn has_column(&self, table: &str, column: &str) -> bool;
}

impl Schema for Snapshot {
    fn has_table(&self, table: &str) -> bool {
        Snapshot::has_table(self, table)
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        Snapshot::has_column(self, table, column)
    }
}

/// Check one requirement against one schema. Empty result: the requirement holds.
///
/// A missing table yields one [`Finding::MissingTable`] and no column findings.
///
/// ```
/// use hc_schema_snapshot::{check, Finding, Requirement, Snapshot};
/// let prod = Snapshot::parse(
///     r#"{"format":1,"environment":"prod","schema":"salesforce",
///         "tables":{"account":{"columns":{"name":{}}}}}"#, "prod.json", "prod").unwrap();
/// let needs = Requirement::new("account", ["name", "loyalty_tier__c"]);
/// assert_eq!(check(&needs, &prod), [Finding::MissingColumn {
///     table: "account".into(), column: "loyalty_tier__c".into() }]);
/// ```
pub fn check<S: Schema + ?Sized>(requirement: &Requirement, schema: &S) -> Vec<Finding> {
    check_columns(&requirement.table, &requirement.columns, schema)
}

/// [`check`] on borrowed names (Postgres casing): the rule itself, for callers that hold the
/// names without a [`Requirement`] (the macro's fast path).
///
/// ```
/// use hc_schema_snapshot::{check_columns, Snapshot};
/// let prod = Snapshot::parse(
///     r#"{"format":1,"environment":"prod","schema":"salesforce",
///         "tables":{"account":{"columns":{"name":{}}}}}"#, "prod.json", "prod").unwrap();
/// assert!(check_columns("account", &["name"], &prod).is_empty());
/// assert_eq!(check_columns("account", &["name", "type"], &prod).len(), 1);
/// ```
pub fn check_columns<S, C>(table: &str, columns: &[C], schema: &S) -> Vec<Finding>
where
    S: Schema + ?Sized,
    C: AsRef<str>,
{
    // Plain loops: the macro runs this unoptimised, once per annotation. The common case
    // first: a mapped column implies its mapped table, so when every column is there the
    // table lookup is not needed.
    let mut all_mapped = !columns.is_empty();
    let mut i = 0;
    while all_mapped && i < columns.len() {
        all_mapped = schema.has_column(table, columns[i].as_ref());
        i += 1;
    }
    if all_mapped {
        return Vec::new();
    }
    if !schema.has_table(table) {
        return vec![Finding::MissingTable {
            table: table.to_string(),
        }];
    }
    let mut findings = Vec::new();
    for column in columns {
        if !schema.has_column(table, column.as_ref()) {
            findings.push(Finding::MissingColumn {
                table: table.to_string(),
                column: column.as_ref().to_string(),
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> Snapshot {
        Snapshot::parse(
            r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{
                "account":{"columns":{"name":{},"type":{}}},"user":{"columns":{"email":{}}}}}"#,
            "prod.json",
            "prod",
        )
        .unwrap()
    }

    #[test]
    fn all_present_is_empty() {
        assert!(check(&Requirement::new("Account", ["Name", "Type"]), &prod()).is_empty());
        assert!(check(&Requirement::new("user", ["email"]), &prod()).is_empty());
    }

    #[test]
    fn missing_table_is_one_finding() {
        let findings = check(&Requirement::new("contact", ["a", "b"]), &prod());
        assert_eq!(
            findings,
            [Finding::MissingTable {
                table: "contact".into()
            }]
        );
        assert_eq!(findings[0].subject(), "contact");
    }

    #[test]
    fn each_missing_column_is_its_own_finding() {
        let findings = check(&Requirement::new("account", ["x", "name", "y"]), &prod());
        let subjects: Vec<_> = findings.iter().map(Finding::subject).collect();
        assert_eq!(subjects, ["account.x", "account.y"]);
    }
}
