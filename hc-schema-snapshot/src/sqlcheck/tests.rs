//! The SQL checks on small sources, and on generated ones (no panic, exact prefilter).

use super::*;
use crate::scan::{scan_sources, scan_sources_with, Strategy};
use crate::sql::{analyze, Union};

/// test maps `account.billingcity` and `lead`; both map account and contact.
fn snapshots() -> (Snapshot, Snapshot) {
    let test = Snapshot::parse(
        r#"{"format":1,"environment":"test","schema":"salesforce","tables":{
        "account":{"columns":{"sfid":{},"name":{},"type":{},"billingcity":{},"isdeleted":{}}},
        "contact":{"columns":{"sfid":{},"email":{},"accountid":{},"lastname":{}}},
        "lead":{"columns":{"sfid":{},"email":{}}}}}"#,
        "test.json",
        "test",
    )
    .unwrap();
    let prod = Snapshot::parse(
        r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{
        "account":{"columns":{"sfid":{},"name":{},"type":{},"isdeleted":{}}},
        "contact":{"columns":{"sfid":{},"email":{},"accountid":{},"lastname":{}}}}}"#,
        "prod.json",
        "prod",
    )
    .unwrap();
    (test, prod)
}

fn checked(sources: &[(&str, &str)]) -> (Scan, SqlChecks) {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let scan = scan_sources(sources);
    let checks = check(&scan, &context);
    (scan, checks)
}

fn one(text: &str) -> (Scan, SqlChecks) {
    checked(&[("src/lib.rs", text)])
}

/// `(kind, line, column, message)` of every finding.
fn findings(checks: &SqlChecks) -> Vec<(SqlFindingKind, u32, u32, String)> {
    checks
        .findings
        .iter()
        .map(|f| (f.kind, f.line, f.column, f.explanation.message.clone()))
        .collect()
}

const PRELUDE: &str = "use hc_schema_macro::{hc_requires, hc_sql};\n";

#[test]
fn hc_sql_usages_sit_at_their_names() {
    let text = format!(
        "{PRELUDE}const A: &str = hc_sql!(r#\"SELECT a.name,\n  a.type FROM salesforce.account a\"#);\n\
         const B: &str = hc_sql!(\"UPDATE contact SET email = $1 WHERE sfid = $2\");\n\
         const C: &str = hc_sql!(\"SELECT\\tname FROM account\");\n"
    );
    let (scan, checks) = one(&text);
    assert!(checks.findings.is_empty(), "{:?}", checks.findings);
    assert_eq!(checks.stats.queries, 3);
    let usages = checks.all_usages(&scan);
    type Spots = Vec<(String, u32, u32)>;
    let spots: Vec<(String, Spots)> = usages
        .iter()
        .map(|u| {
            (
                format!("{} {}", u.access.as_str(), u.table.name),
                u.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.line, c.column))
                    .collect(),
            )
        })
        .collect();
    // A (raw): exact; the value starts at column 28 of line 2, after `r#"`.
    assert_eq!(spots[0].0, "read account");
    assert_eq!(
        spots[0].1,
        [("name".into(), 2, 37), ("type".into(), 3, 5)],
        "{spots:?}"
    );
    // B (plain, no escapes): exact; a write and a read of contact.
    assert_eq!(spots[1].0, "write contact");
    assert_eq!(spots[1].1, [("email".into(), 4, 45)]);
    assert_eq!(spots[2].0, "read contact");
    // C (an escape): every name at the literal.
    assert_eq!(spots[3].1, [("name".into(), 5, 25)]);
    assert!(usages
        .iter()
        .all(|u| u.origin == crate::manifest::Origin::Sql));
}

#[test]
fn hc_sql_errors_are_findings_with_the_macros_text() {
    let text = format!(
        "{PRELUDE}const A: &str = hc_sql!(\"SELECT nme FROM\");\n\
         const B: &str = hc_sql!(\"SELECT sfid FROM account a JOIN contact c ON c.accountid = a.sfid\");\n\
         const C: &str = hc_sql!(concat!(\"SELECT \", \"1\"));\n"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|f| f.0 == SqlFindingKind::SqlError));
    assert_eq!((found[0].1, found[0].2), (2, 25), "at the literal");
    let text = checks.findings[0].explanation.to_string();
    assert!(
        text.starts_with("the SQL does not parse (PostgreSQL dialect): ")
            && text.contains("\n  = note: at line 1, column 16 of the SQL (src/lib.rs:2:41):\n")
            && text.ends_with(&format!("\n  = help: {}", crate::sql::WAY_OUT)),
        "{text}"
    );
    assert!(
        found[1].3.starts_with("column `sfid` is ambiguous"),
        "{found:?}"
    );
    assert_eq!(found[2].3, crate::sql::NOT_A_LITERAL);
    assert_eq!((found[2].1, found[2].2), (4, 25), "at the argument");
    assert!(checks.queries.is_empty());
    assert_eq!(checks.errors().count(), 3);
}

/// `hc_sql!("...", missing_ok(...))`: the query's usages carry its allowances (as an
/// annotation's groups do), read by the macro's grammar; a column the query does not use and a
/// malformed allowance are the macro's errors, where the macro puts them.
#[test]
fn hc_sql_allowances_reach_the_usages_and_are_checked_like_the_macro() {
    let text = format!(
        "{PRELUDE}const A: &str = hc_sql!(\"SELECT a.name, a.billingcity FROM salesforce.account a\",\n\
         \tmissing_ok(prod, Account(BillingCity), reason = \"behind the city flag\"),);\n\
         const B: &str = hc_sql!(\"SELECT name FROM salesforce.account\",\n\
         \tmissing_ok(prod, account(billingcity), reason = \"flag\"));\n\
         const C: &str = hc_sql!(\"SELECT email FROM salesforce.contact\", missing_ok(prod, contact(email)));\n\
         const D: &str = hc_sql!(\"SELECT email FROM salesforce.contact\", 42);\n"
    );
    let (scan, checks) = one(&text);
    let usages = checks.usages();
    let account = usages
        .iter()
        .find(|u| u.table.name == "account" && u.table.line == 2)
        .unwrap();
    assert_eq!(account.allowances.len(), 1, "{account:?}");
    let allowance = &account.allowances[0];
    assert_eq!(
        (
            allowance.env.as_str(),
            allowance.columns.as_slice(),
            allowance.reason.as_str()
        ),
        (
            "prod",
            &["billingcity".to_string()][..],
            "behind the city flag"
        )
    );
    // B: the column is not the query's; C and D: malformed. Each the macro's error, where
    // the macro puts it.
    let found = findings(&checks);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|f| f.0 == SqlFindingKind::SqlError));
    assert_eq!((found[0].1, found[0].2), (5, 27), "at the column");
    assert_eq!(
        found[0].3,
        crate::syntax::not_used_by_query("account", "billingcity")
    );
    assert_eq!(found[1].1, 6);
    assert!(
        found[1].3.starts_with("an allowance needs a reason"),
        "{found:?}"
    );
    assert_eq!(found[2].1, 7);
    assert_eq!(found[2].3, crate::syntax::SQL_ALLOWANCE_USAGE);
    assert_eq!(checks.errors().count(), 3);
}

#[test]
fn undeclared_columns_name_the_column_and_the_annotation() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account(sfid, name, isdeleted))]
fn tiers(schema: &str) -> String {{
    format!(\"SELECT sfid, name, billingcity FROM {{}}.account WHERE isdeleted IS NOT TRUE\", schema)
}}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    let finding = &checks.findings[0];
    assert_eq!(finding.kind, SqlFindingKind::Undeclared);
    assert_eq!((finding.line, finding.column), (5, 13));
    assert_eq!(
        finding.explanation.message,
        "`account.billingcity` is read by this SQL, but no enclosing #[hc_requires] declares it \
         (the annotation at src/lib.rs:3:3)"
    );
    assert_eq!(
        finding.explanation.helps,
        ["add `billingcity` to `account(...)` in that annotation"]
    );
    assert!(
        finding.explanation.notes[0]
            .starts_with("at line 1, column 20 of the SQL (src/lib.rs:5:33):"),
        "{:?}",
        finding.explanation.notes
    );
    assert_eq!(
        finding.annotation.as_ref().unwrap().to_string(),
        "src/lib.rs:3:3"
    );
    assert_eq!(finding.subjects[0].name(), "account.billingcity");
}

