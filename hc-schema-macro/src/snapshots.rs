//! The snapshots this compilation checks against, as selected by the build script.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use hc_schema_snapshot::build::check_environment;
use hc_schema_snapshot::selection::{
    display_path, select_for_crate, Inputs, Reason, Selection, SnapshotRef, Stamp, ENV_VAR,
    SELECTION_VAR, SNAPSHOT_VAR,
};
use hc_schema_snapshot::types_index::TypesIndex;
use hc_schema_snapshot::{NameIndex, Schema, Snapshot};

use crate::cache::Cache;

/// What a requirement is checked against: the build script's name index when there is one,
/// else the parsed snapshot.
pub enum Checked {
    /// The name index.
    Index(Arc<Result<NameIndex, String>>),
    /// The full snapshot.
    Snapshot(Arc<Result<Snapshot, String>>),
}

impl Checked {
    /// The schema to check against, or why there is none.
    pub fn schema(&self) -> Result<&dyn Schema, &str> {
        match self {
            Checked::Index(index) => match index.as_ref() {
                Ok(index) => Ok(index),
                Err(message) => Err(message),
            },
            Checked::Snapshot(snapshot) => match snapshot.as_ref() {
                Ok(snapshot) => Ok(snapshot),
                Err(message) => Err(message),
            },
        }
    }
}

/// The cheapest form of `snapshot` (of a selection with `fingerprint`) to check against: its
/// index if that reads, else the parsed snapshot.
pub fn checked(snapshot: &SnapshotRef, fingerprint: &str, reason: Reason) -> Checked {
    if let Some(path) = &snapshot.index {
        let index = index(path, fingerprint);
        if index.is_ok() {
            return Checked::Index(index);
        }
    }
    Checked::Snapshot(full_of(snapshot, reason))
}

/// The parsed snapshot of an environment, refused (as the build script and the CLI refuse it)
/// when it says it is another environment's: a `cp -p test.json prod.json` behind cargo's back
/// must not make a prod build check test's schema. A file given by `HC_SCHEMA_SNAPSHOT`
/// (`reason`) may hold any environment.
pub fn full_of(snapshot: &SnapshotRef, reason: Reason) -> Arc<Result<Snapshot, String>> {
    let loaded = full(snapshot);
    let Ok(parsed) = loaded.as_ref() else {
        return loaded;
    };
    match check_environment(reason, snapshot, &parsed.environment) {
        Ok(()) => loaded,
        Err(err) => Arc::new(Err(err.to_string())),
    }
}

/// The name index at `path`, written by the build script, whose selection has `fingerprint`.
/// The build script rewrites the index whenever the fingerprint changes, so the pair
/// identifies the content: no file to watch.
pub fn index(path: &Path, fingerprint: &str) -> Arc<Result<NameIndex, String>> {
    static INDEXES: Cache<Result<NameIndex, String>> = Cache::new();
    let key = format!("{}\n{fingerprint}", path.display());
    INDEXES.get(&key, || {
        let index = std::fs::read(path)
            .map_err(|err| err.to_string())
            .and_then(NameIndex::parse);
        (index, Vec::new())
    })
}

/// The build script's [`TypesIndex`] of every snapshot of `selection`'s directory, when it is
/// fresh: written for exactly these snapshots (the fingerprint in the file is the one the
/// selection names, and it lists the same environments and files), none of them changed
/// since (see [`for_this_crate`]). `None` otherwise: the caller reads the snapshots.
pub fn types_index(selection: &Selection) -> Option<Arc<TypesIndex>> {
    static INDEXES: Cache<Option<Arc<TypesIndex>>> = Cache::new();
    let types = selection.types.as_ref()?;
    let key = format!("{}\n{}", types.path.display(), types.fingerprint);
    let index = INDEXES.get(&key, || {
        let index = std::fs::read(&types.path)
            .ok()
            .and_then(|bytes| TypesIndex::parse(bytes).ok())
            .filter(|index| index.fingerprint() == types.fingerprint)
            .map(Arc::new);
        (index, Vec::new())
    });
    let index = index.as_ref().as_ref()?;
    // The same snapshots, in the index's order (environment name, then as selected).
    let mut all: Vec<&SnapshotRef> = selection.selected.iter().chain(&selection.others).collect();
    all.sort_by(|a, b| a.env.cmp(&b.env));
    let same = all.len() == index.envs().len()
        && all
            .iter()
            .zip(index.envs())
            .all(|(s, e)| s.env == e.env && s.display == e.display);
    same.then(|| Arc::clone(index))
}

