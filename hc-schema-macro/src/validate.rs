//! Turn the annotation and the selected snapshots into spanned errors.

use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::syntax::{plain_groups, Annotation};
use hc_schema_snapshot::{check_columns, Finding};

use crate::judge::{self, once};
use crate::snapshots;

/// Every error for this annotation: grammar-level validation first, then one error per missing
/// table or column per environment of `selection`, per typed column whose type does not read
/// the environment's, and per untyped column whose type drifts between the snapshots (worded
/// and decided by [`judge`]).
pub fn errors(annotation: &Annotation, selection: &Result<Selection, String>) -> Vec<syn::Error> {
    let errors: Vec<syn::Error> = annotation
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
    if let Some(message) = judge::no_snapshot(selection) {
        return once(annotation.span, message);
    }
    let allowances = annotation.allowances();
    let checked = judge::checked(selection);
    let mut judge = judge::judge(selection, &checked);
    let mut judged = vec![(None, judge.setup())];
    let drifting = judge::drifting(selection);
    let custom = crate::sql::query::custom_types();
    for group in &annotation.groups {
        let mut judgements = judge.judge(&group.requirement(), &allowances);
        judgements.extend(judge.judge_types(
            &group.table.value,
            &group.typed(),
            selection.strict_types,
            &custom,
        ));
        let untyped = group
            .columns
            .iter()
            .zip(&group.types)
            .filter(|(_, ty)| ty.is_none());
        for (column, _) in untyped {
            if drifting.contains(&(group.table.value.clone(), column.value.clone())) {
                judgements.extend(judge.judge_drift(&group.table.value, &column.value));
            }
        }
        judged.push((Some(group), judgements));
    }
    judge::errors(
        selection,
        judged,
        annotation.span,
        |group, finding| match (group, finding) {
            (Some(group), Finding::ReadOnly { .. } | Finding::AccessUnknown { .. }) => {
                group.write.unwrap_or(group.table.span)
            }
            (
                Some(group),
                Finding::TypeMismatch { column, .. }
                | Finding::TypeUnknown { column, .. }
                | Finding::UncheckedType { column, .. },
            ) => group.type_span_of(column),
            (Some(group), _) => group.span_of(finding.column()),
            (None, _) => annotation.span,
        },
        |_, _| None,
    )
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
    // A column whose type drifts between environments, read without a type: an error.
    let drifting = judge::drifting(selection);
    if !drifting.is_empty() {
        for group in &groups {
            for column in &group.columns {
                if drifting.contains(&(group.table.to_string(), column.to_string())) {
                    return false;
                }
            }
        }
    }
    for selected in &selection.selected {
        let checked = snapshots::checked(selected, &selection.fingerprint, selection.reason);
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

/// With the registry on, the crate must depend on hc-schema-snapshot (the registry lives
/// there): one error for the crate, naming the manifest line to add.
pub fn missing_registry_dependency(annotation: &Annotation) -> Vec<syn::Error> {
    use hc_schema_snapshot::paths::{display_path, workspace_root};
    use hc_schema_snapshot::selection::workspace_snapshot_dependency;
    let version = env!("CARGO_PKG_VERSION");
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from) else {
        return missing_dependency_error(
            annotation,
            "Cargo.toml",
            &format!("hc-schema-snapshot = \"{version}\""),
            "",
        );
    };
    // Shown relative to the workspace root, as every other path of a message.
    let root = workspace_root(&dir);
    let manifest = display_path(&dir.join("Cargo.toml"), &root);
    // Spelled like the crate's own hc-schema-macro dependency (a path dependency gets a path);
    // an inherited entry needs the workspace's entry too, unless it has one already.
    let (line, root_line) = workspace_snapshot_dependency(&dir, &root, version);
    let also = root_line
        .map(|root_line| {
            format!(", and `{root_line}` under [workspace.dependencies] of Cargo.toml")
        })
        .unwrap_or_default();
    missing_dependency_error(annotation, &manifest, &line, &also)
}

fn missing_dependency_error(
    annotation: &Annotation,
    manifest: &str,
    line: &str,
    also: &str,
) -> Vec<syn::Error> {
    once(
        annotation.span,
        format!(
            "the registry is on (`[registry] enabled = true` in hc-schema.toml), so this crate's \
             annotations are compiled into the binary through hc-schema-snapshot, but {manifest} \
             does not list it under [dependencies]: add `{line}` there{also} (or turn the \
             registry off for this crate)"
        ),
    )
}
