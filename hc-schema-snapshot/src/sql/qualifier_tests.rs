//! Schema qualifiers of Heroku Connect tables: generated statements (every statement shape
//! that names a table: `FROM`, joins, subqueries, CTEs, `INSERT`/`UPDATE`/`DELETE`/`MERGE`
//! targets, `USING`, row types), each table written unqualified or qualified with one of the
//! Heroku Connect schemas in several spellings, or with a schema that is none (the app's own
//! table): the analysis carries exactly the Heroku Connect schemas written, each once per
//! table, at the table's name; never a panic; the requirements do not depend on the
//! qualifiers.

use std::collections::BTreeSet;

use super::tests::snapshots;
use super::*;

use crate::testing::Rng;

/// How a table is written: the folded schema (`None`: none, or one that is no Heroku Connect
/// schema) and the text before the table's name.
const SPELLINGS: &[(Option<&str>, &str)] = &[
    (None, ""),
    (Some("salesforce"), "salesforce."),
    (Some("salesforce"), "SalesForce."),
    (Some("salesforce"), "\"salesforce\"."),
    (Some("org"), "org."),
    (Some("org"), "ORG ."),
    (Some("org"), "mydb.org."),
];

/// Statement shapes over `account` (`{a}`) and `contact` (`{c}`).
const SHAPES: &[&str] = &[
    "SELECT name FROM {a} WHERE sfid = $1",
    "SELECT a.name, c.email FROM {a} a JOIN {c} c ON c.accountid = a.sfid",
    "SELECT email FROM {c} WHERE accountid IN (SELECT sfid FROM {a} WHERE isdeleted)",
    "WITH t AS (SELECT sfid FROM {a}) SELECT c.email FROM {c} c JOIN t ON t.sfid = c.accountid",
    "UPDATE {c} SET email = $1 WHERE sfid = $2",
    "UPDATE {c} c SET title = a.name FROM {a} a WHERE a.sfid = c.accountid",
    "INSERT INTO {c} (email, lastname) SELECT name, type FROM {a}",
    "DELETE FROM {c} USING {a} a WHERE {c}.accountid = a.sfid",
    "MERGE INTO {c} c USING {a} a ON c.accountid = a.sfid WHEN MATCHED THEN UPDATE SET title = a.name",
    "SELECT ($1::{a}).name",
    "SELECT count(*) FROM {a}, {c}",
];

#[test]
fn generated_qualifiers_are_carried_exactly() {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["org", "salesforce"], &union);
    let unqualified = Context::new(["org", "salesforce"], &union);
    let mut rng = Rng::exact(0x0019_5c3e_0a11_0003);
    let mut checked = 0;
    for _ in 0..600 {
        let shape = SHAPES[rng.below(SHAPES.len())];
        let (a_schema, a_text) = SPELLINGS[rng.below(SPELLINGS.len())];
        let (c_schema, c_text) = SPELLINGS[rng.below(SPELLINGS.len())];
        // `DELETE ... USING` names the target again: write it the same way both times.
        let sql = shape
            .replace("{a}", &format!("{a_text}account"))
            .replace("{c}", &format!("{c_text}contact"));
        let plain = shape.replace("{a}", "account").replace("{c}", "contact");
        let analysis = match analyze(&sql, &context) {
            Ok(analysis) => analysis,
            Err(errors) => panic!("{sql}\n{errors:?}"),
        };
        let mut expected = BTreeSet::new();
        if let (Some(schema), true) = (a_schema, shape.contains("{a}")) {
            expected.insert(("account".to_string(), schema.to_string()));
        }
        if let (Some(schema), true) = (c_schema, shape.contains("{c}")) {
            expected.insert(("contact".to_string(), schema.to_string()));
        }
        let mut carried = Vec::new();
        for table in &analysis.tables {
            for qualifier in &table.qualified {
                carried.push((table.table.clone(), qualifier.schema.clone()));
                // At the table's name.
                assert_eq!(
                    &sql[qualifier.at.clone()].to_ascii_lowercase()[..],
                    table.table.as_str(),
                    "{sql}"
                );
            }
        }
        let once: BTreeSet<_> = carried.iter().cloned().collect();
        assert_eq!(once.len(), carried.len(), "each once: {sql}\n{carried:?}");
        assert_eq!(once, expected, "{sql}");
        // The qualifiers change no requirement.
        let needs = |a: &Analysis| a.requirements();
        let without = analyze(&plain, &unqualified).unwrap_or_else(|e| panic!("{plain}\n{e:?}"));
        assert_eq!(needs(&analysis), needs(&without), "{sql}");
        // And they survive the cache.
        assert_eq!(
            codec::decode(&codec::encode(&analysis), &sql),
            Some(analysis),
            "{sql}"
        );
        checked += 1;
    }
    assert_eq!(checked, 600);
}

/// A qualifier that is no Heroku Connect schema names another table (the app's own): no use,
/// no qualifier; a `format!` placeholder as the schema is no schema anyone can check.
#[test]
fn other_schemas_and_placeholders_are_not_qualifiers() {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let analysis = analyze("SELECT name FROM public.account", &context).unwrap();
    assert!(analysis.tables.is_empty(), "{analysis:?}");
    match analyze_format("SELECT name FROM {}.account", &context) {
        FormatOutcome::Analyzed(analysis) => {
            assert_eq!(analysis.tables.len(), 1);
            assert!(analysis.tables[0].qualified.is_empty(), "{analysis:?}");
        }
        other => panic!("{other:?}"),
    }
}
