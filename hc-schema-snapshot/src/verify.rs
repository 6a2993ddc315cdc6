//! Live verify: check the requirements against the live database (feature `fetch`).
//!
//! Meant for Heroku's release phase, which runs on every release including pipeline promotions
//! (which copy the slug without rebuilding): the last chance to stop code that reads a column
//! prod does not map.
//!
//! The API is hard to misuse: [`verify`] returns `Ok` only when every requirement holds.
//! Missing columns, a write to a read-only mapping, nothing to verify and connection failures
//! are all an `Err`, so `verify(...)?` in a `main` returning `Result` stops the release.
//! [`VerifyError::exit_code`] gives the exit status (1 a requirement fails, 2 everything else),
//! and [`release_phase`] does the whole job in one call.
//!
//! ```no_run
//! use hc_schema_snapshot::{fetch::ConnectOptions, registry, verify};
//!
//! fn main() -> Result<(), verify::VerifyError> {
//!     let options = ConnectOptions::new(std::env::var("DATABASE_URL").unwrap_or_default(), "DATABASE_URL");
//!     // Err when a column is missing, or its type is not the one the code was built
//!     // against: the release stops.
//!     let report = verify::verify(&options, "salesforce", &registry::usages())?;
//!     print!("{}", report.render());
//!     Ok(())
//! }
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::built::{incompatible, BuiltTypes};
use crate::fetch::{fetch, ConnectOptions, DatabaseUrl, FetchError, SslMode};
use crate::manifest::{check_usages, stale_allowances, Site, Usage};
use crate::requirement::Finding;
use crate::snapshot::Snapshot;
use crate::verdict::Status;

/// One finding of a verify, with the code sites that need what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What is missing (or read-only).
    pub finding: Finding,
    /// The code sites, sorted by file, line and column.
    pub sites: Vec<Site>,
    /// For an allowed finding: the allowance's reason.
    pub reason: Option<String>,
    /// The finding explained by the one judge the build uses ([`crate::verdict::Judge`]),
    /// when the verify judged it there (a schema qualifier, [`judge_qualifiers`]): shown in
    /// the build's words.
    pub explanation: Option<crate::diagnostic::Explanation>,
}

/// A column whose live type is not one the code was built against (issue 21): the code
/// would fail to read (or write) it at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeEntry {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The type the code was built against and the environment whose snapshot had it
    /// (`double precision`, `test`); for a use with a Rust type, every built type.
    pub built: String,
    /// The Rust type the code reads or writes the column with, when the use has one.
    pub rust: Option<String>,
    /// The live type.
    pub live: String,
    /// The code sites, sorted.
    pub sites: Vec<Site>,
}

impl TypeEntry {
    /// One line: `` `account.annualrevenue` is character varying(255) here, but this code
    /// was built against double precision (test) ``.
    pub fn describe(&self) -> String {
        let how = match &self.rust {
            Some(rust) => format!(" and reads it as {rust}, which does not read {}", self.live),
            None => String::new(),
        };
        format!(
            "`{}.{}` is {} here, but this code was built against {}{how}",
            self.table, self.column, self.live, self.built
        )
    }
}

/// The outcome of a live verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a Report describes the outcome; `verify` already returned Err if anything failed"]
pub struct Report {
    /// Credential-free description of the database.
    pub source: String,
    /// The Heroku Connect schema checked.
    pub schema: String,
    /// The environment name the allowances are matched against.
    pub env: String,
    /// How many requirement sites were checked.
    pub checked: usize,
    /// Findings that fail: missing tables or columns, writes to read-only mappings.
    pub failures: Vec<Entry>,
    /// Findings the code allows (`missing_ok`), with their reasons: not failures, but never
    /// reported as ok.
    pub allowed: Vec<Entry>,
    /// Writes to tables whose mapping access the database does not show (no Heroku Connect
    /// trigger): notes.
    pub notes: Vec<Entry>,
    /// Allowances that cover nothing here (every column is mapped): remove them.
    pub stale: Vec<(Site, String)>,
    /// Columns whose live type is not one the code was built against: failures.
    pub type_failures: Vec<TypeEntry>,
    /// Columns whose types were not recorded (`table.column` and the site): their names were
    /// checked, their types not (a binary built by an hc-schema without type records, or
    /// snapshots without types). Notes, never called checked.
    pub types_unchecked: Vec<(String, Site)>,
    /// Sites of registry records that do not say which schema their SQL qualified tables with
    /// (a binary built by an hc-schema that did not record qualifiers): not checked, named.
    pub qualifiers_unrecorded: Vec<Site>,
    /// SQL strings of the code that its build could not read (the registry's
    /// [`crate::registry::Qualifiers::unread`]), with why: not checked here, named in a
    /// warning.
    pub sql_unread: Vec<(Site, String)>,
    /// A site of each registry record whose crate sets `[check] unguarded = "warn"` (the
    /// registry's [`crate::registry::Qualifiers::unguarded_warn`]): that crate's SQL strings
    /// outside `hc_sql!` and annotated items reach no macro, so nothing here checks them;
    /// named in a warning (the CLI's `hc-schema verify`, which scans the source, checks them).
    pub unguarded_warn: Vec<Site>,
}

