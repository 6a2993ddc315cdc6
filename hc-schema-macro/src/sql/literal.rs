//! The arguments of `hc_sql!`: one string literal, then any `missing_ok(...)` allowances (read
//! by the library's grammar, `hc_schema_snapshot::syntax::sql_allowances`). Where each byte of
//! the literal's value is in the source, and how an error is placed, is the library's
//! [`SourceLiteral`] (shared with `hc-schema check`); this module only reads the tokens, with a
//! fast path for the common literal (measured: syn's unescaping costs more than the rest of the
//! macro at opt-level 0). The benchmark that holds it: `cargo bench -p hc-schema-tests --bench
//! sql_build` (1,000 queries, instructions, 2026-11: `hc_sql!` 1.057x a do-nothing macro on a
//! debug touch-rebuild, 1.015x release); remove the fast path only if that stays within 2%.

use std::cell::OnceCell;

use hc_schema_snapshot::sql::SourceLiteral;
use hc_schema_snapshot::syntax::{sql_allowances, AllowanceSyntax};
use proc_macro::{Delimiter, TokenStream, TokenTree};

/// The string literal of an `hc_sql!` call.
pub struct SqlLiteral {
    /// The literal token as written (returned as the expansion).
    pub token: proc_macro::Literal,
    /// Its span.
    pub span: proc_macro2::Span,
    /// Its value: the SQL.
    pub value: String,
    /// The `missing_ok(...)` allowances after the literal (`hc_sql!("...", missing_ok(...))`).
    pub allowances: Vec<AllowanceSyntax>,
    /// Where it is written, asked of the compiler only when a position is needed (an error,
    /// the registry).
    written: OnceCell<Written>,
}

/// The literal's file, source text and start, as the compiler knows them.
struct Written {
    file: String,
    text: String,
    line: u32,
    column: u32,
}

impl SqlLiteral {
    /// The literal of `input`, or an error at the offending token; `usage` (the calling
    /// macro's form, e.g. [`hc_schema_snapshot::sql::NOT_A_LITERAL`]) when it is no string
    /// literal.
    pub fn parse(input: TokenStream, usage: &'static str) -> Result<SqlLiteral, syn::Error> {
        let mut tokens: Vec<TokenTree> = input.into_iter().collect();
        // A literal passed through `macro_rules!` arrives wrapped in an invisible group.
        while let [TokenTree::Group(group)] = tokens.as_slice() {
            if group.delimiter() != Delimiter::None {
                break;
            }
            tokens = group.stream().into_iter().collect();
        }
        // A `$sql:literal` followed by more tokens: only the literal is wrapped.
        if let Some(TokenTree::Group(group)) = tokens.first() {
            if group.delimiter() == Delimiter::None {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                if let [TokenTree::Literal(_)] = inner.as_slice() {
                    tokens[0] = inner[0].clone();
                }
            }
        }
        // `literal`, `literal,` or `literal, missing_ok(...), ...`.
        let (token, rest) = match tokens.as_slice() {
            [TokenTree::Literal(literal)] => (literal.clone(), &[][..]),
            [TokenTree::Literal(literal), TokenTree::Punct(comma), rest @ ..]
                if comma.as_char() == ',' =>
            {
                (literal.clone(), rest)
            }
            [] => {
                return Err(syn::Error::new(proc_macro2::Span::call_site(), usage));
            }
            [first, ..] => {
                let span = to2(first.clone()).span();
                return Err(syn::Error::new(span, usage));
            }
        };
        let allowances = if rest.is_empty() {
            Vec::new()
        } else {
            let rest: TokenStream = rest.iter().cloned().collect();
            let end = proc_macro2::Span::call_site();
            sql_allowances(rest.into(), end)
                .map_err(|err| syn::Error::new(err.span, err.message))?
        };
        // The common case without syn (whose unescaping costs more than the rest of the macro
        // at opt-level 0): a string or raw string literal without escapes is its text.
        if let Some(value) = verbatim_value(&token.to_string()) {
            return Ok(SqlLiteral {
                span: proc_macro2::Span::from(token.span()),
                value: value.to_string(),
                token,
                allowances,
                written: OnceCell::new(),
            });
        }
        let proc_macro2::TokenTree::Literal(literal2) = to2(TokenTree::Literal(token.clone()))
        else {
            return Err(syn::Error::new(proc_macro2::Span::call_site(), usage));
        };
        let span = literal2.span();
        let value = match syn::Lit::new(literal2) {
            syn::Lit::Str(string) => string.value(),
            _ => return Err(syn::Error::new(span, usage)),
        };
        Ok(SqlLiteral {
            token,
            span,
            value,
            allowances,
            written: OnceCell::new(),
        })
    }

    /// The literal as the library places names and errors in it. Its source text comes from
    /// the compiler (none for a literal produced by another macro: then every name is placed
    /// at the literal itself).
    pub fn source(&self) -> SourceLiteral<'_> {
        let written = self.written.get_or_init(|| {
            let start = self.span.start();
            Written {
                file: self.span.file(),
                text: self.span.source_text().unwrap_or_default(),
                line: start.line as u32,
                column: start.column as u32 + 1,
            }
        });
        SourceLiteral::new(
            &written.file,
            &self.value,
            &written.text,
            written.line,
            written.column,
        )
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
        let mut rng = hc_schema_snapshot::testing::Rng::exact(0x1234_5678_9abc_def1);
        let mut next = move |n: usize| rng.below(n);
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
