//! A snapshot's names as sorted lines: what `#[hc_requires]` checks against.
//!
//! Parsing a multi-megabyte snapshot costs a compiler process far more than the thousand
//! lookups a crate makes in it, so the build script writes each selected snapshot's names to
//! `OUT_DIR` once (when the snapshot changes), and the macro looks names up in the file as
//! read (a hash table), without building any data structure. The full snapshot is only read to explain a failure.
//!
//! ```
//! use hc_schema_snapshot::{check, NameIndex, Requirement, Snapshot};
//! let prod = Snapshot::parse(
//!     r#"{"format":1,"environment":"prod","schema":"salesforce",
//!         "tables":{"account":{"columns":{"name":{},"type":{}}}}}"#, "prod.json", "prod").unwrap();
//! let index = NameIndex::parse(NameIndex::of(&prod).bytes().to_vec()).unwrap();
//! let needs = Requirement::new("Account", ["Name", "Loyalty_Tier__c"]);
//! assert_eq!(check(&needs, &index), check(&needs, &prod));
//! ```

use crate::names_reader::SnapshotNames;
use crate::requirement::Schema;
use crate::snapshot::{MappingAccess, Snapshot};

/// The first line of every index file; bump the number when the layout changes.
const HEADER: &[u8] = b"hc-schema name index 5\n";

/// The names of one snapshot: a line `table` per table and `table<TAB>column` per column,
/// plus `table<TAB>\u{1}ro` or `table<TAB>\u{1}rw` for a table whose mapping access is known,
/// sorted, with a hash table over them.
///
/// File layout, all numbers u32 little endian: the header line; the number of lines `n`; the
/// number of hash slots `m` (a power of two, at least `2n`); the `m` slots (0 = empty, else
/// line number + 1, placed by `key_hash` of the line with linear probing); `n + 1` offsets of where each line
/// starts in the text and where it ends; the text, every line ending in `\n`. A lookup hashes
/// the name once and compares one or two lines, which keeps it cheap even in the unoptimised
/// build that proc-macros get by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameIndex {
    bytes: Vec<u8>,
    lines: usize,
    slots: usize,
}

impl NameIndex {
    /// The index of `snapshot`. Names holding a tab, a line break or `\u{1}` are left out: no
    /// annotation can name them (annotation names are identifiers or letters, digits and
    /// underscores).
    pub fn of(snapshot: &Snapshot) -> NameIndex {
        NameIndex::from_lines(&SnapshotNames::of(snapshot).lines)
    }

    /// The index of `lines` (what [`SnapshotNames`] reads from a snapshot's text, or a union of
    /// several). The lines are the index's text as they are; the hash table is computed over
    /// them. Written for the unoptimised build scripts run in: one zeroed buffer, filled
    /// through a slice (indexing a `Vec` is a call per access at opt-level 0).
    pub fn from_lines(lines: &NameLines) -> NameIndex {
        let count = lines.len();
        let slots = (2 * count).next_power_of_two().max(2);
        let text = lines.text();
        let starts = lines.starts();
        let table_at = HEADER.len() + 8;
        let offsets_at = table_at + 4 * slots;
        let text_at = offsets_at + 4 * (count + 1);
        let mut bytes = vec![0u8; text_at + text.len()];
        let out: &mut [u8] = &mut bytes;
        out[..HEADER.len()].copy_from_slice(HEADER);
        put_u32(out, HEADER.len(), u32_of(count));
        put_u32(out, HEADER.len() + 4, u32_of(slots));
        let mut number = 0;
        while number < count {
            let line = &text[starts[number] as usize..starts[number + 1] as usize - 1];
            let mut slot = key_hash(line) as usize & (slots - 1);
            while get_u32(out, table_at + 4 * slot) != 0 {
                slot = (slot + 1) & (slots - 1);
            }
            put_u32(out, table_at + 4 * slot, u32_of(number + 1));
            number += 1;
        }
        let mut i = 0;
        while i <= count {
            put_u32(out, offsets_at + 4 * i, starts[i]);
            i += 1;
        }
        out[text_at..].copy_from_slice(text);
        NameIndex::parse(bytes).expect("a fresh index is well-formed")
    }

