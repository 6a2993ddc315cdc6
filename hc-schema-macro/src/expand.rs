//! Code generation only: the item, unchanged, plus its registry record and the errors.
//!
//! This runs once per annotation in an unoptimised build (proc-macros get `opt-level = 0` by
//! default). The common case, an annotation that holds and is not registered, is decided from
//! the arguments' text alone: one call into the compiler (see
//! `hc_schema_snapshot::syntax::plain_groups`). Everything else works on `proc_macro`
//! tokens directly: the registration is a short `macro_rules!` call built token by token
//! (lexing a string costs the compiler a new source file per call, and `quote!` lexes its
//! string literals), and the item is never parsed.

use std::sync::atomic::{AtomicUsize, Ordering};

use hc_schema_snapshot::manifest::Usage;
use hc_schema_snapshot::registry::Record;
use hc_schema_snapshot::sqlcheck::ItemAnnotation;
use hc_schema_snapshot::syntax::Annotation;
use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::{nested, origin, snapshots, strings, validate};

/// Expand `#[hc_requires(args)] item`.
pub fn hc_requires(args: TokenStream, item: TokenStream) -> TokenStream {
    // The annotations this one is nested in (carried by them), and its own arguments.
    let (enclosing, args) = nested::split(args.into());
    let args = TokenStream::from(args);
    let first_arg = args
        .clone()
        .into_iter()
        .next()
        .map(|token| proc_macro2::Span::from(token.span()));
    if !enclosing.is_empty() {
        let own = strings::annotation_position(first_arg);
        if let Some(error) = nested::forged(&enclosing, (own.line, own.column)) {
            return with_errors(&[error], item);
        }
    }
    // The item's SQL strings are read as written; annotations nested in it learn this one.
    let tokens = proc_macro2::TokenStream::from(item.clone());
    let (names, holds) = nested::Names::for_item(&tokens);
    let item = if holds {
        let position = strings::annotation_position(first_arg);
        let mut carried = enclosing.clone();
        carried.push(nested::Enclosing {
            line: position.line,
            column: position.column,
            args: args.clone().into(),
        });
        TokenStream::from(nested::carry(tokens.clone(), &carried, &names))
    } else {
        item
    };
    let selection = snapshots::selection();
    let registry = selection
        .as_ref()
        .as_ref()
        .is_ok_and(|selection| selection.registry);
    // Written where `hc-schema check` reads it, or the build says so (every annotation).
    // (A selection that cannot be read is reported below, as it is.)
    if let (Ok(selection), Some(first)) = (selection.as_ref(), args.clone().into_iter().next()) {
        if let Some(error) = origin::unseen(&first, "#[hc_requires]", selection.macro_generated) {
            return with_errors(&[error], item);
        }
    }
    // The common case, read from the arguments' text: nothing to report, nothing to register,
    // no literal that could be SQL.
    let strings = strings::may_hold(&tokens);
    if !registry && !strings && validate::plainly_satisfied(args.to_string(), &selection) {
        return item;
    }
    let annotation = match Annotation::parse(args.into(), proc_macro2::Span::call_site()) {
        Ok(annotation) => annotation,
        Err(err) => return with_errors(&[syn::Error::new(err.span, err.message)], item),
    };
    let errors = validate::errors(&annotation, &selection);
    if !errors.is_empty() {
        return with_errors(&errors, item);
    }
    // The item's SQL strings, as `hc-schema check` reads them.
    let mut string_uses = Vec::new();
    let mut string_qualified = Vec::new();
    let mut string_unread = Vec::new();
    if strings {
        let file = file_of(&annotation);
        // Outermost first, this one last, as `hc-schema check` counts them.
        let mut around: Vec<ItemAnnotation> = enclosing
            .iter()
            .filter_map(|outer| {
                let parsed = Annotation::parse(outer.args.clone(), proc_macro2::Span::call_site());
                Some(ItemAnnotation {
                    position: hc_schema_snapshot::scan::Position {
                        line: outer.line,
                        column: outer.column,
                    },
                    usages: parsed.ok()?.usages(&file),
                })
            })
            .collect();
        around.push(ItemAnnotation {
            position: strings::annotation_position(first_arg),
            usages: annotation.usages(&file),
        });
        let found = strings::check(&around, &tokens, names.list(), &selection);
        if !found.errors.is_empty() {
            return with_errors(&found.errors, item);
        }
        string_uses = found.uses;
        string_qualified = found.qualified;
        string_unread = found.unread;
    }
    if !registry {
        return item;
    }
    let via = selection
        .as_ref()
        .as_ref()
        .ok()
        .and_then(|selection| selection.registry_crate.clone());
    let Some(via) = via else {
        // One clear error for the crate, instead of rustc's "cannot find `hc_schema_snapshot`"
        // once per annotation.
        let errors = validate::missing_registry_dependency(&annotation);
        return with_errors(&errors, item);
    };
    with_registration(
        item,
        registration(
            &annotation,
            string_uses,
            &string_qualified,
            &string_unread,
            &via,
        ),
    )
}