/// The parsed snapshot (errors as their message, showing the workspace-relative path).
pub fn full(snapshot: &SnapshotRef) -> Arc<Result<Snapshot, String>> {
    static SNAPSHOTS: Cache<Result<Snapshot, String>> = Cache::new();
    let path = &snapshot.path;
    let key = format!("{}\n{}", path.display(), snapshot.display);
    SNAPSHOTS.get(&key, || {
        let parsed = Snapshot::load(path).map_err(|err| {
            err.to_string()
                .replace(&path.display().to_string(), &snapshot.display)
        });
        (parsed, vec![path.clone()])
    })
}

/// The types each column of `usages` was built against, for the registry (issue 21): the
/// column's type in every selected snapshot that maps it, and the Rust type `rust` gives. A
/// selected snapshot that cannot be read is left out (its errors are reported elsewhere);
/// with none left, no type is recorded and the release-phase verify names the columns.
pub fn built_types(
    usages: &[hc_schema_snapshot::manifest::Usage],
    rust: &dyn Fn(
        &hc_schema_snapshot::manifest::Usage,
        &hc_schema_snapshot::manifest::Spot,
    ) -> Option<String>,
) -> Vec<hc_schema_snapshot::built::BuiltType> {
    let selection = selection();
    let Ok(selection) = selection.as_ref() else {
        return Vec::new();
    };
    let loaded: Vec<(String, Arc<Result<Snapshot, String>>)> = selection
        .selected
        .iter()
        .map(|snapshot| (snapshot.env.clone(), full_of(snapshot, selection.reason)))
        .collect();
    let snapshots: Vec<(&str, &Snapshot)> = loaded
        .iter()
        .filter_map(|(env, snapshot)| Some((env.as_str(), snapshot.as_ref().as_ref().ok()?)))
        .collect();
    if snapshots.is_empty() {
        return Vec::new();
    }
    usages
        .iter()
        .flat_map(|usage| hc_schema_snapshot::built::of_usage(usage, &snapshots, rust))
        .collect()
}

/// The selection of this compilation: from the build script's `HC_SCHEMA_SELECTION`, else from
/// `HC_SCHEMA_SNAPSHOT` (crates without a build script, such as trybuild's), checked against the
/// crate being compiled ([`for_this_crate`]). Kept by the macro's cache while the variables stay
/// the same and no selected snapshot changes (a long-lived proc-macro server, such as
/// rust-analyzer's, sees snapshot edits).
pub fn selection() -> Arc<Result<Selection, String>> {
    static SELECTIONS: Cache<Result<Selection, String>> = Cache::new();
    let selection_var = std::env::var(SELECTION_VAR).ok();
    // The working directory only matters for a relative HC_SCHEMA_SNAPSHOT.
    let (snapshot_var, cwd) = match selection_var {
        Some(_) => (None, None),
        None => (
            std::env::var(SNAPSHOT_VAR).ok(),
            std::env::current_dir().ok(),
        ),
    };
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").ok();
    let key = format!("{selection_var:?}\n{snapshot_var:?}\n{cwd:?}\n{manifest_dir:?}");
    SELECTIONS.get(&key, || {
        let selection = decode_selection().and_then(for_this_crate);
        // A snapshot edited behind cargo's back: select again (its index, and the types
        // index, are stale).
        let files = match &selection {
            Ok(selection) => selection
                .selected
                .iter()
                .chain(&selection.others)
                .map(|s| s.path.clone())
                .collect(),
            Err(_) => Vec::new(),
        };
        (selection, files)
    })
}

