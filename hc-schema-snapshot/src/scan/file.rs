//! One file through the scan, two ways that must agree.
//!
//! - Fast: a byte search for the names that matter; only the top-level items that mention
//!   one are parsed with syn (the rest of the file blanked out, so positions hold), and of an
//!   ordinary item (`fn`, `struct`, ...) that mentions them only in its leading attributes,
//!   only those attributes. String literals come from the lexer, and only when a skim says
//!   one could be SQL.
//! - Full (the reference the tests compare against): the whole file parsed with syn and every
//!   node visited; literals from proc-macro2's tokens. When syn rejects the whole file (or it
//!   nests too deeply to parse safely), it reads the file as the fast path does: a syntax
//!   error outside the items that mention hc-schema's names is the compiler's business.
//!
//! Either way a file that names hc-schema's macros and cannot be read is an error naming it.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::visit::Visit;

use super::bindings::Collector;
use super::elements::{self, Element};
use super::lexer::{self, LexError, Token, TokenKind};
use super::lines::LineIndex;
use super::literals::{self, Candidate};
use super::model::{ErrorKind, Extent, Position};
use super::names::NameSet;
use super::plain;
use super::quick;
use super::resolve::{Aliases, Binding};
use super::visit::{self, start_of, Found, FoundError, LightItem, Pieces, PlainItem};

/// Which way to read files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Parse only what can matter (the default).
    #[default]
    Fast,
    /// Parse every file whole with syn: the reference for tests, and a way to rule out a
    /// fast-path bug. Slow on big trees.
    FullParse,
}

/// A file's text and what has been worked out about it.
pub(crate) struct FileState {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The path shown to users.
    pub display: String,
    /// Where each name searched for so far occurs.
    hits: HashMap<String, Vec<usize>>,
    tokens: Option<Result<Vec<Token>, LexError>>,
    /// Top-level elements, for files that mention a name.
    elements: Option<Vec<Element>>,
    lines: Option<LineIndex>,
    /// The bindings of the top-level `use` and `extern crate` declarations that mention a
    /// name, from pass one (`None` when it could not read them).
    top_bindings: Option<Vec<Binding>>,
}

/// A literal that could be SQL, with the annotations and `hc_sql!` call around it (indices
/// into the file's [`Found`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardedLiteral {
    pub candidate: Candidate,
    pub annotations: Vec<usize>,
    pub hc_sql: Option<usize>,
    pub in_malformed_annotation: bool,
}

/// What the main pass found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileScan {
    pub found: Found,
    pub literals: Vec<GuardedLiteral>,
}

/// What parsing the elements that matter gave.
#[derive(Default)]
struct Parsed {
    /// The elements parsed whole (or the whole file).
    tree: Option<syn::File>,
    /// Items read from their parsed attributes.
    light: Vec<LightItem>,
    /// Items read from their attributes' text.
    plain: Vec<PlainItem>,
    /// Simple `use` declarations read from their tokens (when every element pass one needs
    /// is one), in order.
    uses: Vec<Binding>,
}

/// Pass one reads `use` declarations; the main pass reads everything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Bindings,
    Findings,
}

impl FileState {
    /// A file's text (a byte-order mark is dropped, as rustc does).
    pub(crate) fn new(text: String, display: String) -> FileState {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        FileState {
            text,
            display,
            hits: HashMap::new(),
            tokens: None,
            elements: None,
            lines: None,
            top_bindings: Some(Vec::new()),
        }
    }

    /// Where the names of `names` occur, sorted (searched once per name and file).
    pub(crate) fn hits(&mut self, names: &NameSet) -> Vec<usize> {
        if !names.names().iter().all(|n| self.hits.contains_key(n)) {
            let found = names.find_each(self.text.as_bytes());
            for (name, offsets) in names.names().iter().zip(found) {
                self.hits.insert(name.clone(), offsets);
            }
        }
        let mut all: Vec<usize> = names
            .names()
            .iter()
            .flat_map(|n| self.hits[n].iter().copied())
            .collect();
        all.sort_unstable();
        all
    }

