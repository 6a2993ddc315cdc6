//! Code generation only: the item, unchanged, plus its registry record and the errors.

use std::sync::atomic::{AtomicUsize, Ordering};

use hc_schema_snapshot::registry::Record;
use hc_schema_snapshot::syntax::{Annotation, Name};
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::quote;

use crate::{snapshots, validate};

/// Expand `#[hc_requires(args)] item`.
pub fn hc_requires(args: TokenStream, item: TokenStream) -> TokenStream {
    let annotation = match Annotation::parse(args, Span::call_site()) {
        Ok(annotation) => annotation,
        Err(err) => {
            let err = syn::Error::new(err.span, err.message).to_compile_error();
            return quote!(#err #item);
        }
    };
    let errors = validate::errors(&annotation);
    if !errors.is_empty() {
        let errors = errors.iter().map(syn::Error::to_compile_error);
        return quote!(#(#errors)* #item);
    }
    let registry = snapshots::selection()
        .as_ref()
        .as_ref()
        .map_or(true, |selection| selection.registry);
    if !registry {
        return item;
    }
    with_registration(item, registration(&annotation))
}

/// The registry record of the annotation: one `&str` static in the `hc_schema_sites` link
/// section on ELF targets, an `inventory` submission elsewhere (see
/// `hc_schema_snapshot::registry`). A static per annotation is the cheapest item for rustc to
/// compile; the name only has to be unique within the crate.
///
/// The code is written as text and lexed by the compiler in one call: building it token by
/// token costs the macro more than everything else it does.
fn registration(annotation: &Annotation) -> TokenStream {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let file = annotation
        .groups
        .first()
        .map_or_else(String::new, |group| group.table.span.file());
    let groups: Vec<_> = annotation
        .groups
        .iter()
        .map(|group| {
            let columns = group.columns.iter().map(located).collect();
            (located(&group.table), columns)
        })
        .collect();
    let record = format!("{:?}", Record::encode(&file, &groups));
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let code = format!(
        "#[cfg(any(target_os = \"linux\", target_os = \"android\"))] #[used] \
         #[unsafe(link_section = \"hc_schema_sites\")] #[doc(hidden)] \
         static __HC_SCHEMA_SITE_{n}: &str = {record}; \
         #[cfg(not(any(target_os = \"linux\", target_os = \"android\")))] \
         ::hc_schema_snapshot::__inventory::submit! {{ \
         ::hc_schema_snapshot::registry::Record({record}) }}"
    );
    // proc_macro2's `parse` would lex the text itself first (slowly, in a debug-built macro).
    match code.parse::<proc_macro::TokenStream>() {
        Ok(tokens) => tokens.into(),
        Err(_) => {
            let message = format!("hc-schema: internal error, cannot lex `{code}`");
            quote!(::core::compile_error!(#message);)
        }
    }
}

/// A name with its 1-based line and column.
fn located(name: &Name) -> (&str, u32, u32) {
    let start = name.span.start();
    (
        name.value.as_str(),
        start.line as u32,
        start.column as u32 + 1,
    )
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
                let item: TokenStream = tokens.into_iter().collect();
                let error = syn::Error::new(
                    Span::call_site(),
                    "#[hc_requires] on a function without a body cannot be registered for the \
                     release-phase check; put it on the trait, or on the implementations",
                )
                .to_compile_error();
                return quote!(#error #item);
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
        out.extend(body.stream());
        return out;
    }
    let mut statements = body.stream().into_iter();
    let mut inner = TokenStream::new();
    loop {
        let mut lookahead = statements.clone();
        match (lookahead.next(), lookahead.next(), lookahead.next()) {
            (
                Some(TokenTree::Punct(hash)),
                Some(TokenTree::Punct(bang)),
                Some(TokenTree::Group(_)),
            ) if hash.as_char() == '#' && bang.as_char() == '!' => {
                inner.extend(statements.by_ref().take(3));
            }
            _ => break,
        }
    }
    inner.extend(out);
    inner.extend(statements);
    inner
}

/// Whether the block starts with `#!`, judged from its source text (after whitespace and
/// comments). When the text is not available (code from another macro), assume it might.
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
