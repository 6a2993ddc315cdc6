//! SQL analysis: which Heroku Connect tables and columns a statement reads and writes.
//!
//! Used by `hc_sql!` (crate `hc-schema-macro`) at compile time and by the source scan of
//! `hc-schema check`. The statement is parsed by sqlparser (PostgreSQL dialect) and every name
//! is resolved the way PostgreSQL resolves it (see the resolver's rules below). The result is
//! an [`Analysis`]: one [`TableUse`] per table and access, each with its columns and byte
//! offsets into the SQL, ready to become [`crate::Requirement`]s for THE check
//! ([`crate::check`] / [`crate::evaluate`]) or [`crate::manifest::Usage`]s (origin
//! [`crate::manifest::Origin::Sql`]).
//!
//! ```
//! use hc_schema_snapshot::requirement::Access;
//! use hc_schema_snapshot::sql::{analyze, Context, Union};
//! use hc_schema_snapshot::Snapshot;
//! let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce","tables":{
//!     "account":{"columns":{"sfid":{},"name":{},"isdeleted":{}}},
//!     "contact":{"columns":{"sfid":{},"email":{},"accountid":{}}}}}"#, "test.json", "test").unwrap();
//! let union = Union::new([&test]);
//! let context = Context::new(["salesforce"], &union);
//! let sql = "SELECT a.name, email FROM salesforce.account a \
//!            JOIN contact c ON c.accountid = a.sfid WHERE NOT a.isdeleted";
//! let analysis = analyze(sql, &context).unwrap();
//! let needs: Vec<String> = analysis.requirements().iter()
//!     .map(|r| format!("{} {}({})", r.access.as_str(), r.table, r.columns.join(", "))).collect();
//! assert_eq!(needs, ["read account(name, sfid, isdeleted)", "read contact(email, accountid)"]);
//! // Every name has its place in the SQL.
//! assert_eq!(&sql[analysis.tables[1].columns[0].at.clone()], "email");
//!
//! let update = analyze("UPDATE contact SET email = $1 WHERE sfid = $2", &context).unwrap();
//! assert_eq!(update.tables[0].access, Access::Write);
//! assert_eq!(update.tables[1].columns[0].column, "sfid");
//! ```
//!
//! # What is resolved
//!
//! Select lists, `WHERE`, `JOIN ... ON`/`USING`, `GROUP BY`/`HAVING`/`ORDER BY` (output names
//! included), window clauses, subqueries (correlated ones see the outer query), `LATERAL`,
//! CTEs (a CTE name shadows a table; recursive ones too), `UNION`/`INTERSECT`/`EXCEPT`,
//! `VALUES`, table aliases, qualified (`a.x`, `salesforce.account.x`) and unqualified
//! columns, casts, function calls, `$1` parameters, `INSERT (cols) VALUES/SELECT`, `ON
//! CONFLICT (cols) DO UPDATE SET ... EXCLUDED.x`, `UPDATE ... SET ... FROM`, `DELETE ...
//! USING`, `MERGE`, `RETURNING` (with PostgreSQL 18's `old`/`new`), data-modifying CTEs.
//!
//! Which tables are Heroku Connect's ([`Context::is_hc_table`]): a name qualified with a
//! Heroku Connect schema, or an unqualified name some snapshot knows. Other tables (the app's
//! own, `public.x`) are no requirement, and neither are their columns.
//!
//! Reads and writes: the target of `INSERT`/`UPDATE`/`DELETE`/`MERGE` is a
//! [`crate::requirement::Access::Write`] use (the columns written; a `DELETE`: the table
//! alone); every column read (`WHERE`, `RETURNING`, a `SET` value...) is a read use.
//!
//! Field selection from a whole row (`(a).col`, `(a.*).col`, `(s.a).col`) and PostgreSQL's
//! functional notation `col(a)` (one argument, a whole row of a Heroku Connect table, a
//! function not known to take a row) read `a.col`. A function in `FROM` without a column list
//! has one column, named after its alias (else the function). PostgreSQL's system columns
//! (`ctid`, `xmin`, ...) are in every table: no requirement.
//!
//! Errors ([`SqlError`], with byte offsets): a text that does not parse, more than one
//! statement ([`analyze`]; [`analyze_statements`] reads several), an ambiguous or unknown
//! unqualified column (naming the candidates; beside a function in `FROM`, asking to qualify
//! it), an unknown qualifier, a name Heroku Connect never creates on one of its tables (a
//! quoted mixed-case `"Name"`, a non-ASCII `éa`), a write to a system column (Heroku
//! Connect's or PostgreSQL's), constructs whose meaning depends on each environment's column
//! set (`INSERT` without a column list, `NATURAL JOIN`, column aliases
//! on a table), another statement kind touching a Heroku Connect table, and input too long
//! (64 KiB; 1 MiB for [`analyze_statements`]) or nested too deeply to analyse safely.
//!
//! Statements that run a statement are read for what they run (`EXPLAIN [ANALYZE]`, `PREPARE
//! ... AS`, `COPY (query) TO`, `DECLARE ... CURSOR FOR`, `CREATE TABLE ... AS`); `COPY table
//! (cols)` reads (`TO`) or writes (`FROM`) the columns. A literal key of a whole row's JSON or
//! hstore (`to_jsonb(a) ->> 'col'`) reads the column; a computed key is an error. A value of a
//! Heroku Connect table's row type (`$1::salesforce.account`) is read where its fields are
//! selected, an error when passed on. Output names resolve in `DISTINCT ON` and `ORDER BY` as
//! PostgreSQL resolves them. `U&"..."` names are decoded before they are judged.
//!
//! Schema qualifiers: a Heroku Connect table written `schema.table` carries the schema
//! ([`TableUse::qualified`]); such a name exists only in an environment whose Heroku Connect
//! schema that is, which every check of the statement judges per environment. An
//! unqualified table name is found through the connection's `search_path` at run time, as
//! PostgreSQL finds it, and is checked against each environment's snapshot by its name alone.
//! A qualifier that is no environment's Heroku Connect schema (`public.account`) names
//! another table (the app's own): no requirement.
//!
//! `SELECT *` and `t.*` require the table only (listed in [`Analysis::wildcards`]): which
//! columns they return differs between environments, so explicit columns are checked better.

