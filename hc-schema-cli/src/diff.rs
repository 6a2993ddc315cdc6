//! `hc-schema diff <a> <b>`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diff::{classify, diff, FailOn, Sides, Summary};
use serde_json::json;

use crate::context::Context;
use crate::render::{deviation_summary, render_deviations};
use crate::sources;
use crate::{format_parser, Format, Outcome, ERROR, FOUND, OK};

/// `diff` arguments.
#[derive(Args)]
pub struct DiffArgs {
    /// First environment (its lines are marked `-`).
    a: String,
    /// Second environment (its lines are marked `+`).
    b: String,
    /// What fails (exit 1): `any` deviation not allowed by [[diff.allow]] in hc-schema.toml
    /// (the default: the two environments are meant to map the same), or only `breaking`
    /// ones, which some code needs where they are missing.
    #[arg(long, default_value = "any", value_parser = ["any", "breaking"])]
    fail_on: String,
    /// Same as `--fail-on any` (the default); kept for older scripts.
    #[arg(long, hide = true)]
    fail_on_drift: bool,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = format_parser(&[Format::Human, Format::Json]))]
    format: Format,
    /// With `--fail-on breaking`: exit 0 when nothing was scanned (no Rust code touching
    /// Heroku Connect) instead of 2.
    #[arg(long)]
    allow_empty: bool,
}

/// Run `diff`.
pub fn run(manifest: Option<&Path>, args: DiffArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let fail_on: FailOn = if args.fail_on_drift {
        FailOn::Any
    } else {
        args.fail_on.parse().map_err(crate::Failure)?
    };
    let a = ctx.load(&ctx.snapshot_path(&args.a)?)?;
    let b = ctx.load(&ctx.snapshot_path(&args.b)?)?;
    let sources = sources::read(&ctx);
    let mut deviations = diff(&a, &b, &ctx.project.config.diff.allow);
    classify(
        &mut deviations,
        &sources.uses,
        Sides {
            a: Some(&args.a),
            b: Some(&args.b),
        },
    );
    let summary = Summary::of(&deviations);
    let incomplete = sources.incomplete();
    // SQL the scan could not read may use what differs: no deviation is "harmless" beside it
    // when the verdict would otherwise pass.
    let cannot_tell = if summary.fails(fail_on) {
        None
    } else {
        sources.cannot_tell(summary.harmless)
    };
    let odd_names: Vec<(String, Vec<String>)> = [(&args.a, &a), (&args.b, &b)]
        .into_iter()
        .map(|(env, s)| (env.clone(), s.non_hc_names()))
        .filter(|(_, names)| !names.is_empty())
        .collect();
    match args.format {
        Format::Json => println!(
            "{:#}",
            json!({
                "format": 1, "a": args.a, "b": args.b,
                "fail_on": match fail_on { FailOn::Any => "any", FailOn::Breaking => "breaking" },
                "summary": summary,
                "drift": summary.unexplained,
                "deviations": deviations,
                "non_hc_names": odd_names.iter().map(|(env, names)| json!({"env": env, "names": names})).collect::<Vec<_>>(),
                "complete": incomplete.is_none() && cannot_tell.is_none(),
                "unread_sql": sources.unread_sql(),
                "source_errors": sources.scan.errors,
            })
        ),
        _ => {
            if deviations.is_empty() {
                println!("{} and {} map the same tables and columns", args.a, args.b);
            } else {
                println!("--- {}\n+++ {}", args.a, args.b);
                print!("{}", render_deviations(&deviations, &args.a, &args.b));
                println!("{}", deviation_summary(&deviations));
            }
            for (env, names) in &odd_names {
                println!(
                    "note: {env} has names Heroku Connect never creates (not plain lower case), \
                     so no requirement ever matches them: {}",
                    names.join(", ")
                );
            }
        }
    }
    if let Some(message) = incomplete {
        eprintln!("error: {message}; a deviation shown as harmless may be needed by that code");
        return Ok(ExitCode::from(ERROR));
    }
    // "Harmless" needs evidence: with no code scanned, `--fail-on breaking` cannot tell.
    if fail_on == FailOn::Breaking && sources.nothing_scanned() && !args.allow_empty {
        eprintln!(
            "error: {}",
            crate::check::nothing_checked(&ctx, sources.scan.files)
        );
        return Ok(ExitCode::from(ERROR));
    }
    if let Some(message) = cannot_tell {
        eprintln!("error: {message}");
        return Ok(ExitCode::from(ERROR));
    }
    Ok(ExitCode::from(if summary.fails(fail_on) {
        FOUND
    } else {
        OK
    }))
}
