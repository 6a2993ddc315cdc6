//! `hc-schema import <env> --from <export.json>`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::import::import_export;

use crate::context::Context;
use crate::{Failure, Outcome};

/// `import` arguments.
#[derive(Args)]
pub struct ImportArgs {
    /// The environment (its snapshot is <snapshot_dir>/<env>.json).
    env: String,
    /// The mapping export (`heroku connect:export` writes it).
    #[arg(long, value_name = "EXPORT_JSON")]
    from: PathBuf,
    /// Heroku Connect schema, when the export does not name one.
    #[arg(long)]
    schema: Option<String>,
    /// Write the snapshot to this file instead of <snapshot_dir>/<env>.json (a proposed
    /// mapping for `check --snapshot <file>`): nothing is kept from an existing file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Run `import`.
pub fn run(manifest: Option<&Path>, args: ImportArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let shown_from = args.from.display().to_string();
    let text =
        hc_schema_snapshot::read::read_input_text(&args.from, hc_schema_snapshot::read::MAX_BYTES)
            .map_err(|err| Failure(format!("cannot read {shown_from}: {err}")))?;
    let schema = args
        .schema
        .clone()
        .unwrap_or_else(|| ctx.project.config.schema_for(&args.env).to_string());
    let mut snapshot = import_export(&text, &shown_from, &args.env, &schema)?;
    let (path, own) = match &args.out {
        Some(out) => {
            crate::context::env_name(&args.env, "the environment")?;
            (ctx.resolve(out), false)
        }
        None => (ctx.snapshot_path(&args.env)?, true),
    };
    if own && path.exists() {
        // Types from a refresh are kept; a conflicted or damaged file is recovered or rebuilt
        // with a note saying what is lost (never silently).
        let old = crate::refresh::load_old(&ctx, &path, &args.env)?;
        snapshot.fill_from(&old);
    }
    let changed = snapshot.save(&path)?;
    println!(
        "{} {}: {} tables, {} columns from {shown_from}",
        if changed { "wrote" } else { "unchanged" },
        ctx.show(&path),
        snapshot.tables.len(),
        snapshot.column_count()
    );
    print!("{}", crate::plan::untyped_note(&args.env, &snapshot));
    Ok(ExitCode::SUCCESS)
}
