//! How the text of a literal reads as SQL: a `format!` string with its placeholders
//! substituted, a plain string as it is (or as a template), prose, or something that could
//! not be read (skipped).

use std::ops::Range;

use crate::sql::{
    analyze_format, analyze_statements, looks_like_sql, substitute_placeholders, Analysis, Context,
    FormatOutcome, SqlError, SqlErrorKind,
};

use super::words::{may_touch_hc, qualified_hc_piece};

/// How the text of a literal reads.
pub(super) enum Reading {
    /// SQL, analysed (offsets into the literal's value).
    Analysis(Analysis),
    /// Not SQL (prose).
    NotSql,
    /// It names no Heroku Connect schema or known table: it cannot touch one.
    NoHc,
    /// It could touch Heroku Connect tables but could not be analysed.
    Skipped {
        /// Why.
        reason: String,
        /// Where in the value.
        at: Range<usize>,
    },
}

/// Read `value` as SQL: a `format!` string with its placeholders substituted, a plain string as
/// it is (and, when it only parses with its `{...}` taken for placeholders, as a template). A
/// text that is no statement but names a Heroku Connect table as `schema.table` in SQL words
/// (a piece put together at run time: `" FROM salesforce.account"`) is skipped, never prose.
pub(super) fn read(value: &str, format: bool, context: &Context<'_>) -> Reading {
    match read_statements(value, format, context) {
        Reading::NotSql => match qualified_hc_piece(value, context) {
            Some((table, at)) => Reading::Skipped {
                reason: format!(
                    "it names the Heroku Connect table `{table}` but is not a statement \
                     hc-schema can read (a piece of SQL put together at run time?)"
                ),
                at,
            },
            None => Reading::NotSql,
        },
        reading => reading,
    }
}

fn read_statements(value: &str, format: bool, context: &Context<'_>) -> Reading {
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
    match analyze_statements(value, context) {
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
