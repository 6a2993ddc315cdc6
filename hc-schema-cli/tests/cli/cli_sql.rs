//! The SQL checks through the CLI: `[check] undeclared` / `unguarded` levels, exit statuses
//! with an incomplete scan, and `hc_sql!` queries and SQL strings in `usages`,
//! `requirements`, `plan`, `diff` and `verify`.

use crate::common;

use common::{hc, sql_workspace, write, PROD, TEST};

/// Only the two lints: an undeclared column and unguarded SQL.
const LINTS: &str = r#"use hc_schema_macro::hc_requires;

#[hc_requires(account(sfid, name))]
fn tiers(schema: &str) -> String {
    format!("SELECT sfid, name, billingcity FROM {schema}.account")
}

fn loose() -> &'static str {
    "SELECT email FROM salesforce.contact"
}

fn main() {}
"#;

/// A table named with a schema that is not the selected environment's Heroku Connect schema
/// (test's is `salesforce`, prod's `org`): `check` fails it in that environment, naming both
/// schemas and the fix, whatever form the SQL takes (`hc_sql!`, a declared string, an
/// unguarded one under `unguarded = "warn"`); unqualified, it passes in both.
#[test]
fn a_schema_that_is_not_the_environments_fails_check_there() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(
        d,
        "hc-schema.toml",
        "[env.prod]\nschema = \"org\"\n[check]\nunguarded = \"warn\"\n",
    );
    write(d, "hc-schema/test.json", TEST);
    write(
        d,
        "hc-schema/prod.json",
        &PROD.replace("\"salesforce\"", "\"org\""),
    );
    let forms = [
        "const Q: &str = hc_sql!(\"SELECT name FROM {s}account\");\n",
        "#[hc_requires(account(name))]\nfn f() -> &'static str { \"SELECT name FROM {s}account\" }\n",
        "fn g() -> &'static str { \"SELECT name FROM {s}account WHERE name = $1\" }\n",
    ];
    for (k, form) in forms.iter().enumerate() {
        let main = |schema: &str| {
            format!(
                "use hc_schema_macro::{{hc_requires, hc_sql}};\n{}fn main() {{}}\n",
                form.replace("{s}", schema)
            )
        };
        write(d, "app/src/main.rs", &main("salesforce."));
        let run = hc(d, &["check", "--env", "test"]);
        assert_eq!(run.code, 0, "form {k}: {}{}", run.stdout, run.stderr);
        let run = hc(d, &["check", "--env", "prod"]);
        assert_eq!(run.code, 1, "form {k}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(
                "`salesforce.account` names the schema `salesforce`, but the Heroku Connect \
                 schema of prod (hc-schema/prod.json) is `org`: there this SQL names a table \
                 that does not exist"
            ) && run
                .stdout
                .contains("= note: `salesforce` is the Heroku Connect schema of: test")
                && run.stdout.contains("= help: write `org.account`"),
            "form {k}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(", 1 wrong schema)"),
            "form {k}: {}",
            run.stdout
        );
        let json = hc(d, &["check", "--env", "prod", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let kinds: Vec<&str> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        assert!(kinds.contains(&"wrong_schema"), "form {k}: {report:#}");
        // Every selected environment: it fails in prod only.
        let run = hc(d, &["check"]);
        assert_eq!(run.code, 1, "form {k}: {}", run.stdout);
        // Unqualified: found through the search_path, checked by name in both.
        write(d, "app/src/main.rs", &main(""));
        let run = hc(d, &["check"]);
        assert_eq!(run.code, 0, "form {k}: {}{}", run.stdout, run.stderr);
        write(d, "app/src/main.rs", &main("org."));
        let run = hc(d, &["check", "--env", "prod"]);
        assert_eq!(run.code, 0, "form {k}: {}{}", run.stdout, run.stderr);
        let run = hc(d, &["check", "--env", "test"]);
        assert_eq!(run.code, 1, "form {k}: {}{}", run.stdout, run.stderr);
    }
}

