//! The outcome of an analysis: the Heroku Connect tables and columns a statement reads and
//! writes, with where each is named in the SQL text, or the errors that stop it.

use std::fmt;
use std::ops::Range;

use crate::manifest::{Origin, Spot, Usage};
use crate::requirement::{Access, Requirement};

/// What kind of statement was analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    /// `SELECT`, `WITH ... SELECT`, `VALUES`, `TABLE`.
    Query,
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
    /// `MERGE`.
    Merge,
    /// Anything else (`SET`, `BEGIN`, DDL, ...): analysed only to make sure it touches no
    /// Heroku Connect table.
    Other,
}

/// One Heroku Connect table as the statement uses it: read, or written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableUse {
    /// The table (Postgres name, lower case).
    pub table: String,
    /// Read or write. A table both read and written appears twice, once for each.
    pub access: Access,
    /// Where the table is first named in the SQL (byte offsets).
    pub at: Range<usize>,
    /// The columns, each once, in order of first use. Empty: the table only (`SELECT
    /// count(*)`, `SELECT *`, `DELETE`).
    pub columns: Vec<ColumnUse>,
    /// The schemas the statement qualifies the table with (`salesforce.account`), each once,
    /// in order of first use; on the first use of the table only. Empty: named unqualified
    /// only (found through the connection's `search_path` at run time). A qualified name
    /// exists only where that schema is the environment's Heroku Connect schema
    /// ([`crate::verdict::Judge::judge_qualifier`]).
    pub qualified: Vec<Qualifier>,
}

/// A schema qualifier a statement writes before a Heroku Connect table (`salesforce` in
/// `salesforce.account`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Qualifier {
    /// The schema, folded as PostgreSQL folds it.
    pub schema: String,
    /// Where the table so qualified is first named (byte offsets of the table's name).
    pub at: Range<usize>,
}

/// One column of a [`TableUse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnUse {
    /// The column (Postgres name).
    pub column: String,
    /// Where it is first named in the SQL (byte offsets): the column's name token.
    pub at: Range<usize>,
}

/// A `*` or `t.*` over a Heroku Connect table: it requires the table only, and the columns it
/// returns differ between environments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WildcardUse {
    /// The table.
    pub table: String,
    /// Where the `*` is (byte offsets).
    pub at: Range<usize>,
}

/// What one statement needs of Heroku Connect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// The statement's kind (`None` only for a default-constructed value).
    pub kind: Option<StatementKind>,
    /// The Heroku Connect tables used, in order of first use.
    pub tables: Vec<TableUse>,
    /// The `*` wildcards over Heroku Connect tables.
    pub wildcards: Vec<WildcardUse>,
    /// Where a `format!` placeholder stands for a column name of a Heroku Connect table
    /// (`SELECT name, {} FROM ...`, `a.{}`, `SET {} = ...`, `ORDER BY {}`): the columns are
    /// unknown, so [`crate::sql::analyze_format`] skips such a string.
    pub placeholder_columns: Vec<Range<usize>>,
}

impl Analysis {
    /// Whether the statement touches any Heroku Connect table.
    pub fn touches_hc(&self) -> bool {
        !self.tables.is_empty()
    }

    /// Whether some use of `table` names `column` (what an `hc_sql!` allowance may cover).
    pub fn uses_column(&self, table: &str, column: &str) -> bool {
        self.tables
            .iter()
            .any(|t| t.table == table && t.columns.iter().any(|c| c.column == column))
    }

    /// The requirements, one per table use, as [`crate::check`] takes them.
    pub fn requirements(&self) -> Vec<Requirement> {
        self.tables
            .iter()
            .map(|table| Requirement {
                table: table.table.clone(),
                columns: table.columns.iter().map(|c| c.column.clone()).collect(),
                access: table.access,
            })
            .collect()
    }

    /// The table uses as [`Usage`]s of `file` (origin [`Origin::Sql`]); `locate` turns a byte
    /// offset of the SQL into the 1-based line and column of the source file.
    pub fn usages(&self, file: &str, locate: impl Fn(usize) -> (u32, u32)) -> Vec<Usage> {
        let spot = |name: &str, at: &Range<usize>| {
            let (line, column) = locate(at.start);
            Spot {
                name: name.to_string(),
                line,
                column,
                written: None,
                rust: None,
            }
        };
        self.tables
            .iter()
            .map(|table| Usage {
                file: file.to_string(),
                table: spot(&table.table, &table.at),
                columns: table
                    .columns
                    .iter()
                    .map(|c| spot(&c.column, &c.at))
                    .collect(),
                access: table.access,
                allowances: Vec::new(),
                origin: Origin::Sql,
            })
            .collect()
    }

