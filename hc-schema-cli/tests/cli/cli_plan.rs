//! `plan`: API names in the code's own casing with their source, read-write proposals for
//! code that writes, and `--export` edits that keep the user's file as it was elsewhere.

use crate::common;

use common::{assert_has, hc, hc_exit, plan_export, write, writes_workspace};

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
    let run = hc_exit(d, &["plan", "prod"], 1);
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
    hc_exit(d, &["import", "prod", "--from", "prod-export.json"], 0);
    let snapshot = std::fs::read_to_string(d.join("hc-schema/prod.json")).unwrap();
    assert!(
        snapshot.contains(r#""source": "export:prod-export.json (app loyalty-prod)""#),
        "{snapshot}"
    );
    let run = hc_exit(d, &["plan", "prod"], 1);
    assert_eq!(
        run.stdout,
        "mapping changes prod needs in Heroku Connect:\n\
         \x20 Contact (table contact): add fields\n\
         \x20   MobilePhone  (column mobilephone, needed at src/lib.rs:1:33)\n\
         then wait for the sync, run `heroku connect:export` and `hc-schema import prod --from <the new export.json>` and commit the snapshot\n\
         note: 2 columns of prod's snapshot have no type (a mapping export records none): `hc-schema refresh prod` adds them from the database, so that typed queries and the type checks (build, check, diff, verify) see prod's types\n"
    );
    let run = hc_exit(d, &["check", "--env", "prod"], 1);
    assert_has(
        &run.stdout,
        "= help: map MobilePhone on Contact in prod's Heroku Connect, wait for the sync, then \
             run `heroku connect:export` and `hc-schema import prod --from <the new export.json>` \
             and commit hc-schema/prod.json",
    );
    // Another environment's export (its app differs from the one prod's snapshot came from).
    let run = plan_export(d, "prod", "test-export.json", "new.json", 2);
    assert_has(
        &run.stderr,
        "test-export.json is the export of app loyalty-test, but hc-schema/prod.json (`prod`) \
             was imported from app loyalty-prod",
    );
    assert!(!d.join("new.json").exists());
    // prod's own export is accepted.
    plan_export(d, "prod", "prod-export.json", "new.json", 1);
    assert!(std::fs::read_to_string(d.join("new.json"))
        .unwrap()
        .contains("\"MobilePhone\": {}"));
    // A snapshot that records no app (refreshed, or imported from an export that names none):
    // an export whose mappings are not prod's is refused by its content, whatever its app.
    write(d, "hc-schema/prod.json", EMPTY_PROD);
    let run = plan_export(d, "prod", "test-export.json", "other.json", 2);
    assert_has(
        &run.stderr,
        "test-export.json does not match prod's snapshot hc-schema/prod.json (Contact is \
             mapped in the export, not in prod's snapshot): it is another environment's export, \
             or prod changed since the snapshot; nothing was written: pass prod's own export \
             (`heroku connect:export -a <prod's app>`), or bring prod's snapshot up to date \
             first (`hc-schema refresh prod`)",
    );
    assert!(!d.join("other.json").exists());
}

