//! Positions in text, as every message of hc-schema shows them: 1-based lines and 1-based
//! columns counted in characters (as rustc counts them), for snapshots, `hc-schema.toml`,
//! exports and SQL alike.

/// 1-based line and column (in characters) of byte `offset` in `text` (an offset past the end,
/// or inside a character, counts as the nearest character start before it).
///
/// ```
/// use hc_schema_snapshot::text::line_column;
/// assert_eq!(line_column("SELECT a\n  FROM é t", 18), (2, 9));
/// assert_eq!(line_column("é", 1), (1, 1), "inside é: its start");
/// assert_eq!(line_column("ab", 99), (1, 3), "past the end: clamped");
/// ```
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Where each line of a text starts: byte offsets to 1-based lines and columns (in characters)
/// and back, each in O(log lines) (O(line length) on a non-ASCII line). The one line index of
/// the library: the source scan (with its `Position`s) and the SQL analysis (with sqlparser's
/// locations) both use it.
///
/// ```
/// use hc_schema_snapshot::text::LineIndex;
/// let text = "ab\néé x\n";
/// let index = LineIndex::new(text);
/// let x = text.find('x').unwrap();
/// assert_eq!(index.line_column(text, x), (2, 4));
/// assert_eq!(index.offset(text, 2, 3), x, "0-based column, clamped to the line");
/// assert_eq!(index.exact_offset(text, 2, 4), Some(x), "1-based column, exact");
/// assert_eq!(index.exact_offset(text, 2, 9), None);
/// assert_eq!(index.line_column(text, text.len()), (3, 1));
/// ```
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Whether each line is ASCII (a column is then a byte count).
    ascii: Vec<bool>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        // `match_indices` on a char searches with memchr (std is optimised even in a build
        // script or proc macro at opt-level 0).
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        let ascii = if text.is_ascii() {
            vec![true; starts.len()]
        } else {
            (0..starts.len())
                .map(|line| {
                    let end = starts.get(line + 1).copied().unwrap_or(text.len());
                    text.as_bytes()[starts[line]..end].is_ascii()
                })
                .collect()
        };
        LineIndex { starts, ascii }
    }

    /// The 1-based line and column (in characters) of byte `offset` (a char boundary of
    /// `text`).
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = if self.ascii[line] {
            offset.saturating_sub(start)
        } else {
            text.get(start..offset).unwrap_or("").chars().count()
        };
        (line + 1, column + 1)
    }

    /// The byte offset of 1-based `line` and 0-based character `column` (as proc-macro2
    /// reports them), clamped to the line (past the last line: the text's end).
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let end = self.starts.get(line).copied().unwrap_or(text.len());
        if self.ascii[line.saturating_sub(1)] {
            return (start + column).min(end);
        }
        let line_text = text.get(start..end).unwrap_or("");
        start
            + line_text
                .char_indices()
                .nth(column)
                .map_or(line_text.len(), |(i, _)| i)
    }

    /// The byte offset of 1-based `line` and 1-based character `column` (as sqlparser reports
    /// them), exactly: `None` for line or column 0, a line past the text, or a column past
    /// the line's end (just past its last character is its end).
    pub fn exact_offset(&self, text: &str, line: usize, column: usize) -> Option<usize> {
        let line = line.checked_sub(1)?;
        let column = column.checked_sub(1)?;
        let start = *self.starts.get(line)?;
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        if self.ascii[line] {
            return (start + column <= end).then_some(start + column);
        }
        let line_text = &text[start..end];
        match line_text.char_indices().nth(column) {
            Some((at, _)) => Some(start + at),
            None if column == line_text.chars().count() => Some(end),
            None => None,
        }
    }
}

/// The nearest character boundary at or before `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `count` and the noun in the number it takes: `1 requirement group`, `3 requirement groups`,
/// `0 files`. `one` is the singular; the plural adds `s` (nouns ending in `s`, `x`, `ch`,
/// `sh` add `es`; a final consonant + `y` becomes `ies`).
///
/// ```
/// use hc_schema_snapshot::text::count;
/// assert_eq!(count(1, "requirement group"), "1 requirement group");
/// assert_eq!(count(2, "file"), "2 files");
/// assert_eq!(count(0, "place"), "0 places");
/// assert_eq!(count(3, "SQL string"), "3 SQL strings");
/// assert_eq!(count(2, "hc_sql! error"), "2 hc_sql! errors");
/// assert_eq!(count(2, "match"), "2 matches");
/// assert_eq!(count(2, "query"), "2 queries");
/// ```
pub fn count(count: usize, one: &str) -> String {
    if count == 1 {
        return format!("1 {one}");
    }
    format!("{count} {}", plural(one))
}

/// The plural of `one` (see [`count`]).
pub fn plural(one: &str) -> String {
    let consonant_y = one.len() > 1
        && one.ends_with('y')
        && !one[..one.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &one[..one.len() - 1])
    } else if one.ends_with(['s', 'x']) || one.ends_with("ch") || one.ends_with("sh") {
        format!("{one}es")
    } else {
        format!("{one}s")
    }
}

/// "is" for one, "are" for several.
pub fn is_are(count: usize) -> &'static str {
    if count == 1 {
        "is"
    } else {
        "are"
    }
}

