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
