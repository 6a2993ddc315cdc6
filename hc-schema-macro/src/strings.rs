//! The SQL strings inside an annotated item, checked at build time as `hc-schema check`
//! checks them: the attribute receives the item, finds its literals that could be SQL as the
//! scan finds them in the source (`hc_schema_snapshot::scan::item`), and runs the library's
//! lint over them (`hc_schema_snapshot::sqlcheck::check_item`): the same reading, the same
//! findings, the same words. A finding `[check]` makes an error (`undeclared`, and `skipped`
//! or `star` when set to `"error"`) fails the build at the literal; a use no annotation
//! declares is judged against the selected snapshots like any requirement (whatever the
//! lint's level: `"warn"` softens only the missing declaration), and registered for the
//! release phase. Each literal's reading is cached with `hc_sql!`'s analyses.

use hc_schema_snapshot::manifest::{Spot, Usage};
use hc_schema_snapshot::scan::item::{may_hold_sql, sql_literals, ItemLiteral};
use hc_schema_snapshot::scan::{Extent, Position, StrLiteral};
use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::sql::Context;
use hc_schema_snapshot::sqlcheck::{check_item, ItemAnnotation, Severity, STRING_NOTE};
use proc_macro2::{Span, TokenStream};

use crate::judge::{self, once};

/// What the item's SQL strings make of the build.
#[derive(Default)]
pub struct Strings {
    /// The errors, each at its literal.
    pub errors: Vec<syn::Error>,
    /// The uses of Heroku Connect no annotation declares (origin `string`), to register.
    pub uses: Vec<Usage>,
    /// Every table the strings name as `schema.table` (declared or not), to register for
    /// the release phase.
    pub qualified: Vec<hc_schema_snapshot::registry::Qualified>,
    /// The strings the build could not read (skipped: line, column, why), to register so that
    /// the release phase names them.
    pub unread: Vec<(u32, u32, String)>,
}

/// Whether the item may hold SQL strings at all (a cheap look at its literals).
pub fn may_hold(item: &TokenStream) -> bool {
    may_hold_sql(item)
}

