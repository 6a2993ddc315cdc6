//! Percent-encoding of URL components, on bytes (never panics, whatever follows a `%`).

/// Why a component could not be decoded. Carries no text of the component: it may be a
/// password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentError {
    /// A `%` not followed by two hexadecimal digits (`%zz`, `%€`, a `%` at the end).
    BadEscape,
    /// `%00`: libpq refuses it, since a NUL byte would end the value.
    Nul,
}

impl PercentError {
    /// What is wrong and how to fix it, for a component named by `what` ("the password").
    pub fn explain(self, what: &str) -> String {
        match self {
            PercentError::BadEscape => format!(
                "{what} has a `%` that is not followed by two hexadecimal digits: write a literal `%` as %25"
            ),
            PercentError::Nul => format!("{what} holds %00 (a NUL byte), which PostgreSQL refuses"),
        }
    }
}

/// Decode `%XX` escapes as libpq does (RFC 3986: `+` stays `+`).
///
/// ```text
/// use hc_schema_snapshot::fetch::percent::{decode, PercentError};
/// assert_eq!(decode(b"p%40ss%2Fw").unwrap(), b"p@ss/w");
/// assert_eq!(decode("Pr0d%€".as_bytes()), Err(PercentError::BadEscape));
/// assert_eq!(decode(b"a%00"), Err(PercentError::Nul));
/// ```
///
/// (A private item: this example runs as the unit test `doc_example_decode`.)
pub fn decode(input: &[u8]) -> Result<Vec<u8>, PercentError> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'%' {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let high = input.get(i + 1).and_then(|b| hex(*b));
        let low = input.get(i + 2).and_then(|b| hex(*b));
        let (Some(high), Some(low)) = (high, low) else {
            return Err(PercentError::BadEscape);
        };
        let byte = high << 4 | low;
        if byte == 0 {
            return Err(PercentError::Nul);
        }
        out.push(byte);
        i += 3;
    }
    Ok(out)
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Encode everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`), so that
/// the text is one component of a URL (a socket directory as a host, a database name).
///
/// ```text
/// use hc_schema_snapshot::fetch::percent::encode;
/// assert_eq!(encode("/var/run/postgresql"), "%2Fvar%2Frun%2Fpostgresql");
/// assert_eq!(encode("d8abc-prod_1"), "d8abc-prod_1");
/// ```
///
/// (A private item: this example runs as the unit test `doc_example_encode`.)
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    #[test]
    fn encode_then_decode_is_identity_on_any_bytes() {
        let mut state = Rng::exact(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let len = (next(&mut state) % 24) as usize;
            let text: String = (0..len)
                .map(|_| char::from_u32((next(&mut state) % 0x3000) as u32 + 1).unwrap_or('x'))
                .collect();
            assert_eq!(decode(encode(&text).as_bytes()).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = Rng::exact(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let len = (next(&mut state) % 12) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| [b'%', b'0', b'a', b'G', 0xE2, 0x82, 0xAC][next(&mut state) as usize % 7])
                .collect();
            let _ = decode(&bytes);
        }
    }

    fn next(rng: &mut Rng) -> u64 {
        rng.next_u64()
    }
}

#[cfg(test)]
mod doc_examples {
    #[test]
    fn doc_example_decode() {
        use crate::fetch::percent::{decode, PercentError};
        assert_eq!(decode(b"p%40ss%2Fw").unwrap(), b"p@ss/w");
        assert_eq!(decode("Pr0d%€".as_bytes()), Err(PercentError::BadEscape));
        assert_eq!(decode(b"a%00"), Err(PercentError::Nul));
    }

    #[test]
    fn doc_example_encode() {
        use crate::fetch::percent::encode;
        assert_eq!(encode("/var/run/postgresql"), "%2Fvar%2Frun%2Fpostgresql");
        assert_eq!(encode("d8abc-prod_1"), "d8abc-prod_1");
    }
}
