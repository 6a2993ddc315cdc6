//! `hc_query!("SELECT ...", args...)`: `hc_sql!`'s analysis and checks (through
//! [`crate::judge`], the same findings and wording), plus a generated row struct and typed
//! parameters, on the `postgres` crate.
//!
//! Types come from the library's type table ([`hc_schema_snapshot::types`]) applied to EVERY
//! snapshot of the snapshot directory that maps the column (selected or not), so that every
//! build generates the same struct; a column whose environments have no common Rust type is
//! an error in every build. Where a type comes from is the library's
//! [`shape`](hc_schema_snapshot::sql::shape); every typing decision and its error text is the
//! library's [`type_query`](hc_schema_snapshot::sql::type_query), which `hc-schema check` runs
//! too: this module only turns its result into tokens and compile errors.
//!
//! The generated code names `::postgres` (the app's own dependency: rows, `ToSql`) and
//! `::hc_schema_snapshot::query` (its `QueryError`, and the generic runtime `rt` of the feature
//! `query`, which runs the query and reads the columns), never anything this crate compiles.
//! Per query it generates only what is the query's own (see [`generate`]): rustc type-checks
//! the runtime once per crate, and every expansion's code once per query.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::sql::{
    registered_type_conflicts, rust_types, split_query_input, type_query, typed_columns,
    ColumnTypes, FieldType, Shape, SnapshotTypes, TypedField, TypedParam, QUERY_FORM,
};
use hc_schema_snapshot::types::{RustType, TypesConfig};
use hc_schema_snapshot::Snapshot;
use proc_macro::{TokenStream, TokenTree};
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};

use super::literal::SqlLiteral;
use super::{check, context};
use crate::snapshots;

