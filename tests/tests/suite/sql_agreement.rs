//! `hc_sql!` and `hc-schema check` agree on generated crates: the requirements the macro
//! registers (each name at its position: inside raw and escape-free literals, at the literal
//! otherwise) are the ones the scan's SQL checks find, and every compile error of a failing
//! query is a finding of the check with the same text (queries with `missing_ok(...)`
//! allowances included: what one allows passes both), a column whose type drifts between the
//! snapshots (read by `hc_sql!` without a Rust type) included.

use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::manifest::{check_usages, Manifest, Origin, Problem};
use hc_schema_snapshot::scan::{scan, Scan};
use hc_schema_snapshot::sqlcheck::{self, SqlChecks};
use hc_schema_snapshot::typecheck;
use hc_schema_snapshot::Snapshot;
use hc_schema_tests::cargo::{snapshot_json, TempCrate};
use hc_schema_tests::rng::Rng;

const ACCOUNT: &[&str] = &["sfid", "name", "type", "billingcity", "isdeleted"];
const CONTACT: &[&str] = &["sfid", "email", "lastname"];

/// One statement on the snapshots' tables, its words separated by `SP` (replaced by the
/// literal form's whitespace).
fn statement(rng: &mut Rng, failing: bool) -> String {
    let schema = rng.pick(&["", "salesforce.", "SalesForce."]);
    let a = rng.pick(ACCOUNT);
    let b = rng.pick(ACCOUNT);
    let c = rng.pick(CONTACT);
    if failing && rng.below(3) == 0 {
        // SQL errors: a parse error, an ambiguous column, an unknown qualifier.
        return rng
            .pick(&[
                "SELECTSPnameSPFROMSPsalesforce.accountSPWHERE",
                "SELECTSPsfidSPFROMSPaccountSPaSPJOINSPcontactSPcSPONSPc.accountidSP=SPa.sfid",
                "SELECTSPx.nameSPFROMSPaccountSPa",
                "SELECTSPnameSPFROMSPaccount;SPSELECTSP1",
                // Issue 20: a computed key into a whole row's JSON, a row type passed on, a
                // COPY without a column list.
                "SELECTSPto_jsonb(a)SP->>SP$1SPFROMSPaccountSPa",
                "SELECTSP*SPFROMSPjsonb_populate_record(NULL::salesforce.account,SP$1)",
                "COPYSPsalesforce.contactSPFROMSPSTDIN",
            ])
            .to_string();
    }
    let missing = if failing { "loyalty_tier__c" } else { a };
    let shapes = [
        format!("SELECTSP{a},SP{missing}SPFROMSP{schema}accountSPWHERESP{b}SP=SP$1"),
        format!(
            "SELECTSPa.{a},SPc.{c}SPFROMSP{schema}accountSPaSPJOINSP{schema}contactSPcSPONSPc.accountidSP=SPa.sfid"
        ),
        format!(
            "UPDATESP{schema}contactSPSETSP{}SP=SP$1SPWHERESP{c}SP=SP$2",
            rng.pick(&["email", "lastname"])
        ),
        format!("SELECTSP'é',SP{a}SPFROMSPaccountSPGROUPSPBYSP{a}"),
        format!("WITHSPtSPASSP(SELECTSP{a},SP{b}SPFROMSP{schema}account)SPSELECTSP{b}SPFROMSPt"),
        format!("DELETESPFROMSP{schema}contactSPWHERESP{c}SPISSPNULL"),
        "SELECTSPkeySPFROMSPapp_settings".to_string(),
        // Issue 20: statements that run a statement, output names in DISTINCT ON, JSON keys
        // of a whole row, a field of a row type value, COPY with a column list.
        format!("EXPLAINSPANALYZESPSELECTSP{a},SP{missing}SPFROMSP{schema}account"),
        format!(
            "SELECTSPDISTINCTSPONSP(acct)SPc.accountidSPASSPacct,SPc.{c}SPFROMSP{schema}contactSPcSPORDERSPBYSPacct"
        ),
        format!("SELECTSPto_jsonb(a)SP->>SP'{missing}'SPFROMSP{schema}accountSPa"),
        format!("SELECTSP($1::salesforce.account).{missing}"),
        format!("COPYSP{schema}contactSP({c})SPTOSPSTDOUT"),
    ];
    shapes[rng.below(shapes.len())].clone()
}

