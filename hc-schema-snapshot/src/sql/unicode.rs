//! PostgreSQL's Unicode-escaped identifiers (`U&"\0074ier__c"`, `U&"t!0069er" UESCAPE '!'`),
//! which sqlparser reads as `U & "\0074ier__c"`: decoded before parsing, so that the name is
//! judged as PostgreSQL reads it (`"tier__c"`), never as its escapes.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use std::ops::Range;

use super::position::Lines;

/// `sql` with each Unicode-escaped identifier written as a plain quoted one, padded with
/// spaces to the same byte length (so that every offset stays where it was), or `None` when
/// there is none (or the text does not tokenize: the parser then says why). An escape that
/// PostgreSQL rejects is left as written (the name is then not a Heroku Connect name: an
/// error, never a pass).
pub(crate) fn decode_identifiers(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let any = bytes
        .windows(3)
        .any(|w| w[0].eq_ignore_ascii_case(&b'u') && w[1] == b'&' && w[2] == b'"');
    if !any {
        return None;
    }
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let lines = Lines::new(sql);
    let range = |t: &TokenWithSpan| lines.range(t.span);
    let significant: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut out = sql.to_string();
    let mut changed = false;
    let mut k = 0;
    while k + 2 < significant.len() {
        let (u, amp, name) = (significant[k], significant[k + 1], significant[k + 2]);
        let adjacent = |a: &TokenWithSpan, b: &TokenWithSpan| matches!((range(a), range(b)), (Some(a), Some(b)) if a.end == b.start);
        let is_u = matches!(&u.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("u"));
        let is_name = matches!(&name.token, Token::Word(w) if w.quote_style == Some('"'));
        if !(is_u
            && amp.token == Token::Ampersand
            && is_name
            && adjacent(u, amp)
            && adjacent(amp, name))
        {
            k += 1;
            continue;
        }
        let (Some(Range { start, .. }), Some(name_at)) = (range(u), range(name)) else {
            k += 1;
            continue;
        };
        let mut end = name_at.end;
        let mut escape = '\\';
        // `UESCAPE 'c'`: another escape character, and the clause goes too.
        if let (Some(word), Some(char_token)) = (significant.get(k + 3), significant.get(k + 4)) {
            if let (Token::Word(w), Token::SingleQuotedString(c)) = (&word.token, &char_token.token)
            {
                if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("uescape") {
                    let mut chars = c.chars();
                    if let (Some(c), None, Some(at)) =
                        (chars.next(), chars.next(), range(char_token))
                    {
                        escape = c;
                        end = at.end;
                    }
                }
            }
        }
        let raw = &sql[name_at.start + 1..name_at.end.saturating_sub(1).max(name_at.start + 1)];
        let Some(decoded) = decode(&raw.replace("\"\"", "\""), escape) else {
            k += 1;
            continue;
        };
        let written = format!("\"{}\"", decoded.replace('"', "\"\""));
        if written.len() > end - start {
            k += 1;
            continue;
        }
        let padded = format!("{written}{}", " ".repeat(end - start - written.len()));
        out.replace_range(start..end, &padded);
        changed = true;
        k += 3;
    }
    changed.then_some(out)
}

/// The value of a Unicode-escaped name (between the quotes): `\XXXX` and `\+XXXXXX` (hex) are
/// code points, `\\` is `\` (with `escape` for `\`); `None` for an escape PostgreSQL rejects.
fn decode(raw: &str, escape: char) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != escape {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&escape) {
            chars.next();
            out.push(escape);
            continue;
        }
        let digits = if chars.peek() == Some(&'+') {
            chars.next();
            6
        } else {
            4
        };
        let hex: String = (0..digits).filter_map(|_| chars.next()).collect();
        if hex.len() != digits || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let code = u32::from_str_radix(&hex, 16).ok()?;
        out.push(char::from_u32(code).filter(|c| *c != '\0')?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_in_place() {
        let sql = r#"SELECT U&"\0074ier__c" FROM account"#;
        let decoded = decode_identifiers(sql).unwrap();
        assert_eq!(decoded.len(), sql.len());
        assert_eq!(decoded, "SELECT \"tier__c\"       FROM account");
        let sql = r#"SELECT u&"t!0069er__c" UESCAPE '!', x FROM account"#;
        assert_eq!(
            decode_identifiers(sql)
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["SELECT", "\"tier__c\"", ",", "x", "FROM", "account"]
        );
        assert_eq!(decode(r"a\\b\+000063", '\\').as_deref(), Some(r"a\bc"));
        assert_eq!(decode(r"\00zz", '\\'), None);
        assert_eq!(decode(r"\0000", '\\'), None);
        assert_eq!(decode_identifiers("SELECT 'U&\"x\"' FROM account"), None);
        assert_eq!(decode_identifiers("SELECT name FROM account"), None);
        assert_eq!(
            decode_identifiers("SELECT U&\"\\0074"),
            None,
            "does not tokenize"
        );
    }
}
