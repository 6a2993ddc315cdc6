//! Heroku Connect schema snapshots and the checks built on them.
//!
//! Heroku Connect syncs Salesforce objects into Postgres: one table per mapped object, one
//! column per mapped field, configured by hand in every environment. This crate records each
//! environment's mapped schema as a checked-in JSON [`Snapshot`], and decides with ONE function,
//! [`check`], whether a [`Requirement`] of the code holds in it, and with ONE rule
//! ([`verdict::Status::of`]) how a finding counts. The `#[hc_requires]`/`hc_sql!` macros (crate
//! `hc-schema-macro`), the `hc-schema` CLI and the release-phase verify all use them.
//!
//! # What applications use
//!
//! - [`build::configure`], the one line of an app's `build.rs`;
//! - [`registry::usages`] and, with the `fetch` feature, [`verify`] (`verify::release_phase`
//!   for Heroku's release phase) and `fetch`'s connection types (`fetch::ConnectOptions`,
//!   `fetch::DatabaseUrl`, `fetch::SslMode`);
//! - the snapshot model ([`Snapshot`], [`snapshot`]), requirements and THE check
//!   ([`Requirement`], [`Finding`], [`check`], [`evaluate`], [`verdict`]) and the wording of a
//!   finding ([`diagnostic`]), for tools of your own.
//!
//! # Semver-exempt API
//!
//! Everything hidden from these docs (the source scan, the SQL analysis, the annotation
//! grammar, the selection handed from the build script to the macro, the name index, the
//! reports of the CLI's commands, ...) exists for `hc-schema-macro` and the `hc-schema` CLI,
//! which are released in lockstep with this crate. It is public only because they are
//! separate crates; it may change in any release. So may the features whose names start with
//! `_` (`_syntax`, `_scan`, `_sql`), which enable those internals.
//!
//! Cargo features: `fetch` (read live schemas from PostgreSQL, with TLS: refresh and the
//! release-phase verify). With no feature the crate has no database, TLS or parser
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

// The application API.
pub mod build;
pub mod built;
pub mod diagnostic;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod manifest;
pub mod query;
pub mod registry;
pub mod requirement;
pub mod snapshot;
pub mod verdict;
#[cfg(feature = "fetch")]
pub mod verify;

// Semver-exempt: for hc-schema-macro and the hc-schema CLI (see the crate docs).
#[doc(hidden)]
pub mod atomic;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub use snapshot::conflict;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod hash;
#[doc(hidden)]
pub mod import;
#[doc(hidden)]
pub mod index;
#[doc(hidden)]
pub mod names;
#[cfg(feature = "_scan")]
mod parallel;
#[doc(hidden)]
pub mod paths;
#[doc(hidden)]
pub mod plan;
#[doc(hidden)]
pub mod read;
#[doc(hidden)]
pub mod salesforce;
#[doc(hidden)]
#[cfg(feature = "_scan")]
pub mod scan;
#[doc(hidden)]
pub mod selection;
#[doc(hidden)]
#[cfg(feature = "_sql")]
pub mod sql;
#[doc(hidden)]
#[cfg(all(feature = "_scan", feature = "_sql"))]
pub mod sqlcheck;
#[doc(hidden)]
#[cfg(feature = "_syntax")]
pub mod syntax;
#[doc(hidden)]
#[cfg(any(test, feature = "_testing"))]
pub mod testing;
#[doc(hidden)]
pub mod text;
#[doc(hidden)]
pub mod typecheck;
#[doc(hidden)]
pub mod types;
#[doc(hidden)]
pub mod types_index;
#[doc(hidden)]
pub mod uses;
#[doc(hidden)]
pub mod written;

// Private.
mod json_text;
mod names_reader;
mod suggest;

/// This library's version. The `hc-schema` CLI compares it with the version a project's
/// `Cargo.lock` builds with, so that the CLI and the build never check by different rules.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[doc(hidden)]
pub use index::NameIndex;
pub use requirement::{
    check, check_columns, evaluate, Access, Allowance, Finding, Requirement, Schema,
};
pub use snapshot::{Snapshot, SnapshotError};

#[doc(hidden)]
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub use inventory as __inventory;
