//! `hc-schema refresh <env> [--check]`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diff::diff;
use hc_schema_snapshot::fetch;

use crate::context::Context;
use crate::render::render_deviations;
use crate::{DbArgs, Failure, Outcome};

/// `refresh` arguments.
#[derive(Args)]
pub struct RefreshArgs {
    /// The environment (its snapshot is <snapshot_dir>/<env>.json).
    env: String,
    #[command(flatten)]
    db: DbArgs,
    /// Do not write: exit 1 with a per-column diff when the committed snapshot is stale.
    #[arg(long)]
    check: bool,
}

/// Run `refresh`.
pub fn run(manifest: Option<&Path>, args: RefreshArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let options = ctx.connect_options(Some(&args.env), &args.db)?;
    let schema = ctx.schema(&args.env, &args.db);
    let path = ctx.snapshot_path(&args.env)?;
    let shown = ctx.show(&path);
    let mut live = fetch::fetch_snapshot(&options, &args.env, &schema)?;
    let old = if path.exists() {
        Some(ctx.load(&path)?)
    } else {
        None
    };
    if let Some(old) = &old {
        live.fill_from(old);
    }
    if args.check {
        let Some(old) = old else {
            return Err(Failure(format!(
                "{shown} does not exist; create it with `hc-schema refresh {}` and commit it",
                args.env
            )));
        };
        let deviations = diff(&old, &live, &[]);
        if deviations.is_empty() && old.schema == live.schema {
            println!(
                "{shown} is up to date with {} (schema `{schema}`)",
                live.source.as_deref().unwrap_or("the database")
            );
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{shown} is stale: the live schema `{schema}` differs (- only in the snapshot, + only live):"
        );
        print!("{}", render_deviations(&deviations, "snapshot", "live"));
        println!("run `hc-schema refresh {}` and commit {shown}", args.env);
        return Ok(ExitCode::from(1));
    }
    let changed = live.save(&path)?;
    println!(
        "{} {shown}: {} tables, {} columns of schema `{schema}` from {}",
        if changed { "wrote" } else { "unchanged" },
        live.tables.len(),
        live.column_count(),
        live.source.as_deref().unwrap_or("the database"),
    );
    Ok(ExitCode::SUCCESS)
}
