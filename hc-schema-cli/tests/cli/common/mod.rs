//! Shared helpers of the offline CLI tests: run the binary, write files, a sample workspace.
#![allow(dead_code)]

use std::path::Path;

use hc_schema_tests::cli::{self, Run};

/// Run `hc-schema` in `dir` without the selection variables of the caller's environment, nor
/// its database URLs (`init` would read the database they name).
pub fn hc(dir: &Path, args: &[&str]) -> Run {
    hc_env(dir, args, &[])
}

/// [`hc`] with variables set.
pub fn hc_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    cli::run(
        env!("CARGO_BIN_EXE_hc-schema"),
        dir,
        args,
        env,
        &[
            "HC_SCHEMA_ENV",
            "HC_SCHEMA_SNAPSHOT",
            "DATABASE_URL",
            "HC_TEST_DATABASE_URL",
            "HC_PROD_DATABASE_URL",
        ],
    )
}

/// [`hc`], asserting the exit code; when it differs, the message names the command and shows
/// both streams.
#[track_caller]
pub fn hc_exit(dir: &Path, args: &[&str], code: i32) -> Run {
    let run = hc(dir, args);
    assert_eq!(
        run.code,
        code,
        "hc-schema {}:\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    run
}

/// `plan <env> --export <export> --out <out>`, asserting the exit code.
#[track_caller]
pub fn plan_export(dir: &Path, env: &str, export: &str, out: &str, code: i32) -> Run {
    hc_exit(dir, &["plan", env, "--export", export, "--out", out], code)
}

/// Assert that `text` (what a run printed) contains `needle`, showing `text` when it does not.
#[track_caller]
pub fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "{text}");
}

/// Assert that `text` (what a run printed) starts with `prefix`, showing `text` when it does
/// not.
#[track_caller]
pub fn assert_starts(text: &str, prefix: &str) {
    assert!(text.starts_with(prefix), "{text}");
}

/// Write `text` to `dir/path`, creating directories.
pub fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

pub const TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "columns": {"name": {"field": "Name"}, "loyalty_tier__c": {"field": "Loyalty_Tier__c", "type": "text"}}},
  "loyalty_program__c": {"object": "Loyalty_Program__c", "columns": {"name": {"field": "Name"}}}}}"#;
pub const PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "columns": {"name": {"field": "Name"}}}}}"#;

/// A workspace with two crates and snapshots for test and prod: prod lacks
/// `account.loyalty_tier__c` and `loyalty_program__c`.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"lib\"]\n",
    );
    write(
        d,
        "hc-schema.toml",
        "[[diff.allow]]\ntable = \"loyalty_program__c\"\nreason = \"pilot in test only\"\n",
    );
    write(d, "hc-schema/test.json", TEST);
    write(d, "hc-schema/prod.json", PROD);
    write(d, "app/src/main.rs", "use hc_schema_macro::hc_requires;\n\n#[hc_requires(account(name, loyalty_tier__c))]\nfn main() {}\n");
    write(d, "lib/src/lib.rs", "#[hc_schema_macro::hc_requires(Loyalty_Program__c(Name), account(name))]\npub struct Program;\n");
    dir
}

pub const WRITES_TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {"name": {"field": "Name"}, "loyalty_tier__c": {"field": "Loyalty_Tier__c"}}},
  "contact": {"object": "Contact", "access": "read_write", "columns": {"email": {"field": "Email"}, "title": {"field": "Title"}}},
  "lead": {"object": "Lead", "columns": {"company": {}}}}}"#;
pub const WRITES_PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {"name": {"field": "Name"}}},
  "contact": {"object": "Contact", "access": "read_only", "columns": {"email": {"field": "Email"}, "title": {"field": "Title"}}},
  "lead": {"object": "Lead", "columns": {"company": {}}}}}"#;
pub const WRITES_MAIN: &str = r#"use hc_schema_macro::hc_requires;

#[hc_requires(account(name, loyalty_tier__c), missing_ok(prod, account(loyalty_tier__c), reason = "behind LOYALTY_TIERS until prod maps it"))]
fn tiers() {}

#[hc_requires(write contact(title, email))]
fn update_contact() {}

#[hc_requires(write lead(company))]
fn add_lead() {}

#[hc_requires(account(name), missing_ok(test, account(name), reason = "old"))]
fn main() {}
"#;

/// A crate with reads, writes and allowances: prod maps Contact read-only (the code writes
/// it), Lead's access is unknown, an allowance covers `account.loyalty_tier__c` in prod, and
/// an allowance for `account.name` in test is stale.
pub fn writes_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema/test.json", WRITES_TEST);
    write(d, "hc-schema/prod.json", WRITES_PROD);
    write(d, "app/src/main.rs", WRITES_MAIN);
    dir
}

/// The text of a golden file under `tests/golden/`; with `HC_SCHEMA_BLESS=1`, write `actual`
/// there first (then review the diff).
pub fn golden(name: &str, actual: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("HC_SCHEMA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run the test with HC_SCHEMA_BLESS=1 to create it, then review it",
            path.display()
        )
    })
}

pub const SQL_TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {"name": {"field": "Name"}, "sfid": {}, "billingcity": {"field": "BillingCity"}, "loyalty_tier__c": {"field": "Loyalty_Tier__c"}}},
  "contact": {"object": "Contact", "access": "read_write", "columns": {"email": {"field": "Email"}, "sfid": {}}}}}"#;
pub const SQL_PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {"name": {"field": "Name"}, "sfid": {}, "billingcity": {"field": "BillingCity"}}},
  "contact": {"object": "Contact", "access": "read_write", "columns": {"email": {"field": "Email"}, "sfid": {}}}}}"#;
/// One of each SQL finding: an hc_sql! query prod fails, an hc_sql! that does not parse, an
/// undeclared column, a format! string that cannot be read (skipped), unguarded SQL.
pub const SQL_MAIN: &str = r#"use hc_schema_macro::{hc_requires, hc_sql};

const TIERS: &str = hc_sql!("SELECT a.name, a.loyalty_tier__c FROM salesforce.account a");
const BROKEN: &str = hc_sql!("SELECT name FROM salesforce.account WHERE");

#[hc_requires(account(sfid, name))]
fn tiers(schema: &str) -> String {
    format!("SELECT sfid, name, billingcity FROM {schema}.account")
}

#[hc_requires(account(name))]
fn filtered(filter: &str) -> String {
    format!("SELECT name FROM salesforce.account {} sfid = 1", filter)
}

fn loose() -> &'static str {
    "SELECT email FROM salesforce.contact"
}

fn main() {}
"#;

/// A workspace with [`SQL_MAIN`] and snapshots for test and prod (prod lacks
/// `account.loyalty_tier__c`).
pub fn sql_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema/test.json", SQL_TEST);
    write(d, "hc-schema/prod.json", SQL_PROD);
    write(d, "app/src/main.rs", SQL_MAIN);
    dir
}
