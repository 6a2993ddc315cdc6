//! Which string literals could be SQL: a cheap word test, not a parse. The SQL checks parse
//! what passes it; everything that reads or writes a table passes it.

/// Statement words: every statement that touches a table has one (a `WITH` query ends in one).
pub const SQL_VERBS: &[&str] = &["select", "insert", "update", "delete", "merge"];

/// Words that name the table a statement touches: `FROM`, `INTO`, `UPDATE ... SET`.
pub const SQL_TABLE_WORDS: &[&str] = &["from", "into", "set"];

/// Whether `text` could be an SQL statement touching a table: it holds, as whole words in any
/// letter case, one of [`SQL_VERBS`] and one of [`SQL_TABLE_WORDS`] or a cast (`::`, `CAST`:
/// a table's row type, `SELECT ($1::account).name`), or `COPY` and `FROM` or `TO` (`COPY t
/// (a) FROM STDIN`), or one of [`SQL_TABLE_STATEMENTS`], or it starts with `TABLE`, or one of
/// its statements starts with a statement keyword ([`crate::text::keyword_statements`]: `LOCK
/// account`, `GRANT SELECT ON account TO x`). Words are runs of ASCII letters, digits and `_`.
///
/// ```
/// use hc_schema_snapshot::scan::could_be_sql;
/// assert!(could_be_sql("SELECT name FROM salesforce.account"));
/// assert!(could_be_sql("update account set x = 1"));
/// assert!(could_be_sql("COPY salesforce.account (name) TO STDOUT"));
/// assert!(!could_be_sql("selected from the list") && !could_be_sql("SELECT 1"));
/// assert!(could_be_sql("TRUNCATE contact") && could_be_sql("vacuum account"));
/// assert!(could_be_sql("SELECT ($1::account).name") && could_be_sql("TABLE account"));
/// ```
pub fn could_be_sql(text: &str) -> bool {
    words_match(text.as_bytes()) || crate::text::starts_like_statement(text)
}

/// Whether `text` could be a piece of SQL naming a table with its schema (`FROM
/// salesforce.account`, put together with `push_str`, or a `schema.table` constant): it holds
/// `word.word` (two identifiers joined by a dot, the first where a name starts in SQL; the
/// second may be quoted: `s."user"`), and an SQL word (`FROM`, `JOIN`, ...) or nothing else
/// (no space). The
/// SQL checks decide whether the schema is a Heroku Connect one.
///
/// ```
/// use hc_schema_snapshot::scan::could_be_sql_piece;
/// assert!(could_be_sql_piece(" FROM salesforce.account a"));
/// assert!(could_be_sql_piece("salesforce.\"user\""));
/// assert!(!could_be_sql_piece("version 1.2") && !could_be_sql_piece("a. b"));
/// assert!(!could_be_sql_piece("hc-schema/prod.json") && !could_be_sql_piece("see README.md"));
/// ```
pub fn could_be_sql_piece(text: &str) -> bool {
    let trimmed = text.trim();
    let alone = !trimmed.bytes().any(|b| b.is_ascii_whitespace());
    (alone || has_sql_piece_word(text)) && has_dotted_name(text)
}

/// SQL words that make a text naming `schema.table` a piece of SQL rather than prose.
pub(crate) const SQL_PIECE_WORDS: &[&str] = &[
    "delete",
    "from",
    "group",
    "insert",
    "into",
    "join",
    "limit",
    "merge",
    "on",
    "order",
    "returning",
    "select",
    "set",
    "table",
    "union",
    "update",
    "using",
    "values",
    "where",
    "with",
];

/// Whether one of [`SQL_PIECE_WORDS`] is a whole word of `text` (any case).
pub(crate) fn has_sql_piece_word(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| SQL_PIECE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)))
}

fn has_dotted_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(dot) = bytes[from..]
        .iter()
        .position(|&b| b == b'.')
        .map(|at| from + at)
    {
        from = dot + 1;
        let before = bytes[..dot]
            .iter()
            .rev()
            .take_while(|&&b| is_word(b))
            .count();
        let word_before = &bytes[dot - before..dot];
        let after = bytes.get(dot + 1).copied();
        // Where a name starts in SQL (not `path/file.rs`, `1.5`, `a.b.c`'s middle).
        let starts_a_name = dot == before || starts_sql_name(bytes[dot - before - 1]);
        if word_before.first().is_some_and(|b| !b.is_ascii_digit())
            && starts_a_name
            && after.is_some_and(|b| b == b'"' || b == b'_' || b.is_ascii_alphabetic())
        {
            return true;
        }
    }
    false
}

