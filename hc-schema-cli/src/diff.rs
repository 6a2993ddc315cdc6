//! `hc-schema diff <a> <b>`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diff::diff;
use serde_json::json;

use crate::context::Context;
use crate::render::render_deviations;
use crate::{Format, Outcome};

/// `diff` arguments.
#[derive(Args)]
pub struct DiffArgs {
    /// First environment (its lines are marked `-`).
    a: String,
    /// Second environment (its lines are marked `+`).
    b: String,
    /// Exit 1 on any deviation not allowed by [[diff.allow]] in hc-schema.toml.
    #[arg(long)]
    fail_on_drift: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Run `diff`.
pub fn run(manifest: Option<&Path>, args: DiffArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let a = ctx.load(&ctx.snapshot_path(&args.a))?;
    let b = ctx.load(&ctx.snapshot_path(&args.b))?;
    let deviations = diff(&a, &b, &ctx.project.config.diff.allow);
    let drift = deviations.iter().filter(|d| d.allowed.is_none()).count();
    match args.format {
        Format::Json => println!(
            "{:#}",
            json!({"format": 1, "a": args.a, "b": args.b, "drift": drift, "deviations": deviations})
        ),
        Format::Github | Format::Human => {
            if deviations.is_empty() {
                println!("{} and {} map the same tables and columns", args.a, args.b);
            } else {
                println!("--- {}\n+++ {}", args.a, args.b);
                print!("{}", render_deviations(&deviations, &args.a, &args.b));
                println!(
                    "{} deviation(s), {} allowed by hc-schema.toml, {drift} unexplained",
                    deviations.len(),
                    deviations.len() - drift
                );
            }
        }
    }
    Ok(ExitCode::from(if args.fail_on_drift && drift > 0 {
        1
    } else {
        0
    }))
}
