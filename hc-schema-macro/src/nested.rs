//! Annotations around annotations: how an `#[hc_requires]` learns what the annotations it is
//! nested in declare (a method of an annotated `impl`, two attributes on one item), so that
//! the build judges a string inside it against every enclosing annotation, as `hc-schema
//! check` does.
//!
//! rustc expands the outer attribute first, with the inner one still in its item. The outer
//! rewrites each `#[... hc_requires(args)]` of its item to carry its own arguments and place
//! ahead of the inner's: `#[hc_requires(__hc_enclosing(line column (outer args)), args)]`
//! (after the enclosing groups the inner already carries, so they stay outermost first). The
//! inner takes them off ([`split`]) before reading its own arguments; the outer's tokens keep
//! their spans, so their usages are the outer's own.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The hidden argument's name.
const ENCLOSING: &str = "__hc_enclosing";

/// An enclosing annotation, as carried to a nested one.
#[derive(Clone)]
pub struct Enclosing {
    /// Where its path starts (1-based line and column).
    pub line: u32,
    /// Where its path starts (1-based column).
    pub column: u32,
    /// Its arguments, with their spans.
    pub args: TokenStream,
}

/// The enclosing annotations `args` carries (outermost first) and the annotation's own
/// arguments.
pub fn split(args: TokenStream) -> (Vec<Enclosing>, TokenStream) {
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    let mut enclosing = Vec::new();
    let mut at = 0;
    while let [TokenTree::Ident(name), TokenTree::Group(group), TokenTree::Punct(comma), ..] =
        &tokens[at..]
    {
        if name != ENCLOSING
            || group.delimiter() != Delimiter::Parenthesis
            || comma.as_char() != ','
        {
            break;
        }
        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
        let [TokenTree::Literal(line), TokenTree::Literal(column), TokenTree::Group(args)] =
            &inner[..]
        else {
            break;
        };
        let (Ok(line), Ok(column)) = (line.to_string().parse(), column.to_string().parse()) else {
            break;
        };
        enclosing.push(Enclosing {
            line,
            column,
            args: args.stream(),
        });
        at += 3;
    }
    (enclosing, tokens[at..].iter().cloned().collect())
}

/// The first enclosing annotation that the enclosing `#[hc_requires]` cannot have written,
/// with the error to report. The outer attribute carries its own argument tokens, with their
/// spans, and the place of its path: so each token must lie, in its own source file, inside
/// the parentheses of an attribute (`#[path(...)]`, or `path(...)` inside `cfg_attr`) whose
/// path starts at that place, and that attribute must be written before this annotation
/// (`own`: where this one's path starts). Tokens written by hand (in this annotation, or passed
/// through a `macro_rules!` from its call site) lie in no such attribute: they would declare
/// columns that no annotation judges, so they are refused, never trusted (attacker findings
/// F3 of round 3 and its bypass through a `macro_rules!` defined below its call).
pub fn forged(enclosing: &[Enclosing], own: (u32, u32)) -> Option<syn::Error> {
    let refuse = |span: Span| {
        Some(syn::Error::new(
            span,
            format!(
                "`{ENCLOSING}` is hc-schema's own argument: an `#[hc_requires]` writes it into \
                 the annotations nested in its item; declare the columns in this annotation \
                 instead"
            ),
        ))
    };
    for outer in enclosing {
        let mut tokens = Vec::new();
        flatten(outer.args.clone(), &mut tokens);
        let Some(first) = tokens.first().copied() else {
            return refuse(Span::call_site());
        };
        let Some(file) = first.unwrap().local_file() else {
            return refuse(first);
        };
        let Ok(text) = std::fs::read_to_string(&file) else {
            return refuse(first);
        };
        let Some((start, end)) = attribute_arguments(&text, outer.line, outer.column) else {
            return refuse(first);
        };
        if (outer.line, outer.column) >= own {
            return refuse(first);
        }
        for span in tokens {
            let at = span.start();
            let at = (at.line as u32, at.column as u32 + 1);
            if span.unwrap().local_file().as_ref() != Some(&file) || at < start || at >= end {
                return refuse(span);
            }
        }
    }
    None
}

