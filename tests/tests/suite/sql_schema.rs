//! Schema qualifiers, the build and `hc-schema check` agree (issue 19, finding 3): over a
//! generated crate whose environments have different Heroku Connect schemas (test:
//! `salesforce`, prod: `org`), `hc_sql!` queries name their tables unqualified or qualified
//! with either schema in several spellings; every table named with a schema that is not a
//! selected environment's fails the build in that environment, and `check` (the command)
//! reports exactly those, in the same words. The same for SQL strings inside `#[hc_requires]`
//! items, which the build reads as `check` does (the attacker's finding: the build passed them).

use hc_schema_snapshot::diagnostic::Explanation;
use hc_schema_tests::cargo::{hc_schema_cli, snapshot_json, TempCrate};
use hc_schema_tests::cli;
use hc_schema_tests::rng::Rng;

const SPELLINGS: &[&str] = &[
    "",
    "salesforce.",
    "SalesForce.",
    "org.",
    "ORG.",
    "\\\"org\\\".",
];

/// One query over `account` and `contact`, each table written with its own qualifier.
fn query(rng: &mut Rng) -> String {
    let a = format!("{}account", rng.pick(SPELLINGS));
    let c = format!("{}contact", rng.pick(SPELLINGS));
    let shapes = [
        format!("SELECT name FROM {a} WHERE sfid = $1"),
        format!("SELECT a.name, c.email FROM {a} a JOIN {c} c ON c.accountid = a.sfid"),
        format!("UPDATE {c} SET email = $1 WHERE sfid = $2"),
        format!("DELETE FROM {c} WHERE accountid IN (SELECT sfid FROM {a})"),
        format!("SELECT ($1::{a}).name"),
        format!("INSERT INTO {c} (email) SELECT name FROM {a}"),
    ];
    shapes[rng.below(shapes.len())].clone()
}

#[test]
fn generated_qualified_hc_sql_build_and_check_agree() {
    let mut rng = Rng::exact(0x0019_0003_5c4e_3a01);
    let mut main = String::from("use hc_schema_macro::hc_sql;\n\n");
    let mut names = Vec::new();
    for n in 0..40 {
        main.push_str(&format!(
            "pub const Q{n}: &str = hc_sql!(\"{}\");\n",
            query(&mut rng)
        ));
        names.push(format!("Q{n}"));
    }
    // The same qualifiers in SQL strings inside annotated items (declared columns: only the
    // schema can be wrong), which the build reads as `check` does.
    main.push_str("\nuse hc_schema_macro::hc_requires;\n");
    for n in 0..15 {
        let sql = loop {
            let sql = query(&mut rng);
            if sql.starts_with("SELECT") {
                break sql;
            }
        };
        main.push_str(&format!(
            "#[hc_requires(account(sfid, name), contact(sfid, email, accountid))]\n\
             pub fn s{n}() -> &'static str {{\n    \"{sql}\"\n}}\n"
        ));
        names.push(format!("s{n}()"));
    }
    main.push_str(&format!(
        "\nfn main() {{\n    let _all = [{}];\n}}\n",
        names.join(", ")
    ));
    let account: &[&str] = &["sfid", "name"];
    let contact: &[&str] = &["sfid", "email", "accountid"];
    let tables = [("account", account), ("contact", contact)];
    let with_access = |json: String| {
        json.replace(
            "\"contact\": {",
            "\"contact\": { \"access\": \"read_write\",",
        )
    };
    let test = with_access(snapshot_json("test", &tables));
    let prod = with_access(snapshot_json("prod", &tables)).replace("\"salesforce\"", "\"org\"");
    let krate = TempCrate::new(
        "sql_schema_agree",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", &main),
            ("hc-schema/test.json", &test),
            ("hc-schema/prod.json", &prod),
            ("hc-schema.toml", "[env.prod]\nschema = \"org\"\n"),
        ],
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot,test-snapshot"], &[]);
    assert!(!ok, "built:\n{main}");
    let run = cli::run(
        hc_schema_cli().to_str().unwrap(),
        krate.path(),
        &["check", "--format", "json"],
        &[],
        &["HC_SCHEMA_ENV", "HC_SCHEMA_SNAPSHOT"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let as_printed = |text: &str| format!("error: {}", text.replace('\n', "\n       "));
    let mut per_env = [0usize; 2];
    for problem in problems {
        assert_eq!(
            problem["kind"], "wrong_schema",
            "only wrong schemas: {problem:#}\n{main}"
        );
        let explanation = Explanation {
            message: problem["message"].as_str().unwrap().to_string(),
            notes: strings(&problem["notes"]),
            helps: strings(&problem["help"]),
        };
        let text = as_printed(&explanation.to_string());
        assert!(
            stderr.contains(&text),
            "not in the build's errors:\n{text}\n\n{stderr}\n{main}"
        );
        per_env[usize::from(problem["env"] == "prod")] += 1;
    }
    let built = stderr.matches("names the schema `").count();
    assert_eq!(built, problems.len(), "{stderr}\n{}", run.stdout);
    assert!(
        per_env[0] >= 5 && per_env[1] >= 5,
        "too few generated: {per_env:?}\n{main}"
    );
}