/// The statement written as a Rust string literal of a random form.
fn literal(rng: &mut Rng, sql: &str) -> String {
    match rng.below(6) {
        // Plain, no escape: exact positions.
        0 => format!("\"{}\"", sql.replace("SP", " ")),
        // Raw, on several lines.
        1 => format!("r#\"\n    {}\n\"#", sql.replace("SP", "\n      ")),
        2 => format!("r\"{}\"", sql.replace("SP", " ")),
        // Escapes: positions at the literal.
        3 => format!("\"{}\"", sql.replace("SP", "\\n  ")),
        4 => format!("\"{}\"", sql.replace("SP", " \\\n     ")),
        _ => format!("\"\\t{}\"", sql.replace("SP", "\\u{20}")),
    }
}

/// A generated crate's `main.rs`: `count` hc_sql! calls in several forms (a const, a local,
/// a trailing comma, a path, an alias), and a main that prints the registry.
fn source(rng: &mut Rng, count: usize, failing: bool) -> String {
    let mut text =
        String::from("use hc_schema_macro::hc_sql;\nuse hc_schema_macro::hc_sql as query;\n\n");
    let mut names = Vec::new();
    for n in 0..count {
        let sql = statement(rng, failing);
        let mut lit = literal(rng, &sql);
        // A query reading the column prod lacks may carry an allowance: one that covers it
        // in prod, one for another environment, or one for a column the query does not use.
        if sql.contains("loyalty_tier__c") && rng.below(4) != 0 {
            let allowance = rng.pick(&[
                "missing_ok(prod, account(loyalty_tier__c), reason = \"tiers flag\")",
                "missing_ok(prod, Account(Loyalty_Tier__c), reason = \"tiers flag\")",
                "missing_ok(test, account(loyalty_tier__c), reason = \"tiers flag\")",
                "missing_ok(prod, contact(email), reason = \"not this query's\")",
            ]);
            lit = format!("{lit},\n    {allowance}");
        }
        let call = match rng.below(4) {
            0 => format!("hc_sql!({lit})"),
            1 => format!("hc_sql!({lit},)"),
            2 => format!("hc_schema_macro::hc_sql!({lit})"),
            _ => format!("query!({lit})"),
        };
        text.push_str(&format!("pub const Q{n}: &str = {call};\n"));
        names.push(format!("Q{n}"));
    }
    text.push_str(&format!(
        "\nfn main() {{\n    let _all = [{}];\n    let usages = hc_schema_snapshot::registry::usages();\n    println!(\"{{:#}}\", hc_schema_snapshot::manifest::Manifest::from_usages(&usages).to_json());\n}}\n",
        names.join(", ")
    ));
    text
}

/// A crate with the registry on; test maps everything, prod lacks `account.loyalty_tier__c`;
/// with `drift`, `account.billingcity` is `character varying(40)` in test but `double
/// precision` in prod (no Rust type reads both), `account.name` `character varying(80)` in
/// test but `text` in prod (`String` reads both: no drift).
fn krate(name: &str, main: &str, drift: bool) -> TempCrate {
    let columns: Vec<&str> = ACCOUNT.iter().copied().chain(["accountid"]).collect();
    let mut with_tier = columns.clone();
    with_tier.push("loyalty_tier__c");
    let contact: Vec<&str> = CONTACT.iter().copied().chain(["accountid"]).collect();
    let test = snapshot_json("test", &[("account", &with_tier), ("contact", &contact)]).replace(
        "\"contact\": {",
        "\"contact\": { \"access\": \"read_write\",",
    );
    let prod = snapshot_json("prod", &[("account", &columns), ("contact", &contact)]).replace(
        "\"contact\": {",
        "\"contact\": { \"access\": \"read_write\",",
    );
    let typed = |text: String, city: &str, name: &str| {
        if !drift {
            return text;
        }
        text.replacen(
            "\"billingcity\": {}",
            &format!("\"billingcity\": {{ \"type\": \"{city}\" }}"),
            1,
        )
        .replacen(
            "\"name\": {}",
            &format!("\"name\": {{ \"type\": \"{name}\" }}"),
            1,
        )
    };
    let test = typed(test, "character varying(40)", "character varying(80)");
    let prod = typed(prod, "double precision", "text");
    TempCrate::new(
        name,
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", main),
            ("hc-schema/test.json", &test),
            ("hc-schema/prod.json", &prod),
            ("hc-schema.toml", "[registry]\nenabled = true\n"),
        ],
    )
}

