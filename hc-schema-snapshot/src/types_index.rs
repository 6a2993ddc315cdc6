//! Every snapshot's column types in one file: what the macro's type checks ask, without
//! parsing any snapshot.
//!
//! A use without a Rust type asks whether its column's type drifts between the snapshots of
//! the directory, and `hc_query!` decides each output's Rust type from every snapshot that
//! maps the column (selected or not). Parsing every snapshot in full for that costs a compiler
//! process far more than the lookups (0.9 s per compilation with two 4.7 MB snapshots, debug
//! profile). So the build script, which reads every snapshot anyway, writes a [`TypesIndex`]
//! to `OUT_DIR` (see [`crate::build`]): for every `(table, column)` of any snapshot, each
//! environment's type spelling and nullability, plus the columns that drift
//! ([`crate::typecheck::drifts`]), decided once. The macro reads the file as it is (a hash
//! table, as [`crate::NameIndex`]) and looks columns up.
//!
//! A stale index is never read: the file holds the fingerprint of every snapshot's bytes
//! ([`TypesIndex::fingerprint`]), which the build script also hands to the macro in the
//! selection ([`crate::selection::TypesRef`]); the macro compares both, and compares every
//! snapshot's size and modification time with what the build script saw (a snapshot edited
//! behind cargo's back: the snapshots are read instead). A snapshot the build script could not
//! read is recorded as such ([`IndexedEnv::readable`]): its error is the snapshot's own, which
//! the caller gets by reading it (an error path).
//!
//! ```
//! use hc_schema_snapshot::types_index::{SnapshotColumns, TypesIndex, Indexed};
//! use hc_schema_snapshot::Snapshot;
//! let snapshot = |env: &str, ty: &str| Snapshot::parse(&format!(r#"{{"format":1,"environment":"{env}",
//!     "schema":"salesforce","tables":{{"account":{{"columns":{{"x":{{"type":"{ty}"}}}}}}}}}}"#), "f", env).unwrap();
//! let (test, prod) = (snapshot("test", "date"), snapshot("prod", "timestamp without time zone"));
//! let index = TypesIndex::build("f00d", &[
//!     Indexed::read("prod", "hc-schema/prod.json", "prod", &SnapshotColumns::of(&prod)),
//!     Indexed::read("test", "hc-schema/test.json", "test", &SnapshotColumns::of(&test)),
//! ]);
//! let index = TypesIndex::parse(index.bytes().to_vec()).unwrap();
//! assert!(index.drifts("account", "x"));
//! let (envs, nullable) = index.column_types("account", "x");
//! assert_eq!(envs[0].spelling.as_deref(), Some("timestamp without time zone"));
//! assert!(nullable);
//! assert!(index.column_types("account", "y").0.is_empty());
//! ```

use std::collections::HashMap;

use crate::hash::WordHash;
use crate::snapshot::Snapshot;
use crate::types::EnvType;

/// The first line of every types index file; bump the number when the layout changes.
const HEADER: &[u8] = b"hc-schema types index 1\n";

/// Where a name or spelling lies in [`SnapshotColumns`]' text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

/// One column of [`SnapshotColumns`].
#[derive(Debug, Clone, Copy)]
struct Entry {
    table: Span,
    column: Span,
    spelling: Option<Span>,
    nullable: bool,
}

/// Every column of one snapshot with its type spelling and nullability, in the order read:
/// one text holding the names and spellings, and a small fixed-size entry per column (no
/// allocation per column: the build script runs unoptimised, on snapshots of tens of
/// megabytes). Two are equal when they hold the same columns, whatever the order.
#[derive(Debug, Clone, Default)]
pub struct SnapshotColumns {
    text: Vec<u8>,
    entries: Vec<Entry>,
    /// The current table's name (the reader visits a table's columns after its name).
    table: Option<Span>,
}

/// One column: (table, column, type spelling when known, nullable).
pub type ColumnType<'a> = (&'a str, &'a str, Option<&'a str>, bool);

