//! The argument of `hc_sql!`: one string literal, and where each byte of its value is in the
//! source.

use proc_macro::{Delimiter, TokenStream, TokenTree};

/// The string literal of an `hc_sql!` call.
pub struct SqlLiteral {
    /// The literal token as written (returned as the expansion).
    pub token: proc_macro::Literal,
    /// Its span.
    pub span: proc_macro2::Span,
    /// Its value: the SQL.
    pub value: String,
    /// Where the value starts in the source when every byte of the value is a byte of the
    /// source (a plain string without escapes, or a raw string): 1-based line, 0-based column.
    /// Asked of the compiler only when a position is needed (an error, the registry).
    verbatim_start: std::cell::OnceCell<Option<(usize, usize)>>,
}

const USAGE: &str =
    "hc_sql! takes one string literal: hc_sql!(\"SELECT name FROM salesforce.account\") \
     (or a raw string r#\"...\"#, on as many lines as needed); SQL built at run time (concat!, \
     format!, a variable) cannot be checked here: declare its columns with #[hc_requires(...)] \
     on the function instead";

impl SqlLiteral {
    /// The literal of `input`, or an error at the offending token.
    pub fn parse(input: TokenStream) -> Result<SqlLiteral, syn::Error> {
        let mut tokens: Vec<TokenTree> = input.into_iter().collect();
        // A literal passed through `macro_rules!` arrives wrapped in an invisible group.
        while let [TokenTree::Group(group)] = tokens.as_slice() {
            if group.delimiter() != Delimiter::None {
                break;
            }
            tokens = group.stream().into_iter().collect();
        }
        if let [first, TokenTree::Punct(comma)] = tokens.as_slice() {
            if comma.as_char() == ',' {
                tokens = vec![first.clone()];
            }
        }
        let token = match tokens.as_slice() {
            [TokenTree::Literal(literal)] => literal.clone(),
            [] => {
                return Err(syn::Error::new(proc_macro2::Span::call_site(), USAGE));
            }
            [first, ..] => {
                let span = to2(first.clone()).span();
                return Err(syn::Error::new(span, USAGE));
            }
        };
        // The common case without syn (whose unescaping costs more than the rest of the macro
        // at opt-level 0): a string or raw string literal without escapes is its text.
        if let Some(value) = verbatim_value(&token.to_string()) {
            return Ok(SqlLiteral {
                span: proc_macro2::Span::from(token.span()),
                value: value.to_string(),
                token,
                verbatim_start: std::cell::OnceCell::new(),
            });
        }
        let proc_macro2::TokenTree::Literal(literal2) = to2(TokenTree::Literal(token.clone()))
        else {
            return Err(syn::Error::new(proc_macro2::Span::call_site(), USAGE));
        };
        let span = literal2.span();
        let value = match syn::Lit::new(literal2) {
            syn::Lit::Str(string) => string.value(),
            _ => return Err(syn::Error::new(span, USAGE)),
        };
        Ok(SqlLiteral {
            token,
            span,
            value,
            verbatim_start: std::cell::OnceCell::new(),
        })
    }

    /// The 1-based line and column in the source file of byte `offset` of the SQL: exact when
    /// the literal's value is its source text (no escapes), else the literal's own position.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        self.exact(offset).unwrap_or_else(|| {
            let start = self.span.start();
            (start.line as u32, start.column as u32 + 1)
        })
    }

    /// The 1-based line and column in the source file of byte `offset` of the SQL, when the
    /// literal's value is its source text (no escapes).
    pub fn exact(&self, offset: usize) -> Option<(u32, u32)> {
        let (mut line, mut column) = (*self
            .verbatim_start
            .get_or_init(|| verbatim_start(self.span, &self.value)))?;
        let offset = offset.min(self.value.len());
        for c in self.value[..offset].chars() {
            if c == '\n' {
                line += 1;
                column = 0;
            } else {
                column += 1;
            }
        }
        Some((line as u32, column as u32 + 1))
    }

    /// The source file of the literal (as rustc names it: relative to the workspace).
    pub fn file(&self) -> String {
        self.span.file()
    }
}

