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

use super::analysis::{ColumnUse, SqlError, SqlErrorKind, StatementKind, TableUse, WildcardUse};
use super::context::{Context, PLACEHOLDER_PREFIX};
use super::position::Lines;
use crate::names;
use crate::requirement::Access;

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
    depth: usize,
    /// Set when [`MAX_DEPTH`] was hit: the walk stopped.
    pub(crate) too_deep: bool,
}

impl<'c, 'l> Resolver<'c, 'l> {
    pub(crate) fn new(context: &'c Context<'c>, lines: &'l Lines<'l>) -> Self {
        Resolver {
            context,
            lines,
            tables: Vec::new(),
            wildcards: Vec::new(),
            errors: Vec::new(),
            depth: 0,
            too_deep: false,
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
                });
                self.tables.len() - 1
            }
        };
        &mut self.tables[index]
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

    /// A read of `table.column`, unless the name is not one Heroku Connect creates.
    fn read_hc(&mut self, table: &str, column: &str, at: Range<usize>) -> Option<(String, String)> {
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

    // ---- statements --------------------------------------------------------------------

    /// Analyse a top-level statement.
    pub(crate) fn statement(&mut self, statement: &Statement) -> StatementKind {
        match statement {
            Statement::Query(query) => {
                self.query(query, None);
                StatementKind::Query
            }
            Statement::Insert(insert) => {
                self.insert(insert, None);
                StatementKind::Insert
            }
            Statement::Update(update) => {
                self.update(update, None);
                StatementKind::Update
            }
            Statement::Delete(delete) => {
                self.delete(delete, None);
                StatementKind::Delete
            }
            Statement::Merge(merge) => {
                self.merge(merge, None);
                StatementKind::Merge
            }
            other => {
                self.unsupported(other);
                StatementKind::Other
            }
        }
    }

    /// A statement that is not analysed: an error if it touches a Heroku Connect table.
    fn unsupported(&mut self, statement: &Statement) {
        let mut tables = Vec::new();
        let _ = sqlparser::ast::visit_relations(statement, |name| {
            if let Some(parts) = idents(name) {
                if let Some((last, rest)) = parts.split_last() {
                    let schema = rest.last().map(|s| fold(s));
                    let table = fold(last);
                    if self.context.is_hc_table(schema.as_deref(), &table) {
                        tables.push((table, self.at(last)));
                    }
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if let Some((table, at)) = tables.into_iter().next() {
            let text = statement.to_string();
            let kind: String = text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_uppercase();
            self.error(
                SqlErrorKind::Unsupported {
                    statement: kind,
                    table,
                },
                at,
            );
        }
    }

    /// A data-modifying statement inside a query (`WITH x AS (UPDATE ... RETURNING ...)`).
    fn nested_statement(&mut self, statement: &Statement, scope: &Scope<'_>) -> Rc<Derived> {
        match statement {
            Statement::Insert(insert) => self.insert(insert, Some(scope)),
            Statement::Update(update) => self.update(update, Some(scope)),
            Statement::Delete(delete) => self.delete(delete, Some(scope)),
            Statement::Merge(merge) => self.merge(merge, Some(scope)),
            Statement::Query(query) => self.query(query, Some(scope)),
            other => {
                self.unsupported(other);
                Rc::new(Derived {
                    open: true,
                    ..Derived::default()
                })
            }
        }
    }

    fn insert(&mut self, insert: &Insert, parent: Option<&Scope<'_>>) -> Rc<Derived> {
        let target = match &insert.table {
            TableObject::TableName(name) => self.target(name, None, parent),
            other => {
                self.walk(other, &Scope::new(parent));
                None
            }
        };
        let alias = insert.table_alias.as_ref().map(|a| fold(&a.alias));
        if let Some((relation, at)) = &target {
            if let Kind::Hc(table) = &relation.kind {
                self.table_use(table, Access::Write, at.clone());
                let positional = insert.columns.is_empty()
                    && insert.assignments.is_empty()
                    && insert.source.as_ref().is_some_and(|s| !is_empty_values(s));
                if positional {
                    self.error(
                        SqlErrorKind::EnvironmentDependent {
                            table: table.clone(),
                            what: "an INSERT without a column list writes the columns by position"
                                .to_string(),
                            fix: format!("list the columns: INSERT INTO {table} (col, ...)"),
                        },
                        at.clone(),
                    );
                }
                for column in &insert.columns {
                    if let Some(ident) = idents(column).and_then(|p| p.last().copied()) {
                        let at = self.at(ident);
                        self.write_hc(table, &fold(ident), at);
                    }
                }
            }
        }
        let mut scope = Scope::new(parent);
        if let Some(source) = &insert.source {
            // The source does not see the target.
            self.query(source, parent);
        }
        if let Some((relation, _)) = &target {
            let mut relation = relation.clone();
            if let Some(alias) = &alias {
                relation.name = alias.clone();
                relation.schema = None;
            }
            scope.relations.push(relation);
        }
        for assignment in &insert.assignments {
            self.assignment(assignment, target.as_ref().map(|t| &t.0), &scope);
        }
        match &insert.on {
            Some(OnInsert::OnConflict(on_conflict)) => {
                if let Some(ConflictTarget::Columns { columns, predicate }) =
                    &on_conflict.conflict_target
                {
                    for column in columns {
                        self.qualified_in(target.as_ref().map(|t| &t.0), column);
                    }
                    if let Some(predicate) = predicate {
                        self.expr(predicate, &scope);
                    }
                }
                if let OnConflictAction::DoUpdate(update) = &on_conflict.action {
                    if let Some((relation, _)) = &target {
                        scope.relations.push(Relation {
                            name: "excluded".to_string(),
                            schema: None,
                            kind: relation.kind.clone(),
                            qualified_only: true,
                        });
                    }
                    for assignment in &update.assignments {
                        self.assignment(assignment, target.as_ref().map(|t| &t.0), &scope);
                    }
                    if let Some(selection) = &update.selection {
                        self.expr(selection, &scope);
                    }
                }
            }
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                for assignment in assignments {
                    self.assignment(assignment, target.as_ref().map(|t| &t.0), &scope);
                }
            }
            Some(_) | None => {}
        }
        let returning = insert.returning.as_deref().or(match &insert.output {
            Some(OutputClause::Returning { select_items, .. }) => Some(select_items.as_slice()),
            _ => None,
        });
        self.returning(returning, &mut scope, target.as_ref().map(|t| &t.0))
    }

    fn update(&mut self, update: &Update, parent: Option<&Scope<'_>>) -> Rc<Derived> {
        let mut scope = Scope::new(parent);
        let target = self.target_factor(&update.table.relation, &mut scope);
        self.joins(&update.table.joins, 0, &mut scope);
        if let Some(from) = &update.from {
            let (UpdateTableFromKind::BeforeSet(items) | UpdateTableFromKind::AfterSet(items)) =
                from;
            for item in items {
                self.relation_list_item(item, &mut scope);
            }
        }
        if let Some(relation) = &target {
            if let Kind::Hc(table) = &relation.kind {
                let at = self.at_span(update.table.relation.span());
                self.table_use(table, Access::Write, at);
            }
        }
        for assignment in &update.assignments {
            self.assignment(assignment, target.as_ref(), &scope);
        }
        if let Some(selection) = &update.selection {
            self.expr(selection, &scope);
        }
        let returning = update.returning.as_deref().or(match &update.output {
            Some(OutputClause::Returning { select_items, .. }) => Some(select_items.as_slice()),
            _ => None,
        });
        self.returning(returning, &mut scope, target.as_ref())
    }

    fn delete(&mut self, delete: &Delete, parent: Option<&Scope<'_>>) -> Rc<Derived> {
        let mut scope = Scope::new(parent);
        let (FromTable::WithFromKeyword(items) | FromTable::WithoutKeyword(items)) = &delete.from;
        let mut target = None;
        for (n, item) in items.iter().enumerate() {
            if n == 0 {
                target = self.target_factor(&item.relation, &mut scope);
                if let Some(Relation {
                    kind: Kind::Hc(table),
                    ..
                }) = &target
                {
                    let at = self.at_span(item.relation.span());
                    self.table_use(table, Access::Write, at);
                }
                self.joins(&item.joins, 0, &mut scope);
            } else {
                self.relation_list_item(item, &mut scope);
            }
        }
        for name in &delete.tables {
            // MySQL's multi-table DELETE: the tables named are written.
            if let Some(parts) = idents(name) {
                if let Some(relation) = parts
                    .last()
                    .and_then(|last| scope.relation(&fold(last), None))
                {
                    if let Kind::Hc(table) = &relation.kind {
                        let table = table.clone();
                        let at = self.at(parts[parts.len() - 1]);
                        self.table_use(&table, Access::Write, at);
                    }
                }
            }
        }
        if let Some(using) = &delete.using {
            for item in using {
                self.relation_list_item(item, &mut scope);
            }
        }
        if let Some(selection) = &delete.selection {
            self.expr(selection, &scope);
        }
        for order in &delete.order_by {
            self.walk(order, &scope);
        }
        if let Some(limit) = &delete.limit {
            self.expr(limit, &scope);
        }
        let returning = delete.returning.as_deref().or(match &delete.output {
            Some(OutputClause::Returning { select_items, .. }) => Some(select_items.as_slice()),
            _ => None,
        });
        self.returning(returning, &mut scope, target.as_ref())
    }

    fn merge(&mut self, merge: &Merge, parent: Option<&Scope<'_>>) -> Rc<Derived> {
        let mut scope = Scope::new(parent);
        let target = self.target_factor(&merge.table, &mut scope);
        let target_at = self.at_span(merge.table.span());
        self.table_factor(&merge.source, &mut scope);
        self.expr(&merge.on, &scope);
        let hc_table = match &target {
            Some(Relation {
                kind: Kind::Hc(table),
                ..
            }) => Some(table.clone()),
            _ => None,
        };
        for clause in &merge.clauses {
            if let Some(predicate) = &clause.predicate {
                self.expr(predicate, &scope);
            }
            match &clause.action {
                MergeAction::Insert(insert) => {
                    if let Some(table) = &hc_table {
                        self.table_use(table, Access::Write, target_at.clone());
                        let positional = match &insert.kind {
                            MergeInsertKind::Values(values) => {
                                insert.columns.is_empty()
                                    && values.rows.iter().any(|r| !r.content.is_empty())
                            }
                            _ => true,
                        };
                        if positional {
                            let at = self.at_span(insert.insert_token.0.span);
                            self.error(
                                SqlErrorKind::EnvironmentDependent {
                                    table: table.clone(),
                                    what: "a MERGE ... INSERT without a column list writes the \
                                           columns by position"
                                        .to_string(),
                                    fix: "list the columns: INSERT (col, ...) VALUES (...)"
                                        .to_string(),
                                },
                                at,
                            );
                        }
                        for column in &insert.columns {
                            if let Some(ident) = idents(column).and_then(|p| p.last().copied()) {
                                let at = self.at(ident);
                                self.write_hc(table, &fold(ident), at);
                            }
                        }
                    }
                    if let MergeInsertKind::Values(values) = &insert.kind {
                        for row in &values.rows {
                            for value in &row.content {
                                self.expr(value, &scope);
                            }
                        }
                    }
                    if let Some(predicate) = &insert.insert_predicate {
                        self.expr(predicate, &scope);
                    }
                }
                MergeAction::Update(update) => {
                    if let Some(table) = &hc_table {
                        self.table_use(table, Access::Write, target_at.clone());
                    }
                    match &update.kind {
                        MergeUpdateKind::Set(assignments) => {
                            for assignment in assignments {
                                self.assignment(assignment, target.as_ref(), &scope);
                            }
                        }
                        MergeUpdateKind::Wildcard => {
                            if let Some(table) = &hc_table {
                                self.error(
                                    SqlErrorKind::EnvironmentDependent {
                                        table: table.clone(),
                                        what: "UPDATE SET * writes every column".to_string(),
                                        fix: "list the columns: UPDATE SET col = ...".to_string(),
                                    },
                                    target_at.clone(),
                                );
                            }
                        }
                    }
                    for predicate in [&update.update_predicate, &update.delete_predicate]
                        .into_iter()
                        .flatten()
                    {
                        self.expr(predicate, &scope);
                    }
                }
                MergeAction::Delete { .. } => {
                    if let Some(table) = &hc_table {
                        self.table_use(table, Access::Write, target_at.clone());
                    }
                }
                _ => {}
            }
        }
        let returning = match &merge.output {
            Some(OutputClause::Returning { select_items, .. }) => Some(select_items.as_slice()),
            _ => None,
        };
        self.returning(returning, &mut scope, target.as_ref())
    }

    /// The target of an `INSERT` named `name` (never a CTE), and where it is named.
    fn target(
        &mut self,
        name: &ObjectName,
        _alias: Option<&TableAlias>,
        _parent: Option<&Scope<'_>>,
    ) -> Option<(Relation, Range<usize>)> {
        let parts = idents(name)?;
        let (last, rest) = parts.split_last()?;
        let table = fold(last);
        let schema = rest.last().map(|s| fold(s));
        let at = self.at(last);
        let kind = if self.context.is_hc_table(schema.as_deref(), &table) {
            Kind::Hc(table.clone())
        } else {
            Kind::Other
        };
        Some((
            Relation {
                qualified_only: false,
                name: table,
                schema,
                kind,
            },
            at,
        ))
    }

    /// The target of an `UPDATE`, `DELETE` or `MERGE`, pushed into `scope` (not touched as
    /// a read: its reads come from the columns used).
    fn target_factor(&mut self, factor: &TableFactor, scope: &mut Scope<'_>) -> Option<Relation> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let (mut relation, at) = self.target(name, None, None)?;
                if let Some(alias) = alias {
                    self.alias_columns_on_table(&relation, alias, at);
                    relation.name = fold(&alias.name);
                    relation.schema = None;
                }
                scope.relations.push(relation.clone());
                Some(relation)
            }
            other => {
                self.table_factor(other, scope);
                None
            }
        }
    }

    /// `SET column = value` (or `(a, b) = ...`): the columns written to the target, the value
    /// read in `scope`.
    fn assignment(
        &mut self,
        assignment: &sqlparser::ast::Assignment,
        target: Option<&Relation>,
        scope: &Scope<'_>,
    ) {
        let names: Vec<&ObjectName> = match &assignment.target {
            AssignmentTarget::ColumnName(name) => vec![name],
            AssignmentTarget::Tuple(names) => names.iter().collect(),
        };
        if let Some(Relation {
            kind: Kind::Hc(table),
            ..
        }) = target
        {
            for name in names {
                if let Some(parts) = idents(name) {
                    // `SET col = ...`, or `SET col.field = ...` on a composite column.
                    let ident = if parts.len() >= 2 && fold(parts[0]) != table.as_str() {
                        parts[0]
                    } else {
                        parts[parts.len() - 1]
                    };
                    let at = self.at(ident);
                    self.write_hc(table, &fold(ident), at);
                }
            }
        }
        self.expr(&assignment.value, scope);
    }

    /// A column of the target named without qualifier (`ON CONFLICT (col)`): a read.
    fn qualified_in(&mut self, target: Option<&Relation>, column: &Ident) {
        if let Some(Relation {
            kind: Kind::Hc(table),
            ..
        }) = target
        {
            let at = self.at(column);
            self.read_hc(&table.clone(), &fold(column), at);
        }
    }

    /// `RETURNING items`: resolved in `scope` (the target and the `FROM`/`USING` tables) with
    /// PostgreSQL 18's `old` and `new` standing for the target.
    fn returning(
        &mut self,
        items: Option<&[SelectItem]>,
        scope: &mut Scope<'_>,
        target: Option<&Relation>,
    ) -> Rc<Derived> {
        let mut derived = Derived::default();
        let Some(items) = items else {
            return Rc::new(derived);
        };
        if let Some(target) = target {
            for name in ["old", "new"] {
                if scope.relation(name, None).is_none() {
                    scope.relations.push(Relation {
                        name: name.to_string(),
                        schema: None,
                        kind: target.kind.clone(),
                        qualified_only: true,
                    });
                }
            }
        }
        for item in items {
            self.select_item(item, scope, &mut derived, target);
        }
        Rc::new(derived)
    }

    // ---- queries -----------------------------------------------------------------------

    fn query(&mut self, query: &Query, parent: Option<&Scope<'_>>) -> Rc<Derived> {
        if !self.enter() {
            return Rc::new(Derived {
                open: true,
                ..Derived::default()
            });
        }
        let mut scope = Scope::new(parent);
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = fold(&cte.alias.name);
                let derived = if with.recursive {
                    // Visible to itself: with its column list, else as unknown columns.
                    let columns: Vec<Output> = cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| Output {
                            name: fold(&c.name),
                            origin: None,
                        })
                        .collect();
                    let open = columns.is_empty();
                    scope.ctes.push((
                        name.clone(),
                        Rc::new(Derived {
                            outputs: columns,
                            wildcard: Vec::new(),
                            open,
                        }),
                    ));
                    let derived = self.query(&cte.query, Some(&scope));
                    scope.ctes.pop();
                    derived
                } else {
                    self.query(&cte.query, Some(&scope))
                };
                let derived = renamed(derived, &cte.alias);
                scope.ctes.push((name, derived));
            }
        }
        let derived = self.set_expr(&query.body, &scope, query.order_by.as_ref());
        if let Some(limit) = &query.limit_clause {
            self.walk(limit, &scope);
        }
        if let Some(fetch) = &query.fetch {
            self.walk(fetch, &scope);
        }
        self.leave();
        derived
    }

    fn set_expr(
        &mut self,
        body: &SetExpr,
        scope: &Scope<'_>,
        order_by: Option<&OrderBy>,
    ) -> Rc<Derived> {
        if !self.enter() {
            return Rc::new(Derived {
                open: true,
                ..Derived::default()
            });
        }
        let derived = match body {
            SetExpr::Select(select) => self.select(select, scope, order_by),
            SetExpr::Query(query) => {
                let derived = self.query(query, Some(scope));
                self.order_by_outputs(order_by, &derived, scope);
                derived
            }
            SetExpr::SetOperation { .. } => {
                // Left-deep chains (`a UNION b UNION c ...`) are walked in a loop.
                let mut operands = Vec::new();
                let mut left = body;
                while let SetExpr::SetOperation {
                    left: next, right, ..
                } = left
                {
                    operands.push(right.as_ref());
                    left = next.as_ref();
                }
                operands.push(left);
                let mut first = None;
                for operand in operands.into_iter().rev() {
                    let derived = self.set_expr(operand, scope, None);
                    first.get_or_insert(derived);
                }
                let derived = first.unwrap_or_default();
                self.order_by_outputs(order_by, &derived, scope);
                derived
            }
            SetExpr::Values(values) => {
                let mut width = 0;
                for row in &values.rows {
                    width = width.max(row.content.len());
                    for value in &row.content {
                        self.expr(value, scope);
                    }
                }
                let derived = Rc::new(Derived {
                    outputs: (1..=width)
                        .map(|n| Output {
                            name: format!("column{n}"),
                            origin: None,
                        })
                        .collect(),
                    ..Derived::default()
                });
                self.order_by_outputs(order_by, &derived, scope);
                derived
            }
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => self.nested_statement(statement, scope),
            SetExpr::Table(table) => {
                let mut inner = Scope::new(Some(scope));
                let relation = table.table_name.as_ref().map(|name| {
                    let schema = table.schema_name.as_ref().map(fold);
                    self.named(&fold(name), schema, self.at(name), None, &inner)
                });
                let mut derived = Derived::default();
                if let Some(relation) = relation {
                    let at = table
                        .table_name
                        .as_ref()
                        .map(|n| self.at(n))
                        .unwrap_or(0..0);
                    self.wildcard(&relation, at);
                    derived.wildcard.push(relation.clone());
                    inner.relations.push(relation);
                }
                let derived = Rc::new(derived);
                self.order_by_outputs(order_by, &derived, scope);
                derived
            }
        };
        self.leave();
        derived
    }

    fn select(
        &mut self,
        select: &Select,
        parent: &Scope<'_>,
        order_by: Option<&OrderBy>,
    ) -> Rc<Derived> {
        let mut scope = Scope::new(Some(parent));
        for item in &select.from {
            self.relation_list_item(item, &mut scope);
        }
        for view in &select.lateral_views {
            self.walk(view, &scope);
        }
        let mut derived = Derived::default();
        for item in &select.projection {
            self.select_item(item, &scope, &mut derived, None);
        }
        if let Some(Distinct::On(exprs)) = &select.distinct {
            for expr in exprs {
                self.expr(expr, &scope);
            }
        }
        for expr in [&select.prewhere, &select.selection].into_iter().flatten() {
            self.expr(expr, &scope);
        }
        if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
            for expr in exprs {
                // An output name may stand in for an input column in GROUP BY.
                if let Expr::Identifier(ident) = expr {
                    let name = fold(ident);
                    if derived.outputs.iter().any(|o| o.name == name)
                        && !self.has_column_anywhere(&name, &scope)
                    {
                        continue;
                    }
                }
                self.expr(expr, &scope);
            }
        }
        for expr in [&select.having, &select.qualify].into_iter().flatten() {
            self.expr(expr, &scope);
        }
        for window in &select.named_window {
            self.walk(window, &scope);
        }
        for expr in select.cluster_by.iter().chain(&select.distribute_by) {
            self.expr(expr, &scope);
        }
        for order in &select.sort_by {
            self.walk(order, &scope);
        }
        for connect_by in &select.connect_by {
            self.walk(connect_by, &scope);
        }
        if let Some(top) = &select.top {
            self.walk(top, &scope);
        }
        let derived = Rc::new(derived);
        if let Some(order_by) = order_by {
            self.order_by(order_by, &derived, &scope);
        }
        derived
    }

    /// `ORDER BY` of a `SELECT`: a bare name may be an output column; anything else is
    /// resolved in the `SELECT`'s scope.
    fn order_by(&mut self, order_by: &OrderBy, derived: &Derived, scope: &Scope<'_>) {
        match &order_by.kind {
            OrderByKind::Expressions(exprs) => {
                for order in exprs {
                    if let Expr::Identifier(ident) = &order.expr {
                        let name = fold(ident);
                        if derived.outputs.iter().any(|o| o.name == name) {
                            continue;
                        }
                    }
                    self.walk(order, scope);
                }
            }
            OrderByKind::All(_) => {}
        }
        if let Some(interpolate) = &order_by.interpolate {
            self.walk(interpolate, scope);
        }
    }

    /// `ORDER BY` of a set operation or `VALUES`: in terms of the output columns.
    fn order_by_outputs(
        &mut self,
        order_by: Option<&OrderBy>,
        derived: &Rc<Derived>,
        parent: &Scope<'_>,
    ) {
        let Some(order_by) = order_by else {
            return;
        };
        let mut scope = Scope::new(Some(parent));
        scope.relations.push(Relation {
            qualified_only: false,
            name: String::new(),
            schema: None,
            kind: Kind::Derived(Rc::clone(derived)),
        });
        self.order_by(order_by, derived, &scope);
    }

    fn has_column_anywhere(&self, column: &str, scope: &Scope<'_>) -> bool {
        scope.levels().any(|level| {
            level
                .relations
                .iter()
                .filter(|r| !r.qualified_only)
                .any(|r| {
                    let mut hits = Vec::new();
                    self.lookup(r, column, &mut hits);
                    !hits.is_empty()
                })
        })
    }

    /// One item of a select list or `RETURNING` list, added to `derived`. `target` is the
    /// relation a bare `*` stands for in `RETURNING`.
    fn select_item(
        &mut self,
        item: &SelectItem,
        scope: &Scope<'_>,
        derived: &mut Derived,
        target: Option<&Relation>,
    ) {
        match item {
            SelectItem::UnnamedExpr(expr) => {
                let origin = self.expr_origin(expr, scope);
                derived.outputs.push(Output {
                    name: column_name(expr),
                    origin,
                });
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                let origin = self.expr_origin(expr, scope);
                derived.outputs.push(Output {
                    name: fold(alias),
                    origin,
                });
            }
            SelectItem::ExprWithAliases { expr, aliases } => {
                self.expr(expr, scope);
                derived.outputs.extend(aliases.iter().map(|a| Output {
                    name: fold(a),
                    origin: None,
                }));
            }
            SelectItem::Wildcard(options) => {
                let at = self.at_span(options.wildcard_token.0.span);
                let relations: Vec<Relation> = match target {
                    Some(target) => vec![target.clone()],
                    None => scope.relations.clone(),
                };
                for relation in relations {
                    self.wildcard(&relation, at.clone());
                    derived.wildcard.push(relation);
                }
            }
            SelectItem::QualifiedWildcard(kind, options) => match kind {
                SelectItemQualifiedWildcardKind::ObjectName(name) => {
                    let at = self.at_span(options.wildcard_token.0.span);
                    if let Some(relation) = self.qualifier(name, scope) {
                        self.wildcard(&relation, at);
                        derived.wildcard.push(relation);
                    } else {
                        derived.open = true;
                    }
                }
                SelectItemQualifiedWildcardKind::Expr(expr) => {
                    self.expr(expr, scope);
                    derived.open = true;
                }
            },
        }
    }

    /// Resolve `expr`; when it is a plain column reference to a Heroku Connect column, that
    /// column.
    fn expr_origin(&mut self, expr: &Expr, scope: &Scope<'_>) -> Option<(String, String)> {
        match expr {
            Expr::Identifier(ident) => self.column_ref(std::slice::from_ref(ident), scope),
            Expr::CompoundIdentifier(parts) => self.column_ref(parts, scope),
            Expr::Nested(inner) => self.expr_origin(inner, scope),
            other => {
                self.expr(other, scope);
                None
            }
        }
    }

    // ---- FROM --------------------------------------------------------------------------

    fn relation_list_item(&mut self, item: &TableWithJoins, scope: &mut Scope<'_>) {
        let start = scope.relations.len();
        self.table_factor(&item.relation, scope);
        self.joins(&item.joins, start, scope);
    }

    /// The joins of a `FROM` item whose relations start at `start` in `scope`.
    fn joins(&mut self, joins: &[sqlparser::ast::Join], start: usize, scope: &mut Scope<'_>) {
        for join in joins {
            let left = start..scope.relations.len();
            self.table_factor(&join.relation, scope);
            let right = left.end..scope.relations.len();
            let constraint = match &join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c) => Some(c),
                JoinOperator::AsOf {
                    match_condition,
                    constraint,
                } => {
                    self.expr(match_condition, scope);
                    Some(constraint)
                }
                _ => None,
            };
            match constraint {
                Some(JoinConstraint::On(expr)) => self.expr(expr, scope),
                Some(JoinConstraint::Using(columns) | JoinConstraint::UsingAlias(columns, _)) => {
                    for column in columns {
                        let Some(ident) = idents(column).and_then(|p| p.last().copied()) else {
                            continue;
                        };
                        let name = fold(ident);
                        let at = self.at(ident);
                        for side in [left.clone(), right.clone()] {
                            let relations: Vec<Relation> = scope.relations[side].to_vec();
                            self.unqualified_among(&relations, &scope.using, &name, at.clone());
                        }
                        scope.using.push(name);
                    }
                }
                Some(JoinConstraint::Natural) => {
                    for relation in &scope.relations[left.start..right.end] {
                        if let Some(table) = hc_sources(relation).into_iter().next() {
                            let at = self.at_span(join.relation.span());
                            self.error(
                                SqlErrorKind::EnvironmentDependent {
                                    table,
                                    what: "a NATURAL JOIN joins on every column the tables share"
                                        .to_string(),
                                    fix: "name the join columns: JOIN ... USING (col) or ON ..."
                                        .to_string(),
                                },
                                at,
                            );
                            break;
                        }
                    }
                }
                Some(JoinConstraint::None) | None => {}
            }
        }
    }

    fn table_factor(&mut self, factor: &TableFactor, scope: &mut Scope<'_>) {
        if !self.enter() {
            return;
        }
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                ..
            } => {
                for hint in with_hints {
                    self.expr(hint, scope);
                }
                match args {
                    Some(args) => {
                        // A table function: `name(args)`, implicitly lateral.
                        self.walk(args, scope);
                        let relation = self.function_relation(name, alias.as_ref());
                        scope.relations.push(relation);
                    }
                    None => {
                        let relation = self.named_relation(name, alias.as_ref(), scope);
                        scope.relations.push(relation);
                    }
                }
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let derived = if *lateral {
                    self.query(subquery, Some(scope))
                } else {
                    self.query(subquery, scope.parent)
                };
                let (name, derived) = match alias {
                    Some(alias) => (fold(&alias.name), renamed(derived, alias)),
                    None => (String::new(), derived),
                };
                scope.relations.push(Relation {
                    qualified_only: false,
                    name,
                    schema: None,
                    kind: Kind::Derived(derived),
                });
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let start = scope.relations.len();
                self.relation_list_item(table_with_joins, scope);
                if let Some(alias) = alias {
                    let members = scope.relations.split_off(start);
                    scope.relations.push(Relation {
                        qualified_only: false,
                        name: fold(&alias.name),
                        schema: None,
                        kind: Kind::Join(Rc::new(members)),
                    });
                }
            }
            TableFactor::Function {
                name, args, alias, ..
            } => {
                for arg in args {
                    self.walk(arg, scope);
                }
                let relation = self.function_relation(name, alias.as_ref());
                scope.relations.push(relation);
            }
            TableFactor::TableFunction { expr, alias } => {
                self.expr(expr, scope);
                let relation = alias_relation(alias.as_ref(), "");
                scope.relations.push(relation);
            }
            TableFactor::UNNEST {
                alias, array_exprs, ..
            } => {
                for expr in array_exprs {
                    self.expr(expr, scope);
                }
                let relation = alias_relation(alias.as_ref(), "unnest");
                scope.relations.push(relation);
            }
            TableFactor::JsonTable {
                json_expr, alias, ..
            } => {
                self.expr(json_expr, scope);
                let relation = alias_relation(alias.as_ref(), "json_table");
                scope.relations.push(relation);
            }
            other => {
                // Other dialects' table factors (PIVOT, MATCH_RECOGNIZE, ...).
                let mut found = None;
                let _ = sqlparser::ast::visit_relations(other, |name| {
                    if let Some(parts) = idents(name) {
                        if let Some((last, rest)) = parts.split_last() {
                            let schema = rest.last().map(|s| fold(s));
                            let table = fold(last);
                            if found.is_none()
                                && self.context.is_hc_table(schema.as_deref(), &table)
                            {
                                found = Some((table, self.at(last)));
                            }
                        }
                    }
                    ControlFlow::<()>::Continue(())
                });
                if let Some((table, at)) = found {
                    self.error(
                        SqlErrorKind::Unsupported {
                            statement: "table expression".to_string(),
                            table,
                        },
                        at,
                    );
                }
                scope.relations.push(Relation {
                    qualified_only: false,
                    name: String::new(),
                    schema: None,
                    kind: Kind::Other,
                });
            }
        }
        self.leave();
    }

    /// A table named in `FROM`: a CTE, a Heroku Connect table (required, read), or another.
    fn named_relation(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Relation {
        let Some(parts) = idents(name) else {
            return alias_relation(alias, "");
        };
        let Some((last, rest)) = parts.split_last() else {
            return alias_relation(alias, "");
        };
        let table = fold(last);
        let schema = rest.last().map(|s| fold(s));
        let at = self.at(last);
        self.named(&table, schema, at, alias, scope)
    }

    fn named(
        &mut self,
        table: &str,
        schema: Option<String>,
        at: Range<usize>,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Relation {
        let cte = if schema.is_none() {
            scope.cte(table)
        } else {
            None
        };
        let kind = if let Some(cte) = cte {
            Kind::Derived(cte)
        } else if self.context.is_hc_table(schema.as_deref(), table) {
            self.table_use(table, Access::Read, at.clone());
            Kind::Hc(table.to_string())
        } else {
            Kind::Other
        };
        let mut relation = Relation {
            qualified_only: false,
            name: table.to_string(),
            schema,
            kind,
        };
        if let Some(alias) = alias {
            self.alias_columns_on_table(&relation, alias, at);
            relation.name = fold(&alias.name);
            relation.schema = None;
            if let Kind::Derived(derived) = &relation.kind {
                relation.kind = Kind::Derived(renamed(Rc::clone(derived), alias));
            }
        }
        relation
    }

    /// `account AS a(x, y)` renames a table's columns by position: an error on a Heroku
    /// Connect table, whose column order differs between environments.
    fn alias_columns_on_table(
        &mut self,
        relation: &Relation,
        alias: &TableAlias,
        at: Range<usize>,
    ) {
        if let (Kind::Hc(table), false) = (&relation.kind, alias.columns.is_empty()) {
            self.error(
                SqlErrorKind::EnvironmentDependent {
                    table: table.clone(),
                    what: "a column list in a table's alias renames its columns by position"
                        .to_string(),
                    fix: format!(
                        "alias the table only (`{table} AS {}`) and rename columns in the \
                         select list",
                        fold(&alias.name)
                    ),
                },
                at,
            );
        }
    }

    /// A set-returning function in `FROM`: its columns are those of its alias list, if any.
    fn function_relation(&mut self, name: &ObjectName, alias: Option<&TableAlias>) -> Relation {
        let function = idents(name)
            .and_then(|parts| parts.last().map(|p| fold(p)))
            .unwrap_or_default();
        alias_relation(alias, &function)
    }

    // ---- columns -----------------------------------------------------------------------

    /// What `relation` has under `column`: hits appended to `hits`; `true` when it may have
    /// it without the analysis knowing (unknown columns).
    fn lookup(&self, relation: &Relation, column: &str, hits: &mut Vec<Hit>) -> bool {
        match &relation.kind {
            Kind::Hc(table) => {
                if names::is_hc_name(column) && self.context.known().has_column(table, column) {
                    hits.push(Hit {
                        via: relation.name.clone(),
                        origin: Some((table.clone(), column.to_string())),
                    });
                }
                false
            }
            Kind::Other => true,
            Kind::Derived(derived) => {
                if let Some(output) = derived.outputs.iter().find(|o| o.name == column) {
                    hits.push(Hit {
                        via: relation.name.clone(),
                        origin: output.origin.clone(),
                    });
                    return false;
                }
                let mut maybe = derived.open;
                for source in &derived.wildcard {
                    let before = hits.len();
                    maybe |= self.lookup(source, column, hits);
                    for hit in &mut hits[before..] {
                        hit.via = relation.name.clone();
                    }
                }
                maybe
            }
            Kind::Join(members) => {
                let mut maybe = false;
                for member in members.iter() {
                    maybe |= self.lookup(member, column, hits);
                }
                maybe
            }
        }
    }

    /// Record a hit: a read of its Heroku Connect column, if it is one.
    fn apply(&mut self, hit: &Hit, at: Range<usize>) -> Option<(String, String)> {
        let (table, column) = hit.origin.as_ref()?;
        self.read_hc(&table.clone(), &column.clone(), at)
    }

    fn ambiguous(&mut self, column: &str, hits: &[Hit], at: Range<usize>) {
        let mut candidates: Vec<String> = Vec::new();
        for hit in hits {
            let shown = match &hit.origin {
                Some((table, _)) if *table != hit.via && !hit.via.is_empty() => {
                    format!("`{}.{column}` ({table})", hit.via)
                }
                _ if hit.via.is_empty() => format!("`{column}` of a subquery"),
                _ => format!("`{}.{column}`", hit.via),
            };
            if !candidates.contains(&shown) {
                candidates.push(shown);
            }
        }
        self.error(
            SqlErrorKind::AmbiguousColumn {
                column: column.to_string(),
                candidates,
            },
            at,
        );
    }

    /// A column reference (`col`, `t.col`, `schema.t.col`); the Heroku Connect column it
    /// is, when it is one.
    fn column_ref(&mut self, parts: &[Ident], scope: &Scope<'_>) -> Option<(String, String)> {
        let (column_ident, qualifier) = parts.split_last()?;
        let column = fold(column_ident);
        let at = self.at(column_ident);
        if column.starts_with(PLACEHOLDER_PREFIX)
            || qualifier
                .iter()
                .any(|q| q.value.starts_with(PLACEHOLDER_PREFIX))
        {
            return None;
        }
        if qualifier.is_empty() {
            // DEFAULT in VALUES and SET is a keyword, not a column.
            if column_ident.quote_style.is_none() && column == "default" {
                return None;
            }
            return self.unqualified(&column, at, scope);
        }
        let qualifier: Vec<&Ident> = qualifier.iter().collect();
        let relation = self.qualifier_parts(&qualifier, scope)?;
        self.qualified(&relation, &column, at)
    }

    /// `relation.column`.
    fn qualified(
        &mut self,
        relation: &Relation,
        column: &str,
        at: Range<usize>,
    ) -> Option<(String, String)> {
        match &relation.kind {
            Kind::Hc(table) => self.read_hc(&table.clone(), column, at),
            Kind::Other => None,
            Kind::Derived(_) | Kind::Join(_) => {
                let mut hits = Vec::new();
                let maybe = self.lookup(relation, column, &mut hits);
                match hits.len() {
                    1 => self.apply(&hits[0], at),
                    0 => {
                        // Not among the known outputs: the only Heroku Connect table behind a
                        // `*` has it, or nothing does (PostgreSQL reports that at run time).
                        let sources = hc_sources(relation);
                        if !maybe && sources.len() == 1 && !has_closed_outputs_only(relation) {
                            self.read_hc(&sources[0], column, at)
                        } else {
                            None
                        }
                    }
                    _ => {
                        self.ambiguous(column, &hits, at);
                        None
                    }
                }
            }
        }
    }

    /// The relation a qualifier (`a`, `account`, `salesforce.account`) names, or an error.
    fn qualifier(&mut self, name: &ObjectName, scope: &Scope<'_>) -> Option<Relation> {
        let parts = idents(name)?;
        self.qualifier_parts(&parts, scope)
    }

    fn qualifier_parts(&mut self, parts: &[&Ident], scope: &Scope<'_>) -> Option<Relation> {
        let (last, rest) = parts.split_last()?;
        let name = fold(last);
        let schema = rest.last().map(|s| fold(s));
        if let Some(relation) = scope.relation(&name, schema.as_deref()) {
            return Some(relation.clone());
        }
        let written: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
        let first = self.at(parts[0]);
        let at = first.start..self.at(last).end.max(first.start);
        self.error(
            SqlErrorKind::UnknownQualifier {
                qualifier: written.join("."),
                tables: scope.visible_names(),
            },
            at,
        );
        None
    }

    /// An unqualified column, resolved scope by scope (see the module documentation).
    fn unqualified(
        &mut self,
        column: &str,
        at: Range<usize>,
        scope: &Scope<'_>,
    ) -> Option<(String, String)> {
        let mut maybe_seen = false;
        for level in scope.levels() {
            if level.using.iter().any(|u| u == column) {
                return None; // already required by the USING clause
            }
            let mut hits = Vec::new();
            let mut maybe = false;
            for relation in level.relations.iter().filter(|r| !r.qualified_only) {
                maybe |= self.lookup(relation, column, &mut hits);
            }
            match hits.len() {
                0 => maybe_seen |= maybe,
                1 => return self.apply(&hits[0], at),
                _ => {
                    self.ambiguous(column, &hits, at);
                    return None;
                }
            }
        }
        // A whole-row reference (`row_to_json(a)`): the table only.
        if let Some(relation) = scope.relation(column, None) {
            let relation = relation.clone();
            for table in hc_sources(&relation) {
                self.table_use(&table, Access::Read, at.clone());
            }
            return None;
        }
        if maybe_seen {
            return None;
        }
        let mut sources: Vec<String> = Vec::new();
        for level in scope.levels() {
            for relation in level.relations.iter().filter(|r| !r.qualified_only) {
                for table in hc_sources(relation) {
                    if !sources.contains(&table) {
                        sources.push(table);
                    }
                }
            }
        }
        match sources.len() {
            0 => None,
            1 => self.read_hc(&sources[0], column, at),
            _ => {
                self.error(
                    SqlErrorKind::UnknownColumn {
                        column: column.to_string(),
                        tables: sources,
                    },
                    at,
                );
                None
            }
        }
    }

    /// An unqualified column looked up among `relations` only (one side of `USING`).
    fn unqualified_among(
        &mut self,
        relations: &[Relation],
        using: &[String],
        column: &str,
        at: Range<usize>,
    ) {
        if using.iter().any(|u| u == column) && relations.len() > 1 {
            return;
        }
        let mut hits = Vec::new();
        let mut maybe = false;
        for relation in relations {
            maybe |= self.lookup(relation, column, &mut hits);
        }
        match hits.len() {
            1 => {
                self.apply(&hits[0], at);
            }
            0 if !maybe => {
                let mut sources: Vec<String> = Vec::new();
                for relation in relations {
                    sources.extend(hc_sources(relation));
                }
                sources.dedup();
                if sources.len() == 1 {
                    self.read_hc(&sources[0], column, at);
                }
            }
            0 => {}
            _ => self.ambiguous(column, &hits, at),
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
        match expr {
            Expr::Identifier(ident) => {
                self.resolver
                    .column_ref(std::slice::from_ref(ident), self.scope);
            }
            Expr::CompoundIdentifier(parts) => {
                self.resolver.column_ref(parts, self.scope);
            }
            Expr::QualifiedWildcard(name, token) => {
                if let Some(relation) = self.resolver.qualifier(name, self.scope) {
                    let at = self.resolver.at_span(token.0.span);
                    self.resolver.whole_row(&relation, at);
                }
            }
            Expr::Function(function) => {
                if let FunctionArguments::List(list) = &function.args {
                    for arg in &list.args {
                        match arg {
                            FunctionArg::ExprNamed { name, .. } => {
                                self.skip.push(name as *const Expr);
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
                                    self.resolver.whole_row(&relation, at);
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Expr::CompoundFieldAccess { access_chain, .. } => {
                for access in access_chain {
                    if let AccessExpr::Dot(field) = access {
                        self.skip.push(field as *const Expr);
                    }
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

impl Resolver<'_, '_> {
    /// `t.*` in an expression (`row_to_json(t.*)`, `count(t.*)`): the table only.
    fn whole_row(&mut self, relation: &Relation, at: Range<usize>) {
        self.wildcard(relation, at);
    }
}

/// The Heroku Connect tables whose columns `relation` offers by name (itself, or the tables
/// behind a derived table's `*`).
fn hc_sources(relation: &Relation) -> Vec<String> {
    match &relation.kind {
        Kind::Hc(table) => vec![table.clone()],
        Kind::Other => Vec::new(),
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
