//! A file's top-level elements (items with their attributes and doc comments, and inner
//! attributes), found from tokens alone; how deeply each nests; and the text that keeps only
//! some elements, at their original lines and columns, for syn to parse.
//!
//! An item ends at its first `;` or, for items that end in a block (`fn`, `struct`, `impl`,
//! `mod`, `m! {}`, ...), after its first top-level `{...}`; `use`, `const`, `static`, `type`
//! and `extern crate` items always end at `;`. A split that is wrong (a `{}` in a const
//! generic argument before an item's body) leaves a piece that does not parse, and the caller
//! then parses the whole file.

use std::ops::Range;

use super::lexer::{Delim, Token, TokenKind};

/// What a top-level element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementKind {
    /// `#![...]` or `//!`.
    InnerAttribute,
    /// An item (possibly malformed), with its outer attributes and doc comments.
    Item,
}

/// A top-level element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub kind: ElementKind,
    /// Its tokens (indices into the token list).
    pub tokens: Range<usize>,
    /// Its bytes.
    pub bytes: Range<usize>,
    /// Where its leading outer attributes and doc comments end (a token index; the start for
    /// none).
    pub attrs_end: usize,
    /// The deepest nesting inside it, as [`nesting`] measures it.
    pub nesting: u32,
    /// The deepest nesting inside its leading attributes.
    pub attrs_nesting: u32,
}

fn is_word(text: &str, token: Option<&Token>, word: &str) -> bool {
    token.is_some_and(|t| {
        t.kind == TokenKind::Ident && &text[t.start as usize..t.end as usize] == word
    })
}

/// Split the tokens of `text` into top-level elements; `costs` are the tokens' nesting
/// ([`nesting`]).
pub(crate) fn split(text: &str, tokens: &[Token], costs: &[u32]) -> Vec<Element> {
    let mut elements = Vec::new();
    let n = tokens.len();
    let mut i = 0;
    while i < n {
        let start = i;
        let kind_at = |k: usize| tokens.get(k).map(|t| t.kind);
        let (kind, attrs_end, end) = if kind_at(i) == Some(TokenKind::Doc { inner: true }) {
            (ElementKind::InnerAttribute, i, i + 1)
        } else if kind_at(i) == Some(TokenKind::Punct(b'#'))
            && kind_at(i + 1) == Some(TokenKind::Punct(b'!'))
            && kind_at(i + 2) == Some(TokenKind::Open(Delim::Bracket))
        {
            (
                ElementKind::InnerAttribute,
                i,
                tokens[i + 2].partner as usize + 1,
            )
        } else {
            let attrs_end = outer_attributes_end(tokens, i);
            (
                ElementKind::Item,
                attrs_end,
                item_end(text, tokens, attrs_end),
            )
        };
        let end = end.clamp(start + 1, n);
        elements.push(Element {
            kind,
            tokens: start..end,
            bytes: tokens[start].start as usize..tokens[end - 1].end as usize,
            attrs_end: attrs_end.min(end),
            nesting: costs[start..end].iter().copied().max().unwrap_or(0),
            attrs_nesting: costs[start..attrs_end.min(end)]
                .iter()
                .copied()
                .max()
                .unwrap_or(0),
        });
        i = end;
    }
    elements
}

/// Where the outer attributes and doc comments starting at token `i` end.
fn outer_attributes_end(tokens: &[Token], mut i: usize) -> usize {
    loop {
        match tokens.get(i).map(|t| t.kind) {
            Some(TokenKind::Doc { inner: false }) => i += 1,
            Some(TokenKind::Punct(b'#'))
                if tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::Open(Delim::Bracket)) =>
            {
                i = tokens[i + 1].partner as usize + 1
            }
            _ => return i,
        }
    }
}

/// Where the item whose keywords start at token `i` (after its attributes) ends (exclusive).
fn item_end(text: &str, tokens: &[Token], mut i: usize) -> usize {
    let n = tokens.len();
    let semicolon_only = ends_at_semicolon(text, tokens, i);
    while i < n {
        match tokens[i].kind {
            TokenKind::Punct(b';') => return i + 1,
            TokenKind::Open(Delim::Brace) if !semicolon_only => {
                return tokens[i].partner as usize + 1
            }
            TokenKind::Open(_) => i = tokens[i].partner as usize + 1,
            _ => i += 1,
        }
    }
    n
}

/// Whether the item whose keywords start at token `i` ends only at a `;` (`use`, `const`,
/// `static`, `type`, `extern crate`): braces inside it are expressions or use trees.
fn ends_at_semicolon(text: &str, tokens: &[Token], mut i: usize) -> bool {
    let word = |k: usize, w: &str| is_word(text, tokens.get(k), w);
    if word(i, "pub") {
        i += 1;
        if tokens.get(i).map(|t| t.kind) == Some(TokenKind::Open(Delim::Paren)) {
            i = tokens[i].partner as usize + 1;
        }
    }
    loop {
        if word(i, "use") || word(i, "static") || word(i, "type") {
            return true;
        }
        if word(i, "const") {
            return !["fn", "unsafe", "async", "extern", "safe"]
                .iter()
                .any(|w| word(i + 1, w));
        }
        if word(i, "extern") {
            if word(i + 1, "crate") {
                return true;
            }
            i += 1;
            if matches!(tokens.get(i).map(|t| t.kind), Some(TokenKind::Str(_))) {
                i += 1;
            }
            continue;
        }
        if ["unsafe", "async", "default", "safe", "auto"]
            .iter()
            .any(|w| word(i, w))
        {
            i += 1;
            continue;
        }
        return false;
    }
}

