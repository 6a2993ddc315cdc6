//! String literals that could be SQL, with the macro invocation or attribute that holds them,
//! read from a token list: the lexer's (fast path) or proc-macro2's (the full parse, converted
//! by [`from_proc_macro2`]). The same walk over either list must give the same answer.

use std::collections::HashMap;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::lexer::{self, Delim, StrKind, StrPrefix, Token, TokenKind};
use super::lines::LineIndex;
use super::model::{Container, ContainerKind, Extent, LiteralKind, StrLiteral};
use super::resolve::unraw;
use super::sqlish::could_be_candidate;
use super::visit::str_literal;

/// A literal that could be SQL and what holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub literal: StrLiteral,
    pub container: Option<Container>,
}

/// Words that can stand before `!` without making a macro call (`if !(x)`, `return !x`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "yield", "box", "become", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "abstract", "try", "gen",
];

fn text_of<'t>(text: &'t str, token: &Token) -> &'t str {
    &text[token.start as usize..token.end as usize]
}

/// The string literals of `tokens` whose value passes [`could_be_candidate`] (SQL, or a piece
/// of it naming a `schema.table`); `value` gives a literal token's value (`None`: not a plain
/// or raw string without suffix, or invalid). The arguments of `concat!` when they are all
/// string literals are one candidate, their values joined (SQL split over several literals).
pub(crate) fn candidates(
    text: &str,
    lines: &LineIndex,
    tokens: &[Token],
    value: impl Fn(usize) -> Option<String>,
) -> Vec<Candidate> {
    /// The arguments of a `concat!` seen so far.
    struct Concat {
        /// Each string literal: its token and value.
        pieces: Vec<(usize, String)>,
        /// Whether every argument so far is a string literal.
        only_literals: bool,
        /// The candidates among its literals, emitted one by one unless joined.
        single: Vec<Candidate>,
    }
    struct Frame {
        container: Option<(ContainerKind, String)>,
        commas: usize,
        concat: Option<Concat>,
    }
    let mut frames = vec![Frame {
        container: None,
        commas: 0,
        concat: None,
    }];
    let mut out = Vec::new();
    let container_of_frames = |frames: &[Frame]| {
        frames.iter().rev().find_map(|f| {
            f.container.as_ref().map(|(kind, path)| Container {
                kind: *kind,
                path: path.clone(),
                argument: f.commas,
            })
        })
    };
    let literal_at = |value: String, raw: Option<u8>, start: usize, end: usize| StrLiteral {
        value,
        kind: match raw {
            Some(hashes) => LiteralKind::Raw { hashes },
            None => LiteralKind::Plain,
        },
        written: text[start..end].to_string(),
        extent: Extent {
            start: lines.position(text, start),
            end: lines.position(text, end),
        },
    };
    for (k, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Open(_) => {
                let container = container_of(text, tokens, k);
                if let Some(concat) = frames.last_mut().and_then(|f| f.concat.as_mut()) {
                    concat.only_literals = false;
                }
                let concat = matches!(&container, Some((ContainerKind::Macro, path))
                    if matches!(path.as_str(), "concat" | "std::concat" | "core::concat" | "::std::concat" | "::core::concat"))
                .then(|| Concat {
                    pieces: Vec::new(),
                    only_literals: true,
                    single: Vec::new(),
                });
                frames.push(Frame {
                    container,
                    commas: 0,
                    concat,
                })
            }
            TokenKind::Close(_) if frames.len() > 1 => {
                let frame = frames.pop().expect("more than one");
                let Some(concat) = frame.concat else { continue };
                let joined = concat.only_literals && concat.pieces.len() > 1;
                let value: String = concat.pieces.iter().map(|(_, v)| v.as_str()).collect();
                if joined && could_be_candidate(&value) {
                    let first = &tokens[concat.pieces[0].0];
                    let last = &tokens[concat.pieces[concat.pieces.len() - 1].0];
                    let literal = literal_at(value, None, first.start as usize, last.end as usize);
                    let container = container_of_frames(&frames);
                    let candidate = Candidate { literal, container };
                    match frames.last_mut().and_then(|f| f.concat.as_mut()) {
                        Some(outer) => outer.single.push(candidate),
                        None => out.push(candidate),
                    }
                } else if !joined {
                    match frames.last_mut().and_then(|f| f.concat.as_mut()) {
                        Some(outer) => outer.single.extend(concat.single),
                        None => out.extend(concat.single),
                    }
                }
            }
            TokenKind::Punct(b',') => frames.last_mut().expect("never empty").commas += 1,
            // Plain, byte (`b"..."`) and C (`c"..."`) strings alike: code can run any as SQL.
            TokenKind::Str(StrKind {
                raw, suffix: false, ..
            }) => {
                let value = value(k);
                if let Some(concat) = frames.last_mut().and_then(|f| f.concat.as_mut()) {
                    match &value {
                        Some(v) if token_text_is_plain_or_raw(text, token) => {
                            concat.pieces.push((k, v.clone()))
                        }
                        _ => concat.only_literals = false,
                    }
                }
                let Some(value) = value else { continue };
                if !could_be_candidate(&value) {
                    continue;
                }
                let container = container_of_frames(&frames);
                let (start, end) = (token.start as usize, token.end as usize);
                let candidate = Candidate {
                    literal: literal_at(value, raw, start, end),
                    container,
                };
                match frames.last_mut().and_then(|f| f.concat.as_mut()) {
                    Some(concat) => concat.single.push(candidate),
                    None => out.push(candidate),
                }
            }
            _ => {
                if let Some(concat) = frames.last_mut().and_then(|f| f.concat.as_mut()) {
                    concat.only_literals = false;
                }
            }
        }
    }
    // Unclosed groups (a file that does not parse): their literals one by one.
    for frame in frames {
        if let Some(concat) = frame.concat {
            out.extend(concat.single);
        }
    }
    out
}

