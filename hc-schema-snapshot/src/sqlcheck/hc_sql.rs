//! `hc_sql!` invocations: their requirements (with their `missing_ok(...)` allowances), or the
//! errors the build fails on, through the same function as the macro
//! ([`crate::sql::analyze_literal`]).

use crate::diagnostic::Explanation;
use crate::manifest::Usage;
use crate::scan::{SqlArgument, SqlMacro};
use crate::sql::{analyze_literal, Context, LiteralOutcome, NOT_A_LITERAL};
use crate::syntax::not_used_by_query;

use super::finding::{SqlFinding, SqlFindingKind};
use super::SqlQuery;

/// What one `hc_sql!` gives.
pub(crate) enum MacroOutcome {
    /// Its SQL analysed.
    Checked(SqlQuery),
    /// The errors the build fails on.
    Failed(Vec<SqlFinding>),
}

/// Check the `hc_sql!` at `index` of the scan's `sql_macros`.
pub(crate) fn check(index: usize, sql_macro: &SqlMacro, context: &Context<'_>) -> MacroOutcome {
    let finding = |line: u32, column: u32, explanation: Explanation| SqlFinding {
        kind: SqlFindingKind::SqlError,
        file: sql_macro.file.clone(),
        line,
        column,
        explanation,
        subjects: Vec::new(),
        annotation: None,
        uses: Vec::new(),
    };
    match &sql_macro.argument {
        SqlArgument::NotLiteral { position, .. } => MacroOutcome::Failed(vec![finding(
            position.line,
            position.column,
            Explanation {
                // In the words of the macro called.
                message: match sql_macro.query {
                    Some(_) => crate::sql::QUERY_FORM.to_string(),
                    None => NOT_A_LITERAL.to_string(),
                },
                notes: Vec::new(),
                helps: Vec::new(),
            },
        )]),
        SqlArgument::Literal(_) if sql_macro.allowances.syntax_error.is_some() => {
            let (at, message) = sql_macro
                .allowances
                .syntax_error
                .clone()
                .unwrap_or_default();
            MacroOutcome::Failed(vec![finding(at.line, at.column, bare(message))])
        }
        SqlArgument::Literal(literal) => {
            let start = literal.extent.start;
            let source = super::source_literal(&sql_macro.file, literal);
            match analyze_literal(&source, context) {
                LiteralOutcome::Checked {
                    analysis,
                    mut usages,
                } => {
                    // The query's allowances, as the macro checks and applies them: their
                    // problems, and the columns the query does not use.
                    let allowances = &sql_macro.allowances;
                    let mut problems: Vec<SqlFinding> = allowances
                        .problems
                        .iter()
                        .map(|(at, message)| finding(at.line, at.column, bare(message.clone())))
                        .collect();
                    problems.extend(
                        allowances
                            .columns
                            .iter()
                            .filter(|c| !analysis.uses_column(&c.table, &c.column))
                            .map(|c| {
                                let message = not_used_by_query(&c.table, &c.column);
                                finding(c.position.line, c.position.column, bare(message))
                            }),
                    );
                    if !problems.is_empty() {
                        return MacroOutcome::Failed(problems);
                    }
                    Usage::attach_allowances(&mut usages, &sql_macro.allowances.allowances);
                    MacroOutcome::Checked(SqlQuery {
                        sql_macro: index,
                        analysis,
                        usages,
                    })
                }
                LiteralOutcome::Failed(errors) => MacroOutcome::Failed(
                    errors
                        .into_iter()
                        .map(|(error, explanation)| {
                            // An `hc_query!`'s errors name it, as its build does.
                            let explanation = match &sql_macro.query {
                                Some(_) => source.explain_in(&error, "hc_query!"),
                                None => explanation,
                            };
                            finding(start.line, start.column, explanation)
                        })
                        .collect(),
                ),
            }
        }
    }
}

/// A message without notes or help (the macro's grammar errors are one line).
fn bare(message: String) -> Explanation {
    Explanation {
        message,
        notes: Vec::new(),
        helps: Vec::new(),
    }
}
