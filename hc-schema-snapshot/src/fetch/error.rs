//! Connection and query failures, each with what to do.
//!
//! No message is ever built from the connection string: servers are named by their
//! credential-free description, connection strings by where they came from ("the
//! HC_PROD_DATABASE_URL variable"), and a server's own words pass through
//! [`DatabaseUrl::scrub`](super::url::DatabaseUrl::scrub) as a safety net.

use std::io;
use std::time::Duration;

use super::session::Phase;
use super::tls::SslMode;
use super::url::DatabaseUrl;

/// Why a live read failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A verify was asked to check no requirement at all: it must not pass.
    #[error("nothing to verify: no #[hc_requires] requirement was given (in a binary: none is compiled in; set `enabled = true` under `[registry]` in hc-schema.toml and rebuild), and a check of nothing must not pass")]
    NothingToVerify,
    /// No database URL could be found.
    #[error("no database URL for `{env}`: {hint}")]
    NoUrl {
        /// The environment.
        env: String,
        /// Where we looked and how to provide one.
        hint: String,
    },
    /// The connection string is not valid.
    #[error("the database URL from {origin} is not valid: {message}; expected postgres://user:password@host:5432/dbname (or key=value pairs)")]
    BadUrl {
        /// Where the URL came from.
        origin: String,
        /// What is wrong (never quoting the URL).
        message: String,
    },
    /// The schema name is not a plain identifier.
    #[error("the schema name {schema:?} is not allowed: a Heroku Connect schema name is a lower-case letter or `_`, then lower-case letters, digits or `_`, at most 63 characters (like `salesforce` or `org`); fix `schema` in hc-schema.toml or --schema")]
    BadSchemaName {
        /// The name given.
        schema: String,
    },
    /// A timeout (or another option) is out of range.
    #[error("{message}")]
    BadOption {
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The server rejected the credentials.
    #[error("authentication failed for {source_desc}: check the user name and password in {origin} (on Heroku: `heroku config:get DATABASE_URL -a <app>`; credentials rotate)")]
    Auth {
        /// Credential-free description of the server.
        source_desc: String,
        /// Where the URL came from.
        origin: String,
    },
    /// The server asks for a password and none was given.
    #[error("{source_desc} asks for a password, and the URL in {origin} has none: add it (postgres://user:password@host/db)")]
    NoPassword {
        /// Credential-free description of the server.
        source_desc: String,
        /// Where the URL came from.
        origin: String,
    },
    /// The server only accepts encrypted connections.
    #[error("{source_desc} requires an encrypted connection: add `?sslmode=require` to the URL in {origin} (or pass --sslmode require); Heroku Postgres always requires it")]
    SslRequired {
        /// Credential-free description of the server.
        source_desc: String,
        /// Where the URL came from.
        origin: String,
    },
    /// TLS could not be set up or was refused.
    #[error("TLS failed: {message}")]
    Tls {
        /// What happened.
        message: String,
    },
    /// The server could not be reached.
    #[error("cannot reach {source_desc}: {message}; check the host and port in {origin}, the network, and that the database is running")]
    Unreachable {
        /// Credential-free description of the server.
        source_desc: String,
        /// Where the URL came from.
        origin: String,
        /// What happened.
        message: String,
    },
    /// Something answered that is not a PostgreSQL server.
    #[error("{source_desc} does not answer as a PostgreSQL server ({detail}): check the host and port in {origin} (PostgreSQL listens on 5432 unless configured otherwise; a web server, a proxy's admin port or another service answers differently)")]
    NotPostgres {
        /// Credential-free description of the server.
        source_desc: String,
        /// Where the URL came from.
        origin: String,
        /// What it did.
        detail: String,
    },
    /// A phase did not finish in time.
    #[error("{message}")]
    Timeout {
        /// Credential-free description of the server.
        source_desc: String,
        /// The phase that timed out.
        phase: Phase,
        /// The whole message: what timed out, after how long, what to do.
        message: String,
    },
    /// The role may not connect or read.
    #[error("permission denied on {source_desc}: {message}; use a role that may connect to the database (reading pg_catalog needs no other privilege)")]
    PermissionDenied {
        /// Credential-free description of the server.
        source_desc: String,
        /// The server's message.
        message: String,
    },
    /// No server of a multi-host URL could be used.
    #[error("no server of the URL in {origin} could be used: {}", attempts.join("; "))]
    NoServer {
        /// Where the URL came from.
        origin: String,
        /// `host:port: why`, one per server tried.
        attempts: Vec<String>,
    },
    /// The Heroku Connect schema does not exist.
    #[error(
        "schema `{schema}` does not exist in {source_desc}; {}",
        schema_hint(candidates)
    )]
    SchemaMissing {
        /// The schema asked for.
        schema: String,
        /// Credential-free description of the server.
        source_desc: String,
        /// Schemas that look like Heroku Connect schemas.
        candidates: Vec<String>,
    },
    /// The schema holds no table: a snapshot of nothing is a mistake, not a pass.
    #[error(
        "schema `{schema}` of {source_desc} holds no mapped table, so its snapshot would check nothing; {} (pass --allow-empty to write an empty snapshot on purpose)",
        schema_hint(candidates)
    )]
    EmptySchema {
        /// The schema asked for.
        schema: String,
        /// Credential-free description of the server.
        source_desc: String,
        /// Schemas that look like Heroku Connect schemas.
        candidates: Vec<String>,
    },
    /// Anything else the server said.
    #[error("{source_desc}: {message}")]
    Other {
        /// Credential-free description of the server.
        source_desc: String,
        /// What happened (scrubbed).
        message: String,
    },
}