    /// The same analysis with every offset passed through `map` (offsets of a substituted
    /// text back to the original's).
    pub fn map_offsets(mut self, map: impl Fn(usize) -> usize) -> Analysis {
        let range = |r: &mut Range<usize>| *r = map(r.start)..map(r.end);
        for table in &mut self.tables {
            range(&mut table.at);
            for column in &mut table.columns {
                range(&mut column.at);
            }
            for qualifier in &mut table.qualified {
                range(&mut qualifier.at);
            }
        }
        for wildcard in &mut self.wildcards {
            range(&mut wildcard.at);
        }
        for at in &mut self.placeholder_columns {
            range(at);
        }
        self
    }
}

/// Why a statement cannot be checked, or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlErrorKind {
    /// sqlparser (PostgreSQL dialect) does not accept the text.
    Parse {
        /// sqlparser's message, without its position.
        message: String,
    },
    /// No statement at all.
    Empty,
    /// More than one statement.
    MultipleStatements {
        /// How many.
        count: usize,
    },
    /// Too long or too deeply nested to analyse safely.
    TooComplex {
        /// What limit was hit.
        limit: String,
    },
    /// An unqualified column that more than one table of the query has.
    AmbiguousColumn {
        /// The column.
        column: String,
        /// The candidates, `alias.column` (`table`).
        candidates: Vec<String>,
    },
    /// An unqualified column that no table of the query has in any snapshot.
    UnknownColumn {
        /// The column.
        column: String,
        /// The tables it was looked for in.
        tables: Vec<String>,
    },
    /// An unqualified column that no Heroku Connect table of the query has in any snapshot,
    /// beside a function in `FROM` whose columns are not all known.
    UnknownColumnBesideFunction {
        /// The column.
        column: String,
        /// The Heroku Connect tables it was looked for in.
        tables: Vec<String>,
        /// The functions' names (aliases) in `FROM`.
        functions: Vec<String>,
    },
    /// A whole row of a Heroku Connect table passed on as a value (`SELECT a AS r ...`,
    /// `ARRAY[a]`, `LATERAL (SELECT a)`): the columns used from it later cannot be checked.
    WholeRowValue {
        /// The name as written (`a`).
        name: String,
        /// The Heroku Connect table(s) behind it.
        table: String,
    },
    /// A value of a Heroku Connect table's row type (`NULL::salesforce.account` given to
    /// `jsonb_populate_record`, `$1::salesforce.account`, `unnest($1::salesforce.account[])`)
    /// whose fields are not read where it stands: which columns are used from it cannot be
    /// checked, and the type's columns differ between environments.
    RowTypeValue {
        /// The type as written (`salesforce.account[]`).
        written: String,
        /// The Heroku Connect table.
        table: String,
    },
    /// A key computed at run time into a whole row's JSON or hstore (`to_jsonb(a) ->> $1`):
    /// it may read any column.
    ComputedRowKey {
        /// The row as written (`a`).
        name: String,
        /// The Heroku Connect table(s) behind it.
        table: String,
    },
    /// `q.column` where `q` is no table or alias of the query.
    UnknownQualifier {
        /// The qualifier as written.
        qualifier: String,
        /// The tables and aliases the query has.
        tables: Vec<String>,
    },
    /// A quoted name that Heroku Connect never creates (`"Name"`) used as a column of a
    /// Heroku Connect table.
    NotHcName {
        /// The table.
        table: String,
        /// The name as written.
        name: String,
    },
    /// A write to one of Heroku Connect's system columns.
    SystemColumnWrite {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Why code must not write it.
        reason: String,
    },
    /// A construct whose meaning depends on a table's column order or column set, which
    /// differ between environments (`INSERT` without a column list, `NATURAL JOIN`, column
    /// aliases on a table).
    EnvironmentDependent {
        /// The table.
        table: String,
        /// What the construct does ("INSERT without a column list writes by position").
        what: String,
        /// What to write instead.
        fix: String,
    },
    /// A statement kind the analysis does not read, touching a Heroku Connect table.
    Unsupported {
        /// The statement kind.
        statement: String,
        /// The table it touches.
        table: String,
    },
}

/// An error of the analysis, at a place in the SQL text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlError {
    /// What is wrong.
    pub kind: SqlErrorKind,
    /// Where, in byte offsets of the SQL text (empty: a point, such as the end).
    pub at: Range<usize>,
}

