//! `hc-schema usages <Object>[.<Field>]` (or `<table>[.<column>]`) and `hc-schema requirements`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::built::{declared_rust_type, BuiltTypes};
use hc_schema_snapshot::manifest::{Manifest, Origin, Site, Usage};
use hc_schema_snapshot::names::is_hc_name;
use hc_schema_snapshot::requirement::{Access, Allowance};
use hc_schema_snapshot::salesforce::{self, ApiName, NameSource};
use hc_schema_snapshot::snapshot::MappingAccess;
use hc_schema_snapshot::sqlcheck::{SqlFindingKind, Subject};
use hc_schema_snapshot::text::count;
use hc_schema_snapshot::uses::UseSite;
use hc_schema_snapshot::Snapshot;
use serde_json::json;

use crate::context::Context;
use crate::sources::{self, scan_while, Sources};
use crate::{format_parser, Failure, Format, Outcome, ERROR, FOUND, OK};

/// `usages` arguments.
#[derive(Args)]
pub struct UsagesArgs {
    /// `Object.Field` as Salesforce names it (`Account.Id`, `Contact.MobilePhone`,
    /// `Account.Loyalty_Tier__c`), `Object`, or the Postgres `table.column`/`table` (any
    /// casing; `account.sfid` is `Account.Id`, and `account.id` all lower case is Heroku
    /// Connect's own key column).
    target: String,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = format_parser(&[Format::Human, Format::Json]))]
    format: Format,
    /// Exit 0 when nothing was scanned (no Rust code touching Heroku Connect) instead of 2.
    #[arg(long)]
    allow_empty: bool,
}

/// `requirements` arguments.
#[derive(Args)]
pub struct RequirementsArgs {
    /// Output format.
    #[arg(long, default_value = "human", value_parser = format_parser(&[Format::Human, Format::Json]))]
    format: Format,
}

/// Parse `Object.Field`, `Object`, `table.column` or `table` into Postgres names, by
/// [`salesforce`]'s reverse mapping (`Account.Id` is column `sfid`; `account.id`, all lower
/// case, is Heroku Connect's own `id` column); anything else is a usage error.
fn parse_target(target: &str) -> Result<(String, Option<String>), Failure> {
    let bad = || {
        Failure(format!(
            "`{}` is not an object, Object.Field, table or table.column: give a name like \
             `Account.Loyalty_Tier__c`, `Contact`, or `account.loyalty_tier__c` (any casing)",
            target.escape_debug()
        ))
    };
    // One token: surrounding blanks are forgiven, blanks inside (`account. name`) are not.
    let trimmed = target.trim();
    let (object, field) = match trimmed.split_once('.') {
        Some((o, f)) => (o, Some(f)),
        None => (trimmed, None),
    };
    let plain = |name: &str| is_hc_name(&name.to_ascii_lowercase());
    if !plain(object) || field.is_some_and(|f| !plain(f)) {
        return Err(bad());
    }
    let table = salesforce::table_of_object(object);
    let column = field.map(|f| {
        if f == "id" {
            "id".to_string()
        } else {
            salesforce::column_of_field(f)
        }
    });
    Ok((table, column))
}

/// The names `usages` shows a column by: `Account.Loyalty_Tier__c` with the guess marked,
/// or `None` for Heroku Connect's own columns (`id`, `_hc_lastop`, `_hc_err`), which are no
/// Salesforce field.
fn field_name(
    table: &str,
    column: &str,
    snapshots: &[&Snapshot],
    usages: &[Usage],
) -> Option<ApiName> {
    if salesforce::is_connect_column(column) {
        return None;
    }
    let written = usages
        .iter()
        .filter(|u| u.table.name == table)
        .flat_map(|u| &u.columns)
        .filter(|spot| spot.name == column)
        .find_map(|spot| spot.written.as_deref());
    Some(salesforce::field_api_name(
        table, column, snapshots, written,
    ))
}

/// One site that needs the subject.
struct Found {
    site: Site,
    column: Option<String>,
    access: Access,
    /// The Rust type the site reads or writes the column with, when it has one.
    rust: Option<String>,
}

