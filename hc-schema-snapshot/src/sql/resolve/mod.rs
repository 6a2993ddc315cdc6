//! The resolver: which table each name of a statement means, the way PostgreSQL decides it.
//!
//! The statement's structure (queries, `FROM` lists, joins, CTEs, set operations, the target
//! and clauses of `INSERT`/`UPDATE`/`DELETE`/`MERGE`) is walked by hand, because it decides
//! what each scope holds; expressions are walked by sqlparser's visitor, which stops at each
//! column reference and hands nested queries back to the resolver with the current scope as
//! their outer scope (correlated subqueries).
//!
//! Names: an unquoted identifier is folded to lower case, a quoted one is kept exactly, as
//! PostgreSQL does. A relation is a Heroku Connect table ([`Kind::Hc`]), another table or a
//! function ([`Kind::Other`], columns unknown), a derived table whose output columns are known
//! ([`Kind::Derived`]: a subquery, a CTE, `VALUES`), or an aliased join ([`Kind::Join`]).
//!
//! An unqualified column is looked up scope by scope, innermost first. In one scope: exactly
//! one relation that has it resolves it; two are ambiguous (an error naming both). A relation
//! whose columns are unknown may have it too: then the search goes on outwards, and a Heroku
//! Connect table found there is required all the same (no false pass: a false alarm can be
//! silenced by qualifying the column, a missed requirement cannot be seen). A column found
//! nowhere belongs to the only Heroku Connect table in reach, or is an error naming the
//! candidates.
//!
//! Here: the model (relations, scopes), bookkeeping and the expression visitor; the walk of
//! statements, queries, `FROM` lists and column references is in the submodules of those
//! names.

use std::ops::{ControlFlow, Range};
use std::rc::Rc;

use sqlparser::ast::{
    AccessExpr, AssignmentTarget, ConflictTarget, Delete, Distinct, Expr, FromTable, FunctionArg,
    FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, Insert, JoinConstraint, JoinOperator,
    Merge, MergeAction, MergeInsertKind, MergeUpdateKind, ObjectName, ObjectNamePart,
    OnConflictAction, OnInsert, OrderBy, OrderByKind, OutputClause, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Spanned, Statement, TableAlias, TableFactor,
    TableObject, TableWithJoins, Update, UpdateTableFromKind, Visit, Visitor,
};

use super::analysis::{
    ColumnUse, Qualifier, SqlError, SqlErrorKind, StatementKind, TableUse, WildcardUse,
};
use super::context::{Context, PLACEHOLDER_PREFIX};
use super::position::Lines;
use crate::names;
use crate::requirement::Access;

mod columns;
mod from;
mod queries;
mod statements;

/// How deeply queries and expressions may nest before the analysis gives up (the visitor and
/// the resolver recurse once per level; this bounds their stack use).
pub(crate) const MAX_DEPTH: usize = 400;

/// A relation of a `FROM` list (or a statement's target).
#[derive(Debug, Clone)]
struct Relation {
    /// The name that qualifies its columns: the alias, else the table's own name.
    name: String,
    /// The schema written before an unaliased table (`salesforce.account.name` qualifies).
    schema: Option<String>,
    kind: Kind,
    /// Only reachable qualified (`excluded`, `old`, `new`): never a candidate for an
    /// unqualified column.
    qualified_only: bool,
}

#[derive(Debug, Clone)]
enum Kind {
    /// A Heroku Connect table; its columns are the known names.
    Hc(String),
    /// A table or function whose columns are unknown (the app's own tables).
    Other,
    /// A subquery, CTE or `VALUES` list whose output columns are known.
    Derived(Rc<Derived>),
    /// An aliased join: its members, hidden behind the alias.
    Join(Rc<Vec<Relation>>),
    /// A function in `FROM` without a column list: one column named after its alias (else the
    /// function) as far as the analysis knows; a record-returning one has others, unknown,
    /// which must be qualified beside a Heroku Connect table.
    Function(Vec<String>),
}

/// The output columns of a query.
#[derive(Debug, Default)]
struct Derived {
    /// Named outputs, with the Heroku Connect column each one is, when it is one.
    outputs: Vec<Output>,
    /// Relations whose every column is an output too (`*`, `t.*`).
    wildcard: Vec<Relation>,
    /// Some outputs are unknown (`(expr).*`, a statement that is not analysed).
    open: bool,
}

#[derive(Debug, Clone)]
struct Output {
    name: String,
    origin: Option<(String, String)>,
}

/// What one relation offers for a column name.
#[derive(Debug, Clone)]
struct Hit {
    /// The relation's name, to show in an ambiguity error.
    via: String,
    /// The Heroku Connect table and column it is, when it is one.
    origin: Option<(String, String)>,
}

