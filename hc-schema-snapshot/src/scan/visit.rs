//! The scan's reading of syn's tree: `#[hc_requires]` on items (also inside `cfg_attr`),
//! where rustc rejects it (fields, `let`, expressions, inner attributes), `hc_sql!` calls, and
//! hc-schema's macros hidden in macro definitions and other macros' inputs.
//!
//! Attribute macros apply to items only (rustc: "expected non-macro attribute, found
//! attribute macro" elsewhere), so an annotation anywhere else declares nothing and is
//! reported as misplaced. The inputs of std's expression macros (`format!`, `vec!`,
//! `assert!`, ...) are parsed as expressions, so an `hc_sql!` inside `format!` is found; every
//! other macro's input is opaque, and a path to hc-schema's macros inside it is "not
//! scannable here".

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::bindings::{of_extern_crate, of_use};
use super::model::{
    AllowanceSite, AllowedColumn, ErrorKind, Extent, LiteralKind, Position, QueryCall,
    SqlAllowances, SqlArgument, StrLiteral,
};
use super::plain::PlainAttribute;
use super::resolve::{unraw, Aliases, Binding, PathText, Resolution};
use crate::manifest::Usage;
use crate::syntax::{allowances_of, sql_allowances, validate_sql_allowances, Annotation};

/// An annotation found on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundAnnotation {
    pub position: Position,
    pub item: Extent,
    pub conditional: Vec<String>,
    pub usages: Vec<Usage>,
    pub allowances: Vec<AllowanceSite>,
}

/// An `hc_sql!` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundSql {
    pub position: Position,
    pub extent: Extent,
    pub argument: SqlArgument,
    pub allowances: SqlAllowances,
    pub query: Option<QueryCall>,
}

/// A problem at a position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FoundError {
    pub position: Position,
    pub kind: ErrorKind,
    pub message: String,
}

/// Everything found in one file's tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Found {
    pub annotations: Vec<FoundAnnotation>,
    /// The items whose `#[hc_requires]` is malformed (reported as errors).
    pub malformed_items: Vec<Extent>,
    pub sql_macros: Vec<FoundSql>,
    pub errors: Vec<FoundError>,
}

/// Each allowance of `syntax` as the check applies it, with where its `missing_ok` starts.
fn allowance_sites(syntax: &[crate::syntax::AllowanceSyntax]) -> Vec<AllowanceSite> {
    syntax
        .iter()
        .flat_map(|one| {
            let position = start_of(one.span);
            allowances_of(std::slice::from_ref(one))
                .into_iter()
                .map(move |allowance| AllowanceSite {
                    allowance,
                    position,
                })
        })
        .collect()
}

/// The position where `span` starts.
pub(crate) fn start_of(span: Span) -> Position {
    let at = span.start();
    Position {
        line: at.line as u32,
        column: at.column as u32 + 1,
    }
}

/// The position just after `span`.
pub(crate) fn end_of(span: Span) -> Position {
    let at = span.end();
    Position {
        line: at.line as u32,
        column: at.column as u32 + 1,
    }
}

fn extent_of(span: Span) -> Extent {
    Extent {
        start: start_of(span),
        end: end_of(span),
    }
}

/// A string literal token as a [`StrLiteral`] (`None` for any other literal, or a suffix).
pub(crate) fn str_literal(literal: &proc_macro2::Literal) -> Option<StrLiteral> {
    let syn::Lit::Str(string) = syn::Lit::new(literal.clone()) else {
        return None;
    };
    if !string.suffix().is_empty() {
        return None;
    }
    let written = literal.to_string();
    let kind = match written.strip_prefix('r') {
        Some(rest) => LiteralKind::Raw {
            hashes: rest.bytes().take_while(|&b| b == b'#').count() as u8,
        },
        None => LiteralKind::Plain,
    };
    Some(StrLiteral {
        value: string.value(),
        kind,
        written,
        extent: extent_of(literal.span()),
    })
}

/// Macros of std whose input is a comma-separated list of expressions.
const EXPRESSION_MACROS: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "dbg",
    "todo",
    "unimplemented",
    "unreachable",
];

/// An item read from its leading attributes alone (its kind is known to accept attribute
/// macros, and nothing else in it mentions hc-schema's names).
pub(crate) struct LightItem {
    pub attrs: Vec<syn::Attribute>,
    pub extent: Extent,
}

/// The item an attribute is on: from syn's tree, or known by its extent.
#[derive(Clone, Copy)]
enum ItemRef<'t> {
    Syn(&'t dyn Spanned),
    Known(Extent),
}

impl ItemRef<'_> {
    fn extent(self) -> Extent {
        match self {
            ItemRef::Syn(item) => extent_of(item.span()),
            ItemRef::Known(extent) => extent,
        }
    }
}