/// A refreshed snapshot (system columns, types, no app recorded) and exports whose app names
/// say nothing about the environment: another environment's export (`loyalty-production`
/// passed as test's) is refused by its mappings, naming the differences in Salesforce terms;
/// the environment's own export, whatever its app is called, is accepted and written.
#[test]
fn another_environments_export_is_refused_by_its_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(contact(lastname, mobilephone))]\nfn f() {}\n",
    );
    let refreshed = |env: &str, access: &str, fields: &[&str]| {
        let mut columns = vec![
            r#""_hc_err": {"type": "text", "system": true}"#.to_string(),
            r#""_hc_lastop": {"type": "character varying(32)", "system": true}"#.to_string(),
            r#""id": {"type": "integer", "nullable": false, "system": true}"#.to_string(),
            r#""isdeleted": {"type": "boolean", "system": true}"#.to_string(),
            r#""sfid": {"type": "character varying(18)", "system": true}"#.to_string(),
            r#""systemmodstamp": {"type": "timestamp without time zone", "system": true}"#
                .to_string(),
        ];
        columns.extend(
            fields
                .iter()
                .map(|f| format!(r#""{f}": {{"type": "text"}}"#)),
        );
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "salesforce", "source": "postgres://db/{env}", "tables": {{
  "contact": {{"object": "Contact", "access": "{access}", "columns": {{{}}}}}}}}}"#,
            columns.join(", ")
        )
    };
    write(
        d,
        "hc-schema/test.json",
        &refreshed("test", "read_write", &["email", "lastname"]),
    );
    write(
        d,
        "hc-schema/prod.json",
        &refreshed("prod", "read_only", &["lastname"]),
    );
    let export = |app: &str, access: &str, fields: &str| {
        format!(
            r#"{{"connection": {{"app_name": "{app}", "name": "{app}"}}, "version": 1,
  "mappings": [{{"object_name": "Contact", "config": {{"access": "{access}", "fields": {{{fields}}}}}}}]}}
"#
        )
    };
    write(
        d,
        "production.json",
        &export(
            "loyalty-production",
            "read_only",
            r#""Id": {}, "IsDeleted": {}, "LastName": {}, "SystemModstamp": {}"#,
        ),
    );
    // test's own export lists no system field but Id: like is compared with like.
    write(
        d,
        "qa.json",
        &export(
            "acme-qa-eu",
            "read_write",
            r#""Email": {}, "Id": {}, "LastName": {}"#,
        ),
    );
    let run = plan_export(d, "test", "production.json", "new.json", 2);
    assert_eq!(
        run.stderr,
        "error: production.json does not match test's snapshot hc-schema/test.json (Contact is \
         read-only in the export, read-write in test's snapshot; Contact.Email is mapped in \
         test's snapshot, not in the export): it is another environment's export, or test \
         changed since the snapshot; nothing was written: pass test's own export (`heroku \
         connect:export -a <test's app>`), or bring test's snapshot up to date first \
         (`hc-schema refresh test`)\n"
    );
    assert!(!d.join("new.json").exists());
    plan_export(d, "test", "qa.json", "new.json", 1);
    assert_eq!(
        std::fs::read_to_string(d.join("new.json")).unwrap(),
        std::fs::read_to_string(d.join("qa.json"))
            .unwrap()
            .replace(r#""LastName": {}"#, r#""LastName": {}, "MobilePhone": {}"#)
    );
    // And the other way round: prod's own export is prod's, test's is not.
    plan_export(d, "prod", "qa.json", "prod-new.json", 2);
    assert!(!d.join("prod-new.json").exists());
    plan_export(d, "prod", "production.json", "prod-new.json", 1);
    assert!(d.join("prod-new.json").exists());
}