/// Statement keywords of PostgreSQL beyond the reads and writes every SQL check reads
/// (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `MERGE`, `VALUES`): statements that may name a
/// table (`TABLE t`, `LOCK t`, `COPY t`, DDL, `GRANT ... ON t`, `COMMENT ON COLUMN t.c`, `CALL
/// p((SELECT ...))`, `DO $$ ... $$`, `EXPLAIN`, `PREPARE`, `WITH ...`). A string whose
/// statement starts with one of them and names a Heroku Connect table is SQL: analysed, or a
/// skipped note, never prose (issue 20).
pub const STATEMENT_KEYWORDS: &[&str] = &[
    "alter", "analyse", "analyze", "call", "cluster", "comment", "copy", "create", "declare", "do",
    "drop", "execute", "explain", "grant", "import", "lock", "prepare", "refresh", "reindex",
    "revoke", "security", "table", "truncate", "vacuum", "with",
];

/// The words that start a query or a data change (`SELECT`, `INSERT`, ...): statements
/// sqlparser reads, so a string starting with one is no statement-keyword string
/// ([`STATEMENT_KEYWORDS`]); but when such a string does not parse, it is SQL all the same, and
/// [`dml_statements`] finds it.
pub const DML_KEYWORDS: &[&str] = &["delete", "insert", "merge", "select", "update", "values"];

/// [`keyword_statements`] for [`DML_KEYWORDS`] as well as [`STATEMENT_KEYWORDS`]: every
/// statement of `text` that starts like SQL.
///
/// ```
/// use hc_schema_snapshot::text::dml_statements;
/// let found = dml_statements("/* a /* b */ */ SELECT x FROM account FOR NO KEY UPDATE");
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].0, "select");
/// ```
pub fn dml_statements(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    each_statement(
        text,
        &[STATEMENT_KEYWORDS, DML_KEYWORDS],
        |keyword, range| {
            out.push((keyword.to_string(), range));
            false
        },
    );
    out
}

/// Each statement of `text` (at its start and after every `;`, quotes not considered) whose
/// first word, after whitespace, `(` and SQL comments, is one of [`STATEMENT_KEYWORDS`] (any
/// case): the keyword (lower case) and the statement's range (to the next `;` or the end).
/// Linear in the text.
///
/// ```
/// use hc_schema_snapshot::text::keyword_statements;
/// let found = keyword_statements("BEGIN; /* x */ LOCK TABLE account; -- y\n(table contact)");
/// let words: Vec<&str> = found.iter().map(|(w, _)| w.as_str()).collect();
/// assert_eq!(words, ["lock", "table"]);
/// assert!(keyword_statements("SELECT 1").is_empty());
/// assert!(keyword_statements("Lockable").is_empty());
/// // A `;` inside a quote or a comment ends no statement.
/// assert_eq!(keyword_statements("LOCK account; -- a;b\nTABLE t (';')").len(), 2);
/// ```
pub fn keyword_statements(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    each_statement(text, &[STATEMENT_KEYWORDS], |keyword, range| {
        out.push((keyword.to_string(), range));
        false
    });
    out
}

/// Whether some statement of `text` starts with a statement keyword
/// ([`keyword_statements`] is not empty), without allocating: the scan's gate.
pub fn starts_like_statement(text: &str) -> bool {
    each_statement(text, &[STATEMENT_KEYWORDS], |_, _| true)
}

/// Call `found` with each statement of `text` that starts with a word of `lists`, until it
/// returns true; whether it did.
fn each_statement(
    text: &str,
    lists: &[&[&'static str]],
    mut found: impl FnMut(&'static str, std::ops::Range<usize>) -> bool,
) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let end = statement_end(bytes, start);
        if let Some(word) = first_word(text, start, end) {
            if let Some(keyword) = lists
                .iter()
                .flat_map(|list| list.iter())
                .find(|k| k.eq_ignore_ascii_case(word))
            {
                if found(keyword, start..end) {
                    return true;
                }
            }
        }
        if end >= bytes.len() {
            return false;
        }
        start = end + 1;
    }
}

/// Just past the SQL block comment that starts at `i` (`/*`), which nests in PostgreSQL
/// (`/* a /* b */ */`); `None` when it is not closed.
pub(crate) fn block_comment_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Where the statement starting at `start` ends: the next `;` outside quotes ('...', "...")
/// and comments (`--`, nested `/* */`), else the text's end. Linear.
fn statement_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b';' => return i,
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The second word of the statement `text`: the word after its first, whitespace, `(` and
/// SQL comments skipped (`DELETE /* c */ FROM`), as [`first_word`] reads the first.
#[cfg(all(feature = "_scan", feature = "_sql"))]
pub(crate) fn second_word(text: &str) -> Option<&str> {
    let first = first_word(text, 0, text.len())?;
    let after = first.as_ptr() as usize - text.as_ptr() as usize + first.len();
    first_word(text, after, text.len())
}

/// The first word of `text[start..end]` after whitespace, `(` and SQL comments.
fn first_word(text: &str, mut i: usize, end: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    loop {
        while i < end && (bytes[i].is_ascii_whitespace() || bytes[i] == b'(') {
            i += 1;
        }
        if bytes[i..end].starts_with(b"--") {
            while i < end && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i..end].starts_with(b"/*") {
            i = block_comment_end(&bytes[..end], i)?;
        } else {
            break;
        }
    }
    let word = bytes[i..end]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (word > 0).then(|| &text[i..i + word])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        // Past the end or inside a character: clamped, never a panic.
        assert_eq!(line_column("é", 1), (1, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
