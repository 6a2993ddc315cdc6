//! `hc-schema check`: the code's requirements against snapshots, without compiling.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diagnostic::Target;
use hc_schema_snapshot::selection::{
    self, Inputs, Reason, Selection, SnapshotRef, ENV_VAR, SNAPSHOT_VAR,
};
use hc_schema_snapshot::sqlcheck::{Severity, SqlFindingKind};
use hc_schema_snapshot::Snapshot;
use serde_json::json;

use crate::context::{env_name, Context};
use crate::report::{row_label, Report, Status};
use crate::sources::{scan_while, Sources};
use crate::{format_parser, Failure, Format, Outcome, ERROR, FOUND, OK};
use crate::{markdown, render, sarif};

/// `check` arguments.
#[derive(Args)]
pub struct CheckArgs {
    /// Environments to check (repeat or comma-separate); default: the build's selection rules
    /// with no features (HC_SCHEMA_SNAPSHOT, HC_SCHEMA_ENV, default_envs, else all snapshots).
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// Check against this snapshot file instead (e.g. a proposed snapshot: "would unmapping X
    /// break the code?"). A relative path is relative to the current directory.
    #[arg(long, value_name = "FILE", conflicts_with = "envs")]
    snapshot: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = format_parser(&[
        Format::Human, Format::Json, Format::Github, Format::Sarif, Format::Markdown,
    ]))]
    format: Format,
    /// Print the requirement x environment matrix even when everything holds (human format).
    #[arg(long)]
    matrix: bool,
    /// A write to a mapping whose access the snapshot does not record fails (default: a note).
    /// Also `strict_access = true` under `[check]` in hc-schema.toml.
    #[arg(long)]
    strict_access: bool,
    /// Exit 0 when there is nothing to check (no annotation found) instead of 2.
    #[arg(long)]
    allow_empty: bool,
}

/// Loaded snapshots of a selection.
pub struct Loaded {
    /// Selected snapshots.
    pub selected: Vec<(SnapshotRef, Snapshot)>,
    /// The others, for "mapped in" notes (unreadable ones are left out).
    pub others: Vec<(SnapshotRef, Snapshot)>,
}

impl Loaded {
    /// Every snapshot as a diagnostic target.
    pub fn known(&self) -> Vec<Target<'_>> {
        self.selected
            .iter()
            .chain(&self.others)
            .map(|(r, s)| Target::env(&r.env, &r.display, s))
            .collect()
    }
}

/// Select and load snapshots as the build would, with `envs` / `snapshot` overriding. A
/// relative `--snapshot` or `HC_SCHEMA_SNAPSHOT` is relative to the current directory.
pub fn select_and_load(
    ctx: &Context,
    envs: &[String],
    snapshot: Option<&Path>,
) -> Result<(Selection, Loaded), Failure> {
    // What the command line says wins over the variables: `--env` over HC_SCHEMA_SNAPSHOT.
    let given = match snapshot {
        Some(path) => Some(("--snapshot", path.display().to_string())),
        None if envs.is_empty() => std::env::var(SNAPSHOT_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (SNAPSHOT_VAR, v.trim().to_string())),
        None => None,
    };
    let (env_var, env_origin) = if envs.is_empty() {
        (std::env::var(ENV_VAR).ok(), ENV_VAR)
    } else {
        (Some(envs.join(",")), "--env")
    };
    let inputs = Inputs {
        snapshot_var: given
            .as_ref()
            .map(|(_, path)| ctx.resolve(Path::new(path)).display().to_string()),
        env_var,
        feature_envs: Vec::new(),
    };
    let selection = selection::select(&inputs, &ctx.project, &ctx.base);
    if selection.reason == Reason::EnvVar || selection.reason == Reason::DefaultEnvs {
        let origin = if selection.reason == Reason::EnvVar {
            env_origin.to_string()
        } else {
            "default_envs in hc-schema.toml: the environment".to_string()
        };
        for r in &selection.selected {
            env_name(&r.env, &origin)?;
        }
    }
    if selection.selected.is_empty() {
        return Err(Failure(match selection.reason {
            Reason::EnvVar => format!(
                "{env_origin} is `{}`, which names no environment: give environment names \
                 like `prod` or `test,prod`{}",
                inputs.env_var.as_deref().unwrap_or_default(),
                if env_origin == ENV_VAR {
                    ", or unset it"
                } else {
                    ""
                }
            ),
            Reason::DefaultEnvs => format!(
                "default_envs in {} is empty, so there is nothing to check against: list \
                 environments there, or remove it to check every snapshot",
                ctx.project
                    .config_file
                    .as_deref()
                    .map_or_else(|| "hc-schema.toml".to_string(), |p| p.display().to_string())
            ),
            _ => format!("no snapshot to check against: {}", ctx.where_looked()),
        }));
    }
    let mut selected = Vec::new();
    for r in &selection.selected {
        let snapshot = match &given {
            Some((origin, path)) => ctx.load_given(&r.path, origin, path)?,
            None => ctx.load(&r.path)?,
        };
        selected.push((r.clone(), snapshot));
    }
    let others = selection
        .others
        .iter()
        .filter_map(|r| Snapshot::load(&r.path).ok().map(|s| (r.clone(), s)))
        .collect();
    Ok((selection, Loaded { selected, others }))
}