mod analysis;
#[doc(hidden)]
pub mod codec;
mod context;
mod literal;
mod parse;
mod placeholders;
mod position;
mod prefilter;
#[cfg(feature = "_syntax")]
mod query_input;
mod resolve;
mod shape;
#[doc(hidden)]
pub mod shape_codec;
#[cfg(feature = "_syntax")]
mod typing;
mod unicode;

pub use analysis::{
    Analysis, ColumnUse, Qualifier, SqlError, SqlErrorKind, StatementKind, TableUse, WildcardUse,
    WAY_OUT,
};
pub use context::{Context, Union, PLACEHOLDER_PREFIX};
pub use literal::{analyze_literal, LiteralOutcome, SourceLiteral, NOT_A_LITERAL};
#[cfg(feature = "_scan")]
pub(crate) use parse::statement_ranges;
pub use placeholders::{
    analyze_format, substitute_placeholders, FormatError, FormatOutcome, Substituted,
};
pub use position::{excerpt, line_column};
pub use prefilter::looks_like_sql;
#[cfg(feature = "_syntax")]
pub use query_input::{split_query_input, QueryInput, QUERY_FORM};
pub use shape::{shape, OutputColumn, OutputSource, Param, ParamSource, Shape};
#[cfg(feature = "_syntax")]
pub use typing::{
    field_name_ok, registered_type_conflicts, rust_types, type_query, typed_columns, ColumnTypes,
    FieldType, SnapshotTypes, Typed, TypedField, TypedParam, TypingError,
};

use analysis::SqlErrorKind as Kind;

/// The longest SQL text analysed (64 KiB); longer is a [`SqlErrorKind::TooComplex`] error.
pub const MAX_LEN: usize = 64 * 1024;

/// The longest text [`analyze_statements`] reads (1 MiB; the analysis takes time linear in
/// the text, about a second per MiB unoptimised); longer is a [`SqlErrorKind::TooComplex`]
/// error, which `hc-schema check` reports as skipped.
pub const MAX_STATEMENTS_LEN: usize = 1024 * 1024;

/// Texts up to this length are analysed on the caller's thread; longer ones on a thread
/// with a stack sized to the text, so that no input can overflow the caller's stack
/// (sqlparser builds `a + b + c ...` iteratively, but its tree is as deep as the chain).
const ON_CALLER_STACK: usize = 2 * 1024;