    /// An index from the bytes [`NameIndex::bytes`] wrote; an error when they are not an index
    /// of this version.
    pub fn parse(bytes: Vec<u8>) -> Result<NameIndex, String> {
        let not_an_index = || {
            format!(
                "not an hc-schema name index of this version (expected the header {:?})",
                String::from_utf8_lossy(HEADER.trim_ascii_end())
            )
        };
        if !bytes.starts_with(HEADER) {
            return Err(not_an_index());
        }
        let lines = read_u32(&bytes, HEADER.len()).ok_or_else(not_an_index)? as usize;
        let slots = read_u32(&bytes, HEADER.len() + 4).ok_or_else(not_an_index)? as usize;
        if !slots.is_power_of_two() || slots < 2 * lines {
            return Err(not_an_index());
        }
        let index = NameIndex {
            bytes,
            lines,
            slots,
        };
        let text_len = read_u32(&index.bytes, index.offset_at(lines)).ok_or_else(not_an_index)?;
        if index.bytes.len() != index.text_start() + text_len as usize {
            return Err(not_an_index());
        }
        Ok(index)
    }

    /// The file content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where the offset of line `i` is stored.
    fn offset_at(&self, i: usize) -> usize {
        HEADER.len() + 8 + 4 * (self.slots + i)
    }

    fn text_start(&self) -> usize {
        self.offset_at(self.lines + 1)
    }

    /// Whether the line `table` (`column` = `None`) or `table<TAB>column` is present: one
    /// hash of the key, then linear probing (bounded, so that a damaged file cannot loop).
    /// The key is assembled on the stack (names of usual length: no allocation).
    fn contains(&self, table: &[u8], column: Option<&[u8]>) -> bool {
        let mut stack = [0u8; 128];
        let mut heap = Vec::new();
        let key: &[u8] = match column {
            None => table,
            Some(column) => {
                let len = table.len() + 1 + column.len();
                let buffer: &mut [u8] = if len <= stack.len() {
                    &mut stack[..len]
                } else {
                    heap.resize(len, 0);
                    &mut heap
                };
                buffer[..table.len()].copy_from_slice(table);
                buffer[table.len()] = b'\t';
                buffer[table.len() + 1..].copy_from_slice(column);
                buffer
            }
        };
        let mask = self.slots - 1;
        let mut slot = key_hash(key) as usize & mask;
        let text = self.text_start();
        for _ in 0..self.slots {
            let entry = self.u32_at(HEADER.len() + 8 + 4 * slot) as usize;
            if entry == 0 || entry > self.lines {
                return false;
            }
            let offset = self.offset_at(entry - 1);
            let start = text + self.u32_at(offset) as usize;
            let end = text + self.u32_at(offset + 4) as usize;
            // `end` is one past the line's `\n`.
            if end == start + key.len() + 1 && self.bytes.get(start..end - 1) == Some(key) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        false
    }

    /// The u32 at `at`, 0 past the end (a damaged file then reads as "absent"). Indexes the
    /// slice directly: no call at opt-level 0.
    fn u32_at(&self, at: usize) -> u32 {
        let bytes: &[u8] = &self.bytes;
        if at + 4 > bytes.len() {
            return 0;
        }
        bytes[at] as u32
            | (bytes[at + 1] as u32) << 8
            | (bytes[at + 2] as u32) << 16
            | (bytes[at + 3] as u32) << 24
    }
}

/// The hash of a line (without its `\n`): [`crate::hash`], folded to 32 bits.
fn key_hash(bytes: &[u8]) -> u32 {
    let hash = crate::hash::hash(bytes);
    (hash ^ hash >> 32) as u32
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).expect("a snapshot's names fit in 4 GiB")
}

/// Store `word` little endian at `at`.
fn put_u32(out: &mut [u8], at: usize, word: u32) {
    out[at] = word as u8;
    out[at + 1] = (word >> 8) as u8;
    out[at + 2] = (word >> 16) as u8;
    out[at + 3] = (word >> 24) as u8;
}

