//! The exit-code rule, per command (README table): 0 ok; 1 the check found a problem; 2 usage,
//! input or connection error, including a check of nothing and an incomplete source scan.
//! Also: every command rejects a `--format` it does not have (exit 2), never ignores it.

use crate::common;

use common::{hc, workspace, write, writes_workspace};

fn codes(dir: &std::path::Path, cases: &[(&[&str], i32)]) {
    for (args, expected) in cases {
        let run = hc(dir, args);
        assert_eq!(
            run.code,
            *expected,
            "hc-schema {}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn check_exit_codes() {
    let dir = workspace();
    let d = dir.path();
    codes(
        d,
        &[
            (&["check", "--env", "test"], 0),
            (&["check", "--env", "prod"], 1),
            (&["check", "--env", "nope"], 2),
            (&["check", "--env", "../escape"], 2),
            (&["check", "--format", "yaml"], 2),
            (&["check", "--bogus"], 2),
        ],
    );
    // A write to a read-only mapping is a problem (1); unknown access is a note (0) unless
    // --strict-access.
    let writes = writes_workspace();
    codes(
        writes.path(),
        &[
            (&["check", "--env", "prod"], 1),
            (&["check", "--env", "test"], 0),
        ],
    );
    codes(
        writes.path(),
        &[(&["check", "--env", "test", "--strict-access"], 1)],
    );
    write(
        writes.path(),
        "hc-schema.toml",
        "[check]\nstrict_access = true\n",
    );
    codes(writes.path(), &[(&["check", "--env", "test"], 1)]);
    // A malformed annotation is a finding (1); a file that does not parse makes the check
    // incomplete (2).
    write(d, "lib/src/bad.rs", "#[hc_requires(account)]\nfn f() {}\n");
    codes(d, &[(&["check", "--env", "test"], 1)]);
    write(
        d,
        "lib/src/bad.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn broken( {\n",
    );
    codes(d, &[(&["check", "--env", "test"], 2)]);
}

#[test]
fn a_check_of_nothing_is_an_error_unless_allowed() {
    let dir = workspace();
    let d = dir.path();
    std::fs::remove_file(d.join("app/src/main.rs")).unwrap();
    std::fs::remove_file(d.join("lib/src/lib.rs")).unwrap();
    write(d, "app/src/main.rs", "fn main() {}\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "nothing was checked: no #[hc_requires] annotation, hc_sql! query or SQL string in \
             the 1 Rust file under"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-empty"), "{}", run.stderr);
    let run = hc(d, &["check", "--allow-empty"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("hc-schema check ok: 0 requirement groups in 1 file"),
        "{}",
        run.stdout
    );
    // Everything excluded says so.
    write(
        d,
        "hc-schema.toml",
        "[check]\nexclude = [\"app\", \"lib\"]\n",
    );
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no Rust source file under")
            && run
                .stderr
                .contains("[check] exclude in hc-schema.toml skips: app, lib"),
        "{}",
        run.stderr
    );
}

#[test]
fn diff_exit_codes_and_fail_on() {
    let dir = workspace();
    let d = dir.path();
    codes(
        d,
        &[
            (&["diff", "test", "test"], 0),
            (&["diff", "test", "prod"], 1),
            (&["diff", "test", "prod", "--fail-on", "breaking"], 1),
            (&["diff", "test", "prod", "--fail-on", "never"], 2),
            (&["diff", "test", "prod", "--format", "github"], 2),
            (&["diff", "test", "missing"], 2),
            (&["diff", "test", ""], 2),
        ],
    );
    // Drift that no code needs: fails `any` (the default), passes `breaking`.
    std::fs::remove_file(d.join("app/src/main.rs")).unwrap();
    std::fs::remove_file(d.join("lib/src/lib.rs")).unwrap();
    write(
        d,
        "app/src/main.rs",
        "#[hc_requires(account(name))]\nfn main() {}\n",
    );
    codes(
        d,
        &[
            (&["diff", "test", "prod"], 1),
            (&["diff", "test", "prod", "--fail-on", "breaking"], 0),
        ],
    );
    let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
    assert!(
        run.stdout.ends_with(
            "2 deviations: 0 breaking, 2 harmless; 1 allowed by hc-schema.toml, 1 unexplained\n"
        ),
        "{}",
        run.stdout
    );
    // An incomplete scan cannot tell harmless from breaking.
    write(
        d,
        "app/src/broken.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn broken( {\n",
    );
    let run = hc(d, &["diff", "test", "prod", "--fail-on", "breaking"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("the result is incomplete"),
        "{}",
        run.stderr
    );
}

#[test]
fn usages_requirements_and_plan_exit_codes() {
    let dir = workspace();
    let d = dir.path();
    codes(
        d,
        &[
            // usages: 0 safe to unmap, 1 used (or possibly used), 2 cannot tell.
            (&["usages", "account.name"], 1),
            (&["usages", "account.nothing"], 0),
            (&["usages", "account."], 2),
            (&["usages", ""], 2),
            (&["usages", "account.name", "--format", "github"], 2),
            (&["requirements"], 0),
            (&["requirements", "--format", "json"], 0),
            (&["requirements", "--format", "github"], 2),
            (&["plan", "test"], 0),
            (&["plan", "prod"], 1),
            (&["plan", "prod", "--format", "github"], 2),
            (&["plan", "/abs/x"], 2),
            (&["plan", "missing"], 2),
            (&["import", "../escape", "--from", "x.json"], 2),
            (&["import", "/abs/x", "--from", "x.json"], 2),
            (&["import", "", "--from", "x.json"], 2),
        ],
    );
    write(
        d,
        "lib/src/broken.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn broken( {\n",
    );
    codes(
        d,
        &[
            (&["usages", "account.name"], 2),
            (&["requirements"], 2),
            (&["plan", "test"], 2),
        ],
    );
}

/// Never "safe" without evidence: where nothing was scanned (no Rust code: the folder where
/// the admin keeps exports, or Rust code that touches no Heroku Connect table), `usages` and
/// `plan` exit 2 like `check` ("nothing was checked"), and so does `diff --fail-on breaking`
/// (nothing is "harmless" then), unless `--allow-empty`.
#[test]
fn usages_and_plan_over_nothing_scanned_cannot_tell() {
    for sources in [
        &[][..],
        &[(
            "src/lib.rs",
            "pub fn add(a: u32, b: u32) -> u32 { a + b }
",
        )][..],
        &[(
            "src/main.rs",
            "fn main() { println!(\"SELECT 1\"); }
",
        )][..],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "hc-schema/test.json", common::TEST);
        write(d, "hc-schema/prod.json", common::PROD);
        for (path, text) in sources {
            write(
                d,
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
            );
            write(d, path, text);
        }
        for args in [
            &["usages", "account.name"][..],
            &["usages", "account"][..],
            &["plan", "prod"][..],
            &["check", "--env", "prod"][..],
            &["diff", "test", "prod", "--fail-on", "breaking"][..],
        ] {
            let run = hc(d, args);
            assert_eq!(
                run.code, 2,
                "{args:?} {sources:?}\n{}{}",
                run.stdout, run.stderr
            );
            assert!(
                run.stderr.contains("nothing was checked"),
                "{args:?}: {}",
                run.stderr
            );
            assert!(!run.stdout.contains("breaks no"), "{}", run.stdout);
            let mut allowed = args.to_vec();
            allowed.push("--allow-empty");
            let run = hc(d, &allowed);
            assert_eq!(run.code, 0, "{allowed:?}\n{}{}", run.stdout, run.stderr);
        }
    }
}

#[test]
fn refresh_and_verify_reject_bad_environment_names_before_connecting() {
    let dir = workspace();
    for args in [
        &[
            "refresh",
            "../escape",
            "--database-url",
            "postgres://127.0.0.1:1/x",
        ][..],
        &[
            "refresh",
            "",
            "--check",
            "--database-url",
            "postgres://127.0.0.1:1/x",
        ],
        &[
            "verify",
            "a/b",
            "--database-url",
            "postgres://127.0.0.1:1/x",
        ],
    ] {
        let run = hc(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not an environment name"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// Every command's `--format` lists exactly what it has: a format it lacks is exit 2 with the
/// list, never the human text.
#[test]
fn unsupported_formats_are_usage_errors() {
    let dir = workspace();
    for (args, has) in [
        (&["diff", "test", "prod"][..], "human, json"),
        (&["usages", "account"], "human, json"),
        (&["requirements"], "human, json"),
        (&["plan", "prod"], "human, json"),
        (&["check"], "human, json, github, sarif, markdown"),
    ] {
        let mut with = args.to_vec();
        with.extend(["--format", "xml"]);
        let run = hc(dir.path(), &with);
        assert_eq!(run.code, 2, "{with:?}");
        assert!(run.stdout.is_empty(), "{with:?}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("[possible values: {has}]")),
            "{with:?}: {}",
            run.stderr
        );
    }
}

/// Unguarded SQL that names a Heroku Connect table but cannot be read (its columns unknown):
/// `usages` cannot call any column safe (2), and with `unguarded = "warn"` the verdict says
/// what was not checked, never a plain "ok" (text and markdown).
#[test]
fn unread_unguarded_sql_is_never_safe_nor_plainly_ok() {
    let dir = workspace();
    let d = dir.path();
    for sql in [
        "SELECT name FROM salesforce.account WHERE loyalty_tier__c BETWEEN SYMMETRIC 1 AND 2",
        "TABLE ONLY salesforce.account",
    ] {
        write(
            d,
            "lib/src/lib.rs",
            &format!(
                "#[hc_schema_macro::hc_requires(Loyalty_Program__c(Name), account(name))]\n\
                 pub struct Program;\n\
                 pub fn q() -> &'static str {{ \"{sql}\" }}\n"
            ),
        );
        write(d, "hc-schema.toml", "");
        codes(d, &[(&["usages", "account.billingcity"], 2)]);
        write(d, "hc-schema.toml", "[check]\nunguarded = \"warn\"\n");
        let run = hc(d, &["check", "--env", "test"]);
        assert_eq!(run.code, 0, "{sql}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("ok with 1 SQL string not checked"),
            "{sql}: {}",
            run.stdout
        );
        let run = hc(d, &["check", "--env", "test", "--format", "markdown"]);
        assert!(
            run.stdout.contains("⚠️ ok with 1 SQL string not checked"),
            "{sql}: {}",
            run.stdout
        );
    }
}

/// `requirements` lists every use `usages`, `diff` and `check` count: a column read only by a
/// SQL string inside an annotated item is needed too.
#[test]
fn requirements_list_the_columns_of_sql_strings() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "lib/src/lib.rs",
        "#[hc_schema_macro::hc_requires(Loyalty_Program__c(Name), account(name))]\n\
         pub fn f() -> &'static str { \"SELECT name, billingcity FROM salesforce.account\" }\n",
    );
    let run = hc(d, &["requirements", "--format", "json"]);
    assert!(
        run.stdout.contains("billingcity"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let run = hc(d, &["requirements"]);
    assert!(
        run.stdout.contains("billingcity"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// A workspace root without `hc-schema.toml` whose member keeps its own `hc-schema/`: the
/// member's build reads `app/hc-schema/`, so a check at the root that read the root's
/// (leftover) snapshots would pass what the build fails. Every command that reads the code
/// says the two disagree (2); in the member, or with one config at the root, they agree.
#[test]
fn the_cli_reads_the_snapshots_the_builds_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let snapshot = |env: &str, columns: &str| {
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "salesforce", "tables": {{"account": {{"columns": {{{columns}}}}}}}}}"#
        )
    };
    write(d, "Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    write(
        d,
        "hc-schema/prod.json",
        &snapshot("prod", r#""name": {}, "tier__c": {}"#),
    );
    write(
        d,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.0.0\"\n",
    );
    write(
        d,
        "app/hc-schema/prod.json",
        &snapshot("prod", r#""name": {}"#),
    );
    write(
        d,
        "app/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(name, tier__c))]\npub fn f() {}\n",
    );
    for args in [
        &["check", "--env", "prod"][..],
        &["usages", "account.tier__c"],
        &["plan", "prod"],
        &["requirements"],
    ] {
        let run = hc(d, args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("read other snapshots than this command"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // In the member: its own snapshots, as its build reads them.
    let run = hc(&d.join("app"), &["check", "--env", "prod"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // One config at the root: the build and the CLI read the same directory.
    write(d, "hc-schema.toml", "snapshot_dir = \"app/hc-schema\"\n");
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}
