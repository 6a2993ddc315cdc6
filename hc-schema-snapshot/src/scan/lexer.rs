//! A Rust lexer that only finds token boundaries: what the scan needs to split a file into
//! items, find string literals and measure nesting, without building syn's tree.
//!
//! It follows rustc's (and proc-macro2's) tokenisation of valid code: comments (nested block
//! comments, doc comments kept as tokens because syn turns them into attributes), raw strings,
//! byte and C strings, char literals versus lifetimes, raw identifiers. It is lenient where
//! rustc would reject a character (the scan only needs to agree on code that compiles) and
//! strict where the token boundaries would be ambiguous: an unterminated literal or comment
//! and unbalanced delimiters are errors. It never recurses, so any nesting depth is fine.
//!
//! ```text
//! fn f() { g!("a", 'b', r#"c"#); }   ->  fn f ( ) { g ! ( "a" , 'b' , r#"c"# ) ; }
//! ```
//!
//! **Measured** (why not syn for every file; `cargo bench -p hc-schema --bench check_scan`,
//! 2026-11-26): `hc-schema check` on a real tree (4,305 files, 1.76M lines) takes 0.77x the
//! time of `cat` of the same files, and 3.48x on an annotation-dense synthetic tree (targets 3x
//! and 5x); files are lexed only when [`super::quick`] finds a candidate literal, and syn
//! parses only the items that hold one.

use memchr::{memchr, memchr2};

/// A delimiter of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    Paren,
    Bracket,
    Brace,
}

/// What a string-like literal is: its prefix, raw or not, suffix or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrKind {
    /// `b"..."`, `c"..."` or a plain `"..."`.
    pub prefix: StrPrefix,
    /// `Some(number of #)` for raw strings.
    pub raw: Option<u8>,
    /// Whether an identifier suffix follows the closing quote (`"x"suffix`).
    pub suffix: bool,
}

/// The prefix of a string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrPrefix {
    None,
    Byte,
    C,
}

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    Lifetime,
    /// One punctuation character (multi-character operators are several tokens, as in
    /// proc-macro2).
    Punct(u8),
    /// A string, byte string or C string literal.
    Str(StrKind),
    /// A number, char or byte literal.
    OtherLiteral,
    Open(Delim),
    Close(Delim),
    /// A doc comment (`///`, `//!`, `/** */`, `/*! */`): an attribute to syn.
    Doc {
        inner: bool,
    },
}

/// A token: its kind and byte range. `partner` links an `Open` to its `Close` and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: u32,
    pub end: u32,
    pub partner: u32,
}

/// Why a text could not be split into tokens, and where (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub offset: usize,
    pub message: &'static str,
}

/// The byte offset where the tokens of `text` start: after a shebang line (`#!...` not
/// followed by `[`), as `syn::parse_file` does. `text` has no byte-order mark.
pub(crate) fn code_start(text: &str) -> usize {
    if !text.starts_with("#!") {
        return 0;
    }
    if skip_trivia(text.as_bytes(), 2).1 == Some(b'[') {
        return 0;
    }
    memchr(b'\n', text.as_bytes()).unwrap_or(text.len())
}

/// Skip whitespace and non-doc comments from `at` (as syn's shebang check does); returns the
/// position and the byte there.
fn skip_trivia(b: &[u8], mut at: usize) -> (usize, Option<u8>) {
    while at < b.len() {
        match b[at] {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => at += 1,
            b'/' if b.get(at + 1) == Some(&b'/') => {
                at = memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n + 1)
            }
            b'/' if b.get(at + 1) == Some(&b'*') => match block_comment_end(b, at) {
                Some(end) => at = end,
                None => return (at, Some(b'/')),
            },
            other => return (at, Some(other)),
        }
    }
    (at, None)
}

/// The end of the (nested) block comment starting at `at` (which holds `/*`).
pub(crate) fn block_comment_end(b: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(n) = memchr2(b'*', b'/', &b[i..]) {
        let p = i + n;
        match (b[p], b.get(p + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i = p + 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i = p + 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i = p + 1,
        }
    }
    None
}

pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

pub(crate) fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The char at `at` (a char boundary) and its length; `None` at the end.
fn char_at(text: &str, at: usize) -> Option<(char, usize)> {
    text.get(at..)?.chars().next().map(|c| (c, c.len_utf8()))
}

/// Whitespace as proc-macro2 reads it (Rust's, plus what `char::is_whitespace` says).
fn is_whitespace_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{200e}' || c == '\u{200f}'
}