/// The little-endian word at `at`.
fn get_u32(bytes: &[u8], at: usize) -> u32 {
    bytes[at] as u32
        | (bytes[at + 1] as u32) << 8
        | (bytes[at + 2] as u32) << 16
        | (bytes[at + 3] as u32) << 24
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

impl Schema for NameIndex {
    fn has_table(&self, table: &str) -> bool {
        self.contains(table.as_bytes(), None)
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        // The access pseudo-columns are not columns.
        column.as_bytes().first().is_none_or(|b| *b != 1)
            && self.contains(table.as_bytes(), Some(column.as_bytes()))
    }

    fn access(&self, table: &str) -> Option<MappingAccess> {
        if self.contains(table.as_bytes(), Some(ACCESS_RW.as_bytes())) {
            Some(MappingAccess::ReadWrite)
        } else if self.contains(table.as_bytes(), Some(ACCESS_RO.as_bytes())) {
            Some(MappingAccess::ReadOnly)
        } else {
            None
        }
    }
}

/// The pseudo-column line recording a read-only mapping (no column name holds `\u{1}`).
pub(crate) const ACCESS_RO: &str = "\u{1}ro";
/// The pseudo-column line recording a read-write mapping.
pub(crate) const ACCESS_RW: &str = "\u{1}rw";

/// Sorted, distinct name lines: `table`, `table<TAB>column`, and `table<TAB>\u{1}ro` or
/// `table<TAB>\u{1}rw` for a table whose mapping access is known. No line holds a line break;
/// names holding a tab, a line break or `\u{1}` are left out (no annotation can name them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameLines {
    /// The lines in order, each ending in `\n`.
    text: Vec<u8>,
    /// Where each line starts in `text`, then `text.len()`.
    starts: Vec<u32>,
}

impl Default for NameLines {
    /// No line.
    fn default() -> NameLines {
        NameLines {
            text: Vec::new(),
            starts: vec![0],
        }
    }
}

impl NameLines {
    /// The number of lines.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there is no line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Line `i` without its `\n`.
    pub fn line(&self, i: usize) -> &[u8] {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize - 1]
    }

    /// All lines, each ending in `\n`, in order.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Where each line starts in [`NameLines::text`], then the text's length.
    pub fn starts(&self) -> &[u32] {
        &self.starts
    }

    /// The tables and columns that any of `parts` has, without the mapping access (which
    /// differs between environments): what `hc_sql!` asks when it decides whether a name is
    /// Heroku Connect's.
    pub fn union<'a>(parts: impl IntoIterator<Item = &'a NameLines>) -> NameLines {
        let mut union = NameLines::default();
        for part in parts {
            union = merge(&union, part);
        }
        union
    }
}

