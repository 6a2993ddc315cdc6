//! One SQL string literal of a source file: where each byte of its value is in the file, and
//! its analysis as requirements ([`Usage`]s) or as messages. Shared by `hc_sql!` (which knows
//! the literal from its token) and the source scan of `hc-schema check` (which knows it from
//! the text), so that both place every name and word every error alike.

use std::ops::Range;

use super::analysis::{Analysis, SqlError};
use super::context::Context;
use super::position::{excerpt, line_column};
use crate::diagnostic::Explanation;
use crate::manifest::Usage;

/// What `hc_sql!` says when its argument is not one string literal.
pub const NOT_A_LITERAL: &str =
    "hc_sql! takes one string literal: hc_sql!(\"SELECT name FROM salesforce.account\") \
     (or a raw string r#\"...\"#, on as many lines as needed); SQL built at run time (concat!, \
     format!, a variable) cannot be checked here: declare its columns with #[hc_requires(...)] \
     on the function instead";

/// A string literal as written in a source file, and its value.
///
/// Positions are 1-based lines and 1-based columns counted in characters, as rustc and the
/// source scan count them. A name inside the value has an exact position in the file when the
/// value is a verbatim copy of the text between the quotes (a raw string, or a plain string
/// without any `\` escape); otherwise every name is placed at the literal itself.
///
/// ```
/// use hc_schema_snapshot::sql::SourceLiteral;
/// // `r#"SELECT name` starts at line 3, column 5.
/// let literal = SourceLiteral::new("src/a.rs", "SELECT name\n  FROM account", "r#\"SELECT name\n  FROM account\"#", 3, 5);
/// assert_eq!(literal.locate(7), (3, 15), "`name`: after r#\" and SELECT");
/// assert_eq!(literal.locate(19), (4, 8), "`account`, on the next line");
/// let escaped = SourceLiteral::new("src/a.rs", "SELECT\tname FROM account", "\"SELECT\\tname FROM account\"", 3, 5);
/// assert_eq!(escaped.locate(7), (3, 5), "an escape: the literal's own position");
/// assert_eq!(escaped.exact(7), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLiteral<'a> {
    /// The source file (relative to the workspace, as rustc names it).
    pub file: &'a str,
    /// The literal's value: the SQL.
    pub value: &'a str,
    /// Where the literal starts (its `"` or `r`): 1-based line and column.
    pub start: (u32, u32),
    /// Where the value starts in the file, when it is verbatim.
    verbatim_start: Option<(u32, u32)>,
}

impl<'a> SourceLiteral<'a> {
    /// The literal of `file` written as `written` (quotes and any `r#` included) with value
    /// `value`, starting at `line`:`column` (1-based).
    pub fn new(
        file: &'a str,
        value: &'a str,
        written: &str,
        line: u32,
        column: u32,
    ) -> SourceLiteral<'a> {
        SourceLiteral {
            file,
            value,
            start: (line, column),
            verbatim_start: verbatim_prefix(written, value)
                .map(|prefix| (line, column.saturating_add(prefix as u32))),
        }
    }

    /// The 1-based line and column in the file of byte `offset` of the value: exact when the
    /// value is verbatim, else the literal's own position.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        self.exact(offset).unwrap_or(self.start)
    }

    /// The 1-based line and column in the file of byte `offset` of the value, when the value is
    /// verbatim.
    pub fn exact(&self, offset: usize) -> Option<(u32, u32)> {
        let (mut line, mut column) = self.verbatim_start?;
        let mut offset = offset.min(self.value.len());
        while !self.value.is_char_boundary(offset) {
            offset -= 1;
        }
        for c in self.value[..offset].chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        Some((line, column))
    }

    /// Where byte range `at` of the SQL is, as a note: line and column within the SQL (and in
    /// the file, when exact), and the line with a caret (a compile error cannot point inside
    /// a string literal).
    ///
    /// ```
    /// use hc_schema_snapshot::sql::SourceLiteral;
    /// let literal = SourceLiteral::new("src/a.rs", "SELECT nme FROM account", "\"SELECT nme FROM account\"", 2, 9);
    /// assert_eq!(literal.place(7..10),
    ///     "at line 1, column 8 of the SQL (src/a.rs:2:17):\n    SELECT nme FROM account\n           ^^^");
    /// ```
    pub fn place(&self, at: Range<usize>) -> String {
        let (line, column) = line_column(self.value, at.start);
        let in_file = match self.exact(at.start) {
            Some((file_line, file_column)) => {
                format!(" ({}:{file_line}:{file_column})", self.file)
            }
            None => String::new(),
        };
        format!(
            "at line {line}, column {column} of the SQL{in_file}:\n{}",
            excerpt(self.value, at)
        )
    }

    /// An analysis error explained as `hc_sql!` reports it: the error, where it is in the SQL,
    /// and the way out. `hc_sql!`'s compile error is this explanation's text, at the literal.
    pub fn explain(&self, error: &SqlError) -> Explanation {
        self.explain_in(error, "hc_sql!")
    }

    /// [`explain`](Self::explain) as macro `name` (`hc_query!`) reports it
    /// ([`SqlError::message_in`]).
    pub fn explain_in(&self, error: &SqlError, name: &str) -> Explanation {
        Explanation {
            message: error.message_in(name),
            notes: vec![self.place(error.at.clone())],
            helps: vec![error.help_in(name)],
        }
    }

    /// The table uses of `analysis` (offsets into this literal's value) as [`Usage`]s of the
    /// file (origin `sql`), each name at its position.
    pub fn usages(&self, analysis: &Analysis) -> Vec<Usage> {
        analysis.usages(self.file, |offset| self.locate(offset))
    }
}

