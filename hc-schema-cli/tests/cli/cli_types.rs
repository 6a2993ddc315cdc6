//! Column types outside the build (issue 21): `diff` says which type changes break the code
//! and why, `check` warns about written columns of different lengths, `usages` shows each
//! environment's type, `plan` and `import` say that a refresh adds missing types.

use crate::common;

use common::{golden, hc, write};

const TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {
    "name": {"type": "character varying(255)", "field": "Name"},
    "annualrevenue": {"type": "double precision", "field": "AnnualRevenue"},
    "description": {"type": "character varying(80)", "field": "Description"}}},
  "contact": {"object": "Contact", "access": "read_write", "columns": {
    "email": {"type": "character varying(80)", "field": "Email"},
    "title": {"type": "character varying(128)", "field": "Title"}}}}}"#;
const PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {
    "name": {"type": "text", "field": "Name"},
    "annualrevenue": {"type": "character varying(255)", "field": "AnnualRevenue"},
    "description": {"type": "boolean", "field": "Description"}}},
  "contact": {"object": "Contact", "access": "read_write", "columns": {
    "email": {"type": "character varying(40)", "field": "Email"},
    "title": {"type": "character varying(128)", "field": "Title"}}}}}"#;
const MAIN: &str = r#"use hc_schema_macro::hc_requires;

#[hc_requires(account(name, annualrevenue))]
fn report() {}

#[hc_requires(write contact(email, title))]
fn update_contact() {}

fn main() {}
"#;

fn typed_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema/test.json", TEST);
    write(d, "hc-schema/prod.json", PROD);
    write(d, "app/src/main.rs", MAIN);
    dir
}