/// The file of the annotation, as its usages name it.
fn file_of(annotation: &Annotation) -> String {
    annotation
        .groups
        .first()
        .map_or_else(String::new, |group| group.table.span.file())
}

/// The errors, then the item unchanged (so that only hc-schema's errors are reported).
fn with_errors(errors: &[syn::Error], item: TokenStream) -> TokenStream {
    let mut out: TokenStream = errors
        .iter()
        .map(|err| TokenStream::from(err.to_compile_error()))
        .collect();
    out.extend(item);
    out
}

/// The registry record of the annotation (with `strings`, the uses of its item's SQL strings
/// that it does not declare, and `qualified`, the tables those strings name as
/// `schema.table`, declared or not), as a call of `hc_schema_snapshot::__register!`: one
/// `&str` static in the `hc_schema_sites` link section on ELF targets, an `inventory`
/// submission elsewhere (see `hc_schema_snapshot::registry`): no constructor and no startup
/// code, only what rustc charges for one static (the `static per item` line of the
/// `macro_build` bench). The name only has to be unique within the crate.
///
/// ```text
/// ::hc_schema_snapshot::__register!(__HC_SCHEMA_SITE_<n>, "<record>");
/// ```
///
/// (`via` is the name the crate depends on hc-schema-snapshot under, usually
/// `hc_schema_snapshot`.)
///
/// ```text
/// ```
fn registration(
    annotation: &Annotation,
    strings: Vec<Usage>,
    qualified: &[hc_schema_snapshot::registry::Qualified],
    unread: &[(u32, u32, String)],
    via: &str,
) -> TokenStream {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let mut usages = annotation.usages(&file_of(annotation));
    usages.extend(strings);
    // A typed declaration's Rust type reaches the record through the library's hook.
    let types = snapshots::built_types(&usages, &hc_schema_snapshot::built::declared_rust_type);
    let record =
        Record::with_qualifiers(Record::encode_typed_for_build(&usages, &types), qualified);
    let record = Record::with_unread(record, unread);
    let record = Record::with_unguarded_warn(record, unguarded_warn());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let span = Span::call_site();
    let joint = |c| TokenTree::from(Punct::new(c, Spacing::Joint));
    let alone = |c| TokenTree::from(Punct::new(c, Spacing::Alone));
    let arguments: TokenStream = [
        Ident::new(&format!("__HC_SCHEMA_SITE_{n}"), span).into(),
        alone(','),
        Literal::string(&record).into(),
    ]
    .into_iter()
    .collect();
    [
        joint(':'),
        alone(':'),
        Ident::new(via, span).into(),
        joint(':'),
        alone(':'),
        Ident::new("__register", span).into(),
        alone('!'),
        Group::new(Delimiter::Parenthesis, arguments).into(),
        alone(';'),
    ]
    .into_iter()
    .collect()
}