/// Whether a string token is a plain or raw string (`concat!` takes no byte or C string).
fn token_text_is_plain_or_raw(text: &str, token: &Token) -> bool {
    matches!(text.as_bytes().get(token.start as usize), Some(b'"' | b'r'))
}

/// What the group opening at token `k` is: an attribute's brackets, a macro call's input, or
/// neither.
fn container_of(text: &str, tokens: &[Token], k: usize) -> Option<(ContainerKind, String)> {
    let kind = |i: usize| tokens.get(i).map(|t| t.kind);
    let before = |n: usize| k.checked_sub(n).and_then(kind);
    if kind(k) == Some(TokenKind::Open(Delim::Bracket))
        && (before(1) == Some(TokenKind::Punct(b'#'))
            || before(1) == Some(TokenKind::Punct(b'!'))
                && before(2) == Some(TokenKind::Punct(b'#')))
    {
        let mut path = Vec::new();
        let mut i = k + 1;
        while let Some(TokenKind::Ident) = kind(i) {
            path.push(unraw(text_of(text, &tokens[i])));
            if kind(i + 1) == Some(TokenKind::Punct(b':'))
                && kind(i + 2) == Some(TokenKind::Punct(b':'))
            {
                i += 3;
            } else {
                break;
            }
        }
        return Some((ContainerKind::Attribute, path.join("::")));
    }
    if before(1) == Some(TokenKind::Punct(b'!')) {
        return macro_path(text, tokens, k - 1).map(|p| (ContainerKind::Macro, p));
    }
    if before(1) == Some(TokenKind::Ident)
        && before(2) == Some(TokenKind::Punct(b'!'))
        && before(3) == Some(TokenKind::Ident)
        && text_of(text, &tokens[k - 3]) == "macro_rules"
    {
        return Some((ContainerKind::Macro, "macro_rules".to_string()));
    }
    None
}

/// The path of a macro call whose `!` is token `bang`: `a::b!`, `::a!`.
fn macro_path(text: &str, tokens: &[Token], bang: usize) -> Option<String> {
    let kind = |i: usize| tokens.get(i).map(|t| t.kind);
    let mut i = bang.checked_sub(1)?;
    if kind(i) != Some(TokenKind::Ident) {
        return None;
    }
    let last = text_of(text, &tokens[i]);
    if KEYWORDS.contains(&last) {
        return None;
    }
    let mut segments = vec![unraw(last)];
    let mut leading = false;
    while i >= 2
        && kind(i - 1) == Some(TokenKind::Punct(b':'))
        && kind(i - 2) == Some(TokenKind::Punct(b':'))
        && tokens[i - 2].end == tokens[i - 1].start
    {
        if i >= 3 && kind(i - 3) == Some(TokenKind::Ident) {
            segments.push(unraw(text_of(text, &tokens[i - 3])));
            i -= 3;
        } else {
            leading = true;
            break;
        }
    }
    segments.reverse();
    let joined = segments.join("::");
    Some(if leading {
        format!("::{joined}")
    } else {
        joined
    })
}

