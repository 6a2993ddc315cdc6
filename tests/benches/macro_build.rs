//! Build-time cost of the guard: a crate with 1,000 annotated items checked against a
//! 200-table x 300-column snapshot, against the same crate without the annotations, built
//! in the same run: 9 rounds, each building every variant once (the order rotating), and the
//! median over rounds of each variant's time divided by the baseline's time in the same round.
//! Target ratio: under 1.03.
//!
//! Four crates, identical but for the annotations:
//! - `without`: no annotations (the baseline);
//! - `guard`: `#[hc_requires]` with `[registry] enabled = false` (checks only);
//! - `guard + registry`: the default, each annotation also compiled into the binary;
//! - `static per item`: no macro, one hand-written `&str` static per item, the item the
//!   registry emits: what rustc itself charges for the registry, whoever writes it.
//!
//! Every variant's `main` reads `registry::usages()`, as a binary with the release-phase check
//! does, so that all of them link hc-schema-snapshot.
//!
//! Run: `cargo bench -p hc-schema-tests --bench macro_build`

use hc_schema_tests::bench::{interleave, median, median_ratio, synthetic_snapshot};
use hc_schema_tests::cargo::TempCrate;

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Without,
    Guard,
    GuardAndRegistry,
    StaticPerItem,
}

fn source(variant: Variant) -> String {
    let mut out = String::from("#![allow(dead_code)]\n");
    if matches!(variant, Variant::Guard | Variant::GuardAndRegistry) {
        out.push_str("use hc_schema_macro::hc_requires;\n");
    }
    for i in 0..1000 {
        let table = i % 200;
        let (a, b, c) = (i % 300, (i + 100) % 300, (i + 200) % 300);
        let before = match variant {
            Variant::Without => String::new(),
            Variant::Guard | Variant::GuardAndRegistry => format!(
                "#[hc_requires(object_{table}__c(field_{a}__c, field_{b}__c, Field_{c}__c))]\n"
            ),
            Variant::StaticPerItem => format!(
                "#[used]\n#[unsafe(link_section = \"hc_schema_bench\")]\n\
                 static SITE_{i}: &str = \"src/main.rs\\nobject_{table}__c@{i}:15 \
                 field_{a}__c@{i}:27 field_{b}__c@{i}:39 field_{c}__c@{i}:51\";\n"
            ),
        };
        out.push_str(&format!(
            "{before}pub fn query_{i}(rows: &[(u32, String)]) -> usize {{\n    rows.iter().filter(|(n, s)| *n as usize % {m} == 0 && !s.is_empty()).count()\n}}\n",
            m = i % 7 + 1
        ));
    }
    out.push_str(
        "fn main() {\n    let rows = vec![(1, \"a\".to_string())];\n    let mut total = 0;\n",
    );
    for i in (0..1000).step_by(50) {
        out.push_str(&format!("    total += query_{i}(&rows);\n"));
    }
    // Like an app with the release-phase check, every variant reads the registry (and so links
    // hc-schema-snapshot, a fixed cost that is not the annotations').
    out.push_str(
        "    println!(\"{total} {}\", hc_schema_snapshot::registry::usages().len());\n}\n",
    );
    out
}

fn main() {
    let snapshot = synthetic_snapshot("prod", 200, 300);
    let make = |name: &str, variant: Variant| {
        let config = if variant == Variant::Guard {
            "[registry]\nenabled = false\n"
        } else {
            ""
        };
        TempCrate::new(
            name,
            &["prod-snapshot"],
            &[
                ("src/main.rs", &source(variant)),
                ("hc-schema/prod.json", &snapshot),
                ("hc-schema.toml", config),
            ],
        )
    };
    let without = make("bench_without", Variant::Without);
    let guard = make("bench_guard", Variant::Guard);
    let registry = make("bench_registry", Variant::GuardAndRegistry);
    let statics = make("bench_statics", Variant::StaticPerItem);
    println!(
        "snapshot: 200 tables x 300 columns, {} bytes; 1,000 annotated items",
        snapshot.len()
    );
    for (profile, args) in [
        ("release", &["--release", "--features", "prod-snapshot"][..]),
        ("debug", &["--features", "prod-snapshot"][..]),
    ] {
        let build = |krate: &TempCrate| {
            // Touch the source so that only this crate is rebuilt (dependencies stay cached).
            let main = krate.path().join("src/main.rs");
            let text = std::fs::read_to_string(&main).unwrap();
            std::fs::write(&main, text).unwrap();
            let (ok, stderr) = krate.build(args, &[]);
            assert!(ok, "{stderr}");
        };
        for krate in [&without, &guard, &registry, &statics] {
            build(krate); // warm the dependency cache
        }
        let (mut a, mut b, mut c, mut d) = (
            || build(&without),
            || build(&guard),
            || build(&registry),
            || build(&statics),
        );
        let times = interleave(9, &mut [&mut a, &mut b, &mut c, &mut d]);
        let baseline = &times[0];
        println!(
            "macro_build ({profile}): without {:.3}s (median)",
            median(baseline.clone()).as_secs_f64()
        );
        for (name, candidate) in [
            ("guard", &times[1]),
            ("guard + registry", &times[2]),
            ("static per item", &times[3]),
        ] {
            println!(
                "macro_build ({profile}): {name} {:.3}s (median), ratio {:.3} (median of per-round ratios)",
                median(candidate.clone()).as_secs_f64(),
                median_ratio(candidate, baseline)
            );
        }
    }
}
