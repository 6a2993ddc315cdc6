//! How the text of a literal reads as SQL: a `format!` string with its placeholders
//! substituted, a plain string as it is (or as a template), prose, or something that could
//! not be read (skipped).

use std::ops::Range;

use crate::sql::{
    analyze_format, analyze_statements, looks_like_sql, statement_ranges, substitute_placeholders,
    Analysis, Context, FormatOutcome, SqlError, SqlErrorKind,
};

use super::words::{may_touch_hc, qualified_hc_piece};

/// How the text of a literal reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
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
/// (a piece put together at run time: `" FROM salesforce.account"`) is skipped, never prose;
/// so is a statement that starts with a statement keyword ([`crate::text::STATEMENT_KEYWORDS`]:
/// `TABLE t`, `LOCK t`, DDL, `GRANT ... ON t`, `CALL`, `DO`, `COPY`, `EXPLAIN`, `PREPARE`,
/// `WITH`) and names a Heroku Connect table where SQL names a table, when it does not parse
/// or parses into something the analysis does not read as a use of it (issue 20).
pub fn read(value: &str, format: bool, context: &Context<'_>) -> Reading {
    match read_statements(value, format, context) {
        Reading::NotSql => match qualified_hc_piece(value, context) {
            Some((table, at)) => Reading::Skipped {
                reason: format!(
                    "it names the Heroku Connect table `{table}` but is not a statement \
                     hc-schema can read (a piece of SQL put together at run time?)"
                ),
                at,
            },
            None => match table_statement(value, context) {
                Some((word, at)) => Reading::Skipped {
                    reason: format!(
                        "a {word} of a Heroku Connect table that hc-schema cannot read (it \
                         does not parse)"
                    ),
                    at,
                },
                None => match parsed_prefix(value, context) {
                    Some(reading) => reading,
                    None => statement_on_hc(
                        crate::text::dml_statements(value),
                        value,
                        context,
                        Unread::DoesNotParse,
                    )
                    .unwrap_or(Reading::NotSql),
                },
            },
        },
        // A `format!` string of prose ("Insert into contact failed for {e}").
        Reading::Skipped { .. } if format && prose(value, context) => Reading::NotSql,
        Reading::Analysis(analysis) if !analysis.touches_hc() => statement_on_hc(
            crate::text::keyword_statements(value),
            value,
            context,
            Unread::NotAUse,
        )
        .unwrap_or(Reading::Analysis(analysis)),
        reading => reading,
    }
}

/// Whether a statement starting with `keyword` has the shape SQL gives it right after the
/// keyword (`DELETE FROM`, `INSERT INTO`, `MERGE INTO`): "Delete this contact? ..." is prose.
/// Other keywords are not constrained.
fn dml_shaped(keyword: &str, piece: &str) -> bool {
    // Read as SQL reads it: comments between the words are no words (`DELETE /* c */ FROM`).
    let second =
        |word: &str| crate::text::second_word(piece).is_some_and(|w| w.eq_ignore_ascii_case(word));
    match keyword {
        "delete" => second("from"),
        "insert" | "merge" => second("into"),
        _ => true,
    }
}

