//! Build-time cost of `hc_sql!`: a crate with 1,000 queries of realistic size (selects with
//! joins, upserts, updates) checked against a 200-table x 300-column snapshot, against the
//! same crate with plain string literals and with a do-nothing function-like macro that
//! returns its literal (rustc's floor for any function-like macro call), built in the same
//! run: 9 rounds, each building every variant once (the order rotating), and the median over
//! rounds of each variant's time divided by the floor's time in the same round.
//! Target (issue 12): the guard's own work under 2% of the build on top of the floor.
//!
//! Variants, identical but for what wraps each query's string literal:
//! - `plain literals`: nothing;
//! - `do-nothing macro`: `do_nothing::hc_sql!("...")`, a proc macro returning its input;
//! - `guard`: `hc_schema_macro::hc_sql!("...")`, default configuration (checked, not
//!   registered), the macro built as cargo builds proc macros by default (`opt-level = 0` in
//!   the dev profile);
//! - `guard, optimised macro`: the same, with `[profile.dev.build-override] opt-level = 3`
//!   (and `[profile.release.build-override]`), which optimises proc macros and their
//!   dependencies (sqlparser) once, when they are built;
//! - `guard + registry`: `[registry] enabled = true`.
//! - `annotated, no SQL string` and `annotated, SQL string` (issue 20 item 3): the query as a
//!   plain string literal inside a function annotated with `#[hc_requires(...)]` declaring
//!   its tables' columns, against the same function whose literal is no SQL: their
//!   difference is what the build's reading of a string costs, to compare with `guard` minus
//!   `plain literals` (an `hc_sql!` of the same text); its readings share `hc_sql!`'s cache.
//!
//! Each guard variant is measured twice: a first build (the cache of analyses in `OUT_DIR`
//! removed: every query parsed and its analysis stored) and a touch-rebuild (every analysis
//! read from the cache; the check against the snapshot still runs for every query).
//!
//! With `HC_SCHEMA_BENCH_INSTRUCTIONS=1` it also counts the instructions of one build of each
//! (cargo, rustc and the linker, under `valgrind --tool=callgrind`): deterministic, so the
//! ratios do not move with the machine's load. `HC_SCHEMA_BENCH_ROUNDS=n` sets the rounds.
//!
//! `HC_SCHEMA_BENCH_QUERIES=n` builds crates of `n` queries (default 1,000), and
//! `HC_SCHEMA_BENCH_INSTRUCTIONS_ONLY=1` counts instructions only (debug profile, no timed
//! rounds): a deterministic run that fits a loaded machine.
//!
//! Run: `cargo bench -p hc-schema-tests --bench sql_build`

use hc_schema_tests::bench::{
    callgrind_instructions, interleave, machine, median, median_ratio, rounds, synthetic_snapshot,
};
use hc_schema_tests::cargo::{cargo, nested_target, TempCrate};

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Plain,
    DoNothing,
    Guard,
    GuardOptimised,
    GuardAndRegistry,
    AnnotatedPlain,
    AnnotatedString,
}

const VARIANTS: [(Variant, &str); 7] = [
    (Variant::Plain, "plain literals"),
    (Variant::DoNothing, "do-nothing macro"),
    (Variant::Guard, "guard"),
    (Variant::GuardOptimised, "guard, optimised macro"),
    (Variant::GuardAndRegistry, "guard + registry"),
    (Variant::AnnotatedPlain, "annotated, no SQL string"),
    (Variant::AnnotatedString, "annotated, SQL string"),
];