impl SnapshotColumns {
    /// The columns of a parsed snapshot.
    pub fn of(snapshot: &Snapshot) -> SnapshotColumns {
        let mut out = SnapshotColumns::default();
        for (table, info) in &snapshot.tables {
            out.table(table.as_bytes());
            for (column, found) in &info.columns {
                out.column(
                    column.as_bytes(),
                    found.data_type.as_deref().map(str::as_bytes),
                    found.nullable,
                );
            }
        }
        out
    }

    fn push(&mut self, bytes: &[u8]) -> Span {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        Span {
            start,
            end: self.text.len() as u32,
        }
    }

    /// Start the columns of `table` (UTF-8 bytes).
    pub(crate) fn table(&mut self, table: &[u8]) {
        self.table = Some(self.push(table));
    }

    /// A column of the current table (all bytes UTF-8).
    pub(crate) fn column(&mut self, column: &[u8], spelling: Option<&[u8]>, nullable: bool) {
        let table = self.table.expect("a column comes after its table");
        let column = self.push(column);
        let spelling = spelling.map(|spelling| self.push(spelling));
        self.entries.push(Entry {
            table,
            column,
            spelling,
            nullable,
        });
    }

    fn str_of(&self, span: Span) -> &str {
        // Only UTF-8 bytes are pushed.
        std::str::from_utf8(&self.text[span.start as usize..span.end as usize]).unwrap_or("")
    }

    /// The columns, in the order read.
    pub fn iter(&self) -> impl Iterator<Item = ColumnType<'_>> + '_ {
        self.entries.iter().map(|entry| {
            (
                self.str_of(entry.table),
                self.str_of(entry.column),
                entry.spelling.map(|s| self.str_of(s)),
                entry.nullable,
            )
        })
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no column.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl PartialEq for SnapshotColumns {
    fn eq(&self, other: &SnapshotColumns) -> bool {
        fn sorted(types: &SnapshotColumns) -> Vec<ColumnType<'_>> {
            let mut all: Vec<ColumnType<'_>> = types.iter().collect();
            all.sort_unstable();
            all
        }
        self.len() == other.len() && sorted(self) == sorted(other)
    }
}

impl Eq for SnapshotColumns {}

/// One snapshot of the directory as the build script read it, for [`TypesIndex::build`].
#[derive(Debug, Clone, Copy)]
pub struct Indexed<'a> {
    /// The environment (the file's name).
    pub env: &'a str,
    /// The file as shown to users.
    pub display: &'a str,
    /// The environment the file says it is of, and its columns; `None` when the file cannot
    /// be read as a snapshot.
    pub read: Option<(&'a str, &'a SnapshotColumns)>,
}

impl<'a> Indexed<'a> {
    /// A snapshot that was read.
    pub fn read(
        env: &'a str,
        display: &'a str,
        environment: &'a str,
        columns: &'a SnapshotColumns,
    ) -> Indexed<'a> {
        Indexed {
            env,
            display,
            read: Some((environment, columns)),
        }
    }

    /// A snapshot that could not be read.
    pub fn unreadable(env: &'a str, display: &'a str) -> Indexed<'a> {
        Indexed {
            env,
            display,
            read: None,
        }
    }
}

/// One environment of a [`TypesIndex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedEnv {
    /// The environment.
    pub env: String,
    /// Its snapshot file, as shown to users.
    pub display: String,
    /// The environment the file says it is of (`"environment"`), when it was read: a caller
    /// refuses a file that says another one as [`crate::build::check_environment`] does.
    pub environment: Option<String>,
}

impl IndexedEnv {
    /// Whether the build script could read the snapshot.
    pub fn readable(&self) -> bool {
        self.environment.is_some()
    }
}

