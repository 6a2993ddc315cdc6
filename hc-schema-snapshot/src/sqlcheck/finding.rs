//! What the SQL checks report: a finding at a literal, its kind and how it counts.

use crate::config::{CheckConfig, StarLevel};
use crate::diagnostic::Explanation;
use crate::manifest::{Site, Usage};
use crate::requirement::Access;

/// What a [`SqlFinding`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SqlFindingKind {
    /// The SQL of an `hc_sql!` cannot be checked (it does not parse, an ambiguous column, not
    /// a literal, ...): the build fails on it, with the same text.
    SqlError,
    /// SQL inside an annotated item uses a column or table that no enclosing annotation
    /// declares (the forgotten annotation).
    Undeclared,
    /// SQL on Heroku Connect tables outside `hc_sql!` and outside any annotated item: nothing
    /// checks it.
    Unguarded,
    /// SQL that could touch Heroku Connect tables but could not be analysed (a `format!`
    /// placeholder where no name can stand, several statements, ...): reported, never passed.
    Skipped,
    /// A `SELECT *` or `t.*` over a Heroku Connect table: the code may read any of its
    /// columns by name, which no check sees (`star`; a warning by default).
    Star,
    /// An `hc_query!` alias type `[types] custom` lists (`AS "x: Money"`): the user's own
    /// `FromSql` type, not checked against the column's type (a note, as a typed declaration
    /// of such a type is).
    CustomType,
}

impl SqlFindingKind {
    /// The rule id in reports (SARIF, JSON): `sql_error`, `undeclared`, `unguarded`,
    /// `skipped_sql`, `star`, `unchecked_type` (a typed declaration's custom type has it too).
    pub fn rule_id(self) -> &'static str {
        match self {
            SqlFindingKind::SqlError => "sql_error",
            SqlFindingKind::Undeclared => "undeclared",
            SqlFindingKind::Unguarded => "unguarded",
            SqlFindingKind::Skipped => "skipped_sql",
            SqlFindingKind::Star => "star",
            SqlFindingKind::CustomType => "unchecked_type",
        }
    }

    /// How a finding of this kind counts under `config` (`[check] undeclared` / `unguarded` /
    /// `skipped` / `star`: a skipped string is a note unless `skipped = "error"`; `None` for a
    /// `star` finding under `star = "allow"`, which is not reported).
    ///
    /// ```
    /// use hc_schema_snapshot::config::{CheckConfig, LintLevel};
    /// use hc_schema_snapshot::sqlcheck::{Severity, SqlFindingKind};
    /// let config = CheckConfig { unguarded: LintLevel::Warn, ..CheckConfig::default() };
    /// assert_eq!(SqlFindingKind::Undeclared.severity(&config), Some(Severity::Error));
    /// assert_eq!(SqlFindingKind::Unguarded.severity(&config), Some(Severity::Warning));
    /// assert_eq!(SqlFindingKind::Skipped.severity(&config), Some(Severity::Note));
    /// assert_eq!(SqlFindingKind::Star.severity(&config), Some(Severity::Warning));
    /// let strict = CheckConfig { skipped: LintLevel::Error, ..CheckConfig::default() };
    /// assert_eq!(SqlFindingKind::Skipped.severity(&strict), Some(Severity::Error));
    /// ```
    pub fn severity(self, config: &CheckConfig) -> Option<Severity> {
        let level = |fails: bool| {
            if fails {
                Severity::Error
            } else {
                Severity::Warning
            }
        };
        Some(match self {
            SqlFindingKind::SqlError => Severity::Error,
            SqlFindingKind::Undeclared => level(config.undeclared.fails()),
            SqlFindingKind::Unguarded => level(config.unguarded.fails()),
            SqlFindingKind::Skipped if config.skipped.fails() => Severity::Error,
            SqlFindingKind::Skipped | SqlFindingKind::CustomType => Severity::Note,
            SqlFindingKind::Star => match config.star {
                StarLevel::Error => Severity::Error,
                StarLevel::Warn => Severity::Warning,
                StarLevel::Allow => return None,
            },
        })
    }
}

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// It fails the check (exit status 1).
    Error,
    /// Listed; the check does not fail on it (`[check] ... = "warn"`).
    Warning,
    /// Listed for information: something the check could not look at.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A table (and column) a finding is about, and how the SQL uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    /// The table.
    pub table: String,
    /// The column; `None` for the table itself (`SELECT count(*)`, a `DELETE`, a table no
    /// annotation declares).
    pub column: Option<String>,
    /// Read or written.
    pub access: Access,
}

impl Subject {
    /// `account.name`, or `account`.
    pub fn name(&self) -> String {
        match &self.column {
            Some(column) => format!("{}.{column}", self.table),
            None => self.table.clone(),
        }
    }
}

/// One finding of the SQL checks, at a string literal (or an `hc_sql!` argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFinding {
    /// What it is.
    pub kind: SqlFindingKind,
    /// The file (relative to the workspace).
    pub file: String,
    /// 1-based line of the literal.
    pub line: u32,
    /// 1-based column of the literal.
    pub column: u32,
    /// The message, where in the SQL (a note), and what to do.
    pub explanation: Explanation,
    /// The tables and columns it is about: the undeclared one; every Heroku Connect table
    /// and column of unguarded SQL; empty for errors and skipped SQL.
    pub subjects: Vec<Subject>,
    /// The annotation to extend (`undeclared`): where its path starts.
    pub annotation: Option<Site>,
    /// The uses this finding stands for, each name at its place in the file (origin
    /// [`crate::manifest::Origin::String`]): the undeclared ones (`undeclared`), every table
    /// use of the SQL (`unguarded`); empty for the other kinds. They are needed all the same
    /// ([`crate::uses::Uses`]), whatever the lint's level.
    pub uses: Vec<Usage>,
}

impl SqlFinding {
    /// Whether the SQL's columns are unknown to the check: skipped SQL, or unguarded SQL that
    /// names Heroku Connect tables but could not be read (no subject). Nothing may be called
    /// safe over it (`usages`), and no summary says a plain "ok" beside it.
    pub fn unread(&self) -> bool {
        match self.kind {
            SqlFindingKind::Skipped => true,
            SqlFindingKind::Unguarded => self.subjects.is_empty(),
            _ => false,
        }
    }

    /// Where it is.
    pub fn site(&self) -> Site {
        Site {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
        }
    }
}