/// proc-macro2's tokens of `text` as a token list like the lexer's (doc comments, which
/// proc-macro2 turns into `#[doc = "..."]`, become doc tokens again), with the value of every
/// plain or raw string literal, computed by syn.
pub(crate) fn from_proc_macro2(
    text: &str,
    lines: &LineIndex,
    stream: TokenStream,
) -> (Vec<Token>, HashMap<usize, String>) {
    let offset = |span: proc_macro2::Span, end: bool| -> u32 {
        let at = if end { span.end() } else { span.start() };
        lines.offset(text, at.line, at.column) as u32
    };
    let mut tokens: Vec<Token> = Vec::new();
    let mut values = HashMap::new();
    let mut stack: Vec<(
        proc_macro2::token_stream::IntoIter,
        Option<(usize, proc_macro2::Group)>,
    )> = vec![(stream.into_iter(), None)];
    while let Some((mut iter, group)) = stack.pop() {
        let Some(tree) = iter.next() else {
            if let Some((open, group)) = group {
                let index = tokens.len();
                let close = group.span_close();
                tokens.push(Token {
                    kind: TokenKind::Close(delim(group.delimiter())),
                    start: offset(close, false),
                    end: offset(close, true),
                    partner: open as u32,
                });
                tokens[open].partner = index as u32;
            }
            continue;
        };
        match tree {
            TokenTree::Group(inner) => {
                stack.push((iter, group));
                if inner.delimiter() == Delimiter::None {
                    stack.push((inner.stream().into_iter(), None));
                    continue;
                }
                let open = inner.span_open();
                let index = tokens.len();
                tokens.push(Token {
                    kind: TokenKind::Open(delim(inner.delimiter())),
                    start: offset(open, false),
                    end: offset(open, true),
                    partner: u32::MAX,
                });
                stack.push((inner.stream().into_iter(), Some((index, inner))));
            }
            TokenTree::Ident(ident) => {
                let span = ident.span();
                tokens.push(leaf(
                    TokenKind::Ident,
                    offset(span, false),
                    offset(span, true),
                ));
                stack.push((iter, group));
            }
            TokenTree::Punct(punct) => {
                let span = punct.span();
                let start = offset(span, false);
                if punct.as_char() == '#' && text.as_bytes().get(start as usize) == Some(&b'/') {
                    // A doc comment: `#`, maybe `!`, then `[doc = "..."]`, all spanning it.
                    let mut inner = false;
                    let mut peek = iter.clone();
                    if let Some(TokenTree::Punct(bang)) = peek.next() {
                        if bang.as_char() == '!' {
                            inner = true;
                            iter.next();
                        }
                    }
                    iter.next();
                    tokens.push(leaf(TokenKind::Doc { inner }, start, offset(span, true)));
                } else if punct.as_char() == '\''
                    && matches!(iter.clone().next(), Some(TokenTree::Ident(_)))
                {
                    // proc-macro2 writes a lifetime as `'` and an identifier; the lexer as one.
                    let Some(TokenTree::Ident(ident)) = iter.next() else {
                        unreachable!("peeked")
                    };
                    tokens.push(leaf(TokenKind::Lifetime, start, offset(ident.span(), true)));
                } else {
                    let kind = TokenKind::Punct(punct.as_char() as u8);
                    tokens.push(leaf(kind, start, offset(span, true)));
                }
                stack.push((iter, group));
            }
            TokenTree::Literal(literal) => {
                let span = literal.span();
                let written = literal.to_string();
                let kind = literal_kind(&written);
                let index = tokens.len();
                tokens.push(leaf(kind, offset(span, false), offset(span, true)));
                match kind {
                    TokenKind::Str(StrKind {
                        prefix: StrPrefix::None,
                        suffix: false,
                        ..
                    }) => {
                        if let Some(literal) = str_literal(&literal) {
                            values.insert(index, literal.value);
                        }
                    }
                    TokenKind::Str(StrKind {
                        raw, suffix: false, ..
                    }) => {
                        if let Some(value) = prefixed_value(&written, raw) {
                            values.insert(index, value);
                        }
                    }
                    _ => {}
                }
                stack.push((iter, group));
            }
        }
    }
    (tokens, values)
}

fn leaf(kind: TokenKind, start: u32, end: u32) -> Token {
    Token {
        kind,
        start,
        end,
        partner: u32::MAX,
    }
}

fn delim(delimiter: Delimiter) -> Delim {
    match delimiter {
        Delimiter::Parenthesis => Delim::Paren,
        Delimiter::Bracket => Delim::Bracket,
        Delimiter::Brace | Delimiter::None => Delim::Brace,
    }
}

