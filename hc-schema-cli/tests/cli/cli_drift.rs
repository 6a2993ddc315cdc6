//! Breaking vs harmless drift (`diff`), reads and writes apart (`usages`, `requirements`), and
//! allowances listed with their reason and site by every report.

use crate::common;

use common::{assert_has, assert_starts, hc, hc_exit, write, writes_workspace};

#[test]
fn diff_marks_what_code_needs_and_access_changes() {
    let dir = writes_workspace();
    let d = dir.path();
    let run = hc_exit(d, &["diff", "test", "prod"], 1);
    assert_eq!(
        run.stdout,
        "--- test\n+++ prod\n\
         - account.loyalty_tier__c  (only in test)  needed at app/src/main.rs:3:29 (missing_ok: behind LOYALTY_TIERS until prod maps it)\n\
         ~ table contact: access  (test: read-write, prod: read-only)  written at app/src/main.rs:6:21  BREAKING\n\
         2 deviations: 1 breaking, 1 harmless; 0 allowed by hc-schema.toml, 2 unexplained\n"
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
    let run = hc_exit(d, &["diff", "test", "prod", "--fail-on", "breaking"], 0);
    assert_has(
        &run.stdout,
        "~ table contact: access  (test: read-write, prod: read-only)\n",
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
    assert_has(&run.stdout, "note: prod has names Heroku Connect never creates (not plain lower case), so no requirement ever matches them: \"Lead\"");
}

/// `usages` answers the admin in Salesforce terms: the target in API-name form (`Contact.Id`
/// is column `sfid`), the verdict first, names from the one naming rule with guesses marked,
/// the column alongside, and the same in JSON (`api_name`, `verdict`).
#[test]
fn usages_answer_in_salesforce_terms() {
    let dir = writes_workspace();
    let d = dir.path();
    write(
        d,
        "app/src/more.rs",
        "#[hc_requires(contact(sfid, MobilePhone), account(bonus__c))]\nfn more() {}\n",
    );
    let run = hc_exit(d, &["usages", "Contact.Id"], 1);
    assert_eq!(
        run.stdout,
        "not safe to unmap Contact.Id (column contact.sfid): used at 1 site\n\
         Contact.Id (column contact.sfid) is read at 1 site:\n  app/src/more.rs:1:23\n\
         mapped in: -\nnot mapped in: prod, test\n"
    );
    // API-name form and Postgres form are the same question.
    assert_eq!(hc(d, &["usages", "contact.sfid"]).stdout, run.stdout);
    let run = hc_exit(d, &["usages", "Contact.MobilePhone"], 1);
    assert_starts(
        &run.stdout,
        "not safe to unmap Contact.MobilePhone (column contact.mobilephone): used at 1 site\n",
    );
    // A custom field no snapshot records: the guess is marked.
    let run = hc(d, &["usages", "Account.Bonus__c"]);
    assert_starts(
        &run.stdout,
        "not safe to unmap Account.Bonus__c (API name guessed) (column account.bonus__c): \
             used at 1 site\n",
    );
    // A whole object: the sites per field, in Salesforce terms with the column alongside.
    let run = hc(d, &["usages", "Account"]);
    assert_eq!(
        run.stdout,
        "not safe to unmap Account (table account): used at 4 sites\n\
         Account (table account) is read at 4 sites:\n\
         \x20 Account.Bonus__c (API name guessed) (bonus__c):\n\
         \x20   app/src/more.rs:1:51\n\
         \x20 Account.Loyalty_Tier__c (loyalty_tier__c):\n\
         \x20   app/src/main.rs:3:29\n\
         \x20 Account.Name (name):\n\
         \x20   app/src/main.rs:3:23\n\
         \x20   app/src/main.rs:12:23\n\
         allowed missing in prod at app/src/main.rs:3:15: missing_ok(prod, account(loyalty_tier__c)): \"behind LOYALTY_TIERS until prod maps it\"\n\
         allowed missing in test at app/src/main.rs:12:15: missing_ok(test, account(name)): \"old\"\n\
         mapped in: prod (read-only), test (read-only)\nnot mapped in: -\n"
    );
    // Safe: said plainly, exit 0.
    let run = hc_exit(d, &["usages", "Account.Fax"], 0);
    assert_starts(
        &run.stdout,
        "safe to unmap Account.Fax (column account.fax): no code in the scanned sources uses it\n",
    );
    // `account.id`, all lower case, is Heroku Connect's own key: no Salesforce field.
    let run = hc_exit(d, &["usages", "account.id"], 0);
    assert_starts(
        &run.stdout,
        "column account.id (Heroku Connect's own, no Salesforce field): no Salesforce field \
             to unmap (the Salesforce Id is Account.Id, column sfid)",
    );
    let run = hc(d, &["usages", "Contact.Id", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (&json["table"], &json["column"]),
        (&"contact".into(), &"sfid".into())
    );
    assert_eq!(
        json["api_name"],
        serde_json::json!({"object": "Contact", "object_source": "snapshot", "field": "Id",
            "field_source": "heroku_connect", "guessed": false})
    );
    assert_eq!(json["verdict"], "not_safe");
    assert_eq!(json["sites"][0]["api_name"], "Id");
    assert_eq!(json["sites"][0]["column"], "sfid");
    assert_eq!(
        json["read_sites"],
        serde_json::json!(["app/src/more.rs:1:23"])
    );
    let run = hc(d, &["usages", "Account.Bonus__c", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["api_name"]["field_source"], "guess");
    assert_eq!(json["api_name"]["guessed"], true);
    let run = hc(d, &["usages", "Account.Fax", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["verdict"], "safe");
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
    // 1: used (unmapping it breaks code).
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "not safe to unmap Contact (table contact): used at 4 sites\n\
         Contact (table contact) is read at 1 site:\n\
         \x20 Contact.Email (email):\n\
         \x20   app/src/more.rs:1:23\n\
         Contact (table contact) is written at 3 sites:\n\
         \x20 Contact.Email (email):\n\
         \x20   app/src/main.rs:6:36\n\
         \x20 Contact.Title (title):\n\
         \x20   app/src/main.rs:6:29\n\
         \x20 Contact (rows, no field named):\n\
         \x20   app/src/more.rs:1:37\n\
         mapped in: prod (read-only), test (read-write)\nnot mapped in: -\n"
    );
    let run = hc(d, &["usages", "account.loyalty_tier__c"]);
    assert_eq!(
        run.stdout,
        "not safe to unmap Account.Loyalty_Tier__c (column account.loyalty_tier__c): used at 1 site\n\
         Account.Loyalty_Tier__c (column account.loyalty_tier__c) is read at 1 site:\n  app/src/main.rs:3:29\n\
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

// One meaning of "needed" (issue 20): every use the scan knows, in every command.

const NEED_TEST: &str = r#"{"format": 1, "environment": "test", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "columns": {"sfid": {}, "name": {}, "tier__c": {}, "fax": {}, "rating": {}, "site": {}}}}}"#;
const NEED_PROD: &str = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"object": "Account", "columns": {"sfid": {}}}}}"#;
/// The columns of `account` that test maps and prod does not.
const POOL: [&str; 5] = ["name", "tier__c", "fax", "rating", "site"];

/// One use of `account.<column>` in the form `form`, as a Rust item named `f<k>`.
fn use_item(form: usize, column: &str, k: usize) -> String {
    match form {
        // An annotation.
        0 => format!("#[hc_requires(account({column}))]\nfn f{k}() {{}}\n"),
        // An hc_sql! query.
        1 => format!("const F{k}: &str = hc_sql!(\"SELECT {column} FROM salesforce.account\");\n"),
        // A string inside an annotated item that does not declare the column (undeclared).
        2 => format!(
            "#[hc_requires(account(sfid))]\nfn f{k}() -> &'static str {{ \"SELECT sfid, {column} FROM salesforce.account\" }}\n"
        ),
        // A plain string nothing checks (unguarded).
        3 => format!(
            "fn f{k}() -> &'static str {{ \"SELECT {column} FROM salesforce.account WHERE sfid = $1\" }}\n"
        ),
        // A format! string nothing checks (unguarded).
        4 => format!(
            "fn f{k}(schema: &str) -> String {{ format!(\"SELECT {column} FROM {{schema}}.account\") }}\n"
        ),
        // An unguarded write.
        _ => format!(
            "fn f{k}() -> &'static str {{ \"UPDATE salesforce.account SET {column} = $1 WHERE sfid = $2\" }}\n"
        ),
    }
}

const FORMS: usize = 6;

fn need_workspace(body: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(d, "hc-schema.toml", config);
    write(d, "hc-schema/test.json", NEED_TEST);
    write(d, "hc-schema/prod.json", NEED_PROD);
    write(
        d,
        "app/src/main.rs",
        &format!("use hc_schema_macro::{{hc_requires, hc_sql}};\n\n{body}\nfn main() {{}}\n"),
    );
    dir
}

/// The columns `diff test prod` marks as breaking, from its JSON.
fn breaking_columns(d: &std::path::Path) -> Vec<String> {
    let run = hc(d, &["diff", "test", "prod", "--format", "json"]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut out: Vec<String> = json["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["breaking"] == true)
        .map(|d| d["column"].as_str().unwrap_or("*").to_string())
        .collect();
    out.sort();
    out
}

/// Item 1: a column read only by a SQL string (undeclared inside an annotated item, or
/// unguarded; plain or format!; read or written) is breaking when prod unmaps it, whatever
/// the lints' levels, and `--fail-on breaking` fails: every form, generated.
#[test]
fn diff_counts_every_form_of_use_as_breaking() {
    for config in ["", "[check]\nundeclared = \"warn\"\nunguarded = \"warn\"\n"] {
        for form in 0..FORMS {
            let column = POOL[form % POOL.len()];
            let dir = need_workspace(&use_item(form, column, 0), config);
            let d = dir.path();
            assert_eq!(
                breaking_columns(d),
                [column],
                "form {form} ({config:?}): {}",
                use_item(form, column, 0)
            );
            let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
            assert_eq!(run.code, 1, "form {form}: {}{}", run.stdout, run.stderr);
            let line = run
                .stdout
                .lines()
                .find(|l| l.starts_with(&format!("- account.{column} ")))
                .unwrap_or_else(|| panic!("{}", run.stdout));
            assert!(
                line.contains("needed at app/src/main.rs:") && line.ends_with("BREAKING"),
                "form {form}: {line}"
            );
            // `plan` asks prod to map it, at the same site.
            let run = hc(d, &["plan", "prod"]);
            assert_eq!(run.code, 1, "form {form}: {}{}", run.stdout, run.stderr);
            assert!(
                run.stdout
                    .contains(&format!("(column {column}, needed at app/src/main.rs:")),
                "form {form}: {}",
                run.stdout
            );
        }
    }
}

/// SQL the scan cannot read (a piece put together at run time, a `format!` column, a string
/// one of whose statements does not parse; inside an annotated item or not) may use any
/// column: `diff --fail-on breaking` never calls a deviation harmless beside it, but says it
/// cannot tell, naming each site, and exits 2; a breaking deviation still fails (1), and
/// without unreadable SQL the harmless verdict stands (0). Generated: every form, several
/// positions.
#[test]
fn diff_cannot_tell_harmless_beside_unreadable_sql() {
    let unreadable =
        |form: usize, k: usize| -> String {
            let sql = match form % 3 {
            0 => "\"fax, rating FROM salesforce.account WHERE \"".to_string(),
            1 => "format!(\"SELECT sfid, {} FROM salesforce.account\", c)".to_string(),
            _ => "\"SELECT sfid FROM salesforce.account; SELECT fax FROM salesforce.account WHERE\""
                .to_string(),
        };
            let body = if sql.starts_with("format!") {
                format!("fn u{k}(c: &str) -> String {{\n    {sql}\n}}\n")
            } else {
                format!("fn u{k}() -> &'static str {{\n    {sql}\n}}\n")
            };
            if form / 3 == 1 {
                format!("#[hc_requires(account(sfid))]\n{body}")
            } else {
                body
            }
        };
    let mut rng = hc_schema_tests::rng::Rng::exact(0x5eed_0020);
    let mut next = move |n: usize| rng.below(n);
    for round in 0..6 {
        let form = round;
        // A readable use of `sfid` (mapped in both) first: the deviations are all harmless.
        let padding = "\n".repeat(next(4));
        let body = format!(
            "#[hc_requires(account(sfid))]\nfn known() {{}}\n{padding}{}",
            unreadable(form, 0)
        );
        let dir = need_workspace(&body, "[check]\nunguarded = \"warn\"\n");
        let d = dir.path();
        let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
        assert_eq!(
            run.code, 2,
            "form {form}: {body}\n{}{}",
            run.stdout, run.stderr
        );
        let line = 6 + padding.len() + usize::from(form / 3 == 1);
        assert!(
            run.stderr.contains(
                "cannot tell whether the 5 deviations not marked BREAKING are harmless: 1 SQL \
                 string could not be read"
            ) && run.stderr.contains(&format!("\n  app/src/main.rs:{line}:")),
            "form {form}: {body}\n{}",
            run.stderr
        );
        let json = hc(
            d,
            &[
                "diff",
                "test",
                "prod",
                "--fail-on",
                "breaking",
                "--format",
                "json",
            ],
        );
        assert_eq!(json.code, 2, "{}", json.stderr);
        let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(report["complete"], false, "{report:#}");
        assert_eq!(
            report["unread_sql"].as_array().unwrap().len(),
            1,
            "{report:#}"
        );
        // A breaking deviation fails as it did.
        let breaking = format!("{body}{}", use_item(0, "fax", 9));
        let dir = need_workspace(&breaking, "[check]\nunguarded = \"warn\"\n");
        let run = hc(
            dir.path(),
            &["diff", "test", "prod", "--fail-on", "breaking"],
        );
        assert_eq!(run.code, 1, "form {form}: {}{}", run.stdout, run.stderr);
    }
    // Without unreadable SQL, harmless stays harmless.
    let dir = need_workspace("#[hc_requires(account(sfid))]\nfn known() {}\n", "");
    hc_exit(
        dir.path(),
        &["diff", "test", "prod", "--fail-on", "breaking"],
        0,
    );
}

/// Item 6: `SELECT *` / `t.*` of a Heroku Connect table: every column of it is possibly used
/// (`usages` exit 1, `diff` breaking with the site of the `*`, `plan` notes it), and `check`
/// warns (`star`), fails under `star = "error"`, says nothing under `star = "allow"`.
#[test]
fn select_star_makes_every_column_possibly_used() {
    for sql in [
        "SELECT * FROM salesforce.account",
        "SELECT a.* FROM salesforce.account a",
    ] {
        for hc_sql in [false, true] {
            let body = if hc_sql {
                format!("const Q: &str = hc_sql!(\"{sql}\");\n")
            } else {
                format!("fn rows() -> &'static str {{\n    \"{sql}\"\n}}\n")
            };
            let dir = need_workspace(&body, "");
            let d = dir.path();
            let mut all: Vec<String> = POOL.iter().map(|c| c.to_string()).collect();
            all.sort();
            assert_eq!(breaking_columns(d), all, "{body}");
            let run = hc(d, &["usages", "account.fax"]);
            assert_eq!(run.code, 1, "{body}: {}{}", run.stdout, run.stderr);
            assert_has(
                &run.stdout,
                "possibly used by the `SELECT *` at app/src/main.rs:",
            );
            let run = hc(d, &["usages", "account.fax", "--format", "json"]);
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(json["used"], true);
            let site = json["possibly_used_by_star"][0]
                .as_str()
                .unwrap()
                .to_string();
            // At the `*` itself (the literal is verbatim).
            let star = sql.find('*').unwrap() as u32;
            let (line, value_column) = if hc_sql { (3, 26) } else { (4, 6) };
            assert_eq!(
                site,
                format!("app/src/main.rs:{line}:{}", value_column + star)
            );
            let run = hc(d, &["diff", "test", "prod"]);
            assert_has(
                &run.stdout,
                &format!("{site} (possibly used by the `SELECT *` there)"),
            );
            let run = hc(d, &["plan", "prod"]);
            assert_has(
                &run.stdout,
                &format!("every column of account is possibly used by the `SELECT *` at {site}"),
            );
            let run = hc(d, &["check", "--env", "test", "--format", "json"]);
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            let stars: Vec<&serde_json::Value> = json["sql_findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["kind"] == "star")
                .collect();
            assert_eq!(stars.len(), 1, "{}", run.stdout);
            assert_eq!(json["counts"]["star"], 1);
            assert_eq!(stars[0]["level"], "warning");
            assert!(stars[0]["message"].as_str().unwrap().starts_with(
                "this `*` returns whichever columns of the Heroku Connect table `account` an \
                 environment maps: code reading them by name needs columns no check sees"
            ));
            assert_eq!(stars[0]["site"].as_str(), Some(site.as_str()));
            // unguarded (a plain string) fails anyway; with hc_sql! the warning does not.
            assert_eq!(run.code, if hc_sql { 0 } else { 1 }, "{}", run.stdout);
            write(d, "hc-schema.toml", "[check]\nstar = \"error\"\n");
            assert_eq!(hc(d, &["check", "--env", "test"]).code, 1);
            write(d, "hc-schema.toml", "[check]\nstar = \"allow\"\n");
            let run = hc(d, &["check", "--env", "test", "--format", "json"]);
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert!(
                !json["sql_findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["kind"] == "star"),
                "{}",
                run.stdout
            );
            assert_eq!(json["counts"]["star"], 0);
            // Allowing the lint never makes the columns safe to unmap.
            assert_eq!(hc(d, &["usages", "account.fax"]).code, 1);
        }
    }
    // Without the `*`, the column is safe to unmap: exit 0.
    let dir = need_workspace(&use_item(0, "name", 0), "");
    hc_exit(dir.path(), &["usages", "account.fax"], 0);
}

/// The agreement: over generated small crates, the columns `usages` reports as used (exit 1)
/// are exactly the ones `diff` treats as breaking, and `check --env prod` fails on each used
/// column it can name (every one but those only a `SELECT *` possibly reads).
#[test]
fn usages_diff_and_check_agree_on_what_is_needed() {
    let mut rng = hc_schema_tests::rng::Rng::exact(0x00c0_ffee_1234_5678);
    let mut next = |n: usize| rng.below(n);
    for round in 0..10 {
        let mut body = String::new();
        let mut named: Vec<&str> = Vec::new();
        for k in 0..1 + next(4) {
            let column = POOL[next(POOL.len())];
            body.push_str(&use_item(next(FORMS), column, k));
            named.push(column);
        }
        let star = next(5) == 0;
        if star {
            body.push_str("fn all() -> &'static str { \"SELECT * FROM salesforce.account\" }\n");
        }
        let config = if next(2) == 0 {
            ""
        } else {
            "[check]\nundeclared = \"warn\"\nunguarded = \"warn\"\n"
        };
        let dir = need_workspace(&body, config);
        let d = dir.path();
        let mut used: Vec<String> = Vec::new();
        for column in POOL {
            let run = hc(d, &["usages", &format!("account.{column}")]);
            match run.code {
                1 => used.push(column.to_string()),
                0 => {}
                _ => panic!("round {round}: {}{}\n{body}", run.stdout, run.stderr),
            }
        }
        used.sort();
        assert_eq!(breaking_columns(d), used, "round {round}:\n{body}");
        let mut expected: Vec<String> = if star {
            POOL.iter().map(|c| c.to_string()).collect()
        } else {
            named.iter().map(|c| c.to_string()).collect()
        };
        expected.sort();
        expected.dedup();
        assert_eq!(used, expected, "round {round}:\n{body}");
        // check --env prod fails on every named use, whatever the lint levels.
        let run = hc(d, &["check", "--env", "prod", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let mut missing: Vec<String> = json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["column"].as_str().map(str::to_string))
            .collect();
        missing.sort();
        missing.dedup();
        let mut named: Vec<String> = named.iter().map(|c| c.to_string()).collect();
        named.sort();
        named.dedup();
        assert_eq!(missing, named, "round {round}:\n{body}\n{}", run.stdout);
        if !named.is_empty() {
            assert_eq!(run.code, 1, "round {round}: {}", run.stdout);
        }
    }
}