/// Attach the registration: as the first statements of a function's body (valid for free
/// functions and methods alike, where a sibling item would not be), next to any other item.
/// The item's tokens are kept as they are; only the body's brace group is rebuilt.
fn with_registration(item: TokenStream, registration: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    if is_function(&tokens) {
        match tokens.last_mut() {
            Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                let mut rebuilt = Group::new(Delimiter::Brace, prepend(registration, body));
                rebuilt.set_span(body.span());
                *body = rebuilt;
                return tokens.into_iter().collect();
            }
            _ => {
                let error = syn::Error::new(
                    proc_macro2::Span::call_site(),
                    "#[hc_requires] on a function without a body cannot be registered for the \
                     release-phase check; put it on the trait, or on the implementations",
                );
                return with_errors(&[error], tokens.into_iter().collect());
            }
        }
    }
    let mut out = registration;
    out.extend(tokens);
    out
}

/// `registration` followed by the body's statements, after the body's inner attributes
/// (`#![allow(...)]` must stay first). Without inner attributes the body's stream is appended
/// whole, which is much cheaper than taking it apart.
fn prepend(registration: TokenStream, body: &Group) -> TokenStream {
    let mut out = registration;
    if !starts_with_inner_attribute(body) {
        out.extend([body.stream()]);
        return out;
    }
    let statements: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut inner = 0;
    while let [TokenTree::Punct(hash), TokenTree::Punct(bang), TokenTree::Group(_), ..] =
        &statements[inner..]
    {
        if hash.as_char() != '#' || bang.as_char() != '!' {
            break;
        }
        inner += 3;
    }
    let mut with_inner: TokenStream = statements[..inner].iter().cloned().collect();
    with_inner.extend([out]);
    with_inner.extend(statements[inner..].iter().cloned());
    with_inner
}

/// Whether the block starts with `#` (an inner attribute), `//!` or `/*!`, judged from its
/// source text after whitespace and comments. Without source text (code from another
/// macro), assume it might.
fn starts_with_inner_attribute(body: &Group) -> bool {
    let Some(text) = body.span().source_text() else {
        return true;
    };
    let mut rest = text.strip_prefix('{').unwrap_or(&text).trim_start();
    loop {
        if let Some(comment) = rest.strip_prefix("//") {
            if comment.starts_with('!') {
                return true; // `//!` is an inner doc attribute
            }
            rest = comment
                .split_once('\n')
                .map_or("", |(_, after)| after)
                .trim_start();
        } else if let Some(comment) = rest.strip_prefix("/*") {
            if comment.starts_with('!') {
                return true; // `/*!` is an inner doc attribute
            }
            rest = comment
                .split_once("*/")
                .map_or("", |(_, after)| after)
                .trim_start();
        } else {
            return rest.starts_with('#');
        }
    }
}

/// Whether the item's tokens are a function: after attributes, visibility and qualifiers
/// (`const`, `async`, `unsafe`, `safe`, `default`, `extern "abi"`) comes `fn`.
fn is_function(tokens: &[TokenTree]) -> bool {
    let mut rest = tokens.iter().peekable();
    while let Some(token) = rest.next() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                rest.next(); // the attribute's [...]
            }
            TokenTree::Ident(ident) => match ident.to_string().as_str() {
                "fn" => return true,
                "pub" => {
                    if matches!(rest.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                    {
                        rest.next();
                    }
                }
                "const" | "async" | "unsafe" | "safe" | "default" => {}
                "extern" => {
                    if matches!(rest.peek(), Some(TokenTree::Literal(_))) {
                        rest.next();
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// Whether the crate being compiled sets `[check] unguarded = "warn"` (the build script's
/// selection says): its SQL strings outside `hc_sql!` and annotated items reach no macro, so
/// each record says so and the release phase names what it cannot check.
pub(crate) fn unguarded_warn() -> bool {
    crate::snapshots::selection()
        .as_ref()
        .as_ref()
        .is_ok_and(|s| s.lints.unguarded == hc_schema_snapshot::config::LintLevel::Warn)
}