/// Check the SQL strings of `item` inside `annotations` (outermost first, the item's own
/// last; their usages as the scan reads them) against `selection`.
pub fn check(
    annotations: &[ItemAnnotation],
    item: &TokenStream,
    selected: &Result<Selection, String>,
) -> Strings {
    let Ok(selection) = selected else {
        return Strings::default(); // reported with the annotation's own errors
    };
    let literals: Vec<ItemLiteral> = sql_literals(item.clone())
        .into_iter()
        .filter(|literal| !literal.guarded_elsewhere)
        .collect();
    if literals.is_empty() {
        return Strings::default();
    }
    let fallback = Span::call_site();
    let known = crate::sql::context::known(selected);
    let known = match known.as_ref() {
        Ok(known) => known,
        Err(message) => {
            return Strings {
                errors: once(fallback, message.clone()),
                ..Strings::default()
            }
        }
    };
    let file = fallback.file();
    let placed: Vec<(StrLiteral, _)> = literals
        .iter()
        .map(|literal| {
            let span = literal.token.span();
            let at = |p: proc_macro2::LineColumn| Position {
                line: p.line as u32,
                column: p.column as u32 + 1,
            };
            let str_literal = StrLiteral {
                value: literal.value.clone(),
                kind: literal.kind,
                written: literal.written.clone(),
                extent: Extent {
                    start: at(span.start()),
                    end: at(span.end()),
                },
            };
            (str_literal, literal.container.clone())
        })
        .collect();
    let starts: Vec<(Position, Span)> = placed
        .iter()
        .zip(&literals)
        .map(|((l, _), literal)| (l.extent.start, literal.token.span()))
        .collect();
    let extents: Vec<Extent> = placed.iter().map(|(l, _)| l.extent).collect();
    let checks = known.with(|context| {
        let read =
            |value: &str, format: bool, context: &Context<'_>| known.read(value, format, context);
        check_item(&file, annotations, placed, context, &read)
    });
    // A finding is at its literal's start (a `*` inside it: at the literal holding it).
    let span_of = |line: u32, column: u32| {
        let at = Position { line, column };
        starts
            .iter()
            .find(|(start, _)| *start == at)
            .or_else(|| {
                extents
                    .iter()
                    .position(|e| e.contains(at))
                    .map(|k| &starts[k])
            })
            .map_or(fallback, |(_, span)| *span)
    };
    let config = selection.lints.check_config();
    let mut out = Strings {
        qualified: checks.qualified.iter().map(|q| q.registered()).collect(),
        ..Strings::default()
    };
    for finding in &checks.findings {
        if finding.kind.severity(&config) == Some(Severity::Error) {
            out.errors.push(syn::Error::new(
                span_of(finding.line, finding.column),
                finding.explanation.to_string(),
            ));
        }
        out.uses.extend(finding.uses.iter().cloned());
        if finding.unread() {
            out.unread.push((
                finding.line,
                finding.column,
                finding.explanation.message.clone(),
            ));
        }
    }
    // What no annotation declares is needed all the same: judged as any requirement, and
    // (read without a Rust type) for type drift between the snapshots, as `check` judges it.
    let checked = judge::checked(selection);
    let mut judge = judge::judge(selection, &checked);
    if !checks.qualified.is_empty() {
        judge = judge.with_hc_schemas(judge::hc_schema);
    }
    let mut judged = vec![(None, judge.setup())];
    let drifting = judge::drifting(selection);
    for usage in &out.uses {
        let mut judgements = judge.judge(&usage.requirement(), &[]);
        for column in &usage.columns {
            if drifting.contains(&(usage.table.name.clone(), column.name.clone())) {
                judgements.extend(judge.judge_drift(&usage.table.name, &column.name));
            }
        }
        judged.push((Some(usage), judgements));
    }
    // Each table a string names with a schema that is not the environment's Heroku Connect
    // schema (declared or not): an error, as `check` and `hc_sql!` report it.
    let qualified: Vec<_> = checks
        .qualified
        .iter()
        .map(|q| {
            let judgements = judge.judge_qualifier(&q.usage.table.name, &q.schema);
            (q, judgements)
        })
        .collect();
    let spot_span = |spot: &Spot| span_of(spot.line, spot.column);
    out.errors.extend(judge::errors(
        selection,
        judged,
        fallback,
        |usage, finding| match usage {
            Some(usage) => finding
                .column()
                .and_then(|c| usage.columns.iter().find(|s| s.name == c))
                .map_or_else(|| spot_span(&usage.table), spot_span),
            None => fallback,
        },
        |usage, _| usage.map(|_| STRING_NOTE.to_string()),
    ));
    out.errors.extend(judge::errors(
        selection,
        qualified,
        fallback,
        |q, _| spot_span(&q.usage.table),
        |q, _| Some(q.place.clone()),
    ));
    out
}

/// Where the attribute's path starts (`hc_requires` in `#[hc_requires(...)]`), as the scan
/// reports an annotation's position: from the attribute's span and its source text.
pub fn annotation_position() -> Position {
    let span = Span::call_site();
    let start = span.start();
    let (mut line, mut column) = (start.line as u32, start.column as u32 + 1);
    let Some(text) = span.source_text() else {
        return Position { line, column };
    };
    let mut chars = text.chars().peekable();
    let mut skip = |want: Option<char>, line: &mut u32, column: &mut u32| {
        while let Some(&c) = chars.peek() {
            let take = match want {
                Some(w) => c == w || c.is_whitespace(),
                None => c.is_whitespace(),
            };
            if !take {
                break;
            }
            chars.next();
            if c == '\n' {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
        }
    };
    if text.starts_with('#') {
        skip(Some('#'), &mut line, &mut column);
        skip(Some('['), &mut line, &mut column);
    }
    Position { line, column }
}
