//! `hc-schema check`: the code's requirements against snapshots, without compiling.

mod github;
mod human;
mod json;
mod markdown;
mod sarif;

use github::print_github;
use human::print_human;
use json::to_json;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diagnostic::Target;
use hc_schema_snapshot::selection::{
    self, Inputs, Reason, Selection, SnapshotRef, ENV_VAR, SNAPSHOT_VAR,
};
use hc_schema_snapshot::Snapshot;

use crate::context::{env_name, Context};
use crate::report::Report;
use crate::sources::{scan_while, Sources};
use crate::{format_parser, Failure, Format, Outcome, ERROR, FOUND, OK};

/// `check` arguments.
#[derive(Args)]
pub struct CheckArgs {
    /// Environments to check (repeat or comma-separate); default: the build's selection rules
    /// with no features (HC_SCHEMA_SNAPSHOT, HC_SCHEMA_ENV, default_envs, else all snapshots).
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// Check against this snapshot file instead (e.g. a proposed snapshot: "would unmapping X
    /// break the code?"). A relative path is relative to the current directory.
    #[arg(long, value_name = "FILE", conflicts_with = "envs")]
    snapshot: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = format_parser(&[
        Format::Human, Format::Json, Format::Github, Format::Sarif, Format::Markdown,
    ]))]
    format: Format,
    /// Print the requirement x environment matrix even when everything holds (human format).
    #[arg(long)]
    matrix: bool,
    /// A write to a mapping whose access the snapshot does not record fails (default: a note).
    /// Also `strict_access = true` under `[check]` in hc-schema.toml.
    #[arg(long)]
    strict_access: bool,
    /// Exit 0 when there is nothing to check (no annotation found) instead of 2.
    #[arg(long)]
    allow_empty: bool,
}

/// Loaded snapshots of a selection.
pub struct Loaded {
    /// Selected snapshots.
    pub selected: Vec<(SnapshotRef, Snapshot)>,
    /// The others, for "mapped in" notes (unreadable ones are left out).
    pub others: Vec<(SnapshotRef, Snapshot)>,
    /// The others that cannot be read, with why: the type drift of untyped uses cannot be
    /// decided without them.
    pub unreadable: Vec<(SnapshotRef, String)>,
}

impl Loaded {
    /// Every snapshot as a diagnostic target.
    pub fn known(&self) -> Vec<Target<'_>> {
        self.selected
            .iter()
            .chain(&self.others)
            .map(|(r, s)| Target::env(&r.env, &r.display, s))
            .collect()
    }
}

/// Select and load snapshots as the build would, with `envs` / `snapshot` overriding. A
/// relative `--snapshot` or `HC_SCHEMA_SNAPSHOT` is relative to the current directory.
pub fn select_and_load(
    ctx: &Context,
    envs: &[String],
    snapshot: Option<&Path>,
) -> Result<(Selection, Loaded), Failure> {
    // What the command line says wins over the variables: `--env` over HC_SCHEMA_SNAPSHOT.
    let given = match snapshot {
        Some(path) => Some(("--snapshot", path.display().to_string())),
        None if envs.is_empty() => std::env::var(SNAPSHOT_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (SNAPSHOT_VAR, v.trim().to_string())),
        None => None,
    };
    let (env_var, env_origin) = if envs.is_empty() {
        (std::env::var(ENV_VAR).ok(), ENV_VAR)
    } else {
        (Some(envs.join(",")), "--env")
    };
    let inputs = Inputs {
        snapshot_var: given
            .as_ref()
            .map(|(_, path)| ctx.resolve(Path::new(path)).display().to_string()),
        env_var,
        feature_envs: Vec::new(),
    };
    let selection = selection::select(&inputs, &ctx.project, &ctx.base);
    if selection.reason == Reason::EnvVar || selection.reason == Reason::DefaultEnvs {
        let origin = if selection.reason == Reason::EnvVar {
            env_origin.to_string()
        } else {
            "default_envs in hc-schema.toml: the environment".to_string()
        };
        for r in &selection.selected {
            env_name(&r.env, &origin)?;
        }
    }
    if selection.selected.is_empty() {
        return Err(Failure(match selection.reason {
            Reason::EnvVar => format!(
                "{env_origin} is `{}`, which names no environment: give environment names \
                 like `prod` or `test,prod`{}",
                inputs.env_var.as_deref().unwrap_or_default(),
                if env_origin == ENV_VAR {
                    ", or unset it"
                } else {
                    ""
                }
            ),
            Reason::DefaultEnvs => format!(
                "default_envs in {} is empty, so there is nothing to check against: list \
                 environments there, or remove it to check every snapshot",
                ctx.project
                    .config_file
                    .as_deref()
                    .map_or_else(|| "hc-schema.toml".to_string(), |p| p.display().to_string())
            ),
            _ => format!("no snapshot to check against: {}", ctx.where_looked()),
        }));
    }
    let mut selected = Vec::new();
    for r in &selection.selected {
        let snapshot = match &given {
            Some((origin, path)) => ctx.load_given(&r.path, origin, path)?,
            None => ctx.load(&r.path)?,
        };
        selected.push((r.clone(), snapshot));
    }
    let mut others = Vec::new();
    let mut unreadable = Vec::new();
    for r in &selection.others {
        // Read as the build reads the directory: a copied snapshot whose "environment" is
        // another's is unreadable there too (attacker finding F6).
        match ctx.load(&r.path) {
            Ok(snapshot) => others.push((r.clone(), snapshot)),
            Err(failure) => unreadable.push((r.clone(), failure.0)),
        }
    }
    Ok((
        selection,
        Loaded {
            selected,
            others,
            unreadable,
        },
    ))
}