impl SqlErrorKind {
    /// The same error with every name and text in it passed through `map` (the internal
    /// placeholder names of a `format!` string back to `{}`).
    pub(crate) fn map_text(self, map: &dyn Fn(&str) -> String) -> SqlErrorKind {
        let all = |v: Vec<String>| v.iter().map(|s| map(s)).collect::<Vec<_>>();
        match self {
            SqlErrorKind::Parse { message } => SqlErrorKind::Parse {
                message: map(&message),
            },
            SqlErrorKind::Empty => SqlErrorKind::Empty,
            SqlErrorKind::MultipleStatements { count } => {
                SqlErrorKind::MultipleStatements { count }
            }
            SqlErrorKind::TooComplex { limit } => SqlErrorKind::TooComplex { limit: map(&limit) },
            SqlErrorKind::AmbiguousColumn { column, candidates } => SqlErrorKind::AmbiguousColumn {
                column: map(&column),
                candidates: all(candidates),
            },
            SqlErrorKind::UnknownColumn { column, tables } => SqlErrorKind::UnknownColumn {
                column: map(&column),
                tables: all(tables),
            },
            SqlErrorKind::UnknownColumnBesideFunction {
                column,
                tables,
                functions,
            } => SqlErrorKind::UnknownColumnBesideFunction {
                column: map(&column),
                tables: all(tables),
                functions: all(functions),
            },
            SqlErrorKind::WholeRowValue { name, table } => SqlErrorKind::WholeRowValue {
                name: map(&name),
                table: map(&table),
            },
            SqlErrorKind::RowTypeValue { written, table } => SqlErrorKind::RowTypeValue {
                written: map(&written),
                table: map(&table),
            },
            SqlErrorKind::ComputedRowKey { name, table } => SqlErrorKind::ComputedRowKey {
                name: map(&name),
                table: map(&table),
            },
            SqlErrorKind::UnknownQualifier { qualifier, tables } => {
                SqlErrorKind::UnknownQualifier {
                    qualifier: map(&qualifier),
                    tables: all(tables),
                }
            }
            SqlErrorKind::NotHcName { table, name } => SqlErrorKind::NotHcName {
                table: map(&table),
                name: map(&name),
            },
            SqlErrorKind::SystemColumnWrite {
                table,
                column,
                reason,
            } => SqlErrorKind::SystemColumnWrite {
                table: map(&table),
                column: map(&column),
                reason,
            },
            SqlErrorKind::EnvironmentDependent { table, what, fix } => {
                SqlErrorKind::EnvironmentDependent {
                    table: map(&table),
                    what: map(&what),
                    fix: map(&fix),
                }
            }
            SqlErrorKind::Unsupported { statement, table } => SqlErrorKind::Unsupported {
                statement: map(&statement),
                table: map(&table),
            },
        }
    }
}

/// The way out when a statement cannot be analysed: say what it needs by hand.
pub const WAY_OUT: &str = "if the statement is right, declare its columns with \
     #[hc_requires(...)] on the function instead, and use a plain string";