/// Split `text` (no byte-order mark) into tokens.
///
/// Offsets are `u32`: the caller rejects files of 4 GiB or more.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, LexError> {
    let b = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::with_capacity(b.len() / 5 + 8);
    let mut open: Vec<usize> = Vec::new();
    let mut i = code_start(text);
    let push = |tokens: &mut Vec<Token>, kind: TokenKind, start: usize, end: usize| {
        tokens.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
            partner: u32::MAX,
        });
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                let third = b.get(i + 2).copied();
                if third == Some(b'!') {
                    push(&mut tokens, TokenKind::Doc { inner: true }, i, end);
                } else if third == Some(b'/') && b.get(i + 3) != Some(&b'/') {
                    push(&mut tokens, TokenKind::Doc { inner: false }, i, end);
                }
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let Some(end) = block_comment_end(b, i) else {
                    return Err(LexError {
                        offset: i,
                        message: "unterminated block comment",
                    });
                };
                let third = b.get(i + 2).copied();
                let fourth = b.get(i + 3).copied();
                if third == Some(b'!') {
                    push(&mut tokens, TokenKind::Doc { inner: true }, i, end);
                } else if third == Some(b'*') && !matches!(fourth, Some(b'*') | Some(b'/')) {
                    push(&mut tokens, TokenKind::Doc { inner: false }, i, end);
                }
                i = end;
            }
            b'"' => {
                let end = cooked_string_end(b, i + 1)?;
                let (end, suffix) = suffix_end(b, end);
                let kind = StrKind {
                    prefix: StrPrefix::None,
                    raw: None,
                    suffix,
                };
                push(&mut tokens, TokenKind::Str(kind), i, end);
                i = end;
            }
            b'\'' => {
                let (kind, end) = quote_token(text, i);
                push(&mut tokens, kind, i, end);
                i = end;
            }
            b'0'..=b'9' => {
                let end = number_end(b, i);
                push(&mut tokens, TokenKind::OtherLiteral, i, end);
                i = end;
            }
            b'(' | b'[' | b'{' => {
                let delim = match c {
                    b'(' => Delim::Paren,
                    b'[' => Delim::Bracket,
                    _ => Delim::Brace,
                };
                open.push(tokens.len());
                push(&mut tokens, TokenKind::Open(delim), i, i + 1);
                i += 1;
            }
            b')' | b']' | b'}' => {
                let delim = match c {
                    b')' => Delim::Paren,
                    b']' => Delim::Bracket,
                    _ => Delim::Brace,
                };
                let Some(opener) = open.pop() else {
                    return Err(LexError {
                        offset: i,
                        message: "this closing delimiter has no opening one",
                    });
                };
                if tokens[opener].kind != TokenKind::Open(delim) {
                    return Err(LexError {
                        offset: i,
                        message: "this closing delimiter does not match the opening one",
                    });
                }
                let index = tokens.len();
                tokens[opener].partner = index as u32;
                push(&mut tokens, TokenKind::Close(delim), i, i + 1);
                tokens[index].partner = opener as u32;
                i += 1;
            }
            c if is_ident_start(c) => {
                if c >= 0x80 {
                    let Some((ch, len)) = char_at(text, i) else {
                        // Not a char boundary cannot happen on a &str walked by tokens; be safe.
                        i += 1;
                        continue;
                    };
                    if is_whitespace_char(ch) {
                        i += len;
                        continue;
                    }
                }
                let (kind, end) = word_token(text, i)?;
                push(&mut tokens, kind, i, end);
                i = end;
            }
            _ => {
                push(&mut tokens, TokenKind::Punct(c), i, i + 1);
                i += 1;
            }
        }
    }
    if let Some(&opener) = open.last() {
        return Err(LexError {
            offset: tokens[opener].start as usize,
            message: "this delimiter is never closed",
        });
    }
    Ok(tokens)
}

/// The end (after the closing quote) of a cooked string whose content starts at `at`.
pub(crate) fn cooked_string_end(b: &[u8], mut at: usize) -> Result<usize, LexError> {
    let start = at.saturating_sub(1);
    loop {
        match memchr2(b'"', b'\\', &b[at.min(b.len())..]) {
            None => {
                return Err(LexError {
                    offset: start,
                    message: "unterminated string literal",
                })
            }
            Some(n) => {
                let p = at + n;
                if b[p] == b'"' {
                    return Ok(p + 1);
                }
                at = p + 2;
            }
        }
    }
}

