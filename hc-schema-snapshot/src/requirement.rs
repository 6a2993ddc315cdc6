//! Requirements and THE check.
//!
//! [`check`] is the one function that decides whether a snapshot satisfies a requirement. The
//! macro, the `check` and `verify` commands and the release-phase verify all call it, so they
//! can never disagree. [`evaluate`] adds the code's allowances (`missing_ok`) on top of it, for
//! every caller alike.

use serde::{Deserialize, Serialize};

use crate::names;
use crate::snapshot::{MappingAccess, Snapshot};
use crate::verdict::Status;

/// Whether code reads a table's columns or writes them.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// `SELECT`, `WHERE`, ...: the columns must be mapped.
    #[default]
    Read,
    /// `INSERT`, `UPDATE`, `DELETE`, `MERGE`: the columns must be mapped and the mapping
    /// read-write, or the change never reaches Salesforce.
    Write,
}

impl Access {
    /// `read` or `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }

    fn is_read(&self) -> bool {
        *self == Access::Read
    }
}

/// "This code reads (or writes) these columns of this table", with names normalised to
/// Postgres casing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Requirement {
    /// Postgres table name (lower case).
    pub table: String,
    /// Postgres column names (lower case), in the order written. Empty for a write that
    /// touches rows but names no column (`DELETE`).
    pub columns: Vec<String>,
    /// Read or write.
    #[serde(default, skip_serializing_if = "Access::is_read")]
    pub access: Access,
}

