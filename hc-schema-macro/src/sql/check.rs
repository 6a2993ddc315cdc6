//! Messages: analysis errors with their place in the SQL, and the findings of THE check
//! (`hc_schema_snapshot::evaluate`) explained as `#[hc_requires]` explains them.

use std::sync::Arc;

use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::selection::{Reason, Selection, SnapshotRef};
use hc_schema_snapshot::sql::{excerpt, line_column, Analysis, SqlError};
use hc_schema_snapshot::{evaluate, Finding, Snapshot};
use proc_macro2::Span;

use super::literal::SqlLiteral;
use crate::snapshots;

/// Where byte range `at` of the SQL is, as a note: line and column within the SQL (and in
/// the file, when the literal has no escapes), and the line with a caret (a compile error
/// cannot point inside a string literal).
fn place(literal: &SqlLiteral, at: std::ops::Range<usize>) -> String {
    let sql = &literal.value;
    let (line, column) = line_column(sql, at.start);
    let in_file = match literal.exact(at.start) {
        Some((file_line, file_column)) => {
            format!(" ({}:{file_line}:{file_column})", literal.file())
        }
        None => String::new(),
    };
    format!(
        "at line {line}, column {column} of the SQL{in_file}:\n{}",
        excerpt(sql, at)
    )
}

/// An analysis error at the literal.
pub fn analysis_error(error: &SqlError, literal: &SqlLiteral) -> syn::Error {
    let message = format!(
        "{error}\n  = note: {}\n  = help: {}",
        place(literal, error.at.clone()),
        error.help()
    );
    syn::Error::new(literal.span, message)
}

/// The setup problems of the selection (no snapshot, one that does not load), reported once
/// per compilation; empty when every selected snapshot can be checked against.
pub fn setup_errors(selection: &Result<Selection, String>, span: Span) -> Vec<syn::Error> {
    let selection = match selection {
        Ok(selection) => selection,
        Err(message) => return once(span, message.replace("#[hc_requires]", "hc_sql!")),
    };
    if selection.selected.is_empty() {
        return once(
            span,
            format!(
                "no snapshot to check against: {} has no <env>.json file (selected by {}); \
                 create one with `hc-schema refresh <env>` and commit it",
                if selection.snapshot_dir.is_empty() {
                    "the snapshot directory"
                } else {
                    &selection.snapshot_dir
                },
                selection.reason.describe()
            ),
        );
    }
    let mut errors = Vec::new();
    for selected in &selection.selected {
        let checked = snapshots::checked(selected, &selection.fingerprint);
        if let Err(message) = checked.schema() {
            errors.extend(once(span, message.to_string()));
        }
    }
    errors
}

/// One error per failing finding per selected environment, worded by
/// `hc_schema_snapshot::diagnostic::explain`, with where the name is in the SQL.
pub fn findings(
    analysis: &Analysis,
    literal: &SqlLiteral,
    selection: &Result<Selection, String>,
) -> Vec<syn::Error> {
    let Ok(selection) = selection else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    type Parsed = Arc<Result<Snapshot, String>>;
    let mut known: Option<Vec<(&SnapshotRef, Parsed)>> = None;
    for selected in &selection.selected {
        let checked = snapshots::checked(selected, &selection.fingerprint);
        let Ok(schema) = checked.schema() else {
            continue; // reported by `setup_errors`
        };
        for (table, requirement) in analysis.tables.iter().zip(analysis.requirements()) {
            let evaluation = evaluate(&requirement, &[], &selected.env, schema);
            let failing: Vec<Finding> = evaluation
                .findings
                .into_iter()
                .filter(|(finding, allowed)| {
                    allowed.is_none() && finding.fails(selection.strict_access)
                })
                .map(|(finding, _)| finding)
                .collect();
            if failing.is_empty() {
                continue;
            }
            let known = known.get_or_insert_with(|| {
                let all = selection.selected.iter().chain(&selection.others);
                all.map(|r| (r, snapshots::full(r))).collect()
            });
            let Some(Ok(parsed)) = known
                .iter()
                .find(|(r, _)| std::ptr::eq(*r, selected))
                .map(|(_, parsed)| parsed.as_ref())
            else {
                continue;
            };
            let failing_target = target(selected, parsed, selection);
            let targets: Vec<Target<'_>> = known
                .iter()
                .filter_map(|(r, s)| s.as_ref().as_ref().ok().map(|s| target(r, s, selection)))
                .collect();
            for finding in failing {
                let at = finding
                    .column()
                    .and_then(|column| table.columns.iter().find(|c| c.column == column))
                    .map_or(table.at.clone(), |c| c.at.clone());
                let mut explanation = explain(&finding, &failing_target, &targets);
                explanation.notes.insert(0, place(literal, at));
                errors.push(syn::Error::new(literal.span, explanation.to_string()));
            }
        }
    }
    errors
}

fn target<'a>(
    snapshot: &'a SnapshotRef,
    parsed: &'a Snapshot,
    selection: &Selection,
) -> Target<'a> {
    Target {
        env: &snapshot.env,
        display: &snapshot.display,
        snapshot: parsed,
        given_file: selection.reason == Reason::SnapshotVar,
    }
}

/// A setup problem, reported at the first macro call of the compilation only.
pub fn once(span: Span, message: String) -> Vec<syn::Error> {
    if snapshots::first_report(&message) {
        vec![syn::Error::new(span, message)]
    } else {
        Vec::new()
    }
}