/// Where the arguments of the attribute whose path starts at `line`:`column` (1-based, in
/// characters) of `text` lie: from after its `(` to its matching `)`, as (line, column) pairs;
/// `None` when no attribute starts there (the path must follow `[` or `,` and be followed by
/// `(`).
fn attribute_arguments(text: &str, line: u32, column: u32) -> Option<((u32, u32), (u32, u32))> {
    let mut positions = Vec::new();
    let (mut l, mut c) = (1u32, 1u32);
    for ch in text.chars() {
        positions.push((ch, l, c));
        if ch == '\n' {
            l += 1;
            c = 1;
        } else {
            c += 1;
        }
    }
    let at = positions
        .iter()
        .position(|&(_, l, c)| (l, c) == (line, column))?;
    let before = positions[..at]
        .iter()
        .rev()
        .find(|(ch, ..)| !ch.is_whitespace());
    if !matches!(before, Some(('[' | ',', ..))) {
        return None;
    }
    let mut i = at;
    while i < positions.len() {
        let ch = positions[i].0;
        if ch.is_alphanumeric() || ch == '_' || ch == ':' || ch.is_whitespace() {
            i += 1;
        } else {
            break;
        }
    }
    if i == at || positions.get(i).map(|p| p.0) != Some('(') {
        return None;
    }
    let open = i;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &(ch, l, c) in &positions[open..] {
        if in_string {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let (_, sl, sc) = positions[open];
                    return Some(((sl, sc + 1), (l, c)));
                }
            }
            _ => {}
        }
    }
    None
}

/// The spans of every token of `tokens`, groups' delimiters included.
fn flatten(tokens: TokenStream, out: &mut Vec<Span>) {
    for tree in tokens {
        if let TokenTree::Group(group) = &tree {
            out.push(group.span_open());
            flatten(group.stream(), out);
        } else {
            out.push(tree.span());
        }
    }
}

/// The names an attribute path may end in to be an `#[hc_requires]`: the attribute's own
/// name, and the aliases the annotation's source file provably binds to it
/// (`use hc_schema_macro::hc_requires as needs;` at the file's top level, the word used
/// nowhere else but as an attribute outside `mod {}` blocks; see
/// `hc_schema_snapshot::scan::item::requires_aliases`). An alias made in another file, or one
/// not proven (the word rebound in a module, a `fn` of that name...), is not known here: the
/// nested annotation is then judged alone and its strings also against the enclosing one
/// alone (stricter than `check`, never looser).
pub struct Names {
    names: Vec<String>,
}

impl Names {
    /// `hc_requires` alone.
    pub fn plain() -> Names {
        Names {
            names: vec![ENCLOSING_OWNER.to_string()],
        }
    }

    /// The names in the file of the attribute being expanded (read once per file and
    /// process).
    pub fn of_file() -> Names {
        let Some(file) = Span::call_site().unwrap().local_file() else {
            return Names::plain();
        };
        static FILES: std::sync::Mutex<Vec<(std::path::PathBuf, Vec<String>)>> =
            std::sync::Mutex::new(Vec::new());
        let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, names)) = files.iter().find(|(path, _)| *path == file) {
            return Names {
                names: names.clone(),
            };
        }
        let names = match std::fs::read_to_string(&file) {
            Ok(text) => Names::of_text(&text).names,
            Err(_) => vec![ENCLOSING_OWNER.to_string()],
        };
        files.push((file, names.clone()));
        Names { names }
    }

    /// The names in `text`, a source file's text.
    fn of_text(text: &str) -> Names {
        Names {
            names: hc_schema_snapshot::scan::item::requires_aliases(text),
        }
    }

    /// The names for `item`, an annotated item in the file of the attribute being expanded,
    /// and whether `item` holds an annotation under them: one walk over the item's
    /// attributes, and the file read only when one of them has a path that is a word other
    /// than the attribute's own and the compiler's built-in ones (one that could be an
    /// alias).
    pub fn for_item(item: &TokenStream) -> (Names, bool) {
        let (holds, other) = attributes_of(item);
        if !other {
            return (Names::plain(), holds);
        }
        let names = Names::of_file();
        if names.names.len() == 1 {
            return (names, holds);
        }
        let holds = holds || holds_annotation(item, &names);
        (names, holds)
    }

    /// The names, `hc_requires` first.
    pub fn list(&self) -> &[String] {
        &self.names
    }

    fn means_requires(&self, word: &str) -> bool {
        let word = word.strip_prefix("r#").unwrap_or(word);
        self.names.iter().any(|n| n == word)
    }
}

