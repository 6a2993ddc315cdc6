//! `hc-schema check` on a generated tree of 2,000 files / 200,000 lines with 5,000 annotations
//! against plain reading of the same files (`cat` of all of them), alternately in the same run
//! (median of 5). Run: `cargo bench -p hc-schema --bench check_scan`

use std::process::Command;

use hc_schema_tests::bench::{alternate, report, synthetic_snapshot};

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("hc-schema")).unwrap();
    std::fs::write(
        root.join("hc-schema/prod.json"),
        synthetic_snapshot("prod", 200, 300),
    )
    .unwrap();
    let mut files = Vec::new();
    let mut annotations = 0;
    let mut lines = 0;
    for f in 0..2000 {
        let mut text = String::from("use hc_schema_macro::hc_requires;\n\n");
        let count = if f % 2 == 0 { 3 } else { 2 };
        for a in 0..count {
            let n = f * 3 + a;
            text.push_str(&format!(
                "/// Reads object {t}.\n#[hc_requires(object_{t}__c(field_{}__c, field_{}__c))]\npub fn read_{a}(rows: &[u32]) -> u32 {{\n    rows.iter().sum()\n}}\n\n",
                n % 300,
                (n + 1) % 300,
                t = n % 200
            ));
            annotations += 1;
        }
        while text.lines().count() < 100 {
            text.push_str("// filler: ordinary code and comments the scanner must read and parse\nconst _: u32 = 1 + 2 * 3;\n");
        }
        lines += text.lines().count();
        let path = root.join(format!("src/m{}/f{f}.rs", f % 40));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    println!(
        "tree: {} files, {lines} lines, {annotations} annotations",
        files.len()
    );
    let check = || {
        let output = Command::new(env!("CARGO_BIN_EXE_hc-schema"))
            .current_dir(root)
            .args(["check", "--env", "prod", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    };
    let cat = || {
        let output = Command::new("cat").args(&files).output().unwrap();
        assert!(output.status.success());
    };
    check();
    cat();
    let (c, r) = alternate(5, check, cat);
    report("check_scan", "hc-schema check", c, "cat", r);
}