/// Run `check`.
pub fn run(manifest: Option<&Path>, args: CheckArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let envs: Vec<String> = args
        .envs
        .iter()
        .flat_map(|e| selection::split_list(e))
        .collect();
    for env in &envs {
        env_name(env, "--env")?;
    }
    if !args.envs.is_empty() && envs.is_empty() {
        return Err(Failure(format!(
            "--env `{}` names no environment: give environment names like `prod` or `test,prod`",
            args.envs.join(",")
        )));
    }
    // The sources are scanned on other threads while the snapshots load.
    let (scan, loaded) = scan_while(&ctx, || {
        select_and_load(&ctx, &envs, args.snapshot.as_deref())
    });
    let (selection, loaded) = loaded?;
    let snapshots: Vec<(&str, &Snapshot)> = loaded
        .selected
        .iter()
        .chain(&loaded.others)
        .map(|(r, s)| (r.env.as_str(), s))
        .collect();
    let mut sources = Sources::check(scan, &ctx, &snapshots);
    if sources.nothing_scanned() && !args.allow_empty {
        return Err(Failure(nothing_checked(&ctx, sources.scan.files)));
    }
    // The builds and `check` must read the same snapshots (a file given by path is the user's
    // choice).
    if selection.reason != Reason::SnapshotVar {
        if let Some(message) = sources.elsewhere_message() {
            return Err(Failure(message));
        }
    }
    // Type drift (and hc_query!'s types) are decided from every snapshot of the directory: one
    // that cannot be read fails the check where columns are read without a Rust type or an
    // hc_query! is typed, as it fails the build.
    if let Some((r, error)) = loaded.unreadable.first() {
        let total = loaded.selected.len() + loaded.others.len() + loaded.unreadable.len();
        if total > 1 && crate::report::reads_untyped(&sources.scan, &sources.uses.usages) {
            return Err(Failure(
                hc_schema_snapshot::typecheck::unreadable_for_drift(&r.env, &r.display, error),
            ));
        }
    }
    let known = loaded.known();
    // hc_query!'s own type errors, as its build finds them (from every snapshot of the
    // directory, shown as the build shows them).
    let directory: Vec<hc_schema_snapshot::typecheck::Known<'_>> = known
        .iter()
        .map(|t| (t.env, t.display, t.snapshot))
        .collect();
    let Sources { scan, sql, .. } = &mut sources;
    let query_types = sql.add_typing(scan, &ctx.project.config, &directory);
    sources.query_types = query_types;
    let strict_access = args.strict_access || selection.strict_access;
    let report = Report::build(
        &ctx.base,
        selection.reason,
        &loaded.selected,
        &known,
        &sources,
        strict_access,
        &ctx.project.config,
    );
    match args.format {
        Format::Json => println!("{:#}", to_json(&report)),
        Format::Github => print_github(&report),
        Format::Sarif => println!("{:#}", sarif::check(&report)),
        Format::Markdown => print!("{}", markdown::check(&report)),
        Format::Human => print_human(&report, args.matrix),
    }
    Ok(ExitCode::from(if report.incomplete() {
        ERROR
    } else if report.failed() {
        FOUND
    } else {
        OK
    }))
}

/// "Nothing was checked": no annotation anywhere, or every file excluded.
pub(crate) fn nothing_checked(ctx: &Context, files: usize) -> String {
    let excluded = &ctx.project.config.check.exclude;
    let exclusions = if excluded.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = excluded.iter().map(|e| e.display().to_string()).collect();
        format!(
            " ([check] exclude in {} skips: {})",
            ctx.project
                .config_file
                .as_deref()
                .map_or_else(|| "hc-schema.toml".to_string(), |p| ctx.show(p)),
            list.join(", ")
        )
    };
    let found = if files == 0 {
        format!(
            "no Rust source file under {}{exclusions}",
            ctx.dir.display()
        )
    } else {
        format!(
            "no #[hc_requires] annotation, hc_sql! query or SQL string in the {} under \
             {}{exclusions}",
            hc_schema_snapshot::text::count(files, "Rust file"),
            ctx.dir.display()
        )
    };
    format!(
        "nothing was checked: {found}; annotate the code that reads Heroku Connect tables, run \
         hc-schema in (or --manifest-path to) the crate that has them, or pass --allow-empty \
         if there is nothing to check on purpose"
    )
}
