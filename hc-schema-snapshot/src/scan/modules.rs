//! The files a crate compiles beyond the walked tree: module files named by
//! `#[path = "..."]` (anywhere, with any extension, in hidden or `target` directories), module
//! files of `mod name;` that the walk skips (a `target` directory), and `include!("...")`d
//! files, also through aliases of `include!` (`use std::include as inc;`, in any file of the
//! scan), and the files of `#[path = $p] mod $m;` or `include!($p)` written by a
//! `macro_rules!` at each call of it that gives the file as a string literal (relative to the
//! calling file, as rustc resolves them). An `include!` whose argument is not a plain
//! string literal (`concat!`, `env!`, `OUT_DIR`), a call of such a macro that names no file
//! with a literal, and `#[path = $p]` in another macro's input are "not scannable here".
//!
//! Paths resolve as rustc resolves them (the Reference, "The path attribute"): relative to the
//! declaring file's directory, and inside inline modules (`mod a { ... }`) under the inline
//! modules' directories, with the file's stem first when the file is not a `mod.rs`-like file.
//! When the scan cannot tell whether a file is a crate root (`src/bin/x.rs` is, `src/x.rs`
//! is not), it takes the candidates of both readings; a candidate that does not exist is not
//! compiled either (rustc would reject the crate), so it is skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::lexer::{self, Delim, StrPrefix, Token, TokenKind};
use super::lines::LineIndex;
use super::model::Position;

/// A file a declaration makes part of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// A module or included file: paths to try (each that exists is compiled under some
    /// configuration or reading).
    File(Vec<PathBuf>),
    /// A file the scan cannot name, at this position, and why.
    Unknown(Position, Unfollowed),
}

/// Why the scan cannot name a file the crate compiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unfollowed {
    /// An `include!` (or an alias of it) whose argument is not a string literal.
    Include,
    /// `#[path = $fragment]` outside a `macro_rules!` definition (another macro's input).
    PathFragment,
    /// A call of this `macro_rules!` macro, which writes `#[path = $fragment]`, with no
    /// string literal among its arguments.
    PathMacroCall(String),
    /// A call of this `macro_rules!` macro, which writes `include!($fragment)`, with no
    /// string literal among its arguments.
    IncludeMacroCall(String),
}

/// Names that matter across files: the aliases of `include!` (`use std::include as inc;`,
/// and aliases of those) and the `macro_rules!` macros whose expansion declares a module
/// with `#[path = $fragment]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    /// Names that mean `include!` (besides `include`).
    pub includes: BTreeSet<String>,
    /// Macros that write `#[path = $fragment]`.
    pub path_macros: BTreeSet<String>,
    /// Macros that write `include!($fragment)`.
    pub include_macros: BTreeSet<String>,
}

/// What one file defines towards [`Names`]: every `a as b` of its `use` declarations, and
/// the `macro_rules!` macros that write `#[path = $fragment]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Definitions {
    /// `(a, b)` for each `a as b` inside a `use` declaration.
    pub renames: Vec<(String, String)>,
    /// Names of macros whose body holds `#[path = $fragment]`.
    pub path_macros: Vec<String>,
    /// Names of macros whose body holds `include!($fragment)`.
    pub include_macros: Vec<String>,
}

