//! What `check` found, independent of the output format: every finding in every selected
//! environment with its status (a failure, allowed by the code, or a note), the stale
//! allowances, and the requirement x environment matrix.

use std::collections::BTreeMap;
use std::path::Path;

use hc_schema_snapshot::built::{length_warnings, LengthWarning};
use hc_schema_snapshot::config::{CheckConfig, Config};
use hc_schema_snapshot::diagnostic::{explain, Explanation, Target};
use hc_schema_snapshot::manifest::{check_usages, stale_allowances, Origin, Problem, Site, Usage};
use hc_schema_snapshot::requirement::{Allowance, Finding};
use hc_schema_snapshot::scan::{ErrorKind, Scan};
use hc_schema_snapshot::selection::{Reason, SnapshotRef};
use hc_schema_snapshot::sqlcheck::{Severity, SqlFinding, SqlFindingKind, SqlStats};
use hc_schema_snapshot::text::count;
use hc_schema_snapshot::typecheck;
use hc_schema_snapshot::verdict::Status as Verdict;
use hc_schema_snapshot::Snapshot;

use crate::sources::Sources;

/// A selected snapshot.
pub struct Env<'a> {
    /// Environment name (a file given by path: its stem).
    pub env: &'a str,
    /// The file as shown.
    pub display: &'a str,
    /// Whether the file was given by path (`--snapshot`, `HC_SCHEMA_SNAPSHOT`).
    pub given_file: bool,
}

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It fails the check.
    Error,
    /// The code's `missing_ok` allowance covers it: not a failure, but reported.
    Allowed,
    /// It does not fail (a write to a mapping of unknown access, without strict access).
    Note,
}

/// One finding at one code site in one environment.
pub struct Entry<'a> {
    /// The environment.
    pub env: &'a str,
    /// Its snapshot file as shown.
    pub snapshot: &'a str,
    /// The finding and the usage.
    pub problem: Problem<'a>,
    /// Its wording.
    pub explanation: Explanation,
    /// How it counts.
    pub status: Status,
}

impl Entry<'_> {
    /// The allowance's reason, when allowed.
    pub fn reason(&self) -> Option<&str> {
        self.problem.allowed.map(|a| a.reason.as_str())
    }
}

/// An allowance that covers nothing in an environment: every column it lists is mapped there.
pub struct Stale<'a> {
    /// The environment.
    pub env: &'a str,
    /// Its snapshot file as shown.
    pub snapshot: &'a str,
    /// The usage (annotation group) the allowance belongs to.
    pub usage: &'a Usage,
    /// The allowance.
    pub allowance: &'a Allowance,
    /// Where its `missing_ok` is written (`None`: the scan does not know; then the usage's
    /// table token stands for it).
    pub at: Option<Site>,
}

impl Stale<'_> {
    /// The site reported for it: its `missing_ok` (what to remove), else the table token of
    /// its annotation group.
    pub fn site(&self) -> Site {
        self.at.clone().unwrap_or_else(|| self.usage.site())
    }

    /// `missing_ok(prod, account(loyalty_tier__c))`.
    pub fn spelled(&self) -> String {
        format!(
            "missing_ok({}, {}({}))",
            self.allowance.env,
            self.allowance.table,
            self.allowance.columns.join(", ")
        )
    }

    /// "`account.x` is" or "`account.x`, `account.y` are".
    pub fn columns(&self) -> String {
        let what: Vec<String> = self
            .allowance
            .columns
            .iter()
            .map(|c| format!("`{}.{c}`", self.allowance.table))
            .collect();
        let verb = if what.len() == 1 { "is" } else { "are" };
        format!("{} {verb}", what.join(", "))
    }

    /// The message.
    pub fn message(&self) -> String {
        format!(
            "stale allowance `{}`: {} mapped in {} ({}), so it allows nothing; remove it \
             (reason given: \"{}\")",
            self.spelled(),
            self.columns(),
            self.env,
            self.snapshot,
            self.allowance.reason
        )
    }
}

/// A matrix cell, ordered by severity (a cell shows the worst finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    /// Holds.
    Ok,
    /// A write to a mapping of unknown access.
    AccessUnknown,
    /// Missing, but allowed by the code.
    Allowed,
    /// Written, but the mapping is read-only.
    ReadOnly,
    /// Read with a Rust type that does not read the column here, or without a type while
    /// the column's type drifts between environments.
    WrongType,
    /// Not mapped.
    Missing,
}