/// The kind of a literal from how it is written.
pub(crate) fn literal_kind(written: &str) -> TokenKind {
    let (prefix, rest) = if let Some(rest) = written.strip_prefix("br") {
        (StrPrefix::Byte, format!("r{rest}"))
    } else if let Some(rest) = written.strip_prefix("cr") {
        (StrPrefix::C, format!("r{rest}"))
    } else if let Some(rest) = written.strip_prefix("b\"") {
        (StrPrefix::Byte, format!("\"{rest}"))
    } else if let Some(rest) = written.strip_prefix("c\"") {
        (StrPrefix::C, format!("\"{rest}"))
    } else {
        (StrPrefix::None, written.to_string())
    };
    let (raw, body_end) = if let Some(after) = rest.strip_prefix('r') {
        let hashes = after.bytes().take_while(|&b| b == b'#').count();
        let close = format!("\"{}", "#".repeat(hashes));
        (
            Some(hashes as u8),
            rest.rfind(&close).map(|i| i + close.len()),
        )
    } else if rest.starts_with('"') {
        (None, rest.rfind('"').map(|i| i + 1))
    } else {
        return TokenKind::OtherLiteral;
    };
    let suffix = body_end.is_some_and(|end| end < rest.len());
    TokenKind::Str(StrKind {
        prefix,
        raw,
        suffix,
    })
}

/// The value of a lexer string token (plain or raw, no suffix; a byte or C string's as text).
pub(crate) fn lexer_value(text: &str, token: &Token) -> Option<String> {
    match token.kind {
        TokenKind::Str(StrKind {
            prefix: StrPrefix::None,
            raw,
            suffix: false,
        }) => lexer::str_value(text_of(text, token), raw),
        TokenKind::Str(StrKind {
            raw, suffix: false, ..
        }) => prefixed_value(text_of(text, token), raw),
        _ => None,
    }
}

/// The text of a byte or C string (`b"..."`, `br#"..."#`, `c"..."`, `cr"..."`), read with the
/// escapes of a string literal; `None` when it is not text that way (`\xFF`).
fn prefixed_value(written: &str, raw: Option<u8>) -> Option<String> {
    lexer::str_value(written.get(1..)?, raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lexer::lex;

    fn both(text: &str) -> (Vec<Candidate>, Vec<Candidate>) {
        let lines = LineIndex::new(text);
        let tokens = lex(text).unwrap();
        let fast = candidates(text, &lines, &tokens, |k| lexer_value(text, &tokens[k]));
        let stream: TokenStream = text.parse().unwrap();
        let (pm2, values) = from_proc_macro2(text, &lines, stream);
        let full = candidates(text, &lines, &pm2, |k| values.get(&k).cloned());
        (fast, full)
    }

    #[test]
    fn finds_sql_literals_with_their_macro_and_argument() {
        let text = r##"
/// SELECT a FROM doc_comments_are_not_literals
fn f() {
    let a = "SELECT a FROM t";
    let b = format!("SELECT {} FROM t WHERE x = {}", c, d);
    write!(out, "{}", r#"UPDATE t SET "x" = 1"#);
    if !("DELETE FROM t".is_empty()) {}
    let c = b"SELECT a FROM bytes";
    let e = cr#"SELECT a FROM c_strings"#;
    let d = "not sql";
    q::query!(x, ("INSERT INTO t VALUES (1)"));
}
#[sql(query = "select 1 from t")] struct S;
"##;
        let (fast, full) = both(text);
        assert_eq!(fast, full);
        let shown: Vec<_> = fast
            .iter()
            .map(|c| {
                (
                    c.literal.extent.start.line,
                    c.container.as_ref().map(|c| (c.path.as_str(), c.argument)),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (4, None),
                (5, Some(("format", 0))),
                (6, Some(("write", 2))),
                (7, None),
                (8, None),
                (9, None),
                (11, Some(("q::query", 1))),
                (13, Some(("sql", 0))),
            ]
        );
        assert_eq!(fast[2].literal.value, "UPDATE t SET \"x\" = 1");
        assert_eq!(fast[4].literal.value, "SELECT a FROM bytes");
        assert_eq!(fast[5].literal.value, "SELECT a FROM c_strings");
        assert_eq!(fast[2].literal.kind, LiteralKind::Raw { hashes: 1 });
    }

    #[test]
    fn literal_kinds_from_their_spelling() {
        assert!(matches!(
            literal_kind("\"a\""),
            TokenKind::Str(StrKind {
                prefix: StrPrefix::None,
                raw: None,
                suffix: false
            })
        ));
        assert!(matches!(
            literal_kind("r##\"a\"##x"),
            TokenKind::Str(StrKind {
                prefix: StrPrefix::None,
                raw: Some(2),
                suffix: true
            })
        ));
        assert!(matches!(
            literal_kind("br\"a\""),
            TokenKind::Str(StrKind {
                prefix: StrPrefix::Byte,
                raw: Some(0),
                ..
            })
        ));
        assert!(matches!(
            literal_kind("c\"a\""),
            TokenKind::Str(StrKind {
                prefix: StrPrefix::C,
                raw: None,
                ..
            })
        ));
        assert_eq!(literal_kind("'a'"), TokenKind::OtherLiteral);
        assert_eq!(literal_kind("1u8"), TokenKind::OtherLiteral);
    }
}