#[test]
fn writes_need_read_write_mappings_in_the_plan_and_the_export() {
    let dir = writes_workspace();
    let d = dir.path();
    let run = hc_exit(d, &["plan", "prod"], 1);
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
      "object_name": "Account",
      "config": {"access": "read_only", "fields": {"Id": {}, "Name": {}}}
    },
    {
      "object_name": "Contact",
      "config": {
        "access": "read_only",
        "upsert_field": "Email",
        "fields": {"Email": {}, "Id": {}, "IsDeleted": {}, "SystemModstamp": {}, "Title": {}}
      }
    },
    {
      "object_name": "Lead",
      "config": {"access": "read_write", "fields": {"Company": {}, "Id": {}}}
    }
  ],
  "version": 1
}
"#;
    write(d, "prod-export.json", export);
    let run = plan_export(d, "prod", "prod-export.json", "new.json", 1);
    let updated = std::fs::read_to_string(d.join("new.json")).unwrap();
    // Exactly one line changes: Contact's access; `upsert_field` stays.
    assert_eq!(
        updated,
        export.replacen(
            "\"access\": \"read_only\",\n        \"upsert_field\"",
            "\"access\": \"read_write\",\n        \"upsert_field\"",
            1
        )
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
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
            "account": {"object": "Account", "columns": {"name": {"field": "Name"}}},
            "case": {"object": "Case", "columns": {"name": {"field": "Name"}}},
            "contact": {"object": "Contact", "columns": {"name": {"field": "Name"}}},
            "lead": {"object": "Lead", "columns": {"name": {"field": "Name"}}}}}"#,
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
    plan_export(d, "prod", "export.json", "new.json", 1);
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
    let run = hc_exit(d, &["plan", "prod", "--export", "export.json"], 1);
    assert_eq!(run.stdout, updated);
    assert_has(&run.stderr, "mapping changes prod needs");
    // Two JSON documents on one standard output are refused.
    let run = hc_exit(
        d,
        &[
            "plan",
            "prod",
            "--export",
            "export.json",
            "--format",
            "json",
        ],
        2,
    );
    assert_has(&run.stderr, "add --out <file>");
    // A malformed export: its position and what to do.
    write(d, "bad.json", "{\n  \"mappings\": [,]\n}\n");
    let run = hc_exit(d, &["plan", "prod", "--export", "bad.json"], 2);
    assert_has(
        &run.stderr,
        "bad.json:2:16: not valid JSON: expected a value",
    );
    // An export that `import` refuses (a mapping without fields) is refused here too, before
    // anything is written.
    write(
        d,
        "partial.json",
        &export.replacen("\"fields\"", "\"no_fields\"", 2),
    );
    let run = plan_export(d, "prod", "partial.json", "partial-new.json", 2);
    assert_has(&run.stderr, "partial.json");
    assert!(!d.join("partial-new.json").exists());
}

