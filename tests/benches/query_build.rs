//! Build-time cost of `hc_query!` against its anchor (issue 21): the same realistic queries
//! (1,000 by default) as `hc_query!`, as `sqlx::query_as!`/`sqlx::query!` in offline mode,
//! and hand-written (`client.query` + `row.get` into a struct), each in a crate of its own,
//! built in the same run: first build and touch-rebuild, ratios in one run.
//!
//! The schema: 50 Heroku-Connect-shaped tables (`id`, `sfid`, `name`, `isdeleted` and 40
//! fields of `character varying`, `double precision`, `boolean` and `integer`), as a typed
//! snapshot for `hc_query!` and as real tables on the suite's throwaway PostgreSQL for sqlx.
//! Four query shapes of the sizes an app writes: a select by `sfid` (4 columns), a join with
//! `count` and a `double precision` parameter, an `INSERT ... RETURNING id` (3 parameters) and
//! an `UPDATE` run for its row count. Every variant is a library crate whose functions take
//! typed parameters and return a struct written in the crate (`hc_query!(Row, ...)`,
//! `query_as!(Row, ...)`, or the struct filled by `row.get(i)` in `.iter().map(..).collect()`),
//! each crate with the README's recommended profile (`[profile.dev.build-override]
//! opt-level = 3`: proc macros, sqlx's included, optimised; the nested builds' environment
//! setting of opt-level 0, which would override it, is removed for the bench's builds).
//!
//! sqlx's offline data is sqlx's own: the sqlx crate is built once online (`DATABASE_URL` set,
//! `SQLX_OFFLINE_DIR` pointing at its `.sqlx`, which is what `cargo sqlx prepare` does), then
//! every measured build runs with `SQLX_OFFLINE=true` and no database. sqlx is compiled only
//! by this bench, in a generated crate in a temporary directory: never by `cargo test`.
//!
//! Measured: the CPU time (user + system) of `cargo build` and every process it starts
//! (rustc, the proc macros), from `getrusage(RUSAGE_CHILDREN)`, which other builds on the
//! machine disturb far less than wall-clock time; rounds interleaved, the median of per-round
//! ratios. "first build": the crate's own compilation with the macro's cache of analyses
//! removed (dependencies built); "touch-rebuild": the source touched, caches warm.
//! With `HC_SCHEMA_BENCH_INSTRUCTIONS=1`, also callgrind instruction counts of one build of
//! each (deterministic; slow: use fewer queries).
//!
//! Settings: `HC_SCHEMA_BENCH_QUERIES=n` (default 1000), `HC_SCHEMA_BENCH_ROUNDS=n` (default
//! 5), `HC_SCHEMA_BENCH_SNAPSHOTS=2` (a second, unselected snapshot `test.json` beside
//! `prod.json`; default 1), `HC_SCHEMA_BENCH_VARIANTS=hand,hc_query,sqlx` (default all three; without `sqlx` nothing
//! of sqlx is fetched or built; `hc_query_before` adds `hc_query!` from the checkout at
//! `HC_SCHEMA_BENCH_BEFORE`, to compare two revisions in one run), `HC_SCHEMA_BENCH_KEEP=1`
//! (keep the crates, print where).
//!
//! Run: `cargo bench -p hc-schema-tests --bench query_build`

use std::process::Command;
use std::time::Duration;

use hc_schema_tests::bench::{
    bench_snapshots, callgrind_instructions, machine, median, median_ratio, rounds, snapshot_files,
};
use hc_schema_tests::cargo::{cargo, nested_target, TempCrate};
use hc_schema_tests::pg;

const TABLES: usize = 50;
const FIELDS: usize = 40;

