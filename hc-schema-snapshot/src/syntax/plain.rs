//! The macro's fast path: an annotation in its plain form read from the text of its
//! arguments, without walking the tokens.
//!
//! **Measured** (why; `cargo bench -p hc-schema-tests --bench macro_build`, instructions,
//! 2026-11-25): 1,000 annotated items cost 1.0295x the crate without annotations, against
//! 1.0232x for a do-nothing attribute (the floor rustc charges for any attribute macro), dense
//! one-line functions, release. The full syn parse is kept for everything else, and a
//! generated test holds the two to the same requirements.

/// One `table(column, ...)` group of an annotation in its plain form (see [`plain_groups`]),
/// names borrowed from the lower-cased text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainGroup<'a> {
    /// The table name, lower case.
    pub table: &'a str,
    /// The column names, lower case, in the order written.
    pub columns: Vec<&'a str>,
}

/// The groups of an annotation in its plain form, read from the text of its arguments (what
/// `TokenStream::to_string()` prints), or `None` when the text is anything else. The text is
/// lower-cased in place (Heroku Connect's rule) and the names are borrowed from it.
///
/// The plain form is the grammar above restricted to ASCII identifiers (raw or not) and plain
/// `"..."` names, with at least one group, no empty group and no column listed twice: exactly
/// the annotations [`Annotation::parse`](super::Annotation::parse) and [`Annotation::validate`](super::Annotation::validate) accept without a
/// message, minus exotic spellings. For those it gives the same tables and columns as
/// [`Annotation::requirements`](super::Annotation::requirements). On `None` the caller parses the tokens, which also gives
/// every error its span. The macro reads the text with one call into the compiler where
/// walking the tokens takes one per token, and no allocation per name: that is most of what
/// an annotation costs it.
///
/// ```
/// use hc_schema_snapshot::syntax::plain_groups;
/// let mut text = String::from(r#"Account(Name, r#type, "Tier__c"), user(email,)"#);
/// let groups = plain_groups(&mut text).unwrap();
/// assert_eq!(groups[0].table, "account");
/// assert_eq!(groups[0].columns, ["name", "type", "tier__c"]);
/// assert_eq!(groups[1].table, "user");
/// assert!(plain_groups(&mut "account.name".to_string()).is_none()); // the token parser explains it
/// assert!(plain_groups(&mut "account(name, Name)".to_string()).is_none()); // listed twice
/// ```
pub fn plain_groups(text: &mut str) -> Option<Vec<PlainGroup<'_>>> {
    text.make_ascii_lowercase();
    let text: &str = text;
    // Written as plain loops over bytes: proc-macros run unoptimised, where every iterator
    // adapter and closure is a real call, and this runs once per annotation.
    let bytes = text.as_bytes();
    let mut at = skip_whitespace(bytes, 0);
    let mut groups: Vec<PlainGroup<'_>> = Vec::new();
    while at < bytes.len() {
        let (table, next) = plain_name(text, at)?;
        if table == "write" || table == "missing_ok" {
            return None; // keywords: the token parser reads them
        }
        at = skip_whitespace(bytes, next);
        if at == bytes.len() || bytes[at] != b'(' {
            return None;
        }
        at = skip_whitespace(bytes, at + 1);
        let mut columns: Vec<&str> = Vec::new();
        while at < bytes.len() && bytes[at] != b')' {
            let (column, next) = plain_name(text, at)?;
            if columns.contains(&column)
                || groups
                    .iter()
                    .any(|g| g.table == table && g.columns.contains(&column))
            {
                return None; // listed twice
            }
            columns.push(column);
            at = skip_whitespace(bytes, next);
            if at < bytes.len() && bytes[at] == b',' {
                at = skip_whitespace(bytes, at + 1);
            } else if at == bytes.len() || bytes[at] != b')' {
                return None;
            }
        }
        if at == bytes.len() || columns.is_empty() {
            return None;
        }
        groups.push(PlainGroup { table, columns });
        at = skip_whitespace(bytes, at + 1);
        if at < bytes.len() {
            if bytes[at] != b',' {
                return None;
            }
            at = skip_whitespace(bytes, at + 1);
        }
    }
    if groups.is_empty() {
        return None;
    }
    Some(groups)
}

/// The first position at or after `at` that is not ASCII whitespace.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// At `at`, an ASCII identifier (`r#` allowed) or a `"..."` of letters, digits and
/// underscores: the name, and where it ends.
fn plain_name(text: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    let quoted = at < bytes.len() && bytes[at] == b'"';
    let raw = at + 1 < bytes.len() && bytes[at] == b'r' && bytes[at + 1] == b'#';
    let start = at + usize::from(quoted) + 2 * usize::from(raw);
    let mut end = start;
    while end < bytes.len() && matches!(bytes[end], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_')
    {
        end += 1;
    }
    if end == start || (!quoted && bytes[start].is_ascii_digit()) {
        return None;
    }
    let name = &text[start..end];
    if quoted {
        if end == bytes.len() || bytes[end] != b'"' {
            return None;
        }
        end += 1;
    }
    // A word followed by more of a token (`r"..."`, `'a`, `b'x'`, unicode) is not plain.
    if end < bytes.len()
        && !matches!(
            bytes[end],
            b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b','
        )
    {
        return None;
    }
    Some((name, end))
}
