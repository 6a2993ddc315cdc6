//! Connection strings: our own libpq-compatible parser for both forms (`postgres://...` URLs
//! and `key=value` pairs), so that a password never passes through another parser and no
//! message is ever built from text that could hold it.
//!
//! The result is a [`DatabaseUrl`]: the servers to try in order, the login, and the TLS
//! settings. Its `Debug` output hides the password; [`DatabaseUrl::describe`] gives the
//! credential-free `postgres://host:port/db` that snapshots record as their `source`.
//!
//! ```
//! use hc_schema_snapshot::fetch::url::{DatabaseUrl, Host};
//! let url = DatabaseUrl::parse("postgres://u:p%40ss@[::1]:5433,db2/d8?sslmode=require", "DATABASE_URL").unwrap();
//! assert_eq!(url.endpoints[0].host, Host::Tcp("::1".into()));
//! assert_eq!(url.endpoints[1].port, 5432);
//! assert_eq!(url.endpoints[0].describe(url.dbname.as_deref()), "postgres://[::1]:5433/d8");
//! assert!(!format!("{url:?}").contains("p@ss"));
//! let kv = DatabaseUrl::parse("host=db password='Super  Secret' dbname=d8", "DATABASE_URL").unwrap();
//! assert!(kv.password_is(b"Super  Secret"));
//! ```

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use super::endpoint::{Endpoint, Host, DEFAULT_PORT};

use super::endpoint::{endpoints, Lists};
use super::keyvalue::{self, Pair, Value};
use super::params::{unknown, Param, PARAMS};
use super::tls::SslMode;
use super::uri;
use super::FetchError;

/// A password: compared and handed to the driver, never shown.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"********\"")
    }
}

/// `channel_binding`: whether SCRAM authentication binds to the TLS channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelBinding {
    /// Never.
    Disable,
    /// When the server and the TLS connection allow it (libpq's default).
    #[default]
    Prefer,
    /// Always; fail otherwise.
    Require,
}

/// A parsed connection string. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// The servers to try, in order (at least one).
    pub endpoints: Vec<Endpoint>,
    /// The user name (the driver's default, the OS user, when absent).
    pub user: Option<String>,
    pub(crate) password: Option<Secret>,
    /// The database name (the server's default, the user name, when absent).
    pub dbname: Option<String>,
    /// Server options (`options=-c statement_timeout=5s`), passed on.
    pub options: Option<String>,
    /// `application_name` (or `fallback_application_name`).
    pub application_name: Option<String>,
    /// `sslmode`, if given.
    pub sslmode: Option<SslMode>,
    /// `sslrootcert`, if given.
    pub sslrootcert: Option<PathBuf>,
    /// `connect_timeout`, if given and not 0 (libpq: at least 2 seconds).
    pub connect_timeout: Option<Duration>,
    /// `channel_binding`.
    pub channel_binding: ChannelBinding,
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("endpoints", &self.endpoints)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("dbname", &self.dbname)
            .field("options", &self.options)
            .field("application_name", &self.application_name)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("connect_timeout", &self.connect_timeout)
            .field("channel_binding", &self.channel_binding)
            .finish()
    }
}

impl DatabaseUrl {
    /// Parse `text` (`postgres://...`, `postgresql://...` or `key=value ...`); `origin` says
    /// where it came from ("the DATABASE_URL variable") for error messages. No error quotes
    /// any part of `text`.
    pub fn parse(text: &str, origin: &str) -> Result<DatabaseUrl, FetchError> {
        Self::parse_inner(text).map_err(|message| FetchError::BadUrl {
            origin: origin.to_string(),
            message,
        })
    }

