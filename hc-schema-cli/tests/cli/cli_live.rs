//! The `hc-schema` CLI against a real PostgreSQL server: refresh, --check, TLS, errors,
//! import and verify.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hc_schema_snapshot::fetch;
use hc_schema_snapshot::snapshot::MappingAccess;
use hc_schema_tests::cli::{self, Run};
use hc_schema_tests::fixtures::{hc_database, hc_triggers, ADD_LOYALTY_TIER, EXPORT};
use hc_schema_tests::pg::{self, PASSWORD};
use hc_schema_tests::proxy::{impostor, server_addr, Proxy, Silence};
use hc_schema_tests::secrets;
use postgres::types::Type;

/// Run the CLI in `dir` with `env`; asserts that no output ever holds the password.
fn hc(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let run = cli::run(
        env!("CARGO_BIN_EXE_hc-schema"),
        dir,
        args,
        env,
        &["DATABASE_URL", "HC_PROD_DATABASE_URL"],
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
    // Access from Heroku Connect's logger functions: account READONLY, contact NEW, user none.
    assert_eq!(
        snapshot.tables["account"].access,
        Some(MappingAccess::ReadOnly)
    );
    assert_eq!(
        snapshot.tables["contact"].access,
        Some(MappingAccess::ReadWrite)
    );
    assert_eq!(snapshot.tables["user"].access, None);
    assert!(
        run.stdout
            .contains("(access: 1 read-only, 1 read-write, 1 unknown)"),
        "{}",
        run.stdout
    );
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
    assert!(
        !run.stdout
            .contains("`account.loyalty_tier__c` is not mapped"),
        "{}",
        run.stdout
    );
    // No snapshot in this project: the types are named as not checked, never as ok.
    assert!(
        run.stdout
            .contains("column types were not recorded for account.loyalty_tier__c, account.name"),
        "{}",
        run.stdout
    );
    // A table only an SQL string uses (unguarded, its lint a warning) is verified too.
    std::fs::write(
        dir.join("hc-schema.toml"),
        format!("{CONFIG}[check]\nunguarded = \"warn\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "#[hc_requires(account(name))]\nfn main() {}\nfn q() -> &'static str {\n    \"SELECT name FROM salesforce.loyalty_program__c\"\n}\n",
    )
    .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("table `loyalty_program__c` is not mapped"),
        "{}",
        run.stdout
    );
    // Nothing to verify is an error, never a pass.
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nothing to verify"), "{}", run.stderr);
}

#[test]
fn verify_checks_live_column_types_against_the_snapshot() {
    let (db, _keep, dir, _) = refreshed_project("verify_types");
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    write_source(&dir, "#[hc_requires(account(name, type))]\nfn main() {}\n");
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("not recorded"), "{}", run.stdout);
    // Length growth and varchar -> text: String reads both.
    pg::admin(&db)
        .batch_execute(
            "ALTER TABLE salesforce.account ALTER COLUMN name TYPE varchar(400); \
             ALTER TABLE salesforce.account ALTER COLUMN type TYPE text",
        )
        .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Picklist to Checkbox in Salesforce, remapped live: the code cannot read it.
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account ALTER COLUMN type TYPE boolean USING NULL")
        .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "`account.type` is boolean here, but this code was built against character \
             varying(255) (prod), needed at:\n    src/main.rs:1:29"
        ),
        "{}",
        run.stdout
    );
    let run = hc(&dir, &["verify", "prod", "--format", "json"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let failure = &json["type_failures"][0];
    assert_eq!(
        (&failure["column"], &failure["built"], &failure["live"]),
        (
            &serde_json::json!("type"),
            &serde_json::json!("character varying(255) (prod)"),
            &serde_json::json!("boolean")
        )
    );
    // A snapshot without types (imported): names checked, types named as not checked.
    std::fs::write(
        dir.join("hc-schema/prod.json"),
        r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{"account":{"columns":{"name":{},"type":{}}}}}"#,
    )
    .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("column types were not recorded for account.name, account.type"),
        "{}",
        run.stdout
    );
}

/// A project with a good snapshot of a fresh HC database already written; returns the
/// database, the project and the snapshot's bytes.
fn refreshed_project(prefix: &str) -> (String, tempfile::TempDir, PathBuf, Vec<u8>) {
    let db = hc_database(prefix);
    let (keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &url)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let bytes = std::fs::read(dir.join("hc-schema/prod.json")).unwrap();
    (db, keep, dir, bytes)
}

/// Run `args` (with 2 s connect and statement timeouts) against `url`: it must fail with exit
/// 2 within connect + statement timeout + the 1 s grace + a generous 3 s for process start
/// and scheduling, say `expected`, and leave the snapshot as it was.
fn times_out(dir: &Path, args: &[&str], url: &str, expected: &str, before: &[u8]) -> Duration {
    let mut args = args.to_vec();
    args.extend(["--connect-timeout", "2", "--statement-timeout", "2"]);
    let start = Instant::now();
    let run = hc(dir, &args, &[("HC_TEST_PROD_URL", url)]);
    let elapsed = start.elapsed();
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    assert!(
        elapsed < Duration::from_secs(2 + 2 + 1 + 3),
        "{args:?} took {elapsed:?}: {}",
        run.stderr
    );
    assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    assert_eq!(
        std::fs::read(dir.join("hc-schema/prod.json")).unwrap(),
        before,
        "a timed-out {args:?} must leave the snapshot untouched"
    );
    elapsed
}

fn proxied_url(db: &str, port: u16, query: &str) -> String {
    let server = pg::server();
    format!(
        "postgres://{}:{}@127.0.0.1:{port}/{db}?{query}",
        server.user, server.password
    )
}