/// The relations visible at one level of a query, and the level around it.
#[derive(Debug, Default)]
struct Scope<'p> {
    relations: Vec<Relation>,
    /// Columns merged by `JOIN ... USING (...)`: unqualified, they are not ambiguous.
    using: Vec<String>,
    ctes: Vec<(String, Rc<Derived>)>,
    parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    fn new(parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope {
            parent,
            ..Scope::default()
        }
    }

    fn levels(&self) -> impl Iterator<Item = &Scope<'p>> {
        std::iter::successors(Some(self), |s| s.parent)
    }

    fn cte(&self, name: &str) -> Option<Rc<Derived>> {
        self.levels().find_map(|s| {
            s.ctes
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, d)| Rc::clone(d))
        })
    }

    /// The relation `schema.name` (schema `None`: any) in the innermost level that has one.
    fn relation(&self, name: &str, schema: Option<&str>) -> Option<&Relation> {
        self.levels().find_map(|s| {
            s.relations
                .iter()
                .find(|r| r.name == name && (schema.is_none() || r.schema.as_deref() == schema))
        })
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for level in self.levels() {
            for relation in &level.relations {
                if !relation.name.is_empty() && !names.contains(&relation.name) {
                    names.push(relation.name.clone());
                }
            }
        }
        names
    }
}

/// A schema qualifier as written, and where the name it qualifies is.
type Written = (String, Range<usize>);

/// PostgreSQL's system columns: every table has them, whatever the snapshot says.
const PG_SYSTEM_COLUMNS: &[&str] = &["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"];

fn is_pg_system_column(column: &str) -> bool {
    PG_SYSTEM_COLUMNS.contains(&column)
}

/// The fold PostgreSQL applies: unquoted names to lower case, quoted ones as written.
fn fold(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_ascii_lowercase()
    }
}

fn idents(name: &ObjectName) -> Option<Vec<&Ident>> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Some(ident),
            _ => None,
        })
        .collect()
}

/// The analysis state of one statement.
pub(crate) struct Resolver<'c, 'l> {
    context: &'c Context<'c>,
    lines: &'l Lines<'l>,
    pub(crate) tables: Vec<TableUse>,
    pub(crate) wildcards: Vec<WildcardUse>,
    pub(crate) errors: Vec<SqlError>,
    /// Where a placeholder stands for a Heroku Connect column's name.
    pub(crate) placeholder_columns: Vec<Range<usize>>,
    /// Each schema a Heroku Connect table is qualified with, once per table and schema, in
    /// order of the walk.
    pub(crate) qualified: Vec<(String, Qualifier)>,
    depth: usize,
    /// Set when [`MAX_DEPTH`] was hit: the walk stopped.
    pub(crate) too_deep: bool,
    /// Whether the whole-row reference being resolved ends where it stands (the argument of
    /// [`TERMINAL_ROW_FUNCTIONS`], the root of a field selection, functional notation); a
    /// whole row anywhere else is passed on as a value, and an error.
    row_consumed: bool,
    /// Whether the whole-row reference being resolved is given whole to a function that
    /// returns its columns (`to_jsonb(a)`, `row_to_json(a)`): every column may reach the
    /// code, as with `a.*`.
    row_exposed: bool,
}

impl<'c, 'l> Resolver<'c, 'l> {
    pub(crate) fn new(context: &'c Context<'c>, lines: &'l Lines<'l>) -> Self {
        Resolver {
            context,
            lines,
            tables: Vec::new(),
            wildcards: Vec::new(),
            errors: Vec::new(),
            placeholder_columns: Vec::new(),
            qualified: Vec::new(),
            depth: 0,
            too_deep: false,
            row_consumed: false,
            row_exposed: false,
        }
    }

    // ---- bookkeeping -------------------------------------------------------------------

    fn at(&self, ident: &Ident) -> Range<usize> {
        self.lines.range(ident.span).unwrap_or(0..0)
    }

    fn at_span(&self, span: sqlparser::tokenizer::Span) -> Range<usize> {
        self.lines.range(span).unwrap_or(0..0)
    }

    fn error(&mut self, kind: SqlErrorKind, at: Range<usize>) {
        let error = SqlError { kind, at };
        if !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    /// One more level of nesting; `false` (and an error, once) past [`MAX_DEPTH`].
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.error(
                    SqlErrorKind::TooComplex {
                        limit: format!("nested more than {MAX_DEPTH} levels deep"),
                    },
                    0..0,
                );
            }
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The use of `table` with `access`, created at `at` if new.
    fn table_use(&mut self, table: &str, access: Access, at: Range<usize>) -> &mut TableUse {
        let found = self
            .tables
            .iter()
            .position(|t| t.table == table && t.access == access);
        let index = match found {
            Some(index) => index,
            None => {
                // Where the table is named, if another use of it knows.
                let at = self
                    .tables
                    .iter()
                    .find(|t| t.table == table)
                    .map_or(at, |t| t.at.clone());
                self.tables.push(TableUse {
                    table: table.to_string(),
                    access,
                    at,
                    columns: Vec::new(),
                    qualified: Vec::new(),
                });
                self.tables.len() - 1
            }
        };
        &mut self.tables[index]
    }

    /// The Heroku Connect table `table` named at `at` with the qualifier `schema` (`None`:
    /// unqualified): a qualifier that is a Heroku Connect schema is kept (a `format!`
    /// placeholder is not a schema anyone can check).
    fn schema_qualified(&mut self, schema: Option<&str>, table: &str, at: Range<usize>) {
        let Some(schema) = schema else {
            return;
        };
        if !self.context.is_hc_schema(schema) {
            return;
        }
        let known = self
            .qualified
            .iter()
            .any(|(t, q)| t == table && q.schema == schema);
        if !known {
            self.qualified.push((
                table.to_string(),
                Qualifier {
                    schema: schema.to_string(),
                    at,
                },
            ));
        }
    }

