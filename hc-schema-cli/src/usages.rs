//! `hc-schema usages <table>[.<column>]` and `hc-schema requirements`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use hc_schema_snapshot::manifest::{location, Manifest};
use hc_schema_snapshot::names::normalize;
use serde_json::json;

use crate::context::Context;
use crate::{Failure, Format, Outcome};

/// `usages` arguments.
#[derive(Args)]
pub struct UsagesArgs {
    /// `table` or `table.column` (any casing).
    target: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// `requirements` arguments.
#[derive(Args)]
pub struct RequirementsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Run `usages`.
pub fn run(manifest: Option<&Path>, args: UsagesArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let (table, column) = match args.target.split_once('.') {
        Some((t, c)) => (normalize(t), Some(normalize(c))),
        None => (normalize(&args.target), None),
    };
    let scan = ctx.scan();
    let mut sites = Vec::new();
    for usage in scan.usages.iter().filter(|u| u.table.name == table) {
        match &column {
            Some(column) => {
                if let Some(spot) = usage.columns.iter().find(|c| &c.name == column) {
                    sites.push((location(&usage.file, spot), column.clone()));
                }
            }
            None => {
                for spot in &usage.columns {
                    sites.push((location(&usage.file, spot), spot.name.clone()));
                }
            }
        }
    }
    sites.sort();
    let mapped: Vec<(String, bool)> = ctx
        .project
        .available_envs()
        .into_iter()
        .map(|env| {
            let snapshot = ctx.load(&ctx.snapshot_path(&env))?;
            let ok = match &column {
                Some(c) => snapshot.has_column(&table, c),
                None => snapshot.has_table(&table),
            };
            Ok::<_, Failure>((env, ok))
        })
        .collect::<Result<_, _>>()?;
    let subject = match &column {
        Some(c) => format!("{table}.{c}"),
        None => table.clone(),
    };
    match args.format {
        Format::Json => println!(
            "{:#}",
            json!({
                "format": 1, "table": table, "column": column,
                "sites": sites.iter().map(|(site, column)| json!({"site": site, "column": column})).collect::<Vec<_>>(),
                "mapped_in": mapped.iter().filter(|(_, ok)| *ok).map(|(e, _)| e).collect::<Vec<_>>(),
                "not_mapped_in": mapped.iter().filter(|(_, ok)| !*ok).map(|(e, _)| e).collect::<Vec<_>>(),
            })
        ),
        _ => {
            if sites.is_empty() {
                println!("no #[hc_requires] in the code needs {subject}: unmapping it breaks no annotated code");
            } else {
                println!("{subject} is required at {} site(s):", sites.len());
                for (site, col) in &sites {
                    if column.is_some() {
                        println!("  {site}");
                    } else {
                        println!("  {site}  ({table}.{col})");
                    }
                }
            }
            let list = |want: bool| {
                let envs: Vec<&str> = mapped
                    .iter()
                    .filter(|(_, ok)| *ok == want)
                    .map(|(e, _)| e.as_str())
                    .collect();
                if envs.is_empty() {
                    "-".to_string()
                } else {
                    envs.join(", ")
                }
            };
            println!("mapped in: {}", list(true));
            println!("not mapped in: {}", list(false));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Run `requirements`.
pub fn run_requirements(manifest: Option<&Path>, args: RequirementsArgs) -> Outcome {
    let ctx = Context::discover(manifest)?;
    let scan = ctx.scan();
    if let Some(error) = scan.errors.iter().find(|e| e.file_unparsed) {
        return Err(Failure(format!(
            "{}:{}:{}: {}",
            error.file, error.line, error.column, error.message
        )));
    }
    let manifest = Manifest::from_usages(&scan.usages);
    match args.format {
        Format::Json => println!("{:#}", manifest.to_json()),
        _ => {
            for (table, columns) in &manifest.tables {
                println!("{table}");
                for (column, needs) in &columns.columns {
                    let sites: Vec<String> = needs.all().map(ToString::to_string).collect();
                    println!("  {column}  ({})", sites.join(", "));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