/// Where an attribute is.
#[derive(Clone, Copy)]
enum Placement<'t> {
    /// On an item.
    Item(ItemRef<'t>),
    /// Where attribute macros are rejected: a description of the place.
    Misplaced(&'static str),
    /// An inner attribute `#![...]`.
    Inner,
}

/// Where hc-schema's macros can be but the scan cannot look.
enum Hidden<'a> {
    MacroRules(String),
    Macro(&'a str),
    Verbatim,
    Attribute(&'a str),
}

/// The names bound explicitly in a module or block.
struct Scope {
    module: bool,
    bindings: HashMap<String, Binding>,
}

impl Scope {
    fn new<'i>(module: bool, items: impl Iterator<Item = &'i syn::Item>) -> Scope {
        let mut scope = Scope {
            module,
            bindings: HashMap::new(),
        };
        scope.add(items);
        scope
    }

    /// Add the bindings of `items`' `use` and `extern crate` declarations.
    fn add<'i>(&mut self, items: impl Iterator<Item = &'i syn::Item>) {
        self.extend(top_level_bindings(items));
    }

    /// Add named bindings.
    fn extend(&mut self, bindings: impl IntoIterator<Item = Binding>) {
        for binding in bindings {
            if let Some(name) = binding.name.clone().filter(|n| n != "_") {
                self.bindings.insert(name, binding);
            }
        }
    }
}

/// The bindings of the `use` and `extern crate` declarations among `items` (not those nested
/// in other items).
pub(crate) fn top_level_bindings<'i>(items: impl Iterator<Item = &'i syn::Item>) -> Vec<Binding> {
    let mut out = Vec::new();
    for item in items {
        match item {
            syn::Item::Use(u) => out.extend(of_use(u)),
            syn::Item::ExternCrate(e) => out.push(of_extern_crate(e)),
            _ => {}
        }
    }
    out
}

/// The visitor. Use [`find`].
struct Finder<'a> {
    file: &'a str,
    aliases: &'a Aliases,
    scopes: Vec<Scope>,
    handled: HashSet<usize>,
    place: &'static str,
    found: Found,
}

/// An item read from its leading attributes' text alone ([`super::plain`]): each attribute
/// that mentions hc-schema's names is an ordinary annotation whose path resolves to
/// `#[hc_requires]` in the file's scope.
pub(crate) struct PlainItem {
    pub attrs: Vec<PlainAttribute>,
    pub extent: Extent,
}

/// What of a file was read, for [`find`].
#[derive(Default)]
pub(crate) struct Pieces<'t> {
    /// The file's tree, or the part of it that was parsed.
    pub tree: Option<&'t syn::File>,
    /// Items read from their parsed attributes.
    pub light: &'t [LightItem],
    /// Items read from their attributes' text.
    pub plain: &'t [PlainItem],
    /// More bindings of the file's scope (its top-level `use`s that were not parsed again).
    pub file_bindings: &'t [Binding],
}

/// Read what was parsed of a file; `display` names the file in usages, `aliases` are its
/// crate's.
pub(crate) fn find(pieces: Pieces<'_>, display: &str, aliases: &Aliases) -> Found {
    let mut finder = Finder {
        file: display,
        aliases,
        scopes: Vec::new(),
        handled: HashSet::new(),
        place: "this position",
        found: Found::default(),
    };
    let items = pieces.tree.map(|t| t.items.as_slice()).unwrap_or_default();
    let mut scope = Scope::new(true, items.iter());
    scope.extend(pieces.file_bindings.iter().cloned());
    finder.scopes.push(scope);
    if let Some(tree) = pieces.tree {
        finder.item_attributes(&tree.attrs, Placement::Inner);
        for item in &tree.items {
            finder.visit_item(item);
        }
    }
    for item in pieces.light {
        finder.item_attributes(&item.attrs, Placement::Item(ItemRef::Known(item.extent)));
    }
    for item in pieces.plain {
        for attr in &item.attrs {
            finder.found.annotations.push(FoundAnnotation {
                position: attr.position,
                item: item.extent,
                conditional: Vec::new(),
                usages: attr.usages.clone(),
                // A plain attribute has no `missing_ok` (its usages allow nothing).
                allowances: Vec::new(),
            });
        }
    }
    finder.found
}

/// Whether `path` means `#[hc_requires]` in a file's scope, given its top-level bindings.
pub(crate) fn is_requires_at_top_level(
    path: &PathText,
    file_bindings: &[Binding],
    aliases: &Aliases,
) -> bool {
    aliases
        .resolve_in_scope(path, |name| {
            file_bindings
                .iter()
                .rev()
                .find(|b| b.name.as_deref() == Some(name))
        })
        .kinds()
        .requires
}

