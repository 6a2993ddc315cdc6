//! Build-time cost of the guard: crates with 1,000 annotated items checked against a
//! 200-table x 300-column snapshot, against the same crates without the annotations, built
//! in the same run: 9 rounds, each building every variant once (the order rotating), and the
//! median over rounds of each variant's time divided by the baseline's time in the same round.
//! Target ratio for the guard (the default configuration): under 1.03.
//!
//! Two shapes of crate:
//! - `dense`: 1,000 one-line functions, the worst case (the annotations are a large part of
//!   the source);
//! - `typical`: 1,000 data-access functions as an app writes them (a row struct, a `format!`
//!   of the SQL, rows mapped into the struct), about 20 lines each.
//!
//! Variants, identical but for what precedes each annotated function:
//! - `without`: nothing (the baseline);
//! - `guard`: `#[hc_requires(...)]`, default configuration (checked, not registered);
//! - `do-nothing attribute`: an attribute macro that returns the item as it is: what rustc
//!   charges for any attribute macro, so the floor under the guard;
//! - `guard + registry` (dense only): `[registry] enabled = true`, for binaries that run the
//!   release-phase check;
//! - `static per item` (dense only): no macro, one hand-written `&str` static per item, the
//!   item the registry emits: what rustc itself charges for the registry, whoever writes it.
//!
//! Every variant's `main` reads `registry::usages()`, so all of them link hc-schema-snapshot
//! alike.
//!
//! With `HC_SCHEMA_BENCH_INSTRUCTIONS=1` it also counts the instructions of one touch-rebuild
//! of each variant (cargo, rustc and the linker, under `valgrind --tool=callgrind`): slower,
//! but deterministic, so the ratios do not move with the machine's speed.
//!
//! Then the large-org case (issue 15.3): the guard against a 500 x 800 snapshot against the
//! guard against the 200 x 300 one, per annotation (`HC_SCHEMA_BENCH_LARGE_ONLY=1` runs only
//! that part).
//!
//! Run: `cargo bench -p hc-schema-tests --bench macro_build` (`HC_SCHEMA_BENCH_ROUNDS=n`,
//! default 9; `HC_SCHEMA_BENCH_SNAPSHOTS=2`: a second, unselected snapshot `test.json` beside
//! `prod.json` in the dense and typical crates, so that the drift check reads the directory)

use hc_schema_tests::bench::{
    bench_snapshots, callgrind_instructions, interleave, machine, median, median_ratio, rounds,
    snapshot_files, synthetic_snapshot,
};
use hc_schema_tests::cargo::{cargo, TempCrate};

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Without,
    Guard,
    DoNothing,
    GuardAndRegistry,
    StaticPerItem,
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Dense,
    Typical,
}

const VARIANTS: [(Variant, &str); 5] = [
    (Variant::Without, "without"),
    (Variant::Guard, "guard"),
    (Variant::DoNothing, "do-nothing attribute"),
    (Variant::GuardAndRegistry, "guard + registry"),
    (Variant::StaticPerItem, "static per item"),
];

