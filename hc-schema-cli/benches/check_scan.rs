//! `hc-schema check` against plain reading of the same files (`cat` of all of them), in the
//! same run, rounds interleaved (median of the per-round ratios), on two trees:
//!
//! - synthetic: 2,000 files / 200,000 lines with 5,000 annotations (every file needs parsing);
//! - real: the sources of this workspace's own dependencies as cargo unpacked them
//!   (`$CARGO_HOME/registry/src/*/<name>-<version>` for every package of `Cargo.lock`; no
//!   network), plus one small annotated crate so that there is something to check. Most files
//!   hold no annotation: the case the scan's byte search and lexer are for.
//!
//! The scan always collects the SQL-looking string literals too (the input of the SQL checks).
//! Run: `cargo bench -p hc-schema --bench check_scan`

use std::path::{Path, PathBuf};
use std::process::Command;

use hc_schema_tests::bench::{interleave, median, median_ratio, synthetic_snapshot};

const ROUNDS: usize = 7;

fn main() {
    let synthetic = tempfile::tempdir().unwrap();
    let files = synthetic_tree(synthetic.path());
    measure("synthetic (annotation-dense)", synthetic.path(), &files);

    let real = tempfile::tempdir().unwrap();
    let files = real_tree(real.path());
    measure(
        "real (registry sources of this workspace's dependencies)",
        real.path(),
        &files,
    );
}

/// Time `hc-schema check` in `root` against `cat` of `files`; print medians and the ratio.
fn measure(name: &str, root: &Path, files: &[PathBuf]) {
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let lines: usize = files
        .iter()
        .map(|f| std::fs::read(f).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()))
        .sum();
    println!(
        "{name}: {} files, {lines} lines, {:.1} MB",
        files.len(),
        bytes as f64 / 1e6
    );
    let mut check = || {
        let output = Command::new(env!("CARGO_BIN_EXE_hc-schema"))
            .current_dir(root)
            .args(["check", "--env", "prod", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let mut cat = || {
        let output = Command::new("cat").args(files).output().unwrap();
        assert!(output.status.success());
    };
    // Warm the page cache and the binary.
    check();
    cat();
    let times = interleave(ROUNDS, &mut [&mut check, &mut cat]);
    println!(
        "check_scan {name}: hc-schema check {:.3}s, cat {:.3}s, ratio {:.2} (median of {ROUNDS} rounds' ratios, {} cores)",
        median(times[0].clone()).as_secs_f64(),
        median(times[1].clone()).as_secs_f64(),
        median_ratio(&times[0], &times[1]),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

/// The synthetic tree: 2,000 files of 100 lines, 2 or 3 annotations each, a 200 x 300
/// snapshot.
fn synthetic_tree(root: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(root.join("hc-schema")).unwrap();
    std::fs::write(
        root.join("hc-schema/prod.json"),
        synthetic_snapshot("prod", 200, 300),
    )
    .unwrap();
    let mut files = Vec::new();
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
        }
        while text.lines().count() < 100 {
            text.push_str("// filler: ordinary code and comments the scanner must read and parse\nconst _: u32 = 1 + 2 * 3;\n");
        }
        let path = root.join(format!("src/m{}/f{f}.rs", f % 40));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    files
}

/// The real tree: every registry package of the workspace's `Cargo.lock`, copied (its `.rs`
/// files and `Cargo.toml`), plus an annotated crate and a snapshot for it.
fn real_tree(root: &Path) -> Vec<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let sources: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .expect("cargo's registry sources: build the workspace first")
        .map(|e| e.unwrap().path())
        .collect();
    let mut files = Vec::new();
    let mut packages = 0;
    for block in lock.split("[[package]]") {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        let (Some(name), Some(version), Some(_registry)) =
            (field("name"), field("version"), field("source"))
        else {
            continue;
        };
        let dir_name = format!("{name}-{version}");
        let Some(source) = sources
            .iter()
            .map(|s| s.join(&dir_name))
            .find(|d| d.is_dir())
        else {
            continue; // a dependency of another platform, never unpacked here
        };
        packages += 1;
        copy_sources(&source, &root.join("registry").join(&dir_name), &mut files);
    }
    assert!(
        packages > 50,
        "only {packages} packages unpacked: build the workspace first"
    );
    std::fs::create_dir_all(root.join("app/src")).unwrap();
    std::fs::create_dir_all(root.join("hc-schema")).unwrap();
    std::fs::write(
        root.join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nhc-schema-macro = \"0.1\"\n",
    )
    .unwrap();
    let main = root.join("app/src/main.rs");
    std::fs::write(
        &main,
        "use hc_schema_macro::hc_requires;\n\n#[hc_requires(object_1__c(field_1__c, field_2__c))]\nfn main() {\n    let _q = format!(\"SELECT field_1__c FROM {}.object_1__c\", \"salesforce\");\n}\n",
    )
    .unwrap();
    files.push(main);
    std::fs::write(
        root.join("hc-schema/prod.json"),
        synthetic_snapshot("prod", 20, 30),
    )
    .unwrap();
    files
}

/// Copy the `.rs` files and `Cargo.toml`s under `from` to `to` (hidden entries and `target`
/// skipped, as the scan skips them); the `.rs` files copied go to `files`.
fn copy_sources(from: &Path, to: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let kind = entry.file_type().unwrap();
        let target = to.join(&*name);
        if kind.is_dir() {
            copy_sources(&entry.path(), &target, files);
        } else if kind.is_file() && (name.ends_with(".rs") || name == "Cargo.toml") {
            std::fs::create_dir_all(to).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
            if name.ends_with(".rs") {
                files.push(target);
            }
        }
    }
}
