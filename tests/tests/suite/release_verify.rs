//! The release-phase backstop: the example binary's compiled-in registry, checked against a
//! real PostgreSQL; and the registry, `check`'s scan and the macro agreeing.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use hc_schema_snapshot::build::workspace_root;
use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::manifest::{check_usages, location, Manifest, Origin};
use hc_schema_snapshot::scan::{scan, Scan};
use hc_schema_snapshot::sqlcheck::{self, SqlChecks};
use hc_schema_snapshot::typecheck::check_declared;
use hc_schema_snapshot::Snapshot;
use hc_schema_tests::cargo::{cargo, nested_target, run, workspace, TempCrate};
use hc_schema_tests::fixtures::{
    hc_database, ADD_LOYALTY_TIER, OLD_LOYALTY_POINTS, REMAP_LOYALTY_POINTS,
};
use hc_schema_tests::pg::{self, PASSWORD};
use hc_schema_tests::proxy::{impostor, server_addr, Proxy, Silence};
use hc_schema_tests::secrets;

/// The example app, built once per test process.
fn app_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let mut command = cargo(&workspace());
            command.args(["build", "--quiet", "-p", "loyalty-app"]);
            let (output, stderr) = run(&mut command);
            assert!(
                output.status.success(),
                "building loyalty-app failed:\n{stderr}"
            );
            nested_target().join("debug/loyalty-app")
        })
        .clone()
}

