//! An on-disk store of byte values by text key and context, for the analysis cache: one
//! append-only file per package build directory, read once per compiler process.
//!
//! The file is a header line, then records, each `[u32 length][u64 check][payload]` (little
//! endian), the payload being `[u32 n][context: n bytes][u32 m][key: m bytes][value]` and the
//! check a hash of the payload. Every record carries its whole context and key, compared
//! exactly on reading; a record of another context is dead weight, never an answer.
//!
//! Safe with concurrent compiler processes (the lib, bin and test targets of one package share
//! the build directory and compile at once): a record is appended with one `write` on a file
//! opened for appending, so records do not interleave on a local file system, and the check
//! rejects one that did (a network file system); a file is only ever replaced whole (a
//! temporary file, then a rename), so a reader sees the old or the new one. What a race can
//! cost is an entry lost, read as a miss: the analysis is then made again.
//!
//! Robust: a file that is missing, damaged, torn at the end or of another layout is read as far
//! as it is sound (never a panic), and replaced by its sound records before anything is
//! appended. Bounded: records of other contexts (a snapshot changed since) and duplicates are
//! dropped when they outweigh the live ones, and the file never grows past [`MAX_FILE`] bytes
//! through this process's appends.

use std::fs::File;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The first line of the file; bump the number when the layout changes.
const HEADER: &[u8] = b"hc-schema sql analyses 2\n";

/// The largest file this process appends to (about 30,000 analyses of queries of the usual
/// size).
pub const MAX_FILE: usize = 16 << 20;

/// The largest record read (an `hc_sql!` text is at most 64 KiB).
const MAX_RECORD: usize = 1 << 20;

/// Dead bytes tolerated before the file is rewritten with its live records only.
const MAX_DEAD: usize = 64 << 10;

/// The records of one context, loaded, plus those this process added.
pub struct Store {
    context: Vec<u8>,
    /// Payload bytes the entries point into.
    data: Vec<u8>,
    /// Sorted by hash.
    entries: Vec<Entry>,
    /// Where new records go; `None` when nothing may be appended (an I/O error, the bound).
    file: Option<File>,
    /// The size of the file as this process knows it.
    size: usize,
}

struct Entry {
    hash: u64,
    key: Range<usize>,
    value: Range<usize>,
}

/// What reading the file found.
struct Loaded {
    live: usize,
    dead: usize,
    /// Whether the file must be replaced before appending (absent, damaged, another layout).
    unsound: bool,
}

impl Store {
    /// The store at `path` for `context`: the file's live records, the file made sound (and
    /// small) first when needed. Never fails: without a usable file it is an empty store that
    /// keeps what this process adds in memory.
    pub fn open(path: &Path, context: Vec<u8>) -> Store {
        let bytes = std::fs::read(path).unwrap_or_default();
        let mut store = Store {
            context,
            data: Vec::new(),
            entries: Vec::new(),
            file: None,
            size: bytes.len(),
        };
        let loaded = store.load(&bytes);
        drop(bytes);
        let rewrite = loaded.unsound
            || (loaded.dead > loaded.live && loaded.dead > MAX_DEAD)
            || store.size > MAX_FILE;
        if rewrite && !store.rewrite(path) {
            return store;
        }
        store.file = std::fs::OpenOptions::new().append(true).open(path).ok();
        store
    }

