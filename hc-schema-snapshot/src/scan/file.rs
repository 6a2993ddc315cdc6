//! One file through the scan, two ways that must agree.
//!
//! - Fast: a byte search for the names that matter; only the top-level items that mention
//!   one are parsed with syn (the rest of the file blanked out, so positions hold); string
//!   literals come from the lexer, and only when a skim says one could be SQL.
//! - Full (the reference the tests compare against): the whole file parsed with syn and every
//!   node visited; literals from proc-macro2's tokens. When syn rejects the whole file (or it
//!   nests too deeply to parse safely), it reads the file as the fast path does: a syntax
//!   error outside the items that mention hc-schema's names is the compiler's business.
//!
//! Either way a file that names hc-schema's macros and cannot be read is an error naming it.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use syn::visit::Visit;

use super::bindings::Collector;
use super::elements::{self, Element};
use super::lexer::{self, LexError, Token, TokenKind};
use super::lines::LineIndex;
use super::literals::{self, Candidate};
use super::model::{ErrorKind, Position};
use super::names::NameSet;
use super::quick;
use super::resolve::{Aliases, Binding};
use super::visit::{self, start_of, Found, FoundError};

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
    lexed: Option<Result<Lexed, LexError>>,
    lines: Option<LineIndex>,
}

/// Tokens and top-level elements.
struct Lexed {
    tokens: Vec<Token>,
    elements: Vec<Element>,
}

/// A literal that could be SQL, with the annotations and `hc_sql!` call around it (indices
/// into the file's [`Found`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardedLiteral {
    pub candidate: Candidate,
    pub annotations: Vec<usize>,
    pub hc_sql: Option<usize>,
}

/// What the main pass found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileScan {
    pub found: Found,
    pub literals: Vec<GuardedLiteral>,
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
            lexed: None,
            lines: None,
        }
    }

    fn lexed(&mut self) -> &Result<Lexed, LexError> {
        let text = &self.text;
        self.lexed.get_or_insert_with(|| {
            lexer::lex(text).map(|tokens| {
                let elements = elements::split(text, &tokens);
                Lexed { tokens, elements }
            })
        })
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
        let err = self.lexed().as_ref().err()?.clone();
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

    /// Parse the elements that mention a name of `names` (and, with `needs_use`, hold a
    /// `use` or `extern`), the rest blanked. `None` when no element qualifies.
    fn parse_elements(
        &mut self,
        names: &NameSet,
        needs_use: bool,
        limit: u32,
    ) -> Option<Result<syn::File, FoundError>> {
        let hits = names.find(self.text.as_bytes());
        if hits.is_empty() {
            return None;
        }
        if let Some(err) = self.lex_error() {
            return Some(Err(err));
        }
        let text = &self.text;
        let Some(Ok(lexed)) = &self.lexed else {
            unreachable!("lexed above")
        };
        let mut chosen: Vec<&Element> = Vec::new();
        let mut next_hit = hits.iter().peekable();
        for element in &lexed.elements {
            while next_hit.next_if(|&&h| h < element.bytes.start).is_some() {}
            let mentioned = next_hit.peek().is_some_and(|&&h| h < element.bytes.end);
            if !mentioned {
                continue;
            }
            if needs_use && !holds_use(text, &lexed.tokens[element.tokens.clone()]) {
                continue;
            }
            chosen.push(element);
        }
        if chosen.is_empty() {
            return None;
        }
        if let Some(deep) = chosen.iter().find(|e| e.nesting > limit) {
            let at = deep.bytes.start;
            let deepest = deep.nesting;
            return Some(Err(FoundError {
                position: self.position(at),
                kind: ErrorKind::Unparsed,
                message: too_deep(deepest, limit),
            }));
        }
        let whole_fits = lexed.elements.iter().all(|e| e.nesting <= limit);
        let ranges: Vec<_> = chosen.iter().map(|e| e.bytes.clone()).collect();
        let padded = elements::padded(text, &ranges);
        Some(match syn::parse_file(&padded) {
            Ok(tree) => Ok(tree),
            Err(err) => {
                // The split may be wrong (a `{}` inside an item's header): try the whole file.
                match whole_fits.then(|| syn::parse_file(text).ok()).flatten() {
                    Some(tree) => Ok(tree),
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
        if let Ok(lexed) = self.lexed() {
            if lexed.elements.iter().any(|e| e.nesting > limit) {
                return None;
            }
        }
        let tree = syn::parse2::<syn::File>(stream).ok()?;
        Some((tree, tokens, values))
    }
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
    let tree = match strategy {
        Strategy::FullParse => match state.whole(limit) {
            Some((tree, _, _)) => Ok(tree),
            None => match state.parse_elements(names, true, limit) {
                Some(result) => result,
                None => return (Vec::new(), Vec::new()),
            },
        },
        Strategy::Fast => match state.parse_elements(names, true, limit) {
            Some(result) => result,
            None => return (Vec::new(), Vec::new()),
        },
    };
    match tree {
        Ok(tree) => {
            let mut collector = Collector::default();
            collector.visit_file(&tree);
            (collector.bindings, Vec::new())
        }
        Err(err) => (Vec::new(), vec![err]),
    }
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
            let found = visit::find(&tree, &state.display, aliases);
            drop(tree);
            let lines = state.lines.as_ref().expect("built by whole()");
            let candidates =
                literals::candidates(&state.text, lines, &tokens, |k| values.get(&k).cloned());
            return guard(found, candidates);
        }
    }
    let found = match state.parse_elements(names, false, limit) {
        None => Found::default(),
        Some(Ok(tree)) => visit::find(&tree, &state.display, aliases),
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
    state.lines();
    let (text, lines) = (&state.text, state.lines.as_ref().expect("just built"));
    let candidates = match &state.lexed.get_or_insert_with(|| {
        lexer::lex(text).map(|tokens| {
            let elements = elements::split(text, &tokens);
            Lexed { tokens, elements }
        })
    }) {
        Ok(lexed) => literals::candidates(text, lines, &lexed.tokens, |k| {
            literals::lexer_value(text, &lexed.tokens[k])
        }),
        Err(_) => Vec::new(),
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
            GuardedLiteral {
                candidate,
                annotations,
                hc_sql,
            }
        })
        .collect();
    FileScan { found, literals }
}