fn app(args: &[&str], database_url: &str) -> (i32, String, String) {
    let output = Command::new(app_binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("run loyalty-app");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "password leaked:\n{stdout}{stderr}"
    );
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// What `check` reads in the example's sources: the scan, and the SQL checks with the
/// context the build script gives `hc_sql!` (the configured schemas, every snapshot's names).
fn example_sources() -> (Scan, SqlChecks) {
    let dir = workspace().join("examples/loyalty-app");
    let scan = scan(&dir, &workspace_root(&dir), &[]);
    let project = Project::discover(&dir).unwrap();
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
    (scan, checks)
}

#[test]
fn registry_of_the_binary_equals_what_check_finds_in_its_sources() {
    let (code, stdout, stderr) = app(&["requirements"], "unused");
    assert_eq!(code, 0, "{stderr}");
    let compiled: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let (scan, checks) = example_sources();
    assert!(checks.errors().next().is_none(), "{:?}", checks.findings);
    assert!(
        !checks.queries.is_empty(),
        "the hc_sql! queries are compared too"
    );
    let scanned = Manifest::from_usages(&checks.all_usages(&scan)).to_json();
    assert!(!compiled["requirements"].as_array().unwrap().is_empty());
    assert_eq!(compiled, scanned);
}

#[test]
fn verify_schema_in_the_release_phase() {
    let db = hc_database("release");
    let url = pg::url("postgres", &db, "sslmode=require");
    // prod as it was: loyalty_tier__c is not mapped, loyalty_points__c is the old Text column.
    pg::admin(&db).batch_execute(OLD_LOYALTY_POINTS).unwrap();
    let (code, _, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 1, "{stderr}");
    // Needed by the hc_query! (tier_report.rs) and by the annotation (tiers.rs).
    assert!(stderr.contains("`account.loyalty_tier__c` is not mapped, needed at:\n    examples/loyalty-app/src/tier_report.rs:32:14\n    examples/loyalty-app/src/tiers.rs:21:35"), "{stderr}");
    // The typed declaration (`Option<f64>`) cannot read prod's varchar.
    assert!(
        stderr.contains("`account.loyalty_points__c` is character varying(255) here"),
        "{stderr}"
    );
    // Mapped and remapped: the release may go on, and the app works.
    pg::admin(&db)
        .batch_execute(&format!("{ADD_LOYALTY_TIER}{REMAP_LOYALTY_POINTS}"))
        .unwrap();
    let (code, stdout, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        // 6 from the annotations, 3 from the hc_query! calls of tier_report.rs.
        stdout.starts_with("ok: all 9 requirement sites hold"),
        "{stdout}"
    );
    let (code, stdout, stderr) = app(&["points", "001000000000001AAA"], &url);
    assert_eq!((code, stdout.as_str()), (0, "1250\n"), "{stderr}");
    let (code, stdout, stderr) = app(&["tiers"], &url);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("001000000000001AAA\tAcme\tGold"),
        "{stdout}"
    );
    // A whole table unmapped.
    pg::admin(&db)
        .batch_execute("DROP TABLE salesforce.contact")
        .unwrap();
    let (code, _, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 1);
    assert!(stderr.contains("table `contact` is not mapped"), "{stderr}");
    // Wrong password, unreachable server, no URL: exit 2.
    let server = pg::server();
    let wrong = format!(
        "postgres://postgres:x{PASSWORD}@{}:{}/{db}",
        server.host, server.port
    );
    let (code, _, stderr) = app(&["verify-schema"], &wrong);
    assert_eq!(code, 2);
    assert!(stderr.contains("authentication failed"), "{stderr}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _, stderr) = app(
        &["verify-schema"],
        &format!("postgres://u:{PASSWORD}@127.0.0.1:{port}/d"),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot reach"), "{stderr}");
}

#[test]
fn verify_schema_fails_on_a_live_column_type_the_code_was_not_built_against() {
    let db = hc_database("release_types");
    let url = pg::url("postgres", &db, "sslmode=require");
    pg::admin(&db)
        .batch_execute(&format!("{ADD_LOYALTY_TIER}{REMAP_LOYALTY_POINTS}"))
        .unwrap();
    let (code, stdout, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The registry records the types: no column is left unchecked.
    assert!(!stdout.contains("not recorded"), "{stdout}");
    // A varchar growing into text: one Rust type (String) reads both, the release goes on.
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account ALTER COLUMN name TYPE text")
        .unwrap();
    let (code, stdout, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Text to Number in Salesforce, remapped in this environment only: the code built against
    // test's varchar would fail to read it.
    pg::admin(&db)
        .batch_execute(
            "ALTER TABLE salesforce.account ALTER COLUMN name TYPE double precision USING NULL",
        )
        .unwrap();
    let (code, stdout, stderr) = app(&["verify-schema"], &url);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "`account.name` is double precision here, but this code was built against \
             character varying(255) (test), needed at:\n    examples/loyalty-app/src/"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("unmap and remap the field"), "{stderr}");
}

#[test]
fn check_and_the_macro_agree_on_the_example() {
    let mut command = cargo(&workspace());
    command.args([
        "build",
        "--quiet",
        "-p",
        "loyalty-app",
        "--features",
        "prod-snapshot",
    ]);
    let (output, stderr) = run(&mut command);
    assert!(!output.status.success());
    let dir = workspace().join("examples/loyalty-app");
    let (scan, checks) = example_sources();
    let usages = checks.all_usages(&scan);
    let prod = Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
    let test = Snapshot::load(&dir.join("hc-schema/test.json")).unwrap();
    let prod_t = Target::env("prod", "examples/loyalty-app/hc-schema/prod.json", &prod);
    let test_t = Target::env("test", "examples/loyalty-app/hc-schema/test.json", &test);
    let mut problems = check_usages(&usages, "prod", &prod);
    // The annotation's missing column and read-only write, and the hc_sql! query's column.
    assert_eq!(problems.len(), 3, "{problems:?}");
    // The typed declaration whose type prod's column does not give.
    problems.extend(check_declared(&usages, &prod, false, &[]));
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(
        problems
            .iter()
            .filter(|p| p.usage.origin == Origin::Sql)
            .count(),
        1
    );
    for problem in &problems {
        let mut explanation = explain(&problem.finding, &prod_t, &[prod_t, test_t]);
        let message = &explanation.message;
        assert!(
            stderr.contains(&format!("error: {message}")),
            "macro and check disagree on the message:\n{stderr}\nvs {message}"
        );
        let site = location(&problem.usage.file, problem.spot());
        if problem.usage.origin == Origin::Sql {
            // The macro points at the literal; the whole text, with where the name is in the
            // SQL (the check's site) as the first note, is the same (rustc indents the
            // message's lines under `error: `).
            let place = checks
                .place(&scan, problem.usage, &problem.finding)
                .expect("an hc_sql! usage has its place");
            assert!(place.contains(&format!("({site})")), "{place}");
            explanation.notes.insert(0, place);
            let text = format!(
                "error: {}",
                explanation.to_string().replace('\n', "\n       ")
            );
            assert!(
                stderr.contains(&text),
                "macro and check disagree on the text:\n{stderr}\nvs\n{text}"
            );
            continue;
        }
        // The macro points a read-only write at `write`; check at the table token after it.
        let line = format!("--> {}:{}:", problem.usage.file, problem.spot().line);
        assert!(
            stderr.contains(&format!("--> {site}")) || stderr.contains(&line),
            "macro and check disagree on the site:\n{stderr}\nvs {site}"
        );
    }
    assert_eq!(
        stderr.matches("error: `").count(),
        problems.len(),
        "{stderr}"
    );
}

fn app_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String, Duration) {
    let mut command = Command::new(app_binary());
    command.args(args).env_remove("DATABASE_URL");
    for (k, v) in env {
        command.env(k, v);
    }
    let start = Instant::now();
    let output = command.output().expect("run loyalty-app");
    let elapsed = start.elapsed();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
    )
}

