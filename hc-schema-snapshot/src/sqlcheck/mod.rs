//! The SQL checks of `hc-schema check` (features `scan` and `sql`): what the scan's `hc_sql!`
//! calls require, the two lints on SQL string literals, and `SELECT *`.
//!
//! - **`hc_sql!`**: each call's SQL is analysed by [`crate::sql::analyze_literal`], the same
//!   function the macro uses, into requirement sites ([`crate::manifest::Origin::Sql`], each
//!   name at its place in the file) or into the errors the build fails on
//!   ([`SqlFindingKind::SqlError`], the macro's text).
//! - **`hc_query!`'s own types** ([`SqlChecks::add_typing`], run by `hc-schema check` with every
//!   snapshot of the directory): each call is typed by [`crate::sql::type_query`], the
//!   macro's function, and each type error is an [`SqlFindingKind::SqlError`] with the
//!   macro's text where the compiler shows it. Errors rustc raises on the expansion (a value of
//!   the wrong Rust type, a field of the user's struct) are not seen.
//! - **`undeclared`** (the forgotten annotation): a string literal inside an item annotated
//!   with `#[hc_requires]` that is SQL touching Heroku Connect tables must use only what the
//!   enclosing annotations declare: a column read must be declared (read or written), a
//!   column written must be declared as a write, a table must be declared at all. Each use
//!   that is not is a finding at the literal naming the column and the annotation to extend.
//! - **`unguarded`**: such a literal outside `hc_sql!` and outside any annotated item is a
//!   finding: nothing checks it.
//! - **`star`**: a `*` / `t.*` over a Heroku Connect table (in `hc_sql!` or a string), at the
//!   `*`: the code may read any column of the table by name.
//!
//! The lints' levels soften "you did not declare it", never the uses: an `undeclared` or
//! `unguarded` finding carries its uses ([`SqlFinding::uses`]), and [`SqlChecks::uses`] joins
//! them with the requirements and the wildcards into the one list every command counts as
//! needed ([`crate::uses::Uses`]).
//!
//! Literals that are the format string of `format!` and friends are read with their
//! placeholders substituted ([`crate::sql::analyze_format`]); one that cannot be read that
//! way is reported as skipped ([`SqlFindingKind::Skipped`], a note), never passed. A literal
//! that does not parse as SQL is prose, not a finding; one whose words name no Heroku Connect
//! schema or known table cannot touch one and is not parsed at all.
//!
//! ```
//! use hc_schema_snapshot::scan::scan_sources;
//! use hc_schema_snapshot::sql::{Context, Union};
//! use hc_schema_snapshot::sqlcheck::{self, SqlFindingKind};
//! use hc_schema_snapshot::Snapshot;
//! let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce",
//!     "tables":{"account":{"columns":{"name":{},"sfid":{},"billingcity":{}}}}}"#, "test.json", "test").unwrap();
//! let union = Union::new([&test]);
//! let context = Context::new(["salesforce"], &union);
//! let scan = scan_sources(&[("src/lib.rs", r#"
//! use hc_schema_macro::{hc_requires, hc_sql};
//! const Q: &str = hc_sql!("SELECT name FROM salesforce.account");
//! #[hc_requires(account(sfid, name))]
//! fn tiers(schema: &str) -> String {
//!     format!("SELECT sfid, name, billingcity FROM {schema}.account")
//! }
//! fn loose() -> &'static str { "SELECT sfid FROM salesforce.account" }
//! "#)]);
//! let checks = sqlcheck::check(&scan, &context);
//! assert_eq!(checks.usages()[0].columns[0].name, "name");
//! let kinds: Vec<_> = checks.findings.iter().map(|f| (f.kind, f.line)).collect();
//! assert_eq!(kinds, [(SqlFindingKind::Undeclared, 6), (SqlFindingKind::Unguarded, 8)]);
//! assert!(checks.findings[0].explanation.message.starts_with("`account.billingcity` is read by this SQL"));
//! ```

pub mod checks_codec;
mod finding;
mod hc_sql;
mod item;
mod lint;
mod qualified;
mod reading;
mod typed;
pub use typed::QueryTypes;
mod undeclared;
mod unguarded;
mod words;

use std::collections::BTreeSet;

pub use finding::{Severity, SqlFinding, SqlFindingKind, Subject};
pub use item::{check_item, ItemAnnotation, STRING_NOTE};
pub use lint::Read;
pub use qualified::{of as qualified_uses, QualifiedUse};
pub use reading::{read, Reading};

use crate::config::{Config, DEFAULT_SCHEMA};
use crate::manifest::Usage;
use crate::requirement::Finding;
use crate::scan::{Scan, SqlArgument};
use crate::snapshot::Snapshot;
use crate::sql::{Analysis, Context, SourceLiteral};
use crate::uses::{Star, Uses};

/// One `hc_sql!` whose SQL was analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlQuery {
    /// The call (index into [`Scan::sql_macros`]).
    pub sql_macro: usize,
    /// The analysis (offsets into the literal's value).
    pub analysis: Analysis,
    /// Its requirement sites, one per table use of the analysis, in the same order.
    pub usages: Vec<Usage>,
}