/// Expand `hc_query!(input)`.
pub fn hc_query(input: TokenStream) -> TokenStream {
    // The named form: `hc_query!(MyRow, "SELECT ...", args...)` fills a struct of the user's
    // (its path may be generic: `Pair<String, String>`), split as `hc-schema check` splits it.
    let (literal_tokens, rest, target) = if starts_with_literal(&input) {
        let (literal, rest) = split_first_argument(input);
        (literal, rest, None)
    } else {
        let input = proc_macro2::TokenStream::from(input);
        let trees: Vec<proc_macro2::TokenTree> = input.into_iter().collect();
        match split_query_input(&trees) {
            Ok(split) => {
                let tokens = |t: &[proc_macro2::TokenTree]| {
                    TokenStream::from(t.iter().cloned().collect::<proc_macro2::TokenStream>())
                };
                (tokens(split.sql), tokens(split.args), split.target)
            }
            Err(at) => return errors_only(&[syn::Error::new(at, QUERY_FORM)]),
        }
    };
    let literal = match SqlLiteral::parse(literal_tokens, QUERY_FORM) {
        Ok(literal) => literal,
        Err(error) => return errors_only(&[error]),
    };
    let args = match syn::parse::Parser::parse(
        syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        rest,
    ) {
        Ok(args) => args.into_iter().collect::<Vec<_>>(),
        Err(error) => return errors_only(&[error]),
    };
    let selection = snapshots::selection();
    if let Some(error) = super::unseen(&literal, "hc_query!", &selection) {
        return errors_only(&[error]);
    }
    let setup = check::setup_errors(&selection, literal.span);
    if !setup.is_empty() || selection.as_ref().is_err() {
        return errors_only(&or_one(
            setup,
            &literal,
            "hc_query!: the snapshots cannot be read",
        ));
    }
    let known = context::known(&selection);
    let known = match known.as_ref() {
        Ok(known) => known,
        Err(message) => return errors_only(&[syn::Error::new(literal.span, message)]),
    };
    let analysis = match known.analyze(&literal.value) {
        Ok(analysis) => analysis,
        Err(errors) => {
            let errors: Vec<syn::Error> = errors
                .iter()
                .map(|error| check::analysis_error_in(error, &literal, "hc_query!"))
                .collect();
            return errors_only(&errors);
        }
    };
    let mut errors = check::findings(&analysis, &literal, &selection);
    if !errors.is_empty() {
        // A column some environment lacks: its type is not the question yet.
        return errors_only(&errors);
    }
    let shape = match known.shape(&literal.value) {
        Ok(shape) => shape,
        Err(found) => {
            errors.extend(
                found
                    .iter()
                    .map(|error| check::analysis_error_in(error, &literal, "hc_query!")),
            );
            return errors_only(&errors);
        }
    };
    let selected = selection.clone();
    let Ok(selection) = selection.as_ref() else {
        return errors_only(&errors);
    };
    // The build script's types index when it answers for every snapshot (held for the whole
    // expansion); else every snapshot parsed, which names the one that cannot be read.
    let index = snapshots::types_index(selection)
        .filter(|index| crate::judge::index_decides(selection, index));
    let loaded = match &index {
        Some(_) => Vec::new(),
        None => match loaded_snapshots(selection) {
            Ok(loaded) => loaded,
            Err(message) => {
                errors.push(syn::Error::new(literal.span, message));
                return errors_only(&errors);
            }
        },
    };
    let config = match types_config() {
        Ok(config) => config,
        Err(message) => {
            errors.push(syn::Error::new(literal.span, message));
            return errors_only(&errors);
        }
    };
    let parsed = SnapshotTypes::new(loaded.iter().filter_map(|(env, display, snapshot)| {
        snapshot
            .as_ref()
            .as_ref()
            .ok()
            .map(|s| (env.as_str(), display.as_str(), s))
    }));
    let types: &dyn ColumnTypes = match &index {
        Some(index) => &**index,
        None => &parsed,
    };
    let typed = type_query(&shape, types, &config, args.len());
    let source = literal.source();
    errors.extend(typed.errors.iter().map(|error| {
        let span = error
            .argument
            .and_then(|k| args.get(k))
            .map_or(literal.span, syn::spanned::Spanned::span);
        syn::Error::new(span, error.text(&source))
    }));
    // A column the query uses without reading it into a field or binding it (`WHERE x >
    // 1.5`, a CTE's column) has no Rust type to decide its drift: `hc_sql!`'s rule.
    let judged = typed_columns(&shape);
    errors.extend(check::drift_errors(
        &analysis,
        &literal,
        &selected,
        &|table, column| judged.contains(&(table.to_string(), column.to_string())),
    ));
    // The registry records one Rust type per column for the release phase: a column this
    // query reads as two different types (a self-join) would have only one of them judged
    // against the live column (attacker finding F1 of round 11), so that is an error here.
    let registered = selection.registry && analysis.touches_hc();
    let rust = if registered {
        rust_types(&shape, &typed)
    } else {
        HashMap::new()
    };
    errors.extend(
        registered_type_conflicts(&rust)
            .into_iter()
            .map(|message| syn::Error::new(literal.span, message)),
    );
    if !errors.is_empty() {
        return errors_only(&errors);
    }
    let fields = match fields(&typed.fields) {
        Ok(fields) => fields,
        Err(message) => return errors_only(&[syn::Error::new(literal.span, message)]),
    };
    let params = &typed.params;
    // With the registry on, the query's requirements and the types it was built against (its
    // Rust types too) go into the registry, as `hc_sql!`'s do.
    let registration = registered.then(|| {
        TokenStream2::from(super::expand::registration(
            &analysis,
            &literal,
            &|usage, spot| {
                rust.get(&(usage.table.name.clone(), spot.name.clone()))
                    .and_then(|types| types.first())
                    .cloned()
            },
        ))
    });
    generate(
        &literal,
        &shape,
        &fields,
        params,
        &args,
        target.as_ref(),
        registration,
    )
    .into()
}