/// The attribute's own name.
const ENCLOSING_OWNER: &str = "hc_requires";

/// Attributes built into the compiler (and `derive`'s helpers' usual company): their words
/// never make the annotation read its file for aliases.
const BUILT_IN: &[&str] = &[
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "doc",
    "inline",
    "cold",
    "must_use",
    "derive",
    "cfg",
    "test",
    "ignore",
    "should_panic",
    "deprecated",
    "repr",
    "non_exhaustive",
    "track_caller",
    "rustfmt",
    "clippy",
    "automatically_derived",
    "no_mangle",
    "export_name",
    "link_section",
    "used",
    "path",
    "macro_export",
    "macro_use",
    "target_feature",
];

/// Whether `item` holds an annotation written `hc_requires` (directly or inside `cfg_attr`),
/// and whether it holds an attribute whose path is a word other than the attribute's own,
/// `cfg_attr` and the built-in ones, or a `cfg_attr` holding one (which could be an alias):
/// one walk that reads the words of attributes only.
fn attributes_of(item: &TokenStream) -> (bool, bool) {
    let (mut holds, mut other) = (false, false);
    let plain = Names::plain();
    let mut after_pound = false;
    for tree in item.clone() {
        match tree {
            TokenTree::Group(group) => {
                if after_pound && group.delimiter() == Delimiter::Bracket {
                    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
                    // The path's last word (`m::hc_requires` is the attribute's own).
                    let last = tokens
                        .iter()
                        .take_while(|t| !matches!(t, TokenTree::Group(_)))
                        .filter_map(|t| match t {
                            TokenTree::Ident(word) => Some(word),
                            _ => None,
                        })
                        .last();
                    if let Some(word) = last {
                        let word = word.to_string();
                        if word == "cfg_attr" {
                            other |= word_in_cfg_attr(&group);
                        } else if word != ENCLOSING_OWNER && !BUILT_IN.contains(&word.as_str()) {
                            other = true;
                        }
                    }
                    holds |= is_annotation(&tokens, &plain);
                }
                let (inner_holds, inner_other) = attributes_of(&group.stream());
                holds |= inner_holds;
                other |= inner_other;
                if holds && other {
                    return (holds, other);
                }
                after_pound = false;
            }
            TokenTree::Punct(punct) => after_pound = punct.as_char() == '#',
            _ => after_pound = false,
        }
    }
    (holds, other)
}

/// Whether `group` is `[cfg_attr(predicate, entries)]` with an entry whose path is a word
/// other than the attribute's own and the built-in ones.
fn word_in_cfg_attr(group: &Group) -> bool {
    if group.delimiter() != Delimiter::Bracket {
        return false;
    }
    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
    let [TokenTree::Ident(path), TokenTree::Group(args)] = &tokens[..] else {
        return false;
    };
    if path != "cfg_attr" {
        return false;
    }
    entries(args.stream())
        .iter()
        .skip(1)
        .any(|entry| match entry.first() {
            Some(TokenTree::Ident(word)) => {
                let word = word.to_string();
                word != ENCLOSING_OWNER && !BUILT_IN.contains(&word.as_str())
            }
            _ => false,
        })
}

/// The entries of a `cfg_attr(...)`'s arguments: its tokens split at the commas of its depth.
fn entries(args: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in args {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => out.push(Vec::new()),
            _ => out.last_mut().expect("never empty").push(tree),
        }
    }
    if out.last().is_some_and(Vec::is_empty) {
        out.pop();
    }
    out
}

/// Whether the attribute contents `tokens` (`path(args)`, or `cfg_attr(predicate, ...)`
/// holding one at any depth) is an annotation under `names`.
fn is_annotation(tokens: &[TokenTree], names: &Names) -> bool {
    let Some((TokenTree::Group(args), path)) = tokens.split_last() else {
        return false;
    };
    if args.delimiter() != Delimiter::Parenthesis {
        return false;
    }
    if let [TokenTree::Ident(word)] = path {
        if word == "cfg_attr" {
            return entries(args.stream())
                .iter()
                .skip(1)
                .any(|entry| is_annotation(entry, names));
        }
    }
    requires_path(path, names)
}