/// How many literals went which way (for reports: nothing passes unseen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SqlStats {
    /// `hc_sql!` calls.
    pub queries: usize,
    /// String literals outside `hc_sql!` that could be SQL (the scan's candidates).
    pub strings: usize,
    /// Of those, SQL on Heroku Connect tables, checked (`undeclared` or `unguarded`).
    pub checked: usize,
    /// Of those, not SQL (prose): they do not parse.
    pub not_sql: usize,
    /// Of those, no Heroku Connect table named.
    pub no_hc: usize,
    /// Of those, skipped: could not be analysed (each a [`SqlFindingKind::Skipped`] note).
    pub skipped: usize,
    /// Of those, inside an item whose annotation is malformed (that error stands for them).
    pub under_malformed: usize,
}

/// What the SQL checks found in a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlChecks {
    /// Every `hc_sql!` whose SQL analyses, in the scan's order.
    pub queries: Vec<SqlQuery>,
    /// The findings, sorted by file, position and kind (one literal's in the order of its SQL).
    pub findings: Vec<SqlFinding>,
    /// Counts.
    pub stats: SqlStats,
    /// Every Heroku Connect table the SQL read names with a schema qualifier (`hc_sql!` and
    /// strings alike, declared or not): `check` fails each whose schema is not a selected
    /// environment's Heroku Connect schema, as the build fails such an `hc_sql!`.
    pub qualified: Vec<QualifiedUse>,
}

impl SqlChecks {
    /// The requirement sites of every `hc_sql!` (origin `sql`).
    pub fn usages(&self) -> Vec<Usage> {
        self.queries
            .iter()
            .flat_map(|q| q.usages.iter().cloned())
            .collect()
    }

    /// Every requirement site of the code: the scan's annotations and the `hc_sql!` queries,
    /// sorted by file and position (numerically).
    pub fn all_usages(&self, scan: &Scan) -> Vec<Usage> {
        let mut all: Vec<Usage> = scan.usages.iter().cloned().chain(self.usages()).collect();
        all.sort_by(|a, b| {
            (&a.file, a.table.line, a.table.column).cmp(&(&b.file, b.table.line, b.table.column))
        });
        all
    }

    /// Every use of Heroku Connect the scan knows ([`Uses`]), the one list behind every
    /// command's "needed": the requirement sites ([`SqlChecks::all_usages`]), the uses of SQL
    /// strings no annotation declares (`undeclared`, `unguarded`: origin
    /// [`crate::manifest::Origin::String`], whatever the lints' levels) and every `SELECT *` /
    /// `t.*` over a Heroku Connect table.
    pub fn uses(&self, scan: &Scan) -> Uses {
        let mut usages = self.all_usages(scan);
        let mut stars = Vec::new();
        for finding in &self.findings {
            match finding.kind {
                SqlFindingKind::Undeclared | SqlFindingKind::Unguarded => {
                    usages.extend(finding.uses.iter().cloned())
                }
                SqlFindingKind::Star => stars.extend(finding.subjects.iter().map(|s| Star {
                    table: s.table.clone(),
                    site: finding.site(),
                })),
                SqlFindingKind::SqlError | SqlFindingKind::Skipped | SqlFindingKind::CustomType => {
                }
            }
        }
        Uses::new(usages, stars)
    }

    /// For a finding at an `hc_sql!` usage: where the name is in the SQL, as the note the macro
    /// puts first ("at line 2, column 14 of the SQL (file:line:column): ..."). `None` for a
    /// usage that is not one of these queries'.
    pub fn place(&self, scan: &Scan, usage: &Usage, finding: &Finding) -> Option<String> {
        for query in &self.queries {
            let Some(k) = query.usages.iter().position(|u| u == usage) else {
                continue;
            };
            let table = query.analysis.tables.get(k)?;
            let at = finding
                .column()
                .and_then(|column| table.columns.iter().find(|c| c.column == column))
                .map_or(table.at.clone(), |c| c.at.clone());
            let sql_macro = scan.sql_macros.get(query.sql_macro)?;
            let SqlArgument::Literal(literal) = &sql_macro.argument else {
                return None;
            };
            let source = source_literal(&sql_macro.file, literal);
            return Some(source.place(at));
        }
        None
    }

    /// The `hc_sql!` errors: each makes the code's requirements incomplete (the query's are
    /// unknown), as the build fails on it.
    pub fn errors(&self) -> impl Iterator<Item = &SqlFinding> {
        self.findings
            .iter()
            .filter(|f| f.kind == SqlFindingKind::SqlError)
    }
}

