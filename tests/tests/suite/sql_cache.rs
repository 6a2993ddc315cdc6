//! End-to-end: `hc_sql!`'s cache of analyses in `OUT_DIR` under real `cargo build`s. A cached
//! analysis is never served once the snapshots changed what the analysis is, and a damaged
//! cache file is read as far as it is sound.

use std::path::PathBuf;

use hc_schema_tests::cargo::{nested_target, snapshot_json, TempCrate};

/// `email` unqualified over two tables: the analysis depends on which of them has it.
const APP: &str = "use hc_schema_macro::hc_sql;\n\
const Q: &str = hc_sql!(\"SELECT email FROM account, contact\");\n\
fn main() { println!(\"{Q}\"); }\n";

/// The cache file of the crate `name` in the nested target directory (the newest, when
/// earlier runs left others).
fn cache_file(name: &str) -> PathBuf {
    let build = nested_target().join("debug").join("build");
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&build)
        .expect("the nested build directory")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
        })
        .map(|e| e.path().join("out/hc-schema/sql-analyses"))
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    files.sort();
    files.pop().expect("a cache file").1
}

#[test]
fn a_snapshot_change_that_changes_the_analysis_is_seen() {
    let name = "sql_cache_app";
    let krate = TempCrate::new(
        name,
        &[],
        &[
            ("src/main.rs", APP),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name"]), ("contact", &["email"])]),
            ),
        ],
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(ok, "{stderr}");
    let file = cache_file(name);
    let cached = std::fs::read(&file).unwrap();
    assert!(
        cached.windows(5).any(|w| w == b"email"),
        "the analysis is cached"
    );
    // A rebuild reads it (nothing new is appended).
    krate.write("src/main.rs", &format!("{APP}\n"));
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(ok, "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), cached);

    // Now both tables have `email`: the same SQL is ambiguous. The cached analysis (email is
    // contact's) must not be served.
    krate.write(
        "hc-schema/prod.json",
        &snapshot_json(
            "prod",
            &[("account", &["name", "email"]), ("contact", &["email"])],
        ),
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(!ok, "the stale analysis was served:\n{stderr}");
    assert!(stderr.contains("column `email` is ambiguous"), "{stderr}");

    // Back to the first snapshot, with a damaged cache file: the build passes.
    krate.write(
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["name"]), ("contact", &["email"])]),
    );
    let mut damaged = std::fs::read(&file).unwrap();
    let middle = damaged.len() / 2;
    damaged.truncate(middle);
    damaged.extend_from_slice(b"\xff\xff\xff\x7fgarbage");
    std::fs::write(&file, damaged).unwrap();
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(ok, "{stderr}");
    std::fs::write(&file, b"not a cache at all").unwrap();
    krate.write("src/main.rs", APP);
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(ok, "{stderr}");
    let rewritten = std::fs::read(&file).unwrap();
    assert!(
        rewritten.starts_with(b"hc-schema sql analyses"),
        "the damaged file is replaced"
    );
}
