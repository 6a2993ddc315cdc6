//! A cheap, exact test of whether a string can touch a Heroku Connect table at all, before
//! parsing it: a table is named by an identifier, so one of the string's words must be a
//! Heroku Connect schema or a table some snapshot knows.

use crate::sql::Context;

/// Whether `text` may name a Heroku Connect table: some word of it (a run of ASCII letters,
/// digits and `_`, compared without regard to ASCII case, as SQL folds unquoted names) is a
/// Heroku Connect schema or a table a snapshot knows, or it holds `U&` (an identifier written
/// with Unicode escapes could be any name). When this is false the analysis cannot find a
/// Heroku Connect table in the text, so nothing about it can be a finding.
pub(crate) fn may_touch_hc(text: &str, context: &Context<'_>) -> bool {
    let bytes = text.as_bytes();
    let mut lower = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'&' && i > 0 && bytes[i - 1].eq_ignore_ascii_case(&b'u') {
            return true;
        }
        if !is_word(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        if context
            .schemas()
            .iter()
            .any(|schema| schema.eq_ignore_ascii_case(word))
        {
            return true;
        }
        lower.clear();
        lower.push_str(word);
        lower.make_ascii_lowercase();
        if context.known().has_table(&lower) {
            return true;
        }
    }
    false
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A text that names a Heroku Connect table as `schema.table` (a Heroku Connect schema; each
/// part unquoted, folded to lower case, or quoted) and is a piece of SQL: the name alone
/// (`"salesforce.account"`), or beside an SQL word (`" FROM salesforce.account a"`, pieces
/// put together with `push_str`). The table and where the name is. Prose that mentions the
/// name without any SQL word ("synced salesforce.account") is not a piece.
pub(crate) fn qualified_hc_piece(
    text: &str,
    context: &Context<'_>,
) -> Option<(String, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    // An identifier ending just before `end` (unquoted, or `"quoted"`): its start and name.
    let ident_before = |end: usize| -> Option<(usize, String)> {
        if end > 0 && bytes[end - 1] == b'"' {
            let open = text[..end - 1].rfind('"')?;
            return Some((open, text[open + 1..end - 1].to_string()));
        }
        let len = bytes[..end]
            .iter()
            .rev()
            .take_while(|&&b| is_word(b))
            .count();
        let start = end - len;
        let starts_a_name = start == 0 || crate::scan::starts_sql_name(bytes[start - 1]);
        (len > 0 && !bytes[start].is_ascii_digit() && starts_a_name)
            .then(|| (start, text[start..end].to_ascii_lowercase()))
    };
    let ident_after = |start: usize| -> Option<(usize, String)> {
        if bytes.get(start) == Some(&b'"') {
            let close = start + 1 + text[start + 1..].find('"')?;
            return Some((close + 1, text[start + 1..close].to_string()));
        }
        let len = bytes[start..].iter().take_while(|&&b| is_word(b)).count();
        (len > 0 && !bytes[start].is_ascii_digit())
            .then(|| (start + len, text[start..start + len].to_ascii_lowercase()))
    };
    let mut from = 0;
    while let Some(dot) = text[from..].find('.').map(|at| from + at) {
        from = dot + 1;
        let (Some((start, schema)), Some((end, table))) = (ident_before(dot), ident_after(dot + 1))
        else {
            continue;
        };
        if !context.is_hc_schema(&schema) || !context.is_hc_table(Some(&schema), &table) {
            continue;
        }
        let alone = text.trim() == &text[start..end];
        let sql_word = crate::scan::has_sql_piece_word(text);
        if alone || sql_word {
            return Some((table, start..end));
        }
    }
    None
}
