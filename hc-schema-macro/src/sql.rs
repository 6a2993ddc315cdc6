//! `hc_sql!("SELECT ...")`: a query whose text is its requirement.
//!
//! The literal is parsed at compile time (`hc_schema_snapshot::sql::analyze`, sqlparser's
//! PostgreSQL dialect); every Heroku Connect table and column it reads or writes is checked
//! by the same check as `#[hc_requires]` against every selected snapshot, with the same
//! wording. The expansion is the literal itself (a `&'static str`, usable in `const`), or,
//! with the registry on, a block that registers the requirements and ends in the literal.
//!
//! Split like the attribute: [`literal`] reads the argument, [`context`] finds what the
//! analysis needs (Heroku Connect schemas, every snapshot's names), [`check`] turns analysis
//! errors and findings into messages, [`expand`] only generates code.

mod build_id;
mod check;
pub(crate) mod context;
mod expand;
mod literal;
pub mod query;
mod store;

use proc_macro::TokenStream;

/// Expand `hc_sql!(input)`.
pub fn hc_sql(input: TokenStream) -> TokenStream {
    let literal = match literal::SqlLiteral::parse(input, hc_schema_snapshot::sql::NOT_A_LITERAL) {
        Ok(literal) => literal,
        Err(error) => return expand::error_only(&error),
    };
    let selection = crate::snapshots::selection();
    if let Some(error) = unseen(&literal, "hc_sql!", &selection) {
        return expand::with_errors(&[error], &literal);
    }
    let setup = check::setup_errors(&selection, literal.span);
    if !setup.is_empty() || selection.as_ref().is_err() {
        return expand::with_errors(&setup, &literal);
    }
    let context = context::known(&selection);
    let context = match context.as_ref() {
        Ok(context) => context,
        Err(message) => {
            let errors = crate::judge::once(literal.span, message.clone());
            return expand::with_errors(&errors, &literal);
        }
    };
    let analysis = match context.analyze(&literal.value) {
        Ok(analysis) => analysis,
        Err(errors) => {
            let errors: Vec<syn::Error> = errors
                .iter()
                .map(|error| check::analysis_error(error, &literal))
                .collect();
            return expand::with_errors(&errors, &literal);
        }
    };
    let errors = check::allowance_errors(&analysis, &literal);
    if !errors.is_empty() {
        return expand::with_errors(&errors, &literal);
    }
    let mut errors = check::findings(&analysis, &literal, &selection);
    errors.extend(check::drift_errors(
        &analysis,
        &literal,
        &selection,
        &|_, _| false,
    ));
    if !errors.is_empty() {
        return expand::with_errors(&errors, &literal);
    }
    let registry = selection
        .as_ref()
        .as_ref()
        .is_ok_and(|selection| selection.registry);
    if registry && analysis.touches_hc() {
        return expand::registered(&analysis, &literal);
    }
    expand::plain(&literal)
}

/// The error for a query another macro produced, which `hc-schema check` cannot see
/// ([`crate::origin`]), unless `[check] macro_generated = "allow"`.
fn unseen(
    literal: &literal::SqlLiteral,
    what: &str,
    selection: &Result<hc_schema_snapshot::selection::Selection, String>,
) -> Option<syn::Error> {
    // A selection that cannot be read is reported as it is.
    let setting = selection.as_ref().ok()?.macro_generated;
    let token = proc_macro::TokenTree::Literal(literal.token.clone());
    crate::origin::unseen(&token, what, setting)
}
