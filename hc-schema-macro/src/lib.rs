//! `#[hc_requires(table(column, ...), ...)]`: declare the Heroku Connect columns an item reads,
//! and fail the build, at the exact column, when a selected snapshot does not map one.
//!
//! ```text
//! use hc_schema_macro::hc_requires;
//!
//! #[hc_requires(account(name, loyalty_tier__c), contact(email))]
//! fn loyalty_report(client: &mut postgres::Client) { /* ... */ }
//! ```
//!
//! Which snapshots are checked is decided by the crate's build script
//! (`hc_schema_snapshot::build::configure()`), or by `HC_SCHEMA_SNAPSHOT=<file>` when the crate
//! has none. The annotated item is always emitted unchanged; with `[registry] enabled = true`
//! in `hc-schema.toml`, its requirements are also compiled in for the release-phase check
//! (`hc_schema_snapshot::registry`).
//!
//! `hc_sql!("SELECT ...")` is the other form: the query's text is its requirement (see
//! [`hc_sql!`]), checked by the same check; its code lives in `sql` and its submodules.
//!
//! The crate is split the way thiserror's is: the grammar lives in `hc_schema_snapshot::syntax`
//! (shared with `hc-schema check`), `snapshots` finds and caches the selected snapshots,
//! `validate` turns findings into spanned errors, `expand` only generates code.

mod cache;
mod expand;
mod judge;
mod nested;
mod origin;
mod snapshots;
mod sql;
mod strings;
mod validate;

use proc_macro::TokenStream;

/// Declare the Heroku Connect columns this item reads; see the crate documentation.
#[proc_macro_attribute]
pub fn hc_requires(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::hc_requires(args, item)
}

/// A checked SQL query: `hc_sql!("SELECT a.name FROM salesforce.account a")` is the string
/// literal itself (`&'static str`, usable in `const`), and every Heroku Connect table and
/// column the statement reads or writes is checked against the selected snapshots, like the
/// columns of `#[hc_requires]`. One statement, as one string literal (or raw string); for SQL
/// built at run time, use `#[hc_requires]` on the function instead. After the literal, a query
/// read only behind a flag until an environment maps its column says so with the
/// annotation's allowance, `missing_ok(env, table(columns), reason = "...")`, reported
/// wherever an annotation's is.
///
/// ```text
/// use hc_schema_macro::hc_sql;
///
/// const TIERS: &str = hc_sql!(
///     "SELECT a.sfid, a.name, a.loyalty_tier__c FROM salesforce.account a WHERE NOT a.isdeleted"
/// );
/// const FLAGGED: &str = hc_sql!(
///     "SELECT a.sfid, a.rating FROM salesforce.account a",
///     missing_ok(prod, account(rating), reason = "read only behind the RATINGS flag"),
/// );
/// ```
#[proc_macro]
pub fn hc_sql(input: TokenStream) -> TokenStream {
    sql::hc_sql(input)
}

/// A typed query on the `postgres` crate: `hc_sql!`'s checks, plus a generated row struct and
/// typed parameters, decided from every snapshot of the snapshot directory.
///
/// ```text
/// use hc_schema_macro::hc_query;
///
/// let rows = hc_query!(
///     "SELECT a.sfid, a.name, a.annualrevenue AS revenue FROM salesforce.account a
///       WHERE a.billingcountry = $1 AND NOT a.isdeleted",
///     country,
/// )
/// .fetch_all(&mut client)?; // Vec<Row { sfid: Option<String>, name: Option<String>, revenue: Option<f64> }>
/// ```
///
/// Every Heroku Connect column is `Option<T>` except `id`; `AS "col!"`, `AS "col?"` and
/// `AS "col: Type"` override, as in sqlx. An output whose type the snapshots cannot tell needs
/// `AS "col: Type"`; a parameter whose type its place cannot tell needs a cast (`$1::text`).
/// `hc_query!(Account, "SELECT ...", args)` fills a struct of yours instead (each field takes
/// the column's type or anything it converts `Into`), so that functions can return it.
/// `.fetch_all`, `.fetch_one`, `.fetch_optional` (queries and `RETURNING`) and `.execute`
/// (writes) take anything `postgres::GenericClient` takes; errors are
/// `hc_schema_snapshot::query::QueryError`. The app depends on `postgres` and
/// `hc-schema-snapshot` (for that error type).
#[proc_macro]
pub fn hc_query(input: TokenStream) -> TokenStream {
    sql::query::hc_query(input)
}