/// The release-phase call gives up within connect + statement timeout + 1 s (plus a
/// generous 3 s for process start), with exit 2 and the phase that timed out.
#[test]
fn the_release_phase_is_bounded_by_its_timeouts() {
    let db = hc_database("release_bounded");
    let server = pg::server();
    let silent_connect = Proxy::start("127.0.0.1:0", server_addr(), Silence::FromStart).unwrap();
    let silent_query = Proxy::start(
        "127.0.0.1:0",
        server_addr(),
        Silence::AfterClientSends(b"pg_catalog.pg_attribute".to_vec()),
    )
    .unwrap();
    let url = |port: u16| {
        format!(
            "postgres://{}:{}@127.0.0.1:{port}/{db}?sslmode=disable",
            server.user, server.password
        )
    };
    let timeouts = [
        ("HC_SCHEMA_CONNECT_TIMEOUT", "2"),
        ("HC_SCHEMA_STATEMENT_TIMEOUT", "2"),
    ];
    for (port, expected) in [
        (
            silent_connect.port(),
            "timed out after 2 s in authentication with 127.0.0.1:",
        ),
        (
            silent_query.port(),
            "timed out after 3 s waiting for the catalog query on postgres://127.0.0.1:",
        ),
    ] {
        let database_url = url(port);
        let mut env = vec![("DATABASE_URL", database_url.as_str())];
        env.extend(timeouts);
        let (code, stdout, stderr, elapsed) = app_with(&["verify-schema"], &env);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            elapsed < Duration::from_secs(2 + 2 + 1 + 3),
            "took {elapsed:?}: {stderr}"
        );
    }
    // A bad timeout is an input error, before any connection.
    let database_url = url(silent_connect.port());
    let (code, _, stderr, _) = app_with(
        &["verify-schema"],
        &[
            ("DATABASE_URL", &database_url),
            ("HC_SCHEMA_STATEMENT_TIMEOUT", "0"),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the statement timeout must be more than 0"),
        "{stderr}"
    );
}

