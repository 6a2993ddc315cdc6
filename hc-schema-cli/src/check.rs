//! `hc-schema check`: the code's annotations against snapshots, without compiling.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diagnostic::{explain, Target};
use hc_schema_snapshot::manifest::check_usages;
use hc_schema_snapshot::selection::{self, Inputs, Selection, SnapshotRef, ENV_VAR, SNAPSHOT_VAR};
use hc_schema_snapshot::Snapshot;
use serde_json::json;

use crate::context::Context;
use crate::render;
use crate::{Failure, Format, Outcome};

/// `check` arguments.
#[derive(Args)]
pub struct CheckArgs {
    /// Environments to check (repeat or comma-separate); default: the build's selection rules
    /// with no features (HC_SCHEMA_SNAPSHOT, HC_SCHEMA_ENV, default_envs, else all snapshots).
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// Check against this snapshot file instead (e.g. a proposed snapshot: "would unmapping X
    /// break the code?").
    #[arg(long, value_name = "FILE", conflicts_with = "envs")]
    snapshot: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
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
            .map(|(r, s)| target(r, s))
            .collect()
    }
}

/// A snapshot as a diagnostic target.
pub fn target<'a>(r: &'a SnapshotRef, s: &'a Snapshot) -> Target<'a> {
    Target::env(&r.env, &r.display, s)
}

