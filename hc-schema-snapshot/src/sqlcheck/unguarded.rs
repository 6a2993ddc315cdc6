//! `unguarded`: SQL on Heroku Connect tables that nothing checks, with the annotation it
//! needs.

use crate::diagnostic::Explanation;
use crate::requirement::Access;
use crate::sql::{Analysis, SourceLiteral};

use super::finding::Subject;
use super::lint::quoted;

/// Every table and column the analysis names, with its access.
pub(super) fn subjects_of(analysis: &Analysis) -> Vec<Subject> {
    let mut out = Vec::new();
    for table in &analysis.tables {
        if table.columns.is_empty() {
            out.push(Subject {
                table: table.table.clone(),
                column: None,
                access: table.access,
            });
        }
        for column in &table.columns {
            out.push(Subject {
                table: table.table.clone(),
                column: Some(column.column.clone()),
                access: table.access,
            });
        }
    }
    out
}

/// The message for SQL on Heroku Connect tables that nothing checks, with the annotation it
/// needs.
pub(super) fn explain(
    analysis: &Analysis,
    source: &SourceLiteral<'_>,
    format: bool,
) -> Explanation {
    let mut tables: Vec<&str> = Vec::new();
    for table in &analysis.tables {
        if !tables.contains(&table.table.as_str()) {
            tables.push(&table.table);
        }
    }
    let groups: Vec<String> = analysis
        .tables
        .iter()
        .map(|t| {
            let columns: Vec<&str> = t.columns.iter().map(|c| c.column.as_str()).collect();
            let write = if t.access == Access::Write {
                "write "
            } else {
                ""
            };
            format!("{write}{}({})", t.table, columns.join(", "))
        })
        .collect();
    let annotation = format!("#[hc_requires({})]", groups.join(", "));
    let help = if format {
        format!(
            "annotate the item that builds it with what it needs: {annotation} (SQL built at \
             run time cannot be an hc_sql! literal)"
        )
    } else {
        format!(
            "write it as hc_sql!(\"...\") (the SQL itself is then checked), or annotate the \
             item that uses it: {annotation}"
        )
    };
    let at = analysis.tables.first().map_or(0..0, |t| t.at.clone());
    Explanation {
        message: format!(
            "this SQL uses the Heroku Connect table(s) {} but nothing checks it: it is neither \
             in hc_sql! nor inside an item annotated with #[hc_requires]",
            quoted(&tables)
        ),
        notes: vec![source.place(at)],
        helps: vec![help],
    }
}