fn schema_hint(candidates: &[String]) -> String {
    match candidates {
        [] => "no schema of this database looks like a Heroku Connect schema (none holds `_hcmeta` or `_trigger_log`): check that this is the Heroku Connect database".to_string(),
        [one] => format!("the Heroku Connect schema here is `{one}`: pass --schema {one} or set `schema = \"{one}\"` in hc-schema.toml"),
        many => format!("schemas that look like Heroku Connect schemas: {}; pass --schema <name> or set `schema` in hc-schema.toml", many.join(", ")),
    }
}

/// What a message about one server needs.
pub(crate) struct Context<'a> {
    /// The parsed connection string (for scrubbing).
    pub url: &'a DatabaseUrl,
    /// Where it came from.
    pub origin: &'a str,
    /// `postgres://host:port/db` of this server.
    pub source: &'a str,
    /// `host:port` of this server.
    pub endpoint: &'a str,
    /// The TLS mode in use.
    pub mode: SslMode,
    /// The connect timeout in force.
    pub connect_timeout: Duration,
    /// The statement timeout in force.
    pub statement_timeout: Duration,
}

/// One server of the list that failed.
pub(crate) struct Attempt {
    /// `host:port`.
    pub endpoint: String,
    /// Why.
    pub error: FetchError,
}

/// The error for a list of failed attempts: the error itself for one server, a list for more.
pub(crate) fn combine(mut attempts: Vec<Attempt>, origin: &str) -> FetchError {
    match attempts.len() {
        0 => FetchError::BadUrl {
            origin: origin.to_string(),
            message: "it names no server".into(),
        },
        1 => attempts.remove(0).error,
        _ => FetchError::NoServer {
            origin: origin.to_string(),
            attempts: attempts
                .into_iter()
                .map(|a| format!("{}: {}", a.endpoint, a.error))
                .collect(),
        },
    }
}

fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs:.1} s")
    }
}

impl Context<'_> {
    /// The phase `phase` did not finish within its deadline.
    pub fn timeout(&self, phase: Phase) -> FetchError {
        let message = match phase {
            Phase::Connect => format!(
                "timed out after {} connecting to {} (name lookup and TCP connect, under the connect timeout): check the host and port in {}, the network and any firewall",
                seconds(self.connect_timeout),
                self.endpoint,
                self.origin
            ),
            Phase::Tls => format!(
                "timed out after {} in the TLS handshake with {} (under the connect timeout): the server, or something between, stopped answering",
                seconds(self.connect_timeout),
                self.endpoint
            ),
            Phase::Authentication => format!(
                "timed out after {} in authentication with {} (under the connect timeout): the server accepted the connection but did not finish the login (stopped, overloaded, or a lock on a catalog table?)",
                seconds(self.connect_timeout),
                self.endpoint
            ),
            Phase::Query => format!(
                "timed out after {} waiting for the catalog query on {} (the statement timeout, {}, plus {} of grace): the server stopped answering (stopped or overloaded?) or the network went silent; raise the statement timeout if it is only slow",
                seconds(self.statement_timeout + super::session::QUERY_MARGIN),
                self.source,
                seconds(self.statement_timeout),
                seconds(super::session::QUERY_MARGIN)
            ),
        };
        FetchError::Timeout {
            source_desc: self.source.to_string(),
            phase,
            message,
        }
    }

    /// The name lookup or socket connect failed.
    pub fn unreachable(&self, err: &io::Error) -> FetchError {
        let message = match err.kind() {
            io::ErrorKind::ConnectionRefused => {
                "connection refused (nothing listens on that port)".to_string()
            }
            io::ErrorKind::NotFound => "no such socket or host".to_string(),
            _ => format!("{err}"),
        };
        FetchError::Unreachable {
            source_desc: self.source.to_string(),
            origin: self.origin.to_string(),
            message,
        }
    }

    fn not_postgres(&self, detail: &str) -> FetchError {
        FetchError::NotPostgres {
            source_desc: self.source.to_string(),
            origin: self.origin.to_string(),
            detail: detail.to_string(),
        }
    }
}

