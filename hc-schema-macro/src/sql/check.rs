//! The errors of an `hc_sql!` query: analysis errors placed in the SQL by the library's
//! [`SourceLiteral`](hc_schema_snapshot::sql::SourceLiteral), and the findings of its
//! requirements judged and worded by [`crate::judge`], as `#[hc_requires]` has them.

use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::sql::{Analysis, SqlError};
use hc_schema_snapshot::syntax::{allowances_of, validate_sql_allowances};
use proc_macro2::Span;

use super::literal::SqlLiteral;
use crate::judge::{self, once};

/// An analysis error at the literal.
pub fn analysis_error(error: &SqlError, literal: &SqlLiteral) -> syn::Error {
    analysis_error_in(error, literal, "hc_sql!")
}

/// [`analysis_error`] as macro `name` (`hc_query!`) reports it.
pub fn analysis_error_in(error: &SqlError, literal: &SqlLiteral, name: &str) -> syn::Error {
    syn::Error::new(
        literal.span,
        literal.source().explain_in(error, name).to_string(),
    )
}

/// The setup problems of the selection (no snapshot, one that does not load), reported once
/// per compilation; empty when every selected snapshot can be checked against.
pub fn setup_errors(selection: &Result<Selection, String>, span: Span) -> Vec<syn::Error> {
    let selection = match selection {
        Ok(selection) => selection,
        Err(message) => return once(span, message.replace("#[hc_requires]", "hc_sql!")),
    };
    if let Some(message) = judge::no_snapshot(selection) {
        return once(span, message);
    }
    let checked = judge::checked(selection);
    let judge = judge::judge(selection, &checked);
    judge
        .setup()
        .into_iter()
        .filter_map(|judgement| judgement.explanation)
        .flat_map(|explanation| once(span, explanation.to_string()))
        .collect()
}

/// The problems of the query's `missing_ok(...)` allowances (as an annotation's are checked),
/// each at its token: a column the query does not use is one.
pub fn allowance_errors(analysis: &Analysis, literal: &SqlLiteral) -> Vec<syn::Error> {
    if literal.allowances.is_empty() {
        return Vec::new();
    }
    let used = |table: &str, column: &str| analysis.uses_column(table, column);
    validate_sql_allowances(&literal.allowances, Some(&used))
        .into_iter()
        .map(|err| syn::Error::new(err.span, err.message))
        .collect()
}

/// One error per failing finding per selected environment, with where the name is in the SQL;
/// what the query's allowances cover is allowed, as for an annotation.
pub fn findings(
    analysis: &Analysis,
    literal: &SqlLiteral,
    selection: &Result<Selection, String>,
) -> Vec<syn::Error> {
    let Ok(selection) = selection else {
        return Vec::new(); // reported by `setup_errors`
    };
    let checked = judge::checked(selection);
    let mut judge = judge::judge(selection, &checked);
    let mut judged = vec![(None, judge.setup())];
    let allowances = allowances_of(&literal.allowances);
    let qualified = analysis.tables.iter().any(|t| !t.qualified.is_empty());
    if qualified {
        judge = judge.with_hc_schemas(judge::hc_schema);
    }
    for (table, requirement) in analysis.tables.iter().zip(analysis.requirements()) {
        // Each schema the SQL qualifies the table with, where it is written (`at`), before
        // the table's columns: a wrong schema is the first thing to fix.
        for qualifier in &table.qualified {
            judged.push((
                Some((table, Some(qualifier.at.clone()))),
                judge.judge_qualifier(&table.table, &qualifier.schema),
            ));
        }
        judged.push((Some((table, None)), judge.judge(&requirement, &allowances)));
    }
    judge::errors(
        selection,
        judged,
        literal.span,
        |_, _| literal.span,
        |used, finding| {
            let (table, qualifier_at) = used.as_ref()?;
            let at = match qualifier_at {
                Some(at) => at.clone(),
                None => finding
                    .column()
                    .and_then(|column| table.columns.iter().find(|c| c.column == column))
                    .map_or(table.at.clone(), |c| c.at.clone()),
            };
            Some(literal.source().place(at))
        },
    )
}

/// The drift errors of a query's columns used without a Rust type (every column of an
/// `hc_sql!`; those an `hc_query!` neither reads into a field nor binds, `typed` telling them
/// apart): one per column whose type drifts between the snapshots of the directory, at the
/// literal with where the column is in the SQL.
pub fn drift_errors(
    analysis: &Analysis,
    literal: &SqlLiteral,
    selection: &Result<Selection, String>,
    typed: &dyn Fn(&str, &str) -> bool,
) -> Vec<syn::Error> {
    let Ok(selection) = selection else {
        return Vec::new(); // reported by `setup_errors`
    };
    let drifting = judge::drifting(selection);
    if drifting.is_empty() {
        return Vec::new();
    }
    let checked = judge::checked(selection);
    let mut judge = judge::judge(selection, &checked);
    let mut judged = Vec::new();
    for table in &analysis.tables {
        for column in &table.columns {
            let key = (table.table.clone(), column.column.clone());
            if drifting.contains(&key) && !typed(&key.0, &key.1) {
                let judgement = judge.judge_drift(&key.0, &key.1);
                judged.push(((table, column), judgement.into_iter().collect()));
            }
        }
    }
    judge::errors(
        selection,
        judged,
        literal.span,
        |_, _| literal.span,
        |(_, column), _| Some(literal.source().place(column.at.clone())),
    )
}