#[test]
fn timeouts_bound_a_server_that_goes_silent_while_connecting() {
    let (db, _keep, dir, before) = refreshed_project("silent_connect");
    let proxy = Proxy::start("127.0.0.1:0", server_addr(), Silence::FromStart).unwrap();
    let plain = proxied_url(&db, proxy.port(), "sslmode=disable");
    let elapsed = times_out(
        &dir,
        &["refresh", "prod"],
        &plain,
        "timed out after 2 s in authentication with 127.0.0.1:",
        &before,
    );
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    let tls = proxied_url(&db, proxy.port(), "sslmode=require");
    times_out(
        &dir,
        &["refresh", "prod", "--check"],
        &tls,
        "timed out after 2 s in the TLS handshake with 127.0.0.1:",
        &before,
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "#[hc_requires(account(name))]\nfn main() {}\n",
    )
    .unwrap();
    times_out(
        &dir,
        &["verify", "prod"],
        &plain,
        "timed out after 2 s in authentication",
        &before,
    );
}

#[test]
fn timeouts_bound_a_server_that_goes_silent_after_the_query_is_sent() {
    let (db, _keep, dir, before) = refreshed_project("silent_query");
    let proxy = Proxy::start(
        "127.0.0.1:0",
        server_addr(),
        Silence::AfterClientSends(b"pg_catalog.pg_attribute".to_vec()),
    )
    .unwrap();
    let url = proxied_url(&db, proxy.port(), "sslmode=disable");
    let expected = "timed out after 3 s waiting for the catalog query on postgres://127.0.0.1:";
    let elapsed = times_out(&dir, &["refresh", "prod"], &url, expected, &before);
    assert!(
        elapsed >= Duration::from_secs(3),
        "gave up before the deadline: {elapsed:?}"
    );
    times_out(
        &dir,
        &["refresh", "prod", "--check"],
        &url,
        expected,
        &before,
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "#[hc_requires(account(name))]\nfn main() {}\n",
    )
    .unwrap();
    times_out(&dir, &["verify", "prod"], &url, expected, &before);
}

/// Hold an ACCESS EXCLUSIVE lock on `catalog` (in an admin transaction on the project's own
/// database) while `refresh` runs: it must end with exit 2 in time, saying `expected`.
fn refresh_under_lock(catalog: &str, expected: &str) {
    let (db, _keep, dir, before) = refreshed_project("locked");
    let mut admin = pg::admin(&db);
    let mut locker = admin.transaction().unwrap();
    locker
        .batch_execute(&format!(
            "LOCK TABLE pg_catalog.{catalog} IN ACCESS EXCLUSIVE MODE"
        ))
        .unwrap();
    let url = pg::url("postgres", &db, "sslmode=disable");
    let elapsed = times_out(&dir, &["refresh", "prod"], &url, expected, &before);
    locker.rollback().unwrap();
    assert!(elapsed >= Duration::from_millis(1800), "{elapsed:?}");
}

/// A new connection's startup reads pg_class: the lock holds the login, and the connect
/// deadline ends it.
#[test]
fn a_lock_held_on_pg_class_ends_at_the_connect_deadline() {
    refresh_under_lock(
        "pg_class",
        "timed out after 2 s in authentication with localhost:",
    );
}

/// The catalog query reads pg_proc (for the logger functions) after the login: the server's
/// lock timeout (the statement timeout) ends it, and says so.
#[test]
fn a_lock_held_on_pg_proc_ends_at_the_lock_timeout() {
    refresh_under_lock(
        "pg_proc",
        "waited 1.8 s (the lock timeout, nine tenths of the statement timeout) for a lock on a catalog table",
    );
}

fn create_role(name: &str, extra: &str) {
    pg::admin("postgres")
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$; {extra}"
        ))
        .unwrap();
}

fn table_exists(db: &str, name: &str) -> bool {
    let row = pg::admin(db)
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap();
    row.get(0)
}

fn write_source(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), text).unwrap();
}