#[test]
fn lints_fail_by_default_and_warn_when_configured() {
    let dir = sql_workspace();
    let d = dir.path();
    write(d, "app/src/main.rs", LINTS);
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.ends_with(", 1 undeclared, 1 unguarded\n"),
        "{}",
        run.stdout
    );

    write(d, "hc-schema.toml", "[check]\nundeclared = \"warn\"\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 1, "unguarded still fails:\n{}", run.stdout);
    assert!(
        run.stdout.contains(
            "warning: `account.billingcity` is read by this SQL, but no enclosing \
             #[hc_requires] declares it"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "= note: a warning, not a failure: `undeclared = \"warn\"` under [check] in hc-schema.toml"
        ),
        "{}",
        run.stdout
    );

    write(
        d,
        "hc-schema.toml",
        "[check]\nundeclared = \"warn\"\nunguarded = \"warn\"\n",
    );
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .ends_with(", 1 undeclared (warnings), 1 unguarded (warnings)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\nhc-schema check ok:"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["check", "--format", "json"]);
    assert_eq!(run.code, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], true);
    let levels: Vec<&str> = json["sql_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warning", "warning"]);
    let run = hc(d, &["check", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let levels: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warning", "warning"]);
    let run = hc(d, &["check", "--format", "github"]);
    assert_eq!(
        run.stdout.matches("::warning ").count(),
        2,
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_lint_level_is_a_config_error_with_its_position() {
    let dir = sql_workspace();
    let d = dir.path();
    write(d, "hc-schema.toml", "[check]\nundeclared = \"off\"\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("hc-schema.toml:2:14: ")
            && run.stderr.contains("expected `error` or `warn`"),
        "{}",
        run.stderr
    );
}

#[test]
fn problems_with_an_incomplete_scan_exit_2_and_list_every_site_not_read() {
    let dir = sql_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/hidden.rs",
        "use hc_schema_macro::hc_sql;\nmacro_rules! q { () => { hc_sql!(\"SELECT name FROM salesforce.account\") } }\n\
         macro_rules! r { () => { #[hc_requires(account(name))] fn f() {} } }\n",
    );
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("error: the scan is incomplete: 2 places could not be read or are not scannable (app/src/hidden.rs:2:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("; the scan is incomplete: 2 places not read\n"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["check", "--format", "json"]);
    assert_eq!(run.code, 2);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["complete"], false);
    let kinds: Vec<&str> = json["source_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["not_scannable", "not_scannable"]);
    assert_eq!(
        json["counts"]["undeclared"], 1,
        "the problems are reported too"
    );
}

/// A crate whose hc_sql! query and annotation both read `account.loyalty_tier__c`, which
/// prod lacks; one annotation only under a feature.
fn queries_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema/test.json", TEST);
    write(d, "hc-schema/prod.json", PROD);
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::{hc_requires, hc_sql};\n\
         const TIERS: &str = hc_sql!(\"SELECT a.name, a.loyalty_tier__c FROM salesforce.account a\");\n\
         #[cfg_attr(feature = \"pilot\", hc_requires(loyalty_program__c(name)))]\n\
         fn pilot() {}\n\
         fn main() {}\n",
    );
    dir
}

#[test]
fn hc_sql_queries_are_requirements_in_every_command() {
    let dir = queries_workspace();
    let d = dir.path();
    let run = hc(d, &["usages", "account.loyalty_tier__c"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "not safe to unmap Account.Loyalty_Tier__c (column account.loyalty_tier__c): used at 1 site\n\
         Account.Loyalty_Tier__c (column account.loyalty_tier__c) is read at 1 site:\n  app/src/main.rs:2:47\nmapped in: test\nnot mapped in: prod\ntype: text (test)\n"
    );
    let run = hc(d, &["requirements"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("  loyalty_tier__c  (read at app/src/main.rs:2:47)\n"),
        "{}",
        run.stdout
    );
    // The conditional annotation, marked.
    assert!(
        run.stdout.contains(
            "loyalty_program__c\n  name  (read at app/src/main.rs:3:62 (when feature = \"pilot\"))\n"
        ),
        "{}",
        run.stdout
    );
    let run = hc(d, &["requirements", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["conditions"][0]["when"], "when feature = \"pilot\"");
    let run = hc(d, &["usages", "loyalty_program__c"]);
    assert!(
        run.stdout.contains(
            "Loyalty_Program__c (table loyalty_program__c) is read at 1 site:\n\
             \x20 Loyalty_Program__c.Name (name):\n\
             \x20   app/src/main.rs:3:62 (when feature = \"pilot\")\n"
        ),
        "{}",
        run.stdout
    );
    let run = hc(d, &["plan", "prod"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Loyalty_Tier__c"), "{}", run.stdout);
    assert!(
        run.stdout.contains("app/src/main.rs:2:47"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["diff", "test", "prod"]);
    assert!(
        run.stdout.contains(
            "- account.loyalty_tier__c  (only in test)  needed at app/src/main.rs:2:47  BREAKING"
        ),
        "{}",
        run.stdout
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "error: `account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)\n --> app/src/main.rs:2:47\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn usages_never_says_unused_when_sql_strings_use_the_column() {
    let dir = sql_workspace();
    let run = hc(dir.path(), &["usages", "account.billingcity"]);
    assert_eq!(
        run.code, 2,
        "the hc_sql! that does not parse makes it incomplete"
    );
    assert!(
        run.stdout.starts_with(
            "not safe to unmap Account.BillingCity (column account.billingcity): used at 1 site\n\
             Account.BillingCity (column account.billingcity) is used by 1 SQL string that no \
             requirement covers (`hc-schema check` reports each):\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  app/src/main.rs:8:13  (read; undeclared)\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.starts_with("safe to unmap"));
    let run = hc(dir.path(), &["usages", "contact.email", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["unchecked_sql"][0]["kind"], "unguarded");
    assert_eq!(json["unchecked_sql"][0]["site"], "app/src/main.rs:17:5");
}

#[test]
fn requirements_plan_and_verify_list_every_place_not_read() {
    let dir = sql_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/broken.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn broken( {\n",
    );
    write(
        d,
        "app/src/other.rs",
        "use hc_schema_macro::hc_requires;\nmacro_rules! m { () => { #[hc_requires(account(name))] fn f() {} } }\n",
    );
    for args in [
        &["requirements"][..],
        &["plan", "prod"],
        &[
            "verify",
            "prod",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ],
    ] {
        let run = hc(d, args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("the result is incomplete: 3 places"),
            "{args:?}: {}",
            run.stderr
        );
        for place in [
            "app/src/broken.rs:3:",
            "app/src/other.rs:2:",
            "app/src/main.rs:4:30: hc_sql!: the SQL does not parse",
        ] {
            assert!(
                run.stderr.contains(place),
                "{args:?}: {place}\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn reading_sql_without_snapshots_says_what_it_cannot_know() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_sql;\nconst Q: &str = hc_sql!(\"SELECT name FROM salesforce.account\");\nfn main() {}\n",
    );
    let run = hc(d, &["requirements"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "account\n  name  (read at app/src/main.rs:2:33)\n"
    );
    assert!(
        run.stderr.contains(
            "warning: no snapshot in hc-schema: SQL is read knowing only the configured schema \
             names, so unqualified tables are not recognised as Heroku Connect's"
        ),
        "{}",
        run.stderr
    );
}

/// SQL the check cannot analyse: a placeholder where a column name stands.
const SKIPPED: &str = r#"use hc_schema_macro::hc_requires;

#[hc_requires(account(name))]
fn columns(schema: &str) -> String {
    format!("SELECT name, {} FROM {}.account", "bogus__c", schema)
}

fn main() {}
"#;

#[test]
fn skipped_sql_is_never_a_plain_ok_and_fails_when_configured() {
    let dir = sql_workspace();
    let d = dir.path();
    write(d, "app/src/main.rs", SKIPPED);
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("note: skipped: a placeholder where a column name stands"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\nhc-schema check ok with 1 SQL string not checked: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(", 1 SQL string skipped (notes)\n"),
        "{}",
        run.stdout
    );

    let run = hc(d, &["check", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("### hc-schema check: ⚠️ ok with 1 SQL string not checked\n"),
        "{}",
        run.stdout
    );

    write(d, "hc-schema.toml", "[check]\nskipped = \"error\"\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("error: skipped: a placeholder where a column name stands"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`skipped = \"error\"` under [check]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(", 1 SQL string skipped (errors)\n"),
        "{}",
        run.stdout
    );

    write(d, "hc-schema.toml", "[check]\nskipped = \"warn\"\n");
    assert_eq!(hc(d, &["check"]).code, 0);
    write(d, "hc-schema.toml", "[check]\nskipped = \"off\"\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("expected `error` or `warn`"),
        "{}",
        run.stderr
    );
}

/// What an attacker wrote to pass the check: each must fail it now.
const EVASIONS: &str = r#"use hc_schema_macro::{hc_requires, hc_sql};

const FIELD: &str = hc_sql!("SELECT (a).bogus1__c FROM salesforce.account a");
const FUNCTIONAL: &str = hc_sql!("SELECT bogus2__c(a) FROM salesforce.account a");

fn two() -> &'static str {
    "SELECT 1; SELECT bogus3__c FROM salesforce.account"
}

#[hc_requires(account(name))]
fn both() -> &'static str {
    "SELECT name FROM salesforce.account; UPDATE salesforce.account SET name = bogus4__c"
}

fn bytes() -> &'static [u8] {
    b"SELECT email FROM salesforce.contact"
}

fn main() {}
"#;

#[test]
fn field_selection_several_statements_and_byte_strings_are_checked() {
    let dir = sql_workspace();
    let d = dir.path();
    write(d, "app/src/main.rs", EVASIONS);
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for needle in [
        "error: `account.bogus1__c` is not mapped in prod",
        "error: `account.bogus2__c` is not mapped in prod",
        "`account.bogus4__c` is read by this SQL, but no enclosing #[hc_requires] declares it",
        "app/src/main.rs:7:5",
        "app/src/main.rs:16:5",
    ] {
        assert!(run.stdout.contains(needle), "{needle}:\n{}", run.stdout);
    }
    assert!(run.stdout.contains(", 2 unguarded"), "{}", run.stdout);
    assert!(!run.stdout.contains("skipped"), "{}", run.stdout);
}

/// Item 2 of issue 20: adoption mode softens the lint, never the finding. With
/// `undeclared`/`unguarded = "warn"`, SQL that reads a column prod does not map, or writes a
/// mapping prod has read-only, is still an error in `check --env prod` (exit 1) in every
/// format: never "ok" (nor "✅ ok"). Generated over forms, levels and formats.
#[test]
fn warn_levels_soften_the_lint_never_the_finding() {
    const ENVS_TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_write", "columns": {"sfid": {}, "name": {}, "tier__c": {"field": "Tier__c"}}}}}"#;
    const ENVS_PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "access": "read_only", "columns": {"sfid": {}, "name": {}}}}}"#;
    let forms: [(&str, &str); 4] = [
        (
            "#[hc_requires(account(sfid))]\nfn f() -> &'static str { \"SELECT sfid, tier__c FROM salesforce.account\" }\n",
            "`account.tier__c` is not mapped in prod",
        ),
        (
            "fn f(s: &str) -> String { format!(\"SELECT tier__c FROM {s}.account\") }\n",
            "`account.tier__c` is not mapped in prod",
        ),
        (
            "#[hc_requires(account(sfid))]\nfn f() -> &'static str { \"UPDATE salesforce.account SET name = $1 WHERE sfid = $2\" }\n",
            "`account` is mapped read-only in prod",
        ),
        (
            "fn f() -> &'static str { \"UPDATE salesforce.account SET name = $1 WHERE sfid = $2\" }\n",
            "`account` is mapped read-only in prod",
        ),
    ];
    for (code, message) in forms {
        for levels in [
            "",
            "undeclared = \"warn\"\n",
            "unguarded = \"warn\"\n",
            "undeclared = \"warn\"\nunguarded = \"warn\"\n",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
            write(d, "hc-schema.toml", &format!("[check]\n{levels}"));
            write(d, "hc-schema/test.json", ENVS_TEST);
            write(d, "hc-schema/prod.json", ENVS_PROD);
            write(
                d,
                "app/src/main.rs",
                &format!("use hc_schema_macro::hc_requires;\n{code}fn main() {{}}\n"),
            );
            let what = format!("{code} with {levels:?}");
            let run = hc(d, &["check", "--env", "prod"]);
            assert_eq!(run.code, 1, "{what}\n{}", run.stdout);
            assert!(
                run.stdout.contains(&format!("error: {message}")),
                "{what}\n{}",
                run.stdout
            );
            assert!(run.stdout.contains("hc-schema check FAILED"), "{what}");
            let run = hc(d, &["check", "--env", "prod", "--format", "markdown"]);
            assert_eq!(run.code, 1, "{what}");
            assert!(
                run.stdout.starts_with("### hc-schema check: ❌ FAILED"),
                "{what}\n{}",
                run.stdout
            );
            assert!(run.stdout.contains(message), "{what}");
            if message.contains("read-only") {
                // No allowance covers a write: the comment never offers one for it.
                assert!(!run.stdout.contains("missing_ok"), "{what}\n{}", run.stdout);
            }
            let run = hc(d, &["check", "--env", "prod", "--format", "json"]);
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(json["ok"], false, "{what}");
            assert!(json["problems"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(message));
            let run = hc(d, &["check", "--env", "prod", "--format", "github"]);
            assert!(
                run.stdout
                    .lines()
                    .any(|l| l.starts_with("::error ") && l.contains(message)),
                "{what}\n{}",
                run.stdout
            );
            let run = hc(d, &["check", "--env", "prod", "--format", "sarif"]);
            let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            let errors = sarif["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| {
                    r["level"] == "error"
                        && r["message"]["text"]
                            .as_str()
                            .unwrap_or_default()
                            .contains(message)
                })
                .count();
            assert!(errors > 0, "{what}\n{}", run.stdout);
            // Test maps it (read-write): no finding there beyond the lint.
            let run = hc(d, &["check", "--env", "test", "--format", "json"]);
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(json["problems"].as_array().unwrap().len(), 0, "{what}");
        }
    }
}

/// `hc_sql!("...", missing_ok(...))`: `check` reports the query's allowance like an
/// annotation's, in every format: allowed with its reason, stale where the column is mapped.
#[test]
fn hc_sql_allowances_are_reported_like_annotation_allowances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema/test.json", TEST);
    write(d, "hc-schema/prod.json", PROD);
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_sql;\n\
         const TIERS: &str = hc_sql!(\"SELECT a.name, a.loyalty_tier__c FROM salesforce.account a\",\n\
         \x20   missing_ok(prod, account(loyalty_tier__c), reason = \"behind the tiers flag\"));\n\
         const NAMES: &str = hc_sql!(\"SELECT name FROM salesforce.account\",\n\
         \x20   missing_ok(prod, account(name), reason = \"old\"));\n\
         fn main() {}\n",
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("allowed: `account.loyalty_tier__c` is not mapped in prod"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("= note: allowed by missing_ok(prod, ...): \"behind the tiers flag\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("stale allowance `missing_ok(prod, account(name))`"),
        "{}",
        run.stdout
    );
    let run = hc(d, &["check", "--env", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["allowed"][0]["reason"], "behind the tiers flag");
    assert_eq!(json["stale_allowances"][0]["reason"], "old");
    // At the query's `missing_ok` (what to remove).
    assert_eq!(json["stale_allowances"][0]["site"], "app/src/main.rs:5:5");
    let run = hc(d, &["check", "--env", "prod", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"stale_allowance"), "{rules:?}");
    assert!(
        results.iter().any(|r| r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("behind the tiers flag")),
        "{results:?}"
    );
    // Without the allowance, the same query fails.
    write(
        d,
        "app/src/main.rs",
        "use hc_schema_macro::hc_sql;\n\
         const TIERS: &str = hc_sql!(\"SELECT a.name, a.loyalty_tier__c FROM salesforce.account a\");\n\
         fn main() {}\n",
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

/// Issue 20: statements sqlparser cannot read as a use of a table (`LOCK`, DDL, `GRANT`,
/// `TABLE t`, ...) that name a Heroku Connect table are skipped notes, never prose: `usages`
/// cannot tell (exit 2), `diff --fail-on breaking` and `refresh --check` name the site as
/// "cannot tell" rather than calling the drift harmless.
#[test]
fn keyword_statements_on_hc_tables_are_cannot_tell_in_every_command() {
    for (n, sql) in [
        "LOCK TABLE account IN SHARE MODE",
        "GRANT SELECT ON account TO reporting",
        "COMMENT ON COLUMN account.name IS 'synced'",
        "CALL p((SELECT name FROM account))",
    ]
    .into_iter()
    .enumerate()
    {
        let dir = sql_workspace();
        let d = dir.path();
        let main = format!(
            "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn f() -> &'static str {{ {sql:?} }}\nfn main() {{}}\n"
        );
        write(d, "app/src/main.rs", &main);
        let run = hc(d, &["check"]);
        assert_eq!(run.code, 0, "{sql}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("note: skipped: ") && run.stdout.contains("`account`"),
            "{sql}: {}",
            run.stdout
        );
        let run = hc(d, &["usages", "account.loyalty_tier__c"]);
        assert_eq!(run.code, 2, "{sql}: {}{}", run.stdout, run.stderr);
        assert!(
            format!("{}{}", run.stdout, run.stderr).contains("cannot tell"),
            "{sql}: {}{}",
            run.stdout,
            run.stderr
        );
        let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{sql}: {all}");
        assert!(
            all.contains("cannot tell") && all.contains("app/src/main.rs:3:"),
            "{n} {sql}: {all}"
        );
    }
}
