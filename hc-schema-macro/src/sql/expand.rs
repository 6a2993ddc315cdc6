//! Code generation only: the literal, with errors or a registration in front when needed.

use std::sync::atomic::{AtomicUsize, Ordering};

use hc_schema_snapshot::manifest::Usage;
use hc_schema_snapshot::registry::Record;
use hc_schema_snapshot::sql::Analysis;
use hc_schema_snapshot::syntax::allowances_of;
use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use super::literal::SqlLiteral;

/// The literal itself: what a checked, unregistered query costs at run time (nothing).
pub fn plain(literal: &SqlLiteral) -> TokenStream {
    TokenTree::Literal(literal.token.clone()).into()
}

/// `{ compile_error!(...); ... "literal" }`: the errors, and the literal so that the code
/// around it type-checks and no follow-on errors appear.
pub fn with_errors(errors: &[syn::Error], literal: &SqlLiteral) -> TokenStream {
    let mut body: TokenStream = errors
        .iter()
        .map(|err| TokenStream::from(err.to_compile_error()))
        .collect();
    body.extend(plain(literal));
    block(body, literal.token.span())
}

/// The error alone, when there is no literal to return (`hc_sql!(some_variable)`).
pub fn error_only(error: &syn::Error) -> TokenStream {
    let mut body = TokenStream::from(error.to_compile_error());
    body.extend([TokenTree::from(Literal::string(""))]);
    block(body, Span::call_site())
}

/// `{ ::hc_schema_snapshot::__register!(__HC_SCHEMA_SQL_<n>, "<record>"); "literal" }`: the
/// query's requirements, with its allowances, in the registry (a block with an item and a
/// literal is a valid constant expression, so `const Q: &str = hc_sql!(...)` keeps working).
pub fn registered(analysis: &Analysis, literal: &SqlLiteral) -> TokenStream {
    let mut body = registration(analysis, literal, &|_, _| None);
    body.extend(plain(literal));
    block(body, literal.token.span())
}

/// `::hc_schema_snapshot::__register!(__HC_SCHEMA_SQL_<n>, "<record>");`: the query's
/// requirements, with its allowances and the types each column was built against (the Rust
/// type from `rust`, for `hc_query!`), as statements.
pub fn registration(
    analysis: &Analysis,
    literal: &SqlLiteral,
    rust: &dyn Fn(&Usage, &hc_schema_snapshot::manifest::Spot) -> Option<String>,
) -> TokenStream {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let mut usages = literal.source().usages(analysis);
    Usage::attach_allowances(&mut usages, &allowances_of(&literal.allowances));
    let types = crate::snapshots::built_types(&usages, rust);
    // Each table the SQL names as `schema.table`, for the release phase to judge against the
    // live schema (a build promoted without rebuilding).
    let source = literal.source();
    let qualified: Vec<_> = hc_schema_snapshot::sqlcheck::qualified_uses(
        analysis,
        &source,
        hc_schema_snapshot::manifest::Origin::Sql,
    )
    .iter()
    .map(|q| q.registered())
    .collect();
    let record =
        Record::with_qualifiers(Record::encode_typed_for_build(&usages, &types), &qualified);
    let record = Record::with_unguarded_warn(record, crate::expand::unguarded_warn());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let span = Span::call_site();
    let joint = |c| TokenTree::from(Punct::new(c, Spacing::Joint));
    let alone = |c| TokenTree::from(Punct::new(c, Spacing::Alone));
    let arguments: TokenStream = [
        Ident::new(&format!("__HC_SCHEMA_SQL_{n}"), span).into(),
        alone(','),
        Literal::string(&record).into(),
    ]
    .into_iter()
    .collect();
    [
        joint(':'),
        alone(':'),
        Ident::new("hc_schema_snapshot", span).into(),
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

fn block(body: TokenStream, span: Span) -> TokenStream {
    let mut group = Group::new(Delimiter::Brace, body);
    group.set_span(span);
    TokenTree::Group(group).into()
}