#[test]
fn writes_must_be_declared_as_writes_and_tables_at_all() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(contact(sfid, email))]
fn set_email() -> &'static str {{
    \"UPDATE salesforce.contact SET email = $1 WHERE sfid = $2\"
}}
#[hc_requires(contact(sfid), write contact(lastname))]
fn set_both() -> &'static str {{
    \"UPDATE salesforce.contact SET email = $1, lastname = $3 WHERE sfid = $2\"
}}
#[hc_requires(write contact(email))]
fn read_what_you_write() -> &'static str {{
    \"UPDATE salesforce.contact SET email = $1 WHERE email = $2\"
}}
#[hc_requires(account(sfid))]
fn other_table() -> &'static str {{
    \"DELETE FROM lead WHERE sfid = $1\"
}}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    let messages: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
    assert_eq!(
        messages,
        [
            "this SQL writes the Heroku Connect table `contact` (`email`), but no enclosing \
             #[hc_requires] declares a write of it (the annotation at src/lib.rs:3:3)",
            "`contact.email` is written by this SQL, but no enclosing #[hc_requires] declares \
             it as a write (the annotation at src/lib.rs:7:3)",
            "this SQL writes rows of the Heroku Connect table `lead`, but no enclosing \
             #[hc_requires] declares a write of it (the annotation at src/lib.rs:15:3)",
            "this SQL reads the Heroku Connect table `lead` (`sfid`), but no enclosing \
             #[hc_requires] declares it (the annotation at src/lib.rs:15:3)",
        ],
        "{found:#?}"
    );
    assert_eq!(
        checks.findings[0].explanation.helps,
        ["add `write contact(email)` to that annotation"]
    );
    assert_eq!(
        checks.findings[1].explanation.helps,
        ["add `email` to `write contact(...)` in that annotation"]
    );
    assert_eq!(
        checks.findings[2].explanation.helps,
        ["add `write lead()` to that annotation"]
    );
}

#[test]
fn enclosing_annotations_declare_together_and_the_innermost_is_named() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account(sfid, name))]
impl Repo {{
    #[hc_requires(contact(email, accountid))]
    fn load(&self) -> &'static str {{
        \"SELECT a.name, c.email, a.type FROM salesforce.account a JOIN salesforce.contact c ON c.accountid = a.sfid\"
    }}
    #[hc_requires(contact(email))]
    fn more(&self) -> &'static str {{
        \"SELECT c.lastname FROM salesforce.contact c\"
    }}
}}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 2, "{found:#?}");
    // `a.type`: the annotation that has `account(...)` is the outer one.
    assert!(
        found[0].3.starts_with("`account.type` is read"),
        "{found:?}"
    );
    assert_eq!(checks.findings[0].annotation.as_ref().unwrap().line, 3);
    // `c.lastname`: the innermost with `contact(...)`.
    assert_eq!(checks.findings[1].annotation.as_ref().unwrap().line, 9);
}

#[test]
fn unguarded_sql_is_reported_with_the_annotation_it_needs() {
    let text = format!(
        "{PRELUDE}
const LOOSE: &str = \"SELECT name, type FROM salesforce.account WHERE sfid = $1\";
fn dynamic(schema: &str) -> String {{
    format!(\"UPDATE {{schema}}.contact SET email = $1 WHERE sfid = $2\")
}}
fn app_only() -> &'static str {{ \"SELECT name FROM public.account\" }}
fn prose() -> &'static str {{ \"Select the rows from the account list to update\" }}
/// Runs `SELECT name FROM salesforce.account`.
#[doc = \"SELECT email FROM salesforce.contact\"]
fn documented() {{}}
fn other() -> &'static str {{ \"SELECT x FROM app_users WHERE y = 1\" }}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.0 == SqlFindingKind::Unguarded));
    assert_eq!(
        found[0].3,
        "this SQL uses the Heroku Connect table(s) `account` but nothing checks it: it is \
         neither in hc_sql! nor inside an item annotated with #[hc_requires]"
    );
    assert_eq!(
        checks.findings[0].explanation.helps,
        [
            "write it as hc_sql!(\"...\") (the SQL itself is then checked), or annotate the item \
          that uses it: #[hc_requires(account(name, type, sfid))]"
        ]
    );
    assert!(
        checks.findings[1].explanation.helps[0]
            .contains("#[hc_requires(write contact(email), contact(sfid))] (SQL built at run time"),
        "{:?}",
        checks.findings[1].explanation.helps
    );
    let subjects: Vec<String> = checks.findings[1]
        .subjects
        .iter()
        .map(|s| format!("{} {}", s.access.as_str(), s.name()))
        .collect();
    assert_eq!(subjects, ["write contact.email", "read contact.sfid"]);
    assert_eq!(checks.stats.strings, 6, "the doc attribute is a candidate");
    assert_eq!(checks.stats.checked, 2);
    assert_eq!(
        checks.stats.not_sql + checks.stats.no_hc,
        4,
        "{:?}",
        checks.stats
    );
}

#[test]
fn unreadable_sql_is_skipped_with_a_note_never_passed() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account(name))]
fn f(filter: &str) -> String {{
    format!(\"SELECT name FROM salesforce.account {{}} sfid = 1\", filter)
}}
#[hc_requires(account(name))]
fn g(schema: &str) -> String {{
    format!(\"SELECT name, {{}} FROM {{}}.account ORDER BY {{}}\", \"bogus__c\", schema, \"x\")
}}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.0 == SqlFindingKind::Skipped));
    assert!(
        found[0]
            .3
            .starts_with("skipped: a placeholder in a position that cannot be substituted"),
        "{found:?}"
    );
    assert_eq!(
        found[1].3,
        "skipped: a placeholder where a column name stands: the columns cannot be known; \
         declare them"
    );
    assert_eq!(checks.stats.skipped, 2);
}

#[test]
fn placeholders_for_columns_are_skipped_and_values_are_not() {
    for format in [
        "SELECT a.{} FROM {}.account a",
        "UPDATE salesforce.account SET {} = $1",
        "INSERT INTO salesforce.account ({}) VALUES ($1)",
        "SELECT name FROM salesforce.account GROUP BY {}",
        "SELECT name AS n, {} AS x FROM salesforce.account",
    ] {
        // Inside an annotated item: skipped (a note, `skipped = "error"` makes it fail).
        let text = format!(
            "{PRELUDE}\n#[hc_requires(account(name))]\nfn f() -> String {{ format!(\"{format}\", 1, 2) }}\n"
        );
        let (_, checks) = one(&text);
        let found = findings(&checks);
        assert_eq!(found.len(), 1, "{format}: {found:?}");
        assert_eq!(found[0].0, SqlFindingKind::Skipped, "{format}: {found:?}");
        // Outside every checked form: unguarded, unreadable or not.
        let text = format!("fn f() -> String {{ format!(\"{format}\", 1, 2) }}\n");
        let (_, checks) = one(&text);
        let found = findings(&checks);
        assert_eq!(found.len(), 1, "{format}: {found:?}");
        assert_eq!(found[0].0, SqlFindingKind::Unguarded, "{format}: {found:?}");
        assert!(found[0].3.contains("could not be read"), "{found:?}");
    }
    let text =
        "fn f() -> String { format!(\"SELECT name FROM {}.account WHERE sfid = {}\", 1, 2) }\n";
    let (_, checks) = one(text);
    assert_eq!(findings(&checks)[0].0, SqlFindingKind::Unguarded);
}

#[test]
fn every_statement_of_a_string_is_checked() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account(name))]
fn f() -> &'static str {{
    \"SELECT name FROM salesforce.account; UPDATE salesforce.account SET name = bogus__c\"
}}
fn g() -> &'static str {{ \"SELECT 1; SELECT bogus__c FROM salesforce.account\" }}
"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(checks.stats.skipped, 0, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.0 == SqlFindingKind::Undeclared && f.3.contains("`account.bogus__c`")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.0 == SqlFindingKind::Undeclared
            && f.3
                .starts_with("this SQL writes the Heroku Connect table `account` (`name`)")),
        "{found:#?}"
    );
    let unguarded: Vec<_> = found
        .iter()
        .filter(|f| f.0 == SqlFindingKind::Unguarded)
        .collect();
    assert_eq!(unguarded.len(), 1, "{found:#?}");
    let subjects = checks
        .findings
        .iter()
        .find(|f| f.kind == SqlFindingKind::Unguarded)
        .map(|f| format!("{:?}", f.subjects));
    assert!(subjects.unwrap().contains("bogus__c"));
}