/// Select and load snapshots as the build would, with `envs` / `snapshot` overriding.
pub fn select_and_load(
    ctx: &Context,
    envs: &[String],
    snapshot: Option<&Path>,
) -> Result<(Selection, Loaded), Failure> {
    let inputs = Inputs {
        snapshot_var: snapshot
            .map(|p| {
                std::env::current_dir()
                    .unwrap_or_default()
                    .join(p)
                    .display()
                    .to_string()
            })
            .or_else(|| std::env::var(SNAPSHOT_VAR).ok()),
        env_var: if envs.is_empty() {
            std::env::var(ENV_VAR).ok()
        } else {
            Some(envs.join(","))
        },
        feature_envs: Vec::new(),
    };
    let selection = selection::select(&inputs, &ctx.project, &ctx.base);
    if selection.selected.is_empty() {
        return Err(Failure(format!(
            "no snapshot to check against: {} has no <env>.json file; create one with `hc-schema refresh <env>`",
            selection.snapshot_dir
        )));
    }
    let mut selected = Vec::new();
    for r in &selection.selected {
        selected.push((r.clone(), ctx.load(&r.path)?));
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
    let (selection, loaded) = select_and_load(&ctx, &envs, args.snapshot.as_deref())?;
    let scan = ctx.scan();
    let known = loaded.known();

    let mut problems = Vec::new();
    // requirement (table.column) -> env -> ok?
    let mut matrix: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for usage in &scan.usages {
        for column in &usage.columns {
            let row = matrix
                .entry(format!("{}.{}", usage.table.name, column.name))
                .or_default();
            for (r, _) in &loaded.selected {
                row.entry(r.env.clone()).or_insert(true);
            }
        }
    }
    for (r, snapshot) in &loaded.selected {
        for problem in check_usages(&scan.usages, &r.env, snapshot) {
            if !problem.fails(selection.strict_access) {
                continue;
            }
            let explanation = explain(&problem.finding, &target(r, snapshot), &known);
            let affected: Vec<String> = match problem.finding.column() {
                Some(column) => vec![format!("{}.{column}", problem.usage.table.name)],
                None => problem
                    .usage
                    .columns
                    .iter()
                    .map(|c| format!("{}.{}", problem.usage.table.name, c.name))
                    .collect(),
            };
            for key in affected {
                matrix.entry(key).or_default().insert(r.env.clone(), false);
            }
            problems.push((r, problem, explanation));
        }
    }
    let unparsed = scan.errors.iter().filter(|e| e.file_unparsed).count();
    let annotation_errors = scan.errors.len() - unparsed;
    let failed = !problems.is_empty() || annotation_errors > 0;

    match args.format {
        Format::Json => {
            let problems_json: Vec<_> = problems
                .iter()
                .map(|(r, p, e)| {
                    let spot = p.spot();
                    json!({
                        "env": r.env, "snapshot": r.display,
                        "kind": match p.finding.column() { Some(_) => "missing_column", None => "missing_table" },
                        "table": p.finding.table(), "column": p.finding.column(),
                        "file": p.usage.file, "line": spot.line, "col": spot.column,
                        "message": e.message, "notes": e.notes, "help": e.helps,
                    })
                })
                .collect();
            let errors_json: Vec<_> = scan
                .errors
                .iter()
                .map(|e| json!({"file": e.file, "line": e.line, "col": e.column, "message": e.message, "file_unparsed": e.file_unparsed}))
                .collect();
            let matrix_json: Vec<_> = matrix
                .iter()
                .map(|(key, envs)| {
                    let (table, column) = key.split_once('.').unwrap_or((key, ""));
                    let envs: BTreeMap<_, _> = envs
                        .iter()
                        .map(|(e, ok)| (e.clone(), if *ok { "ok" } else { "missing" }))
                        .collect();
                    json!({"table": table, "column": column, "envs": envs})
                })
                .collect();
            let out = json!({
                "format": 1,
                "ok": !failed && unparsed == 0,
                "selected_by": selection.reason,
                "environments": loaded.selected.iter().map(|(r, _)| json!({"env": r.env, "snapshot": r.display})).collect::<Vec<_>>(),
                "files": scan.files,
                "annotations": scan.usages.len(),
                "problems": problems_json,
                "source_errors": errors_json,
                "matrix": matrix_json,
            });
            println!("{out:#}");
        }
        Format::Github => {
            for (_, p, e) in &problems {
                let spot = p.spot();
                let mut text = e.to_string();
                text = text.replace("\n  = ", "\n");
                println!(
                    "{}",
                    render::github(&p.usage.file, spot.line, spot.column, "hc-schema", &text)
                );
            }
            for e in &scan.errors {
                println!(
                    "{}",
                    render::github(&e.file, e.line, e.column, "hc-schema", &e.message)
                );
            }
            summary_line(&scan, &problems, &loaded, unparsed);
        }
        Format::Human => {
            for e in &scan.errors {
                print!(
                    "{}",
                    render::diagnostic(&ctx.base, &e.file, e.line, e.column, &e.message, &[], &[])
                );
                println!();
            }
            for (_, p, e) in &problems {
                let spot = p.spot();
                print!(
                    "{}",
                    render::diagnostic(
                        &ctx.base,
                        &p.usage.file,
                        spot.line,
                        spot.column,
                        &e.message,
                        &e.notes,
                        &e.helps
                    )
                );
                println!();
            }
            if !matrix.is_empty() {
                let envs: Vec<&str> = loaded
                    .selected
                    .iter()
                    .map(|(r, _)| r.env.as_str())
                    .collect();
                let width = matrix.keys().map(String::len).max().unwrap_or(0).max(11);
                let mut header = format!("{:width$}", "requirement");
                for env in &envs {
                    header.push_str(&format!("  {:>7}", env));
                }
                println!("{}", header.trim_end());
                for (key, row) in &matrix {
                    let mut line = format!("{key:width$}");
                    for env in &envs {
                        let cell = match row.get(*env) {
                            Some(true) => "ok",
                            Some(false) => "MISSING",
                            None => "-",
                        };
                        line.push_str(&format!("  {cell:>7}"));
                    }
                    println!("{}", line.trim_end());
                }
                println!();
            }
            summary_line(&scan, &problems, &loaded, unparsed);
        }
    }
    Ok(ExitCode::from(if failed {
        1
    } else if unparsed > 0 {
        2
    } else {
        0
    }))
}

fn summary_line<T>(
    scan: &hc_schema_snapshot::scan::Scan,
    problems: &[T],
    loaded: &Loaded,
    unparsed: usize,
) {
    let envs: Vec<&str> = loaded
        .selected
        .iter()
        .map(|(r, _)| r.env.as_str())
        .collect();
    let annotation_errors = scan.errors.len() - unparsed;
    let verdict = if problems.is_empty() && annotation_errors == 0 && unparsed == 0 {
        "ok"
    } else {
        "FAILED"
    };
    println!(
        "hc-schema check {verdict}: {} annotation group(s) in {} file(s) against {}; {} missing, {} malformed annotation(s), {} file(s) not parsed",
        scan.usages.len(),
        scan.files,
        envs.join(", "),
        problems.len(),
        annotation_errors,
        unparsed
    );
}
