//! The one path of both macro forms (`#[hc_requires]` and `hc_sql!`) from requirements to
//! errors: the selected snapshots, in their cheapest form (the build script's name index, else
//! the JSON), judged by the library's [`Judge`], which decides each finding's status and words
//! it. The two forms differ only in where an error points.

use hc_schema_snapshot::diagnostic::Explanation;
use hc_schema_snapshot::selection::{CheckedSchema, Reason, Selection, CHECKED_VAR};
use hc_schema_snapshot::verdict::{Judge, Judgement, Loaded, Selected};
use hc_schema_snapshot::Finding;
use proc_macro2::Span;

use std::collections::HashSet;
use std::sync::Arc;

use hc_schema_snapshot::build::check_environment;
use hc_schema_snapshot::typecheck;
use hc_schema_snapshot::types_index::TypesIndex;

use crate::cache::Cache;
use crate::snapshots::{self, Checked};

/// "no snapshot to check against: ...", when the selection selected nothing.
pub fn no_snapshot(selection: &Selection) -> Option<String> {
    selection.selected.is_empty().then(|| {
        format!(
            "no snapshot to check against: {} has no <env>.json file (selected by {}); \
             create one with `hc-schema refresh <env>` and commit it",
            if selection.snapshot_dir.is_empty() {
                "the snapshot directory"
            } else {
                &selection.snapshot_dir
            },
            selection.reason.describe()
        )
    })
}

/// The cheapest readable form of each selected snapshot, in selection order.
pub fn checked(selection: &Selection) -> Vec<Checked> {
    selection
        .selected
        .iter()
        .map(|selected| snapshots::checked(selected, &selection.fingerprint, selection.reason))
        .collect()
}

/// A judge of `selection`'s environments, checking against `checked` (from [`checked`]), that
/// reads every snapshot in full at its first failure.
pub fn judge<'s>(
    selection: &'s Selection,
    checked: &'s [Checked],
) -> Judge<'s, impl FnOnce() -> Vec<Loaded> + 's> {
    let selected = selection
        .selected
        .iter()
        .zip(checked)
        .map(|(snapshot, checked)| Selected {
            env: &snapshot.env,
            schema: checked.schema().map_err(str::to_string),
            // The parsed snapshot says its schema; with an index, `hc_schemas` does.
            hc_schema: match checked {
                Checked::Snapshot(parsed) => {
                    parsed.as_ref().as_ref().ok().map(|s| s.schema.clone())
                }
                Checked::Index(_) => None,
            },
        })
        .collect();
    let load = move || {
        let all = selection.selected.iter().chain(&selection.others);
        all.map(|snapshot| Loaded {
            env: snapshot.env.clone(),
            display: snapshot.display.clone(),
            snapshot: snapshots::full_of(snapshot, selection.reason),
        })
        .collect()
    };
    Judge::new(
        selected,
        selection.strict_access,
        selection.reason == Reason::SnapshotVar,
        load,
    )
}

/// The Heroku Connect schema of `env` as the build script read it from the snapshot it
/// indexed (`HC_SCHEMA_CHECKED`, parsed once per compiler process and value): what a
/// qualified table name must say ([`Judge::with_hc_schemas`]). `None` without it: the judge
/// then reads the snapshot.
pub fn hc_schema(env: &str) -> Option<String> {
    static CHECKED: Cache<Vec<CheckedSchema>> = Cache::new();
    let text = std::env::var(CHECKED_VAR).ok()?;
    let list = CHECKED.get(&text, || (CheckedSchema::of_this_build(), Vec::new()));
    list.iter()
        .find(|c| c.selected && c.env == env)
        .map(|c| c.schema.clone())
}

/// The errors of `uses` (each judged by `judge` into its judgements), environment by
/// environment in selection order, then in the order of `uses`: a failing finding at
/// `span_of(use, finding)` with `note_of`'s note first; a setup problem (a snapshot that cannot
/// be read) once per compilation, at `fallback`.
pub fn errors<U>(
    selection: &Selection,
    judged: Vec<(U, Vec<Judgement>)>,
    fallback: Span,
    span_of: impl Fn(&U, &Finding) -> Span,
    note_of: impl Fn(&U, &Finding) -> Option<String>,
) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    for snapshot in &selection.selected {
        for (used, judgements) in &judged {
            for judgement in judgements {
                if judgement.env != snapshot.env || !judgement.status.fails() {
                    continue;
                }
                // A failing judgement is always explained; never drop one that is not.
                let explanation = judgement
                    .explanation
                    .clone()
                    .unwrap_or_else(|| Explanation {
                        message: format!(
                            "{} fails in {}",
                            judgement
                                .finding
                                .as_ref()
                                .map_or(String::new(), Finding::subject),
                            judgement.env
                        ),
                        notes: Vec::new(),
                        helps: Vec::new(),
                    });
                match &judgement.finding {
                    None => errors.extend(once(fallback, explanation.to_string())),
                    Some(finding) => {
                        let mut explanation = explanation;
                        if let Some(note) = note_of(used, finding) {
                            explanation.notes.insert(0, note);
                        }
                        errors.push(syn::Error::new(
                            span_of(used, finding),
                            explanation.to_string(),
                        ));
                    }
                }
            }
        }
    }
    errors
}

