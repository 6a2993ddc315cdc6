//! Snapshots from Heroku Connect mapping exports (`heroku connect:export`).
//!
//! An export lists, per mapped object, the mapped fields with their Salesforce API names, so an
//! imported snapshot knows `object` and `field` but no Postgres types. Heroku Connect stores the
//! Salesforce `Id` in column `sfid` and adds its own `id`, `_hc_lastop` and `_hc_err` columns;
//! the import adds them the same way.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::names;
use crate::snapshot::{Column, Snapshot, Table};

/// Why an export could not be imported.
#[derive(Debug, thiserror::Error)]
#[error("{path}{position}: {message}")]
pub struct ImportError {
    /// The export file.
    pub path: String,
    /// `:line:column` when known.
    pub position: String,
    /// What is wrong and what to do.
    pub message: String,
}

#[derive(Deserialize)]
struct Export {
    mappings: Vec<serde_json::Value>,
    #[serde(default)]
    connection: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Mapping {
    object_name: String,
    config: MappingConfig,
}

#[derive(Deserialize)]
struct MappingConfig {
    fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    access: Option<String>,
}

/// Build the snapshot of `env` from the text of a mapping export. The schema is the export's
/// `connection.schema_name` when present, else `default_schema`.
///
/// ```
/// use hc_schema_snapshot::import::import_export;
/// let export = r#"{"mappings": [{"object_name": "Account",
///     "config": {"access": "read_only", "fields": {"Id": {}, "Name": {}, "Loyalty_Tier__c": {}}}}],
///   "connection": {}, "version": 1}"#;
/// let snapshot = import_export(export, "prod-export.json", "prod", "salesforce").unwrap();
/// let account = &snapshot.tables["account"];
/// assert_eq!(account.object.as_deref(), Some("Account"));
/// assert_eq!(account.access, Some(hc_schema_snapshot::snapshot::MappingAccess::ReadOnly));
/// assert_eq!(account.columns["loyalty_tier__c"].field.as_deref(), Some("Loyalty_Tier__c"));
/// assert_eq!(account.columns["sfid"].field.as_deref(), Some("Id"));
/// assert!(account.columns["_hc_lastop"].system);
/// ```
pub fn import_export(
    text: &str,
    path: &str,
    env: &str,
    default_schema: &str,
) -> Result<Snapshot, ImportError> {
    let error = |position: String, message: String| ImportError {
        path: path.to_string(),
        position,
        message,
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        error(
            format!(":{}:{}", err.line(), err.column()),
            format!(
                "not valid JSON ({}); export the mappings again with `heroku connect:export`",
                strip(&err)
            ),
        )
    })?;
    let export: Export = serde_json::from_value(value).map_err(|err| {
        error(
            String::new(),
            format!(
                "not a Heroku Connect mapping export ({err}): expected a top-level `mappings` array; \
                 produce the file with `heroku connect:export -a <app>`"
            ),
        )
    })?;
    let schema = export
        .connection
        .as_ref()
        .and_then(|c| c.get("schema_name"))
        .and_then(|s| s.as_str())
        .unwrap_or(default_schema);
    let mut snapshot = Snapshot::new(env, schema);
    snapshot.source = Some(format!("export:{}", file_name(path)));
    for (index, raw) in export.mappings.into_iter().enumerate() {
        let mapping: Mapping = serde_json::from_value(raw).map_err(|err| {
            error(
                String::new(),
                format!(
                    "mappings[{index}] is not a mapping ({err}): each needs `object_name` and `config.fields`"
                ),
            )
        })?;
        let table = snapshot
            .tables
            .entry(names::normalize(&mapping.object_name))
            .or_default();
        table.object = Some(mapping.object_name.clone());
        table.access = match mapping.config.access.as_deref() {
            None => None,
            Some(access) => Some(access.parse().map_err(|message: String| {
                error(
                    String::new(),
                    format!(
                        "mappings[{index}] ({}): config.access: {message}",
                        mapping.object_name
                    ),
                )
            })?),
        };
        for field in mapping.config.fields.keys() {
            let column = column_of_field(field);
            table.columns.insert(
                column.clone(),
                Column {
                    field: Some(field.clone()),
                    system: names::is_system_column(&column),
                    ..Column::default()
                },
            );
        }
        add_hc_columns(table);
    }
    Ok(snapshot)
}

/// The Postgres column Heroku Connect uses for a Salesforce field: `Id` -> `sfid`, others
/// lower-cased.
pub fn column_of_field(field: &str) -> String {
    if field.eq_ignore_ascii_case("id") {
        "sfid".to_string()
    } else {
        names::normalize(field)
    }
}

/// The columns Heroku Connect creates in every mapped table.
fn add_hc_columns(table: &mut Table) {
    let system = |data_type: &str, nullable: bool| Column {
        data_type: Some(data_type.to_string()),
        field: None,
        nullable,
        system: true,
    };
    table
        .columns
        .entry("id".into())
        .or_insert_with(|| system("integer", false));
    table
        .columns
        .entry("_hc_lastop".into())
        .or_insert_with(|| system("character varying(32)", true));
    table
        .columns
        .entry("_hc_err".into())
        .or_insert_with(|| system("text", true));
}

fn strip(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_minimal_connection_are_tolerated() {
        let export = r#"{"version": 1, "connection": {"name": "old"},
            "mappings": [{"config": {"fields": {"Email": {}}, "access": "read_write"}, "object_name": "Contact"}]}"#;
        let snapshot = import_export(export, "e.json", "test", "salesforce").unwrap();
        assert!(snapshot.has_column("contact", "email"));
        assert!(snapshot.has_column("contact", "id"));
        assert_eq!(snapshot.schema, "salesforce");
        assert_eq!(snapshot.source.as_deref(), Some("export:e.json"));
        assert_eq!(
            snapshot.tables["contact"].access,
            Some(crate::snapshot::MappingAccess::ReadWrite)
        );
    }

    #[test]
    fn schema_name_comes_from_the_connection() {
        let export = r#"{"mappings": [], "connection": {"schema_name": "org"}}"#;
        assert_eq!(
            import_export(export, "e.json", "t", "salesforce")
                .unwrap()
                .schema,
            "org"
        );
    }

    #[test]
    fn bad_files_get_clear_errors() {
        let err = import_export("{\n  \"mappings\": [,]\n}", "dir/e.json", "t", "s").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("dir/e.json:2:16: not valid JSON"),
            "{err}"
        );
        let err = import_export(r#"{"format": 1, "tables": {}}"#, "e.json", "t", "s").unwrap_err();
        assert!(
            err.to_string()
                .contains("not a Heroku Connect mapping export"),
            "{err}"
        );
        let err = import_export(
            r#"{"mappings": [{"object_name": "A"}]}"#,
            "e.json",
            "t",
            "s",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("mappings[0] is not a mapping"),
            "{err}"
        );
    }
}
