//! Reading a live Heroku Connect schema from PostgreSQL (feature `fetch`).
//!
//! One catalog query (`pg_catalog`, not `information_schema`) in one round trip, inside a
//! read-only transaction with a statement and lock timeout; TLS with libpq's `sslmode`
//! semantics; connection strings parsed by our own libpq-compatible parser ([`url`]). Every
//! phase (connect, TLS, authentication, query) has a client-side deadline: a read gives up
//! within the connect timeout plus the statement timeout plus one second, and says which
//! phase timed out. Nothing here ever prints or stores a user name or password.
//!
//! ```no_run
//! use hc_schema_snapshot::fetch::{fetch_snapshot, ConnectOptions};
//! let options = ConnectOptions::new(std::env::var("DATABASE_URL").unwrap(), "the DATABASE_URL variable");
//! let snapshot = fetch_snapshot(&options, "prod", "salesforce")?;
//! println!("{} tables", snapshot.tables.len());
//! # Ok::<(), hc_schema_snapshot::fetch::FetchError>(())
//! ```

mod catalog;
mod client;
mod endpoint;
mod error;
mod keyvalue;
mod params;
pub(crate) mod percent;
mod session;
pub mod tls;
mod uri;
pub mod url;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use catalog::{
    setup as transaction_setup, Catalog, QUERY, READ_ONLY_PATTERN, READ_WRITE_PATTERN,
};
pub use client::{connect, Connection};
pub use error::FetchError;
pub use session::Phase;
pub use tls::SslMode;
pub use url::DatabaseUrl;

use crate::snapshot::Snapshot;

/// The longest connect or statement timeout accepted: one day.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// How to reach a database. `Debug` hides the URL.
#[derive(Clone)]
pub struct ConnectOptions {
    /// The connection string, a URL or key=value pairs (never printed).
    pub url: String,
    /// Where the URL came from, for messages: "the HC_PROD_DATABASE_URL variable".
    pub origin: String,
    /// Overrides the URL's `sslmode`.
    pub sslmode: Option<SslMode>,
    /// Overrides the URL's `sslrootcert`.
    pub root_cert: Option<PathBuf>,
    /// Connect timeout, per server tried: name lookup, TCP, TLS and authentication together
    /// (default 10 s; a shorter `connect_timeout` in the URL wins).
    pub connect_timeout: Duration,
    /// Statement (and lock) timeout of the catalog query (default 30 s); the client gives up
    /// one second after it.
    pub statement_timeout: Duration,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("url", &"<hidden>")
            .field("origin", &self.origin)
            .field("sslmode", &self.sslmode)
            .field("root_cert", &self.root_cert)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl ConnectOptions {
    /// Options with default TLS (the URL's `sslmode`, else `prefer`) and timeouts.
    ///
    /// ```
    /// let options = hc_schema_snapshot::fetch::ConnectOptions::new("postgres://u:Secret1@h/d", "DATABASE_URL");
    /// assert!(!format!("{options:?}").contains("Secret1"));
    /// ```
    pub fn new(url: impl Into<String>, origin: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            origin: origin.into(),
            sslmode: None,
            root_cert: None,
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
        }
    }

    /// Check the timeouts (more than zero, at most [`MAX_TIMEOUT_SECS`]) and parse the URL.
    pub fn validate(&self) -> Result<DatabaseUrl, FetchError> {
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("statement timeout", self.statement_timeout),
        ] {
            if value.is_zero() || value > Duration::from_secs(MAX_TIMEOUT_SECS) {
                return Err(FetchError::BadOption {
                    message: format!(
                        "the {name} must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds (one day); got {} s",
                        value.as_secs_f64()
                    ),
                });
            }
        }
        DatabaseUrl::parse(&self.url, &self.origin)
    }
}

/// Check that `schema` is a plain identifier, as Heroku Connect schema names are (`salesforce`,
/// `org`, `salesforce001`): a lower-case letter or `_`, then lower-case letters, digits or `_`,
/// at most 63 bytes. The query binds it as a parameter anyway; this refuses anything odd early,
/// with a message that says what is allowed.
///
/// ```
/// use hc_schema_snapshot::fetch::validate_schema;
/// assert!(validate_schema("salesforce").is_ok() && validate_schema("org_2").is_ok());
/// assert!(validate_schema("x'; DROP TABLE t; --").is_err() && validate_schema("Salesforce").is_err());
/// ```
pub fn validate_schema(schema: &str) -> Result<(), FetchError> {
    if crate::names::is_hc_name(schema) && schema.len() <= 63 {
        Ok(())
    } else {
        Err(FetchError::BadSchemaName {
            schema: schema.to_string(),
        })
    }
}

/// A live schema as read, with what refresh needs to explain an empty one.
#[derive(Debug, Clone)]
pub struct Live {
    /// The snapshot (bookkeeping tables left out, `source` set to the server that answered).
    pub snapshot: Snapshot,
    /// Other schemas of the database that look like Heroku Connect schemas.
    pub hc_schemas: Vec<String>,
}

impl Live {
    /// `Err(FetchError::EmptySchema)` when the schema holds no mapped table: a snapshot of
    /// nothing would make every check pass vacuously.
    pub fn require_tables(&self) -> Result<(), FetchError> {
        if self.snapshot.tables.is_empty() {
            return Err(FetchError::EmptySchema {
                schema: self.snapshot.schema.clone(),
                source_desc: self.snapshot.source.clone().unwrap_or_default(),
                candidates: self.hc_schemas.clone(),
            });
        }
        Ok(())
    }
}

/// Connect and read `schema` of the database as environment `env`'s live schema. An absent
/// schema is [`FetchError::SchemaMissing`], listing the schemas that look like Heroku Connect
/// schemas.
pub fn fetch(options: &ConnectOptions, env: &str, schema: &str) -> Result<Live, FetchError> {
    validate_schema(schema)?;
    let url = options.validate()?;
    let read = session::read(options, &url, schema)?;
    if !read.catalog.schema_exists {
        return Err(FetchError::SchemaMissing {
            schema: schema.to_string(),
            source_desc: read.source,
            candidates: read.catalog.hc_schemas,
        });
    }
    let hc_schemas = read.catalog.hc_schemas.clone();
    Ok(Live {
        snapshot: read.catalog.into_snapshot(env, schema, Some(read.source)),
        hc_schemas,
    })
}

/// Connect and read `schema` of the database as the snapshot of `env`.
pub fn fetch_snapshot(
    options: &ConnectOptions,
    env: &str,
    schema: &str,
) -> Result<Snapshot, FetchError> {
    fetch(options, env, schema).map(|live| live.snapshot)
}