/// What `hc_sql!` makes of its literal: the analysis and its requirements, or the errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiteralOutcome {
    /// The statement's Heroku Connect tables and columns, as an analysis (offsets into the
    /// value) and as requirement sites.
    Checked {
        /// The analysis.
        analysis: Analysis,
        /// Its table uses as [`Usage`]s of the file (origin `sql`).
        usages: Vec<Usage>,
    },
    /// The statement cannot be checked: each error explained (the build fails on each).
    Failed(Vec<(SqlError, Explanation)>),
}

/// Analyse the SQL of one `hc_sql!` literal: THE one place that turns a literal into
/// requirements or errors, used by the macro and by `hc-schema check`.
///
/// ```
/// use hc_schema_snapshot::sql::{analyze_literal, Context, LiteralOutcome, SourceLiteral, Union};
/// use hc_schema_snapshot::Snapshot;
/// let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce",
///     "tables":{"account":{"columns":{"name":{},"sfid":{}}}}}"#, "test.json", "test").unwrap();
/// let union = Union::new([&test]);
/// let context = Context::new(["salesforce"], &union);
/// let sql = "SELECT name FROM salesforce.account";
/// let literal = SourceLiteral::new("src/a.rs", sql, "\"SELECT name FROM salesforce.account\"", 4, 20);
/// let LiteralOutcome::Checked { usages, .. } = analyze_literal(&literal, &context) else { panic!() };
/// assert_eq!((usages[0].columns[0].line, usages[0].columns[0].column), (4, 28));
/// let bad = SourceLiteral::new("src/a.rs", "SELECT nme FROM", "\"SELECT nme FROM\"", 4, 20);
/// let LiteralOutcome::Failed(errors) = analyze_literal(&bad, &context) else { panic!() };
/// assert!(errors[0].1.to_string().starts_with("the SQL does not parse"));
/// ```
pub fn analyze_literal(literal: &SourceLiteral<'_>, context: &Context<'_>) -> LiteralOutcome {
    match super::analyze(literal.value, context) {
        Ok(analysis) => LiteralOutcome::Checked {
            usages: literal.usages(&analysis),
            analysis,
        },
        Err(errors) => LiteralOutcome::Failed(
            errors
                .into_iter()
                .map(|error| {
                    let explanation = literal.explain(&error);
                    (error, explanation)
                })
                .collect(),
        ),
    }
}

/// How many bytes of `written` come before the value, when the value is a verbatim copy of the
/// text between the quotes: `r##"` (raw) or `"` (plain, without any `\`).
fn verbatim_prefix(written: &str, value: &str) -> Option<usize> {
    let (prefix, suffix) = if let Some(raw) = written.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        (1 + hashes + 1, hashes + 1)
    } else if written.starts_with('"') {
        (1, 1)
    } else {
        return None;
    };
    let inner = written.get(prefix..written.len().checked_sub(suffix)?)?;
    if inner != value || (prefix == 1 && inner.contains('\\')) {
        return None;
    }
    Some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_only_without_escapes() {
        assert_eq!(verbatim_prefix("\"abc\"", "abc"), Some(1));
        assert_eq!(verbatim_prefix("r\"a\\b\"", "a\\b"), Some(2));
        assert_eq!(verbatim_prefix("r##\"a\"#b\"##", "a\"#b"), Some(4));
        assert_eq!(verbatim_prefix("\"a\\tb\"", "a\tb"), None);
        assert_eq!(verbatim_prefix("\"a\\\n  b\"", "ab"), None);
        assert_eq!(verbatim_prefix("b\"a\"", "a"), None);
        assert_eq!(verbatim_prefix("\"", ""), None, "too short: no panic");
        assert_eq!(verbatim_prefix("r#", ""), None);
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let value = "SELECT 'é', name\nFROM account";
        let written = format!("r\"{value}\"");
        let literal = SourceLiteral::new("a.rs", value, &written, 10, 3);
        assert_eq!(literal.locate(value.find("name").unwrap()), (10, 5 + 12));
        assert_eq!(literal.locate(value.find("account").unwrap()), (11, 6));
        assert_eq!(literal.locate(9), (10, 5 + 8), "inside é: its start");
        assert_eq!(
            literal.locate(usize::MAX),
            (11, 13),
            "past the end: clamped"
        );
    }
}
