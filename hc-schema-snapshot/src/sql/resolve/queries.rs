//! Queries: CTEs, set operations, `VALUES`, select lists, `GROUP BY`/`ORDER BY` with output
//! names.

use super::*;

impl<'c, 'l> Resolver<'c, 'l> {
    pub(super) fn query(&mut self, query: &Query, parent: Option<&Scope<'_>>) -> Rc<Derived> {
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
                let derived = self.renamed_checked(derived, &cte.alias);
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

    pub(super) fn set_expr(
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

    pub(super) fn select(
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
            // Read as ORDER BY reads its expressions: a bare output name is the output.
            for expr in exprs {
                if !is_output_name(expr, &derived) {
                    self.expr(expr, &scope);
                }
            }
        }
        for expr in [&select.prewhere, &select.selection].into_iter().flatten() {
            self.expr(expr, &scope);
        }
        if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
            for expr in exprs {
                self.placeholder_column(expr, &scope);
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
    pub(super) fn order_by(&mut self, order_by: &OrderBy, derived: &Derived, scope: &Scope<'_>) {
        match &order_by.kind {
            OrderByKind::Expressions(exprs) => {
                for order in exprs {
                    self.placeholder_column(&order.expr, scope);
                    if is_output_name(&order.expr, derived) {
                        continue;
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
    pub(super) fn order_by_outputs(
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

    /// Whether some relation in `scope` (any level) has `column`.
    pub(super) fn has_column_anywhere(&self, column: &str, scope: &Scope<'_>) -> bool {
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
    pub(super) fn select_item(
        &mut self,
        item: &SelectItem,
        scope: &Scope<'_>,
        derived: &mut Derived,
        target: Option<&Relation>,
    ) {
        match item {
            SelectItem::UnnamedExpr(expr) => {
                self.placeholder_column(expr, scope);
                let origin = self.expr_origin(expr, scope);
                derived.outputs.push(Output {
                    name: column_name(expr),
                    origin,
                });
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                self.placeholder_column(expr, scope);
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
    pub(super) fn expr_origin(
        &mut self,
        expr: &Expr,
        scope: &Scope<'_>,
    ) -> Option<(String, String)> {
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
}

/// Whether `expr` is a bare name (`acct`, `"acct"`, `(acct)`) of one of `derived`'s outputs:
/// in `ORDER BY` and `DISTINCT ON` PostgreSQL takes it for that output column before any
/// input column (in `GROUP BY`, an input column comes first).
fn is_output_name(expr: &Expr, derived: &Derived) -> bool {
    match innermost(expr) {
        Expr::Identifier(ident) => {
            let name = fold(ident);
            derived.outputs.iter().any(|o| o.name == name)
        }
        _ => false,
    }
}