/// Make sure `selection` describes the crate being compiled, as it is now.
///
/// Two checkouts of a workspace that share one target directory share the build script's
/// output (cargo hashes a member's build directory by its path within the workspace), so
/// the selection may have been made for the other checkout: then select again for this crate
/// (its own config and snapshots; the cargo features recorded by the build script are the
/// same for both). And a snapshot may have changed since the build script indexed it without
/// cargo noticing (an older modification time): then its index is not used and the JSON is
/// read; any snapshot of the directory changed (selected or not): the types index is not
/// used. Either way the verdict is about this crate's snapshot files as they are.
fn for_this_crate(mut selection: Selection) -> Result<Selection, String> {
    let here = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    if let (Some(made_for), Some(here)) = (&selection.manifest_dir, &here) {
        if !same_dir(made_for, here) {
            let inputs = Inputs {
                snapshot_var: std::env::var(SNAPSHOT_VAR).ok(),
                env_var: std::env::var(ENV_VAR).ok(),
                feature_envs: selection.feature_envs.clone(),
            };
            // No index and no stamp: the snapshots are read as JSON.
            return select_for_crate(here, &inputs).map_err(|err| err.to_string());
        }
    }
    let mut all_fresh = true;
    for snapshot in &mut selection.selected {
        let fresh = snapshot.stamp.is_some() && snapshot.stamp == Stamp::of(&snapshot.path);
        if !fresh {
            snapshot.index = None;
        }
        all_fresh &= fresh;
    }
    if selection.types.is_some() {
        all_fresh &= selection
            .others
            .iter()
            .all(|s| s.stamp.is_some() && s.stamp == Stamp::of(&s.path));
        if !all_fresh {
            selection.types = None;
        }
    }
    Ok(selection)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

fn decode_selection() -> Result<Selection, String> {
    if let Ok(encoded) = std::env::var(SELECTION_VAR) {
        return Selection::decode(&encoded);
    }
    if let Ok(path) = std::env::var(SNAPSHOT_VAR) {
        let path = PathBuf::from(path);
        let base = std::env::current_dir().unwrap_or_default();
        return Ok(Selection {
            reason: Reason::SnapshotVar,
            selected: vec![SnapshotRef {
                env: hc_schema_snapshot::snapshot::env_of_path(&path),
                display: display_path(&path, &base),
                path,
                index: None,
                stamp: None,
            }],
            others: Vec::new(),
            snapshot_dir: String::new(),
            fingerprint: String::new(),
            // No build script, so no hc-schema.toml: the default, nothing registered.
            registry: false,
            strict_access: false,
            macro_generated: Default::default(),
            strict_types: false,
            lints: Default::default(),
            manifest_dir: None,
            feature_envs: Vec::new(),
            registry_crate: None,
            types: None,
        });
    }
    Err(format!(
        "#[hc_requires] does not know which snapshots to check: add a build script \
         (`fn main() {{ hc_schema_snapshot::build::configure(); }}` in build.rs, with \
         hc-schema-snapshot in [build-dependencies]), or set {SNAPSHOT_VAR}=<snapshot file>"
    ))
}

/// Whether `message` is reported for the first time in this compiler process. Problems with the
/// setup (a missing snapshot, a malformed file) are reported at the first annotation only,
/// instead of once per annotation.
pub fn first_report(message: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection_of(path: &Path, index: Option<PathBuf>) -> Selection {
        Selection {
            reason: Reason::Features,
            selected: vec![SnapshotRef {
                env: "prod".into(),
                path: path.to_path_buf(),
                display: "hc-schema/prod.json".into(),
                index,
                stamp: Stamp::of(path),
            }],
            others: Vec::new(),
            snapshot_dir: "hc-schema".into(),
            fingerprint: "f".into(),
            registry: false,
            strict_access: false,
            macro_generated: Default::default(),
            strict_types: false,
            lints: Default::default(),
            manifest_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
            feature_envs: vec!["prod".into()],
            registry_crate: None,
            types: None,
        }
    }

    /// A long-lived proc-macro server (rust-analyzer's) keeps this process: an edit of the
    /// snapshot after the build script indexed it makes the index unusable, so the JSON is read.
    #[test]
    fn an_index_is_dropped_when_its_snapshot_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        std::fs::write(&path, "{}").unwrap();
        let index = Some(dir.path().join("0-prod.names"));
        let fresh = for_this_crate(selection_of(&path, index.clone())).unwrap();
        assert_eq!(
            fresh.selected[0].index, index,
            "unchanged: the index is used"
        );
        let selection = selection_of(&path, index);
        std::fs::write(&path, "{\"changed\": true}").unwrap();
        let stale = for_this_crate(selection).unwrap();
        assert_eq!(stale.selected[0].index, None, "changed: the JSON is read");
    }

    /// The types index is read only while it is the one of these snapshots: every snapshot of
    /// the directory unchanged (an unselected one too), the fingerprint in the file the one the
    /// selection names, and the same environments and files.
    #[test]
    fn a_types_index_is_read_only_while_fresh() {
        use hc_schema_snapshot::selection::TypesRef;
        use hc_schema_snapshot::types_index::{Indexed, SnapshotColumns};
        let dir = tempfile::tempdir().unwrap();
        let prod = dir.path().join("prod.json");
        let test = dir.path().join("test.json");
        std::fs::write(&prod, "{}").unwrap();
        std::fs::write(&test, "{}").unwrap();
        let columns = SnapshotColumns::default();
        let write = |name: &str, fingerprint: &str, envs: &[&str]| {
            let indexed: Vec<Indexed<'_>> = envs
                .iter()
                .map(|env| {
                    Indexed::read(
                        env,
                        if *env == "prod" {
                            "hc-schema/prod.json"
                        } else {
                            "hc-schema/test.json"
                        },
                        env,
                        &columns,
                    )
                })
                .collect();
            let path = dir.path().join(name);
            std::fs::write(&path, TypesIndex::build(fingerprint, &indexed).bytes()).unwrap();
            TypesRef {
                path,
                fingerprint: "fp".into(),
            }
        };
        let with = |types: TypesRef| {
            let mut selection = selection_of(&prod, None);
            selection.others = vec![SnapshotRef {
                env: "test".into(),
                path: test.clone(),
                display: "hc-schema/test.json".into(),
                index: None,
                stamp: Stamp::of(&test),
            }];
            selection.types = Some(types);
            selection
        };
        let fresh = for_this_crate(with(write("a.index", "fp", &["prod", "test"]))).unwrap();
        assert!(types_index(&fresh).is_some(), "fresh: read");
        let other = for_this_crate(with(write("b.index", "other", &["prod", "test"]))).unwrap();
        assert!(
            types_index(&other).is_none(),
            "another fingerprint in the file"
        );
        let fewer = for_this_crate(with(write("c.index", "fp", &["prod"]))).unwrap();
        assert!(types_index(&fewer).is_none(), "other snapshots");
        let selection = with(write("d.index", "fp", &["prod", "test"]));
        std::fs::write(&test, "{\"changed\": true}").unwrap();
        let stale = for_this_crate(selection).unwrap();
        assert!(stale.types.is_none(), "an unselected snapshot changed");
        assert!(types_index(&stale).is_none());
    }

    /// The build script's output came from another checkout: select again for this crate.
    #[test]
    fn another_checkouts_selection_is_made_again_for_this_crate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        std::fs::write(&path, "{}").unwrap();
        let mut elsewhere = selection_of(&path, Some(dir.path().join("0-prod.names")));
        elsewhere.manifest_dir = Some(dir.path().join("other-checkout"));
        let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
        let again = for_this_crate(elsewhere).unwrap();
        assert_eq!(again.manifest_dir.as_deref(), Some(here.as_path()));
        assert_eq!(again.reason, Reason::Features);
        assert_eq!(again.selected[0].path, here.join("hc-schema/prod.json"));
        assert!(again.selected.iter().all(|s| s.index.is_none()));
    }
}