/// What the server's first byte says, where that settles it: `Some(detail)` when it was not a
/// PostgreSQL answer (to the TLS request: `S` or `N`; to the startup message: `R`, `E` or `v`).
pub(crate) fn odd_first_byte(first: Option<u8>, asked_tls: bool) -> Option<String> {
    let first = first?;
    let expected: &[u8] = if asked_tls { b"SN" } else { b"REv" };
    (!expected.contains(&first)).then(|| {
        if first.is_ascii_graphic() {
            format!(
                "it answered with `{}...`, which is not the PostgreSQL protocol",
                first as char
            )
        } else {
            "it answered with bytes that are not the PostgreSQL protocol".to_string()
        }
    })
}

/// Turn a driver error in `phase` into a [`FetchError`] with advice. `first` is the first
/// byte the server sent, if any, and `asked_tls` whether that was the answer to a TLS request.
pub(crate) fn classify_with(
    err: &tokio_postgres::Error,
    context: &Context<'_>,
    phase: Phase,
    first: Option<u8>,
    asked_tls: bool,
) -> FetchError {
    let source_desc = context.source.to_string();
    let origin = context.origin.to_string();
    if let Some(db) = err.as_db_error() {
        let code = db.code().code();
        let message = context.url.scrub(db.message());
        return match code {
            "28P01" => FetchError::Auth {
                source_desc,
                origin,
            },
            "28000" if message.contains("SSL off") || message.contains("no encryption") => {
                FetchError::SslRequired {
                    source_desc,
                    origin,
                }
            }
            "28000" if message.contains("password") => FetchError::Auth {
                source_desc,
                origin,
            },
            "42501" => FetchError::PermissionDenied {
                source_desc,
                message,
            },
            "57014" => FetchError::Timeout {
                source_desc,
                phase: Phase::Query,
                message: format!(
                    "the server cancelled the catalog query on {} after the statement timeout ({}): the catalog is slow to read or something held it; raise the statement timeout if it is only slow",
                    context.source,
                    seconds(context.statement_timeout)
                ),
            },
            "55P03" => FetchError::Timeout {
                source_desc,
                phase: Phase::Query,
                message: format!(
                    "the catalog query on {} waited {} (the lock timeout, nine tenths of the statement timeout) for a lock on a catalog table: another session holds one (a long DDL, or LOCK on a catalog table); try again when it is done",
                    context.source,
                    seconds(super::catalog::lock_timeout(context.statement_timeout))
                ),
            },
            _ => FetchError::Other {
                source_desc,
                message: format!("{message} (SQLSTATE {code})"),
            },
        };
    }
    if phase != Phase::Query {
        if let Some(detail) = odd_first_byte(first, asked_tls) {
            return context.not_postgres(&detail);
        }
    }
    let kind = err.to_string();
    let cause = std::error::Error::source(err)
        .map(|c| context.url.scrub(&c.to_string()))
        .unwrap_or_default();
    match kind.as_str() {
        "error performing TLS handshake" if cause.contains("server does not support TLS") => {
            FetchError::Tls {
                message: format!(
                    "{} does not support TLS but sslmode={} asks for it; use sslmode=disable only for a local database",
                    context.source,
                    mode_name(context.mode)
                ),
            }
        }
        "error performing TLS handshake" => FetchError::Tls {
            message: if matches!(context.mode, SslMode::VerifyCa | SslMode::VerifyFull) {
                format!(
                    "{cause}; with sslmode={} the server certificate is verified: pass --root-cert <ca.pem>, or use sslmode=require (encrypt without verification, as Heroku Postgres needs)",
                    mode_name(context.mode)
                )
            } else {
                format!("the TLS handshake with {} failed: {cause}", context.endpoint)
            },
        },
        "error connecting to server" => FetchError::Unreachable {
            source_desc,
            origin,
            message: cause,
        },
        "invalid configuration" if cause.contains("password missing") => FetchError::NoPassword {
            source_desc,
            origin,
        },
        "authentication error" => FetchError::Auth {
            source_desc,
            origin,
        },
        "unexpected message from server" | "error parsing response from server"
            if phase != Phase::Query =>
        {
            context.not_postgres("it sent something that is not a PostgreSQL message")
        }
        "connection closed" | "error communicating with the server" if phase != Phase::Query => {
            if first.is_none() {
                context.not_postgres(&format!(
                    "it closed the connection without answering{}",
                    if cause.is_empty() { String::new() } else { format!(": {cause}") }
                ))
            } else {
                FetchError::Other {
                    source_desc,
                    message: format!(
                        "the server closed the connection during {phase}{}",
                        if cause.is_empty() { String::new() } else { format!(": {cause}") }
                    ),
                }
            }
        }
        _ => FetchError::Other {
            source_desc,
            message: if cause.is_empty() {
                kind
            } else {
                format!("{kind}: {cause}")
            },
        },
    }
}

/// [`classify_with`] when the first byte is not known.
pub(crate) fn classify(
    err: &tokio_postgres::Error,
    context: &Context<'_>,
    phase: Phase,
) -> FetchError {
    classify_with(err, context, phase, None, false)
}

/// libpq's spelling of `mode`.
pub(crate) fn mode_name(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}
