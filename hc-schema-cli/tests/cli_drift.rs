//! Breaking vs harmless drift (`diff`), reads and writes apart (`usages`, `requirements`), and
//! allowances listed with their reason and site by every report.

mod common;

use common::{hc, write, writes_workspace};

#[test]
fn diff_marks_what_code_needs_and_access_changes() {
    let dir = writes_workspace();
    let d = dir.path();
    let run = hc(d, &["diff", "test", "prod"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "--- test\n+++ prod\n\
         - account.loyalty_tier__c  (only in test)  needed at app/src/main.rs:3:29 (missing_ok: behind LOYALTY_TIERS until prod maps it)\n\
         ~ table contact: access  (test: read-write, prod: read-only)  written at app/src/main.rs:6:21  BREAKING\n\
         2 deviation(s): 1 breaking, 1 harmless; 0 allowed by hc-schema.toml, 2 unexplained\n"
    );
    assert_eq!(
        hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]).code,
        1
    );
    let run = hc(d, &["diff", "test", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["fail_on"], "any");
    assert_eq!(json["summary"]["breaking"], 1);
    let access = &json["deviations"][1];
    assert_eq!(
        (
            access["kind"].as_str(),
            access["a"].as_str(),
            access["b"].as_str()
        ),
        (
            Some("access_differs"),
            Some("read_write"),
            Some("read_only")
        )
    );
    assert_eq!(access["breaking"], true);
    assert_eq!(access["needed_at"][0]["site"], "app/src/main.rs:6:21");
    assert_eq!(access["needed_at"][0]["access"], "write");
    let allowed = &json["deviations"][0];
    assert_eq!(allowed["breaking"], false);
    assert_eq!(
        allowed["needed_at"][0]["allowed"],
        "behind LOYALTY_TIERS until prod maps it"
    );
    // Without the write, the access change is harmless.
    write(
        d,
        "app/src/main.rs",
        &common::WRITES_MAIN.replace("write contact(title, email)", "contact(title, email)"),
    );
    let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("~ table contact: access  (test: read-write, prod: read-only)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn diff_notes_names_heroku_connect_never_creates() {
    let dir = writes_workspace();
    let d = dir.path();
    write(
        d,
        "hc-schema/prod.json",
        &common::WRITES_PROD.replace("\"lead\": {", "\"Lead\": {\"columns\": {}}, \"lead\": {"),
    );
    let run = hc(d, &["diff", "test", "prod"]);
    assert!(
        run.stdout.contains(
            "note: prod has names Heroku Connect never creates (not plain lower case), so no requirement ever matches them: \"Lead\""
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn usages_list_reads_writes_and_allowances_apart() {
    let dir = writes_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/more.rs",
        "#[hc_requires(contact(email), write contact())]\nfn read_and_delete() {}\n",
    );
    let run = hc(d, &["usages", "contact"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "contact is read at 1 site(s):\n  app/src/more.rs:1:23  (contact.email)\n\
         contact is written at 3 site(s):\n  app/src/main.rs:6:29  (contact.title)\n  app/src/main.rs:6:36  (contact.email)\n  app/src/more.rs:1:37  (contact: rows, no column named)\n\
         mapped in: prod (read-only), test (read-write)\nnot mapped in: -\n"
    );
    let run = hc(d, &["usages", "account.loyalty_tier__c"]);
    assert_eq!(
        run.stdout,
        "account.loyalty_tier__c is read at 1 site(s):\n  app/src/main.rs:3:29\n\
         allowed missing in prod at app/src/main.rs:3:15: missing_ok(prod, account(loyalty_tier__c)): \"behind LOYALTY_TIERS until prod maps it\"\n\
         mapped in: test (read-only)\nnot mapped in: prod\n"
    );
    let run = hc(d, &["usages", "contact.email", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["read_sites"],
        serde_json::json!(["app/src/more.rs:1:23"])
    );
    assert_eq!(
        json["write_sites"],
        serde_json::json!(["app/src/main.rs:6:36"])
    );
    assert_eq!(json["access"]["prod"], "read_only");
    assert_eq!(json["complete"], true);
}

#[test]
fn requirements_carry_access_and_allowances() {
    let dir = writes_workspace();
    let d = dir.path();
    let run = hc(d, &["requirements"]);
    assert_eq!(
        run.stdout,
        "account\n  loyalty_tier__c  (read at app/src/main.rs:3:29)\n  name  (read at app/src/main.rs:3:23, app/src/main.rs:12:23)\n\
         contact\n  email  (written at app/src/main.rs:6:36)\n  title  (written at app/src/main.rs:6:29)\n\
         lead\n  company  (written at app/src/main.rs:9:26)\n\
         allowances:\n  missing_ok(prod, account(loyalty_tier__c)) at app/src/main.rs:3:15: \"behind LOYALTY_TIERS until prod maps it\"\n  missing_ok(test, account(name)) at app/src/main.rs:12:15: \"old\"\n"
    );
    let run = hc(d, &["requirements", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let access: Vec<(&str, &str)> = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["columns"].as_array().unwrap())
        .map(|c| (c["column"].as_str().unwrap(), c["access"].as_str().unwrap()))
        .collect();
    assert_eq!(
        access,
        [
            ("loyalty_tier__c", "read"),
            ("name", "read"),
            ("email", "write"),
            ("title", "write"),
            ("company", "write")
        ]
    );
    assert_eq!(
        json["allowances"][0]["reason"],
        "behind LOYALTY_TIERS until prod maps it"
    );
    assert_eq!(json["allowances"][0]["site"], "app/src/main.rs:3:15");
}
