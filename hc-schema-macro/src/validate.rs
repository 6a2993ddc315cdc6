//! Turn the annotation and the selected snapshots into spanned errors.

use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::syntax::Annotation;
use hc_schema_snapshot::{check, Snapshot};
use proc_macro2::Span;

use crate::snapshots::{self, Loaded};

/// Every error for this annotation: grammar-level validation first, then one error per missing
/// table or column per selected environment.
pub fn errors(annotation: &Annotation) -> Vec<syn::Error> {
    let mut errors = annotation.validate();
    if !errors.is_empty() {
        return errors;
    }
    let selection = match snapshots::selection() {
        Ok(selection) => selection,
        Err(message) => return once(annotation.span, message),
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
    let selected = snapshots::load(&selection.selected);
    let mut usable: Vec<(&Loaded, &Snapshot)> = Vec::new();
    for loaded in &selected {
        match loaded.snapshot.as_ref() {
            Ok(snapshot) => usable.push((loaded, snapshot)),
            Err(message) => errors.extend(once(annotation.span, message.clone())),
        }
    }
    let mut others: Option<Vec<Loaded>> = None;
    for group in &annotation.groups {
        let requirement = group.requirement();
        for (loaded, snapshot) in &usable {
            let findings = check(&requirement, snapshot);
            if findings.is_empty() {
                continue;
            }
            // Other environments are only read to explain a failure.
            let others = others.get_or_insert_with(|| snapshots::load(&selection.others));
            let known: Vec<Target<'_>> = usable
                .iter()
                .map(|(l, s)| target(l, s))
                .chain(others.iter().filter_map(|l| match l.snapshot.as_ref() {
                    Ok(s) => Some(target(l, s)),
                    Err(_) => None,
                }))
                .collect();
            for finding in findings {
                let text = explain(&finding, &target(loaded, snapshot), &known).to_string();
                errors.push(syn::Error::new(group.span_of(finding.column()), text));
            }
        }
    }
    errors
}

fn target<'a>(loaded: &'a Loaded, snapshot: &'a Snapshot) -> Target<'a> {
    Target {
        env: &loaded.env,
        display: &loaded.display,
        snapshot,
    }
}

/// A setup problem, reported at the first annotation of the compilation only.
fn once(span: Span, message: String) -> Vec<syn::Error> {
    if snapshots::first_report(&message) {
        vec![syn::Error::new(span, message)]
    } else {
        Vec::new()
    }
}