/// An identifier suffix right after a literal: where it ends, and whether there was one.
fn suffix_end(b: &[u8], at: usize) -> (usize, bool) {
    if at < b.len() && is_ident_start(b[at]) {
        let mut end = at;
        while end < b.len() && is_ident_continue(b[end]) {
            end += 1;
        }
        (end, true)
    } else {
        (at, false)
    }
}

/// At a `'`: a char literal or a lifetime (or a stray quote, kept as punctuation).
pub(crate) fn quote_token(text: &str, at: usize) -> (TokenKind, usize) {
    let b = text.as_bytes();
    if b.get(at + 1) == Some(&b'\\') {
        // An escape: \x41, \u{1F600}, \n, \', ...
        let mut j = at + 2;
        match b.get(j) {
            Some(b'u') => {
                j = memchr(b'}', &b[j..]).map_or(b.len(), |n| j + n + 1);
            }
            Some(b'x') => j += 3,
            Some(_) => j += char_at(text, j).map_or(1, |(_, len)| len),
            None => {}
        }
        if b.get(j) == Some(&b'\'') {
            return (TokenKind::OtherLiteral, suffix_end(b, j + 1).0);
        }
        return (TokenKind::Punct(b'\''), at + 1);
    }
    let Some((c, len)) = char_at(text, at + 1) else {
        return (TokenKind::Punct(b'\''), at + 1);
    };
    if c != '\'' && b.get(at + 1 + len) == Some(&b'\'') {
        return (TokenKind::OtherLiteral, suffix_end(b, at + 2 + len).0);
    }
    let mut j = at + 1;
    if b.get(j) == Some(&b'r') && b.get(j + 1) == Some(&b'#') {
        j += 2;
    }
    if j < b.len() && is_ident_start(b[j]) {
        while j < b.len() && is_ident_continue(b[j]) {
            j += 1;
        }
        return (TokenKind::Lifetime, j);
    }
    (TokenKind::Punct(b'\''), at + 1)
}

/// The end of a number literal starting at `at` (digits, letters, `_`, a decimal point
/// followed by a digit, or a trailing `.` that does not start `..` or a method call).
fn number_end(b: &[u8], at: usize) -> usize {
    let mut end = at;
    while end < b.len() && is_ident_continue(b[end]) && b[end] < 0x80 {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        let next = b.get(end + 1).copied();
        match next {
            Some(d) if d.is_ascii_digit() => {
                end += 1;
                while end < b.len() && is_ident_continue(b[end]) && b[end] < 0x80 {
                    end += 1;
                }
            }
            Some(n) if n == b'.' || is_ident_start(n) => {}
            _ => end += 1,
        }
    }
    end
}