impl Cell {
    /// As printed for people.
    pub fn human(self) -> &'static str {
        match self {
            Cell::Ok => "ok",
            Cell::AccessUnknown => "access?",
            Cell::Allowed => "allowed",
            Cell::ReadOnly => "READ-ONLY",
            Cell::WrongType => "TYPE",
            Cell::Missing => "MISSING",
        }
    }

    /// As written in JSON.
    pub fn json(self) -> &'static str {
        match self {
            Cell::Ok => "ok",
            Cell::AccessUnknown => "access_unknown",
            Cell::Allowed => "allowed",
            Cell::ReadOnly => "read_only",
            Cell::WrongType => "type",
            Cell::Missing => "missing",
        }
    }
}

/// A matrix row: `table.column`, or `table` for a write that names no column (`DELETE`).
pub type Row = (String, Option<String>);

/// Requirement x environment.
pub type Matrix = BTreeMap<Row, BTreeMap<String, Cell>>;

/// The label of a row.
pub fn row_label(row: &Row) -> String {
    match &row.1 {
        Some(column) => format!("{}.{column}", row.0),
        None => format!("{} (rows)", row.0),
    }
}

/// The note of a finding at a use by an SQL string no annotation declares (the build's too).
pub use hc_schema_snapshot::sqlcheck::STRING_NOTE;

/// A finding of the SQL checks and how it counts (`[check] undeclared` / `unguarded`).
pub struct SqlEntry<'a> {
    /// The finding.
    pub finding: &'a SqlFinding,
    /// Error, warning or note.
    pub severity: Severity,
}

/// Everything `check` found.
pub struct Report<'a> {
    /// Paths in messages are relative to it.
    pub base: &'a Path,
    /// Why these snapshots were selected.
    pub reason: Reason,
    /// The selected snapshots.
    pub envs: Vec<Env<'a>>,
    /// The source scan.
    pub scan: &'a Scan,
    /// Every requirement site (annotations and `hc_sql!` queries).
    pub usages: &'a [Usage],
    /// The SQL checks' findings, by site.
    pub sql: Vec<SqlEntry<'a>>,
    /// How many `hc_sql!` calls and SQL strings the SQL checks read, and what became of them.
    pub sql_stats: SqlStats,
    /// Every finding, by environment then code site.
    pub entries: Vec<Entry<'a>>,
    /// Stale allowances, by environment then site.
    pub stale: Vec<Stale<'a>>,
    /// Written string columns shorter in one selected environment than in another: warnings.
    pub lengths: Vec<LengthWarning>,
    /// Requirement x environment.
    pub matrix: Matrix,
    /// Whether unknown access fails.
    pub strict_access: bool,
    /// Whether a typed declaration over a snapshot without types fails.
    pub strict_types: bool,
}

/// Counts for summaries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Findings that fail.
    pub failing: usize,
    /// Failing missing tables and columns.
    pub missing: usize,
    /// Failing writes to read-only mappings.
    pub read_only: usize,
    /// Writes to mappings of unknown access (failing under strict access, else notes).
    pub access_unknown: usize,
    /// Failing type findings: a typed declaration whose type does not read the column, or a
    /// column read without a type whose type drifts between environments.
    pub types: usize,
    /// Typed declarations over snapshots without column types (failing under
    /// `strict_types`, else notes).
    pub type_unknown: usize,
    /// Typed columns of a `[types] custom` type, not checked (notes).
    pub custom_types: usize,
    /// Tables SQL names with a schema that is not the environment's Heroku Connect schema.
    pub wrong_schema: usize,
    /// Findings allowed by the code.
    pub allowed: usize,
    /// Stale allowances.
    pub stale: usize,
    /// Malformed or misplaced annotations.
    pub malformed: usize,
    /// `<env>-snapshot` features a package declares without forwarding them to a crate that
    /// holds annotations (errors at its `Cargo.toml`).
    pub features_not_forwarded: usize,
    /// Places the scan could not read (files, items, annotations inside macros): the scan
    /// is incomplete when this is not 0.
    pub unparsed: usize,
    /// `hc_sql!` calls whose SQL cannot be checked (the build fails on them).
    pub sql_errors: usize,
    /// Undeclared uses in SQL strings.
    pub undeclared: usize,
    /// Unguarded SQL strings.
    pub unguarded: usize,
    /// SQL strings skipped (notes).
    pub skipped: usize,
    /// SQL strings whose columns the check could not read, skipped or unguarded: never a
    /// plain "ok" beside them.
    pub not_checked: usize,
    /// `SELECT *` over Heroku Connect tables (`star`).
    pub star: usize,
}