/// The number of queries per crate: `HC_SCHEMA_BENCH_QUERIES`, else 1,000.
fn queries() -> usize {
    std::env::var("HC_SCHEMA_BENCH_QUERIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

/// An annotation declaring every column query `i` may use, read and written.
fn annotation(i: usize) -> String {
    let t = i % 200;
    let u = (i * 7 + 3) % 200;
    let columns: Vec<String> = (0..6)
        .map(|k| format!("field_{}__c", (i * 13 + k * 37) % 300))
        .collect();
    let columns = columns.join(", ");
    format!(
        "#[hc_requires(object_{t}__c({columns}), object_{u}__c({columns}), \
         write object_{t}__c({columns}))]\n"
    )
}

/// Query `i` against the synthetic snapshot (`object_<t>__c` tables, `field_<c>__c` columns):
/// four shapes of the sizes an app writes.
fn query(i: usize) -> String {
    let t = i % 200;
    let u = (i * 7 + 3) % 200;
    let f = |k: usize| format!("field_{}__c", (i * 13 + k * 37) % 300);
    match i % 4 {
        0 => format!(
            "SELECT o.{a}, o.{b}, o.{c}, o.{d}\n         FROM salesforce.object_{t}__c o\n         \
             WHERE o.{e} = $1 AND o.{g} IS NOT TRUE\n         ORDER BY o.{a} LIMIT 100",
            a = f(0),
            b = f(1),
            c = f(2),
            d = f(3),
            e = f(4),
            g = f(5)
        ),
        1 => format!(
            "SELECT o.{a}, o.{b}, p.{c}, count(*) AS n\n         FROM salesforce.object_{t}__c o\n         \
             JOIN salesforce.object_{u}__c p ON p.{d} = o.{e}\n         \
             WHERE o.{g} = $1\n         GROUP BY o.{a}, o.{b}, p.{c}\n         ORDER BY n DESC",
            a = f(0),
            b = f(1),
            c = f(2),
            d = f(3),
            e = f(4),
            g = f(5)
        ),
        2 => format!(
            "INSERT INTO salesforce.object_{t}__c ({a}, {b}, {c})\n         VALUES ($1, $2, $3)\n         \
             ON CONFLICT ({a}) DO UPDATE SET {b} = EXCLUDED.{b}, {c} = EXCLUDED.{c}\n         \
             RETURNING {d}",
            a = f(0),
            b = f(1),
            c = f(2),
            d = f(3)
        ),
        _ => format!(
            "UPDATE salesforce.object_{t}__c o SET {a} = $1, {b} = now()\n         \
             FROM salesforce.object_{u}__c p\n         WHERE p.{c} = o.{d} AND p.{e} = $2",
            a = f(0),
            b = f(1),
            c = f(2),
            d = f(3),
            e = f(4)
        ),
    }
}

fn source(variant: Variant) -> String {
    let mut out = String::from("#![allow(dead_code)]\n");
    match variant {
        Variant::Plain => {}
        Variant::DoNothing => out.push_str("use do_nothing::hc_sql;\n"),
        Variant::Guard | Variant::GuardOptimised | Variant::GuardAndRegistry => {
            out.push_str("use hc_schema_macro::hc_sql;\n")
        }
        Variant::AnnotatedPlain | Variant::AnnotatedString => {
            out.push_str("use hc_schema_macro::hc_requires;\n")
        }
    }
    for i in 0..queries() {
        let sql = format!("\"{}\"", query(i));
        let literal = match variant {
            Variant::Plain | Variant::AnnotatedString => sql,
            Variant::AnnotatedPlain => format!("\"query {i}\""),
            _ => format!("hc_sql!({sql})"),
        };
        let attribute = match variant {
            Variant::AnnotatedPlain | Variant::AnnotatedString => annotation(i),
            _ => String::new(),
        };
        out.push_str(&format!(
            "/// Query {i}: the SQL, and the rows that match.\n{attribute}\
             pub fn query_{i}(rows: &[(u32, String)]) -> (&'static str, usize) {{\n    \
             const SQL: &str = {literal};\n    \
             (SQL, rows.iter().filter(|(n, s)| *n as usize % {m} == 0 && !s.is_empty()).count())\n}}\n",
            m = i % 7 + 1
        ));
    }
    out.push_str("fn main() {\n    let mut total = 0;\n");
    for i in (0..queries()).step_by(50) {
        out.push_str(&format!(
            "    total += query_{i}(&[(1, \"a\".to_string())]).0.len();\n"
        ));
    }
    out.push_str(
        "    println!(\"{total} {}\", hc_schema_snapshot::registry::usages().len());\n}\n",
    );
    out
}

/// A proc-macro crate whose `hc_sql!` returns its input unchanged.
fn do_nothing_macro() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-bench-")
        .tempdir()
        .expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"do-nothing\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [lib]\nproc-macro = true\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("src/lib.rs"),
        "use proc_macro::TokenStream;\n\
         #[proc_macro]\n\
         pub fn hc_sql(input: TokenStream) -> TokenStream { input }\n",
    )
    .expect("write");
    dir
}