fn source(shape: Shape, variant: Variant) -> String {
    let mut out = String::from("#![allow(dead_code)]\n");
    match variant {
        Variant::Guard | Variant::GuardAndRegistry => {
            out.push_str("use hc_schema_macro::hc_requires;\n")
        }
        Variant::DoNothing => out.push_str("use do_nothing::hc_requires;\n"),
        Variant::Without | Variant::StaticPerItem => {}
    }
    if shape == Shape::Typical {
        out.push_str(
            "pub fn quote(name: &str) -> String {\n    format!(\"\\\"{}\\\"\", name.replace('\"', \"\\\"\\\"\"))\n}\n",
        );
    }
    for i in 0..1000 {
        let table = i % 200;
        let (a, b, c) = (i % 300, (i + 100) % 300, (i + 200) % 300);
        let before = match variant {
            Variant::Without => String::new(),
            Variant::Guard | Variant::GuardAndRegistry | Variant::DoNothing => format!(
                "#[hc_requires(object_{table}__c(field_{a}__c, field_{b}__c, Field_{c}__c))]\n"
            ),
            Variant::StaticPerItem => format!(
                "#[used]\n#[unsafe(link_section = \"hc_schema_bench\")]\n\
                 static SITE_{i}: &str = \"src/main.rs\\nobject_{table}__c@{i}:15 \
                 field_{a}__c@{i}:27 field_{b}__c@{i}:39 field_{c}__c@{i}:51\";\n"
            ),
        };
        match shape {
            Shape::Dense => out.push_str(&format!(
                "{before}pub fn query_{i}(rows: &[(u32, String)]) -> usize {{\n    rows.iter().filter(|(n, s)| *n as usize % {m} == 0 && !s.is_empty()).count()\n}}\n",
                m = i % 7 + 1
            )),
            Shape::Typical => out.push_str(&format!(
                "/// One `object_{table}__c` record.\n\
                 #[derive(Debug, Clone, PartialEq)]\n\
                 pub struct Row{i} {{\n    pub sfid: String,\n    pub a: Option<String>,\n    pub b: Option<String>,\n    pub c: Option<String>,\n}}\n\
                 /// The non-deleted records, by sfid: the SQL to run and the rows mapped.\n\
                 {before}pub fn query_{i}(schema: &str, rows: &[Vec<Option<String>>]) -> (String, Vec<Row{i}>) {{\n\
                 \x20   let sql = format!(\n\
                 \x20       \"SELECT sfid, field_{a}__c, field_{b}__c, field_{c}__c FROM {{}}.object_{table}__c \\\n\
                 \x20        WHERE isdeleted IS NOT TRUE ORDER BY sfid\",\n\
                 \x20       quote(schema)\n\
                 \x20   );\n\
                 \x20   let rows = rows\n\
                 \x20       .iter()\n\
                 \x20       .map(|row| Row{i} {{\n\
                 \x20           sfid: row.first().cloned().flatten().unwrap_or_default(),\n\
                 \x20           a: row.get(1).cloned().flatten(),\n\
                 \x20           b: row.get(2).cloned().flatten(),\n\
                 \x20           c: row.get(3).cloned().flatten(),\n\
                 \x20       }})\n\
                 \x20       .collect();\n\
                 \x20   (sql, rows)\n\
                 }}\n"
            )),
        }
    }
    out.push_str("fn main() {\n    let mut total = 0;\n");
    for i in (0..1000).step_by(50) {
        out.push_str(&match shape {
            Shape::Dense => format!("    total += query_{i}(&[(1, \"a\".to_string())]);\n"),
            Shape::Typical => format!("    total += query_{i}(\"salesforce\", &[]).0.len();\n"),
        });
    }
    // Like an app with the release-phase check, every variant reads the registry (and so links
    // hc-schema-snapshot, a fixed cost that is not the annotations').
    out.push_str(
        "    println!(\"{total} {}\", hc_schema_snapshot::registry::usages().len());\n}\n",
    );
    out
}

/// An attribute macro crate whose `hc_requires` returns the item unchanged.
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
         #[proc_macro_attribute]\n\
         pub fn hc_requires(_args: TokenStream, item: TokenStream) -> TokenStream { item }\n",
    )
    .expect("write");
    dir
}

fn main() {
    println!("{}", machine());
    let snapshot = synthetic_snapshot("prod", 200, 300);
    let do_nothing = do_nothing_macro();
    println!(
        "snapshot: 200 tables x 300 columns, {} bytes ({} in the directory); 1,000 annotated items",
        snapshot.len(),
        bench_snapshots()
    );
    if std::env::var_os("HC_SCHEMA_BENCH_LARGE_ONLY").is_none() {
        for shape in [Shape::Dense, Shape::Typical] {
            measure(shape, &snapshot, do_nothing.path());
        }
    }
    large_org(&snapshot);
}

/// Issue 15.3: the per-annotation cost against a large org's snapshot (tier L, 500 tables x
/// 800 columns) is the one against the 200 x 300 snapshot: the name index answers a lookup
/// with one hash and a probe or two, whatever its size; only reading the index (once per
/// compiler process) grows with it. Dense shape, debug profile: the crate without
/// annotations, and the guard against S and against L, interleaved.
fn large_org(small: &str) {
    let large = synthetic_snapshot("prod", 500, 800);
    println!(
        "large org: snapshot L 500 tables x 800 columns, {} bytes, against S ({} bytes)",
        large.len(),
        small.len()
    );
    let crates: Vec<(&str, TempCrate)> = [
        ("without", Variant::Without, small),
        ("guard, S snapshot", Variant::Guard, small),
        ("guard, L snapshot", Variant::Guard, large.as_str()),
    ]
    .into_iter()
    .enumerate()
    .map(|(n, (name, variant, snapshot))| {
        let krate = TempCrate::new(
            &format!("bench_large_{n}"),
            &["prod-snapshot"],
            &[
                ("src/main.rs", &source(Shape::Dense, variant)),
                ("hc-schema/prod.json", snapshot),
                ("hc-schema.toml", ""),
            ],
        );
        (name, krate)
    })
    .collect();
    let args = ["--features", "prod-snapshot"];
    let touch = |krate: &TempCrate| {
        let main = krate.path().join("src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, text).unwrap();
    };
    let build = |krate: &TempCrate| {
        touch(krate);
        let (ok, stderr) = krate.build(&args, &[]);
        assert!(ok, "{stderr}");
    };
    for (_, krate) in &crates {
        build(krate);
    }
    let build = &build;
    let mut runs: Vec<_> = crates
        .iter()
        .map(|(_, krate)| move || build(krate))
        .collect();
    let mut refs: Vec<&mut dyn FnMut()> =
        runs.iter_mut().map(|run| run as &mut dyn FnMut()).collect();
    let times = interleave(rounds(9), &mut refs);
    let without = median(times[0].clone()).as_secs_f64();
    let per_item =
        |t: &[std::time::Duration]| (median(t.to_vec()).as_secs_f64() - without) / 1000.0;
    println!(
        "macro_build (large org, dense, debug): without {without:.3}s; guard S ratio {:.3}, guard L ratio {:.3} \
         (medians of per-round ratios); per annotation over the crate without: S {:.1} us, L {:.1} us",
        median_ratio(&times[1], &times[0]),
        median_ratio(&times[2], &times[0]),
        per_item(&times[1]) * 1e6,
        per_item(&times[2]) * 1e6,
    );
    if std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS").is_some() {
        let counts: Vec<u64> = crates
            .iter()
            .map(|(_, krate)| {
                touch(krate);
                let mut command = cargo(krate.path());
                command.arg("build").arg("--quiet").args(args);
                callgrind_instructions(command)
            })
            .collect();
        println!(
            "macro_build (large org, instructions): without {}, guard S {} (+{} per annotation), guard L {} (+{} per annotation)",
            counts[0],
            counts[1],
            counts[1].saturating_sub(counts[0]) / 1000,
            counts[2],
            counts[2].saturating_sub(counts[0]) / 1000,
        );
    }
}

