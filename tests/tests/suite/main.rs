//! The end-to-end suite of the workspace as ONE test binary (each file a module): real cargo
//! builds of generated crates and of the example app, the release-phase verify against a real
//! PostgreSQL, scan/build and SQL agreement tests, packaging. One binary links the library
//! once instead of once per file.

mod e2e_build;
mod e2e_outside_member;
mod e2e_workspace;
mod harness;
mod packaging;
mod quickstart;
mod release_verify;
mod scan_agreement;
mod scan_aliases;
mod scan_findings;
mod scan_fs;
mod scan_nesting;
mod scan_support;
mod shared_target;
mod sql_agreement;
mod sql_cache;
mod sql_keywords;
mod sql_schema;
mod typed_rows;
