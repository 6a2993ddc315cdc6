//! A plain `postgres::Client` for an application's own queries, from the same connection
//! string parser (so the app and hc-schema agree on what a URL means, and no message shows a
//! password).

use super::error::{classify, combine, Attempt, Context};
use super::session::Phase;
use super::tls::{self, SslMode};
use super::url::Host;
use super::{ConnectOptions, FetchError};

/// An open connection and the server it reached.
pub struct Connection {
    /// The client.
    pub client: postgres::Client,
    /// `postgres://host:port/db` of the server that answered, credential-free.
    pub source: String,
}

/// Connect as `options` says, trying the servers of the URL in order. For an application's
/// own queries: the connect timeout bounds each socket connect (the driver's own rule); the
/// catalog reads of refresh and verify ([`super::fetch`]) bound every phase.
pub fn connect(options: &ConnectOptions) -> Result<Connection, FetchError> {
    let url = options.validate()?;
    let mode = options.sslmode.or(url.sslmode).unwrap_or(SslMode::Prefer);
    let root_cert = options
        .root_cert
        .clone()
        .or_else(|| url.sslrootcert.clone());
    let connector = match mode {
        SslMode::Disable => None,
        _ => Some(tls::native_connector(mode, root_cert.as_deref())?),
    };
    let connect_timeout = url
        .connect_timeout
        .map_or(options.connect_timeout, |t| t.min(options.connect_timeout));
    let mut attempts = Vec::new();
    for endpoint in &url.endpoints {
        let source = endpoint.describe(url.dbname.as_deref());
        let mut config = postgres::Config::from(super::session::login_config(&url));
        let is_unix = match &endpoint.host {
            Host::Tcp(name) => {
                if !name.is_empty() {
                    config.host(name);
                }
                false
            }
            Host::Unix(dir) => {
                config.host_path(dir);
                true
            }
        };
        if let Some(ip) = endpoint.hostaddr {
            config.hostaddr(ip);
        }
        config.port(endpoint.port);
        config.connect_timeout(connect_timeout);
        let result = match connector.as_ref().filter(|_| !is_unix) {
            None => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(postgres::NoTls)
            }
            Some(connector) => {
                config.ssl_mode(tls::driver_mode(mode));
                config.connect(postgres_native_tls::MakeTlsConnector::new(
                    connector.clone(),
                ))
            }
        };
        match result {
            Ok(client) => return Ok(Connection { client, source }),
            Err(err) => {
                let context = Context {
                    url: &url,
                    origin: &options.origin,
                    source: &source,
                    endpoint: &endpoint.short(),
                    mode,
                    connect_timeout,
                    statement_timeout: options.statement_timeout,
                };
                let fatal = err.as_db_error().is_some();
                attempts.push(Attempt {
                    endpoint: endpoint.short(),
                    error: classify(&err, &context, Phase::Authentication),
                });
                if fatal {
                    break;
                }
            }
        }
    }
    Err(combine(attempts, &options.origin))
}