/// Build every variant of `shape` in both profiles and print the ratios.
fn measure(shape: Shape, snapshot: &str, do_nothing: &std::path::Path) {
    let shape_name = match shape {
        Shape::Dense => "dense",
        Shape::Typical => "typical",
    };
    let crates: Vec<(&str, TempCrate)> = VARIANTS
        .iter()
        .enumerate()
        .filter(|(_, (variant, _))| {
            shape == Shape::Dense
                || matches!(
                    variant,
                    Variant::Without | Variant::Guard | Variant::DoNothing
                )
        })
        .map(|(n, &(variant, name))| {
            let config = if variant == Variant::GuardAndRegistry {
                "[registry]\nenabled = true\n"
            } else {
                ""
            };
            let source = source(shape, variant);
            let snapshots = snapshot_files(snapshot);
            let mut files: Vec<(&str, &str)> =
                vec![("src/main.rs", &source), ("hc-schema.toml", config)];
            files.extend(snapshots.iter().map(|(path, text)| (*path, text.as_str())));
            let krate = TempCrate::new(
                &format!("bench_{shape_name}_{n}"),
                &["prod-snapshot"],
                &files,
            );
            if variant == Variant::DoNothing {
                krate.add_dependencies(&format!(
                    "do-nothing = {{ path = {:?} }}\n",
                    do_nothing.display().to_string()
                ));
            }
            (name, krate)
        })
        .collect();
    let count_instructions = std::env::var_os("HC_SCHEMA_BENCH_INSTRUCTIONS").is_some();
    for (profile, args) in [
        ("release", &["--release", "--features", "prod-snapshot"][..]),
        ("debug", &["--features", "prod-snapshot"][..]),
    ] {
        let label = format!("{shape_name}, {profile}");
        // Touch the source so that only this crate is rebuilt (dependencies stay cached).
        let touch = |krate: &TempCrate| {
            let main = krate.path().join("src/main.rs");
            let text = std::fs::read_to_string(&main).unwrap();
            std::fs::write(&main, text).unwrap();
        };
        let build = |krate: &TempCrate| {
            touch(krate);
            let (ok, stderr) = krate.build(args, &[]);
            assert!(ok, "{stderr}");
        };
        for (_, krate) in &crates {
            build(krate); // warm the dependency cache
        }
        let build = &build;
        let mut runs: Vec<_> = crates
            .iter()
            .map(|(_, krate)| move || build(krate))
            .collect();
        let mut refs: Vec<&mut dyn FnMut()> =
            runs.iter_mut().map(|run| run as &mut dyn FnMut()).collect();
        let times = interleave(rounds(9), &mut refs);
        let baseline = &times[0];
        println!(
            "macro_build ({label}): without {:.3}s (median)",
            median(baseline.clone()).as_secs_f64()
        );
        for ((name, _), candidate) in crates.iter().zip(&times).skip(1) {
            println!(
                "macro_build ({label}): {name} {:.3}s (median), ratio {:.3} (median of per-round ratios)",
                median(candidate.clone()).as_secs_f64(),
                median_ratio(candidate, baseline)
            );
        }
        if count_instructions {
            let counts: Vec<u64> = crates
                .iter()
                .map(|(_, krate)| {
                    touch(krate);
                    let mut command = cargo(krate.path());
                    command.arg("build").arg("--quiet").args(args);
                    callgrind_instructions(command)
                })
                .collect();
            for ((name, _), count) in crates.iter().zip(&counts).skip(1) {
                println!(
                    "macro_build ({label}, instructions): {name} {count}, ratio {:.4} (without: {})",
                    *count as f64 / counts[0] as f64,
                    counts[0]
                );
            }
        }
    }
}
