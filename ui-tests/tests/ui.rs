//! trybuild UI tests: every error of `#[hc_requires]` and `hc_sql!`, with its exact text and
//! span.
//!
//! trybuild's generated crate has no build script, so the snapshot is passed with
//! `HC_SCHEMA_SNAPSHOT`. Each group needs a different value, so the groups run one after the
//! other in this single test (the variable is process-wide). Refresh the expected output with
//! `TRYBUILD=overwrite`.

use std::path::Path;

fn with_snapshot(snapshot: &str, run: impl FnOnce(&trybuild::TestCases)) {
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("HC_SCHEMA_SNAPSHOT", snapshot) };
    let cases = trybuild::TestCases::new();
    run(&cases);
    drop(cases); // runs the cases
}

/// The profile settings of the suite's nested builds (`hc_schema_tests::cargo::NESTED_PROFILE`;
/// the suite checks the two lists agree): trybuild compiles the cases in `target/tests/trybuild`,
/// the suite's nested target directory, and with the same settings the host side of the cases
/// (hc-schema-macro, sqlparser, syn, the library) is the one the suite built, not a cold
/// compile of its own. trybuild's cargo inherits this process's environment.
const NESTED_PROFILE: [(&str, &str); 4] = [
    ("CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL", "0"),
    ("CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG", "line-tables-only"),
    ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
    ("CARGO_INCREMENTAL", "0"),
];

/// The flags trybuild gives rustc for the cases (its `rustflags::toml`, with the
/// `--diagnostic-width=140` it adds when it compiles the cases to compare their errors), here
/// for every cargo command it runs. trybuild first builds the project's dependencies without
/// the last flag, then the cases with it, and cargo compiles the target side of the project
/// (hc-schema-snapshot, serde, toml, ...) once per set of flags: twice for the groups with
/// passing cases (`cargo build`) and twice more for the others (`cargo check`), about 45 CPU-s
/// on a cold target. One set of flags makes it once each. The errors compared are those of the
/// second command, which had these flags already. Set only when the caller sets no flags of its
/// own (a coverage run keeps its own, as trybuild does).
const TRYBUILD_RUSTFLAGS: [&str; 6] = [
    "--cfg",
    "trybuild",
    "--verbose",
    "-A",
    "dead_code",
    "--diagnostic-width=140",
];

#[test]
fn ui() {
    for (name, value) in NESTED_PROFILE {
        // SAFETY: this test binary has a single test, so no other thread reads the environment.
        unsafe { std::env::set_var(name, value) };
    }
    if std::env::var_os("CARGO_ENCODED_RUSTFLAGS").is_none()
        && std::env::var_os("RUSTFLAGS").is_none()
    {
        // SAFETY: as above.
        unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", TRYBUILD_RUSTFLAGS.join("\x1f")) };
    }
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let fixture = |name: &str| ui.join("fixtures").join(name).display().to_string();
    with_snapshot(&fixture("prod.json"), |t| {
        t.pass("tests/ui/pass/*.rs");
        t.compile_fail("tests/ui/prod/*.rs");
    });
    // A relative path that does not exist: the error names it and says how to create it.
    with_snapshot("hc-schema/staging.json", |t| {
        t.compile_fail("tests/ui/missing/*.rs")
    });
    with_snapshot(&fixture("malformed.json"), |t| {
        t.compile_fail("tests/ui/malformed/*.rs")
    });
    with_snapshot(&fixture("future.json"), |t| {
        t.compile_fail("tests/ui/format/*.rs")
    });
    // hc_sql!: against a snapshot with mapping access (account read-only, contact read-write,
    // opportunity unknown).
    let sql_fixture = ui.join("sql_fixtures/prod.json").display().to_string();
    with_snapshot(&sql_fixture, |t| {
        t.pass("tests/ui/sql_pass/*.rs");
        t.compile_fail("tests/ui/sql/*.rs");
    });
    // hc_query!: against a snapshot with column types (a date, a uuid, an untyped column).
    // Its passing cases compile against `postgres`, which this crate does not depend on: they
    // are end-to-end tests (tests/tests/typed_rows.rs).
    let query_fixture = ui.join("query_fixtures/prod.json").display().to_string();
    with_snapshot(&query_fixture, |t| {
        t.compile_fail("tests/ui/query/*.rs");
        // Typed declarations: `#[hc_requires(account(annualrevenue: f64))]`.
        t.pass("tests/ui/typed_pass/*.rs");
        t.compile_fail("tests/ui/typed/*.rs");
    });
}
