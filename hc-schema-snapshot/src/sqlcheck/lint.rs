//! SQL string literals outside `hc_sql!`: inside an annotated item, compared with what the
//! enclosing annotations declare (`undeclared`); anywhere else, reported when they touch
//! Heroku Connect tables (`unguarded`).

use crate::diagnostic::Explanation;
use crate::requirement::Access;
use crate::scan::{ContainerKind, Scan, SqlLiteral};
use crate::sql::{Analysis, Context, SourceLiteral};

use super::finding::{SqlFinding, SqlFindingKind, Subject};
use super::qualified::{self, QualifiedUse};
use super::reading::Reading;
use super::{undeclared, unguarded};
use crate::manifest::Origin;

/// What became of one literal.
#[derive(Debug)]
pub(crate) enum LintOutcome {
    /// Not SQL: it does not start like a statement, or sqlparser does not parse it (prose that
    /// happens to hold SQL words), or it is documentation (`#[doc = "..."]`).
    NotSql,
    /// SQL (or possibly SQL) that touches no Heroku Connect table.
    NoHc,
    /// SQL on Heroku Connect tables: these findings (none when every column is declared), and
    /// its schema-qualified table names.
    Checked(Vec<SqlFinding>, Vec<QualifiedUse>),
    /// It could touch Heroku Connect tables but could not be analysed: a note.
    Skipped(SqlFinding),
    /// It sits in an item whose annotation is malformed: that error stands for it (what the
    /// annotation declares is unknown, so any finding here would be a follow-on error).
    UnderMalformedAnnotation,
}

