//! `check`'s machine formats on a crate with reads, writes and allowances: SARIF 2.1.0
//! (validated against the official schema) and Markdown, as golden files; JSON and GitHub
//! annotations with writes, notes, allowances and stale allowances; and the SQL findings
//! (`sql_error`, `undeclared`, `unguarded`, `skipped_sql`) in every format.
//!
//! Golden files live in `tests/golden/`; `HC_SCHEMA_BLESS=1` rewrites them (review the diff).

use crate::common;

use std::path::Path;

use common::{golden, hc, writes_workspace};

/// The SARIF log with the version made stable.
fn sarif(dir: &Path, args: &[&str]) -> (i32, String) {
    let run = hc(dir, args);
    let text = run.stdout.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"<version>\"",
    );
    (run.code, text)
}

/// Validate `instance` against the vendored official SARIF 2.1.0 schema (JSON Schema draft 4)
/// with the `jsonschema` crate (no network, no Python); the error list (empty: valid).
fn sarif_schema_errors(instance: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-2.1.0-rtm.5.json");
    // The official schema's `language` pattern has a stray `]` (a literal `]` to Python's and
    // Rust's regex engines) that the draft-4 meta-schema's ECMA-262 `format: regex` check
    // refuses: escape it, which means the same.
    let text = std::fs::read_to_string(&path).unwrap();
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(
        text.matches(stray).count(),
        2,
        "the vendored schema changed"
    );
    let text = text.replace(stray, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let log: serde_json::Value = serde_json::from_str(instance).expect("SARIF is JSON");
    validator
        .iter_errors(&log)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_and_golden() {
    let dir = writes_workspace();
    let (code, text) = sarif(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    assert_eq!(text, golden("check.sarif", &text));
    assert_eq!(sarif_schema_errors(&text), Vec::<String>::new());
    // The validator does reject what is not SARIF (this test can fail).
    let broken = text.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1);
    assert!(!sarif_schema_errors(&broken).is_empty());
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("missing_column", "note"), // allowed: suppressed with its reason
            ("read_only", "error"),
            ("access_unknown", "note"),
            ("access_unknown", "note"),
            ("stale_allowance", "warning"),
        ]
    );
    assert_eq!(
        results[0]["suppressions"][0]["justification"],
        "missing_ok(prod, ...): behind LOYALTY_TIERS until prod maps it"
    );
    // Every rule id a result uses is declared, at the index the result names.
    let declared = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(declared[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_reports_missing_columns_and_source_errors() {
    let dir = common::workspace();
    let (code, text) = sarif(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    assert_eq!(text, golden("check-missing.sarif", &text));
    assert_eq!(sarif_schema_errors(&text), Vec::<String>::new());
    // Source errors (their wording belongs to the scanner, so no golden file here).
    common::write(
        dir.path(),
        "lib/src/bad.rs",
        "#[hc_requires(account)]\nfn f() {}\n",
    );
    common::write(
        dir.path(),
        "lib/src/broken.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn broken( {\n",
    );
    let (code, text) = sarif(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 2, "a file that does not parse: incomplete");
    assert_eq!(sarif_schema_errors(&text), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "malformed_annotation",
            "source_error",
            "missing_column",
            "missing_table"
        ]
    );
}

#[test]
fn markdown_is_golden() {
    let dir = writes_workspace();
    let run = hc(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, golden("check.md", &run.stdout));
    let dir = common::workspace();
    let run = hc(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, golden("check-missing.md", &run.stdout));
}

#[test]
fn human_output_shows_writes_notes_allowances_and_stale_allowances() {
    let dir = writes_workspace();
    let run = hc(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, golden("check-writes.txt", &run.stdout));
    // Allowed findings are shown as allowed (never as ok), with the reason.
    assert!(run
        .stdout
        .contains("allowed: `account.loyalty_tier__c` is not mapped in prod"));
    assert!(run.stdout.contains(
        "= note: allowed by missing_ok(prod, ...): \"behind LOYALTY_TIERS until prod maps it\""
    ));
    assert!(run
        .stdout
        .contains("account.loyalty_tier__c    allowed         ok"));
    // Strict access turns the notes into errors.
    let run = hc(dir.path(), &["check", "--env", "test", "--strict-access"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("error: this code writes `lead`, but whether its mapping is read-write in test (hc-schema/test.json) is unknown"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_and_github_carry_every_kind() {
    let dir = writes_workspace();
    let run = hc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["problems"][0]["kind"], "read_only");
    assert_eq!(
        json["problems"][0]["columns"],
        serde_json::json!(["title", "email"])
    );
    assert_eq!(json["problems"][0]["access"], "write");
    assert_eq!(json["allowed"][0]["kind"], "missing_column");
    assert_eq!(
        json["allowed"][0]["reason"],
        "behind LOYALTY_TIERS until prod maps it"
    );
    assert_eq!(json["notes"][0]["kind"], "access_unknown");
    // At its `missing_ok` (what to remove), not at the requirement.
    assert_eq!(json["stale_allowances"][0]["site"], "app/src/main.rs:12:30");
    assert_eq!(json["stale_allowances"][0]["reason"], "old");
    assert_eq!(json["allowances"].as_array().unwrap().len(), 2);
    assert_eq!(json["counts"]["failing"], 1);
    let cells: Vec<(String, String)> = json["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                format!(
                    "{}.{}",
                    row["table"].as_str().unwrap(),
                    row["column"].as_str().unwrap()
                ),
                row["envs"]["prod"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("account.loyalty_tier__c".to_string(), "allowed".to_string()),
            ("account.name".into(), "ok".into()),
            ("contact.email".into(), "read_only".into()),
            ("contact.title".into(), "read_only".into()),
            ("lead.company".into(), "access_unknown".into()),
        ]
    );
    let run = hc(dir.path(), &["check", "--format", "github"]);
    let levels: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(levels, ["notice", "error", "notice", "notice", "warning"]);
    assert!(run.stdout.contains(
        "title=hc-schema (stale allowance)::stale allowance `missing_ok(test, account(name))`"
    ));
}

/// The SQL checks' findings in every format: an hc_sql! query that fails in prod (a finding
/// like any other, with its place in the SQL), an hc_sql! that does not parse (`sql_error`),
/// an undeclared column, unguarded SQL, and a format! string that cannot be read
/// (`skipped_sql`, a note).
#[test]
fn sql_findings_in_every_format() {
    let dir = common::sql_workspace();
    let run = hc(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, golden("check-sql.txt", &run.stdout));

    let (code, text) = sarif(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    assert_eq!(text, golden("check-sql.sarif", &text));
    assert_eq!(sarif_schema_errors(&text), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("sql_error", "error"),
            ("undeclared", "error"),
            ("skipped_sql", "note"),
            ("unguarded", "error"),
            ("missing_column", "error"),
        ]
    );
    let declared = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(declared[index]["id"], result["ruleId"]);
    }

    let run = hc(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, golden("check-sql.md", &run.stdout));

    let run = hc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["complete"], true);
    let kinds: Vec<(&str, &str, &str)> = json["sql_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap(),
                f["level"].as_str().unwrap(),
                f["site"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("sql_error", "error", "app/src/main.rs:4:30"),
            ("undeclared", "error", "app/src/main.rs:8:13"),
            ("skipped_sql", "note", "app/src/main.rs:13:13"),
            ("unguarded", "error", "app/src/main.rs:17:5"),
        ]
    );
    let undeclared = &json["sql_findings"][1];
    assert_eq!(undeclared["annotation"], "app/src/main.rs:6:3");
    assert_eq!(undeclared["subjects"][0]["table"], "account");
    assert_eq!(undeclared["subjects"][0]["column"], "billingcity");
    assert_eq!(undeclared["subjects"][0]["access"], "read");
    assert_eq!(json["counts"]["undeclared"], 1);
    assert_eq!(json["counts"]["unguarded"], 1);
    assert_eq!(json["counts"]["sql_errors"], 1);
    assert_eq!(json["counts"]["skipped_sql"], 1);
    assert_eq!(json["sql"]["hc_sql_queries"], 2);
    assert_eq!(json["sql"]["strings_checked"], 2);
    // The hc_sql! query's missing column: a problem of origin `sql`, with its place in the SQL.
    let problem = &json["problems"][0];
    assert_eq!(problem["origin"], "sql");
    assert_eq!(problem["kind"], "missing_column");
    assert!(problem["notes"][0]
        .as_str()
        .unwrap()
        .starts_with("at line 1, column 18 of the SQL (app/src/main.rs:3:47):"));

    let run = hc(dir.path(), &["check", "--format", "github"]);
    let titles: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split("::").next().unwrap())
        .map(|l| l.rsplit("title=").next().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "hc-schema (sql_error)",
            "hc-schema (undeclared)",
            "hc-schema (skipped_sql)",
            "hc-schema (unguarded)",
            "hc-schema",
        ]
    );
}
