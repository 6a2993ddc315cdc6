//! The token parser: the arguments of `#[hc_requires(...)]` and what follows an `hc_sql!`
//! literal, into [`Annotation`] and [`AllowanceSyntax`], every error at its token.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

use super::{AllowanceSyntax, Annotation, Group, Name, SyntaxError, WrittenType};

const EXPECTED_NAME: &str = "expected a table or column name (an identifier or a string literal), as in #[hc_requires(account(name, loyalty_tier__c))]";

/// The token trees of a stream, with the span to blame when they run out.
struct Tokens {
    trees: std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
    end: Span,
}

impl Tokens {
    fn new(stream: TokenStream, end: Span) -> Tokens {
        Tokens {
            trees: stream.into_iter().peekable(),
            end,
        }
    }

    fn is_empty(&mut self) -> bool {
        self.trees.peek().is_none()
    }

    /// The span of the next token (or of the end).
    fn span(&mut self) -> Span {
        self.trees.peek().map_or(self.end, TokenTree::span)
    }

    fn error(&mut self, message: &str) -> SyntaxError {
        SyntaxError::new(self.span(), message)
    }

    /// Consume a `,` if it is next; whether it was.
    fn comma(&mut self) -> bool {
        let is_comma = matches!(self.trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ',');
        if is_comma {
            self.trees.next();
        }
        is_comma
    }
}

impl Annotation {
    /// Parse the arguments of `#[hc_requires(...)]`. `span` is blamed when the list is empty
    /// or ends too early (the attribute's).
    ///
    /// ```text
    /// annotation := group ("," group)* ","?
    /// ```
    pub fn parse(tokens: TokenStream, span: Span) -> Result<Annotation, SyntaxError> {
        let mut input = Tokens::new(tokens, span);
        let mut groups = Vec::new();
        let mut allowances = Vec::new();
        while !input.is_empty() {
            match input.keyword() {
                Some((Keyword::Write, at)) => {
                    input.trees.next();
                    let mut group = Group::parse(&mut input)?;
                    group.write = Some(at);
                    groups.push(group);
                }
                Some((Keyword::MissingOk, at)) => {
                    input.trees.next();
                    allowances.push(AllowanceSyntax::parse(&mut input, at)?);
                }
                None => groups.push(Group::parse(&mut input)?),
            }
            if input.is_empty() {
                break;
            }
            if !input.comma() {
                return Err(input.error(
                    "expected `,` between table groups: #[hc_requires(account(name), contact(email))]",
                ));
            }
        }
        Ok(Annotation {
            groups,
            allowances,
            span,
        })
    }
}

/// The words with a meaning of their own in an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Write,
    MissingOk,
}

impl Tokens {
    /// The keyword next, if the next token is `write` followed by a name, or `missing_ok`
    /// followed by `(`. (A table named `write` is written `"write"(...)`.)
    fn keyword(&mut self) -> Option<(Keyword, Span)> {
        let Some(TokenTree::Ident(ident)) = self.trees.peek() else {
            return None;
        };
        let word = ident.to_string();
        let span = ident.span();
        let keyword = match word.as_str() {
            "write" => Keyword::Write,
            "missing_ok" => Keyword::MissingOk,
            _ => return None,
        };
        // Look one token further without consuming: clone the iterator (cheap: an Rc'd stream).
        let mut ahead = self.trees.clone();
        ahead.next();
        let next = ahead.next();
        let fits = match keyword {
            Keyword::Write => matches!(
                next,
                Some(TokenTree::Ident(_)) | Some(TokenTree::Literal(_))
            ),
            Keyword::MissingOk => {
                matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
            }
        };
        fits.then_some((keyword, span))
    }
}

