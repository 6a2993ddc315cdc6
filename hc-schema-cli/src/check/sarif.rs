//! `check --format sarif`: SARIF 2.1.0, the format GitHub code scanning reads.
//!
//! One result per finding per environment, at the token the finding is about, with a rule per
//! finding kind. A finding the code allows (`missing_ok`) is a result with an in-source
//! suppression carrying the reason, so it shows as allowed, not as an alert. Columns count
//! Unicode code points (`columnKind`), as the other formats do. Paths are relative to the
//! workspace root (`%SRCROOT%`): upload from a checkout whose root is the workspace.

use hc_schema_snapshot::manifest::Site;
use serde_json::{json, Value};

use crate::render::token_width_at;
use crate::report::{Report, Status};

/// A rule: id, name, level, what it means, what to do.
struct Rule {
    id: &'static str,
    name: &'static str,
    level: &'static str,
    short: &'static str,
    full: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        id: "missing_table",
        name: "MissingTable",
        level: "error",
        short: "A table the code needs is not mapped in an environment",
        full: "The code reads or writes a Heroku Connect table that the environment's snapshot \
               does not map: the code fails there. Map the object in that environment's Heroku \
               Connect, refresh the snapshot, or allow it with missing_ok(env, ..., reason = \"...\").",
    },
    Rule {
        id: "missing_column",
        name: "MissingColumn",
        level: "error",
        short: "A column the code needs is not mapped in an environment",
        full: "The code reads or writes a column that the environment's snapshot does not map: \
               the query fails there. Map the field in that environment's Heroku Connect, \
               refresh the snapshot, or allow it with missing_ok(env, ..., reason = \"...\").",
    },
    Rule {
        id: "read_only",
        name: "WriteToReadOnlyMapping",
        level: "error",
        short: "The code writes a table whose mapping is read-only",
        full: "Rows written to a read-only Heroku Connect mapping never reach Salesforce and \
               are overwritten by the next sync. Make the mapping read-write in that \
               environment's Heroku Connect, then refresh the snapshot.",
    },
    Rule {
        id: "access_unknown",
        name: "WriteOfUnknownAccess",
        level: "note",
        short: "The code writes a table whose mapping access the snapshot does not record",
        full: "The snapshot does not say whether the mapping is read-only or read-write. \
               Refresh it (refresh reads the access from Heroku Connect's triggers) or import \
               it from a mapping export. An error under --strict-access.",
    },
    Rule {
        id: "malformed_annotation",
        name: "MalformedAnnotation",
        level: "error",
        short: "An #[hc_requires] annotation that cannot be read",
        full: "The annotation does not follow the #[hc_requires] grammar, so its requirements \
               are not checked. The build rejects it too.",
    },
    Rule {
        id: "source_error",
        name: "SourceNotChecked",
        level: "error",
        short: "A source file that could not be read or parsed",
        full: "hc-schema could not read or parse this file, so its requirements are unknown \
               and the check is incomplete.",
    },
    Rule {
        id: "sql_error",
        name: "SqlNotCheckable",
        level: "error",
        short: "An hc_sql! query whose SQL cannot be checked",
        full: "The SQL of the hc_sql! call does not parse, is ambiguous, or is not one string \
               literal, so its requirements are unknown. The build fails on it with the same \
               message. Fix the SQL, or declare its columns with #[hc_requires] on the function \
               and use a plain string.",
    },
    Rule {
        id: "undeclared",
        name: "UndeclaredColumn",
        level: "error",
        short: "SQL in an annotated item uses a column its #[hc_requires] does not declare",
        full: "A string literal inside an item annotated with #[hc_requires] is SQL that reads \
               or writes a Heroku Connect column (or table) that no enclosing annotation \
               declares: the build does not check it, so it can be unmapped unnoticed. Add it \
               to the annotation named in the message, or write the query as hc_sql!. \
               `undeclared = \"warn\"` under [check] makes it a warning.",
    },
    Rule {
        id: "unguarded",
        name: "UnguardedSql",
        level: "error",
        short: "SQL on Heroku Connect tables that nothing checks",
        full: "A string literal outside hc_sql! and outside any item annotated with \
               #[hc_requires] is SQL on Heroku Connect tables: neither the build nor the \
               release-phase check knows what it needs. Write it as hc_sql!(\"...\"), or \
               annotate the item with the #[hc_requires(...)] shown. `unguarded = \"warn\"` \
               under [check] makes it a warning.",
    },
    Rule {
        id: "skipped_sql",
        name: "SqlNotAnalysed",
        level: "note",
        short: "An SQL string that could not be analysed",
        full: "A string literal that may be SQL on Heroku Connect tables could not be analysed \
               (a format! placeholder where no name or a column name stands, an ambiguous \
               column, over 1 MiB, ...): its columns are not checked. Make sure an annotation \
               declares what it uses. `skipped = \"error\"` under [check] makes it an error.",
    },
    Rule {
        id: "stale_allowance",
        name: "StaleAllowance",
        level: "warning",
        short: "A missing_ok allowance for a column that is mapped",
        full: "Every column the allowance lists is mapped in its environment, so it allows \
               nothing. Remove it, so that it cannot hide the column being unmapped again.",
    },
    Rule {
        id: "column_length",
        name: "WrittenColumnLengthDiffers",
        level: "warning",
        short: "A written text column is shorter in one environment than in another",
        full: "The code writes a character varying column whose length differs between the \
               selected environments: a value that fits in the longer one is refused in the \
               shorter one (value too long). Keep the values short enough for every \
               environment, or give the Salesforce field one length everywhere (Heroku \
               Connect applies a length increase by itself).",
    },
    Rule {
        id: "star",
        name: "SelectStar",
        level: "warning",
        short: "SELECT * over a Heroku Connect table",
        full: "A `*` or `t.*` returns whichever columns of the Heroku Connect table an \
               environment maps, and code can read any of them by name: no check sees which it \
               needs, so usages, diff and plan count every column of the table as possibly \
               used. List the columns instead. `star = \"error\"` under [check] makes it an \
               error, `star = \"allow\"` silences it.",
    },
    Rule {
        id: "feature_not_forwarded",
        name: "SnapshotFeatureNotForwarded",
        level: "error",
        short: "An <env>-snapshot feature that does not reach the crate holding the annotations",
        full: "The package declares the feature but does not forward it to a dependency whose \
               annotations it should check, so building with the feature checks that crate \
               against another environment and passes. Add the dependency's feature to it, \
               as the message says.",
    },
    Rule {
        id: "type_mismatch",
        name: "DeclaredTypeDoesNotRead",
        level: "error",
        short: "A typed declaration's Rust type does not read the column in an environment",
        full: "#[hc_requires(table(column: Type))] declares the Rust type the code reads the \
               column as, and that type does not read the column's type in this environment \
               (the postgres crate would fail with WrongType). Declare the type that reads it, \
               or make the column's type the same in every environment.",
    },
    Rule {
        id: "type_unknown",
        name: "TypeOfDeclaredColumnUnknown",
        level: "note",
        short: "A typed declaration over a snapshot that records no column types",
        full: "The snapshot (imported from a mapping export) has no column types, so the \
               declared type is not checked there. Refresh the snapshot from Postgres. An error \
               with strict_types = true under [check].",
    },
    Rule {
        id: "unchecked_type",
        name: "DeclaredTypeUnknown",
        level: "error",
        short: "A typed declaration names a Rust type hc-schema does not know",
        full: "The Rust type written after the column is not in hc-schema's type table and \
               cannot be normalised to a type in it, so it cannot be checked against the \
               column's type. Write the table's spelling of the type (f64, String, \
               chrono::NaiveDate...), or list your own FromSql type under [types] custom in \
               hc-schema.toml (then it is a note, not checked).",
    },
    Rule {
        id: "type_drift",
        name: "UntypedReadOfDriftingColumn",
        level: "error",
        short: "A column read without a Rust type has types no one Rust type reads",
        full: "The column's type differs between the environments' snapshots in a way no Rust \
               type reads both, and the code reads it without stating a type: it fails at run \
               time in one of them. Read it through hc_query! or a typed declaration, or make \
               the type the same everywhere.",
    },
];

