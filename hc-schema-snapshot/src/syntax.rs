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

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Token};

use crate::names;
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

impl Parse for Annotation {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let mut groups = Vec::new();
        while !input.is_empty() {
            groups.push(input.parse()?);
            if input.is_empty() {
                break;
            }
            if !input.peek(Token![,]) {
                return Err(input.error(
                    "expected `,` between table groups: #[hc_requires(account(name), contact(email))]",
                ));
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Annotation { groups, span })
    }
}

impl Parse for Group {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let table: Name = input.parse()?;
        if input.peek(Token![.]) {
            let dot: Token![.] = input.parse()?;
            let column = input
                .parse::<Name>()
                .map_or_else(|_| "column".to_string(), |c| c.written);
            return Err(syn::Error::new(
                dot.span,
                format!(
                    "write `{0}({column})` instead of `{0}.{column}`: columns are listed in parentheses after the table",
                    table.written
                ),
            ));
        }
        if !input.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                table.span,
                format!(
                    "expected the columns of `{0}` in parentheses: `{0}(column, ...)`",
                    table.written
                ),
            ));
        }
        let content;
        let parens = syn::parenthesized!(content in input);
        let mut columns = Vec::new();
        while !content.is_empty() {
            let column: Name = content.parse()?;
            if content.peek(syn::token::Paren) {
                return Err(syn::Error::new(
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
            if !content.peek(Token![,]) {
                return Err(content.error("expected `,` between columns"));
            }
            content.parse::<Token![,]>()?;
        }
        Ok(Group {
            table,
            columns,
            parens: parens.span.join(),
        })
    }
}

impl Parse for Name {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let literal: LitStr = input.parse()?;
            let written = literal.value();
            if written.is_empty()
                || !written
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(syn::Error::new(
                    literal.span(),
                    format!(
                        "{written:?} is not a Heroku Connect name: Salesforce API names contain only letters, digits and underscores"
                    ),
                ));
            }
            return Ok(Name {
                value: names::normalize(&written),
                written,
                span: literal.span(),
            });
        }
        if input.peek(Ident::peek_any) {
            let ident = input.call(Ident::parse_any)?;
            let written = ident.unraw().to_string();
            return Ok(Name {
                value: names::normalize(&written),
                written,
                span: ident.span(),
            });
        }
        Err(input.error(
            "expected a table or column name (an identifier or a string literal), as in #[hc_requires(account(name, loyalty_tier__c))]",
        ))
    }
}

impl Annotation {
    /// Semantic checks: the annotation names something, no group is empty, no column twice.
    /// Every problem is its own error, spanned on the offending token.
    pub fn validate(&self) -> Vec<syn::Error> {
        let mut errors = Vec::new();
        if self.groups.is_empty() {
            errors.push(syn::Error::new(
                self.span,
                "#[hc_requires] needs at least one table and column: #[hc_requires(account(name))]",
            ));
        }
        let mut seen: HashMap<(String, String), ()> = HashMap::new();
        for group in &self.groups {
            if group.columns.is_empty() {
                errors.push(syn::Error::new(
                    group.parens,
                    format!(
                        "list the columns of `{}` this code reads: `{}(name, ...)`",
                        group.table.written, group.table.written
                    ),
                ));
            }
            for column in &group.columns {
                let key = (group.table.value.clone(), column.value.clone());
                if seen.insert(key, ()).is_some() {
                    errors.push(syn::Error::new(
                        column.span,
                        format!(
                            "`{}.{}` is listed twice in this annotation; remove this one",
                            group.table.value, column.value
                        ),
                    ));
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
    pub fn from_attribute(attr: &syn::Attribute) -> syn::Result<Annotation> {
        match &attr.meta {
            syn::Meta::List(list) => syn::parse2(list.tokens.clone()),
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

    fn parse(text: &str) -> syn::Result<Annotation> {
        syn::parse_str(text)
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
