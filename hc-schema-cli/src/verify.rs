//! `hc-schema verify [<env>]`: the live database against the requirements in the sources.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::verify;

use crate::context::Context;
use crate::{DbArgs, Failure, Outcome};

/// `verify` arguments.
#[derive(Args)]
pub struct VerifyArgs {
    /// The environment (selects the URL variable and schema from hc-schema.toml).
    env: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// Run `verify`.
pub fn run(manifest: Option<&Path>, args: VerifyArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let env = args.env.as_deref();
    let options = ctx.connect_options(env, &args.db)?;
    let schema = ctx.schema(env.unwrap_or_default(), &args.db);
    let scan = ctx.scan();
    if let Some(error) = scan.errors.first() {
        return Err(Failure(format!(
            "{}:{}:{}: {}",
            error.file, error.line, error.column, error.message
        )));
    }
    match verify::verify(&options, &schema, &scan.usages) {
        Ok(report) => {
            print!("{}", report.render());
            Ok(ExitCode::SUCCESS)
        }
        Err(verify::VerifyError::Failed(report)) => {
            print!("{}", report.render());
            Ok(ExitCode::from(1))
        }
        Err(verify::VerifyError::Fetch(err)) => Err(err.into()),
    }
}