/// The library's release-phase call (through the example app) with generated connection
/// strings: no panic, and no piece of a password in its output.
#[test]
fn the_release_phase_never_shows_a_password() {
    let db = hc_database("release_leaks");
    let server = pg::server();
    let host = server.host.clone();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let targets = secrets::Targets {
        live: (&host, server.port),
        dead,
        impostor: impostor(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
        db: &db,
        user: "",
    };
    let mut rng = secrets::Rng::new(0xfeed_5eed);
    let mut runs = 0;
    for i in 0..6 {
        let password = secrets::password(&mut rng);
        let wrong = secrets::password(&mut rng);
        let user = format!("release_leak_{i}");
        pg::admin("postgres")
            .batch_execute(&format!(
                "CREATE ROLE {user} LOGIN PASSWORD {}",
                secrets::sql_literal(&password)
            ))
            .unwrap();
        let targets = secrets::Targets {
            user: &user,
            ..targets
        };
        for shape in secrets::shapes(&password, &wrong, &targets) {
            let (code, stdout, stderr, _) =
                app_with(&["verify-schema"], &[("DATABASE_URL", &shape.text)]);
            runs += 1;
            let output = format!("{stdout}{stderr}");
            assert!(
                matches!(code, 0..=2) && !output.contains("panicked"),
                "{}: {output}",
                shape.label
            );
            if let Some(piece) = secrets::leak(&output, &[&password, &wrong]) {
                panic!("password piece {piece:?} in the release phase's output for {} ({password:?}):\n{output}", shape.label);
            }
            if shape.connects && (server.tls || !shape.label.contains("tls")) {
                // Connected and checked: prod lacks account.loyalty_tier__c, a failure (1).
                assert_eq!(code, 1, "{}: {output}", shape.label);
            }
        }
    }
    assert!(runs >= 100, "{runs}");
}

/// A generated crate whose `main` runs the release phase: [`TempCrate::new`] with
/// hc-schema-snapshot's `fetch` feature (the live check).
fn release_crate(name: &str, features: &[&str], files: &[(&str, &str)]) -> TempCrate {
    let krate = TempCrate::new(name, features, files);
    let manifest = krate.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let with_fetch = text.replacen(
        "hc-schema-snapshot = { path = ",
        "hc-schema-snapshot = { features = [\"fetch\"], path = ",
        1,
    );
    std::fs::write(&manifest, with_fetch).unwrap();
    krate
}

/// `cargo run --features prod-snapshot` of a [`release_crate`] against `database_url`, with
/// `env` set and no `HC_SCHEMA_NAME` of the caller's: its exit code, and stdout then stderr.
fn run_release(krate: &TempCrate, database_url: &str, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = cargo(krate.path());
    command
        .args(["run", "--quiet", "--features", "prod-snapshot"])
        .env("DATABASE_URL", database_url)
        .env_remove("HC_SCHEMA_NAME");
    for (k, v) in env {
        command.env(k, v);
    }
    let (output, stderr) = run(&mut command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    (
        output.status.code().unwrap_or(-1),
        format!("{stdout}{stderr}"),
    )
}

/// The release phase checks the Heroku Connect schema the build checked (compiled into the
/// registry), not `HC_SCHEMA_NAME`'s default: with `schema = "org"` (top level, or prod's own)
/// and a leftover `salesforce` schema in the database that maps everything, it fails on
/// `org.account`; an `HC_SCHEMA_NAME` that disagrees is an error naming both; its messages
/// never send the user to `--schema` or hc-schema.toml.
#[test]
fn the_release_phase_checks_the_schema_the_build_checked() {
    let db = hc_database("release_schema");
    pg::admin(&db)
        .batch_execute(&format!(
            "{ADD_LOYALTY_TIER}\
             CREATE SCHEMA org; CREATE TABLE org._hcmeta (id integer); \
             CREATE TABLE org.account (id serial PRIMARY KEY, sfid varchar(18), name varchar(255));"
        ))
        .unwrap();
    let server = pg::server();
    let database_url = pg::url(&server.user, &db, "sslmode=disable");
    // The snapshot (of schema org) says org maps the column: the build passes; only the live
    // check can see that org does not.
    let snapshot = r#"{"format": 1, "environment": "prod", "schema": "org", "tables": {
  "account": {"columns": {"name": {}, "loyalty_tier__c": {}}}}}"#;
    for config in [
        "schema = \"org\"\n[registry]\nenabled = true\n",
        "[env.prod]\nschema = \"org\"\n[registry]\nenabled = true\n",
    ] {
        let krate = release_crate(
            "release_schema",
            &["prod-snapshot"],
            &[
                (
                    "src/main.rs",
                    "use hc_schema_macro::hc_requires;\n\
                     #[hc_requires(account(name, loyalty_tier__c))]\n\
                     fn tiers() {}\n\
                     fn main() -> std::process::ExitCode {\n\
                         tiers();\n\
                         hc_schema_snapshot::verify::release_phase(&hc_schema_snapshot::registry::usages())\n\
                     }\n",
                ),
                ("hc-schema/prod.json", snapshot),
                ("hc-schema.toml", config),
            ],
        );
        let run_with = |env: &[(&str, &str)]| {
            let (code, all) = run_release(&krate, &database_url, env);
            assert!(!all.contains(&server.password), "password shown:\n{all}");
            assert!(
                !all.contains("--schema") && !all.contains("hc-schema.toml"),
                "the release phase reads neither --schema nor hc-schema.toml:\n{all}"
            );
            (code, all)
        };
        for env in [
            &[][..],
            &[("HC_SCHEMA_NAME", "org")],
            &[("HC_SCHEMA_ENV", "prod")],
        ] {
            let (code, output) = run_with(env);
            assert_eq!(
                code, 1,
                "{config} {env:?}: the leftover salesforce schema was checked:\n{output}"
            );
            assert!(
                output.contains("error: the live schema `org` of")
                    && output.contains("`account.loyalty_tier__c` is not mapped"),
                "{config} {env:?}:\n{output}"
            );
        }
        let (code, output) = run_with(&[("HC_SCHEMA_NAME", "salesforce")]);
        assert_eq!(code, 2, "{config}:\n{output}");
        assert!(
            output.contains("HC_SCHEMA_NAME is `salesforce`, but this binary was built checking the Heroku Connect schema `org`"),
            "{config}:\n{output}"
        );
        // A schema the database lacks: named, with the release phase's own advice.
        pg::admin(&db)
            .batch_execute("ALTER SCHEMA org RENAME TO org_gone")
            .unwrap();
        let (code, output) = run_with(&[]);
        pg::admin(&db)
            .batch_execute("ALTER SCHEMA org_gone RENAME TO org")
            .unwrap();
        assert_eq!(code, 2, "{output}");
        assert!(
            output.contains("schema `org` does not exist in") && output.contains("rebuild"),
            "{output}"
        );
    }
}

