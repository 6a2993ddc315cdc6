//! Turn the annotation and the selected snapshots into spanned errors.

use std::sync::Arc;

use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::selection::{Reason, Selection, SnapshotRef};
use hc_schema_snapshot::syntax::{plain_groups, Annotation};
use hc_schema_snapshot::{check_columns, evaluate, Finding, Snapshot};
use proc_macro2::Span;

use crate::snapshots;

/// Every error for this annotation: grammar-level validation first, then one error per missing
/// table or column per environment of `selection`.
pub fn errors(annotation: &Annotation, selection: &Result<Selection, String>) -> Vec<syn::Error> {
    let mut errors: Vec<syn::Error> = annotation
        .validate()
        .into_iter()
        .map(|err| syn::Error::new(err.span, err.message))
        .collect();
    if !errors.is_empty() {
        return errors;
    }
    let selection = match selection {
        Ok(selection) => selection,
        Err(message) => return once(annotation.span, message.clone()),
    };
    if selection.selected.is_empty() {
        return once(
            annotation.span,
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
    let allowances = annotation.allowances();
    let strict_access = selection.strict_access;
    // Failures are explained with the full snapshots of every environment, read only then.
    type Parsed = Arc<Result<Snapshot, String>>;
    let mut known: Option<Vec<(&SnapshotRef, Parsed)>> = None;
    for selected in &selection.selected {
        let checked = snapshots::checked(selected, &selection.fingerprint);
        let schema = match checked.schema() {
            Ok(schema) => schema,
            Err(message) => {
                errors.extend(once(annotation.span, message.to_string()));
                continue;
            }
        };
        for group in &annotation.groups {
            let requirement = group.requirement();
            let evaluation = evaluate(&requirement, &allowances, &selected.env, schema);
            let findings: Vec<_> = evaluation
                .findings
                .into_iter()
                .filter(|(finding, allowed)| allowed.is_none() && finding.fails(strict_access))
                .map(|(finding, _)| finding)
                .collect();
            if findings.is_empty() {
                continue;
            }
            let known = known.get_or_insert_with(|| {
                let all = selection.selected.iter().chain(&selection.others);
                all.map(|r| (r, snapshots::full(r))).collect()
            });
            let failing = match known.iter().find(|(r, _)| std::ptr::eq(*r, selected)) {
                Some((r, parsed)) => match parsed.as_ref() {
                    Ok(parsed) => target(r, parsed, selection),
                    Err(message) => {
                        // The file changed after the build script indexed it.
                        errors.extend(once(annotation.span, message.clone()));
                        break;
                    }
                },
                None => break,
            };
            let targets: Vec<Target<'_>> = known
                .iter()
                .filter_map(|(r, s)| s.as_ref().as_ref().ok().map(|s| target(r, s, selection)))
                .collect();
            for finding in findings {
                let text = explain(&finding, &failing, &targets).to_string();
                let span = match finding {
                    Finding::ReadOnly { .. } | Finding::AccessUnknown { .. } => {
                        group.write.unwrap_or(group.table.span)
                    }
                    _ => group.span_of(finding.column()),
                };
                errors.push(syn::Error::new(span, text));
            }
        }
    }
    errors
}

/// Whether the annotation whose arguments read `text` is in the plain form
/// ([`plain_groups`]) and holds in every selected snapshot. `false` means "look closer":
/// [`errors`] then parses the tokens and explains any problem at its span.
pub fn plainly_satisfied(mut text: String, selection: &Result<Selection, String>) -> bool {
    let (Ok(selection), Some(groups)) = (selection, plain_groups(&mut text)) else {
        return false;
    };
    if selection.selected.is_empty() {
        return false;
    }
    for selected in &selection.selected {
        let checked = snapshots::checked(selected, &selection.fingerprint);
        let Ok(schema) = checked.schema() else {
            return false;
        };
        for group in &groups {
            if !check_columns(group.table, &group.columns, schema).is_empty() {
                return false;
            }
        }
    }
    true
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

/// With the registry on, the crate must depend on hc-schema-snapshot (the registry lives
/// there): one error for the crate, naming the manifest line to add.
pub fn missing_registry_dependency(annotation: &Annotation) -> Vec<syn::Error> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map(|dir| format!("{dir}/Cargo.toml"))
        .unwrap_or_else(|_| "Cargo.toml".to_string());
    let version = env!("CARGO_PKG_VERSION");
    once(
        annotation.span,
        format!(
            "the registry is on (`[registry] enabled = true` in hc-schema.toml), so this crate's \
             annotations are compiled into the binary through hc-schema-snapshot, but {manifest} \
             does not list it under [dependencies]: add `hc-schema-snapshot = \"{version}\"` \
             there (or turn the registry off for this crate)"
        ),
    )
}

/// A setup problem, reported at the first annotation of the compilation only.
fn once(span: Span, message: String) -> Vec<syn::Error> {
    if snapshots::first_report(&message) {
        vec![syn::Error::new(span, message)]
    } else {
        Vec::new()
    }
}
