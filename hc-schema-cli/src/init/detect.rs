//! `init --database-url` (or the environments' URL variables): find the Heroku Connect schema
//! of the database, as `refresh` reads it, so that the new hc-schema.toml names the right one
//! (`org`, `salesforce001`, ...) instead of assuming `salesforce`.

use hc_schema_snapshot::config::{conventional_url_var, DEFAULT_SCHEMA};
use hc_schema_snapshot::fetch::{self, ConnectOptions, FetchError};

/// A schema found in a database, and where the URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The Heroku Connect schema.
    pub schema: String,
    /// "the HC_PROD_DATABASE_URL variable", "--database-url": never the URL.
    pub origin: String,
}

/// The URL to read and where it came from: `--database-url`, else the first environment's
/// `HC_<ENV>_DATABASE_URL` that is set (in the order given), else `DATABASE_URL`; `None` when
/// none is set.
pub fn url(given: Option<&str>, envs: &[String]) -> Option<(String, String)> {
    if let Some(url) = given {
        return Some((url.to_string(), "--database-url".to_string()));
    }
    let set = |var: &str| std::env::var(var).ok().filter(|url| !url.trim().is_empty());
    envs.iter()
        .map(|env| conventional_url_var(env))
        .chain(["DATABASE_URL".to_string()])
        .find_map(|var| set(&var).map(|url| (url, format!("the {var} variable"))))
}

/// Read the database at `url` and find its Heroku Connect schema: `salesforce` when it holds
/// mapped tables, else the one schema that looks like a Heroku Connect schema (holds `_hcmeta`
/// or `_trigger_log`). Several such schemas, or none, is an error asking for `--schema`.
/// Errors never hold the URL's password (they describe the server as refresh does).
pub fn detect(url: String, origin: String) -> Result<Detected, String> {
    let options = ConnectOptions::new(url, origin.clone());
    let candidates = match fetch::fetch(&options, "init", DEFAULT_SCHEMA) {
        Ok(live) if !live.snapshot.tables.is_empty() => {
            return Ok(Detected {
                schema: DEFAULT_SCHEMA.to_string(),
                origin,
            })
        }
        Ok(live) => live.hc_schemas,
        Err(FetchError::SchemaMissing { candidates, .. }) => candidates,
        Err(err) => {
            return Err(format!(
                "cannot detect the Heroku Connect schema from {origin}: {err}; pass --schema \
                 to name it without reading the database"
            ))
        }
    };
    match candidates.as_slice() {
        [one] => Ok(Detected {
            schema: one.clone(),
            origin,
        }),
        [] => Err(format!(
            "the database of {origin} has no Heroku Connect schema (none holds mapped tables \
             in `{DEFAULT_SCHEMA}` or Heroku Connect's `_hcmeta`/`_trigger_log`): is it the \
             app's Heroku Connect database? pass --schema to name the schema (nothing was written)"
        )),
        several => Err(format!(
            "the database of {origin} has several Heroku Connect schemas ({}): pass --schema \
             with the one this app reads (nothing was written)",
            several.join(", ")
        )),
    }
}