impl Finder<'_> {
    fn error(&mut self, kind: ErrorKind, position: Position, message: String) {
        self.found.errors.push(FoundError {
            position,
            kind,
            message,
        });
    }

    /// What `path` means here: a single name is looked up in the enclosing scopes first.
    fn resolve(&self, path: &PathText) -> Resolution {
        self.aliases.resolve_in_scope(path, |name| {
            for scope in self.scopes.iter().rev() {
                if let Some(binding) = scope.bindings.get(name) {
                    return Some(binding);
                }
                if scope.module {
                    break;
                }
            }
            None
        })
    }

    fn with_place(&mut self, place: &'static str, visit: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.place, place);
        visit(self);
        self.place = saved;
    }

    /// The attributes of an item: ours become annotations (inner ones are misplaced).
    fn item_attributes(&mut self, attrs: &[syn::Attribute], placement: Placement<'_>) {
        for attr in attrs {
            self.handled.insert(attr as *const syn::Attribute as usize);
            let placement = match attr.style {
                syn::AttrStyle::Inner(_) => Placement::Inner,
                syn::AttrStyle::Outer => placement,
            };
            self.meta(&attr.meta, attr.span(), placement, &[]);
        }
    }

    /// One attribute's meta (`path`, `path(...)`, `path = ...`); `whole` is blamed when an
    /// annotation's arguments run out.
    fn meta(
        &mut self,
        meta: &syn::Meta,
        whole: Span,
        placement: Placement<'_>,
        conditional: &[String],
    ) {
        let path = PathText::of(meta.path());
        let position = path_start(meta.path());
        if path.segments == ["cfg_attr"] && !path.leading_colon {
            self.cfg_attr(meta, placement, conditional);
            return;
        }
        let kinds = self.resolve(&path).kinds();
        let shown = path.display();
        if kinds.requires {
            match placement {
                Placement::Item(item) => self.annotation(meta, whole, position, item, conditional),
                Placement::Misplaced(place) => self.error(
                    ErrorKind::Misplaced,
                    position,
                    format!(
                        "`#[{shown}]` on {place} declares nothing: rustc accepts attribute macros \
                         only on items, so this is not a requirement; put it on the item that \
                         reads the columns (a `fn`, method, `impl` block, `struct` or `const`)"
                    ),
                ),
                Placement::Inner => self.error(
                    ErrorKind::Misplaced,
                    position,
                    format!(
                        "`#![{shown}]` is an inner attribute, which rustc rejects for attribute \
                         macros, so this is not a requirement; write `#[{shown}(table(column, \
                         ...))]` (outer) on the item that reads the columns"
                    ),
                ),
            }
        } else if kinds.sql {
            self.error(
                ErrorKind::Malformed,
                position,
                format!(
                    "`{shown}` is hc_sql!, a function-like macro, not an attribute: write \
                     `{shown}!(\"SELECT ...\")` where the query text is"
                ),
            );
        } else {
            let tokens = match meta {
                syn::Meta::Path(_) => return,
                syn::Meta::List(list) => list.tokens.clone(),
                syn::Meta::NameValue(nv) => quote::ToTokens::to_token_stream(&nv.value),
            };
            self.hidden(&tokens, Hidden::Attribute(&shown));
        }
    }

    /// `cfg_attr(predicate, attr, attr, ...)`: each attribute, conditional on the predicate.
    fn cfg_attr(&mut self, meta: &syn::Meta, placement: Placement<'_>, conditional: &[String]) {
        let syn::Meta::List(list) = meta else {
            return;
        };
        let mut chunks: Vec<Vec<TokenTree>> = vec![Vec::new()];
        for tree in list.tokens.clone() {
            match &tree {
                TokenTree::Punct(p) if p.as_char() == ',' => chunks.push(Vec::new()),
                _ => chunks.last_mut().expect("never empty").push(tree),
            }
        }
        let predicate: TokenStream = chunks.remove(0).into_iter().collect();
        let mut inner = conditional.to_vec();
        inner.push(predicate.to_string());
        for chunk in chunks.into_iter().filter(|c| !c.is_empty()) {
            let tokens: TokenStream = chunk.into_iter().collect();
            match syn::parse2::<syn::Meta>(tokens.clone()) {
                Ok(meta) => {
                    let whole = meta.span();
                    self.meta(&meta, whole, placement, &inner);
                }
                Err(err) => {
                    let paths = self.our_paths(&tokens);
                    for (position, shown) in paths {
                        self.error(
                            ErrorKind::Malformed,
                            position,
                            format!(
                                "`{shown}` inside a `cfg_attr` whose attribute does not parse \
                                 ({err}): write `#[cfg_attr(predicate, {shown}(table(column)))]`"
                            ),
                        );
                    }
                }
            }
        }
    }

    fn annotation(
        &mut self,
        meta: &syn::Meta,
        whole: Span,
        position: Position,
        item: ItemRef<'_>,
        conditional: &[String],
    ) {
        let parsed = match meta {
            syn::Meta::List(list) => Annotation::parse(list.tokens.clone(), whole),
            _ => Ok(Annotation {
                groups: Vec::new(),
                allowances: Vec::new(),
                span: whole,
            }),
        };
        let problems = match parsed {
            Ok(annotation) => {
                let problems = annotation.validate();
                if problems.is_empty() {
                    self.found.annotations.push(FoundAnnotation {
                        position,
                        item: item.extent(),
                        conditional: conditional.to_vec(),
                        usages: annotation.usages(self.file),
                        allowances: allowance_sites(&annotation.allowances),
                    });
                }
                problems
            }
            Err(err) => vec![err],
        };
        if !problems.is_empty() {
            self.found.malformed_items.push(item.extent());
        }
        for problem in problems {
            self.error(
                ErrorKind::Malformed,
                start_of(problem.span),
                problem.message,
            );
        }
    }

    /// Report every path to hc-schema's macros in `tokens`, which the scan cannot expand.
    fn hidden(&mut self, tokens: &TokenStream, context: Hidden<'_>) {
        for (position, shown) in self.our_paths(tokens) {
            let message = match &context {
                Hidden::MacroRules(name) => format!(
                    "not scannable here: `{shown}` is inside `macro_rules! {name}`, and the scan \
                     does not expand macros, so what its expansions require is not checked; put \
                     #[hc_requires] or hc_sql! outside the macro (for example on the function \
                     that calls it)"
                ),
                Hidden::Macro(name) => format!(
                    "not scannable here: `{shown}` is inside the input of `{name}!`, and the scan \
                     does not expand macros, so what it declares is not checked; move it out of \
                     the macro call"
                ),
                Hidden::Verbatim => format!(
                    "not scannable here: `{shown}` is in syntax the scan's parser (syn) leaves \
                     unread, so what it declares is not checked; write the item in plain syntax \
                     or move the annotation to an enclosing item"
                ),
                Hidden::Attribute(name) => format!(
                    "not scannable here: `{shown}` is inside `#[{name}]`, another attribute's \
                     input, which the scan does not expand, so what it declares is not checked; \
                     write it as its own attribute on the item"
                ),
            };
            self.error(ErrorKind::NotScannable, position, message);
        }
    }

    /// Paths in `tokens` that resolve to hc-schema's macros, with where they start.
    fn our_paths(&self, tokens: &TokenStream) -> Vec<(Position, String)> {
        let mut out = Vec::new();
        let mut work = vec![tokens.clone()];
        while let Some(stream) = work.pop() {
            let trees: Vec<TokenTree> = stream.into_iter().collect();
            let mut k = 0;
            while k < trees.len() {
                match &trees[k] {
                    TokenTree::Group(group) => {
                        work.push(group.stream());
                        k += 1;
                    }
                    TokenTree::Punct(p) if p.as_char() == '\'' => k += 2,
                    TokenTree::Ident(_) | TokenTree::Punct(_) => {
                        let start = k;
                        let mut path = PathText {
                            leading_colon: false,
                            segments: Vec::new(),
                        };
                        if is_path_sep(&trees, k) {
                            path.leading_colon = true;
                            k += 2;
                        }
                        while let Some(TokenTree::Ident(ident)) = trees.get(k) {
                            path.segments.push(unraw(&ident.to_string()));
                            k += 1;
                            if is_path_sep(&trees, k)
                                && matches!(trees.get(k + 2), Some(TokenTree::Ident(_)))
                            {
                                k += 2;
                            } else {
                                break;
                            }
                        }
                        if path.segments.is_empty() {
                            k = start + 1;
                            continue;
                        }
                        if self.resolve(&path).kinds() != Default::default() {
                            out.push((start_of(trees[start].span()), path.display()));
                        }
                    }
                    TokenTree::Literal(_) => k += 1,
                }
            }
        }
        out
    }

    /// An `hc_sql!` call, or an `hc_query!` one (`is_query`: under any path or alias).
    fn sql_macro(&mut self, mac: &syn::Macro, is_query: bool) {
        let position = path_start(&mac.path);
        let delimiter = match &mac.delimiter {
            syn::MacroDelimiter::Paren(d) => d.span,
            syn::MacroDelimiter::Brace(d) => d.span,
            syn::MacroDelimiter::Bracket(d) => d.span,
        };
        let extent = Extent {
            start: position,
            end: end_of(delimiter.close()),
        };
        let trees: Vec<TokenTree> = mac.tokens.clone().into_iter().collect();
        // `hc_query!("SELECT ...", args...)` or `hc_query!(Row, "SELECT ...", args...)`: the
        // SQL is the first string literal, the rest are the query's arguments.
        let mut query = None;
        // The SQL argument's tokens (all of them for `hc_sql!`).
        let mut sql_tokens = trees.as_slice();
        // `literal`, `literal,` or `literal, missing_ok(...), ...`, as the macro reads them.
        let (literal, rest) = match trees.as_slice() {
            _ if is_query => match self.query_call(&trees) {
                Some((literal, call, sql)) => {
                    query = Some(call);
                    sql_tokens = sql;
                    (literal, &[][..])
                }
                None => return,
            },
            [TokenTree::Literal(literal)] => (str_literal(literal), &[][..]),
            [TokenTree::Literal(literal), TokenTree::Punct(p), rest @ ..] if p.as_char() == ',' => {
                (str_literal(literal), rest)
            }
            _ => (None, &[][..]),
        };
        let allowances = match literal {
            Some(_) if !rest.is_empty() => self.sql_allowances(rest, delimiter.close()),
            _ => SqlAllowances::default(),
        };
        let argument = match literal {
            Some(literal) => SqlArgument::Literal(literal),
            None => SqlArgument::NotLiteral {
                // As written (the tokens' own printing spaces them out).
                text: match (sql_tokens.first(), sql_tokens.last()) {
                    (Some(first), Some(last)) => first
                        .span()
                        .join(last.span())
                        .and_then(|span| span.source_text()),
                    _ => None,
                }
                .unwrap_or_else(|| {
                    sql_tokens
                        .iter()
                        .cloned()
                        .collect::<TokenStream>()
                        .to_string()
                }),
                position: sql_tokens
                    .first()
                    .map_or(start_of(delimiter.open()), |t| start_of(t.span())),
            },
        };
        self.found.sql_macros.push(FoundSql {
            position,
            extent,
            argument,
            allowances,
            query,
        });
    }

    /// An `hc_query!`'s input read as the macro reads it
    /// ([`split_query_input`](crate::sql::split_query_input)): the path of the user's struct
    /// (optional), the SQL argument's tokens, then expressions. The literal (`None` when it is
    /// none), the call and the SQL argument's tokens; `None` (an error recorded, in the
    /// macro's words and at its token) when the macro rejects its input before the SQL.
    fn query_call<'t>(
        &mut self,
        trees: &'t [TokenTree],
    ) -> Option<(Option<StrLiteral>, QueryCall, &'t [TokenTree])> {
        let input = match crate::sql::split_query_input(trees) {
            Ok(input) => input,
            Err(at) => {
                self.error(
                    ErrorKind::Malformed,
                    start_of(at),
                    crate::sql::QUERY_FORM.to_string(),
                );
                return None;
            }
        };
        let target = input.target.as_ref().map(|_| {
            (input.target_tokens.iter())
                .map(ToString::to_string)
                .collect::<String>()
        });
        let literal = match input.sql {
            [TokenTree::Literal(literal)] => str_literal(literal),
            _ => None,
        };
        let tokens: TokenStream = input.args.iter().cloned().collect();
        let arguments = match syn::parse::Parser::parse2(
            Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            tokens,
        ) {
            Ok(list) => list.iter().map(|arg| start_of(arg.span())).collect(),
            Err(error) if literal.is_some() => {
                self.error(
                    ErrorKind::Malformed,
                    start_of(error.span()),
                    error.to_string(),
                );
                return None;
            }
            // Not a literal: reported as such.
            Err(_) => Vec::new(),
        };
        Some((literal, QueryCall { target, arguments }, input.sql))
    }

    /// The allowances after an `hc_sql!` literal (`rest`), read by the macro's grammar, with
    /// their problems where they are (reported with the query's, as the build reports them;
    /// whether the query uses each column is checked once its SQL is analysed).
    fn sql_allowances(&mut self, rest: &[TokenTree], end: Span) -> SqlAllowances {
        let tokens: TokenStream = rest.iter().cloned().collect();
        let syntax = match sql_allowances(tokens, end) {
            Ok(syntax) => syntax,
            Err(err) => {
                return SqlAllowances {
                    syntax_error: Some((start_of(err.span), err.message)),
                    ..SqlAllowances::default()
                };
            }
        };
        let problems = validate_sql_allowances(&syntax, None)
            .into_iter()
            .map(|problem| (start_of(problem.span), problem.message))
            .collect();
        let columns = syntax
            .iter()
            .flat_map(|allowance| &allowance.groups)
            .flat_map(|group| {
                group.columns.iter().map(|column| AllowedColumn {
                    table: group.table.value.clone(),
                    column: column.value.clone(),
                    position: start_of(column.span),
                })
            })
            .collect();
        SqlAllowances {
            allowances: allowances_of(&syntax),
            sites: allowance_sites(&syntax),
            columns,
            syntax_error: None,
            problems,
        }
    }

    /// The input of a std expression macro as expressions, when it parses as such.
    fn expression_arguments(mac: &syn::Macro) -> Option<Vec<syn::Expr>> {
        let segments: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let name = segments.last()?;
        let std_path = match segments.len() {
            1 => mac.path.leading_colon.is_none(),
            2 => ["std", "core", "alloc"].contains(&segments[0].as_str()),
            _ => false,
        };
        if !std_path || !EXPRESSION_MACROS.contains(&name.as_str()) {
            return None;
        }
        let list = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        if let Ok(list) = list {
            return Some(list.into_iter().collect());
        }
        if name == "vec" {
            let repeat = mac.parse_body_with(|input: syn::parse::ParseStream<'_>| {
                let element: syn::Expr = input.parse()?;
                input.parse::<syn::Token![;]>()?;
                let count: syn::Expr = input.parse()?;
                Ok(vec![element, count])
            });
            return repeat.ok();
        }
        None
    }
}

