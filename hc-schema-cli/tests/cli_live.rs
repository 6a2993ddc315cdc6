//! The `hc-schema` CLI against a real PostgreSQL server: refresh, --check, TLS, errors,
//! import and verify.

use std::path::{Path, PathBuf};

use hc_schema_tests::cli::{self, Run};
use hc_schema_tests::fixtures::{hc_database, ADD_LOYALTY_TIER, EXPORT};
use hc_schema_tests::pg::{self, PASSWORD};

/// Run the CLI in `dir` with `env`; asserts that no output ever holds the password.
fn hc(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let run = cli::run(
        env!("CARGO_BIN_EXE_hc-schema"),
        dir,
        args,
        env,
        &["DATABASE_URL"],
    );
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(PASSWORD),
            "password leaked in output of {args:?}:\n{text}"
        );
        assert!(
            !text.contains(&pg::server().password),
            "password leaked:\n{text}"
        );
    }
    run
}

fn project(config: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hc-schema.toml"), config).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

const CONFIG: &str = "[env.prod]\ndatabase_url_env = \"HC_TEST_PROD_URL\"\n";

#[test]
fn refresh_writes_an_hc_shaped_snapshot_and_a_rerun_is_byte_identical() {
    let db = hc_database("refresh");
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &url)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("wrote hc-schema/prod.json: 3 tables"),
        "{}",
        run.stdout
    );
    let path = dir.join("hc-schema/prod.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let snapshot = hc_schema_snapshot::Snapshot::parse(&text, "prod.json", "prod").unwrap();
    let tables: Vec<&str> = snapshot.tables.keys().map(String::as_str).collect();
    assert_eq!(
        tables,
        ["account", "contact", "user"],
        "bookkeeping tables and other schemas left out"
    );
    let account = &snapshot.tables["account"].columns;
    assert!(
        !account.contains_key("internal_notes"),
        "public.account must be ignored"
    );
    assert!(account["id"].system && !account["id"].nullable);
    assert_eq!(account["id"].data_type.as_deref(), Some("integer"));
    assert!(account["_hc_lastop"].system && account["sfid"].system);
    assert_eq!(
        account["type"].data_type.as_deref(),
        Some("character varying(255)")
    );
    assert!(!account["name"].system);
    assert!(snapshot.tables["user"].columns.contains_key("username"));
    let server = pg::server();
    assert_eq!(
        snapshot.source.as_deref(),
        Some(format!("postgres://{}:{}/{db}", server.host, server.port).as_str())
    );
    assert!(
        !text.contains(PASSWORD) && !text.contains(&server.password),
        "password in the snapshot"
    );
    assert!(
        !text.contains("postgres@") && !text.contains(":postgres"),
        "user name in the snapshot"
    );
    assert!(
        text.contains("\n        \"name\": { \"type\": \"character varying(255)\" },\n"),
        "{text}"
    );
    // Unchanged schema: byte-identical, and the file is not even rewritten.
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &url)]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("unchanged hc-schema/prod.json"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
}

#[test]
fn refresh_check_detects_a_stale_snapshot_both_ways() {
    let db = hc_database("check");
    let (_keep, dir) = project(CONFIG);
    let env = [(
        "HC_TEST_PROD_URL",
        pg::url("postgres", &db, "sslmode=disable"),
    )];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(hc(&dir, &["refresh", "prod"], &env).code, 0);
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("is up to date"), "{}", run.stdout);
    let before = std::fs::read(dir.join("hc-schema/prod.json")).unwrap();
    pg::admin(&db).batch_execute(ADD_LOYALTY_TIER).unwrap();
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("hc-schema/prod.json is stale"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("+ account.loyalty_tier__c  (only in live)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(dir.join("hc-schema/prod.json")).unwrap(),
        before,
        "--check never writes"
    );
    // And back: refresh picks it up, then a dropped column is stale the other way.
    assert_eq!(hc(&dir, &["refresh", "prod"], &env).code, 0);
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account DROP COLUMN billingcity")
        .unwrap();
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("- account.billingcity  (only in snapshot)"),
        "{}",
        run.stdout
    );
}

