//! The SQL candidates among the string literals of one item's tokens, as the build sees them
//! (the attribute `#[hc_requires]` receives its item as tokens): the tokens are written out
//! as a text and read by the scan's own walk (`literals::candidates`), so that what
//! counts as SQL, which macro or attribute holds a literal and how `concat!` joins literals
//! are decided exactly as `hc-schema check` decides them in the source.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

use super::lexer::{Delim, StrKind, Token, TokenKind};
use super::lines::LineIndex;
use super::literals::{candidates, lexer_value};
use super::model::{Container, ContainerKind, LiteralKind};
use super::sqlish::content_may_be_sql;

/// A literal of an item that could be SQL (see [`crate::scan::could_be_sql`]).
#[derive(Debug, Clone)]
pub struct ItemLiteral {
    /// Its value (escapes resolved; the pieces of a `concat!` joined).
    pub value: String,
    /// Plain or raw.
    pub kind: LiteralKind,
    /// The literal as written (the pieces of a `concat!` as the tokens print).
    pub written: String,
    /// The innermost macro invocation or attribute that holds it.
    pub container: Option<Container>,
    /// The literal token (the first piece of a `concat!`), for its place.
    pub token: proc_macro2::Literal,
    /// Whether it sits in a nested item carrying an attribute named `hc_requires` (which
    /// checks it itself), or in an `hc_sql!`/`hc_query!` call (checked as a query).
    pub guarded_elsewhere: bool,
}

/// Whether some string literal of `stream` could be SQL: a cheap look at each literal's
/// written text (the gate the scan applies before reading a literal), or a `concat!` (whose
/// literals joined may be), so that an item without SQL costs one walk over its tokens.
pub fn may_hold_sql(stream: &TokenStream) -> bool {
    let mut stack = vec![stream.clone().into_iter()];
    while let Some(iter) = stack.last_mut() {
        let Some(tree) = iter.next() else {
            stack.pop();
            continue;
        };
        match tree {
            TokenTree::Group(group) => {
                let inner = group.stream().into_iter();
                // Documentation (`#[doc = "..."]`, what `///` becomes) is never run.
                let doc = group.delimiter() == Delimiter::Bracket
                    && matches!(inner.clone().next(), Some(TokenTree::Ident(i)) if i == "doc");
                if !doc {
                    stack.push(inner);
                }
            }
            TokenTree::Ident(ident) if ident == "concat" => return true,
            TokenTree::Literal(literal) => {
                let written = literal.to_string();
                let bytes = written.as_bytes();
                let string = matches!(bytes.first(), Some(b'"' | b'r' | b'b' | b'c'))
                    && bytes.contains(&b'"');
                // Between the quotes (after `r#"`, `b"`...), as the gate reads a literal.
                let content = match (
                    bytes.iter().position(|&b| b == b'"'),
                    bytes.iter().rposition(|&b| b == b'"'),
                ) {
                    (Some(open), Some(close)) if open < close => &bytes[open + 1..close],
                    _ => bytes,
                };
                if string && content_may_be_sql(content) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Everything of `stream` that the SQL checks of its literals depend on, besides where the
/// literals are, as cache-key bytes appended to `key`: each token's text (a literal's with its
/// length), each group's delimiters, each punctuation's spacing. Its string literal tokens are
/// appended to `literals` in order, for the caller to add their places (the build knows them
/// from the spans). One walk over the tokens, without the scan: what the build's cache of an
/// item's checks is keyed by.
pub fn item_key(stream: TokenStream, key: &mut Vec<u8>, literals: &mut Vec<proc_macro2::Literal>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => (b'(', b')'),
                    Delimiter::Bracket => (b'[', b']'),
                    Delimiter::Brace => (b'{', b'}'),
                    Delimiter::None => (1, 2),
                };
                key.push(open);
                item_key(group.stream(), key, literals);
                key.push(close);
            }
            TokenTree::Ident(ident) => {
                key.extend_from_slice(ident.to_string().as_bytes());
                key.push(b' ');
            }
            TokenTree::Punct(punct) => {
                let mut buffer = [0; 4];
                key.extend_from_slice(punct.as_char().encode_utf8(&mut buffer).as_bytes());
                key.push(if punct.spacing() == Spacing::Joint {
                    3
                } else {
                    4
                });
            }
            TokenTree::Literal(literal) => {
                let written = literal.to_string();
                key.push(5);
                key.extend_from_slice(&(written.len() as u32).to_le_bytes());
                key.extend_from_slice(written.as_bytes());
                if written.ends_with(['"', '#']) {
                    literals.push(literal);
                }
            }
        }
    }
}

