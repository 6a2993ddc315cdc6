//! Process-wide caches of the files the macro reads.
//!
//! rustc runs every expansion of a crate in one process, so each file is read once per
//! compilation however many annotations there are. Snapshots (read only to explain a failure)
//! are invalidated by modification time and size; name indexes by the selection fingerprint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use hc_schema_snapshot::{NameIndex, Snapshot};

/// The snapshot at `path` (errors as their message, showing `display` as the path).
pub fn snapshot(path: &Path, display: &str) -> Arc<Result<Snapshot, String>> {
    type Entry = (Option<SystemTime>, u64, Arc<Result<Snapshot, String>>);
    static SNAPSHOTS: Mutex<Option<HashMap<PathBuf, Entry>>> = Mutex::new(None);
    let stamp = std::fs::metadata(path)
        .map(|meta| (meta.modified().ok(), meta.len()))
        .unwrap_or((None, u64::MAX));
    let mut snapshots = SNAPSHOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let snapshots = snapshots.get_or_insert_with(HashMap::new);
    if let Some((modified, len, value)) = snapshots.get(path) {
        if (*modified, *len) == stamp {
            return Arc::clone(value);
        }
    }
    let value = Arc::new(Snapshot::load(path).map_err(|err| {
        // Show the workspace-relative path in place of the absolute one.
        err.to_string()
            .replace(&path.display().to_string(), display)
    }));
    snapshots.insert(path.to_path_buf(), (stamp.0, stamp.1, Arc::clone(&value)));
    value
}

/// The name index at `path`, written by the build script, whose selection has `fingerprint`.
/// The build script rewrites the index whenever the fingerprint changes, so the pair
/// identifies the content and no `stat` per annotation is needed.
pub fn index(path: &Path, fingerprint: &str) -> Arc<Result<NameIndex, String>> {
    // A handful of entries at most (one per selected snapshot): a list compared in place
    // avoids building a key per annotation.
    type Indexes = Vec<(PathBuf, String, Arc<Result<NameIndex, String>>)>;
    static INDEXES: Mutex<Indexes> = Mutex::new(Vec::new());
    let mut indexes = INDEXES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, _, index)) = indexes
        .iter()
        .find(|(p, f, _)| p == path && f == fingerprint)
    {
        return Arc::clone(index);
    }
    let index = Arc::new(
        std::fs::read(path)
            .map_err(|err| err.to_string())
            .and_then(NameIndex::parse),
    );
    indexes.push((
        path.to_path_buf(),
        fingerprint.to_string(),
        Arc::clone(&index),
    ));
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rust-analyzer keeps one proc-macro process for hours: an edited snapshot is read again.
    #[test]
    fn an_edited_snapshot_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        let text = |columns: &str| {
            format!(
                r#"{{"format":1,"environment":"prod","schema":"s","tables":{{"account":{{"columns":{{{columns}}}}}}}}}"#
            )
        };
        std::fs::write(&path, text(r#""name":{}"#)).unwrap();
        let first = snapshot(&path, "prod.json");
        assert!(first
            .as_ref()
            .as_ref()
            .unwrap()
            .has_column("account", "name"));
        std::fs::write(&path, text(r#""name":{},"loyalty_tier__c":{}"#)).unwrap();
        let second = snapshot(&path, "prod.json");
        assert!(second
            .as_ref()
            .as_ref()
            .unwrap()
            .has_column("account", "loyalty_tier__c"));
    }
}
