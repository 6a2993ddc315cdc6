//! `FROM` lists: tables (Heroku Connect's or not), CTE references, derived tables, `LATERAL`,
//! functions, joins with `ON`/`USING`/`NATURAL`.

use super::*;

impl<'c, 'l> Resolver<'c, 'l> {
    pub(super) fn relation_list_item(&mut self, item: &TableWithJoins, scope: &mut Scope<'_>) {
        let start = scope.relations.len();
        self.table_factor(&item.relation, scope);
        self.joins(&item.joins, start, scope);
    }

    /// The joins of a `FROM` item whose relations start at `start` in `scope`.
    pub(super) fn joins(
        &mut self,
        joins: &[sqlparser::ast::Join],
        start: usize,
        scope: &mut Scope<'_>,
    ) {
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

    pub(super) fn table_factor(&mut self, factor: &TableFactor, scope: &mut Scope<'_>) {
        if !self.enter() {
            return;
        }
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                with_ordinality,
                ..
            } => {
                for hint in with_hints {
                    self.expr(hint, scope);
                }
                match args {
                    Some(args) => {
                        // A table function: `name(args)`, implicitly lateral.
                        self.walk(args, scope);
                        let relation =
                            self.function_relation(name, alias.as_ref(), *with_ordinality);
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
                    Some(alias) => (fold(&alias.name), self.renamed_checked(derived, alias)),
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
                name,
                args,
                alias,
                with_ordinality,
                ..
            } => {
                for arg in args {
                    self.walk(arg, scope);
                }
                let relation = self.function_relation(name, alias.as_ref(), *with_ordinality);
                scope.relations.push(relation);
            }
            TableFactor::TableFunction { expr, alias } => {
                self.expr(expr, scope);
                let relation = alias_relation(alias.as_ref(), "");
                scope.relations.push(relation);
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset,
                with_ordinality,
                ..
            } => {
                for expr in array_exprs {
                    self.expr(expr, scope);
                }
                // One array: one column, named after the alias, else `unnest`.
                let relation = if array_exprs.len() == 1 && !*with_offset && !*with_ordinality {
                    function_alias_relation(alias.as_ref(), "unnest", false)
                } else {
                    alias_relation(alias.as_ref(), "unnest")
                };
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
    pub(super) fn named_relation(
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

    pub(super) fn named(
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
            self.schema_qualified(schema.as_deref(), table, at.clone());
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
                relation.kind = Kind::Derived(self.renamed_checked(Rc::clone(derived), alias));
            }
        }
        relation
    }

    /// A derived table's outputs renamed by its alias's column list ([`renamed`]); where the
    /// renamed positions include a `*` over a Heroku Connect table (`(SELECT * FROM account)
    /// s(a, b)`), an error: that table's column order differs between environments.
    pub(super) fn renamed_checked(
        &mut self,
        derived: Rc<Derived>,
        alias: &TableAlias,
    ) -> Rc<Derived> {
        if !alias.columns.is_empty() {
            let tables: Vec<String> = derived.wildcard.iter().flat_map(hc_sources).collect();
            if let Some(table) = tables.first() {
                let at = self.at(&alias.name);
                self.error(
                    SqlErrorKind::EnvironmentDependent {
                        table: table.clone(),
                        what: "a column list in an alias renames by position the columns a `*` \
                               selected"
                            .to_string(),
                        fix: "select the columns by name in the subquery".to_string(),
                    },
                    at,
                );
            }
        }
        renamed(derived, alias)
    }

    /// `account AS a(x, y)` renames a table's columns by position: an error on a Heroku
    /// Connect table, whose column order differs between environments.
    pub(super) fn alias_columns_on_table(
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
    pub(super) fn function_relation(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        with_ordinality: bool,
    ) -> Relation {
        let function = idents(name)
            .and_then(|parts| parts.last().map(|p| fold(p)))
            .unwrap_or_default();
        function_alias_relation(alias, &function, with_ordinality)
    }
}
