//! The servers of a connection string: hosts, `hostaddr`s and ports matched up as libpq does,
//! and their credential-free description.

use std::net::IpAddr;
use std::path::PathBuf;

use super::percent;

/// PostgreSQL's default port.
pub const DEFAULT_PORT: u16 = 5432;

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A host name or an IP address (IPv6 without brackets).
    Tcp(String),
    /// A Unix-domain socket directory (`host=/var/run/postgresql`); the socket is
    /// `<dir>/.s.PGSQL.<port>`.
    Unix(PathBuf),
}

/// One server of the list, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host (also the name a `verify-full` certificate must carry).
    pub host: Host,
    /// libpq's `hostaddr`: the address to connect to without a name lookup.
    pub hostaddr: Option<IpAddr>,
    /// The port.
    pub port: u16,
}

impl Endpoint {
    /// `postgres://host:port/db`: no user name, no password, a valid URL (IPv6 in brackets, a
    /// socket directory percent-encoded).
    ///
    /// ```
    /// use hc_schema_snapshot::fetch::url::{Endpoint, Host};
    /// let unix = Endpoint { host: Host::Unix("/run/postgresql".into()), hostaddr: None, port: 5432 };
    /// assert_eq!(unix.describe(Some("d8")), "postgres://%2Frun%2Fpostgresql:5432/d8");
    /// ```
    pub fn describe(&self, dbname: Option<&str>) -> String {
        let host = match &self.host {
            Host::Tcp(name) if name.is_empty() => self
                .hostaddr
                .map(|ip| bracketed(&ip.to_string()))
                .unwrap_or_default(),
            Host::Tcp(name) => bracketed(name),
            Host::Unix(dir) => percent::encode(&dir.to_string_lossy()),
        };
        match dbname {
            Some(db) => format!("postgres://{host}:{}/{}", self.port, percent::encode(db)),
            None => format!("postgres://{host}:{}", self.port),
        }
    }

    /// `host:port` as shown in messages about this server.
    pub fn short(&self) -> String {
        let full = self.describe(None);
        full.trim_start_matches("postgres://").to_string()
    }
}

fn bracketed(name: &str) -> String {
    if name.contains(':') {
        format!("[{}]", percent_keep_colons(name))
    } else {
        percent::encode(name)
    }
}

fn percent_keep_colons(name: &str) -> String {
    name.split(':')
        .map(percent::encode)
        .collect::<Vec<_>>()
        .join(":")
}

/// Host, hostaddr and port lists as given, before they are matched up.
#[derive(Default)]
pub(crate) struct Lists {
    pub hosts: Option<Vec<Vec<u8>>>,
    pub hostaddrs: Option<Vec<Vec<u8>>>,
    pub ports: Option<Vec<Vec<u8>>>,
}

/// Match hosts, hostaddrs and ports up as libpq does: one port for all hosts, or one per host.
pub(crate) fn endpoints(lists: Lists) -> Result<Vec<Endpoint>, String> {
    let hosts = lists.hosts.unwrap_or_default();
    let hostaddrs = lists.hostaddrs.unwrap_or_default();
    let count = hosts.len().max(hostaddrs.len()).max(1);
    if !hosts.is_empty() && !hostaddrs.is_empty() && hosts.len() != hostaddrs.len() {
        return Err(format!(
            "{} host names but {} hostaddr values: give one hostaddr per host",
            hosts.len(),
            hostaddrs.len()
        ));
    }
    let ports = lists.ports.unwrap_or_default();
    if ports.len() > 1 && ports.len() != count {
        return Err(format!(
            "{} ports for {count} hosts: give one port for all hosts, or one per host",
            ports.len()
        ));
    }
    let mut out = Vec::with_capacity(count);
    for index in 0..count {
        let host = hosts.get(index).map(Vec::as_slice).unwrap_or_default();
        let host = std::str::from_utf8(host)
            .map_err(|_| format!("host {} is not valid UTF-8", index + 1))?;
        let hostaddr = match hostaddrs.get(index).map(Vec::as_slice) {
            None | Some(b"") => None,
            Some(raw) => Some(
                std::str::from_utf8(raw)
                    .ok()
                    .and_then(|text| text.parse::<IpAddr>().ok())
                    .ok_or_else(|| format!("hostaddr {} is not an IP address", index + 1))?,
            ),
        };
        let port = match ports.get(if ports.len() == 1 { 0 } else { index }) {
            None => DEFAULT_PORT,
            Some(raw) if raw.is_empty() => DEFAULT_PORT,
            Some(raw) => parse_port(raw).ok_or_else(|| {
                if count > 1 {
                    format!("port {} is not a number from 1 to 65535", index + 1)
                } else {
                    "the port is not a number from 1 to 65535".to_string()
                }
            })?,
        };
        let host = if host.starts_with('/') {
            Host::Unix(PathBuf::from(host))
        } else if host.starts_with('@') {
            return Err(
                "abstract Unix sockets (a host starting with `@`) are not supported".into(),
            );
        } else if host.is_empty() && hostaddr.is_none() {
            default_host()
        } else {
            Host::Tcp(host.to_string())
        };
        out.push(Endpoint {
            host,
            hostaddr,
            port,
        });
    }
    Ok(out)
}

fn parse_port(raw: &[u8]) -> Option<u16> {
    if raw.is_empty() || raw.len() > 5 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let port: u32 = std::str::from_utf8(raw).ok()?.parse().ok()?;
    u16::try_from(port).ok().filter(|p| *p > 0)
}

/// libpq's default when no host is given: the Unix socket directory (Debian's, else `/tmp`);
/// `localhost` where there is none.
fn default_host() -> Host {
    if cfg!(unix) {
        for dir in ["/var/run/postgresql", "/run/postgresql", "/tmp"] {
            if std::path::Path::new(dir).is_dir() {
                return Host::Unix(PathBuf::from(dir));
            }
        }
    }
    Host::Tcp("localhost".into())
}