    fn column(&mut self, table: &str, column: &str, access: Access, at: Range<usize>) {
        let table_use = self.table_use(table, access, at.clone());
        match table_use.columns.iter_mut().find(|c| c.column == column) {
            // Keep the first mention in the text (clauses are not resolved in text order).
            Some(known) if at.start < known.at.start => known.at = at,
            Some(_) => {}
            None => table_use.columns.push(ColumnUse {
                column: column.to_string(),
                at,
            }),
        }
    }

    /// A read of `table.column`, unless the name is not one Heroku Connect creates. PostgreSQL's
    /// own system columns (`ctid`, `xmin`...) exist in every table: no requirement.
    fn read_hc(&mut self, table: &str, column: &str, at: Range<usize>) -> Option<(String, String)> {
        if is_pg_system_column(column) {
            return None;
        }
        if column.starts_with(PLACEHOLDER_PREFIX) {
            self.placeholder_column_at(at);
            return None;
        }
        if !names::is_hc_name(column) {
            self.error(
                SqlErrorKind::NotHcName {
                    table: table.to_string(),
                    name: column.to_string(),
                },
                at,
            );
            return None;
        }
        self.column(table, column, Access::Read, at);
        Some((table.to_string(), column.to_string()))
    }

    /// A write of `table.column`: a Heroku Connect name, not a system column.
    fn write_hc(&mut self, table: &str, column: &str, at: Range<usize>) {
        if column.starts_with(PLACEHOLDER_PREFIX) {
            self.placeholder_column_at(at);
            return;
        }
        if is_pg_system_column(column) {
            self.error(
                SqlErrorKind::SystemColumnWrite {
                    table: table.to_string(),
                    column: column.to_string(),
                    reason: "a PostgreSQL system column, which no statement can write".to_string(),
                },
                at,
            );
            return;
        }
        if !names::is_hc_name(column) {
            self.error(
                SqlErrorKind::NotHcName {
                    table: table.to_string(),
                    name: column.to_string(),
                },
                at,
            );
            return;
        }
        if let Some(reason) = names::system_column_write_reason(column) {
            self.error(
                SqlErrorKind::SystemColumnWrite {
                    table: table.to_string(),
                    column: column.to_string(),
                    reason: reason.to_string(),
                },
                at.clone(),
            );
        }
        self.column(table, column, Access::Write, at);
    }

    fn placeholder_column_at(&mut self, at: Range<usize>) {
        if !self.placeholder_columns.contains(&at) {
            self.placeholder_columns.push(at);
        }
    }

    /// A bare placeholder where a column name stands (a select item, `GROUP BY`, `ORDER BY`)
    /// with a Heroku Connect table in scope.
    fn placeholder_column(&mut self, expr: &Expr, scope: &Scope<'_>) {
        let mut expr = expr;
        while let Expr::Nested(inner) = expr {
            expr = inner;
        }
        let Expr::Identifier(ident) = expr else {
            return;
        };
        let hc_in_scope = scope
            .levels()
            .flat_map(|level| level.relations.iter())
            .any(|r| !hc_sources(r).is_empty());
        if ident.value.starts_with(PLACEHOLDER_PREFIX) && hc_in_scope {
            let at = self.at(ident);
            self.placeholder_column_at(at);
        }
    }

    fn wildcard(&mut self, relation: &Relation, at: Range<usize>) {
        for table in hc_sources(relation) {
            let use_ = WildcardUse {
                table,
                at: at.clone(),
            };
            if !self.wildcards.contains(&use_) {
                self.wildcards.push(use_);
            }
        }
    }

    // ---- expressions -------------------------------------------------------------------

    fn expr(&mut self, expr: &Expr, scope: &Scope<'_>) {
        self.walk(expr, scope);
    }

    /// Resolve every column reference in `node` (any AST node) in `scope`.
    fn walk<V: Visit>(&mut self, node: &V, scope: &Scope<'_>) {
        if self.too_deep {
            return;
        }
        let mut walk = Walk {
            resolver: self,
            scope,
            nested: 0,
            skip: Vec::new(),
            row_ok: Vec::new(),
            row_exposed: Vec::new(),
            keyed_calls: Vec::new(),
        };
        let _ = node.visit(&mut walk);
    }
}

/// The visitor over expressions: column references are resolved, nested queries handed back
/// to the resolver.
struct Walk<'r, 'c, 'l, 's, 'p> {
    resolver: &'r mut Resolver<'c, 'l>,
    scope: &'s Scope<'p>,
    /// How many queries deep inside the node the visitor is (those are the resolver's).
    nested: usize,
    /// Expressions that are names, not column references (`f(name => value)`, `x[1].field`).
    skip: Vec<*const Expr>,
    /// Whole-row expressions that end where they stand (see `Resolver::row_consumed`).
    row_ok: Vec<*const Expr>,
    /// Of those, the ones given whole to a function (see `Resolver::row_exposed`).
    row_exposed: Vec<*const Expr>,
    /// Calls whose JSON (or hstore) is only read by key (`to_jsonb(a) ->> 'col'`): the row
    /// does not reach the code whole, only the columns read.
    keyed_calls: Vec<*const Expr>,
}

