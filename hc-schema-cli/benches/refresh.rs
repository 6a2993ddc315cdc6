//! `hc-schema refresh` (unchanged snapshot, mapping access included) against `psql` running
//! the same catalog query text (the parameters written as literals, unaligned output to
//! /dev/null): the physical floor of one round trip plus the transfer. Both connect the same
//! way (TCP, no TLS, SCRAM password) and run interleaved in the same run; the ratio is the
//! median of per-round ratios.
//!
//! Two sizes: S (200 tables x 300 columns) and L (500 tables x 800 columns, 400k columns);
//! the L/S time per column shows whether refresh scales linearly.
//!
//! Run: `cargo bench -p hc-schema --bench refresh`

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use hc_schema_snapshot::fetch::{QUERY, READ_ONLY_PATTERN, READ_WRITE_PATTERN};
use hc_schema_tests::bench::{interleave, median, median_ratio};
use hc_schema_tests::pg;

fn psql() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("psql"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin/psql"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found
            .pop()
            .expect("psql not found on PATH or in /usr/lib/postgresql/*/bin")
    })
}

/// The catalog query with its parameters written as SQL literals (for psql).
fn literal_query(schema: &str) -> String {
    let literal = |text: &str| format!("'{}'", text.replace('\'', "''"));
    QUERY
        .replace("$1", &literal(schema))
        .replace("$2", &literal(READ_ONLY_PATTERN))
        .replace("$3", &literal(READ_WRITE_PATTERN))
}

/// A database with `tables` x `columns` Heroku-Connect-shaped tables, each with its logger
/// function (half read-only, half read-write), so the access part of the query does its work.
fn database(tables: usize, columns: usize) -> String {
    let db = pg::create_database("bench_refresh");
    let mut client = pg::admin(&db);
    client
        .batch_execute(
            "CREATE SCHEMA salesforce; \
             CREATE TABLE salesforce._trigger_log (id serial PRIMARY KEY, state varchar(8), \
                 action varchar(7), table_name varchar(128), record_id integer, values text)",
        )
        .unwrap();
    for t in 0..tables {
        let fields: Vec<String> = (0..columns.saturating_sub(2))
            .map(|c| format!("field_{c}__c varchar(255)"))
            .collect();
        let state = if t % 2 == 0 { "READONLY" } else { "NEW" };
        client
            .batch_execute(&format!(
                "CREATE TABLE salesforce.object_{t}__c (id serial PRIMARY KEY, sfid varchar(18), {}); \
                 CREATE FUNCTION salesforce.hc_object_{t}__c_logger() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 DECLARE trigger_row \"salesforce\".\"_trigger_log\"; \
                 BEGIN trigger_row = ROW(); trigger_row.state = '{state}'; \
                 INSERT INTO \"salesforce\".\"_trigger_log\" VALUES (trigger_row.*); RETURN NULL; END; $$",
                fields.join(", ")
            ))
            .unwrap();
    }
    db
}

struct Tier {
    columns: usize,
    refresh: Duration,
    psql: Duration,
    ratio: f64,
}

fn tier(name: &str, tables: usize, columns: usize, rounds: usize) -> Tier {
    let db = database(tables, columns);
    let server = pg::server();
    let url = pg::url(&server.user, &db, "sslmode=disable");
    let dir = tempfile::tempdir().unwrap();
    let refresh = || {
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
        output
    };
    let psql_bin = psql();
    let query = literal_query("salesforce");
    let baseline = || {
        let output = Command::new(&psql_bin)
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-o",
                "/dev/null",
                "-c",
                &query,
                &url,
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // Warm up, write the snapshot: every measured refresh finds it unchanged.
    refresh();
    let stdout = String::from_utf8_lossy(&refresh().stdout).into_owned();
    assert!(stdout.starts_with("unchanged"), "{stdout}");
    baseline();
    let snapshot =
        hc_schema_snapshot::Snapshot::load(&dir.path().join("hc-schema/prod.json")).unwrap();
    let total = snapshot.column_count();
    let bytes = std::fs::metadata(dir.path().join("hc-schema/prod.json"))
        .unwrap()
        .len();
    let mut run_refresh = || {
        refresh();
    };
    let mut run_psql = baseline;
    let times = interleave(rounds, &mut [&mut run_refresh, &mut run_psql]);
    let (r, p) = (median(times[0].clone()), median(times[1].clone()));
    let ratio = median_ratio(&times[0], &times[1]);
    println!(
        "refresh {name} ({tables} tables x {columns} columns = {total} columns, {:.1} MB snapshot, access included): \
         hc-schema refresh {:.3}s, psql (same query) {:.3}s, ratio {ratio:.3} (median of {rounds} per-round ratios)",
        bytes as f64 / 1e6,
        r.as_secs_f64(),
        p.as_secs_f64(),
    );
    Tier {
        columns: total,
        refresh: r,
        psql: p,
        ratio,
    }
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "machine: {cores} core(s); other processes may load it, ratios are taken in the same run"
    );
    let s = tier("S", 200, 300, 9);
    let l = tier("L", 500, 800, 5);
    let per_column = |d: Duration, columns: usize| d.as_secs_f64() / columns as f64;
    println!(
        "scaling L/S, time per column: refresh {:.2}, psql {:.2} (1.00 = linear); ratios S {:.3}, L {:.3} (target <= 1.3)",
        per_column(l.refresh, l.columns) / per_column(s.refresh, s.columns),
        per_column(l.psql, l.columns) / per_column(s.psql, s.columns),
        s.ratio,
        l.ratio
    );
}
