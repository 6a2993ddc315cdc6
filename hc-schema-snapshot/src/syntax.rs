//! The `#[hc_requires(...)]` grammar, shared by the macro and by source scanning.
//!
//! ```text
//! annotation := item ("," item)* ","?
//! item       := group | "write" group | "missing_ok" "(" allowance ")"
//! group      := name "(" name ("," name)* ","? ")"        (a write group may be empty: DELETE)
//! allowance  := env ("," env)* ("," group)+ "," "reason" "=" "string" ","?
//! name       := identifier | raw identifier | keyword | "string literal"
//!
//! hc_sql_arguments := literal ("," "missing_ok" "(" allowance ")")* ","?   (see sql_allowances)
//! ```
//!
//! Names may be written in Salesforce casing (`Loyalty_Tier__c`) or Postgres casing; they are
//! compared after Heroku Connect's lower-case rule. Rust keywords are common column names
//! (`account(type)`), so keywords are accepted as they are. `write` before a group says the
//! code writes those columns (`INSERT`/`UPDATE`), which needs a read-write mapping;
//! `missing_ok(prod, account(loyalty_tier__c), reason = "...")` lets exactly those columns be
//! unmapped in `prod`, for the stated reason. A table literally named `write` or `missing_ok`
//! is written as a string: `"write"(column)`.
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

/// A parsed annotation: its table groups and allowances, in source order.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// The groups `table(col, ...)` and `write table(col, ...)`.
    pub groups: Vec<Group>,
    /// The `missing_ok(...)` allowances.
    pub allowances: Vec<AllowanceSyntax>,
    /// The span of the whole argument list (for "empty annotation").
    pub span: Span,
}

/// `table(col, col, ...)`, or `write table(col, ...)`.
#[derive(Debug, Clone)]
pub struct Group {
    /// The table name.
    pub table: Name,
    /// The column names.
    pub columns: Vec<Name>,
    /// The span of the parenthesised column list.
    pub parens: Span,
    /// The `write` keyword, when the group is a write.
    pub write: Option<Span>,
}

/// `missing_ok(env, ..., table(col, ...), ..., reason = "...")`.
#[derive(Debug, Clone)]
pub struct AllowanceSyntax {
    /// The environments it applies to.
    pub envs: Vec<Name>,
    /// The columns it covers, by table.
    pub groups: Vec<Group>,
    /// The reason and its span (required).
    pub reason: Option<(String, Span)>,
    /// The `missing_ok` keyword.
    pub span: Span,
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
        let mut seen: Vec<(&str, &str, bool)> = Vec::new();
        for group in &self.groups {
            if group.columns.is_empty() && group.write.is_none() {
                errors.push(SyntaxError::new(
                    group.parens,
                    format!(
                        "list the columns of `{}` this code reads: `{}(name, ...)`",
                        group.table.written, group.table.written
                    ),
                ));
            }
            for column in &group.columns {
                if group.write.is_some() {
                    if let Some(reason) = crate::names::system_column_write_reason(&column.value) {
                        errors.push(SyntaxError::new(
                            column.span,
                            format!(
                                "code must not write `{}.{}`: {reason}",
                                group.table.value, column.value
                            ),
                        ));
                    }
                }
                let key = (
                    group.table.value.as_str(),
                    column.value.as_str(),
                    group.write.is_some(),
                );
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
        let groups = &self.groups;
        let required = |table: &str, column: &str| {
            groups
                .iter()
                .any(|g| g.table.value == table && g.columns.iter().any(|c| c.value == column))
        };
        let not_required = |table: &str, column: &str| {
            format!(
                "`{table}.{column}` is not required by this annotation, so there is nothing to \
                 allow: list it in a group too, or remove it here"
            )
        };
        errors.extend(validate_allowances(
            &self.allowances,
            &required,
            &not_required,
        ));
        errors
    }

    /// The allowances as the check applies them: one per environment and table.
    pub fn allowances(&self) -> Vec<crate::requirement::Allowance> {
        allowances_of(&self.allowances)
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
                allowances: Vec::new(),
                span: attr.span(),
            }),
        }
    }
}

