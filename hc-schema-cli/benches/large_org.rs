//! Large orgs (issue 15.3): tier S (200 tables x 300 columns) against tier L (500 tables x 800
//! columns = 400k columns, about 30 MB), in the file format `refresh` writes.
//!
//! - The build script's run (`hc_schema_snapshot::build::configure()`: selection, the name
//!   index of the selected snapshot, the union index and setup for `hc_sql!`), compiled as
//!   cargo compiles build scripts in the dev profile (unoptimised), and with
//!   `[profile.dev.build-override] opt-level = 3`; against `jq empty` on the same file.
//!   Targets: at most 2x `jq empty`, peak memory at most 3x the file's size.
//! - `hc-schema check --snapshot <file>` of a small annotated crate, and `hc-schema diff` of
//!   two snapshots of the tier (ten columns apart), against `jq empty` on the same file(s).
//! - For each, the time per column of L over that of S: 1.00 is linear (less: a fixed cost that
//!   S pays relatively more of).
//!
//! Every program is run directly (no cargo in the measurement), rounds interleaved, ratios the
//! median of per-round ratios; peak memory is GNU time's maximum resident set size (`%M`).
//!
//! Run: `cargo bench -p hc-schema --bench large_org` (`HC_SCHEMA_BENCH_ROUNDS=n`, default 5).
//! Needs `jq` and GNU time (`apt-get install jq time`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use hc_schema_snapshot::Snapshot;
use hc_schema_tests::bench::{
    interleave, machine, median, median_ratio, rounds, run_peak, synthetic_snapshot,
};
use hc_schema_tests::cargo::{nested_target, TempCrate};

/// One tier's files: the prod snapshot (canonical text) and a test snapshot ten columns short.
struct Tier {
    name: &'static str,
    columns: usize,
    prod: String,
    test: String,
}

fn tier(name: &'static str, tables: usize, columns: usize) -> Tier {
    let text = synthetic_snapshot("prod", tables, columns);
    let prod = Snapshot::parse(&text, "prod.json", "prod").expect("synthetic snapshot");
    let mut test = prod.clone();
    test.environment = "test".into();
    for (_, table) in test.tables.iter_mut().take(10) {
        let last = table.columns.keys().next_back().cloned();
        if let Some(last) = last {
            table.columns.remove(&last);
        }
    }
    Tier {
        name,
        columns: prod.column_count(),
        prod: prod.to_json(),
        test: test.to_json(),
    }
}

fn jq() -> Command {
    let probe = Command::new("jq").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "jq is needed as the baseline: apt-get install jq"
    );
    Command::new("jq")
}