/// The scan and SQL checks of a crate, as `hc-schema check` runs them.
fn checked(krate: &TempCrate) -> (Scan, SqlChecks, Project) {
    let dir = krate.path();
    let scan = scan(dir, dir, &[]);
    let project = Project::discover(dir).unwrap();
    let snapshots: Vec<(String, Snapshot)> = project
        .available_envs()
        .into_iter()
        .map(|env| {
            let snapshot = Snapshot::load(&project.snapshot_path(&env)).unwrap();
            (env, snapshot)
        })
        .collect();
    let snapshots: Vec<(&str, &Snapshot)> =
        snapshots.iter().map(|(e, s)| (e.as_str(), s)).collect();
    let checks = sqlcheck::check_project(&scan, &project.config, &snapshots);
    (scan, checks, project)
}

#[test]
fn generated_hc_sql_crates_the_registry_equals_the_scan() {
    let mut rng = Rng::seeded(0x0a11_ce5e_ed00_0001);
    let main = source(&mut rng, 48, false);
    let krate = krate("sql_agree_ok", &main, false);
    let (ok, out) = krate.run(&["--features", "test-snapshot"]);
    assert!(ok, "{out}\n{main}");
    let compiled: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (scan, checks, _) = checked(&krate);
    assert!(checks.findings.is_empty(), "{:#?}", checks.findings);
    assert_eq!(checks.stats.queries, 48);
    let scanned = Manifest::from_usages(&checks.all_usages(&scan)).to_json();
    assert_eq!(compiled, scanned, "{main}");
    assert!(compiled["requirements"].as_array().unwrap().len() == 2);
}

#[test]
fn generated_failing_hc_sql_every_compile_error_is_a_check_finding() {
    let mut rng = Rng::seeded(0x0a11_ce5e_ed00_0002);
    let main = source(&mut rng, 50, true);
    let krate = krate("sql_agree_fail", &main, true);
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok, "built:\n{main}");
    let (scan, checks, _) = checked(&krate);
    // rustc prints a message's later lines indented under `error: `.
    // (and shows a tab as four spaces).
    let as_printed = |text: &str| {
        format!(
            "error: {}",
            text.replace('\n', "\n       ").replace('\t', "    ")
        )
    };
    let mut expected = 0;
    for finding in checks.errors() {
        let text = as_printed(&finding.explanation.to_string());
        assert!(
            stderr.contains(&text),
            "not in the build's errors:\n{text}\n\n{stderr}\n{main}"
        );
        assert!(
            stderr.contains(&format!(
                "--> {}:{}:{}",
                finding.file, finding.line, finding.column
            )),
            "{finding:?}\n{stderr}"
        );
        expected += 1;
    }
    // The missing columns, in prod, as the macro words and places them.
    let dir = krate.path();
    let prod = Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
    let test = Snapshot::load(&dir.join("hc-schema/test.json")).unwrap();
    let prod_t = Target::env("prod", "hc-schema/prod.json", &prod);
    let test_t = Target::env("test", "hc-schema/test.json", &test);
    let usages = checks.all_usages(&scan);
    // A problem `check` finds is in the build's errors, worded and placed as `check` words
    // and places it (the place within the SQL as the first note).
    let assert_in_build = |problem: &Problem<'_>| {
        let mut explanation = explain(&problem.finding, &prod_t, &[prod_t, test_t]);
        let place = checks
            .place(&scan, problem.usage, &problem.finding)
            .unwrap();
        explanation.notes.insert(0, place);
        let text = as_printed(&explanation.to_string());
        assert!(
            stderr.contains(&text),
            "not in the build's errors:\n{text}\n\n{stderr}"
        );
    };
    let mut allowed = 0;
    for problem in check_usages(&usages, "prod", &prod) {
        assert_eq!(problem.usage.origin, Origin::Sql);
        if !problem.fails(false) {
            allowed += 1; // an hc_sql! allowance: the build passes it too
            continue;
        }
        assert_in_build(&problem);
        expected += 1;
    }
    // The drifting column, read without a Rust type: one error per use, worded and placed as
    // `check` words and places it (whatever the selection: prod's build here).
    let known = [
        ("prod", "hc-schema/prod.json", &prod),
        ("test", "hc-schema/test.json", &test),
    ];
    let mut drifted = 0;
    for problem in typecheck::check_drift(&usages, &known) {
        assert_in_build(&problem);
        expected += 1;
        drifted += 1;
    }
    assert!(drifted >= 1, "no read of the drifting column generated");
    assert!(
        !stderr.contains("`account.name` is"),
        "varchar vs text is no drift:\n{stderr}"
    );
    assert!(
        expected >= 10,
        "too few failing queries generated: {expected}"
    );
    let unused = checks
        .errors()
        .filter(|f| f.explanation.message.contains("is not used by this query"))
        .count();
    assert!(
        allowed >= 2 && unused >= 1,
        "too few allowances generated: {allowed} allowed, {unused} unused\n{main}"
    );
    assert_eq!(
        stderr.matches("\nerror: ").count() + usize::from(stderr.starts_with("error: ")),
        expected + 1, // and rustc's "could not compile"
        "{stderr}"
    );
}

