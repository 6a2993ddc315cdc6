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
    verbatim_start: Option<(usize, usize)>,
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
        let proc_macro2::TokenTree::Literal(literal2) = to2(TokenTree::Literal(token.clone()))
        else {
            return Err(syn::Error::new(proc_macro2::Span::call_site(), USAGE));
        };
        let span = literal2.span();
        let value = match syn::Lit::new(literal2) {
            syn::Lit::Str(string) => string.value(),
            _ => return Err(syn::Error::new(span, USAGE)),
        };
        let verbatim_start = verbatim_start(span, &value);
        Ok(SqlLiteral {
            token,
            span,
            value,
            verbatim_start,
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
        let (mut line, mut column) = self.verbatim_start?;
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
