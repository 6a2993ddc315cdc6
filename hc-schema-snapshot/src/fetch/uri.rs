//! The URL form of a connection string, split as libpq splits it (`fe-connect.c`,
//! `conninfo_uri_parse_options`), with one deliberate difference that keeps passwords safe.
//!
//! `postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?key=value&...]`
//!
//! - The user information ends at the LAST `@` before the first `/` or `?`, so an unencoded
//!   `@` in a password (`postgres://u:Abc@Xyz@host/db`) stays in the password. (libpq splits at
//!   the first `@` and would connect to a host named `Xyz@host`, printing that part of the
//!   password in its error.)
//! - An `@` after the first `/` or `?` is refused: either the password holds an unencoded `/`
//!   or `?` (so any split would put part of it into the host or database name, and from there
//!   into messages), or a database name or parameter holds an `@` that must be written `%40`.
//! - Every component is percent-decoded on bytes; a bad escape is an error that quotes nothing.

use super::keyvalue::{Pair, Value};
use super::percent::{decode, PercentError};

/// The two prefixes libpq recognises.
pub const PREFIXES: [&str; 2] = ["postgresql://", "postgres://"];

/// Split a URL (starting with one of [`PREFIXES`]) into decoded parameters, in order.
/// Errors never quote the URL.
pub fn lex(text: &str) -> Result<Vec<Pair>, String> {
    let prefix = PREFIXES
        .iter()
        .find(|p| text.starts_with(*p))
        .ok_or("the URL does not start with postgres:// or postgresql://")?;
    let rest = &text.as_bytes()[prefix.len()..];
    let authority_end = rest
        .iter()
        .position(|b| *b == b'/' || *b == b'?')
        .unwrap_or(rest.len());
    if rest[authority_end..].contains(&b'@') {
        return Err(
            "it has an `@` after the host part: if the password (or user name) holds a \
             `/` or `?`, percent-encode them (`/` is %2F, `?` is %3F, `@` is %40); an `@` in the \
             database name or a parameter must be written %40"
                .to_string(),
        );
    }
    let authority = &rest[..authority_end];
    let mut pairs = Vec::new();
    let netloc = match authority.iter().rposition(|b| *b == b'@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let (user, password) = match userinfo.iter().position(|b| *b == b':') {
                Some(colon) => (&userinfo[..colon], Some(&userinfo[colon + 1..])),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                pairs.push(pair("user", component(user, "the user name")?));
            }
            if let Some(password) = password.filter(|p| !p.is_empty()) {
                pairs.push(pair("password", component(password, "the password")?));
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    let (hosts, ports) = netlocs(netloc)?;
    if hosts.len() > 1 || hosts.iter().any(|h| !h.is_empty()) {
        pairs.push(list("host", hosts));
    }
    if ports.len() > 1 || ports.iter().any(|p| !p.is_empty()) {
        pairs.push(list("port", ports));
    }
    let mut tail = &rest[authority_end..];
    if let Some(path) = tail.strip_prefix(b"/") {
        let end = path.iter().position(|b| *b == b'?').unwrap_or(path.len());
        if end > 0 {
            pairs.push(pair(
                "dbname",
                component(&path[..end], "the database name")?,
            ));
        }
        tail = &path[end..];
    }
    if let Some(query) = tail.strip_prefix(b"?") {
        query_pairs(query, &mut pairs)?;
    }
    Ok(pairs)
}

/// `host[:port]` entries separated by commas; IPv6 addresses in brackets.
type Lists = (Vec<Vec<u8>>, Vec<Vec<u8>>);

fn netlocs(netloc: &[u8]) -> Result<Lists, String> {
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let mut p = 0;
    loop {
        let host;
        if netloc.get(p) == Some(&b'[') {
            let close = netloc[p..]
                .iter()
                .position(|b| *b == b']')
                .map(|i| p + i)
                .ok_or("an IPv6 address that opens with `[` has no closing `]`")?;
            if close == p + 1 {
                return Err("an IPv6 address in `[]` is empty".into());
            }
            host = &netloc[p + 1..close];
            p = close + 1;
            if !matches!(netloc.get(p), None | Some(b':') | Some(b',')) {
                return Err(
                    "an IPv6 address `[...]` must be followed by `:port`, `,`, `/` or `?`".into(),
                );
            }
        } else {
            let end = netloc[p..]
                .iter()
                .position(|b| *b == b':' || *b == b',')
                .map_or(netloc.len(), |i| p + i);
            host = &netloc[p..end];
            p = end;
        }
        hosts.push(component(host, "a host name")?);
        let mut port: &[u8] = b"";
        if netloc.get(p) == Some(&b':') {
            let end = netloc[p + 1..]
                .iter()
                .position(|b| *b == b',')
                .map_or(netloc.len(), |i| p + 1 + i);
            port = &netloc[p + 1..end];
            p = end;
        }
        ports.push(component(port, "a port")?);
        if netloc.get(p) == Some(&b',') {
            p += 1;
            continue;
        }
        return Ok((hosts, ports));
    }
}

fn query_pairs(query: &[u8], pairs: &mut Vec<Pair>) -> Result<(), String> {
    for (index, param) in query.split(|b| *b == b'&').enumerate() {
        if param.is_empty() {
            continue;
        }
        let ordinal = index + 1;
        let mut parts = param.splitn(2, |b| *b == b'=');
        let key = parts.next().unwrap_or_default();
        let Some(value) = parts.next() else {
            return Err(format!(
                "URL parameter {ordinal} has no `=`: write parameters as ?key=value&key=value"
            ));
        };
        if value.contains(&b'=') {
            return Err(format!(
                "URL parameter {ordinal} has a second `=` in its value: write `=` in a value as %3D"
            ));
        }
        let key =
            decode(key).map_err(|e| e.explain(&format!("the name of URL parameter {ordinal}")))?;
        let value = decode(value)
            .map_err(|e| e.explain(&format!("the value of URL parameter {ordinal}")))?;
        // libpq's JDBC compatibility: `ssl=true` means `sslmode=require`.
        if key == b"ssl" && value == b"true" {
            pairs.push(pair("sslmode", b"require".to_vec()));
        } else {
            pairs.push(Pair {
                key,
                value: Value::One(value),
                after_password: false,
            });
        }
    }
    Ok(())
}

fn component(raw: &[u8], what: &str) -> Result<Vec<u8>, String> {
    decode(raw).map_err(|err: PercentError| err.explain(what))
}

fn pair(key: &str, value: Vec<u8>) -> Pair {
    Pair {
        key: key.as_bytes().to_vec(),
        value: Value::One(value),
        after_password: false,
    }
}

fn list(key: &str, values: Vec<Vec<u8>>) -> Pair {
    Pair {
        key: key.as_bytes().to_vec(),
        value: Value::List(values),
        after_password: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexed(text: &str) -> Vec<(String, String)> {
        lex(text)
            .unwrap()
            .into_iter()
            .map(|p| {
                let value = match p.value {
                    Value::One(v) => String::from_utf8_lossy(&v).into_owned(),
                    Value::List(vs) => vs
                        .iter()
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .collect::<Vec<_>>()
                        .join(","),
                };
                (String::from_utf8(p.key).unwrap(), value)
            })
            .collect()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Expected values checked against libpq 15's `PQconninfoParse`, except where the module
    /// docs say we differ (the last `@`).
    #[test]
    fn splits_like_libpq() {
        assert_eq!(
            lexed("postgres://u:p%40ss@[::1]:5433,h2:5434/db?sslmode=require&options=-c%20x%3Dy"),
            kv(&[
                ("user", "u"),
                ("password", "p@ss"),
                ("host", "::1,h2"),
                ("port", "5433,5434"),
                ("dbname", "db"),
                ("sslmode", "require"),
                ("options", "-c x=y")
            ])
        );
        assert_eq!(
            lexed("postgres://u@/db?host=/tmp"),
            kv(&[("user", "u"), ("dbname", "db"), ("host", "/tmp")])
        );
        assert_eq!(
            lexed("postgres://%2Ftmp/db"),
            kv(&[("host", "/tmp"), ("dbname", "db")])
        );
        assert_eq!(
            lexed("postgres://h,h2/d"),
            kv(&[("host", "h,h2"), ("port", ","), ("dbname", "d")])
        );
        assert_eq!(
            lexed("postgres://:5432/d"),
            kv(&[("port", "5432"), ("dbname", "d")])
        );
        assert_eq!(lexed("postgres:///d"), kv(&[("dbname", "d")]));
        assert_eq!(
            lexed("postgres://h/d#frag"),
            kv(&[("host", "h"), ("dbname", "d#frag")])
        );
        assert_eq!(
            lexed("postgres://h/d?ssl=true"),
            kv(&[("host", "h"), ("dbname", "d"), ("sslmode", "require")])
        );
        assert_eq!(
            lexed("postgres://u:a:b#c@h"),
            kv(&[("user", "u"), ("password", "a:b#c"), ("host", "h")])
        );
    }

    #[test]
    fn an_unencoded_at_stays_in_the_password() {
        assert_eq!(
            lexed("postgres://user:Abc@Xyz789Secret@host/db"),
            kv(&[
                ("user", "user"),
                ("password", "Abc@Xyz789Secret"),
                ("host", "host"),
                ("dbname", "db")
            ])
        );
    }

    #[test]
    fn errors_quote_nothing() {
        for (url, expected) in [
            ("postgres://u:se/cret@h/db", "after the host part"),
            ("postgres://u:se?cret@h/db", "after the host part"),
            ("postgres://h/db?application_name=a@b", "%40"),
            ("postgres://u:secr%zz@h/d", "the password has a `%`"),
            ("postgres://u:secr%€t@h/d", "the password has a `%`"),
            ("postgres://u:secret%@h/d", "the password has a `%`"),
            ("postgres://u:se%00cret@h/d", "%00"),
            ("postgres://[::1/d", "no closing"),
            ("postgres://[]/d", "empty"),
            ("postgres://[::1]x/d", "must be followed"),
            ("postgres://h/d?secret", "has no `=`"),
            ("postgres://h/d?a=se=cret", "second `=`"),
        ] {
            let err = lex(url).unwrap_err();
            assert!(err.contains(expected), "{url}: {err}");
            assert!(
                !err.contains("secr") && !err.contains("cret"),
                "{url}: {err}"
            );
        }
    }
}