/// Whether `path` is a path whose last word is one of `names`.
fn requires_path(path: &[TokenTree], names: &Names) -> bool {
    let last = path.iter().rev().find_map(|t| match t {
        TokenTree::Ident(ident) => Some(ident.to_string()),
        _ => None,
    });
    let path_only = path.iter().all(|t| {
        matches!(t, TokenTree::Ident(_)) || matches!(t, TokenTree::Punct(p) if p.as_char() == ':')
    });
    path_only && last.is_some_and(|last| names.means_requires(&last))
}

/// Whether `item` holds an annotation under `names` (written directly or inside `cfg_attr`):
/// a walk that looks at the words of attributes (`#[...]`) only (each word read costs a call
/// into the compiler).
pub fn holds_annotation(item: &TokenStream, names: &Names) -> bool {
    let mut after_pound = false;
    for tree in item.clone() {
        match tree {
            TokenTree::Group(group) => {
                let attribute = after_pound && group.delimiter() == Delimiter::Bracket;
                if attribute {
                    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
                    if is_annotation(&tokens, names) {
                        return true;
                    }
                }
                if holds_annotation(&group.stream(), names) {
                    return true;
                }
                after_pound = false;
            }
            TokenTree::Punct(punct) => after_pound = punct.as_char() == '#',
            _ => after_pound = false,
        }
    }
    false
}

/// `item` with every annotation in it (`#[... hc_requires(args)]`, an alias of it in `names`,
/// or one inside `cfg_attr`) carrying `carried` (the annotations around it, outermost first:
/// the item's own last). An annotation inside `cfg_attr` is lifted out of its predicate into
/// an attribute of its own (`check` counts an annotation nested in an annotated item whatever
/// its `cfg_attr` says, and so does the build): `#[cfg_attr(p, a, hc_requires(x), b)]`
/// becomes `#[cfg_attr(p, a)] #[hc_requires(carried, x)] #[cfg_attr(p, b)]`, the other
/// attributes keeping their predicate and their order. The lifted attribute's `#` and brackets
/// take the span of its path, so that it is reported where its path is written.
pub fn carry(item: TokenStream, carried: &[Enclosing], names: &Names) -> TokenStream {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        match &tokens[k] {
            TokenTree::Group(group) => {
                let pound =
                    k > 0 && matches!(&tokens[k - 1], TokenTree::Punct(p) if p.as_char() == '#');
                let attribute: Vec<TokenTree> = if pound && group.delimiter() == Delimiter::Bracket
                {
                    group.stream().into_iter().collect()
                } else {
                    Vec::new()
                };
                if !attribute.is_empty() && is_annotation(&attribute, names) {
                    match &attribute[..] {
                        [TokenTree::Ident(word), TokenTree::Group(args)] if word == "cfg_attr" => {
                            // The `#` already written is the first attribute's.
                            let pound = out.pop();
                            let pound_span = pound.as_ref().map_or(group.span(), |p| p.span());
                            for (annotation, entry) in lift(args.stream(), carried, names) {
                                let (hash, bracket) = if annotation {
                                    let span = entry
                                        .clone()
                                        .into_iter()
                                        .next()
                                        .map_or(pound_span, |t| t.span());
                                    (span, span)
                                } else {
                                    (pound_span, group.span())
                                };
                                let mut hash_token = Punct::new('#', Spacing::Alone);
                                hash_token.set_span(hash);
                                out.push(TokenTree::Punct(hash_token));
                                let mut attribute = Group::new(Delimiter::Bracket, entry);
                                attribute.set_span(bracket);
                                out.push(TokenTree::Group(attribute));
                            }
                        }
                        _ => {
                            let mut new =
                                Group::new(Delimiter::Bracket, with_carried(&attribute, carried));
                            new.set_span(group.span());
                            out.push(TokenTree::Group(new));
                        }
                    }
                } else {
                    let mut new =
                        Group::new(group.delimiter(), carry(group.stream(), carried, names));
                    new.set_span(group.span());
                    out.push(TokenTree::Group(new));
                }
            }
            other => out.push(other.clone()),
        }
        k += 1;
    }
    out.into_iter().collect()
}

