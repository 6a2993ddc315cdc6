//! The one catalog query: every table and column of the schema, each mapping's access, and
//! the schemas that look like Heroku Connect schemas, in one round trip.
//!
//! Every value is a bound parameter (the extended protocol, pipelined with the transaction's
//! simple statements so that it stays one round trip), so no server setting
//! (`standard_conforming_strings = off`, say) can turn a schema name into SQL. The query runs
//! in a read-only transaction with `statement_timeout` and `lock_timeout`, and with
//! `search_path` pinned to `pg_catalog, pg_temp`.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio_postgres::types::{ToSql, Type};

use crate::names;
use crate::snapshot::{Column, MappingAccess, Snapshot, Table};

/// What the catalog says about one schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Whether the schema exists.
    pub schema_exists: bool,
    /// Schemas of the database that look like Heroku Connect schemas (hold `_hcmeta` or
    /// `_trigger_log`), other than the one asked for, for "did you mean".
    pub hc_schemas: Vec<String>,
    /// Whether the schema asked for itself holds `_hcmeta` or `_trigger_log`.
    pub schema_looks_hc: bool,
    /// Tables (with views, materialized views and foreign tables), names exactly as the
    /// catalog has them, with their columns and, where Heroku Connect's logger function shows
    /// it, their mapping's access. Bookkeeping tables included.
    pub tables: BTreeMap<String, Table>,
}

/// `$2`: the body of a read-only mapping's logger function.
pub const READ_ONLY_PATTERN: &str = r"trigger_row\.state\s*=\s*'READONLY'";
/// `$3`: the body of a read-write mapping's logger function.
pub const READ_WRITE_PATTERN: &str = r"trigger_row\.state\s*=\s*'NEW'";

/// The query. `$1` is the schema, `$2` and `$3` the patterns above. Rows: `c` (table, column,
/// type, not null) for each live, user-visible column; `t` (table, access) for each table, the
/// access computed from Heroku Connect's per-table trigger function `hc_<table>_logger()`
/// (`READONLY` state: read-only; `NEW`: read-write; no function: unknown), so no function body
/// leaves the server; `s` (schema) for the schema asked for and every schema that looks like
/// a Heroku Connect schema, with whether it holds Heroku Connect's bookkeeping tables.
pub const QUERY: &str = "\
SELECT 'c'::text, c.relname::text, a.attname::text, \
       pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull \
FROM pg_catalog.pg_attribute a \
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
WHERE n.nspname = $1::name AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
  AND a.attnum > 0 AND NOT a.attisdropped \
UNION ALL \
SELECT 't', c.relname::text, \
       (SELECT CASE WHEN bool_or(p.prosrc ~ $2) THEN 'read_only' \
                    WHEN bool_or(p.prosrc ~ $3) THEN 'read_write' END \
        FROM pg_catalog.pg_proc p \
        WHERE p.pronamespace = n.oid \
          AND p.proname = ('hc_' || c.relname || '_logger')::name), \
       NULL, NULL \
FROM pg_catalog.pg_class c \
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
WHERE n.nspname = $1::name AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
UNION ALL \
SELECT 's', n.nspname::text, NULL, NULL, \
       EXISTS (SELECT 1 FROM pg_catalog.pg_class c \
               WHERE c.relnamespace = n.oid AND c.relname IN ('_hcmeta', '_trigger_log')) \
FROM pg_catalog.pg_namespace n \
WHERE n.nspname = $1::name OR EXISTS ( \
    SELECT 1 FROM pg_catalog.pg_class c \
    WHERE c.relnamespace = n.oid AND c.relname IN ('_hcmeta', '_trigger_log'))";

/// The lock timeout for a statement timeout: nine tenths of it, so that a wait for a lock
/// (which the server names) ends before the statement timeout (which it does not explain).
pub fn lock_timeout(statement_timeout: Duration) -> Duration {
    statement_timeout * 9 / 10
}

/// The statements that open the read-only transaction around [`QUERY`]. Only numbers are
/// formatted into it.
pub fn setup(statement_timeout: Duration) -> String {
    let ms = |d: Duration| d.as_millis().clamp(1, i32::MAX as u128);
    format!(
        "BEGIN READ ONLY; SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}; \
         SET LOCAL search_path = pg_catalog, pg_temp",
        ms(statement_timeout),
        ms(lock_timeout(statement_timeout))
    )
}

