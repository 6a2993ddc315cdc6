//! Every parameter libpq knows, and what hc-schema does with it: use it, accept it without
//! effect (validated), or refuse it with the reason.

use super::keyvalue::Pair;

/// What hc-schema does with each libpq parameter.
#[derive(Clone, Copy)]
pub(crate) enum Param {
    Host,
    Hostaddr,
    Port,
    Dbname,
    User,
    Password,
    ConnectTimeout,
    Options,
    ApplicationName,
    FallbackApplicationName,
    Sslmode,
    Sslrootcert,
    ChannelBinding,
    /// Accepted, with the allowed values (validated) and why it changes nothing here.
    Accepted(&'static [&'static str]),
    /// Refused, with the reason.
    Unsupported(&'static str),
}

const ANY: &[&str] = &[];
const TCP_TUNING: &[&str] = ANY;

/// Every parameter libpq knows, and what we do with it.
pub(crate) const PARAMS: &[(&str, Param)] = &[
    ("host", Param::Host),
    ("hostaddr", Param::Hostaddr),
    ("port", Param::Port),
    ("dbname", Param::Dbname),
    ("user", Param::User),
    ("password", Param::Password),
    ("connect_timeout", Param::ConnectTimeout),
    ("options", Param::Options),
    ("application_name", Param::ApplicationName),
    ("fallback_application_name", Param::FallbackApplicationName),
    ("sslmode", Param::Sslmode),
    ("sslrootcert", Param::Sslrootcert),
    ("channel_binding", Param::ChannelBinding),
    // The catalog read is the same on every server of a cluster, and hc-schema only reads:
    // any server of the list will do, tried in the given order.
    (
        "target_session_attrs",
        Param::Accepted(&[
            "any",
            "read-write",
            "read-only",
            "primary",
            "standby",
            "prefer-standby",
        ]),
    ),
    (
        "load_balance_hosts",
        Param::Accepted(&["disable", "random"]),
    ),
    (
        "client_encoding",
        Param::Accepted(&["UTF8", "utf8", "UTF-8", "utf-8", "unicode", "auto"]),
    ),
    // TCP tuning: hc-schema's own deadlines bound every phase of the connection.
    ("keepalives", Param::Accepted(TCP_TUNING)),
    ("keepalives_idle", Param::Accepted(TCP_TUNING)),
    ("keepalives_interval", Param::Accepted(TCP_TUNING)),
    ("keepalives_count", Param::Accepted(TCP_TUNING)),
    ("tcp_user_timeout", Param::Accepted(TCP_TUNING)),
    // Obsolete or without effect on a verified or unverified TLS connection.
    ("sslcompression", Param::Accepted(ANY)),
    ("sslsni", Param::Accepted(&["0", "1"])),
    ("sslnegotiation", Param::Accepted(&["postgres"])),
    ("gssencmode", Param::Accepted(&["disable", "prefer"])),
    ("gsslib", Param::Accepted(ANY)),
    ("krbsrvname", Param::Accepted(ANY)),
    (
        "passfile",
        Param::Unsupported("hc-schema reads the password from the URL only: put it there"),
    ),
    (
        "service",
        Param::Unsupported("service files are not read: write the parameters into the URL"),
    ),
    (
        "sslcert",
        Param::Unsupported("client certificates are not supported"),
    ),
    (
        "sslkey",
        Param::Unsupported("client certificates are not supported"),
    ),
    (
        "sslpassword",
        Param::Unsupported("client certificates are not supported"),
    ),
    (
        "sslcertmode",
        Param::Unsupported("client certificates are not supported"),
    ),
    (
        "sslcrl",
        Param::Unsupported("certificate revocation lists are not supported"),
    ),
    (
        "sslcrldir",
        Param::Unsupported("certificate revocation lists are not supported"),
    ),
    (
        "ssl_min_protocol_version",
        Param::Unsupported("the TLS versions are the system's defaults"),
    ),
    (
        "ssl_max_protocol_version",
        Param::Unsupported("the TLS versions are the system's defaults"),
    ),
    (
        "requirepeer",
        Param::Unsupported("peer checks on Unix sockets are not supported"),
    ),
    ("require_auth", Param::Unsupported("it is not supported")),
    (
        "replication",
        Param::Unsupported("a replication connection cannot run the catalog query"),
    ),
    (
        "gssdelegation",
        Param::Unsupported("GSSAPI is not supported"),
    ),
    (
        "requiressl",
        Param::Unsupported("it is obsolete: use sslmode=require"),
    ),
];

/// Whether `name` is a parameter libpq knows.
pub(crate) fn is_known_parameter(name: &str) -> bool {
    PARAMS.iter().any(|(known, _)| *known == name)
}

/// The message for a parameter name that libpq does not know. The name is shown only when it
/// looks like a parameter name and does not directly follow `password=` (where it is probably
/// the tail of an unquoted password).
pub(crate) fn unknown(pair: &Pair, key: Option<&str>, ordinal: usize) -> String {
    let shown = key.filter(|k| {
        !pair.after_password
            && !k.is_empty()
            && k.len() <= 40
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    match shown {
        Some(key) => {
            let hint = crate::suggest::closest(key, PARAMS.iter().map(|(name, _)| *name))
                .map(|near| format!(" (did you mean `{near}`?)"))
                .unwrap_or_default();
            format!("`{key}` is not a PostgreSQL connection parameter{hint}")
        }
        None if pair.after_password => "the value of `password` is followed by a word that is not a connection parameter: a value that holds spaces must be in single quotes (password='two words')".to_string(),
        None => format!("parameter {ordinal} is not a PostgreSQL connection parameter"),
    }
}