/// The literals of `stream` that could be SQL, each with its container and whether something
/// else guards it (an attribute path ending in `hc_requires` marks a nested annotation).
pub fn sql_literals(stream: TokenStream) -> Vec<ItemLiteral> {
    sql_literals_with(stream, &[REQUIRES.to_string()])
}

/// The attribute's own name.
const REQUIRES: &str = "hc_requires";

/// The names `text` (a source file) provably binds to `hc_requires` by its `use` declarations
/// (`use hc_schema_macro::hc_requires as needs;`, `use m::{hc_requires as a}`, an alias of an
/// alias `use needs as n;`), `hc_requires` itself first: what an attribute path ending in one
/// of them means there, as far as this one file tells (an alias made in another file is not
/// seen). An alias `X` counts only when it is proven: `X` is bound exactly once in the file,
/// by a `use` at the file's top level (not inside any `{}`), renaming `hc_requires` or an
/// alias proven before it (written `use a as X` or `use self::a as X`), and the word `X`
/// appears nowhere else but as an attribute (`#[X(`, or `X(` right after a comma inside
/// `cfg_attr(`) outside every inline `mod {}` block, or as the source of another such
/// top-level alias. Any other occurrence (another `use`, `fn X`, `macro_rules! X`, an
/// attribute inside a `mod {}` block, which sees the file's names only through a glob or a
/// rebinding) leaves `X` unproven, and a caller then takes `#[X]` for a foreign attribute
/// (stricter, never looser). A text that does not lex gives `hc_requires` alone.
pub fn requires_aliases(text: &str) -> Vec<String> {
    let mut names = vec![REQUIRES.to_string()];
    let Ok(tokens) = super::lexer::lex(text) else {
        return names;
    };
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Ident)
            .map(|t| super::resolve::unraw(&text[t.start as usize..t.end as usize]))
    };
    let punct = |k: usize, c: u8| tokens.get(k).is_some_and(|t| t.kind == TokenKind::Punct(c));
    // Every occurrence of every word, classified.
    #[derive(PartialEq)]
    enum Seen {
        /// `from as X` in a top-level `use`; whether `from` is written locally (`use from`,
        /// `use self::from`).
        Bound {
            from: String,
            local: bool,
        },
        /// `from` of `from as Y` in a top-level `use`.
        Source,
        /// An attribute's whole path, outside every `mod {}` block.
        Attribute,
        Other,
    }
    let mut seen: Vec<(String, Seen)> = Vec::new();
    // Open delimiters: (index, kind, whether a `mod NAME {` block or a `macro_rules!` body,
    // whose names are resolved elsewhere).
    let mut open: Vec<(usize, Delim, bool)> = Vec::new();
    // The index of the `use` whose statement is being read, when at the top level.
    let mut top_use: Option<usize> = None;
    for (k, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Open(delim) => {
                let is_mod = (delim == Delim::Brace
                    && k >= 2
                    && word(k - 1).is_some()
                    && word(k - 2).as_deref() == Some("mod"))
                    || (k >= 3
                        && word(k - 1).is_some()
                        && punct(k - 2, b'!')
                        && word(k - 3).as_deref() == Some("macro_rules"));
                open.push((k, delim, is_mod));
                continue;
            }
            TokenKind::Close(_) => {
                open.pop();
                continue;
            }
            TokenKind::Punct(b';') if top_use.is_some() => {
                top_use = None;
                continue;
            }
            _ => {}
        }
        let Some(w) = word(k) else { continue };
        if w == "use" && open.is_empty() && top_use.is_none() {
            top_use = Some(k);
            continue;
        }
        let in_mod = open.iter().any(|(_, _, is_mod)| *is_mod);
        let class = if let Some(start) = top_use {
            if k >= 2 && word(k - 1).as_deref() == Some("as") && k - 2 > start {
                match word(k - 2) {
                    Some(from) => {
                        let local = k - 3 == start
                            || (k - 3 > start + 2
                                && punct(k - 3, b':')
                                && punct(k - 4, b':')
                                && k - 5 == start + 1
                                && word(k - 5).as_deref() == Some("self"));
                        Seen::Bound { from, local }
                    }
                    None => Seen::Other,
                }
            } else if word(k + 1).as_deref() == Some("as") && word(k + 2).is_some() {
                Seen::Source
            } else {
                Seen::Other
            }
        } else {
            let after_pound = k >= 2
                && matches!(tokens[k - 1].kind, TokenKind::Open(Delim::Bracket))
                && (punct(k - 2, b'#') || (punct(k - 2, b'!') && punct(k - 3, b'#')));
            let in_cfg_attr = k >= 1
                && punct(k - 1, b',')
                && open.last().is_some_and(|&(at, d, _)| {
                    d == Delim::Paren && at >= 1 && word(at - 1).as_deref() == Some("cfg_attr")
                });
            let path_goes_on = punct(k + 1, b':');
            if (after_pound || in_cfg_attr) && !path_goes_on && !in_mod {
                Seen::Attribute
            } else {
                Seen::Other
            }
        };
        seen.push((w, class));
    }
    loop {
        let before = names.len();
        let mut candidates: Vec<&str> = seen
            .iter()
            .filter(|(_, c)| matches!(c, Seen::Bound { .. }))
            .map(|(w, _)| w.as_str())
            .collect();
        candidates.dedup();
        for alias in candidates {
            if alias == "_" || names.iter().any(|n| n == alias) {
                continue;
            }
            let mut bound = 0;
            let mut proven = true;
            for (w, class) in &seen {
                if w != alias {
                    continue;
                }
                match class {
                    Seen::Bound { from, local } => {
                        bound += 1;
                        let from_ok =
                            from == REQUIRES || (*local && names.iter().any(|n| n == from));
                        proven &= from_ok;
                    }
                    Seen::Source | Seen::Attribute => {}
                    Seen::Other => proven = false,
                }
            }
            if proven && bound == 1 {
                names.push(alias.to_string());
            }
        }
        if names.len() == before {
            return names;
        }
    }
}

