//! `hc-schema verify [<env>]`: the live database against the requirements in the sources, and
//! each column's live type against its type in the snapshots the code is built against.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::built::{declared_rust_type, BuiltTypes};
use hc_schema_snapshot::verify;
use hc_schema_snapshot::Snapshot;

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
    // The types the code is built against: the column's type in this environment's snapshot
    // (a build of it checks against that one), else in every snapshot of the directory.
    let (snapshots, _) = sources::all_snapshots(&ctx);
    let own: Vec<(&str, &Snapshot)> = snapshots
        .iter()
        .filter(|(e, _)| Some(e.as_str()) == env)
        .map(|(e, s)| (e.as_str(), s))
        .collect();
    let against: Vec<(&str, &Snapshot)> = if own.is_empty() {
        snapshots.iter().map(|(e, s)| (e.as_str(), s)).collect()
    } else {
        own
    };
    let built = BuiltTypes::of_usages(&sources.uses.usages, &against, &declared_rust_type);
    // Every use counts, SQL strings no annotation declares too (as in `check`).
    // And each table the SQL names as `schema.table`, judged against the live schema.
    let qualifiers = hc_schema_snapshot::registry::Qualifiers {
        uses: sources
            .sql
            .qualified
            .iter()
            .map(|q| q.registered())
            .collect(),
        unrecorded: Vec::new(),
        // The SQL strings the scan could not read: named in the report, as the release phase
        // names the ones its build could not.
        unread: sources
            .sql
            .findings
            .iter()
            .filter(|f| f.unread())
            .map(|f| {
                let site = hc_schema_snapshot::manifest::Site {
                    file: f.file.clone(),
                    line: f.line,
                    column: f.column,
                };
                (site, f.explanation.message.clone())
            })
            .collect(),
        // The scan reads every string, annotated or not: nothing is left to the build's
        // registration here.
        unguarded_warn: Vec::new(),
    };
    let verified = verify::verify_checked(
        &options,
        env,
        &schema,
        &sources.uses.usages,
        &built,
        &qualifiers,
    );
    let (report, code) = match verified {
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
