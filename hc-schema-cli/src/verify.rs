//! `hc-schema verify [<env>]`: the live database against the requirements in the sources.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::verify;

use crate::context::Context;
use crate::output::{print_json, ReportFormat};
use crate::sources;
use crate::{DbArgs, Failure, Outcome};

/// `verify` arguments.
#[derive(Args)]
pub struct VerifyArgs {
    /// The environment (selects the URL variable and schema from hc-schema.toml, and the
    /// allowances `missing_ok(<env>, ...)` that apply).
    env: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

/// Run `verify`.
pub fn run(manifest: Option<&Path>, args: VerifyArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let env = args.env.as_deref();
    let options = ctx.connect_options(env, &args.db)?;
    let schema = ctx.schema(env.unwrap_or_default(), &args.db);
    let sources = sources::read(&ctx);
    if let Some(message) = sources.incomplete() {
        return Err(Failure(message));
    }
    // Every use counts, SQL strings no annotation declares too (as in `check`).
    let (report, code) = match verify::verify_env(&options, env, &schema, &sources.uses.usages) {
        Ok(report) => (report, ExitCode::SUCCESS),
        Err(verify::VerifyError::Failed(report)) => (*report, ExitCode::from(1)),
        Err(verify::VerifyError::Fetch(err)) => return Err(err.into()),
    };
    match args.format {
        ReportFormat::Human => print!("{}", report.render()),
        ReportFormat::Json => print_json(&report.to_json()),
    }
    Ok(code)
}