/// Analyse one SQL statement: the Heroku Connect tables and columns it reads and writes, or
/// every error found (sorted by position). Tables come in the order they are first named,
/// each one's columns likewise. Never panics on any input.
pub fn analyze(sql: &str, context: &Context<'_>) -> Result<Analysis, Vec<SqlError>> {
    analyze_text(sql, context, false)
}

/// [`analyze`] for a text of one or more statements (`SELECT 1; UPDATE ...`), as the lints of
/// `hc-schema check` read a string that code may run as a simple query: every statement is
/// analysed, and the analysis is the union of theirs (the errors too, each at its place).
/// Its [`Analysis::kind`] is the first statement's. (`hc_sql!` takes one statement: a prepared
/// statement holds only one.)
///
/// ```
/// use hc_schema_snapshot::sql::{analyze_statements, Context, Union};
/// use hc_schema_snapshot::Snapshot;
/// let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce",
///     "tables":{"account":{"columns":{"name":{},"sfid":{}}}}}"#, "test.json", "test").unwrap();
/// let union = Union::new([&test]);
/// let context = Context::new(["salesforce"], &union);
/// let analysis = analyze_statements("SELECT 1; SELECT sfid FROM salesforce.account", &context).unwrap();
/// assert_eq!(analysis.requirements()[0].columns, ["sfid"]);
/// ```
pub fn analyze_statements(sql: &str, context: &Context<'_>) -> Result<Analysis, Vec<SqlError>> {
    analyze_text(sql, context, true)
}

fn analyze_text(sql: &str, context: &Context<'_>, many: bool) -> Result<Analysis, Vec<SqlError>> {
    let max = if many { MAX_STATEMENTS_LEN } else { MAX_LEN };
    if sql.len() > max {
        return Err(vec![SqlError {
            kind: Kind::TooComplex {
                limit: format!("longer than {} KiB", max / 1024),
            },
            at: 0..0,
        }]);
    }
    if sql.len() <= ON_CALLER_STACK {
        return analyze_here(sql, context, many);
    }
    let stack = 8 * 1024 * 1024 + sql.len() * 1024;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("hc-schema-sql".to_string())
            .stack_size(stack)
            .spawn_scoped(scope, || analyze_here(sql, context, many));
        match worker {
            Ok(worker) => worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(err) => Err(vec![SqlError {
                kind: Kind::TooComplex {
                    limit: format!("no thread to analyse it on ({err})"),
                },
                at: 0..0,
            }]),
        }
    })
}

fn analyze_here(sql: &str, context: &Context<'_>, many: bool) -> Result<Analysis, Vec<SqlError>> {
    // `U&"\0074ier__c"` is read as PostgreSQL reads it; every offset stays where it was.
    let decoded = unicode::decode_identifiers(sql);
    let sql = decoded.as_deref().unwrap_or(sql);
    let lines = position::Lines::new(sql);
    let statements = parse::statements(sql, &lines, many).map_err(|err| vec![err])?;
    let mut resolver = resolve::Resolver::new(context, &lines);
    let mut kind = None;
    for statement in &statements {
        let this = resolver.statement(statement);
        kind.get_or_insert(this);
        if resolver.too_deep {
            break;
        }
    }
    if resolver.too_deep {
        // Dropping a tree this deep recurses as deep: leave it (a pathological input only).
        std::mem::forget(statements);
    }
    if !resolver.errors.is_empty() {
        let mut errors = resolver.errors;
        errors.sort_by_key(|e| (e.at.start, e.at.end));
        return Err(errors);
    }
    // In order of the text: tables by where they are first named, columns likewise.
    let mut tables = resolver.tables;
    for table in &mut tables {
        table.columns.sort_by_key(|c| c.at.start);
    }
    tables.sort_by_key(|t| (t.at.start, std::cmp::Reverse(t.access)));
    // Each schema qualifier on the first use of its table.
    for (table, qualifier) in resolver.qualified {
        match tables.iter_mut().find(|t| t.table == table) {
            Some(first) => first.qualified.push(qualifier),
            None => tables.push(TableUse {
                table,
                access: crate::requirement::Access::Read,
                at: qualifier.at.clone(),
                columns: Vec::new(),
                qualified: vec![qualifier],
            }),
        }
    }
    Ok(Analysis {
        kind,
        tables,
        wildcards: resolver.wildcards,
        placeholder_columns: resolver.placeholder_columns,
    })
}

#[cfg(test)]
mod generated;
#[cfg(test)]
mod qualifier_tests;
#[cfg(test)]
mod tests;