/// The same token as a `proc_macro2` token (with its span).
fn to2(token: TokenTree) -> proc_macro2::TokenTree {
    proc_macro2::TokenStream::from(TokenStream::from(token))
        .into_iter()
        .next()
        .unwrap_or_else(|| proc_macro2::Literal::string("").into())
}

/// The value of string literal `text` when it is the text between the quotes: a plain string
/// without `\\` (no escape, no line continuation) or a raw string, without suffix. `None`
/// for anything else (escapes, byte or C strings, a suffix): syn decides those.
fn verbatim_value(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    // `r###"` ... `"###` (any number of `#`, none included), or `"` ... `"`.
    let hashes = match bytes.first()? {
        b'r' => bytes[1..].iter().take_while(|b| **b == b'#').count(),
        _ => 0,
    };
    let open = if bytes[0] == b'r' { 2 + hashes } else { 1 };
    let close = 1 + hashes;
    if bytes.len() < open + close || bytes[open - 1] != b'"' {
        return None;
    }
    let tail = &bytes[bytes.len() - close..];
    if tail[0] != b'"' || tail[1..].iter().any(|b| *b != b'#') {
        return None;
    }
    // Both ends are ASCII, so these are character boundaries.
    let inner = &text[open..text.len() - close];
    let escapes = bytes[0] == b'"' && inner.contains('\\');
    // The closing quote (and hashes) must not occur inside: then this is no single literal.
    let closed_early = inner.contains(&text[text.len() - close..]);
    (!escapes && !closed_early && !inner.contains('\r')).then_some(inner)
}

/// Where the value begins in the source, when the value is a verbatim copy of the source text
/// between the quotes.
fn verbatim_start(span: proc_macro2::Span, value: &str) -> Option<(usize, usize)> {
    let text = span.source_text()?;
    // `r##"` ... `"##`, or `"` ... `"`.
    let (prefix, suffix) = if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        (1 + hashes + 1, hashes + 1)
    } else if text.starts_with('"') {
        (1, 1)
    } else {
        return None;
    };
    let inner = text.get(prefix..text.len().checked_sub(suffix)?)?;
    if inner != value || (prefix == 1 && inner.contains('\\')) {
        return None;
    }
    let start = span.start();
    Some((start.line, start.column + prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated literal texts: whenever the fast path gives a value, syn reads the same text as
    /// a string literal without suffix with that value; and it gives one for every plain or raw
    /// string without escapes.
    #[test]
    fn the_fast_path_agrees_with_syn() {
        let pieces = [
            "SELECT", " ", "\"", "\\", "\\n", "#", "r", "é", "\n", "'", "x", "\\\"", "\r",
        ];
        let mut state = 0x1234_5678_9abc_def1_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut fast, mut plain) = (0, 0);
        for _ in 0..20_000 {
            let body: String = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
            let hashes = "#".repeat(next(3));
            let text = match next(6) {
                0 => format!("r{hashes}\"{body}\"{hashes}"),
                1 => format!("r{hashes}\"{body}\"{}", "#".repeat(next(3))),
                2 => format!("\"{body}\"{}", ["", "x", "_s"][next(3)]),
                3 => format!("{}\"{body}\"", ["b", "c", "br", "R"][next(4)]),
                4 => body.clone(),
                _ => format!("\"{body}\""),
            };
            let parsed = syn::parse_str::<syn::LitStr>(&text)
                .ok()
                .filter(|lit| lit.suffix().is_empty());
            let escape_free = |lit: &syn::LitStr| {
                let inner = lit.token().to_string();
                inner == text
                    && (inner.starts_with('r') || !inner.contains('\\'))
                    && !inner.contains('\r')
            };
            match (verbatim_value(&text), &parsed) {
                (Some(value), Some(lit)) => {
                    assert_eq!(value, lit.value(), "{text:?}");
                    fast += 1;
                }
                (Some(value), None) => panic!("{text:?} is no string literal, read as {value:?}"),
                (None, Some(lit)) => {
                    assert!(!escape_free(lit), "{text:?} missed");
                    plain += 1;
                }
                (None, None) => {}
            }
        }
        assert!(fast > 2_000 && plain > 500, "fast {fast}, by syn {plain}");
    }
}