/// How a literal's text is read: [`super::reading::read`], or the same through a cache.
pub type Read<'r> = &'r (dyn Fn(&str, bool, &Context<'_>) -> Reading + Sync);

/// Check one of the scan's `sql_literals` that is outside `hc_sql!`, its text read by `read`.
pub(crate) fn check(
    scan: &Scan,
    literal: &SqlLiteral,
    context: &Context<'_>,
    read: Read<'_>,
) -> LintOutcome {
    if literal.in_malformed_annotation {
        return LintOutcome::UnderMalformedAnnotation;
    }
    if is_documentation(literal) {
        return LintOutcome::NotSql;
    }
    let format = literal
        .container
        .as_ref()
        .is_some_and(|c| c.is_format_string());
    let start = literal.literal.extent.start;
    let source = SourceLiteral::new(
        &literal.file,
        &literal.literal.value,
        &literal.literal.written,
        start.line,
        start.column,
    );
    let finding = |kind, explanation, subjects, annotation, uses| SqlFinding {
        kind,
        file: literal.file.clone(),
        line: start.line,
        column: start.column,
        explanation,
        subjects,
        annotation,
        uses,
    };
    let annotated = !literal.annotations.is_empty();
    match read(&literal.literal.value, format, context) {
        Reading::NotSql => LintOutcome::NotSql,
        Reading::NoHc => LintOutcome::NoHc,
        Reading::Analysis(analysis) if !analysis.touches_hc() => LintOutcome::NoHc,
        // Outside every checked form, SQL that names Heroku Connect tables is unguarded
        // whether or not its columns could be read: being unreadable never softens that.
        Reading::Skipped { reason, at } if !annotated => LintOutcome::Checked(
            vec![finding(
                SqlFindingKind::Unguarded,
                Explanation {
                    message: format!(
                    "this SQL names Heroku Connect tables but nothing checks it: it is neither \
                     in hc_sql! nor inside an item annotated with #[hc_requires] (and its \
                     columns could not be read: {reason})"
                ),
                    notes: vec![source.place(at)],
                    helps: vec![
                        "annotate the item that builds it with #[hc_requires(...)] listing every \
                     Heroku Connect column it uses, or write it as hc_sql!(\"...\")"
                            .to_string(),
                    ],
                },
                Vec::new(),
                None,
                Vec::new(),
            )],
            Vec::new(),
        ),
        Reading::Skipped { reason, at } => {
            let help = if annotated {
                "its columns were not compared with the annotation: make sure the enclosing \
                 #[hc_requires] declares every Heroku Connect column it uses"
            } else {
                "nothing checks this SQL: if it uses Heroku Connect tables, use hc_sql! for it \
                 or annotate the item with #[hc_requires(...)]"
            };
            LintOutcome::Skipped(finding(
                SqlFindingKind::Skipped,
                Explanation {
                    message: format!("skipped: {reason}"),
                    notes: vec![source.place(at)],
                    helps: vec![help.to_string()],
                },
                Vec::new(),
                None,
                Vec::new(),
            ))
        }
        Reading::Analysis(analysis) if annotated => {
            let mut findings: Vec<SqlFinding> =
                undeclared::findings(scan, literal, &analysis, &source)
                    .into_iter()
                    .map(|(explanation, subjects, annotation, usage)| {
                        finding(
                            SqlFindingKind::Undeclared,
                            explanation,
                            subjects,
                            Some(annotation),
                            vec![usage],
                        )
                    })
                    .collect();
            findings.extend(stars(&analysis, &source));
            let qualified = qualified::of(&analysis, &source, Origin::String);
            LintOutcome::Checked(findings, qualified)
        }
        Reading::Analysis(analysis) => {
            let uses = analysis
                .tables
                .iter()
                .map(|t| {
                    let columns: Vec<_> = t.columns.iter().collect();
                    undeclared::string_usage(&source, t, &columns)
                })
                .collect();
            let mut findings = vec![finding(
                SqlFindingKind::Unguarded,
                unguarded::explain(&analysis, &source, format),
                unguarded::subjects_of(&analysis),
                None,
                uses,
            )];
            findings.extend(stars(&analysis, &source));
            let qualified = qualified::of(&analysis, &source, Origin::String);
            LintOutcome::Checked(findings, qualified)
        }
    }
}

/// A `star` finding for each `*` / `t.*` of `analysis` over a Heroku Connect table, at the
/// `*` when its place in the file is exact (else at the literal).
pub(super) fn stars(analysis: &Analysis, source: &SourceLiteral<'_>) -> Vec<SqlFinding> {
    analysis
        .wildcards
        .iter()
        .map(|wildcard| {
            let (line, column) = source.locate(wildcard.at.start);
            let table = &wildcard.table;
            SqlFinding {
                kind: SqlFindingKind::Star,
                file: source.file.to_string(),
                line,
                column,
                explanation: Explanation {
                    message: format!(
                        "{} returns whichever columns of the Heroku Connect table \
                         `{table}` an environment maps: code reading them by name needs \
                         columns no check sees, so every column of `{table}` counts as \
                         possibly used (never safe to unmap)",
                        match source.value.get(wildcard.at.clone()) {
                            Some(name) if name != "*" => format!("the whole row `{name}`"),
                            _ => "this `*`".to_string(),
                        }
                    ),
                    notes: vec![source.place(wildcard.at.clone())],
                    helps: vec![
                        "list the columns the code reads instead of `*` (then each is \
                         checked); `star = \"allow\"` under [check] in hc-schema.toml \
                         silences this"
                            .to_string(),
                    ],
                },
                subjects: vec![Subject {
                    table: table.clone(),
                    column: None,
                    access: Access::Read,
                }],
                annotation: None,
                uses: Vec::new(),
            }
        })
        .collect()
}

/// Whether the literal is documentation (`#[doc = "..."]`, what `///` becomes): text, never
/// run.
fn is_documentation(literal: &SqlLiteral) -> bool {
    literal.container.as_ref().is_some_and(|c| {
        c.kind == ContainerKind::Attribute && c.path.rsplit("::").next() == Some("doc")
    })
}

/// `` `a`, `b` ``.
pub(super) fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