impl Annotation {
    /// The annotation as usages (one per group, with their positions and the allowances for
    /// their table), for the scan and the registry. `file` names the source file.
    pub fn usages(&self, file: &str) -> Vec<crate::manifest::Usage> {
        let allowances = self.allowances();
        self.groups
            .iter()
            .map(|group| {
                let requirement = group.requirement();
                crate::manifest::Usage {
                    file: file.to_string(),
                    table: spot(&group.table),
                    columns: group.columns.iter().map(spot).collect(),
                    access: requirement.access,
                    allowances: allowances
                        .iter()
                        .filter(|a| a.table == requirement.table)
                        .cloned()
                        .collect(),
                    origin: crate::manifest::Origin::Annotation,
                }
            })
            .collect()
    }
}

/// A name and its 1-based position.
fn spot(name: &Name) -> crate::manifest::Spot {
    let start = name.span.start();
    crate::manifest::Spot {
        name: name.value.clone(),
        line: start.line as u32,
        column: start.column as u32 + 1,
        written: (name.written != name.value).then(|| name.written.clone()),
    }
}

impl AllowanceSyntax {
    /// An allowance needs an environment, columns its owner uses (`required`; `not_required`
    /// words the error for one that is not), and a reason.
    fn validate(
        &self,
        required: &dyn Fn(&str, &str) -> bool,
        not_required: &dyn Fn(&str, &str) -> String,
    ) -> Vec<SyntaxError> {
        let mut errors = Vec::new();
        let example = "missing_ok(prod, account(loyalty_tier__c), reason = \"...\")";
        if self.envs.is_empty() {
            errors.push(SyntaxError::new(
                self.span,
                format!("name the environment this allowance is for: {example}"),
            ));
        }
        for env in &self.envs {
            if !crate::names::is_env_name(&env.written) {
                errors.push(SyntaxError::new(
                    env.span,
                    format!(
                        "`{}` is not an environment name (letters, digits, `-` and `_`)",
                        env.written
                    ),
                ));
            }
        }
        if self.groups.is_empty() {
            errors.push(SyntaxError::new(
                self.span,
                format!("list the columns that may be unmapped: {example}"),
            ));
        }
        match &self.reason {
            None => errors.push(SyntaxError::new(
                self.span,
                format!("an allowance needs a reason, shown in every report: {example}"),
            )),
            Some((reason, span)) if reason.trim().is_empty() => errors.push(SyntaxError::new(
                *span,
                "the reason is empty: say why the code is safe where the column is unmapped",
            )),
            Some(_) => {}
        }
        for group in &self.groups {
            if group.columns.is_empty() {
                errors.push(SyntaxError::new(
                    group.parens,
                    format!(
                        "list the columns of `{}` that may be unmapped",
                        group.table.written
                    ),
                ));
            }
            for column in &group.columns {
                if !required(&group.table.value, &column.value) {
                    errors.push(SyntaxError::new(
                        column.span,
                        not_required(&group.table.value, &column.value),
                    ));
                }
            }
        }
        errors
    }
}

impl Group {
    /// The requirement this group states.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            table: self.table.value.clone(),
            columns: self.columns.iter().map(|c| c.value.clone()).collect(),
            access: if self.write.is_some() {
                crate::requirement::Access::Write
            } else {
                crate::requirement::Access::Read
            },
        }
    }

    /// The span of the column named `column` (normalised), or of the table.
    pub fn span_of(&self, column: Option<&str>) -> Span {
        column
            .and_then(|wanted| self.columns.iter().find(|c| c.value == wanted))
            .map_or(self.table.span, |c| c.span)
    }
}