/// One SQL string for an annotated function declaring `account(sfid, name)` and `write
/// contact(email)`: declared uses, uses it does not declare (`billingcity`, mapped
/// everywhere; `loyalty_tier__c`, which prod lacks), writes, SQL on no Heroku Connect table,
/// prose; as a plain string or a `format!` string.
fn annotated_string(rng: &mut Rng) -> (String, bool) {
    let column = rng.pick(&["name", "sfid", "billingcity", "loyalty_tier__c", "type"]);
    let schema = rng.pick(&["", "salesforce.", "{schema}."]);
    let sql = rng.pick(&[
        "SELECTSPsfid,SPnameSPFROMSP{s}accountSPWHERESPNOTSPisdeleted",
        "SELECTSPa.{c}SPFROMSP{s}accountSPa",
        "UPDATESP{s}contactSPSETSPemailSP=SP$1SPWHERESPsfidSP=SP$2",
        "UPDATESP{s}contactSPSETSPlastnameSP=SP$1",
        "BEGIN;SPSELECTSP{c}SPFROMSP{s}account;SPCOMMIT",
        "SELECTSPkeySPFROMSPapp_settings",
        "SelectSPtheSProwsSPfromSPtheSPlist",
        "TRUNCATESP{s}contact",
        "SELECTSPto_jsonb(a)SPFROMSP{s}accountSPa",
    ]);
    let sql = sql.replace("{c}", column).replace("{s}", schema);
    let format = sql.contains("{schema}");
    (sql, format)
}

/// A crate's `main.rs` of `count` annotated functions, each holding a few SQL strings.
fn annotated_source(rng: &mut Rng, count: usize) -> String {
    let mut text = String::from("use hc_schema_macro::hc_requires;\n\n");
    let mut calls = Vec::new();
    for n in 0..count {
        let mut strings = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (sql, format) = annotated_string(rng);
            if format {
                strings.push(format!("format!(\"{}\")", sql.replace("SP", " ")));
            } else {
                strings.push(format!("{}.to_string()", literal(rng, &sql)));
            }
        }
        text.push_str(&format!(
            "#[hc_requires(account(sfid, name), write contact(email))]\npub fn f{n}(schema: &str) -> Vec<String> {{\n    let _ = schema;\n    vec![\n        {},\n    ]\n}}\n\n",
            strings.join(",\n        ")
        ));
        calls.push(format!("f{n}(\"salesforce\")"));
    }
    text.push_str(&format!(
        "fn main() {{\n    let _all = [{}];\n    let usages = hc_schema_snapshot::registry::usages();\n    println!(\"{{:#}}\", hc_schema_snapshot::manifest::Manifest::from_usages(&usages).to_json());\n}}\n",
        calls.join(", ")
    ));
    text
}

/// Issue 20 item 3: the build reads the SQL strings of annotated items as `hc-schema check`
/// does. Over generated crates: every error `check` reports at such a string (a use the
/// annotation does not declare, and each such use a selected snapshot lacks, whatever
/// `undeclared` says) is an error of the build with the same text, and the build has no
/// other; with `undeclared = "warn"` only the missing columns fail; and the registry holds
/// exactly the uses `check` counts, for the release phase.
#[test]
fn generated_strings_in_annotated_items_fail_the_build_where_check_fails() {
    for (round, warn) in [(0u64, false), (1, true)] {
        let mut rng = Rng::seeded(0x0a11_ce5e_ed00_0020 + round);
        let main = annotated_source(&mut rng, 24);
        build_agrees_with_check(&format!("sql_agree_strings_{round}"), &main, warn);
    }
}

