//! A cheap test of whether a string may be SQL that touches a table, before parsing it.

/// Whether `text` may be an SQL statement that touches a table: its first word (after
/// whitespace, `(` and SQL comments) is `SELECT`, `WITH`, `INSERT`, `UPDATE`, `DELETE`,
/// `MERGE`, `VALUES` or `TABLE` (any case), and a word that names a table's place follows
/// somewhere (`FROM`, `INTO`, `UPDATE`, `DELETE`, `JOIN`, `TABLE`, `USING`; `UPDATE`, `DELETE`,
/// `MERGE`, `INSERT` and `TABLE` carry their own). One pass over the bytes, no allocation.
/// It never rejects such a statement; it accepts some prose ("Select from the list"), which
/// then fails to parse.
///
/// ```
/// use hc_schema_snapshot::sql::looks_like_sql;
/// assert!(looks_like_sql("SELECT name FROM salesforce.account"));
/// assert!(looks_like_sql("  -- tiers\n  (select a from t)"));
/// assert!(looks_like_sql("update contact set title = $1"));
/// assert!(!looks_like_sql("SELECT 1"));
/// assert!(!looks_like_sql("Selected: {}"));
/// assert!(!looks_like_sql("hello from Rust"));
/// ```
pub fn looks_like_sql(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'(') {
            i += 1;
        }
        if bytes[i..].starts_with(b"--") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i..].starts_with(b"/*") {
            match text[i + 2..].find("*/") {
                Some(end) => i += 2 + end + 2,
                None => return false,
            }
        } else {
            break;
        }
    }
    let start = i;
    while i < bytes.len() && is_word_byte(bytes[i]) {
        i += 1;
    }
    let first = &bytes[start..i];
    let is = |word: &[u8]| first.eq_ignore_ascii_case(word);
    if is(b"update") || is(b"delete") || is(b"merge") || is(b"insert") || is(b"table") {
        return i < bytes.len() || is(b"table");
    }
    if !(is(b"select") || is(b"with") || is(b"values")) {
        return false;
    }
    has_word(
        &bytes[i..],
        &[
            b"from", b"into", b"update", b"delete", b"join", b"table", b"using",
        ],
    )
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether one of `words` occurs in `bytes` as a whole word, in any case.
fn has_word(bytes: &[u8], words: &[&[u8]]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        let mut k = 0;
        while k < words.len() {
            if word.eq_ignore_ascii_case(words[k]) {
                return true;
            }
            k += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_pass_and_prose_does_not() {
        for sql in [
            "SELECT a FROM t",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "INSERT INTO t (a) VALUES (1)",
            "DELETE FROM t",
            "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
            "TABLE account",
            "/* c */ SELECT\na\nFROM t",
            "values (1) union select a from t",
        ] {
            assert!(looks_like_sql(sql), "{sql}");
        }
        for text in [
            "",
            "   ",
            "/* unclosed",
            "SELECT 1",
            "selection from x",
            "Hello, world",
            "update",
            "Insert",
        ] {
            assert!(!looks_like_sql(text), "{text:?}");
        }
    }
}