/// With `standard_conforming_strings = off` a backslash escapes a quote, so a schema name
/// spliced into SQL as a '...' literal could close it and run `COMMIT; CREATE TABLE`. Names
/// that are not identifiers are refused before any connection, and the query binds the name
/// as a parameter anyway: run with the hostile name bound, under that setting, nothing is
/// created.
#[test]
fn a_schema_name_cannot_inject_sql_even_with_standard_conforming_strings_off() {
    let db = hc_database("inject");
    create_role(
        "nonstd",
        "ALTER ROLE nonstd SET standard_conforming_strings = off",
    );
    pg::admin(&db)
        .batch_execute("GRANT CREATE ON SCHEMA public TO nonstd")
        .unwrap();
    let hostile = r"x\'; COMMIT; CREATE TABLE public.pwned(x int); --";
    let config = format!("schema = {}\n{CONFIG}", toml_string(hostile));
    let (_keep, dir) = project(&config);
    write_source(&dir, "#[hc_requires(account(name))]\nfn main() {}\n");
    let url = pg::url("nonstd", &db, "sslmode=disable");
    for args in [
        vec!["refresh", "prod"],
        vec!["refresh", "prod", "--check"],
        vec!["verify", "prod"],
        vec!["refresh", "prod", "--schema", hostile],
    ] {
        let run = hc(&dir, &args, &[("HC_TEST_PROD_URL", &url)]);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("is not allowed: a Heroku Connect schema name is a lower-case letter"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!table_exists(&db, "public.pwned"));

    // The query itself, with the hostile name bound, under the role's setting.
    let server = pg::server();
    let mut client = postgres::Config::new()
        .host(&server.host)
        .port(server.port)
        .user("nonstd")
        .password(PASSWORD)
        .dbname(&db)
        .connect(postgres::NoTls)
        .unwrap();
    let setting: String = client
        .query_one("SHOW standard_conforming_strings", &[])
        .unwrap()
        .get(0);
    assert_eq!(setting, "off");
    client
        .batch_execute(&fetch::transaction_setup(Duration::from_secs(5)))
        .unwrap();
    let rows = client
        .query_typed(
            fetch::QUERY,
            &[
                (&hostile, Type::TEXT),
                (&fetch::READ_ONLY_PATTERN, Type::TEXT),
                (&fetch::READ_WRITE_PATTERN, Type::TEXT),
            ],
        )
        .unwrap();
    client.batch_execute("COMMIT").unwrap();
    let schemas: Vec<String> = rows
        .iter()
        .filter(|r| r.get::<_, String>(0) == "s")
        .map(|r| r.get(1))
        .collect();
    assert_eq!(
        schemas,
        ["salesforce"],
        "only the HC-looking schema, not the hostile one"
    );
    assert!(!table_exists(&db, "public.pwned"));

    // A valid name under that setting (role setting, and `options=` in the URL) reads the
    // catalog as usual, access included: nothing in the query depends on the setting.
    let (_keep2, dir2) = project(CONFIG);
    let options_url = pg::url(
        "postgres",
        &db,
        "sslmode=disable&options=-c%20standard_conforming_strings%3Doff",
    );
    for url in [&url, &options_url] {
        let run = hc(&dir2, &["refresh", "prod"], &[("HC_TEST_PROD_URL", url)]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains("(access: 1 read-only, 1 read-write, 1 unknown)"),
            "{}",
            run.stdout
        );
    }
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `salesforce."Account"("Name", "Extra")` next to `salesforce.account`: refresh keeps them
/// apart and names the odd one; neither check nor verify lets `account(extra)` pass.
#[test]
fn mixed_case_catalog_names_stay_distinct_and_are_named() {
    let db = hc_database("mixed");
    pg::admin(&db)
        .batch_execute(r#"CREATE TABLE salesforce."Account" ("Name" text, "Extra" text)"#)
        .unwrap();
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let run = hc(&dir, &["refresh", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "note: 1 name in schema `salesforce` is not a Heroku Connect name (Heroku Connect creates only lower-case names), so no requirement ever matches it: \"Account\""
        ),
        "{}",
        run.stdout
    );
    let snapshot = hc_schema_snapshot::Snapshot::load(&dir.join("hc-schema/prod.json")).unwrap();
    assert!(snapshot.tables["Account"].columns.contains_key("Extra"));
    assert!(!snapshot.tables["account"].columns.contains_key("extra"));
    write_source(&dir, "#[hc_requires(account(name, extra))]\nfn main() {}\n");
    let run = hc(&dir, &["check", "--env", "prod"], &env);
    assert_eq!(
        run.code, 1,
        "check must not pass account(extra):\n{}{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("account.extra"), "{}", run.stdout);
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(
        run.code, 1,
        "verify must not pass account(extra):\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains("`account.extra` is not mapped"),
        "{}",
        run.stdout
    );
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("is not a Heroku Connect name"),
        "{}",
        run.stdout
    );
}

/// A schema with no table is a mistake, not a snapshot: exit 2 naming the Heroku Connect
/// schemas, unless --allow-empty.
#[test]
fn refresh_of_a_schema_without_tables_is_an_error_unless_allowed() {
    let db = hc_database("empty");
    pg::admin(&db)
        .batch_execute(
            "CREATE SCHEMA nothing_here; CREATE SCHEMA org; \
             CREATE TABLE org._hcmeta (id serial PRIMARY KEY, hcver integer)",
        )
        .unwrap();
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let run = hc(&dir, &["refresh", "prod", "--schema", "nothing_here"], &env);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("schema `nothing_here` of postgres://")
            && run.stderr.contains("holds no mapped table")
            && run
                .stderr
                .contains("schemas that look like Heroku Connect schemas: org, salesforce")
            && run.stderr.contains("--allow-empty"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("hc-schema/prod.json").exists());
    // An HC schema with only bookkeeping tables maps nothing either.
    let run = hc(&dir, &["refresh", "prod", "--schema", "org"], &env);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("the Heroku Connect schema here is `salesforce`"),
        "{}",
        run.stderr
    );
    let run = hc(
        &dir,
        &["refresh", "prod", "--schema", "org", "--allow-empty"],
        &env,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 tables"), "{}", run.stdout);
}

/// Apply a unified diff (as `refresh --check` prints it) to `old`.
fn apply_diff(old: &str, diff: &str) -> String {
    let lines: Vec<&str> = old.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut next = 0usize;
    for line in diff.lines() {
        if let Some(header) = line.strip_prefix("@@ -") {
            // `-start,count`, or `-start` for one line (as GNU diff prints it).
            let range = header.split(' ').next().unwrap();
            let (start, count) = range.split_once(',').unwrap_or((range, "1"));
            let (start, count): (usize, usize) = (start.parse().unwrap(), count.parse().unwrap());
            let start = if count == 0 { start } else { start - 1 };
            out.extend(lines[next..start].iter().map(|s| s.to_string()));
            next = start;
        } else if let Some(same) = line.strip_prefix(' ') {
            assert_eq!(lines[next], same);
            out.push(same.to_string());
            next += 1;
        } else if let Some(gone) = line.strip_prefix('-') {
            assert_eq!(lines[next], gone);
            next += 1;
        } else if let Some(added) = line.strip_prefix('+') {
            out.push(added.to_string());
        }
    }
    out.extend(lines[next..].iter().map(|s| s.to_string()));
    out.iter().map(|l| format!("{l}\n")).collect()
}

/// `--check` reports exactly what `refresh` would write: stale after a NOT NULL change and
/// after an import (whose types refresh fills in), and the diff it prints, applied to the
/// file, is byte for byte what refresh then writes.
#[test]
fn refresh_check_reports_exactly_what_refresh_would_write() {
    let db = hc_database("exact");
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let path = dir.join("hc-schema/prod.json");
    let check_json = |dir: &Path| -> (i32, serde_json::Value) {
        let run = hc(
            dir,
            &["refresh", "prod", "--check", "--format", "json"],
            &env,
        );
        let value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        (run.code, value)
    };
    let stale_then_refresh = |what: &str| {
        let before = std::fs::read_to_string(&path).unwrap();
        let (code, report) = check_json(&dir);
        assert_eq!(code, 1, "{what}: {report:#}");
        assert_eq!(report["up_to_date"], false);
        let diff = report["diff"].as_str().unwrap().to_string();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            before,
            "--check never writes"
        );
        let run = hc(&dir, &["refresh", "prod"], &env);
        assert!(run.stdout.starts_with("wrote "), "{what}: {}", run.stdout);
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            apply_diff(&before, &diff),
            written,
            "{what}: the diff is not what refresh wrote"
        );
        let (code, report) = check_json(&dir);
        assert_eq!(
            (code, &report["up_to_date"]),
            (0, &serde_json::Value::Bool(true)),
            "{what}"
        );
        report
    };

    // After an import: Postgres adds types, keeps the export's API names and access.
    std::fs::write(dir.join("export.json"), EXPORT).unwrap();
    assert_eq!(
        hc(&dir, &["import", "prod", "--from", "export.json"], &[]).code,
        0
    );
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 1, "after import: {}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("~   name  type (snapshot: (none), live: character varying(255))"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+ table user  (only in live)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the lines refresh would change in hc-schema/prod.json:\n@@ -"),
        "{}",
        run.stdout
    );
    stale_then_refresh("after import");
    let snapshot = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert_eq!(
        snapshot.tables["account"].object.as_deref(),
        Some("Account")
    );
    assert_eq!(
        snapshot.tables["account"].columns["name"].field.as_deref(),
        Some("Name")
    );

    // A NOT NULL change: no column added or removed, and still stale.
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account ALTER COLUMN name SET NOT NULL")
        .unwrap();
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 1, "after NOT NULL: {}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("  table account\n~   name  nullable (snapshot: nullable, live: NOT NULL)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+        \"name\": { \"type\": \"character varying(255)\", \"field\": \"Name\", \"nullable\": false },"),
        "{}",
        run.stdout
    );
    let report = stale_then_refresh("after NOT NULL");
    assert_eq!(report["changes"], serde_json::json!([]));
}