/// [`sql_literals`], where an attribute path ending in one of `names` (see
/// [`requires_aliases`]) marks a nested annotation, written directly or inside `cfg_attr`.
pub fn sql_literals_with(stream: TokenStream, names: &[String]) -> Vec<ItemLiteral> {
    let mut written = Written::default();
    written.stream(stream);
    let Written {
        text,
        tokens,
        literals,
        ..
    } = written;
    let lines = LineIndex::new(&text);
    let found = candidates(&text, &lines, &tokens, |k| lexer_value(&text, &tokens[k]));
    let guarded = guarded_ranges(&text, &tokens, names);
    found
        .into_iter()
        .filter_map(|candidate| {
            let offset = |at: super::model::Position| {
                lines.offset(&text, at.line as usize, at.column as usize - 1)
            };
            let start = offset(candidate.literal.extent.start);
            let end = offset(candidate.literal.extent.end);
            let k = literals.iter().position(|(at, _)| *at == start)?;
            let in_sql_macro = candidate.container.as_ref().is_some_and(|c| {
                c.kind == ContainerKind::Macro
                    && matches!(c.path.rsplit("::").next(), Some("hc_sql" | "hc_query"))
            });
            let nested = guarded.iter().any(|r| r.contains(&start));
            Some(ItemLiteral {
                value: candidate.literal.value,
                kind: candidate.literal.kind,
                written: text[start..end].to_string(),
                container: candidate.container,
                token: literals[k].1.clone(),
                guarded_elsewhere: in_sql_macro || nested,
            })
        })
        .collect()
}

