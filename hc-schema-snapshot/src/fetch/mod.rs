//! Reading a live Heroku Connect schema from PostgreSQL (feature `fetch`).
//!
//! One catalog query (`pg_catalog`, not `information_schema`) in one round trip, inside a
//! read-only transaction with a statement timeout; TLS with libpq's `sslmode` semantics.
//! Nothing here ever prints or stores a user name or password.
//!
//! ```no_run
//! use hc_schema_snapshot::fetch::{fetch_snapshot, ConnectOptions};
//! let options = ConnectOptions::new(std::env::var("DATABASE_URL").unwrap(), "the DATABASE_URL variable");
//! let snapshot = fetch_snapshot(&options, "prod", "salesforce")?;
//! println!("{} tables", snapshot.tables.len());
//! # Ok::<(), hc_schema_snapshot::fetch::FetchError>(())
//! ```

mod catalog;
mod error;
pub mod tls;
pub mod url;

use std::path::PathBuf;
use std::time::Duration;

pub use catalog::{read_catalog, Catalog};
pub use error::FetchError;
pub use tls::SslMode;
pub use url::DatabaseUrl;

use crate::snapshot::Snapshot;

/// How to reach a database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The database URL (never printed).
    pub url: String,
    /// Where the URL came from, for messages: "the HC_PROD_DATABASE_URL variable".
    pub origin: String,
    /// Overrides the URL's `sslmode`.
    pub sslmode: Option<SslMode>,
    /// Overrides the URL's `sslrootcert`.
    pub root_cert: Option<PathBuf>,
    /// Connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Statement timeout of the catalog query (default 30 s).
    pub statement_timeout: Duration,
}

impl ConnectOptions {
    /// Options with default TLS (the URL's `sslmode`, else `prefer`) and timeouts.
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
}

/// A connection together with what is needed to describe it and scrub messages.
pub struct Connection {
    /// The client.
    pub client: postgres::Client,
    /// `postgres://host:port/db`, credential-free.
    pub source: String,
    url: DatabaseUrl,
    origin: String,
    mode: SslMode,
    statement_timeout: Duration,
}

/// Connect as `options` says.
pub fn connect(options: &ConnectOptions) -> Result<Connection, FetchError> {
    let url = DatabaseUrl::parse(&options.url, &options.origin)?;
    let mut config: postgres::Config =
        url.conninfo
            .parse()
            .map_err(|err: postgres::Error| FetchError::BadUrl {
                origin: options.origin.clone(),
                message: url.scrub(&err.to_string()),
            })?;
    let mode = options.sslmode.or(url.sslmode).unwrap_or(SslMode::Prefer);
    let root_cert = options
        .root_cert
        .clone()
        .or_else(|| url.sslrootcert.clone());
    config.connect_timeout(options.connect_timeout);
    if config.get_application_name().is_none() {
        config.application_name("hc-schema");
    }
    let source = url::describe(&config);
    let result = if mode == SslMode::Disable {
        config.ssl_mode(postgres::config::SslMode::Disable);
        config.connect(postgres::NoTls)
    } else {
        let (pg_mode, connector) = tls::connector(mode, root_cert.as_deref())?;
        config.ssl_mode(pg_mode);
        config.connect(connector)
    };
    let client =
        result.map_err(|err| error::classify(&err, &url, &options.origin, &source, mode))?;
    Ok(Connection {
        client,
        source,
        url,
        origin: options.origin.clone(),
        mode,
        statement_timeout: options.statement_timeout,
    })
}

impl Connection {
    /// Read the catalog of `schema` (one round trip, read-only transaction).
    pub fn catalog(&mut self, schema: &str) -> Result<Catalog, FetchError> {
        read_catalog(&mut self.client, schema, self.statement_timeout)
            .map_err(|err| error::classify(&err, &self.url, &self.origin, &self.source, self.mode))
    }

    /// Read `schema` as a snapshot for `env`; an absent schema is an error listing the
    /// schemas that look like Heroku Connect schemas.
    pub fn snapshot(&mut self, env: &str, schema: &str) -> Result<Snapshot, FetchError> {
        let catalog = self.catalog(schema)?;
        if !catalog.schema_exists {
            return Err(FetchError::SchemaMissing {
                schema: schema.to_string(),
                source_desc: self.source.clone(),
                candidates: catalog.hc_schemas,
            });
        }
        Ok(catalog.into_snapshot(env, schema, Some(self.source.clone())))
    }
}

/// Connect and read `schema` of the database as the snapshot of `env`.
pub fn fetch_snapshot(
    options: &ConnectOptions,
    env: &str,
    schema: &str,
) -> Result<Snapshot, FetchError> {
    connect(options)?.snapshot(env, schema)
}