    fn tokens(&mut self) -> &Result<Vec<Token>, LexError> {
        let text = &self.text;
        self.tokens.get_or_insert_with(|| lexer::lex(text))
    }

    /// The top-level elements (the file lexes).
    fn elements(&mut self) -> &[Element] {
        if self.elements.is_none() {
            let Some(Ok(tokens)) = &self.tokens else {
                unreachable!("called after a successful lex")
            };
            let costs = elements::nesting(&self.text, tokens);
            self.elements = Some(elements::split(&self.text, tokens, &costs));
        }
        self.elements.as_deref().unwrap_or_default()
    }

    fn lines(&mut self) -> &LineIndex {
        let text = &self.text;
        self.lines.get_or_insert_with(|| LineIndex::new(text))
    }

    fn position(&mut self, offset: usize) -> Position {
        self.lines();
        let lines = self.lines.as_ref().expect("just built");
        lines.position(&self.text, offset.min(self.text.len()))
    }

    /// The error for a lexer failure, or `None` when the text lexes.
    fn lex_error(&mut self) -> Option<FoundError> {
        let err = self.tokens().as_ref().err()?.clone();
        Some(FoundError {
            position: self.position(err.offset),
            kind: ErrorKind::Unparsed,
            message: format!(
                "this file does not parse ({}), so the hc-schema annotations and hc_sql! calls in \
                 it are not checked; fix the syntax error",
                err.message
            ),
        })
    }

