//! The `hc-schema` CLI without a database: check (all formats, exit codes), diff, usages,
//! requirements, plan (and plan -> import round trip).

use crate::common;

use common::{assert_has, assert_starts, hc, hc_env, hc_exit, plan_export, workspace, write, TEST};

#[test]
fn check_human_output_is_rustc_style_with_a_matrix() {
    let dir = workspace();
    let run = hc_exit(dir.path(), &["check", "--env", "prod"], 1);
    let expected = "\
error: `account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)
 --> app/src/main.rs:3:29
  |
3 | #[hc_requires(account(name, loyalty_tier__c))]
  |                             ^^^^^^^^^^^^^^^
  = note: mapped in: test
  = help: map Loyalty_Tier__c on Account in prod's Heroku Connect, wait for the sync, then run `hc-schema refresh prod` and commit hc-schema/prod.json

error: table `loyalty_program__c` is not mapped in prod (hc-schema/prod.json)
 --> lib/src/lib.rs:1:32
  |
1 | #[hc_schema_macro::hc_requires(Loyalty_Program__c(Name), account(name))]
  |                                ^^^^^^^^^^^^^^^^^^
  = note: mapped in: test
  = help: map the Loyalty_Program__c object in prod's Heroku Connect, wait for the sync, then run `hc-schema refresh prod` and commit hc-schema/prod.json

requirement                   prod
account.loyalty_tier__c    MISSING
account.name                    ok
loyalty_program__c.name    MISSING

hc-schema check FAILED: 3 requirement groups in 2 files against prod; 2 failing (2 missing, 0 read-only), 0 allowed, 0 stale allowances, 0 malformed annotations, 0 hc_sql! errors, 0 undeclared, 0 unguarded
";
    assert_eq!(run.stdout, expected);
    // All is well: no matrix (11.5), just the verdict; `--matrix` asks for it.
    let run = hc_exit(dir.path(), &["check", "--env", "test"], 0);
    assert_eq!(run.stdout, "hc-schema check ok: 3 requirement groups in 2 files against test; 0 failing (0 missing, 0 read-only), 0 allowed, 0 stale allowances, 0 malformed annotations, 0 hc_sql! errors, 0 undeclared, 0 unguarded\n");
    let run = hc_exit(dir.path(), &["check", "--env", "test", "--matrix"], 0);
    assert_starts(
        &run.stdout,
        "requirement                   test\naccount.loyalty_tier__c         ok\n",
    );
}

