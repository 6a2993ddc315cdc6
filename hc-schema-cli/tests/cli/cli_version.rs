//! The CLI's version, and the refusal to check a project that builds with an incompatible
//! hc-schema-snapshot (the CLI and the build would check by different rules).

use crate::common;

use common::{hc, hc_env, workspace, write};

#[test]
fn version_is_printed_for_pinning() {
    let dir = tempfile::tempdir().unwrap();
    let run = hc(dir.path(), &["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        format!("hc-schema {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_incompatible_locked_library_is_named_and_refused() {
    let dir = workspace();
    write(
        dir.path(),
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"7.3.0\"\n",
    );
    let run = hc(dir.path(), &["check", "--env", "test"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "this hc-schema is {}, but {}/Cargo.lock builds with hc-schema-snapshot 7.3.0",
            env!("CARGO_PKG_VERSION"),
            dir.path().display()
        )),
        "{}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("cargo install hc-schema --version 7.3.0 --locked"));
    // The same line is fine; the escape hatch is explicit.
    write(
        dir.path(),
        "Cargo.lock",
        &format!(
            "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"{}\"\n",
            env!("CARGO_PKG_VERSION")
        ),
    );
    assert_ne!(hc(dir.path(), &["check", "--env", "test"]).code, 2);
    write(
        dir.path(),
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"7.3.0\"\n",
    );
    let run = hc_env(
        dir.path(),
        &["check", "--env", "test"],
        &[("HC_SCHEMA_ALLOW_VERSION_MISMATCH", "1")],
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
}