    /// Parse what matters of the elements that mention a name of `names` (for bindings: only
    /// those holding `use` or `extern`), the rest blanked. `None` when no element qualifies.
    fn parse_elements(
        &mut self,
        names: &NameSet,
        aliases: &Aliases,
        purpose: Purpose,
        limit: u32,
    ) -> Option<Result<Parsed, FoundError>> {
        let hits = self.hits(names);
        if hits.is_empty() {
            return None;
        }
        if let Some(err) = self.lex_error() {
            return Some(Err(err));
        }
        self.elements();
        self.lines();
        let text = &self.text;
        let (Some(Ok(tokens)), Some(all), Some(lines)) =
            (&self.tokens, &self.elements, &self.lines)
        else {
            unreachable!("computed above")
        };
        let display = &self.display;
        // The elements that mention a name, with where.
        let mut mentioned: Vec<(&Element, Vec<usize>)> = Vec::new();
        let mut next_hit = hits.iter().peekable();
        for element in all {
            while next_hit.next_if(|&&h| h < element.bytes.start).is_some() {}
            let mut inside = Vec::new();
            while let Some(hit) = next_hit.next_if(|&&h| h < element.bytes.end) {
                inside.push(*hit);
            }
            if !inside.is_empty() {
                mentioned.push((element, inside));
            }
        }
        let mut whole: Vec<&Element> = Vec::new();
        let mut light: Vec<&Element> = Vec::new();
        let mut plain: Vec<PlainItem> = Vec::new();
        match purpose {
            Purpose::Bindings => {
                whole.extend(
                    mentioned
                        .iter()
                        .map(|(e, _)| *e)
                        .filter(|e| holds_use(text, &tokens[e.tokens.clone()])),
                );
                // Simple `use` declarations need no parser; when all are, none is parsed.
                let uses: Option<Vec<Binding>> = whole
                    .iter()
                    .map(|e| plain::read_use(text, tokens, e.tokens.clone()))
                    .collect();
                if let Some(uses) = uses.filter(|u| !u.is_empty()) {
                    return Some(Ok(Parsed {
                        uses,
                        ..Parsed::default()
                    }));
                }
            }
            Purpose::Findings => {
                for (element, inside) in &mentioned {
                    let attrs_end = tokens
                        .get(element.attrs_end)
                        .map_or(element.bytes.end, |t| t.start as usize);
                    let in_attributes = inside.iter().all(|&h| h < attrs_end);
                    let after_attributes = inside.iter().all(|&h| h >= attrs_end);
                    if in_attributes && elements::is_plain_item(text, tokens, element) {
                        let read = self.top_bindings.as_deref().and_then(|bindings| {
                            let file = (text.as_str(), tokens.as_slice(), lines, display.as_str());
                            plain_item(file, element, inside, bindings, aliases)
                        });
                        match read {
                            Some(item) => plain.push(item),
                            None => light.push(element),
                        }
                    } else if after_attributes
                        && self.top_bindings.is_some()
                        && elements::is_use_item(text, tokens, element)
                    {
                        // Its bindings came from pass one; a `use` declares nothing else.
                    } else {
                        whole.push(element);
                    }
                }
            }
        }
        if whole.is_empty() && light.is_empty() && plain.is_empty() {
            return None;
        }
        // What is parsed must fit: whole elements, and the attributes of the others.
        let too_deep_at = whole
            .iter()
            .map(|e| (e, e.nesting))
            .chain(light.iter().map(|e| (e, e.attrs_nesting)))
            .find(|(_, nesting)| *nesting > limit);
        if let Some((deep, nesting)) = too_deep_at {
            return Some(Err(FoundError {
                position: lines.position(text, deep.bytes.start),
                kind: ErrorKind::Unparsed,
                message: too_deep(nesting, limit),
            }));
        }
        let whole_fits = all.iter().all(|e| e.nesting <= limit);
        let parsed = parse_pieces(text, tokens, lines, &whole, &light);
        Some(match parsed {
            Ok(mut parsed) => {
                parsed.plain = plain;
                Ok(parsed)
            }
            Err(err) => {
                // The split may be wrong (a `{}` inside an item's header): try the whole file.
                match whole_fits.then(|| syn::parse_file(text).ok()).flatten() {
                    Some(tree) => Ok(Parsed {
                        tree: Some(tree),
                        ..Parsed::default()
                    }),
                    None => Err(FoundError {
                        position: start_of(err.span()),
                        kind: ErrorKind::Unparsed,
                        message: format!(
                            "this does not parse ({err}), so the hc-schema annotations and \
                             hc_sql! calls in it are not checked; fix the syntax error"
                        ),
                    }),
                }
            }
        })
    }

    /// The whole file through proc-macro2 and syn, when it lexes, parses and is shallow
    /// enough (by proc-macro2's tokens and, when it lexes, by the lexer's).
    fn whole(&mut self, limit: u32) -> Option<(syn::File, Vec<Token>, HashMap<usize, String>)> {
        let start = lexer::code_start(&self.text);
        let code = format!("{}{}", " ".repeat(start), &self.text[start..]);
        let stream: TokenStream = code.parse().ok()?;
        self.lines();
        let lines = self.lines.as_ref().expect("just built");
        let (tokens, values) = literals::from_proc_macro2(&self.text, lines, stream.clone());
        let deepest = elements::nesting(&self.text, &tokens)
            .into_iter()
            .max()
            .unwrap_or(0);
        if deepest > limit {
            return None;
        }
        if self.tokens().is_ok() && self.elements().iter().any(|e| e.nesting > limit) {
            return None;
        }
        let tree = syn::parse2::<syn::File>(stream).ok()?;
        Some((tree, tokens, values))
    }
}

