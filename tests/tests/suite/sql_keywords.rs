//! Issue 20: SQL strings that start with a statement keyword sqlparser cannot read as a
//! statement on a table (`TABLE t`, `CALL`, `DO`, `LOCK`, DDL, `GRANT`, `COMMENT ON`, `COPY`,
//! `EXPLAIN`, `PREPARE`, `WITH` forms), or with `SELECT`/`INSERT`/`UPDATE`/... that sqlparser
//! does not parse, and name a Heroku Connect table are never read as prose: analysed, or a skipped note (unguarded outside an annotated item) that `usages`
//! and `diff` count as "cannot tell". Generated per class over table names, casing,
//! whitespace and comments; `check`'s scan and the build's reading of an annotated item agree.

use hc_schema_snapshot::scan::item::{may_hold_sql, sql_literals};
use hc_schema_snapshot::scan::{scan_sources, Position, StrLiteral};
use hc_schema_snapshot::sql::{Context, Union};
use hc_schema_snapshot::sqlcheck::{self, check_item, ItemAnnotation, SqlFindingKind};
use hc_schema_snapshot::syntax::Annotation;
use hc_schema_snapshot::Snapshot;
use hc_schema_tests::rng::Rng;

/// The statement classes, each a few templates (`{t}` a table, `{c}` one of its columns).
const CLASSES: &[(&str, &[&str])] = &[
    ("table", &["TABLE {t}", "TABLE ONLY {t}"]),
    (
        "call",
        &[
            "CALL p((SELECT {c} FROM {t}))",
            "CALL refresh_{c}((TABLE {t}))",
        ],
    ),
    (
        "do",
        &[
            "DO $$ BEGIN UPDATE {t} SET {c} = NULL; END $$",
            "DO $$BEGIN PERFORM {c} FROM {t}; END$$",
        ],
    ),
    (
        "lock",
        &[
            "LOCK {t}",
            "LOCK TABLE {t} IN SHARE MODE",
            "LOCK TABLE ONLY {t} NOWAIT",
            "LOCK TABLE app_log, {t} IN EXCLUSIVE MODE",
        ],
    ),
    (
        "ddl",
        &[
            "ALTER TABLE {t} ADD COLUMN extra integer",
            "ALTER TABLE IF EXISTS {t} ALTER COLUMN {c} DROP NOT NULL",
            "GRANT SELECT ON {t} TO reporting",
            "GRANT UPDATE ({c}) ON TABLE {t} TO app",
            "REVOKE ALL ON {t} FROM app",
            "CREATE INDEX idx ON {t} ({c})",
            "CREATE UNIQUE INDEX idx ON ONLY {t} USING btree ({c})",
            "DROP TABLE {t}",
            "DROP TABLE IF EXISTS app_log, {t} CASCADE",
            "TRUNCATE app_log, {t}",
            "DROP TABLE public.app_log, \"audit\".x, {t}",
            "COMMENT ON COLUMN {t}.{c} IS 'synced'",
            "COMMENT ON TABLE {t} IS 'synced'",
            "CLUSTER {t} USING idx",
            "CLUSTER VERBOSE {t}",
            "REINDEX TABLE CONCURRENTLY {t}",
            "CREATE TABLE t2 (LIKE {t})",
            "CREATE TABLE t2 (x int) INHERITS ({t})",
            "ALTER TABLE app_t INHERIT {t}",
            "CLUSTER (VERBOSE) {t}",
            "CREATE TABLE t2 (LIKE /* copy */ {t})",
            "ALTER TABLE parent ATTACH PARTITION {t} FOR VALUES IN (1)",
            "ALTER TABLE parent DETACH PARTITION {t}",
        ],
    ),
    (
        "copy",
        &[
            "COPY {t} TO STDOUT",
            "COPY {t} FROM STDIN",
            "COPY {t} ({c}) TO STDOUT",
        ],
    ),
    (
        "explain",
        &[
            "EXPLAIN SELECT {c} FROM {t}",
            "EXPLAIN (ANALYZE) UPDATE {t} SET {c} = $1",
        ],
    ),
    (
        "prepare",
        &[
            "PREPARE q AS SELECT {c} FROM {t}",
            "PREPARE w (text) AS UPDATE {t} SET {c} = $1",
        ],
    ),
    (
        // Queries and data changes sqlparser does not parse (attacker finding F1): SQL all
        // the same, never prose.
        "dml-unparsed",
        &[
            "SELECT {c} FROM {t} WHERE sfid = $1 FOR NO KEY UPDATE",
            "SELECT {c}, xmlelement(name tier, {c}) FROM {t}",
            "INSERT INTO app_t TABLE {t}",
            "UPDATE {t} SET {c} = xmlelement(name foo, 'x')",
            "/* a /* b */ */ SELECT {c} FROM {t} FOR NO KEY UPDATE",
            "SELECT {c} FROM {t} WHERE {c} IS DOCUMENT",
            // Second attack (N1): the table not right after FROM for the word rules.
            "SELECT {c} FROM /* synced by Heroku Connect */ {t} WHERE sfid = $1 FOR KEY SHARE",
            "SELECT x.{c} FROM unnest($1::text[]) AS ids(sfid), {t} x WHERE x.sfid = ids.sfid FOR KEY SHARE",
            "SELECT concat_ws(';', {c}, {c}) FROM {t} WHERE sfid = $1 FOR KEY SHARE",
            "DELETE FROM app_log l USING {t} a WHERE l.sfid = a.sfid AND l.doc IS DOCUMENT",
            // Third attack (item 5): a comment between DELETE and FROM, no part parsing.
            "DELETE /* c */ FROM ({t}) WHERE {c} = $1",
            "DELETE -- old rows\nFROM {t}@x WHERE {c} = $1",
            "INSERT /* c */ INTO ({t}) VALUES (1)",
        ],
    ),
    (
        "with",
        &[
            "WITH x AS (SELECT {c} FROM {t}) TABLE x",
            "WITH x AS (TABLE {t}) SELECT * FROM x",
            "WITH RECURSIVE r AS (SELECT {c} FROM {t}) SELECT * FROM r",
        ],
    ),
];

