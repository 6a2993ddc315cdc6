//! `hc-schema refresh <env> [--check]`: read the live schema, write (or compare) the snapshot.
//!
//! `--check` computes exactly the text `refresh` would write (after keeping what the old file
//! knew that Postgres cannot show) and compares it with the file's bytes: it is stale exactly
//! when `refresh` would change the file, and the report shows the changes in words and the
//! lines that would change.

mod changes;
mod linediff;

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::conflict;
use hc_schema_snapshot::diff::{classify, diff, DeviationKind, FailOn, Sides, Summary};
use hc_schema_snapshot::fetch;
use hc_schema_snapshot::snapshot::{write_atomically, MappingAccess};
use hc_schema_snapshot::{Snapshot, SnapshotError};
use serde_json::json;

use crate::context::Context;
use crate::output::{print_json, ReportFormat};
use crate::render::{deviation_summary, render_deviations};
use crate::sources;
use crate::{DbArgs, Failure, Outcome, ERROR, FOUND, OK};

/// `refresh` arguments.
#[derive(Args)]
pub struct RefreshArgs {
    /// The environment (its snapshot is <snapshot_dir>/<env>.json).
    env: String,
    #[command(flatten)]
    db: DbArgs,
    /// Do not write: exit 1, with the changes and the line diff, when `refresh` would change
    /// the committed snapshot.
    #[arg(long)]
    check: bool,
    /// Accept a schema that holds no mapped table (otherwise an error: a snapshot of nothing
    /// makes every check pass).
    #[arg(long)]
    allow_empty: bool,
    /// With --check, what fails (exit 1): `any` change refresh would write (the default: a
    /// stale snapshot is a future false pass), or only `breaking` ones, which some code needs.
    #[arg(long, default_value = "any", value_parser = ["any", "breaking"], requires = "check")]
    fail_on: String,
    /// Write even when the database read is not the one the snapshot came from (its
    /// `source`): the environment's database moved (a new host, a re-provisioned add-on).
    #[arg(long, conflicts_with = "check")]
    force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

/// The database the existing snapshot came from (its `source`), when it is not the one just
/// read (`live`): a refresh from it would replace the environment's snapshot with another
/// database's schema (`DATABASE_URL` of a dev shell taken for prod's), so it needs `--force`.
/// A snapshot imported from a mapping export (`export:<file>`) names no database: refreshing
/// it is the usual next step.
fn other_database(old: Option<&Snapshot>, live: &Snapshot) -> Option<String> {
    let was = old?.source.clone().filter(|s| s.contains("://"))?;
    (live.source.as_deref() != Some(was.as_str())).then_some(was)
}

/// The snapshot file's bytes, if there is one.
fn read_old(ctx: &Context, path: &Path) -> Result<Option<Vec<u8>>, Failure> {
    match hc_schema_snapshot::read::read_regular(path, hc_schema_snapshot::read::MAX_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Failure(format!("cannot read {}: {err}", ctx.show(path)))),
    }
}

/// Load the current snapshot (only needed when the file differs from what Postgres shows).
///
/// A file with git merge-conflict markers (two branches refreshed it) is recovered: both
/// sides are read and merged, so that what Postgres cannot tell (Salesforce API names, an
/// imported access) is kept from either; what could not be kept is printed as a note.
pub(crate) fn load_old(ctx: &Context, path: &Path, env: &str) -> Result<Snapshot, Failure> {
    match Snapshot::load(path) {
        Err(SnapshotError::MergeConflict { .. }) => {
            let shown = ctx.show(path);
            let text = hc_schema_snapshot::read::read_regular_text(
                path,
                hc_schema_snapshot::read::MAX_BYTES,
            )
            .map_err(|err| Failure(format!("cannot read {shown}: {err}")))?;
            let Some(recovery) = conflict::recover(&text, &shown, env) else {
                return ctx.load(path);
            };
            eprintln!(
                "note: {shown} has unresolved git merge-conflict markers: rebuilt, keeping the \
                 API names, types and access both sides knew"
            );
            for lost in &recovery.lost {
                eprintln!("note: not kept: {lost}");
            }
            let mut merged = recovery.merged;
            // The "another database" guard needs the file's source even when it is damaged.
            merged.source = merged.source.or_else(|| written_source(&text));
            Ok(merged)
        }
        // A damaged file: refresh is the fix its error message gives, so rebuild it rather
        // than refuse; say what is lost. (A newer format is refused: never downgrade.)
        Err(err @ SnapshotError::Malformed { .. }) => {
            let shown = ctx.show(path);
            let what = err.to_string().replace(&path.display().to_string(), &shown);
            let what = what
                .split("; fix the file")
                .next()
                .unwrap_or_default()
                .to_string();
            eprintln!(
                "note: {what}: rebuilt; the Salesforce API names, types and access it held are lost \
                 (`hc-schema refresh {env}` and `hc-schema import {env} --from <export.json>` \
                 restore them)"
            );
            let mut rebuilt = Snapshot::new(env, "");
            // The "another database" guard needs the file's source even when it is damaged.
            rebuilt.source = hc_schema_snapshot::read::read_regular_text(
                path,
                hc_schema_snapshot::read::MAX_BYTES,
            )
            .ok()
            .and_then(|text| written_source(&text));
            Ok(rebuilt)
        }
        _ => ctx.load(path),
    }
}