    /// The value stored for `key` in this context.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.get_bytes(key.as_bytes())
    }

    /// The value stored for `key` (any bytes: an item's key, [`crate::strings`]) in this
    /// context.
    pub fn get_bytes(&self, key: &[u8]) -> Option<&[u8]> {
        self.find(hash(key), key)
    }

    /// The value of `key`, whose hash is `hash`.
    fn find(&self, hash: u64, key: &[u8]) -> Option<&[u8]> {
        let first = self.entries.partition_point(|e| e.hash < hash);
        self.entries[first..]
            .iter()
            .take_while(|e| e.hash == hash)
            .find(|e| &self.data[e.key.clone()] == key)
            .map(|e| &self.data[e.value.clone()])
    }

    /// Store `value` for `key`, in memory and, when possible, in the file.
    pub fn put(&mut self, key: &str, value: &[u8]) {
        self.put_bytes(key.as_bytes(), value)
    }

    /// Store `value` for `key` (any bytes), in memory and, when possible, in the file.
    pub fn put_bytes(&mut self, key: &[u8], value: &[u8]) {
        let hash = hash(key);
        if self.find(hash, key).is_some() {
            return;
        }
        let record = record(&self.context, key, value);
        if let Some(file) = &mut self.file {
            if self.size + record.len() > MAX_FILE || file.write_all(&record).is_err() {
                self.file = None;
            } else {
                self.size += record.len();
            }
        }
        self.add(hash, key, value);
    }

    /// Keep an entry in memory (`hash`: the key's).
    fn add(&mut self, hash: u64, key: &[u8], value: &[u8]) {
        let start = self.data.len();
        self.data.extend_from_slice(key);
        self.data.extend_from_slice(value);
        let entry = Entry {
            hash,
            key: start..start + key.len(),
            value: start + key.len()..self.data.len(),
        };
        let at = self.entries.partition_point(|e| e.hash <= hash);
        self.entries.insert(at, entry);
    }

    /// Read the records of `bytes` as far as they are sound; keep those of this context.
    fn load(&mut self, bytes: &[u8]) -> Loaded {
        let mut loaded = Loaded {
            live: 0,
            dead: 0,
            unsound: !bytes.starts_with(HEADER),
        };
        if loaded.unsound {
            return loaded;
        }
        let mut at = HEADER.len();
        while at < bytes.len() {
            // A bad or cut record (a crash while appending; on a local file system a reader
            // never sees an append half done): what follows cannot be read, so the file is
            // rewritten before anything is appended.
            let Some((payload, next)) = next_record(bytes, at) else {
                loaded.unsound = true;
                break;
            };
            let size = next - at;
            at = next;
            let Some((context, key, value)) = split_payload(payload) else {
                loaded.unsound = true;
                break;
            };
            let live = context == self.context.as_slice();
            let hash = hash(key);
            // A duplicate (two processes made the same analysis at once) is dead weight.
            if live && self.find(hash, key).is_none() {
                self.add(hash, key, value);
                loaded.live += size;
            } else {
                loaded.dead += size;
            }
        }
        loaded
    }

    /// Replace the file with the header and the live records (none when even they pass the
    /// bound). Returns whether the file is now sound.
    fn rewrite(&mut self, path: &Path) -> bool {
        let mut out = HEADER.to_vec();
        for entry in &self.entries {
            let key = &self.data[entry.key.clone()];
            let value = &self.data[entry.value.clone()];
            out.extend_from_slice(&record(&self.context, key, value));
        }
        if out.len() > MAX_FILE {
            out.truncate(HEADER.len());
        }
        let ok =
            parent_exists(path) && hc_schema_snapshot::atomic::write_atomically(path, &out).is_ok();
        self.size = out.len();
        ok
    }
}

fn parent_exists(path: &Path) -> bool {
    path.parent()
        .map(PathBuf::from)
        .is_some_and(|dir| dir.is_dir())
}