/// For text that starts like a query or a data change (`SELECT`, `INSERT`, ...) and does not
/// parse: the longest part before the parse error that does parse (cut back word by word,
/// a bounded number of times), read with sqlparser's own tokens (comments, quotes, aliases,
/// lists). `Some(Skipped)` when that part uses a Heroku Connect table (`SELECT ... FROM
/// account WHERE ... FOR KEY SHARE`: SQL on Heroku Connect that hc-schema cannot read whole);
/// `None` otherwise (no part parses, or the part that does uses none: the caller's word rules
/// decide, since what follows the error may name a table).
fn parsed_prefix(value: &str, context: &Context<'_>) -> Option<Reading> {
    /// How many cuts are tried before giving up (each is one parse).
    const CUTS: usize = 24;
    for (keyword, range) in crate::text::dml_statements(value) {
        if !crate::text::DML_KEYWORDS.contains(&keyword.as_str()) {
            continue;
        }
        // Prose whose start parses ("Delete from lead failed!": a table and an alias).
        let piece = &value[range.clone()];
        if table_in_place(piece, context)
            .is_some_and(|(_, at)| prose_after_table(&keyword, piece, at))
        {
            continue;
        }
        // The statement at its own offsets: what comes before it blanked (byte for byte).
        let mut masked = " ".repeat(range.start);
        masked.push_str(&value[range.clone()]);
        let error = match analyze_statements(&masked, context) {
            Ok(_) => continue,
            Err(errors) => match errors
                .into_iter()
                .find(|e| matches!(e.kind, SqlErrorKind::Parse { .. }))
            {
                Some(error) => error,
                // Another error (an ambiguous column...): SQL on Heroku Connect.
                None => continue,
            },
        };
        let bytes = masked.as_bytes();
        let mut cuts = (range.start + 1..=error.at.start.min(masked.len()))
            .rev()
            .filter(|&cut| masked.is_char_boundary(cut) && bytes[cut - 1].is_ascii_whitespace());
        for cut in cuts.by_ref().take(CUTS) {
            match analyze_statements(&masked[..cut], context) {
                Ok(analysis) if analysis.touches_hc() => {
                    return Some(Reading::Skipped {
                        reason: format!(
                            "it does not parse ({error}); the part before that uses Heroku \
                             Connect tables, so which columns it needs cannot be told"
                        ),
                        at: error.at,
                    });
                }
                // The part that parses uses none: what follows the error may (a subquery),
                // so the word rules decide, as for text of which no part parses.
                Ok(_) => break,
                Err(errors) if is_parse_error(&errors) => continue,
                Err(_) => {
                    return Some(Reading::Skipped {
                        reason: format!(
                            "it does not parse ({error}), and the part before that uses \
                             Heroku Connect tables"
                        ),
                        at: error.at,
                    });
                }
            }
        }
    }
    None
}

/// Words after which SQL names a table (`LOCK TABLE t`, `ON t`, `FROM t`, `COPY t`,
/// `COMMENT ON COLUMN t.c`, `IF EXISTS t`).
const TABLE_PLACE_WORDS: &[&str] = &[
    "analyse",
    "analyze",
    "cluster",
    "column",
    "copy",
    "exists",
    "from",
    "inherit",
    "inherits",
    "into",
    "join",
    "like",
    "lock",
    "on",
    "only",
    "partition",
    "references",
    "reindex",
    "table",
    "truncate",
    "update",
    "vacuum",
    "view",
];

/// Words that may stand between a word of [`TABLE_PLACE_WORDS`] and its table
/// (`CLUSTER VERBOSE t`, `REINDEX TABLE CONCURRENTLY t`, `LOCK TABLE ONLY t`, `DROP TABLE IF
/// EXISTS t`): the table is still in the place.
const TABLE_PLACE_MODIFIERS: &[&str] = &[
    "concurrently",
    "exists",
    "if",
    "index",
    "not",
    "nowait",
    "only",
    "table",
    "verbose",
];

/// One of `statements` (each a keyword and its range in `value`: the statement-keyword
/// statements, or, for text that does not parse, also those starting with `SELECT`, `INSERT`,
/// ...) that names a Heroku Connect table where SQL names a table (after one of [`TABLE_PLACE_WORDS`], or as `schema.table` of
/// a Heroku Connect schema): skipped, with `why` it was not read. Prose that starts with such
/// a word ("Lock the account") names no table in such a place.
fn statement_on_hc(
    statements: Vec<(String, Range<usize>)>,
    value: &str,
    context: &Context<'_>,
    unread: Unread,
) -> Option<Reading> {
    let why = match unread {
        Unread::DoesNotParse => "it does not parse",
        Unread::NotAUse => "its table is not read as a use",
    };
    statements.into_iter().find_map(|(keyword, range)| {
        let piece = &value[range.clone()];
        if !may_touch_hc(piece, context) || !dml_shaped(&keyword, piece) {
            return None;
        }
        let (table, at) = table_in_place(piece, context)?;
        if unread == Unread::DoesNotParse && prose_after_table(&keyword, piece, at.clone()) {
            return None;
        }
        let upper = keyword.to_ascii_uppercase();
        let article = if upper.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        Some(Reading::Skipped {
            reason: format!(
                "{article} {upper} statement on the Heroku Connect table `{table}` that \
                 hc-schema cannot read ({why}): its columns are not known"
            ),
            at: range.start + at.start..range.start + at.end,
        })
    })
}