#[test]
fn tls_modes_work_against_a_tls_server() {
    let server = pg::server();
    assert!(
        server.tls,
        "the test cluster must have TLS (is openssl installed?)"
    );
    let db = hc_database("tls");
    let admin = pg::admin(&db);
    drop(admin);
    pg::admin("postgres")
        .batch_execute(&format!("DO $$ BEGIN CREATE ROLE tlsonly LOGIN PASSWORD '{PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
        .unwrap();
    let (_keep, dir) = project("");
    let cert = server.cert.clone().unwrap();
    let cert = cert.to_str().unwrap();
    // require: encrypted, certificate not verified (as Heroku needs).
    let url = pg::url("tlsonly", &db, "sslmode=require");
    let run = hc(&dir, &["refresh", "prod", "--database-url", &url], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // verify-full with the server's certificate as root: verified.
    let url = pg::url("tlsonly", &db, "sslmode=verify-full");
    let run = hc(
        &dir,
        &[
            "refresh",
            "prod",
            "--database-url",
            &url,
            "--root-cert",
            cert,
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // verify-full against the system roots: the self-signed certificate is refused.
    let before = std::fs::read(dir.join("hc-schema/prod.json")).unwrap();
    let run = hc(&dir, &["refresh", "prod", "--database-url", &url], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("TLS failed") && run.stderr.contains("sslmode=require"),
        "{}",
        run.stderr
    );
    // disable, where the server requires TLS: the advice is sslmode=require.
    let url = pg::url("tlsonly", &db, "sslmode=disable");
    let run = hc(&dir, &["refresh", "prod", "--database-url", &url], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("requires an encrypted connection: add `?sslmode=require`"),
        "{}",
        run.stderr
    );
    // the --sslmode flag overrides the URL.
    let run = hc(
        &dir,
        &[
            "refresh",
            "prod",
            "--database-url",
            &url,
            "--sslmode",
            "require",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(dir.join("hc-schema/prod.json")).unwrap(),
        before
    );
}

#[test]
fn connection_errors_explain_and_leave_the_old_snapshot_intact() {
    let db = hc_database("errors");
    let (_keep, dir) = project(&format!("{CONFIG}schema = \"salesforce\"\n"));
    let good = pg::url("postgres", &db, "sslmode=disable");
    assert_eq!(
        hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &good)]).code,
        0
    );
    let path = dir.join("hc-schema/prod.json");
    let before = std::fs::read(&path).unwrap();
    let server = pg::server();

    let wrong = format!(
        "postgres://postgres:not-{PASSWORD}@{}:{}/{db}?sslmode=disable",
        server.host, server.port
    );
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &wrong)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("authentication failed") && run.stderr.contains("HC_TEST_PROD_URL"),
        "{}",
        run.stderr
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable =
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{port}/{db}?sslmode=disable");
    let run = hc(
        &dir,
        &["refresh", "prod", "--connect-timeout", "3"],
        &[("HC_TEST_PROD_URL", &unreachable)],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot reach postgres://127.0.0.1:"),
        "{}",
        run.stderr
    );

    let run = hc(
        &dir,
        &["refresh", "prod", "--schema", "org"],
        &[("HC_TEST_PROD_URL", &good)],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("schema `org` does not exist") && run.stderr.contains("`salesforce`"),
        "{}",
        run.stderr
    );

    let admin = pg::admin(&db);
    drop(admin);
    pg::admin("postgres")
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE noconnect LOGIN PASSWORD '{PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
             REVOKE CONNECT ON DATABASE {db} FROM PUBLIC"
        ))
        .unwrap();
    let denied = pg::url("noconnect", &db, "sslmode=disable");
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &denied)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("permission denied"), "{}", run.stderr);

    let run = hc(&dir, &["refresh", "prod"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "HC_TEST_PROD_URL (named by [env.prod] database_url_env in hc-schema.toml) is not set"
        ),
        "{}",
        run.stderr
    );

    let run = hc(
        &dir,
        &["refresh", "prod"],
        &[("HC_TEST_PROD_URL", "postgres://u:pw@h:notaport/db")],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("the database URL from the HC_TEST_PROD_URL variable is not valid"),
        "{}",
        run.stderr
    );

    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a failed refresh must leave the snapshot untouched"
    );
    let leftovers = std::fs::read_dir(dir.join("hc-schema")).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary files left behind");
}

#[test]
fn import_builds_a_snapshot_from_a_mapping_export() {
    let (_keep, dir) = project("");
    std::fs::write(dir.join("export.json"), EXPORT).unwrap();
    let run = hc(&dir, &["import", "prod", "--from", "export.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let snapshot = hc_schema_snapshot::Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
    assert_eq!(
        snapshot.tables["account"].object.as_deref(),
        Some("Account")
    );
    assert_eq!(
        snapshot.tables["contact"].columns["accountid"]
            .field
            .as_deref(),
        Some("AccountId")
    );
    assert!(snapshot.tables["account"].columns["id"].system);
    std::fs::write(dir.join("bad.json"), "{\"mappings\": {}}").unwrap();
    let run = hc(&dir, &["import", "prod", "--from", "bad.json"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.json: not a Heroku Connect mapping export"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_checks_the_live_database_against_the_sources() {
    let db = hc_database("verify");
    let (_keep, dir) = project(CONFIG);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "#[hc_requires(account(name, type), contact(email))]\nfn main() {}\n",
    )
    .unwrap();
    let env = [(
        "HC_TEST_PROD_URL",
        pg::url("postgres", &db, "sslmode=prefer"),
    )];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    std::fs::write(
        dir.join("src/main.rs"),
        "#[hc_requires(account(name, loyalty_tier__c), loyalty_program__c(name))]\nfn main() {}\n",
    )
    .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("`account.loyalty_tier__c` is not mapped, needed at:\n    src/main.rs:1:29"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("table `loyalty_program__c` is not mapped"),
        "{}",
        run.stdout
    );
    pg::admin(&db).batch_execute(ADD_LOYALTY_TIER).unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("loyalty_tier__c"), "{}", run.stdout);
    // Nothing to verify is an error, never a pass.
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nothing to verify"), "{}", run.stderr);
}
