//! Column references: qualified, unqualified (scope by scope), whole-row, with the
//! ambiguity and unknown-column errors.

use super::*;

impl<'c, 'l> Resolver<'c, 'l> {
    /// What `relation` has under `column`: hits appended to `hits`; `true` when it may have
    /// it without the analysis knowing (unknown columns).
    pub(super) fn lookup(&self, relation: &Relation, column: &str, hits: &mut Vec<Hit>) -> bool {
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
            Kind::Function(columns) => {
                if columns.iter().any(|c| c == column) {
                    hits.push(Hit {
                        via: relation.name.clone(),
                        origin: None,
                    });
                }
                false
            }
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
    pub(super) fn apply(&mut self, hit: &Hit, at: Range<usize>) -> Option<(String, String)> {
        let (table, column) = hit.origin.as_ref()?;
        self.read_hc(&table.clone(), &column.clone(), at)
    }

    pub(super) fn ambiguous(&mut self, column: &str, hits: &[Hit], at: Range<usize>) {
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
    pub(super) fn column_ref(
        &mut self,
        parts: &[Ident],
        scope: &Scope<'_>,
    ) -> Option<(String, String)> {
        let (column_ident, qualifier) = parts.split_last()?;
        let column = fold(column_ident);
        let at = self.at(column_ident);
        if qualifier
            .iter()
            .any(|q| q.value.starts_with(PLACEHOLDER_PREFIX))
        {
            // `{schema}.account.name`: the table, if the query has it so (with its schema,
            // else by its name). `{t}.name`: any relation may be `{t}`: read as unqualified
            // (never dropped: that would be a false pass).
            let (last, rest) = qualifier.split_last()?;
            if !last.value.starts_with(PLACEHOLDER_PREFIX) {
                let schema = rest.last().map(fold);
                let relation = scope
                    .relation(&fold(last), schema.as_deref())
                    .or_else(|| scope.relation(&fold(last), None))
                    .cloned();
                if let Some(relation) = relation {
                    return self.qualified(&relation, &column, at);
                }
            }
            if column.starts_with(PLACEHOLDER_PREFIX) {
                return None;
            }
            return self.unqualified(&column, at, scope);
        }
        if column.starts_with(PLACEHOLDER_PREFIX) {
            if !qualifier.is_empty() {
                // `a.{}`: a column of `a` that cannot be known.
                let qualifier: Vec<&Ident> = qualifier.iter().collect();
                let relation = self.qualifier_parts(&qualifier, scope)?;
                return self.qualified(&relation, &column, at);
            }
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
    pub(super) fn qualified(
        &mut self,
        relation: &Relation,
        column: &str,
        at: Range<usize>,
    ) -> Option<(String, String)> {
        match &relation.kind {
            Kind::Hc(table) => self.read_hc(&table.clone(), column, at),
            Kind::Other | Kind::Function(_) => None,
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
                        } else if !maybe && sources.len() > 1 {
                            // Several Heroku Connect tables behind `j.x` and none has `x` in
                            // any snapshot: never a silent pass.
                            self.error(
                                SqlErrorKind::UnknownColumn {
                                    column: column.to_string(),
                                    tables: sources,
                                },
                                at,
                            );
                            None
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
    pub(super) fn qualifier(&mut self, name: &ObjectName, scope: &Scope<'_>) -> Option<Relation> {
        let parts = idents(name)?;
        self.qualifier_parts(&parts, scope)
    }

    pub(super) fn qualifier_parts(
        &mut self,
        parts: &[&Ident],
        scope: &Scope<'_>,
    ) -> Option<Relation> {
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
    pub(super) fn unqualified(
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
        // A whole-row reference: the table only; given whole to a function that returns its
        // columns (`row_to_json(a)`, `to_jsonb(a)`), every column, as `a.*`.
        if let Some(relation) = scope.relation(column, None) {
            let relation = relation.clone();
            self.row_value(&relation, at.clone());
            if self.row_exposed {
                self.wildcard(&relation, at.clone());
            }
            for table in hc_sources(&relation) {
                self.table_use(&table, Access::Read, at.clone());
            }
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
        if is_pg_system_column(column) {
            // Every table has it: PostgreSQL's own error with several tables is ambiguity.
            if sources.len() > 1 {
                let hits: Vec<Hit> = sources
                    .iter()
                    .map(|table| Hit {
                        via: table.clone(),
                        origin: None,
                    })
                    .collect();
                self.ambiguous(column, &hits, at);
            }
            return None;
        }
        // A function in `FROM` may return columns the analysis does not know (a record): the
        // column may be its, or a Heroku Connect column no snapshot has. Qualified, it is clear.
        // The same holds beside a table no snapshot knows (the app's own), or a subquery whose
        // columns are not all known: the rule, an unqualified column that is in none
        // of the snapshots' tables is an error naming the candidates, never a silent pass.
        let mut functions: Vec<String> = scope
            .levels()
            .flat_map(|level| level.relations.iter())
            .filter(|r| {
                !r.qualified_only
                    && (matches!(r.kind, Kind::Function(_) | Kind::Other)
                        || matches!(&r.kind, Kind::Derived(d)
                            if d.open || d.wildcard.iter().any(|w| hc_sources(w).is_empty())))
            })
            .map(|r| r.name.clone())
            .filter(|name| !name.is_empty())
            .collect();
        if maybe_seen && functions.is_empty() {
            functions.push("a subquery".to_string());
        }
        if maybe_seen && sources.is_empty() {
            return None;
        }
        if !sources.is_empty() && !functions.is_empty() {
            self.error(
                SqlErrorKind::UnknownColumnBesideFunction {
                    column: column.to_string(),
                    tables: sources,
                    functions,
                },
                at,
            );
            return None;
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
    pub(super) fn unqualified_among(
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
}