/// Run `check`.
pub fn run(manifest: Option<&Path>, args: CheckArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let envs: Vec<String> = args
        .envs
        .iter()
        .flat_map(|e| selection::split_list(e))
        .collect();
    for env in &envs {
        env_name(env, "--env")?;
    }
    if !args.envs.is_empty() && envs.is_empty() {
        return Err(Failure(format!(
            "--env `{}` names no environment: give environment names like `prod` or `test,prod`",
            args.envs.join(",")
        )));
    }
    // The sources are scanned on other threads while the snapshots load.
    let (scan, loaded) = scan_while(&ctx, || {
        select_and_load(&ctx, &envs, args.snapshot.as_deref())
    });
    let (selection, loaded) = loaded?;
    let snapshots: Vec<(&str, &Snapshot)> = loaded
        .selected
        .iter()
        .chain(&loaded.others)
        .map(|(r, s)| (r.env.as_str(), s))
        .collect();
    let sources = Sources::check(scan, &ctx.project, &snapshots);
    if sources.nothing_scanned() && !args.allow_empty {
        return Err(Failure(nothing_checked(&ctx, sources.scan.files)));
    }
    let known = loaded.known();
    let strict_access = args.strict_access || selection.strict_access;
    let report = Report::build(
        &ctx.base,
        selection.reason,
        &loaded.selected,
        &known,
        &sources,
        strict_access,
        &ctx.project.config.check,
    );
    match args.format {
        Format::Json => println!("{:#}", to_json(&report)),
        Format::Github => print_github(&report),
        Format::Sarif => println!("{:#}", sarif::check(&report)),
        Format::Markdown => print!("{}", markdown::check(&report)),
        Format::Human => print_human(&report, args.matrix),
    }
    Ok(ExitCode::from(if report.incomplete() {
        ERROR
    } else if report.failed() {
        FOUND
    } else {
        OK
    }))
}

/// "Nothing was checked": no annotation anywhere, or every file excluded.
pub(crate) fn nothing_checked(ctx: &Context, files: usize) -> String {
    let excluded = &ctx.project.config.check.exclude;
    let exclusions = if excluded.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = excluded.iter().map(|e| e.display().to_string()).collect();
        format!(
            " ([check] exclude in {} skips: {})",
            ctx.project
                .config_file
                .as_deref()
                .map_or_else(|| "hc-schema.toml".to_string(), |p| ctx.show(p)),
            list.join(", ")
        )
    };
    let found = if files == 0 {
        format!(
            "no Rust source file under {}{exclusions}",
            ctx.dir.display()
        )
    } else {
        format!(
            "no #[hc_requires] annotation, hc_sql! query or SQL string in the {files} Rust \
             file(s) under {}{exclusions}",
            ctx.dir.display()
        )
    };
    format!(
        "nothing was checked: {found}; annotate the code that reads Heroku Connect tables, run \
         hc-schema in (or --manifest-path to) the crate that has them, or pass --allow-empty \
         if there is nothing to check on purpose"
    )
}

fn print_human(report: &Report<'_>, always_matrix: bool) {
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
                    "a note, not a failure: pass --strict-access (or set strict_access = true \
                     under [check]) to make it one"
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

/// Why a stale allowance is a warning and not an error.
pub const STALE_NOTE: &str = "a warning, not a failure: the code works there; remove the \
    allowance so that it cannot hide the column being unmapped again later";

fn print_github(report: &Report<'_>) {
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
    println!("{}", report.summary());
}

fn to_json(report: &Report<'_>) -> serde_json::Value {
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
            "access_unknown": counts.access_unknown, "allowed": counts.allowed,
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
        "allowances": allowances,
        "source_errors": errors_json,
        "sql_findings": sql_json,
        "matrix": matrix_json,
    })
}