impl Report {
    /// Whether every requirement holds (allowed findings do not fail).
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty() && self.type_failures.is_empty()
    }

    /// `Ok(self)` when every requirement holds, else `Err(VerifyError::Failed)`.
    pub fn into_result(self) -> Result<Report, VerifyError> {
        if self.is_ok() {
            Ok(self)
        } else {
            Err(VerifyError::Failed(Box::new(self)))
        }
    }

    /// The report as JSON (stable field names, for tools):
    ///
    /// ```text
    /// {"ok": false, "source": "postgres://h:5432/d", "schema": "salesforce", "env": "prod",
    ///  "checked": 3,
    ///  "failures": [{"kind": "missing_column", "table": "account", "column": "x",
    ///                "sites": ["src/a.rs:4:29"]}],
    ///  "allowed": [{..., "reason": "..."}], "notes": [...],
    ///  "stale_allowances": [{"site": "src/a.rs:9:1", "reason": "..."}],
    ///  "type_failures": [{"kind": "type_differs", "table": "account", "column": "x",
    ///                     "built": "double precision (test)", "rust": "f64",
    ///                     "live": "character varying(255)", "sites": ["src/a.rs:4:29"]}],
    ///  "types_unchecked": [{"column": "account.y", "site": "src/b.rs:3:9"}]}
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        let entries = |list: &[Entry]| -> Vec<serde_json::Value> {
            list.iter()
                .map(|entry| {
                    let mut value =
                        serde_json::to_value(&entry.finding).unwrap_or(serde_json::Value::Null);
                    if let Some(object) = value.as_object_mut() {
                        object.insert(
                            "sites".into(),
                            serde_json::Value::from(
                                entry
                                    .sites
                                    .iter()
                                    .map(|s| s.to_string())
                                    .collect::<Vec<_>>(),
                            ),
                        );
                        if let Some(reason) = &entry.reason {
                            object.insert("reason".into(), reason.clone().into());
                        }
                        if let Some(explanation) = &entry.explanation {
                            object.insert("message".into(), explanation.message.clone().into());
                        }
                    }
                    value
                })
                .collect()
        };
        serde_json::json!({
            "ok": self.is_ok(),
            "source": self.source,
            "schema": self.schema,
            "env": self.env,
            "checked": self.checked,
            "failures": entries(&self.failures),
            "allowed": entries(&self.allowed),
            "notes": entries(&self.notes),
            "stale_allowances": self.stale.iter().map(|(site, reason)| serde_json::json!({
                "site": site.to_string(),
                "reason": reason,
            })).collect::<Vec<_>>(),
            "type_failures": self.type_failures.iter().map(|entry| serde_json::json!({
                "kind": "type_differs",
                "table": entry.table,
                "column": entry.column,
                "built": entry.built,
                "rust": entry.rust,
                "live": entry.live,
                "sites": entry.sites.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "types_unchecked": self.types_unchecked.iter().map(|(subject, site)| serde_json::json!({
                "column": subject,
                "site": site.to_string(),
            })).collect::<Vec<_>>(),
            "qualifiers_unrecorded": self.qualifiers_unrecorded.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "sql_unread": self.sql_unread.iter().map(|(site, why)| serde_json::json!({
                "site": site.to_string(),
                "why": why,
            })).collect::<Vec<_>>(),
            "unguarded_warn": self.unguarded_warn.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        })
    }

    /// A human-readable report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.is_ok() {
            let _ = writeln!(
                out,
                "ok: {} in schema `{}` of {}{}",
                match self.checked {
                    1 => "the 1 requirement site holds".to_string(),
                    n => format!("all {n} requirement sites hold"),
                },
                self.schema,
                self.source,
                if self.allowed.is_empty() {
                    String::new()
                } else {
                    format!(", {} by allowance only", self.allowed.len())
                }
            );
            if !self.sql_unread.is_empty() {
                let _ = writeln!(
                    out,
                    "  ({} not checked: the build could not read {}, see the warning)",
                    crate::text::count(self.sql_unread.len(), "SQL string"),
                    if self.sql_unread.len() == 1 {
                        "it"
                    } else {
                        "them"
                    }
                );
            }
            if !self.unguarded_warn.is_empty() {
                let _ = writeln!(
                    out,
                    "  (SQL strings outside `hc_sql!` and annotated items not checked: \
                     `unguarded = \"warn\"`, see the warning)"
                );
            }
            if !self.types_unchecked.is_empty() {
                let _ = writeln!(
                    out,
                    "  (names only for {}: their types were not recorded, see the note)",
                    crate::text::count(self.types_unchecked.len(), "column use")
                );
            }
        } else {
            let _ = writeln!(
                out,
                "error: the live schema `{}` of {} fails {} of this code:",
                self.schema,
                self.source,
                crate::text::count(
                    self.failures.len() + self.type_failures.len(),
                    "requirement"
                )
            );
            for entry in &self.failures {
                let _ = writeln!(out, "  {}, needed at:", entry.describe());
                for site in &entry.sites {
                    let _ = writeln!(out, "    {site}");
                }
                if let Some(explanation) = &entry.explanation {
                    for note in &explanation.notes {
                        let _ = writeln!(out, "    = note: {note}");
                    }
                    for help in &explanation.helps {
                        let _ = writeln!(out, "    = help: {help}");
                    }
                }
            }
            for entry in &self.type_failures {
                let _ = writeln!(out, "  {}, needed at:", entry.describe());
                for site in &entry.sites {
                    let _ = writeln!(out, "    {site}");
                }
            }
        }
        for entry in &self.allowed {
            let _ = writeln!(
                out,
                "allowed: {} (reason: {}), at:",
                entry.describe(),
                entry.reason.as_deref().unwrap_or_default()
            );
            for site in &entry.sites {
                let _ = writeln!(out, "    {site}");
            }
        }
        for entry in &self.notes {
            let _ = writeln!(out, "note: {}, at:", entry.describe());
            for site in &entry.sites {
                let _ = writeln!(out, "    {site}");
            }
        }
        for (site, reason) in &self.stale {
            let _ = writeln!(
                out,
                "note: the allowance at {site} (\"{reason}\") covers nothing here: every column it lists is mapped; remove it"
            );
        }
        if !self.types_unchecked.is_empty() {
            let mut subjects: Vec<&str> = self
                .types_unchecked
                .iter()
                .map(|(subject, _)| subject.as_str())
                .collect();
            subjects.dedup();
            let _ = writeln!(
                out,
                "note: column types were not recorded for {} (a binary built by an hc-schema that does not record them, or snapshots without types, such as imported ones): their names were checked, their types were not; `hc-schema refresh <env>` and a rebuild record them",
                subjects.join(", ")
            );
        }
        if !self.sql_unread.is_empty() {
            // One site a line (a long list on one line cannot be read in a deploy log).
            let one = self.sql_unread.len() == 1;
            let _ = writeln!(
                out,
                "warning: {} of this code could not be read by its build (hc-schema cannot \
                 analyse {}), so {} tables and columns are checked nowhere, here neither:",
                crate::text::count(self.sql_unread.len(), "SQL string"),
                if one { "it" } else { "them" },
                if one { "its" } else { "their" },
            );
            for (site, why) in &self.sql_unread {
                let _ = writeln!(out, "    {site} ({why})");
            }
            let _ = writeln!(
                out,
                "  = help: write {} as `hc_sql!` (which refuses SQL it cannot read) or declare \
                 what {} uses in the annotation",
                if one { "it" } else { "them" },
                if one { "it" } else { "each" },
            );
        }
        if !self.unguarded_warn.is_empty() {
            let _ = writeln!(
                out,
                "warning: SQL strings outside `hc_sql!` and annotated items are checked nowhere \
                 here: the code at these sites was built with `[check] unguarded = \"warn\"`, \
                 which lets such strings build without registering them, so this binary does \
                 not know them:"
            );
            for site in &self.unguarded_warn {
                let _ = writeln!(out, "    {site}");
            }
            let _ = writeln!(
                out,
                "  = help: run `hc-schema verify` from the source tree (it scans every string), \
                 or set `unguarded = \"error\"` and annotate or `hc_sql!` them"
            );
        }
        if !self.qualifiers_unrecorded.is_empty() {
            let _ = writeln!(
                out,
                "note: schema qualifiers were not recorded for the code at {} (a binary built by an hc-schema that does not record them): a table its SQL names as `schema.table` was not checked against the schema `{}`; a rebuild records them",
                self.qualifiers_unrecorded
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                self.schema
            );
        }
        if self.failures.iter().any(|e| e.explanation.is_none()) {
            let _ = writeln!(
                out,
                "help: map them (or make the mappings read-write) in this environment's Heroku Connect and wait for the sync before releasing this code"
            );
        }
        if !self.type_failures.is_empty() {
            let _ = writeln!(
                out,
                "help: the code would fail to read these columns at run time: make each column's type the one the code was built against (Heroku Connect: unmap and remap the field), or refresh the snapshots and rebuild the code against the new type"
            );
        }
        out
    }
}