/// The Heroku Connect schema names of a project, as the build script hands them to `hc_sql!`:
/// `config.schema_for(env)` of every environment, and each snapshot's own `schema`; sorted,
/// each once. Without any environment, the top-level `schema` (default `salesforce`).
///
/// ```
/// use hc_schema_snapshot::config::Config;
/// use hc_schema_snapshot::sqlcheck::schemas;
/// let config = Config::parse("schema = \"org\"\n[env.prod]\nschema = \"sf001\"\n", "hc-schema.toml").unwrap();
/// assert_eq!(schemas(&config, ["prod", "test"], []), ["org", "sf001"]);
/// assert_eq!(schemas(&config, ["prod"], []), ["sf001"]);
/// assert_eq!(schemas(&config, [], []), ["org"]);
/// ```
pub fn schemas<'a>(
    config: &Config,
    envs: impl IntoIterator<Item = &'a str>,
    snapshots: impl IntoIterator<Item = &'a Snapshot>,
) -> Vec<String> {
    let mut all: BTreeSet<String> = envs
        .into_iter()
        .map(|env| config.schema_for(env).to_string())
        .collect();
    if all.is_empty() {
        all.insert(
            config
                .schema
                .as_deref()
                .unwrap_or(DEFAULT_SCHEMA)
                .to_string(),
        );
    }
    all.extend(snapshots.into_iter().map(|s| s.schema.clone()));
    all.into_iter().collect()
}

/// [`check`] with the context built from the project's configuration and `snapshots` (every
/// snapshot of the project that loads, with its environment): what `hc-schema check` runs,
/// and what the build script hands `hc_sql!`.
pub fn check_project(scan: &Scan, config: &Config, snapshots: &[(&str, &Snapshot)]) -> SqlChecks {
    let union = crate::sql::Union::new(snapshots.iter().map(|(_, s)| *s));
    let schemas = schemas(
        config,
        snapshots.iter().map(|(env, _)| *env),
        snapshots.iter().map(|(_, s)| *s),
    );
    check(scan, &Context::new(schemas, &union))
}

enum Work {
    Macro(hc_sql::MacroOutcome),
    Literal(lint::LintOutcome),
    Inside,
}

/// Run the SQL checks over a scan, with `context` built as the build script builds it for
/// `hc_sql!` (the project's [`schemas`], and a [`crate::sql::Union`] of every snapshot in the
/// snapshot directory). Literals are analysed in parallel; the result does not depend on it.
pub fn check(scan: &Scan, context: &Context<'_>) -> SqlChecks {
    check_reading(scan, context, &read)
}

/// [`check`] with the literals' texts read by `read` (the build reads them through its
/// analysis cache).
/// The SQL literal `literal` of `file`, as the scan found it, for placing names in it.
pub(crate) fn source_literal<'a>(
    file: &'a str,
    literal: &'a crate::scan::StrLiteral,
) -> SourceLiteral<'a> {
    let start = literal.extent.start;
    SourceLiteral::new(
        file,
        &literal.value,
        &literal.written,
        start.line,
        start.column,
    )
}

pub(crate) fn check_reading(scan: &Scan, context: &Context<'_>, read: Read<'_>) -> SqlChecks {
    let macros = scan.sql_macros.len();
    let work = crate::parallel::parallel(macros + scan.sql_literals.len(), |i, _| {
        if i < macros {
            return Work::Macro(hc_sql::check(i, &scan.sql_macros[i], context));
        }
        let literal = &scan.sql_literals[i - macros];
        if literal.hc_sql.is_some() {
            return Work::Inside; // the hc_sql! call itself is checked
        }
        Work::Literal(lint::check(scan, literal, context, read))
    });
    let mut checks = SqlChecks::default();
    for item in work {
        match item {
            Work::Macro(outcome) => {
                checks.stats.queries += 1;
                match outcome {
                    hc_sql::MacroOutcome::Checked(query) => {
                        if let Some(SqlArgument::Literal(literal)) =
                            scan.sql_macros.get(query.sql_macro).map(|m| &m.argument)
                        {
                            let source =
                                source_literal(&scan.sql_macros[query.sql_macro].file, literal);
                            checks
                                .findings
                                .extend(lint::stars(&query.analysis, &source));
                            checks.qualified.extend(qualified::of(
                                &query.analysis,
                                &source,
                                crate::manifest::Origin::Sql,
                            ));
                        }
                        checks.queries.push(query)
                    }
                    hc_sql::MacroOutcome::Failed(findings) => checks.findings.extend(findings),
                }
            }
            Work::Literal(outcome) => {
                checks.stats.strings += 1;
                match outcome {
                    lint::LintOutcome::NotSql => checks.stats.not_sql += 1,
                    lint::LintOutcome::NoHc => checks.stats.no_hc += 1,
                    lint::LintOutcome::Checked(findings, qualified) => {
                        checks.stats.checked += 1;
                        checks.findings.extend(findings);
                        checks.qualified.extend(qualified);
                    }
                    lint::LintOutcome::Skipped(finding) => {
                        checks.stats.skipped += 1;
                        checks.findings.push(finding);
                    }
                    lint::LintOutcome::UnderMalformedAnnotation => {
                        checks.stats.under_malformed += 1
                    }
                }
            }
            Work::Inside => {}
        }
    }
    // Stable: the findings of one literal stay in the order of its SQL.
    checks.findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
    });
    checks
}

#[cfg(test)]
mod tests;
