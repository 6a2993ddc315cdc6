//! The publishable crates package and build from their packaged sources, as `cargo publish`
//! would (each from the tarball, with the others through a local registry), so
//! `cargo install hc-schema` works once they are published.

use hc_schema_tests::cargo::{cargo, run, workspace};

#[test]
fn the_published_crates_package_and_build() {
    // A fresh target directory per run: cargo unpacks the packaged crates from a local
    // registry under it and caches the unpacked sources (in CARGO_HOME) by that registry's
    // path and the version, so a fixed directory would verify an earlier run's sources (tried:
    // the nested builds' target directory verified a stale copy).
    std::fs::create_dir_all(workspace().join("target")).unwrap();
    let keep = tempfile::Builder::new()
        .prefix("package-check-")
        .tempdir_in(workspace().join("target"))
        .unwrap();
    let target = keep.path().to_path_buf();
    let mut command = cargo(&workspace());
    command.env("CARGO_TARGET_DIR", &target).args([
        "package",
        "--quiet",
        "--allow-dirty",
        "-p",
        "hc-schema-snapshot",
        "-p",
        "hc-schema-macro",
        "-p",
        "hc-schema",
    ]);
    let (output, stderr) = run(&mut command);
    assert!(output.status.success(), "cargo package failed:\n{stderr}");
    for name in ["hc-schema-snapshot", "hc-schema-macro", "hc-schema"] {
        let crate_file = target
            .join("package")
            .join(format!("{name}-{}.crate", env!("CARGO_PKG_VERSION")));
        assert!(crate_file.is_file(), "{} missing", crate_file.display());
    }
}

/// The example app and the test support are never published.
#[test]
fn the_example_and_the_tests_are_not_published() {
    for manifest in ["examples/loyalty-app/Cargo.toml", "tests/Cargo.toml"] {
        let text = std::fs::read_to_string(workspace().join(manifest)).unwrap();
        assert!(text.contains("\npublish = false\n"), "{manifest}");
    }
}