impl Entry {
    /// The finding in one line: the judge's message when the verify judged it there
    /// ([`Entry::explanation`]), else the name report's wording.
    pub fn describe(&self) -> String {
        match &self.explanation {
            Some(explanation) => explanation.message.clone(),
            None => describe(&self.finding),
        }
    }
}

fn describe(finding: &Finding) -> String {
    match finding {
        Finding::MissingTable { table } => format!("table `{table}` is not mapped"),
        Finding::MissingColumn { table, column } => format!("`{table}.{column}` is not mapped"),
        Finding::ReadOnly { table, .. } => {
            format!("`{table}` is mapped read-only but this code writes it")
        }
        Finding::AccessUnknown { table } => {
            format!("this code writes `{table}`, whose mapping access is unknown")
        }
        Finding::TypeMismatch {
            table,
            column,
            rust,
            found,
        } => format!("`{table}.{column}` is {found}, which `{rust}` does not read"),
        Finding::TypeUnknown { table, column, .. } => {
            format!("the type of `{table}.{column}` is unknown")
        }
        Finding::UncheckedType {
            table,
            column,
            rust,
            ..
        } => format!("`{table}.{column}` is read as `{rust}`, a type hc-schema does not check"),
        Finding::TypeDrift { table, column, .. } => {
            format!("the type of `{table}.{column}` differs between environments")
        }
        // Judged by `judge_qualifiers`, which carries the judge's explanation.
        Finding::WrongSchema { .. } => format!("`{}`", finding.subject()),
    }
}

/// Why a verify did not pass.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The database could not be read, or there was nothing to verify.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A requirement fails: the report says which, and where the code needs it.
    #[error("{}", .0.render().trim_end())]
    Failed(Box<Report>),
}

impl VerifyError {
    /// The exit status for this failure: 1 when a requirement fails, 2 for a connection,
    /// input or setup error (including "nothing to verify").
    pub fn exit_code(&self) -> u8 {
        match self {
            VerifyError::Failed(_) => 1,
            VerifyError::Fetch(_) => 2,
        }
    }
}

/// Check `usages` against a snapshot (live or not) of environment `env` and group the
/// findings. This never fails; [`Report::into_result`] turns it into a verdict. Column types
/// are not compared ([`report_typed`] does): every column's type is reported as not checked.
pub fn report(snapshot: &Snapshot, env: &str, source: &str, usages: &[Usage]) -> Report {
    report_typed(snapshot, env, source, usages, &BuiltTypes::none())
}