/// The types index (see the module documentation).
///
/// File layout, numbers u32 little endian, a string its byte length then its bytes: the
/// header line; the fingerprint (string); the number of environments, each its name, file as
/// shown, and the environment it says (an empty string and a 0 byte when unreadable, else the
/// string and a 1 byte); the number of distinct type spellings and each spelling; the number
/// of drifting columns and each (table, column); the number of columns `n` and of hash slots
/// `m` (a power of two, at least `2n`); the `m` slots (0 = empty, else column number + 1,
/// placed by the hash of the column's key with linear probing); `n + 1` offsets of each
/// column's record from the records' start; the records, each the table (string), the column
/// (string) and per environment a code: 0 when the environment does not map the column, else
/// `(s + 1) << 1 | nullable`, where `s` is 0 without a type and `k + 1` for spelling `k`.
#[derive(Debug, Clone)]
pub struct TypesIndex {
    bytes: Vec<u8>,
    fingerprint: String,
    envs: Vec<IndexedEnv>,
    spellings: Vec<String>,
    drifting: Vec<(String, String)>,
    columns: usize,
    slots: usize,
    /// Where the slots start.
    slots_at: usize,
    /// Where the records start.
    records_at: usize,
}

/// Writes the little-endian layout.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u32(&mut self, word: u32) {
        self.out.extend_from_slice(&word.to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.u32(u32_of(bytes.len()));
        self.out.extend_from_slice(bytes);
    }
}

/// Reads the little-endian layout; `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let word = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
    }

    fn u8(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        let out = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(out)
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

/// The hash of a column's key.
fn key_hash(table: &[u8], column: &[u8]) -> u32 {
    let mut hash = WordHash::new();
    hash.feed(table);
    hash.feed(column);
    let hash = hash.finish();
    (hash ^ hash >> 32) as u32
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).expect("a types index fits in 4 GiB")
}

