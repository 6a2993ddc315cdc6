//! `hc-schema init`: set up a crate or workspace (hc-schema.toml, dependencies, build script,
//! `<env>-snapshot` features and their forwarding, the recommended profile). The edits are
//! planned by the modules below and written here, atomically, only when nothing failed.

mod build_script;
mod config_file;
mod detect;
mod edit;
mod plan;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::names::is_env_name;
use hc_schema_snapshot::text::count;

use crate::{Failure, Outcome, FOUND};

/// `init` arguments.
#[derive(Args)]
pub struct InitArgs {
    /// An environment to set up (repeat: `--env test --env prod`). Default: the environments
    /// hc-schema.toml and the snapshot directory know, else test and prod.
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// The Heroku Connect schema written into a new hc-schema.toml. Default: detected from
    /// the database of --database-url (or of HC_<ENV>_DATABASE_URL, else DATABASE_URL, when
    /// set), else salesforce.
    #[arg(long)]
    schema: Option<String>,
    /// A database to detect the Heroku Connect schema from (read-only, one catalog query, as
    /// `refresh` reads it). Prefer the variables: a URL on the command line is visible to
    /// other users.
    #[arg(long, value_name = "URL", conflicts_with = "schema")]
    database_url: Option<String>,
    /// Also set up the release-phase check: `[registry] enabled = true`, hc-schema-snapshot
    /// with the `fetch` feature in the binaries, and print the Procfile `release:` line.
    #[arg(long)]
    registry: bool,
    /// A crate that uses (or will use) the macros, besides those whose sources mention
    /// hc_requires, hc_sql! or hc_query! (repeatable).
    #[arg(long = "crate", value_name = "NAME")]
    crates: Vec<String>,
    /// Print what init would change and write nothing: exit 1 when something would change,
    /// 0 when the project is set up.
    #[arg(long)]
    check: bool,
}

/// Run `init`.
pub fn run(manifest: Option<&Path>, args: InitArgs) -> Outcome {
    for env in &args.envs {
        if !is_env_name(env) {
            return Err(Failure(format!(
                "--env `{env}` is not an environment name (letters, digits, `-` and `_`)"
            )));
        }
    }
    if let Some(schema) = &args.schema {
        let plain = !schema.is_empty()
            && schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !schema.as_bytes()[0].is_ascii_digit();
        if !plain {
            return Err(Failure(format!(
                "--schema `{schema}` is not a plain identifier (letters, digits and `_`)"
            )));
        }
    }
    let cwd = std::env::current_dir()?;
    let start: PathBuf = workspace::normalize(&cwd.join(manifest.unwrap_or(Path::new("."))));
    let mut envs: Vec<String> = Vec::new();
    for env in args.envs {
        if !envs.contains(&env) {
            envs.push(env);
        }
    }
    let envs_for_url: Vec<String> = if envs.is_empty() {
        vec!["test".into(), "prod".into()]
    } else {
        envs.clone()
    };
    let options = plan::Options {
        envs,
        schema: args.schema.clone(),
        registry: args.registry,
        crates: args.crates,
        database: match &args.schema {
            Some(_) => None,
            None => detect::url(args.database_url.as_deref(), &envs_for_url),
        },
    };
    let plan = plan::plan(&start, &options).map_err(Failure)?;
    let changes: usize = plan.writes.iter().map(|w| w.changes.len().max(1)).sum();
    if args.check && !plan.writes.is_empty() {
        println!("hc-schema init would change (nothing written):");
    }
    for write in &plan.writes {
        if write.changes.is_empty() {
            println!("  {}: updated", write.shown);
        }
        for change in &write.changes {
            println!("  {}: {change}", write.shown);
        }
    }
    if !args.check {
        for write in &plan.writes {
            hc_schema_snapshot::atomic::write_atomically(&write.path, write.text.as_bytes())
                .map_err(|err| Failure(format!("cannot write {}: {err}", write.shown)))?;
        }
    }
    for note in &plan.notes {
        println!("note: {note}");
    }
    for step in &plan.manual {
        println!("to do by hand: {step}");
    }
    if plan.writes.is_empty() && plan.manual.is_empty() {
        println!("hc-schema init: nothing to change, the project is set up");
        return Ok(ExitCode::SUCCESS);
    }
    if args.check {
        if !plan.writes.is_empty() {
            println!(
                "{} needed: run `hc-schema init` to make them",
                count(changes, "change")
            );
        }
        return Ok(ExitCode::from(FOUND));
    }
    if !plan.writes.is_empty() {
        println!(
            "hc-schema init: {} in {}; next: `hc-schema refresh <env>` for each environment, then commit the snapshot directory",
            count(changes, "change"),
            count(plan.writes.len(), "file")
        );
    }
    if plan.manual.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(FOUND))
    }
}