/// [`report`], and each column's type in `snapshot` compared with the types the code was
/// built against (`built`, by THE rule [`incompatible`]): a column whose type breaks the use
/// is a type failure; a column without recorded types is listed as not checked.
pub fn report_typed(
    snapshot: &Snapshot,
    env: &str,
    source: &str,
    usages: &[Usage],
    built: &BuiltTypes,
) -> Report {
    let mut report = names_report(snapshot, env, source, usages);
    let mut type_failures: Vec<TypeEntry> = Vec::new();
    let mut unchecked: Vec<(String, Site)> = Vec::new();
    for usage in usages {
        let Some(table) = snapshot.table(&usage.table.name) else {
            continue;
        };
        for spot in &usage.columns {
            // A missing column is a name failure already.
            let Some(live) = table.column(&spot.name) else {
                continue;
            };
            let subject = format!("{}.{}", usage.table.name, spot.name);
            let site = Site::new(&usage.file, spot);
            let Some(types) = built.get(usage, spot).filter(|t| t.is_typed()) else {
                unchecked.push((subject, site));
                continue;
            };
            let Some(live_type) = &live.data_type else {
                unchecked.push((subject, site));
                continue;
            };
            let Some(found) = incompatible(types, live_type) else {
                continue;
            };
            let built_shown = match &found.built {
                Some(env) => format!(
                    "{} ({})",
                    env.spelling.as_deref().unwrap_or_default(),
                    env.env
                ),
                None => types.shown(),
            };
            match type_failures.iter_mut().find(|e| {
                e.table == usage.table.name
                    && e.column == spot.name
                    && e.built == built_shown
                    && e.rust == found.rust
            }) {
                Some(entry) => {
                    if !entry.sites.contains(&site) {
                        entry.sites.push(site);
                    }
                }
                None => type_failures.push(TypeEntry {
                    table: usage.table.name.clone(),
                    column: spot.name.clone(),
                    built: built_shown,
                    rust: found.rust,
                    live: live_type.clone(),
                    sites: vec![site],
                }),
            }
        }
    }
    for entry in &mut type_failures {
        entry.sites.sort();
    }
    type_failures
        .sort_by(|a, b| (&a.table, &a.column, &a.built).cmp(&(&b.table, &b.column, &b.built)));
    unchecked.sort();
    unchecked.dedup();
    report.type_failures = type_failures;
    report.types_unchecked = unchecked;
    report
}

fn names_report(snapshot: &Snapshot, env: &str, source: &str, usages: &[Usage]) -> Report {
    let mut failures: Vec<Entry> = Vec::new();
    let mut allowed: Vec<Entry> = Vec::new();
    let mut notes: Vec<Entry> = Vec::new();
    for problem in check_usages(usages, env, snapshot) {
        let site = problem.site();
        let reason = problem.allowed.map(|allowance| allowance.reason.clone());
        let list = match problem.status(false) {
            Status::Allowed => &mut allowed,
            Status::Fails => &mut failures,
            Status::Note => &mut notes,
        };
        match list
            .iter_mut()
            .find(|e| e.finding == problem.finding && e.reason == reason)
        {
            Some(entry) => {
                if !entry.sites.contains(&site) {
                    entry.sites.push(site);
                }
            }
            None => list.push(Entry {
                finding: problem.finding.clone(),
                sites: vec![site],
                reason,
                explanation: None,
            }),
        }
    }
    for list in [&mut failures, &mut allowed, &mut notes] {
        for entry in list.iter_mut() {
            entry.sites.sort();
        }
        list.sort_by(|a, b| a.finding.cmp(&b.finding));
    }
    let mut stale: Vec<(Site, String)> = stale_allowances(usages, env, snapshot)
        .into_iter()
        .map(|(usage, allowance)| (usage.site(), allowance.reason.clone()))
        .collect();
    stale.sort();
    stale.dedup();
    Report {
        source: source.to_string(),
        schema: snapshot.schema.clone(),
        env: env.to_string(),
        checked: usages.len(),
        failures,
        allowed,
        notes,
        stale,
        type_failures: Vec::new(),
        types_unchecked: Vec::new(),
        qualifiers_unrecorded: Vec::new(),
        sql_unread: Vec::new(),
        unguarded_warn: Vec::new(),
    }
}

/// Judge each table the code's SQL names as `schema.table` (`qualifiers`: the registry's,
/// [`crate::registry::qualifiers`], or the scan's) against `snapshot` (the live schema, of
/// environment `env`, shown as `source`), through the judge the build uses
/// ([`crate::verdict::Judge::judge_qualifier`]): a qualifier that is not `snapshot`'s schema
/// is a failing [`Finding::WrongSchema`] with the build's words (a build of one environment
/// promoted to another without rebuilding, whose SQL names the first one's schema). Records
/// that do not say are named in a note.
pub fn judge_qualifiers(
    report: &mut Report,
    snapshot: &Snapshot,
    env: &str,
    source: &str,
    qualifiers: &crate::registry::Qualifiers,
) {
    use crate::verdict::{Judge, Loaded, Selected};
    report.qualifiers_unrecorded = qualifiers.unrecorded.clone();
    report.sql_unread = qualifiers.unread.clone();
    report.unguarded_warn = qualifiers.unguarded_warn.clone();
    if qualifiers.uses.iter().all(|q| q.schema == snapshot.schema) {
        return;
    }
    let selected = vec![Selected {
        env,
        schema: Ok(snapshot as &dyn crate::requirement::Schema),
        hc_schema: Some(snapshot.schema.clone()),
    }];
    let mut judge = Judge::new(selected, false, false, || {
        vec![Loaded {
            env: env.to_string(),
            display: source.to_string(),
            snapshot: std::sync::Arc::new(Ok(snapshot.clone())),
        }]
    });
    for qualified in &qualifiers.uses {
        let site = qualified.usage.site();
        for judgement in judge.judge_qualifier(&qualified.usage.table.name, &qualified.schema) {
            let Some(finding) = judgement.finding else {
                continue;
            };
            match report
                .failures
                .iter_mut()
                .find(|e| e.finding == finding && e.reason.is_none())
            {
                Some(entry) => {
                    if !entry.sites.contains(&site) {
                        entry.sites.push(site.clone());
                        entry.sites.sort();
                    }
                }
                None => report.failures.push(Entry {
                    finding,
                    sites: vec![site.clone()],
                    reason: None,
                    explanation: judgement.explanation,
                }),
            }
        }
    }
    report.failures.sort_by(|a, b| a.finding.cmp(&b.finding));
}

