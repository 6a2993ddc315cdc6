//! `plan`: API names in the code's own casing with their source, read-write proposals for
//! code that writes, and `--export` edits that keep the user's file as it was elsewhere.

use crate::common;

use common::{hc, write, writes_workspace};

const EMPTY_PROD: &str =
    r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {}}"#;

#[test]
fn api_names_keep_the_code_casing_and_say_where_they_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "hc-schema/prod.json", EMPTY_PROD);
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(Loyalty_Program__c(Name, Tier__C, el_history__c, sfid))]\nfn f() {}\n\
         #[hc_requires(opportunity(stagename, amount, ownerid))]\nfn g() {}\n",
    );
    let run = hc(d, &["plan", "prod"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "mapping changes prod needs in Heroku Connect:\n\
         \x20 map the new object Loyalty_Program__c  [API name as written in the code] (table loyalty_program__c), read-only, with fields:\n\
         \x20   El_History__c  (column el_history__c, needed at src/lib.rs:1:49)  [API name guessed: check it in Salesforce]\n\
         \x20   Name  (column name, needed at src/lib.rs:1:34)\n\
         \x20   Id  (column sfid, needed at src/lib.rs:1:64)  [API name Heroku Connect's name]\n\
         \x20   Tier__C  (column tier__c, needed at src/lib.rs:1:40)  [API name as written in the code]\n\
         \x20 map the new object Opportunity (table opportunity), read-only, with fields:\n\
         \x20   Amount  (column amount, needed at src/lib.rs:3:38)\n\
         \x20   OwnerId  (column ownerid, needed at src/lib.rs:3:46)\n\
         \x20   StageName  (column stagename, needed at src/lib.rs:3:27)\n\
         then wait for the sync, run `hc-schema refresh prod` and commit the snapshot\n"
    );
    let run = hc(d, &["plan", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let sources = |change: &serde_json::Value| -> Vec<(String, String)> {
        change["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let text = |k: &str| f[k].as_str().unwrap().to_string();
                (text("field"), text("source"))
            })
            .collect()
    };
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(json["changes"][0]["object_source"], "code");
    assert_eq!(
        sources(&json["changes"][0]),
        pairs(&[
            ("El_History__c", "guess"),
            ("Name", "standard"),
            ("Id", "heroku_connect"),
            ("Tier__C", "code")
        ])
    );
    assert_eq!(json["changes"][0]["fields"][0]["guessed"], true);
    assert_eq!(json["changes"][1]["object_source"], "standard");
    assert_eq!(
        sources(&json["changes"][1]),
        pairs(&[
            ("Amount", "standard"),
            ("OwnerId", "standard"),
            ("StageName", "standard")
        ])
    );
    // A snapshot that knows the name (an import keeps the export's casing) wins over
    // everything else.
    write(
        d,
        "hc-schema/test.json",
        r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
            "loyalty_program__c": {"object": "Loyalty_Program__c", "columns": {"el_history__c": {"field": "EL_History__c"}, "tier__c": {"field": "Tier__c"}}}}}"#,
    );
    let run = hc(d, &["plan", "prod", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["changes"][0]["object_source"], "snapshot");
    assert_eq!(
        sources(&json["changes"][0]),
        pairs(&[
            ("EL_History__c", "snapshot"),
            ("Name", "standard"),
            ("Id", "heroku_connect"),
            ("Tier__c", "snapshot")
        ])
    );
}

/// An imported prod snapshot: the advice is to import a new export (its author may have no
/// database access), and `plan --export` refuses another environment's export, naming both.
#[test]
fn imported_snapshots_get_export_advice_and_other_exports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(contact(lastname, mobilephone))]\nfn f() {}\n",
    );
    let export = |app: &str| {
        format!(
            r#"{{"connection": {{"app_name": "{app}", "name": "{app}"}}, "version": 1,
  "mappings": [{{"object_name": "Contact", "config": {{"access": "read_only", "fields": {{"Id": {{}}, "LastName": {{}}}}}}}}]}}