/// Whether the attribute or `cfg_attr` entry `tokens[from..to]` is a path ending in one of
/// `names`, or a `cfg_attr(predicate, ...)` holding one (at any
/// depth of nested `cfg_attr`).
fn names_annotation(
    text: &str,
    tokens: &[Token],
    from: usize,
    to: usize,
    names: &[String],
) -> bool {
    let mut last = None;
    let mut k = from;
    while k < to {
        match tokens[k].kind {
            TokenKind::Ident => {
                last = Some(&text[tokens[k].start as usize..tokens[k].end as usize])
            }
            TokenKind::Punct(b':') => {}
            _ => break,
        }
        k += 1;
    }
    let Some(last) = last else {
        return false;
    };
    let list = k < to && tokens.get(k).map(|t| t.kind) == Some(TokenKind::Open(Delim::Paren));
    if last == "cfg_attr" && k == from + 1 && list {
        let close = tokens[k].partner as usize;
        // The entries after the predicate, split at the commas of this depth.
        let mut start = k + 1;
        let mut j = k + 1;
        let mut first = true;
        while j <= close && j < tokens.len() {
            let at_end = j == close || tokens[j].kind == TokenKind::Punct(b',');
            if at_end {
                if !first && names_annotation(text, tokens, start, j, names) {
                    return true;
                }
                first = false;
                start = j + 1;
            } else if let TokenKind::Open(_) = tokens[j].kind {
                j = tokens[j].partner as usize;
            }
            j += 1;
        }
        return false;
    }
    names
        .iter()
        .any(|n| n == super::resolve::unraw(last).as_str())
}