/// The call under `expr`'s parentheses and casts (`(to_jsonb(a))::jsonb`).
fn call_of(mut expr: &Expr) -> *const Expr {
    while let Expr::Nested(inner) | Expr::Cast { expr: inner, .. } = expr {
        expr = inner;
    }
    expr as *const Expr
}

/// `expr` without its parentheses.
fn innermost(mut expr: &Expr) -> &Expr {
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    expr
}

impl Visitor for Walk<'_, '_, '_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.nested == 0 {
            self.resolver.query(query, Some(self.scope));
        }
        self.nested += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.nested -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.nested > 0 {
            return ControlFlow::Continue(());
        }
        if !self.resolver.enter() {
            return ControlFlow::Break(());
        }
        if self.skip.contains(&(expr as *const Expr)) {
            return ControlFlow::Continue(());
        }
        let consumed = self.row_ok.contains(&(expr as *const Expr));
        match expr {
            Expr::Identifier(ident) => {
                self.resolver.row_consumed = consumed;
                self.resolver.row_exposed = self.row_exposed.contains(&(expr as *const Expr));
                self.resolver
                    .column_ref(std::slice::from_ref(ident), self.scope);
                self.resolver.row_consumed = false;
                self.resolver.row_exposed = false;
            }
            Expr::CompoundIdentifier(parts) => {
                self.resolver.column_ref(parts, self.scope);
            }
            Expr::QualifiedWildcard(name, token) => {
                if let Some(relation) = self.resolver.qualifier(name, self.scope) {
                    let at = self.resolver.at_span(token.0.span);
                    self.resolver.row_consumed = consumed;
                    self.resolver.whole_row(&relation, at);
                    self.resolver.row_consumed = false;
                }
            }
            Expr::Function(function) => {
                if self.resolver.row_json_path_function(function, self.scope) {
                    if let FunctionArguments::List(list) = &function.args {
                        if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(row))) =
                            list.args.first()
                        {
                            self.keyed_calls.push(call_of(row));
                        }
                    }
                }
                let keyed = self.keyed_calls.contains(&(expr as *const Expr));
                let as_column = self.resolver.functional_notation(function, self.scope);
                let ends_rows = as_column || is_terminal_row_function(function);
                if let FunctionArguments::List(list) = &function.args {
                    for arg in &list.args {
                        match arg {
                            FunctionArg::ExprNamed { name, .. } => {
                                self.skip.push(name as *const Expr);
                            }
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(arg)) if ends_rows => {
                                self.row_ok.push(innermost(arg) as *const Expr);
                                if !as_column && !keyed {
                                    self.row_exposed.push(innermost(arg) as *const Expr);
                                }
                            }
                            FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(name))
                            | FunctionArg::Named {
                                arg: FunctionArgExpr::QualifiedWildcard(name),
                                ..
                            } => {
                                if let Some(relation) = self.resolver.qualifier(name, self.scope) {
                                    let at = name
                                        .0
                                        .last()
                                        .and_then(|p| p.as_ident())
                                        .map(|i| self.resolver.at(i))
                                        .unwrap_or(0..0);
                                    self.resolver.row_consumed = ends_rows;
                                    self.resolver.whole_row(&relation, at);
                                    self.resolver.row_consumed = false;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                // `to_jsonb(a)['col']`: a key of the row's JSON.
                if let Some(AccessExpr::Subscript(sqlparser::ast::Subscript::Index { index })) =
                    access_chain.first()
                {
                    if let Some(relation) = self.resolver.keyed_row(root, self.scope) {
                        self.resolver.row_keys(&relation, index, Keys::One);
                        self.keyed_calls.push(call_of(root));
                    }
                }
                // `(a).col`: the row ends here (the field is the column read below).
                self.row_ok.push(innermost(root) as *const Expr);
                for access in access_chain {
                    if let AccessExpr::Dot(field) = access {
                        self.skip.push(field as *const Expr);
                    }
                }
                // `(a).col`, `((a)).col`, `(a.*).col`, `(s.a).col`: a column of the row `a`.
                if let (Some(AccessExpr::Dot(Expr::Identifier(field))), Some(relation)) = (
                    access_chain.first(),
                    self.resolver.row_relation(root, self.scope),
                ) {
                    let at = self.resolver.at(field);
                    self.resolver.qualified(&relation, &fold(field), at);
                    // `(s.a)` is the row, not a column `a` of a table `s`.
                    let mut row = root.as_ref();
                    while let Expr::Nested(inner) = row {
                        row = inner;
                    }
                    if matches!(row, Expr::CompoundIdentifier(_)) {
                        self.skip.push(row as *const Expr);
                    }
                }
            }
            Expr::Cast { data_type, .. } => {
                // `NULL::salesforce.account`, `$1::salesforce.account[]`: a value of a Heroku
                // Connect table's row type. Its fields read where it stands (`(x).col`) are
                // columns; passed on, it is refused like a whole row.
                if let Some((table, schema, array)) = self.resolver.row_type(data_type) {
                    let at = self.resolver.at_span(expr.span());
                    self.resolver.table_use(&table, Access::Read, at.clone());
                    if let Some((schema, named)) = schema {
                        self.resolver.schema_qualified(Some(&schema), &table, named);
                    }
                    if array || !consumed {
                        self.resolver.error(
                            SqlErrorKind::RowTypeValue {
                                written: data_type.to_string(),
                                table,
                            },
                            at,
                        );
                    }
                }
            }
            Expr::BinaryOp { left, op, right } => {
                let keyed = self.resolver.row_json_key(left, op, right, self.scope);
                if keyed {
                    self.keyed_calls.push(call_of(left));
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<()> {
        if self.nested == 0 {
            self.resolver.leave();
        }
        ControlFlow::Continue(())
    }
}

/// Of [`ROW_FUNCTIONS`], those whose result is not a row: a whole row given to one of them
/// ends there (`count(a)`, `row_to_json(a)`). The others (`coalesce`, `max`, `array_agg`,
/// `row`) pass the row on as a value.
const TERMINAL_ROW_FUNCTIONS: &[&str] = &[
    "concat",
    "concat_ws",
    "count",
    "format",
    "hash_record",
    "hash_record_extended",
    "hstore",
    "json_agg",
    "json_agg_strict",
    "json_build_array",
    "json_object_agg",
    "jsonb_agg",
    "jsonb_agg_strict",
    "jsonb_build_array",
    "jsonb_object_agg",
    "num_nonnulls",
    "num_nulls",
    "pg_column_size",
    "pg_typeof",
    "quote_literal",
    "quote_nullable",
    "record_out",
    "row_to_json",
    "text",
    "to_json",
    "to_jsonb",
];

/// Whether `function` is one of [`TERMINAL_ROW_FUNCTIONS`] (unqualified or `pg_catalog.`).
fn is_terminal_row_function(function: &sqlparser::ast::Function) -> bool {
    let parts: Vec<&Ident> = function
        .name
        .0
        .iter()
        .filter_map(|p| p.as_ident())
        .collect();
    match parts.as_slice() {
        [name] => TERMINAL_ROW_FUNCTIONS.contains(&fold(name).as_str()),
        [schema, name] => {
            fold(schema) == "pg_catalog" && TERMINAL_ROW_FUNCTIONS.contains(&fold(name).as_str())
        }
        _ => false,
    }
}

/// Functions that take a whole row as their one argument: `f(a)` with one of these names is a
/// call, not PostgreSQL's functional notation for the column `a.f`.
const ROW_FUNCTIONS: &[&str] = &[
    "any_value",
    "array_agg",
    "coalesce",
    "concat",
    "concat_ws",
    "count",
    "format",
    "greatest",
    "hash_record",
    "hash_record_extended",
    "hstore",
    "json_agg",
    "json_agg_strict",
    "json_build_array",
    "json_object_agg",
    "json_populate_record",
    "json_populate_recordset",
    "jsonb_agg",
    "jsonb_agg_strict",
    "jsonb_build_array",
    "jsonb_object_agg",
    "jsonb_populate_record",
    "jsonb_populate_recordset",
    "least",
    "max",
    "min",
    "nullif",
    "num_nonnulls",
    "num_nulls",
    "pg_column_size",
    "pg_typeof",
    "quote_literal",
    "quote_nullable",
    "record_out",
    "row",
    "row_to_json",
    "text",
    "to_json",
    "to_jsonb",
];

/// What the right operand of a key operator names: one key (`->`, `->>`, `?`), a path whose
/// first element is the key (`#>`, `#>>`), a list of keys (`?|`, `?&`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    One,
    Path,
    List,
}

/// Functions whose result holds a whole row's columns under their names as keys:
/// `to_jsonb(a) ->> 'col'`, `hstore(a) -> 'col'` read `a.col`.
const KEYED_ROW_FUNCTIONS: &[&str] = &["hstore", "row_to_json", "to_json", "to_jsonb"];

impl Resolver<'_, '_> {
    /// The Heroku Connect table whose row type `data_type` is (`salesforce.account`, or a
    /// known table unqualified), the schema qualifier written before it with where the
    /// type's name is, and whether it is an array of them.
    fn row_type(
        &self,
        data_type: &sqlparser::ast::DataType,
    ) -> Option<(String, Option<Written>, bool)> {
        use sqlparser::ast::{ArrayElemTypeDef, DataType};
        match data_type {
            DataType::Custom(name, modifiers) if modifiers.is_empty() => {
                let parts = idents(name)?;
                let (last, rest) = parts.split_last()?;
                // `account`, `salesforce.account`, `db.salesforce.account`, as for a table.
                let schema = rest.last().map(|schema| fold(schema));
                let table = fold(last);
                if !self.context.is_hc_table(schema.as_deref(), &table) {
                    return None;
                }
                let qualifier = schema.map(|schema| (schema, self.at(last)));
                Some((table, qualifier, false))
            }
            DataType::Array(
                ArrayElemTypeDef::AngleBracket(inner)
                | ArrayElemTypeDef::SquareBracket(inner, _)
                | ArrayElemTypeDef::Parenthesis(inner)
                | ArrayElemTypeDef::ParenthesisNotNull(inner)
                | ArrayElemTypeDef::Qualified(inner, _),
            ) => self
                .row_type(inner)
                .map(|(table, schema, _)| (table, schema, true)),
            _ => None,
        }
    }

    /// `to_jsonb(a) ->> 'col'`, `row_to_json(a)::jsonb -> 'col'`, `hstore(a) -> 'col'`, `#>`
    /// paths and `?` keys: a literal key of a whole row's JSON (or hstore) is a read of that
    /// column (PostgreSQL gives NULL for a key the row lacks: no error, a silent NULL in an
    /// environment that does not map it); a computed key is refused.
    /// Returns whether `left` is such a row's JSON (read by key).
    fn row_json_key(
        &mut self,
        left: &Expr,
        op: &sqlparser::ast::BinaryOperator,
        right: &Expr,
        scope: &Scope<'_>,
    ) -> bool {
        use sqlparser::ast::BinaryOperator as Op;
        let keys = match op {
            Op::Arrow | Op::LongArrow | Op::Question => Keys::One,
            Op::HashArrow | Op::HashLongArrow => Keys::Path,
            Op::QuestionAnd | Op::QuestionPipe => Keys::List,
            _ => return false,
        };
        let Some(relation) = self.keyed_row(left, scope) else {
            return false;
        };
        self.row_keys(&relation, right, keys);
        true
    }

    /// `jsonb_extract_path(to_jsonb(a), 'col', ...)` (and `json_`, `_text`): the path's first
    /// key, as `#>` reads it. Returns whether the function's first argument is such a row's
    /// JSON (read by key).
    fn row_json_path_function(
        &mut self,
        function: &sqlparser::ast::Function,
        scope: &Scope<'_>,
    ) -> bool {
        let name = match function.name.0.as_slice() {
            [name] => name.as_ident().map(fold),
            [schema, name] if schema.as_ident().map(fold).as_deref() == Some("pg_catalog") => {
                name.as_ident().map(fold)
            }
            _ => None,
        };
        let paths = [
            "json_extract_path",
            "json_extract_path_text",
            "jsonb_extract_path",
            "jsonb_extract_path_text",
        ];
        if !name.is_some_and(|n| paths.contains(&n.as_str())) {
            return false;
        }
        let FunctionArguments::List(list) = &function.args else {
            return false;
        };
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(row)), FunctionArg::Unnamed(FunctionArgExpr::Expr(key)), ..] =
            list.args.as_slice()
        else {
            return false;
        };
        let Some(relation) = self.keyed_row(row, scope) else {
            return false;
        };
        self.row_keys(&relation, key, Keys::One);
        true
    }

    /// The whole row (of Heroku Connect tables) whose JSON or hstore `expr` is:
    /// `to_jsonb(a)`, `row_to_json(a.*)::jsonb`, `(hstore(a))`.
    fn keyed_row(&self, expr: &Expr, scope: &Scope<'_>) -> Option<Relation> {
        let mut inner = expr;
        while let Expr::Nested(e) | Expr::Cast { expr: e, .. } = inner {
            inner = e;
        }
        let Expr::Function(function) = inner else {
            return None;
        };
        let name = match function.name.0.as_slice() {
            [name] => name.as_ident().map(fold),
            [schema, name] if schema.as_ident().map(fold).as_deref() == Some("pg_catalog") => {
                name.as_ident().map(fold)
            }
            _ => None,
        };
        if !name.is_some_and(|n| KEYED_ROW_FUNCTIONS.contains(&n.as_str())) {
            return None;
        }
        let FunctionArguments::List(list) = &function.args else {
            return None;
        };
        let [FunctionArg::Unnamed(arg), ..] = list.args.as_slice() else {
            return None;
        };
        let relation = match arg {
            FunctionArgExpr::Expr(expr) => self.row_relation(expr, scope),
            FunctionArgExpr::QualifiedWildcard(name) => idents(name).and_then(|parts| {
                let (last, rest) = parts.split_last()?;
                let schema = rest.last().map(|s| fold(s));
                scope.relation(&fold(last), schema.as_deref()).cloned()
            }),
            _ => None,
        }?;
        (!hc_sources(&relation).is_empty()).then_some(relation)
    }

    /// The keys `right` names into the JSON of the whole row `relation`: each a column read;
    /// computed, an error.
    fn row_keys(&mut self, relation: &Relation, right: &Expr, keys: Keys) {
        let tables = hc_sources(relation);
        match self.literal_keys(right, keys) {
            // An empty path (`#>> '{}'`, `#> ARRAY[]::text[]`) is the whole document: every
            // column, as `a.*` (the attacker's finding: it counted as none).
            Some(found) if found.is_empty() && keys == Keys::Path && !is_number(right) => {
                let at = self.at_span(right.span());
                self.wildcard(relation, at);
            }
            Some(keys) => {
                for (key, at) in keys {
                    self.qualified(relation, &key, at);
                }
            }
            None => {
                let at = self.at_span(right.span());
                self.error(
                    SqlErrorKind::ComputedRowKey {
                        name: relation.name.clone(),
                        table: tables.join(", "),
                    },
                    at,
                );
            }
        }
    }

    /// The keys a literal right operand names (`'col'`; a path or key list `'{a,b}'`,
    /// `ARRAY['a', 'b']`: its first element for a path, every element for a key list), each
    /// with its place; no key for a number (an index into an object is no column); `None` for
    /// a key computed at run time.
    fn literal_keys(&self, right: &Expr, keys: Keys) -> Option<Vec<(String, Range<usize>)>> {
        use sqlparser::ast::Value;
        let mut right = right;
        while let Expr::Nested(e) | Expr::Cast { expr: e, .. } = right {
            right = e;
        }
        let at = self.at_span(right.span());
        match right {
            Expr::Value(value) => match &value.value {
                Value::SingleQuotedString(text) | Value::EscapedStringLiteral(text) => {
                    if keys == Keys::One {
                        // The name inside the quotes, when written without escapes.
                        let inner = if at.len() == text.len() + 2 {
                            at.start + 1..at.end - 1
                        } else {
                            at
                        };
                        return Some(vec![(text.clone(), inner)]);
                    }
                    let list = text.trim().strip_prefix('{')?.strip_suffix('}')?;
                    let mut found: Vec<(String, Range<usize>)> = list
                        .split(',')
                        .map(|k| (k.trim().trim_matches('"').to_string(), at.clone()))
                        .filter(|(k, _)| !k.is_empty())
                        .collect();
                    if keys == Keys::Path {
                        found.truncate(1);
                    }
                    Some(found)
                }
                Value::Number(..) => Some(Vec::new()),
                _ => None,
            },
            Expr::Array(array) => {
                let mut found = Vec::new();
                for element in &array.elem {
                    found.extend(self.literal_keys(element, Keys::One)?);
                }
                if keys == Keys::Path {
                    found.truncate(1);
                }
                Some(found)
            }
            _ => None,
        }
    }

    /// The relation a row expression stands for: `a` (a table or alias that no column of the
    /// query is named after), `(a)`, `a.*`, `s.a` (a schema-qualified table), a value of a
    /// Heroku Connect table's row type (`$1::salesforce.account`).
    fn row_relation(&self, expr: &Expr, scope: &Scope<'_>) -> Option<Relation> {
        match expr {
            Expr::Nested(inner) => self.row_relation(inner, scope),
            Expr::Cast { data_type, .. } => match self.row_type(data_type)? {
                (table, _, false) => Some(Relation {
                    name: table.clone(),
                    schema: None,
                    kind: Kind::Hc(table),
                    qualified_only: false,
                }),
                (_, _, true) => None,
            },
            Expr::Identifier(ident) => {
                let name = fold(ident);
                if self.has_column_anywhere(&name, scope) {
                    return None;
                }
                scope.relation(&name, None).cloned()
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let (last, rest) = parts.split_last()?;
                let schema = rest.last().map(fold)?;
                scope.relation(&fold(last), Some(&schema)).cloned()
            }
            Expr::QualifiedWildcard(name, _) => {
                let parts = idents(name)?;
                let (last, rest) = parts.split_last()?;
                let schema = rest.last().map(|s| fold(s));
                scope.relation(&fold(last), schema.as_deref()).cloned()
            }
            _ => None,
        }
    }

    /// PostgreSQL's functional notation: `col(a)` with `a` a whole row of a Heroku Connect
    /// table is `a.col`, unless the function is one known to take a row ([`ROW_FUNCTIONS`]).
    /// A schema-qualified function (`public.f(a)`) is always a call.
    fn functional_notation(
        &mut self,
        function: &sqlparser::ast::Function,
        scope: &Scope<'_>,
    ) -> bool {
        let [ObjectNamePart::Identifier(name)] = function.name.0.as_slice() else {
            return false;
        };
        if function.over.is_some() || function.filter.is_some() || !function.within_group.is_empty()
        {
            return false;
        }
        let FunctionArguments::List(list) = &function.args else {
            return false;
        };
        if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
            return false;
        }
        let [FunctionArg::Unnamed(arg)] = list.args.as_slice() else {
            return false;
        };
        let relation = match arg {
            FunctionArgExpr::Expr(expr) => self.row_relation(expr, scope),
            FunctionArgExpr::QualifiedWildcard(name) => {
                let Some(parts) = idents(name) else {
                    return false;
                };
                let Some((last, rest)) = parts.split_last() else {
                    return false;
                };
                let schema = rest.last().map(|s| fold(s));
                scope.relation(&fold(last), schema.as_deref()).cloned()
            }
            _ => None,
        };
        let Some(relation) = relation else {
            return false;
        };
        let column = fold(name);
        if hc_sources(&relation).is_empty() || ROW_FUNCTIONS.contains(&column.as_str()) {
            return false;
        }
        let at = self.at(name);
        self.qualified(&relation, &column, at);
        true
    }

    /// `t.*` in an expression (`row_to_json(t.*)`, `count(t.*)`): the table only, where the
    /// row ends; passed on as a value, an error.
    fn whole_row(&mut self, relation: &Relation, at: Range<usize>) {
        self.row_value(relation, at.clone());
        self.wildcard(relation, at);
    }

    /// The error for a whole row of a Heroku Connect table passed on as a value, unless it
    /// ends where it stands ([`Resolver::row_consumed`]).
    fn row_value(&mut self, relation: &Relation, at: Range<usize>) {
        let tables = hc_sources(relation);
        if self.row_consumed || tables.is_empty() {
            return;
        }
        self.error(
            SqlErrorKind::WholeRowValue {
                name: relation.name.clone(),
                table: tables.join(", "),
            },
            at,
        );
    }
}

