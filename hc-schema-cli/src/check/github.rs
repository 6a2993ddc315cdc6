//! `check --format github`: GitHub Actions workflow commands (annotations at the token).

use hc_schema_snapshot::sqlcheck::Severity;

use crate::render;
use crate::report::{Report, Status};

pub fn print_github(report: &Report<'_>) {
    for e in &report.scan.errors {
        println!(
            "{}",
            render::github(&e.file, e.line, e.column, "hc-schema", &e.message)
        );
    }
    for entry in &report.sql {
        let finding = entry.finding;
        let level = match entry.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        println!(
            "{}",
            render::github_at(
                level,
                &finding.file,
                finding.line,
                finding.column,
                &format!("hc-schema ({})", finding.kind.rule_id()),
                &finding.explanation.to_string().replace("\n  = ", "\n")
            )
        );
    }
    for entry in &report.entries {
        let spot = entry.problem.spot();
        let text = entry.explanation.to_string().replace("\n  = ", "\n");
        let (level, title, text) = match entry.status {
            Status::Error => ("error", "hc-schema".to_string(), text),
            Status::Note => ("notice", "hc-schema (note)".to_string(), text),
            Status::Allowed => (
                "notice",
                "hc-schema (allowed)".to_string(),
                format!(
                    "{}\nallowed by missing_ok({}, ...): \"{}\"",
                    entry.explanation.message,
                    entry.env,
                    entry.reason().unwrap_or_default()
                ),
            ),
        };
        println!(
            "{}",
            render::github_at(
                level,
                &entry.problem.usage.file,
                spot.line,
                spot.column,
                &title,
                &text
            )
        );
    }
    for stale in &report.stale {
        let site = stale.site();
        println!(
            "{}",
            render::github_at(
                "warning",
                &site.file,
                site.line,
                site.column,
                "hc-schema (stale allowance)",
                &stale.message()
            )
        );
    }
    for length in &report.lengths {
        println!(
            "{}",
            render::github_at(
                "warning",
                &length.site.file,
                length.site.line,
                length.site.column,
                "hc-schema (column length differs)",
                &length.message()
            )
        );
    }
    println!("{}", report.summary());
}
