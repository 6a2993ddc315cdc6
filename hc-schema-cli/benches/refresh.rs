//! `hc-schema refresh` of a synthetic 200-table x 300-column schema against
//! `pg_dump --schema-only -n <schema>` of the same database, alternately in the same run
//! (median of 5). Run: `cargo bench -p hc-schema --bench refresh`

use std::path::PathBuf;
use std::process::Command;

use hc_schema_tests::bench::{alternate, report};
use hc_schema_tests::pg;

fn pg_dump() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/pg_dump"))
        .filter(|p| p.is_file())
        .collect();
    dirs.sort();
    dirs.pop().unwrap_or_else(|| PathBuf::from("pg_dump"))
}

fn main() {
    let db = pg::create_database("bench_refresh");
    let mut client = pg::admin(&db);
    client.batch_execute("CREATE SCHEMA salesforce").unwrap();
    for t in 0..200 {
        let columns: Vec<String> = (0..300)
            .map(|c| format!("field_{c}__c varchar(255)"))
            .collect();
        client
            .batch_execute(&format!(
                "CREATE TABLE salesforce.object_{t}__c (id serial PRIMARY KEY, sfid varchar(18), {})",
                columns.join(", ")
            ))
            .unwrap();
    }
    let server = pg::server();
    let url = pg::url(&server.user, &db, "sslmode=disable");
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("hc-schema/prod.json");
    let refresh = || {
        let _ = std::fs::remove_file(&snapshot);
        let output = Command::new(env!("CARGO_BIN_EXE_hc-schema"))
            .current_dir(dir.path())
            .args(["refresh", "prod", "--database-url", &url])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let dump_bin = pg_dump();
    let dump = || {
        let output = Command::new(&dump_bin)
            .args([
                "--schema-only",
                "-n",
                "salesforce",
                "-h",
                &server.host,
                "-p",
                &server.port.to_string(),
                "-U",
                &server.user,
                &db,
            ])
            .env("PGPASSWORD", &server.password)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    refresh();
    dump();
    let columns = hc_schema_snapshot::Snapshot::load(&snapshot)
        .unwrap()
        .column_count();
    println!("schema: 200 tables, {columns} columns");
    let (r, d) = alternate(5, refresh, dump);
    report(
        "refresh",
        "hc-schema refresh",
        r,
        "pg_dump --schema-only",
        d,
    );
}