impl<'a> Report<'a> {
    /// Check every usage in every selected snapshot. `known` are all snapshots (selected and
    /// others) for "mapped in" notes and API names; `project` is hc-schema.toml (`[check]`,
    /// and `[types] custom` for typed declarations).
    pub fn build(
        base: &'a Path,
        reason: Reason,
        selected: &'a [(SnapshotRef, Snapshot)],
        known: &[Target<'_>],
        sources: &'a Sources,
        strict_access: bool,
        project: &Config,
    ) -> Report<'a> {
        let config: &CheckConfig = &project.check;
        let custom_types: &[String] = &project.types.custom;
        let scan = &sources.scan;
        let given_file = reason == Reason::SnapshotVar;
        let envs: Vec<Env<'a>> = selected
            .iter()
            .map(|(r, _)| Env {
                env: &r.env,
                display: &r.display,
                given_file,
            })
            .collect();
        // Every use counts, SQL strings no annotation declares included: their lint level
        // softens "you did not declare it", never "this environment lacks it".
        let uses = &sources.uses.usages;
        let mut matrix = Matrix::new();
        for usage in uses {
            for row in rows(usage, None) {
                let cells = matrix.entry(row).or_default();
                for env in &envs {
                    cells.entry(env.env.to_string()).or_insert(Cell::Ok);
                }
            }
        }
        let mut entries = Vec::new();
        let mut stale = Vec::new();
        let directory: Vec<typecheck::Known<'_>> = known
            .iter()
            .map(|t| (t.env, t.display, t.snapshot))
            .collect();
        let mut first = true;
        for (r, snapshot) in selected {
            let target = Target {
                given_file,
                ..Target::env(&r.env, &r.display, snapshot)
            };
            let mut problems = check_usages(uses, &r.env, snapshot);
            problems.extend(typecheck::check_declared(
                uses,
                snapshot,
                config.strict_types,
                custom_types,
            ));
            if first {
                // A Rust type hc-schema does not know is no one environment's either.
                problems.extend(typecheck::check_declared_types(uses, custom_types));
                // Drift is no one environment's: reported once, with the first selected.
                // The columns an hc_query! reads into a field or binds are typed (its typing
                // decides their drift); its other columns are judged as hc_sql!'s are.
                problems.extend(
                    typecheck::check_drift(uses, &directory)
                        .into_iter()
                        .filter(|problem| !typed_by_hc_query(scan, &sources.query_types, problem)),
                );
                first = false;
            }
            for problem in problems {
                let status = match problem.status(strict_access) {
                    Verdict::Allowed => Status::Allowed,
                    Verdict::Fails => Status::Error,
                    Verdict::Note => Status::Note,
                };
                let cell = match (&problem.finding, status) {
                    (_, Status::Allowed) => Cell::Allowed,
                    (Finding::MissingTable { .. } | Finding::MissingColumn { .. }, _) => {
                        Cell::Missing
                    }
                    (Finding::ReadOnly { .. }, _) => Cell::ReadOnly,
                    (
                        Finding::AccessUnknown { .. }
                        | Finding::TypeUnknown { .. }
                        | Finding::UncheckedType { custom: true, .. },
                        _,
                    ) => Cell::AccessUnknown,
                    (Finding::UncheckedType { .. }, _) => Cell::WrongType,
                    (Finding::TypeMismatch { .. } | Finding::TypeDrift { .. }, _) => {
                        Cell::WrongType
                    }
                    (Finding::WrongSchema { .. }, _) => Cell::Missing,
                };
                for row in rows(problem.usage, Some(&problem.finding)) {
                    let slot = matrix
                        .entry(row)
                        .or_default()
                        .entry(r.env.clone())
                        .or_insert(Cell::Ok);
                    *slot = (*slot).max(cell);
                }
                let mut explanation = explain(&problem.finding, &target, known);
                match problem.usage.origin {
                    Origin::Sql => {
                        // Where in the SQL, as the macro's first note.
                        if let Some(place) =
                            sources.sql.place(scan, problem.usage, &problem.finding)
                        {
                            explanation.notes.insert(0, place);
                        }
                    }
                    Origin::String => explanation.notes.insert(0, STRING_NOTE.to_string()),
                    Origin::Annotation => {}
                }
                entries.push(Entry {
                    env: &r.env,
                    snapshot: &r.display,
                    problem,
                    explanation,
                    status,
                });
            }
            // Each table SQL names as `schema.table`: where the schema is not this
            // environment's Heroku Connect schema, the name does not exist there (as the build
            // fails such an `hc_sql!`, in the same words).
            for qualified in &sources.sql.qualified {
                if qualified.schema == snapshot.schema {
                    continue;
                }
                let finding = Finding::WrongSchema {
                    table: qualified.usage.table.name.clone(),
                    written: qualified.schema.clone(),
                    expected: snapshot.schema.clone(),
                };
                let mut explanation = explain(&finding, &target, known);
                explanation.notes.insert(0, qualified.place.clone());
                entries.push(Entry {
                    env: &r.env,
                    snapshot: &r.display,
                    problem: Problem {
                        finding,
                        usage: &qualified.usage,
                        allowed: None,
                    },
                    explanation,
                    status: Status::Error,
                });
            }
            let mut seen = Vec::new();
            for (usage, allowance) in stale_allowances(&sources.usages, &r.env, snapshot) {
                let key = (&usage.file, allowance);
                if seen.contains(&key) {
                    continue; // one allowance attached to several groups of its annotation
                }
                seen.push(key);
                let at = scan
                    .allowance_position(
                        &usage.file,
                        hc_schema_snapshot::scan::Position {
                            line: usage.table.line,
                            column: usage.table.column,
                        },
                        allowance,
                    )
                    .map(|p| Site {
                        file: usage.file.clone(),
                        line: p.line,
                        column: p.column,
                    });
                stale.push(Stale {
                    env: &r.env,
                    snapshot: &r.display,
                    usage,
                    allowance,
                    at,
                });
            }
        }
        let lengths = {
            let selected: Vec<(&str, &str, &Snapshot)> = selected
                .iter()
                .map(|(r, s)| (r.env.as_str(), r.display.as_str(), s))
                .collect();
            length_warnings(uses, &selected)
        };
        let sql = sources
            .sql
            .findings
            .iter()
            .filter_map(|finding| {
                Some(SqlEntry {
                    finding,
                    severity: finding.kind.severity(config)?,
                })
            })
            .collect();
        Report {
            base,
            reason,
            envs,
            scan,
            usages: &sources.usages,
            sql,
            sql_stats: sources.sql.stats,
            entries,
            stale,
            lengths,
            matrix,
            strict_access,
            strict_types: config.strict_types,
        }
    }