/// A crate's `main.rs` of `count` functions holding SQL strings, each inside nested
/// annotations: a method of an `impl` annotated with `account(billingcity)`, or a function
/// under two attributes (`account(billingcity)` outside), or a lone annotated function. The
/// annotations are written directly, through an alias (`needs`, and `req`, an alias of the
/// alias), or inside `cfg_attr` (whose predicate holds or not: `check` counts a nested
/// annotation whatever its predicate).
fn nested_source(rng: &mut Rng, count: usize) -> String {
    let mut text = String::from(
        "use hc_schema_macro::hc_requires;\nuse hc_schema_macro::hc_requires as needs;\nuse needs as req;\n\n",
    );
    let mut calls = Vec::new();
    let declared = "account(sfid, name), write contact(email)";
    let own_forms = [
        "#[hc_requires({d})]",
        "#[needs({d})]",
        "#[req({d})]",
        "#[cfg_attr(all(), hc_requires({d}))]",
        "#[cfg_attr(any(), needs({d}))]",
        "#[cfg_attr(any(), allow(dead_code), cfg_attr(all(), hc_requires({d})))]",
        "#[cfg_attr(not(any()), inline, req({d}), allow(unused))]",
    ];
    let outer_forms = [
        "#[hc_requires(account(billingcity))]",
        "#[needs(account(billingcity))]",
        "#[cfg_attr(all(), hc_requires(account(billingcity)))]",
    ];
    for n in 0..count {
        let own = rng.pick(&own_forms).replace("{d}", declared);
        let outer = rng.pick(&outer_forms);
        let lone = format!("#[hc_requires({declared})]");
        let mut strings = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (sql, format) = annotated_string(rng);
            if format {
                strings.push(format!("format!(\"{}\")", sql.replace("SP", " ")));
            } else {
                strings.push(format!("{}.to_string()", literal(rng, &sql)));
            }
        }
        let body = format!(
            "(schema: &str) -> Vec<String> {{\n    let _ = schema;\n    vec![\n        {},\n    ]\n}}",
            strings.join(",\n        ")
        );
        match rng.below(3) {
            0 => {
                text.push_str(&format!(
                    "pub struct S{n};\n{outer}\nimpl S{n} {{\n{own}\npub fn f{body}\n}}\n\n"
                ));
                calls.push(format!("S{n}::f(\"salesforce\")"));
            }
            1 => {
                text.push_str(&format!("{outer}\n{own}\npub fn f{n}{body}\n\n"));
                calls.push(format!("f{n}(\"salesforce\")"));
            }
            _ => {
                text.push_str(&format!("{lone}\npub fn f{n}{body}\n\n"));
                calls.push(format!("f{n}(\"salesforce\")"));
            }
        }
    }
    text.push_str(&format!(
        "fn main() {{\n    let _all = [{}];\n    let usages = hc_schema_snapshot::registry::usages();\n    println!(\"{{:#}}\", hc_schema_snapshot::manifest::Manifest::from_usages(&usages).to_json());\n}}\n",
        calls.join(", ")
    ));
    text
}

/// Nested annotations in the build: a string inside a method of an annotated `impl`, or
/// under two `#[hc_requires]` on one item, is judged against every enclosing annotation, as
/// `check` judges it. Over generated crates: the build's errors are `check`'s, and the
/// registry holds exactly the uses `check` counts.
#[test]
fn generated_nested_annotations_fail_the_build_where_check_fails() {
    for (round, warn) in [(0u64, false), (1, true)] {
        let mut rng = Rng::seeded(0x0a11_ce5e_ed00_0040 + round);
        let main = nested_source(&mut rng, 20);
        build_agrees_with_check(&format!("sql_agree_nested_{round}"), &main, warn);
    }
}