/// Issue 20 item 3: a column read by an SQL string inside an annotated item and not declared
/// (`undeclared = "warn"`, so the build passes against a snapshot that maps it) is compiled
/// into the registry by the build, and the release phase fails on a live database that lacks
/// it, naming the string's place; once mapped, it passes.
#[test]
fn the_release_phase_checks_the_columns_of_sql_strings_no_annotation_declares() {
    let db = hc_database("release_strings");
    let server = pg::server();
    let database_url = pg::url(&server.user, &db, "sslmode=disable");
    let snapshot = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"columns": {"name": {}, "loyalty_tier__c": {}}}}}"#;
    let line =
        "fn tiers() -> &'static str { \"SELECT name, loyalty_tier__c FROM salesforce.account\" }";
    let column = line.find("loyalty_tier__c").unwrap() + 1;
    let main = format!(
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name))]\n\
         {line}\n\
         fn cities() -> &'static str {{ \"SELECT billingcity FROM salesforce.account\" }}\n\
         fn main() -> std::process::ExitCode {{\n\
             let _ = (tiers(), cities());\n\
             hc_schema_snapshot::verify::release_phase(&hc_schema_snapshot::registry::usages())\n\
         }}\n"
    );
    let krate = release_crate(
        "release_strings",
        &["prod-snapshot"],
        &[
            ("src/main.rs", &main),
            ("hc-schema/prod.json", snapshot),
            (
                "hc-schema.toml",
                "[registry]\nenabled = true\n[check]\nundeclared = \"warn\"\nunguarded = \"warn\"\n",
            ),
        ],
    );
    let (code, output) = run_release(&krate, &database_url, &[]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!(
            "`account.loyalty_tier__c` is not mapped, needed at:\n    src/main.rs:3:{column}"
        )),
        "{output}"
    );
    pg::admin(&db).batch_execute(ADD_LOYALTY_TIER).unwrap();
    let (code, output) = run_release(&krate, &database_url, &[]);
    assert_eq!(code, 0, "{output}");
    // N5: `cities` (outside every annotated item, allowed by `unguarded = "warn"`) reads a
    // column the database lacks; no macro saw it, so the release phase cannot check it, and
    // says so by name instead of a bare ok (the CLI's `verify` scans and fails it).
    assert!(
        output.contains("(SQL strings outside `hc_sql!` and annotated items not checked")
            && output.contains(
                "warning: SQL strings outside `hc_sql!` and annotated items are checked nowhere \
                 here"
            )
            && output.contains("\n    src/main.rs:2:"),
        "{output}"
    );
}