#[test]
fn a_template_filled_by_hand_is_read_like_a_format_string() {
    let text = "fn f(s: &str) -> String { \"SELECT name FROM {schema}.account\".replace(\"{schema}\", s) }\n";
    let (_, checks) = one(text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, SqlFindingKind::Unguarded);
}

#[test]
fn sql_that_does_not_parse_is_skipped_when_it_names_an_hc_table_where_sql_names_one() {
    // A statement that starts like SQL and names `account` after FROM: SQL all the same,
    // skipped (a note), never prose (attacker finding F1: unqualified tables passed).
    let text = format!(
        "{PRELUDE}#[hc_requires(account(name))]\nfn f() -> &'static str {{ \"SELECT name FROM account WHERE\" }}\n"
    );
    let (_, checks) = one(&text);
    assert_eq!(checks.stats.skipped, 1, "{:?}", checks.findings);
    assert_eq!(checks.findings[0].kind, SqlFindingKind::Skipped);
    // Text that names no table where SQL names one stays prose.
    let text = format!(
        "{PRELUDE}#[hc_requires(account(name))]\nfn f() -> &'static str {{ \"SELECT the account WHERE\" }}\n"
    );
    let (_, checks) = one(&text);
    assert!(checks.findings.is_empty(), "{:?}", checks.findings);
    // Naming `salesforce.account`, it is skipped (a note), never passed as prose.
    let text = format!(
        "{PRELUDE}#[hc_requires(account(name))]\nfn f() -> &'static str {{ \"SELECT name FROM salesforce.account WHERE\" }}\n"
    );
    let (_, checks) = one(&text);
    assert_eq!(checks.stats.skipped, 1);
    assert_eq!(checks.findings[0].kind, SqlFindingKind::Skipped);
}

#[test]
fn a_malformed_annotation_is_not_followed_by_sql_findings() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account)]
fn tiers() -> &'static str {{ \"SELECT sfid, name FROM salesforce.account\" }}
#[hc_requires(account(name))]
#[hc_requires(contact)]
fn both() -> &'static str {{ \"SELECT a.name, c.email FROM salesforce.account a, salesforce.contact c\" }}
fn loose() -> &'static str {{ \"SELECT email FROM salesforce.contact\" }}
"
    );
    let (scan, checks) = one(&text);
    assert_eq!(scan.errors.len(), 2, "{:?}", scan.errors);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "only the loose SQL: {found:#?}");
    assert_eq!((found[0].0, found[0].1), (SqlFindingKind::Unguarded, 8));
    assert_eq!(checks.stats.under_malformed, 2);
}

#[test]
fn place_notes_for_hc_sql_findings() {
    let text = format!("{PRELUDE}const A: &str = hc_sql!(\"SELECT billingcity FROM account\");\n");
    let (scan, checks) = one(&text);
    let (test, prod) = snapshots();
    let _ = test;
    let usages = checks.all_usages(&scan);
    let problems = crate::manifest::check_usages(&usages, "prod", &prod);
    assert_eq!(problems.len(), 1);
    let place = checks
        .place(&scan, problems[0].usage, &problems[0].finding)
        .unwrap();
    assert_eq!(
        place,
        "at line 1, column 8 of the SQL (src/lib.rs:2:33):\n    SELECT billingcity FROM account\n           ^^^^^^^^^^^"
    );
}

use crate::testing::Rng;

const PIECES: &[&str] = &[
    "SELECT ",
    "select ",
    "name",
    "sfid",
    "billingcity",
    ", ",
    " FROM ",
    " from ",
    "account",
    "salesforce.",
    "{}",
    "{0}",
    "{schema}",
    "{{",
    "}}",
    "}",
    "{",
    "{:?}",
    " WHERE ",
    " = ",
    "$1",
    "'x'",
    "\\n",
    "\\t",
    "\\\\",
    "\\\"",
    "\\u{e9}",
    "é",
    "\n",
    " JOIN contact c ON ",
    "c.accountid = a.sfid",
    " a",
    "UPDATE ",
    " SET ",
    "email",
    "INSERT INTO ",
    "(",
    ")",
    " VALUES ",
    "DELETE FROM ",
    ";",
    "--",
    "/*",
    "*/",
    "\"",
    "U&\"\\0061\"",
    "lead",
    "public.",
    "WITH q AS (",
    "SELECT * FROM q",
    " UNION ",
    "type",
    "\"Name\"",
    "count(*)",
    " GROUP BY ",
];

const TEMPLATES: &[&str] = &[
    "SELECT COLS FROM SCHEMAaccount WHERE COL = $1",
    "SELECT a.COL, c.email FROM SCHEMAaccount a JOIN SCHEMAcontact c ON c.accountid = a.sfid",
    "UPDATE SCHEMAcontact SET email = $1 WHERE COL = $2",
    "DELETE FROM SCHEMAlead WHERE sfid = $1",
    "INSERT INTO SCHEMAcontact (email, lastname) VALUES ($1, $2) RETURNING sfid",
    "WITH t AS (SELECT COLS FROM SCHEMAaccount) SELECT COL FROM t",
    "SELECT count(*) FROM SCHEMAaccount GROUP BY COL",
];

/// A generated literal body (escaped as written inside `"..."` when `plain`): usually a
/// statement on the snapshots' tables with random schemas, placeholders, columns and
/// whitespace escapes, sometimes mutated; else random fragments.
fn body(rng: &mut Rng, plain: bool) -> String {
    if !rng.one_in(3) {
        let space = |rng: &mut Rng| {
            if plain {
                rng.pick(&[" ", " ", "\\n", "\\t", "\\\n    ", "\\u{20}"])
                    .to_string()
            } else {
                rng.pick(&[" ", " ", "\n", "\t"]).to_string()
            }
        };
        let columns = ["name", "sfid", "billingcity", "type", "email", "nosuch"];
        let mut text = rng.pick(TEMPLATES).to_string();
        while let Some(at) = text.find("SCHEMA") {
            let schema = rng.pick(&["", "salesforce.", "{}.", "{0}.", "{schema}.", "public."]);
            text.replace_range(at..at + 6, schema);
        }
        while let Some(at) = text.find("COLS") {
            let list = format!("{}, {}", rng.pick(&columns), rng.pick(&columns));
            text.replace_range(at..at + 4, &list);
        }
        while let Some(at) = text.find("COL") {
            let column = rng.pick(&columns);
            text.replace_range(at..at + 3, column);
        }
        let mut spaced = String::new();
        for word in text.split(' ') {
            if !spaced.is_empty() {
                spaced.push_str(&space(rng));
            }
            spaced.push_str(word);
        }
        if rng.one_in(4) {
            let mut at = (rng.next_u64() % (spaced.len() as u64 + 1)) as usize;
            while !spaced.is_char_boundary(at) {
                at -= 1;
            }
            let piece = rng.pick(PIECES);
            let breaks = if plain {
                piece.contains('"')
            } else {
                piece.starts_with('\\')
            };
            if !breaks {
                spaced.insert_str(at, piece);
            }
        }
        return spaced;
    }
    let mut text = String::new();
    for _ in 0..(3 + rng.next_u64() % 14) {
        let piece = rng.pick(PIECES);
        if !plain && (piece.starts_with('\\') || piece == "\"") {
            continue;
        }
        if plain && (piece == "\"" || piece.starts_with("U&")) {
            text.push_str("\\\"");
            continue;
        }
        text.push_str(piece);
    }
    text
}

