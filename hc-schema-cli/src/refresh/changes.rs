//! What `refresh` would change in a snapshot, in words: tables and columns added or gone, and
//! changed types, nullability, access, API names and flags.

use std::fmt::Write as _;

use hc_schema_snapshot::snapshot::{Column, MappingAccess, Table};
use hc_schema_snapshot::Snapshot;
use serde::Serialize;

/// One change, from the file (`old`) to what refresh would write (`new`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The table, or `None` for a top-level field (`schema`, `source`, `environment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The column, for a column change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `added`, `removed`, or the field that changed (`type`, `nullable`, `access`,
    /// `system`, `object`, `field`, `schema`, `source`, `environment`).
    pub what: &'static str,
    /// The value in the file (for a changed field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// The value refresh would write (for a changed field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<String>,
}

fn field(
    out: &mut Vec<Change>,
    table: Option<&str>,
    column: Option<&str>,
    what: &'static str,
    old: Option<String>,
    new: Option<String>,
) {
    if old != new {
        out.push(Change {
            table: table.map(str::to_string),
            column: column.map(str::to_string),
            what,
            snapshot: Some(old.unwrap_or_else(|| "(none)".into())),
            live: Some(new.unwrap_or_else(|| "(none)".into())),
        });
    }
}

fn presence(table: &str, column: Option<&str>, what: &'static str) -> Change {
    Change {
        table: Some(table.to_string()),
        column: column.map(str::to_string),
        what,
        snapshot: None,
        live: None,
    }
}

fn access(access: Option<MappingAccess>) -> Option<String> {
    Some(access.map_or("unknown".to_string(), |a| a.to_string()))
}

/// Every change from `old` to `new`, in file order.
pub fn changes(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    field(
        &mut out,
        None,
        None,
        "environment",
        Some(old.environment.clone()),
        Some(new.environment.clone()),
    );
    field(
        &mut out,
        None,
        None,
        "schema",
        Some(old.schema.clone()),
        Some(new.schema.clone()),
    );
    field(
        &mut out,
        None,
        None,
        "source",
        old.source.clone(),
        new.source.clone(),
    );
    let names: std::collections::BTreeSet<&String> =
        old.tables.keys().chain(new.tables.keys()).collect();
    for name in names {
        match (old.tables.get(name), new.tables.get(name)) {
            (Some(_), None) => out.push(presence(name, None, "removed")),
            (None, Some(_)) => out.push(presence(name, None, "added")),
            (Some(a), Some(b)) => table_changes(&mut out, name, a, b),
            (None, None) => {}
        }
    }
    out
}

fn table_changes(out: &mut Vec<Change>, name: &str, a: &Table, b: &Table) {
    let t = Some(name);
    field(out, t, None, "object", a.object.clone(), b.object.clone());
    if a.access != b.access {
        field(out, t, None, "access", access(a.access), access(b.access));
    }
    let columns: std::collections::BTreeSet<&String> =
        a.columns.keys().chain(b.columns.keys()).collect();
    for column in columns {
        match (a.columns.get(column), b.columns.get(column)) {
            (Some(_), None) => out.push(presence(name, Some(column), "removed")),
            (None, Some(_)) => out.push(presence(name, Some(column), "added")),
            (Some(x), Some(y)) => column_changes(out, name, column, x, y),
            (None, None) => {}
        }
    }
}

fn column_changes(out: &mut Vec<Change>, table: &str, column: &str, x: &Column, y: &Column) {
    let (t, c) = (Some(table), Some(column));
    field(out, t, c, "type", x.data_type.clone(), y.data_type.clone());
    let null = |nullable: bool| Some(if nullable { "nullable" } else { "NOT NULL" }.to_string());
    field(out, t, c, "nullable", null(x.nullable), null(y.nullable));
    field(out, t, c, "field", x.field.clone(), y.field.clone());
    let system = |s: bool| Some(if s { "system" } else { "not system" }.to_string());
    field(out, t, c, "system", system(x.system), system(y.system));
}

/// The changes grouped by table: `-` only in the file, `+` only live, `~` changed.
pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for change in changes {
        let values = || {
            format!(
                "(snapshot: {}, live: {})",
                change.snapshot.as_deref().unwrap_or_default(),
                change.live.as_deref().unwrap_or_default()
            )
        };
        match (&change.table, &change.column) {
            (None, _) => {
                let _ = writeln!(out, "~ {}  {}", change.what, values());
                current = None;
            }
            (Some(table), None) => {
                let line = match change.what {
                    "removed" => format!("- table {table}  (only in snapshot)"),
                    "added" => format!("+ table {table}  (only in live)"),
                    what => format!("~ table {table}  {what} {}", values()),
                };
                let _ = writeln!(out, "{line}");
                current = None;
            }
            (Some(table), Some(column)) => {
                if current != Some(table.as_str()) {
                    let _ = writeln!(out, "  table {table}");
                    current = Some(table.as_str());
                }
                let line = match change.what {
                    "removed" => format!("-   {column}  (only in snapshot)"),
                    "added" => format!("+   {column}  (only in live)"),
                    what => format!("~   {column}  {what} {}", values()),
                };
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(text: &str) -> Snapshot {
        Snapshot::parse(text, "t.json", "t").unwrap()
    }

    #[test]
    fn every_kind_of_change_is_named() {
        let old = snapshot(
            r#"{"format":1,"environment":"t","schema":"s","tables":{
            "account":{"columns":{"name":{"type":"text"},"gone":{}}},
            "contact":{"access":"read_write","columns":{}},
            "old":{"columns":{}}}}"#,
        );
        let new = snapshot(
            r#"{"format":1,"environment":"t","schema":"s","source":"postgres://h:5432/d","tables":{
            "account":{"columns":{"name":{"type":"text","nullable":false},"new":{}}},
            "contact":{"access":"read_only","columns":{}},
            "lead":{"columns":{}}}}"#,
        );
        let text = render(&changes(&old, &new));
        assert_eq!(
            text,
            "~ source  (snapshot: (none), live: postgres://h:5432/d)\n\
             \x20 table account\n\
             -   gone  (only in snapshot)\n\
             ~   name  nullable (snapshot: nullable, live: NOT NULL)\n\
             +   new  (only in live)\n\
             ~ table contact  access (snapshot: read-write, live: read-only)\n\
             + table lead  (only in live)\n\
             - table old  (only in snapshot)\n"
        );
        assert!(changes(&new, &new).is_empty());
    }
}