/// The first `"source": "..."` written in a snapshot's text, read without parsing the rest (a
/// file with conflict markers or broken JSON elsewhere still says which database it came
/// from, so that refreshing it from another database needs `--force`).
fn written_source(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find("\"source\"") {
        let after = rest[at + 8..].trim_start();
        if let Some(value) = after.strip_prefix(':') {
            let value = value.trim_start();
            let mut stream = serde_json::Deserializer::from_str(value).into_iter::<String>();
            if let Some(Ok(source)) = stream.next() {
                return Some(source);
            }
        }
        rest = &rest[at + 8..];
    }
    None
}

/// Free nothing: the process exits right after the command, and freeing tens of thousands of
/// small allocations one by one would cost more than the rest of refresh's own work.
fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Run `refresh`.
pub fn run(manifest: Option<&Path>, args: RefreshArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let options = ctx.connect_options(Some(&args.env), &args.db)?;
    let schema = ctx.schema(&args.env, &args.db);
    let path = ctx.snapshot_path(&args.env)?;
    let shown = ctx.show(&path);
    let live = fetch::fetch(&options, &args.env, &schema)?;
    if !args.allow_empty {
        live.require_tables()?;
    }
    // What refresh writes: the live schema, plus what the old file knew that Postgres cannot
    // show (API names from an import, access where no logger function tells). When the file
    // already holds exactly the live schema, there is nothing to keep and nothing to parse.
    let old_bytes = read_old(&ctx, &path)?;
    let mut snapshot = live.snapshot;
    let mut text = snapshot.to_json();
    let mut old = None;
    if old_bytes.as_deref().is_some_and(|b| b != text.as_bytes()) {
        let previous = load_old(&ctx, &path, &args.env)?;
        snapshot.fill_from(&previous);
        text = snapshot.to_json();
        old = Some(previous);
    }
    let moved = other_database(old.as_ref(), &snapshot);
    if args.check {
        let outcome = check(
            &ctx,
            &args,
            &shown,
            old_bytes.as_deref(),
            old.as_ref(),
            &snapshot,
            &text,
        );
        keep_until_exit((snapshot, old, text));
        return outcome;
    }
    if let (Some(was), false) = (&moved, args.force) {
        return Err(Failure(format!(
            "{} (from {}) is not the database {shown} came from ({was}): refreshing would \
             replace `{}`'s snapshot with another database's schema, so nothing was written. \
             Check which URL `{}` should use ([env.{}] database_url_env in hc-schema.toml, \
             {}, --database-url); if `{}`'s database really moved, run again with --force",
            snapshot.source.as_deref().unwrap_or("the database read"),
            options.origin,
            args.env,
            args.env,
            args.env,
            hc_schema_snapshot::config::conventional_url_var(&args.env),
            args.env,
        )));
    }
    let changed = old_bytes.as_deref() != Some(text.as_bytes());
    if changed {
        write_atomically(&path, text.as_bytes()).map_err(|err| {
            Failure(format!(
                "cannot write {shown}: {err} (the previous file, if any, is unchanged)"
            ))
        })?;
    }
    let non_hc = snapshot.non_hc_names();
    let source = snapshot.source.clone().unwrap_or_default();
    match args.format {
        ReportFormat::Json => print_json(&json!({
            "file": shown,
            "environment": args.env,
            "schema": schema,
            "source": source,
            "written": changed,
            "tables": snapshot.tables.len(),
            "columns": snapshot.column_count(),
            "access": access_counts(&snapshot),
            "non_hc_names": non_hc,
        })),
        ReportFormat::Human => {
            let (ro, rw, unknown) = access_counts_tuple(&snapshot);
            println!(
                "{} {shown}: {} tables, {} columns of schema `{schema}` from {source} (access: {ro} read-only, {rw} read-write, {unknown} unknown)",
                if changed { "wrote" } else { "unchanged" },
                snapshot.tables.len(),
                snapshot.column_count(),
            );
            if !non_hc.is_empty() {
                println!("{}", non_hc_note(&schema, &non_hc));
            }
        }
    }
    keep_until_exit((snapshot, old, text));
    Ok(ExitCode::SUCCESS)
}