/// Whether the item `element` is one whose kind syn always reads as such (never as
/// unparsed "verbatim" tokens) and on which an attribute macro is accepted: a `fn` with a body,
/// `struct`, `enum`, `union`, an inline `mod`, `const` / `static` / `type` with a value, `use`.
/// Then an annotation in its leading attributes can be read from the attributes alone, the
/// item's extent being the element's.
pub(crate) fn is_plain_item(text: &str, tokens: &[Token], element: &Element) -> bool {
    if element.kind != ElementKind::Item {
        return false;
    }
    let end = element.tokens.end;
    let mut i = element.attrs_end;
    let word = |k: usize, w: &str| k < end && is_word(text, tokens.get(k), w);
    let kind = |k: usize| (k < end).then(|| tokens[k].kind);
    if word(i, "pub") {
        i += 1;
        if kind(i) == Some(TokenKind::Open(Delim::Paren)) {
            i = tokens[i].partner as usize + 1;
        }
    }
    let last = kind(end - 1);
    let has_top_level = |punct: u8| {
        let mut k = i;
        while k < end {
            match tokens[k].kind {
                TokenKind::Punct(p) if p == punct => return true,
                TokenKind::Open(_) => k = tokens[k].partner as usize + 1,
                _ => k += 1,
            }
        }
        false
    };
    let ident_follows = |k: usize| kind(k) == Some(TokenKind::Ident);
    if ["struct", "enum", "union"].iter().any(|w| word(i, w)) {
        return ident_follows(i + 1);
    }
    if word(i, "mod") {
        return ident_follows(i + 1) && kind(i + 2) == Some(TokenKind::Open(Delim::Brace));
    }
    if word(i, "use") {
        return true;
    }
    if word(i, "type") || word(i, "static") || word(i, "const") && !word(i + 1, "fn") {
        let fn_like = ["unsafe", "async", "extern", "safe"]
            .iter()
            .any(|w| word(i + 1, w));
        if !fn_like {
            return has_top_level(b'=') && last == Some(TokenKind::Punct(b';'));
        }
    }
    // fn, with const / async / unsafe / extern "abi" before it, and a body.
    loop {
        if ["const", "async", "unsafe"].iter().any(|w| word(i, w)) {
            i += 1;
        } else if word(i, "extern") {
            i += 1;
            if matches!(kind(i), Some(TokenKind::Str(_))) {
                i += 1;
            }
        } else {
            break;
        }
    }
    word(i, "fn") && last == Some(TokenKind::Close(Delim::Brace))
}

/// Whether the item `element` is a `use` or `extern crate` declaration.
pub(crate) fn is_use_item(text: &str, tokens: &[Token], element: &Element) -> bool {
    if element.kind != ElementKind::Item {
        return false;
    }
    let end = element.tokens.end;
    let mut i = element.attrs_end;
    let word = |k: usize, w: &str| k < end && is_word(text, tokens.get(k), w);
    if word(i, "pub") {
        i += 1;
        if i < end && tokens[i].kind == TokenKind::Open(Delim::Paren) {
            i = tokens[i].partner as usize + 1;
        }
    }
    word(i, "use") || word(i, "extern") && word(i + 1, "crate")
}

/// An upper bound, per token, of how deeply syn recurses to parse it: the nesting of the
/// groups around it plus, in each group, the tokens since the last `,` or `;` (a chain of
/// operators, `&&&&x` or `a.b().c()...` nests without delimiters). A `{...}` ends a chain
/// unless an operator, `.`, `?`, `else` or `as` continues it.
pub(crate) fn nesting(text: &str, tokens: &[Token]) -> Vec<u32> {
    struct Frame {
        base: u32,
        run: u32,
        after_block: bool,
    }
    let mut frames = vec![Frame {
        base: 0,
        run: 0,
        after_block: false,
    }];
    let mut costs = Vec::with_capacity(tokens.len());
    for token in tokens {
        let frame = frames
            .last_mut()
            .expect("the outermost frame is never popped");
        if frame.after_block {
            frame.after_block = false;
            let continues = match token.kind {
                TokenKind::Punct(p) => b".?+-*/%&|^<>=!".contains(&p),
                TokenKind::Ident => {
                    matches!(
                        &text[token.start as usize..token.end as usize],
                        "else" | "as"
                    )
                }
                _ => false,
            };
            if !continues {
                frame.run = 0;
            }
        }
        let cost = frame.base.saturating_add(frame.run).saturating_add(1);
        match token.kind {
            TokenKind::Open(_) => {
                frame.run += 1;
                costs.push(cost);
                frames.push(Frame {
                    base: cost,
                    run: 0,
                    after_block: false,
                });
            }
            TokenKind::Close(delim) => {
                if frames.len() > 1 {
                    frames.pop();
                }
                let parent = frames
                    .last_mut()
                    .expect("the outermost frame is never popped");
                costs.push(parent.base.saturating_add(parent.run));
                parent.after_block = delim == Delim::Brace;
            }
            TokenKind::Punct(b',' | b';') => {
                costs.push(cost);
                frame.run = 0;
            }
            _ => {
                frame.run += 1;
                costs.push(cost);
            }
        }
    }
    costs
}

