//! A cheap test of whether a string may be SQL that touches a table, before parsing it.

/// Whether `text` may hold an SQL statement that touches a table. Each statement is looked
/// at (the text's start, and after every `;`: `BEGIN; UPDATE ...`, `SET LOCAL ...; SELECT
/// ...`): its first word (after whitespace, `(` and SQL comments) is `SELECT`, `WITH`,
/// `INSERT`, `UPDATE`, `DELETE`, `MERGE`, `VALUES` or `TABLE`, or one that holds a statement
/// (`EXPLAIN`, `COPY`, `DECLARE`, `CREATE`, `PREPARE`), any case, and a word that names a
/// table's place follows somewhere (`FROM`, `INTO`, `UPDATE`, `DELETE`, `JOIN`, `TABLE`,
/// `USING`, `TO`, or a cast, `::` or `CAST`, which may name a table's row type; `UPDATE`,
/// `DELETE`, `MERGE`, `INSERT` and `TABLE` carry their own), or it is `TRUNCATE`, `VACUUM` or
/// `ANALYZE`, which name their table right after them, or any other statement keyword that may
/// name a table ([`crate::text::STATEMENT_KEYWORDS`]: `LOCK t`, `ALTER TABLE t ...`). Linear
/// in the text, no allocation. It never rejects such a statement; it accepts some prose
/// ("Select from the list"), which then fails to parse.
///
/// ```
/// use hc_schema_snapshot::sql::looks_like_sql;
/// assert!(looks_like_sql("SELECT name FROM salesforce.account"));
/// assert!(looks_like_sql("  -- tiers\n  (select a from t)"));
/// assert!(looks_like_sql("update contact set title = $1"));
/// assert!(looks_like_sql("BEGIN; UPDATE contact SET title = $1; COMMIT;"));
/// assert!(looks_like_sql("COPY salesforce.contact (email) FROM STDIN"));
/// assert!(!looks_like_sql("SELECT 1"));
/// assert!(looks_like_sql("SELECT ($1::salesforce.account).name"));
/// assert!(looks_like_sql("BEGIN; TRUNCATE salesforce.contact; COMMIT"));
/// assert!(!looks_like_sql("Selected: {}"));
/// assert!(!looks_like_sql("hello from Rust"));
/// ```
pub fn looks_like_sql(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        if statement_may_touch_a_table(text, start) {
            return true;
        }
        match bytes[start..].iter().position(|&b| b == b';') {
            Some(at) => start += at + 1,
            None => return false,
        }
    }
}

/// [`looks_like_sql`] for the statement starting at byte `i`.
fn statement_may_touch_a_table(text: &str, mut i: usize) -> bool {
    let bytes = text.as_bytes();
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
    // Statements that name their table right after them.
    if is(b"truncate") || is(b"vacuum") || is(b"analyze") || is(b"analyse") {
        return i < bytes.len();
    }
    // Any other statement that may name a table (`LOCK t`, DDL, `GRANT ... ON t`, `COPY t`,
    // `CALL p((SELECT ...))`, `DO $$ ... $$`, `WITH ...`): parsed, never taken for prose
    // unparsed (issue 20).
    if i < bytes.len()
        && crate::text::STATEMENT_KEYWORDS
            .iter()
            .any(|keyword| is(keyword.as_bytes()))
    {
        return true;
    }
    let reads = is(b"select") || is(b"with") || is(b"values");
    let holds = is(b"explain") || is(b"copy") || is(b"declare") || is(b"create") || is(b"prepare");
    // A word naming a table's place after the first word, or a cast, which may name a
    // table's row type (`SELECT ($1::account).name`, no `FROM`).
    (reads || holds) && place_after(bytes, i)
}

