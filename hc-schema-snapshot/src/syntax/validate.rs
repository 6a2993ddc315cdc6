//! What a parsed annotation means: the checks no grammar expresses (an empty annotation, a
//! column listed twice, a write to a system column, an allowance without a reason or for a
//! column its owner does not use), and the allowances as the check applies them.

use super::{AllowanceSyntax, Annotation, SyntaxError};

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
            for ty in group.types.iter().flatten() {
                errors.push(SyntaxError::new(
                    ty.span,
                    format!(
                        "missing_ok lists columns without types: remove `: {}` here (the type \
                         belongs in the declaration's own group)",
                        ty.text
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
