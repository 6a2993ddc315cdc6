//! Project layout: where the workspace root is, and how a path is shown to users (relative to
//! it, with `/` separators, like rustc's own messages). One rule for the build script, the
//! selection and the CLI.

use std::path::{Path, PathBuf};

/// The workspace root of the crate at `manifest_dir`: the directory its `package.workspace`
/// names (a member outside its root's directory must name it, as cargo requires), else the
/// nearest `Cargo.toml` above that declares a `[workspace]` table (read as TOML, as cargo
/// reads it), else `manifest_dir` itself.
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
    if let Some(root) = declared_root(manifest_dir) {
        return root;
    }
    manifest_dir
        .ancestors()
        .find(|dir| declares_workspace(&dir.join("Cargo.toml")))
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// The directories where `hc-schema.toml` is looked for from `start` (a crate's directory, or
/// where a command runs), nearest first: `start` and its ancestors. For a workspace member
/// outside its root's directory (`package.workspace = "../ws"`), its own directories up to
/// the first one that holds the root too, then the root and its ancestors: such a member
/// uses the workspace's `hc-schema.toml` as a member under the root does (its own, nearer,
/// wins), so that its build and the CLI at the root read the same snapshots.
///
/// ```
/// use hc_schema_snapshot::paths::config_dirs;
/// let dir = tempfile::tempdir().unwrap();
/// let (ws, lib) = (dir.path().join("ws"), dir.path().join("libs/lib"));
/// std::fs::create_dir_all(&ws).unwrap();
/// std::fs::create_dir_all(&lib).unwrap();
/// std::fs::write(ws.join("Cargo.toml"), "[workspace]\nmembers = [\"../libs/lib\"]\n").unwrap();
/// std::fs::write(lib.join("Cargo.toml"), "[package]\nname = \"lib\"\nworkspace = \"../../ws\"\n").unwrap();
/// let dirs = config_dirs(&lib);
/// assert_eq!(dirs[..3], [lib.clone(), dir.path().join("libs"), ws.clone()]);
/// assert_eq!(hc_schema_snapshot::paths::workspace_root(&lib), ws);
/// ```
pub fn config_dirs(start: &Path) -> Vec<PathBuf> {
    let own = start.ancestors().map(Path::to_path_buf);
    let root = match declared_root(start) {
        Some(root) if !start.starts_with(&root) => root,
        _ => return own.collect(),
    };
    let mut dirs: Vec<PathBuf> = own.take_while(|dir| !root.starts_with(dir)).collect();
    dirs.extend(root.ancestors().map(Path::to_path_buf));
    dirs
}

/// The root that the manifest in `manifest_dir` names with `package.workspace`, when that
/// directory's `Cargo.toml` declares a workspace (`..` resolved by name, as cargo does).
fn declared_root(manifest_dir: &Path) -> Option<PathBuf> {
    let text =
        crate::read::read_regular_text(&manifest_dir.join("Cargo.toml"), crate::read::MAX_BYTES)
            .ok()?;
    if !text.contains("workspace") {
        return None;
    }
    let table = text.parse::<toml::Table>().ok()?;
    let named = table.get("package")?.get("workspace")?.as_str()?;
    let mut root = PathBuf::new();
    for part in manifest_dir.join(named).components() {
        match part {
            std::path::Component::ParentDir => {
                root.pop();
            }
            std::path::Component::CurDir => {}
            other => root.push(other),
        }
    }
    declares_workspace(&root.join("Cargo.toml")).then_some(root)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Project;
    use crate::selection::Looked;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A member outside the workspace root's directory, at several depths and spellings of
    /// `package.workspace`: its build (the config the build script finds and watches) and the
    /// CLI at the root read the root's `hc-schema.toml`; its own config, nearer, wins; a path
    /// dependency that names no workspace keeps its own directories.
    #[test]
    fn members_outside_the_root_use_the_workspace_config() {
        for (member, named) in [
            ("lib", "../ws"),
            ("libs/lib", "../../ws"),
            ("libs/deep/lib", "./../../../ws/"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (ws, lib) = (dir.path().join("ws"), dir.path().join(member));
            write(
                &ws.join("Cargo.toml"),
                &format!("[workspace]\nmembers = [\"../{member}\"]\n"),
            );
            write(&ws.join("hc-schema.toml"), "snapshot_dir = \"snaps\"\n");
            write(
                &lib.join("Cargo.toml"),
                &format!("[package]\nname = \"lib\"\nworkspace = \"{named}\"\n"),
            );
            assert_eq!(workspace_root(&lib), ws, "{member}");
            let build = Project::discover(&lib).unwrap();
            let cli = Project::discover(&ws).unwrap();
            assert_eq!(
                build.config_file,
                Some(ws.join("hc-schema.toml")),
                "{member}"
            );
            assert_eq!(build.snapshot_dir(), cli.snapshot_dir(), "{member}");
            // The build watches every place it looked, the found file last.
            let looked = Looked::config_files(&lib);
            let files: Vec<&PathBuf> = looked.files.iter().map(|(f, _)| f).collect();
            assert_eq!(
                files.first(),
                Some(&&lib.join("hc-schema.toml")),
                "{member}"
            );
            assert_eq!(files.last(), Some(&&ws.join("hc-schema.toml")), "{member}");
            // A config of the member's own wins.
            write(&lib.join("hc-schema.toml"), "snapshot_dir = \"own\"\n");
            let own = Project::discover(&lib).unwrap();
            assert_eq!(own.snapshot_dir(), lib.join("own"), "{member}");
            // A path dependency that is no member keeps its own directories.
            std::fs::remove_file(lib.join("hc-schema.toml")).unwrap();
            write(&lib.join("Cargo.toml"), "[package]\nname = \"lib\"\n");
            assert_eq!(workspace_root(&lib), lib, "{member}");
            assert_eq!(
                Project::discover(&lib).unwrap().config_file,
                None,
                "{member}"
            );
        }
    }
}