/// Whether a whole word naming a table's place (`FROM`, `INTO`, `UPDATE`, `DELETE`, `JOIN`,
/// `TABLE`, `USING`, `TO`) or a cast (`CAST`, `::`) starts at or after `i` (not inside a
/// word). One pass that stops at the first (byte loops: the build runs this unoptimised).
fn place_after(bytes: &[u8], mut i: usize) -> bool {
    while i < bytes.len() {
        let b = bytes[i];
        if !is_word_byte(b) {
            if b == b':' && i + 1 < bytes.len() && bytes[i + 1] == b':' {
                return true;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        if is_place_word(&bytes[start..i]) {
            return true;
        }
    }
    false
}

fn is_place_word(word: &[u8]) -> bool {
    let is = |w: &[u8]| word.eq_ignore_ascii_case(w);
    match word.len() {
        2 => is(b"to"),
        4 => is(b"from") || is(b"into") || is(b"join") || is(b"cast"),
        5 => is(b"table") || is(b"using"),
        6 => is(b"update") || is(b"delete"),
        _ => false,
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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

    /// The prefilter as it was before it stopped at the first place word (a whole-text scan
    /// for the last one): the reference the one-pass version must agree with.
    fn reference(text: &str) -> bool {
        let bytes = text.as_bytes();
        // Where the last word naming a table's place starts: a statement starting before it has
        // one after its first word.
        let last_place = last_word(
            bytes,
            &[
                b"from", b"into", b"update", b"delete", b"join", b"table", b"using", b"to",
            ],
        );
        // A cast may name a table's row type (`SELECT ($1::account).name`, no `FROM`).
        let last_cast =
            last_word(bytes, &[b"cast"]).max(bytes.windows(2).rposition(|pair| pair == b"::"));
        let last_place = last_place.max(last_cast);
        let mut start = 0;
        loop {
            if reference_statement(text, start, last_place) {
                return true;
            }
            match bytes[start..].iter().position(|&b| b == b';') {
                Some(at) => start += at + 1,
                None => return false,
            }
        }
    }

    /// [`looks_like_sql`] for the statement starting at byte `i`.
    fn reference_statement(text: &str, mut i: usize, last_place: Option<usize>) -> bool {
        let bytes = text.as_bytes();
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
        // Statements that name their table right after them.
        if is(b"truncate") || is(b"vacuum") || is(b"analyze") || is(b"analyse") {
            return i < bytes.len();
        }
        // Any other statement that may name a table (`LOCK t`, DDL, `GRANT ... ON t`, `COPY t`,
        // `CALL p((SELECT ...))`, `DO $$ ... $$`, `WITH ...`): parsed, never taken for prose
        // unparsed (issue 20).
        if i < bytes.len()
            && crate::text::STATEMENT_KEYWORDS
                .iter()
                .any(|keyword| is(keyword.as_bytes()))
        {
            return true;
        }
        let reads = is(b"select") || is(b"with") || is(b"values");
        let holds =
            is(b"explain") || is(b"copy") || is(b"declare") || is(b"create") || is(b"prepare");
        (reads || holds) && last_place.is_some_and(|place| place >= i)
    }

    /// Where the last whole word of `bytes` that is one of `words` (in any case) starts.
    fn last_word(bytes: &[u8], words: &[&[u8]]) -> Option<usize> {
        let mut last = None;
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
            if words.iter().any(|w| word.eq_ignore_ascii_case(w)) {
                last = Some(start);
            }
        }
        last
    }

    /// Generated texts of SQL words, prose, comments, casts and `;`: the one-pass prefilter
    /// says what the whole-text scan said.
    #[test]
    fn one_pass_agrees_with_the_whole_text_scan() {
        let words = [
            "SELECT", "select", "a", "FROM", "fromage", "t", "INTO", "update", "DELETE", "join",
            "TABLE", "using", "to", "tomorrow", "cast", "::", ":", "(", ")", ";", "--c\n",
            "/* x */", "/*", "with", "VALUES", "explain", "copy", "Insert", "merge", "truncate",
            "LOCK", "hello", "$1", ",", "\n", "Selected", "x::y",
        ];
        let mut rng = crate::testing::Rng::exact(0x0dd_ba11_cafe);
        let (mut yes, mut no) = (0, 0);
        for _ in 0..20_000 {
            let n = 1 + rng.below(8);
            let text: Vec<&str> = (0..n).map(|_| words[rng.below(words.len())]).collect();
            let sep = [" ", "", "\t"][rng.below(3)];
            let text = text.join(sep);
            let want = reference(&text);
            assert_eq!(looks_like_sql(&text), want, "{text:?}");
            if want {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(yes > 2000 && no > 2000, "{yes} {no}");
    }
}
