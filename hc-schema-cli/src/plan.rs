//! `hc-schema plan <env> [--export <export.json>] [--out <file>]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::diagnostic::update_command;
use hc_schema_snapshot::import::ExportOrigin;
use hc_schema_snapshot::plan::{apply_to_export_text, plan, NameSource, ObjectChange};
use hc_schema_snapshot::snapshot::{write_atomically, MappingAccess};
use hc_schema_snapshot::uses::Star;
use hc_schema_snapshot::Snapshot;
use serde_json::json;

use crate::context::Context;
use crate::sources::{scan_while, Sources};
use crate::{format_parser, Failure, Format, Outcome, FOUND, OK};

/// `plan` arguments.
#[derive(Args)]
pub struct PlanArgs {
    /// The environment to plan for.
    env: String,
    /// That environment's current mapping export (`heroku connect:export`): write it back
    /// updated with the planned changes, keeping its layout where nothing changes.
    #[arg(long, value_name = "EXPORT_JSON")]
    export: Option<PathBuf>,
    /// Where to write the updated export (default: standard output).
    #[arg(long, value_name = "FILE", requires = "export")]
    out: Option<PathBuf>,
    /// A write to a mapping whose access the snapshot does not record counts as a needed
    /// change (default: listed as a thing to check). Also `[check] strict_access`.
    #[arg(long)]
    strict_access: bool,
    /// Output format of the plan.
    #[arg(long, default_value = "human", value_parser = format_parser(&[Format::Human, Format::Json]))]
    format: Format,
    /// Exit 0 when nothing was scanned (no Rust code touching Heroku Connect) instead of 2.
    #[arg(long)]
    allow_empty: bool,
}

/// Run `plan`.
pub fn run(manifest: Option<&Path>, args: PlanArgs) -> Outcome {
    if args.export.is_some() && args.out.is_none() && args.format == Format::Json {
        return Err(Failure(
            "--format json with --export but without --out would write the plan and the \
             updated export to standard output together: add --out <file>"
                .into(),
        ));
    }
    let ctx = Context::discover(manifest)?;
    let target_path = ctx.snapshot_path(&args.env)?;
    let (scan, loaded) = scan_while(&ctx, || {
        let target = ctx.load(&target_path)?;
        let others: Vec<(String, Snapshot)> = ctx
            .project
            .available_envs()
            .into_iter()
            .filter(|e| *e != args.env)
            .filter_map(|e| {
                Snapshot::load(&ctx.project.snapshot_path(&e))
                    .ok()
                    .map(|s| (e, s))
            })
            .collect();
        Ok::<_, Failure>((target, others))
    });
    let (target, others) = loaded?;
    let mut snapshots: Vec<(&str, &Snapshot)> = vec![(args.env.as_str(), &target)];
    snapshots.extend(others.iter().map(|(e, s)| (e.as_str(), s)));
    let sources = Sources::check(scan, &ctx, &snapshots);
    if let Some(message) = sources.incomplete() {
        return Err(Failure(message));
    }
    if sources.nothing_scanned() && !args.allow_empty {
        return Err(Failure(crate::check::nothing_checked(
            &ctx,
            sources.scan.files,
        )));
    }
    let known: Vec<&Snapshot> = others.iter().map(|(_, s)| s).collect();
    // Every use counts: SQL strings no annotation declares too.
    let changes = plan(&sources.uses.usages, &target, &known);
    let stars = &sources.uses.stars;
    let strict = args.strict_access || ctx.project.config.check.strict_access;
    let needed = changes.iter().any(|c| c.is_needed(strict));
    let status = ExitCode::from(if needed { FOUND } else { OK });

    if let Some(export_path) = &args.export {
        let export_path = ctx.resolve(export_path);
        let shown = ctx.show(&export_path);
        let text = hc_schema_snapshot::read::read_input_text(
            &export_path,
            hc_schema_snapshot::read::MAX_BYTES,
        )
        .map_err(|err| Failure(format!("cannot read {shown}: {err}")))?;
        refuse_other_app(&ctx, &args.env, &target, &text, &shown)?;
        let export = apply_to_export_text(&text, &changes).map_err(|err| {
            Failure(format!(
                "{shown}{}: {}; export the mappings again with `heroku connect:export`",
                err.position
                    .map_or(String::new(), |(line, column)| format!(":{line}:{column}")),
                err.message
            ))
        })?;
        // The export must be one `import` accepts: an export hc-schema cannot read is no
        // export to hand to `heroku connect:import` either.
        let imported =
            hc_schema_snapshot::import::import_export(&text, &shown, &args.env, "salesforce")
                .map_err(|err| Failure(err.to_string()))?;
        refuse_other_mappings(&ctx, &args.env, &target, &imported, &shown)?;
        for skipped in &export.skipped {
            eprintln!("warning: {shown}: {skipped}");
        }
        let updated = export.text;
        match &args.out {
            Some(out) => {
                let out = ctx.resolve(out);
                write_atomically(&out, updated.as_bytes())
                    .map_err(|err| Failure(format!("cannot write {}: {err}", out.display())))?;
                eprintln!(
                    "wrote {} (review it, then `heroku connect:import {}`)",
                    out.display(),
                    out.display()
                );
            }
            None => {
                print!("{updated}");
                eprint!("{}", human(&args.env, &target, &changes, strict, stars));
                eprint!("{}", untyped_note(&args.env, &target));
                return Ok(status);
            }
        }
    }
    match args.format {
        Format::Json => println!(
            "{:#}",
            json!({
                "format": 1, "env": args.env, "needed": needed, "changes": changes,
                "possibly_used": stars.iter().map(|s| json!({
                    "table": s.table, "site": s.site,
                    "columns": target.table(&s.table).map(|t| t.columns.keys().collect::<Vec<_>>()).unwrap_or_default(),
                })).collect::<Vec<_>>(),
                "columns_without_type": untyped_columns(&target),
            })
        ),
        _ => {
            print!("{}", human(&args.env, &target, &changes, strict, stars));
            print!("{}", untyped_note(&args.env, &target));
        }
    }
    Ok(status)
}

