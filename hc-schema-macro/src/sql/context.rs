//! What the analysis needs besides the SQL: the Heroku Connect schema names and the names
//! every snapshot knows, from the build script's `HC_SCHEMA_SQL`, or, without a build script
//! (`HC_SCHEMA_SNAPSHOT`), from the selected snapshots themselves. Decided once per compiler
//! process for as long as the inputs stay the same.
//!
//! With the build script's union index, analyses are cached on disk next to it
//! ([`Known::analyze`]), and so are `hc_query!`'s shapes ([`Known::shape`], a file of their
//! own), keyed by the SQL text and everything else they depend on: the schema names, the
//! index's fingerprint, and the build of the analyser. A rebuild then parses only the queries
//! that changed; the check of each query against the selected snapshots (and `hc_query!`'s
//! typing against every snapshot) runs every time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use hc_schema_snapshot::selection::{Selection, SqlSetup, SQL_VAR};
use hc_schema_snapshot::sql::{analyze, shape, Analysis, Context, Shape, SqlError, Union};
use hc_schema_snapshot::{NameIndex, Schema, Snapshot};

use hc_schema_snapshot::sql::{codec, shape_codec};
use hc_schema_snapshot::sqlcheck::{checks_codec, read, Reading, SqlChecks};

use super::{build_id, store::Store};
use crate::cache::Cache;
use crate::snapshots;

/// The file of cached analyses, next to the union index in `OUT_DIR/hc-schema/`.
pub const CACHE_FILE: &str = "sql-analyses";

/// The file of cached `hc_query!` shapes, beside [`CACHE_FILE`].
pub const SHAPE_CACHE_FILE: &str = "sql-shapes";

/// The context's parts, owned.
pub struct Known {
    schemas: Vec<String>,
    parts: Vec<Part>,
    /// The analyses of this context, when they may be cached.
    cache: Option<Mutex<Store>>,
    /// Where the shapes of this context are cached (file, context), when they may be; opened
    /// at the first `hc_query!` (a crate without one gets no file).
    shape_file: Option<(PathBuf, Vec<u8>)>,
    shapes: OnceLock<Mutex<Store>>,
}

enum Part {
    Index(Arc<Result<NameIndex, String>>),
    Snapshot(Arc<Result<Snapshot, String>>),
}

