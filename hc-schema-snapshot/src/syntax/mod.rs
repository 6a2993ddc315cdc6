//! The `#[hc_requires(...)]` grammar, shared by the macro and by source scanning.
//!
//! ```text
//! annotation := item ("," item)* ","?
//! item       := group | "write" group | "missing_ok" "(" allowance ")"
//! group      := name "(" column ("," column)* ","? ")"    (a write group may be empty: DELETE)
//! column     := name (":" rust_type)?                     (typed declaration: `annualrevenue: f64`)
//! allowance  := env ("," env)* ("," group)+ "," "reason" "=" "string" ","?
//! name       := identifier | raw identifier | keyword | "string literal"
//!
//! hc_sql_arguments := literal ("," "missing_ok" "(" allowance ")")* ","?   (see sql_allowances)
//! ```
//!
//! Names may be written in Salesforce casing (`Loyalty_Tier__c`) or Postgres casing; they are
//! compared after Heroku Connect's lower-case rule. Rust keywords are common column names
//! (`account(type)`), so keywords are accepted as they are. `write` before a group says the
//! code writes those columns (`INSERT`/`UPDATE`), which needs a read-write mapping;
//! `missing_ok(prod, account(loyalty_tier__c), reason = "...")` lets exactly those columns be
//! unmapped in `prod`, for the stated reason. A table literally named `write` or `missing_ok`
//! is written as a string: `"write"(column)`. A column may carry the Rust type the code reads
//! it as (`account(annualrevenue: f64, name: String)`): the build then checks that each
//! selected environment's column type is read by that type.
//!
//! ```
//! use hc_schema_snapshot::syntax::Annotation;
//! let annotation: Annotation = syn::parse_str(r#"Account(Name, type, r#loop, "Odd_Name__c"), user(email)"#).unwrap();
//! let requirements = annotation.requirements();
//! assert_eq!(requirements[0].table, "account");
//! assert_eq!(requirements[0].columns, ["name", "type", "loop", "odd_name__c"]);
//! assert_eq!(requirements[1].table, "user");
//! ```
//!
//! One concern per file: `parse.rs` reads the tokens, `validate.rs` checks what
//! they mean, `requirements.rs` turns an annotation into requirements and usages, and
//! `plain.rs` is the macro's fast path over the arguments' text, which agrees with the token
//! parser wherever it answers.

mod parse;
mod plain;
mod requirements;
mod validate;

#[cfg(test)]
mod tests;

pub use parse::{sql_allowances, SQL_ALLOWANCE_USAGE};
pub use plain::{plain_groups, PlainGroup};
pub use validate::{allowances_of, not_used_by_query, validate_sql_allowances, UsedBy};

use proc_macro2::{Span, TokenStream};
use std::fmt;

/// A parsed annotation: its table groups and allowances, in source order.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// The groups `table(col, ...)` and `write table(col, ...)`.
    pub groups: Vec<Group>,
    /// The `missing_ok(...)` allowances.
    pub allowances: Vec<AllowanceSyntax>,
    /// The span of the whole argument list (for "empty annotation").
    pub span: Span,
}

/// `table(col, col, ...)`, or `write table(col, ...)`.
#[derive(Debug, Clone)]
pub struct Group {
    /// The table name.
    pub table: Name,
    /// The column names.
    pub columns: Vec<Name>,
    /// The Rust type written after each column (`annualrevenue: f64`), `None` for an untyped
    /// one: as long as `columns`, in the same order.
    pub types: Vec<Option<WrittenType>>,
    /// The span of the parenthesised column list.
    pub parens: Span,
    /// The `write` keyword, when the group is a write.
    pub write: Option<Span>,
}

/// `missing_ok(env, ..., table(col, ...), ..., reason = "...")`.
#[derive(Debug, Clone)]
pub struct AllowanceSyntax {
    /// The environments it applies to.
    pub envs: Vec<Name>,
    /// The columns it covers, by table.
    pub groups: Vec<Group>,
    /// The reason and its span (required).
    pub reason: Option<(String, Span)>,
    /// The `missing_ok` keyword.
    pub span: Span,
}

/// A table or column name with the token it came from.
#[derive(Debug, Clone)]
pub struct Name {
    /// Normalised (Postgres, lower-case) name.
    pub value: String,
    /// The name as written (without `r#` or quotes).
    pub written: String,
    /// The token's span: errors about this name point here.
    pub span: Span,
}

/// A Rust type written after a column in a typed declaration
/// (`#[hc_requires(account(annualrevenue: f64))]`).
#[derive(Debug, Clone)]
pub struct WrittenType {
    /// The type as written, without the spaces between its tokens (`Option<f64>`,
    /// `chrono::NaiveDate`).
    pub text: String,
    /// The type's first token: errors about the type point here.
    pub span: Span,
}

/// A malformed annotation: what is wrong and the token it is about.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Where: errors are reported on this token.
    pub span: Span,
    /// What is wrong, and the fix.
    pub message: String,
}

impl SyntaxError {
    fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Lets `syn::parse_str::<Annotation>` and `syn::parse2` read an annotation.
impl syn::parse::Parse for Annotation {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let tokens: TokenStream = input.parse()?;
        Annotation::parse(tokens, span).map_err(|err| syn::Error::new(err.span, err.message))
    }
}