/// Connect as `options` says and verify `usages` against `schema`: `Ok` only when every
/// requirement holds. Empty `usages` are [`FetchError::NothingToVerify`], before any
/// connection is made. Allowances are matched against the environment named by
/// `HC_SCHEMA_ENV` (a release phase sets it: `HC_SCHEMA_ENV=prod`), else `live`. Live column
/// types are compared with the types compiled into this binary's registry
/// ([`crate::registry::built_types`]); a column without recorded types is named in a note.
///
/// ```
/// use hc_schema_snapshot::{fetch::{ConnectOptions, FetchError}, verify::{self, VerifyError}};
/// let options = ConnectOptions::new("postgres://localhost:1/none", "DATABASE_URL");
/// let nothing = verify::verify(&options, "salesforce", &[]);
/// assert!(matches!(nothing, Err(VerifyError::Fetch(FetchError::NothingToVerify))));
/// assert_eq!(nothing.unwrap_err().exit_code(), 2);
/// ```
pub fn verify(
    options: &ConnectOptions,
    schema: &str,
    usages: &[Usage],
) -> Result<Report, VerifyError> {
    verify_env(options, None, schema, usages)
}

/// [`verify`] for environment `env` (its allowances apply); `None` means what [`verify`]
/// uses: `HC_SCHEMA_ENV`, else `live`. The connection is read once: one catalog query, every
/// phase under a deadline (connect timeout, then statement timeout plus one second).
pub fn verify_env(
    options: &ConnectOptions,
    env: Option<&str>,
    schema: &str,
    usages: &[Usage],
) -> Result<Report, VerifyError> {
    verify_typed(
        options,
        env,
        schema,
        usages,
        &crate::registry::built_types(),
    )
}

/// [`verify_env`], and the live column types checked against the types the code was built
/// against (`built`: [`crate::registry::built_types`] for a binary, the snapshots for the
/// CLI): a column whose live type the code would fail to read is a failure; a column whose
/// types were not recorded is named in a note (its name is still checked).
pub fn verify_typed(
    options: &ConnectOptions,
    env: Option<&str>,
    schema: &str,
    usages: &[Usage],
    built: &BuiltTypes,
) -> Result<Report, VerifyError> {
    verify_checked(
        options,
        env,
        schema,
        usages,
        built,
        &crate::registry::qualifiers(),
    )
}

/// [`verify_typed`], and each table the SQL names as `schema.table` (`qualifiers`:
/// [`crate::registry::qualifiers`] for a binary, the scan's for the CLI) judged against the
/// live schema ([`judge_qualifiers`]).
pub fn verify_checked(
    options: &ConnectOptions,
    env: Option<&str>,
    schema: &str,
    usages: &[Usage],
    built: &BuiltTypes,
    qualifiers: &crate::registry::Qualifiers,
) -> Result<Report, VerifyError> {
    if usages.is_empty() {
        return Err(FetchError::NothingToVerify.into());
    }
    let env = match env {
        Some(env) => env.to_string(),
        None => std::env::var(crate::selection::ENV_VAR)
            .ok()
            .filter(|e| crate::names::is_env_name(e))
            .unwrap_or_else(|| "live".to_string()),
    };
    let live = fetch(options, &env, schema)?;
    let source = live.snapshot.source.clone().unwrap_or_default();
    let mut report = report_typed(&live.snapshot, &env, &source, usages, built);
    judge_qualifiers(&mut report, &live.snapshot, &env, &source, qualifiers);
    report.into_result()
}