/// The crate `name` of `main`: `check` and the build against prod and test agree (see
/// [`generated_strings_in_annotated_items_fail_the_build_where_check_fails`]).
fn build_agrees_with_check(name: &str, main: &str, warn: bool) {
    let as_printed = |text: &str| {
        format!(
            "error: {}",
            text.replace('\n', "\n       ").replace('\t', "    ")
        )
    };
    let errors_in = |stderr: &str| {
        stderr.matches("\nerror: ").count() + usize::from(stderr.starts_with("error: "))
    };
    {
        let krate = krate(name, main, false);
        let config = if warn {
            "[registry]\nenabled = true\n[check]\nundeclared = \"warn\"\n"
        } else {
            "[registry]\nenabled = true\n"
        };
        krate.write("hc-schema.toml", config);
        let (scan, checks, project) = checked(&krate);
        assert_eq!(project.config.check.undeclared.fails(), !warn);
        let uses = checks.uses(&scan);
        let dir = krate.path();
        for env in ["prod", "test"] {
            let (ok, stderr) = krate.build(&["--features", &format!("{env}-snapshot")], &[]);
            let mut expected = 0;
            if !warn {
                for finding in checks
                    .findings
                    .iter()
                    .filter(|f| f.kind == sqlcheck::SqlFindingKind::Undeclared)
                {
                    let text = as_printed(&finding.explanation.to_string());
                    assert!(
                        stderr.contains(&text),
                        "{env}: not in the build:\n{text}\n\n{stderr}\n{main}"
                    );
                    assert!(
                        stderr.contains(&format!(
                            "--> {}:{}:{}",
                            finding.file, finding.line, finding.column
                        )),
                        "{finding:?}\n{stderr}"
                    );
                    expected += 1;
                }
            }
            let snapshot = Snapshot::load(&dir.join(format!("hc-schema/{env}.json"))).unwrap();
            let display = format!("hc-schema/{env}.json");
            let target = Target::env(env, &display, &snapshot);
            let prod = Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
            let test = Snapshot::load(&dir.join("hc-schema/test.json")).unwrap();
            let known = [
                Target::env("prod", "hc-schema/prod.json", &prod),
                Target::env("test", "hc-schema/test.json", &test),
            ];
            let strings: Vec<_> = uses.strings().cloned().collect();
            for problem in check_usages(&strings, env, &snapshot) {
                assert!(problem.fails(false));
                let mut explanation = explain(&problem.finding, &target, &known);
                explanation
                    .notes
                    .insert(0, sqlcheck::STRING_NOTE.to_string());
                let text = as_printed(&explanation.to_string());
                assert!(
                    stderr.contains(&text),
                    "{env}: not in the build:\n{text}\n\n{stderr}"
                );
                expected += 1;
            }
            if expected == 0 {
                assert!(ok, "{env}: {stderr}\n{main}");
            } else {
                assert_eq!(errors_in(&stderr), expected + 1, "{env}: {stderr}");
            }
            if env == "prod" {
                // With `undeclared = "warn"` only the columns prod lacks fail.
                let least = if warn { 1 } else { 5 };
                assert!(
                    expected >= least,
                    "too few failing strings generated: {expected}\n{main}"
                );
            }
        }
        if warn {
            // Built against test (which maps everything): the registry holds every use.
            let (ok, out) = krate.run(&["--features", "test-snapshot"]);
            assert!(ok, "{out}");
            let compiled: serde_json::Value = serde_json::from_str(&out).unwrap();
            let counted = Manifest::from_usages(&uses.usages).to_json();
            assert_eq!(compiled, counted, "{main}");
            assert!(uses.strings().count() >= 5);
        }
    }
}

// ---- hc_query!'s own type errors (issue 21): the build's and check's, the same ----

/// A typed snapshot of `account`: every column typed, `id` NOT NULL; `billingcity` is
/// `character varying(40)` in test but `double precision` in prod (no Rust type reads both),
/// `name` `character varying(80)` in test but `text` in prod (`String` reads both).
fn typed_account(env: &str) -> String {
    let (city, name) = if env == "test" {
        ("character varying(40)", "character varying(80)")
    } else {
        ("double precision", "text")
    };
    let columns = [
        ("sfid", "character varying(18)"),
        ("name", name),
        ("billingcity", city),
        ("isdeleted", "boolean"),
        ("annualrevenue", "double precision"),
    ];
    let mut lines = vec![
        "\"id\": { \"type\": \"integer\", \"nullable\": false, \"system\": true }".to_string(),
    ];
    for (column, ty) in columns {
        lines.push(format!("\"{column}\": {{ \"type\": \"{ty}\" }}"));
    }
    format!(
        "{{ \"format\": 1, \"environment\": \"{env}\", \"schema\": \"salesforce\", \"tables\": {{ \
         \"account\": {{ \"access\": \"read_write\", \"columns\": {{ {} }} }} }} }}\n",
        lines.join(", ")
    )
}

/// One `hc_query!` with exactly one type error class (`QQ` for a double quote, `SP` between
/// words), and the number of arguments to pass: the `index`th class for the first calls (so
/// that every class is generated whatever the seed), a random one after them.
fn failing_typed_query(rng: &mut Rng, index: usize) -> (String, usize) {
    let schema = rng.pick(&["", "salesforce."]);
    let (sql, args) = match FAILING_TYPED.get(index) {
        Some(&case) => case,
        None => rng.pick(FAILING_TYPED),
    };
    (sql.replace("{s}", schema), args)
}

