//! Statements: `INSERT`, `UPDATE`, `DELETE`, `MERGE`, their targets, `SET`, `ON CONFLICT`,
//! `RETURNING`, and the statements that are not analysed.

use super::*;

impl<'c, 'l> Resolver<'c, 'l> {
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
            // Statements that hold a statement or a query: what they run is read as it is
            // (`EXPLAIN ANALYZE UPDATE ...` executes the write). Their output is not the
            // query's rows: the kind stays `Other`.
            Statement::Explain { statement, .. } | Statement::Prepare { statement, .. } => {
                self.statement(statement);
                StatementKind::Other
            }
            Statement::Copy {
                source: sqlparser::ast::CopySource::Query(query),
                ..
            } => {
                self.query(query, None);
                StatementKind::Other
            }
            Statement::Copy {
                source:
                    sqlparser::ast::CopySource::Table {
                        table_name,
                        columns,
                    },
                to,
                ..
            } => {
                self.copy_table(statement, table_name, columns, *to);
                StatementKind::Other
            }
            Statement::Declare { stmts, .. }
                if stmts.iter().all(|d| {
                    d.for_query.is_some() && d.assignment.is_none() && d.data_type.is_none()
                }) =>
            {
                for declare in stmts {
                    if let Some(query) = &declare.for_query {
                        self.query(query, None);
                    }
                }
                StatementKind::Other
            }
            Statement::CreateTable(create) if create.query.is_some() => {
                // `CREATE [TEMP] TABLE t AS SELECT ...`: the query is read; the new table must
                // not be a Heroku Connect one, and nothing else may name one (`LIKE`).
                let mut rest = create.clone();
                let query = rest.query.take();
                self.unsupported_table(statement, &create.name);
                self.unsupported(&Statement::CreateTable(rest));
                if let Some(query) = &query {
                    self.query(query, None);
                }
                StatementKind::Other
            }
            // Statements that name their tables right after them: `TRUNCATE` deletes every
            // row (a write of the table, as a `DELETE`), `VACUUM` and `ANALYZE` read the table
            // (and `ANALYZE t (cols)` its columns): each needs the table mapped.
            Statement::Truncate(truncate) => {
                for target in &truncate.table_names {
                    self.whole_table(statement, &target.name, Access::Write, &[]);
                }
                StatementKind::Other
            }
            Statement::Analyze(analyze) if analyze.table_name.is_some() => {
                if let Some(name) = &analyze.table_name {
                    self.whole_table(statement, name, Access::Read, &analyze.columns);
                }
                StatementKind::Other
            }
            Statement::Vacuum(vacuum) if vacuum.table_name.is_some() => {
                if let Some(name) = &vacuum.table_name {
                    self.whole_table(statement, name, Access::Read, &[]);
                }
                StatementKind::Other
            }
            other => {
                self.unsupported(other);
                StatementKind::Other
            }
        }
    }

    /// `statement` uses the table `name` as a whole (`TRUNCATE`, `VACUUM`, `ANALYZE`), and
    /// `columns` of it: a use of the table with `access`, if it is a Heroku Connect table.
    fn whole_table(
        &mut self,
        statement: &Statement,
        name: &sqlparser::ast::ObjectName,
        access: Access,
        columns: &[Ident],
    ) {
        let Some((relation, at)) = self.target(name, None, None) else {
            self.unsupported(statement);
            return;
        };
        let Kind::Hc(table) = &relation.kind else {
            return;
        };
        self.table_use(table, access, at);
        for column in columns {
            let at = self.at(column);
            self.read_hc(table, &fold(column), at);
        }
    }

    /// `statement` names the table `name` outside what the visitor sees (`CREATE TABLE name AS
    /// ...`): an error if it is a Heroku Connect table.
    fn unsupported_table(&mut self, statement: &Statement, name: &sqlparser::ast::ObjectName) {
        let Some(parts) = idents(name) else {
            return;
        };
        let Some((last, rest)) = parts.split_last() else {
            return;
        };
        let schema = rest.last().map(|s| fold(s));
        let table = fold(last);
        if self.context.is_hc_table(schema.as_deref(), &table) {
            let at = self.at(last);
            self.unsupported_error(statement, table, at);
        }
    }

    /// `COPY table (columns) TO ...` reads the columns, `COPY table (columns) FROM ...` writes
    /// them; without a column list it copies every column by position, which differs between
    /// environments (an error on a Heroku Connect table).
    fn copy_table(
        &mut self,
        statement: &Statement,
        name: &sqlparser::ast::ObjectName,
        columns: &[Ident],
        to: bool,
    ) {
        let Some((relation, at)) = self.target(name, None, None) else {
            // sqlparser's relation visitor does not see COPY's table: name it here.
            self.unsupported(statement);
            return;
        };
        let Kind::Hc(table) = &relation.kind else {
            return;
        };
        let access = if to { Access::Read } else { Access::Write };
        self.table_use(table, access, at.clone());
        if columns.is_empty() {
            let direction = if to { "reads" } else { "writes" };
            self.error(
                SqlErrorKind::EnvironmentDependent {
                    table: table.clone(),
                    what: format!(
                        "a COPY without a column list {direction} every column by position"
                    ),
                    fix: format!("list the columns: COPY {table} (col, ...)"),
                },
                at,
            );
            return;
        }
        for column in columns {
            let at = self.at(column);
            if to {
                self.read_hc(table, &fold(column), at);
            } else {
                self.write_hc(table, &fold(column), at);
            }
        }
    }

    /// A statement that is not analysed: an error if it touches a Heroku Connect table.
    pub(super) fn unsupported(&mut self, statement: &Statement) {
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
            self.unsupported_error(statement, table, at);
            return;
        }
        // Names the relation visitor does not see (`CREATE TABLE t (LIKE s.account)`, a
        // `REFERENCES`, a trigger's table): any `schema.table` of a Heroku Connect schema.
        if let Some(table) = self.qualified_hc_name(&statement.to_string()) {
            let at = self.at_span(statement.span());
            self.unsupported_error(statement, table, at);
        }
    }

    /// The first `schema.table` of `text` (tokens as SQL reads them) whose schema is a Heroku
    /// Connect schema and whose table is a Heroku Connect name.
    fn qualified_hc_name(&self, text: &str) -> Option<String> {
        use sqlparser::tokenizer::{Token, Tokenizer};
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let tokens = Tokenizer::new(&dialect, text).tokenize().ok()?;
        let word = |token: &Token| match token {
            Token::Word(word) if word.quote_style.is_some() => Some(word.value.clone()),
            Token::Word(word) => Some(word.value.to_ascii_lowercase()),
            _ => None,
        };
        let significant: Vec<&Token> = tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect();
        significant
            .windows(3)
            .find_map(|w| match (word(w[0]), w[1], word(w[2])) {
                (Some(schema), Token::Period, Some(table))
                    if self.context.is_hc_schema(&schema)
                        && self.context.is_hc_table(Some(&schema), &table) =>
                {
                    Some(table)
                }
                _ => None,
            })
    }

    fn unsupported_error(&mut self, statement: &Statement, table: String, at: Range<usize>) {
        {
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
    pub(super) fn nested_statement(
        &mut self,
        statement: &Statement,
        scope: &Scope<'_>,
    ) -> Rc<Derived> {
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

    pub(super) fn insert(&mut self, insert: &Insert, parent: Option<&Scope<'_>>) -> Rc<Derived> {
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
                    // `(col.field)` writes a field of the column `col`: the first part.
                    if let Some(ident) = idents(column).and_then(|p| p.first().copied()) {
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

    pub(super) fn update(&mut self, update: &Update, parent: Option<&Scope<'_>>) -> Rc<Derived> {
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

    pub(super) fn delete(&mut self, delete: &Delete, parent: Option<&Scope<'_>>) -> Rc<Derived> {
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

    pub(super) fn merge(&mut self, merge: &Merge, parent: Option<&Scope<'_>>) -> Rc<Derived> {
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
                            // `(col.field)` writes a field of the column `col`: the first part.
                            if let Some(ident) = idents(column).and_then(|p| p.first().copied()) {
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
    pub(super) fn target(
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
            self.schema_qualified(schema.as_deref(), &table, at.clone());
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
    pub(super) fn target_factor(
        &mut self,
        factor: &TableFactor,
        scope: &mut Scope<'_>,
    ) -> Option<Relation> {
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
    pub(super) fn assignment(
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
    pub(super) fn qualified_in(&mut self, target: Option<&Relation>, column: &Ident) {
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
    pub(super) fn returning(
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
}
