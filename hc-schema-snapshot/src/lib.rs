//! Heroku Connect schema snapshots and the checks built on them.
//!
//! Heroku Connect syncs Salesforce objects into Postgres: one table per mapped object, one
//! column per mapped field, configured by hand in every environment. This crate records each
//! environment's mapped schema as a checked-in JSON [`Snapshot`], and decides with ONE function,
//! [`check`], whether a [`Requirement`] of the code holds in it. The `#[hc_requires]` macro
//! (crate `hc-schema-macro`), the `hc-schema` CLI and the release-phase verify all use it.
//!
//! Cargo features: `syntax` (parse annotations with syn: the macros), `scan` (find
//! requirements in source trees without compiling: the CLI), `sql` (analyse SQL text:
//! `hc_sql!` and the scan; with `scan`, also `sqlcheck`: the SQL checks of
//! `hc-schema check`), `fetch` (read live schemas from PostgreSQL, with TLS: refresh and
//! the release-phase verify). With none of them the crate has no database, TLS or parser
//! dependencies: a build script needs nothing more. The command-line tool is the separate
//! `hc-schema` package (`cargo install hc-schema`).
//!
//! ```
//! use hc_schema_snapshot::{check, Requirement, Snapshot};
//! let prod = Snapshot::parse(
//!     r#"{"format": 1, "environment": "prod", "schema": "salesforce",
//!         "tables": {"account": {"columns": {"name": {}}}}}"#,
//!     "hc-schema/prod.json", "prod").unwrap();
//! let findings = check(&Requirement::new("Account", ["Name", "Loyalty_Tier__c"]), &prod);
//! assert_eq!(findings[0].subject(), "account.loyalty_tier__c");
//! ```
#![warn(missing_docs)]

pub mod atomic;
pub mod build;
pub mod config;
pub mod conflict;
pub mod diagnostic;
pub mod diff;
pub mod import;
pub mod index;
pub mod json_text;
pub mod manifest;
pub mod names;
pub mod names_reader;
pub mod plan;
pub mod query;
pub mod read;
pub mod registry;
pub mod requirement;
pub mod selection;
pub mod snapshot;
#[cfg(feature = "sql")]
pub mod sql;
pub mod suggest;
pub mod types;
pub mod uses;
pub mod verdict;

#[cfg(feature = "fetch")]
pub mod fetch;
#[cfg(feature = "fetch")]
pub mod verify;

#[cfg(feature = "scan")]
pub mod scan;
#[cfg(all(feature = "scan", feature = "sql"))]
pub mod sqlcheck;
#[cfg(feature = "syntax")]
pub mod syntax;

/// This library's version. The `hc-schema` CLI compares it with the version a project's
/// `Cargo.lock` builds with, so that the CLI and the build never check by different rules.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use index::NameIndex;
pub use requirement::{
    check, check_columns, evaluate, Access, Allowance, Finding, Requirement, Schema,
};
pub use snapshot::{Snapshot, SnapshotError};

#[doc(hidden)]
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub use inventory as __inventory;
