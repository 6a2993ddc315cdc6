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

/// What a TLS connection needs: the mode and the root certificate, read up front (so a bad
/// file is reported before connecting). The connector itself is built only when a server
/// agrees to TLS: building one loads the system's certificate store, which takes a while.
pub struct TlsSettings {
    mode: SslMode,
    root: Option<native_tls::Certificate>,
    built: std::sync::Mutex<Option<native_tls::TlsConnector>>,
}

impl TlsSettings {
    /// Settings for `mode`, reading the root certificate at `root_cert`, if any.
    pub fn new(mode: SslMode, root_cert: Option<&Path>) -> Result<TlsSettings, FetchError> {
        let root = match root_cert {
            None => None,
            Some(path) => {
                let pem = std::fs::read(path).map_err(|err| FetchError::Tls {
                    message: format!("cannot read the root certificate {}: {err}", path.display()),
                })?;
                Some(
                    native_tls::Certificate::from_pem(&pem).map_err(|err| FetchError::Tls {
                        message: format!("{} is not a PEM certificate: {err}", path.display()),
                    })?,
                )
            }
        };
        Ok(TlsSettings {
            mode,
            root,
            built: std::sync::Mutex::new(None),
        })
    }

    /// The connector (built once), with libpq's semantics for the mode: `require` encrypts
    /// without verifying (unless a root certificate is given), `verify-ca` verifies the chain,
    /// `verify-full` the chain and the host name.
    pub fn connector(&self) -> Result<native_tls::TlsConnector, native_tls::Error> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(connector) = built.as_ref() {
            return Ok(connector.clone());
        }
        let mut builder = native_tls::TlsConnector::builder();
        let verify_chain = matches!(self.mode, SslMode::VerifyCa | SslMode::VerifyFull)
            || (self.mode == SslMode::Require && self.root.is_some());
        builder.danger_accept_invalid_certs(!verify_chain);
        builder.danger_accept_invalid_hostnames(self.mode != SslMode::VerifyFull);
        if let Some(root) = &self.root {
            builder.add_root_certificate(root.clone());
        }
        let connector = builder.build()?;
        *built = Some(connector.clone());
        Ok(connector)
    }
}

/// A native-tls connector with libpq's semantics for `mode` (not [`SslMode::Disable`]).
pub fn native_connector(
    mode: SslMode,
    root_cert: Option<&Path>,
) -> Result<native_tls::TlsConnector, FetchError> {
    TlsSettings::new(mode, root_cert)?
        .connector()
        .map_err(|err| FetchError::Tls {
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