    fn parse_inner(text: &str) -> Result<DatabaseUrl, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("it is empty".into());
        }
        let pairs = if uri::PREFIXES.iter().any(|p| text.starts_with(p)) {
            uri::lex(text)?
        } else if let Some(index) = text.find("://") {
            let scheme = &text[..index];
            return Err(
                if scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
                {
                    format!("`{scheme}://` is not a PostgreSQL URL: it must start with postgres:// or postgresql://")
                } else {
                    "it does not start with postgres:// or postgresql://".into()
                },
            );
        } else {
            let pairs = keyvalue::lex(text)?;
            if pairs.is_empty() {
                return Err("it holds no parameter".into());
            }
            pairs
        };
        let mut url = DatabaseUrl {
            endpoints: Vec::new(),
            user: None,
            password: None,
            dbname: None,
            options: None,
            application_name: None,
            sslmode: None,
            sslrootcert: None,
            connect_timeout: None,
            channel_binding: ChannelBinding::Prefer,
        };
        let mut lists = Lists::default();
        let mut fallback_name = None;
        for (index, pair) in pairs.into_iter().enumerate() {
            url.apply(pair, index + 1, &mut lists, &mut fallback_name)?;
        }
        if url.application_name.is_none() {
            url.application_name = fallback_name;
        }
        url.endpoints = endpoints(lists)?;
        Ok(url)
    }

    fn apply(
        &mut self,
        pair: Pair,
        ordinal: usize,
        lists: &mut Lists,
        fallback_name: &mut Option<String>,
    ) -> Result<(), String> {
        let key = String::from_utf8(pair.key.clone()).ok();
        let Some((name, param)) = key
            .as_deref()
            .and_then(|k| PARAMS.iter().find(|(name, _)| *name == k))
        else {
            return Err(unknown(&pair, key.as_deref(), ordinal));
        };
        let name = *name;
        if let Param::Host | Param::Hostaddr | Param::Port = param {
            let values = match pair.value {
                Value::List(values) => values,
                Value::One(value) => value.split(|b| *b == b',').map(<[u8]>::to_vec).collect(),
            };
            let slot = match param {
                Param::Host => &mut lists.hosts,
                Param::Hostaddr => &mut lists.hostaddrs,
                _ => &mut lists.ports,
            };
            *slot = Some(values);
            return Ok(());
        }
        let value = match pair.value {
            Value::One(value) => value,
            Value::List(values) => values.join(&b","[..]),
        };
        if let Param::Password = param {
            self.password = (!value.is_empty()).then_some(Secret(value));
            return Ok(());
        }
        let text = String::from_utf8(value)
            .map_err(|_| format!("the value of `{name}` is not valid UTF-8"))?;
        let some = |text: String| (!text.is_empty()).then_some(text);
        match param {
            Param::Dbname => self.dbname = some(text),
            Param::User => self.user = some(text),
            Param::Options => self.options = some(text),
            Param::ApplicationName => self.application_name = some(text),
            Param::FallbackApplicationName => *fallback_name = some(text),
            Param::Sslrootcert => self.sslrootcert = some(text).map(PathBuf::from),
            Param::Sslmode => self.sslmode = Some(text.parse().map_err(|_| {
                "`sslmode` must be one of disable, allow, prefer, require, verify-ca, verify-full"
                    .to_string()
            })?),
            Param::ConnectTimeout => {
                let seconds: i64 = text.trim().parse().map_err(|_| {
                    "`connect_timeout` must be a whole number of seconds".to_string()
                })?;
                self.connect_timeout = (seconds > 0).then(|| {
                    Duration::from_secs(seconds.clamp(2, super::MAX_TIMEOUT_SECS as i64) as u64)
                });
            }
            Param::ChannelBinding => {
                self.channel_binding = match text.as_str() {
                    "disable" => ChannelBinding::Disable,
                    "prefer" => ChannelBinding::Prefer,
                    "require" => ChannelBinding::Require,
                    _ => return Err("`channel_binding` must be disable, prefer or require".into()),
                }
            }
            Param::Accepted(allowed) => {
                if !allowed.is_empty() && !allowed.contains(&text.as_str()) {
                    return Err(format!(
                        "`{name}` must be one of {} here",
                        allowed.join(", ")
                    ));
                }
            }
            Param::Unsupported(why) => {
                return Err(format!("the parameter `{name}` is not supported: {why}"))
            }
            Param::Host | Param::Hostaddr | Param::Port | Param::Password => unreachable!(),
        }
        Ok(())
    }

    /// The first server, described without credentials (`postgres://host:port/db`).
    pub fn describe(&self) -> String {
        match self.endpoints.first() {
            Some(endpoint) => endpoint.describe(self.dbname.as_deref()),
            None => "the database".to_string(),
        }
    }

    /// Whether the password is exactly `bytes` (for tests and callers that must compare; the
    /// password itself is never handed out as text).
    pub fn password_is(&self, bytes: &[u8]) -> bool {
        self.password.as_ref().is_some_and(|p| p.0 == bytes)
    }

    /// Whether the connection string holds a password.
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// Mask any piece of four or more characters of the password in `text` (a server's or a
    /// library's message). A safety net: no message of ours is built from the connection
    /// string. A password shorter than four characters is left alone (masking single letters
    /// would garble every message).
    ///
    /// Control characters (an ANSI escape sequence from an odd or hostile server, a carriage
    /// return that would overwrite the line) are shown as `\u{..}` escapes, so that a server's
    /// text can never drive the user's terminal. Line breaks and tabs stay.
    pub fn scrub(&self, text: &str) -> String {
        let text = &neutralise_controls(text);
        let Some(Secret(password)) = &self.password else {
            return text.to_string();
        };
        let password: Vec<char> = String::from_utf8_lossy(password).chars().collect();
        let width = if password.len() >= 4 { 4 } else { 0 };
        let chars: Vec<char> = text.chars().collect();
        let mut hidden = vec![false; chars.len()];
        if width > 0 {
            for window in password.windows(width) {
                for start in 0..chars.len().saturating_sub(width - 1) {
                    if chars[start..start + width] == *window {
                        hidden[start..start + width].fill(true);
                    }
                }
            }
        }
        chars
            .iter()
            .zip(hidden)
            .map(|(c, hide)| if hide { '*' } else { *c })
            .collect()
    }
}