/// The Heroku Connect tables whose columns `relation` offers by name (itself, or the tables
/// behind a derived table's `*`).
fn hc_sources(relation: &Relation) -> Vec<String> {
    match &relation.kind {
        Kind::Hc(table) => vec![table.clone()],
        Kind::Other | Kind::Function(_) => Vec::new(),
        Kind::Derived(derived) => derived.wildcard.iter().flat_map(hc_sources).collect(),
        Kind::Join(members) => members.iter().flat_map(hc_sources).collect(),
    }
}

/// Whether every column of a derived relation is known by name (no `*`).
fn has_closed_outputs_only(relation: &Relation) -> bool {
    matches!(&relation.kind, Kind::Derived(d) if d.wildcard.is_empty() && !d.open)
}

/// A derived table's outputs renamed by an alias's column list (by position).
fn renamed(derived: Rc<Derived>, alias: &TableAlias) -> Rc<Derived> {
    if alias.columns.is_empty() {
        return derived;
    }
    let mut outputs = derived.outputs.clone();
    for (n, column) in alias.columns.iter().enumerate() {
        let name = fold(&column.name);
        match outputs.get_mut(n) {
            Some(output) => output.name = name,
            None => outputs.push(Output { name, origin: None }),
        }
    }
    // Positions past the named outputs come from a `*`: unknown once renamed.
    let open = derived.open || !derived.wildcard.is_empty();
    Rc::new(Derived {
        outputs,
        wildcard: Vec::new(),
        open,
    })
}