/// The lines of `a` and `b` (both sorted) but the access lines, sorted and distinct.
fn merge(a: &NameLines, b: &NameLines) -> NameLines {
    // `table<TAB>\u{1}ro`: no name holds `\u{1}`, so the fourth byte from the end tells.
    let is_access = |line: &[u8]| line.len() >= 4 && line[line.len() - 3] == 1;
    let mut builder = Builder::default();
    builder.text.reserve(a.text.len().max(b.text.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let line = if j == b.len() || (i < a.len() && a.line(i) <= b.line(j)) {
            let line = a.line(i);
            i += 1;
            if j < b.len() && b.line(j) == line {
                j += 1;
            }
            line
        } else {
            let line = b.line(j);
            j += 1;
            line
        };
        if !is_access(line) {
            builder.push(&[line]);
        }
    }
    builder.finish().expect("a merge of sorted distinct lines")
}

/// Collects lines, noting whether they came in order.
#[derive(Default)]
pub(crate) struct Builder {
    /// The lines so far, each ending in `\n`.
    text: Vec<u8>,
    /// Where each line starts in `text`.
    starts: Vec<u32>,
    /// Whether a line came out of order.
    unsorted: bool,
}

impl Builder {
    /// Append the line made of `parts`. `None` past 4 GiB.
    pub(crate) fn push(&mut self, parts: &[&[u8]]) -> Option<()> {
        let start = self.text.len();
        for part in parts {
            self.text.extend_from_slice(part);
        }
        if let Some(&previous) = self.starts.last() {
            if self.text[previous as usize..start - 1] >= self.text[start..] {
                self.unsorted = true;
            }
        }
        self.text.push(b'\n');
        self.starts.push(u32::try_from(start).ok()?);
        Some(())
    }

    /// The lines, sorted; `None` when a line came twice (a duplicate table or column, which
    /// `Snapshot::parse` reports) or past 4 GiB.
    pub(crate) fn finish(mut self) -> Option<NameLines> {
        self.starts.push(u32::try_from(self.text.len()).ok()?);
        if !self.unsorted {
            return Some(NameLines {
                text: self.text,
                starts: self.starts,
            });
        }
        let line = |i: usize| &self.text[self.starts[i] as usize..self.starts[i + 1] as usize - 1];
        let mut order: Vec<usize> = (0..self.starts.len() - 1).collect();
        order.sort_unstable_by(|&a, &b| line(a).cmp(line(b)));
        let mut sorted = Builder::default();
        sorted.text.reserve(self.text.len());
        for (k, &i) in order.iter().enumerate() {
            if k > 0 && line(order[k - 1]) == line(i) {
                return None;
            }
            sorted.push(&[line(i)])?;
        }
        sorted.starts.push(u32::try_from(sorted.text.len()).ok()?);
        Some(NameLines {
            text: sorted.text,
            starts: sorted.starts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(tables: &[(&str, &[&str])]) -> Snapshot {
        let mut snapshot = Snapshot::new("prod", "salesforce");
        for (table, columns) in tables {
            let entry = snapshot.tables.entry(table.to_string()).or_default();
            for column in *columns {
                entry.columns.insert(column.to_string(), Default::default());
            }
        }
        snapshot
    }

    #[test]
    fn agrees_with_the_snapshot_on_every_name_and_near_miss() {
        let snapshot = snapshot(&[
            ("a", &["x", "x_", "xy"]),
            ("a_b", &["c"]),
            ("account", &["name", "type", "z"]),
            ("accounts", &[]),
            ("b", &["a"]),
        ]);
        let mut snapshot = snapshot;
        snapshot.tables.get_mut("a").unwrap().access = Some(MappingAccess::ReadOnly);
        snapshot.tables.get_mut("b").unwrap().access = Some(MappingAccess::ReadWrite);
        let index = NameIndex::parse(NameIndex::of(&snapshot).bytes().to_vec()).unwrap();
        let tables = [
            "", "a", "a_", "a_b", "ab", "account", "accounts", "b", "c", "zz",
        ];
        let columns = ["", "x", "x_", "xy", "c", "name", "type", "z", "a", "nam"];
        for table in tables {
            assert_eq!(index.has_table(table), snapshot.has_table(table), "{table}");
            assert_eq!(
                Schema::access(&index, table),
                Schema::access(&snapshot, table),
                "{table}"
            );
            for column in columns {
                assert_eq!(
                    index.has_column(table, column),
                    snapshot.has_column(table, column),
                    "{table}.{column}"
                );
            }
        }
    }

    /// Keys longer than the lookup's stack buffer, and names around its size.
    #[test]
    fn long_names_are_found() {
        let long: Vec<String> = [60, 63, 64, 65, 127, 128, 200]
            .iter()
            .map(|n| "x".repeat(*n))
            .collect();
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        let spec: Vec<(&str, &[&str])> = refs.iter().map(|t| (*t, refs.as_slice())).collect();
        let snapshot = snapshot(&spec);
        let index = NameIndex::parse(NameIndex::of(&snapshot).bytes().to_vec()).unwrap();
        for table in &refs {
            assert!(index.has_table(table));
            for column in &refs {
                assert!(
                    index.has_column(table, column),
                    "{}.{}",
                    table.len(),
                    column.len()
                );
                assert!(!index.has_column(table, &format!("{column}y")));
            }
        }
    }

    #[test]
    fn empty_snapshot_and_foreign_text() {
        let index = NameIndex::of(&snapshot(&[]));
        assert!(!index.has_table("account"));
        assert!(!index.has_column("account", "name"));
        assert!(NameIndex::parse(b"account\n".to_vec())
            .unwrap_err()
            .contains("hc-schema name index"));
        let mut truncated = NameIndex::of(&snapshot(&[("a", &["b"])])).bytes().to_vec();
        truncated.pop();
        assert!(NameIndex::parse(truncated).is_err());
    }

    #[test]
    fn a_large_index_finds_every_name() {
        let columns: Vec<String> = (0..300).map(|c| format!("field_{c}__c")).collect();
        let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        let tables: Vec<String> = (0..50).map(|t| format!("object_{t}__c")).collect();
        let spec: Vec<(&str, &[&str])> = tables
            .iter()
            .map(|t| (t.as_str(), refs.as_slice()))
            .collect();
        let index = NameIndex::of(&snapshot(&spec));
        for table in &tables {
            assert!(index.has_table(table));
            for column in &columns {
                assert!(index.has_column(table, column));
            }
            assert!(!index.has_column(table, "field_300__c"));
        }
        assert!(!index.has_table("object_50__c"));
    }
}
