//! The build-script helper: `hc_schema_snapshot::build::configure()`.
//!
//! ```text
//! // build.rs
//! fn main() {
//!     hc_schema_snapshot::build::configure();
//! }
//! ```
//!
//! It selects the snapshots (see [`crate::selection`]), tells cargo to re-run when a snapshot,
//! `hc-schema.toml` or a selecting environment variable changes, and hands the selection to
//! `#[hc_requires]` through the `HC_SCHEMA_SELECTION` rustc environment variable. The value
//! carries a fingerprint of the selected files, so editing a snapshot re-checks the crate on the
//! next plain `cargo build`.

use std::path::{Path, PathBuf};

use crate::config::{ConfigError, Project};
use crate::index::NameIndex;
use crate::selection::{self, Inputs, Selection, Stamp, ENV_VAR, SELECTION_VAR, SNAPSHOT_VAR};
use crate::snapshot::{write_atomically, Snapshot};

/// Configure the build; on a bad `hc-schema.toml` print the error and fail the build script.
pub fn configure() {
    if let Err(err) = try_configure() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

/// [`configure`], returning the selection or the configuration error instead of exiting.
///
/// Every `rerun-if-changed` path is written relative to the package when it can be (cargo
/// resolves relative paths against the package root), so that two checkouts of a workspace
/// sharing one target directory each watch their own files.
pub fn try_configure() -> Result<Selection, ConfigError> {
    println!("cargo:rerun-if-env-changed={SNAPSHOT_VAR}");
    println!("cargo:rerun-if-env-changed={ENV_VAR}");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let watch = |path: &Path| {
        println!(
            "cargo:rerun-if-changed={}",
            relative_to(path, &manifest_dir).display()
        );
    };
    // Re-run when a config file appears or changes anywhere up the tree.
    for dir in manifest_dir.ancestors() {
        let candidate = dir.join(crate::config::FILE_NAME);
        if candidate.is_file() {
            watch(&candidate);
            break;
        }
    }
    let project = Project::discover(&manifest_dir)?;
    watch(&project.snapshot_dir());
    let available = project.available_envs();
    let mut feature_envs: Vec<String> = std::env::vars()
        .filter_map(|(var, _)| selection::env_of_feature_var(&var, &available))
        .collect();
    feature_envs.sort();
    let inputs = Inputs {
        snapshot_var: std::env::var(SNAPSHOT_VAR).ok(),
        env_var: std::env::var(ENV_VAR).ok(),
        feature_envs,
    };
    let mut selection = selection::select_for_crate(&manifest_dir, &inputs)?;
    for snapshot in &selection.selected {
        watch(&snapshot.path);
    }
    // Each file is read once: the fingerprint and the index describe the same bytes, and the
    // stamp is taken before the read (a change during the read makes it stale, never fresh).
    let mut contents: Vec<Option<Vec<u8>>> = Vec::new();
    for snapshot in &mut selection.selected {
        snapshot.stamp = Stamp::of(&snapshot.path);
        contents.push(std::fs::read(&snapshot.path).ok());
    }
    selection.fingerprint = fingerprint_of(
        selection
            .selected
            .iter()
            .zip(&contents)
            .map(|(snapshot, bytes)| (snapshot.path.as_path(), bytes.as_deref())),
    );
    if let Some(out_dir) = std::env::var_os("OUT_DIR") {
        write_indexes(&mut selection, &contents, Path::new(&out_dir));
    }
    println!("cargo:rustc-env={SELECTION_VAR}={}", selection.encode());
    Ok(selection)
}

/// `path` relative to `base` (with `..` steps when it is outside), or `path` itself when no
/// relative path exists (another drive).
///
/// ```
/// use std::path::Path;
/// use hc_schema_snapshot::build::relative_to;
/// assert_eq!(relative_to(Path::new("/w/hc-schema/prod.json"), Path::new("/w/crates/app")), Path::new("../../hc-schema/prod.json"));
/// assert_eq!(relative_to(Path::new("/w/crates/app/hc-schema"), Path::new("/w/crates/app")), Path::new("hc-schema"));
/// assert_eq!(relative_to(Path::new("/w/a"), Path::new("/w/a")), Path::new("."));
/// ```
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    use std::path::Component;
    let path_parts: Vec<Component<'_>> = path.components().collect();
    let base_parts: Vec<Component<'_>> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let rooted = |parts: &[Component<'_>]| {
        parts
            .first()
            .is_some_and(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
    };
    if common == 0 && (rooted(&path_parts) || rooted(&base_parts)) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for part in &base_parts[common..] {
        if matches!(part, Component::CurDir) {
            continue;
        }
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Write the [`NameIndex`] of each selected snapshot whose `contents` (as read for the
/// fingerprint) parse to `out_dir/hc-schema/` and record its path. A snapshot that does not
/// load gets no index: the macro then reads the JSON itself and reports the error at the first
/// annotation, with its position.
fn write_indexes(selection: &mut Selection, contents: &[Option<Vec<u8>>], out_dir: &Path) {
    let dir = out_dir.join("hc-schema");
    for (position, (snapshot, bytes)) in selection.selected.iter_mut().zip(contents).enumerate() {
        let Some(text) = bytes.as_deref().and_then(|b| std::str::from_utf8(b).ok()) else {
            continue;
        };
        let display = snapshot.path.display().to_string();
        let Ok(loaded) = Snapshot::parse(text, &display, &snapshot.env) else {
            continue;
        };
        let path = dir.join(format!("{position}-{}.names", snapshot.env));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| write_atomically(&path, NameIndex::of(&loaded).bytes()));
        // Without an index the macro still works, only slower: never fail the build here.
        if written.is_ok() {
            snapshot.index = Some(path);
        }
    }
}

/// The workspace root above `manifest_dir` (the nearest `Cargo.toml` with `[workspace]`), else
/// `manifest_dir` itself. Paths shown to users are relative to it, like rustc's.
pub fn workspace_root(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|text| {
                text.lines()
                    .any(|line| line.trim_start().starts_with("[workspace]"))
            })
        })
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// A content fingerprint (FNV-1a over each file's path and bytes, or "missing").
pub fn fingerprint<'a>(paths: impl IntoIterator<Item = &'a Path>) -> String {
    let contents: Vec<(&Path, Option<Vec<u8>>)> = paths
        .into_iter()
        .map(|path| (path, std::fs::read(path).ok()))
        .collect();
    fingerprint_of(
        contents
            .iter()
            .map(|(path, bytes)| (*path, bytes.as_deref())),
    )
}

/// [`fingerprint`] of contents already read (`None`: missing or unreadable).
fn fingerprint_of<'a>(files: impl IntoIterator<Item = (&'a Path, Option<&'a [u8]>)>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (path, bytes) in files {
        feed(path.as_os_str().as_encoded_bytes());
        feed(bytes.unwrap_or(b"\0missing"));
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        let missing = fingerprint([path.as_path()]);
        std::fs::write(&path, "a").unwrap();
        let a = fingerprint([path.as_path()]);
        std::fs::write(&path, "b").unwrap();
        let b = fingerprint([path.as_path()]);
        assert_ne!(missing, a);
        assert_ne!(a, b);
        assert_eq!(b, fingerprint([path.as_path()]));
    }

    #[test]
    fn workspace_root_is_the_nearest_workspace_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n",
        )
        .unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
        assert_eq!(workspace_root(&app), dir.path());
    }
}