/// `text` with everything outside `ranges` (sorted byte ranges) blanked: newlines kept, every
/// other character a space, so that what remains keeps its lines and columns.
pub(crate) fn padded(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for range in ranges {
        blank(&text[at..range.start], &mut out);
        out.push_str(&text[range.clone()]);
        at = range.end;
    }
    out
}

/// Append `gap` blanked: its newlines, then one space per character after the last one.
fn blank(gap: &str, out: &mut String) {
    let tail = match gap.rfind('\n') {
        Some(last) => {
            let newlines = memchr::memchr_iter(b'\n', gap.as_bytes()).count();
            out.extend(std::iter::repeat_n('\n', newlines));
            &gap[last + 1..]
        }
        None => gap,
    };
    let chars = if tail.is_ascii() {
        tail.len()
    } else {
        tail.chars().count()
    };
    out.extend(std::iter::repeat_n(' ', chars));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lexer::lex;

    fn pieces(text: &str) -> Vec<&str> {
        let tokens = lex(text).unwrap();
        split(text, &tokens, &nesting(text, &tokens))
            .iter()
            .map(|e| &text[e.bytes.clone()])
            .collect()
    }

    #[test]
    fn splits_items_where_they_end() {
        let text =
            "#![allow(x)]\n//! doc\nuse a::{b, c};\n/// f\n#[attr] pub(crate) fn f() -> u8 { 1 }\n\
                    const _: () = { };\nconst fn g() {}\nstruct S { a: u8 }\nstruct T(u8);\n\
                    m! { x }\nm!(y);\nextern crate z;\nextern \"C\" { fn h(); }\nimpl X for Y {}";
        assert_eq!(
            pieces(text),
            [
                "#![allow(x)]",
                "//! doc",
                "use a::{b, c};",
                "/// f\n#[attr] pub(crate) fn f() -> u8 { 1 }",
                "const _: () = { };",
                "const fn g() {}",
                "struct S { a: u8 }",
                "struct T(u8);",
                "m! { x }",
                "m!(y);",
                "extern crate z;",
                "extern \"C\" { fn h(); }",
                "impl X for Y {}"
            ]
        );
    }

    #[test]
    fn nesting_counts_groups_and_chains() {
        let depth = |text: &str| {
            let tokens = lex(text).unwrap();
            split(text, &tokens, &nesting(text, &tokens))[0].nesting
        };
        let parens = format!("fn f() {{ {}1{} }}", "(".repeat(1000), ")".repeat(1000));
        assert!(depth(&parens) > 1000);
        let chain = format!("fn f() {{ 1{} }}", " + 1".repeat(1000));
        assert!(depth(&chain) > 2000);
        let flat = format!("const A: [u8; 1000] = [{}];", "1, ".repeat(1000));
        assert!(depth(&flat) < 20);
        let items = format!("mod m {{ {} }}", "fn f() {} ".repeat(1000));
        assert!(depth(&items) < 20, "{}", depth(&items));
        let chained_blocks = format!("fn f() {{ x{} }}", ".f(|| {})".repeat(1000));
        assert!(depth(&chained_blocks) > 2000);
    }

    #[test]
    fn plain_items_are_those_syn_always_reads_as_items() {
        let plain = |text: &str| {
            let tokens = lex(text).unwrap();
            let elements = split(text, &tokens, &nesting(text, &tokens));
            is_plain_item(text, &tokens, &elements[0])
        };
        for text in [
            "#[a] pub(crate) fn f() {}",
            "#[a] const unsafe extern \"C\" fn f() {}",
            "#[a] struct S;",
            "#[a] pub enum E { A }",
            "#[a] union U { a: u8 }",
            "#[a] mod m { }",
            "#[a] const X: u8 = 1;",
            "#[a] static mut X: u8 = 1;",
            "#[a] type T = u8;",
            "#[a] use a::b;",
        ] {
            assert!(plain(text), "{text}");
        }
        for text in [
            "#[a] fn f();",
            "#[a] mod m;",
            "#[a] unsafe mod m {}",
            "#[a] const X: u8;",
            "#[a] type T;",
            "#[a] impl X {}",
            "#[a] safe fn f() {}",
            "#[a] m! {}",
            "#[a] macro_rules! m {}",
            "#![a]",
        ] {
            assert!(!plain(text), "{text}");
        }
    }

    #[test]
    fn padding_keeps_lines_and_columns() {
        let text = "aé b\ncc d\ne";
        let kept = padded(text, &[4..5, 9..10]);
        assert_eq!(kept, "   b\n   d");
    }
}