/// Read the catalog of `schema`: the transaction's statements and the query are sent together
/// (one round trip); `schema` is a bound parameter. Rows are taken as they arrive (no list of
/// rows is kept), so memory follows the schema, not the transfer.
pub async fn read_catalog(
    client: &tokio_postgres::Client,
    schema: &str,
    statement_timeout: Duration,
) -> Result<Catalog, tokio_postgres::Error> {
    use futures_util::TryStreamExt;
    let setup = setup(statement_timeout);
    let params: [(&(dyn ToSql + Sync), Type); 3] = [
        (&schema, Type::TEXT),
        (&READ_ONLY_PATTERN, Type::TEXT),
        (&READ_WRITE_PATTERN, Type::TEXT),
    ];
    let query = async {
        let rows = client.query_typed_raw(QUERY, params).await?;
        let mut rows = std::pin::pin!(rows);
        let mut catalog = Catalog::default();
        while let Some(row) = rows.try_next().await? {
            catalog.add_row(&row, schema)?;
        }
        catalog.hc_schemas.sort();
        Ok(catalog)
    };
    let (begun, catalog, committed) = futures_util::future::join3(
        client.batch_execute(&setup),
        query,
        client.batch_execute("COMMIT"),
    )
    .await;
    begun?;
    let catalog = catalog?;
    committed?;
    Ok(catalog)
}

impl Catalog {
    /// Take one row of [`QUERY`].
    fn add_row(
        &mut self,
        row: &tokio_postgres::Row,
        schema: &str,
    ) -> Result<(), tokio_postgres::Error> {
        let kind: &str = row.try_get(0)?;
        let name: &str = row.try_get(1)?;
        match kind {
            "c" => {
                let column: &str = row.try_get(2)?;
                let data_type: Option<&str> = row.try_get(3)?;
                let not_null: Option<bool> = row.try_get(4)?;
                self.add_column(name, column, data_type, not_null.unwrap_or(false));
            }
            "t" => {
                let access: Option<&str> = row.try_get(2)?;
                self.add_table(name, access.and_then(|a| a.parse().ok()));
            }
            "s" => {
                let looks_hc: Option<bool> = row.try_get(4)?;
                if name == schema {
                    self.schema_exists = true;
                    self.schema_looks_hc = looks_hc.unwrap_or(false);
                } else {
                    self.hc_schemas.push(name.to_string());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn table_mut(&mut self, table: &str) -> &mut Table {
        if !self.tables.contains_key(table) {
            self.tables.insert(table.to_string(), Table::default());
        }
        self.tables.get_mut(table).expect("inserted above")
    }

    /// Record a column (as a `c` row does): its type and whether it is `NOT NULL`.
    pub fn add_column(
        &mut self,
        table: &str,
        column: &str,
        data_type: Option<&str>,
        not_null: bool,
    ) {
        self.table_mut(table).columns.insert(
            column.to_string(),
            Column {
                data_type: data_type.map(str::to_string),
                field: None,
                nullable: !not_null,
                system: names::is_system_column(column),
            },
        );
    }

    /// Record a table and its mapping's access (as a `t` row does).
    pub fn add_table(&mut self, table: &str, access: Option<MappingAccess>) {
        self.table_mut(table).access = access;
    }

    /// The snapshot: bookkeeping tables left out, system columns marked, names exactly as the
    /// catalog has them (a mixed-case or padded name stays distinct: it is not a Heroku
    /// Connect name and never matches a requirement).
    pub fn into_snapshot(self, env: &str, schema: &str, source: Option<String>) -> Snapshot {
        let mut snapshot = Snapshot::new(env, schema);
        snapshot.source = source;
        snapshot.tables = self.tables;
        snapshot
            .tables
            .retain(|name, _| !names::is_bookkeeping_table(name));
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_value_is_spliced_into_the_sql() {
        // Only numbers are formatted into the text the server sees; the schema is `$1`.
        assert!(!QUERY.contains('\\') && QUERY.contains("$1::name"));
        let setup = setup(Duration::from_millis(2500));
        assert_eq!(
            setup,
            "BEGIN READ ONLY; SET LOCAL statement_timeout = 2500; SET LOCAL lock_timeout = 2250; \
             SET LOCAL search_path = pg_catalog, pg_temp"
        );
        assert!(super::super::validate_schema("x\\'; COMMIT; --").is_err());
    }

    #[test]
    fn snapshot_drops_bookkeeping_and_marks_system_columns() {
        let mut catalog = Catalog {
            schema_exists: true,
            ..Catalog::default()
        };
        catalog.add_column("_hcmeta", "id", Some("integer"), true);
        catalog.add_column("account", "id", Some("integer"), true);
        catalog.add_column("account", "name", Some("character varying(255)"), false);
        catalog.add_table("account", Some(MappingAccess::ReadOnly));
        catalog.add_table("empty", None);
        let snapshot = catalog.into_snapshot("prod", "salesforce", None);
        assert_eq!(snapshot.tables.len(), 2);
        let account = &snapshot.tables["account"];
        assert_eq!(account.access, Some(MappingAccess::ReadOnly));
        assert!(account.columns["id"].system && !account.columns["id"].nullable);
        assert!(!account.columns["name"].system && account.columns["name"].nullable);
        assert!(snapshot.tables["empty"].columns.is_empty());
    }
}