/// Parse the `whole` elements as a file, and the leading attributes of the `light` ones.
fn parse_pieces(
    text: &str,
    tokens: &[Token],
    lines: &LineIndex,
    whole: &[&Element],
    light: &[&Element],
) -> syn::Result<Parsed> {
    let tree = if whole.is_empty() {
        None
    } else {
        let ranges: Vec<_> = whole.iter().map(|e| e.bytes.clone()).collect();
        Some(syn::parse_file(&elements::padded(text, &ranges))?)
    };
    let mut items = Vec::new();
    if !light.is_empty() {
        let ranges: Vec<_> = light
            .iter()
            .map(|e| e.bytes.start..tokens[e.attrs_end - 1].end as usize)
            .collect();
        let mut attrs = syn::Attribute::parse_outer
            .parse_str(&elements::padded(text, &ranges))?
            .into_iter();
        for element in light {
            let count = attribute_count(tokens, element.tokens.start..element.attrs_end);
            items.push(LightItem {
                attrs: attrs.by_ref().take(count).collect(),
                extent: Extent {
                    start: lines.position(text, element.bytes.start),
                    end: lines.position(text, element.bytes.end),
                },
            });
        }
    }
    Ok(Parsed {
        tree,
        light: items,
        ..Parsed::default()
    })
}

/// An item whose leading attributes mention hc-schema's names only in ordinary annotations
/// (`hits` are where), read from their text; `None` when one of them needs syn.
fn plain_item(
    (text, tokens, lines, display): (&str, &[Token], &LineIndex, &str),
    element: &Element,
    hits: &[usize],
    file_bindings: &[Binding],
    aliases: &Aliases,
) -> Option<PlainItem> {
    let mut attrs = Vec::new();
    let mut i = element.tokens.start;
    while i < element.attrs_end {
        let end = match tokens[i].kind {
            TokenKind::Punct(b'#') => tokens[i + 1].partner as usize + 1,
            _ => i + 1,
        };
        let bytes = tokens[i].start as usize..tokens[end - 1].end as usize;
        if hits.iter().any(|h| bytes.contains(h)) {
            if !matches!(tokens[i].kind, TokenKind::Punct(b'#')) {
                return None; // a doc comment that mentions a name: let syn read it
            }
            let attr = plain::read(text, tokens, i..end, lines, display)?;
            if !visit::is_requires_at_top_level(&attr.path, file_bindings, aliases) {
                return None;
            }
            attrs.push(attr);
        }
        i = end;
    }
    Some(PlainItem {
        attrs,
        extent: Extent {
            start: lines.position(text, element.bytes.start),
            end: lines.position(text, element.bytes.end),
        },
    })
}

/// How many attributes (`#[...]` and doc comments) the leading attribute tokens
/// `tokens[attributes]` hold (those nested inside an attribute's brackets are part of it).
fn attribute_count(tokens: &[Token], attributes: std::ops::Range<usize>) -> usize {
    let (mut count, mut i) = (0, attributes.start);
    while i < attributes.end {
        i = match tokens[i].kind {
            TokenKind::Punct(b'#') => tokens[i + 1].partner as usize + 1,
            _ => i + 1,
        };
        count += 1;
    }
    count
}

/// Whether tokens hold the word `use` or `extern`.
fn holds_use(text: &str, tokens: &[Token]) -> bool {
    tokens.iter().any(|t| {
        t.kind == TokenKind::Ident
            && matches!(&text[t.start as usize..t.end as usize], "use" | "extern")
    })
}

fn too_deep(deepest: u32, limit: u32) -> String {
    format!(
        "this item nests about {deepest} levels deep (groups and chains of operators), more than \
         the {limit} the scan parses safely, so the hc-schema annotations and hc_sql! calls in \
         it are not checked; split the deeply nested expression or item"
    )
}

