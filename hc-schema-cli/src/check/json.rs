//! `check --format json`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::report::{Report, Status};

pub fn to_json(report: &Report<'_>) -> serde_json::Value {
    let entry_json = |e: &crate::report::Entry<'_>| {
        let spot = e.problem.spot();
        let columns: Vec<&str> = match &e.problem.finding {
            hc_schema_snapshot::Finding::ReadOnly { columns, .. } => {
                columns.iter().map(String::as_str).collect()
            }
            _ => Vec::new(),
        };
        json!({
            "env": e.env, "snapshot": e.snapshot,
            "kind": e.problem.finding.kind(), "origin": e.problem.usage.origin,
            "access": e.problem.usage.access,
            "table": e.problem.finding.table(), "column": e.problem.finding.column(),
            "columns": columns,
            "file": e.problem.usage.file, "line": spot.line, "col": spot.column,
            "site": e.problem.site(),
            "message": e.explanation.message, "notes": e.explanation.notes, "help": e.explanation.helps,
            "reason": e.reason(),
        })
    };
    let pick = |status: Status| -> Vec<serde_json::Value> {
        report
            .entries
            .iter()
            .filter(|e| e.status == status)
            .map(entry_json)
            .collect()
    };
    let errors_json: Vec<_> = report
        .scan
        .errors
        .iter()
        .map(|e| json!({"file": e.file, "line": e.line, "col": e.column, "kind": e.kind, "message": e.message, "file_unparsed": e.file_unparsed}))
        .collect();
    let sql_json: Vec<_> = report
        .sql
        .iter()
        .map(|e| {
            let f = e.finding;
            json!({
                "kind": f.kind.rule_id(), "level": e.severity.as_str(),
                "file": f.file, "line": f.line, "col": f.column, "site": f.site(),
                "message": f.explanation.message, "notes": f.explanation.notes,
                "help": f.explanation.helps,
                "subjects": f.subjects.iter().map(|s| json!({
                    "table": s.table, "column": s.column, "access": s.access,
                })).collect::<Vec<_>>(),
                "annotation": f.annotation,
            })
        })
        .collect();
    let stale_json: Vec<_> = report
        .stale
        .iter()
        .map(|s| {
            json!({
                "env": s.env, "snapshot": s.snapshot, "table": s.allowance.table,
                "columns": s.allowance.columns, "reason": s.allowance.reason,
                "site": s.site(), "message": s.message(),
            })
        })
        .collect();
    let matrix_json: Vec<_> = report
        .matrix
        .iter()
        .map(|((table, column), envs)| {
            let envs: BTreeMap<_, _> = envs.iter().map(|(e, c)| (e.clone(), c.json())).collect();
            json!({"table": table, "column": column, "envs": envs})
        })
        .collect();
    let mut allowances = Vec::new();
    for usage in report.usages {
        for allowance in &usage.allowances {
            let item = json!({
                "env": allowance.env, "table": allowance.table, "columns": allowance.columns,
                "reason": allowance.reason, "site": usage.site(),
            });
            if !allowances.contains(&item) {
                allowances.push(item);
            }
        }
    }
    let counts = report.counts();
    json!({
        "format": 1,
        "ok": !report.failed() && !report.incomplete(),
        "complete": !report.incomplete(),
        "selected_by": report.reason,
        "strict_access": report.strict_access,
        "environments": report.envs.iter().map(|e| json!({"env": e.env, "snapshot": e.display, "given_file": e.given_file})).collect::<Vec<_>>(),
        "files": report.scan.files,
        "annotations": report.scan.usages.len(),
        "sql": {
            "hc_sql_queries": report.sql_stats.queries,
            "requirement_groups": report.usages.len() - report.scan.usages.len(),
            "strings": report.sql_stats.strings, "strings_checked": report.sql_stats.checked,
            "strings_not_sql": report.sql_stats.not_sql,
            "strings_without_hc_tables": report.sql_stats.no_hc,
            "strings_skipped": report.sql_stats.skipped,
        },
        "counts": {
            "failing": counts.failing, "missing": counts.missing, "read_only": counts.read_only,
            "access_unknown": counts.access_unknown, "types": counts.types,
            "type_unknown": counts.type_unknown, "allowed": counts.allowed,
            "stale_allowances": counts.stale, "malformed_annotations": counts.malformed,
            "features_not_forwarded": counts.features_not_forwarded,
            "files_not_parsed": counts.unparsed, "sql_errors": counts.sql_errors,
            "undeclared": counts.undeclared, "unguarded": counts.unguarded,
            "skipped_sql": counts.skipped, "star": counts.star,
        },
        "problems": pick(Status::Error),
        "allowed": pick(Status::Allowed),
        "notes": pick(Status::Note),
        "stale_allowances": stale_json,
        "length_warnings": report.lengths.iter().map(|l| json!({
            "table": l.table, "column": l.column, "site": l.site,
            "short": {"env": l.short.0, "snapshot": l.short.1, "type": l.short.2},
            "long": {"env": l.long.0, "snapshot": l.long.1, "type": l.long.2},
            "message": l.message(),
        })).collect::<Vec<_>>(),
        "allowances": allowances,
        "source_errors": errors_json,
        "sql_findings": sql_json,
        "matrix": matrix_json,
    })
}