/// Generated sources: literals with random placeholders, escapes and SQL fragments, plain or
/// raw, in `format!`, in `hc_sql!`, annotated or not. No panic; every finding sits in the file
/// at a literal; the counts add up; the fast scan and the full parse give the same findings.
#[test]
fn generated_literals_through_the_checks() {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let rounds: usize = std::env::var("HC_SCHEMA_TEST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut rng = Rng::exact(0x5eed_cafe_f00d);
    let mut kinds = BTreeSet::new();
    for round in 0..rounds {
        let mut text = String::from(PRELUDE);
        for item in 0..4 {
            let raw = rng.one_in(3);
            let literal = if raw {
                format!("r##\"{}\"##", body(&mut rng, false))
            } else {
                format!("\"{}\"", body(&mut rng, true))
            };
            let expression = match rng.next_u64() % 4 {
                0 => format!("format!({literal}, 1, 2)"),
                1 => format!("hc_sql!({literal})"),
                _ => literal,
            };
            if rng.one_in(2) {
                text.push_str("#[hc_requires(account(name, sfid), write contact(email))]\n");
            }
            text.push_str(&format!(
                "fn f{item}() -> String {{ String::from({expression}) }}\n"
            ));
        }
        let sources = [("src/gen.rs", text.as_str())];
        let fast = scan_sources(&sources);
        let full = scan_sources_with(&sources, Strategy::FullParse);
        let checks = check(&fast, &context);
        assert_eq!(
            checks,
            check(&full, &context),
            "round {round}: fast and full scans disagree:\n{text}"
        );
        let stats = checks.stats;
        assert_eq!(
            stats.checked + stats.not_sql + stats.no_hc + stats.skipped + stats.under_malformed,
            stats.strings,
            "round {round}"
        );
        let lines = text.lines().count() as u32;
        for finding in &checks.findings {
            kinds.insert(finding.kind);
            assert!(
                finding.line >= 1 && finding.line <= lines,
                "round {round}: {finding:?}\n{text}"
            );
            assert!(!finding.explanation.message.is_empty());
            if finding.kind == SqlFindingKind::Undeclared {
                assert!(finding.annotation.is_some());
            }
        }
    }
    assert_eq!(
        kinds.len(),
        4,
        "the generator reaches too few kinds: {kinds:?}"
    );
}

/// The word prefilter never hides a Heroku Connect table the analysis would find.
#[test]
fn generated_texts_the_prefilter_is_exact() {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let mut rng = Rng::exact(0xdead_beef_1234);
    let mut touching = 0;
    for _ in 0..3000 {
        let text = body(&mut rng, false).replace(['{', '}'], " ");
        let touches = analyze(&text, &context).is_ok_and(|a| a.touches_hc());
        if touches {
            touching += 1;
            assert!(words::may_touch_hc(&text, &context), "{text:?}");
        }
        let upper = text.to_ascii_uppercase();
        if analyze(&upper, &context).is_ok_and(|a| a.touches_hc()) {
            assert!(words::may_touch_hc(&upper, &context), "{upper:?}");
        }
    }
    assert!(touching > 30, "too few texts touch a table: {touching}");
}

#[test]
fn long_sql_strings_are_checked_up_to_a_mebibyte() {
    let values = "'x', ".repeat(20_000);
    let text = format!(
        "fn f() -> &'static str {{ \"SELECT bogus__c FROM salesforce.account WHERE sfid IN ({values}'y')\" }}\n"
    );
    assert!(text.len() > 64 * 1024);
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, SqlFindingKind::Unguarded);
    let values = "'x', ".repeat(220_000);
    let text = format!(
        "fn f() -> &'static str {{ \"SELECT bogus__c FROM salesforce.account WHERE sfid IN ({values}'y')\" }}\n"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, SqlFindingKind::Unguarded);
    assert!(
        found[0].3.contains("longer than 1024 KiB"),
        "{}",
        found[0].3
    );
}

#[test]
fn byte_and_c_strings_are_read_like_strings() {
    let text = format!(
        "{PRELUDE}
#[hc_requires(account(name))]
fn f() -> &'static [u8] {{ b\"SELECT bogus__c FROM salesforce.account\" }}
fn g() -> &'static std::ffi::CStr {{ c\"SELECT name FROM salesforce.account\" }}
fn h() -> &'static [u8] {{ br#\"SELECT name FROM salesforce.account\"# }}
"
    );
    let (_, checks) = one(&text);
    let kinds: Vec<_> = findings(&checks).iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        kinds,
        [
            (SqlFindingKind::Undeclared, 4),
            (SqlFindingKind::Unguarded, 5),
            (SqlFindingKind::Unguarded, 6)
        ]
    );
}

/// The one list of uses ([`super::SqlChecks::uses`]): requirements, the uses of SQL strings no
/// annotation declares (origin `string`, each name at its place in the file) and every `*`.
#[test]
fn uses_hold_every_form_with_its_site() {
    use crate::manifest::Origin;
    let test = crate::Snapshot::parse(
        r#"{"format":1,"environment":"test","schema":"salesforce","tables":{"account":{"columns":{"sfid":{},"name":{},"fax":{}}}}}"#,
        "t",
        "test",
    )
    .unwrap();
    let union = crate::sql::Union::new([&test]);
    let context = crate::sql::Context::new(["salesforce"], &union);
    let scan = crate::scan::scan_sources(&[(
        "src/lib.rs",
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(sfid))]\n\
         fn a() -> &'static str { \"SELECT sfid, name FROM salesforce.account\" }\n\
         fn b() -> &'static str { \"UPDATE salesforce.account SET fax = $1\" }\n\
         fn c() -> &'static str { \"SELECT a.* FROM salesforce.account a\" }\n",
    )]);
    let checks = super::check(&scan, &context);
    let uses = checks.uses(&scan);
    let shown: Vec<(Origin, String, Vec<String>)> = uses
        .usages
        .iter()
        .map(|u| {
            (
                u.origin,
                format!("{}@{}:{}", u.table.name, u.table.line, u.table.column),
                u.columns
                    .iter()
                    .map(|c| format!("{}@{}:{}", c.name, c.line, c.column))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                Origin::Annotation,
                "account@2:15".into(),
                vec!["sfid@2:23".into()]
            ),
            (
                Origin::String,
                "account@3:61".into(),
                vec!["name@3:40".into()]
            ),
            (
                Origin::String,
                "account@4:34".into(),
                vec!["fax@4:57".into()]
            ),
            (Origin::String, "account@5:54".into(), vec![]),
        ]
    );
    assert_eq!(uses.stars.len(), 1);
    // At the `*` of `a.*`.
    assert_eq!(uses.stars[0].site.to_string(), "src/lib.rs:5:36");
    assert!(uses.column("account", "sfid").iter().any(|s| s.star));
}

/// The agreement, over generated sources: the columns [`super::SqlChecks::uses`] holds (what
/// `usages` reports) are exactly the ones `diff` (both sides count) and `refresh --check`
/// (only the live side counts) classify as breaking when the other side lacks them.
#[test]
fn generated_uses_agree_with_the_breaking_classification() {
    use crate::diff::{classify, diff, Sides};
    const POOL: [&str; 4] = ["name", "fax", "rating", "site"];
    let test = crate::Snapshot::parse(
        r#"{"format":1,"environment":"test","schema":"salesforce","tables":{"account":{"columns":{"sfid":{},"name":{},"fax":{},"rating":{},"site":{}}}}}"#,
        "t",
        "test",
    )
    .unwrap();
    let live = crate::Snapshot::parse(
        r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{"account":{"columns":{"sfid":{}}}}}"#,
        "p",
        "prod",
    )
    .unwrap();
    let union = crate::sql::Union::new([&test]);
    let context = crate::sql::Context::new(["salesforce"], &union);
    let mut rng = crate::testing::Rng::exact(0x1234_5678_9abc_def1);
    let mut next = move |n: usize| rng.below(n);
    for round in 0..200 {
        let mut text = String::from("use hc_schema_macro::{hc_requires, hc_sql};\n");
        for k in 0..next(4) {
            let c = POOL[next(POOL.len())];
            text.push_str(&match next(7) {
                0 => format!("#[hc_requires(account({c}))] fn f{k}() {{}}\n"),
                1 => format!("const F{k}: &str = hc_sql!(\"SELECT {c} FROM salesforce.account\");\n"),
                2 => format!("#[hc_requires(account(sfid))] fn f{k}() -> &'static str {{ \"SELECT sfid, {c} FROM salesforce.account\" }}\n"),
                3 => format!("fn f{k}() -> &'static str {{ \"SELECT {c} FROM salesforce.account\" }}\n"),
                4 => format!("fn f{k}(s: &str) -> String {{ format!(\"UPDATE {{s}}.account SET {c} = $1\") }}\n"),
                5 => format!("#[hc_requires(account(sfid))] fn f{k}() -> &'static str {{ \"DELETE FROM salesforce.account WHERE {c} = $1\" }}\n"),
                _ => format!("fn f{k}() -> &'static str {{ \"SELECT * FROM salesforce.account WHERE {c} = $1\" }}\n"),
            });
        }
        let scan = crate::scan::scan_sources(&[("src/lib.rs", text.as_str())]);
        let checks = super::check(&scan, &context);
        let uses = checks.uses(&scan);
        let mut used: Vec<&str> = POOL
            .into_iter()
            .filter(|c| uses.uses_column("account", c))
            .collect();
        used.sort();
        for sides in [
            Sides {
                a: Some("test"),
                b: Some("prod"),
            },
            Sides {
                a: None,
                b: Some("prod"),
            },
        ] {
            let mut deviations = diff(&test, &live, &[]);
            classify(&mut deviations, &uses, sides);
            let mut breaking: Vec<&str> = deviations
                .iter()
                .filter(|d| d.breaking)
                .filter_map(|d| d.column.as_deref())
                .collect();
            breaking.sort();
            assert_eq!(breaking, used, "round {round} {sides:?}:\n{text}");
        }
        // Every column the text names is used (a `*` makes them all possibly used).
        for c in POOL {
            if text.contains(&format!(" {c} ")) || text.contains(&format!("({c})")) {
                assert!(used.contains(&c), "round {round}: {c}\n{text}");
            }
        }
    }
}