"#
        )
    };
    write(d, "prod-export.json", &export("loyalty-prod"));
    write(d, "test-export.json", &export("loyalty-test"));
    write(
        d,
        "hc-schema/test.json",
        r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {}}"#,
    );
    let run = hc(d, &["import", "prod", "--from", "prod-export.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let snapshot = std::fs::read_to_string(d.join("hc-schema/prod.json")).unwrap();
    assert!(
        snapshot.contains(r#""source": "export:prod-export.json (app loyalty-prod)""#),
        "{snapshot}"
    );
    let run = hc(d, &["plan", "prod"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "mapping changes prod needs in Heroku Connect:\n\
         \x20 Contact (table contact): add fields\n\
         \x20   MobilePhone  (column mobilephone, needed at src/lib.rs:1:33)\n\
         then wait for the sync, run `heroku connect:export` and `hc-schema import prod --from <the new export.json>` and commit the snapshot\n\
         note: 2 columns of prod's snapshot have no type (a mapping export records none): `hc-schema refresh prod` adds them from the database, so that typed queries and the type checks (build, check, diff, verify) see prod's types\n"
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "= help: map MobilePhone on Contact in prod's Heroku Connect, wait for the sync, then \
             run `heroku connect:export` and `hc-schema import prod --from <the new export.json>` \
             and commit hc-schema/prod.json"
        ),
        "{}",
        run.stdout
    );
    // Another environment's export (its app differs from the one prod's snapshot came from).
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "test-export.json",
            "--out",
            "new.json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "test-export.json is the export of app loyalty-test, but hc-schema/prod.json (`prod`) \
             was imported from app loyalty-prod"
        ),
        "{}",
        run.stderr
    );
    assert!(!d.join("new.json").exists());
    // prod's own export is accepted.
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "prod-export.json",
            "--out",
            "new.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(std::fs::read_to_string(d.join("new.json"))
        .unwrap()
        .contains("\"MobilePhone\": {}"));
    // A refreshed prod snapshot records no app: the export's app naming another
    // environment (`test`) and not prod is refused too.
    write(d, "hc-schema/prod.json", EMPTY_PROD);
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "test-export.json",
            "--out",
            "other.json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "test-export.json is the export of app loyalty-test, which names environment \
             `test`, not `prod`"
        ),
        "{}",
        run.stderr
    );
    assert!(!d.join("other.json").exists());
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "prod-export.json",
            "--out",
            "other.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn writes_need_read_write_mappings_in_the_plan_and_the_export() {
    let dir = writes_workspace();
    let d = dir.path();
    let run = hc(d, &["plan", "prod"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "mapping changes prod needs in Heroku Connect:\n\
         \x20 Contact (table contact): make the mapping read-write (it is read-only; written at app/src/main.rs:6:21)\n\
         then wait for the sync, run `hc-schema refresh prod` and commit the snapshot\n\
         check: the Lead mapping (table lead) must be read-write in prod, and prod's snapshot does not record its access (written at app/src/main.rs:9:21); `hc-schema refresh prod` reads it\n\
         note: 4 columns of prod's snapshot have no type (a mapping export records none): `hc-schema refresh prod` adds them from the database, so that typed queries and the type checks (build, check, diff, verify) see prod's types\n"
    );
    // Unknown access alone is not a needed change, unless strict.
    write(
        d,
        "hc-schema/prod.json",
        &common::WRITES_PROD.replace(
            "\"access\": \"read_only\", \"columns\": {\"email\"",
            "\"access\": \"read_write\", \"columns\": {\"email\"",
        ),
    );
    assert_eq!(hc(d, &["plan", "prod"]).code, 0);
    assert_eq!(hc(d, &["plan", "prod", "--strict-access"]).code, 1);
    write(d, "hc-schema/prod.json", common::WRITES_PROD);
    let export = r#"{
  "connection": {"app_name": "loyalty-prod", "name": "loyalty-prod"},
  "mappings": [
    {
      "object_name": "Contact",
      "config": {
        "access": "read_only",
        "upsert_field": "Email",
        "fields": {"Email": {}, "Id": {}, "IsDeleted": {}, "SystemModstamp": {}, "Title": {}}
      }
    }
  ],
  "version": 1
}
"#;
    write(d, "prod-export.json", export);
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "prod-export.json",
            "--out",
            "new.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let updated = std::fs::read_to_string(d.join("new.json")).unwrap();
    // Exactly one line changes: the access; `upsert_field` stays. Lead, which prod maps but
    // this export does not, is left out with a warning.
    assert_eq!(
        updated,
        export.replace("\"access\": \"read_only\"", "\"access\": \"read_write\"")
    );
    assert!(
        run.stderr.contains("the export has no mapping of Lead"),
        "{}",
        run.stderr
    );
}

