//! What a scan reports: requirement sites, `hc_sql!` invocations, string literals that may be
//! SQL, and typed errors that say whether the scan saw everything.

use std::ops::Range;

use serde::Serialize;

use crate::manifest::Usage;
use crate::requirement::Allowance;

/// A position in a source file: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// The source text from `start` up to (not including) `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Extent {
    /// The first character.
    pub start: Position,
    /// Just after the last character.
    pub end: Position,
}

impl Extent {
    /// Whether `position` lies inside.
    ///
    /// ```
    /// use hc_schema_snapshot::scan::{Extent, Position};
    /// let at = |line, column| Position { line, column };
    /// let extent = Extent { start: at(2, 1), end: at(4, 2) };
    /// assert!(extent.contains(at(3, 80)) && !extent.contains(at(4, 2)));
    /// ```
    pub fn contains(&self, position: Position) -> bool {
        self.start <= position && position < self.end
    }
}

/// What kind of problem a [`SourceError`] is. The first three mean the scan did not see
/// everything ([`ErrorKind::makes_scan_incomplete`]); the others are mistakes in code (or
/// manifests) the scan did read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A file or directory that cannot be read (permissions, a broken symbolic link, not
    /// UTF-8), or a `Cargo.toml` that cannot be read or parsed.
    Unreadable,
    /// A file, or an item of it that names hc-schema's macros, that does not parse (or is
    /// nested too deeply to parse safely).
    Unparsed,
    /// `#[hc_requires]` or `hc_sql!` inside a macro definition or another macro's input:
    /// the scan does not expand macros, so what the expansion requires is unknown.
    NotScannable,
    /// `#[hc_requires]` where rustc rejects attribute macros (a field, a `let`, an
    /// expression, an inner attribute, ...): it declares nothing.
    Misplaced,
    /// An annotation or `hc_sql!` call whose arguments are wrong.
    Malformed,
    /// A package declares an `<env>-snapshot` feature and does not forward it to a crate it
    /// depends on that holds annotations: building with the feature checks that crate
    /// against another environment (reported at the package's `Cargo.toml`).
    FeatureNotForwarded,
}

impl ErrorKind {
    /// Whether an error of this kind means some requirements may be missing from the scan.
    pub fn makes_scan_incomplete(self) -> bool {
        matches!(
            self,
            ErrorKind::Unreadable | ErrorKind::Unparsed | ErrorKind::NotScannable
        )
    }
}

/// A source file, directory or annotation that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceError {
    /// The file or directory (relative to the workspace).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What kind of problem.
    pub kind: ErrorKind,
    /// What is wrong, and the fix.
    pub message: String,
    /// `kind.makes_scan_incomplete()`, kept for callers written before `kind` existed.
    pub file_unparsed: bool,
}

impl SourceError {
    /// An error of `kind` at `position` of `file`.
    pub fn new(
        kind: ErrorKind,
        file: impl Into<String>,
        position: Position,
        message: impl Into<String>,
    ) -> SourceError {
        SourceError {
            file: file.into(),
            line: position.line,
            column: position.column,
            kind,
            message: message.into(),
            file_unparsed: kind.makes_scan_incomplete(),
        }
    }
}

/// One `#[hc_requires(...)]` the scan found on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotationSite {
    /// The file (relative to the workspace).
    pub file: String,
    /// Where the attribute's path starts (`hc_requires`, `db::needs`, ...).
    pub position: Position,
    /// The annotated item, attributes and doc comments included.
    pub item: Extent,
    /// The `cfg_attr` predicates it sits in, outermost first (`feature = "x"`); empty when the
    /// annotation always applies.
    pub conditional: Vec<String>,
    /// Its table groups: indices into [`Scan::usages`].
    pub usages: Range<usize>,
    /// Its `missing_ok(...)` allowances, each where its `missing_ok` is written.
    pub allowances: Vec<AllowanceSite>,
}

