//! Build-time cost of the guard: a crate with 1,000 annotated items checked against a
//! 200-table x 300-column snapshot, against the same crate without the annotations, built
//! alternately in the same run (median of 5). Target ratio: under 1.03.
//!
//! Run: `cargo bench -p hc-schema-tests --bench macro_build`

use hc_schema_tests::bench::{alternate, report, synthetic_snapshot};
use hc_schema_tests::cargo::TempCrate;

fn source(annotated: bool) -> String {
    let mut out = String::from("#![allow(dead_code)]\nuse hc_schema_macro::hc_requires;\n");
    for i in 0..1000 {
        let table = i % 200;
        let annotation = if annotated {
            format!(
                "#[hc_requires(object_{table}__c(field_{}__c, field_{}__c, Field_{}__c))]\n",
                i % 300,
                (i + 100) % 300,
                (i + 200) % 300
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{annotation}pub fn query_{i}(rows: &[(u32, String)]) -> usize {{\n    rows.iter().filter(|(n, s)| *n as usize % {m} == 0 && !s.is_empty()).count()\n}}\n",
            m = i % 7 + 1
        ));
    }
    out.push_str(
        "fn main() {\n    let rows = vec![(1, \"a\".to_string())];\n    let mut total = 0;\n",
    );
    for i in (0..1000).step_by(50) {
        out.push_str(&format!("    total += query_{i}(&rows);\n"));
    }
    out.push_str("    println!(\"{total}\");\n}\n");
    out
}

fn main() {
    let snapshot = synthetic_snapshot("prod", 200, 300);
    let make = |name: &str, annotated: bool| {
        TempCrate::new(
            name,
            &["prod-snapshot"],
            &[
                ("src/main.rs", &source(annotated)),
                ("hc-schema/prod.json", &snapshot),
            ],
        )
    };
    let guarded = make("bench_guarded", true);
    let plain = make("bench_plain", false);
    let build = |krate: &TempCrate| {
        // Touch the source so that only this crate is rebuilt (dependencies stay cached).
        let main = krate.path().join("src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, text).unwrap();
        let (ok, stderr) = krate.build(&["--release", "--features", "prod-snapshot"], &[]);
        assert!(ok, "{stderr}");
    };
    println!(
        "snapshot: 200 tables x 300 columns, {} bytes; 1,000 annotated items",
        snapshot.len()
    );
    build(&guarded); // warm the dependency cache
    build(&plain);
    let (g, p) = alternate(5, || build(&guarded), || build(&plain));
    report("macro_build (release)", "with guard", g, "without", p);
    let debug = |krate: &TempCrate| {
        let main = krate.path().join("src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, text).unwrap();
        let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
        assert!(ok, "{stderr}");
    };
    debug(&guarded);
    debug(&plain);
    let (g, p) = alternate(5, || debug(&guarded), || debug(&plain));
    report("macro_build (debug)", "with guard", g, "without", p);
}