/// The whole release-phase check in one call, for `main`: reads `DATABASE_URL` (TLS
/// `sslmode=require` unless the URL or `PGSSLMODE` says otherwise, as Heroku Postgres needs),
/// checks the Heroku Connect schema the build checked, compiled into the registry
/// ([`release_schema`]: a disagreeing `HC_SCHEMA_NAME` is an error naming both), verifies
/// `usages` and their live column types against the types compiled into the registry
/// ([`crate::registry::built_types`]), prints the report, and returns the exit status: 0 ok, 1 a requirement fails, 2
/// anything else.
///
/// Bounded: it gives up within the connect timeout plus the statement timeout plus one second
/// (defaults 10 s and 30 s; `HC_SCHEMA_CONNECT_TIMEOUT` and `HC_SCHEMA_STATEMENT_TIMEOUT` in
/// seconds change them), saying which phase timed out.
///
/// ```no_run
/// // The release-phase subcommand of an app (`release: ./target/release/app verify-schema`):
/// fn verify_schema() -> std::process::ExitCode {
///     hc_schema_snapshot::verify::release_phase(&hc_schema_snapshot::registry::usages())
/// }
/// ```
pub fn release_phase(usages: &[Usage]) -> ExitCode {
    let outcome = (|| {
        let url = std::env::var("DATABASE_URL").map_err(|_| FetchError::NoUrl {
            env: "the release phase".into(),
            hint: "DATABASE_URL is not set (Heroku sets it for the attached database)".into(),
        })?;
        let mut options = ConnectOptions::new(url, "the DATABASE_URL variable");
        // Heroku Postgres requires TLS: `require` unless the URL says otherwise.
        if DatabaseUrl::parse(&options.url, &options.origin)?
            .sslmode
            .is_none()
        {
            options.sslmode = Some(SslMode::Require);
        }
        if let Ok(mode) = std::env::var("PGSSLMODE") {
            options.sslmode = Some(mode.parse().map_err(|message| FetchError::BadUrl {
                origin: "the PGSSLMODE variable".into(),
                message,
            })?);
        }
        for (var, slot) in [
            ("HC_SCHEMA_CONNECT_TIMEOUT", &mut options.connect_timeout),
            (
                "HC_SCHEMA_STATEMENT_TIMEOUT",
                &mut options.statement_timeout,
            ),
        ] {
            if let Ok(text) = std::env::var(var) {
                let seconds: u64 = text.trim().parse().map_err(|_| FetchError::BadOption {
                    message: format!(
                        "{var} must be a whole number of seconds from 1 to {}",
                        crate::fetch::MAX_TIMEOUT_SECS
                    ),
                })?;
                *slot = std::time::Duration::from_secs(seconds);
            }
        }
        let env = std::env::var(crate::selection::ENV_VAR)
            .ok()
            .filter(|e| crate::names::is_env_name(e));
        let schema = release_schema(
            &crate::registry::checked_schemas(),
            env.as_deref(),
            std::env::var(SCHEMA_NAME_VAR).ok().as_deref(),
        )?;
        verify_typed(
            &options,
            None,
            &schema,
            usages,
            &crate::registry::built_types(),
        )
    })();
    match outcome {
        Ok(report) => {
            print!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(err) => {
            match &err {
                VerifyError::Failed(report) => eprint!("{}", report.render()),
                VerifyError::Fetch(fetch) => eprintln!("error: {}", release_wording(fetch)),
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// The variable that may name the schema of the release-phase verify (it must agree with the
/// schema compiled in, when one is).
pub const SCHEMA_NAME_VAR: &str = "HC_SCHEMA_NAME";

/// The schema the release phase checks: the one the build checked, compiled into the registry
/// (`recorded`, [`crate::registry::checked_schemas`]).
///
/// - Of environment `env` (`HC_SCHEMA_ENV`) when the build knew it, else of the environments
///   the build checked.
/// - `HC_SCHEMA_NAME` (`name_var`) that disagrees with it is an error naming both; with
///   several candidates (environments with different schemas), it picks one of them.
/// - Nothing recorded (records of a crate built without a build script): `HC_SCHEMA_NAME`,
///   else `salesforce`.
///
/// ```
/// use hc_schema_snapshot::selection::CheckedSchema;
/// use hc_schema_snapshot::verify::release_schema;
/// let org = CheckedSchema { env: "prod".into(), schema: "org".into(), selected: true };
/// assert_eq!(release_schema(&[org.clone()], None, None).unwrap(), "org");
/// assert_eq!(release_schema(&[org.clone()], None, Some("org")).unwrap(), "org");
/// let err = release_schema(&[org], None, Some("salesforce")).unwrap_err().to_string();
/// assert!(err.contains("HC_SCHEMA_NAME is `salesforce`") && err.contains("`org`"), "{err}");
/// assert_eq!(release_schema(&[], None, None).unwrap(), "salesforce");
/// // Several environments with different schemas: HC_SCHEMA_ENV (or HC_SCHEMA_NAME) picks.
/// let test = CheckedSchema { env: "test".into(), schema: "sf".into(), selected: true };
/// let prod = CheckedSchema { env: "prod".into(), schema: "org".into(), selected: true };
/// let both = [prod.clone(), test.clone()];
/// assert_eq!(release_schema(&both, Some("test"), None).unwrap(), "sf");
/// assert_eq!(release_schema(&both, None, Some("org")).unwrap(), "org");
/// let err = release_schema(&both, None, None).unwrap_err().to_string();
/// assert!(err.contains("several") && err.contains("HC_SCHEMA_ENV"), "{err}");
/// let err = release_schema(&both, Some("prod"), Some("sf")).unwrap_err().to_string();
/// assert!(err.contains("HC_SCHEMA_NAME is `sf`") && err.contains("`org` (prod)"), "{err}");
/// // An environment the build did not check: its configured schema.
/// let other = CheckedSchema { env: "staging".into(), schema: "stg".into(), selected: false };
/// assert_eq!(release_schema(&[test.clone(), other.clone()], Some("staging"), None).unwrap(), "stg");
/// assert_eq!(release_schema(&[test, other], None, None).unwrap(), "sf");
/// ```
pub fn release_schema(
    recorded: &[crate::selection::CheckedSchema],
    env: Option<&str>,
    name_var: Option<&str>,
) -> Result<String, FetchError> {
    let name_var = name_var.map(str::trim).filter(|n| !n.is_empty());
    let of_env: Vec<_> = recorded
        .iter()
        .filter(|c| Some(c.env.as_str()) == env)
        .collect();
    let (candidates, whose) = if !of_env.is_empty() {
        (of_env, format!("of `{}`", env.unwrap_or_default()))
    } else {
        let checked: Vec<_> = recorded.iter().filter(|c| c.selected).collect();
        if checked.is_empty() {
            (recorded.iter().collect(), "known to the build".to_string())
        } else {
            (checked, "the build checked".to_string())
        }
    };
    let mut schemas: Vec<&str> = candidates.iter().map(|c| c.schema.as_str()).collect();
    schemas.sort_unstable();
    schemas.dedup();
    let described = || {
        candidates
            .iter()
            .map(|c| format!("`{}` ({})", c.schema, c.env))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (schemas.as_slice(), name_var) {
        ([], name) => Ok(name.unwrap_or(crate::config::DEFAULT_SCHEMA).to_string()),
        ([one], None) => Ok(one.to_string()),
        ([one], Some(name)) if name == *one => Ok(one.to_string()),
        ([one], Some(name)) => Err(FetchError::BadOption {
            message: format!(
                "{SCHEMA_NAME_VAR} is `{}`, but this binary was built checking the Heroku Connect \
                 schema `{one}` (the schema {whose}: {}): the code was never checked against \
                 `{}`. Unset {SCHEMA_NAME_VAR}, or rebuild against a snapshot of that schema",
                name.escape_debug(),
                described(),
                name.escape_debug()
            ),
        }),
        (_, Some(name)) if schemas.contains(&name) => Ok(name.to_string()),
        (_, name) => Err(FetchError::BadOption {
            message: format!(
                "this binary was built checking several Heroku Connect schemas ({}){}: set \
                 {} to the environment this release runs in",
                described(),
                match name {
                    Some(name) => format!(
                        ", and {SCHEMA_NAME_VAR} (`{}`) is none of them",
                        name.escape_debug()
                    ),
                    None => String::new(),
                },
                crate::selection::ENV_VAR
            ),
        }),
    }
}

/// A release-phase error in the release phase's own terms: the schema comes from the build
/// (compiled in) or `HC_SCHEMA_NAME`, never from `--schema` or `hc-schema.toml`, which the
/// release phase does not read.
fn release_wording(err: &FetchError) -> String {
    let hint = |candidates: &[String]| {
        match candidates {
        [] => "no schema of this database looks like a Heroku Connect schema (none holds `_hcmeta` or `_trigger_log`): is DATABASE_URL this app's Heroku Connect database?".to_string(),
        list => format!(
            "schemas here that look like Heroku Connect schemas: {}; if the add-on's schema changed, refresh this environment's snapshot, set its `schema` and rebuild (the schema checked here is the one the build checked, compiled into the binary)",
            list.join(", ")
        ),
    }
    };
    match err {
        FetchError::SchemaMissing {
            schema,
            source_desc,
            candidates,
        } => format!(
            "schema `{schema}` does not exist in {source_desc}; {}",
            hint(candidates)
        ),
        FetchError::EmptySchema {
            schema,
            source_desc,
            candidates,
        } => format!(
            "schema `{schema}` of {source_desc} holds no mapped table, so nothing can be verified; {}",
            hint(candidates)
        ),
        FetchError::BadSchemaName { schema } => format!(
            "the schema name {schema:?} is not allowed: a Heroku Connect schema name is a lower-case letter or `_`, then lower-case letters, digits or `_`, at most 63 characters (like `salesforce` or `org`); fix {SCHEMA_NAME_VAR}, or the schema the binary was built with"
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::built::{BuiltType, EnvSpelling};
    use crate::manifest::Spot;
    use crate::requirement::Access;

    fn snap(env: &str, columns: &str) -> Snapshot {
        Snapshot::parse(
            &format!(
                r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{"account":{{"columns":{columns}}}}}}}"#
            ),
            "x",
            env,
        )
        .unwrap()
    }

    #[test]
    fn a_live_type_the_code_cannot_read_fails_naming_both_types() {
        let test = snap(
            "test",
            r#"{"annualrevenue":{"type":"double precision"},"name":{"type":"character varying(80)"},"tier":{}}"#,
        );
        let live = snap(
            "live",
            r#"{"annualrevenue":{"type":"character varying(255)"},"name":{"type":"text"},"tier":{"type":"boolean"}}"#,
        );
        let usage = Usage::read(
            "src/a.rs",
            Spot::new("account", 3, 5),
            vec![
                Spot::new("annualrevenue", 3, 14),
                Spot::new("name", 3, 30),
                Spot::new("tier", 3, 40),
            ],
        );
        let usages = [usage];
        let built = BuiltTypes::of_usages(&usages, &[("test", &test)], &|_, _| None);
        let report = report_typed(&live, "live", "db", &usages, &built);
        assert!(!report.is_ok());
        assert_eq!(report.type_failures.len(), 1, "{report:?}");
        let text = report.render();
        assert!(
            text.contains("`account.annualrevenue` is character varying(255) here, but this code was built against double precision (test), needed at:\n    src/a.rs:3:14"),
            "{text}"
        );
        // varchar(80) -> text is read by String: fine. tier: no type in the snapshot: named.
        assert_eq!(report.types_unchecked.len(), 1);
        assert!(
            text.contains("column types were not recorded for account.tier"),
            "{text}"
        );
        let json = report.to_json();
        assert_eq!(json["type_failures"][0]["built"], "double precision (test)");
        assert_eq!(json["type_failures"][0]["live"], "character varying(255)");
        assert_eq!(json["ok"], false);
        // Without recorded types: names only, and said by name.
        let names = report_typed(&live, "live", "db", &usages, &BuiltTypes::none());
        assert!(names.is_ok());
        let text = names.render();
        assert!(
            text.starts_with("ok: the 1 requirement site holds"),
            "{text}"
        );
        assert!(
            text.contains("account.annualrevenue, account.name, account.tier (a binary built by an hc-schema that does not record them"),
            "{text}"
        );
    }

    #[test]
    fn a_qualifier_that_is_not_the_live_schema_fails_in_the_builds_words() {
        use crate::manifest::Origin;
        use crate::registry::{Qualified, Qualifiers};
        let live = Snapshot::parse(
            r#"{"format":1,"environment":"prod","schema":"org","tables":{"account":{"columns":{"name":{}}}}}"#,
            "x",
            "prod",
        )
        .unwrap();
        let usage = Usage {
            origin: Origin::Sql,
            ..Usage::read(
                "src/a.rs",
                Spot::new("account", 3, 40),
                vec![Spot::new("name", 3, 20)],
            )
        };
        let at = |schema: &str| Qualified {
            schema: schema.into(),
            usage: Usage {
                columns: vec![],
                table: Spot::new("account", 3, 51),
                ..usage.clone()
            },
        };
        let usages = [usage.clone()];
        let mut report = report_typed(&live, "prod", "db", &usages, &BuiltTypes::none());
        assert!(report.is_ok(), "the names alone pass");
        let qualifiers = Qualifiers {
            uses: vec![at("salesforce")],
            unrecorded: vec![Site::new("src/old.rs", &Spot::new("account", 1, 1))],
            unread: vec![],
            unguarded_warn: vec![],
        };
        judge_qualifiers(&mut report, &live, "prod", "db", &qualifiers);
        assert!(!report.is_ok());
        let finding = Finding::WrongSchema {
            table: "account".into(),
            written: "salesforce".into(),
            expected: "org".into(),
        };
        let target = crate::diagnostic::Target::env("prod", "db", &live);
        let words = crate::diagnostic::explain(&finding, &target, &[target]);
        let text = report.render();
        assert!(
            text.contains(&format!(
                "  {}, needed at:\n    src/a.rs:3:51",
                words.message
            )),
            "{text}"
        );
        assert!(
            text.contains("schema qualifiers were not recorded for the code at src/old.rs:1:1"),
            "{text}"
        );
        assert_eq!(report.to_json()["failures"][0]["kind"], "wrong_schema");
        // The live schema's own qualifier passes.
        let mut report = report_typed(&live, "prod", "db", &usages, &BuiltTypes::none());
        let ok = Qualifiers {
            uses: vec![at("org")],
            unrecorded: vec![],
            unread: vec![],
            unguarded_warn: vec![],
        };
        judge_qualifiers(&mut report, &live, "prod", "db", &ok);
        assert!(report.is_ok(), "{}", report.render());
        assert!(!report.render().contains("not checked"));
        // SQL the build could not read is named, never passed in silence (attacker finding
        // F3: "ok" for a string the build skipped, whose schema was test's).
        let unread = Qualifiers {
            unread: vec![(
                Site::new("src/b.rs", &Spot::new("", 7, 5)),
                "a SELECT statement that hc-schema cannot read".into(),
            )],
            ..ok
        };
        let mut report = report_typed(&live, "prod", "db", &usages, &BuiltTypes::none());
        judge_qualifiers(&mut report, &live, "prod", "db", &unread);
        let text = report.render();
        assert!(
            text.starts_with("ok: the 1 requirement site holds"),
            "{text}"
        );
        assert!(
            text.contains("(1 SQL string not checked: the build could not read it"),
            "{text}"
        );
        assert!(
            text.contains("warning: 1 SQL string of this code could not be read by its build")
                && text.contains("src/b.rs:7:5 (a SELECT statement that hc-schema cannot read)"),
            "{text}"
        );
        assert_eq!(report.to_json()["sql_unread"][0]["site"], "src/b.rs:7:5");
        // Several: one site a line, the help after them.
        let mut several = unread.clone();
        several.unread.push((
            Site::new("src/c.rs", &Spot::new("", 9, 1)),
            "a DELETE statement that hc-schema cannot read".into(),
        ));
        let mut report = report_typed(&live, "prod", "db", &usages, &BuiltTypes::none());
        judge_qualifiers(&mut report, &live, "prod", "db", &several);
        let text = report.render();
        assert!(
            text.contains(
                "here neither:\n    src/b.rs:7:5 (a SELECT statement that hc-schema cannot \
                 read)\n    src/c.rs:9:1 (a DELETE statement that hc-schema cannot read)\n  = \
                 help: write them as `hc_sql!`"
            ),
            "{text}"
        );
        // N5: a crate built with `unguarded = "warn"` registers nothing for its strings outside
        // annotated items: the release phase names that, never a bare ok.
        let warned = Qualifiers {
            uses: vec![at("org")],
            unguarded_warn: vec![Site::new("src/main.rs", &Spot::new("", 4, 1))],
            ..Qualifiers::default()
        };
        let mut report = report_typed(&live, "prod", "db", &usages, &BuiltTypes::none());
        judge_qualifiers(&mut report, &live, "prod", "db", &warned);
        let text = report.render();
        assert!(report.is_ok(), "{text}");
        assert!(
            text.contains("(SQL strings outside `hc_sql!` and annotated items not checked"),
            "{text}"
        );
        assert!(
            text.contains(
                "warning: SQL strings outside `hc_sql!` and annotated items are checked nowhere"
            ) && text.contains("\n    src/main.rs:4:1\n  = help: run `hc-schema verify`"),
            "{text}"
        );
        assert_eq!(report.to_json()["unguarded_warn"][0], "src/main.rs:4:1");
    }

    #[test]
    fn a_rust_type_decides_alone() {
        let live = snap("live", r#"{"x":{"type":"timestamp with time zone"}}"#);
        let usage = Usage::read(
            "src/a.rs",
            Spot::new("account", 1, 1),
            vec![Spot::new("x", 1, 9)],
        );
        let built = |rust: &str| {
            BuiltTypes::from_list([BuiltType {
                site: Site::new("src/a.rs", &usage.columns[0]),
                table: "account".into(),
                column: "x".into(),
                access: Access::Read,
                rust: Some(rust.into()),
                envs: vec![EnvSpelling {
                    env: "test".into(),
                    spelling: Some("timestamp without time zone".into()),
                }],
            }])
        };
        let usages = [usage.clone()];
        assert!(report_typed(&live, "live", "db", &usages, &built("SystemTime")).is_ok());
        let report = report_typed(
            &live,
            "live",
            "db",
            &usages,
            &built("chrono::NaiveDateTime"),
        );
        assert!(
            report.render().contains("built against timestamp without time zone (test) and reads it as chrono::NaiveDateTime, which does not read timestamp with time zone"),
            "{}",
            report.render()
        );
    }
}
