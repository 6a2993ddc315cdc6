//! Test support for hc-schema: a throwaway PostgreSQL server, Heroku-Connect-shaped fixtures,
//! and helpers that run real cargo builds of generated crates.
//!
//! PostgreSQL: `HC_SCHEMA_TEST_DATABASE_URL` (a superuser URL) when set; otherwise a cluster is
//! created with the local server binaries (PATH or `/usr/lib/postgresql/*/bin`) in a temporary
//! directory on a free port, with TLS and password authentication, and stopped when the test
//! process exits. When neither is possible the tests FAIL with instructions: they never skip.

pub mod bench;
pub mod cargo;
pub mod cli;
pub mod fixtures;
pub mod pg;
pub mod proxy;
pub mod rng;
pub mod secrets;

/// The README's Rust code blocks, compiled (and run unless `no_run`) as doctests. Today it has
/// none: the Quickstart's files are marked `rs` (rustdoc does not test them) because they need
/// a project around them, and `tests/suite/quickstart.rs` builds them in one, as written; the
/// guide's (`docs/`) blocks, the release-phase `main` among them, are compiled by that test too.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