/// The record for `key` and `value` in `context`.
fn record(context: &[u8], key: &[u8], value: &[u8]) -> Vec<u8> {
    let payload_len = 8 + context.len() + key.len() + value.len();
    let mut out = Vec::with_capacity(12 + payload_len);
    out.extend_from_slice(&(payload_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&(context.len() as u32).to_le_bytes());
    out.extend_from_slice(context);
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(value);
    let check = hash(&out[12..]);
    out[4..12].copy_from_slice(&check.to_le_bytes());
    out
}

/// The payload of the record at `at` and where the next one starts, if the record is whole
/// and its check matches.
fn next_record(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = u32_at(bytes, at)? as usize;
    let check = u64_at(bytes, at + 4)?;
    if len > MAX_RECORD {
        return None;
    }
    let payload = bytes.get(at + 12..at + 12 + len)?;
    (hash(payload) == check).then_some((payload, at + 12 + len))
}

/// (context, key, value) of a payload.
fn split_payload(payload: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let n = u32_at(payload, 0)? as usize;
    let context = payload.get(4..4 + n)?;
    let m = u32_at(payload, 4 + n)? as usize;
    let key = payload.get(8 + n..8 + n + m)?;
    Some((context, key, &payload[8 + n + m..]))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let word = bytes.get(at..at + 8)?;
    let mut out = [0; 8];
    out.copy_from_slice(word);
    Some(u64::from_le_bytes(out))
}

pub use hc_schema_snapshot::hash::hash;

#[cfg(test)]
mod tests {
    use super::*;

    /// The one right value for `key` in `context`.
    fn value(context: &[u8], key: &str) -> Vec<u8> {
        let mut out = context.to_vec();
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&hash(key.as_bytes()).to_le_bytes());
        out
    }

    fn key(n: u64) -> String {
        format!("SELECT field_{n}__c FROM salesforce.object_{}__c", n % 7)
    }

    #[test]
    fn values_survive_reopening_and_contexts_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sql-analyses");
        let mut a = Store::open(&path, b"a".to_vec());
        assert_eq!(a.get(&key(1)), None);
        a.put(&key(1), &value(b"a", &key(1)));
        assert_eq!(a.get(&key(1)), Some(&value(b"a", &key(1))[..]));
        drop(a);
        let mut b = Store::open(&path, b"b".to_vec());
        assert_eq!(b.get(&key(1)), None, "another context's value");
        b.put(&key(1), &value(b"b", &key(1)));
        let a = Store::open(&path, b"a".to_vec());
        assert_eq!(a.get(&key(1)), Some(&value(b"a", &key(1))[..]));
        let b = Store::open(&path, b"b".to_vec());
        assert_eq!(b.get(&key(1)), Some(&value(b"b", &key(1))[..]));
        // A context that is a prefix of another is another context.
        assert_eq!(Store::open(&path, b"".to_vec()).get(&key(1)), None);
        assert_eq!(Store::open(&path, b"ab".to_vec()).get(&key(1)), None);
    }

    /// Damaged files (cut, bytes changed, garbage, another header): opening never panics,
    /// every answer is the right one or none, and what is stored afterwards is read back.
    #[test]
    fn damaged_files_never_give_a_wrong_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sql-analyses");
        let mut rng = hc_schema_snapshot::testing::Rng::exact(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        let contexts: [&[u8]; 2] = [b"one", b"two"];
        let (mut hits, mut damaged_opens) = (0, 0);
        for round in 0..300 {
            let _ = std::fs::remove_file(&path);
            for n in 0..12 {
                let context = contexts[(n % 2) as usize];
                let mut store = Store::open(&path, context.to_vec());
                store.put(&key(n), &value(context, &key(n)));
            }
            let mut bytes = std::fs::read(&path).unwrap();
            match round % 5 {
                0 => bytes.truncate(next() as usize % bytes.len()),
                1 => {
                    for _ in 0..1 + next() % 4 {
                        let at = next() as usize % bytes.len();
                        bytes[at] = next() as u8;
                    }
                }
                2 => {
                    let at = next() as usize % bytes.len();
                    let garbage: Vec<u8> = (0..next() % 40).map(|_| next() as u8).collect();
                    bytes.splice(at..at, garbage);
                }
                3 => bytes[next() as usize % HEADER.len()] ^= 0x20,
                _ => bytes.extend_from_within(HEADER.len()..HEADER.len() + 20),
            }
            std::fs::write(&path, &bytes).unwrap();
            for context in contexts {
                let mut store = Store::open(&path, context.to_vec());
                damaged_opens += 1;
                for n in 0..14 {
                    if let Some(found) = store.get(&key(n)) {
                        assert_eq!(found, value(context, &key(n)), "round {round}");
                        hits += 1;
                    }
                }
                store.put(&key(100 + round), &value(context, &key(100 + round)));
            }
            for context in contexts {
                let store = Store::open(&path, context.to_vec());
                assert_eq!(
                    store.get(&key(100 + round)),
                    Some(&value(context, &key(100 + round))[..]),
                    "stored after the damage, round {round}"
                );
            }
        }
        assert!(hits > 500 && damaged_opens == 600, "{hits} hits");
    }

    /// Processes (threads here, each with its own store and file handle) reading and writing
    /// one file at once: every answer is right, and a later reader finds them.
    #[test]
    fn concurrent_writers_never_mix_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sql-analyses");
        std::thread::scope(|scope| {
            for worker in 0..8u64 {
                let path = &path;
                scope.spawn(move || {
                    for round in 0..20u64 {
                        let context = [b'a' + ((worker + round) % 3) as u8];
                        let mut store = Store::open(path, context.to_vec());
                        for n in 0..40 {
                            let k = key((n * 7 + worker + round) % 60);
                            match store.get(&k) {
                                Some(found) => assert_eq!(found, value(&context, &k)),
                                None => store.put(&k, &value(&context, &k)),
                            }
                        }
                    }
                });
            }
        });
        for context in [b"a", b"b", b"c"] {
            let store = Store::open(&path, context.to_vec());
            for n in 0..60 {
                if let Some(found) = store.get(&key(n)) {
                    assert_eq!(found, value(context, &key(n)));
                }
            }
        }
    }

    #[test]
    fn the_file_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sql-analyses");
        let big = vec![7u8; 900 << 10];
        let mut store = Store::open(&path, b"a".to_vec());
        for n in 0..25 {
            store.put(&key(n), &big);
        }
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        assert!(size <= MAX_FILE, "{size}");
        assert!(size > MAX_FILE / 2, "{size}");
        // The values past the bound are still answered in this process.
        assert_eq!(store.get(&key(24)), Some(&big[..]));
        drop(store);
        // Another context (a snapshot changed): the dead records are dropped.
        let store = Store::open(&path, b"b".to_vec());
        drop(store);
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        assert_eq!(size, HEADER.len());
    }
}