/// Generated mappings: an environment's refreshed snapshot and its own export (which may or
/// may not list the system fields, and records an access the snapshot may not know) are
/// always accepted; the same export with one mapping changed (a field dropped, an access
/// flipped, an object dropped) is always refused, and nothing is written.
#[test]
fn generated_exports_are_refused_when_one_mapping_differs() {
    use hc_schema_tests::rng::Rng;
    let mut rng = Rng::seeded(0x9e7_e490);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(account(name), write contact(email))]\nfn f() {}\n",
    );
    let objects = ["Account", "Contact", "Lead", "Loyalty_Program__c", "Case"];
    let fields = [
        "Name",
        "Email",
        "Phone",
        "Loyalty_Tier__c",
        "EL_History__c",
        "BillingCity",
        "OwnerId",
    ];
    let system = ["Id", "IsDeleted", "SystemModstamp"];
    let (mut refused, mut accepted) = (0, 0);
    for case in 0..200 {
        // The environment's mappings: (object, access or none in the snapshot, fields).
        let mut mappings: Vec<(&str, Option<&str>, bool, Vec<&str>)> = Vec::new();
        for object in objects {
            if rng.below(3) == 0 && !mappings.is_empty() {
                continue;
            }
            let access = rng.pick(&["read_only", "read_write"]);
            let known = rng.below(4) != 0;
            let mine: Vec<&str> = fields.iter().copied().filter(|_| rng.chance()).collect();
            mappings.push((object, known.then_some(access), known, mine));
        }
        // Access the snapshot does not know is still in the export.
        let export_access: Vec<&str> = mappings
            .iter()
            .map(|(_, a, _, _)| a.unwrap_or_else(|| rng.pick(&["read_only", "read_write"])))
            .collect();
        // The snapshot, as refresh writes it: every system column, lower-case names, types.
        let tables: Vec<String> = mappings
            .iter()
            .map(|(object, access, _, mine)| {
                let mut columns: Vec<String> = [
                    "id",
                    "sfid",
                    "isdeleted",
                    "systemmodstamp",
                    "_hc_lastop",
                    "_hc_err",
                ]
                .iter()
                .map(|c| format!(r#""{c}": {{"type": "text", "system": true}}"#))
                .collect();
                columns.extend(
                    mine.iter()
                        .map(|f| format!(r#""{}": {{"type": "text"}}"#, f.to_ascii_lowercase())),
                );
                let access = access.map_or(String::new(), |a| format!(r#""access": "{a}", "#));
                format!(
                    r#""{}": {{{access}"columns": {{{}}}}}"#,
                    object.to_ascii_lowercase(),
                    columns.join(", ")
                )
            })
            .collect();
        write(
            d,
            "hc-schema/prod.json",
            &format!(
                r#"{{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {{{}}}}}"#,
                tables.join(", ")
            ),
        );
        let render = |mappings: &[(&str, Option<&str>, bool, Vec<&str>)],
                      access: &[&str],
                      rng: &mut Rng| {
            let items: Vec<String> = mappings
                .iter()
                .zip(access)
                .map(|((object, _, _, mine), access)| {
                    let mut listed: Vec<&str> = system.iter().copied().filter(|_| rng.chance()).collect();
                    listed.extend(mine);
                    let listed: Vec<String> = listed.iter().map(|f| format!(r#""{f}": {{}}"#)).collect();
                    format!(
                        r#"{{"object_name": "{object}", "config": {{"access": "{access}", "fields": {{{}}}}}}}"#,
                        listed.join(", ")
                    )
                })
                .collect();
            format!(
                "{{\"connection\": {{\"app_name\": \"acme-{}\"}}, \"version\": 1, \"mappings\": [\n{}\n]}}\n",
                rng.pick(&["prod", "test", "production", "x"]),
                items.join(",\n")
            )
        };
        let own = render(&mappings, &export_access, &mut rng);
        write(d, "own.json", &own);
        let _ = std::fs::remove_file(d.join("new.json"));
        let run = hc(
            d,
            &["plan", "prod", "--export", "own.json", "--out", "new.json"],
        );
        assert!(
            run.code < 2 && d.join("new.json").exists(),
            "case {case}: its own export refused:\n{own}\n{}",
            run.stderr
        );
        accepted += 1;
        // One mapping changed.
        let mut changed = mappings.clone();
        let mut access = export_access.clone();
        let at = rng.below(changed.len());
        let with_fields: Vec<usize> = (0..changed.len())
            .filter(|&i| !changed[i].3.is_empty())
            .collect();
        let with_access: Vec<usize> = (0..changed.len()).filter(|&i| changed[i].2).collect();
        let what = match rng.below(3) {
            0 if !with_fields.is_empty() => {
                let i = rng.pick(&with_fields);
                let f = rng.below(changed[i].3.len());
                let dropped = changed[i].3.remove(f);
                format!("{}.{dropped} dropped", changed[i].0)
            }
            1 if !with_access.is_empty() => {
                let i = rng.pick(&with_access);
                access[i] = if access[i] == "read_only" {
                    "read_write"
                } else {
                    "read_only"
                };
                format!("{} access flipped", changed[i].0)
            }
            _ => {
                let (object, ..) = changed.remove(at);
                access.remove(at);
                format!("{object} dropped")
            }
        };
        let other = render(&changed, &access, &mut rng);
        write(d, "other.json", &other);
        let _ = std::fs::remove_file(d.join("other-new.json"));
        let run = hc(
            d,
            &[
                "plan",
                "prod",
                "--export",
                "other.json",
                "--out",
                "other-new.json",
            ],
        );
        assert!(
            run.code == 2
                && run
                    .stderr
                    .contains("other.json does not match prod's snapshot")
                && !d.join("other-new.json").exists(),
            "case {case}: {what}, accepted:\n{other}\n{}",
            run.stderr
        );
        refused += 1;
    }
    assert_eq!((accepted, refused), (200, 200));
}