#[test]
fn check_github_and_json_formats() {
    let dir = workspace();
    let run = hc_exit(
        dir.path(),
        &["check", "--env", "prod", "--format", "github"],
        1,
    );
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=app/src/main.rs,line=3,col=29,title=hc-schema::`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)%0Anote: mapped in: test%0Ahelp: map Loyalty_Tier__c on Account in prod's Heroku Connect, wait for the sync, then run `hc-schema refresh prod` and commit hc-schema/prod.json"
    );
    let run = hc_exit(dir.path(), &["check", "--format", "json"], 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["format"], 1);
    assert_eq!(json["ok"], false);
    assert_eq!(json["selected_by"], "all_snapshots");
    assert_eq!(json["environments"][0]["env"], "prod");
    assert_eq!(json["environments"][1]["env"], "test");
    let problem = &json["problems"][0];
    assert_eq!(
        (
            problem["env"].as_str(),
            problem["kind"].as_str(),
            problem["table"].as_str(),
            problem["column"].as_str()
        ),
        (
            Some("prod"),
            Some("missing_column"),
            Some("account"),
            Some("loyalty_tier__c")
        )
    );
    assert_eq!(
        (
            problem["file"].as_str(),
            problem["line"].as_u64(),
            problem["col"].as_u64()
        ),
        (Some("app/src/main.rs"), Some(3), Some(29))
    );
    assert_eq!(json["matrix"][0]["envs"]["test"], "ok");
    assert_eq!(json["matrix"][0]["envs"]["prod"], "missing");
}

#[test]
fn check_reports_unparsable_files_and_bad_annotations() {
    let dir = workspace();
    // A file that mentions hc-schema's macros and does not parse: its annotations are
    // unknown. (A broken file that mentions none is the compiler's business: not parsed.)
    write(
        dir.path(),
        "lib/src/broken.rs",
        "#[hc_requires(account(name))]\nfn broken( {\n",
    );
    let run = hc_exit(dir.path(), &["check", "--env", "test"], 2);
    assert_has(&run.stdout, "lib/src/broken.rs:2:");
    assert_has(&run.stdout, "does not parse");
    assert_has(&run.stdout, "; the scan is incomplete: 1 place not read\n");
    assert_has(
        &run.stdout,
        "error: the scan is incomplete: 1 place could not be read or is not scannable \
             (lib/src/broken.rs:2:",
    );
    std::fs::remove_file(dir.path().join("lib/src/broken.rs")).unwrap();
    write(
        dir.path(),
        "lib/src/bad.rs",
        "#[hc_requires(account)]\nfn f() {}\n",
    );
    let run = hc_exit(dir.path(), &["check", "--env", "test"], 1);
    assert_has(
        &run.stdout,
        "expected the columns of `account` in parentheses",
    );
}

#[test]
fn check_snapshot_answers_would_unmapping_break_the_code() {
    let dir = workspace();
    write(
        dir.path(),
        "proposed.json",
        &TEST.replace(
            "\"name\": {\"field\": \"Name\"}, \"loyalty_tier__c\"",
            "\"loyalty_tier__c\"",
        ),
    );
    let run = hc_exit(dir.path(), &["check", "--snapshot", "proposed.json"], 1);
    assert_has(
        &run.stdout,
        "`account.name` is not mapped in proposed.json\n",
    );
    // A file given by path gets advice about the file, not `hc-schema refresh proposed`
    // (11.7).
    assert_has(&run.stdout, "then update proposed.json to match");
    assert!(
        !run.stdout.contains("hc-schema refresh proposed"),
        "{}",
        run.stdout
    );
    let run = hc_exit(dir.path(), &["check", "--snapshot", "missing.json"], 2);
    assert_has(&run.stderr, "missing.json does not exist");
    // The same through HC_SCHEMA_SNAPSHOT.
    let run = hc_env(
        dir.path(),
        &["check"],
        &[("HC_SCHEMA_SNAPSHOT", "proposed.json")],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_has(&run.stdout, "then update proposed.json to match");
    hc_exit(dir.path(), &["check", "--bogus"], 2);
}

#[test]
fn diff_usages_and_requirements() {
    let dir = workspace();
    let run = hc_exit(dir.path(), &["diff", "test", "prod"], 1);
    assert_eq!(
        run.stdout,
        "--- test\n+++ prod\n\
         - account.loyalty_tier__c  (only in test)  needed at app/src/main.rs:3:29  BREAKING\n\
         - table loyalty_program__c  (only in test)  (allowed: pilot in test only)  needed at lib/src/lib.rs:1:32  BREAKING\n\
         2 deviations: 2 breaking, 0 harmless; 1 allowed by hc-schema.toml, 1 unexplained\n"
    );
    assert_eq!(
        hc(dir.path(), &["diff", "test", "prod", "--fail-on-drift"]).code,
        1
    );
    let run = hc(dir.path(), &["usages", "Account.Name"]);
    assert_eq!(run.code, 1, "used: not safe to unmap");
    assert_eq!(
        run.stdout,
        "not safe to unmap Account.Name (column account.name): used at 2 sites\n\
         Account.Name (column account.name) is read at 2 sites:\n  app/src/main.rs:3:23\n  lib/src/lib.rs:1:66\nmapped in: prod, test\nnot mapped in: -\n"
    );
    let run = hc(dir.path(), &["requirements", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["requirements"][0]["table"], "account");
    assert_eq!(
        json["requirements"][0]["columns"][0]["column"],
        "loyalty_tier__c"
    );
    assert_eq!(
        json["requirements"][0]["columns"][1]["sites"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn plan_export_reimported_satisfies_every_requirement() {
    let dir = workspace();
    let run = hc(dir.path(), &["plan", "prod"]);
    assert_eq!(run.code, 1, "changes are needed: {}", run.stdout);
    assert_has(&run.stdout, "Account (table account): add fields\n    Loyalty_Tier__c  (column loyalty_tier__c, needed at app/src/main.rs:3:29)");
    assert_has(&run.stdout, "map the new object Loyalty_Program__c");
    write(
        dir.path(),
        "prod-export.json",
        r#"{"connection": {"name": "prod"}, "version": 1, "mappings": [{"object_name": "Account",
            "config": {"access": "read_only", "fields": {"Id": {}, "Name": {}, "IsDeleted": {}, "SystemModstamp": {}}, "indexes": {}}}]}"#,
    );
    plan_export(
        dir.path(),
        "prod",
        "prod-export.json",
        "prod-export.new.json",
        1,
    );
    let first = std::fs::read(dir.path().join("prod-export.new.json")).unwrap();
    assert_eq!(
        hc(
            dir.path(),
            &[
                "plan",
                "prod",
                "--export",
                "prod-export.json",
                "--out",
                "again.json"
            ]
        )
        .code,
        1
    );
    assert_eq!(
        std::fs::read(dir.path().join("again.json")).unwrap(),
        first,
        "deterministic"
    );
    hc_exit(
        dir.path(),
        &["import", "prod", "--from", "prod-export.new.json"],
        0,
    );
    let run = hc(dir.path(), &["check", "--env", "prod"]);
    assert_eq!(run.code, 0, "after applying the plan:\n{}", run.stdout);
    let run = hc_exit(dir.path(), &["plan", "prod"], 0);
    assert_has(&run.stdout, "prod needs no mapping change");
}

/// Issue 19 (5): `prod-snapshot = []` in a binary whose library holds the annotations is an
/// error of `check` (exit 1) at the binary's Cargo.toml, with the line that fixes it; once
/// forwarded, the check passes that point.
#[test]
fn check_reports_a_snapshot_feature_that_is_not_forwarded() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n\n[features]\ntest-snapshot = []\nprod-snapshot = []\n\n[dependencies]\nhc-schema-macro = \"0.1\"\n",
    );
    write(
        d,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[features]\ntest-snapshot = [\"lib/test-snapshot\"]\nprod-snapshot = []\n\n[dependencies]\nlib = { path = \"../lib\" }\nhc-schema-macro = \"0.1\"\n",
    );
    let run = hc_exit(d, &["check", "--env", "test"], 1);
    assert_has(&run.stdout, "app/Cargo.toml:7:1");
    assert_has(
        &run.stdout,
        "forward it: prod-snapshot = [\"lib/prod-snapshot\"]",
    );
    assert_has(&run.stdout, "1 <env>-snapshot feature not forwarded");
    let run = hc_exit(d, &["check", "--env", "test", "--format", "json"], 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["counts"]["features_not_forwarded"], 1);
    assert_eq!(json["counts"]["malformed_annotations"], 0);
    assert_eq!(json["source_errors"][0]["kind"], "feature_not_forwarded");
    let run = hc_exit(d, &["check", "--env", "test", "--format", "sarif"], 1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "feature_not_forwarded", "{result}");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "feature_not_forwarded"
    );
    let run = hc_exit(d, &["check", "--env", "test", "--format", "github"], 1);
    assert_has(&run.stdout, "::error file=app/Cargo.toml,line=7");
    write(
        d,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[features]\ntest-snapshot = [\"lib/test-snapshot\"]\nprod-snapshot = [\"lib/prod-snapshot\"]\n\n[dependencies]\nlib = { path = \"../lib\" }\nhc-schema-macro = \"0.1\"\n",
    );
    hc_exit(d, &["check", "--env", "test"], 0);
}

/// `check --snapshot` given a mapping export says it is one and how to import it; `import
/// --out` turns a proposed export into a snapshot file that `check --snapshot` reads, without
/// touching the environments' snapshots.
#[test]
fn a_proposed_export_is_imported_to_a_file_and_checked() {
    let dir = workspace();
    let d = dir.path();
    let proposed = r#"{"connection": {"app_name": "loyalty-prod"}, "version": 1, "mappings": [
  {"object_name": "Account", "config": {"access": "read_only", "fields": {"Id": {}, "Name": {}, "Loyalty_Tier__c": {}}}},
  {"object_name": "Loyalty_Program__c", "config": {"access": "read_only", "fields": {"Id": {}, "Name": {}}}}]}"#;
    write(d, "proposed-export.json", proposed);
    let prod_before = std::fs::read(d.join("hc-schema/prod.json")).unwrap();
    let run = hc_exit(d, &["check", "--snapshot", "proposed-export.json"], 2);
    assert_has(
        &run.stderr,
        "is a Heroku Connect mapping export, not a snapshot (--snapshot `proposed-export.json`",
    );
    assert_has(
        &run.stderr,
        "turn it into one with `hc-schema import <env> --from proposed-export.json --out <snapshot.json>`",
    );
    let run = hc_exit(
        d,
        &[
            "import",
            "proposed",
            "--from",
            "proposed-export.json",
            "--out",
            "proposed.json",
        ],
        0,
    );
    assert_starts(&run.stdout, "wrote proposed.json: 2 tables");
    assert_eq!(
        std::fs::read(d.join("hc-schema/prod.json")).unwrap(),
        prod_before,
        "the environments' snapshots are untouched"
    );
    assert!(!d.join("hc-schema/proposed.json").exists());
    hc_exit(d, &["check", "--snapshot", "proposed.json"], 0);
    // The same file minus the field the code reads fails, and the advice speaks of the file.
    write(
        d,
        "proposed-export.json",
        &proposed.replace(", \"Loyalty_Tier__c\": {}", ""),
    );
    hc_exit(
        d,
        &[
            "import",
            "proposed",
            "--from",
            "proposed-export.json",
            "--out",
            "proposed.json",
        ],
        0,
    );
    let run = hc_exit(d, &["check", "--snapshot", "proposed.json"], 1);
    assert_has(
        &run.stdout,
        "`account.loyalty_tier__c` is not mapped in proposed.json",
    );
    // A bad environment name is refused before anything is written.
    hc_exit(
        d,
        &[
            "import",
            "../x",
            "--from",
            "proposed-export.json",
            "--out",
            "x.json",
        ],
        2,
    );
    assert!(!d.join("x.json").exists());
}