impl Requirement {
    /// A read requirement on `table` for `columns`; names may be in Salesforce or Postgres
    /// casing.
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
            access: Access::Read,
        }
    }

    /// A write requirement (`INSERT`/`UPDATE`/`DELETE`) on `table` for `columns`.
    ///
    /// ```
    /// use hc_schema_snapshot::{requirement::Access, Requirement};
    /// let requirement = Requirement::write("Contact", ["Title"]);
    /// assert_eq!((requirement.table.as_str(), requirement.access), ("contact", Access::Write));
    /// ```
    pub fn write<I, S>(table: &str, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Requirement {
            access: Access::Write,
            ..Requirement::new(table, columns)
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
    /// The code writes to a table whose mapping is read-only: the change would stay in
    /// Postgres, never reach Salesforce, and be overwritten by the next sync.
    ReadOnly {
        /// Postgres table name.
        table: String,
        /// The columns written (empty for a `DELETE`).
        columns: Vec<String>,
    },
    /// The code writes to a table whose mapping access the snapshot does not record (an older
    /// or hand-made snapshot). A pass with a note, unless access is checked strictly.
    AccessUnknown {
        /// Postgres table name.
        table: String,
    },
    /// A typed declaration (`account(annualrevenue: f64)`) whose Rust type does not read the
    /// column's type in this environment.
    TypeMismatch {
        /// Postgres table name.
        table: String,
        /// Postgres column name.
        column: String,
        /// The Rust type as written (`f64`).
        rust: String,
        /// The column's type in this environment, as the snapshot spells it.
        found: String,
    },
    /// A typed declaration over a snapshot that records no type for the column (imported from
    /// a mapping export). A pass with a note, unless types are checked strictly
    /// (`strict_types`): then `strict` is set and it fails.
    TypeUnknown {
        /// Postgres table name.
        table: String,
        /// Postgres column name.
        column: String,
        /// The Rust type as written.
        rust: String,
        /// Whether types are checked strictly (`[check] strict_types = true`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        strict: bool,
    },
    /// A typed declaration (or an `hc_query!` alias type) whose Rust type hc-schema does not
    /// know ([`crate::written`]): it cannot be checked against the column's type. Fails,
    /// unless `[types] custom` in hc-schema.toml lists it (`custom`: the user's own `FromSql`
    /// type, unchecked, a note). Not about one environment.
    UncheckedType {
        /// Postgres table name.
        table: String,
        /// Postgres column name.
        column: String,
        /// The Rust type as written.
        rust: String,
        /// The type, normalised (what `[types] custom` lists).
        canonical: String,
        /// What the spelling could mean (an ambiguous short name), when known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        why: String,
        /// Whether `[types] custom` lists it: a note, not a failure.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        custom: bool,
    },
    /// A column read without a Rust type (`hc_sql!`, an untyped declaration, a SQL string)
    /// whose type differs between the snapshots of the directory so that no Rust type reads
    /// every one of them ([`crate::types::untyped_drift`]): the code compiled against one
    /// environment's type fails at run time in another's.
    TypeDrift {
        /// Postgres table name.
        table: String,
        /// Postgres column name.
        column: String,
        /// `(environment, snapshot file as shown, type)` for one environment per type family,
        /// in environment-name order.
        types: Vec<(String, String, String)>,
    },
    /// SQL names the table with a schema (`org.account`) that is not the environment's Heroku
    /// Connect schema: there the name does not exist (or is another table). Found by the
    /// judge of a qualified table use ([`crate::verdict::Judge::judge_qualifier`]), never by
    /// [`check`] (a [`Requirement`] has no schema).
    WrongSchema {
        /// Postgres table name.
        table: String,
        /// The schema the SQL writes.
        written: String,
        /// The environment's Heroku Connect schema.
        expected: String,
    },
}

impl Finding {
    /// The table the finding is about.
    pub fn table(&self) -> &str {
        match self {
            Finding::MissingTable { table }
            | Finding::MissingColumn { table, .. }
            | Finding::ReadOnly { table, .. }
            | Finding::AccessUnknown { table }
            | Finding::TypeMismatch { table, .. }
            | Finding::TypeUnknown { table, .. }
            | Finding::UncheckedType { table, .. }
            | Finding::TypeDrift { table, .. }
            | Finding::WrongSchema { table, .. } => table,
        }
    }

    /// The column the finding is about, if it is about one column.
    pub fn column(&self) -> Option<&str> {
        match self {
            Finding::MissingColumn { column, .. }
            | Finding::TypeMismatch { column, .. }
            | Finding::TypeUnknown { column, .. }
            | Finding::UncheckedType { column, .. }
            | Finding::TypeDrift { column, .. } => Some(column),
            _ => None,
        }
    }

    /// `table`, `table.column`, or `schema.table` as the SQL wrote it.
    pub fn subject(&self) -> String {
        match self {
            Finding::MissingColumn { table, column }
            | Finding::TypeMismatch { table, column, .. }
            | Finding::TypeUnknown { table, column, .. }
            | Finding::UncheckedType { table, column, .. }
            | Finding::TypeDrift { table, column, .. } => format!("{table}.{column}"),
            Finding::WrongSchema { table, written, .. } => format!("{written}.{table}"),
            _ => self.table().to_string(),
        }
    }

    /// The finding's kind as reports name it: `missing_table`, `missing_column`,
    /// `read_only`, `access_unknown`, `type_mismatch`, `type_unknown`, `unchecked_type`,
    /// `type_drift`, `wrong_schema`.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::MissingTable { .. } => "missing_table",
            Finding::MissingColumn { .. } => "missing_column",
            Finding::ReadOnly { .. } => "read_only",
            Finding::AccessUnknown { .. } => "access_unknown",
            Finding::TypeMismatch { .. } => "type_mismatch",
            Finding::TypeUnknown { .. } => "type_unknown",
            Finding::UncheckedType { .. } => "unchecked_type",
            Finding::TypeDrift { .. } => "type_drift",
            Finding::WrongSchema { .. } => "wrong_schema",
        }
    }

    /// Whether the finding fails a check. Everything does except [`Finding::AccessUnknown`],
    /// which fails only when access is checked strictly (`--strict-access`,
    /// `strict_access = true` under `[check]`).
    pub fn fails(&self, strict_access: bool) -> bool {
        match self {
            Finding::AccessUnknown { .. } => strict_access,
            Finding::TypeUnknown { strict, .. } => *strict,
            Finding::UncheckedType { custom, .. } => !*custom,
            _ => true,
        }
    }

    /// Whether the finding is about something missing (a table or a column), as opposed to
    /// the mapping's direction.
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            Finding::MissingTable { .. } | Finding::MissingColumn { .. }
        )
    }
}