/// A setup problem, reported at the first macro call of the compilation only.
pub fn once(span: Span, message: String) -> Vec<syn::Error> {
    if snapshots::first_report(&message) {
        vec![syn::Error::new(span, message)]
    } else {
        Vec::new()
    }
}

/// Every `(table, column)` whose type drifts between the snapshots of the directory (selected
/// or not: [`typecheck::drifting`]), what a use without a Rust type asks. Empty, reading
/// nothing, when the directory holds one snapshot (nothing to drift from); else from the build
/// script's types index ([`snapshots::types_index`]) when it is fresh, or else every snapshot
/// read in full, once per compiler process (kept while the files do not change). When a
/// snapshot cannot be read, drift is undecided: every column [`Drifting::contains`], so that
/// each use asks [`Judge::judge_drift`](hc_schema_snapshot::verdict::Judge::judge_drift),
/// which fails naming the file (a selected one is a setup problem of the judge).
pub fn drifting(selection: &Selection) -> Arc<Drifting> {
    static DRIFTING: Cache<Drifting> = Cache::new();
    let all: Vec<_> = selection.selected.iter().chain(&selection.others).collect();
    if all.len() < 2 {
        return Arc::new(Drifting::default());
    }
    let key: Vec<String> = all
        .iter()
        .map(|s| format!("{}\t{}\t{}", s.env, s.display, s.path.display()))
        .collect();
    // The build script's types index, when fresh: nothing to parse.
    if let Some(index) = snapshots::types_index(selection) {
        let key = format!("{}\nindex {}", key.join("\n"), index.fingerprint());
        return DRIFTING.get(&key, || (from_index(selection, &index), Vec::new()));
    }
    DRIFTING.get(&key.join("\n"), || {
        let loaded: Vec<_> = all
            .iter()
            .map(|s| (s, snapshots::full_of(s, selection.reason)))
            .collect();
        let known: Vec<typecheck::Known<'_>> = loaded
            .iter()
            .filter_map(|(s, full)| {
                Some((
                    s.env.as_str(),
                    s.display.as_str(),
                    full.as_ref().as_ref().ok()?,
                ))
            })
            .collect();
        let drifting = Drifting {
            columns: typecheck::drifting(&known),
            undecided: known.len() < loaded.len(),
        };
        (drifting, all.iter().map(|s| s.path.clone()).collect())
    })
}

/// [`drifting`] from the build script's types index: its drifting columns, undecided when a
/// snapshot could not be read or says it is another environment's (as [`snapshots::full_of`]
/// refuses it), so that the judge reads the snapshots and fails naming the file, as without
/// the index.
fn from_index(selection: &Selection, index: &TypesIndex) -> Drifting {
    Drifting {
        columns: index.drifting().iter().cloned().collect(),
        undecided: !index_decides(selection, index),
    }
}

/// Whether the types index answers for every snapshot of the directory: each was read and
/// says it is its own environment's (as [`snapshots::full_of`] requires). Else the caller reads
/// the snapshots, and fails naming the file.
pub fn index_decides(selection: &Selection, index: &TypesIndex) -> bool {
    let mut all: Vec<_> = selection.selected.iter().chain(&selection.others).collect();
    all.sort_by(|a, b| a.env.cmp(&b.env));
    all.iter().zip(index.envs()).all(|(snapshot, env)| {
        env.environment.as_deref().is_some_and(|environment| {
            check_environment(selection.reason, snapshot, environment).is_ok()
        })
    })
}

/// The columns whose type drifts between the snapshots of the directory.
#[derive(Debug, Default)]
pub struct Drifting {
    /// `(table, column)` that drift.
    columns: HashSet<(String, String)>,
    /// A snapshot could not be read: any column may drift.
    undecided: bool,
}

impl Drifting {
    /// Whether `table.column` may drift (the judge decides and words it).
    pub fn contains(&self, key: &(String, String)) -> bool {
        self.undecided || self.columns.contains(key)
    }

    /// Whether no column can drift.
    pub fn is_empty(&self) -> bool {
        !self.undecided && self.columns.is_empty()
    }
}