/// `::` at `k`.
fn is_path_sep(trees: &[TokenTree], k: usize) -> bool {
    matches!(
        (trees.get(k), trees.get(k + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && b.as_char() == ':' && a.spacing() == proc_macro2::Spacing::Joint
    )
}

/// Where a path starts (its `::` or first segment).
fn path_start(path: &syn::Path) -> Position {
    match (&path.leading_colon, path.segments.first()) {
        (Some(colon), _) => start_of(colon.spans[0]),
        (None, Some(segment)) => start_of(segment.ident.span()),
        (None, None) => Position::default(),
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn impl_item_attrs(item: &syn::ImplItem) -> &[syn::Attribute] {
    match item {
        syn::ImplItem::Const(i) => &i.attrs,
        syn::ImplItem::Fn(i) => &i.attrs,
        syn::ImplItem::Type(i) => &i.attrs,
        syn::ImplItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn trait_item_attrs(item: &syn::TraitItem) -> &[syn::Attribute] {
    match item {
        syn::TraitItem::Const(i) => &i.attrs,
        syn::TraitItem::Fn(i) => &i.attrs,
        syn::TraitItem::Type(i) => &i.attrs,
        syn::TraitItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn foreign_item_attrs(item: &syn::ForeignItem) -> &[syn::Attribute] {
    match item {
        syn::ForeignItem::Fn(i) => &i.attrs,
        syn::ForeignItem::Static(i) => &i.attrs,
        syn::ForeignItem::Type(i) => &i.attrs,
        syn::ForeignItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Verbatim(tokens) => {
                self.hidden(tokens, Hidden::Verbatim);
                return;
            }
            syn::Item::Mod(module) => {
                let placement = if module.content.is_some() {
                    Placement::Item(ItemRef::Syn(item))
                } else {
                    Placement::Misplaced(
                        "a module declared in another file (`mod name;`, whose contents rustc \
                         does not give attribute macros)",
                    )
                };
                self.item_attributes(&module.attrs, placement);
                if let Some((_, items)) = &module.content {
                    self.scopes.push(Scope::new(true, items.iter()));
                    for inner in items {
                        self.visit_item(inner);
                    }
                    self.scopes.pop();
                }
                return;
            }
            syn::Item::Macro(mac) if mac.ident.is_some() => {
                self.item_attributes(&mac.attrs, Placement::Item(ItemRef::Syn(item)));
                let name = mac
                    .ident
                    .as_ref()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                self.hidden(&mac.mac.tokens, Hidden::MacroRules(name));
                return;
            }
            _ => {}
        }
        self.item_attributes(item_attrs(item), Placement::Item(ItemRef::Syn(item)));
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        if let syn::ImplItem::Verbatim(tokens) = item {
            self.hidden(tokens, Hidden::Verbatim);
            return;
        }
        self.item_attributes(impl_item_attrs(item), Placement::Item(ItemRef::Syn(item)));
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        if let syn::TraitItem::Verbatim(tokens) = item {
            self.hidden(tokens, Hidden::Verbatim);
            return;
        }
        self.item_attributes(trait_item_attrs(item), Placement::Item(ItemRef::Syn(item)));
        visit::visit_trait_item(self, item);
    }

    fn visit_foreign_item(&mut self, item: &'ast syn::ForeignItem) {
        if let syn::ForeignItem::Verbatim(tokens) = item {
            self.hidden(tokens, Hidden::Verbatim);
            return;
        }
        self.item_attributes(
            foreign_item_attrs(item),
            Placement::Item(ItemRef::Syn(item)),
        );
        visit::visit_foreign_item(self, item);
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|s| match s {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        self.scopes.push(Scope::new(false, items));
        visit::visit_block(self, block);
        self.scopes.pop();
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if self
            .handled
            .contains(&(attr as *const syn::Attribute as usize))
        {
            return;
        }
        let placement = match attr.style {
            syn::AttrStyle::Inner(_) => Placement::Inner,
            syn::AttrStyle::Outer => Placement::Misplaced(self.place),
        };
        self.meta(&attr.meta, attr.span(), placement, &[]);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let path = PathText::of(&mac.path);
        let kinds = self.resolve(&path).kinds();
        let shown = path.display();
        if kinds.sql {
            self.sql_macro(mac, kinds.query);
        } else if kinds.requires {
            self.error(
                ErrorKind::Malformed,
                path_start(&mac.path),
                format!(
                    "`{shown}!` is the #[hc_requires] attribute, not a function-like macro: write \
                     `#[{shown}(table(column, ...))]` on the item that reads the columns"
                ),
            );
        } else if let Some(arguments) = Self::expression_arguments(mac) {
            self.with_place("an expression", |this| {
                for argument in &arguments {
                    this.visit_expr(argument);
                }
            });
        } else {
            self.hidden(&mac.tokens, Hidden::Macro(&shown));
        }
    }

    fn visit_field(&mut self, node: &'ast syn::Field) {
        self.with_place("a field", |this| visit::visit_field(this, node));
    }

    fn visit_variant(&mut self, node: &'ast syn::Variant) {
        self.with_place("an enum variant", |this| visit::visit_variant(this, node));
    }

    fn visit_local(&mut self, node: &'ast syn::Local) {
        self.with_place("a `let` statement", |this| visit::visit_local(this, node));
    }

    fn visit_expr(&mut self, node: &'ast syn::Expr) {
        self.with_place("an expression", |this| visit::visit_expr(this, node));
    }

    fn visit_arm(&mut self, node: &'ast syn::Arm) {
        self.with_place("a match arm", |this| visit::visit_arm(this, node));
    }

    fn visit_fn_arg(&mut self, node: &'ast syn::FnArg) {
        self.with_place("a function parameter", |this| {
            visit::visit_fn_arg(this, node)
        });
    }

    fn visit_bare_fn_arg(&mut self, node: &'ast syn::BareFnArg) {
        self.with_place("a function pointer parameter", |this| {
            visit::visit_bare_fn_arg(this, node)
        });
    }

    fn visit_variadic(&mut self, node: &'ast syn::Variadic) {
        self.with_place("a variadic parameter", |this| {
            visit::visit_variadic(this, node)
        });
    }

    fn visit_bare_variadic(&mut self, node: &'ast syn::BareVariadic) {
        self.with_place("a variadic parameter", |this| {
            visit::visit_bare_variadic(this, node)
        });
    }

    fn visit_generic_param(&mut self, node: &'ast syn::GenericParam) {
        self.with_place("a generic parameter", |this| {
            visit::visit_generic_param(this, node)
        });
    }

    fn visit_field_value(&mut self, node: &'ast syn::FieldValue) {
        self.with_place("a field of a struct expression", |this| {
            visit::visit_field_value(this, node)
        });
    }

    fn visit_field_pat(&mut self, node: &'ast syn::FieldPat) {
        self.with_place("a field pattern", |this| visit::visit_field_pat(this, node));
    }

    fn visit_pat(&mut self, node: &'ast syn::Pat) {
        self.with_place("a pattern", |this| visit::visit_pat(this, node));
    }

    fn visit_stmt_macro(&mut self, node: &'ast syn::StmtMacro) {
        self.with_place("a macro call statement", |this| {
            visit::visit_stmt_macro(this, node)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::cargo::CrateNames;

    fn found(text: &str) -> Found {
        let tree = syn::parse_file(text).unwrap();
        let mut aliases = Aliases::new(&CrateNames {
            macro_crates: vec!["hc_schema_macro".into()],
            foreign: vec!["other_crate".into(), "std".into()],
            ..CrateNames::default()
        });
        let mut collector = super::super::bindings::Collector::default();
        collector.visit_file(&tree);
        aliases.learn(&collector.bindings);
        let pieces = Pieces {
            tree: Some(&tree),
            ..Pieces::default()
        };
        find(pieces, "src/a.rs", &aliases)
    }

    fn tables(found: &Found) -> Vec<String> {
        found
            .annotations
            .iter()
            .flat_map(|a| {
                a.usages
                    .iter()
                    .map(|u| format!("{}@{}", u.table.name, u.table.line))
            })
            .collect()
    }

    #[test]
    fn annotations_on_items_under_any_alias() {
        let f = found(
            "use hc_schema_macro::hc_requires as needs;\n\
             #[needs(a(x))] fn f() {}\n\
             #[hc_schema_macro::hc_requires(b(y))] struct S;\n\
             impl S { #[needs(c(z))] fn m(&self) { #[needs(d(w))] fn inner() {} } }\n\
             #[other_crate::hc_requires(e(v))] fn g() {}\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(tables(&f), ["a@2", "b@3", "c@4", "d@4"]);
        assert_eq!(f.annotations[0].item.start.line, 2);
    }

    #[test]
    fn misplaced_attributes_are_errors_not_requirements() {
        let f = found(
            "use hc_schema_macro::hc_requires;\n\
             struct S { #[hc_requires(a(x))] field: u8 }\n\
             fn f() { #[hc_requires(a(x))] let x = 1; }\n\
             fn g() { let y = #[hc_requires(a(x))] 1; }\n\
             mod m { #![hc_requires(a(x))] }\n",
        );
        assert!(f.annotations.is_empty());
        let places: Vec<_> = f
            .errors
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.position.line,
                    e.message.split(" declares").next().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(places.len(), 4, "{places:?}");
        assert!(places.iter().all(|p| p.0 == ErrorKind::Misplaced));
        assert!(places[0].2.contains("a field"));
        assert!(places[1].2.contains("`let` statement"));
        assert!(places[2].2.contains("an expression"));
        assert!(f.errors[3].message.contains("inner attribute"));
    }

    #[test]
    fn cfg_attr_is_found_and_conditional() {
        let f = found(
            "#[cfg_attr(feature = \"x\", allow(dead_code), cfg_attr(test, hc_schema_macro::hc_requires(a(x))))]\n\
             fn f() {}\n",
        );
        assert_eq!(tables(&f), ["a@1"]);
        assert_eq!(f.annotations[0].conditional, ["feature = \"x\"", "test"]);
    }

    #[test]
    fn macros_hide_annotations() {
        let f = found(
            "macro_rules! m { () => { #[hc_schema_macro::hc_requires(a(x))] fn f() {} } }\n\
             my_macro! { #[hc_requires(a(x))] fn g() {} }\n\
             fn h() { let q = format!(\"{}\", hc_schema_macro::hc_sql!(\"SELECT 1\")); }\n",
        );
        let kinds: Vec<_> = f.errors.iter().map(|e| (e.kind, e.position.line)).collect();
        assert_eq!(
            kinds,
            [(ErrorKind::NotScannable, 1), (ErrorKind::NotScannable, 2)]
        );
        assert_eq!(f.sql_macros.len(), 1);
        assert!(
            matches!(&f.sql_macros[0].argument, SqlArgument::Literal(l) if l.value == "SELECT 1")
        );
    }

    #[test]
    fn hc_query_is_checked_sql() {
        let f = found(
            "use hc_schema_macro::hc_query;\n\
             fn f(c: &str) { let q = hc_query!(\"SELECT a.name FROM salesforce.account a WHERE a.sfid = $1\", c); }\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.sql_macros.len(), 1);
        assert!(
            matches!(&f.sql_macros[0].argument, SqlArgument::Literal(l) if l.value.starts_with("SELECT a.name"))
        );
    }

    /// Issue 21: an `hc_query!` call records its struct (a path of any length) and where each
    /// argument starts (one with commas inside generics counts once); `hc_sql!` records none;
    /// a first argument that is neither the SQL nor a path is the macro's error.
    #[test]
    fn hc_query_records_its_struct_and_arguments() {
        let f = found(
            r#"use hc_schema_macro::{hc_query, hc_sql};
fn f(c: &str) {
let a = hc_query!(my::Row, "SELECT 1", c, f::<u8, u16>(1), );
let b = hc_query!("SELECT 2");
let c = hc_sql!("SELECT 3");
let d = hc_query!(foo(), "SELECT 4");
}
use hc_schema_macro::hc_query as typed;
fn g(x: u8) { let e = typed!(Row, "SELECT 5", x); }
fn h(x: u8, sql: &str) { let g = hc_query!(Pair<String, Option<i32>>, "SELECT 6", x); let i = hc_query!(Row, sql); }
"#,
        );
        let at = |line, column| Position { line, column };
        assert_eq!(f.sql_macros.len(), 6, "{:?}", f.sql_macros);
        // A generic struct: its commas are the path's (attacker finding F7 of round 11).
        let g = f.sql_macros[4].query.as_ref().unwrap();
        assert_eq!(
            (g.target.as_deref(), g.arguments.len()),
            (Some("Pair<String,Option<i32>>"), 1)
        );
        // Not a literal after the struct: at the SQL argument, not at the struct.
        match &f.sql_macros[5].argument {
            SqlArgument::NotLiteral { text, position } => {
                assert_eq!((text.as_str(), *position), ("sql", at(10, 110)));
            }
            other => panic!("{other:?}"),
        }
        let a = f.sql_macros[0].query.as_ref().unwrap();
        assert!(
            matches!(&f.sql_macros[0].argument, SqlArgument::Literal(l) if l.value == "SELECT 1")
        );
        assert_eq!(a.target.as_deref(), Some("my::Row"));
        assert_eq!(a.arguments, [at(3, 40), at(3, 43)]);
        let b = f.sql_macros[1].query.as_ref().unwrap();
        assert_eq!((b.target.as_deref(), b.arguments.len()), (None, 0));
        assert!(f.sql_macros[2].query.is_none());
        // Under an alias: still a typed query (it was read as hc_sql!, its struct an error).
        let e = f.sql_macros[3].query.as_ref().unwrap();
        assert_eq!((e.target.as_deref(), e.arguments.len()), (Some("Row"), 1));
        assert!(
            matches!(&f.sql_macros[3].argument, SqlArgument::Literal(l) if l.value == "SELECT 5")
        );
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        assert_eq!(f.errors[0].kind, ErrorKind::Malformed);
        assert_eq!(f.errors[0].message, crate::sql::QUERY_FORM);
        assert_eq!(f.errors[0].position.line, 6);
    }
}