/// `text` with every control character but `\n` and `\t` written as a `\u{..}` escape.
fn neutralise_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let is_bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(is_bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if is_bad(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_control_characters_never_reach_the_terminal() {
        for url in ["postgres://u:Xyz789Secret@h/db", "postgres://h/db"] {
            let url = DatabaseUrl::parse(url, "test").unwrap();
            let shown = url.scrub("\u{1b}[31mred\u{1b}[0m\rover\u{7}\nnext\tline");
            assert!(
                !shown
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{shown:?}"
            );
            assert!(shown.contains("\\u{1b}[31mred"), "{shown:?}");
            assert!(shown.contains("\nnext\tline"), "{shown:?}");
        }
    }

    fn parse(text: &str) -> DatabaseUrl {
        DatabaseUrl::parse(text, "test").unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        DatabaseUrl::parse(text, "the X variable")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn both_forms_give_the_same_settings() {
        let url = parse("postgres://u:p%20w@db.example.com:5433/d8?sslmode=require&sslrootcert=%2Ftmp%2Fca.pem&application_name=x");
        let kv = parse("host=db.example.com port=5433 user=u password='p w' dbname=d8 sslmode=require sslrootcert=/tmp/ca.pem application_name=x");
        assert_eq!(url, kv);
        assert_eq!(url.sslmode, Some(SslMode::Require));
        assert_eq!(url.sslrootcert, Some(PathBuf::from("/tmp/ca.pem")));
        assert!(url.password_is(b"p w"));
        assert_eq!(url.describe(), "postgres://db.example.com:5433/d8");
    }

    #[test]
    fn hosts_ports_and_sockets() {
        let url = parse("postgres://a:1,[::1]:2,%2Frun%2Fpg/d");
        assert_eq!(
            url.endpoints,
            [
                Endpoint {
                    host: Host::Tcp("a".into()),
                    hostaddr: None,
                    port: 1
                },
                Endpoint {
                    host: Host::Tcp("::1".into()),
                    hostaddr: None,
                    port: 2
                },
                Endpoint {
                    host: Host::Unix("/run/pg".into()),
                    hostaddr: None,
                    port: 5432
                },
            ]
        );
        assert_eq!(url.endpoints[1].describe(Some("d")), "postgres://[::1]:2/d");
        assert_eq!(
            url.endpoints[2].describe(Some("d")),
            "postgres://%2Frun%2Fpg:5432/d"
        );
        let one_port = parse("host=a,b port=7");
        assert!(one_port.endpoints.iter().all(|e| e.port == 7));
        let socket = parse("postgres:///d?host=/tmp&port=6000");
        assert_eq!(socket.endpoints[0].host, Host::Unix("/tmp".into()));
        assert_eq!(socket.describe(), "postgres://%2Ftmp:6000/d");
        let addr = parse("hostaddr=127.0.0.1 port=5");
        assert_eq!(addr.describe(), "postgres://127.0.0.1:5");
        // A described source parses back to the same server.
        for source in ["postgres://[::1]:2/d", "postgres://%2Frun%2Fpg:5432/d%20b"] {
            assert_eq!(parse(source).describe(), source);
        }
    }

    #[test]
    fn libpq_defaults_and_overrides() {
        let url = parse("postgres://h/d?connect_timeout=1&fallback_application_name=f");
        assert_eq!(url.connect_timeout, Some(Duration::from_secs(2)));
        assert_eq!(url.application_name.as_deref(), Some("f"));
        assert_eq!(parse("host=h connect_timeout=0").connect_timeout, None);
        assert_eq!(
            parse("host=a host=b").endpoints[0].host,
            Host::Tcp("b".into())
        );
        assert_eq!(parse("host=h sslmode=allow").sslmode, Some(SslMode::Prefer));
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        for (text, expected) in [
            (
                "host=a port=abc",
                "the port is not a number from 1 to 65535",
            ),
            ("postgres://h:abc/d", "the port is not a number"),
            ("postgres://h:70000/d", "the port is not a number"),
            ("host=a,b,c port=1,2", "2 ports for 3 hosts"),
            ("postgres://a,b:x/d", "port 2 is not a number"),
            ("host=h sslmode=sometimes", "`sslmode` must be one of"),
            ("host=h connect_timeout=soon", "whole number of seconds"),
            (
                "host=h sslmdoe=require",
                "`sslmdoe` is not a PostgreSQL connection parameter (did you mean `sslmode`?)",
            ),
            (
                "postgres://h/d?foo=bar",
                "`foo` is not a PostgreSQL connection parameter",
            ),
            (
                "host=h sslcert=/c.pem",
                "`sslcert` is not supported: client certificates",
            ),
            (
                "host=h client_encoding=LATIN1",
                "`client_encoding` must be one of UTF8",
            ),
            ("host=@abstract", "abstract Unix sockets"),
            ("hostaddr=example.com", "hostaddr 1 is not an IP address"),
            ("mysql://u:p@h/d", "`mysql://` is not a PostgreSQL URL"),
            ("just-a-word", "word 1 is not followed by `=`"),
            ("", "it is empty"),
        ] {
            let message = error(text);
            assert!(message.contains(expected), "{text}: {message}");
            assert!(
                message.starts_with("the database URL from the X variable is not valid: "),
                "{message}"
            );
        }
    }

    #[test]
    fn debug_and_errors_hide_the_password() {
        let url = parse("postgres://u:Xyz789Secret@h/d");
        let shown = format!("{url:?}");
        assert!(
            !shown.contains("Xyz789") && shown.contains("********"),
            "{shown}"
        );
        for text in [
            "password=Xyz789 Secret host=h",
            "password=Xyz789 Secret=1 host=h",
            "host=h password='Xyz789Secret",
            "postgres://u:Xyz789%Secret@h/d",
            "postgres://u:Xyz789/Secret@h/d",
            "Xyz789Secret",
            "Xyz789:Secret@host",
        ] {
            let message = error(text);
            assert!(
                !message.contains("Xyz7") && !message.contains("Secr"),
                "{text}: {message}"
            );
        }
        assert_eq!(
            url.scrub("bad Xyz789Secret and 789S"),
            "bad ************ and ****"
        );
    }
}

/// Generated inputs: thousands of passwords full of URL and quoting metacharacters and
/// non-ASCII, through both forms, well-formed and raw.
#[cfg(test)]
mod generated {
    use super::super::percent;
    use super::*;

    const MARKERS: [char; 4] = ['ж', '€', 'ß', '日'];
    const SPECIAL: [char; 20] = [
        '@', ':', '/', '%', '#', '?', '\'', '"', '\\', ' ', '=', '&', ',', '[', ']', 'a', 'Z', '7',
        '+', '\t',
    ];

    use crate::testing::Rng;

    /// Every 4-character window holds a marker, which no message contains.
    fn password(rng: &mut Rng) -> String {
        let mut out = String::new();
        for _ in 0..1 + rng.below(6) {
            for _ in 0..1 + rng.below(3) {
                out.push(SPECIAL[rng.below(SPECIAL.len())]);
            }
            out.push(MARKERS[rng.below(MARKERS.len())]);
        }
        out
    }

    fn leaks(text: &str) -> bool {
        MARKERS
            .iter()
            .any(|m| text.contains(*m) || text.contains(&percent::encode(&m.to_string())))
    }

    fn quote(text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    }

    #[test]
    fn both_forms_agree_and_nothing_leaks_or_panics() {
        let mut rng = Rng::exact(0x0dd_ba11_5eed);
        for round in 0..3000 {
            let p = password(&mut rng);
            let user = ["u", "hc_user", "d8x"][round % 3];
            let host = ["db.example.com", "[::1]", "h1:5433,h2", "%2Frun%2Fpg"][round % 4];
            let kv_host = ["db.example.com", "::1", "h1,h2", "/run/pg"][round % 4];
            let kv_port = ["5432", "5432", "5433,5432", "5432"][round % 4];
            let url = format!(
                "postgres://{user}:{}@{host}/d8?sslmode=require&application_name=a%20b",
                percent::encode(&p)
            );
            let kv = format!(
                "user={user} password={} host={kv_host} port={kv_port} dbname=d8 sslmode=require application_name='a b'",
                quote(&p)
            );
            let from_url = DatabaseUrl::parse(&url, "URL").unwrap_or_else(|e| panic!("{url}: {e}"));
            let from_kv = DatabaseUrl::parse(&kv, "KV").unwrap_or_else(|e| panic!("{kv}: {e}"));
            assert_eq!(from_url, from_kv, "{url} vs {kv}");
            assert!(from_url.password_is(p.as_bytes()), "{url}");
            for shown in [format!("{from_url:?}"), from_url.describe()] {
                assert!(!leaks(&shown), "{shown}");
            }
            // Raw, unencoded or unquoted: whatever comes out, no panic and no leak.
            for raw in [
                format!("postgres://{user}:{p}@{host}/d8"),
                format!("postgres://{user}:{p}@{host}/d8?x={p}"),
                format!("postgresql://{user}:{p}{p}@{host}"),
                format!("user={user} password={p} host={kv_host} dbname=d8"),
                format!("host={kv_host} password={p}"),
                format!("password='{p}"),
                p.clone(),
                format!("postgres://{user}@{host}/d8?password={p}&sslmode=require"),
            ] {
                match DatabaseUrl::parse(&raw, "RAW") {
                    Ok(parsed) => assert!(!leaks(&format!("{parsed:?}")), "{raw}"),
                    Err(err) => assert!(!leaks(&err.to_string()), "{raw}: {err}"),
                }
            }
        }
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics() {
        let mut rng = Rng::exact(0xabad_1dea);
        let pieces = [
            "postgres://",
            "postgresql://",
            "@",
            ":",
            "/",
            "?",
            "&",
            "=",
            "%",
            "%2",
            "%zz",
            "%e2%82",
            "[",
            "]",
            ",",
            "'",
            "\\",
            " ",
            "host",
            "port",
            "password",
            "€",
            "ж",
            "5432",
            "x",
        ];
        for _ in 0..20_000 {
            let text: String = (0..rng.below(14))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            let _ = DatabaseUrl::parse(&text, "FUZZ");
        }
    }
}
