//! Connection and query failures, each with what to do. No message ever holds a password.

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
    /// The URL is not a valid PostgreSQL URL.
    #[error("the database URL from {origin} is not valid: {message}; expected postgres://user:password@host:5432/dbname")]
    BadUrl {
        /// Where the URL came from.
        origin: String,
        /// What is wrong (scrubbed).
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
        /// What happened (scrubbed).
        message: String,
    },
    /// A timeout elapsed.
    #[error("timed out talking to {source_desc}: {message}; the server may be overloaded or unreachable (raise --connect-timeout / --statement-timeout if it is just slow)")]
    Timeout {
        /// Credential-free description of the server.
        source_desc: String,
        /// What happened.
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

/// Turn a postgres error into a [`FetchError`] with advice.
pub(crate) fn classify(
    err: &postgres::Error,
    url: &DatabaseUrl,
    origin: &str,
    source: &str,
    mode: SslMode,
) -> FetchError {
    let text = url.scrub(&full_message(err));
    let source_desc = source.to_string();
    let origin = origin.to_string();
    if let Some(db) = err.as_db_error() {
        let code = db.code().code();
        let message = url.scrub(db.message());
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
                message: format!("{message} (statement timeout)"),
            },
            _ => FetchError::Other {
                source_desc,
                message: format!("{message} (SQLSTATE {code})"),
            },
        };
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("timed out") || lower.contains("timeout") {
        FetchError::Timeout {
            source_desc,
            message: text,
        }
    } else if lower.contains("server does not support tls")
        || lower.contains("does not support ssl")
    {
        FetchError::Tls {
            message: format!(
                "{source_desc} does not support TLS but sslmode={} asks for it; use sslmode=disable only for a local database",
                mode_name(mode)
            ),
        }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
        FetchError::Tls {
            message: format!(
                "{text}; with sslmode={} the server certificate is verified: pass --root-cert <ca.pem>, or use sslmode=require (encrypt without verification, as Heroku Postgres needs)",
                mode_name(mode)
            ),
        }
    } else if lower.contains("connect")
        || lower.contains("refused")
        || lower.contains("resolve")
        || lower.contains("lookup")
        || lower.contains("unreachable")
    {
        FetchError::Unreachable {
            source_desc,
            origin,
            message: text,
        }
    } else {
        FetchError::Other {
            source_desc,
            message: text,
        }
    }
}

fn mode_name(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

/// The error with its whole source chain.
fn full_message(err: &postgres::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
