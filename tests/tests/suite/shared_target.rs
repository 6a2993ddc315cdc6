//! Two checkouts of one workspace sharing one `CARGO_TARGET_DIR` (git worktrees, CI caches).
//!
//! Cargo hashes a workspace member's build directory by its path relative to the workspace,
//! so both checkouts share the member's build-script output: its `rerun-if-changed` paths,
//! its selection and its name indexes. A build must still check the snapshots of the checkout
//! being compiled, never the other one's: neither a false pass nor a false failure.
//!
//! The shared target directory is the nested builds' warm one (the registry crates and the
//! hc-schema crates are compiled there already); each run names the checkouts' package anew
//! (`app-<random>`), so its build-script outputs and artifacts there are this run's alone, as in
//! an empty target directory, and are removed when the test passes.

use std::path::Path;

use hc_schema_tests::cargo::{cargo, nested_target, run, snapshot_json, workspace};

/// A package name of this run alone, from the temporary directory's random name.
fn package_name(dir: &Path) -> String {
    let name = dir.file_name().unwrap().to_string_lossy();
    let random = name.rsplit('-').next().unwrap().to_ascii_lowercase();
    format!("app-{random}")
}

/// Remove the package's artifacts from the shared target directory.
fn forget(target: &Path, package: &str) {
    let krate = package.replace('-', "_");
    let debug = target.join("debug");
    for dir in [
        debug.clone(),
        debug.join("deps"),
        debug.join("build"),
        debug.join(".fingerprint"),
    ] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let ours = [
                format!("{package}-"),
                format!("{package}."),
                format!("{krate}-"),
            ];
            if file == package || ours.iter().any(|prefix| file.starts_with(prefix.as_str())) {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(path)
                } else {
                    std::fs::remove_file(path)
                };
            }
        }
    }
}

/// A workspace checkout: `app/` (annotated, with the build script; its package is named
/// `package`) and the snapshots in `hc-schema/` at the workspace root, outside the package.
fn checkout(root: &Path, package: &str, prod_columns: &[&str]) {
    let ws = workspace();
    let write = |path: &str, text: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [features]\nprod-snapshot = []\n\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{0}/hc-schema-macro\" }}\n\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{0}/hc-schema-snapshot\" }}\n",
            ws.display(),
        ),
    );
    write(
        "app/build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(
        "app/src/main.rs",
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name, loyalty_tier__c))]\n\
         fn tiers() {}\n\
         fn main() { tiers(); }\n",
    );
    write("hc-schema.toml", "snapshot_dir = \"hc-schema\"\n");
    write(
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", prod_columns)]),
    );
    std::fs::copy(ws.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
}

fn build(root: &Path, target: &Path) -> (bool, String) {
    let mut command = cargo(root);
    command.env("CARGO_TARGET_DIR", target).args([
        "build",
        "--quiet",
        "--features",
        "prod-snapshot",
    ]);
    let (output, stderr) = run(&mut command);
    (output.status.success(), stderr)
}

