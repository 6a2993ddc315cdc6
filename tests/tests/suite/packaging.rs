//! The publishable crates package and build from their packaged sources, as `cargo publish`
//! would (each on its own, from its tarball, with the others in place of their crates.io
//! releases), so `cargo install hc-schema` works once they are published.
//!
//! `cargo package` verifies in a target directory of its own, a cold compile of the whole
//! dependency graph per run. Instead the tarballs are made with `--no-verify`, unpacked into a
//! new workspace, and built there, each package alone (`-p`: its own feature set, as cargo's
//! verify builds it; the binary too), in the nested builds' warm target directory: only the
//! three crates compile, the registry crates are those the other nested builds compiled. The
//! unpacked files get the time of unpacking (`tar -m`), newer than any earlier build, so every
//! run compiles this run's packaged sources, never an earlier run's artifacts.

use std::path::Path;

use hc_schema_tests::cargo::{cargo, run, workspace};

/// The crates `cargo publish` uploads, in dependency order.
const PUBLISHED: [&str; 3] = ["hc-schema-snapshot", "hc-schema-macro", "hc-schema"];

#[test]
fn the_published_crates_package_and_build() {
    std::fs::create_dir_all(workspace().join("target")).unwrap();
    let keep = tempfile::Builder::new()
        .prefix("package-check-")
        .tempdir_in(workspace().join("target"))
        .unwrap();
    let target = keep.path().join("target");
    let mut command = cargo(&workspace());
    command.env("CARGO_TARGET_DIR", &target).args([
        "package",
        "--quiet",
        "--allow-dirty",
        "--no-verify",
    ]);
    for name in PUBLISHED {
        command.args(["-p", name]);
    }
    let (output, stderr) = run(&mut command);
    assert!(output.status.success(), "cargo package failed:\n{stderr}");

    // A workspace of the unpacked crates; the packaged manifests name each other by version
    // (crates.io), and the patch points those names at the tarballs' contents.
    let root = keep.path().join("ws");
    std::fs::create_dir_all(&root).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let mut members = Vec::new();
    let mut patch = String::new();
    for name in PUBLISHED {
        let crate_file = target
            .join("package")
            .join(format!("{name}-{version}.crate"));
        assert!(crate_file.is_file(), "{} missing", crate_file.display());
        let (output, stderr) = run(std::process::Command::new("tar")
            .arg("-xzmf")
            .arg(&crate_file)
            .arg("-C")
            .arg(&root));
        assert!(output.status.success(), "cannot unpack {name}:\n{stderr}");
        members.push(format!("\"{name}-{version}\""));
        patch.push_str(&format!("{name} = {{ path = \"{name}-{version}\" }}\n"));
    }
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[patch.crates-io]\n{patch}",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    for name in PUBLISHED {
        build_packaged(&root, name);
    }
}

/// `cargo build -p name` in the workspace of unpacked crates: the packaged crate alone, with
/// the features its own manifest asks for (and its binary, for `hc-schema`).
fn build_packaged(root: &Path, name: &str) {
    let mut command = cargo(root);
    command.args(["build", "--quiet", "-p", name]);
    let (output, stderr) = run(&mut command);
    assert!(
        output.status.success(),
        "the packaged {name} does not build:\n{stderr}"
    );
}

/// The example app, the test support and the UI tests' crate are never published.
#[test]
fn the_example_and_the_tests_are_not_published() {
    for manifest in [
        "examples/loyalty-app/Cargo.toml",
        "tests/Cargo.toml",
        "ui-tests/Cargo.toml",
    ] {
        let text = std::fs::read_to_string(workspace().join(manifest)).unwrap();
        assert!(text.contains("\npublish = false\n"), "{manifest}");
    }
}
