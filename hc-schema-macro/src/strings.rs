//! The SQL strings inside an annotated item, checked at build time as `hc-schema check`
//! checks them: the attribute receives the item, finds its literals that could be SQL as the
//! scan finds them in the source (`hc_schema_snapshot::scan::item`), and runs the library's
//! lint over them (`hc_schema_snapshot::sqlcheck::check_item`): the same reading, the same
//! findings, the same words. A finding `[check]` makes an error (`undeclared`, and `skipped`
//! or `star` when set to `"error"`) fails the build at the literal; a use no annotation
//! declares is judged against the selected snapshots like any requirement (whatever the
//! lint's level: `"warn"` softens only the missing declaration), and registered for the
//! release phase. Each literal's reading, and what the lint finds in the item, are cached with
//! `hc_sql!`'s analyses.

use hc_schema_snapshot::manifest::{Spot, Usage};
use hc_schema_snapshot::scan::item::{item_key, may_hold_sql, sql_literals_with, ItemLiteral};
use hc_schema_snapshot::scan::{Extent, Position, StrLiteral};
use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::sql::Context;
use hc_schema_snapshot::sqlcheck::{
    check_item, checks_codec, ItemAnnotation, Severity, SqlChecks, STRING_NOTE,
};
use proc_macro2::{Span, TokenStream};