/// The field types, by `field % 4`: (Postgres type, Rust type read, Rust parameter type).
const TYPES: [(&str, &str, &str); 4] = [
    ("character varying(255)", "String", "&str"),
    ("double precision", "f64", "f64"),
    ("boolean", "bool", "bool"),
    ("integer", "i32", "i32"),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Variant {
    Hand,
    HcQuery,
    /// `hc_query!` of another checkout (`HC_SCHEMA_BENCH_BEFORE`), to compare two revisions.
    HcQueryBefore,
    Sqlx,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Hand => "hand-written",
            Variant::HcQuery => "hc_query!",
            Variant::HcQueryBefore => "hc_query! (HC_SCHEMA_BENCH_BEFORE)",
            Variant::Sqlx => "sqlx offline",
        }
    }

    /// The crate's name (and its build directories' prefix).
    fn crate_name(self) -> String {
        format!("bench_query_{}", format!("{self:?}").to_lowercase())
    }

    fn is_hc_query(self) -> bool {
        matches!(self, Variant::HcQuery | Variant::HcQueryBefore)
    }
}

/// The field `field_<n>__c` of query `i`'s `k`-th use, of type `TYPES[kind]`.
fn field(i: usize, k: usize, kind: usize) -> usize {
    let n = (i * 13 + k * 37) % FIELDS;
    n - n % 4 + kind
}

/// One output column: its field name, the Rust type read, and whether each reads it as an
/// `Option`.
struct Column {
    name: String,
    rust: &'static str,
    /// hc_query!'s nullability (every Heroku Connect column but `id`; not `count`).
    nullable_hc: bool,
    /// sqlx's (what PostgreSQL says: columns without NOT NULL; `count` is unknown to it).
    nullable_sqlx: bool,
}