impl Names {
    /// The names that `definitions` (of every file) make.
    pub(crate) fn of(definitions: &[Definitions]) -> Names {
        let mut names = Names::default();
        for d in definitions {
            names.path_macros.extend(d.path_macros.iter().cloned());
            names
                .include_macros
                .extend(d.include_macros.iter().cloned());
        }
        loop {
            let mut changed = false;
            for (from, to) in definitions.iter().flat_map(|d| &d.renames) {
                if (from == "include" || names.includes.contains(from))
                    && to != "_"
                    && names.includes.insert(to.clone())
                {
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        names
    }

    /// Every name, to find the files that mention one.
    pub(crate) fn all(&self) -> impl Iterator<Item = &str> {
        self.includes
            .iter()
            .chain(&self.path_macros)
            .chain(&self.include_macros)
            .map(String::as_str)
    }
}

/// Whether `text` may define something for [`Names`] (a cheap byte test: `include as`, or
/// `macro_rules` with `path` or `include` in the file); aliases of aliases are found by their
/// names.
pub(crate) fn may_define(text: &str) -> bool {
    let b = text.as_bytes();
    let renames_include = memchr::memmem::find_iter(b, b"include").any(|at| {
        let rest = &b[at + b"include".len()..];
        let spaces = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        spaces > 0
            && rest[spaces..].starts_with(b"as")
            && rest
                .get(spaces + 2)
                .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
    });
    renames_include
        || (memchr::memmem::find(b, b"macro_rules").is_some()
            && (memchr::memmem::find(b, b"path").is_some()
                || memchr::memmem::find(b, b"include").is_some()))
}

/// What `text` defines towards [`Names`].
pub(crate) fn definitions(text: &str) -> Definitions {
    let mut out = Definitions::default();
    let Ok(tokens) = lexer::lex(text) else {
        return out;
    };
    let token_text = |t: &Token| &text[t.start as usize..t.end as usize];
    let ident = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Ident)
            .map(|t| super::resolve::unraw(token_text(t)))
    };
    let mut i = 0;
    while i < tokens.len() {
        if ident(i).as_deref() == Some("use") {
            // Up to the `;` at this depth.
            let mut j = i + 1;
            let mut depth = 0usize;
            while j < tokens.len() && tokens[j].kind != TokenKind::Punct(b';') {
                match tokens[j].kind {
                    TokenKind::Open(_) => depth += 1,
                    TokenKind::Close(_) if depth == 0 => break,
                    TokenKind::Close(_) => depth -= 1,
                    _ => {}
                }
                if let (Some(from), Some("as"), Some(to)) =
                    (ident(j), ident(j + 1).as_deref(), ident(j + 2))
                {
                    out.renames.push((from, to));
                }
                j += 1;
            }
            i = j;
            continue;
        }
        if ident(i).as_deref() == Some("macro_rules")
            && tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::Punct(b'!'))
        {
            if let (Some(name), Some(open)) = (ident(i + 2), tokens.get(i + 3)) {
                if let TokenKind::Open(_) = open.kind {
                    let end = open.partner as usize;
                    if has_path_fragment(text, &tokens, i + 4, end) {
                        out.path_macros.push(name.clone());
                    }
                    if include_fragment(text, &tokens, i + 4, end).is_some() {
                        out.include_macros.push(name);
                    }
                    i = end + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// Where `tokens[start..end]` hold `include!(... $x ...)` (the word `include` itself, not an
/// alias: what [`references`] leaves to the calls is exactly this).
fn include_fragment(text: &str, tokens: &[Token], start: usize, end: usize) -> Option<usize> {
    (start..end.min(tokens.len())).find(|&i| {
        tokens[i].kind == TokenKind::Ident
            && unraw(&text[tokens[i].start as usize..tokens[i].end as usize]) == "include"
            && tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::Punct(b'!'))
            && tokens.get(i + 2).is_some_and(|open| {
                matches!(open.kind, TokenKind::Open(_))
                    && tokens[i + 3..(open.partner as usize).min(tokens.len())]
                        .iter()
                        .any(|t| t.kind == TokenKind::Punct(b'$'))
            })
    })
}

/// Whether `tokens[start..end]` hold an attribute `#[... path = $x ...]`.
fn has_path_fragment(text: &str, tokens: &[Token], start: usize, end: usize) -> bool {
    (start..end.min(tokens.len())).any(|i| {
        tokens[i].kind == TokenKind::Punct(b'#')
            && tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::Open(Delim::Bracket))
            && path_values(text, tokens, i + 2, tokens[i + 1].partner as usize).1
    })
}

/// Whether `text` may hold a reference that leads outside what the walk reads: a cheap byte
/// test (`path =`, `include!`, the word `target`, or a call of one of `names`) that lets most
/// files skip the lexer.
pub(crate) fn may_refer(text: &str, names: &Names) -> bool {
    let b = text.as_bytes();
    may_refer_plainly(text)
        || names
            .all()
            .any(|name| memchr::memmem::find(b, name.as_bytes()).is_some())
}

fn may_refer_plainly(text: &str) -> bool {
    let b = text.as_bytes();
    let word_at = |at: usize, len: usize| {
        let before = at.checked_sub(1).map(|i| b[i]);
        let after = b.get(at + len).copied();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    // The next byte after `at` that is not white space (comments in between are rare enough
    // to be taken as "maybe").
    let next = |at: usize| b[at..].iter().copied().find(|c| !c.is_ascii_whitespace());
    [
        ("path", Some(b'=')),
        ("include", Some(b'!')),
        ("target", None),
    ]
    .iter()
    .any(|(word, then)| {
        memchr::memmem::find_iter(b, word.as_bytes()).any(|at| {
            word_at(at, word.len())
                && then
                    .is_none_or(|c| matches!(next(at + word.len()), Some(n) if n == c || n == b'/'))
        })
    })
}

/// An identifier without its raw prefix: `r#include` is `include` to rustc.
fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The references of `text`, the file at `path` (as walked); `names` are the aliases of
/// `include!` and the macros that declare modules with `#[path = $fragment]`, of every file.
pub(crate) fn references(text: &str, path: &Path, names: &Names) -> Vec<Reference> {
    let Ok(tokens) = lexer::lex(text) else {
        // rustc rejects the file; if it mentions hc-schema's names the scan says so.
        return Vec::new();
    };
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = path.file_stem().map(PathBuf::from).unwrap_or_default();
    // `mod.rs`, `lib.rs` and `main.rs` own their directory; other files may be crate roots
    // (`src/bin/x.rs`) or not (`src/x.rs`).
    let owners: Vec<PathBuf> = if matches!(name, "mod.rs" | "lib.rs" | "main.rs") {
        vec![dir.clone()]
    } else {
        vec![dir.clone(), dir.join(&stem)]
    };
    let lines = LineIndex::new(text);
    let token_text = |t: &Token| &text[t.start as usize..t.end as usize];
    let is_ident = |i: usize, word: &str| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Ident && unraw(token_text(t)) == word)
    };
    let is_punct = |i: usize, c: u8| tokens.get(i).is_some_and(|t| t.kind == TokenKind::Punct(c));

    let mut found = Vec::new();
    // Inline modules around the current token: the directory component and where it ends.
    let mut inline: Vec<(PathBuf, usize)> = Vec::new();
    // `path = "..."` values of the attributes before the current item.
    let mut pending: Vec<String> = Vec::new();
    // Where the `macro_rules!` definitions around the current token end.
    let mut defining: Vec<usize> = Vec::new();
    let is_include = |i: usize| {
        tokens.get(i).is_some_and(|t| {
            t.kind == TokenKind::Ident && {
                let word = unraw(token_text(t));
                word == "include" || names.includes.contains(word)
            }
        })
    };
    let mut i = 0;
    while i < tokens.len() {
        while inline.last().is_some_and(|&(_, end)| i >= end) {
            inline.pop();
        }
        let token = tokens[i];
        // An outer attribute: note its `path = "..."` (also inside `cfg_attr`).
        if token.kind == TokenKind::Punct(b'#')
            && tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::Open(Delim::Bracket))
        {
            let end = tokens[i + 1].partner as usize;
            let (values, fragment) = path_values(text, &tokens, i + 2, end);
            pending.extend(values);
            // `#[path = $p]` in a macro's input other than a `macro_rules!` definition (those
            // are followed at their calls).
            if fragment && !defining.iter().any(|&end| i < end) {
                found.push(Reference::Unknown(
                    lines.position(text, token.start as usize),
                    Unfollowed::PathFragment,
                ));
            }
            i = end + 1;
            continue;
        }
        // A `macro_rules!` definition: noted, and read on.
        if is_ident(i, "macro_rules") && is_punct(i + 1, b'!') {
            if let Some(open) = tokens
                .get(i + 3)
                .filter(|t| matches!(t.kind, TokenKind::Open(_)))
            {
                defining.push(open.partner as usize);
                i += 4;
                continue;
            }
        }
        // A call of a macro that declares a module with `#[path = $fragment]`: the string
        // literals of its arguments are the candidates (those that exist are compiled).
        let word = unraw(token_text(&token));
        let path_macro = names.path_macros.contains(word);
        let include_macro = names.include_macros.contains(word);
        if token.kind == TokenKind::Ident && (path_macro || include_macro) && is_punct(i + 1, b'!')
        {
            if let Some(open) = tokens
                .get(i + 2)
                .filter(|t| matches!(t.kind, TokenKind::Open(_)))
            {
                let close = open.partner as usize;
                let values: Vec<String> = tokens[i + 3..close]
                    .iter()
                    .filter_map(|t| match t.kind {
                        TokenKind::Str(kind) if kind.prefix == StrPrefix::None && !kind.suffix => {
                            lexer::str_value(token_text(t), kind.raw)
                        }
                        _ => None,
                    })
                    .collect();
                // A fragment of an enclosing macro, or a literal inside another macro call
                // (`concat!("a", ".rs")`): the file is not written here.
                let computed = tokens[i + 3..close]
                    .iter()
                    .any(|t| matches!(t.kind, TokenKind::Punct(b'$') | TokenKind::Punct(b'!')));
                let at = lines.position(text, token.start as usize);
                if include_macro {
                    // As `include!` written at the call: relative to the calling file.
                    found.push(if values.is_empty() || computed {
                        Reference::Unknown(at, Unfollowed::IncludeMacroCall(word.to_string()))
                    } else {
                        Reference::File(values.iter().map(|v| dir.join(v)).collect())
                    });
                }
                if !path_macro {
                    pending.clear();
                    i = close + 1;
                    continue;
                }
                found.push(if values.is_empty() || computed {
                    Reference::Unknown(at, Unfollowed::PathMacroCall(word.to_string()))
                } else {
                    // As `#[path]` written at the call: relative to the file's directory, under
                    // the inline modules around the call.
                    let mut candidates = Vec::new();
                    for value in &values {
                        if inline.is_empty() {
                            candidates.push(dir.join(value));
                        } else {
                            for owner in &owners {
                                let mut base = owner.clone();
                                for (component, _) in &inline {
                                    base.push(component);
                                }
                                candidates.push(base.join(value));
                            }
                        }
                    }
                    Reference::File(candidates)
                });
                pending.clear();
                i = close + 1;
                continue;
            }
        }
        if matches!(token.kind, TokenKind::Doc { .. }) {
            i += 1;
            continue;
        }
        // `mod name;` or `mod name { ... }` (after `pub`, `pub(...)`, `unsafe`).
        if is_ident(i, "mod")
            && tokens
                .get(i + 1)
                .is_some_and(|t| t.kind == TokenKind::Ident)
        {
            let module = lexer_ident(token_text(&tokens[i + 1]));
            let inline_dirs = |base: &Path| {
                let mut dir = base.to_path_buf();
                for (component, _) in &inline {
                    dir.push(component);
                }
                dir
            };
            if is_punct(i + 2, b';') {
                let mut candidates = Vec::new();
                if pending.is_empty() {
                    for owner in &owners {
                        let base = inline_dirs(owner);
                        candidates.push(base.join(format!("{module}.rs")));
                        candidates.push(base.join(&module).join("mod.rs"));
                    }
                } else {
                    for value in &pending {
                        if inline.is_empty() {
                            candidates.push(dir.join(value));
                        } else {
                            for owner in &owners {
                                candidates.push(inline_dirs(owner).join(value));
                            }
                        }
                    }
                }
                found.push(Reference::File(candidates));
                pending.clear();
                i += 3;
                continue;
            }
            if tokens.get(i + 2).map(|t| t.kind) == Some(TokenKind::Open(Delim::Brace)) {
                let component = pending.last().cloned().unwrap_or(module);
                inline.push((PathBuf::from(component), tokens[i + 2].partner as usize));
                pending.clear();
                i += 3;
                continue;
            }
        }
        // `include!(...)`, also `std::include!`, `core::include!` and aliases.
        if is_include(i) && is_punct(i + 1, b'!') {
            if let Some(open) = tokens
                .get(i + 2)
                .filter(|t| matches!(t.kind, TokenKind::Open(_)))
            {
                let close = open.partner as usize;
                let inside = &tokens[i + 3..close];
                let literal = match inside {
                    [t]
                    | [t, Token {
                        kind: TokenKind::Punct(b','),
                        ..
                    }] => match t.kind {
                        TokenKind::Str(kind) if kind.prefix == StrPrefix::None && !kind.suffix => {
                            lexer::str_value(token_text(t), kind.raw)
                        }
                        _ => None,
                    },
                    _ => None,
                };
                // `include!($f)` in a `macro_rules!`: followed at the macro's calls.
                let at_calls = literal.is_none()
                    && unraw(token_text(&token)) == "include"
                    && defining.iter().any(|&end| i < end)
                    && inside.iter().any(|t| t.kind == TokenKind::Punct(b'$'));
                if at_calls {
                    i = close + 1;
                    continue;
                }
                found.push(match literal {
                    Some(value) => Reference::File(vec![dir.join(value)]),
                    None => Reference::Unknown(
                        lines.position(text, token.start as usize),
                        Unfollowed::Include,
                    ),
                });
                pending.clear();
                i = close + 1;
                continue;
            }
        }
        let keeps = matches!(token.kind, TokenKind::Ident)
            && matches!(
                token_text(&token),
                "pub" | "unsafe" | "crate" | "in" | "super" | "self"
            )
            || token.kind == TokenKind::Punct(b':')
            || token.kind == TokenKind::Open(Delim::Paren)
            || token.kind == TokenKind::Close(Delim::Paren);
        if !keeps {
            pending.clear();
        }
        i += 1;
    }
    found
}

/// An identifier token's name, without `r#`.
fn lexer_ident(text: &str) -> String {
    text.strip_prefix("r#").unwrap_or(text).to_string()
}

/// The values of `path = "..."` in an attribute's tokens `tokens[start..end]`, at its top
/// level or inside `cfg_attr(...)` (at any depth of nested `cfg_attr`), and whether one is a
/// macro fragment (`path = $p`).
fn path_values(text: &str, tokens: &[Token], start: usize, end: usize) -> (Vec<String>, bool) {
    let token_text = |t: &Token| &text[t.start as usize..t.end as usize];
    let mut values = Vec::new();
    let mut fragment = false;
    let mut i = start;
    let ident = |i: usize, word: &str| {
        i < end && tokens[i].kind == TokenKind::Ident && unraw(token_text(&tokens[i])) == word
    };
    while i < end {
        if ident(i, "path")
            && i + 2 < end
            && tokens[i + 1].kind == TokenKind::Punct(b'=')
            && (i == start || tokens[i - 1].kind == TokenKind::Punct(b','))
        {
            if let TokenKind::Str(kind) = tokens[i + 2].kind {
                if let Some(value) = lexer::str_value(token_text(&tokens[i + 2]), kind.raw) {
                    values.push(value);
                }
            }
            fragment |= tokens[i + 2].kind == TokenKind::Punct(b'$');
        }
        if ident(i, "cfg_attr")
            && i + 1 < end
            && tokens[i + 1].kind == TokenKind::Open(Delim::Paren)
        {
            let close = tokens[i + 1].partner as usize;
            let (inner, inner_fragment) = path_values(text, tokens, i + 2, close);
            values.extend(inner);
            fragment |= inner_fragment;
            i = close + 1;
            continue;
        }
        if let TokenKind::Open(_) = tokens[i].kind {
            // Another attribute's arguments: not ours.
            i = tokens[i].partner as usize + 1;
            continue;
        }
        i += 1;
    }
    (values, fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str, path: &str) -> Vec<Vec<String>> {
        references(text, Path::new(path), &Names::of(&[definitions(text)]))
            .into_iter()
            .map(|r| match r {
                Reference::File(paths) => paths
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect(),
                Reference::Unknown(p, _) => vec![format!("? {}:{}", p.line, p.column)],
            })
            .collect()
    }

    #[test]
    fn module_paths_resolve_as_rustc_does() {
        let text = r#"
#[path = "/abs/outside.rs"] mod o;
#[cfg_attr(unix, path = "x.txt")]
pub(crate) mod x;
mod plain;
mod inline {
    #[path = "in.inc"] mod p;
    mod q;
}
#[path = "d"] mod other { mod r; }
fn f() { let path = 1; }
"#;
        assert_eq!(
            files(text, "/p/src/lib.rs"),
            [
                vec!["/abs/outside.rs"],
                vec!["/p/src/x.txt"],
                vec!["/p/src/plain.rs", "/p/src/plain/mod.rs"],
                vec!["/p/src/inline/in.inc"],
                vec!["/p/src/inline/q.rs", "/p/src/inline/q/mod.rs"],
                vec!["/p/src/d/r.rs", "/p/src/d/r/mod.rs"],
            ]
        );
        // A file that may or may not own its directory: both readings.
        assert_eq!(
            files("mod a { #[path = \"b.rs\"] mod b; }", "/p/src/m.rs"),
            [vec!["/p/src/a/b.rs", "/p/src/m/a/b.rs"]]
        );
        assert_eq!(
            files("#[path = \"b.rs\"] mod b;", "/p/src/m.rs"),
            [vec!["/p/src/b.rs"]]
        );
    }

    #[test]
    fn includes_of_literals_are_followed_others_are_unknown() {
        let text = "include!(\"gen.rs\");\nfn f() { std::include!(concat!(env!(\"OUT_DIR\"), \"/x.rs\")); }\nconst S: &str = include_str!(\"a.sql\");\n";
        assert_eq!(
            files(text, "/p/src/lib.rs"),
            [
                vec!["/p/src/gen.rs".to_string()],
                vec!["? 2:15".to_string()]
            ]
        );
    }

    #[test]
    fn raw_identifiers_are_the_words_they_spell() {
        let text =
            "r#include!(\"a.rs\");\nstd::r#include!(\"b.rs\");\n#[r#path = \"c.rs\"] mod c;\n";
        assert!(may_refer(text, &Names::default()));
        assert_eq!(
            files(text, "/p/src/lib.rs"),
            [
                vec!["/p/src/a.rs".to_string()],
                vec!["/p/src/b.rs".to_string()],
                vec!["/p/src/c.rs".to_string()]
            ]
        );
    }

    #[test]
    fn include_aliases_and_path_macros_are_followed_at_their_calls() {
        let text = "use std::{include as inc};\nuse self::inc as again;\n\
                    macro_rules! gen { ($p:literal, $m:ident) => { #[path = $p] mod $m; }; }\n\
                    inc!(\"a.rs\");\nfn f() { crate::again!(\"b.rs\"); }\n\
                    gen!(\"../c.rs\", c);\nmod inner { gen!(\"d.rs\", d); }\n\
                    gen!(concat!(\"e\", \".rs\"), e);\ninc!(CONST);\n\
                    other! { #[path = $x] mod y; }\n\
                    macro_rules! pull { ($f:literal) => { include!($f); }; }\n\
                    pull!(\"g.rs\");\nmod deep { pull!(\"h.rs\"); }\npull!(X);\n";
        assert_eq!(
            files(text, "/p/src/lib.rs"),
            [
                vec!["/p/src/a.rs".to_string()],
                vec!["/p/src/b.rs".to_string()],
                vec!["/p/src/../c.rs".to_string()],
                vec!["/p/src/inner/d.rs".to_string()],
                vec!["? 8:1".to_string()],
                vec!["? 9:1".to_string()],
                vec!["? 10:10".to_string()],
                // What the other macro's input would declare, were it expanded as written.
                vec!["/p/src/y.rs".to_string(), "/p/src/y/mod.rs".to_string()],
                // An include! macro: relative to the calling file, whatever the inline module.
                vec!["/p/src/g.rs".to_string()],
                vec!["/p/src/h.rs".to_string()],
                vec!["? 14:1".to_string()],
            ]
        );
    }

    #[test]
    fn the_definitions_byte_test() {
        assert!(may_define("use std::{include  as\tinc};"));
        assert!(may_define(
            "macro_rules! m { ($p:literal) => { #[path = $p] mod x; } }"
        ));
        assert!(!may_define(
            "const S: &str = include_str!(\"a\"); fn included() {}"
        ));
        assert!(!may_define("use a::include as_x;"));
    }

    #[test]
    fn the_byte_test_needs_a_word() {
        let none = Names::default();
        assert!(may_refer("#[path = \"x\"] mod x;", &none));
        assert!(may_refer("include!(\"x\");", &none));
        assert!(!may_refer(
            "fn paths() { let targets = include_str!(\"x\"); }",
            &none
        ));
    }
}