/// Whether `value`, which does not parse, is prose by [`prose_after_table`]: it names no
/// Heroku Connect table as `schema.table`, and each of its statements that starts like SQL and
/// names a Heroku Connect table where SQL names one is prose (at least one does).
fn prose(value: &str, context: &Context<'_>) -> bool {
    if qualified_hc_piece(value, context).is_some() {
        return false;
    }
    let mut any = false;
    for (keyword, range) in crate::text::dml_statements(value) {
        let piece = &value[range];
        if let Some((_, at)) = table_in_place(piece, context) {
            if !prose_after_table(&keyword, piece, at) {
                return false;
            }
            any = true;
        }
    }
    any
}

/// Why a statement naming a Heroku Connect table was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unread {
    /// It does not parse (and no part of it that parses uses a Heroku Connect table).
    DoesNotParse,
    /// It parses, into something the analysis does not read as a use of its table.
    NotAUse,
}

/// Whether a statement starting with `keyword` that does not parse, and names the Heroku
/// Connect table at `at` of `piece` unqualified where SQL names a table, is prose: after the
/// table (and, where SQL allows one, an alias) comes a word that is no SQL keyword
/// (sqlparser's list, every dialect's) or a `:`, `!` or `?` (not `::`), which no SQL puts
/// there: "Insert into contact failed", "Update account failed: {e}". Anything else is taken
/// for SQL (skipped, never passed): the statement's end (a piece put together at run time:
/// `"DELETE FROM account a"`), a keyword (`FOR KEY SHARE`), other punctuation, a number, a
/// word of other letters, and a table written `schema.table`.
fn prose_after_table(keyword: &str, piece: &str, at: Range<usize>) -> bool {
    if piece[..at.start].trim_end().ends_with('.') || piece[at.start..].starts_with('"') {
        return false;
    }
    if !statement_target(keyword, &piece[..at.start]) {
        return false;
    }
    // `INSERT INTO t AS a` is the only alias INSERT takes, after a keyword.
    let mut aliases = usize::from(keyword != "insert");
    let mut rest = &piece[at.end.min(piece.len())..];
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            return false;
        };
        if first.is_ascii_alphabetic() || first == '_' {
            let len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let word = rest[..len].to_ascii_uppercase();
            if sqlparser::keywords::ALL_KEYWORDS
                .binary_search(&word.as_str())
                .is_ok()
            {
                return false;
            }
            if aliases == 0 {
                return true;
            }
            aliases -= 1;
            rest = &rest[len..];
            continue;
        }
        // `!=`, `?|`, `?&` are operators; `::` a cast.
        return (first == '!' && !rest.starts_with("!="))
            || (first == '?' && !rest.starts_with("?|") && !rest.starts_with("?&"))
            || (first == ':' && !rest.starts_with("::"));
    }
}

/// Whether `before` (the statement up to its table) is only the statement's keyword and the
/// words that lead to its own target (`INSERT INTO`, `DELETE FROM`, `UPDATE ONLY`, `MERGE
/// INTO`, `SELECT ... FROM` not included): prose reads "Insert into contact failed", and a
/// table further in (after `ON`, `JOIN`, a column list, a comment) is SQL's, never prose's.
fn statement_target(keyword: &str, before: &str) -> bool {
    let mut words = before.split_ascii_whitespace();
    if !words
        .next()
        .is_some_and(|first| first.eq_ignore_ascii_case(keyword))
    {
        return false;
    }
    let leads: &[&str] = match keyword {
        "insert" | "merge" => &["into"],
        "delete" => &["from"],
        "update" => &["only"],
        _ => return false,
    };
    before.split_ascii_whitespace().count() <= 3
        && words.all(|word| {
            word.eq_ignore_ascii_case("only") || leads.iter().any(|l| word.eq_ignore_ascii_case(l))
        })
}