/// The SARIF log of a check.
pub fn check(report: &Report<'_>) -> Value {
    let mut results = Vec::new();
    for error in &report.scan.errors {
        let rule = if error.kind.makes_scan_incomplete() {
            "source_error"
        } else if error.kind == hc_schema_snapshot::scan::ErrorKind::FeatureNotForwarded {
            "feature_not_forwarded"
        } else {
            "malformed_annotation"
        };
        let site = Site {
            file: error.file.clone(),
            line: error.line,
            column: error.column,
        };
        results.push(result(
            report,
            rule,
            "error",
            &error.message,
            &site,
            None,
            None,
        ));
    }
    for entry in &report.sql {
        let finding = entry.finding;
        let subject = finding
            .subjects
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(",");
        results.push(result(
            report,
            finding.kind.rule_id(),
            entry.severity.as_str(),
            &finding.explanation.to_string(),
            &finding.site(),
            None,
            (!subject.is_empty()).then_some(subject.as_str()),
        ));
    }
    for entry in &report.entries {
        let site = entry.problem.site();
        let level = match entry.status {
            Status::Error => "error",
            Status::Note | Status::Allowed => "note",
        };
        let message = match entry.reason() {
            Some(reason) => format!(
                "{}\n  = note: allowed by missing_ok({}, ...): \"{reason}\"",
                entry.explanation.message, entry.env
            ),
            None => entry.explanation.to_string(),
        };
        let mut item = result(
            report,
            entry.problem.finding.kind(),
            level,
            &message,
            &site,
            Some(entry.env),
            Some(&entry.problem.finding.subject()),
        );
        if let Some(reason) = entry.reason() {
            item["suppressions"] = json!([{
                "kind": "inSource",
                "status": "accepted",
                "justification": format!("missing_ok({}, ...): {reason}", entry.env),
            }]);
        }
        results.push(item);
    }
    for stale in &report.stale {
        results.push(result(
            report,
            "stale_allowance",
            "warning",
            &format!(
                "{}\n  = note: {}",
                stale.message(),
                crate::report::STALE_NOTE
            ),
            &stale.site(),
            Some(stale.env),
            Some(&stale.spelled()),
        ));
    }
    for length in &report.lengths {
        results.push(result(
            report,
            "column_length",
            "warning",
            &format!(
                "{}\n  = note: {}",
                length.message(),
                crate::report::LENGTH_NOTE
            ),
            &length.site,
            Some(&length.short.0),
            Some(&format!("{}.{}", length.table, length.column)),
        ));
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.short},
                "fullDescription": {"text": rule.full},
                "help": {"text": rule.full},
                "defaultConfiguration": {"level": rule.level},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hc-schema",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": !report.incomplete()}],
            "properties": {
                "environments": report.env_names(),
                "summary": report.summary(),
            },
            "results": results,
        }]
    })
}