/// Statements the lints must read wherever they stand in a string (issue 20, items 7 and 8):
/// each touches Heroku Connect beyond `account(name)`.
const LINTED: &[&str] = &[
    "SELECT name, billingcity FROM salesforce.account",
    "UPDATE salesforce.contact SET email = $1 WHERE sfid = $2",
    "SELECT a.name, c.email FROM account a JOIN contact c ON c.accountid = a.sfid",
    "DELETE FROM lead WHERE sfid = $1",
    "INSERT INTO contact (email, lastname) VALUES ($1, $2)",
    "WITH t AS (SELECT sfid, type FROM salesforce.account) SELECT type FROM t",
    "COPY salesforce.contact (email) FROM STDIN",
    "COPY account (name, type) TO STDOUT",
];

/// A string of several statements, or a statement held by another (`EXPLAIN ANALYZE`, `COPY
/// (...) TO`, `DECLARE ... CURSOR FOR`, `CREATE TEMP TABLE ... AS`), gets the findings of the
/// statement it runs: `undeclared` inside an annotated item, `unguarded` outside; never the
/// plain ok of "not SQL".
#[test]
fn generated_statements_among_and_inside_others_are_linted_like_alone() {
    let mut rng = Rng::exact(0x5eed_0020_0007);
    let around = [
        "BEGIN;",
        "SET LOCAL statement_timeout = 5000;",
        ";",
        "SET search_path TO public;",
        "SELECT 1;",
        "",
    ];
    let messages = |text: &str| -> Vec<(SqlFindingKind, String)> {
        let (_, checks) = one(text);
        checks
            .findings
            .iter()
            .map(|f| (f.kind, f.explanation.message.clone()))
            .collect()
    };
    for round in 0..200 {
        let bare = rng.pick(LINTED);
        let query = bare.starts_with("SELECT") || bare.starts_with("WITH");
        let mut sql = bare.to_string();
        if rng.one_in(2) {
            let holders: &[(&str, &str)] = if query {
                &[
                    ("EXPLAIN ANALYZE ", ""),
                    ("COPY (", ") TO STDOUT"),
                    ("DECLARE c CURSOR FOR ", ""),
                    ("CREATE TEMP TABLE t AS ", ""),
                ]
            } else if bare.starts_with("COPY") {
                &[("", "")]
            } else {
                &[("EXPLAIN ANALYZE ", ""), ("EXPLAIN ", "")]
            };
            let (prefix, suffix) = holders[(rng.next_u64() % holders.len() as u64) as usize];
            sql = format!("{prefix}{sql}{suffix}");
        }
        sql = format!(
            "{} {sql}; {}",
            rng.pick(&around),
            rng.pick(&around).trim_end_matches(';')
        );
        let annotated = rng.one_in(2);
        let source = |sql: &str| {
            let annotation = if annotated {
                "#[hc_requires(account(name))]\n"
            } else {
                ""
            };
            format!("{PRELUDE}{annotation}fn run() -> &'static str {{ r#\"{sql}\"# }}\n")
        };
        let alone = messages(&source(bare));
        let among = messages(&source(&sql));
        assert!(!alone.is_empty(), "{bare}");
        let kind = if annotated {
            SqlFindingKind::Undeclared
        } else {
            SqlFindingKind::Unguarded
        };
        assert!(alone.iter().all(|(k, _)| *k == kind), "{bare}: {alone:?}");
        if annotated {
            assert_eq!(among, alone, "round {round}: {sql}");
        } else {
            assert_eq!(among.len(), 1, "round {round}: {sql}: {among:?}");
            assert_eq!(among[0].0, kind, "round {round}: {sql}: {among:?}");
        }
    }
}

/// SQL in several literals (issue 20, item 11): `concat!` of literals is read as the joined
/// text (the same findings as the one literal, inside an annotated item and outside); pieces
/// put together with `push_str` that name a Heroku Connect table as `schema.table` are
/// skipped or unguarded, never silent. The fast scan and the full parse agree.
#[test]
fn generated_sql_in_several_literals_is_never_silent() {
    let mut rng = Rng::exact(0x5eed_0020_0011);
    let statements = [
        "SELECT name, billingcity FROM salesforce.account WHERE sfid = $1",
        "UPDATE salesforce.contact SET email = $1 WHERE sfid = $2",
        "SELECT a.name, c.email FROM salesforce.account a JOIN salesforce.contact c ON c.accountid = a.sfid",
        "DELETE FROM salesforce.lead WHERE sfid = $1",
    ];
    let messages = |checks: &SqlChecks| -> Vec<(SqlFindingKind, String)> {
        checks
            .findings
            .iter()
            .map(|f| (f.kind, f.explanation.message.clone()))
            .collect()
    };
    for round in 0..200 {
        let sql = rng.pick(&statements);
        let words: Vec<&str> = sql.split(' ').collect();
        // Split at spaces into 2..=4 pieces (each keeps its leading space).
        let mut cuts: Vec<usize> = (0..3)
            .map(|_| 1 + (rng.next_u64() as usize) % (words.len() - 1))
            .collect();
        cuts.sort();
        cuts.dedup();
        let mut pieces = Vec::new();
        let mut last = 0;
        for cut in cuts.iter().copied().chain([words.len()]) {
            let mut piece = words[last..cut].join(" ");
            if last > 0 {
                piece.insert(0, ' ');
            }
            pieces.push(piece);
            last = cut;
        }
        let annotated = rng.one_in(2);
        let annotation = if annotated {
            "#[hc_requires(account(name))]\n"
        } else {
            ""
        };
        let literals: Vec<String> = pieces.iter().map(|p| format!("\"{p}\"")).collect();
        let path = rng.pick(&["concat", "std::concat", "core::concat"]);
        let joined = format!(
            "{PRELUDE}{annotation}fn run() -> &'static str {{ {path}!({}) }}\n",
            literals.join(", ")
        );
        let alone = format!("{PRELUDE}{annotation}fn run() -> &'static str {{ \"{sql}\" }}\n");
        let (_, expected) = one(&alone);
        let sources = [("src/lib.rs", joined.as_str())];
        let fast = check(&scan_sources(&sources), &context_for_tests());
        let full = check(
            &scan_sources_with(&sources, Strategy::FullParse),
            &context_for_tests(),
        );
        assert_eq!(fast, full, "round {round}: {joined}");
        assert_eq!(
            messages(&fast),
            messages(&expected),
            "round {round}: {joined}"
        );
        assert!(!fast.findings.is_empty(), "round {round}: {joined}");

        // The same pieces put together at run time.
        let mut body = format!("let mut q = String::from({});\n", literals[0]);
        for literal in &literals[1..] {
            body.push_str(&format!("    q.push_str({literal});\n"));
        }
        let built = format!("{PRELUDE}{annotation}fn run() -> String {{\n    {body}    q\n}}\n");
        let (_, checks) = one(&built);
        assert!(
            !checks.findings.is_empty(),
            "round {round}: silent:\n{built}"
        );
        for finding in &checks.findings {
            let kinds: &[SqlFindingKind] = if annotated {
                &[SqlFindingKind::Undeclared, SqlFindingKind::Skipped]
            } else {
                &[SqlFindingKind::Unguarded]
            };
            assert!(
                kinds.contains(&finding.kind),
                "round {round}: {built}\n{finding:?}"
            );
        }
    }
}