/// Make `path` newer than anything built so far, as an edit would.
fn touch(path: &Path) {
    let text = std::fs::read(path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(path, text).unwrap();
}

#[test]
fn two_checkouts_sharing_a_target_dir_each_check_their_own_snapshot() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-checkouts-")
        .tempdir()
        .unwrap();
    let (a, b, target) = (dir.path().join("a"), dir.path().join("b"), nested_target());
    let package = package_name(dir.path());
    // Both checkouts exist before either is built, so their files are older than any build.
    checkout(&a, &package, &["name", "loyalty_tier__c"]);
    checkout(&b, &package, &["name"]);

    let (ok, stderr) = build(&a, &target);
    assert!(ok, "checkout a maps everything:\n{stderr}");
    // The build script watches its files by paths relative to the package, so that cargo
    // looks at the checkout being built.
    let outputs: Vec<String> = std::fs::read_dir(target.join("debug/build"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{package}-"))
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("output")).ok())
        .collect();
    assert_eq!(outputs.len(), 1, "one build-script run of app");
    let watched: Vec<&str> = outputs[0]
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    // First the checkout's stamp (`build::checkout_stamp`), in this checkout's own target/.
    assert!(
        watched[0].starts_with("../target/hc-schema-checkout/"),
        "{}",
        outputs[0]
    );
    assert_eq!(
        watched[1..],
        [
            "Cargo.toml",
            "../hc-schema.toml",
            "../hc-schema",
            "../hc-schema/prod.json"
        ],
        "{}",
        outputs[0]
    );

    // b's snapshot lacks the column; its files are older than a's build, so cargo does not
    // re-run the build script. Touch a source file: the crate is compiled again, and must be
    // checked against b's snapshot, not a's (a false pass before).
    touch(&b.join("app/src/main.rs"));
    let (ok, stderr) = build(&b, &target);
    assert!(!ok, "checkout b passed against checkout a's snapshot");
    assert!(
        stderr.contains("`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&a.display().to_string()),
        "b's error names a's files:\n{stderr}"
    );

    // Back in a (touch only its source): it passes again, checked against its own snapshot (a
    // false failure before, against b's).
    touch(&a.join("app/src/main.rs"));
    let (ok, stderr) = build(&a, &target);
    assert!(
        ok,
        "checkout a failed against checkout b's snapshot:\n{stderr}"
    );

    // Edits in both directions: b maps the column (an edit is newer than every build: the
    // build script re-runs in b) and passes; then a loses it and fails.
    std::fs::write(
        b.join("hc-schema/prod.json"),
        snapshot_json("prod", &[("account", &["name", "loyalty_tier__c"])]),
    )
    .unwrap();
    let (ok, stderr) = build(&b, &target);
    assert!(ok, "b after mapping the column:\n{stderr}");
    std::fs::write(
        a.join("hc-schema/prod.json"),
        snapshot_json("prod", &[("account", &["name"])]),
    )
    .unwrap();
    let (ok, stderr) = build(&a, &target);
    assert!(
        !ok && stderr.contains("`account.loyalty_tier__c` is not mapped in prod"),
        "a after unmapping the column:\n{stderr}"
    );
    // And b, untouched since its last successful build, compiled again: still its own verdict.
    touch(&b.join("app/src/main.rs"));
    let (ok, stderr) = build(&b, &target);
    assert!(ok, "b (maps the column) after a's failing build:\n{stderr}");
    forget(&target, &package);
}

/// The exact sequence of a team switching between two checkouts that share a target directory:
/// A, B, A, B, with no file touched. Cargo's own freshness (modification times, hashes that
/// ignore where the checkout lives) would reuse A's compilation for B; the build script's
/// per-checkout stamp makes it run again, so B fails against its own snapshot every time and A
/// passes every time.
#[test]
fn switching_checkouts_a_b_a_b_checks_each_against_its_own_snapshot() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-switch-")
        .tempdir()
        .unwrap();
    let (a, b, target) = (dir.path().join("a"), dir.path().join("b"), nested_target());
    let package = package_name(dir.path());
    // Both checkouts exist before either is built, so their files are older than any build.
    checkout(&a, &package, &["name", "loyalty_tier__c"]);
    checkout(&b, &package, &["name"]);
    for round in 1..=2 {
        let (ok, stderr) = build(&a, &target);
        assert!(ok, "round {round}: a maps everything:\n{stderr}");
        let (ok, stderr) = build(&b, &target);
        assert!(
            !ok,
            "round {round}: checkout b passed against checkout a's snapshot"
        );
        assert!(
            stderr
                .contains("`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)"),
            "round {round}:\n{stderr}"
        );
    }
    // In one checkout, nothing re-runs: a no-op build does not run the build script.
    let (ok, _) = build(&a, &target);
    assert!(ok);
    let output_of_app = || -> std::time::SystemTime {
        std::fs::read_dir(target.join("debug/build"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{package}-"))
            })
            .filter_map(|e| std::fs::metadata(e.path().join("output")).ok())
            .filter_map(|m| m.modified().ok())
            .max()
            .unwrap()
    };
    let before = output_of_app();
    let (ok, _) = build(&a, &target);
    assert!(ok);
    assert_eq!(
        output_of_app(),
        before,
        "a no-op build re-ran the build script"
    );
    forget(&target, &package);
}
