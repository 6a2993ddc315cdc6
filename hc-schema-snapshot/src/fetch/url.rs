//! Database URLs: TLS parameters, credential-free descriptions, redaction.

use std::path::PathBuf;

use super::tls::SslMode;
use super::FetchError;

/// A database URL split into what `postgres::Config` reads and the TLS settings we handle.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    /// The URL without `sslmode` / `sslrootcert` (never shown to users).
    pub(crate) conninfo: String,
    /// `sslmode` from the URL, if present.
    pub sslmode: Option<SslMode>,
    /// `sslrootcert` from the URL, if present.
    pub sslrootcert: Option<PathBuf>,
    /// The password, if any: only kept to scrub it from messages.
    pub(crate) password: Option<String>,
}

impl DatabaseUrl {
    /// Parse `url` (`postgres://...` or `key=value ...`); `origin` says where it came from
    /// ("the DATABASE_URL variable") for error messages.
    pub fn parse(url: &str, origin: &str) -> Result<DatabaseUrl, FetchError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(FetchError::BadUrl {
                origin: origin.to_string(),
                message: "it is empty".into(),
            });
        }
        let mut sslmode = None;
        let mut sslrootcert = None;
        let mut take = |key: &str, value: &str| -> Result<bool, FetchError> {
            match key {
                "sslmode" => {
                    sslmode = Some(value.parse().map_err(|message| FetchError::BadUrl {
                        origin: origin.to_string(),
                        message,
                    })?);
                    Ok(true)
                }
                "sslrootcert" => {
                    sslrootcert = Some(PathBuf::from(percent_decode(value)));
                    Ok(true)
                }
                _ => Ok(false),
            }
        };
        let (conninfo, password) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let (base, query) = match url.split_once('?') {
                    Some((base, query)) => (base, Some(query)),
                    None => (url, None),
                };
                let mut kept = Vec::new();
                for pair in query
                    .into_iter()
                    .flat_map(|q| q.split('&'))
                    .filter(|p| !p.is_empty())
                {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    if !take(key, value)? {
                        kept.push(pair);
                    }
                }
                let conninfo = if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                };
                (conninfo, url_password(base))
            } else {
                let mut kept = Vec::new();
                let mut password = None;
                for pair in url.split_whitespace() {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    if key == "password" {
                        password = Some(value.trim_matches('\'').to_string());
                    }
                    if !take(key, value)? {
                        kept.push(pair);
                    }
                }
                (kept.join(" "), password)
            };
        Ok(DatabaseUrl {
            conninfo,
            sslmode,
            sslrootcert,
            password: password.filter(|p| !p.is_empty()),
        })
    }

    /// Remove the password (raw and percent-decoded) from `text`.
    pub fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(password) => {
                let decoded = percent_decode(password);
                text.replace(password.as_str(), "********")
                    .replace(decoded.as_str(), "********")
            }
            None => text.to_string(),
        }
    }
}

/// `postgres://host:port/db`, with no user name or password, from a parsed config.
pub fn describe(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_dbname() {
        Some(db) => format!("postgres://{host}:{port}/{db}"),
        None => format!("postgres://{host}:{port}"),
    }
}

fn url_password(base: &str) -> Option<String> {
    let rest = base.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    Some(password.to_string())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_out() {
        let url = DatabaseUrl::parse(
            "postgres://u:p%40ss@db.example.com:5432/d8?sslmode=require&application_name=x&sslrootcert=%2Ftmp%2Fca.pem",
            "test",
        )
        .unwrap();
        assert_eq!(url.sslmode, Some(SslMode::Require));
        assert_eq!(url.sslrootcert, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(
            url.conninfo,
            "postgres://u:p%40ss@db.example.com:5432/d8?application_name=x"
        );
        assert_eq!(url.scrub("x p%40ss y p@ss"), "x ******** y ********");
    }

    #[test]
    fn key_value_form_works() {
        let url =
            DatabaseUrl::parse("host=localhost password=secret sslmode=disable", "t").unwrap();
        assert_eq!(url.sslmode, Some(SslMode::Disable));
        assert_eq!(url.conninfo, "host=localhost password=secret");
        assert_eq!(url.scrub("bad secret"), "bad ********");
    }

    #[test]
    fn bad_sslmode_and_empty_url_are_errors() {
        let err =
            DatabaseUrl::parse("postgres://h/d?sslmode=sometimes", "DATABASE_URL").unwrap_err();
        assert!(err.to_string().contains("sslmode"), "{err}");
        assert!(DatabaseUrl::parse(" ", "DATABASE_URL").is_err());
    }

    #[test]
    fn description_has_no_credentials() {
        let config: postgres::Config = "postgres://user:pw@db.example.com:5433/d8".parse().unwrap();
        assert_eq!(describe(&config), "postgres://db.example.com:5433/d8");
    }
}