/// The context [`checked`] uses.
fn context_for_tests() -> Context<'static> {
    let (test, prod) = snapshots();
    let union: &'static Union = Box::leak(Box::new(Union::new([
        Box::leak(Box::new(test)) as &Snapshot,
        Box::leak(Box::new(prod)) as &Snapshot,
    ])));
    Context::new(["salesforce"], union)
}

/// A string of several statements one of which does not parse (issue 20, item 7): when
/// another is SQL on Heroku Connect tables, the string is skipped (annotated) or unguarded,
/// never prose; without Heroku Connect SQL beside it, prose as before.
#[test]
fn generated_strings_with_one_unparsable_statement_are_never_prose() {
    let mut rng = Rng::exact(0x5eed_0020_0107);
    let good = [
        "UPDATE contact SET email = $1 WHERE sfid = $2",
        "SELECT name, billingcity FROM account",
        "DELETE FROM lead WHERE sfid = $1",
    ];
    let bad = [
        "SET LOCAL statement_timeout TO",
        "VACUUM ANALYZE (",
        "SELECT name FROM account WHERE",
        "CALL",
        "LISTEN",
    ];
    for round in 0..120 {
        let mut statements = vec![rng.pick(&good).to_string(), rng.pick(&bad).to_string()];
        if rng.one_in(2) {
            statements.swap(0, 1);
        }
        if rng.one_in(2) {
            statements.insert(0, "BEGIN".to_string());
            statements.push("COMMIT".to_string());
        }
        let sql = statements.join(if rng.one_in(2) { "; " } else { ";\n" });
        let annotated = rng.one_in(2);
        let annotation = if annotated {
            "#[hc_requires(account(name))]\n"
        } else {
            ""
        };
        let text = format!("{PRELUDE}{annotation}fn run() -> &'static str {{ r#\"{sql}\"# }}\n");
        let (_, checks) = one(&text);
        let kind = if annotated {
            SqlFindingKind::Skipped
        } else {
            SqlFindingKind::Unguarded
        };
        assert_eq!(checks.findings.len(), 1, "round {round}: {sql}: {checks:?}");
        assert_eq!(checks.findings[0].kind, kind, "round {round}: {sql}");
    }
    // No Heroku Connect SQL beside it: prose.
    let text = format!(
        "{PRELUDE}fn run() -> &'static str {{ \"BEGIN; VACUUM ANALYZE (; SELECT key FROM app_settings\" }}\n"
    );
    let (_, checks) = one(&text);
    assert!(checks.findings.is_empty(), "{:?}", checks.findings);
}

#[test]
fn concat_inside_format_is_a_format_string_and_a_non_literal_argument_keeps_the_pieces() {
    let text = format!(
        "{PRELUDE}#[hc_requires(account(name))]\nfn f(s: &str) -> String {{ format!(concat!(\"SELECT name, billingcity \", \"FROM {{}}.account\"), s) }}\n"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, SqlFindingKind::Undeclared);
    assert!(found[0].3.contains("account.billingcity"), "{found:?}");
    // `concat!` with a non-literal argument: its literals one by one (the piece is skipped).
    let text = format!(
        "{PRELUDE}#[hc_requires(account(name))]\nfn f() -> &'static str {{ concat!(\"SELECT name \", env!(\"X\"), \" FROM salesforce.account\") }}\n"
    );
    let (_, checks) = one(&text);
    let found = findings(&checks);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, SqlFindingKind::Skipped);
}

/// The schema spellings and wrappers the generated classes below go through: a string alone,
/// after another statement, and as a `format!` string with the schema filled in at run time.
fn wrapped(rng: &mut Rng, statement: &str) -> (String, bool) {
    let schema = rng.pick(&["", "salesforce.", "SalesForce.", "{schema}."]);
    let statement = statement.replace("{s}", schema);
    let format = statement.contains("{schema}");
    let text = match rng.next_u64() % 3 {
        0 => statement,
        1 => format!("BEGIN; {statement}; COMMIT"),
        _ => format!("  {}", statement.to_lowercase()),
    };
    (text, format)
}

/// The source of a function holding `sql` (a `format!` string when `format`), annotated with
/// `annotation` when there is one.
fn function_with(sql: &str, format: bool, annotation: Option<&str>) -> String {
    let body = if format {
        format!("format!(\"{sql}\")")
    } else {
        format!("\"{sql}\".to_string()")
    };
    let attribute = annotation.map_or(String::new(), |a| format!("#[hc_requires({a})]\n"));
    format!("{PRELUDE}{attribute}fn f(schema: &str) -> String {{ let _ = schema; {body} }}\n")
}

/// Attacker finding 5: `TRUNCATE`, `VACUUM` and `ANALYZE` name their table right after them
/// (no `FROM`): the lint sees every one on a Heroku Connect table, in every form, a `TRUNCATE`
/// as a write of the table; never silent.
#[test]
fn generated_table_statements_are_seen_and_a_truncate_is_a_write() {
    let mut rng = Rng::exact(0x5eed_0005_0001);
    let forms = [
        "TRUNCATE {s}contact",
        "TRUNCATE TABLE {s}contact",
        "TRUNCATE ONLY {s}contact CASCADE",
        "TRUNCATE {s}contact, {s}account",
        "VACUUM {s}contact",
        "VACUUM FULL {s}contact",
        "VACUUM (VERBOSE, ANALYZE) {s}contact",
        "ANALYZE {s}contact",
        "ANALYZE {s}contact (email, lastname)",
        "ANALYZE VERBOSE {s}contact",
    ];
    let (mut writes, mut reads, mut skipped) = (0, 0, 0);
    for round in 0..200 {
        let form = forms[round % forms.len()];
        let (sql, format) = wrapped(&mut rng, form);
        let (_, loose) = one(&function_with(&sql, format, None));
        assert!(
            loose
                .findings
                .iter()
                .any(|f| matches!(f.kind, SqlFindingKind::Unguarded | SqlFindingKind::Skipped)),
            "silent outside annotations: {sql}\n{:#?}",
            loose.findings
        );
        let (_, inside) = one(&function_with(&sql, format, Some("lead(email)")));
        assert!(
            inside
                .findings
                .iter()
                .any(|f| matches!(f.kind, SqlFindingKind::Undeclared | SqlFindingKind::Skipped)),
            "silent inside an annotation that does not declare the table: {sql}"
        );
        if inside
            .findings
            .iter()
            .any(|f| f.kind == SqlFindingKind::Skipped)
        {
            skipped += 1;
            continue;
        }
        let truncate = form.starts_with("TRUNCATE");
        for finding in &inside.findings {
            for subject in &finding.subjects {
                if truncate {
                    assert_eq!(subject.access, crate::Access::Write, "{sql}: {finding:?}");
                    writes += 1;
                } else {
                    assert_eq!(subject.access, crate::Access::Read, "{sql}: {finding:?}");
                    reads += 1;
                }
            }
        }
        // Declared as it is used, it passes.
        let declared = if truncate {
            "write contact(email), write account(name)"
        } else {
            "contact(email, lastname)"
        };
        let (_, ok) = one(&function_with(&sql, format, Some(declared)));
        assert!(
            ok.findings.is_empty(),
            "{sql} with {declared}: {:#?}",
            ok.findings
        );
    }
    assert!(
        writes > 20 && reads > 20 && skipped > 5,
        "{writes} {reads} {skipped}"
    );
}

/// Attacker finding 4: a `SELECT` without `FROM` that reads fields of a Heroku Connect
/// table's row type (a cast, `CAST`, `jsonb_populate_record`) is SQL: each field read counts
/// as the column, or the string is reported as unreadable; never silent.
#[test]
fn generated_selects_without_from_count_row_type_fields() {
    let mut rng = Rng::exact(0x5eed_0004_0001);
    let forms = [
        "SELECT ($1::{s}account).{c}",
        "SELECT (NULL::{s}account).{c}",
        "SELECT (CAST($1 AS {s}account)).{c}",
        "SELECT (jsonb_populate_record(NULL::{s}account, $1)).{c}",
        "SELECT ($1::{s}account).name, ($1::{s}account).{c}",
        "SELECT x.{c} FROM jsonb_populate_record(NULL::{s}account, $1) x",
    ];
    let (mut counted, mut unreadable) = (0, 0);
    for round in 0..200 {
        let column = ["billingcity", "type", "loyalty_tier__c", "name"][round % 4];
        let form = forms[(round / 4) % forms.len()].replace("{c}", column);
        let (sql, format) = wrapped(&mut rng, &form);
        let (_, checks) = one(&function_with(&sql, format, Some("account(name)")));
        let named = checks.findings.iter().any(|f| {
            f.kind == SqlFindingKind::Undeclared
                && f.subjects
                    .iter()
                    .any(|s| s.name() == format!("account.{column}"))
        });
        let skipped = checks
            .findings
            .iter()
            .any(|f| f.kind == SqlFindingKind::Skipped);
        if column == "name" {
            assert!(!named, "{sql}: {:#?}", checks.findings);
            continue;
        }
        assert!(named || skipped, "silent: {sql}\n{:#?}", checks.findings);
        counted += usize::from(named);
        unreadable += usize::from(skipped && !named);
        let (_, loose) = one(&function_with(&sql, format, None));
        assert!(
            loose
                .findings
                .iter()
                .any(|f| matches!(f.kind, SqlFindingKind::Unguarded | SqlFindingKind::Skipped)),
            "silent outside annotations: {sql}"
        );
    }
    assert!(counted > 60, "{counted} counted, {unreadable} unreadable");
}