impl AllowanceSyntax {
    /// After `missing_ok`: `(env, ..., table(cols), ..., reason = "...")`.
    fn parse(input: &mut Tokens, span: Span) -> Result<AllowanceSyntax, SyntaxError> {
        let Some(TokenTree::Group(list)) = input.trees.next() else {
            unreachable!("keyword() checked the parenthesis");
        };
        let mut content = Tokens::new(list.stream(), list.span_close());
        let mut allowance = AllowanceSyntax {
            envs: Vec::new(),
            groups: Vec::new(),
            reason: None,
            span,
        };
        while !content.is_empty() {
            let is_reason =
                matches!(content.trees.peek(), Some(TokenTree::Ident(i)) if i == "reason");
            if is_reason {
                let reason_span = content.span();
                content.trees.next();
                let equals =
                    matches!(content.trees.next(), Some(TokenTree::Punct(p)) if p.as_char() == '=');
                let value = match content.trees.next() {
                    Some(TokenTree::Literal(literal)) if equals => {
                        string_value(&literal.to_string()).map(|v| (v, literal.span()))
                    }
                    _ => None,
                };
                let Some((value, value_span)) = value else {
                    return Err(SyntaxError::new(
                        reason_span,
                        "write the reason as `reason = \"...\"` (a string literal)",
                    ));
                };
                if allowance.reason.is_some() {
                    return Err(SyntaxError::new(
                        reason_span,
                        "this allowance already has a reason: give one `reason = \"...\"`",
                    ));
                }
                allowance.reason = Some((value, value_span));
            } else {
                let name = Name::parse(&mut content)?;
                if matches!(content.trees.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    allowance
                        .groups
                        .push(Group::parse_after_table(&mut content, name)?);
                } else if allowance.groups.is_empty() {
                    allowance.envs.push(name);
                } else {
                    return Err(SyntaxError::new(
                        name.span,
                        format!(
                            "`{}`: name the environments first, then the columns: \
                             missing_ok(prod, account(loyalty_tier__c), reason = \"...\")",
                            name.written
                        ),
                    ));
                }
            }
            if content.is_empty() {
                break;
            }
            if !content.comma() {
                return Err(content.error(
                    "expected `,` in missing_ok(prod, account(loyalty_tier__c), reason = \"...\")",
                ));
            }
        }
        Ok(allowance)
    }
}

impl Group {
    fn parse(input: &mut Tokens) -> Result<Group, SyntaxError> {
        let table = Name::parse(input)?;
        Group::parse_after_table(input, table)
    }