/// An allowance (one environment and table of a `missing_ok(...)`) and where its
/// `missing_ok` is written: a stale allowance is reported there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowanceSite {
    /// The allowance as the check applies it.
    pub allowance: Allowance,
    /// Where its `missing_ok` keyword starts.
    pub position: Position,
}

/// How a string literal is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiteralKind {
    /// `"..."`, with escapes.
    Plain,
    /// `r"..."` or `r#"..."#`, with this many `#`.
    Raw {
        /// The number of `#`.
        hashes: u8,
    },
}

/// A string literal: its value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrLiteral {
    /// The string the literal denotes (escapes resolved).
    pub value: String,
    /// Plain or raw.
    pub kind: LiteralKind,
    /// The literal as written in the source, quotes included (to map a position inside the
    /// value back to the source).
    pub written: String,
    /// Where it is written.
    pub extent: Extent,
}

/// The argument of an `hc_sql!` invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlArgument {
    /// A string literal.
    Literal(StrLiteral),
    /// Anything else (a constant, `concat!(...)`, a byte string, several tokens).
    NotLiteral {
        /// The tokens as written.
        text: String,
        /// Where they start (the invocation's delimiter when empty).
        position: Position,
    },
}

/// The `missing_ok(...)` allowances of an `hc_sql!` call, written after its literal:
/// `hc_sql!("SELECT ...", missing_ok(prod, account(tier__c), reason = "..."))`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SqlAllowances {
    /// As the check applies them: one per environment and table.
    pub allowances: Vec<Allowance>,
    /// Each allowed column, where it is written: the query must use it.
    pub columns: Vec<AllowedColumn>,
    /// The allowances do not parse: the error, where (the build reports only this, and does
    /// not analyse the query).
    pub syntax_error: Option<(Position, String)>,
    /// Problems of the allowances' form (no reason, no environment, a column twice): the
    /// build reports them once the query analyses.
    pub problems: Vec<(Position, String)>,
    /// [`SqlAllowances::allowances`], each where its `missing_ok` is written.
    pub sites: Vec<AllowanceSite>,
}

/// One column an `hc_sql!` allowance lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowedColumn {
    /// The table (Postgres casing).
    pub table: String,
    /// The column (Postgres casing).
    pub column: String,
    /// Where the column is written.
    pub position: Position,
}

/// An `hc_sql!(...)` invocation, under whatever path or alias it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlMacro {
    /// The file (relative to the workspace).
    pub file: String,
    /// Where the macro's path starts.
    pub position: Position,
    /// The whole invocation, path to closing delimiter.
    pub extent: Extent,
    /// Its argument.
    pub argument: SqlArgument,
    /// Its allowances (after the literal).
    pub allowances: SqlAllowances,
    /// For an `hc_query!` call (a typed query): its struct and arguments; `None` for
    /// `hc_sql!`.
    pub query: Option<QueryCall>,
}

/// What an `hc_query!` call passes besides its SQL: what its typing needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryCall {
    /// The path of the user's struct of the named form (`hc_query!(Account, "...")`), as
    /// written; `None` for a generated struct.
    pub target: Option<String>,
    /// Where each argument after the SQL starts (the compiler reports an argument too many
    /// there).
    pub arguments: Vec<Position>,
}

/// A macro invocation or attribute that holds a literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// Macro or attribute.
    pub kind: ContainerKind,
    /// Its path as written, segments joined by `::` (`format`, `sqlx::query`, `doc`).
    pub path: String,
    /// Which comma-separated argument of the macro or attribute holds the literal (0-based).
    pub argument: usize,
}

/// What holds a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    /// A macro invocation `path!(...)` (also `macro_rules! name { ... }`, path `macro_rules`).
    Macro,
    /// An attribute `#[path(...)]`.
    Attribute,
}

/// Formatting macros of std whose first argument (second for `write!`/`writeln!`) is a
/// format string with `{}` placeholders.
const FORMAT_MACROS: &[&str] = &[
    "format",
    "print",
    "println",
    "eprint",
    "eprintln",
    "panic",
    "format_args",
    "unreachable",
    "todo",
    "unimplemented",
];