/// An identifier, raw identifier, or a prefixed literal (`r"..."`, `b"..."`, `br#"..."#`,
/// `c"..."`, `b'x'`) starting at `at`.
fn word_token(text: &str, at: usize) -> Result<(TokenKind, usize), LexError> {
    let b = text.as_bytes();
    let mut end = at;
    while end < b.len() && is_ident_continue(b[end]) {
        end += 1;
    }
    // Stop at a char boundary: identifier bytes >= 0x80 only come in whole chars.
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let word = &b[at..end];
    let next = b.get(end).copied();
    match (word, next) {
        (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => {
            let mut hashes = 0;
            while b.get(end + hashes) == Some(&b'#') {
                hashes += 1;
            }
            if b.get(end + hashes) == Some(&b'"') {
                if hashes > 255 {
                    return Err(LexError {
                        offset: at,
                        message: "a raw string literal with more than 255 `#`",
                    });
                }
                let content = end + hashes + 1;
                let close = raw_string_close(b, content, hashes).ok_or(LexError {
                    offset: at,
                    message: "unterminated raw string literal",
                })?;
                let (close, suffix) = suffix_end(b, close);
                let prefix = match word {
                    b"r" => StrPrefix::None,
                    b"br" => StrPrefix::Byte,
                    _ => StrPrefix::C,
                };
                let kind = StrKind {
                    prefix,
                    raw: Some(hashes as u8),
                    suffix,
                };
                return Ok((TokenKind::Str(kind), close));
            }
            if word == b"r" && hashes == 1 && b.get(end + 1).is_some_and(|&c| is_ident_start(c)) {
                // A raw identifier: r#type.
                let mut j = end + 1;
                while j < b.len() && is_ident_continue(b[j]) {
                    j += 1;
                }
                while !text.is_char_boundary(j) {
                    j += 1;
                }
                return Ok((TokenKind::Ident, j));
            }
            Ok((TokenKind::Ident, end))
        }
        (b"b" | b"c", Some(b'"')) => {
            let close = cooked_string_end(b, end + 1)?;
            let (close, suffix) = suffix_end(b, close);
            let prefix = if word == b"b" {
                StrPrefix::Byte
            } else {
                StrPrefix::C
            };
            let kind = StrKind {
                prefix,
                raw: None,
                suffix,
            };
            Ok((TokenKind::Str(kind), close))
        }
        (b"b", Some(b'\'')) => {
            let (kind, close) = quote_token(text, end);
            if kind == TokenKind::OtherLiteral {
                Ok((kind, close))
            } else {
                Ok((TokenKind::Ident, end))
            }
        }
        _ => Ok((TokenKind::Ident, end)),
    }
}

/// The end (after the closing `"` and `#`s) of a raw string whose content starts at `at`.
pub(crate) fn raw_string_close(b: &[u8], mut at: usize, hashes: usize) -> Option<usize> {
    loop {
        let p = at + memchr(b'"', &b[at.min(b.len())..])?;
        if b.len() >= p + 1 + hashes && b[p + 1..p + 1 + hashes].iter().all(|&h| h == b'#') {
            return Some(p + 1 + hashes);
        }
        at = p + 1;
    }
}

/// The value of a string literal token (`"..."` or `r#"..."#`, without prefix or suffix), as
/// rustc and `syn::LitStr::value` read it; `None` when an escape is invalid.
pub(crate) fn str_value(token: &str, raw: Option<u8>) -> Option<String> {
    if let Some(hashes) = raw {
        let hashes = usize::from(hashes);
        let inner = token.get(2 + hashes..token.len().checked_sub(1 + hashes)?)?;
        return Some(inner.to_string());
    }
    let inner = token.get(1..token.len().checked_sub(1)?)?;
    // Byte searches (`memchr`): a `char` pattern is slow in the unoptimised build.
    if !inner.as_bytes().contains(&b'\\') && !inner.as_bytes().contains(&b'\r') {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let escape = *b.get(i + 1)?;
                i += 2;
                match escape {
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'\\' => out.push('\\'),
                    b'0' => out.push('\0'),
                    b'\'' => out.push('\''),
                    b'"' => out.push('"'),
                    b'x' => {
                        let high = hex_digit(*b.get(i)?)?;
                        let low = hex_digit(*b.get(i + 1)?)?;
                        let value = high * 16 + low;
                        if value > 0x7F {
                            return None;
                        }
                        out.push(char::from(value));
                        i += 2;
                    }
                    b'u' => {
                        if b.get(i) != Some(&b'{') {
                            return None;
                        }
                        i += 1;
                        let (mut value, mut digits) = (0u32, 0);
                        loop {
                            match *b.get(i)? {
                                b'_' if digits > 0 => {}
                                b'}' if digits > 0 => break,
                                digit => {
                                    if digits == 6 {
                                        return None;
                                    }
                                    value = value * 16 + u32::from(hex_digit(digit)?);
                                    digits += 1;
                                }
                            }
                            i += 1;
                        }
                        out.push(char::from_u32(value)?);
                        i += 1;
                    }
                    b'\n' | b'\r' => {
                        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                            i += 1;
                        }
                    }
                    _ => return None,
                }
            }
            b'\r' => {
                if b.get(i + 1) != Some(&b'\n') {
                    return None;
                }
                out.push('\n');
                i += 2;
            }
            _ => {
                let (c, len) = char_at(inner, i)?;
                out.push(c);
                i += len;
            }
        }
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(10 + b - b'a'),
        b'A'..=b'F' => Some(10 + b - b'A'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text)
            .unwrap()
            .iter()
            .map(|t| (t.kind, &text[t.start as usize..t.end as usize]))
            .collect()
    }

    fn texts(text: &str) -> Vec<&str> {
        kinds(text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn splits_identifiers_punctuation_and_groups() {
        assert_eq!(
            texts("fn f(a: &'a u8) -> u8 { a::b!(x) }"),
            [
                "fn", "f", "(", "a", ":", "&", "'a", "u8", ")", "-", ">", "u8", "{", "a", ":", ":",
                "b", "!", "(", "x", ")", "}"
            ]
        );
        let tokens = lex("(a[b]{c})").unwrap();
        assert_eq!(tokens[0].partner, 8);
        assert_eq!(tokens[8].partner, 0);
        assert_eq!(tokens[2].partner, 4);
    }

    #[test]
    fn strings_chars_and_lifetimes() {
        assert_eq!(
            texts(r#"'"' '\'' 'a' 'ab b'x' '\u{1F600}' "a\"b" "a"suf 'static"#),
            [
                "'\"'",
                "'\\''",
                "'a'",
                "'ab",
                "b'x'",
                "'\\u{1F600}'",
                "\"a\\\"b\"",
                "\"a\"suf",
                "'static"
            ]
        );
        let all = kinds(r####"r"a" r#"a"b"# br##"x"## c"y" b"z" cr#"w"# r#type"####);
        assert!(matches!(
            all[0].0,
            TokenKind::Str(StrKind {
                prefix: StrPrefix::None,
                raw: Some(0),
                suffix: false
            })
        ));
        assert_eq!(all[1].1, "r#\"a\"b\"#");
        assert!(matches!(
            all[2].0,
            TokenKind::Str(StrKind {
                prefix: StrPrefix::Byte,
                raw: Some(2),
                ..
            })
        ));
        assert!(matches!(
            all[3].0,
            TokenKind::Str(StrKind {
                prefix: StrPrefix::C,
                raw: None,
                ..
            })
        ));
        assert_eq!(all[6], (TokenKind::Ident, "r#type"));
    }

    #[test]
    fn comments_are_skipped_and_doc_comments_kept() {
        let all = kinds(
            "/* a /* nested */ \" */ x // \"\n/// doc\n//// not\n/** d */ /**/ /*! i */ //! i\ny",
        );
        let got: Vec<_> = all.iter().map(|(k, t)| (*k, *t)).collect();
        assert_eq!(
            got,
            [
                (TokenKind::Ident, "x"),
                (TokenKind::Doc { inner: false }, "/// doc"),
                (TokenKind::Doc { inner: false }, "/** d */"),
                (TokenKind::Doc { inner: true }, "/*! i */"),
                (TokenKind::Doc { inner: true }, "//! i"),
                (TokenKind::Ident, "y"),
            ]
        );
    }

    #[test]
    fn numbers_do_not_swallow_ranges_or_methods() {
        assert_eq!(texts("1..2"), ["1", ".", ".", "2"]);
        assert_eq!(
            texts("1.0f32 1.max(2) 0x1F_u8 1."),
            ["1.0f32", "1", ".", "max", "(", "2", ")", "0x1F_u8", "1."]
        );
    }

    #[test]
    fn shebang_is_skipped_but_inner_attribute_is_not() {
        assert_eq!(texts("#!/usr/bin/env run\nfn"), ["fn"]);
        assert_eq!(
            texts("#![allow(x)]"),
            ["#", "!", "[", "allow", "(", "x", ")", "]"]
        );
        assert_eq!(texts("#! // c\n [a]"), ["#", "!", "[", "a", "]"]);
    }

    #[test]
    fn errors_say_where() {
        let err = |text: &str| lex(text).unwrap_err();
        assert_eq!(err("a \"open").offset, 2);
        assert_eq!(err("x /* open").message, "unterminated block comment");
        assert_eq!(err("(]").offset, 1);
        assert_eq!(err("a)").offset, 1);
        assert_eq!(err("{ (").offset, 2);
        assert_eq!(err("r#\"x\"").message, "unterminated raw string literal");
    }

    #[test]
    fn string_values_match_rust_escapes() {
        assert_eq!(
            str_value(r#""a\n\t\\\"\x41\u{1F_600}""#, None).unwrap(),
            "a\n\t\\\"A\u{1F600}"
        );
        assert_eq!(str_value("\"a\\\n   b\"", None).unwrap(), "ab");
        assert_eq!(str_value("\"a\r\nb\"", None).unwrap(), "a\nb");
        assert_eq!(str_value(r##"r#"a\n"#"##, Some(1)).unwrap(), "a\\n");
        assert_eq!(str_value(r#""\q""#, None), None);
        assert_eq!(str_value(r#""\x80""#, None), None);
        assert_eq!(str_value("\"a\rb\"", None), None);
    }
}