impl Known {
    /// Run `f` with the analysis context.
    pub fn with<T>(&self, f: impl FnOnce(&Context<'_>) -> T) -> T {
        let mut union = Union::default();
        for part in &self.parts {
            match part {
                Part::Index(index) => {
                    if let Ok(index) = index.as_ref() {
                        union.push(index as &(dyn Schema + Sync));
                    }
                }
                Part::Snapshot(snapshot) => {
                    if let Ok(snapshot) = snapshot.as_ref() {
                        union.push(snapshot as &(dyn Schema + Sync));
                    }
                }
            }
        }
        let context = Context::new(self.schemas.iter().cloned(), &union);
        f(&context)
    }

    /// The analysis of `sql` in this context: from the cache when it has it, else made (and
    /// cached when it succeeds; errors are made again each time, they are rare and cheap to
    /// be exact about).
    pub fn analyze(&self, sql: &str) -> Result<Analysis, Vec<SqlError>> {
        let Some(cache) = &self.cache else {
            return self.with(|context| analyze(sql, context));
        };
        let mut store = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(analysis) = store.get(sql).and_then(|bytes| codec::decode(bytes, sql)) {
            return Ok(analysis);
        }
        let result = self.with(|context| analyze(sql, context));
        if let Ok(analysis) = &result {
            store.put(sql, &codec::encode(analysis));
        }
        result
    }

    /// The shape of `sql` (`hc_query!`'s outputs and parameters) in this context: from the
    /// cache when it has it, else made (and cached when it succeeds), as [`Known::analyze`].
    pub fn shape(&self, sql: &str) -> Result<Shape, Vec<SqlError>> {
        let Some((path, context)) = &self.shape_file else {
            return self.with(|known| shape(sql, known));
        };
        let store = self
            .shapes
            .get_or_init(|| Mutex::new(Store::open(path, context.clone())));
        let mut store = store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(shape) = store
            .get(sql)
            .and_then(|bytes| shape_codec::decode(bytes, sql))
        {
            return Ok(shape);
        }
        let result = self.with(|known| shape(sql, known));
        if let Ok(shape) = &result {
            store.put(sql, &shape_codec::encode(shape));
        }
        result
    }

    /// How the SQL checks read a literal's `value` (a `format!` string when `format`), as
    /// [`hc_schema_snapshot::sqlcheck::read`] reads it, through the same cache as the
    /// analyses of `hc_sql!` (a key no `hc_sql!` text has: it starts with a NUL, which no
    /// query that analyses holds, and only analyses are cached for those).
    pub fn read(&self, value: &str, format: bool, context: &Context<'_>) -> Reading {
        let Some(cache) = &self.cache else {
            return read(value, format, context);
        };
        let key = format!("\0lint {}\0{value}", u8::from(format));
        let mut store = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(reading) = store
            .get(&key)
            .and_then(|bytes| Reading::decode(bytes, value))
        {
            return reading;
        }
        let reading = read(value, format, context);
        store.put(&key, &reading.encode());
        reading
    }

    /// The SQL checks of an annotated item's strings ([`crate::strings`]) in this context:
    /// cached under `key` (everything they depend on besides the context: the file, the
    /// annotations, the item's tokens and where its literals are), else made by `make` (and
    /// cached), as an `hc_sql!` analysis is. Its keys start with `\0item`, which no SQL text
    /// and no reading's key does.
    pub fn item_checks(&self, key: &[u8], make: impl FnOnce() -> SqlChecks) -> SqlChecks {
        let Some(cache) = &self.cache else {
            return make();
        };
        let mut full = format!("\0item {}\0", checks_codec::VERSION).into_bytes();
        full.extend_from_slice(key);
        {
            let store = cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(checks) = store.get_bytes(&full).and_then(checks_codec::decode) {
                return checks;
            }
        }
        // Not under the lock: `make` reads the literals through the same cache.
        let checks = make();
        if let Some(bytes) = checks_codec::encode(&checks) {
            cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .put_bytes(&full, &bytes);
        }
        checks
    }

    /// The context of the build script's union `index` (whose content `fingerprint`
    /// identifies) and `schemas`; its analyses cached in `dir` when the analyser's build is
    /// known (`build`).
    pub(crate) fn of_index(
        schemas: Vec<String>,
        index: Arc<Result<NameIndex, String>>,
        fingerprint: &str,
        dir: Option<&Path>,
        build: Option<&str>,
    ) -> Known {
        let (cache, shape_file) = match (dir, build, index.as_ref()) {
            (Some(dir), Some(build), Ok(loaded)) => {
                let key = cache_context(build, fingerprint, loaded.bytes().len(), &schemas);
                (
                    Some(Mutex::new(Store::open(&dir.join(CACHE_FILE), key.clone()))),
                    Some((dir.join(SHAPE_CACHE_FILE), key)),
                )
            }
            _ => (None, None),
        };
        Known {
            schemas,
            parts: vec![Part::Index(index)],
            cache,
            shape_file,
            shapes: OnceLock::new(),
        }
    }
}

/// Everything an analysis depends on besides the SQL, as the cache's context: the analyser's
/// build, the cache layout, the union index (fingerprint and size) and the schema names.
fn cache_context(build: &str, fingerprint: &str, index_len: usize, schemas: &[String]) -> Vec<u8> {
    let mut key = format!(
        "analyser {build}\ncodec {}\nmacro {}\nunion index {fingerprint} {index_len}\nschemas",
        codec::VERSION,
        env!("CARGO_PKG_VERSION"),
    );
    for schema in schemas {
        key.push('\n');
        key.push_str(&schema.len().to_string());
        key.push(' ');
        key.push_str(schema);
    }
    key.into_bytes()
}

/// The context for this compilation, or the setup problem that prevents one: kept by the
/// macro's cache for the setup variable and what the selection says it depends on.
pub fn known(selection: &Result<Selection, String>) -> Arc<Result<Known, String>> {
    static CONTEXTS: Cache<Result<Known, String>> = Cache::new();
    let setup = std::env::var(SQL_VAR).ok();
    let mut key = format!("{setup:?}");
    let mut files = Vec::new();
    if let Ok(selection) = selection {
        let all = selection.selected.iter().chain(&selection.others);
        for snapshot in all {
            key.push_str(&format!(
                "\n{} {:?}",
                snapshot.path.display(),
                snapshot.index
            ));
            files.push(snapshot.path.clone());
        }
        key.push_str(&format!("\n{}", selection.fingerprint));
    }
    CONTEXTS.get(&key, || (decide(setup.as_deref(), selection), files))
}

fn decide(setup: Option<&str>, selection: &Result<Selection, String>) -> Result<Known, String> {
    let selection = selection.as_ref().map_err(Clone::clone)?;
    // The build script's union index describes the snapshots as it read them, in the checkout
    // it ran for. When the selection had to be made again for this crate (another checkout's
    // output in a shared target directory) or a selected snapshot changed since, every
    // selected index was dropped: then the snapshots themselves are read.
    let as_built = selection.selected.iter().all(|s| s.index.is_some());
    if let (Some(setup), true) = (setup, as_built) {
        let setup = SqlSetup::decode(setup)?;
        if let Some(path) = &setup.known {
            let index = snapshots::index(path, &setup.fingerprint);
            if index.is_ok() {
                return Ok(Known::of_index(
                    setup.schemas,
                    index,
                    &setup.fingerprint,
                    path.parent(),
                    build_id::build_id(),
                ));
            }
        }
    }
    // No build script (or no index): the selected snapshots and the others.
    let mut schemas = Vec::new();
    let mut parts = Vec::new();
    for snapshot in selection.selected.iter().chain(&selection.others) {
        let full = snapshots::full(snapshot);
        if let Ok(loaded) = full.as_ref() {
            schemas.push(loaded.schema.clone());
        }
        parts.push(Part::Snapshot(full));
    }
    schemas.sort();
    schemas.dedup();
    // The snapshots themselves: no fingerprint describes them all, so nothing is cached.
    Ok(Known {
        schemas,
        parts,
        cache: None,
        shape_file: None,
        shapes: OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot with some of the tables and columns below, as the build script indexes it.
    fn index_of(tables: &[(&str, &[&str])]) -> NameIndex {
        let mut text = String::from(r#"{"format":1,"environment":"p","schema":"s","tables":{"#);
        for (i, (table, columns)) in tables.iter().enumerate() {
            let columns: Vec<String> = columns.iter().map(|c| format!("\"{c}\":{{}}")).collect();
            text.push_str(&format!(
                "{}\"{table}\":{{\"columns\":{{{}}}}}",
                if i > 0 { "," } else { "" },
                columns.join(",")
            ));
        }
        text.push_str("}}");
        NameIndex::of(&Snapshot::parse(&text, "p.json", "p").unwrap())
    }

    const QUERIES: [&str; 7] = [
        "SELECT name FROM account",
        "SELECT a.name, c.email FROM salesforce.account a JOIN contact c ON c.accountid = a.sfid",
        "SELECT name FROM org.account WHERE sfid = $1",
        "SELECT email FROM account, contact",
        "UPDATE contact SET email = $1 WHERE sfid = $2",
        "SELECT x, y FROM lead",
        "INSERT INTO lead (x) VALUES ($1) RETURNING y",
    ];

    /// Contexts that differ in the names the snapshots know, the schema names and the
    /// analyser's build, one cache file for all (as one package's build directory has), each
    /// step a new compiler process: every analysis is the one made from scratch in that
    /// context, whatever the cache held; and the cache does answer.
    #[test]
    fn a_stale_key_never_serves_a_wrong_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let columns: [&[&str]; 3] = [&["name", "sfid"], &["email", "accountid", "sfid"], &["x"]];
        let all = [
            ("account", columns[0]),
            ("contact", columns[1]),
            ("lead", columns[2]),
        ];
        let name_sets: Vec<Vec<(&str, &[&str])>> = vec![
            all.to_vec(),
            all[1..].to_vec(),
            vec![
                all[0],
                ("contact", &["email", "name", "sfid"]),
                ("lead", &["x", "y"]),
            ],
            vec![],
        ];
        let schema_sets: [&[&str]; 3] = [&["salesforce"], &["org", "salesforce"], &["org"]];
        let builds = ["build-1", "build-2"];
        let mut rng = hc_schema_snapshot::testing::Rng::exact(0x853c_49e6_748f_ea9b);
        let mut next = move |n: usize| rng.below(n);
        let mut results: std::collections::HashMap<&str, std::collections::HashSet<String>> =
            Default::default();
        let mut shapes: std::collections::HashMap<&str, std::collections::HashSet<String>> =
            Default::default();
        let (mut hits, mut steps) = (0, 0);
        for _ in 0..150 {
            let names = &name_sets[next(name_sets.len())];
            let schemas: Vec<String> = schema_sets[next(3)].iter().map(|s| s.to_string()).collect();
            let build = builds[next(2)];
            let index = index_of(names);
            let fingerprint = format!("{:016x}", super::super::store::hash(index.bytes()));
            let known = Known::of_index(
                schemas.clone(),
                Arc::new(Ok(index.clone())),
                &fingerprint,
                Some(dir.path()),
                Some(build),
            );
            let union = Union::new([&index]);
            let fresh_context = Context::new(schemas.iter().cloned(), &union);
            for _ in 0..5 {
                let sql = QUERIES[next(QUERIES.len())];
                let cached = known
                    .cache
                    .as_ref()
                    .unwrap()
                    .lock()
                    .unwrap()
                    .get(sql)
                    .is_some();
                let got = format!("{:?}", known.analyze(sql));
                let fresh = format!("{:?}", analyze(sql, &fresh_context));
                assert_eq!(got, fresh, "{sql} with {names:?}, {schemas:?}, {build}");
                // hc_query!'s shapes, cached in their own file by the same rule.
                let got = format!("{:?}", known.shape(sql));
                let fresh_shape = format!("{:?}", shape(sql, &fresh_context));
                assert_eq!(
                    got, fresh_shape,
                    "shape of {sql} with {names:?}, {schemas:?}"
                );
                shapes.entry(sql).or_default().insert(fresh_shape);
                results.entry(sql).or_default().insert(fresh);
                hits += usize::from(cached);
                steps += 1;
            }
        }
        let varying = results.values().filter(|r| r.len() > 1).count();
        assert!(
            varying >= 5,
            "analyses that differ between contexts: {varying}"
        );
        assert!(hits > steps / 4 && hits < steps, "{hits} hits in {steps}");
        let varying = shapes.values().filter(|r| r.len() > 1).count();
        assert!(
            varying >= 3,
            "shapes that differ between contexts: {varying}"
        );
        assert!(dir.path().join(SHAPE_CACHE_FILE).exists());
    }

    /// Without the analyser's build id, or without a directory, nothing is cached.
    #[test]
    fn no_build_id_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let index = Arc::new(Ok(index_of(&[("account", &["name"])])));
        let known = Known::of_index(vec![], index.clone(), "f", Some(dir.path()), None);
        assert!(known.cache.is_none());
        assert!(known.analyze("SELECT name FROM account").is_ok());
        assert!(!dir.path().join(CACHE_FILE).exists());
        let known = Known::of_index(vec![], index, "f", None, Some("b"));
        assert!(known.cache.is_none());
    }
}