impl Container {
    /// Whether the literal is the format string of a std formatting macro (`format!`,
    /// `println!`, `write!`, ...), whose `{}` placeholders are filled in at run time.
    ///
    /// ```
    /// use hc_schema_snapshot::scan::{Container, ContainerKind};
    /// let at = |path: &str, argument| Container { kind: ContainerKind::Macro, path: path.into(), argument };
    /// assert!(at("format", 0).is_format_string());
    /// assert!(at("std::writeln", 1).is_format_string());
    /// assert!(!at("format", 1).is_format_string() && !at("query", 0).is_format_string());
    /// ```
    pub fn is_format_string(&self) -> bool {
        if self.kind != ContainerKind::Macro {
            return false;
        }
        let name = self.path.rsplit("::").next().unwrap_or(&self.path);
        match name {
            "write" | "writeln" => self.argument == 1,
            _ => self.argument == 0 && FORMAT_MACROS.contains(&name),
        }
    }
}

/// A string literal that could be SQL (see [`crate::scan::could_be_sql`]), with what guards
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlLiteral {
    /// The file (relative to the workspace).
    pub file: String,
    /// The literal.
    pub literal: StrLiteral,
    /// The innermost macro invocation or attribute that holds it, if any.
    pub container: Option<Container>,
    /// The annotations of the items it sits in (indices into [`Scan::annotations`]),
    /// outermost first.
    pub annotations: Vec<usize>,
    /// The `hc_sql!` invocation it is the argument of, or sits in (index into
    /// [`Scan::sql_macros`]).
    pub hc_sql: Option<usize>,
    /// Whether it sits in an item whose `#[hc_requires]` is malformed: what that annotation
    /// means to declare is unknown (its error is reported), so the SQL checks say nothing
    /// more about the literal.
    pub in_malformed_annotation: bool,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// Every annotation's table groups, sorted by file and position (conditional ones
    /// included: see [`AnnotationSite::conditional`]).
    pub usages: Vec<Usage>,
    /// Every annotation, sorted by file and position.
    pub annotations: Vec<AnnotationSite>,
    /// Every `hc_sql!` invocation, sorted by file and position.
    pub sql_macros: Vec<SqlMacro>,
    /// String literals that could be SQL, sorted by file and position.
    pub sql_literals: Vec<SqlLiteral>,
    /// What could not be read or is wrong, sorted by file and position.
    pub errors: Vec<SourceError>,
    /// How many `.rs` files were read.
    pub files: usize,
}

impl Scan {
    /// Where the `missing_ok` of `allowance` is written, for the usage of `file` whose table
    /// token is at `at`: the annotation or `hc_sql!` holding both (`None` when the scan
    /// knows no such place, as for a usage it did not find itself).
    pub fn allowance_position(
        &self,
        file: &str,
        at: Position,
        allowance: &Allowance,
    ) -> Option<Position> {
        let annotations = self
            .annotations
            .iter()
            .filter(|a| a.file == file && a.item.contains(at))
            .flat_map(|a| &a.allowances);
        let sql = self
            .sql_macros
            .iter()
            .filter(|m| m.file == file && m.extent.contains(at))
            .flat_map(|m| &m.allowances.sites);
        annotations
            .chain(sql)
            .filter(|site| site.allowance == *allowance)
            // The innermost holder: the nearest one before the usage.
            .min_by_key(|site| {
                (
                    at.line.abs_diff(site.position.line),
                    at.column.abs_diff(site.position.column),
                )
            })
            .map(|site| site.position)
    }

    /// Whether the scan saw everything: no file, directory or item it could not read, and no
    /// annotation hidden in a macro. When this is false, the requirements found are a lower
    /// bound: never conclude that a column is unused.
    pub fn is_complete(&self) -> bool {
        !self.errors.iter().any(|e| e.kind.makes_scan_incomplete())
    }

    /// The errors that make the scan incomplete.
    pub fn incomplete(&self) -> impl Iterator<Item = &SourceError> {
        self.errors
            .iter()
            .filter(|e| e.kind.makes_scan_incomplete())
    }
}