#[test]
fn formats_are_human_or_json_and_anything_else_is_a_usage_error() {
    let db = hc_database("formats");
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let run = hc(&dir, &["refresh", "prod", "--format", "json"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let written: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(written["written"], true);
    assert_eq!(written["tables"], 3);
    assert_eq!(
        written["access"],
        serde_json::json!({"read_only": 1, "read_write": 1, "unknown": 1})
    );
    write_source(
        &dir,
        "#[hc_requires(account(name, loyalty_tier__c), write contact(email), write user(username))]\nfn main() {}\n",
    );
    let run = hc(&dir, &["verify", "prod", "--format", "json"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(
        report["failures"],
        serde_json::json!([{"kind": "missing_column", "table": "account", "column": "loyalty_tier__c", "sites": ["src/main.rs:1:29"]}])
    );
    assert_eq!(report["notes"][0]["kind"], "access_unknown");
    for args in [
        ["verify", "prod", "--format", "github"],
        ["refresh", "prod", "--format", "github"],
        ["refresh", "prod", "--format", "xml"],
    ] {
        let run = hc(&dir, &args, &env);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("invalid value")
                && run.stderr.contains("[possible values: human, json]"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// Live verify reads each mapping's access in its one catalog query: a write to the
/// read-only `account` fails, to the read-write `contact` passes, to `user` (no logger) is a note.
#[test]
fn verify_reads_access_from_the_logger_functions() {
    let db = hc_database("verify_access");
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    write_source(
        &dir,
        "#[hc_requires(write contact(email), write user(username), account(name))]\nfn main() {}\n",
    );
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("note: this code writes `user`, whose mapping access is unknown"),
        "{}",
        run.stdout
    );
    write_source(&dir, "#[hc_requires(write account(name))]\nfn main() {}\n");
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "`account` is mapped read-only but this code writes it, needed at:\n    src/main.rs:1:"
        ),
        "{}",
        run.stdout
    );
    // Heroku Connect regenerates the logger when the mapping becomes read-write.
    pg::admin(&db)
        .batch_execute(&hc_triggers("salesforce", "account", true))
        .unwrap();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Import takes access from the export; refresh replaces it where Postgres shows it and keeps
/// it only where Postgres cannot tell (no logger function).
#[test]
fn access_from_an_import_is_kept_only_where_postgres_cannot_tell() {
    let db = hc_database("access_import");
    let (_keep, dir) = project(CONFIG);
    std::fs::write(dir.join("export.json"), EXPORT).unwrap();
    let run = hc(&dir, &["import", "prod", "--from", "export.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.join("hc-schema/prod.json");
    let imported = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert_eq!(
        imported.tables["account"].access,
        Some(MappingAccess::ReadOnly)
    );
    assert_eq!(
        imported.tables["contact"].access,
        Some(MappingAccess::ReadWrite)
    );
    // Postgres: account's mapping is now read-write; contact's logger is gone (unknown).
    pg::admin(&db)
        .batch_execute(&format!(
            "{} DROP FUNCTION salesforce.hc_contact_logger() CASCADE;",
            hc_triggers("salesforce", "account", true)
        ))
        .unwrap();
    let url = pg::url("postgres", &db, "sslmode=disable");
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &url)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let refreshed = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert_eq!(
        refreshed.tables["account"].access,
        Some(MappingAccess::ReadWrite),
        "Postgres wins"
    );
    assert_eq!(
        refreshed.tables["contact"].access,
        Some(MappingAccess::ReadWrite),
        "kept from the import"
    );
    assert_eq!(refreshed.tables["user"].access, None);
}

/// An access an earlier *refresh* read from Postgres is not carried forward once Postgres can
/// no longer show it (the logger function is gone): `refresh --check` reports the change and
/// the refreshed snapshot says unknown, never the old, unverified read-write.
#[test]
fn access_read_by_a_refresh_is_dropped_when_postgres_no_longer_shows_it() {
    let (db, _keep, dir, _before) = refreshed_project("access_refresh");
    let path = dir.join("hc-schema/prod.json");
    let first = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert_eq!(
        first.tables["contact"].access,
        Some(MappingAccess::ReadWrite)
    );
    pg::admin(&db)
        .batch_execute("DROP FUNCTION salesforce.hc_contact_logger() CASCADE;")
        .unwrap();
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("contact"), "{}", run.stdout);
    let run = hc(&dir, &["refresh", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let refreshed = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert_eq!(refreshed.tables["contact"].access, None);
}

/// The snapshot's `source` names the server that answered, as a valid credential-free URL:
/// IPv6 in brackets, a Unix socket directory percent-encoded, the second host of a list when
/// the first is down.
#[test]
fn source_names_the_server_actually_connected() {
    let db = hc_database("source");
    let server = pg::server();
    let (_keep, dir) = project(CONFIG);
    let source_of = |url: &str| -> String {
        // Each URL names the same database another way: --force, since the source changes.
        let run = hc(
            &dir,
            &["refresh", "prod", "--force"],
            &[("HC_TEST_PROD_URL", url)],
        );
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        hc_schema_snapshot::Snapshot::load(&dir.join("hc-schema/prod.json"))
            .unwrap()
            .source
            .unwrap()
    };
    let secret = &server.password;
    // IPv6: a proxy on [::1] in front of the server.
    let v6 = Proxy::start("[::1]:0", server_addr(), Silence::Never).unwrap_or_else(|e| {
        panic!("this test needs the IPv6 loopback address ::1 (enable IPv6 on lo): {e}")
    });
    let url = format!(
        "postgres://postgres:{secret}@[::1]:{}/{db}?sslmode=disable",
        v6.port()
    );
    assert_eq!(
        source_of(&url),
        format!("postgres://[::1]:{}/{db}", v6.port())
    );
    // A Unix socket, given as a percent-encoded host and as `host=` in the query.
    let socket = server
        .socket_dir
        .clone()
        .expect("the test cluster has a socket directory");
    let socket = socket.to_str().unwrap();
    let encoded = hc_schema_tests::secrets::percent_encode(socket);
    let expected = format!("postgres://{encoded}:{}/{db}", server.port);
    let url = format!(
        "postgres://postgres:{secret}@{encoded}:{}/{db}",
        server.port
    );
    assert_eq!(source_of(&url), expected);
    let url = format!(
        "postgresql://postgres:{secret}@/{db}?host={socket}&port={}",
        server.port
    );
    assert_eq!(source_of(&url), expected);
    // Several hosts: the first refuses, the second answers.
    let closed = free_port();
    let url = format!(
        "postgres://postgres:{secret}@127.0.0.1:{closed},localhost:{}/{db}?sslmode=disable",
        server.port
    );
    assert_eq!(
        source_of(&url),
        format!("postgres://localhost:{}/{db}", server.port)
    );
    // None answers: each is named with its reason.
    let other = free_port();
    let url = format!("postgres://postgres:{secret}@127.0.0.1:{closed},127.0.0.1:{other}/{db}");
    let run = hc(&dir, &["refresh", "prod"], &[("HC_TEST_PROD_URL", &url)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "no server of the URL in the HC_TEST_PROD_URL variable could be used: 127.0.0.1:{closed}: cannot reach postgres://127.0.0.1:{closed}/{db}: connection refused"
        )) && run.stderr.contains(&format!("; 127.0.0.1:{other}: cannot reach")),
        "{}",
        run.stderr
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Each mistake in a connection string or an option gets a message that says what is wrong.
#[test]
fn bad_connection_settings_say_what_is_wrong() {
    let db = hc_database("settings");
    let (_keep, dir) = project(CONFIG);
    let server = pg::server();
    let run_with = |url: &str, extra: &[&str]| {
        let mut args = vec!["refresh", "prod"];
        args.extend(extra);
        hc(&dir, &args, &[("HC_TEST_PROD_URL", url)])
    };
    for (url, expected) in [
        (
            format!("host=localhost port=abc password={PASSWORD} dbname={db}"),
            "the database URL from the HC_TEST_PROD_URL variable is not valid: the port is not a number from 1 to 65535",
        ),
        (
            format!("postgres://postgres:{PASSWORD}@localhost:{}/{db}?sslmdoe=disable", server.port),
            "`sslmdoe` is not a PostgreSQL connection parameter (did you mean `sslmode`?)",
        ),
        (
            format!("postgres://postgres:{PASSWORD}@localhost:{}/{db}?sslcert=/c.pem", server.port),
            "the parameter `sslcert` is not supported: client certificates are not supported",
        ),
        (
            format!("host=localhost port={} password={PASSWORD} extra words dbname={db}", server.port),
            "the value of `password` is followed by a word without `=`: a value that holds spaces must be in single quotes",
        ),
    ] {
        let run = run_with(&url, &[]);
        assert_eq!(run.code, 2, "{url}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(expected), "{url}: {}", run.stderr);
    }
    // Key=value quoting as libpq: two spaces in a password are kept.
    pg::admin("postgres")
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE spaced LOGIN PASSWORD 'Super  {PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))
        .unwrap();
    let url = format!(
        "host=localhost port={} user=spaced password='Super  {PASSWORD}' dbname={db} sslmode=disable",
        server.port
    );
    let run = run_with(&url, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Something that is not PostgreSQL at the other end, with and without TLS.
    let port = impostor(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    for mode in ["disable", "require", "prefer"] {
        let url = format!("postgres://u:{PASSWORD}@127.0.0.1:{port}/{db}?sslmode={mode}");
        let run = run_with(&url, &[]);
        assert_eq!(run.code, 2, "{mode}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "postgres://127.0.0.1:{port}/{db} does not answer as a PostgreSQL server (it answered with `H...`, which is not the PostgreSQL protocol)"
            )),
            "{mode}: {}",
            run.stderr
        );
    }
    let silent_closer = impostor(b"");
    let url = format!("postgres://u:{PASSWORD}@127.0.0.1:{silent_closer}/{db}?sslmode=disable");
    let run = run_with(&url, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "does not answer as a PostgreSQL server (it closed the connection without answering"
        ),
        "{}",
        run.stderr
    );
    // Out-of-range timeouts are usage errors.
    let good = pg::url("postgres", &db, "sslmode=disable");
    for (flag, value) in [
        ("--statement-timeout", "0"),
        ("--statement-timeout", "86401"),
        ("--statement-timeout", "99999999999999999999"),
        ("--connect-timeout", "0"),
    ] {
        let run = run_with(&good, &[flag, value]);
        assert_eq!(run.code, 2, "{flag} {value}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains(&format!("invalid value '{value}' for '{flag} <SECS>'")),
            "{flag} {value}: {}",
            run.stderr
        );
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Hundreds of generated connection strings (URL and key=value, encoded and raw, passwords
/// full of `@ : / % # ? ' "`, backslashes, spaces and non-ASCII, `%` before multi-byte
/// characters) through refresh, refresh --check and verify: no panic, and no piece of a
/// password in stdout, stderr or any file. The well-formed shapes must connect (the parser
/// reads the password as libpq would).
#[test]
fn no_piece_of_a_password_reaches_any_output_or_file() {
    let db = hc_database("leaks");
    let server = pg::server();
    let host = server.host.clone();
    let targets = secrets::Targets {
        live: (&host, server.port),
        dead: free_port(),
        impostor: impostor(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
        db: &db,
        user: "",
    };
    let (_keep, dir) = project(CONFIG);
    write_source(&dir, "#[hc_requires(account(name))]\nfn main() {}\n");
    let mut rng = secrets::Rng::new(0x5eed_cafe);
    let mut runs = 0;
    for i in 0..12 {
        let password = secrets::password(&mut rng);
        let wrong = secrets::password(&mut rng);
        let user = format!("leak_{i}");
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
            for args in [
                // --force: the shapes reach the server under different names (sources).
                &["refresh", "prod", "--force"][..],
                &["refresh", "prod", "--check"],
                &["verify", "prod"],
            ] {
                let run = cli::run(
                    env!("CARGO_BIN_EXE_hc-schema"),
                    &dir,
                    args,
                    &[("HC_TEST_PROD_URL", &shape.text)],
                    &["DATABASE_URL"],
                );
                runs += 1;
                let output = format!("{}{}", run.stdout, run.stderr);
                let context = || {
                    format!(
                        "{} / {args:?} / password {password:?}:\n{output}",
                        shape.label
                    )
                };
                assert!(
                    matches!(run.code, 0..=2) && !output.contains("panicked"),
                    "{}",
                    context()
                );
                if let Some(piece) = secrets::leak(&output, &[&password, &wrong]) {
                    panic!("password piece {piece:?} in the output of {}", context());
                }
                if shape.connects
                    && args[1] == "prod"
                    && !args.contains(&"--check")
                    && (server.tls || !shape.label.contains("tls"))
                {
                    assert_eq!(
                        run.code,
                        0,
                        "a well-formed shape must connect: {}",
                        context()
                    );
                }
            }
            for file in files_under(&dir) {
                let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
                if let Some(piece) = secrets::leak(&text, &[&password, &wrong]) {
                    panic!(
                        "password piece {piece:?} in {} after {}",
                        file.display(),
                        shape.label
                    );
                }
            }
        }
    }
    assert!(runs >= 700, "{runs}");
}

/// `refresh --check` marks what the code needs: a column the live schema dropped that code
/// reads is BREAKING, a newly mapped column is harmless; `--fail-on breaking` fails only on
/// the first.
#[test]
fn refresh_check_marks_breaking_changes_and_fail_on_chooses() {
    let db = hc_database("breaking");
    let (_keep, dir) = project(CONFIG);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name, billingcity))]\nfn main() {}\n",
    )
    .unwrap();
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    assert_eq!(hc(&dir, &["refresh", "prod"], &env).code, 0);
    // A new field: harmless.
    pg::admin(&db).batch_execute(ADD_LOYALTY_TIER).unwrap();
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--fail-on", "breaking"],
        &env,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("+ account.loyalty_tier__c  (only in live)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 deviation: 0 breaking, 1 harmless"),
        "{}",
        run.stdout
    );
    // SQL the scan cannot read (a piece put together at run time) may use the new field: no
    // change is harmless beside it, and the site is named (issue 20).
    std::fs::write(
        dir.join("src/piece.rs"),
        "pub fn piece() -> &'static str {\n    \"loyalty_tier__c FROM salesforce.account WHERE\"\n}\n",
    )
    .unwrap();
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--fail-on", "breaking"],
        &env,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("cannot tell whether the 1 deviation not marked BREAKING is harmless")
            && run.stderr.contains("\n  src/piece.rs:2:5\n"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(dir.join("src/piece.rs")).unwrap();
    let run = hc(&dir, &["refresh", "prod", "--check"], &env);
    assert_eq!(
        run.code, 1,
        "the default fails on any change:\n{}",
        run.stdout
    );
    // A field the code reads is unmapped: breaking, at the code site.
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account DROP COLUMN billingcity")
        .unwrap();
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--fail-on", "breaking"],
        &env,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "- account.billingcity  (only in snapshot)  needed at src/main.rs:2:29  BREAKING\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 deviations: 1 breaking, 1 harmless"),
        "{}",
        run.stdout
    );
    let run = hc(
        &dir,
        &[
            "refresh",
            "prod",
            "--check",
            "--fail-on",
            "breaking",
            "--format",
            "json",
        ],
        &env,
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["breaking"], 1, "{report:#}");
    let breaking: Vec<&serde_json::Value> = report["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["breaking"] == true)
        .collect();
    assert_eq!(breaking[0]["column"], "billingcity");
    assert_eq!(breaking[0]["needed_at"][0]["site"], "src/main.rs:2:29");
    // A column only an SQL string reads (unguarded, its lint only a warning here) is needed
    // all the same: unmapping it is breaking, at the string (issue 20).
    std::fs::write(
        dir.join("hc-schema.toml"),
        format!("{CONFIG}[check]\nunguarded = \"warn\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/report.rs"),
        "pub fn q() -> &'static str {\n    \"SELECT createddate FROM salesforce.account\"\n}\n",
    )
    .unwrap();
    pg::admin(&db)
        .batch_execute("ALTER TABLE salesforce.account DROP COLUMN createddate")
        .unwrap();
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--fail-on", "breaking"],
        &env,
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "- account.createddate  (only in snapshot)  needed at src/report.rs:2:13  BREAKING\n"
        ),
        "{}",
        run.stdout
    );
    // Without any code, nothing is known to be harmless: `--fail-on breaking` cannot pass.
    std::fs::remove_dir_all(dir.join("src")).unwrap();
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--fail-on", "breaking"],
        &env,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("no code was scanned"), "{}", run.stderr);
}

/// A snapshot with merge-conflict markers (two branches refreshed it) is rebuilt by refresh,
/// keeping the API names either side knew; a damaged file is rebuilt with a note.
#[test]
fn refresh_recovers_a_conflicted_or_damaged_snapshot() {
    let db = hc_database("conflict");
    let (_keep, dir) = project(CONFIG);
    let url = pg::url("postgres", &db, "sslmode=disable");
    let env = [("HC_TEST_PROD_URL", url.as_str())];
    let path = dir.join("hc-schema/prod.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "{\"format\": 1, \"environment\": \"prod\", \"schema\": \"salesforce\", \"tables\": {\n\
         <<<<<<< HEAD\n\
         \"account\": {\"object\": \"Account\", \"columns\": {\"name\": {\"field\": \"Name\"}}}\n\
         =======\n\
         \"account\": {\"columns\": {\"billingcity\": {\"field\": \"BillingCity\"}}}\n\
         >>>>>>> other\n\
         }}\n",
    )
    .unwrap();
    // Loading it elsewhere says "merge conflict", with the line.
    let run = hc(&dir, &["diff", "prod", "prod"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("merge conflict"), "{}", run.stderr);
    let run = hc(&dir, &["refresh", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("merge-conflict markers: rebuilt"),
        "{}",
        run.stderr
    );
    let snapshot = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    let account = &snapshot.tables["account"];
    assert_eq!(account.object.as_deref(), Some("Account"));
    assert_eq!(account.columns["name"].field.as_deref(), Some("Name"));
    assert_eq!(
        account.columns["billingcity"].field.as_deref(),
        Some("BillingCity")
    );
    // Damaged (not a conflict): rebuilt, and the note says what is lost.
    std::fs::write(&path, "{\"format\": 1, \"tables\": [\n").unwrap();
    let run = hc(&dir, &["refresh", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("malformed snapshot"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("API names, types and access it held are lost"),
        "{}",
        run.stderr
    );
    assert!(hc_schema_snapshot::Snapshot::load(&path).is_ok());
}

/// `refresh prod` with no `[env.prod]` reads prod's own variable, `HC_PROD_DATABASE_URL`, never
/// `DATABASE_URL` (a dev shell's test database) while it is set; `DATABASE_URL` alone is used
/// with a note naming the variable to set. A refresh from another database than the one the
/// snapshot came from (its `source`) writes nothing without `--force`, and `--check` says so.
#[test]
fn refresh_reads_the_environments_own_url_and_another_database_needs_force() {
    let test_db = hc_database("own_url_test");
    let prod_db = hc_database("own_url_prod");
    pg::admin(&prod_db).batch_execute(ADD_LOYALTY_TIER).unwrap();
    let test_url = pg::url("postgres", &test_db, "sslmode=disable");
    let prod_url = pg::url("postgres", &prod_db, "sslmode=disable");
    let (_keep, dir) = project("schema = \"salesforce\"\n");
    let path = dir.join("hc-schema/prod.json");
    let source = |db: &str| format!("/{db}");
    // Both set: prod's own variable wins, in every command that reads a URL.
    for args in [
        &["refresh", "prod"][..],
        &["refresh", "prod", "--check"],
        &["verify", "prod"],
    ] {
        let _ = std::fs::remove_file(&path);
        write_source(&dir, "#[hc_requires(account(name))]\nfn main() {}\n");
        if args[0] == "verify" || args.contains(&"--check") {
            let run = hc(
                &dir,
                &["refresh", "prod"],
                &[("HC_PROD_DATABASE_URL", &prod_url)],
            );
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        }
        let run = hc(
            &dir,
            args,
            &[
                ("DATABASE_URL", &test_url),
                ("HC_PROD_DATABASE_URL", &prod_url),
            ],
        );
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            !run.stderr.contains("DATABASE_URL") && !run.stdout.contains(&source(&test_db)),
            "{args:?} read DATABASE_URL:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    let written = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert!(written.source.unwrap().ends_with(&source(&prod_db)));
    assert!(written.tables["account"]
        .columns
        .contains_key("loyalty_tier__c"));

    // DATABASE_URL alone (here: the test database) is read for prod with a note; the snapshot
    // came from prod's database, so nothing is written without --force.
    let before = std::fs::read(&path).unwrap();
    let run = hc(&dir, &["refresh", "prod"], &[("DATABASE_URL", &test_url)]);
    assert!(
        run.stderr.contains("note: reading `prod`'s database from DATABASE_URL: neither [env.prod] database_url_env in hc-schema.toml nor HC_PROD_DATABASE_URL is set"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("{} (from the DATABASE_URL variable) is not the database hc-schema/prod.json came from (", source(&test_db))),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "written without --force"
    );
    // --check shows it, in both formats.
    let run = hc(
        &dir,
        &["refresh", "prod", "--check"],
        &[("HC_PROD_DATABASE_URL", &test_url)],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("note: this is not the database hc-schema/prod.json came from (")
            && run.stdout.contains("refresh prod --force"),
        "{}",
        run.stdout
    );
    let run = hc(
        &dir,
        &["refresh", "prod", "--check", "--format", "json"],
        &[("HC_PROD_DATABASE_URL", &test_url)],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        json["other_database"]
            .as_str()
            .unwrap()
            .ends_with(&source(&prod_db)),
        "{json}"
    );
    // A configured variable is used, and the same database needs no --force.
    let run = hc(
        &dir,
        &["refresh", "prod"],
        &[("HC_PROD_DATABASE_URL", &prod_url)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // --force writes the other database's schema on purpose.
    let run = hc(
        &dir,
        &["refresh", "prod", "--force"],
        &[("HC_PROD_DATABASE_URL", &test_url)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let written = hc_schema_snapshot::Snapshot::load(&path).unwrap();
    assert!(written.source.unwrap().ends_with(&source(&test_db)));
    // And no URL at all names prod's conventional variable.
    let run = hc(&dir, &["refresh", "prod"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no database URL for `prod`: set HC_PROD_DATABASE_URL (or DATABASE_URL)"),
        "{}",
        run.stderr
    );
}

/// `init` reads the database's Heroku Connect schema as `refresh` does and writes it into the
/// new hc-schema.toml; no output and no file holds the password (the `hc` helper asserts the
/// output; the files are read here). Two Heroku Connect schemas are an error naming both,
/// with nothing written.
#[test]
fn init_detects_the_heroku_connect_schema_and_never_shows_the_password() {
    let db = hc_database("initdetect");
    pg::admin(&db)
        .batch_execute("ALTER SCHEMA salesforce RENAME TO org")
        .unwrap();
    let url = pg::url("postgres", &db, "sslmode=disable");
    assert!(
        url.contains(&pg::server().password) || url.contains(PASSWORD),
        "the URL has a password to hide"
    );
    let crate_dir = || {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/lib.rs"),
            "#[hc_schema_macro::hc_requires(account(name))]\npub fn f() {}\n",
        )
        .unwrap();
        dir
    };
    let no_password_in_files = |dir: &Path| {
        for entry in walk(dir) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            assert!(
                !text.contains(PASSWORD) && !text.contains(&pg::server().password),
                "password written into {}",
                entry.display()
            );
        }
    };
    let dir = crate_dir();
    let run = hc(
        dir.path(),
        &["init", "--env", "prod"],
        &[("HC_PROD_DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "note: Heroku Connect schema `org` detected in the database of the \
             HC_PROD_DATABASE_URL variable"
        ),
        "{}",
        run.stdout
    );
    let config = std::fs::read_to_string(dir.path().join("hc-schema.toml")).unwrap();
    assert!(config.contains("schema = \"org\""), "{config}");
    no_password_in_files(dir.path());
    // The schema it wrote is the one refresh reads.
    let run = hc(
        dir.path(),
        &["refresh", "prod"],
        &[("HC_PROD_DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // A second schema that looks like Heroku Connect's: which one is unknown, so init asks.
    pg::admin(&db)
        .batch_execute("CREATE SCHEMA salesforce001; CREATE TABLE salesforce001._hcmeta (id int)")
        .unwrap();
    let dir = crate_dir();
    let run = hc(dir.path(), &["init", "--database-url", &url], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("has several Heroku Connect schemas (org, salesforce001): pass --schema"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.path().join("hc-schema.toml").exists(),
        "nothing is written"
    );
    no_password_in_files(dir.path());
    // --schema needs no database.
    let run = hc(
        dir.path(),
        &["init", "--schema", "org"],
        &[("HC_PROD_DATABASE_URL", "postgres://nobody:pw@127.0.0.1:1/x")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Issue 19: `hc-schema verify prod` judges each table the sources' SQL names as
/// `schema.table` against the live schema, in the build's words: `salesforce.account` (test's
/// schema) fails against prod's `org`, though `org.account` maps the column.
#[test]
fn verify_fails_a_schema_qualifier_that_is_not_the_live_schema() {
    let db = hc_database("verify_qualifier");
    pg::admin(&db)
        .batch_execute(
            "CREATE SCHEMA org; CREATE TABLE org._hcmeta (id integer); \
             CREATE TABLE org.account (id serial PRIMARY KEY, sfid varchar(18), name varchar(255));",
        )
        .unwrap();
    let (_keep, dir) = project(
        "[env.test]\nschema = \"salesforce\"\n[env.prod]\ndatabase_url_env = \"HC_TEST_PROD_URL\"\nschema = \"org\"\n",
    );
    let line = "fn names() -> &'static str { \"SELECT name FROM salesforce.account\" }";
    write_source(
        &dir,
        &format!("#[hc_requires(account(name))]\n{line}\nfn main() {{}}\n"),
    );
    let env = [(
        "HC_TEST_PROD_URL",
        pg::url("postgres", &db, "sslmode=prefer"),
    )];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let column = line.find(".account").unwrap() + 2;
    assert!(
        run.stdout.contains(
            "`salesforce.account` names the schema `salesforce`, but the Heroku Connect schema \
             of prod ("
        ) && run.stdout.contains(&format!(
            "is `org`: there this SQL names a table that does not exist, needed at:\n    \
             src/main.rs:2:{column}\n"
        )),
        "{}",
        run.stdout
    );
    // Written as prod's schema: it holds.
    write_source(
        &dir,
        &format!(
            "#[hc_requires(account(name))]\n{}\nfn main() {{}}\n",
            line.replace("salesforce.", "org.")
        ),
    );
    let run = hc(&dir, &["verify", "prod"], &env);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