/// The build script of a crate with `snapshot` as its only snapshot, built once, and the crate.
fn build_script(name: &str, snapshot: &str, optimised: bool) -> (TempCrate, PathBuf) {
    let krate = TempCrate::new(
        name,
        &[],
        &[
            ("src/main.rs", "fn main() {}\n"),
            ("hc-schema/prod.json", snapshot),
        ],
    );
    if optimised {
        let manifest = krate.path().join("Cargo.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str("\n[profile.dev.build-override]\nopt-level = 3\n");
        std::fs::write(manifest, text).unwrap();
    }
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(ok, "{stderr}");
    let build = nested_target().join("debug").join("build");
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&build)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
        })
        .map(|e| e.path().join("build-script-build"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    let binary = found.pop().expect("the build script binary").1;
    (krate, binary)
}

/// A run of the build script as cargo runs it (the variables it reads), into a fresh OUT_DIR.
fn run_build_script(binary: &Path, krate: &Path, out: &Path) -> Command {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let mut command = Command::new(binary);
    command
        .current_dir(krate)
        .env("CARGO_MANIFEST_DIR", krate)
        .env("OUT_DIR", out)
        .env_remove("HC_SCHEMA_SNAPSHOT")
        .env_remove("HC_SCHEMA_ENV");
    command
}

/// Medians and peaks of one measured program.
struct Measured {
    time: Duration,
    peak: u64,
    times: Vec<Duration>,
}

/// Run every command `rounds` times, interleaved; `expect` is each one's exit code.
fn measure(rounds: usize, commands: &mut [(&mut dyn FnMut() -> Command, i32)]) -> Vec<Measured> {
    let peaks: Vec<std::cell::Cell<u64>> = commands.iter().map(|_| Default::default()).collect();
    let mut runs: Vec<Box<dyn FnMut() + '_>> = commands
        .iter_mut()
        .zip(&peaks)
        .map(|((make, expect), peak)| {
            let expect = *expect;
            Box::new(move || {
                let command = make();
                let (_, code, bytes) = run_peak(&command);
                assert_eq!(code, expect, "{command:?}");
                peak.set(peak.get().max(bytes));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut refs: Vec<&mut dyn FnMut()> = runs.iter_mut().map(|r| &mut **r as _).collect();
    let times = interleave(rounds, &mut refs);
    drop(runs);
    times
        .into_iter()
        .zip(&peaks)
        .map(|(times, peak)| Measured {
            time: median(times.clone()),
            peak: peak.get(),
            times,
        })
        .collect()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Build script, check and diff of one tier: (build script, optimised, check, diff) medians.
fn run_tier(tier: &Tier, rounds: usize) -> [Duration; 4] {
    let size = tier.prod.len() as u64;
    println!(
        "tier {}: {} columns, prod.json {:.1} MB",
        tier.name,
        tier.columns,
        mb(size)
    );
    let lower = tier.name.to_lowercase();
    let (krate, script) = build_script(&format!("large_org_{lower}"), &tier.prod, false);
    let (krate_opt, script_opt) = build_script(&format!("large_org_{lower}_opt"), &tier.prod, true);
    let snapshot = krate.path().join("hc-schema/prod.json");
    let out = tempfile::tempdir().unwrap();
    let (out_a, out_b) = (out.path().join("a"), out.path().join("b"));
    let results = measure(
        rounds,
        &mut [
            (&mut || run_build_script(&script, krate.path(), &out_a), 0),
            (
                &mut || run_build_script(&script_opt, krate_opt.path(), &out_b),
                0,
            ),
            (
                &mut || {
                    let mut jq = jq();
                    jq.arg("empty").arg(&snapshot);
                    jq
                },
                0,
            ),
        ],
    );
    let [script_run, optimised, jq_run] = [&results[0], &results[1], &results[2]];
    for (label, run) in [
        ("build script (dev profile, opt-level 0)", script_run),
        ("build script (build-override opt-level 3)", optimised),
    ] {
        println!(
            "  {label}: {:.3}s, ratio to jq empty {:.2} (target <= 2); peak {:.1} MB = {:.2}x the file (target <= 3)",
            run.time.as_secs_f64(),
            median_ratio(&run.times, &jq_run.times),
            mb(run.peak),
            run.peak as f64 / size as f64,
        );
    }
    println!(
        "  jq empty: {:.3}s, peak {:.1} MB = {:.2}x the file",
        jq_run.time.as_secs_f64(),
        mb(jq_run.peak),
        jq_run.peak as f64 / size as f64
    );

    // check and diff, on a small annotated crate whose snapshot directory holds both files.
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("hc-schema")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"bench\"\nversion = \"0.0.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let mut source = String::from("use hc_schema_macro::hc_requires;\n");
    for i in 0..100 {
        source.push_str(&format!(
            "#[hc_requires(object_{}__c(field_{}__c, field_{}__c))]\nfn q{i}() {{}}\n",
            i % 190,
            i % 150,
            150 + i % 140
        ));
    }
    std::fs::write(dir.join("src/main.rs"), source).unwrap();
    std::fs::write(dir.join("hc-schema/prod.json"), &tier.prod).unwrap();
    std::fs::write(dir.join("hc-schema/test.json"), &tier.test).unwrap();
    let hc_schema = env!("CARGO_BIN_EXE_hc-schema");
    let results = measure(
        rounds,
        &mut [
            (
                &mut || {
                    let mut command = Command::new(hc_schema);
                    command
                        .current_dir(dir)
                        .args(["check", "--snapshot", "hc-schema/prod.json"]);
                    command
                },
                0,
            ),
            (
                &mut || {
                    let mut jq = jq();
                    jq.current_dir(dir).args(["empty", "hc-schema/prod.json"]);
                    jq
                },
                0,
            ),
            (
                &mut || {
                    let mut command = Command::new(hc_schema);
                    command.current_dir(dir).args(["diff", "test", "prod"]);
                    command
                },
                1,
            ),
            (
                &mut || {
                    let mut jq = jq();
                    jq.current_dir(dir).args([
                        "empty",
                        "hc-schema/test.json",
                        "hc-schema/prod.json",
                    ]);
                    jq
                },
                0,
            ),
        ],
    );
    println!(
        "  hc-schema check --snapshot: {:.3}s, ratio to jq empty {:.2}, peak {:.1} MB",
        results[0].time.as_secs_f64(),
        median_ratio(&results[0].times, &results[1].times),
        mb(results[0].peak)
    );
    println!(
        "  hc-schema diff test prod: {:.3}s, ratio to jq empty of both {:.2}, peak {:.1} MB",
        results[2].time.as_secs_f64(),
        median_ratio(&results[2].times, &results[3].times),
        mb(results[2].peak)
    );
    [
        script_run.time,
        optimised.time,
        results[0].time,
        results[2].time,
    ]
}

fn main() {
    println!("{}", machine());
    let rounds = rounds(5);
    let s = tier("S", 200, 300);
    let l = tier("L", 500, 800);
    let small = run_tier(&s, rounds);
    let large = run_tier(&l, rounds);
    let names = [
        "build script",
        "build script (opt-level 3)",
        "check --snapshot",
        "diff",
    ];
    let linear: Vec<String> = names
        .iter()
        .zip(small.iter().zip(&large))
        .map(|(name, (s_time, l_time))| {
            let ratio = (l_time.as_secs_f64() / l.columns as f64)
                / (s_time.as_secs_f64() / s.columns as f64);
            format!("{name} {ratio:.2}")
        })
        .collect();
    println!(
        "scaling L/S, time per column (1.00 = linear): {}",
        linear.join(", ")
    );
}