/// What [`check`] needs to know of an environment's schema. Names are in Postgres casing
/// (lower case), as in a [`Requirement`], and compared exactly.
///
/// Implemented by [`Snapshot`] and by [`crate::NameIndex`] (the macro's compact form), so the
/// rule stays in one function whichever form is at hand.
pub trait Schema {
    /// Whether the table is mapped.
    fn has_table(&self, table: &str) -> bool;
    /// Whether the column of the table is mapped (never true for a table that is not: [`check`]
    /// relies on it).
    fn has_column(&self, table: &str, column: &str) -> bool;
    /// The mapping's direction, when known.
    fn access(&self, table: &str) -> Option<MappingAccess>;
}

impl Schema for Snapshot {
    fn has_table(&self, table: &str) -> bool {
        Snapshot::has_table(self, table)
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        Snapshot::has_column(self, table, column)
    }

    fn access(&self, table: &str) -> Option<MappingAccess> {
        self.table(table).and_then(|t| t.access)
    }
}

/// Check one requirement against one schema. Empty result: the requirement holds.
///
/// A missing table yields one [`Finding::MissingTable`] and no column findings. A write also
/// needs the mapping to be read-write: [`Finding::ReadOnly`] when it is read-only,
/// [`Finding::AccessUnknown`] when the schema does not say (see [`Finding::fails`]).
///
/// ```
/// use hc_schema_snapshot::{check, Finding, Requirement, Snapshot};
/// let prod = Snapshot::parse(
///     r#"{"format":1,"environment":"prod","schema":"salesforce",
///         "tables":{"account":{"access":"read_only","columns":{"name":{}}}}}"#, "prod.json", "prod").unwrap();
/// let needs = Requirement::new("account", ["name", "loyalty_tier__c"]);
/// assert_eq!(check(&needs, &prod), [Finding::MissingColumn {
///     table: "account".into(), column: "loyalty_tier__c".into() }]);
/// let writes = Requirement::write("account", ["name"]);
/// assert_eq!(check(&writes, &prod), [Finding::ReadOnly {
///     table: "account".into(), columns: vec!["name".into()] }]);
/// ```
pub fn check<S: Schema + ?Sized>(requirement: &Requirement, schema: &S) -> Vec<Finding> {
    let table = requirement.table.as_str();
    let mut findings = if requirement.columns.is_empty() {
        if schema.has_table(table) {
            Vec::new()
        } else {
            vec![Finding::MissingTable {
                table: table.to_string(),
            }]
        }
    } else {
        check_columns(table, &requirement.columns, schema)
    };
    if requirement.access == Access::Write
        && !findings
            .iter()
            .any(|f| matches!(f, Finding::MissingTable { .. }))
    {
        match schema.access(table) {
            Some(MappingAccess::ReadWrite) => {}
            Some(MappingAccess::ReadOnly) => findings.push(Finding::ReadOnly {
                table: table.to_string(),
                columns: requirement.columns.clone(),
            }),
            None => findings.push(Finding::AccessUnknown {
                table: table.to_string(),
            }),
        }
    }
    findings
}

/// The read part of [`check`] on borrowed names (Postgres casing): the rule itself, for
/// callers that hold the names without a [`Requirement`] (the macro's fast path).
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