fn snapshot(env: &str) -> Snapshot {
    Snapshot::parse(
        &format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{
            "account":{{"access":"read_write","columns":{{"sfid":{{}},"name":{{}}}}}},
            "contact":{{"access":"read_write","columns":{{"sfid":{{}},"email":{{}}}}}}}}}}"#
        ),
        "x.json",
        env,
    )
    .unwrap()
}

/// One generated statement of a class: a table (qualified or not, any casing), the casing of
/// the words, whitespace and comments varied.
fn statement(rng: &mut Rng, templates: &[&str]) -> String {
    let (table, column) = rng.pick(&[
        ("account", "name"),
        ("contact", "email"),
        ("salesforce.account", "sfid"),
        ("SalesForce.Contact", "Email"),
        ("ACCOUNT", "NAME"),
    ]);
    let sql = rng
        .pick(templates)
        .replace("{t}", table)
        .replace("{c}", column);
    // Casing of the words outside quotes ('...' and $$...$$ keep theirs).
    let casing = rng.below(4);
    let mut cased = String::new();
    for (n, word) in sql.split(' ').enumerate() {
        if n > 0 {
            cased.push(' ');
        }
        let word = match casing {
            0 => word.to_string(),
            1 => word.to_ascii_lowercase(),
            2 if word.starts_with('\'') => word.to_string(),
            2 => {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => {
                        first.to_ascii_uppercase().to_string()
                            + &chars.as_str().to_ascii_lowercase()
                    }
                    None => String::new(),
                }
            }
            _ => word
                .chars()
                .map(|c| {
                    if rng.chance() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect(),
        };
        cased.push_str(&word);
    }
    // Whitespace between words.
    let spaced: String = cased
        .split(' ')
        .map(|word| word.to_string())
        .collect::<Vec<_>>()
        .join(rng.pick(&[" ", "\n  ", "\t", "  "]));
    // A comment before it, and a statement before it.
    let before = rng.pick(&[
        "",
        "-- maintenance\n",
        "/* c */ ",
        "  ",
        "BEGIN; ",
        "SET lock_timeout = 1;\n",
    ]);
    let after = rng.pick(&["", ";", "; COMMIT"]);
    format!("{before}{spaced}{after}")
}

/// (kind, message) of the findings at the one literal of `checks`.
fn findings(checks: &sqlcheck::SqlChecks) -> Vec<(SqlFindingKind, String)> {
    checks
        .findings
        .iter()
        .map(|f| (f.kind, f.explanation.message.clone()))
        .collect()
}

#[test]
fn generated_keyword_statements_on_hc_tables_are_never_prose() {
    let (test, prod) = (snapshot("test"), snapshot("prod"));
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let read =
        |value: &str, format: bool, context: &Context<'_>| sqlcheck::read(value, format, context);
    let mut rng = Rng::seeded(0x005e_e020_6b65_7977);
    let mut by_class: Vec<(&str, usize, usize)> = Vec::new();
    // Every class is checked, and every silent string named, before failing.
    let mut silent: Vec<(&str, &str, String)> = Vec::new();
    for (class, templates) in CLASSES {
        let (mut analysed, mut skipped) = (0, 0);
        for _ in 0..40 {
            let sql = statement(&mut rng, templates);
            let literal = format!("{sql:?}");
            // Outside any annotated item: unguarded, never prose.
            let loose = format!("fn f() -> &'static str {{ {literal} }}\n");
            let checks = sqlcheck::check(&scan_sources(&[("src/lib.rs", &loose)]), &context);
            if findings(&checks).is_empty() {
                silent.push((class, "outside an annotated item", sql));
                continue;
            }
            // Inside an annotated item that declares another table: skipped or analysed
            // (then its uses are undeclared), never silent.
            let item = format!("fn f() -> &'static str {{ {literal} }}");
            let annotated =
                format!("use hc_schema_macro::hc_requires;\n#[hc_requires(lead(sfid))]\n{item}\n");
            let scan = scan_sources(&[("src/lib.rs", &annotated)]);
            let checks = sqlcheck::check(&scan, &context);
            let found = findings(&checks);
            if found.is_empty() {
                silent.push((class, "in an annotated item", sql));
                continue;
            }
            if checks.findings.iter().any(|f| f.unread()) {
                skipped += 1;
            } else {
                analysed += 1;
                assert!(
                    found
                        .iter()
                        .all(|(kind, _)| *kind != SqlFindingKind::Skipped),
                    "{found:?}"
                );
            }
            // The build reads the item's literal as check reads the file: the same findings.
            let tokens: proc_macro2::TokenStream = item.parse().unwrap();
            assert!(may_hold_sql(&tokens), "the build's gate passes {sql:?}");
            let literals: Vec<_> = sql_literals(tokens)
                .into_iter()
                .map(|l| {
                    let literal = StrLiteral {
                        value: l.value,
                        kind: l.kind,
                        written: l.written,
                        extent: Default::default(),
                    };
                    (literal, l.container)
                })
                .collect();
            assert_eq!(literals.len(), 1, "the build sees the literal: {sql:?}");
            let annotation = Annotation::parse(
                "lead(sfid)".parse().unwrap(),
                proc_macro2::Span::call_site(),
            )
            .unwrap();
            let own = ItemAnnotation {
                // Where `hc_requires` starts in the scanned file.
                position: Position { line: 2, column: 3 },
                usages: annotation.usages("src/lib.rs"),
            };
            let built = check_item("src/lib.rs", &[own], literals, &context, &read);
            let built_found = findings(&built);
            assert_eq!(
                built_found.iter().map(|f| f.0).collect::<Vec<_>>(),
                found.iter().map(|f| f.0).collect::<Vec<_>>(),
                "{class}: the build and check disagree on {sql:?}:\n{built_found:#?}\n{found:#?}"
            );
            assert_eq!(built_found, found, "{class}: {sql:?}");
        }
        by_class.push((class, analysed, skipped));
    }
    eprintln!("analysed / skipped per class: {by_class:?}");
    let mut classes: Vec<&str> = silent.iter().map(|(class, ..)| *class).collect();
    classes.dedup();
    assert!(
        silent.is_empty(),
        "read as prose, silently, in the classes {classes:?}:\n{silent:#?}"
    );
}

/// Prose that starts with a statement keyword but names no table where SQL names one stays
/// prose (no false alarm on messages).
#[test]
fn prose_that_starts_with_a_statement_keyword_stays_prose() {
    let (test, prod) = (snapshot("test"), snapshot("prod"));
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    for prose in [
        "Lock the account before editing",
        "Create the contact first",
        "Copy the account details",
        "Do not delete the contact",
        "With the account selected, press Save",
        "Table of contents",
        "Lock the account, contact and lead records first",
        "Select the account from the list",
        "Update the contact when the account changes",
        "Delete old contact rows? (see 'from account' below)",
        "Delete this contact? It is removed from account lists too.",
    ] {
        let text = format!("fn f() -> &'static str {{ {prose:?} }}\n");
        let checks = sqlcheck::check(&scan_sources(&[("src/lib.rs", &text)]), &context);
        assert!(checks.findings.is_empty(), "{prose}: {:?}", checks.findings);
    }
}

/// The real build over a generated crate (`skipped = "error"`, so that a skipped string fails
/// the build where `check` reports it): every error `check` reports at such a string is an
/// error of the build with the same message at the same place, and the build has no other.
#[test]
fn generated_keyword_statements_fail_the_build_where_check_fails() {
    use hc_schema_snapshot::config::Project;
    use hc_schema_snapshot::scan::scan;
    use hc_schema_snapshot::sqlcheck::Severity;
    use hc_schema_tests::cargo::TempCrate;
    let mut rng = Rng::seeded(0x005e_e020_6275_696c);
    let mut text = String::from("use hc_schema_macro::hc_requires;\n\n");
    let mut calls = Vec::new();
    for (n, (_, templates)) in CLASSES.iter().enumerate() {
        let sql = statement(&mut rng, templates);
        text.push_str(&format!(
            "#[hc_requires(account(sfid))]\npub fn f{n}() -> &'static str {{\n    {sql:?}\n}}\n\n"
        ));
        calls.push(format!("f{n}()"));
    }
    text.push_str(&format!(
        "fn main() {{\n    let _all = [{}];\n}}\n",
        calls.join(", ")
    ));
    let krate = TempCrate::new(
        "sql_keywords_build",
        &["test-snapshot"],
        &[
            ("src/main.rs", &text),
            ("hc-schema/test.json", &snapshot("test").to_json()),
            ("hc-schema.toml", "[check]\nskipped = \"error\"\n"),
        ],
    );
    let dir = krate.path();
    let project = Project::discover(dir).unwrap();
    let test = snapshot("test");
    let checks = sqlcheck::check_project(&scan(dir, dir, &[]), &project.config, &[("test", &test)]);
    let config = &project.config.check;
    let errors: Vec<_> = checks
        .findings
        .iter()
        .filter(|f| f.kind.severity(config) == Some(Severity::Error))
        .collect();
    assert!(errors.len() >= 5, "{:#?}\n{text}", checks.findings);
    let (ok, stderr) = krate.build(&["--features", "test-snapshot"], &[]);
    assert!(!ok);
    for finding in &errors {
        let message = finding.explanation.message.replace('\n', "\n       ");
        assert!(
            stderr.contains(&format!("error: {message}")),
            "not in the build: {message}\n{stderr}\n{text}"
        );
        assert!(
            stderr.contains(&format!(
                "--> {}:{}:{}",
                finding.file, finding.line, finding.column
            )),
            "{finding:?}\n{stderr}"
        );
    }
    let built = stderr.matches("\nerror: ").count() + usize::from(stderr.starts_with("error: "));
    assert_eq!(
        built,
        errors.len() + 1,
        "and rustc's \"could not compile\":\n{stderr}"
    );
}

/// `TABLE t` is `SELECT * FROM t`: over generated statements (table names, casing, comments,
/// statements around it, in or outside an annotated item), `check` reads it as it reads
/// `SELECT * FROM t`: the same findings' kinds and the same `star` uses ("possibly used"),
/// never a skipped note.
#[test]
fn generated_table_statements_read_as_select_star() {
    let (test, prod) = (snapshot("test"), snapshot("prod"));
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let mut rng = Rng::seeded(0x7ab1_e020_0000_0006);
    let mut stars = 0;
    for _ in 0..60 {
        let table = rng.pick(&[
            "account",
            "contact",
            "salesforce.account",
            "SalesForce.Contact",
            "ACCOUNT",
        ]);
        let word = rng.pick(&["TABLE", "table", "Table"]);
        let before = rng.pick(&["", "/* c */ ", "-- all\n", "BEGIN; "]);
        let after = rng.pick(&["", ";", "; COMMIT"]);
        let annotated = rng.chance();
        let file = |sql: &str| {
            let item = format!("fn f() -> &'static str {{ {sql:?} }}\n");
            if annotated {
                format!("use hc_schema_macro::hc_requires;\n#[hc_requires(lead(sfid))]\n{item}")
            } else {
                item
            }
        };
        let as_table = format!("{before}{word} {table}{after}");
        let as_select = format!("{before}SELECT * FROM {table}{after}");
        let read = |sql: &str| {
            let scan = scan_sources(&[("src/lib.rs", &file(sql))]);
            let checks = sqlcheck::check(&scan, &context);
            let kinds: Vec<SqlFindingKind> = checks.findings.iter().map(|f| f.kind).collect();
            let uses = checks.uses(&scan);
            let starred: Vec<String> = uses.stars.iter().map(|s| s.table.clone()).collect();
            (kinds, starred)
        };
        let (kinds, starred) = read(&as_table);
        assert!(
            !kinds.contains(&SqlFindingKind::Skipped),
            "{as_table:?}: {kinds:?}"
        );
        assert_eq!((kinds, starred.clone()), read(&as_select), "{as_table:?}");
        assert_eq!(starred.len(), 1, "{as_table:?}");
        stars += 1;
    }
    assert_eq!(stars, 60);
}