/// A relation whose columns are its alias's column list (closed), or unknown without one.
fn alias_relation(alias: Option<&TableAlias>, default_name: &str) -> Relation {
    match alias {
        Some(alias) if !alias.columns.is_empty() => Relation {
            qualified_only: false,
            name: fold(&alias.name),
            schema: None,
            kind: Kind::Derived(Rc::new(Derived {
                outputs: alias
                    .columns
                    .iter()
                    .map(|c| Output {
                        name: fold(&c.name),
                        origin: None,
                    })
                    .collect(),
                ..Derived::default()
            })),
        },
        Some(alias) => Relation {
            qualified_only: false,
            name: fold(&alias.name),
            schema: None,
            kind: Kind::Other,
        },
        None => Relation {
            qualified_only: false,
            name: default_name.to_string(),
            schema: None,
            kind: Kind::Other,
        },
    }
}

/// A function in `FROM`: with a column list, those columns; without, one column named after
/// the alias, else the function ([`Kind::Function`]).
/// `WITH ORDINALITY` adds the column `ordinality`.
fn function_alias_relation(
    alias: Option<&TableAlias>,
    function: &str,
    with_ordinality: bool,
) -> Relation {
    match alias {
        Some(alias) if !alias.columns.is_empty() => alias_relation(Some(alias), function),
        _ => {
            let name = alias.map_or_else(|| function.to_string(), |a| fold(&a.name));
            let mut columns = vec![name.clone()];
            // Functions whose columns are named by their OUT parameters.
            let named: &[&str] = match function {
                "json_each" | "jsonb_each" | "json_each_text" | "jsonb_each_text" => {
                    &["key", "value"]
                }
                "json_array_elements"
                | "jsonb_array_elements"
                | "json_array_elements_text"
                | "jsonb_array_elements_text" => &["value"],
                _ => &[],
            };
            columns.extend(named.iter().map(|c| c.to_string()));
            if with_ordinality {
                columns.push("ordinality".to_string());
            }
            Relation {
                qualified_only: false,
                kind: Kind::Function(columns),
                name,
                schema: None,
            }
        }
    }
}

/// Whether a query is `VALUES` with no column in any row (never positional).
fn is_empty_values(query: &Query) -> bool {
    matches!(query.body.as_ref(), SetExpr::Values(values) if values.rows.iter().all(|r| r.content.is_empty()))
}

/// The name PostgreSQL gives an unaliased output column.
fn column_name(expr: &Expr) -> String {
    match expr {
        Expr::Identifier(ident) => fold(ident),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold).unwrap_or_default(),
        Expr::Function(function) => function
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(fold)
            .unwrap_or_default(),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => column_name(expr),
        Expr::Case { .. } => "case".to_string(),
        Expr::Exists { .. } => "exists".to_string(),
        Expr::Array(_) => "array".to_string(),
        _ => "?column?".to_string(),
    }
}

/// Whether `expr` is a number literal (possibly cast or in parentheses): an index, no key.
fn is_number(expr: &Expr) -> bool {
    let mut expr = expr;
    while let Expr::Nested(e) | Expr::Cast { expr: e, .. } = expr {
        expr = e;
    }
    matches!(expr, Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Number(..)))
}