/// `--check`: compare what refresh would write with the file, byte for byte. When it
/// differs, the tables and columns that appear or disappear are classified against the
/// code's requirements (breaking: code needs what the live schema lacks) and `--fail-on`
/// decides the exit status.
fn check(
    ctx: &Context,
    args: &RefreshArgs,
    shown: &str,
    old_bytes: Option<&[u8]>,
    old: Option<&Snapshot>,
    snapshot: &Snapshot,
    text: &str,
) -> Outcome {
    let schema = &snapshot.schema;
    let source = snapshot.source.clone().unwrap_or_default();
    let Some(old_bytes) = old_bytes else {
        return Err(Failure(format!(
            "{shown} does not exist; create it with `hc-schema refresh {}` and commit it",
            args.env
        )));
    };
    let up_to_date = old_bytes == text.as_bytes();
    let fail_on: FailOn = args.fail_on.parse().map_err(Failure)?;
    // `old` is loaded whenever the file differs from the live schema.
    let changes = old.map_or_else(Vec::new, |old| changes::changes(old, snapshot));
    // Tables, columns, types and access that differ, against what the code needs; only the
    // live side counts (the file is what is being replaced).
    let (deviations, incomplete, unread) = match old {
        Some(old) if !up_to_date => {
            let sources = sources::read(ctx);
            let mut deviations = diff(old, snapshot, &[]);
            classify(
                &mut deviations,
                &sources.uses,
                Sides {
                    a: None,
                    b: Some(&args.env),
                },
            );
            // Nothing scanned: no evidence that any change is harmless (`--fail-on breaking`
            // cannot pass then).
            let nothing = (fail_on == FailOn::Breaking && sources.nothing_scanned()).then(|| {
                format!(
                    "no code was scanned (no #[hc_requires], hc_sql! or SQL string in the {} \
                     under {}), so what it needs is unknown",
                    hc_schema_snapshot::text::count(sources.scan.files, "Rust file"),
                    ctx.dir.display()
                )
            });
            // SQL the scan could not read may use what changed: under `--fail-on breaking`
            // no change is harmless beside it (under `any` a stale file fails anyway).
            let summary = Summary::of(&deviations);
            let unread = (fail_on == FailOn::Breaking && summary.breaking == 0)
                .then(|| sources.cannot_tell(summary.harmless))
                .flatten();
            (deviations, sources.incomplete().or(nothing), unread)
        }
        _ => (Vec::new(), None, None),
    };
    let summary = Summary::of(&deviations);
    // The field changes the deviations do not show (nullability, API names, source, ...).
    let shown_as_deviation = |c: &changes::Change| match c.what {
        "added" | "removed" | "access" => true,
        // diff() compares types only where both sides know one.
        "type" => deviations.iter().any(|d| {
            matches!(d.kind, DeviationKind::TypeDiffers { .. })
                && Some(&d.table) == c.table.as_ref()
                && d.column == c.column
        }),
        _ => false,
    };
    let other_changes: Vec<changes::Change> = changes
        .iter()
        .filter(|c| !shown_as_deviation(c))
        .cloned()
        .collect();
    let old_text = String::from_utf8_lossy(old_bytes);
    let diff = linediff::unified(&old_text, text, 2);
    let non_hc = snapshot.non_hc_names();
    match args.format {
        ReportFormat::Json => print_json(&json!({
            "file": shown,
            "environment": args.env,
            "schema": schema,
            "source": source,
            "up_to_date": up_to_date,
            "fail_on": args.fail_on,
            "summary": summary,
            "deviations": deviations,
            "complete": incomplete.is_none() && unread.is_none(),
            "changes": changes,
            "diff": diff,
            "non_hc_names": non_hc,
            "other_database": other_database(old, snapshot),
        })),
        ReportFormat::Human if up_to_date => {
            println!("{shown} is up to date with {source} (schema `{schema}`)");
        }
        ReportFormat::Human => {
            println!(
                "{shown} is stale: `hc-schema refresh {}` would change it (- only in the snapshot, + only live, ~ changed):",
                args.env
            );
            print!("{}", render_deviations(&deviations, "snapshot", "live"));
            print!("{}", changes::render(&other_changes));
            if !deviations.is_empty() {
                println!("{}", deviation_summary(&deviations));
            }
            if diff.is_empty() {
                println!("the file differs only in line endings or its final newline");
            } else {
                println!("the lines refresh would change in {shown}:");
                print!("{diff}");
            }
            match other_database(old, snapshot) {
                Some(was) => println!(
                    "note: this is not the database {shown} came from ({was}, now {source}): check \
                     the URL; if `{}`'s database really moved, run `hc-schema refresh {} --force` \
                     and commit {shown}",
                    args.env, args.env
                ),
                None => println!("run `hc-schema refresh {}` and commit {shown}", args.env),
            }
        }
    }
    if args.format == ReportFormat::Human && !non_hc.is_empty() {
        println!("{}", non_hc_note(schema, &non_hc));
    }
    if up_to_date {
        return Ok(ExitCode::from(OK));
    }
    if let Some(message) = incomplete {
        eprintln!(
            "error: {message}; a change shown as harmless may be needed by the code that was not read"
        );
        if fail_on == FailOn::Breaking {
            return Ok(ExitCode::from(ERROR));
        }
    }
    if let Some(message) = unread {
        eprintln!("error: {message}");
        return Ok(ExitCode::from(ERROR));
    }
    // Under `any`, a stale file fails even when no deviation is listed (an API name, a
    // nullability or the source changed): refresh would write it.
    let fails = match fail_on {
        FailOn::Any => true,
        FailOn::Breaking => summary.breaking > 0,
    };
    Ok(ExitCode::from(if fails { FOUND } else { OK }))
}