/// How many mapped columns of `snapshot` have no type (a snapshot imported from a mapping
/// export records none).
pub(crate) fn untyped_columns(snapshot: &Snapshot) -> usize {
    snapshot
        .tables
        .values()
        .flat_map(|t| t.columns.values())
        .filter(|c| c.data_type.is_none())
        .count()
}

/// The note that a refresh adds the column types a snapshot lacks (empty when it has them).
pub(crate) fn untyped_note(env: &str, snapshot: &Snapshot) -> String {
    match untyped_columns(snapshot) {
        0 => String::new(),
        n => format!(
            "note: {} of {env}'s snapshot {} no type (a mapping export records \
             none): `hc-schema refresh {env}` adds them from the database, so that typed queries \
             and the type checks (build, check, diff, verify) see {env}'s types\n",
            hc_schema_snapshot::text::count(n, "column"),
            if n == 1 { "has" } else { "have" },
        ),
    }
}

/// Refuse an export that is another environment's by the origin it names: its app or
/// connection is not the one `env`'s snapshot was imported from (the clearer message, when
/// the snapshot records one; [`refuse_other_mappings`] decides in every case).
fn refuse_other_app(
    ctx: &Context,
    env: &str,
    target: &Snapshot,
    text: &str,
    shown: &str,
) -> Result<(), Failure> {
    let Some(export) = ExportOrigin::of_text(text).filter(ExportOrigin::is_known) else {
        return Ok(());
    };
    let Some(recorded) = ExportOrigin::of_snapshot(target).filter(ExportOrigin::is_known) else {
        return Ok(());
    };
    if export.differs_from(&recorded) {
        let snapshot_shown = ctx.show(&ctx.snapshot_path(env)?);
        return Err(Failure(format!(
            "{shown} is the export of {}, but {snapshot_shown} (`{env}`) was imported from \
             {}: planning {env}'s changes on another environment's export would write that \
             environment's mappings back; nothing was written; pass {env}'s own export \
             (`heroku connect:export -a <{env}'s app>`); if {env} really moved to {}, import \
             its export first (`hc-schema import {env} --from {shown}`)",
            export.describe(),
            recorded.describe(),
            export.describe(),
        )));
    }
    Ok(())
}

/// How many differences a refusal names before "and N more".
const DIFFERENCES_SHOWN: usize = 3;