/// Query `i`: its SQL, output columns, parameters (name, Rust type) and whether it is run for
/// its rows (`false`: for the number of rows changed).
struct Query {
    sql: String,
    outputs: Vec<Column>,
    params: Vec<(String, &'static str)>,
    rows: bool,
}

fn column(name: &str, rust: &'static str, hc: bool, sqlx: bool) -> Column {
    Column {
        name: name.to_string(),
        rust,
        nullable_hc: hc,
        nullable_sqlx: sqlx,
    }
}

fn query(i: usize) -> Query {
    let t = i % TABLES;
    let u = (i * 7 + 3) % TABLES;
    let f = |k: usize, kind: usize| format!("field_{}__c", field(i, k, kind));
    match i % 4 {
        0 => {
            let (a, b) = (f(0, 1), f(1, 2));
            Query {
                sql: format!(
                    "SELECT o.sfid, o.name, o.{a}, o.{b}\n         FROM salesforce.object_{t}__c o\n         \
                     WHERE o.sfid = $1 AND o.isdeleted IS NOT TRUE\n         ORDER BY o.name LIMIT 100"
                ),
                outputs: vec![
                    column("sfid", "String", true, true),
                    column("name", "String", true, true),
                    column(&a, "f64", true, true),
                    column(&b, "bool", true, true),
                ],
                params: vec![("sfid".into(), "&str")],
                rows: true,
            }
        }
        1 => {
            let (a, d) = (f(0, 0), f(1, 1));
            Query {
                sql: format!(
                    "SELECT o.sfid, o.{a}, count(p.id) AS n\n         FROM salesforce.object_{t}__c o\n         \
                     JOIN salesforce.object_{u}__c p ON p.sfid = o.sfid\n         \
                     WHERE o.{d} > $1\n         GROUP BY o.sfid, o.{a}\n         ORDER BY n DESC"
                ),
                outputs: vec![
                    column("sfid", "String", true, true),
                    column(&a, "String", true, true),
                    column("n", "i64", false, true),
                ],
                params: vec![("above".into(), "f64")],
                rows: true,
            }
        }
        2 => {
            let (a, b) = (f(0, 3), f(1, 2));
            Query {
                sql: format!(
                    "INSERT INTO salesforce.object_{t}__c (name, {a}, {b})\n         \
                     VALUES ($1, $2, $3)\n         RETURNING id"
                ),
                outputs: vec![column("id", "i32", false, false)],
                params: vec![
                    ("name".into(), "&str"),
                    (a.clone(), "i32"),
                    (b.clone(), "bool"),
                ],
                rows: true,
            }
        }
        _ => {
            let a = f(0, 0);
            Query {
                sql: format!(
                    "UPDATE salesforce.object_{t}__c SET {a} = $1\n         \
                     WHERE sfid = $2 AND isdeleted IS NOT TRUE"
                ),
                outputs: Vec::new(),
                params: vec![(a.clone(), "&str"), ("sfid".into(), "&str")],
                rows: false,
            }
        }
    }
}

/// The snapshot of the schema (typed; every table read-write).
fn snapshot() -> String {
    let mut tables = Vec::new();
    for t in 0..TABLES {
        let mut columns = vec![
            "\"id\": { \"type\": \"integer\", \"nullable\": false, \"system\": true }".to_string(),
            "\"sfid\": { \"type\": \"character varying(18)\", \"system\": true }".to_string(),
            "\"isdeleted\": { \"type\": \"boolean\", \"system\": true }".to_string(),
            "\"name\": { \"type\": \"character varying(255)\", \"field\": \"Name\" }".to_string(),
        ];
        for c in 0..FIELDS {
            columns.push(format!(
                "\"field_{c}__c\": {{ \"type\": \"{}\", \"field\": \"Field_{c}__c\" }}",
                TYPES[c % 4].0
            ));
        }
        tables.push(format!(
            "\"object_{t}__c\": {{ \"object\": \"Object_{t}__c\", \"access\": \"read_write\", \
             \"columns\": {{ {} }} }}",
            columns.join(", ")
        ));
    }
    format!(
        "{{ \"format\": 1, \"environment\": \"prod\", \"schema\": \"salesforce\", \"tables\": {{ {} }} }}\n",
        tables.join(", ")
    )
}

/// The same schema as DDL (for sqlx's online pass).
fn ddl() -> String {
    let mut out = String::from("CREATE SCHEMA salesforce;\n");
    for t in 0..TABLES {
        let fields: Vec<String> = (0..FIELDS)
            .map(|c| format!("field_{c}__c {}", TYPES[c % 4].0))
            .collect();
        out.push_str(&format!(
            "CREATE TABLE salesforce.object_{t}__c (id serial NOT NULL PRIMARY KEY, \
             sfid character varying(18), isdeleted boolean, name character varying(255), {});\n",
            fields.join(", ")
        ));
    }
    out
}

/// The row struct of query `i` in `variant`.
fn row_struct(i: usize, q: &Query, variant: Variant) -> String {
    let fields: Vec<String> = q
        .outputs
        .iter()
        .map(|c| {
            let nullable = match variant {
                Variant::Sqlx => c.nullable_sqlx,
                _ => c.nullable_hc,
            };
            let ty = if nullable {
                format!("Option<{}>", c.rust)
            } else {
                c.rust.to_string()
            };
            format!("    pub {}: {ty},\n", c.name)
        })
        .collect();
    format!(
        "/// A row of query {i}.\n#[derive(Debug)]\npub struct Row{i} {{\n{}}}\n",
        fields.concat()
    )
}

fn source(variant: Variant, count: usize) -> String {
    let mut out = String::from("#![allow(clippy::all)]\n//! Generated by the query_build bench.\n");
    if variant.is_hc_query() {
        out.push_str(
            "use hc_schema_macro::hc_query;\nuse hc_schema_snapshot::query::QueryError;\n",
        );
    }
    for i in 0..count {
        let q = query(i);
        let sql = format!("{:?}", q.sql);
        let params: Vec<String> = q
            .params
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        let names: Vec<&str> = q.params.iter().map(|(name, _)| name.as_str()).collect();
        if !q.outputs.is_empty() {
            out.push_str(&row_struct(i, &q, variant));
        }
        let fetch = if i % 4 == 2 { "fetch_one" } else { "fetch_all" };
        let returns = if !q.rows {
            "u64".to_string()
        } else if i % 4 == 2 {
            format!("Row{i}")
        } else {
            format!("Vec<Row{i}>")
        };
        let body = match variant {
            Variant::Hand => {
                let refs: Vec<String> = names.iter().map(|n| format!("&{n}")).collect();
                let refs = refs.join(", ");
                let reads: Vec<String> = q
                    .outputs
                    .iter()
                    .enumerate()
                    .map(|(n, c)| format!("{}: row.get({n})", c.name))
                    .collect();
                let reads = reads.join(", ");
                if !q.rows {
                    format!("client.execute({sql}, &[{refs}])")
                } else if i % 4 == 2 {
                    format!("let row = client.query_one({sql}, &[{refs}])?;\n    Ok(Row{i} {{ {reads} }})")
                } else {
                    format!(
                        "Ok(client\n        .query({sql}, &[{refs}])?\n        .iter()\n        \
                         .map(|row| Row{i} {{ {reads} }})\n        .collect())"
                    )
                }
            }
            Variant::HcQuery | Variant::HcQueryBefore => {
                let args: String = names.iter().map(|n| format!(", {n}")).collect();
                if q.rows {
                    format!("hc_query!(Row{i}, {sql}{args}).{fetch}(client)")
                } else {
                    format!("hc_query!({sql}{args}).execute(client)")
                }
            }
            Variant::Sqlx => {
                let args: String = names.iter().map(|n| format!(", {n}")).collect();
                if q.rows {
                    format!("sqlx::query_as!(Row{i}, {sql}{args}).{fetch}(pool).await")
                } else {
                    format!(
                        "sqlx::query!({sql}{args}).execute(pool).await.map(|done| done.rows_affected())"
                    )
                }
            }
        };
        let params = params.join(", ");
        let head = match variant {
            Variant::Hand => format!(
                "pub fn query_{i}(client: &mut postgres::Client, {params}) -> Result<{returns}, postgres::Error>"
            ),
            Variant::HcQuery | Variant::HcQueryBefore => format!(
                "pub fn query_{i}(client: &mut postgres::Client, {params}) -> Result<{returns}, QueryError>"
            ),
            Variant::Sqlx => format!(
                "pub async fn query_{i}(pool: &sqlx::PgPool, {params}) -> Result<{returns}, sqlx::Error>"
            ),
        };
        out.push_str(&format!("/// Query {i}.\n{head} {{\n    {body}\n}}\n"));
    }
    out
}

/// The crate of `variant`: a library, with the README's recommended profile.
fn make_crate(variant: Variant, count: usize, snapshot: &str) -> TempCrate {
    let source = source(variant, count);
    let snapshots = snapshot_files(snapshot);
    let mut files: Vec<(&str, &str)> = vec![("src/lib.rs", &source), ("hc-schema.toml", "")];
    files.extend(snapshots.iter().map(|(path, text)| (*path, text.as_str())));
    let krate = TempCrate::new(&variant.crate_name(), &["prod-snapshot"], &files);
    match variant {
        Variant::Hand => krate.add_dependencies("postgres = \"0.19\"\n"),
        Variant::HcQuery | Variant::HcQueryBefore => {
            krate.add_dependencies("postgres = \"0.19\"\n");
            // A revision before the runtime feature has none to enable.
            let before = std::env::var("HC_SCHEMA_BENCH_BEFORE").unwrap_or_default();
            let has_runtime = variant == Variant::HcQuery
                || std::fs::read_to_string(format!("{before}/hc-schema-snapshot/Cargo.toml"))
                    .is_ok_and(|manifest| manifest.contains("\nquery = "));
            if has_runtime {
                krate.enable_query_runtime();
            }
        }
        Variant::Sqlx => krate.add_dependencies(
            "sqlx = { version = \"0.8\", default-features = false, features = [\"postgres\", \"macros\", \"runtime-tokio\"] }\n",
        ),
    }
    let manifest = krate.path().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    if variant == Variant::HcQueryBefore {
        let before = std::env::var("HC_SCHEMA_BENCH_BEFORE").expect("HC_SCHEMA_BENCH_BEFORE");
        let here = hc_schema_tests::cargo::workspace().display().to_string();
        text = text.replace(&format!("\"{here}/"), &format!("\"{before}/"));
    }
    text.push_str("\n[profile.dev.build-override]\nopt-level = 3\n");
    std::fs::write(manifest, text).unwrap();
    krate
}

/// A cargo command for the bench's crates: the nested builds' settings, except their
/// `opt-level = 0` for build dependencies, which (an environment setting beats the manifest)
/// would override the crates' own `[profile.dev.build-override] opt-level = 3`, the README's
/// recommended profile, and measure the proc macros unoptimised.
fn bench_cargo(krate: &TempCrate) -> Command {
    let mut command = cargo(krate.path());
    command.env_remove("CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL");
    command
}

/// The cargo command that builds `krate` (sqlx offline: no database reachable).
fn build_command(krate: &TempCrate, variant: Variant) -> Command {
    let mut command = bench_cargo(krate);
    command
        .args(["build", "--quiet", "--features", "prod-snapshot"])
        .env_remove("DATABASE_URL")
        .env_remove("SQLX_OFFLINE_DIR");
    if variant == Variant::Sqlx {
        command.env("SQLX_OFFLINE", "true");
    }
    command
}

/// The CPU time (user + system) of `command` and every process it waited for.
fn cpu_time(mut command: Command) -> Duration {
    let before = children_cpu();
    let output = command.output().expect("run cargo");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    children_cpu() - before
}

fn children_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Touch the source: only the crate itself is rebuilt.
fn touch(krate: &TempCrate) {
    let lib = krate.path().join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text).unwrap();
}