impl TypesIndex {
    /// The index of `snapshots` (every snapshot of the directory, in any order; kept in
    /// environment-name order), whose bytes have fingerprint `fingerprint`.
    pub fn build(fingerprint: &str, snapshots: &[Indexed<'_>]) -> TypesIndex {
        let mut order: Vec<&Indexed<'_>> = snapshots.iter().collect();
        order.sort_by(|a, b| a.env.cmp(b.env));
        // Every column of any snapshot, each environment's code.
        let mut spellings: Vec<&str> = Vec::new();
        let mut spelling_ids: HashMap<&str, u32> = HashMap::new();
        let mut codes: HashMap<(&str, &str), Vec<u32>> = HashMap::new();
        for (n, snapshot) in order.iter().enumerate() {
            let Some((_, columns)) = snapshot.read else {
                continue;
            };
            for (table, column, spelling, nullable) in columns.iter() {
                let spelling = match spelling {
                    None => 0,
                    Some(spelling) => *spelling_ids.entry(spelling).or_insert_with(|| {
                        spellings.push(spelling);
                        spellings.len() as u32
                    }),
                };
                let code = (spelling + 1) << 1 | nullable as u32;
                codes
                    .entry((table, column))
                    .or_insert_with(|| vec![0; order.len()])[n] = code;
            }
        }
        let mut keys: Vec<(&str, &str)> = codes.keys().copied().collect();
        keys.sort_unstable();
        // What drifts, decided here once.
        let drifting: Vec<(&str, &str)> = keys
            .iter()
            .filter(|key| {
                let row = &codes[*key];
                // Most columns have one spelling everywhere: nothing to decide.
                let first = row.iter().map(|c| c >> 1).find(|s| *s > 1);
                row.iter().any(|c| c >> 1 > 1 && Some(c >> 1) != first)
            })
            .filter(|(table, column)| {
                let envs = env_types(&order, &codes[&(*table, *column)], &spellings);
                crate::typecheck::drifts(table, column, &envs)
            })
            .copied()
            .collect();
        let mut w = Writer::default();
        w.out.extend_from_slice(HEADER);
        w.bytes(fingerprint.as_bytes());
        w.u32(u32_of(order.len()));
        for snapshot in &order {
            w.bytes(snapshot.env.as_bytes());
            w.bytes(snapshot.display.as_bytes());
            match &snapshot.read {
                Some((environment, _)) => {
                    w.bytes(environment.as_bytes());
                    w.out.push(1);
                }
                None => {
                    w.bytes(b"");
                    w.out.push(0);
                }
            }
        }
        w.u32(u32_of(spellings.len()));
        for spelling in &spellings {
            w.bytes(spelling.as_bytes());
        }
        w.u32(u32_of(drifting.len()));
        for (table, column) in &drifting {
            w.bytes(table.as_bytes());
            w.bytes(column.as_bytes());
        }
        let slots = (2 * keys.len()).next_power_of_two().max(2);
        w.u32(u32_of(keys.len()));
        w.u32(u32_of(slots));
        let slots_at = w.out.len();
        w.out.resize(slots_at + 4 * slots, 0);
        let offsets_at = w.out.len();
        w.out.resize(offsets_at + 4 * (keys.len() + 1), 0);
        let records_at = w.out.len();
        for (n, (table, column)) in keys.iter().enumerate() {
            let offset = u32_of(w.out.len() - records_at);
            w.out[offsets_at + 4 * n..offsets_at + 4 * n + 4]
                .copy_from_slice(&offset.to_le_bytes());
            w.bytes(table.as_bytes());
            w.bytes(column.as_bytes());
            for code in &codes[&(*table, *column)] {
                w.u32(*code);
            }
            let mut slot = key_hash(table.as_bytes(), column.as_bytes()) as usize & (slots - 1);
            while w.out[slots_at + 4 * slot..slots_at + 4 * slot + 4] != [0; 4] {
                slot = (slot + 1) & (slots - 1);
            }
            w.out[slots_at + 4 * slot..slots_at + 4 * slot + 4]
                .copy_from_slice(&u32_of(n + 1).to_le_bytes());
        }
        let end = u32_of(w.out.len() - records_at);
        let at = offsets_at + 4 * keys.len();
        w.out[at..at + 4].copy_from_slice(&end.to_le_bytes());
        TypesIndex::parse(w.out).expect("a fresh types index is well-formed")
    }

    /// An index from the bytes [`TypesIndex::bytes`] wrote; an error when they are not a
    /// types index of this version.
    pub fn parse(bytes: Vec<u8>) -> Result<TypesIndex, String> {
        let not_an_index = || {
            format!(
                "not an hc-schema types index of this version (expected the header {:?})",
                String::from_utf8_lossy(HEADER.trim_ascii_end())
            )
        };
        if !bytes.starts_with(HEADER) {
            return Err(not_an_index());
        }
        let mut r = Reader {
            bytes: &bytes,
            at: HEADER.len(),
        };
        let mut read = || -> Option<TypesIndex> {
            let fingerprint = r.string()?;
            let mut envs = Vec::new();
            for _ in 0..r.u32()? {
                let env = r.string()?;
                let display = r.string()?;
                let environment = r.string()?;
                let environment = match r.u8()? {
                    0 => None,
                    1 => Some(environment),
                    _ => return None,
                };
                envs.push(IndexedEnv {
                    env,
                    display,
                    environment,
                });
            }
            let mut spellings = Vec::new();
            for _ in 0..r.u32()? {
                spellings.push(r.string()?);
            }
            let mut drifting = Vec::new();
            for _ in 0..r.u32()? {
                drifting.push((r.string()?, r.string()?));
            }
            let columns = r.u32()? as usize;
            let slots = r.u32()? as usize;
            if !slots.is_power_of_two() || slots < 2 * columns {
                return None;
            }
            let slots_at = r.at;
            let offsets_at = slots_at.checked_add(4 * slots)?;
            let records_at = offsets_at.checked_add(4 * (columns + 1))?;
            r.at = offsets_at + 4 * columns;
            let end = r.u32()? as usize;
            if records_at.checked_add(end)? != r.bytes.len() {
                return None;
            }
            Some(TypesIndex {
                bytes: Vec::new(),
                fingerprint,
                envs,
                spellings,
                drifting,
                columns,
                slots,
                slots_at,
                records_at,
            })
        };
        let mut index = read().ok_or_else(not_an_index)?;
        index.bytes = bytes;
        Ok(index)
    }

    /// The file content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The fingerprint of the snapshots' bytes the index was made from.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Every snapshot of the directory, in environment-name order.
    pub fn envs(&self) -> &[IndexedEnv] {
        &self.envs
    }

    /// The columns whose type drifts between the readable snapshots
    /// ([`crate::typecheck::drifts`]), sorted.
    pub fn drifting(&self) -> &[(String, String)] {
        &self.drifting
    }

    /// Whether `table.column` drifts between the readable snapshots.
    pub fn drifts(&self, table: &str, column: &str) -> bool {
        self.drifting
            .binary_search_by(|(t, c)| (t.as_str(), c.as_str()).cmp(&(table, column)))
            .is_ok()
    }

    fn u32_at(&self, at: usize) -> u32 {
        match self.bytes.get(at..at + 4) {
            Some(w) => u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
            None => 0,
        }
    }

    /// The codes of `table.column`, one per environment, or `None` when no snapshot has it.
    fn codes(&self, table: &str, column: &str) -> Option<Vec<u32>> {
        let mask = self.slots - 1;
        let mut slot = key_hash(table.as_bytes(), column.as_bytes()) as usize & mask;
        for _ in 0..self.slots {
            let entry = self.u32_at(self.slots_at + 4 * slot) as usize;
            if entry == 0 || entry > self.columns {
                return None;
            }
            let offsets_at = self.slots_at + 4 * self.slots;
            let at = self.records_at + self.u32_at(offsets_at + 4 * (entry - 1)) as usize;
            let mut r = Reader {
                bytes: &self.bytes,
                at,
            };
            if r.bytes()? == table.as_bytes() && r.bytes()? == column.as_bytes() {
                return (0..self.envs.len()).map(|_| r.u32()).collect();
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// Each readable environment's type of `table.column`, for every snapshot that maps it,
    /// in environment-name order; and whether any says it is nullable. What `hc_query!`'s
    /// typing asks (the same answer as reading every readable snapshot in full).
    pub fn column_types(&self, table: &str, column: &str) -> (Vec<EnvType>, bool) {
        let Some(codes) = self.codes(table, column) else {
            return (Vec::new(), false);
        };
        let mut nullable = false;
        let mut envs = Vec::new();
        for (env, code) in self.envs.iter().zip(codes) {
            if code == 0 {
                continue;
            }
            nullable |= code & 1 == 1;
            let spelling = (code >> 1) as usize - 1;
            envs.push(EnvType {
                env: env.env.clone(),
                display: env.display.clone(),
                spelling: match spelling {
                    0 => None,
                    k => self.spellings.get(k - 1).cloned(),
                },
            });
        }
        (envs, nullable)
    }
}

/// The [`EnvType`]s of one column's `codes` (one per snapshot of `order`).
fn env_types(order: &[&Indexed<'_>], codes: &[u32], spellings: &[&str]) -> Vec<EnvType> {
    order
        .iter()
        .zip(codes)
        .filter(|(_, code)| **code != 0)
        .map(|(snapshot, code)| EnvType {
            env: snapshot.env.to_string(),
            display: snapshot.display.to_string(),
            spelling: match (code >> 1) as usize - 1 {
                0 => None,
                k => Some(spellings[k - 1].to_string()),
            },
        })
        .collect()
}

/// The `(table, column)` names of every snapshot read, for tests.
#[cfg(test)]
fn all_columns(snapshots: &[&Snapshot]) -> std::collections::BTreeSet<(String, String)> {
    snapshots
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .flat_map(|(t, info)| info.columns.keys().map(move |c| (t.clone(), c.clone())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use crate::typecheck;

    const TYPES: [&str; 9] = [
        "character varying(255)",
        "character varying(80)",
        "text",
        "double precision",
        "boolean",
        "date",
        "timestamp without time zone",
        "timestamp with time zone",
        "integer",
    ];
    const NAMES: [&str; 7] = ["a", "b", "account", "name", "x\ty", "", "caf\u{e9}"];

    fn generated(rng: &mut Rng, env: &str) -> Snapshot {
        let mut snapshot = Snapshot::new(env, "salesforce");
        for _ in 0..rng.below(4) {
            let table = snapshot
                .tables
                .entry(rng.pick(&NAMES).to_string())
                .or_default();
            for _ in 0..rng.below(5) {
                let column = table
                    .columns
                    .entry(rng.pick(&NAMES).to_string())
                    .or_default();
                column.data_type = (!rng.one_in(5)).then(|| rng.pick(&TYPES).to_string());
                column.nullable = !rng.one_in(4);
            }
        }
        snapshot
    }

    /// What the macro computed from the snapshots in full: every column's types and
    /// nullability, and the drifting set, against the index's answers, over generated
    /// directories of one to four snapshots (some unreadable).
    #[test]
    fn the_index_answers_as_the_snapshots_do() {
        let mut rng = Rng::exact(0x7e57_1d3e_0000_0021);
        let envs = ["prod", "test", "stage", "dev"];
        let (mut drifted, mut typed) = (0, 0);
        for _ in 0..3_000 {
            let count = 1 + rng.below(4);
            let snapshots: Vec<Snapshot> = envs[..count]
                .iter()
                .map(|env| generated(&mut rng, env))
                .collect();
            let unreadable: Vec<bool> = (0..count).map(|_| rng.one_in(8)).collect();
            let displays: Vec<String> = snapshots
                .iter()
                .map(|s| format!("hc-schema/{}.json", s.environment))
                .collect();
            let columns: Vec<SnapshotColumns> = snapshots.iter().map(SnapshotColumns::of).collect();
            let indexed: Vec<Indexed<'_>> = (0..count)
                .rev()
                .map(|n| {
                    let env = snapshots[n].environment.as_str();
                    if unreadable[n] {
                        Indexed::unreadable(env, &displays[n])
                    } else {
                        Indexed::read(env, &displays[n], env, &columns[n])
                    }
                })
                .collect();
            let index =
                TypesIndex::parse(TypesIndex::build("fp", &indexed).bytes().to_vec()).unwrap();
            assert_eq!(index.fingerprint(), "fp");
            let mut known: Vec<typecheck::Known<'_>> = snapshots
                .iter()
                .zip(&displays)
                .zip(&unreadable)
                .filter(|(_, bad)| !**bad)
                .map(|((s, d), _)| (s.environment.as_str(), d.as_str(), s))
                .collect();
            known.sort_by(|a, b| a.0.cmp(b.0));
            assert_eq!(
                index.envs().iter().filter(|e| e.readable()).count(),
                known.len()
            );
            let expected = typecheck::drifting(&known);
            let got: std::collections::HashSet<(String, String)> =
                index.drifting().iter().cloned().collect();
            assert_eq!(got, expected);
            drifted += expected.len();
            let all: Vec<&Snapshot> = snapshots.iter().collect();
            let mut asked = all_columns(&all);
            asked.insert(("account".into(), "missing".into()));
            asked.insert(("nowhere".into(), "a".into()));
            for (table, column) in &asked {
                // The full snapshots' answer: as `hc_query!`'s typing computed it.
                let mut envs = Vec::new();
                let mut nullable = false;
                for (env, display, snapshot) in &known {
                    if let Some(found) = snapshot.table(table).and_then(|t| t.column(column)) {
                        nullable |= found.nullable;
                        envs.push(EnvType {
                            env: env.to_string(),
                            display: display.to_string(),
                            spelling: found.data_type.clone(),
                        });
                    }
                }
                typed += envs.len();
                assert_eq!(
                    index.column_types(table, column),
                    (envs, nullable),
                    "{table}.{column}"
                );
                assert_eq!(
                    index.drifts(table, column),
                    typecheck::drift(table, column, &known).is_some(),
                    "{table}.{column}"
                );
            }
        }
        assert!(drifted > 300 && typed > 10_000, "{drifted} {typed}");
    }

    #[test]
    fn foreign_or_damaged_bytes_are_refused() {
        let snapshot = Snapshot::new("prod", "salesforce");
        let columns = SnapshotColumns::of(&snapshot);
        let bytes = TypesIndex::build("fp", &[Indexed::read("prod", "p", "prod", &columns)])
            .bytes()
            .to_vec();
        assert!(TypesIndex::parse(b"hc-schema name index 5\n".to_vec())
            .unwrap_err()
            .contains("types index"));
        for cut in 0..bytes.len() {
            assert!(TypesIndex::parse(bytes[..cut].to_vec()).is_err(), "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(TypesIndex::parse(longer).is_err());
        assert!(TypesIndex::parse(bytes).is_ok());
    }
}