/// Refuse an export whose mappings (objects, fields, access) are not the ones `env`'s
/// snapshot records, whatever its app is called: it is another environment's export, or
/// `env` changed since the snapshot, and either way the plan (made from the snapshot) would
/// write wrong mappings back. An export that agrees is safe to update whoever exported it.
fn refuse_other_mappings(
    ctx: &Context,
    env: &str,
    target: &Snapshot,
    imported: &Snapshot,
    shown: &str,
) -> Result<(), Failure> {
    let differences = hc_schema_snapshot::import::mapping_differences(imported, target, env);
    if differences.is_empty() {
        return Ok(());
    }
    let snapshot_shown = ctx.show(&ctx.snapshot_path(env)?);
    let mut named = differences
        .iter()
        .take(DIFFERENCES_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if differences.len() > DIFFERENCES_SHOWN {
        named.push_str(&format!(
            "; and {} more",
            hc_schema_snapshot::text::count(differences.len() - DIFFERENCES_SHOWN, "difference")
        ));
    }
    Err(Failure(format!(
        "{shown} does not match {env}'s snapshot {snapshot_shown} ({named}): it is another \
         environment's export, or {env} changed since the snapshot; nothing was written: pass \
         {env}'s own export (`heroku connect:export -a <{env}'s app>`), or bring {env}'s \
         snapshot up to date first ({})",
        update_command(env, target)
    )))
}

/// The plan for people.
fn human(
    env: &str,
    target: &Snapshot,
    changes: &[ObjectChange],
    strict: bool,
    stars: &[Star],
) -> String {
    use std::fmt::Write as _;
    let update = update_command(env, target);
    let mut out = String::new();
    let needed: Vec<&ObjectChange> = changes.iter().filter(|c| c.is_needed(strict)).collect();
    let to_check: Vec<&ObjectChange> = changes.iter().filter(|c| !c.is_needed(strict)).collect();
    if needed.is_empty() {
        let _ = writeln!(
            out,
            "{env} needs no mapping change: every requirement holds"
        );
    } else {
        let _ = writeln!(out, "mapping changes {env} needs in Heroku Connect:");
    }
    // Known names (a snapshot's, Salesforce's standard ones) need no caveat.
    let source = |s: NameSource| match s {
        NameSource::Snapshot | NameSource::Standard => String::new(),
        other => format!("  [API name {}]", other.describe()),
    };
    for change in &needed {
        let object = format!("{}{}", change.object, source(change.object_source));
        if change.new_mapping {
            let access = if change.read_write {
                "read-write (the code writes it)"
            } else {
                "read-only"
            };
            let _ = writeln!(
                out,
                "  map the new object {object} (table {}), {access}, with fields:",
                change.table
            );
        } else {
            if change.read_write && change.access == Some(MappingAccess::ReadOnly) {
                let _ = writeln!(
                    out,
                    "  {object} (table {}): make the mapping read-write (it is read-only; written at {})",
                    change.table,
                    join(&change.write_sites)
                );
            }
            if change.read_write && change.access.is_none() {
                let _ = writeln!(
                    out,
                    "  {object} (table {}): make sure the mapping is read-write (the snapshot does \
                     not record its access; written at {})",
                    change.table,
                    join(&change.write_sites)
                );
            }
            if !change.fields.is_empty() {
                let _ = writeln!(out, "  {object} (table {}): add fields", change.table);
            }
        }
        for field in &change.fields {
            let _ = writeln!(
                out,
                "    {}  (column {}, needed at {}){}",
                field.field,
                field.column,
                join(&field.sites),
                source(field.source)
            );
        }
    }
    if !needed.is_empty() {
        let _ = writeln!(
            out,
            "then wait for the sync, run {update} and commit the snapshot"
        );
    }
    for star in stars {
        let _ = writeln!(
            out,
            "note: every column of {} is possibly used by the `SELECT *` at {}: keep each \
             mapped in {env} (none is safe to unmap)",
            star.table, star.site
        );
    }
    for change in &to_check {
        let _ = writeln!(
            out,
            "check: the {} mapping (table {}) must be read-write in {env}, and {env}'s snapshot \
             does not record its access (written at {}); {}",
            change.object,
            change.table,
            join(&change.write_sites),
            if hc_schema_snapshot::import::is_imported(target) {
                format!("a new export records it ({update})")
            } else {
                format!("{update} reads it")
            }
        );
    }
    out
}

fn join(sites: &[hc_schema_snapshot::manifest::Site]) -> String {
    sites
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
