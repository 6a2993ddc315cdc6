//! TLS for PostgreSQL, with libpq's `sslmode` semantics.
//!
//! `require` encrypts without verifying the certificate, exactly as libpq does: Heroku Postgres
//! certificates are not publicly verifiable, so verification would refuse every Heroku database.
//! `verify-ca` and `verify-full` verify (against the system roots, or `sslrootcert`).

use std::path::Path;
use std::str::FromStr;

use super::FetchError;

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, no verification (libpq's default).
    Prefer,
    /// TLS always, no certificate verification (verify-ca when a root certificate is given).
    Require,
    /// TLS, certificate chain verified, host name not.
    VerifyCa,
    /// TLS, certificate chain and host name verified.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode={other} is not known; use disable, prefer, require, verify-ca or verify-full"
                ))
            }
        })
    }
}

/// A native-tls connector with libpq's semantics for `mode` (not [`SslMode::Disable`]).
pub fn native_connector(
    mode: SslMode,
    root_cert: Option<&Path>,
) -> Result<native_tls::TlsConnector, FetchError> {
    let mut builder = native_tls::TlsConnector::builder();
    let verify_chain = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull)
        || (mode == SslMode::Require && root_cert.is_some());
    builder.danger_accept_invalid_certs(!verify_chain);
    builder.danger_accept_invalid_hostnames(mode != SslMode::VerifyFull);
    if let Some(path) = root_cert {
        let pem = std::fs::read(path).map_err(|err| FetchError::Tls {
            message: format!("cannot read the root certificate {}: {err}", path.display()),
        })?;
        let certificate =
            native_tls::Certificate::from_pem(&pem).map_err(|err| FetchError::Tls {
                message: format!("{} is not a PEM certificate: {err}", path.display()),
            })?;
        builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|err| FetchError::Tls {
        message: format!("cannot set up TLS: {err}"),
    })
}

/// The driver's TLS mode for `mode`: `prefer` falls back to plain text when the server has no
/// TLS; every other mode but `disable` requires it.
pub fn driver_mode(mode: SslMode) -> tokio_postgres::config::SslMode {
    match mode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        _ => tokio_postgres::config::SslMode::Require,
    }
}