/// The code's own statement that a requirement may be unmet in one environment, with the
/// reason: `missing_ok(prod, account(loyalty_tier__c), reason = "...")`. It covers exactly the
/// columns it lists (of one table), never more.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Allowance {
    /// The environment it applies to.
    pub env: String,
    /// The table (Postgres casing).
    pub table: String,
    /// The columns it covers (Postgres casing).
    pub columns: Vec<String>,
    /// Why it is safe (required): shown by every report.
    pub reason: String,
}

impl Allowance {
    /// Whether this allowance covers `finding` in `env`: the same environment and table, and
    /// every column the finding is about (a missing table: every column the requirement
    /// needs).
    pub fn covers(&self, env: &str, finding: &Finding, requirement: &Requirement) -> bool {
        if self.env != env || self.table != finding.table() {
            return false;
        }
        match finding {
            Finding::MissingColumn { column, .. } => self.columns.contains(column),
            Finding::MissingTable { .. } => {
                !requirement.columns.is_empty()
                    && requirement.columns.iter().all(|c| self.columns.contains(c))
            }
            // The allowance is about missing columns, not about where writes go or types,
            // nor about which schema SQL names: that name does not exist there.
            Finding::ReadOnly { .. }
            | Finding::AccessUnknown { .. }
            | Finding::TypeMismatch { .. }
            | Finding::TypeUnknown { .. }
            | Finding::UncheckedType { .. }
            | Finding::TypeDrift { .. }
            | Finding::WrongSchema { .. } => false,
        }
    }
}

/// The outcome of one requirement in one environment, allowances applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evaluation<'a> {
    /// Every finding of [`check`], with the allowance that covers it, if any.
    pub findings: Vec<(Finding, Option<&'a Allowance>)>,
    /// Allowances for this environment and table that cover nothing: every column they list
    /// is mapped. Reported as stale so that they get removed.
    pub stale: Vec<&'a Allowance>,
}

impl Evaluation<'_> {
    /// Whether the requirement fails in this environment: a finding that fails and that no
    /// allowance covers.
    pub fn fails(&self, strict_access: bool) -> bool {
        self.findings
            .iter()
            .any(|(finding, allowed)| Status::of(finding, *allowed, strict_access).fails())
    }
}

