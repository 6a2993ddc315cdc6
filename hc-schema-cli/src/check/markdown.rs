//! `check --format markdown`: a pull-request comment. What the code requires per environment
//! (the matrix), what fails where and what to do, the allowances with their reasons, and what
//! could not be checked.

use std::fmt::Write as _;

use hc_schema_snapshot::text::count;
use hc_schema_snapshot::Finding;

use crate::report::{row_label, Report, Status};

/// The comment text.
pub fn check(report: &Report<'_>) -> String {
    let mut out = String::new();
    let counts = report.counts();
    let verdict = if report.failed() || report.incomplete() {
        "❌ FAILED".to_string()
    } else if counts.not_checked > 0 {
        format!(
            "⚠️ ok with {} not checked",
            count(counts.not_checked, "SQL string")
        )
    } else {
        "✅ ok".to_string()
    };
    let _ = writeln!(out, "### hc-schema check: {verdict}\n");
    let envs = report.env_names();
    let _ = writeln!(
        out,
        "{} in {} checked against {}: {} failing ({} missing, {} \
         written read-only), {} allowed, {}, {}, {}, {} undeclared, {} unguarded, {} \
         skipped{}{}.\n",
        count(report.usages.len(), "requirement group"),
        count(report.scan.files, "file"),
        envs.iter()
            .map(|e| format!("**{}**", cell(e)))
            .collect::<Vec<_>>()
            .join(", "),
        counts.failing,
        counts.missing,
        counts.read_only,
        counts.allowed,
        count(counts.stale, "stale allowance"),
        count(counts.malformed, "malformed annotation"),
        count(counts.sql_errors, "hc_sql! error"),
        counts.undeclared,
        counts.unguarded,
        count(counts.skipped, "SQL string"),
        if counts.features_not_forwarded > 0 {
            format!(
                ", {} not forwarded",
                count(counts.features_not_forwarded, "`<env>-snapshot` feature")
            )
        } else {
            String::new()
        },
        if report.incomplete() {
            format!(
                "; **the scan is incomplete**: {} not read",
                count(counts.unparsed, "place")
            )
        } else {
            String::new()
        }
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

    let intro = errors_intro(report);
    section(&mut out, report, Status::Error, "What fails where", &intro);
    section(
        &mut out,
        report,
        Status::Note,
        "Notes",
        "Writes to mappings whose access the snapshot does not record (errors under \
         `--strict-access`).",
    );

    if !report.sql.is_empty() {
        let _ = writeln!(
            out,
            "#### SQL strings and hc_sql! queries\n\nSQL that uses Heroku Connect columns no \
             annotation declares (`undeclared`), SQL that nothing checks (`unguarded`), \
             hc_sql! queries whose SQL cannot be checked (`sql_error`), SQL that could not be \
             analysed (`skipped_sql`, notes){}.\n",
            if report.counts().star > 0 {
                ", `SELECT *` over Heroku Connect tables (`star`)"
            } else {
                ""
            }
        );
        for entry in &report.sql {
            let finding = entry.finding;
            let _ = writeln!(
                out,
                "- **{}** `{}` `{}`: {}",
                entry.severity.as_str(),
                finding.kind.rule_id(),
                finding.site(),
                inline(&finding.explanation.message)
            );
            for note in &finding.explanation.notes {
                let _ = writeln!(out, "  - note: {}", inline(first_line(note)));
            }
            for help in &finding.explanation.helps {
                let _ = writeln!(out, "  - help: {}", inline(help));
            }
        }
        out.push('\n');
    }

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

    if !report.lengths.is_empty() {
        let _ = writeln!(out, "#### Written columns of different lengths\n");
        for length in &report.lengths {
            let _ = writeln!(out, "- ⚠️ `{}`: {}", length.site, cell(&length.message()));
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

/// The introduction of "What fails where": `missing_ok` is offered only for what an
/// allowance can cover (a missing table or column), never for a write to a read-only mapping.
fn errors_intro(report: &Report<'_>) -> String {
    let errors = || report.entries.iter().filter(|e| e.status == Status::Error);
    let missing = errors().any(|e| {
        matches!(
            e.problem.finding,
            Finding::MissingTable { .. } | Finding::MissingColumn { .. }
        )
    });
    let writes = errors().any(|e| {
        matches!(
            e.problem.finding,
            Finding::ReadOnly { .. } | Finding::AccessUnknown { .. }
        )
    });
    let schema = errors().any(|e| matches!(e.problem.finding, Finding::WrongSchema { .. }));
    let intro = mapping_intro(missing, writes);
    if !schema {
        return intro;
    }
    let fix = "A table named with a schema that is not the environment's Heroku Connect \
               schema must be fixed in the SQL (see each help).";
    if missing || writes {
        format!("{intro} {fix}")
    } else {
        fix.to_string()
    }
}

/// The introduction for findings about the mapping: missing tables or columns, writes.
fn mapping_intro(missing: bool, writes: bool) -> String {
    let allow = "allowed in the code with `missing_ok(env, table(columns), reason = \"...\")`";
    match (missing, writes) {
        (true, false) => format!(
            "Each must be fixed in the environment's Heroku Connect (then refresh its \
             snapshot), or {allow}."
        ),
        (true, true) => format!(
            "Each must be fixed in the environment's Heroku Connect (then refresh its \
             snapshot). A missing table or column can instead be {allow}; a write to a \
             read-only mapping cannot be allowed: make the mapping read-write."
        ),
        _ => "Each must be fixed in the environment's Heroku Connect (then refresh its \
              snapshot): a write to a read-only mapping cannot be allowed in the code, make \
              the mapping read-write."
            .to_string(),
    }
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
            let _ = writeln!(out, "  - note: {}", inline(first_line(note)));
        }
        for help in &entry.explanation.helps {
            let _ = writeln!(out, "  - help: {}", inline(help));
        }
    }
    out.push('\n');
}

/// The first line of a note (a place in the SQL is followed by the SQL's line and a caret,
/// which a comment cannot align).
fn first_line(text: &str) -> &str {
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches(':')
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
