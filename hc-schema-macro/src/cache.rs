//! A process-wide cache of parsed snapshots, invalidated by file modification time and size.
//!
//! rustc runs every expansion of a crate in one process, so each snapshot is parsed once per
//! compilation however many annotations there are; later lookups are hash lookups.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use hc_schema_snapshot::Snapshot;

type Entry = (Option<SystemTime>, u64, Arc<Result<Snapshot, String>>);

fn cache() -> &'static Mutex<HashMap<PathBuf, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Entry>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The snapshot at `path` (errors as their message, showing `display` as the path).
pub fn load(path: &Path, display: &str) -> Arc<Result<Snapshot, String>> {
    let stamp = std::fs::metadata(path)
        .map(|meta| (meta.modified().ok(), meta.len()))
        .unwrap_or((None, u64::MAX));
    let mut cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((modified, len, value)) = cache.get(path) {
        if (*modified, *len) == stamp {
            return Arc::clone(value);
        }
    }
    let value = Arc::new(Snapshot::load(path).map_err(|err| {
        // Show the workspace-relative path in place of the absolute one.
        err.to_string()
            .replace(&path.display().to_string(), display)
    }));
    cache.insert(path.to_path_buf(), (stamp.0, stamp.1, Arc::clone(&value)));
    value
}