/// Attacker finding 6: a whole row given to a function that returns its columns
/// (`to_jsonb(a)`, `row_to_json(a)`, `hstore(a)`, `json_agg(a)`, ...) counts like `a.*`: a
/// `star` finding, and every column of the table possibly used (`usages`, `diff`), in
/// strings and in `hc_sql!` alike; reading a field of the row (`(a).name`) does not.
#[test]
fn generated_whole_rows_given_to_functions_count_like_a_star() {
    let mut rng = Rng::exact(0x5eed_0006_0001);
    let functions = [
        "to_jsonb",
        "to_json",
        "row_to_json",
        "hstore",
        "json_agg",
        "jsonb_agg",
        "json_build_array",
        "jsonb_build_array",
        "pg_catalog.to_jsonb",
        "ROW_TO_JSON",
    ];
    let mut stars = 0;
    for round in 0..200 {
        let function = functions[round % functions.len()];
        let alias = ["a", "acct", "account"][round % 3];
        let from = if alias == "account" {
            "{s}account".to_string()
        } else {
            format!("{{s}}account {alias}")
        };
        let form = format!("SELECT a2.x FROM (SELECT {function}({alias}) AS x FROM {from}) a2");
        let form = if round % 2 == 0 {
            format!("SELECT {function}({alias}) FROM {from}")
        } else {
            form
        };
        let (sql, format) = wrapped(&mut rng, &form);
        for annotation in [None, Some("account(name)")] {
            let (scan, checks) = one(&function_with(&sql, format, annotation));
            let star = checks
                .findings
                .iter()
                .any(|f| f.kind == SqlFindingKind::Star && f.subjects[0].table == "account");
            assert!(star, "{sql} ({annotation:?}): {:#?}", checks.findings);
            let uses = checks.uses(&scan);
            assert!(
                uses.stars_over("account").next().is_some(),
                "{sql}: not possibly used"
            );
            stars += 1;
        }
        if !format {
            let query = format!(
                "{PRELUDE}const Q: &str = hc_sql!(\"{}\");\n",
                sql.replace("BEGIN; ", "").replace("; COMMIT", "")
            );
            let (scan, checks) = one(&query);
            if checks.errors().next().is_none() {
                assert!(
                    checks.uses(&scan).stars_over("account").next().is_some(),
                    "hc_sql!: {query}"
                );
            }
        }
    }
    assert!(stars >= 400);
    // A field of the row is a column, not every column; so is a literal key of its JSON.
    for sql in [
        "SELECT (a).name, name(a) FROM salesforce.account a",
        "SELECT to_jsonb(a) ->> 'name', (row_to_json(a)::jsonb)['name'] FROM salesforce.account a",
        "SELECT jsonb_extract_path_text(to_jsonb(a), 'name') FROM salesforce.account a",
    ] {
        let (_, checks) = one(&function_with(sql, false, Some("account(name)")));
        assert!(checks.findings.is_empty(), "{sql}: {:#?}", checks.findings);
    }
    // An empty path is the whole document: every column, as `a.*` (this round's attacker).
    for path in ["#>> '{}'", "#> '{}'", "#> ARRAY[]::text[]", "#>> '{ }'"] {
        for function in ["to_jsonb", "row_to_json", "to_json"] {
            let sql = format!("SELECT {function}(a) {path} AS doc FROM salesforce.account a");
            let (scan, checks) = one(&function_with(&sql, false, Some("account(name)")));
            assert!(
                checks
                    .findings
                    .iter()
                    .any(|f| f.kind == SqlFindingKind::Star),
                "{sql}: {:#?}",
                checks.findings
            );
            assert!(
                checks.uses(&scan).stars_over("account").next().is_some(),
                "{sql}: not possibly used"
            );
        }
    }
}

/// The bench's query `i` (tests/benches/sql_build.rs) and an annotation declaring its columns.
#[cfg(hc_schema_probe)]
fn probe_query(i: usize) -> (String, String) {
    let t = i % 200;
    let u = (i * 7 + 3) % 200;
    let f = |k: usize| format!("field_{}__c", (i * 13 + k * 37) % 300);
    let sql = match i % 4 {
        0 => format!(
            "SELECT o.{}, o.{}, o.{}, o.{} FROM salesforce.object_{t}__c o WHERE o.{} = $1 AND o.{} IS NOT TRUE ORDER BY o.{} LIMIT 100",
            f(0), f(1), f(2), f(3), f(4), f(5), f(0)
        ),
        1 => format!(
            "SELECT o.{a}, o.{b}, p.{c}, count(*) AS n FROM salesforce.object_{t}__c o JOIN salesforce.object_{u}__c p ON p.{d} = o.{e} WHERE o.{g} = $1 GROUP BY o.{a}, o.{b}, p.{c} ORDER BY n DESC",
            a = f(0), b = f(1), c = f(2), d = f(3), e = f(4), g = f(5)
        ),
        2 => format!(
            "INSERT INTO salesforce.object_{t}__c ({a}, {b}, {c}) VALUES ($1, $2, $3) ON CONFLICT ({a}) DO UPDATE SET {b} = EXCLUDED.{b}, {c} = EXCLUDED.{c} RETURNING {d}",
            a = f(0), b = f(1), c = f(2), d = f(3)
        ),
        _ => format!(
            "UPDATE salesforce.object_{t}__c o SET {a} = $1, {b} = now() FROM salesforce.object_{u}__c p WHERE p.{c} = o.{d} AND p.{e} = $2",
            a = f(0), b = f(1), c = f(2), d = f(3), e = f(4)
        ),
    };
    let columns: Vec<String> = (0..6).map(f).collect();
    let columns = columns.join(", ");
    let annotation = format!(
        "object_{t}__c({columns}), object_{u}__c({columns}), write object_{t}__c({columns})"
    );
    (sql, annotation)
}