/// The entries of `cfg_attr(args)` in order, each annotation rewritten to carry `carried` and
/// applying whatever the predicate (`true`), each other entry under the predicate (`false`).
fn lift(args: TokenStream, carried: &[Enclosing], names: &Names) -> Vec<(bool, TokenStream)> {
    let mut list = entries(args);
    if list.is_empty() {
        return Vec::new();
    }
    let predicate: TokenStream = list.remove(0).into_iter().collect();
    let under = |entry: TokenStream| -> (bool, TokenStream) {
        let span = Span::call_site();
        let inner = join(vec![predicate.clone(), entry]);
        let stream = [
            TokenTree::Ident(Ident::new("cfg_attr", span)),
            TokenTree::Group(Group::new(Delimiter::Parenthesis, inner)),
        ]
        .into_iter()
        .collect();
        (false, stream)
    };
    let mut out = Vec::new();
    for entry in list {
        if !is_annotation(&entry, names) {
            out.push(under(entry.into_iter().collect()));
            continue;
        }
        match &entry[..] {
            [TokenTree::Ident(word), TokenTree::Group(inner)] if word == "cfg_attr" => {
                for (annotation, lifted) in lift(inner.stream(), carried, names) {
                    out.push(if annotation {
                        (true, lifted)
                    } else {
                        under(lifted)
                    });
                }
            }
            _ => out.push((true, with_carried(&entry, carried))),
        }
    }
    out
}

/// The streams joined with commas.
fn join(streams: Vec<TokenStream>) -> TokenStream {
    let mut out = TokenStream::new();
    for (k, stream) in streams.into_iter().enumerate() {
        if k > 0 {
            out.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
        }
        out.extend(stream);
    }
    out
}