    /// The counts.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for entry in &self.entries {
            match entry.status {
                Status::Allowed => counts.allowed += 1,
                Status::Note => match entry.problem.finding {
                    Finding::TypeUnknown { .. } => counts.type_unknown += 1,
                    Finding::UncheckedType { .. } => counts.custom_types += 1,
                    _ => counts.access_unknown += 1,
                },
                Status::Error => {
                    counts.failing += 1;
                    match entry.problem.finding {
                        Finding::MissingTable { .. } | Finding::MissingColumn { .. } => {
                            counts.missing += 1
                        }
                        Finding::ReadOnly { .. } => counts.read_only += 1,
                        Finding::AccessUnknown { .. } => counts.access_unknown += 1,
                        Finding::TypeMismatch { .. }
                        | Finding::TypeDrift { .. }
                        | Finding::UncheckedType { .. } => counts.types += 1,
                        Finding::TypeUnknown { .. } => counts.type_unknown += 1,
                        Finding::WrongSchema { .. } => counts.wrong_schema += 1,
                    }
                }
            }
        }
        counts.stale = self.stale.len();
        counts.unparsed = self.scan.incomplete().count();
        counts.features_not_forwarded = self
            .scan
            .errors
            .iter()
            .filter(|e| e.kind == ErrorKind::FeatureNotForwarded)
            .count();
        counts.malformed = self.scan.errors.len() - counts.unparsed - counts.features_not_forwarded;
        for entry in &self.sql {
            match entry.finding.kind {
                SqlFindingKind::SqlError => counts.sql_errors += 1,
                SqlFindingKind::Undeclared => counts.undeclared += 1,
                SqlFindingKind::Unguarded => counts.unguarded += 1,
                SqlFindingKind::Skipped => counts.skipped += 1,
                SqlFindingKind::Star => counts.star += 1,
                SqlFindingKind::CustomType => counts.custom_types += 1,
            }
            counts.not_checked += usize::from(entry.finding.unread());
        }
        counts
    }

    /// Whether the check found a problem (exit status 1).
    pub fn failed(&self) -> bool {
        let counts = self.counts();
        counts.failing > 0
            || counts.malformed > 0
            || counts.features_not_forwarded > 0
            || self.sql.iter().any(|e| e.severity == Severity::Error)
    }

    /// Whether the check could not look at everything (exit status 2, even when it also
    /// found problems: the result is incomplete).
    pub fn incomplete(&self) -> bool {
        !self.scan.is_complete()
    }

    /// The SQL findings of one severity.
    pub fn sql_of(&self, severity: Severity) -> impl Iterator<Item = &SqlEntry<'a>> {
        self.sql.iter().filter(move |e| e.severity == severity)
    }

    /// "the scan is incomplete: ..." with every place it could not read, or `None`.
    pub fn incomplete_message(&self) -> Option<String> {
        if !self.incomplete() {
            return None;
        }
        let places: Vec<String> = self
            .scan
            .incomplete()
            .map(|e| format!("{}:{}:{}", e.file, e.line, e.column))
            .collect();
        Some(format!(
            "the scan is incomplete: {} could not be read or {} not scannable ({}), so what \
             {} unknown and this check cannot pass; fix {} (each is shown above)",
            count(places.len(), "place"),
            if places.len() == 1 { "is" } else { "are" },
            places.join(", "),
            if places.len() == 1 {
                "it requires is"
            } else {
                "they require is"
            },
            if places.len() == 1 { "it" } else { "them" },
        ))
    }

    /// The selected environments' names.
    pub fn env_names(&self) -> Vec<&str> {
        self.envs.iter().map(|e| e.env).collect()
    }

    /// The one-line verdict: `hc-schema check FAILED: 3 requirement groups in 2 files
    /// against prod; 2 failing (2 missing, 0 read-only), ...`.
    pub fn summary(&self) -> String {
        let counts = self.counts();
        // Never a plain `ok` when some SQL was not checked.
        let verdict = if self.failed() || self.incomplete() {
            "FAILED".to_string()
        } else if counts.not_checked > 0 {
            format!(
                "ok with {} not checked",
                count(counts.not_checked, "SQL string")
            )
        } else {
            "ok".to_string()
        };
        let mut text = format!(
            "hc-schema check {verdict}: {} in {} against {}; \
             {} failing ({} missing, {} read-only",
            count(self.usages.len(), "requirement group"),
            count(self.scan.files, "file"),
            self.env_names().join(", "),
            counts.failing,
            counts.missing,
            counts.read_only,
        );
        if self.strict_access {
            text.push_str(&format!(", {} access unknown", counts.access_unknown));
        }
        if counts.types > 0 {
            text.push_str(&format!(", {} type", counts.types));
        }
        if counts.wrong_schema > 0 {
            text.push_str(&format!(", {} wrong schema", counts.wrong_schema));
        }
        text.push(')');
        if counts.type_unknown > 0 {
            text.push_str(&format!(
                ", {} of unknown type ({})",
                hc_schema_snapshot::text::count(counts.type_unknown, "typed column"),
                if self.strict_types { "errors" } else { "notes" }
            ));
        }
        if counts.custom_types > 0 {
            text.push_str(&format!(
                ", {} of a [types] custom type, not checked (notes)",
                hc_schema_snapshot::text::count(counts.custom_types, "typed column"),
            ));
        }
        if !self.strict_access && counts.access_unknown > 0 {
            text.push_str(&format!(
                ", {} of unknown access (notes)",
                count(counts.access_unknown, "write")
            ));
        }
        let warned = |kind: SqlFindingKind, count: usize| {
            let warnings = self
                .sql
                .iter()
                .any(|e| e.finding.kind == kind && e.severity == Severity::Warning);
            if warnings {
                format!("{count} {} (warnings)", kind.rule_id())
            } else {
                format!("{count} {}", kind.rule_id())
            }
        };
        text.push_str(&format!(
            ", {} allowed, {}, {}, {}, {}, {}",
            counts.allowed,
            count(counts.stale, "stale allowance"),
            count(counts.malformed, "malformed annotation"),
            count(counts.sql_errors, "hc_sql! error"),
            warned(SqlFindingKind::Undeclared, counts.undeclared),
            warned(SqlFindingKind::Unguarded, counts.unguarded),
        ));
        if counts.features_not_forwarded > 0 {
            text.push_str(&format!(
                ", {} not forwarded",
                count(counts.features_not_forwarded, "<env>-snapshot feature")
            ));
        }
        if counts.skipped > 0 {
            let failing = self.sql.iter().any(|e| {
                e.finding.kind == SqlFindingKind::Skipped && e.severity == Severity::Error
            });
            text.push_str(&format!(
                ", {} skipped ({})",
                count(counts.skipped, "SQL string"),
                if failing { "errors" } else { "notes" }
            ));
        }
        if counts.star > 0 {
            text.push_str(&format!(", {}", warned(SqlFindingKind::Star, counts.star)));
        }
        if self.incomplete() {
            text.push_str(&format!(
                "; the scan is incomplete: {} not read",
                count(counts.unparsed, "place")
            ));
        }
        text
    }
}

