//! The macro's one process cache, with one rule.
//!
//! rustc runs every expansion of a crate in one process (and rust-analyzer keeps one
//! proc-macro process for hours), so what the macro reads (the selection, the snapshots, the
//! name indexes, the `hc_sql!` context) is kept here. THE rule: a value is kept for its key as
//! long as the files it was made from keep the size and modification time they had when it
//! was made, which is checked at most once a second (so an annotation costs no `stat`, and an
//! edited snapshot is seen within a second by a long-lived process). Everything else a value
//! depends on is in its key.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How often the files of an entry are checked.
const RECHECK: Duration = Duration::from_secs(1);

/// A process-wide cache of values by key (see the module docs for the rule).
pub struct Cache<V> {
    entries: Mutex<Vec<Entry<V>>>,
}

/// A file's modification time and size.
type FileStamp = (Option<SystemTime>, u64);

struct Entry<V> {
    key: String,
    files: Vec<(PathBuf, Option<FileStamp>)>,
    checked: Instant,
    value: Arc<V>,
}

impl<V> Cache<V> {
    /// An empty cache (for a `static`).
    pub const fn new() -> Self {
        Cache {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The value for `key`: kept, or made by `make`, which also says which files it was made
    /// from. A handful of entries at most (one per selected snapshot): a list compared in place.
    pub fn get(&self, key: &str, make: impl FnOnce() -> (V, Vec<PathBuf>)) -> Arc<V> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(i) = entries.iter().position(|entry| entry.key == key) {
            let entry = &mut entries[i];
            if entry.checked.elapsed() < RECHECK {
                return Arc::clone(&entry.value);
            }
            if entry
                .files
                .iter()
                .all(|(path, stamp)| stamp_of(path) == *stamp)
            {
                entry.checked = Instant::now();
                return Arc::clone(&entry.value);
            }
            entries.remove(i);
        }
        let (value, files) = make();
        let value = Arc::new(value);
        entries.push(Entry {
            key: key.to_string(),
            files: files
                .into_iter()
                .map(|path| {
                    let stamp = stamp_of(&path);
                    (path, stamp)
                })
                .collect(),
            checked: Instant::now(),
            value: Arc::clone(&value),
        });
        value
    }
}

fn stamp_of(path: &std::path::Path) -> Option<FileStamp> {
    std::fs::metadata(path)
        .ok()
        .map(|meta| (meta.modified().ok(), meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rust-analyzer keeps one proc-macro process for hours: a value made from an edited file
    /// is made again (after at most a second); other keys are kept.
    #[test]
    fn a_value_is_made_again_when_its_file_changes() {
        static CACHE: Cache<String> = Cache::new();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        std::fs::write(&path, "one").unwrap();
        let read = || {
            let path = path.clone();
            CACHE.get("prod", move || {
                (std::fs::read_to_string(&path).unwrap(), vec![path])
            })
        };
        assert_eq!(*read(), "one");
        std::fs::write(&path, "three").unwrap();
        assert_eq!(*read(), "one", "within a second: kept");
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        assert_eq!(*read(), "three", "checked again: made again");
        let other = CACHE.get("other", || ("x".to_string(), Vec::new()));
        assert_eq!(*other, "x");
        assert_eq!(*read(), "three");
    }
}
