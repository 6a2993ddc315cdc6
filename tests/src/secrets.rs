//! Generated passwords and connection strings for leak tests: hundreds of URL and key=value
//! shapes whose passwords are full of `@ : / % # ? ' "`, backslashes, spaces and non-ASCII, and
//! a detector for any piece of a password in output.
//!
//! Every 4-character window of a generated password holds a *marker*: a non-ASCII character
//! that hc-schema's own messages never contain. So a marker, or its percent-encoding, in any
//! output or written file means a piece of a password got there (no false positives from the
//! fixed message text), and any 4 characters of a password in the output are caught.

/// The markers: one in every 4-character window of a generated password.
pub const MARKERS: [char; 6] = ['ж', 'ß', '€', 'Ω', 'ǂ', '日'];

const SPECIAL: &[char] = &[
    '@', ':', '/', '%', '#', '?', '\'', '"', '\\', ' ', '=', '&', ',', '[', ']', '$', '!', '+',
];
const PLAIN: &[char] = &['a', 'Z', 'q', '7', '0', '-', '_', '.', 'F', 'e'];

pub use crate::rng::Rng;

/// A password of 2 to 7 chunks, each 1 to 3 ASCII characters (mostly special) and a marker.
/// Some chunks end in `%` so that a `%` is followed by a multi-byte character, some hold
/// `%41`-like escapes, some spaces.
pub fn password(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..2 + rng.below(6) {
        let escape = rng.below(5) == 0;
        let ascii = if escape { 1 } else { 1 + rng.below(3) };
        for _ in 0..ascii {
            out.push(if rng.below(3) == 0 {
                rng.pick(PLAIN)
            } else {
                rng.pick(SPECIAL)
            });
        }
        if escape {
            out.push_str("%4");
        }
        out.push(rng.pick(&MARKERS));
    }
    out
}

/// `text` with every byte but RFC 3986's unreserved characters percent-encoded.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `text` as a libpq key=value quoted value: `'...'` with `\\'` and `\\\\`.
pub fn kv_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `text` as a SQL string literal (standard_conforming_strings on).
pub fn sql_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Where the shapes point.
pub struct Targets<'a> {
    /// The live server's host and port.
    pub live: (&'a str, u16),
    /// A port where nothing listens.
    pub dead: u16,
    /// A port where something that is not PostgreSQL answers.
    pub impostor: u16,
    /// The database name.
    pub db: &'a str,
    /// A role whose password is the generated password (connections to `live` succeed).
    pub user: &'a str,
}

/// One connection string to try, with what it is.
pub struct Shape {
    /// What it is (for assertion messages; holds no password).
    pub label: &'static str,
    /// The connection string.
    pub text: String,
    /// Whether a connection should succeed (right password, live server, valid syntax).
    pub connects: bool,
}

/// Every shape for `password`: URLs encoded and raw, with IPv6, several hosts, bad ports,
/// unknown parameters, `@` after the host; key=value quoted, raw and unterminated; against the
/// live server, a closed port and an impostor.
pub fn shapes(password: &str, wrong: &str, t: &Targets<'_>) -> Vec<Shape> {
    let (host, port) = t.live;
    let (db, user, dead, imp) = (t.db, t.user, t.dead, t.impostor);
    let enc = percent_encode(password);
    let enc_wrong = percent_encode(wrong);
    let q = kv_quote(password);
    let shape = |label, text: String, connects| Shape {
        label,
        text,
        connects,
    };
    vec![
        shape("url encoded", format!("postgres://{user}:{enc}@{host}:{port}/{db}?sslmode=disable"), true),
        shape("url encoded, tls", format!("postgresql://{user}:{enc}@{host}:{port}/{db}?sslmode=require"), true),
        shape("url encoded, second host answers", format!("postgres://{user}:{enc}@[::1]:{dead},{host}:{port}/{db}?sslmode=disable"), true),
        shape("url raw", format!("postgres://{user}:{password}@{host}:{port}/{db}?sslmode=disable"), false),
        shape("url raw, query", format!("postgres://{user}:{password}@{host}:{port}/{db}?application_name=x&sslmode=disable"), false),
        shape("url wrong password", format!("postgres://{user}:{enc_wrong}@{host}:{port}/{db}?sslmode=disable"), false),
        shape("url bad port", format!("postgres://{user}:{enc}@{host}:x{port}/{db}"), false),
        shape("url unknown parameter", format!("postgres://{user}:{enc}@{host}:{port}/{db}?sslmdoe=disable"), false),
        shape("url at after host", format!("postgres://{user}:{enc}@{host}:{port}/{db}@x"), false),
        shape("url closed port", format!("postgres://{user}:{enc}@127.0.0.1:{dead}/{db}"), false),
        shape("url impostor", format!("postgres://{user}:{enc}@127.0.0.1:{imp}/{db}?sslmode=disable"), false),
        shape("url impostor raw", format!("postgres://{user}:{password}@127.0.0.1:{imp}/{db}?sslmode=require"), false),
        shape("url ipv6 closed", format!("postgres://{user}:{enc}@[::1]:{dead}/{db}"), false),
        shape("url password parameter", format!("postgres://{user}@{host}:{port}/{db}?sslmode=disable&password={enc}"), true),
        shape("kv quoted", format!("host={host} port={port} user={user} password={q} dbname={db} sslmode=disable"), true),
        shape("kv quoted, password last", format!("host={host} port={port} user={user} dbname={db} sslmode=disable password={q}"), true),
        shape("kv raw", format!("host={host} port={port} user={user} password={password} dbname={db} sslmode=disable"), false),
        shape("kv raw, password last", format!("host={host} port={port} user={user} dbname={db} password={password}"), false),
        shape("kv unterminated", format!("host={host} port={port} user={user} dbname={db} password='{password}"), false),
        shape("kv bad port", format!("host={host} port=x{port} user={user} password={q} dbname={db}"), false),
        shape("kv impostor", format!("host=127.0.0.1 port={imp} user={user} password={q} dbname={db} sslmode=prefer"), false),
        shape("kv wrong password", format!("host={host} port={port} user={user} password={} dbname={db} sslmode=disable", kv_quote(wrong)), false),
    ]
}

/// The first piece of a password found in `text`: a marker, a percent-encoded marker, or any
/// 4 characters of one of `secrets`.
pub fn leak(text: &str, secrets: &[&str]) -> Option<String> {
    for marker in MARKERS {
        if text.contains(marker) {
            return Some(marker.to_string());
        }
        let encoded = percent_encode(&marker.to_string());
        for form in [encoded.clone(), encoded.to_lowercase()] {
            if text.contains(&form) {
                return Some(form);
            }
        }
    }
    for secret in secrets {
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(4) {
            let piece: String = window.iter().collect();
            if text.contains(&piece) {
                return Some(piece);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_of_a_password_holds_a_marker() {
        let mut rng = Rng::new(42);
        for _ in 0..500 {
            let p = password(&mut rng);
            let chars: Vec<char> = p.chars().collect();
            assert!(chars.len() >= 4);
            for w in chars.windows(4) {
                assert!(w.iter().any(|c| MARKERS.contains(c)), "{p:?}");
            }
            assert!(leak(&format!("x {p} y"), &[&p]).is_some());
            assert_eq!(
                leak("error: cannot reach postgres://h:5432/d: %25 `%`", &[&p]),
                None
            );
        }
    }
}