use crate::judge::{self, once};
use crate::sql::context::Known;

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
/// last; their usages as the scan reads them) against `selection`; an attribute path ending
/// in one of `names` marks a nested annotation, whose strings it checks itself. What the lint finds is
/// cached with `hc_sql!`'s analyses, keyed by the item's tokens and the places of its
/// literals: a build that finds the item unchanged decodes it without scanning the item.
pub fn check(
    annotations: &[ItemAnnotation],
    item: &TokenStream,
    names: &[String],
    selected: &Result<Selection, String>,
) -> Strings {
    let Ok(selection) = selected else {
        return Strings::default(); // reported with the annotation's own errors
    };
    let fallback = Span::call_site();
    let file = fallback.file();
    let known = crate::sql::context::known(selected);
    let known = match known.as_ref() {
        Ok(known) => known,
        Err(message) => {
            if literals(item, names).is_empty() {
                return Strings::default();
            }
            return Strings {
                errors: once(fallback, message.clone()),
                ..Strings::default()
            };
        }
    };
    let fresh = || fresh_checks(known, &file, annotations, item, names);
    let (checks, places) = item_checks(known, &file, annotations, item, names, fresh);
    if checks.stats.strings == 0 {
        return Strings::default();
    }
    let span_of = |line: u32, column: u32| {
        let at = Position { line, column };
        places
            .iter()
            .find(|(extent, _)| extent.start == at)
            .or_else(|| places.iter().find(|(extent, _)| extent.contains(at)))
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

/// What the lint finds in the SQL strings of `item` in `file` inside `annotations`, from the
/// cache of `known` when it has it (keyed by the item's tokens, the places of its string
/// literals, the file and the annotations), else made by `fresh`; and every string literal's
/// place.
fn item_checks(
    known: &Known,
    file: &str,
    annotations: &[ItemAnnotation],
    item: &TokenStream,
    names: &[String],
    fresh: impl FnOnce() -> SqlChecks,
) -> (SqlChecks, Vec<(Extent, Span)>) {
    let mut key = Vec::with_capacity(1024);
    let mut tokens = Vec::new();
    item_key(item.clone(), &mut key, &mut tokens);
    let places: Vec<(Extent, Span)> = tokens
        .iter()
        .map(|token| (extent_of(token.span()), token.span()))
        .collect();
    key.push(0);
    key.extend_from_slice(file.as_bytes());
    // The names of nested annotations (which strings are left to them).
    for name in names {
        key.push(0);
        key.extend_from_slice(name.as_bytes());
    }
    key.push(1);
    for (extent, _) in &places {
        for n in [
            extent.start.line,
            extent.start.column,
            extent.end.line,
            extent.end.column,
        ] {
            key.extend_from_slice(&n.to_le_bytes());
        }
    }
    // The annotations: this attribute by its source text and where it starts, which make its
    // usages (cheaper than writing them out); the enclosing ones, and this one without a
    // source text (from another macro), by their usages.
    let call_site = Span::call_site();
    let own = annotations.len().saturating_sub(1);
    for (k, annotation) in annotations.iter().enumerate() {
        key.extend_from_slice(&annotation.position.line.to_le_bytes());
        key.extend_from_slice(&annotation.position.column.to_le_bytes());
        match call_site.source_text().filter(|_| k == own) {
            Some(text) => {
                let start = call_site.start();
                key.push(1);
                key.extend_from_slice(&(start.line as u32).to_le_bytes());
                key.extend_from_slice(&(start.column as u32).to_le_bytes());
                key.extend_from_slice(&(text.len() as u32).to_le_bytes());
                key.extend_from_slice(text.as_bytes());
            }
            None => {
                key.push(0);
                checks_codec::encode_usages(&mut key, &annotation.usages);
            }
        }
    }
    let checks = known.item_checks(&key, fresh);
    (checks, places)
}

/// What the lint finds in the SQL strings of `item`, made now.
fn fresh_checks(
    known: &Known,
    file: &str,
    annotations: &[ItemAnnotation],
    item: &TokenStream,
    names: &[String],
) -> SqlChecks {
    let literals = literals(item, names);
    if literals.is_empty() {
        return SqlChecks::default();
    }
    let placed: Vec<(StrLiteral, _)> = literals
        .into_iter()
        .map(|literal| {
            let str_literal = StrLiteral {
                value: literal.value,
                kind: literal.kind,
                written: literal.written,
                extent: extent_of(literal.token.span()),
            };
            (str_literal, literal.container)
        })
        .collect();
    known.with(|context| {
        let read =
            |value: &str, format: bool, context: &Context<'_>| known.read(value, format, context);
        check_item(file, annotations, placed, context, &read)
    })
}

/// Where `span` is, as the scan reports a literal's extent.
fn extent_of(span: Span) -> Extent {
    let at = |p: proc_macro2::LineColumn| Position {
        line: p.line as u32,
        column: p.column as u32 + 1,
    };
    Extent {
        start: at(span.start()),
        end: at(span.end()),
    }
}

/// The literals of `item` that could be SQL and that nothing else checks (`names`: those of
/// nested annotations).
fn literals(item: &TokenStream, names: &[String]) -> Vec<ItemLiteral> {
    sql_literals_with(item.clone(), names)
        .into_iter()
        .filter(|literal| !literal.guarded_elsewhere)
        .collect()
}

/// Where the attribute's path starts (`hc_requires` in `#[hc_requires(...)]`), as the scan
/// reports an annotation's position: from the attribute's span and its source text; for an
/// attribute that the compiler took out of a `cfg_attr` (whose span may be the `cfg_attr`'s),
/// from the source file before `first_arg`, its first argument (the path written before the
/// `(` that opens the arguments).
pub fn annotation_position(first_arg: Option<Span>) -> Position {
    let position = attribute_position();
    let Some(text) = Span::call_site().source_text() else {
        return position;
    };
    let inside = text
        .trim_start_matches(|c: char| c == '#' || c == '[' || c.is_whitespace())
        .starts_with("cfg_attr");
    if !inside {
        return position;
    }
    first_arg.and_then(path_before).unwrap_or(position)
}

/// Where the path before the arguments starting at `first_arg` starts, read from its source
/// file: back over whitespace, the `(`, whitespace, then the path's words and `::`.
fn path_before(first_arg: Span) -> Option<Position> {
    let file = first_arg.unwrap().local_file()?;
    let text = std::fs::read_to_string(file).ok()?;
    let start = first_arg.start();
    let line_start = text
        .split_inclusive('\n')
        .take(start.line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let line_text = text[line_start..].split('\n').next()?;
    let at = line_start
        + line_text
            .char_indices()
            .nth(start.column)
            .map_or(line_text.len(), |(i, _)| i);
    let before = text.get(..at)?.trim_end();
    let before = before.strip_suffix('(')?.trim_end();
    let path_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '#')
        .map(char::len_utf8)
        .sum::<usize>();
    if path_len == 0 {
        return None;
    }
    let path_start = before.len() - path_len;
    let line = text[..path_start].matches('\n').count() as u32 + 1;
    let from = text[..path_start].rfind('\n').map_or(0, |i| i + 1);
    let column = text[from..path_start].chars().count() as u32 + 1;
    Some(Position { line, column })
}

/// [`annotation_position`] from the attribute's span and its source text alone.
fn attribute_position() -> Position {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hc_schema_snapshot::syntax::Annotation;
    use hc_schema_snapshot::{NameIndex, Snapshot};

    use super::*;

    /// A snapshot of the tables and columns below (schema `salesforce`), as the build script
    /// indexes it.
    fn index_of(tables: &[(&str, &[&str])]) -> NameIndex {
        let mut text =
            String::from(r#"{"format":1,"environment":"p","schema":"salesforce","tables":{"#);
        for (i, (table, columns)) in tables.iter().enumerate() {
            let columns: Vec<String> = columns.iter().map(|c| format!("\"{c}\":{{}}")).collect();
            text.push_str(&format!(
                "{}\"{table}\":{{\"access\":\"read_write\",\"columns\":{{{}}}}}",
                if i > 0 { "," } else { "" },
                columns.join(",")
            ));
        }
        text.push_str("}}");
        NameIndex::of(&Snapshot::parse(&text, "p.json", "p").unwrap())
    }

    fn known(dir: Option<&std::path::Path>, tables: &[(&str, &[&str])], build: &str) -> Known {
        let index = index_of(tables);
        let fingerprint = format!("{:016x}", hc_schema_snapshot::hash::hash(index.bytes()));
        Known::of_index(
            vec!["salesforce".into()],
            Arc::new(Ok(index)),
            &fingerprint,
            dir,
            Some(build),
        )
    }

    pub(super) fn annotation(text: &str) -> ItemAnnotation {
        let parsed = Annotation::parse(text.parse().unwrap(), Span::call_site()).unwrap();
        ItemAnnotation {
            position: Position { line: 1, column: 3 },
            usages: parsed.usages("src/lib.rs"),
        }
    }

    /// Generated items (SQL strings declared or not, `format!`, `concat!`, prose, nested
    /// annotated items, moved down by blank lines), annotations and contexts (a build at a
    /// time), one cache file for all, each step a new compiler process: what the cached path gives is what the lint
    /// finds from scratch in that context, whatever the cache held; and the cache does answer.
    #[test]
    fn an_item_from_the_cache_is_the_item_checked_now() {
        let dir = tempfile::tempdir().unwrap();
        let pieces = [
            r#"let a = "SELECT name, tier__c FROM salesforce.account";"#,
            r#"let b = "UPDATE salesforce.contact SET email = $1 WHERE sfid = $2";"#,
            r#"let c = format!("SELECT {} FROM {schema}.account", cols);"#,
            r#"let d = concat!("SELECT email ", "FROM salesforce.contact");"#,
            r#"let e = "Insert into contact failed";"#,
            r#"let f = "SELECT * FROM salesforce.account";"#,
            r#"let g = "SELECT x FROM salesforce.lead";"#,
            r#"#[hc_requires(contact(email))] fn inner() -> &'static str { "SELECT email FROM contact" }"#,
        ];
        let annotations = [
            "account(name)",
            "account(name, tier__c), write contact(email)",
            "contact(email, sfid), lead(x)",
        ];
        let name_sets: [&[(&str, &[&str])]; 3] = [
            &[
                ("account", &["name", "tier__c", "sfid"]),
                ("contact", &["email", "sfid"]),
                ("lead", &["x"]),
            ],
            &[("account", &["name"]), ("contact", &["email"])],
            &[("contact", &["email", "sfid"]), ("lead", &["x", "y"])],
        ];
        let mut rng = hc_schema_snapshot::testing::Rng::exact(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: usize| rng.below(n);
        let mut results: std::collections::HashMap<String, std::collections::HashSet<String>> =
            Default::default();
        let mut items = Vec::new();
        for _ in 0..5 {
            let body: Vec<&str> = (0..1 + next(3))
                .map(|_| pieces[next(pieces.len())])
                .collect();
            items.push(body.join("\n    "));
        }
        let (mut hits, mut steps) = (0, 0);
        let plain = vec!["hc_requires".to_string()];
        let (mut names, mut build) = (name_sets[0], "build-1");
        for step in 0..300 {
            // A build (one context) at a time, as a package's build directory sees them.
            if step % 25 == 0 {
                names = name_sets[next(name_sets.len())];
                build = ["build-1", "build-2"][next(2)];
            }
            let cached = known(Some(dir.path()), names, build);
            let fresh = known(None, names, build);
            let body = &items[next(items.len())];
            let text = format!("{}fn item() {{\n    {body}\n}}\n", "\n".repeat(next(2)));
            let item: TokenStream = text.parse().unwrap();
            let around = [annotation(annotations[next(annotations.len())])];
            let made = std::cell::Cell::new(false);
            let make = || {
                made.set(true);
                fresh_checks(&cached, "src/lib.rs", &around, &item, &plain)
            };
            let (got, _) = item_checks(&cached, "src/lib.rs", &around, &item, &plain, make);
            let now = fresh_checks(&fresh, "src/lib.rs", &around, &item, &plain);
            assert_eq!(got, now, "{text} with {names:?}, {build}");
            results
                .entry(body.clone())
                .or_default()
                .insert(format!("{now:?}"));
            // The next process finds it without scanning the item.
            let again = known(Some(dir.path()), names, build);
            let unused = || -> SqlChecks { panic!("scanned again: {text}") };
            let (again, _) = item_checks(&again, "src/lib.rs", &around, &item, &plain, unused);
            assert_eq!(again, now);
            hits += usize::from(!made.get());
            steps += 1;
        }
        let varying = results.values().filter(|r| r.len() > 1).count();
        assert!(
            varying >= 4,
            "items checked differently in other places or contexts: {varying}"
        );
        assert!(hits > steps / 2, "{hits} hits in {steps}");
    }
}