/// The matrix rows a usage (or one finding of it) is about.
fn rows(usage: &Usage, finding: Option<&Finding>) -> Vec<Row> {
    let table = &usage.table.name;
    if let Some(column) = finding.and_then(Finding::column) {
        return vec![(table.clone(), Some(column.to_string()))];
    }
    if usage.columns.is_empty() {
        return vec![(table.clone(), None)];
    }
    usage
        .columns
        .iter()
        .map(|c| (table.clone(), Some(c.name.clone())))
        .collect()
}

/// Why a stale allowance is a warning and not an error.
pub const STALE_NOTE: &str = "a warning, not a failure: the code works there; remove the \
    allowance so that it cannot hide the column being unmapped again later";

/// Why a written column's length difference is a warning and not an error.
pub const LENGTH_NOTE: &str = "a warning, not a failure: the code reads and writes both \
    (the same Rust type, String), but a value may fit in one environment only";

/// Whether some use of `uses` reads a column without a Rust type (an `hc_query!`'s are
/// typed), or an `hc_query!` is typed (from every snapshot of the directory): what needs
/// every snapshot's column types.
pub(crate) fn reads_untyped(scan: &Scan, uses: &[Usage]) -> bool {
    scan.sql_macros.iter().any(|m| m.query.is_some())
        || uses.iter().any(|usage| {
            usage.columns.iter().any(|c| c.rust.is_none()) && !from_hc_query(scan, usage)
        })
}