fn main() {
    println!("{}", machine());
    let snapshot = synthetic_snapshot("prod", 200, 300);
    let do_nothing = do_nothing_macro();
    let n = queries();
    let average: usize = (0..n).map(|i| query(i).len()).sum::<usize>() / n.max(1);
    println!(
        "snapshot: 200 tables x 300 columns, {} bytes; {n} queries of {average} bytes on average",
        snapshot.len()
    );
    let instructions_only = std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS_ONLY").is_some();
    let crates: Vec<(&str, TempCrate)> = VARIANTS
        .iter()
        .enumerate()
        .map(|(n, &(variant, name))| {
            let config = if variant == Variant::GuardAndRegistry {
                "[registry]\nenabled = true\n"
            } else {
                ""
            };
            let krate = TempCrate::new(
                &format!("bench_sql_{n}"),
                &["prod-snapshot"],
                &[
                    ("src/main.rs", &source(variant)),
                    ("hc-schema/prod.json", &snapshot),
                    ("hc-schema.toml", config),
                ],
            );
            if variant == Variant::DoNothing {
                krate.add_dependencies(&format!(
                    "do-nothing = {{ path = {:?} }}\n",
                    do_nothing.path().display().to_string()
                ));
            }
            if variant == Variant::GuardOptimised {
                let manifest = krate.path().join("Cargo.toml");
                let mut text = std::fs::read_to_string(&manifest).unwrap();
                text.push_str(
                    "\n[profile.dev.build-override]\nopt-level = 3\n\n\
                     [profile.release.build-override]\nopt-level = 3\n",
                );
                std::fs::write(manifest, text).unwrap();
            }
            (name, krate)
        })
        .collect();
    let count_instructions = std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS").is_some()
        || std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS_ONLY").is_some();
    let rounds = rounds(9);
    // The guard's variants are each measured twice: a first build (the cache of analyses
    // removed: every query is parsed, and its analysis stored) and a touch-rebuild (every
    // analysis read from the cache).
    let mut runs: Vec<(String, usize, bool)> = Vec::new();
    for (n, (variant, name)) in VARIANTS.iter().enumerate() {
        let counted = !matches!(variant, Variant::GuardOptimised | Variant::GuardAndRegistry);
        if instructions_only && !counted {
            continue;
        }
        match variant {
            Variant::Plain | Variant::DoNothing | Variant::AnnotatedPlain => {
                runs.push((name.to_string(), n, false))
            }
            _ => {
                runs.push((format!("{name}, first build"), n, true));
                runs.push((format!("{name}, touch-rebuild"), n, false));
            }
        }
    }
    for (profile, args) in [
        ("debug", &["--features", "prod-snapshot"][..]),
        ("release", &["--release", "--features", "prod-snapshot"][..]),
    ] {
        if instructions_only && profile == "release" {
            break;
        }
        let target = if profile == "debug" {
            "debug"
        } else {
            "release"
        };
        // Touch the source so that only this crate is rebuilt (dependencies stay cached).
        let touch = |krate: &TempCrate| {
            let main = krate.path().join("src/main.rs");
            let text = std::fs::read_to_string(&main).unwrap();
            std::fs::write(&main, text).unwrap();
        };
        let prepare = |n: usize, first: bool| {
            if first {
                forget_analyses(&format!("bench_sql_{n}"), target);
            }
            touch(&crates[n].1);
        };
        let build = |n: usize, first: bool| {
            prepare(n, first);
            // The nested builds' environment sets build dependencies' opt-level to 0, which
            // beats a manifest: the optimised variant says its own opt-level again.
            let optimised: &[(&str, &str)] = if VARIANTS[n].0 == Variant::GuardOptimised {
                &[("CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL", "3")]
            } else {
                &[]
            };
            let (ok, stderr) = crates[n].1.build(args, optimised);
            assert!(ok, "{stderr}");
        };
        let mut measured: Vec<usize> = runs.iter().map(|(_, n, _)| *n).collect();
        measured.dedup();
        for n in measured {
            build(n, false); // warm the dependency cache
        }
        let build = &build;
        let rounds = if instructions_only { 0 } else { rounds };
        let mut closures: Vec<_> = runs
            .iter()
            .map(|(_, n, first)| move || build(*n, *first))
            .collect();
        let mut refs: Vec<&mut dyn FnMut()> = closures
            .iter_mut()
            .map(|run| run as &mut dyn FnMut())
            .collect();
        let times = interleave(rounds, &mut refs);
        let floor = &times[1];
        if !instructions_only {
            println!(
                "sql_build ({profile}): plain literals {:.3}s, do-nothing macro {:.3}s (medians); \
             floor / plain: {:.3}",
                median(times[0].clone()).as_secs_f64(),
                median(floor.clone()).as_secs_f64(),
                median_ratio(floor, &times[0]),
            );
            for ((name, _, _), candidate) in runs.iter().zip(&times).skip(2) {
                println!(
                    "sql_build ({profile}): {name} {:.3}s (median), ratio to the floor {:.3} \
                 (median of per-round ratios)",
                    median(candidate.clone()).as_secs_f64(),
                    median_ratio(candidate, floor)
                );
            }
        }
        if count_instructions {
            let counts: Vec<u64> = runs
                .iter()
                .map(|(_, n, first)| {
                    prepare(*n, *first);
                    let mut command = cargo(crates[*n].1.path());
                    command.arg("build").arg("--quiet").args(args);
                    callgrind_instructions(command)
                })
                .collect();
            println!(
                "sql_build ({profile}, instructions): plain literals {}, do-nothing macro {}",
                counts[0], counts[1]
            );
            for ((name, _, _), count) in runs.iter().zip(&counts).skip(2) {
                println!(
                    "sql_build ({profile}, instructions): {name} {count}, ratio to the floor {:.4} \
                     ({:+} per query)",
                    *count as f64 / counts[1] as f64,
                    (*count as i64 - counts[1] as i64) / n as i64
                );
            }
            // Per literal: a string in an annotated item against an `hc_sql!` of the same text.
            let of = |name: &str| {
                runs.iter()
                    .position(|(run, _, _)| run == name)
                    .map(|k| counts[k] as i64)
                    .unwrap_or(0)
            };
            for build in ["first build", "touch-rebuild"] {
                let hc_sql = of(&format!("guard, {build}")) - of("plain literals");
                let string =
                    of(&format!("annotated, SQL string, {build}")) - of("annotated, no SQL string");
                println!(
                    "sql_build ({profile}, instructions, {build}): per literal, hc_sql! {} \
                     (guard - plain literals), SQL string in an annotated item {} (annotated, \
                     SQL string - annotated, no SQL string), ratio {:.3}",
                    hc_sql / n as i64,
                    string / n as i64,
                    string as f64 / hc_sql as f64
                );
            }
        }
    }
}

/// Remove the cache of analyses of crate `name` (every build directory of that name in the
/// nested target directory's `target` profile).
fn forget_analyses(name: &str, target: &str) {
    let build = nested_target().join(target).join("build");
    for entry in std::fs::read_dir(build).into_iter().flatten().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("{name}-"))
        {
            let _ = std::fs::remove_file(entry.path().join("out/hc-schema/sql-analyses"));
        }
    }
}