fn non_hc_note(schema: &str, names: &[String]) -> String {
    format!(
        "note: {} in schema `{schema}` {} not {} (Heroku Connect creates only lower-case names), so no requirement ever matches {}: {}",
        hc_schema_snapshot::text::count(names.len(), "name"),
        hc_schema_snapshot::text::is_are(names.len()),
        if names.len() == 1 { "a Heroku Connect name" } else { "Heroku Connect names" },
        if names.len() == 1 { "it" } else { "them" },
        names.join(", ")
    )
}

fn access_counts_tuple(snapshot: &Snapshot) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for table in snapshot.tables.values() {
        match table.access {
            Some(MappingAccess::ReadOnly) => counts.0 += 1,
            Some(MappingAccess::ReadWrite) => counts.1 += 1,
            None => counts.2 += 1,
        }
    }
    counts
}

fn access_counts(snapshot: &Snapshot) -> serde_json::Value {
    let (ro, rw, unknown) = access_counts_tuple(snapshot);
    json!({ "read_only": ro, "read_write": rw, "unknown": unknown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_read_from_a_damaged_file() {
        let text = "{\n  \"format\": 1,\n<<<<<<< HEAD\n  \"source\": \"postgres://h:5432/proddb\",\n=======\n";
        assert_eq!(
            written_source(text).as_deref(),
            Some("postgres://h:5432/proddb")
        );
        assert_eq!(
            written_source("{\"source\": 3, \"x\": {\"source\": \"a\"}"),
            Some("a".into())
        );
        assert_eq!(written_source("{\"source\": \"unterminated"), None);
        assert_eq!(written_source(""), None);
    }
}
