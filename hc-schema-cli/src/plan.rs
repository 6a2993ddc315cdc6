//! `hc-schema plan <env> [--export <export.json>] [--out <file>]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::plan::{apply_to_export, plan};
use hc_schema_snapshot::snapshot::write_atomically;
use hc_schema_snapshot::Snapshot;
use serde_json::json;

use crate::context::Context;
use crate::{Failure, Format, Outcome};

/// `plan` arguments.
#[derive(Args)]
pub struct PlanArgs {
    /// The environment to plan for.
    env: String,
    /// That environment's current mapping export (`heroku connect:export`): write it back
    /// updated with the planned changes.
    #[arg(long, value_name = "EXPORT_JSON")]
    export: Option<PathBuf>,
    /// Where to write the updated export (default: standard output).
    #[arg(long, value_name = "FILE", requires = "export")]
    out: Option<PathBuf>,
    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Run `plan`.
pub fn run(manifest: Option<&Path>, args: PlanArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let target = ctx.load(&ctx.snapshot_path(&args.env))?;
    let others: Vec<Snapshot> = ctx
        .project
        .available_envs()
        .into_iter()
        .filter(|e| *e != args.env)
        .filter_map(|e| Snapshot::load(&ctx.snapshot_path(&e)).ok())
        .collect();
    let scan = ctx.scan();
    if let Some(error) = scan.errors.iter().find(|e| e.file_unparsed) {
        return Err(Failure(format!(
            "{}:{}:{}: {}",
            error.file, error.line, error.column, error.message
        )));
    }
    let known: Vec<&Snapshot> = others.iter().collect();
    let changes = plan(&scan.usages, &target, &known);

    if let Some(export_path) = &args.export {
        let text = std::fs::read_to_string(export_path)
            .map_err(|err| Failure(format!("cannot read {}: {err}", export_path.display())))?;
        let mut export: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
            Failure(format!(
                "{}:{}:{}: not valid JSON: {err}",
                export_path.display(),
                err.line(),
                err.column()
            ))
        })?;
        apply_to_export(&mut export, &changes)
            .map_err(|m| Failure(format!("{}: {m}", export_path.display())))?;
        let updated = format!("{export:#}\n");
        match &args.out {
            Some(out) => {
                write_atomically(out, updated.as_bytes())
                    .map_err(|err| Failure(format!("cannot write {}: {err}", out.display())))?;
                eprintln!(
                    "wrote {} (review it, then `heroku connect:import {}`)",
                    out.display(),
                    out.display()
                );
            }
            None => {
                print!("{updated}");
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    match args.format {
        Format::Json => println!(
            "{:#}",
            json!({"format": 1, "env": args.env, "changes": changes})
        ),
        _ => {
            if changes.is_empty() {
                println!(
                    "{} needs no mapping change: every requirement holds",
                    args.env
                );
            } else {
                println!("mapping changes {} needs in Heroku Connect:", args.env);
                for change in &changes {
                    if change.new_mapping {
                        println!(
                            "  map the new object {} (table {}), read-only, with fields:",
                            change.object, change.table
                        );
                    } else {
                        println!("  {} (table {}): add fields", change.object, change.table);
                    }
                    for field in &change.fields {
                        let guess = if field.guessed {
                            "  [API name guessed: check it in Salesforce]"
                        } else {
                            ""
                        };
                        println!(
                            "    {}  (column {}, needed at {}){guess}",
                            field.field,
                            field.column,
                            field.sites.join(", ")
                        );
                    }
                }
                println!(
                    "then wait for the sync, run `hc-schema refresh {0}` and commit the snapshot",
                    args.env
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
