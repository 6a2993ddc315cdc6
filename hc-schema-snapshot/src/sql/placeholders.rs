//! `format!` strings as SQL: placeholders (`{}`, `{0}`, `{name}`, `{:?}`) replaced by
//! identifiers before parsing, and positions mapped back.
//!
//! A placeholder usually stands for a schema (`{}.account`), a value or a list of them, or a
//! name. Each distinct placeholder becomes the identifier `__hc_fmt_<n>`, which the analysis
//! treats as unknown text: as a schema it may be Heroku Connect's (a known table behind it is
//! one), as a column or value it is no requirement. Where an identifier cannot stand (a
//! placeholder for a whole clause, a keyword), the text does not parse, and
//! [`analyze_format`] says the string was skipped and why, never guesses.

use std::ops::Range;

use super::analysis::{Analysis, SqlError, SqlErrorKind};
use super::context::{Context, PLACEHOLDER_PREFIX};

/// A format string with its placeholders replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    /// The text to analyse: placeholders replaced, `{{` and `}}` unescaped.
    pub text: String,
    /// How many placeholders there were (each occurrence).
    pub placeholders: usize,
    pieces: Vec<Piece>,
    /// How each distinct placeholder is written (first occurrence): `{}`, `{schema}`.
    written: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    text: Range<usize>,
    original: Range<usize>,
    verbatim: bool,
}

impl Substituted {
    /// The offset in the format string of `offset` in [`Substituted::text`]: the same
    /// character for copied text, the placeholder's start (or end, for a later offset) for a
    /// replaced one.
    pub fn original_offset(&self, offset: usize) -> usize {
        for piece in &self.pieces {
            if offset < piece.text.end || (offset == piece.text.end && piece.verbatim) {
                if offset < piece.text.start {
                    continue;
                }
                return if piece.verbatim {
                    piece.original.start + (offset - piece.text.start)
                } else if offset == piece.text.start {
                    piece.original.start
                } else {
                    piece.original.end
                };
            }
        }
        self.pieces.last().map_or(offset, |p| p.original.end)
    }