impl SqlError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match &self.kind {
            SqlErrorKind::Parse { .. } | SqlErrorKind::Unsupported { .. } => WAY_OUT.to_string(),
            SqlErrorKind::Empty => "write one statement in the literal".to_string(),
            SqlErrorKind::MultipleStatements { .. } => self.help_in("hc_sql!"),
            SqlErrorKind::TooComplex { .. } => WAY_OUT.to_string(),
            SqlErrorKind::AmbiguousColumn { candidates, .. } => format!(
                "qualify it: {}",
                candidates
                    .iter()
                    .map(|c| c.split(' ').next().unwrap_or(c).to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            SqlErrorKind::UnknownColumn { .. } => {
                "check the spelling, or qualify the column with the table it belongs to".to_string()
            }
            SqlErrorKind::UnknownColumnBesideFunction {
                column, functions, ..
            } => format!(
                "qualify it: {} if it is that table's or function's column; if it is a \
                 Heroku Connect column, check the spelling or map it",
                functions
                    .iter()
                    .map(|f| format!("`{f}.{column}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            SqlErrorKind::UnknownQualifier { .. } => {
                "qualify the column with one of the query's tables or aliases".to_string()
            }
            SqlErrorKind::WholeRowValue { name, .. } => format!(
                "select the columns by name (`{name}.column`), which hc-schema checks; a whole \
                 row is accepted only where it ends (`count({name})`, `row_to_json({name})`) or \
                 as `({name}).column`"
            ),
            SqlErrorKind::RowTypeValue { written, .. } => format!(
                "read its fields where it stands (`(x::{written}).column`), which hc-schema \
                 checks, or select the columns from the table by name; a value of a table's \
                 row type has the columns of each environment"
            ),
            SqlErrorKind::ComputedRowKey { name, .. } => format!(
                "write the key as a literal (`to_jsonb({name}) ->> 'column'`), or select the \
                 columns by name (`{name}.column`): hc-schema checks those"
            ),
            SqlErrorKind::NotHcName { name, .. } if quoted_case_only(name) => format!(
                "Heroku Connect names columns in lower case: write `{}` without quotes",
                name.to_ascii_lowercase()
            ),
            SqlErrorKind::NotHcName { .. } => "check the spelling: Heroku Connect names columns \
                 with ASCII lower-case letters, digits and `_` only"
                .to_string(),
            SqlErrorKind::SystemColumnWrite { .. } => {
                "leave the column to Heroku Connect".to_string()
            }
            SqlErrorKind::EnvironmentDependent { fix, .. } => fix.clone(),
        }
    }
}

impl SqlError {
    /// The message as macro `name` (`hc_sql!`, `hc_query!`) reports it: the [`Display`]
    /// text (`hc_sql!`'s), naming `name` where the message names the macro.
    ///
    /// [`Display`]: fmt::Display
    pub fn message_in(&self, name: &str) -> String {
        match &self.kind {
            SqlErrorKind::MultipleStatements { count } => {
                format!("the SQL holds {count} statements; {name} checks exactly one")
            }
            _ => self.to_string(),
        }
    }

    /// The [`help`](Self::help) as macro `name` reports it, naming `name` where the help
    /// names the macro.
    pub fn help_in(&self, name: &str) -> String {
        match &self.kind {
            SqlErrorKind::MultipleStatements { .. } => {
                format!("one statement per {name}: split them, one {name} each")
            }
            _ => self.help(),
        }
    }
}

impl fmt::Display for SqlError {
    /// The message, without position or help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SqlErrorKind::Parse { message } => {
                write!(f, "the SQL does not parse (PostgreSQL dialect): {message}")
            }
            SqlErrorKind::Empty => f.write_str("the SQL is empty"),
            SqlErrorKind::MultipleStatements { .. } => f.write_str(&self.message_in("hc_sql!")),
            SqlErrorKind::TooComplex { limit } => {
                write!(f, "the SQL is too complex to analyse: {limit}")
            }
            SqlErrorKind::AmbiguousColumn { column, candidates } => write!(
                f,
                "column `{column}` is ambiguous: it may be {}",
                candidates.join(" or ")
            ),
            SqlErrorKind::UnknownColumn { column, tables } => write!(
                f,
                "column `{column}` is in none of the tables {} in any snapshot",
                tables
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SqlErrorKind::UnknownColumnBesideFunction {
                column,
                tables,
                functions,
            } => write!(
                f,
                "column `{column}` is in none of the tables {} in any snapshot, and {} in \
                 FROM has columns the analysis cannot know",
                tables
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                functions
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SqlErrorKind::WholeRowValue { name, table } => write!(
                f,
                "`{name}` passes the whole row of `{table}` on as a value: the columns used \
                 from it later cannot be checked against the snapshots"
            ),
            SqlErrorKind::RowTypeValue { written, table } => write!(
                f,
                "a value of type `{written}` (the row type of `{table}`) is passed on: the \
                 columns used from it cannot be checked against the snapshots"
            ),
            SqlErrorKind::ComputedRowKey { name, table } => write!(
                f,
                "a key computed at run time into the whole row `{name}` of `{table}` may read \
                 any of its columns: they cannot be checked against the snapshots"
            ),
            SqlErrorKind::UnknownQualifier { qualifier, tables } => {
                write!(f, "`{qualifier}` is not a table or alias of this query")?;
                if !tables.is_empty() {
                    write!(
                        f,
                        " (it has {})",
                        tables
                            .iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )?;
                }
                Ok(())
            }
            SqlErrorKind::NotHcName { table, name } if !quoted_case_only(name) => write!(
                f,
                "`{table}.{name}`: Heroku Connect never creates the column `{name}` (its names \
                 are ASCII lower-case letters, digits and `_`)"
            ),
            SqlErrorKind::NotHcName { table, name } => write!(
                f,
                "`{table}.\"{name}\"`: Heroku Connect never creates the column \"{name}\" \
                 (its names are lower case)"
            ),
            SqlErrorKind::SystemColumnWrite {
                table,
                column,
                reason,
            } => write!(f, "code must not write `{table}.{column}`: {reason}"),
            SqlErrorKind::EnvironmentDependent { table, what, .. } => write!(
                f,
                "{what}, and the columns of `{table}` differ between environments"
            ),
            SqlErrorKind::Unsupported { statement, table } => write!(
                f,
                "hc_sql! analyses SELECT, INSERT, UPDATE, DELETE and MERGE; this {statement} \
                 statement touches the Heroku Connect table `{table}`"
            ),
        }
    }
}

impl std::error::Error for SqlError {}

/// Whether a name that is not a Heroku Connect name would be one in lower case: only a quoted
/// name keeps upper-case ASCII letters (`"Name"`); anything else (`éa`, unquoted or not) is
/// not a matter of quotes.
fn quoted_case_only(name: &str) -> bool {
    crate::names::is_hc_name(&name.to_ascii_lowercase())
}
