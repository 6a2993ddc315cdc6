//! Project layout: where the workspace root is, and how a path is shown to users (relative to
//! it, with `/` separators, like rustc's own messages). One rule for the build script, the
//! selection and the CLI.

use std::path::{Path, PathBuf};

/// The workspace root above `manifest_dir`: the nearest `Cargo.toml` that declares a
/// `[workspace]` table (read as TOML, as cargo reads it), else `manifest_dir` itself.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\nmembers = [\"app\"]\n").unwrap();
/// let app = dir.path().join("app");
/// std::fs::create_dir(&app).unwrap();
/// std::fs::write(app.join("Cargo.toml"), "[package]\nname = \"app\" # [workspace] in a comment\n").unwrap();
/// assert_eq!(hc_schema_snapshot::paths::workspace_root(&app), dir.path());
/// ```
pub fn workspace_root(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .find(|dir| declares_workspace(&dir.join("Cargo.toml")))
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// Whether the manifest at `path` has a `[workspace]` table (a manifest that cannot be read or
/// parsed does not: cargo would refuse it anyway).
fn declares_workspace(path: &Path) -> bool {
    let Ok(text) = crate::read::read_regular_text(path, crate::read::MAX_BYTES) else {
        return false;
    };
    // Cheap first: most manifests on the way up do not mention it at all.
    if !text.contains("workspace") {
        return false;
    }
    text.parse::<toml::Table>()
        .is_ok_and(|table| table.get("workspace").is_some_and(toml::Value::is_table))
}

/// `path` relative to `base` when it is inside it, else as is; always with `/` separators.
///
/// ```
/// use std::path::Path;
/// use hc_schema_snapshot::paths::display_path;
/// assert_eq!(display_path(Path::new("/w/app/hc-schema/prod.json"), Path::new("/w")), "app/hc-schema/prod.json");
/// assert_eq!(display_path(Path::new("/elsewhere/x.json"), Path::new("/w")), "/elsewhere/x.json");
/// ```
pub fn display_path(path: &Path, base: &Path) -> String {
    let shown = path.strip_prefix(base).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}