    /// `text` (a message about [`Substituted::text`]) with each placeholder's internal name
    /// (`__hc_fmt_0`) written back as in the format string (`{}`, `{schema}`), so that no
    /// message shows a name the user never wrote.
    ///
    /// ```
    /// use hc_schema_snapshot::sql::substitute_placeholders;
    /// let s = substitute_placeholders("SELECT x FROM {schema}.account, {}").unwrap();
    /// assert_eq!(s.restore("`__hc_fmt_1.x` or `__hc_fmt_0.account`"), "`{}.x` or `{schema}.account`");
    /// ```
    pub fn restore(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(PLACEHOLDER_PREFIX) {
            out.push_str(&rest[..at]);
            let after = &rest[at + PLACEHOLDER_PREFIX.len()..];
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            match after[..digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| self.written.get(n))
            {
                Some(written) => out.push_str(written),
                None => out.push_str(&rest[at..at + PLACEHOLDER_PREFIX.len() + digits]),
            }
            rest = &after[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// A string that is not a valid `format!` string (a lone `}`, an unclosed `{`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// What is wrong.
    pub message: String,
    /// Where (byte offset in the format string).
    pub at: usize,
}

/// Replace the placeholders of a `format!` string by identifiers (`__hc_fmt_0`, ...; one per
/// distinct argument, so `{0}` used twice is the same name twice).
///
/// ```
/// use hc_schema_snapshot::sql::substitute_placeholders;
/// let s = substitute_placeholders("SELECT name FROM {0}.account WHERE id = {} AND x = '{{}}'").unwrap();
/// assert_eq!(s.text, "SELECT name FROM __hc_fmt_0.account WHERE id = __hc_fmt_0 AND x = '{}'");
/// assert_eq!(s.placeholders, 2);
/// let from = s.text.find("account").unwrap();
/// assert_eq!(s.original_offset(from), "SELECT name FROM {0}.".len());
/// assert!(substitute_placeholders("SELECT {").is_err());
/// ```
pub fn substitute_placeholders(format: &str) -> Result<Substituted, FormatError> {
    let bytes = format.as_bytes();
    let mut text = String::with_capacity(format.len() + 16);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut written: Vec<String> = Vec::new();
    let mut next_positional = 0usize;
    let mut placeholders = 0;
    let mut verbatim_from = 0;
    let mut i = 0;
    let flush = |text: &mut String, pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if to > from {
            let start = text.len();
            text.push_str(&format[from..to]);
            pieces.push(Piece {
                text: start..text.len(),
                original: from..to,
                verbatim: true,
            });
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => {
                flush(&mut text, &mut pieces, verbatim_from, i);
                let start = text.len();
                text.push(bytes[i] as char);
                pieces.push(Piece {
                    text: start..text.len(),
                    original: i..i + 2,
                    verbatim: false,
                });
                i += 2;
                verbatim_from = i;
            }
            b'}' => {
                return Err(FormatError {
                    message: "a `}` without its `{` (write `}}` for a literal brace)".to_string(),
                    at: i,
                })
            }
            b'{' => {
                let Some(close) = format[i..].find('}').map(|at| i + at) else {
                    return Err(FormatError {
                        message: "a `{` that is never closed (write `{{` for a literal brace)"
                            .to_string(),
                        at: i,
                    });
                };
                let inner = &format[i + 1..close];
                let argument = inner.split(':').next().unwrap_or("").trim();
                let valid = argument.is_empty()
                    || argument.bytes().all(|b| b.is_ascii_digit())
                    || argument
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !valid || inner.contains('{') {
                    return Err(FormatError {
                        message: format!("`{{{inner}}}` is not a format placeholder"),
                        at: i,
                    });
                }
                let key = if argument.is_empty() {
                    next_positional += 1;
                    (next_positional - 1).to_string()
                } else {
                    argument.to_string()
                };
                let n = match keys.iter().position(|k| *k == key) {
                    Some(n) => n,
                    None => {
                        keys.push(key);
                        written.push(format[i..close + 1].to_string());
                        keys.len() - 1
                    }
                };
                flush(&mut text, &mut pieces, verbatim_from, i);
                let start = text.len();
                text.push_str(PLACEHOLDER_PREFIX);
                text.push_str(&n.to_string());
                pieces.push(Piece {
                    text: start..text.len(),
                    original: i..close + 1,
                    verbatim: false,
                });
                placeholders += 1;
                i = close + 1;
                verbatim_from = i;
            }
            _ => i += 1,
        }
    }
    flush(&mut text, &mut pieces, verbatim_from, bytes.len());
    Ok(Substituted {
        text,
        placeholders,
        pieces,
        written,
    })
}

/// The outcome of [`analyze_format`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatOutcome {
    /// Analysed; offsets are in the format string.
    Analyzed(Analysis),
    /// The SQL has errors; offsets are in the format string.
    Failed(Vec<SqlError>),
    /// Not analysed, and why: to be reported as a note ("skipped: ..."), never as a pass.
    Skipped {
        /// Why.
        reason: String,
        /// Where in the format string.
        at: Range<usize>,
    },
}

/// [`crate::sql::analyze_statements`] for the string literal of a `format!` (or `write!`, ...)
/// call: placeholders are substituted first ([`substitute_placeholders`]). A text that only parses
/// without its placeholders is [`FormatOutcome::Skipped`], with the reason.
///
/// ```
/// use hc_schema_snapshot::sql::{analyze_format, Context, FormatOutcome, Union};
/// use hc_schema_snapshot::Snapshot;
/// let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce",
///     "tables":{"account":{"columns":{"name":{},"sfid":{}}}}}"#, "test.json", "test").unwrap();
/// let union = Union::new([&test]);
/// let context = Context::new(["salesforce"], &union);
/// let FormatOutcome::Analyzed(analysis) =
///     analyze_format("SELECT name FROM {}.account WHERE sfid = {}", &context) else { panic!() };
/// assert_eq!(analysis.requirements()[0].columns, ["name", "sfid"]);
/// let skipped = analyze_format("SELECT name FROM account {where_clause}", &context);
/// assert!(matches!(skipped, FormatOutcome::Analyzed(_)), "an alias: parses");
/// let skipped = analyze_format("SELECT name FROM account {} sfid = 1", &context);
/// assert!(matches!(skipped, FormatOutcome::Skipped { .. }));
/// ```
pub fn analyze_format(format: &str, context: &Context<'_>) -> FormatOutcome {
    let substituted = match substitute_placeholders(format) {
        Ok(substituted) => substituted,
        Err(err) => {
            return FormatOutcome::Skipped {
                reason: format!("not a valid format string: {}", err.message),
                at: err.at..err.at,
            }
        }
    };
    let map = |offset| substituted.original_offset(offset);
    match super::analyze_statements(&substituted.text, context) {
        Ok(analysis) => {
            let analysis = analysis.map_offsets(map);
            match analysis.placeholder_columns.first() {
                Some(at) if analysis.touches_hc() || !analysis.wildcards.is_empty() => {
                    FormatOutcome::Skipped {
                        reason: "a placeholder where a column name stands: the columns cannot \
                                 be known; declare them"
                            .to_string(),
                        at: at.clone(),
                    }
                }
                _ => FormatOutcome::Analyzed(analysis),
            }
        }
        Err(errors) => {
            let unparsable = errors
                .iter()
                .find(|e| matches!(e.kind, SqlErrorKind::Parse { .. }));
            match unparsable {
                Some(err) if substituted.placeholders > 0 => FormatOutcome::Skipped {
                    reason: format!(
                        "a placeholder in a position that cannot be substituted (with names in \
                         place of the placeholders, sqlparser says: {})",
                        substituted.restore(&match &err.kind {
                            SqlErrorKind::Parse { message } => message.clone(),
                            _ => err.to_string(),
                        })
                    ),
                    at: map(err.at.start)..map(err.at.end),
                },
                _ => FormatOutcome::Failed(
                    errors
                        .into_iter()
                        .map(|e| SqlError {
                            at: map(e.at.start)..map(e.at.end),
                            kind: e.kind.map_text(&|text| substituted.restore(text)),
                        })
                        .collect(),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_around_placeholders_and_escapes() {
        let format = "a{{b}}{x:>5}c{}";
        let s = substitute_placeholders(format).unwrap();
        assert_eq!(s.text, "a{b}__hc_fmt_0c__hc_fmt_1");
        let c = s.text.find('c').unwrap();
        assert_eq!(&format[s.original_offset(c)..], "c{}");
        let b = s.text.find('b').unwrap();
        assert_eq!(&format[s.original_offset(b)..], "b}}{x:>5}c{}");
        let marker = s.text.find("__hc_fmt_0").unwrap();
        assert_eq!(s.original_offset(marker), format.find("{x").unwrap());
        assert_eq!(s.original_offset(marker + 3), format.find("c{}").unwrap());
        assert_eq!(s.original_offset(s.text.len()), format.len());
    }

    #[test]
    fn invalid_format_strings_are_errors() {
        for bad in ["}", "{", "{a b}", "x {0", "{{}"] {
            assert!(substitute_placeholders(bad).is_err(), "{bad}");
        }
        for good in ["", "{{}}", "{0}{1}{0}", "{name:?}", "{:#?}"] {
            assert!(substitute_placeholders(good).is_ok(), "{good}");
        }
    }
}