/// The type error classes of [`failing_typed_query`].
const FAILING_TYPED: &[(&str, usize)] = &[
        // Drift between the two snapshots, read and compared.
        ("SELECTSPbillingcitySPFROMSP{s}account", 0),
        (
            "SELECTSPa.nameSPFROMSP{s}accountSPaSPWHERESPa.billingcitySP=SP$1",
            1,
        ),
        // An alias type hc-schema does not know, one that does not read the column.
        ("SELECTSPnameSPASSPQQn:SPmy::MoneyQQSPFROMSP{s}account", 0),
        ("SELECTSPisdeletedSPASSPQQd:SPf64QQSPFROMSP{s}account", 0),
        // `*`, an unnamed output, two outputs with one name.
        ("SELECTSP*SPFROMSP{s}account", 0),
        ("SELECTSPnameSP||SP'x'SPFROMSP{s}account", 0),
        ("SELECTSPname,SPsfidSPASSPnameSPFROMSP{s}account", 0),
        // A parameter whose type cannot be inferred; the wrong argument count.
        ("SELECTSPnameSPFROMSP{s}accountSPWHERESP$1SPISSPNULL", 1),
        ("SELECTSPnameSPFROMSP{s}accountSPWHERESPsfidSP=SP$1", 0),
        ("SELECTSPnameSPFROMSP{s}accountSPWHERESPsfidSP=SP$1", 3),
        ("UPDATESP{s}accountSPSETSPnameSP=SP$1", 2),
        // The drifting column used without a Rust type (compared, read inside a CTE): the
        // drift rule of hc_sql! (attacker finding F1 of round 3: both passed).
        (
            "SELECTSPa.nameSPASSPnSPFROMSP{s}accountSPaSPWHERESPa.billingcitySP>SP1.5",
            0,
        ),
        (
            "WITHSPwSPASSP(SELECTSPbillingcitySPFROMSP{s}account)SPSELECTSPw.billingcitySPASSPQQc:SPStringQQSPFROMSPw",
            0,
        ),
        // A parameter cast to a type outside the type table (attacker finding F2 of round 3).
        ("SELECTSPnameSPFROMSP{s}accountSPWHERESP$1::moneySPISSPNOTSPNULL", 1),
    ];

/// The statement as a Rust string literal of a random form.
fn typed_literal(rng: &mut Rng, sql: &str) -> String {
    match rng.below(3) {
        0 => format!("\"{}\"", sql.replace("SP", " ").replace("QQ", "\\\"")),
        1 => format!(
            "r#\"\n        {}\n    \"#",
            sql.replace("SP", "\n          ").replace("QQ", "\"")
        ),
        _ => format!("\"{}\"", sql.replace("SP", "\\n  ").replace("QQ", "\\\"")),
    }
}

/// A crate's `main.rs` of `count` failing `hc_query!` calls in several forms (a path, an
/// alias, the named form, arguments on their own lines).
fn typed_source(rng: &mut Rng, count: usize) -> String {
    let mut text = String::from(
        "use hc_schema_macro::hc_query;\nuse hc_schema_macro::hc_query as typed;\n\nfn main() {\n",
    );
    for index in 0..count {
        let (sql, args) = failing_typed_query(rng, index);
        let mut parts = vec![typed_literal(rng, &sql)];
        if rng.chance() {
            parts.insert(0, "Row".to_string());
        }
        for k in 0..args {
            parts.push(
                rng.pick(&["\"x\"", "1i64", "&[1, 2][..]", "Some(2.5)"])
                    .to_string()
                    + &" ".repeat(k % 2),
            );
        }
        let inner = if rng.chance() {
            parts.join(", ")
        } else {
            format!("\n        {},\n    ", parts.join(",\n        "))
        };
        let path = rng.pick(&["hc_query!", "hc_schema_macro::hc_query!", "typed!"]);
        text.push_str(&format!("    let _ = {path}({inner});\n"));
    }
    text.push_str("}\n");
    text
}