/// Instruction-count probe of issue 20 item 3, run by hand under callgrind (the same binary,
/// the same setup, one mode at a time; per literal = (mode - none) / 200):
/// `HC_SCHEMA_PROBE=<mode> valgrind --tool=callgrind <lib test binary> --exact
/// sqlcheck::tests::cost_probe`, mode `none`, `sql_cold` (`hc_sql!`'s analysis), `sql_warm`
/// (its cached analysis decoded), `str_cold` (a string in an annotated item: the item's
/// literal found in its tokens, read, linted), `str_warm` (the same, its reading decoded),
/// `item_cold` (`str_cold` plus the item's cache key and its checks encoded), `item_warm` (the
/// item's cache key made, its checks decoded: the build's cached path).
/// A measurement, not a test: compiled only with `RUSTFLAGS="--cfg hc_schema_probe"`, so the
/// suite never lists it as skipped.
#[cfg(hc_schema_probe)]
#[test]
fn cost_probe() {
    let mode = std::env::var("HC_SCHEMA_PROBE").unwrap_or_default();
    let mut json =
        String::from(r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{"#);
    for t in 0..200 {
        let columns: Vec<String> = (0..300).map(|c| format!("\"field_{c}__c\":{{}}")).collect();
        json.push_str(&format!(
            "{}\"object_{t}__c\":{{\"access\":\"read_write\",\"columns\":{{{}}}}}",
            if t > 0 { "," } else { "" },
            columns.join(",")
        ));
    }
    json.push_str("}}");
    let prod = Snapshot::parse(&json, "prod.json", "prod").unwrap();
    let union = Union::new([&prod]);
    let context = Context::new(["salesforce"], &union);
    let n = 200;
    let items: Vec<(
        String,
        String,
        proc_macro2::TokenStream,
        Vec<crate::manifest::Usage>,
    )> = (0..n)
        .map(|i| {
            let (sql, annotation) = probe_query(i);
            let item: proc_macro2::TokenStream =
                format!("fn query_{i}() -> &'static str {{ {sql:?} }}")
                    .parse()
                    .unwrap();
            let parsed = crate::syntax::Annotation::parse(
                annotation.parse().unwrap(),
                proc_macro2::Span::call_site(),
            )
            .unwrap();
            (sql, annotation, item, parsed.usages("src/main.rs"))
        })
        .collect();
    let analyses: Vec<Vec<u8>> = items
        .iter()
        .map(|(sql, ..)| crate::sql::codec::encode(&analyze(sql, &context).unwrap()))
        .collect();
    let readings: Vec<Vec<u8>> = items
        .iter()
        .map(|(sql, ..)| read(sql, false, &context).encode())
        .collect();
    let lint = |k: usize, warm: bool| {
        let (_, _, item, usages) = &items[k];
        let literals: Vec<_> = crate::scan::item::sql_literals(item.clone())
            .into_iter()
            .map(|l| {
                let literal = crate::scan::StrLiteral {
                    value: l.value,
                    kind: l.kind,
                    written: l.written,
                    extent: Default::default(),
                };
                (literal, l.container)
            })
            .collect();
        let annotation = ItemAnnotation {
            position: Default::default(),
            usages: usages.clone(),
        };
        let cached =
            |value: &str, _: bool, _: &Context<'_>| Reading::decode(&readings[k], value).unwrap();
        let fresh = |value: &str, format: bool, context: &Context<'_>| read(value, format, context);
        let checks = if warm {
            check_item("src/main.rs", &[annotation], literals, &context, &cached)
        } else {
            check_item("src/main.rs", &[annotation], literals, &context, &fresh)
        };
        assert!(checks.findings.is_empty(), "{:#?}", checks.findings);
        checks
    };
    // The build's key of an item's checks: its tokens, its string literals' places, the
    // attribute's source text (as `hc-schema-macro/src/strings.rs` writes it).
    let key = |k: usize| {
        let (_, annotation, item, _) = &items[k];
        let mut key = Vec::with_capacity(1024);
        let mut tokens = Vec::new();
        crate::scan::item::item_key(item.clone(), &mut key, &mut tokens);
        for token in &tokens {
            let span = token.span();
            let (start, end) = (span.start(), span.end());
            for n in [start.line, start.column, end.line, end.column] {
                key.extend_from_slice(&(n as u32).to_le_bytes());
            }
        }
        // The attribute by its source text and where it starts.
        let text = format!("#[hc_requires({annotation})]");
        key.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0]);
        key.extend_from_slice(&(text.len() as u32).to_le_bytes());
        key.extend_from_slice(text.as_bytes());
        key
    };
    let item_checks: Vec<Vec<u8>> = (0..n)
        .map(|k| crate::sqlcheck::checks_codec::encode(&lint(k, false)).unwrap())
        .collect();
    for k in 0..n {
        match mode.as_str() {
            "sql_cold" => drop(analyze(&items[k].0, &context).unwrap()),
            "sql_warm" => drop(crate::sql::codec::decode(&analyses[k], &items[k].0).unwrap()),
            "str_cold" => drop(lint(k, false)),
            "str_warm" => drop(lint(k, true)),
            "item_cold" => {
                drop(key(k));
                drop(crate::sqlcheck::checks_codec::encode(&lint(k, false)));
            }
            "item_warm" => {
                drop(key(k));
                drop(crate::sqlcheck::checks_codec::decode(&item_checks[k]).unwrap());
            }
            _ => {}
        }
    }
}

/// Prose that starts like a statement on a Heroku Connect table ("Insert into contact
/// failed", "Update account failed: {e}") is not flagged, inside an annotated item or outside
/// one; SQL that does not parse on the same tables (cut short, a keyword sqlparser does not
/// read, an alias at the end of a piece, a table written `schema.table`) is skipped or
/// unguarded, never passed. Generated sentences and statements.
#[test]
fn generated_prose_is_not_flagged_and_broken_sql_still_is() {
    let mut rng = Rng::exact(0x5eed_0020_0003);
    let tables = ["contact", "account", "lead"];
    // Words after the table that no SQL puts there (checked: no sqlparser keyword).
    let words = ["failed", "rejected", "crashed", "succeeded", "timed"];
    for word in words {
        let upper = word.to_ascii_uppercase();
        assert!(sqlparser::keywords::ALL_KEYWORDS
            .binary_search(&upper.as_str())
            .is_err());
    }
    let case = |rng: &mut Rng, text: &str| -> String {
        match rng.below(3) {
            0 => text.to_string(),
            1 => text.to_ascii_uppercase(),
            _ => text.to_ascii_lowercase(),
        }
    };
    let (mut prose_seen, mut sql_seen) = (0, 0);
    for round in 0..240 {
        let table = rng.pick(&tables);
        let word = rng.pick(&words);
        let other = rng.pick(&words);
        let prose = rng.one_in(2);
        let (text, format) = if prose {
            match rng.below(6) {
                0 => (
                    format!("{} {table} {word}", case(&mut rng, "Insert into")),
                    false,
                ),
                1 => (
                    format!("{} {table} {word}: {{e}}", case(&mut rng, "Update")),
                    true,
                ),
                2 => (
                    format!("{} {table} {word}!", case(&mut rng, "Delete from")),
                    false,
                ),
                3 => (
                    format!("{} {table}: {word}", case(&mut rng, "Insert into")),
                    false,
                ),
                4 => (
                    format!("{} {table} {word} {other}", case(&mut rng, "Update")),
                    false,
                ),
                _ => (
                    format!("{} {table} {word} for {{e}}", case(&mut rng, "Insert into")),
                    true,
                ),
            }
        } else {
            let sql = match rng.below(11) {
                // The table after `ON`, then an operator that starts like prose's `!`/`?`
                // (attacker F5 of round 3): SQL's, never prose.
                8 => format!("SELECT a.nope__c FROM app_link l JOIN app_owner o ON {table} != o.x FOR KEY SHARE"),
                9 => format!("SELECT a.nope__c FROM app_link l JOIN {table} a ON a.x ? 'k' FOR KEY SHARE"),
                10 => format!("DELETE FROM {table} ?| array['a']"),
                0 => format!("SELECT name FROM {table} FOR KEY SHARE"),
                1 => format!("SELECT name FROM {table} WHERE"),
                2 => format!("UPDATE {table} SET"),
                3 => format!("DELETE FROM {table} {word}"),
                4 => format!("INSERT INTO {table}"),
                5 => format!("INSERT INTO {table} ("),
                6 => format!("UPDATE {table} SET name = $1 WHERE"),
                _ => format!("DELETE FROM salesforce.{table} {word}"),
            };
            (sql, false)
        };
        let annotated = rng.one_in(2);
        let annotation = if annotated {
            "#[hc_requires(account(name))]\n"
        } else {
            ""
        };
        let body = if format {
            format!("format!(\"{text}\", e = 1)")
        } else {
            format!("\"{text}\".to_string()")
        };
        let source = format!("{PRELUDE}{annotation}fn run() -> String {{ {body} }}\n");
        let (_, checks) = one(&source);
        if prose {
            assert!(
                checks.findings.is_empty(),
                "round {round}: {text}: {checks:?}"
            );
            prose_seen += 1;
        } else {
            // Skipped (or, where it parses, `DELETE FROM account succeeded`, an undeclared
            // write) inside the annotated item; unguarded outside.
            let kinds: &[SqlFindingKind] = if annotated {
                &[SqlFindingKind::Skipped, SqlFindingKind::Undeclared]
            } else {
                &[SqlFindingKind::Unguarded]
            };
            assert!(
                !checks.findings.is_empty(),
                "round {round}: {text}: {checks:?}"
            );
            for finding in &checks.findings {
                assert!(
                    kinds.contains(&finding.kind),
                    "round {round}: {text}: {finding:?}"
                );
            }
            sql_seen += 1;
        }
    }
    assert!(prose_seen > 80 && sql_seen > 80, "{prose_seen} {sql_seen}");
}