/// A sorted, indented export of many mappings: adding one field is a one-line diff, and the
/// rest of the file, key order and spacing included, is unchanged.
#[test]
fn export_edits_are_small_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "hc-schema/prod.json",
        r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
            "account": {"object": "Account", "columns": {"name": {"field": "Name"}}}}}"#,
    );
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(account(name, Loyalty_Tier__c))]\nfn f() {}\n",
    );
    // Keys in Heroku Connect's order (not sorted), four-space indentation, many mappings.
    let mut export = String::from("{\n    \"mappings\": [\n");
    for (i, object) in ["Contact", "Account", "Lead", "Case"].iter().enumerate() {
        export.push_str(&format!(
            "        {{\n            \"object_name\": \"{object}\",\n            \"config\": {{\n                \"access\": \"read_only\",\n                \"sf_notify_enabled\": true,\n                \"sf_polling_seconds\": 600,\n                \"fields\": {{\n                    \"Id\": {{}},\n                    \"IsDeleted\": {{}},\n                    \"Name\": {{}},\n                    \"SystemModstamp\": {{}}\n                }},\n                \"indexes\": {{\"Id\": {{\"unique\": true}}}}\n            }}\n        }}{}\n",
            if i < 3 { "," } else { "" }
        ));
    }
    export.push_str("    ],\n    \"version\": 1,\n    \"connection\": {\"name\": \"prod\", \"exported_at\": \"2026-11-20T10:00:00.000000+00:00\"}\n}\n");
    write(d, "export.json", &export);
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "export.json",
            "--out",
            "new.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let updated = std::fs::read_to_string(d.join("new.json")).unwrap();
    let old: Vec<&str> = export.lines().collect();
    let new: Vec<&str> = updated.lines().collect();
    assert_eq!(new.len(), old.len() + 1, "{updated}");
    // The only new line sits among Account's fields, in sorted position.
    let at = old.iter().zip(&new).position(|(a, b)| a != b).unwrap();
    assert_eq!(new[at], "                    \"Loyalty_Tier__c\": {},");
    assert_eq!(&new[..at], &old[..at]);
    assert_eq!(&new[at + 1..], &old[at..]);
    assert!(new[..at]
        .iter()
        .any(|l| l.contains("\"object_name\": \"Account\"")));
    // Without --out the export goes to standard output, the plan to standard error.
    let run = hc(d, &["plan", "prod", "--export", "export.json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, updated);
    assert!(
        run.stderr.contains("mapping changes prod needs"),
        "{}",
        run.stderr
    );
    // Two JSON documents on one standard output are refused.
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "export.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("add --out <file>"), "{}", run.stderr);
    // A malformed export: its position and what to do.
    write(d, "bad.json", "{\n  \"mappings\": [,]\n}\n");
    let run = hc(d, &["plan", "prod", "--export", "bad.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.json:2:16: not valid JSON: expected a value"),
        "{}",
        run.stderr
    );
    // An export that `import` refuses (a mapping without fields) is refused here too, before
    // anything is written.
    write(
        d,
        "partial.json",
        &export.replacen("\"fields\"", "\"no_fields\"", 2),
    );
    let run = hc(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "partial.json",
            "--out",
            "partial-new.json",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("partial.json"), "{}", run.stderr);
    assert!(!d.join("partial-new.json").exists());
}