    fn parse_after_table(input: &mut Tokens, table: Name) -> Result<Group, SyntaxError> {
        match input.trees.peek() {
            Some(TokenTree::Punct(dot)) if dot.as_char() == '.' => {
                let dot = dot.span();
                input.trees.next();
                let next = Name::parse(input).map_or_else(|_| "column".to_string(), |c| c.written);
                // `salesforce.account(name)`: a schema prefix, not a column.
                if matches!(input.trees.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    return Err(SyntaxError::new(
                        table.span,
                        format!(
                            "drop the schema prefix `{0}.`: write `{next}(...)`; the Heroku Connect \
                             schema comes from `schema` in hc-schema.toml (default `salesforce`)",
                            table.written
                        ),
                    ));
                }
                Err(SyntaxError::new(
                    dot,
                    format!(
                        "write `{0}({next})` instead of `{0}.{next}`: columns are listed in parentheses after the table",
                        table.written
                    ),
                ))
            }
            Some(TokenTree::Group(list)) if list.delimiter() == Delimiter::Parenthesis => {
                let parens = list.span();
                let mut content = Tokens::new(list.stream(), list.span_close());
                input.trees.next();
                let mut columns = Vec::new();
                let mut types = Vec::new();
                while !content.is_empty() {
                    let column = Name::parse(&mut content)?;
                    if matches!(content.trees.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                    {
                        return Err(SyntaxError::new(
                            column.span,
                            format!(
                                "`{}` looks like a table inside the column list of `{}`: close the list with `)` and separate groups with `,`",
                                column.written, table.written
                            ),
                        ));
                    }
                    let ty = match content.trees.peek() {
                        Some(TokenTree::Punct(colon)) if colon.as_char() == ':' => {
                            Some(WrittenType::parse(&mut content, &column, &table)?)
                        }
                        _ => None,
                    };
                    columns.push(column);
                    types.push(ty);
                    if content.is_empty() {
                        break;
                    }
                    if !content.comma() {
                        return Err(content.error("expected `,` between columns"));
                    }
                }
                Ok(Group {
                    table,
                    columns,
                    types,
                    parens,
                    write: None,
                })
            }
            _ => Err(SyntaxError::new(
                table.span,
                format!(
                    "expected the columns of `{0}` in parentheses: `{0}(column, ...)`",
                    table.written
                ),
            )),
        }
    }
}

impl WrittenType {
    /// After `column`: `: Type`, up to the next `,` outside `<...>`. The type must be a Rust
    /// type path (`f64`, `Option<String>`, `chrono::NaiveDate`, `Vec<i64>`).
    fn parse(
        content: &mut Tokens,
        column: &Name,
        table: &Name,
    ) -> Result<WrittenType, SyntaxError> {
        let colon = content.span();
        content.trees.next();
        let example = format!(
            "write the column's Rust type after it: `{}({}: f64)` (a type such as f64, String, \
             Option<i32>, chrono::NaiveDate)",
            table.written, column.written
        );
        let mut tokens = Vec::new();
        let mut depth = 0usize;
        while let Some(tree) = content.trees.peek() {
            if let TokenTree::Punct(p) = tree {
                match p.as_char() {
                    ',' if depth == 0 => break,
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            tokens.push(tree.clone());
            content.trees.next();
        }
        let Some(first) = tokens.first() else {
            return Err(SyntaxError::new(colon, example));
        };
        let span = first.span();
        let stream: TokenStream = tokens.into_iter().collect();
        match syn::parse2::<syn::Type>(stream.clone()) {
            // A path, or a reference the `postgres` crate reads like its owned type (`&str`).
            Ok(syn::Type::Path(syn::TypePath { qself: None, .. }) | syn::Type::Reference(_)) => {
                let text = compact(&stream.to_string());
                // What syn accepts but is no type (`Option<>`): the one normalisation says.
                if let Err(message) = crate::written::normalise(&text, &[]) {
                    return Err(SyntaxError::new(span, format!("{message}; {example}")));
                }
                Ok(WrittenType { text, span })
            }
            _ => Err(SyntaxError::new(
                span,
                format!(
                    "`{}` is not a Rust type path: {example}",
                    compact(&stream.to_string())
                ),
            )),
        }
    }
}

/// A type's token text without the spaces `TokenStream::to_string` puts between tokens
/// (`Option < f64 >` is `Option<f64>`): a space stays only between two words.
fn compact(text: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let before = out.chars().last();
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if let (Some(b), Some(&a)) = (before, after) {
                if word(b) && word(a) && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Name {
    /// `identifier | raw identifier | keyword | "string literal"`.
    fn parse(input: &mut Tokens) -> Result<Name, SyntaxError> {
        let name = match input.trees.peek() {
            Some(TokenTree::Ident(ident)) => {
                let mut written = ident.to_string();
                if written.starts_with("r#") {
                    written.drain(..2);
                }
                Name {
                    // Names from tokens hold no whitespace: lower-casing is all of
                    // `names::normalize` that applies.
                    value: written.to_ascii_lowercase(),
                    written,
                    span: ident.span(),
                }
            }
            Some(TokenTree::Literal(literal)) => {
                let span = literal.span();
                let Some(written) = string_value(&literal.to_string()) else {
                    return Err(input.error(EXPECTED_NAME));
                };
                if written.is_empty()
                    || !written
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(SyntaxError::new(
                        span,
                        format!(
                            "{written:?} is not a Heroku Connect name: Salesforce API names contain only letters, digits and underscores"
                        ),
                    ));
                }
                Name {
                    value: written.to_ascii_lowercase(),
                    written,
                    span,
                }
            }
            _ => return Err(input.error(EXPECTED_NAME)),
        };
        input.trees.next();
        Ok(name)
    }
}

/// The text of a string literal token (`"..."`, `r"..."`, `r#"..."#`), escapes left as they
/// are (a name with a backslash is rejected anyway); `None` for any other literal.
fn string_value(token: &str) -> Option<String> {
    let raw = token.strip_prefix('r').map(|rest| rest.trim_matches('#'));
    let quoted = raw.unwrap_or(token);
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.to_string())
}

/// What `hc_sql!` says when something other than an allowance follows its literal.
pub const SQL_ALLOWANCE_USAGE: &str = "after its string literal, hc_sql! takes only allowances: \
     hc_sql!(\"SELECT ...\", missing_ok(prod, account(loyalty_tier__c), reason = \"...\")) lets \
     the columns listed be unmapped in `prod`, for the stated reason";

/// The allowances of an `hc_sql!` call, read from the tokens after its literal's `,`
/// (`end` is blamed when they run out early): the same `missing_ok(...)` as an annotation's.
///
/// ```text
/// hc_sql_arguments := literal ("," "missing_ok" "(" allowance ")")* ","?
/// ```
///
/// ```
/// use hc_schema_snapshot::syntax::{allowances_of, sql_allowances};
/// let tokens = r#"missing_ok(prod, account(Tier__c), reason = "behind the tiers flag"),"#;
/// let allowances = sql_allowances(tokens.parse().unwrap(), proc_macro2::Span::call_site()).unwrap();
/// let allowed = allowances_of(&allowances);
/// assert_eq!((allowed[0].env.as_str(), allowed[0].table.as_str()), ("prod", "account"));
/// assert_eq!(allowed[0].columns, ["tier__c"]);
/// assert!(sql_allowances("42".parse().unwrap(), proc_macro2::Span::call_site()).is_err());
/// ```
pub fn sql_allowances(tokens: TokenStream, end: Span) -> Result<Vec<AllowanceSyntax>, SyntaxError> {
    let mut input = Tokens::new(tokens, end);
    let mut allowances = Vec::new();
    while !input.is_empty() {
        match input.keyword() {
            Some((Keyword::MissingOk, at)) => {
                input.trees.next();
                allowances.push(AllowanceSyntax::parse(&mut input, at)?);
            }
            _ => return Err(input.error(SQL_ALLOWANCE_USAGE)),
        }
        if input.is_empty() {
            break;
        }
        if !input.comma() {
            return Err(input.error(
                "expected `,` between allowances: hc_sql!(\"...\", missing_ok(prod, ...), missing_ok(test, ...))",
            ));
        }
    }
    Ok(allowances)
}
