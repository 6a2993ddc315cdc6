//! Code generation only: the item, unchanged, plus its registry entries and the errors.

use hc_schema_snapshot::syntax::{Annotation, Name};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::validate;

/// Expand `#[hc_requires(args)] item`.
pub fn hc_requires(args: TokenStream, item: TokenStream) -> TokenStream {
    let annotation: Annotation = match syn::parse2(args) {
        Ok(annotation) => annotation,
        Err(err) => {
            let err = err.to_compile_error();
            return quote!(#err #item);
        }
    };
    let errors = validate::errors(&annotation);
    if !errors.is_empty() {
        let errors = errors.iter().map(syn::Error::to_compile_error);
        return quote!(#(#errors)* #item);
    }
    with_registration(item, registration(&annotation))
}

/// `inventory::submit!` of one `Site` per table group.
fn registration(annotation: &Annotation) -> TokenStream {
    let sites = annotation.groups.iter().map(|group| {
        let table = site_name(&group.table);
        let columns = group.columns.iter().map(site_name);
        quote! {
            ::hc_schema_snapshot::__inventory::submit! {
                ::hc_schema_snapshot::registry::Site {
                    file: ::core::file!(),
                    table: #table,
                    columns: &[#(#columns),*],
                }
            }
        }
    });
    quote!(#(#sites)*)
}

/// A `SiteName` whose line and column are those of the name's token.
fn site_name(name: &Name) -> TokenStream {
    let value = &name.value;
    let span = name.span;
    let line = quote_spanned!(span=> ::core::line!());
    let column = quote_spanned!(span=> ::core::column!());
    quote! {
        ::hc_schema_snapshot::registry::SiteName { name: #value, line: #line, column: #column }
    }
}

/// Attach the registration: as the first statement of a function's body (valid for free
/// functions and methods alike, where a sibling item would not be), next to any other item.
/// The function's own statements are kept as they are.
fn with_registration(item: TokenStream, registration: TokenStream) -> TokenStream {
    let registration = quote!(const _: () = { #registration };);
    if let Ok(mut function) = syn::parse2::<syn::ItemFn>(item.clone()) {
        if let Ok(statement) = syn::parse2::<syn::Stmt>(registration.clone()) {
            function.block.stmts.insert(0, statement);
            return quote!(#function);
        }
    }
    quote!(#registration #item)
}
