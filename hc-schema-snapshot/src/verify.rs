//! Live verify: check the requirements against the live database (feature `fetch`).
//!
//! Meant for Heroku's release phase, which runs on every release including pipeline promotions
//! (which copy the slug without rebuilding): the last chance to stop code that reads a column
//! prod does not map.
//!
//! ```no_run
//! use hc_schema_snapshot::{fetch::ConnectOptions, registry, verify};
//! let options = ConnectOptions::new(std::env::var("DATABASE_URL").unwrap(), "DATABASE_URL");
//! let report = verify::verify(&options, "salesforce", &registry::usages())?;
//! if !report.is_ok() {
//!     eprintln!("{}", report.render());
//!     std::process::exit(1);
//! }
//! # Ok::<(), hc_schema_snapshot::fetch::FetchError>(())
//! ```

use std::fmt::Write as _;

use crate::fetch::{connect, ConnectOptions, Connection, FetchError};
use crate::manifest::{check_usages, location, Usage};
use crate::requirement::Finding;
use crate::snapshot::Snapshot;

/// The outcome of a live verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Credential-free description of the database.
    pub source: String,
    /// The Heroku Connect schema checked.
    pub schema: String,
    /// How many annotation sites were checked.
    pub checked: usize,
    /// Each missing table or column, with the code sites that need it (`file:line:column`).
    pub missing: Vec<(Finding, Vec<String>)>,
}

impl Report {
    /// Whether every requirement holds.
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty()
    }

    /// A human-readable report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.is_ok() {
            let _ = writeln!(
                out,
                "ok: all {} requirement site(s) hold in schema `{}` of {}",
                self.checked, self.schema, self.source
            );
            return out;
        }
        let _ = writeln!(
            out,
            "error: the live schema `{}` of {} lacks {} table(s)/column(s) this code needs:",
            self.schema,
            self.source,
            self.missing.len()
        );
        for (finding, sites) in &self.missing {
            let what = match finding {
                Finding::MissingTable { table } => format!("table `{table}`"),
                Finding::MissingColumn { table, column } => format!("`{table}.{column}`"),
            };
            let _ = writeln!(out, "  {what} is not mapped, needed at:");
            for site in sites {
                let _ = writeln!(out, "    {site}");
            }
        }
        let _ = writeln!(
            out,
            "help: map them in this environment's Heroku Connect and wait for the sync before releasing this code"
        );
        out
    }
}

/// Check `usages` against a snapshot (live or not) and group the findings.
pub fn report(snapshot: &Snapshot, source: &str, usages: &[Usage]) -> Report {
    let mut missing: Vec<(Finding, Vec<String>)> = Vec::new();
    for problem in check_usages(usages, snapshot) {
        let site = location(&problem.usage.file, problem.spot());
        match missing.iter_mut().find(|(f, _)| *f == problem.finding) {
            Some((_, sites)) => {
                if !sites.contains(&site) {
                    sites.push(site)
                }
            }
            None => missing.push((problem.finding.clone(), vec![site])),
        }
    }
    missing.sort();
    Report {
        source: source.to_string(),
        schema: snapshot.schema.clone(),
        checked: usages.len(),
        missing,
    }
}

/// Verify on an open connection: one catalog query in a read-only transaction.
///
/// Empty `usages` are [`FetchError::NothingToVerify`], never a pass: that is what a binary
/// built without `[registry] enabled = true` would hand over.
pub fn verify_connection(
    connection: &mut Connection,
    schema: &str,
    usages: &[Usage],
) -> Result<Report, FetchError> {
    if usages.is_empty() {
        return Err(FetchError::NothingToVerify);
    }
    let snapshot = connection.snapshot("live", schema)?;
    let source = connection.source.clone();
    Ok(report(&snapshot, &source, usages))
}

/// Connect as `options` says and verify `usages` against `schema`. Empty `usages` are
/// [`FetchError::NothingToVerify`], before any connection is made.
///
/// ```
/// use hc_schema_snapshot::{fetch::{ConnectOptions, FetchError}, verify};
/// let options = ConnectOptions::new("postgres://localhost:1/none", "DATABASE_URL");
/// let nothing = verify::verify(&options, "salesforce", &[]);
/// assert!(matches!(nothing, Err(FetchError::NothingToVerify)));
/// ```
pub fn verify(
    options: &ConnectOptions,
    schema: &str,
    usages: &[Usage],
) -> Result<Report, FetchError> {
    if usages.is_empty() {
        return Err(FetchError::NothingToVerify);
    }
    let mut connection = connect(options)?;
    verify_connection(&mut connection, schema, usages)
}