/// N5, its last part: a library built with `[check] unguarded = "warn"` that has no
/// annotation and no `hc_sql!` (no macro runs in it) still tells the release phase that its
/// SQL strings are checked nowhere there: its build script compiles a crate-level record, and
/// the warning names its `Cargo.toml`, while the binary's own annotated code (built with the
/// default `unguarded = "error"`) is checked and passes. Without the crate-level record the
/// release phase said a bare ok for a string reading a column the database lacks.
#[test]
fn the_release_phase_names_a_crate_built_with_unguarded_warn_that_has_no_macro() {
    let db = hc_database("release_crate_level");
    let server = pg::server();
    let database_url = pg::url(&server.user, &db, "sslmode=disable");
    let snapshot = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
  "account": {"columns": {"name": {}}}}}"#;
    let main = "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name))]\n\
         fn names() -> &'static str { \"SELECT name FROM salesforce.account\" }\n\
         fn main() -> std::process::ExitCode {\n\
             let _ = (names(), strings::cities(), more::cities());\n\
             hc_schema_snapshot::verify::release_phase(&hc_schema_snapshot::registry::usages())\n\
         }\n";
    // Two such libraries in one program (each with its own crate-level record: one name each,
    // or the link takes the first one's twice, or fails on a duplicate symbol).
    let ws = workspace();
    let mut files: Vec<(String, String)> = vec![
        ("src/main.rs".into(), main.into()),
        ("hc-schema/prod.json".into(), snapshot.into()),
        (
            "hc-schema.toml".into(),
            "[registry]\nenabled = true\n".into(),
        ),
    ];
    for lib in ["strings", "more"] {
        files.extend([
            (
                format!("{lib}/Cargo.toml"),
                format!(
                    "[package]\nname = \"{lib}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
                     publish = false\n\n[features]\nprod-snapshot = []\n\n[dependencies]\n\
                     hc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n\n\
                     [build-dependencies]\nhc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n",
                    ws = ws.display()
                ),
            ),
            (
                format!("{lib}/build.rs"),
                "fn main() { hc_schema_snapshot::build::configure(); }\n".into(),
            ),
            (
                format!("{lib}/src/lib.rs"),
                "pub fn cities() -> &'static str { \"SELECT billingcity FROM salesforce.account\" }\n"
                    .into(),
            ),
            (
                format!("{lib}/hc-schema.toml"),
                "snapshot_dir = \"../hc-schema\"\n[registry]\nenabled = true\n\
                 [check]\nunguarded = \"warn\"\n"
                    .into(),
            ),
        ]);
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let krate = release_crate("release_crate_level", &[], &files);
    krate.add_dependencies("strings = { path = \"strings\" }\nmore = { path = \"more\" }\n");
    let main_manifest = krate.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&main_manifest).unwrap();
    std::fs::write(
        &main_manifest,
        text.replacen(
            "[features]\n",
            "[features]\nprod-snapshot = [\"strings/prod-snapshot\", \"more/prod-snapshot\"]\n",
            1,
        ),
    )
    .unwrap();
    let (code, output) = run_release(&krate, &database_url, &[]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains(
            "warning: SQL strings outside `hc_sql!` and annotated items are checked nowhere here"
        ) && output.contains("\n    strings/Cargo.toml:1:1\n")
            && output.contains("\n    more/Cargo.toml:1:1\n"),
        "{output}"
    );
    // Only the libraries were built that way: the binary's own code is not named.
    assert!(!output.contains("\n    src/main.rs:"), "{output}");
}