/// Run `usages`.
pub fn run(manifest: Option<&Path>, args: UsagesArgs) -> Outcome {
    let (table, column) = parse_target(&args.target)?;
    let ctx = Context::discover(manifest)?;
    // Every snapshot: the context of the SQL checks, and where the subject is mapped.
    let (scan, loaded) = scan_while(&ctx, || {
        ctx.project
            .available_envs()
            .into_iter()
            .map(|env| {
                let snapshot = ctx.load(&ctx.snapshot_path(&env)?)?;
                Ok::<_, Failure>((env, snapshot))
            })
            .collect::<Result<Vec<(String, Snapshot)>, Failure>>()
    });
    let loaded = loaded?;
    let refs: Vec<(&str, &Snapshot)> = loaded.iter().map(|(e, s)| (e.as_str(), s)).collect();
    let sources = Sources::check(scan, &ctx, &refs);
    let conditions = sources.conditions();
    let when = |site: &Site| {
        conditions
            .get(site)
            .map_or(String::new(), |w| format!(" ({w})"))
    };
    if sources.nothing_scanned() && !args.allow_empty {
        return Err(Failure(crate::check::nothing_checked(
            &ctx,
            sources.scan.files,
        )));
    }
    // THE uses of the subject (the library's one list, shared with diff, refresh --check and
    // plan); SQL strings no requirement states are listed apart below, by their lint.
    let uses = &sources.uses;
    let sites: Vec<UseSite<'_>> = match &column {
        Some(column) => uses.column(&table, column),
        None => {
            // Every column named of the table, else the table use itself.
            let mut all: Vec<UseSite<'_>> = Vec::new();
            for usage in uses.usages.iter().filter(|u| u.table.name == table) {
                all.extend(usage.columns.iter().map(|spot| UseSite {
                    site: Site::new(&usage.file, spot),
                    access: usage.access,
                    column: Some(&spot.name),
                    usage: Some(usage),
                    star: false,
                }));
                if usage.columns.is_empty() {
                    all.push(UseSite {
                        site: usage.site(),
                        access: usage.access,
                        column: None,
                        usage: Some(usage),
                        star: false,
                    });
                }
            }
            all.extend(uses.stars_over(&table));
            all
        }
    };
    let used = !sites.is_empty();
    let stars: Vec<Site> = sites
        .iter()
        .filter(|s| s.star)
        .map(|s| s.site.clone())
        .collect();
    let mut found: Vec<Found> = sites
        .iter()
        .filter(|s| !s.star && s.usage.is_some_and(|u| u.origin != Origin::String))
        .map(|s| Found {
            site: s.site.clone(),
            column: s.column.map(str::to_string),
            access: s.access,
            rust: match (s.usage, s.column) {
                (Some(usage), Some(column)) => usage
                    .columns
                    .iter()
                    .find(|c| c.name == column)
                    .and_then(|spot| declared_rust_type(usage, spot)),
                _ => None,
            },
        })
        .collect();
    let mut allowances: Vec<(&Allowance, Site)> = Vec::new();
    for usage in sources.usages.iter().filter(|u| u.table.name == table) {
        for allowance in &usage.allowances {
            let relevant = column
                .as_ref()
                .is_none_or(|c| allowance.columns.contains(c));
            let site = usage.site();
            if relevant
                && !allowances
                    .iter()
                    .any(|(a, s)| *a == allowance && *s == site)
            {
                allowances.push((allowance, site));
            }
        }
    }
    found.sort_by(|a, b| (&a.site, a.access).cmp(&(&b.site, b.access)));
    found.dedup_by(|a, b| a.site == b.site && a.access == b.access);
    allowances.sort_by(|a, b| (&a.1, &a.0.env).cmp(&(&b.1, &b.0.env)));
    let mapped: Vec<(String, bool, Option<MappingAccess>)> = loaded
        .iter()
        .map(|(env, snapshot)| {
            let ok = match &column {
                Some(c) => snapshot.has_column(&table, c),
                None => snapshot.has_table(&table),
            };
            let access = snapshot.table(&table).and_then(|t| t.access);
            (env.clone(), ok, access)
        })
        .collect();
    // The column's type in each environment: what a type change is measured against.
    let types: Vec<(String, Option<String>)> = match &column {
        Some(c) => loaded
            .iter()
            .filter_map(|(env, snapshot)| {
                let found = snapshot.table(&table)?.column(c)?;
                Some((env.clone(), found.data_type.clone()))
            })
            .collect(),
        None => Vec::new(),
    };
    // The names the admin knows (one rule, `salesforce`), with the column alongside.
    let snapshot_refs: Vec<&Snapshot> = loaded.iter().map(|(_, s)| s).collect();
    let written_table = uses
        .usages
        .iter()
        .filter(|u| u.table.name == table)
        .find_map(|u| u.table.written.as_deref());
    let object = salesforce::object_api_name(&table, &snapshot_refs, written_table);
    let field_of = |c: &str| field_name(&table, c, &snapshot_refs, &uses.usages);
    // `Account.Loyalty_Tier__c` (the guess marked), or the column of Heroku Connect's own.
    let field_label = |c: &str, column_shown: &str| match field_of(c) {
        Some(field) => format!(
            "{} ({column_shown})",
            salesforce::qualified(&object, &field)
        ),
        None => format!("{column_shown} (Heroku Connect's own, no Salesforce field)"),
    };
    let subject = match &column {
        Some(c) => field_label(c, &format!("column {table}.{c}")),
        None => format!("{} (table {table})", object.shown()),
    };
    // SQL strings that use the subject although no requirement covers it.
    let is_subject = |s: &Subject| {
        s.table == table && column.as_ref().is_none_or(|c| s.column.as_ref() == Some(c))
    };
    let unchecked: Vec<(Site, &'static str, Access)> = sources
        .sql
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                SqlFindingKind::Undeclared | SqlFindingKind::Unguarded
            )
        })
        .flat_map(|f| {
            f.subjects
                .iter()
                .filter(|s| is_subject(s))
                .map(move |s| (f.site(), f.kind.rule_id(), s.access))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let incomplete = sources.incomplete();
    // SQL the check could not analyse may use the subject: no "safe" over it.
    let skipped = sources.sql.findings.iter().filter(|f| f.unread()).count();
    let sites_of =
        |access: Access| -> Vec<&Found> { found.iter().filter(|f| f.access == access).collect() };
    // The admin's answer, from the same facts as the exit code.
    // The sites listed below, each once (a SQL string counts at the site its finding names).
    let mut evidence: std::collections::BTreeSet<&Site> = found
        .iter()
        .map(|f| &f.site)
        .chain(unchecked.iter().map(|(site, _, _)| site))
        .chain(&stars)
        .collect();
    if evidence.is_empty() {
        evidence = sites.iter().map(|s| &s.site).collect();
    }
    let only_stars = sites.iter().all(|s| s.star) && unchecked.is_empty();
    let (verdict, verdict_text) = if used || !unchecked.is_empty() {
        let text = if only_stars {
            format!(
                "not safe to unmap {subject}: possibly used at {} (a `SELECT *` over {} may \
                 read it by name)",
                count(evidence.len(), "site"),
                object.name
            )
        } else {
            format!(
                "not safe to unmap {subject}: used at {}",
                count(evidence.len(), "site")
            )
        };
        ("not_safe", text)
    } else if incomplete.is_some() {
        (
            "cannot_tell",
            format!(
                "cannot tell whether {subject} is safe to unmap: not every source could be \
                 read, and no use was found in those that could"
            ),
        )
    } else if skipped > 0 {
        (
            "cannot_tell",
            format!(
                "cannot tell whether {subject} is safe to unmap: {} could not be analysed and \
                 may use it (`hc-schema check` shows each)",
                count(skipped, "SQL string")
            ),
        )
    } else if column.as_deref().is_some_and(salesforce::is_connect_column) {
        // No field to unmap: Heroku Connect keeps this column in every mapped table.
        (
            "safe",
            format!(
                "{subject}: no Salesforce field to unmap (the Salesforce Id is {}.Id, column \
                 sfid); no code in the scanned sources uses it",
                object.name
            ),
        )
    } else {
        (
            "safe",
            format!("safe to unmap {subject}: no code in the scanned sources uses it"),
        )
    };
    let subject_field = column.as_deref().and_then(&field_of);
    match args.format {
        Format::Json => {
            let list = |access: Access| -> Vec<serde_json::Value> {
                sites_of(access)
                    .iter()
                    .map(|f| {
                        let field = f.column.as_deref().and_then(&field_of);
                        let mut item = json!({
                            "site": f.site, "column": f.column, "access": f.access, "when": conditions.get(&f.site),
                            "api_name": field.as_ref().map(|n| &n.name),
                            "api_name_source": field.as_ref().map(|n| n.source),
                        });
                        if let Some(rust) = &f.rust {
                            item["rust"] = json!(rust);
                        }
                        item
                    })
                    .collect()
            };
            let mut sites = list(Access::Read);
            sites.extend(list(Access::Write));
            println!(
                "{:#}",
                json!({
                    "format": 1, "table": table, "column": column,
                    "api_name": {
                        "object": object.name, "object_source": object.source,
                        "field": subject_field.as_ref().map(|n| &n.name),
                        "field_source": subject_field.as_ref().map(|n| n.source),
                        "guessed": object.source == NameSource::Guess
                            || subject_field.as_ref().is_some_and(|n| n.source == NameSource::Guess),
                    },
                    "verdict": verdict,
                    "complete": incomplete.is_none(),
                    "sites": sites,
                    "read_sites": sites_of(Access::Read).iter().map(|f| &f.site).collect::<Vec<_>>(),
                    "write_sites": sites_of(Access::Write).iter().map(|f| &f.site).collect::<Vec<_>>(),
                    "allowances": allowances.iter().map(|(a, site)| json!({
                        "env": a.env, "table": a.table, "columns": a.columns, "reason": a.reason, "site": site,
                    })).collect::<Vec<_>>(),
                    "mapped_in": mapped.iter().filter(|(_, ok, _)| *ok).map(|(e, _, _)| e).collect::<Vec<_>>(),
                    "not_mapped_in": mapped.iter().filter(|(_, ok, _)| !*ok).map(|(e, _, _)| e).collect::<Vec<_>>(),
                    "access": mapped.iter().filter_map(|(e, _, a)| a.map(|a| (e.clone(), a))).collect::<std::collections::BTreeMap<_, _>>(),
                    "types": types.iter().map(|(e, t)| (e.clone(), t.clone())).collect::<std::collections::BTreeMap<_, _>>(),
                    "unchecked_sql": unchecked.iter().map(|(site, kind, access)| json!({
                        "site": site, "kind": kind, "access": access,
                    })).collect::<Vec<_>>(),
                    "source_errors": sources.scan.errors,
                    "used": used,
                    "possibly_used_by_star": stars,
                    "skipped_sql": skipped,
                })
            );
        }
        _ => {
            println!("{verdict_text}");
            for (access, verb) in [(Access::Read, "read"), (Access::Write, "written")] {
                let sites = sites_of(access);
                if sites.is_empty() {
                    continue;
                }
                println!("{subject} is {verb} at {}:", count(sites.len(), "site"));
                let line = |f: &Found| {
                    let when = match &f.rust {
                        Some(rust) => format!("{} (as {rust})", when(&f.site)),
                        None => when(&f.site),
                    };
                    format!("{}{when}", f.site)
                };
                if column.is_some() {
                    for f in sites {
                        println!("  {}", line(f));
                    }
                    continue;
                }
                // A whole object: the sites grouped by field, rows without a field last.
                let mut by_field: std::collections::BTreeMap<(bool, Option<&str>), Vec<&Found>> =
                    Default::default();
                for f in sites {
                    let c = f.column.as_deref();
                    by_field.entry((c.is_none(), c)).or_default().push(f);
                }
                for ((_, c), group) in by_field {
                    match c {
                        Some(c) => println!("  {}:", field_label(c, c)),
                        None => println!("  {} (rows, no field named):", object.shown()),
                    }
                    for f in group {
                        println!("    {}", line(f));
                    }
                }
            }
            if !unchecked.is_empty() {
                println!(
                    "{subject} is used by {} that no requirement covers \
                     (`hc-schema check` reports each):",
                    count(unchecked.len(), "SQL string")
                );
                for (site, kind, access) in &unchecked {
                    let verb = if *access == Access::Write {
                        "written"
                    } else {
                        "read"
                    };
                    println!("  {site}  ({verb}; {kind})");
                }
            }
            if !stars.is_empty() {
                println!(
                    "{subject} is possibly used by {} `SELECT *` (any field of {} may be read \
                     by name from its rows):",
                    stars.len(),
                    object.name
                );
                for site in &stars {
                    println!("  possibly used by the `SELECT *` at {site}");
                }
            }
            for (allowance, site) in &allowances {
                println!(
                    "allowed missing in {} at {site}: missing_ok({}, {}({})): \"{}\"",
                    allowance.env,
                    allowance.env,
                    allowance.table,
                    allowance.columns.join(", "),
                    allowance.reason
                );
            }
            let list = |want: bool| {
                let envs: Vec<String> = mapped
                    .iter()
                    .filter(|(_, ok, _)| *ok == want)
                    .map(|(e, _, access)| match access {
                        Some(access) if want => format!("{e} ({access})"),
                        _ => e.clone(),
                    })
                    .collect();
                if envs.is_empty() {
                    "-".to_string()
                } else {
                    envs.join(", ")
                }
            };
            println!("mapped in: {}", list(true));
            println!("not mapped in: {}", list(false));
            // Only when some snapshot records a type (`plan` and `import` say how to add
            // them to one that records none).
            if types.iter().any(|(_, ty)| ty.is_some()) {
                let shown: Vec<String> = types
                    .iter()
                    .map(|(env, ty)| {
                        format!(
                            "{} ({env})",
                            ty.as_deref()
                                .unwrap_or("no type recorded: `hc-schema refresh` adds it")
                        )
                    })
                    .collect();
                println!("type: {}", shown.join(", "));
            }
        }
    }
    // 0 safe to unmap, 1 used or possibly used, 2 cannot tell.
    if let Some(message) = incomplete {
        eprintln!("error: {message}");
        return Ok(ExitCode::from(ERROR));
    }
    if used {
        return Ok(ExitCode::from(FOUND));
    }
    if skipped > 0 {
        eprintln!(
            "error: cannot tell whether {subject} is safe to unmap: {} could not be \
             analysed (`hc-schema check` shows each)",
            count(skipped, "SQL string")
        );
        return Ok(ExitCode::from(ERROR));
    }
    Ok(ExitCode::from(OK))
}

/// Each column's expected Rust types in the requirements JSON: `"rust_types": [{"type":
/// "f64", "sites": [...]}]` on a column some use reads or writes with a Rust type (an
/// `hc_query!` column, a typed declaration); absent otherwise.
fn add_rust_types(json: &mut serde_json::Value, usages: &[Usage]) {
    let built = BuiltTypes::of_usages(usages, &[], &declared_rust_type);
    let Some(tables) = json["requirements"].as_array_mut() else {
        return;
    };
    for table in tables {
        let name = table["table"].as_str().unwrap_or_default().to_string();
        let Some(columns) = table["columns"].as_array_mut() else {
            continue;
        };
        for column in columns {
            let col = column["column"].as_str().unwrap_or_default();
            let mut by_type: std::collections::BTreeMap<&str, Vec<&Site>> = Default::default();
            for t in built.iter().filter(|t| t.table == name && t.column == col) {
                if let Some(rust) = &t.rust {
                    by_type.entry(rust).or_default().push(&t.site);
                }
            }
            if !by_type.is_empty() {
                column["rust_types"] = by_type
                    .iter()
                    .map(|(ty, sites)| json!({"type": ty, "sites": sites}))
                    .collect();
            }
        }
    }
}

/// Every allowance of the code with its site, deduplicated, sorted by site.
fn allowances_of(usages: &[Usage]) -> Vec<(&Allowance, Site)> {
    let mut out: Vec<(&Allowance, Site)> = Vec::new();
    for usage in usages {
        for allowance in &usage.allowances {
            let site = usage.site();
            if !out.iter().any(|(a, s)| *a == allowance && *s == site) {
                out.push((allowance, site));
            }
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0.env).cmp(&(&b.1, &b.0.env)));
    out
}

/// Run `requirements`.
pub fn run_requirements(manifest: Option<&Path>, args: RequirementsArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let sources = sources::read(&ctx);
    if let Some(message) = sources.incomplete() {
        return Err(Failure(message));
    }
    // Every use the scan knows, SQL strings included (the one meaning of "needed").
    let manifest = Manifest::from_usages(&sources.uses.usages);
    let allowances = allowances_of(&sources.usages);
    let conditions = sources.conditions();
    match args.format {
        Format::Json => {
            let mut json = manifest.to_json();
            let mut when: Vec<(&Site, &String)> = conditions.iter().collect();
            when.sort();
            json["conditions"] = when
                .iter()
                .map(|(site, w)| json!({"site": site, "when": w}))
                .collect();
            add_rust_types(&mut json, &sources.uses.usages);
            json["allowances"] = allowances
                .iter()
                .map(|(a, site)| {
                    json!({"env": a.env, "table": a.table, "columns": a.columns, "reason": a.reason, "site": site})
                })
                .collect();
            println!("{json:#}");
        }
        _ => {
            let join = |sites: &[Site]| {
                sites
                    .iter()
                    .map(|site| match conditions.get(site) {
                        Some(when) => format!("{site} ({when})"),
                        None => site.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for (table, needs) in &manifest.tables {
                println!("{table}");
                for (column, needs) in &needs.columns {
                    let mut parts = Vec::new();
                    if !needs.reads.is_empty() {
                        parts.push(format!("read at {}", join(&needs.reads)));
                    }
                    if !needs.writes.is_empty() {
                        parts.push(format!("written at {}", join(&needs.writes)));
                    }
                    println!("  {column}  ({})", parts.join("; "));
                }
                if !needs.row_writes.is_empty() {
                    println!(
                        "  (rows, no column named)  (written at {})",
                        join(&needs.row_writes)
                    );
                }
            }
            if !allowances.is_empty() {
                println!("allowances:");
                for (allowance, site) in &allowances {
                    println!(
                        "  missing_ok({}, {}({})) at {site}: \"{}\"",
                        allowance.env,
                        allowance.table,
                        allowance.columns.join(", "),
                        allowance.reason
                    );
                }
            }
        }
    }
    Ok(ExitCode::from(OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_table_or_table_dot_column() {
        assert_eq!(
            parse_target("Account.Loyalty_Tier__c").ok(),
            Some(("account".into(), Some("loyalty_tier__c".into())))
        );
        assert_eq!(
            parse_target("user").ok().map(|(t, _)| t),
            Some("user".into())
        );
        // API names: the Salesforce `Id` is column `sfid`; `id` all lower case is Heroku
        // Connect's own key column.
        for (target, column) in [
            ("Account.Id", "sfid"),
            ("account.ID", "sfid"),
            ("account.sfid", "sfid"),
            ("account.id", "id"),
            ("Contact.MobilePhone", "mobilephone"),
        ] {
            assert_eq!(
                parse_target(target).ok().and_then(|(_, c)| c).as_deref(),
                Some(column),
                "{target}"
            );
        }
        for bad in [
            "", "account.", ".name", "a.b.c", "acc ount", "\"x\"", "a.b-c", "a .b",
        ] {
            assert!(parse_target(bad).is_err(), "{bad:?}");
        }
    }

    /// Generated targets: no panic, and what is accepted spells the input back (lower case).
    #[test]
    fn generated_targets_round_trip() {
        let pieces = [
            "a", "B", "_", ".", "1", " ", "é", "__c", "-", "\"", "\t", "Id", "id", "iD",
        ];
        let mut rng = hc_schema_tests::rng::Rng::exact(0xfeed_beef);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..rng.below(7) {
                text.push_str(rng.pick(&pieces));
            }
            if let Ok((table, column)) = parse_target(&text) {
                // The Salesforce `Id` (not all lower case) is column `sfid`.
                let lower = text.trim().to_ascii_lowercase();
                let expected = match text.trim().split_once('.') {
                    Some((_, field)) if field.eq_ignore_ascii_case("id") && field != "id" => {
                        format!("{}.sfid", lower.split_once('.').unwrap().0)
                    }
                    _ => lower,
                };
                let spelled = match column {
                    Some(column) => format!("{table}.{column}"),
                    None => table,
                };
                assert_eq!(spelled, expected, "{text:?}");
                assert!(!spelled.contains([' ', '\t']), "{text:?}");
            }
        }
    }
}
