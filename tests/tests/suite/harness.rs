//! The suite's own machinery: the settings nested builds and trybuild share, and when the
//! suite may run the `hc-schema` command the outer `cargo test` built instead of building it.

use std::path::Path;
use std::time::{Duration, SystemTime};

use hc_schema_tests::cargo::{outer_hc_schema_cli, workspace, NESTED_PROFILE};

/// trybuild's cargo gets the nested builds' profile settings (ui-tests/tests/ui.rs lists them
/// again: that crate stays free of the test support's dependencies), else the UI cases compile
/// their host side anew.
#[test]
fn the_ui_tests_build_with_the_nested_profile() {
    let ui = std::fs::read_to_string(workspace().join("ui-tests/tests/ui.rs")).unwrap();
    let start = ui
        .find("const NESTED_PROFILE")
        .expect("ui.rs has NESTED_PROFILE");
    let list = &ui[start..start + ui[start..].find("];").expect("the list ends")];
    let pairs: Vec<(String, String)> = list
        .match_indices("(\"")
        .map(|(at, _)| {
            let pair = &list[at + 1..at + list[at..].find(')').unwrap()];
            let (name, value) = pair.split_once(", ").expect("a (name, value) pair");
            (
                name.trim_matches('"').to_string(),
                value.trim_matches('"').to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = NESTED_PROFILE
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(pairs, expected);
}

/// A fake profile directory in this checkout's `target/`, holding a test binary in `deps/` and
/// an `hc-schema` binary modified at `modified`.
fn profile_dir(modified: SystemTime) -> (tempfile::TempDir, std::path::PathBuf) {
    std::fs::create_dir_all(workspace().join("target")).unwrap();
    let dir = tempfile::Builder::new()
        .prefix("suite-harness-")
        .tempdir_in(workspace().join("target"))
        .unwrap();
    std::fs::create_dir_all(dir.path().join("deps")).unwrap();
    let exe = dir.path().join("deps/suite-0123");
    std::fs::write(&exe, "").unwrap();
    let binary = dir.path().join("hc-schema");
    std::fs::write(&binary, "").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&binary)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    (dir, exe)
}

/// The outer `hc-schema` is used only when it is newer than every source it is built from, and
/// only from this checkout's own `target/`: never a stale command, never another checkout's.
#[test]
fn the_outer_cli_is_used_only_when_fresh_and_ours() {
    let hour = Duration::from_secs(3600);
    let (fresh, exe) = profile_dir(SystemTime::now() + hour);
    assert_eq!(
        outer_hc_schema_cli(&exe),
        Some(fresh.path().join("hc-schema")),
        "newer than every source"
    );

    // Older than a source (the library's newest file): built before that edit.
    let newest_source = std::fs::read_dir(workspace().join("hc-schema-snapshot/src"))
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().modified().unwrap())
        .max()
        .unwrap();
    let (_stale, exe) = profile_dir(newest_source - hour);
    assert_eq!(outer_hc_schema_cli(&exe), None, "older than a source");

    // Missing.
    let (missing, exe) = profile_dir(SystemTime::now() + hour);
    std::fs::remove_file(missing.path().join("hc-schema")).unwrap();
    assert_eq!(outer_hc_schema_cli(&exe), None, "no binary");

    // A test binary outside `deps/`, or a target directory elsewhere (shared between
    // checkouts through CARGO_TARGET_DIR).
    let (fresh, _) = profile_dir(SystemTime::now() + hour);
    assert_eq!(outer_hc_schema_cli(&fresh.path().join("suite-0123")), None);
    let elsewhere = tempfile::tempdir().unwrap();
    let exe = elsewhere.path().join("debug/deps/suite-0123");
    std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
    std::fs::write(elsewhere.path().join("debug/hc-schema"), "").unwrap();
    assert!(Path::new(&elsewhere.path().join("debug/hc-schema")).is_file());
    assert_eq!(outer_hc_schema_cli(&exe), None, "another target directory");
}