/// [`check`] with the code's allowances applied, for the environment `env`: the one place
/// where an allowance turns a finding into a pass. Allowances for other environments or other
/// tables are ignored.
///
/// ```
/// use hc_schema_snapshot::requirement::{evaluate, Allowance};
/// use hc_schema_snapshot::{Requirement, Snapshot};
/// let prod = Snapshot::parse(
///     r#"{"format":1,"environment":"prod","schema":"salesforce",
///         "tables":{"account":{"columns":{"name":{}}}}}"#, "prod.json", "prod").unwrap();
/// let needs = Requirement::new("account", ["name", "loyalty_tier__c"]);
/// let allow = [Allowance { env: "prod".into(), table: "account".into(),
///     columns: vec!["loyalty_tier__c".into()], reason: "behind a flag".into() }];
/// let evaluation = evaluate(&needs, &allow, "prod", &prod);
/// assert!(!evaluation.fails(false));
/// assert_eq!(evaluation.findings[0].1.unwrap().reason, "behind a flag");
/// // The same allowance does not cover another environment.
/// assert!(evaluate(&needs, &allow, "staging", &prod).fails(false));
/// ```
pub fn evaluate<'a, S: Schema + ?Sized>(
    requirement: &Requirement,
    allowances: &'a [Allowance],
    env: &str,
    schema: &S,
) -> Evaluation<'a> {
    let findings: Vec<(Finding, Option<&'a Allowance>)> = check(requirement, schema)
        .into_iter()
        .map(|finding| {
            let allowed = allowances
                .iter()
                .find(|a| a.covers(env, &finding, requirement));
            (finding, allowed)
        })
        .collect();
    let stale = allowances
        .iter()
        .filter(|a| a.env == env && a.table == requirement.table)
        .filter(|a| {
            a.columns
                .iter()
                .all(|column| schema.has_column(&requirement.table, column))
        })
        .collect();
    Evaluation { findings, stale }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> Snapshot {
        Snapshot::parse(
            r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{
                "account":{"access":"read_only","columns":{"name":{},"type":{}}},
                "contact":{"access":"read_write","columns":{"email":{}}},
                "user":{"columns":{"email":{}}}}}"#,
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
        let findings = check(&Requirement::new("lead", ["a", "b"]), &prod());
        assert_eq!(
            findings,
            [Finding::MissingTable {
                table: "lead".into()
            }]
        );
        assert_eq!(findings[0].subject(), "lead");
        // A write to a missing table is only the missing table.
        assert_eq!(check(&Requirement::write("lead", ["a"]), &prod()).len(), 1);
    }

    #[test]
    fn each_missing_column_is_its_own_finding() {
        let findings = check(&Requirement::new("account", ["x", "name", "y"]), &prod());
        let subjects: Vec<_> = findings.iter().map(Finding::subject).collect();
        assert_eq!(subjects, ["account.x", "account.y"]);
    }

    #[test]
    fn writes_need_a_read_write_mapping() {
        assert!(check(&Requirement::write("contact", ["email"]), &prod()).is_empty());
        let read_only = check(&Requirement::write("account", ["name", "x"]), &prod());
        assert_eq!(read_only.len(), 2, "{read_only:?}");
        assert_eq!(read_only[1].kind(), "read_only");
        let unknown = check(&Requirement::write("user", ["email"]), &prod());
        assert_eq!(
            unknown,
            [Finding::AccessUnknown {
                table: "user".into()
            }]
        );
        assert!(!unknown[0].fails(false) && unknown[0].fails(true));
        // A DELETE names no column: the table and its access decide.
        assert!(check(&Requirement::write("contact", Vec::<&str>::new()), &prod()).is_empty());
        assert_eq!(
            check(&Requirement::write("lead", Vec::<&str>::new()), &prod())[0].kind(),
            "missing_table"
        );
    }

    #[test]
    fn allowances_cover_exactly_what_they_list() {
        let needs = Requirement::new("account", ["name", "tier__c", "other__c"]);
        let allow = [Allowance {
            env: "prod".into(),
            table: "account".into(),
            columns: vec!["tier__c".into()],
            reason: "flag".into(),
        }];
        let evaluation = evaluate(&needs, &allow, "prod", &prod());
        assert!(evaluation.fails(false), "other__c is not allowed");
        assert_eq!(evaluation.findings.len(), 2);
        assert!(evaluation.findings[0].1.is_none() ^ evaluation.findings[1].1.is_none());
        assert!(evaluation.stale.is_empty());
        // Mapped after all: the allowance is stale.
        let stale = Allowance {
            columns: vec!["name".into()],
            ..allow[0].clone()
        };
        let evaluation = evaluate(&needs, std::slice::from_ref(&stale), "prod", &prod());
        assert_eq!(evaluation.stale, [&stale]);
        // A missing table is covered only when every needed column is listed.
        let table = Requirement::new("lead", ["a", "b"]);
        let partial = Allowance {
            table: "lead".into(),
            columns: vec!["a".into()],
            ..allow[0].clone()
        };
        assert!(evaluate(&table, std::slice::from_ref(&partial), "prod", &prod()).fails(false));
        let full = Allowance {
            columns: vec!["a".into(), "b".into()],
            ..partial
        };
        assert!(!evaluate(&table, std::slice::from_ref(&full), "prod", &prod()).fails(false));
        // Never for a write to a read-only mapping.
        let write = Requirement::write("account", ["name"]);
        let name = Allowance {
            columns: vec!["name".into()],
            ..allow[0].clone()
        };
        assert!(evaluate(&write, std::slice::from_ref(&name), "prod", &prod()).fails(false));
    }
}