#[test]
fn diff_breaks_only_on_types_the_code_cannot_read_and_says_why() {
    let dir = typed_workspace();
    let d = dir.path();
    let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, golden("diff-types.txt", &run.stdout));
    // Unused by the code: a type change says nothing (description).
    assert!(
        run.stdout.contains(
            "~ account.description: type  (test: character varying(80), prod: boolean)\n"
        ),
        "{}",
        run.stdout
    );
    let run = hc(d, &["diff", "test", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let by_column = |column: &str| {
        json["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["column"] == column)
            .unwrap()
            .clone()
    };
    assert_eq!(by_column("annualrevenue")["breaking"], true);
    assert_eq!(by_column("name")["breaking"], false);
    assert_eq!(
        by_column("name")["why"],
        "harmless: one Rust type reads both"
    );
    assert_eq!(by_column("email")["breaking"], true);
    // Without the code reading annualrevenue and writing email, nothing breaks.
    write(
        d,
        "app/src/main.rs",
        &MAIN
            .replace("account(name, annualrevenue)", "account(name)")
            .replace("write contact(email, title)", "contact(email, title)"),
    );
    let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn check_warns_about_a_written_column_shorter_in_one_environment() {
    let dir = typed_workspace();
    let d = dir.path();
    // Only the lengths differ: the type drift of annualrevenue is another check's business.
    write(
        d,
        "app/src/main.rs",
        &MAIN.replace("account(name, annualrevenue)", "account(name)"),
    );
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let expected =
        "warning: `contact.email` is character varying(40) in prod (hc-schema/prod.json) \
                    but character varying(80) in test (hc-schema/test.json), and this code writes \
                    it: a value that fits in test is refused in prod (value too long)";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
    assert!(
        run.stdout.contains("app/src/main.rs:6:29"),
        "{}",
        run.stdout
    );
    // title has one length everywhere: no warning.
    assert!(!run.stdout.contains("`contact.title`"), "{}", run.stdout);
    // One environment: nothing to compare.
    let run = hc(d, &["check", "--env", "test"]);
    assert!(!run.stdout.contains("`contact.email`"), "{}", run.stdout);
    for (format, needle) in [
        ("json", "\"length_warnings\""),
        ("github", "::warning file=app/src/main.rs,line=6,col=29,title=hc-schema (column length differs)::"),
        ("sarif", "\"ruleId\": \"column_length\""),
        ("markdown", "#### Written columns of different lengths"),
    ] {
        let run = hc(d, &["check", "--env", "test,prod", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains(needle), "{format}: {}", run.stdout);
    }
    let run = hc(d, &["check", "--env", "test,prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let warning = &json["length_warnings"][0];
    assert_eq!(warning["short"]["type"], "character varying(40)");
    assert_eq!(warning["long"]["env"], "test");
    assert_eq!(warning["site"], "app/src/main.rs:6:29");
}

#[test]
fn usages_show_each_environments_type() {
    let dir = typed_workspace();
    let d = dir.path();
    let run = hc(d, &["usages", "account.annualrevenue"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("type: character varying(255) (prod), double precision (test)\n"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["usages", "account.annualrevenue", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["types"]["test"], "double precision");
    // A snapshot without types says how to get them.
    write(
        d,
        "hc-schema/prod.json",
        &PROD.replace("\"type\": \"character varying(255)\", ", ""),
    );
    let run = hc(d, &["usages", "account.annualrevenue"]);
    assert!(
        run.stdout.contains(
            "type: no type recorded: `hc-schema refresh` adds it (prod), double precision (test)"
        ),
        "{}",
        run.stdout
    );
    // requirements: no use here has a Rust type, so no column carries one.
    let run = hc(d, &["requirements", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("rust_types"), "{}", run.stdout);
}

#[test]
fn plan_and_import_say_that_a_refresh_adds_the_types() {
    let dir = typed_workspace();
    let d = dir.path();
    let run = hc(d, &["plan", "prod"]);
    assert!(!run.stdout.contains("have no type"), "{}", run.stdout);
    write(d, "export.json", hc_schema_tests::fixtures::EXPORT);
    std::fs::remove_file(d.join("hc-schema/prod.json")).unwrap();
    let run = hc(d, &["import", "prod", "--from", "export.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "of prod's snapshot have no type (a mapping export records none): `hc-schema \
             refresh prod` adds them"
        ),
        "{}",
        run.stdout
    );
    let run = hc(d, &["plan", "prod"]);
    assert!(
        run.stdout.contains("`hc-schema refresh prod` adds them"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["plan", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(json["columns_without_type"].as_u64().unwrap() > 0);
}

/// A snapshot of the directory that cannot be read (and is not selected) leaves the type
/// drift of columns read without a Rust type undecided: `check` fails naming the file and the
/// fix, as the build does (it was left out, and the drift check passed).
#[test]
fn check_fails_when_a_snapshot_the_drift_check_needs_cannot_be_read() {
    let dir = typed_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/main.rs",
        &MAIN.replace("account(name, annualrevenue)", "account(name)"),
    );
    write(d, "hc-schema/stage.json", "{ not json");
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("stage.json cannot be read") && all.contains("hc-schema refresh stage"),
        "{all}"
    );
    // A copy of another environment's snapshot is unreadable as the build reads it (its
    // "environment" is not its name): `check` fails as the build does (attacker finding F6:
    // `check` used the copy and exited 0).
    let prod = std::fs::read_to_string(d.join("hc-schema/prod.json")).unwrap();
    write(d, "hc-schema/stage.json", &prod);
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("stage.json cannot be read") && all.contains("is the snapshot of `prod`"),
        "{all}"
    );
    // Every use typed: nothing reads a column without a Rust type, nothing to decide.
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name: String))]\nfn f() {}\nfn main() {}\n",
    );
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A typed declaration whose Rust type hc-schema does not know fails `check` (once, naming
/// the spelling, the column and both fixes); listed under `[types] custom` it is a note;
/// other spellings of table types are judged as those types.
#[test]
fn check_fails_on_unknown_declared_types_unless_custom() {
    let dir = typed_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name: my::Money, annualrevenue: ::std::primitive::f64))]\n\
         fn f() {}\nfn main() {}\n",
    );
    let run = hc(d, &["check", "--env", "test", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{json:#}");
    assert_eq!(problems[0]["kind"], "unchecked_type");
    let message = problems[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "`account.name` is declared `my::Money`, a Rust type hc-schema does not know"
        ),
        "{message}"
    );
    let help = problems[0]["help"].to_string();
    assert!(
        help.contains("`String`") && help.contains("custom = [\\\"my::Money\\\"]"),
        "{help}"
    );
    // Over prod (annualrevenue is character varying there): the path spelling of f64 is
    // judged as f64.
    let run = hc(d, &["check", "--env", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut kinds: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["type_mismatch", "unchecked_type"], "{json:#}");
    write(d, "hc-schema.toml", "[types]\ncustom = [\"my::Money\"]\n");
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("listed under [types] custom in hc-schema.toml: not checked"),
        "{}",
        run.stdout
    );
}

/// A type `[types] custom` lists in an `hc_query!` alias is not checked: `check` says so in a
/// note (as for a typed declaration), at the query, naming the column, the alias and the
/// column's types; the check passes. Unlisted, the same alias is an error.
#[test]
fn check_notes_a_custom_type_in_an_hc_query_alias() {
    let dir = typed_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_query;\n\
         fn main() {\n    let _ = hc_query!(\"SELECT a.name AS \\\"label: my::Money\\\", upper(a.name) AS \\\"up: my::Money\\\" FROM salesforce.account a\");\n}\n",
    );
    write(d, "hc-schema.toml", "[types]\ncustom = [\"my::Money\"]\n");
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "note: `account.name` is read as `my::Money` (the alias `label: my::Money`), listed \
             under [types] custom in hc-schema.toml: not checked against the column's type \
             (text, character varying(255))"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "note: output `up` is read as `my::Money` (the alias `up: my::Money`), listed under \
             [types] custom in hc-schema.toml: not checked against its type"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("app/src/main.rs:3:23"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 typed columns of a [types] custom type, not checked (notes)"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["check", "--env", "test", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("\"unchecked_type\""), "{}", run.stdout);
    // Not listed: an error (the build's text), no note.
    write(d, "hc-schema.toml", "");
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("is a Rust type hc-schema does not know")
            && !run.stdout.contains("listed under [types] custom"),
        "{}",
        run.stdout
    );
}

/// Issue 21: an `hc_query!` reading a column whose type drifts (double precision in test,
/// character varying in prod) fails its build in every environment; `check` finds it without
/// compiling, with the macro's text at the SQL literal, whatever the selection (it exited 0:
/// only the build typed `hc_query!`).
#[test]
fn check_fails_on_an_hc_query_whose_column_type_drifts() {
    let dir = typed_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_query;\n\
         fn main() {\n    let _ = hc_query!(\"SELECT a.name, a.annualrevenue FROM salesforce.account a\");\n}\n",
    );
    for env in ["test", "prod", "test,prod"] {
        let run = hc(d, &["check", "--env", env]);
        assert_eq!(run.code, 1, "{env}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(
                "`account.annualrevenue` is character varying(255) in prod \
                 (hc-schema/prod.json) but double precision in test (hc-schema/test.json); no \
                 Rust type reads both"
            ),
            "{env}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("app/src/main.rs:3:23"),
            "{}",
            run.stdout
        );
    }
    let run = hc(d, &["check", "--env", "test", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("\"sql_error\""), "{}", run.stdout);
    // Without the drifting column the query types: check passes.
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_query;\n\
         fn main() {\n    let _ = hc_query!(\"SELECT a.name FROM salesforce.account a\");\n}\n",
    );
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The drifting column compared, not read into a field: no Rust type decides it, so
    // hc_sql!'s drift rule fails it (attacker finding F1 of round 3: check said ok).
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_query;\n\
         fn main() {\n    let _ = hc_query!(\"SELECT a.name FROM salesforce.account a WHERE a.annualrevenue > 1.5\");\n}\n",
    );
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("no Rust type reads both") && run.stdout.contains("app/src/main.rs:3:"),
        "{}",
        run.stdout
    );
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_query;\n\
         fn main() {\n    let _ = hc_query!(\"SELECT a.name FROM salesforce.account a\");\n}\n",
    );
    // hc_query! types from every snapshot of the directory: one that cannot be read fails
    // its build, and check (it passed: only untyped reads needed every snapshot).
    write(d, "hc-schema/stage.json", "{ not json");
    let run = hc(d, &["check", "--env", "test,prod"]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("stage.json cannot be read"), "{all}");
}