/// Whether the tokens start with a literal (possibly in macro_rules' invisible group).
fn starts_with_literal(tokens: &TokenStream) -> bool {
    match tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(_)) | None => true,
        Some(TokenTree::Group(group)) => {
            group.delimiter() == proc_macro::Delimiter::None && starts_with_literal(&group.stream())
        }
        Some(_) => false,
    }
}

/// The tokens before the first top-level comma, and those after it.
fn split_first_argument(input: TokenStream) -> (TokenStream, TokenStream) {
    let mut first = Vec::new();
    let mut rest = Vec::new();
    let mut seen_comma = false;
    for token in input {
        if seen_comma {
            rest.push(token);
            continue;
        }
        if let TokenTree::Punct(punct) = &token {
            if punct.as_char() == ',' {
                seen_comma = true;
                continue;
            }
        }
        first.push(token);
    }
    (first.into_iter().collect(), rest.into_iter().collect())
}

fn or_one(errors: Vec<syn::Error>, literal: &SqlLiteral, message: &str) -> Vec<syn::Error> {
    if errors.is_empty() {
        vec![syn::Error::new(literal.span, message)]
    } else {
        errors
    }
}

/// Only the errors, as an expression of the compiler's error type: `(compile_error!(..))`
/// each, the last as the block's value, so that `.fetch_all(..)` after it adds no error.
fn errors_only(errors: &[syn::Error]) -> TokenStream {
    let mut parts: Vec<TokenStream2> = Vec::new();
    for error in errors {
        for one in error.clone() {
            let message = one.to_string();
            let span = one.span();
            parts.push(quote_spanned!(span=> (::core::compile_error!(#message))));
        }
    }
    if parts.is_empty() {
        parts.push(quote!((::core::compile_error!("hc_query! failed"))));
    }
    let last = parts.pop();
    quote!({ #( #parts; )* #last }).into()
}

/// One field of the row struct.
struct Field {
    ident: proc_macro2::Ident,
    /// The column name as PostgreSQL returns it (the alias with its override).
    column: String,
    /// The field's type.
    ty: TokenStream2,
    /// The type as shown in a run-time error.
    shown: String,
    /// Whether the type is the user's (`AS "col: Type"`), which may lack `Debug`, `Clone`...
    written: bool,
}

/// The library's typed fields as tokens.
fn fields(typed: &[TypedField]) -> Result<Vec<Field>, String> {
    typed
        .iter()
        .map(|field| {
            let ident = field_ident(&field.name)
                .ok_or_else(|| format!("`{}` cannot name a field", field.name))?;
            let inner: TokenStream2 = match &field.ty {
                FieldType::Written(text) => {
                    let ty = syn::parse_str::<syn::Type>(text).map_err(|e| e.to_string())?;
                    quote!(#ty)
                }
                FieldType::Table(rust) => code_path(*rust).parse().map_err(|e| format!("{e}"))?,
            };
            Ok(Field {
                ident,
                column: field.column.clone(),
                ty: if field.nullable {
                    quote!(::core::option::Option<#inner>)
                } else {
                    inner
                },
                shown: field.shown(),
                written: field.written(),
            })
        })
        .collect()
}

/// One snapshot: (environment, file as shown, the snapshot).
type Loaded = (String, String, Arc<Result<Snapshot, String>>);

/// Every snapshot of the directory, loaded (types are decided from all of them); an error
/// naming the first that cannot be read.
fn loaded_snapshots(selection: &Selection) -> Result<Vec<Loaded>, String> {
    let mut snapshots = Vec::new();
    for snapshot in selection.selected.iter().chain(&selection.others) {
        // Refused when it says it is another environment's, as the judge refuses it.
        let loaded = snapshots::full_of(snapshot, selection.reason);
        if let Err(message) = loaded.as_ref() {
            return Err(format!(
                "hc_query! decides types from every snapshot, and {} cannot be read: {message}",
                snapshot.display
            ));
        }
        snapshots.push((snapshot.env.clone(), snapshot.display.clone(), loaded));
    }
    Ok(snapshots)
}

/// The project's `[types] custom` list (empty when the configuration cannot be read: the
/// selection reports that).
pub(crate) fn custom_types() -> Vec<String> {
    types_config().map(|c| c.custom).unwrap_or_default()
}

/// The project's `[types]`, once per compiler process per crate.
fn types_config() -> Result<TypesConfig, String> {
    static CONFIGS: OnceLock<std::sync::Mutex<HashMap<PathBuf, Result<TypesConfig, String>>>> =
        OnceLock::new();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut configs = CONFIGS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    configs
        .entry(dir.clone())
        .or_insert_with(|| {
            Project::discover(&dir)
                .map(|project| project.config.types)
                .map_err(|err| err.to_string())
        })
        .clone()
}

/// The field named `name` (a raw identifier for a keyword), if a field can be so named
/// ([`hc_schema_snapshot::sql::field_name_ok`]).
fn field_ident(name: &str) -> Option<proc_macro2::Ident> {
    if !hc_schema_snapshot::sql::field_name_ok(name) {
        return None;
    }
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        return Some(proc_macro2::Ident::new(name, Span::call_site()));
    }
    Some(proc_macro2::Ident::new_raw(name, Span::call_site()))
}

/// The expansion: the row struct (or an alias of the user's), the row reader (one generic
/// `rt::get` call per column), one check trait per typed parameter (a single blanket impl over
/// the runtime's generic `rt::Takes`), and a `bind` function building one of the runtime's
/// generic query types (a struct literal: no constructor to compile per query). Everything
/// generic (running, reading a column, which values a type takes) lives in the runtime, which
/// rustc checks once per crate.
fn generate(
    literal: &SqlLiteral,
    shape: &Shape,
    fields: &[Field],
    params: &[TypedParam],
    args: &[syn::Expr],
    target: Option<&syn::Path>,
    registration: Option<TokenStream2>,
) -> TokenStream2 {
    let sql = &literal.value;
    let rt = quote!(::hc_schema_snapshot::query::rt);
    let error = quote!(::hc_schema_snapshot::query::QueryError);
    let to_sql = quote!(::postgres::types::ToSql);
    let names: Vec<&proc_macro2::Ident> = fields.iter().map(|f| &f.ident).collect();
    let types: Vec<&TokenStream2> = fields.iter().map(|f| &f.ty).collect();
    let reads = fields.iter().enumerate().map(|(index, field)| {
        let ident = &field.ident;
        let ty = &field.ty;
        let column = &field.column;
        let shown = &field.shown;
        // The named form converts each value into the user's field type (`From` allowed),
        // through the runtime's `fill`, whose error names the column and both types, at the
        // SQL (attacker finding F8 of round 11: `From` named neither).
        let convert = match target {
            Some(_) => {
                let number = index + 1;
                quote_spanned!(literal.span=> #rt::fill::<_, _, #number>)
            }
            None => quote!(),
        };
        // A `match`, not `?` (no `From` to select) nor a closure per field: cheaper to compile.
        quote! {
            #ident: match #rt::get::<#ty>(row, #index, #column, #shown, __HC_QUERY_AT) {
                ::core::result::Result::Ok(value) => #convert(value),
                ::core::result::Result::Err(e) => return ::core::result::Result::Err(e),
            }
        }
    });
    let mut traits = Vec::new();
    let mut generics = Vec::new();
    let mut inputs = Vec::new();
    let mut values = Vec::new();
    for param in params {
        let p = format_ident!("P{}", param.number);
        let value = format_ident!("p{}", param.number);
        let bound = match &param.rust {
            None => quote!(#to_sql + ::core::marker::Sync),
            Some(rust) => {
                let name = format_ident!("hc_query_parameter_{}", param.number);
                let path: TokenStream2 = code_path(*rust).parse().unwrap_or_default();
                let message = format!(
                    "hc_query! parameter ${} stands for {}, read as {}: `{{Self}}` cannot be \
                     bound to it",
                    param.number,
                    param.what,
                    rust.display()
                );
                let label = format!(
                    "expected {} or Option<{}> (or a reference to one)",
                    rust.display(),
                    rust.display()
                );
                // rustc reports this trait's message (the root of the failed bound), not the
                // runtime's.
                traits.push(quote! {
                    #[diagnostic::on_unimplemented(message = #message, label = #label)]
                    #[allow(non_camel_case_types)]
                    pub trait #name {}
                    impl<T: #rt::Takes<#rt::Is<#path>>> #name for T {}
                });
                quote!(#to_sql + ::core::marker::Sync + #name)
            }
        };
        generics.push(quote!(#p: #bound));
        inputs.push(quote!(#value: &'a #p));
        values.push(quote!(#value));
    }
    let count = params.len();
    // The row struct is `Row` (as rustc's messages show it) unless a type written in the SQL
    // names a `Row` of the user's, which it would capture; the named form's alias of the
    // user's struct gets a name no user type has (attacker finding F6 of round 11:
    // `hc_query!(Row, ...)` made `type Row = Row;`).
    let row_name = if target.is_none() && !fields.iter().any(|f| f.written && names_row(&f.ty)) {
        format_ident!("Row")
    } else {
        format_ident!("__HcQueryRow")
    };
    // Which runtime type: a query's rows, a write's count, or both (`RETURNING`).
    let (kind, read) = match (fields.is_empty() && !shape.is_query, shape.is_query) {
        (true, _) => (quote!(Statement), None),
        (false, true) => (quote!(Query), Some(quote!(__hc_query_read))),
        (false, false) => (quote!(Returning), Some(quote!(__hc_query_read))),
    };
    let (returns, read_fn, read_arg) = match read {
        None => (quote!(#rt::#kind<'a, #count>), quote!(), quote!()),
        Some(read) => (
            quote!(#rt::#kind<'a, #row_name, #count>),
            quote! {
                fn __hc_query_read(row: &::postgres::Row) -> ::core::result::Result<#row_name, #error> {
                    ::core::result::Result::Ok(#row_name { #( #reads, )* })
                }
            },
            quote!(read: #read,),
        ),
    };
    // The table's types have these; a type of the user's may not.
    let derives = if fields.iter().any(|f| f.written) {
        quote!()
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let row = match (target, read_fn.is_empty()) {
        (_, true) => quote!(),
        (Some(path), false) => quote!(type #row_name = #path;),
        (None, false) => quote! {
            /// One row of the query (generated by hc_query!).
            #derives
            #[allow(non_snake_case, dead_code)]
            pub struct #row_name { #( pub #names: #types, )* }
        },
    };
    // At each argument's span: a value of the wrong type is reported there.
    let args = args.iter().map(|arg| {
        let span = syn::spanned::Spanned::span(arg);
        quote_spanned!(span=> &(#arg))
    });
    quote! {
        ({
            ::hc_schema_snapshot::__hc_query_runtime!();
            #row
            #registration
            const __HC_QUERY_AT: &str = ::core::concat!(::core::file!(), ":", ::core::line!(), ":", ::core::column!());
            #( #traits )*
            #read_fn
            #[allow(deprecated)]
            fn __hc_query_bind<'a, #( #generics ),*>(#( #inputs ),*) -> #returns {
                #rt::#kind { sql: #sql, at: __HC_QUERY_AT, params: [ #( #values ),* ], #read_arg }
            }
            __hc_query_bind
        })( #( #args ),* )
    }
}

/// Whether `ty` names an identifier `Row` anywhere.
fn names_row(ty: &TokenStream2) -> bool {
    ty.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "Row",
        proc_macro2::TokenTree::Group(group) => names_row(&group.stream()),
        _ => false,
    })
}

/// `rust`'s path in generated code: a primitive as `::core::primitive::f64`, which a `type
/// f64 = f32;` where the macro is called cannot shadow (attacker finding F5 of round 11: the
/// row and the parameter check read the alias, and the query failed at run time).
fn code_path(rust: RustType) -> String {
    const PRIMITIVES: [&str; 6] = ["bool", "i16", "i32", "i64", "f32", "f64"];
    let path = rust.path();
    if PRIMITIVES.contains(&path.as_str()) {
        return format!("::core::primitive::{path}");
    }
    PRIMITIVES.iter().fold(path, |path, p| {
        path.replace(&format!("<{p}>"), &format!("<::core::primitive::{p}>"))
    })
}

#[cfg(test)]
mod tests {
    /// Primitives are named absolutely in generated code (a call site's `type f64 = f32;`
    /// cannot change what a row or a parameter check reads), alone and inside `Vec`.
    #[test]
    fn generated_primitive_paths_cannot_be_shadowed() {
        use hc_schema_snapshot::types::{RustScalar, RustType};
        assert_eq!(
            super::code_path(RustType::Scalar(RustScalar::F64)),
            "::core::primitive::f64"
        );
        assert_eq!(
            super::code_path(RustType::Vec(RustScalar::I32)),
            "::std::vec::Vec<::core::primitive::i32>"
        );
        assert_eq!(
            super::code_path(RustType::Scalar(RustScalar::String)),
            "::std::string::String"
        );
    }

    use super::*;
    use hc_schema_snapshot::selection::{Reason, SnapshotRef};

    fn snapshot(env: &str) -> String {
        format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{"account":
            {{"columns":{{"name":{{"type":"character varying(255)"}}}}}}}}}}"#
        )
    }

    /// `cp prod.json test.json`: the typer's fallback (no fresh types index: the snapshots are
    /// parsed) refuses the copy, naming the file and what it says it is, as the judge does;
    /// the same files, each its own environment's, load.
    #[test]
    fn the_fallback_refuses_a_snapshot_of_another_environment() {
        let dir = tempfile::tempdir().unwrap();
        let prod = dir.path().join("prod.json");
        let test = dir.path().join("test.json");
        std::fs::write(&prod, snapshot("prod")).unwrap();
        std::fs::write(&test, snapshot("prod")).unwrap();
        let reference = |env: &str, path: &std::path::Path| SnapshotRef {
            env: env.into(),
            path: path.to_path_buf(),
            display: format!("hc-schema/{env}.json"),
            index: None,
            stamp: None,
        };
        let selection = Selection {
            reason: Reason::Features,
            selected: vec![reference("prod", &prod)],
            others: vec![reference("test", &test)],
            snapshot_dir: "hc-schema".into(),
            fingerprint: "f".into(),
            registry: false,
            strict_access: false,
            macro_generated: Default::default(),
            strict_types: false,
            lints: Default::default(),
            manifest_dir: None,
            feature_envs: vec!["prod".into()],
            registry_crate: None,
            types: None,
        };
        // No types index: the fallback decides.
        assert!(snapshots::types_index(&selection).is_none());
        let Err(message) = loaded_snapshots(&selection) else {
            panic!("a copied snapshot loaded");
        };
        assert!(
            message.starts_with(
                "hc_query! decides types from every snapshot, and hc-schema/test.json cannot be \
                 read: hc-schema/test.json:1:1: hc-schema/test.json is the snapshot of `prod` \
                 (its \"environment\"), not of `test`: a copied or renamed file? run \
                 `hc-schema refresh test` (or `import`) to write test's own snapshot"
            ),
            "{message}"
        );
        // The same directory with test's own snapshot (another path: the parse cache is by
        // path) loads both.
        let own = dir.path().join("test-own.json");
        std::fs::write(&own, snapshot("test")).unwrap();
        let fixed = Selection {
            others: vec![reference("test", &own)],
            ..selection
        };
        let loaded = loaded_snapshots(&fixed).expect("both load");
        let envs: Vec<&str> = loaded.iter().map(|(env, _, _)| env.as_str()).collect();
        assert_eq!(envs, ["prod", "test"]);
    }
}