/// Pass one: the `use` and `extern crate` bindings of a file that may create aliases (those
/// in items mentioning `names`), and what could not be read.
pub(crate) fn bindings(
    state: &mut FileState,
    names: &NameSet,
    limit: u32,
    strategy: Strategy,
) -> (Vec<Binding>, Vec<FoundError>) {
    let whole = match strategy {
        Strategy::FullParse => state.whole(limit).map(|(tree, _, _)| tree),
        Strategy::Fast => None,
    };
    let tree = match whole {
        Some(tree) => tree,
        None => match state.parse_elements(names, &Aliases::default(), Purpose::Bindings, limit) {
            None => {
                state.top_bindings = Some(Vec::new());
                return (Vec::new(), Vec::new());
            }
            Some(Err(err)) => {
                state.top_bindings = None;
                return (Vec::new(), vec![err]);
            }
            Some(Ok(Parsed {
                tree: Some(tree), ..
            })) => tree,
            Some(Ok(Parsed {
                tree: None, uses, ..
            })) => {
                state.top_bindings = Some(uses.clone());
                return (uses, Vec::new());
            }
        },
    };
    state.top_bindings = Some(visit::top_level_bindings(tree.items.iter()));
    let mut collector = Collector::default();
    collector.visit_file(&tree);
    (collector.bindings, Vec::new())
}

/// The main pass: annotations, `hc_sql!` calls, misplaced and hidden ones, and literals that
/// could be SQL. `names` are the macros' names and aliases; `aliases` the file's crate's.
pub(crate) fn scan(
    state: &mut FileState,
    names: &NameSet,
    aliases: &Aliases,
    limit: u32,
    strategy: Strategy,
) -> FileScan {
    if strategy == Strategy::FullParse {
        if let Some((tree, tokens, values)) = state.whole(limit) {
            let pieces = Pieces {
                tree: Some(&tree),
                ..Pieces::default()
            };
            let found = visit::find(pieces, &state.display, aliases);
            drop(tree);
            let lines = state.lines.as_ref().expect("built by whole()");
            let candidates =
                literals::candidates(&state.text, lines, &tokens, |k| values.get(&k).cloned());
            return guard(found, candidates);
        }
    }
    let found = match state.parse_elements(names, aliases, Purpose::Findings, limit) {
        None => Found::default(),
        Some(Ok(parsed)) => {
            let pieces = Pieces {
                tree: parsed.tree.as_ref(),
                light: &parsed.light,
                plain: &parsed.plain,
                file_bindings: state.top_bindings.as_deref().unwrap_or_default(),
            };
            visit::find(pieces, &state.display, aliases)
        }
        Some(Err(err)) => {
            return FileScan {
                found: Found {
                    errors: vec![err],
                    ..Found::default()
                },
                literals: Vec::new(),
            }
        }
    };
    if !quick::may_hold_sql(&state.text) {
        return guard(found, Vec::new());
    }
    state.tokens();
    state.lines();
    let (text, lines) = (&state.text, state.lines.as_ref().expect("just built"));
    let candidates = match &state.tokens {
        Some(Ok(tokens)) => literals::candidates(text, lines, tokens, |k| {
            literals::lexer_value(text, &tokens[k])
        }),
        _ => Vec::new(),
    };
    guard(found, candidates)
}

/// Attach to each literal the annotated items and the `hc_sql!` call it sits in.
fn guard(mut found: Found, candidates: Vec<Candidate>) -> FileScan {
    found.annotations.sort_by_key(|a| a.position);
    found.sql_macros.sort_by_key(|s| s.position);
    let literals = candidates
        .into_iter()
        .map(|candidate| {
            let at = candidate.literal.extent.start;
            let mut annotations: Vec<usize> = (0..found.annotations.len())
                .filter(|&i| found.annotations[i].item.contains(at))
                .collect();
            annotations.sort_by_key(|&i| {
                let item = found.annotations[i].item;
                (item.start, std::cmp::Reverse(item.end), i)
            });
            let hc_sql = (0..found.sql_macros.len())
                .filter(|&i| found.sql_macros[i].extent.contains(at))
                .max_by_key(|&i| found.sql_macros[i].extent.start);
            let in_malformed_annotation = found.malformed_items.iter().any(|e| e.contains(at));
            GuardedLiteral {
                candidate,
                annotations,
                hc_sql,
                in_malformed_annotation,
            }
        })
        .collect();
    FileScan { found, literals }
}
