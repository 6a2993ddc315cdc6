//! What the analysis needs besides the SQL: the Heroku Connect schema names and the names
//! every snapshot knows, from the build script's `HC_SCHEMA_SQL`, or, without a build script
//! (`HC_SCHEMA_SNAPSHOT`), from the selected snapshots themselves. Decided once per compiler
//! process for as long as the inputs stay the same.

use std::sync::{Arc, Mutex};

use hc_schema_snapshot::selection::{Selection, SqlSetup, SQL_VAR};
use hc_schema_snapshot::sql::{Context, Union};
use hc_schema_snapshot::{NameIndex, Schema, Snapshot};

use crate::{cache, snapshots};

/// The context's parts, owned.
pub struct Known {
    schemas: Vec<String>,
    parts: Vec<Part>,
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
}

/// The context for this compilation, or the setup problem that prevents one.
pub fn known(selection: &Arc<Result<Selection, String>>) -> Arc<Result<Known, String>> {
    /// The setup variable and the selection (kept alive, so that its address identifies it)
    /// the context was decided for.
    type Key = (Option<String>, Arc<Result<Selection, String>>);
    type Entry = (Key, Arc<Result<Known, String>>);
    static LAST: Mutex<Option<Entry>> = Mutex::new(None);
    let setup = std::env::var(SQL_VAR).ok();
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(((seen, seen_selection), known)) = last.as_ref() {
        if *seen == setup && Arc::ptr_eq(seen_selection, selection) {
            return Arc::clone(known);
        }
    }
    let known = Arc::new(decide(setup.as_deref(), selection));
    *last = Some(((setup, Arc::clone(selection)), Arc::clone(&known)));
    known
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
            let index = cache::index(path, &setup.fingerprint);
            if index.is_ok() {
                return Ok(Known {
                    schemas: setup.schemas,
                    parts: vec![Part::Index(index)],
                });
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
    Ok(Known { schemas, parts })
}