/// Issue 21: generated `hc_query!` calls with type errors (drift between the snapshots,
/// unknown and non-reading alias types, `*`, unnamed and duplicate outputs, a parameter
/// needing a cast, the wrong argument count) fail the build (in each environment) and
/// `check` with the same texts at the same places, and the build has no other error.
#[test]
fn generated_hc_query_type_errors_fail_the_build_and_check_alike() {
    let as_printed = |text: &str| {
        format!(
            "error: {}",
            text.replace('\n', "\n       ").replace('\t', "    ")
        )
    };
    let mut rng = Rng::seeded(0x0a11_ce5e_ed00_0021);
    let main = typed_source(&mut rng, 40);
    let krate = TempCrate::new(
        "sql_agree_typed",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", &main),
            ("hc-schema/test.json", &typed_account("test")),
            ("hc-schema/prod.json", &typed_account("prod")),
        ],
    );
    let (scan, mut checks, project) = checked(&krate);
    assert!(checks.errors().next().is_none(), "{:#?}", checks.findings);
    let dir = krate.path();
    let prod = Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
    let test = Snapshot::load(&dir.join("hc-schema/test.json")).unwrap();
    let known = [
        ("prod", "hc-schema/prod.json", &prod),
        ("test", "hc-schema/test.json", &test),
    ];
    let query_types = checks.add_typing(&scan, &project.config, &known);
    let errors: Vec<_> = checks.errors().collect();
    // The drifting column where no Rust type reads it: `check`'s drift problems of the
    // hc_query! uses, less the columns each call's typing judges (as `check` reports them).
    let usages = checks.all_usages(&scan);
    let prod_t = Target::env("prod", "hc-schema/prod.json", &prod);
    let test_t = Target::env("test", "hc-schema/test.json", &test);
    let drift: Vec<String> = typecheck::check_drift(&usages, &known)
        .into_iter()
        .filter(|problem| {
            let at = hc_schema_snapshot::scan::Position {
                line: problem.usage.table.line,
                column: problem.usage.table.column,
            };
            let (table, column) = match &problem.finding {
                hc_schema_snapshot::requirement::Finding::TypeDrift { table, column, .. } => {
                    (table.clone(), column.clone())
                }
                other => panic!("{other:?}"),
            };
            !scan.sql_macros.iter().enumerate().any(|(index, m)| {
                m.file == problem.usage.file
                    && m.extent.contains(at)
                    && query_types
                        .get(&index)
                        .is_some_and(|typed| typed.contains(&(table.clone(), column.clone())))
            })
        })
        .map(|problem| {
            let mut explanation = explain(&problem.finding, &prod_t, &[prod_t, test_t]);
            let place = checks
                .place(&scan, problem.usage, &problem.finding)
                .unwrap();
            explanation.notes.insert(0, place);
            as_printed(&explanation.to_string())
        })
        .collect();
    assert!(drift.len() >= 2, "no untyped drift generated\n{main}");
    assert!(
        errors.len() + drift.len() >= 40,
        "{} errors for 40 calls\n{main}",
        errors.len() + drift.len()
    );
    for class in [
        "no Rust type reads",
        "a Rust type hc-schema does not know",
        "does not read `account.isdeleted`",
        "`*` returns different columns",
        "has no name a struct field can have",
        "are both named `name`",
        "cannot be inferred from where it stands",
        "but hc_query! was given 3 argument(s)",
        "but hc_query! was given 0 argument(s)",
        "a type hc_query! cannot type-check",
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.explanation.to_string().contains(class)),
            "no `{class}` generated\n{main}"
        );
    }
    for env in ["prod", "test"] {
        let (ok, stderr) = krate.build(&["--features", &format!("{env}-snapshot")], &[]);
        assert!(!ok, "built:\n{main}");
        for finding in &errors {
            let text = as_printed(&finding.explanation.to_string());
            assert!(
                stderr.contains(&text),
                "{env}: not in the build's errors:\n{text}\n\n{stderr}\n{main}"
            );
            assert!(
                stderr.contains(&format!(
                    "--> {}:{}:{}",
                    finding.file, finding.line, finding.column
                )),
                "{env}: {finding:?}\n{stderr}\n{main}"
            );
        }
        for text in &drift {
            assert!(
                stderr.contains(text),
                "{env}: not in the build's errors:\n{text}\n\n{stderr}\n{main}"
            );
        }
        assert_eq!(
            stderr.matches("\nerror: ").count() + usize::from(stderr.starts_with("error: ")),
            errors.len() + drift.len() + 1, // and rustc's "could not compile"
            "{env}: {stderr}"
        );
    }
}