/// The byte ranges of the written text that are items nested in the item and annotated with
/// an attribute whose path ends in one of `names` (directly or inside `cfg_attr`): from the
/// attribute to the item's end (its first `;` or brace group at the attribute's depth, with a
/// `;` right after that group).
fn guarded_ranges(text: &str, tokens: &[Token], names: &[String]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for k in 1..tokens.len() {
        let hash = &tokens[k - 1];
        if hash.kind != TokenKind::Punct(b'#') || tokens[k].kind != TokenKind::Open(Delim::Bracket)
        {
            continue;
        }
        let close = tokens[k].partner as usize;
        if close >= tokens.len() {
            continue;
        }
        if !names_annotation(text, tokens, k + 1, close, names) {
            continue;
        }
        // The item's end: the first `;`, or brace group, at this depth after the attribute.
        let mut j = close + 1;
        let mut end = text.len();
        while j < tokens.len() {
            match tokens[j].kind {
                TokenKind::Punct(b';') => {
                    end = tokens[j].end as usize;
                    break;
                }
                TokenKind::Open(Delim::Brace) => {
                    let partner = (tokens[j].partner as usize).min(tokens.len() - 1);
                    end = tokens[partner].end as usize;
                    if tokens.get(partner + 1).map(|t| t.kind) == Some(TokenKind::Punct(b';')) {
                        end = tokens[partner + 1].end as usize;
                    }
                    break;
                }
                TokenKind::Open(_) => j = tokens[j].partner as usize,
                TokenKind::Close(_) => {
                    end = tokens[j].start as usize;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        out.push(hash.start as usize..end);
    }
    out
}

/// The tokens written out as a text the scan's walk reads: each token as it prints, spaced so
/// that no two merge, and where each literal token is.
#[derive(Default)]
struct Written {
    text: String,
    tokens: Vec<Token>,
    /// Each literal token and where it starts in `text`.
    literals: Vec<(usize, proc_macro2::Literal)>,
}

impl Written {
    fn stream(&mut self, stream: TokenStream) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    if group.delimiter() == Delimiter::None {
                        self.stream(group.stream());
                        continue;
                    }
                    let (open, close, delim) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")", Delim::Paren),
                        Delimiter::Bracket => ("[", "]", Delim::Bracket),
                        _ => ("{", "}", Delim::Brace),
                    };
                    let index = self.push(TokenKind::Open(delim), open);
                    self.stream(group.stream());
                    let closing = self.push(TokenKind::Close(delim), close);
                    self.tokens[index].partner = closing as u32;
                    self.tokens[closing].partner = index as u32;
                }
                TokenTree::Ident(ident) => {
                    self.push(TokenKind::Ident, &ident.to_string());
                }
                TokenTree::Punct(punct) => {
                    let mut buffer = [0; 4];
                    let c = punct.as_char();
                    let kind = if c.is_ascii() {
                        TokenKind::Punct(c as u8)
                    } else {
                        TokenKind::Punct(b'?')
                    };
                    self.push(kind, c.encode_utf8(&mut buffer));
                    // Joint punctuation stays joint (`'a` is a lifetime, `::` a path).
                    if punct.spacing() == Spacing::Joint {
                        self.text.pop();
                    }
                }
                TokenTree::Literal(literal) => {
                    let written = literal.to_string();
                    let kind = super::literals::literal_kind(&written);
                    let start = self.text.len();
                    self.push(kind, &written);
                    if matches!(kind, TokenKind::Str(StrKind { .. })) {
                        self.literals.push((start, literal));
                    }
                }
            }
        }
    }

    /// Append a token written `written`, then a space; its index.
    fn push(&mut self, kind: TokenKind, written: &str) -> usize {
        let start = self.text.len() as u32;
        self.text.push_str(written);
        let end = self.text.len() as u32;
        self.text.push(' ');
        self.tokens.push(Token {
            kind,
            start,
            end,
            partner: u32::MAX,
        });
        self.tokens.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lexer::lex;

    /// What the scan's fast path finds in `text`: each candidate's value and container.
    fn scanned(text: &str) -> Vec<(String, Option<Container>)> {
        let lines = LineIndex::new(text);
        let tokens = lex(text).unwrap();
        candidates(text, &lines, &tokens, |k| lexer_value(text, &tokens[k]))
            .into_iter()
            .map(|c| (c.literal.value, c.container))
            .collect()
    }

    /// Generated items (literal forms, macros holding them, `concat!`, doc comments, nested
    /// annotated items, `hc_sql!`): the literals found in the item's tokens are the scan's,
    /// with the same values and containers (doc comments aside: the tokens show them as
    /// `#[doc = "..."]`, which the lint reads as documentation), and exactly those in nested
    /// annotated items or `hc_sql!` are guarded elsewhere. Never a panic.
    #[test]
    fn generated_items_read_like_the_scan() {
        let pieces = [
            r#"let a = "SELECT name FROM salesforce.account";"#,
            r##"let b = r#"UPDATE contact SET "email" = $1"#;"##,
            r#"let c = "SELECT\tname FROM account WHERE x = \"y\"";"#,
            r#"let d = format!("SELECT {} FROM {schema}.account", cols);"#,
            r#"write!(out, "{}", "DELETE FROM salesforce.contact").unwrap();"#,
            r#"let e = concat!("SELECT name ", "FROM salesforce.account");"#,
            r#"let f = b"TRUNCATE salesforce.contact";"#,
            r#"let g = hc_sql!("SELECT name FROM salesforce.account");"#,
            r#"let h = hc_schema_macro::hc_query!("SELECT sfid FROM salesforce.account WHERE name = $1", n);"#,
            r#"let i = "not sql at all";"#,
            r#"let j = 'x'; let k: &'static str = "SELECT ($1::account).name";"#,
            "/// SELECT a FROM salesforce.account\nfn doc() {}",
            r#"#[hc_requires(contact(email))] fn inner() -> &'static str { "SELECT email FROM contact" }"#,
            r#"#[hc_schema_macro::hc_requires(contact(email))] const Q: &str = "SELECT email FROM contact";"#,
            r#"#[needs(contact(email))] const R: &str = "SELECT email FROM contact";"#,
            r#"#[cfg_attr(any(), inline, hc_requires(contact(email)))] fn c() -> &'static str { "SELECT email FROM contact" }"#,
            r#"#[cfg_attr(unix, cfg_attr(test, r#needs(contact(email))))] fn d() -> &'static str { "SELECT email FROM contact" }"#,
            r#"#[cfg_attr(unix, inline)] fn e() -> &'static str { "SELECT email, x FROM salesforce.contact" }"#,
            r#"#[other(contact(email))] fn o() -> &'static str { "SELECT email, x FROM salesforce.contact" }"#,
            r#"struct S { x: u8 } let s = S { x: 1 }; let l = "VACUUM salesforce.account";"#,
        ];
        let mut rng = crate::testing::Rng::exact(0x5eed_1713);
        let mut next = move |n: usize| rng.below(n);
        let mut guarded = 0;
        for round in 0..400 {
            let body: Vec<&str> = (0..1 + next(6))
                .map(|_| pieces[next(pieces.len())])
                .collect();
            let text = format!("fn item{round}() {{\n    {}\n}}\n", body.join("\n    "));
            let stream: TokenStream = text.parse().unwrap();
            let found = sql_literals_with(stream.clone(), &["hc_requires".into(), "needs".into()]);
            let from_tokens: Vec<(String, Option<Container>)> = found
                .iter()
                .filter(|l| l.container.as_ref().is_none_or(|c| c.path != "doc"))
                .map(|l| (l.value.clone(), l.container.clone()))
                .collect();
            assert_eq!(from_tokens, scanned(&text), "{text}");
            for literal in &found {
                let expect = literal.value.contains("email FROM contact")
                    || literal.container.as_ref().is_some_and(|c| {
                        c.path.ends_with("hc_sql") || c.path.ends_with("hc_query")
                    });
                assert_eq!(literal.guarded_elsewhere, expect, "{literal:?} in {text}");
                guarded += usize::from(expect);
                assert!(literal.token.to_string().starts_with(['"', 'r', 'b', 'c']));
            }
            assert!(may_hold_sql(&stream) || from_tokens.is_empty(), "{text}");
        }
        assert!(guarded > 100, "{guarded}");
    }

    /// The names a file provably binds to `hc_requires`: aliases, local aliases of aliases,
    /// in use trees, raw words, used as attributes or inside `cfg_attr`; not other renames, not
    /// a word bound twice, used otherwise or as an attribute inside a `mod {}` block.
    #[test]
    fn aliases_of_the_attribute_in_a_file() {
        let text = "use hc_schema_macro::hc_requires as needs;\n\
                    pub(crate) use self::{needs as r#req, other as x};\n\
                    use needs as n2;\n\
                    use crate::needs as far;\n\
                    use std::io as hc_requires2;\n\
                    #[needs(account(name))]\n\
                    #[cfg_attr(test, req(account(name)))]\n\
                    #![n2(a(b))]\n\
                    fn f() { #[far(a(b))] fn g() {} }\n\
                    use hc_schema_macro::hc_requires as _;\n";
        // `req` is written `self::{needs as req}`: not the local forms `use needs as` or
        // `use self::needs as`; `far` goes through `crate::`, another module in another file.
        assert_eq!(requires_aliases(text), ["hc_requires", "needs", "n2"]);
        assert_eq!(requires_aliases("fn f() {}"), ["hc_requires"]);
        assert_eq!(requires_aliases("\"unclosed"), ["hc_requires"]);
        let proven = "#[allow(unused_imports)]\n\
                      use hc_schema_macro::hc_requires as req;\n\
                      #[hc_schema_macro::hc_requires(account(name))]\n\
                      pub mod outer {}\n\
                      #[req(account(name))]\n\
                      pub fn f() {}\n";
        assert_eq!(requires_aliases(proven), ["hc_requires", "req"]);
        // Each of these makes `req` unproven.
        for unproven in [
            // The attacker's case: a module rebinds the word to another attribute.
            "#[hc_schema_macro::hc_requires(account(name))]\n\
             pub mod outer {\n    use noop::keep as req;\n    #[req(account(nope__c))]\n    \
             pub fn f() -> &'static str { \"SELECT nope__c FROM salesforce.account\" }\n}\n",
            // A module that rebinds it without using it.
            "mod m { use noop::keep as req; }\n",
            // Used in a `mod {}` block (seen there only through a glob or a rebinding).
            "#[hc_requires(a(b))]\nmod outer {\n    use super::*;\n    #[req(a(c))]\n    fn f() {}\n}\n",
            // A function, a macro, a second binding, a plain `use` of the word.
            "fn req() {}\n",
            "macro_rules! req { () => {} }\n",
            "use noop::keep as req;\n",
            "use noop::req;\n",
            // Used other than as a whole attribute path.
            "fn f() { let req = 1; }\n",
            "#[req::inner(a(b))]\nfn f() {}\n",
            "#[derive(req)]\nstruct S;\n",
            // An attribute in a macro body, resolved where the macro is called.
            "macro_rules! m { () => { #[req(a(b))] fn f() {} } }\n",
            // Bound inside a block, a macro body, or not at the top level.
            "fn f() { use hc_schema_macro::hc_requires as req; }\n",
            "macro_rules! m ( () => ( use hc_schema_macro::hc_requires as req; ) );\n",
        ] {
            let text = format!("use hc_schema_macro::hc_requires as req;\n{unproven}");
            assert_eq!(requires_aliases(&text), ["hc_requires"], "{text}");
        }
        // Bound only inside a module: never an alias here.
        assert_eq!(
            requires_aliases(
                "mod m { use hc_schema_macro::hc_requires as req; #[req(a(b))] fn f() {} }"
            ),
            ["hc_requires"]
        );
    }
}