/// The annotation `path(args)` rewritten to carry `carried` after what it carries already.
fn with_carried(tokens: &[TokenTree], carried: &[Enclosing]) -> TokenStream {
    let Some((TokenTree::Group(args), path)) = tokens.split_last() else {
        return tokens.iter().cloned().collect();
    };
    let (mut around, own) = split(args.stream());
    around.extend(carried.iter().cloned());
    let mut new_args: Vec<TokenTree> = Vec::new();
    for enclosing in &around {
        let span = Span::call_site();
        let inner: TokenStream = [
            TokenTree::Literal(Literal::u32_unsuffixed(enclosing.line)),
            TokenTree::Literal(Literal::u32_unsuffixed(enclosing.column)),
            TokenTree::Group(Group::new(Delimiter::Parenthesis, enclosing.args.clone())),
        ]
        .into_iter()
        .collect();
        new_args.push(TokenTree::Ident(Ident::new(ENCLOSING, span)));
        new_args.push(TokenTree::Group(Group::new(Delimiter::Parenthesis, inner)));
        new_args.push(TokenTree::Punct(Punct::new(',', Spacing::Alone)));
    }
    new_args.extend(own);
    let mut rebuilt = Group::new(Delimiter::Parenthesis, new_args.into_iter().collect());
    rebuilt.set_span(args.span());
    let mut out: Vec<TokenTree> = path.to_vec();
    out.push(TokenTree::Group(rebuilt));
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated nestings (impls of annotated methods, attributes stacked on one item, other
    /// attributes beside them): each annotation, after every annotation around it rewrote it,
    /// takes off exactly the annotations around it, outermost first, and its own arguments.
    #[test]
    fn each_annotation_learns_the_annotations_around_it() {
        let mut rng = hc_schema_snapshot::testing::Rng::exact(0x6a09_e667_f3bc_c908);
        for round in 0..200 {
            let depth = 1 + rng.below(4);
            // Level d's annotation declares `t{d}(c)`; level d+1 sits in level d's item.
            let mut text = String::from("\"SELECT 1\"");
            // Below the outermost, an annotation may be written through an alias or inside
            // `cfg_attr` (which the annotation around it lifts out).
            let forms = [
                "#[hc_requires({a})]",
                "#[needs({a})]",
                "#[cfg_attr(unix, inline, hc_requires({a}))]",
                "#[cfg_attr(any(), cfg_attr(all(), needs({a})), allow(x))]",
            ];
            for d in (0..depth).rev() {
                let other = if rng.below(2) == 0 { "#[inline] " } else { "" };
                let form = if d == 0 {
                    forms[0]
                } else {
                    forms[rng.below(forms.len())]
                };
                let attribute = form.replace("{a}", &format!("t{d}(c)"));
                text = if rng.below(2) == 0 {
                    format!("{attribute} {other}{text}")
                } else {
                    format!("{attribute} {other}mod m{d} {{ {text} }}")
                };
            }
            let known = Names {
                names: vec!["hc_requires".into(), "needs".into()],
            };
            // Expand outermost first, as rustc does: level d takes its attribute off and
            // rewrites what is left.
            let mut rest: TokenStream = text.parse().unwrap();
            for d in 0..depth {
                assert!(holds_annotation(&rest, &known), "{rest}");
                let (args, item) = take_attribute(rest).expect(&text);
                let (around, own) = split(args);
                let names: Vec<String> = around.iter().map(|e| e.args.to_string()).collect();
                let want: Vec<String> = (0..d).map(|k| format!("t{k} (c)")).collect();
                assert_eq!(names, want, "round {round}: {text}");
                assert_eq!(own.to_string(), format!("t{d} (c)"));
                let me = Enclosing {
                    line: 1,
                    column: 3,
                    args: own,
                };
                rest = carry(item, &[me], &known);
            }
            assert!(!holds_annotation(&rest, &known), "{rest}");
        }
    }

    /// An annotation inside `cfg_attr` is lifted into an attribute of its own, the other
    /// attributes staying under the predicate, in their order; an alias is rewritten in
    /// place; attributes that are neither are left alone.
    #[test]
    fn cfg_attr_and_aliases_are_rewritten() {
        let known = Names {
            names: vec!["hc_requires".into(), "needs".into()],
        };
        let me = Enclosing {
            line: 1,
            column: 3,
            args: "o(c)".parse().unwrap(),
        };
        let item: TokenStream = "#[cfg_attr(any(), allow(x), cfg_attr(unix, needs(t(c)), inline))]              #[needs(u(c))] #[other(v(c))] #[cfg_attr(test, other(w))] fn f() {}"
            .parse()
            .unwrap();
        assert!(holds_annotation(&item, &known));
        assert!(!holds_annotation(&item, &Names::plain()));
        // One walk tells a plain annotation, and a word that could be an alias.
        for (text, want) in [
            (
                "#[inline] fn f() { #[hc_requires(a(b))] fn g() {} }",
                (true, false),
            ),
            ("fn f() { #[needs(a(b))] fn g() {} }", (false, true)),
            (
                "fn f() { #[cfg_attr(x, inline, needs(a(b)))] fn g() {} }",
                (false, true),
            ),
            ("#[cfg_attr(x, hc_requires(a(b)))] fn g() {}", (true, false)),
            (
                "fn f() { let _ = [needs(a)]; let _ = x[0]; }",
                (false, false),
            ),
            (
                "#[allow(x)] #[m::hc_requires(a(b))] #[derive(Debug)] struct S;",
                (true, false),
            ),
        ] {
            let item: TokenStream = text.parse().unwrap();
            assert_eq!(attributes_of(&item), want, "{text}");
        }
        let carried = carry(item, &[me], &known).to_string();
        assert_eq!(
            carried,
            "# [cfg_attr (any () , allow (x))] \
             # [needs (__hc_enclosing (1 3 (o (c))) , t (c))] \
             # [cfg_attr (any () , cfg_attr (unix , inline))] \
             # [needs (__hc_enclosing (1 3 (o (c))) , u (c))] \
             # [other (v (c))] # [cfg_attr (test , other (w))] fn f () { }"
        );
    }

    /// An alias counts for a nested annotation only where the file proves it means
    /// `hc_requires`: rebound in a module (the attacker's case), used inside a `mod {}`
    /// block, or shadowed by a `fn` of that name, `#[req]` is a foreign attribute and the
    /// outer annotation checks the item's strings itself.
    #[test]
    fn only_proven_aliases_mark_nested_annotations() {
        let sql = "\"SELECT nope__c FROM salesforce.account\"";
        let alias = "#[allow(unused_imports)]\nuse hc_schema_macro::hc_requires as req;\n";
        // The item the outer annotation gets, and the rest of the file around it.
        let cases = [
            // Proven: the file-level alias, used on an item inside a function.
            (
                format!("pub fn outer() {{\n    #[req(account(nope__c))]\n    fn f() -> &'static str {{ {sql} }}\n}}\n"),
                String::new(),
                true,
            ),
            // The attacker's repro: the module rebinds `req` to a no-op attribute.
            (
                format!("pub mod outer {{\n    use noop::keep as req;\n    #[req(account(nope__c))]\n    pub fn f() -> &'static str {{ {sql} }}\n}}\n"),
                String::new(),
                false,
            ),
            // A module that reaches `req` through a glob: in doubt.
            (
                format!("pub mod outer {{\n    use super::*;\n    #[req(account(nope__c))]\n    pub fn f() -> &'static str {{ {sql} }}\n}}\n"),
                String::new(),
                false,
            ),
            // Another module of the file rebinds the word.
            (
                format!("pub fn outer() {{\n    #[req(account(nope__c))]\n    fn f() -> &'static str {{ {sql} }}\n}}\n"),
                "mod other { pub use noop::keep as req; }\n".to_string(),
                false,
            ),
            // A function named like the alias.
            (
                format!("pub fn outer() {{\n    #[req(account(nope__c))]\n    fn f() -> &'static str {{ {sql} }}\n}}\n"),
                "fn req() {}\n".to_string(),
                false,
            ),
        ];
        for (item, rest, proven) in cases {
            let file =
                format!("{alias}#[hc_schema_macro::hc_requires(account(name))]\n{item}{rest}");
            let names = Names::of_text(&file);
            assert_eq!(names.list().len() == 2, proven, "{file}");
            let item: TokenStream = item.parse().unwrap();
            let (holds, other) = attributes_of(&item);
            assert!(!holds && other, "{item}");
            assert_eq!(holds_annotation(&item, &names), proven, "{file}");
            let found = hc_schema_snapshot::scan::item::sql_literals_with(item, names.list());
            assert_eq!(found.len(), 1, "{file}");
            // Left to the nested annotation only when the alias is proven.
            assert_eq!(found[0].guarded_elsewhere, proven, "{file}");
        }
    }

    /// The first `#[hc_requires(args)]` of `stream` taken off (what rustc hands the
    /// attribute): its arguments, and the item it is on (the innermost item holding it).
    fn take_attribute(stream: TokenStream) -> Option<(TokenStream, TokenStream)> {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        for k in 0..tokens.len() {
            if let (TokenTree::Punct(p), Some(TokenTree::Group(g))) =
                (&tokens[k], tokens.get(k + 1))
            {
                if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    if let [TokenTree::Ident(name), TokenTree::Group(args)] = &inner[..] {
                        if name == "hc_requires" || name == "needs" {
                            let mut item: Vec<TokenTree> = tokens[..k].to_vec();
                            item.extend(tokens[k + 2..].iter().cloned());
                            return Some((args.stream(), item.into_iter().collect()));
                        }
                    }
                }
            }
            if let TokenTree::Group(g) = &tokens[k] {
                if let Some(found) = take_attribute(g.stream()) {
                    return Some(found);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod attribute_tests {
    use super::attribute_arguments;

    #[test]
    fn the_arguments_of_an_attribute_at_a_place() {
        let text = "use x;\n#[hc_requires(account(name), missing_ok(prod, account(x), reason = \"a (b\"))]\nfn f() {}\n";
        // The path starts at line 2, column 3; the arguments run from after `(` to its match.
        let (start, end) = attribute_arguments(text, 2, 3).unwrap();
        assert_eq!(start, (2, 15));
        assert_eq!(end, (2, 75));
        // Inside `cfg_attr`, after a comma.
        let text = "#[cfg_attr(all(), hc_requires(account(sfid)))]\n";
        assert_eq!(attribute_arguments(text, 1, 19), Some(((1, 31), (1, 44))));
        // A macro call, an expression, a place in the middle of a word: no attribute there.
        for (text, line, column) in [
            ("m!(account(x));\n", 1, 1),
            ("let _ = f(account(x));\n", 1, 9),
            ("#[hc_requires(account(x))]\n", 1, 4),
            ("#[hc_requires(account(x)]\n", 1, 3),
            ("", 1, 1),
            ("#[x(", 9, 9),
        ] {
            assert_eq!(attribute_arguments(text, line, column), None, "{text}");
        }
    }
}
