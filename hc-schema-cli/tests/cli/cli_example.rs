//! `hc-schema check` on the example app (issue 12.3): the forgotten SQL in `tiers.rs` (kept in a
//! constant outside the annotated function, selecting `billingcity`, which nothing declares)
//! is caught without compiling, although the build, which never sees it, passes against test.

use crate::common;

use std::path::Path;

use common::hc;

#[test]
fn check_catches_the_forgotten_column_of_the_example() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/loyalty-app");
    let source = std::fs::read_to_string(example.join("src/tiers.rs")).unwrap();
    // Where the SQL literal and the annotation are.
    let line_of = |needle: &str| {
        source
            .lines()
            .position(|l| l.contains(needle))
            .map(|n| n + 1)
            .unwrap_or_else(|| panic!("{needle} not in tiers.rs"))
    };
    let literal_line = line_of("\"SELECT sfid, name, loyalty_tier__c, billingcity");
    let literal_column = source
        .lines()
        .nth(literal_line - 1)
        .unwrap()
        .find('"')
        .unwrap()
        + 1;
    let run = hc(&example, &["check", "--env", "test"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "error: this SQL uses the Heroku Connect table(s) `account` but nothing checks it: it is \
         neither in hc_sql! nor inside an item annotated with #[hc_requires]\n  \
         --> examples/loyalty-app/src/tiers.rs:{literal_line}:{literal_column}\n"
    );
    assert!(
        run.stdout.starts_with(&expected),
        "{expected}\nnot at the start of:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "#[hc_requires(account(sfid, name, loyalty_tier__c, billingcity, isdeleted))]"
        ),
        "{}",
        run.stdout
    );
    // Nothing else: the hc_sql! queries and the other annotations hold in test, and every SQL
    // string of the example is guarded.
    assert!(
        run.stdout.ends_with(
            "; 0 failing (0 missing, 0 read-only), 0 allowed, 0 stale allowances, 0 malformed \
             annotations, 0 hc_sql! errors, 0 undeclared, 1 unguarded\n"
        ),
        "{}",
        run.stdout
    );
    let run = hc(&example, &["check", "--env", "test", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &json["sql_findings"][0];
    assert_eq!(finding["kind"], "unguarded");
    assert!(finding["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["column"] == "billingcity"));
    assert_eq!(json["sql_findings"].as_array().unwrap().len(), 1);
}