/// Whether the drifting column of `problem` is one whose type its `hc_query!` (if its usage is
/// one's) judges, reading it into a field or binding it
/// ([`hc_schema_snapshot::sqlcheck::QueryTypes`]). An `hc_query!` that was not typed (its
/// names or its shape fail) types nothing.
fn typed_by_hc_query(
    scan: &Scan,
    query_types: &hc_schema_snapshot::sqlcheck::QueryTypes,
    problem: &hc_schema_snapshot::manifest::Problem<'_>,
) -> bool {
    let usage = problem.usage;
    if usage.origin != Origin::Sql {
        return false;
    }
    let Finding::TypeDrift { table, column, .. } = &problem.finding else {
        return false;
    };
    let at = hc_schema_snapshot::scan::Position {
        line: usage.table.line,
        column: usage.table.column,
    };
    scan.sql_macros.iter().enumerate().any(|(index, m)| {
        m.file == usage.file
            && m.extent.contains(at)
            && m.query.is_some()
            && query_types
                .get(&index)
                .is_some_and(|typed| typed.contains(&(table.clone(), column.clone())))
    })
}

/// Whether `usage` (of `hc_sql!` origin) is an `hc_query!`'s: the call holding its table
/// token is one (the scan tells, under any path or alias).
fn from_hc_query(scan: &Scan, usage: &Usage) -> bool {
    if usage.origin != Origin::Sql {
        return false;
    }
    let at = hc_schema_snapshot::scan::Position {
        line: usage.table.line,
        column: usage.table.column,
    };
    scan.sql_macros
        .iter()
        .any(|m| m.file == usage.file && m.extent.contains(at) && m.query.is_some())
}
