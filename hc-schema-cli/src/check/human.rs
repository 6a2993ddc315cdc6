//! `check`'s human output: the findings, the requirement matrix and the SQL findings.

use std::collections::BTreeMap;

use hc_schema_snapshot::sqlcheck::{Severity, SqlFindingKind};

use crate::render;
use crate::report::{row_label, Report, Status, STALE_NOTE};

pub fn print_human(report: &Report<'_>, always_matrix: bool) {
    for e in &report.scan.errors {
        print!(
            "{}",
            render::diagnostic(report.base, &e.file, e.line, e.column, &e.message, &[], &[])
        );
        println!();
    }
    print_sql_human(report, Severity::Error);
    for (status, level) in [
        (Status::Error, "error"),
        (Status::Note, "note"),
        (Status::Allowed, "allowed"),
    ] {
        for entry in report.entries.iter().filter(|e| e.status == status) {
            let spot = entry.problem.spot();
            let mut notes = entry.explanation.notes.clone();
            let mut helps = entry.explanation.helps.clone();
            match status {
                Status::Allowed => {
                    notes.push(format!(
                        "allowed by missing_ok({}, ...): \"{}\"",
                        entry.env,
                        entry.reason().unwrap_or_default()
                    ));
                    helps.clear();
                }
                Status::Note => notes.push(
                    if matches!(
                        entry.problem.finding,
                        hc_schema_snapshot::Finding::UncheckedType { .. }
                    ) {
                        "a note, not a failure: the type is listed under [types] custom in \
                         hc-schema.toml, so it is not checked"
                    } else if matches!(
                        entry.problem.finding,
                        hc_schema_snapshot::Finding::TypeUnknown { .. }
                    ) {
                        "a note, not a failure: set strict_types = true under [check] to make it one"
                    } else {
                        "a note, not a failure: pass --strict-access (or set strict_access = true \
                         under [check]) to make it one"
                    }
                    .to_string(),
                ),
                Status::Error => {}
            }
            print!(
                "{}",
                render::diagnostic_at(
                    level,
                    report.base,
                    &entry.problem.usage.file,
                    spot.line,
                    spot.column,
                    &entry.explanation.message,
                    &notes,
                    &helps
                )
            );
            println!();
        }
    }
    print_sql_human(report, Severity::Warning);
    print_sql_human(report, Severity::Note);
    for stale in &report.stale {
        let site = stale.site();
        print!(
            "{}",
            render::diagnostic_at(
                "warning",
                report.base,
                &site.file,
                site.line,
                site.column,
                &stale.message(),
                &[STALE_NOTE.to_string()],
                &[]
            )
        );
        println!();
    }
    for length in &report.lengths {
        print!(
            "{}",
            render::diagnostic_at(
                "warning",
                report.base,
                &length.site.file,
                length.site.line,
                length.site.column,
                &length.message(),
                &[crate::report::LENGTH_NOTE.to_string()],
                &[]
            )
        );
        println!();
    }
    if !report.matrix.is_empty() && (report.failed() || always_matrix) {
        let envs = report.env_names();
        let labels: BTreeMap<String, _> = report
            .matrix
            .iter()
            .map(|(row, cells)| (row_label(row), cells))
            .collect();
        let width = labels.keys().map(String::len).max().unwrap_or(0).max(11);
        let mut header = format!("{:width$}", "requirement");
        for env in &envs {
            header.push_str(&format!("  {env:>9}"));
        }
        println!("{}", header.trim_end());
        for (label, row) in &labels {
            let mut line = format!("{label:width$}");
            for env in &envs {
                let cell = row.get(*env).map_or("-", |c| c.human());
                line.push_str(&format!("  {cell:>9}"));
            }
            println!("{}", line.trim_end());
        }
        println!();
    }
    if let Some(message) = report.incomplete_message() {
        println!("error: {message}");
    }
    println!("{}", report.summary());
}

/// The SQL findings of one severity, rustc-style, with the rule id and why a warning is one.
fn print_sql_human(report: &Report<'_>, severity: Severity) {
    for entry in report.sql_of(severity) {
        let finding = entry.finding;
        let mut notes = finding.explanation.notes.clone();
        let rule = finding.kind.rule_id();
        match (finding.kind, severity) {
            (SqlFindingKind::Undeclared | SqlFindingKind::Unguarded, Severity::Error) => notes
                .push(format!(
                    "`{rule}` is an error by default; `{rule} = \"warn\"` under [check] in \
                     hc-schema.toml makes it a warning while a team adopts hc-schema"
                )),
            (SqlFindingKind::Skipped, Severity::Error) => notes.push(
                "`skipped = \"error\"` under [check] in hc-schema.toml makes SQL the check \
                 could not analyse fail; \"warn\" (the default) lists it as a note"
                    .to_string(),
            ),
            (SqlFindingKind::Star, Severity::Warning) => notes.push(
                "a warning by default: `star = \"error\"` under [check] in hc-schema.toml \
                 makes it fail, `star = \"allow\"` silences it"
                    .to_string(),
            ),
            (_, Severity::Warning) => notes.push(format!(
                "a warning, not a failure: `{rule} = \"warn\"` under [check] in hc-schema.toml"
            )),
            _ => {}
        }
        print!(
            "{}",
            render::diagnostic_at(
                severity.as_str(),
                report.base,
                &finding.file,
                finding.line,
                finding.column,
                &finding.explanation.message,
                &notes,
                &finding.explanation.helps
            )
        );
        println!();
    }
}
