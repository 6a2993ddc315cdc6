//! The `#[hc_requires(...)]` grammar, shared by the macro and by source scanning.
//!
//! ```text
//! annotation := group ("," group)* ","?
//! group      := name "(" name ("," name)* ","? ")"
//! name       := identifier | raw identifier | keyword | "string literal"
//! ```
//!
//! Names may be written in Salesforce casing (`Loyalty_Tier__c`) or Postgres casing; they are
//! compared after Heroku Connect's lower-case rule. Rust keywords are common column names
//! (`account(type)`), so keywords are accepted as they are.
//!
//! ```
//! use hc_schema_snapshot::syntax::Annotation;
//! let annotation: Annotation = syn::parse_str(r#"Account(Name, type, r#loop, "Odd_Name__c"), user(email)"#).unwrap();
//! let requirements = annotation.requirements();
//! assert_eq!(requirements[0].table, "account");
//! assert_eq!(requirements[0].columns, ["name", "type", "loop", "odd_name__c"]);
//! assert_eq!(requirements[1].table, "user");
//! ```

use std::fmt;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

use crate::requirement::Requirement;

/// A parsed annotation: its table groups, in source order.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// The groups `table(col, ...)`.
    pub groups: Vec<Group>,
    /// The span of the whole argument list (for "empty annotation").
    pub span: Span,
}

/// `table(col, col, ...)`.
#[derive(Debug, Clone)]
pub struct Group {
    /// The table name.
    pub table: Name,
    /// The column names.
    pub columns: Vec<Name>,
    /// The span of the parenthesised column list.
    pub parens: Span,
}

/// A table or column name with the token it came from.
#[derive(Debug, Clone)]
pub struct Name {
    /// Normalised (Postgres, lower-case) name.
    pub value: String,
    /// The name as written (without `r#` or quotes).
    pub written: String,
    /// The token's span: errors about this name point here.
    pub span: Span,
}

/// A malformed annotation: what is wrong and the token it is about.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Where: errors are reported on this token.
    pub span: Span,
    /// What is wrong, and the fix.
    pub message: String,
}

impl SyntaxError {
    fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Lets `syn::parse_str::<Annotation>` and `syn::parse2` read an annotation.
impl syn::parse::Parse for Annotation {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let tokens: TokenStream = input.parse()?;
        Annotation::parse(tokens, span).map_err(|err| syn::Error::new(err.span, err.message))
    }
}

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
        while !input.is_empty() {
            groups.push(Group::parse(&mut input)?);
            if input.is_empty() {
                break;
            }
            if !input.comma() {
                return Err(input.error(
                    "expected `,` between table groups: #[hc_requires(account(name), contact(email))]",
                ));
            }
        }
        Ok(Annotation { groups, span })
    }
}

impl Group {
    fn parse(input: &mut Tokens) -> Result<Group, SyntaxError> {
        let table = Name::parse(input)?;
        match input.trees.peek() {
            Some(TokenTree::Punct(dot)) if dot.as_char() == '.' => {
                let dot = dot.span();
                input.trees.next();
                let column =
                    Name::parse(input).map_or_else(|_| "column".to_string(), |c| c.written);
                Err(SyntaxError::new(
                    dot,
                    format!(
                        "write `{0}({column})` instead of `{0}.{column}`: columns are listed in parentheses after the table",
                        table.written
                    ),
                ))
            }
            Some(TokenTree::Group(list)) if list.delimiter() == Delimiter::Parenthesis => {
                let parens = list.span();
                let mut content = Tokens::new(list.stream(), list.span_close());
                input.trees.next();
                let mut columns = Vec::new();
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
                    columns.push(column);
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
                    parens,
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

impl Annotation {
    /// Semantic checks: the annotation names something, no group is empty, no column twice.
    /// Every problem is its own error, spanned on the offending token.
    pub fn validate(&self) -> Vec<SyntaxError> {
        let mut errors = Vec::new();
        if self.groups.is_empty() {
            errors.push(SyntaxError::new(
                self.span,
                "#[hc_requires] needs at least one table and column: #[hc_requires(account(name))]",
            ));
        }
        // Annotations are short: a list beats hashing.
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for group in &self.groups {
            if group.columns.is_empty() {
                errors.push(SyntaxError::new(
                    group.parens,
                    format!(
                        "list the columns of `{}` this code reads: `{}(name, ...)`",
                        group.table.written, group.table.written
                    ),
                ));
            }
            for column in &group.columns {
                let key = (group.table.value.as_str(), column.value.as_str());
                if seen.contains(&key) {
                    errors.push(SyntaxError::new(
                        column.span,
                        format!(
                            "`{}.{}` is listed twice in this annotation; remove this one",
                            group.table.value, column.value
                        ),
                    ));
                } else {
                    seen.push(key);
                }
            }
        }
        errors
    }

    /// The requirements, one per group, names normalised.
    pub fn requirements(&self) -> Vec<Requirement> {
        self.groups.iter().map(Group::requirement).collect()
    }

    /// Parse the arguments of an attribute (`#[hc_requires(...)]` or a bare `#[hc_requires]`).
    pub fn from_attribute(attr: &syn::Attribute) -> Result<Annotation, SyntaxError> {
        use syn::spanned::Spanned;
        match &attr.meta {
            syn::Meta::List(list) => Annotation::parse(list.tokens.clone(), attr.span()),
            _ => Ok(Annotation {
                groups: Vec::new(),
                span: attr.span(),
            }),
        }
    }
}

impl Group {
    /// The requirement this group states.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            table: self.table.value.clone(),
            columns: self.columns.iter().map(|c| c.value.clone()).collect(),
        }
    }

    /// The span of the column named `column` (normalised), or of the table.
    pub fn span_of(&self, column: Option<&str>) -> Span {
        column
            .and_then(|wanted| self.columns.iter().find(|c| c.value == wanted))
            .map_or(self.table.span, |c| c.span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Annotation, SyntaxError> {
        Annotation::parse(text.parse().unwrap(), Span::call_site())
    }

    #[test]
    fn accepts_keywords_raw_idents_literals_and_trailing_commas() {
        let annotation =
            parse(r#"account(type, r#match, self, "Loyalty_Tier__c",), "User"(id),"#).unwrap();
        assert!(annotation.validate().is_empty());
        let requirements = annotation.requirements();
        assert_eq!(
            requirements[0].columns,
            ["type", "match", "self", "loyalty_tier__c"]
        );
        assert_eq!(requirements[1].table, "user");
    }

    #[test]
    fn syntax_errors_explain_the_fix() {
        let message = |text: &str| parse(text).unwrap_err().to_string();
        assert!(message("account").contains("`account(column, ...)`"));
        assert!(message("account.name").contains("instead of `account.name`"));
        assert!(message("account(name contact(x))").contains("expected `,` between columns"));
        assert!(message("account(name) contact(x)").contains("between table groups"));
        assert!(message("account(42)").contains("expected a table or column name"));
        assert!(message(r#"account("first name")"#).contains("not a Heroku Connect name"));
        assert!(message("account(name, contact(x))").contains("looks like a table"));
    }

    #[test]
    fn validation_flags_empty_and_duplicates() {
        let errors = parse("").unwrap().validate();
        assert!(errors[0].to_string().contains("at least one table"));
        let errors = parse("account()").unwrap().validate();
        assert!(errors[0]
            .to_string()
            .contains("list the columns of `account`"));
        let errors = parse("account(name, Name), Account(name)")
            .unwrap()
            .validate();
        assert_eq!(errors.len(), 2);
        assert!(errors[0]
            .to_string()
            .contains("`account.name` is listed twice"));
    }
}
