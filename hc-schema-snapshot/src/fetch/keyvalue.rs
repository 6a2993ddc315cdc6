//! The `key=value` form of a connection string, tokenised exactly as libpq does
//! (`fe-connect.c`, `conninfo_parse`):
//!
//! - pairs are separated by whitespace; spaces around `=` are allowed (`host = db`);
//! - a value in single quotes keeps everything up to the closing quote, spaces included
//!   (`password='Super  Secret'`); inside it, `\'` is a quote and `\\` a backslash;
//! - an unquoted value ends at whitespace; a backslash escapes the next character there too.
//!
//! Errors never quote the text: a word without `=` may be the tail of a password that needed
//! quoting.

/// One parameter of a connection string, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The parameter name, as written.
    pub key: Vec<u8>,
    /// The value.
    pub value: Value,
    /// Whether the pair directly follows a `password=` pair in the key=value form: an unknown
    /// name there is probably the tail of an unquoted password, so it is never shown.
    pub after_password: bool,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// One value (`host=a,b` is one value, split later).
    One(Vec<u8>),
    /// A list already split (the hosts and ports of a URL, each decoded on its own).
    List(Vec<Vec<u8>>),
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Split `text` into its pairs, in order.
pub fn lex(text: &str) -> Result<Vec<Pair>, String> {
    let bytes = text.as_bytes();
    let mut pairs: Vec<Pair> = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return Ok(pairs);
        }
        let ordinal = pairs.len() + 1;
        let after_password = pairs.last().is_some_and(|p| p.key == b"password");
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && !is_space(bytes[i]) {
            i += 1;
        }
        let key = bytes[key_start..i].to_vec();
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(missing_equals(&pairs, ordinal, &key));
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = Vec::new();
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => {
                        return Err(format!(
                            "the quoted value of parameter {ordinal}{} has no closing `'`",
                            named(&key)
                        ))
                    }
                    Some(b'\\') => {
                        if let Some(next) = bytes.get(i + 1) {
                            value.push(*next);
                        }
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        value.push(*other);
                        i += 1;
                    }
                }
            }
        } else {
            while i < bytes.len() && !is_space(bytes[i]) {
                if bytes[i] == b'\\' {
                    if let Some(next) = bytes.get(i + 1) {
                        value.push(*next);
                    }
                    i += 2;
                } else {
                    value.push(bytes[i]);
                    i += 1;
                }
            }
        }
        pairs.push(Pair {
            key,
            value: Value::One(value),
            after_password,
        });
    }
}

/// ` (`host`)` for a name that is a known parameter; nothing otherwise (it could be a piece of
/// a password).
fn named(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(name) if super::params::is_known_parameter(name) => format!(" (`{name}`)"),
        _ => String::new(),
    }
}

fn missing_equals(pairs: &[Pair], ordinal: usize, key: &[u8]) -> String {
    if pairs.last().is_some_and(|p| p.key == b"password") {
        return "the value of `password` is followed by a word without `=`: a value that holds \
                spaces must be in single quotes (password='two words'; write a quote inside \
                as \\')"
            .to_string();
    }
    format!(
        "word {ordinal}{} is not followed by `=`: write key=value pairs separated by spaces, \
         and quote values that hold spaces (key='a b')",
        named(key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexed(text: &str) -> Vec<(String, String)> {
        lex(text)
            .unwrap()
            .into_iter()
            .map(|p| {
                let Value::One(value) = p.value else {
                    unreachable!()
                };
                (
                    String::from_utf8(p.key).unwrap(),
                    String::from_utf8(value).unwrap(),
                )
            })
            .collect()
    }

    /// Expected values checked against libpq 15's `PQconninfoParse`.
    #[test]
    fn quoting_as_libpq() {
        assert_eq!(
            lexed("password='Super  Secret' host=x"),
            [
                ("password".into(), "Super  Secret".into()),
                ("host".into(), "x".into())
            ]
        );
        assert_eq!(
            lexed(r"user=x\ y password='it\'s \\ ok' dbname = d8 options=-c\ a=b"),
            [
                ("user".to_string(), "x y".to_string()),
                ("password".into(), r"it's \ ok".into()),
                ("dbname".into(), "d8".into()),
                ("options".into(), "-c a=b".into()),
            ]
        );
        assert_eq!(
            lexed("password= host=h"),
            [("password".to_string(), "host=h".to_string())]
        );
        assert_eq!(lexed("password='' host=h")[0].1, "");
        assert_eq!(lexed("a=b=c")[0].1, "b=c");
    }

    #[test]
    fn errors_quote_nothing() {
        let err = lex("host=h password=Super Secret").unwrap_err();
        assert!(
            err.contains("single quotes") && !err.contains("Secret"),
            "{err}"
        );
        let err = lex("host=h password='Super Secret").unwrap_err();
        assert!(
            err.contains("(`password`) has no closing") && !err.contains("Secret"),
            "{err}"
        );
        let err = lex("host=h Secret").unwrap_err();
        assert!(
            err.contains("word 2 is not followed") && !err.contains("Secret"),
            "{err}"
        );
        let err = lex("host x").unwrap_err();
        assert!(err.contains("word 1 (`host`)"), "{err}");
    }
}
