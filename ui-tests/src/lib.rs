//! Nothing here: the crate exists for its test, `tests/ui.rs` (the trybuild UI tests of
//! `#[hc_requires]`, `hc_sql!` and `hc_query!`). trybuild's generated project takes the
//! dependencies of the crate that runs it, so the tests live in this crate with only the
//! dependencies the UI cases need, not in hc-schema-macro (whose sqlparser, syn and test
//! dependencies would all be compiled again for the cases).