/// Issue 19: a build checked against test (Heroku Connect schema `salesforce`) and promoted
/// to prod (schema `org`) without rebuilding, whose SQL names `salesforce.account` (an
/// `hc_sql!` and a string inside an annotated item): the names alone hold in `org`, but the
/// SQL names a table that does not exist there. The registry records each qualifier and the
/// release phase fails it in the build's words, at each site.
#[test]
fn the_release_phase_fails_a_schema_qualifier_that_is_not_the_live_schema() {
    let db = pg::create_database("release_qualifier");
    pg::admin(&db)
        .batch_execute(
            "CREATE SCHEMA org; CREATE TABLE org._hcmeta (id integer); \
             CREATE TABLE org.account (id serial PRIMARY KEY, sfid varchar(18), name varchar(255));",
        )
        .unwrap();
    let server = pg::server();
    let database_url = pg::url(&server.user, &db, "sslmode=disable");
    let snapshot = |env: &str, schema: &str| {
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "{schema}", "tables": {{
  "account": {{"columns": {{"name": {{}}, "sfid": {{}}}}}}}}}}"#
        )
    };
    let query = "const Q: &str = hc_sql!(\"SELECT name FROM salesforce.account\");";
    let string = "fn names() -> &'static str { \"SELECT sfid FROM salesforce.account\" }";
    // SQL the build cannot read (sqlparser does not parse `FOR NO KEY UPDATE`): skipped by
    // the build, recorded, and named by the release phase (attacker finding F3: it said ok).
    let unread =
        "fn lock() -> &'static str { \"SELECT sfid FROM salesforce.account FOR NO KEY UPDATE\" }";
    let main = format!(
        "use hc_schema_macro::{{hc_requires, hc_sql}};\n\
         {query}\n\
         #[hc_requires(account(sfid))]\n\
         {string}\n\
         #[hc_requires(account(sfid))]\n\
         {unread}\n\
         fn main() -> std::process::ExitCode {{\n\
             let _ = (Q, names(), lock());\n\
             hc_schema_snapshot::verify::release_phase(&hc_schema_snapshot::registry::usages())\n\
         }}\n"
    );
    let krate = release_crate(
        "release_qualifier",
        &["test-snapshot", "prod-snapshot"],
        &[
            ("src/main.rs", &main),
            ("hc-schema/test.json", &snapshot("test", "salesforce")),
            ("hc-schema/prod.json", &snapshot("prod", "org")),
            (
                "hc-schema.toml",
                "[env.test]\nschema = \"salesforce\"\n[env.prod]\nschema = \"org\"\n\
                 [registry]\nenabled = true\n",
            ),
        ],
    );
    // Built against test (passes: salesforce is test's schema), released in prod.
    let mut command = cargo(krate.path());
    command.args(["build", "--quiet", "--features", "test-snapshot"]);
    let (output, stderr) = run(&mut command);
    assert!(output.status.success(), "{stderr}");
    let output = Command::new(nested_target().join("debug/release_qualifier"))
        .env("DATABASE_URL", &database_url)
        .env("HC_SCHEMA_ENV", "prod")
        .env_remove("HC_SCHEMA_NAME")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains(&server.password), "password shown:\n{all}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "a test build's `salesforce.account` passed prod's `org`:\n{all}"
    );
    let sql_column = query.find(".account").unwrap() + 2;
    let string_column = string.find(".account").unwrap() + 2;
    assert!(
        all.contains(
            "`salesforce.account` names the schema `salesforce`, but the Heroku Connect schema \
             of prod ("
        ) && all.contains(&format!(
            "is `org`: there this SQL names a table that does not exist, needed at:\n    \
             src/main.rs:2:{sql_column}\n    src/main.rs:4:{string_column}\n"
        )),
        "{all}"
    );
    assert!(!all.contains("qualifiers were not recorded"), "{all}");
    let unread_column = unread.find('"').unwrap() + 1;
    assert!(
        all.contains("warning: 1 SQL string of this code could not be read by its build")
            && all.contains(&format!("src/main.rs:6:{unread_column} (")),
        "{all}"
    );
}
