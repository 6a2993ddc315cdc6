//! The CLI and the build must check by the same rules: the `hc-schema` binary refuses to work
//! on a project whose `Cargo.lock` builds with an incompatible `hc-schema-snapshot`.
//!
//! Compatible means the same release line: the same major version, and for `0.x` the same
//! minor version (Cargo's own rule for `^` requirements). Patch releases never change the
//! snapshot format or the check rule; a new line may.

use std::path::Path;

use crate::Failure;

/// The environment variable that lets a command run despite a mismatch (not recommended).
pub const ALLOW_VAR: &str = "HC_SCHEMA_ALLOW_VERSION_MISMATCH";

/// Check the `Cargo.lock` in `workspace` (when there is one) against this CLI's library.
pub fn check_lock(workspace: &Path) -> Result<(), Failure> {
    let lock = workspace.join("Cargo.lock");
    let Ok(text) =
        hc_schema_snapshot::read::read_regular_text(&lock, hc_schema_snapshot::read::MAX_BYTES)
    else {
        return Ok(()); // no lock file: nothing is built here yet
    };
    if std::env::var_os(ALLOW_VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        return Ok(());
    }
    let ours = hc_schema_snapshot::VERSION;
    for locked in locked_versions(&text, "hc-schema-snapshot") {
        if !compatible(ours, &locked) {
            return Err(Failure(format!(
                "this hc-schema is {ours}, but {} builds with hc-schema-snapshot {locked}: the CLI \
                 and the build could disagree on the snapshot format or the check rule; install \
                 the matching CLI with `cargo install hc-schema --version {locked} --locked` (pin \
                 it in CI), or update the project (`cargo update -p hc-schema-snapshot \
                 --precise {ours}`); {ALLOW_VAR}=1 runs anyway",
                lock.display()
            )));
        }
    }
    Ok(())
}

/// The versions of `package` in a `Cargo.lock` text (none when it cannot be read as one).
fn locked_versions(text: &str, package: &str) -> Vec<String> {
    let Ok(lock) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    lock.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))
        .filter_map(|p| {
            p.get("version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .collect()
}

/// Whether two versions are on the same release line (`^` compatible both ways).
fn compatible(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.split(['-', '+'])
            .next()
            .unwrap_or_default()
            .split('.')
            .map(|n| n.parse().unwrap_or(u64::MAX))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    match (a.first(), b.first()) {
        (Some(0), Some(0)) => a.get(1) == b.get(1),
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_lines() {
        assert!(compatible("0.1.0", "0.1.7"));
        assert!(!compatible("0.1.0", "0.2.0"));
        assert!(compatible("1.2.0", "1.9.3"));
        assert!(!compatible("1.2.0", "2.0.0"));
        assert!(!compatible("0.1.0", "garbage"));
    }

    #[test]
    fn versions_come_from_the_lock_file() {
        let lock = "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"0.2.1\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\n";
        assert_eq!(locked_versions(lock, "hc-schema-snapshot"), ["0.2.1"]);
        assert!(locked_versions("not toml [", "x").is_empty());
    }

    #[test]
    fn a_mismatch_names_both_versions_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.lock"),
            "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"99.0.0\"\n",
        )
        .unwrap();
        let Failure(message) = check_lock(dir.path()).unwrap_err();
        assert!(
            message.contains("builds with hc-schema-snapshot 99.0.0"),
            "{message}"
        );
        assert!(
            message.contains("cargo install hc-schema --version 99.0.0 --locked"),
            "{message}"
        );
        std::fs::write(
            dir.path().join("Cargo.lock"),
            format!(
                "version = 4\n\n[[package]]\nname = \"hc-schema-snapshot\"\nversion = \"{}\"\n",
                hc_schema_snapshot::VERSION
            ),
        )
        .unwrap();
        assert!(check_lock(dir.path()).is_ok());
    }
}
