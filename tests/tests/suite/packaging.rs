//! The publishable crates package and build from their packaged sources, as `cargo publish`
//! would (each from the tarball, with the others through a local registry), so
//! `cargo install hc-schema` works once they are published.

use hc_schema_tests::cargo::{cargo, nested_target, run, workspace};

#[test]
fn the_published_crates_package_and_build() {
    // The nested builds' target directory, so that verifying the packages reuses their
    // compiled dependencies. Cargo unpacks the packaged crates from a local registry under
    // `package/` and caches the unpacked sources by that registry's path and the version: that
    // directory is removed first, so that this run's sources are the ones verified.
    let target = nested_target();
    match std::fs::remove_dir_all(target.join("package")) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => panic!("cannot remove {}: {err}", target.join("package").display()),
    }
    let mut command = cargo(&workspace());
    command.args([
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
