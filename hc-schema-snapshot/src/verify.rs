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
//!     // Err when a column is missing: the release stops.
//!     let report = verify::verify(&options, "salesforce", &registry::usages())?;
//!     print!("{}", report.render());
//!     Ok(())
//! }
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;

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
}

impl Report {
    /// Whether every requirement holds (allowed findings do not fail).
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty()
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
    ///  "stale_allowances": [{"site": "src/a.rs:9:1", "reason": "..."}]}
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
        } else {
            let _ = writeln!(
                out,
                "error: the live schema `{}` of {} fails {} of this code:",
                self.schema,
                self.source,
                crate::text::count(self.failures.len(), "requirement")
            );
            for entry in &self.failures {
                let _ = writeln!(out, "  {}, needed at:", describe(&entry.finding));
                for site in &entry.sites {
                    let _ = writeln!(out, "    {site}");
                }
            }
        }
        for entry in &self.allowed {
            let _ = writeln!(
                out,
                "allowed: {} (reason: {}), at:",
                describe(&entry.finding),
                entry.reason.as_deref().unwrap_or_default()
            );
            for site in &entry.sites {
                let _ = writeln!(out, "    {site}");
            }
        }
        for entry in &self.notes {
            let _ = writeln!(out, "note: {}, at:", describe(&entry.finding));
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
        if !self.is_ok() {
            let _ = writeln!(
                out,
                "help: map them (or make the mappings read-write) in this environment's Heroku Connect and wait for the sync before releasing this code"
            );
        }
        out
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
/// findings. This never fails; [`Report::into_result`] turns it into a verdict.
pub fn report(snapshot: &Snapshot, env: &str, source: &str, usages: &[Usage]) -> Report {
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
    }
}

/// Connect as `options` says and verify `usages` against `schema`: `Ok` only when every
/// requirement holds. Empty `usages` are [`FetchError::NothingToVerify`], before any
/// connection is made. Allowances are matched against the environment named by
/// `HC_SCHEMA_ENV` (a release phase sets it: `HC_SCHEMA_ENV=prod`), else `live`.
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
    report(&live.snapshot, &env, &source, usages).into_result()
}

/// The whole release-phase check in one call, for `main`: reads `DATABASE_URL` (TLS
/// `sslmode=require` unless the URL or `PGSSLMODE` says otherwise, as Heroku Postgres needs),
/// checks the Heroku Connect schema the build checked, compiled into the registry
/// ([`release_schema`]: a disagreeing `HC_SCHEMA_NAME` is an error naming both), verifies
/// `usages`, prints the report, and returns the exit status: 0 ok, 1 a requirement fails, 2
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
        verify(&options, &schema, usages)
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