/// The first Heroku Connect table `piece` names where SQL names a table, and where.
fn table_in_place(piece: &str, context: &Context<'_>) -> Option<(String, Range<usize>)> {
    let bytes = piece.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // The previous significant token: a word (lower case) or a punctuation byte.
    let mut previous: Option<(String, usize)> = None;
    let mut before_previous: Option<String> = None;
    // The last name stood where SQL names a table, or in a list of such names
    // (`DROP TABLE app_log, account`, `LOCK a, b`): the next one after a `,` does too.
    let mut in_list = false;
    // The next name stands where SQL names a table (after a word of `TABLE_PLACE_WORDS`,
    // modifiers, or a `(` after them: `INHERITS (t)`, `(LIKE t)`).
    let mut place_next = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let (token, start, end) = if b == b'"' {
            let Some(close) = piece[i + 1..].find('"') else {
                break;
            };
            (piece[i + 1..i + 1 + close].to_string(), i, i + close + 2)
        } else if is_word(b) {
            let len = bytes[i..].iter().take_while(|&&c| is_word(c)).count();
            (piece[i..i + len].to_ascii_lowercase(), i, i + len)
        } else {
            // A comment is whitespace: `(LIKE /* copy */ account)`.
            if piece[i..].starts_with("--") {
                i += piece[i..].find('\n').unwrap_or(piece.len() - i);
                continue;
            }
            if piece[i..].starts_with("/*") {
                i = crate::text::block_comment_end(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            if b == b'\'' {
                // A string literal names no table: skip it ('' inside is a quote).
                let mut j = i + 1;
                while j < bytes.len() {
                    if bytes[j] == b'\'' {
                        if bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                in_list = false;
                place_next = false;
                before_previous = previous.take().map(|(t, _)| t);
                previous = Some(("'".to_string(), i));
                i = j + 1;
                continue;
            }
            let len = piece[i..].chars().next().map_or(1, char::len_utf8);
            let token = piece[i..i + len].to_string();
            in_list &= token == "," || token == ".";
            // `INHERITS (t)`, `CLUSTER (VERBOSE) t`: parentheses keep the place open.
            place_next &= token == "(" || token == ")";
            before_previous = previous.take().map(|(t, _)| t);
            previous = Some((token, i));
            i += len;
            continue;
        };
        if !token.is_empty() && !token.as_bytes()[0].is_ascii_digit() {
            let after_place =
                place_next || previous.as_ref().is_some_and(|(p, _)| p == "," && in_list);
            let qualified = previous.as_ref().is_some_and(|(p, _)| p == ".")
                && before_previous
                    .as_deref()
                    .is_some_and(|schema| context.is_hc_schema(schema));
            let named = if qualified {
                context.is_hc_table(before_previous.as_deref(), &token)
            } else {
                context.is_hc_table(None, &token)
            };
            if (after_place || qualified) && named {
                return Some((token, start..end));
            }
            // `app_log` of `public.app_log` keeps the list its schema opened.
            let after_dot = previous.as_ref().is_some_and(|(p, _)| p == ".");
            in_list = after_place || (after_dot && in_list);
            place_next = TABLE_PLACE_WORDS.contains(&token.as_str())
                || (after_place && TABLE_PLACE_MODIFIERS.contains(&token.as_str()));
        } else {
            in_list = false;
            place_next = false;
        }
        before_previous = previous.take().map(|(t, _)| t);
        previous = Some((token, start));
        i = end;
    }
    None
}

/// A statement of `value` that starts with a word naming its table right after it
/// ([`crate::scan::SQL_TABLE_STATEMENTS`]: `TRUNCATE`, `VACUUM`, `ANALYZE`) and names a Heroku
/// Connect table or schema: the word, upper case, and the statement's place.
fn table_statement(value: &str, context: &Context<'_>) -> Option<(String, Range<usize>)> {
    let mut start = 0;
    for piece in value.split(';') {
        let range = start..start + piece.len();
        start = range.end + 1;
        let trimmed = piece.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let lower = word.to_ascii_lowercase();
        if crate::scan::SQL_TABLE_STATEMENTS.contains(&lower.as_str())
            && may_touch_hc(piece, context)
        {
            return Some((word.to_ascii_uppercase(), range));
        }
    }
    None
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
        Err(errors) if is_parse_error(&errors) => {
            if value.contains('{') {
                // A template filled in by hand (`.replace("{schema}", ...)`): read like format!.
                match analyze_format(value, context) {
                    FormatOutcome::Analyzed(analysis) => return Reading::Analysis(analysis),
                    FormatOutcome::Failed(errors) if !is_parse_error(&errors) => {
                        return from_errors(&errors)
                    }
                    _ => {}
                }
            }
            one_by_one(value, context)
        }
        Err(errors) => from_errors(&errors),
    }
}

/// The most statements [`one_by_one`] reads separately (each is parsed in a text as long as
/// the whole).
const MAX_SEPARATE: usize = 256;

/// The most bytes [`one_by_one`] parses in all (each statement is parsed at its offset).
const MAX_WORK: usize = 16 * 1024 * 1024;

/// A text of several statements of which one does not parse: each statement alone (the others
/// blanked, so that every offset stays). When another one is SQL on Heroku Connect tables the
/// string is SQL, and could not be read whole: skipped, never prose.
fn one_by_one(value: &str, context: &Context<'_>) -> Reading {
    let Some(ranges) = statement_ranges(value) else {
        return Reading::NotSql;
    };
    if ranges.len() < 2 {
        return Reading::NotSql;
    }
    if ranges.len() > MAX_SEPARATE || value.len().saturating_mul(ranges.len()) > MAX_WORK {
        // Too much to parse statement by statement: skipped if some statement looks like one.
        return match ranges.iter().find(|r| looks_like_sql(&value[(*r).clone()])) {
            Some(range) => Reading::Skipped {
                reason: "one of its statements does not parse, and it holds too many to read \
                         them one by one"
                    .to_string(),
                at: range.clone(),
            },
            None => Reading::NotSql,
        };
    }
    let mut failing: Option<SqlError> = None;
    let mut touches = false;
    for range in ranges {
        if value[range.clone()].trim().is_empty() {
            continue;
        }
        // The statement at its own offsets: what comes before it blanked (byte for byte).
        let mut masked = " ".repeat(range.start);
        masked.push_str(&value[range.clone()]);
        match analyze_statements(&masked, context) {
            Ok(analysis) => touches |= analysis.touches_hc(),
            Err(errors) if is_parse_error(&errors) => {
                if failing.is_none() {
                    failing = errors
                        .into_iter()
                        .find(|e| matches!(e.kind, SqlErrorKind::Parse { .. }));
                }
            }
            // Another error (an ambiguous column...): that statement is SQL on Heroku Connect.
            Err(_) => touches = true,
        }
    }
    match failing {
        Some(error) if touches => Reading::Skipped {
            reason: format!(
                "one of its statements does not parse, so it was not read: {error} (the \
                 others use Heroku Connect tables)"
            ),
            at: error.at,
        },
        _ => Reading::NotSql,
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

impl Reading {
    /// As bytes, for the build's analysis cache: a tag (0 an analysis, as
    /// [`crate::sql::codec`] writes it; 1 not SQL; 2 no Heroku Connect table; 3 skipped: the
    /// range as two u32 little endian, then the reason).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Reading::Analysis(analysis) => {
                let mut out = vec![0];
                out.extend(crate::sql::codec::encode(analysis));
                out
            }
            Reading::NotSql => vec![1],
            Reading::NoHc => vec![2],
            Reading::Skipped { reason, at } => {
                let mut out = vec![3];
                out.extend((at.start as u32).to_le_bytes());
                out.extend((at.end as u32).to_le_bytes());
                out.extend(reason.as_bytes());
                out
            }
        }
    }

    /// The reading [`Reading::encode`] wrote for `value`, or `None` when `bytes` are not one
    /// (an analysis or a range that does not fit `value` included).
    pub fn decode(bytes: &[u8], value: &str) -> Option<Reading> {
        let (&tag, rest) = bytes.split_first()?;
        match tag {
            0 => crate::sql::codec::decode(rest, value).map(Reading::Analysis),
            1 if rest.is_empty() => Some(Reading::NotSql),
            2 if rest.is_empty() => Some(Reading::NoHc),
            3 if rest.len() >= 8 => {
                let start = u32::from_le_bytes(rest[..4].try_into().ok()?) as usize;
                let end = u32::from_le_bytes(rest[4..8].try_into().ok()?) as usize;
                let fits = start <= end
                    && end <= value.len()
                    && value.is_char_boundary(start)
                    && value.is_char_boundary(end);
                let reason = std::str::from_utf8(&rest[8..]).ok()?.to_string();
                fits.then_some(Reading::Skipped {
                    reason,
                    at: start..end,
                })
            }
            _ => None,
        }
    }
}