/// Remove the macro's caches (analyses, shapes) of crate `name` (every build directory of that
/// name).
fn forget_analyses(name: &str) {
    let build = nested_target().join("debug").join("build");
    for entry in std::fs::read_dir(build).into_iter().flatten().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("{name}-"))
        {
            for file in ["sql-analyses", "sql-shapes"] {
                let _ = std::fs::remove_file(entry.path().join("out/hc-schema").join(file));
            }
        }
    }
}

/// Build the sqlx crate online once: sqlx's macros write their offline data to `.sqlx`.
fn prepare_sqlx(krate: &TempCrate) {
    let db = pg::create_database("query_bench");
    pg::admin(&db)
        .batch_execute(&ddl())
        .expect("create the schema");
    let offline = krate.path().join(".sqlx");
    std::fs::create_dir_all(&offline).unwrap();
    let mut command = bench_cargo(krate);
    command
        .args(["build", "--quiet", "--features", "prod-snapshot"])
        .env("DATABASE_URL", pg::url("postgres", &db, "sslmode=disable"))
        .env("SQLX_OFFLINE_DIR", &offline)
        .env_remove("SQLX_OFFLINE");
    let output = command.output().expect("run cargo");
    assert!(
        output.status.success(),
        "building the sqlx crate online failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_dir(&offline).unwrap().count();
    assert!(
        written > 0,
        "sqlx wrote no offline data in {}",
        offline.display()
    );
    println!("sqlx: {written} query files written to .sqlx by sqlx's macros (online pass)");
}

fn variants() -> Vec<Variant> {
    let wanted = std::env::var("HC_SCHEMA_BENCH_VARIANTS")
        .unwrap_or_else(|_| "hand,hc_query,sqlx".to_string());
    let mut out = Vec::new();
    for name in wanted.split(',').map(str::trim) {
        out.push(match name {
            "hand" => Variant::Hand,
            "hc_query" => Variant::HcQuery,
            "sqlx" => Variant::Sqlx,
            "hc_query_before" => Variant::HcQueryBefore,
            other => panic!(
                "HC_SCHEMA_BENCH_VARIANTS: unknown variant `{other}` (hand, hc_query, sqlx, \
                 hc_query_before)"
            ),
        });
    }
    assert!(
        out.first() == Some(&Variant::Hand),
        "HC_SCHEMA_BENCH_VARIANTS must start with `hand` (the baseline)"
    );
    out
}

fn main() {
    println!("{}", machine());
    let count: usize = std::env::var("HC_SCHEMA_BENCH_QUERIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let variants = variants();
    let snapshot = snapshot();
    println!(
        "query_build: {count} queries, {TABLES} tables x {} columns (typed snapshot, {} bytes, {} \
         in the directory); variants: {}",
        FIELDS + 4,
        snapshot.len(),
        bench_snapshots(),
        variants
            .iter()
            .map(|v| v.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let crates: Vec<(Variant, TempCrate)> = variants
        .iter()
        .map(|&v| (v, make_crate(v, count, &snapshot)))
        .collect();
    if std::env::var_os("HC_SCHEMA_BENCH_KEEP").is_some() {
        for (variant, krate) in &crates {
            println!("{}: {}", variant.name(), krate.path().display());
        }
    }
    for (variant, krate) in &crates {
        if *variant == Variant::Sqlx {
            prepare_sqlx(krate);
        }
        // Dependencies built, caches warm.
        touch(krate);
        let output = build_command(krate, *variant).output().expect("cargo");
        assert!(
            output.status.success(),
            "{}: {}",
            variant.name(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // (variant index, first build)
    let runs: Vec<(usize, bool)> = (0..crates.len())
        .flat_map(|n| [(n, true), (n, false)])
        .collect();
    let prepare = |n: usize, first: bool| {
        let (variant, krate) = &crates[n];
        if first && variant.is_hc_query() {
            forget_analyses(&variant.crate_name());
        }
        touch(krate);
    };
    let rounds = rounds(5);
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runs.len()];
    for round in 0..rounds {
        for k in 0..runs.len() {
            let which = (round + k) % runs.len();
            let (n, first) = runs[which];
            prepare(n, first);
            times[which].push(cpu_time(build_command(&crates[n].1, crates[n].0)));
        }
    }
    for (kind, first) in [("first build", true), ("touch-rebuild", false)] {
        let baseline = runs.iter().position(|r| *r == (0, first)).unwrap();
        for (which, &(n, f)) in runs.iter().enumerate() {
            if f != first {
                continue;
            }
            println!(
                "query_build ({kind}, CPU time): {} {:.2}s (median), ratio to hand-written {:.3} \
                 (median of per-round ratios)",
                crates[n].0.name(),
                median(times[which].clone()).as_secs_f64(),
                median_ratio(&times[which], &times[baseline]),
            );
        }
        if let Some(sqlx) = crates.iter().position(|(v, _)| *v == Variant::Sqlx) {
            if let Some(hc) = crates.iter().position(|(v, _)| *v == Variant::HcQuery) {
                let at = |n| runs.iter().position(|r| *r == (n, first)).unwrap();
                println!(
                    "query_build ({kind}, CPU time): hc_query! / sqlx offline {:.3}",
                    median_ratio(&times[at(hc)], &times[at(sqlx)])
                );
            }
        }
    }
    if std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS").is_some() {
        for (kind, first) in [("first build", true), ("touch-rebuild", false)] {
            let counts: Vec<u64> = (0..crates.len())
                .map(|n| {
                    prepare(n, first);
                    callgrind_instructions(build_command(&crates[n].1, crates[n].0))
                })
                .collect();
            for (n, count) in counts.iter().enumerate() {
                println!(
                    "query_build ({kind}, instructions): {} {count}, ratio to hand-written {:.4}",
                    crates[n].0.name(),
                    *count as f64 / counts[0] as f64
                );
            }
        }
    }
    if std::env::var_os("HC_SCHEMA_BENCH_KEEP").is_some() {
        for (_, krate) in crates {
            let _ = krate.dir.keep();
        }
    }
}
