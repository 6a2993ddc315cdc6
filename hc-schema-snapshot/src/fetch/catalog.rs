//! The one catalog query.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::names;
use crate::snapshot::{Column, Snapshot};

/// What the catalog says about one schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Whether the schema exists.
    pub schema_exists: bool,
    /// Schemas of the database that look like Heroku Connect schemas (hold `_hcmeta` or
    /// `_trigger_log`), for "did you mean" when the schema is absent.
    pub hc_schemas: Vec<String>,
    /// table -> column -> (format_type, not null).
    pub columns: BTreeMap<String, BTreeMap<String, (String, bool)>>,
}

/// Escape `text` as a SQL string literal (standard_conforming_strings is on since 9.1).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The query text. Tables, partitioned tables, views, materialized views and foreign tables of
/// `schema`; live, user-visible columns; plus one row per schema that exists and is either
/// `schema` or looks like a Heroku Connect schema.
pub fn query(schema: &str) -> String {
    let schema = literal(schema);
    format!(
        "SELECT 'c', c.relname::text, a.attname::text, \
                pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = {schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
           AND a.attnum > 0 AND NOT a.attisdropped \
         UNION ALL \
         SELECT 's', n.nspname::text, NULL, NULL, NULL \
         FROM pg_catalog.pg_namespace n \
         WHERE n.nspname = {schema} OR EXISTS ( \
             SELECT 1 FROM pg_catalog.pg_class c \
             WHERE c.relnamespace = n.oid AND c.relname IN ('_hcmeta', '_trigger_log'))"
    )
}

/// Read the catalog of `schema`: one simple-query batch (one round trip) that opens a
/// read-only transaction, sets the statement timeout, runs [`query`] and commits.
pub fn read_catalog(
    client: &mut postgres::Client,
    schema: &str,
    statement_timeout: Duration,
) -> Result<Catalog, postgres::Error> {
    let batch = format!(
        "BEGIN READ ONLY; SET LOCAL statement_timeout = {}; {}; COMMIT",
        statement_timeout.as_millis().max(1),
        query(schema)
    );
    let mut catalog = Catalog::default();
    for message in client.simple_query(&batch)? {
        let postgres::SimpleQueryMessage::Row(row) = message else {
            continue;
        };
        match row.get(0) {
            Some("c") => {
                let (Some(table), Some(column)) = (row.get(1), row.get(2)) else {
                    continue;
                };
                let data_type = row.get(3).unwrap_or_default().to_string();
                let not_null = row.get(4) == Some("true");
                catalog
                    .columns
                    .entry(table.to_string())
                    .or_default()
                    .insert(column.to_string(), (data_type, not_null));
            }
            Some("s") => {
                let name = row.get(1).unwrap_or_default().to_string();
                if name == schema {
                    catalog.schema_exists = true;
                } else {
                    catalog.hc_schemas.push(name);
                }
            }
            _ => {}
        }
    }
    catalog.hc_schemas.sort();
    Ok(catalog)
}

impl Catalog {
    /// The snapshot: bookkeeping tables left out, system columns marked, names exactly as the
    /// catalog has them (a mixed-case or padded name stays distinct: it is not a Heroku
    /// Connect name and never matches a requirement).
    pub fn into_snapshot(self, env: &str, schema: &str, source: Option<String>) -> Snapshot {
        let mut snapshot = Snapshot::new(env, schema);
        snapshot.source = source;
        for (table, columns) in self.columns {
            if names::is_bookkeeping_table(&table) {
                continue;
            }
            let entry = snapshot.tables.entry(table).or_default();
            for (column, (data_type, not_null)) in columns {
                let name = column;
                entry.columns.insert(
                    name.clone(),
                    Column {
                        data_type: Some(data_type),
                        field: None,
                        nullable: !not_null,
                        system: names::is_system_column(&name),
                    },
                );
            }
        }
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_escaped() {
        assert!(query("o'brien").contains("n.nspname = 'o''brien'"));
    }

    #[test]
    fn snapshot_drops_bookkeeping_and_marks_system_columns() {
        let mut catalog = Catalog {
            schema_exists: true,
            ..Catalog::default()
        };
        catalog
            .columns
            .entry("_hcmeta".into())
            .or_default()
            .insert("id".into(), ("integer".into(), true));
        let account = catalog.columns.entry("account".into()).or_default();
        account.insert("id".into(), ("integer".into(), true));
        account.insert("name".into(), ("character varying(255)".into(), false));
        let snapshot = catalog.into_snapshot("prod", "salesforce", None);
        assert_eq!(snapshot.tables.len(), 1);
        let columns = &snapshot.tables["account"].columns;
        assert!(columns["id"].system && !columns["id"].nullable);
        assert!(!columns["name"].system && columns["name"].nullable);
    }
}