/// Every problem of `allowances` (each one's form, and a column allowed twice for one
/// environment); a column its owner does not use (`required` is false) is an error worded by
/// `not_required(table, column)`.
fn validate_allowances(
    allowances: &[AllowanceSyntax],
    required: &dyn Fn(&str, &str) -> bool,
    not_required: &dyn Fn(&str, &str) -> String,
) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut allowed: Vec<(String, String, String)> = Vec::new();
    for allowance in allowances {
        errors.extend(allowance.validate(required, not_required));
        // The same column allowed twice for one environment: a copy-paste, or two
        // reasons of which reports would show only one.
        for env in &allowance.envs {
            for group in &allowance.groups {
                for column in &group.columns {
                    let key = (
                        env.value.clone(),
                        group.table.value.clone(),
                        column.value.clone(),
                    );
                    if allowed.contains(&key) {
                        errors.push(SyntaxError::new(
                            column.span,
                            format!(
                                "`{}.{}` is already allowed to be missing in `{}`: allow each column once per environment",
                                group.table.written, column.written, env.written
                            ),
                        ));
                    } else {
                        allowed.push(key);
                    }
                }
            }
        }
    }
    errors
}

/// `allowances` as the check applies them: one per environment and table (an allowance
/// without a reason is an error of [`Annotation::validate`] / [`validate_sql_allowances`],
/// and allows nothing).
pub fn allowances_of(allowances: &[AllowanceSyntax]) -> Vec<crate::requirement::Allowance> {
    let mut out = Vec::new();
    for allowance in allowances {
        let Some((reason, _)) = &allowance.reason else {
            continue;
        };
        for env in &allowance.envs {
            for group in &allowance.groups {
                out.push(crate::requirement::Allowance {
                    env: env.written.clone(),
                    table: group.table.value.clone(),
                    columns: group.columns.iter().map(|c| c.value.clone()).collect(),
                    reason: reason.trim().to_string(),
                });
            }
        }
    }
    out
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

/// Whether the code uses `table.column` (tables and columns in Postgres casing).
pub type UsedBy<'a> = dyn Fn(&str, &str) -> bool + 'a;

/// Every problem of the allowances of an `hc_sql!` query: each one's form, a column allowed
/// twice for one environment, and (`used`, once the query is analysed) a column the query
/// does not use ([`not_used_by_query`]).
pub fn validate_sql_allowances(
    allowances: &[AllowanceSyntax],
    used: Option<&UsedBy<'_>>,
) -> Vec<SyntaxError> {
    let anything = |_: &str, _: &str| true;
    validate_allowances(allowances, used.unwrap_or(&anything), &not_used_by_query)
}

/// The error for an allowance of an `hc_sql!` query naming a column the query does not use.
pub fn not_used_by_query(table: &str, column: &str) -> String {
    format!(
        "`{table}.{column}` is not used by this query, so there is nothing to allow: remove it \
         here (an allowance covers only the query it is written in)"
    )
}

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
/// the annotations [`Annotation::parse`] and [`Annotation::validate`] accept without a
/// message, minus exotic spellings. For those it gives the same tables and columns as
/// [`Annotation::requirements`]. On `None` the caller parses the tokens, which also gives
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

    /// The plain-text reading agrees with the token parser wherever it answers, and answers
    /// for every ordinary annotation.
    #[test]
    fn plain_text_reading_agrees_with_the_token_parser() {
        let ordinary = [
            "account(name)",
            "Account(Name, Loyalty_Tier__c), contact(email,),",
            r#"account(type, r#match, self, "Loyalty_Tier__c",), "User"(id)"#,
            "account ( name ,\n\ttype )",
            "object_7__c(field_1__c, field_101__c, Field_201__c)",
            "account(name), account(type)",
            "_(_)",
        ];
        let unusual = [
            "",
            "account",
            "account()",
            "account.name",
            "account(name contact(x))",
            "account(name) contact(x)",
            "account(42)",
            "account(name, Name)",
            "account(name), Account(NAME)",
            "account(name, contact(x))",
            r#"account("first name")"#,
            r#"account("")"#,
            r#"account(r"raw")"#,
            "account(na\u{ef}ve)",
            "account(name)) ",
            "account(,)",
            "account(name,,)",
            ",account(name)",
            "account(name)(x)",
            "9account(name)",
        ];
        for text in ordinary.iter().chain(&unusual) {
            let from_tokens = text
                .parse()
                .ok()
                .and_then(|tokens| Annotation::parse(tokens, Span::call_site()).ok())
                .filter(|a| a.validate().is_empty())
                .map(|a| a.requirements());
            let mut lowered = text.to_string();
            let plain = plain_groups(&mut lowered).map(|groups| {
                groups
                    .iter()
                    .map(|g| Requirement::new(g.table, &g.columns))
                    .collect::<Vec<_>>()
            });
            if ordinary.contains(text) {
                assert!(plain.is_some(), "{text:?} is ordinary");
            }
            if let Some(plain) = plain {
                assert_eq!(Some(plain), from_tokens, "{text:?}");
            }
        }
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

    /// What follows an `hc_sql!` literal: allowances read as an annotation's, anything else an
    /// error at its token, never a panic; a column the query does not use is an error.
    #[test]
    fn sql_allowances_read_like_an_annotations_and_never_panic() {
        let read = |text: &str| sql_allowances(text.parse().unwrap(), Span::call_site());
        let allowances =
            read(r#"missing_ok(prod, staging, account(x, y), reason = " flag "),"#).unwrap();
        let allowed = allowances_of(&allowances);
        assert_eq!(allowed.len(), 2);
        assert_eq!(
            (allowed[1].env.as_str(), allowed[1].reason.as_str()),
            ("staging", "flag")
        );
        let used = |table: &str, column: &str| table == "account" && column == "x";
        let errors = validate_sql_allowances(&allowances, Some(&used));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, not_used_by_query("account", "y"));
        assert!(validate_sql_allowances(&allowances, None).is_empty());
        let pieces = [
            "missing_ok",
            "(",
            ")",
            ",",
            "prod",
            "account",
            "(x)",
            "reason",
            "=",
            "\"r\"",
            "42",
            "write",
            ".",
            "missing_ok(prod, account(x), reason = \"r\")",
            "r#\"raw\"#",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut ok, mut refused) = (0, 0);
        for _ in 0..5_000 {
            let text: Vec<&str> = (0..next(8)).map(|_| pieces[next(pieces.len())]).collect();
            let Ok(tokens) = text.join(" ").parse::<TokenStream>() else {
                continue;
            };
            match sql_allowances(tokens, Span::call_site()) {
                Ok(allowances) => {
                    let _ = validate_sql_allowances(&allowances, Some(&used));
                    ok += 1;
                }
                Err(_) => refused += 1,
            }
        }
        assert!(ok > 100 && refused > 1_000, "{ok} read, {refused} refused");
    }

    #[test]
    fn an_allowance_has_one_reason_and_allows_a_column_once() {
        let Err(error) =
            parse(r#"account(x), missing_ok(prod, account(x), reason = "a", reason = "b")"#)
        else {
            panic!("two reasons must be refused");
        };
        assert!(
            error.to_string().contains("already has a reason"),
            "{error}"
        );
        let twice = r#"account(x), missing_ok(prod, account(x), reason = "a"), missing_ok(prod, account(x), reason = "a")"#;
        let errors = parse(twice).unwrap().validate();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0]
            .to_string()
            .contains("`account.x` is already allowed to be missing in `prod`"));
        let other_env = r#"account(x), missing_ok(prod, account(x), reason = "a"), missing_ok(test, account(x), reason = "a")"#;
        assert!(parse(other_env).unwrap().validate().is_empty());
    }
}
