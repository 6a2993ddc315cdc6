//! `check --format markdown`: a pull-request comment. What the code requires per environment
//! (the matrix), what fails where and what to do, the allowances with their reasons, and what
//! could not be checked.

use std::fmt::Write as _;

use crate::report::{row_label, Report, Status};

/// The comment text.
pub fn check(report: &Report<'_>) -> String {
    let mut out = String::new();
    let counts = report.counts();
    let verdict = if report.failed() || report.incomplete() {
        "❌ FAILED"
    } else {
        "✅ ok"
    };
    let _ = writeln!(out, "### hc-schema check: {verdict}\n");
    let envs = report.env_names();
    let _ = writeln!(
        out,
        "{} requirement group(s) in {} file(s) checked against {}: {} failing ({} missing, {} \
         written read-only), {} allowed, {} stale allowance(s), {} malformed annotation(s), {} \
         file(s) not parsed.\n",
        report.scan.usages.len(),
        report.scan.files,
        envs.iter()
            .map(|e| format!("**{}**", cell(e)))
            .collect::<Vec<_>>()
            .join(", "),
        counts.failing,
        counts.missing,
        counts.read_only,
        counts.allowed,
        counts.stale,
        counts.malformed,
        counts.unparsed
    );

    if !report.matrix.is_empty() {
        let _ = writeln!(out, "#### What the code requires, per environment\n");
        let _ = write!(out, "| requirement |");
        for env in &envs {
            let _ = write!(out, " {} |", cell(env));
        }
        let _ = write!(out, "\n| --- |");
        for _ in &envs {
            let _ = write!(out, " --- |");
        }
        out.push('\n');
        for (row, cells) in &report.matrix {
            let _ = write!(out, "| `{}` |", cell(&row_label(row)));
            for env in &envs {
                let shown = match cells.get(*env).map(|c| c.json()) {
                    Some("ok") => "ok".to_string(),
                    Some("allowed") => "allowed".to_string(),
                    Some(other) => format!("**{}**", other.replace('_', " ")),
                    None => "-".to_string(),
                };
                let _ = write!(out, " {shown} |");
            }
            out.push('\n');
        }
        out.push('\n');
    }

    section(
        &mut out,
        report,
        Status::Error,
        "What fails where",
        "Each must be fixed in the environment's Heroku Connect (then refresh its snapshot), or \
         allowed in the code with `missing_ok(env, table(columns), reason = \"...\")`.",
    );
    section(
        &mut out,
        report,
        Status::Note,
        "Notes",
        "Writes to mappings whose access the snapshot does not record (errors under \
         `--strict-access`).",
    );

    let allowed: Vec<_> = report
        .entries
        .iter()
        .filter(|e| e.status == Status::Allowed)
        .collect();
    if !allowed.is_empty() || !report.stale.is_empty() {
        let _ = writeln!(out, "#### Allowances\n");
        let _ = writeln!(
            out,
            "| environment | allowed | reason | site |\n| --- | --- | --- | --- |"
        );
        for entry in &allowed {
            let _ = writeln!(
                out,
                "| {} | `{}` missing | {} | `{}` |",
                cell(entry.env),
                cell(&entry.problem.finding.subject()),
                cell(entry.reason().unwrap_or_default()),
                entry.problem.site()
            );
        }
        for stale in &report.stale {
            let _ = writeln!(
                out,
                "| {} | ⚠️ stale: {} mapped, remove `{}` | {} | `{}` |",
                cell(stale.env),
                cell(&stale.columns()),
                cell(&stale.spelled()),
                cell(&stale.allowance.reason),
                stale.site()
            );
        }
        out.push('\n');
    }

    if !report.scan.errors.is_empty() {
        let _ = writeln!(out, "#### Not checked\n");
        for error in &report.scan.errors {
            let _ = writeln!(
                out,
                "- `{}:{}:{}`: {}",
                error.file,
                error.line,
                error.column,
                inline(&error.message)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "<sub>{}</sub>", inline(&report.summary()));
    out
}

fn section(out: &mut String, report: &Report<'_>, status: Status, title: &str, intro: &str) {
    let entries: Vec<_> = report
        .entries
        .iter()
        .filter(|e| e.status == status)
        .collect();
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "#### {title}\n\n{intro}\n");
    for entry in entries {
        let _ = writeln!(
            out,
            "- **{}** `{}`: {}",
            cell(entry.env),
            entry.problem.site(),
            inline(&entry.explanation.message)
        );
        for note in &entry.explanation.notes {
            let _ = writeln!(out, "  - note: {}", inline(note));
        }
        for help in &entry.explanation.helps {
            let _ = writeln!(out, "  - help: {}", inline(help));
        }
    }
    out.push('\n');
}

/// Text for a table cell: no line breaks, `|` escaped.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text on one line, with HTML-like characters escaped (GitHub renders raw HTML).
fn inline(text: &str) -> String {
    text.replace('\n', " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_are_escaped() {
        assert_eq!(super::cell("a|b\n<c>"), "a\\|b &lt;c&gt;");
    }
}
