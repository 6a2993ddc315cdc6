//! Does a file hold a string literal that could be SQL? A skim that jumps from quote to quote
//! with `memchr` (skipping comments, char literals and lifetimes exactly as the lexer does),
//! so that only the few files that do are lexed for the literals' positions and macros. It
//! answers as the lexer would (plain, raw, byte and C strings without suffix, whose value
//! passes [`could_be_candidate`], or any file that calls `concat!`); the agreement tests hold the scan to the full parse.
//!
//! **Measured**: see [`super::lexer`]'s module doc (`check_scan`, 0.77x `cat` on a real tree).

use memchr::{memchr, memchr3};

use super::lexer::{
    block_comment_end, code_start, cooked_string_end, is_ident_continue, is_ident_start,
    quote_token, raw_string_close, str_value, TokenKind,
};
use super::sqlish::{content_may_be_sql, could_be_candidate};

/// Whether `text` (no byte-order mark) may hold a string literal whose value passes
/// [`super::sqlish::could_be_candidate`] (or a `concat!` call, whose literals joined may).
pub(crate) fn may_hold_sql(text: &str) -> bool {
    // `concat!("SELECT a ", "FROM b")`: SQL that no single literal shows.
    if memchr::memmem::find(text.as_bytes(), b"concat!").is_some() {
        return true;
    }
    let b = text.as_bytes();
    let mut at = code_start(text);
    // Everything before this was inside a token already skipped (a raw string's `r` cannot
    // be part of it).
    let mut consumed = at;
    while at < b.len() {
        let Some(n) = memchr3(b'"', b'\'', b'/', &b[at..]) else {
            return false;
        };
        let i = at + n;
        match b[i] {
            b'/' => match b.get(i + 1) {
                Some(b'/') => {
                    at = memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                    consumed = at;
                }
                Some(b'*') => match block_comment_end(b, i) {
                    Some(end) => {
                        at = end;
                        consumed = end;
                    }
                    None => return false,
                },
                _ => at = i + 1,
            },
            b'\'' => {
                let (kind, end) = quote_token(text, i);
                at = end;
                if kind != TokenKind::Punct(b'\'') {
                    consumed = end;
                }
            }
            _ => {
                let hashes = raw_prefix(b, i, consumed);
                let word_start = i - hashes.map_or(0, |h| h + 1);
                let end = match hashes {
                    Some(hashes) => match raw_string_close(b, i + 1, hashes) {
                        Some(end) => end,
                        None => return false,
                    },
                    None => match cooked_string_end(b, i + 1) {
                        Ok(end) => end,
                        Err(_) => return false,
                    },
                };
                let suffixed = b.get(end).is_some_and(|&c| is_ident_start(c));
                // A byte or C string is read like a string (`token` starts after `b`/`c`).
                if !suffixed {
                    let token = &text[word_start..end];
                    let content = match hashes {
                        Some(h) => &b[i + 1..end - 1 - h],
                        None => &b[i + 1..end - 1],
                    };
                    if content_may_be_sql(content)
                        && str_value(token, hashes.map(|h| h as u8))
                            .is_some_and(|v| could_be_candidate(&v))
                    {
                        return true;
                    }
                }
                at = end;
                consumed = end;
            }
        }
    }
    false
}

/// For the `"` at `quote`: the number of `#` when it opens a raw string (`r#"`, `br"`,
/// `cr##"`), as the lexer would read the word before it; `None` for a cooked string.
fn raw_prefix(b: &[u8], quote: usize, consumed: usize) -> Option<usize> {
    let mut r = quote;
    while r > consumed && b[r - 1] == b'#' {
        r -= 1;
    }
    let hashes = quote - r;
    if r == consumed || b[r - 1] != b'r' {
        return None;
    }
    let mut word_start = r - 1;
    if word_start > consumed && matches!(b[word_start - 1], b'b' | b'c') {
        word_start -= 1;
    }
    if word_start > consumed && is_ident_continue(b[word_start - 1]) {
        return None;
    }
    Some(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sql_in_plain_raw_byte_and_c_strings() {
        assert!(may_hold_sql(r#"let q = "SELECT a FROM b";"#));
        assert!(may_hold_sql(r###"let q = r##"SELECT "a" FROM b"##;"###));
        assert!(may_hold_sql(r#"let q = br"SELECT a FROM b";"#));
        assert!(may_hold_sql(r#"let q = b"SELECT a FROM b";"#));
        assert!(may_hold_sql(r#"let c = c"SELECT a FROM b";"#));
        assert!(may_hold_sql(r##"let c = cr#"SELECT a FROM b"#;"##));
        assert!(!may_hold_sql(r#"m!("SELECT a FROM b"suffix)"#));
        assert!(may_hold_sql(r#"let q = "SEL\x45CT a FROM b";"#));
        assert!(!may_hold_sql(
            r#"let q = "error: {}\n while reading the file";"#
        ));
        assert!(!may_hold_sql("// \"SELECT a FROM b\"\nfn f() {}"));
        assert!(!may_hold_sql("/* /* \"SELECT a FROM b\" */ */"));
        assert!(!may_hold_sql(
            r#"let c = '"'; let s = "select"; let t = "from";"#
        ));
        assert!(!may_hold_sql("#!/bin/sh \"select a from b\nfn main() {}"));
    }

    #[test]
    fn quotes_in_chars_and_lifetimes_do_not_desync() {
        assert!(may_hold_sql(r#"f('"', "SELECT a FROM b")"#));
        assert!(may_hold_sql(
            r#"fn f<'a>(x: &'a str) { g('\'', "SELECT a FROM b") }"#
        ));
        // A lifetime ending in `r` before a quote is not a raw string prefix.
        assert!(may_hold_sql(r#"m!('r"SELECT a FROM b")"#));
        assert!(may_hold_sql(r#"m!('br"SELECT a FROM b")"#));
    }
}
