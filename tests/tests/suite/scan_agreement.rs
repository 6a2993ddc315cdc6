//! The scan's fast path (byte search, lexer, parsing only what can matter) against the full
//! parse (every file through syn): every finding must be identical, on the example app, this
//! workspace, real crates from cargo's registry, generated trees and sources, and mutated
//! sources (which must never panic either).

use crate::scan_support;

use std::path::{Path, PathBuf};

use hc_schema_snapshot::scan::{scan_sources_with, scan_with, Options, Scan, Strategy};
use scan_support::{mutate, source, write_crate, Rng};

/// The seed of a generated-input loop: `HC_SCHEMA_SCAN_SEED` when set (to explore further
/// locally), else the test's own.
fn seed(default: u64) -> u64 {
    std::env::var("HC_SCHEMA_SCAN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The rounds of a generated-input loop: `HC_SCHEMA_SCAN_ROUNDS` when set, else `default`.
fn rounds(default: usize) -> usize {
    std::env::var("HC_SCHEMA_SCAN_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn both_ways(root: &Path, exclude: &[PathBuf]) -> (Scan, Scan) {
    let run = |strategy| {
        scan_with(
            root,
            root,
            &Options {
                exclude: exclude.to_vec(),
                strategy,
            },
        )
    };
    (run(Strategy::Fast), run(Strategy::FullParse))
}

/// Assert equality field by field, so that a failure names what differs.
fn assert_same(fast: &Scan, full: &Scan, context: &str) {
    assert_eq!(fast.files, full.files, "files: {context}");
    assert_eq!(fast.errors, full.errors, "errors: {context}");
    assert_eq!(fast.usages, full.usages, "usages: {context}");
    assert_eq!(fast.annotations, full.annotations, "annotations: {context}");
    assert_eq!(fast.sql_macros, full.sql_macros, "hc_sql!: {context}");
    assert_eq!(fast.sql_literals, full.sql_literals, "literals: {context}");
}

#[test]
fn the_example_app_reads_the_same_both_ways() {
    let root = workspace().join("examples/loyalty-app");
    let (fast, full) = both_ways(&root, &[]);
    assert_same(&fast, &full, "examples/loyalty-app");
    assert!(fast.is_complete(), "{:?}", fast.errors);
    assert!(fast.usages.len() >= 3, "{:?}", fast.usages);
    // Its format!-built queries are SQL-looking literals inside annotated items.
    assert!(fast
        .sql_literals
        .iter()
        .any(|l| !l.annotations.is_empty()
            && l.container.as_ref().is_some_and(|c| c.is_format_string())));
}

#[test]
fn this_workspace_reads_the_same_both_ways() {
    let root = workspace();
    let (fast, full) = both_ways(&root, &[]);
    assert_same(&fast, &full, "the workspace");
    assert!(fast.files > 50);
}

/// Sources of crates this workspace depends on, where cargo unpacked them (no network): the
/// versions `Cargo.lock` names, under `$CARGO_HOME/registry/src/*/`.
fn registry_crates(names: &[&str]) -> Vec<PathBuf> {
    let lock = std::fs::read_to_string(workspace().join("Cargo.lock")).unwrap();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let sources: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .expect("cargo's registry sources (build the workspace first)")
        .map(|e| e.unwrap().path())
        .collect();
    let mut dirs = Vec::new();
    for block in lock.split("[[package]]") {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        let (Some(name), Some(version)) = (field("name"), field("version")) else {
            continue;
        };
        if names.contains(&name.as_str()) {
            let found = sources
                .iter()
                .map(|s| s.join(format!("{name}-{version}")))
                .find(|d| d.is_dir());
            dirs.push(found.unwrap_or_else(|| panic!("{name}-{version} is not unpacked")));
        }
    }
    for name in names {
        let found = dirs.iter().any(|d| {
            d.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(&format!("{name}-")))
        });
        assert!(found, "{name} is not in Cargo.lock");
    }
    dirs
}

#[test]
fn real_crates_read_the_same_both_ways() {
    for dir in registry_crates(&[
        "memchr",
        "serde_json",
        "toml",
        "strsim",
        "postgres-protocol",
        "syn",
        "proc-macro2",
    ]) {
        let (fast, full) = both_ways(&dir, &[]);
        assert_same(&fast, &full, &dir.display().to_string());
        assert!(fast.files > 0);
    }
}

#[test]
fn generated_trees_read_the_same_both_ways() {
    let mut rng = Rng::new(seed(7));
    let mut annotations = 0;
    for round in 0..25 {
        let dir = tempfile::tempdir().unwrap();
        write_crate(&mut rng, &dir.path().join("a"));
        write_crate(&mut rng, &dir.path().join("b"));
        let (fast, full) = both_ways(dir.path(), &[]);
        assert_same(&fast, &full, &format!("generated tree {round}"));
        annotations += fast.annotations.len();
    }
    assert!(
        annotations > 25,
        "the generator must produce annotations: {annotations}"
    );
}

#[test]
fn generated_sources_read_the_same_both_ways() {
    let mut rng = Rng::new(seed(11));
    let (mut annotations, mut literals, mut errors, mut sql) = (0, 0, 0, 0);
    for round in 0..rounds(600) {
        let files: Vec<(String, String)> = (0..1 + rng.below(3))
            .map(|k| (format!("src/f{k}.rs"), source(&mut rng)))
            .collect();
        let sources: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let fast = scan_sources_with(&sources, Strategy::Fast);
        let full = scan_sources_with(&sources, Strategy::FullParse);
        assert_same(&fast, &full, &format!("round {round}: {files:#?}"));
        annotations += fast.annotations.len();
        literals += fast.sql_literals.len();
        errors += fast.errors.len();
        sql += fast.sql_macros.len();
    }
    // The generator exercises every kind of finding.
    assert!(
        annotations > 200 && literals > 200 && errors > 200 && sql > 50,
        "{annotations} annotations, {literals} literals, {errors} errors, {sql} hc_sql!"
    );
}

#[test]
fn mutated_sources_never_panic_and_read_the_same_both_ways() {
    let mut rng = Rng::new(seed(23));
    for round in 0..rounds(600) {
        let original = source(&mut rng);
        let mutated = mutate(&mut rng, &original);
        let sources = [("src/m.rs", mutated.as_str())];
        let fast = std::panic::catch_unwind(|| scan_sources_with(&sources, Strategy::Fast));
        let full = std::panic::catch_unwind(|| scan_sources_with(&sources, Strategy::FullParse));
        let (Ok(fast), Ok(full)) = (fast, full) else {
            panic!("round {round}: the scan panicked on:\n{mutated}");
        };
        assert_same(&fast, &full, &format!("round {round}:\n{mutated}"));
    }
}

#[test]
fn random_bytes_on_disk_never_panic_and_read_the_same_both_ways() {
    let mut rng = Rng::new(seed(31));
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        for k in 0..3 {
            let mut bytes = source(&mut rng).into_bytes();
            // Overwrite some bytes with anything, invalid UTF-8 included.
            for _ in 0..rng.below(4) {
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
            }
            if rng.chance(20) {
                bytes = (0..rng.below(400)).map(|_| rng.next() as u8).collect();
            }
            std::fs::write(dir.path().join(format!("src/f{k}.rs")), bytes).unwrap();
        }
        let (fast, full) = both_ways(dir.path(), &[]);
        assert_same(&fast, &full, &format!("round {round}"));
        for error in fast.errors.iter().filter(|e| e.message.contains("UTF-8")) {
            assert!(error.file.starts_with("src/f") && error.file_unparsed);
        }
    }
}
