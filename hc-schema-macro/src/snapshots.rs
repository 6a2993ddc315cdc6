//! The snapshots this compilation checks against, as selected by the build script.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use hc_schema_snapshot::selection::{
    display_path, Reason, Selection, SnapshotRef, SELECTION_VAR, SNAPSHOT_VAR,
};
use hc_schema_snapshot::Snapshot;

use crate::cache;

/// A loaded snapshot with its environment and user-facing path.
pub struct Loaded {
    /// Environment name.
    pub env: String,
    /// Path as shown to users.
    pub display: String,
    /// The snapshot.
    pub snapshot: Arc<Result<Snapshot, String>>,
}

/// The selection of this compilation: from the build script's `HC_SCHEMA_SELECTION`, else from
/// `HC_SCHEMA_SNAPSHOT` (crates without a build script, such as trybuild's).
pub fn selection() -> Result<Selection, String> {
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
            }],
            others: Vec::new(),
            snapshot_dir: String::new(),
            fingerprint: String::new(),
        });
    }
    Err(format!(
        "#[hc_requires] does not know which snapshots to check: add a build script \
         (`fn main() {{ hc_schema_snapshot::build::configure(); }}` in build.rs, with \
         hc-schema-snapshot in [build-dependencies]), or set {SNAPSHOT_VAR}=<snapshot file>"
    ))
}

/// Load the given snapshot references through the cache.
pub fn load(refs: &[SnapshotRef]) -> Vec<Loaded> {
    refs.iter()
        .map(|r| Loaded {
            env: r.env.clone(),
            display: r.display.clone(),
            snapshot: cache::load(&r.path, &r.display),
        })
        .collect()
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