/// Whether a name may start after `b` in SQL text: after whitespace, `(`, `,`, `"` (a quoted
/// schema), `:` (`NULL::s.t`) or `=`.
pub(crate) fn starts_sql_name(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b',' | b'"' | b':' | b'=')
}

/// Whether a literal is a candidate for the SQL checks: [`could_be_sql`] or
/// [`could_be_sql_piece`].
pub(crate) fn could_be_candidate(text: &str) -> bool {
    could_be_sql(text) || could_be_sql_piece(text)
}

/// Statement words that name their table right after them, with no other SQL word needed
/// (`TRUNCATE account`, `VACUUM account`, `ANALYZE account (name)`).
pub const SQL_TABLE_STATEMENTS: &[&str] = &["truncate", "vacuum", "analyze", "analyse"];

fn words_match(bytes: &[u8]) -> bool {
    let (mut verb, mut table) = (false, false);
    let (mut copy, mut copy_place) = (false, false);
    // A cast (`::` or `CAST`) names a type, which may be a table's row type: `SELECT
    // ($1::salesforce.account).name` reads a column without `FROM`.
    let mut cast = false;
    let mut first = true;
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            if bytes[i] == b':' && bytes.get(i + 1) == Some(&b':') {
                cast = true;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        if !verb && (5..=6).contains(&word.len()) {
            verb = SQL_VERBS
                .iter()
                .any(|v| word.eq_ignore_ascii_case(v.as_bytes()));
        }
        if !table && (3..=4).contains(&word.len()) {
            table = SQL_TABLE_WORDS
                .iter()
                .any(|v| word.eq_ignore_ascii_case(v.as_bytes()));
        }
        if word.len() == 4 && word.eq_ignore_ascii_case(b"copy") {
            copy = true;
        }
        if word.eq_ignore_ascii_case(b"to") || word.eq_ignore_ascii_case(b"from") {
            copy_place = true;
        }
        if word.eq_ignore_ascii_case(b"cast") {
            cast = true;
        }
        if (6..=8).contains(&word.len())
            && SQL_TABLE_STATEMENTS
                .iter()
                .any(|v| word.eq_ignore_ascii_case(v.as_bytes()))
        {
            return true;
        }
        // `TABLE account` is a whole statement.
        if first && word.eq_ignore_ascii_case(b"table") && i < bytes.len() {
            return true;
        }
        first = false;
        if verb && (table || cast) || copy && copy_place {
            return true;
        }
    }
    false
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A gate on the source text between a literal's quotes: true whenever the literal's value
/// could pass [`could_be_candidate`] (an escape may hide a letter, so any `\` answers true;
/// any `.` may join a `schema.table`).
pub(crate) fn content_may_be_sql(content: &[u8]) -> bool {
    memchr::memchr(b'.', content).is_some()
        || content.len() >= 7 && (memchr::memchr(b'\\', content).is_some() || words_match(content))
        || std::str::from_utf8(content).map_or(true, crate::text::starts_like_statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_verb_and_a_table_word_as_whole_words() {
        assert!(could_be_sql("DELETE FROM account WHERE id = $1"));
        assert!(could_be_sql("insert into t(a) values (1)"));
        assert!(could_be_sql("MERGE INTO t USING s ON ..."));
        assert!(could_be_sql("with x as (select 1) select * from x"));
        assert!(could_be_sql("SeLeCt a\nfrom\tb"));
        assert!(!could_be_sql("UPDATED_FROM"));
        assert!(!could_be_sql("select_from"));
        assert!(!could_be_sql("delete the file"));
        assert!(could_be_sql("copy contact (email) from stdin"));
        assert!(could_be_sql("COPY account TO STDOUT"));
        assert!(!could_be_sql("copyto from"));
        // A statement keyword first: a candidate; the SQL checks then find no Heroku Connect
        // table where SQL names a table, and read it as prose.
        assert!(could_be_sql("copy the file") && could_be_sql("LOCK TABLE account"));
        assert!(could_be_sql("-- c\nGRANT SELECT ON account TO x") && !could_be_sql("unlock it"));
    }

    #[test]
    fn the_gate_passes_whatever_the_value_test_passes() {
        for content in [
            "SELECT a FROM b",
            "SEL\\x45CT a FROM b",
            "SELECT a \\\n   FROM b",
        ] {
            assert!(content_may_be_sql(content.as_bytes()), "{content}");
        }
        assert!(!content_may_be_sql(b"short"));
        assert!(could_be_sql("merge set") && content_may_be_sql(b"merge set"));
        assert!(!content_may_be_sql(b"nothing to see here"));
    }
}