fn result(
    report: &Report<'_>,
    rule: &str,
    level: &str,
    message: &str,
    site: &Site,
    env: Option<&str>,
    subject: Option<&str>,
) -> Value {
    let index = RULES
        .iter()
        .position(|r| r.id == rule)
        .expect("every rule id used is in RULES");
    let width = token_width_at(report.base, &site.file, site.line, site.column) as u32;
    let mut item = json!({
        "ruleId": rule,
        "ruleIndex": index,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri(&site.file), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": site.line.max(1),
                "startColumn": site.column.max(1),
                "endColumn": site.column.max(1) + width,
            },
        }}],
        // Stable identity per environment: GitHub would otherwise merge the same finding in
        // two environments (same rule, same line) into one alert.
        "partialFingerprints": {
            "hcSchemaFinding/v1": format!(
                "{rule}:{}:{}:{}:{}",
                env.unwrap_or("-"),
                subject.unwrap_or("-"),
                site.file,
                site.line
            ),
        },
    });
    if let Some(env) = env {
        item["properties"] = json!({"environment": env});
    }
    item
}

/// A relative path as a URI reference: `/` separators, and characters that are not allowed
/// in a URI percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_encoded() {
        assert_eq!(super::uri("src/a b/ü.rs"), "src/a%20b/%C3%BC.rs");
        assert_eq!(super::uri("src\\win.rs"), "src/win.rs");
    }
}
