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
    let origin = export
        .connection
        .as_ref()
        .map(ExportOrigin::of_connection)
        .unwrap_or_default();
    let mut snapshot = Snapshot::new(env, schema);
    snapshot.source = Some(origin.source(file_name(path)));
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

/// Which Heroku Connect connection an export belongs to, as far as the export says: its
/// `connection.app_name` (the Heroku app, which names the environment: `loyalty-prod`) and
/// `connection.name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOrigin {
    /// `connection.app_name`.
    pub app: Option<String>,
    /// `connection.name`, when it differs from the app.
    pub connection: Option<String>,
}

impl ExportOrigin {
    /// The origin an export's `connection` object states.
    pub fn of_connection(connection: &serde_json::Value) -> ExportOrigin {
        let text = |key: &str| {
            connection
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.chars().all(|c| !c.is_control()))
                .map(String::from)
        };
        let app = text("app_name");
        let connection = text("name").filter(|name| Some(name) != app.as_ref());
        ExportOrigin { app, connection }
    }

    /// The origin of an export's text (`None` when it is not JSON with a `connection`).
    pub fn of_text(text: &str) -> Option<ExportOrigin> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(ExportOrigin::of_connection(value.get("connection")?))
    }

    /// Whether it names anything.
    pub fn is_known(&self) -> bool {
        self.app.is_some() || self.connection.is_some()
    }

    /// "app loyalty-prod", "app loyalty-prod, connection eu", "connection eu".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(app) = &self.app {
            parts.push(format!("app {app}"));
        }
        if let Some(connection) = &self.connection {
            parts.push(format!("connection {connection}"));
        }
        parts.join(", ")
    }

    /// A snapshot's `source` for an import of `file` from this origin:
    /// `export:prod-export.json (app loyalty-prod)`, or `export:prod-export.json`.
    fn source(&self, file: &str) -> String {
        if self.is_known() {
            format!("export:{file} ({})", self.describe())
        } else {
            format!("export:{file}")
        }
    }

    /// The origin an imported snapshot's `source` records (`None` for a snapshot not
    /// imported from an export; an unknown origin for one imported from an export that named
    /// none).
    ///
    /// ```
    /// use hc_schema_snapshot::import::{import_export, ExportOrigin};
    /// let export = r#"{"mappings": [], "connection": {"app_name": "acme-prod", "name": "eu"}}"#;
    /// let snapshot = import_export(export, "dir/x.json", "prod", "salesforce").unwrap();
    /// assert_eq!(snapshot.source.as_deref(), Some("export:x.json (app acme-prod, connection eu)"));
    /// let origin = ExportOrigin::of_snapshot(&snapshot).unwrap();
    /// assert_eq!((origin.app.as_deref(), origin.connection.as_deref()), (Some("acme-prod"), Some("eu")));
    /// ```
    pub fn of_snapshot(snapshot: &Snapshot) -> Option<ExportOrigin> {
        let rest = snapshot.source.as_deref()?.strip_prefix("export:")?;
        let Some(inner) = rest
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once(" (").map(|(_, inner)| inner))
        else {
            return Some(ExportOrigin::default());
        };
        let mut origin = ExportOrigin::default();
        for part in inner.split(", ") {
            if let Some(app) = part.strip_prefix("app ") {
                origin.app = Some(app.to_string());
            } else if let Some(connection) = part.strip_prefix("connection ") {
                origin.connection = Some(connection.to_string());
            }
        }
        Some(origin)
    }

    /// Whether `self` and `other` are known to be different connections: both name an app
    /// and the apps differ, or neither names an app and both name connections that differ.
    pub fn differs_from(&self, other: &ExportOrigin) -> bool {
        match (&self.app, &other.app) {
            (Some(a), Some(b)) => a != b,
            (None, None) => {
                matches!((&self.connection, &other.connection), (Some(a), Some(b)) if a != b)
            }
            _ => false,
        }
    }
}

/// How the mappings of an export (as [`import_export`] turns it into a snapshot) differ from
/// `env`'s snapshot, in Salesforce terms, most telling first: objects one maps and the other
/// does not, then per object a differing access and the fields one maps and the other does
/// not. Empty when they agree.
///
/// Like is compared with like: Heroku Connect's own and system columns (`id`, `sfid`,
/// `isdeleted`, `systemmodstamp`, `_hc_lastop`, `_hc_err`, and any the snapshot marks
/// `system`) are left out, as an export need not list the fields behind them and a refreshed
/// snapshot always has them; nor are the relationship external ID columns Heroku Connect
/// adds beside a lookup (`parentid__r__external_id__c`); an access is compared only when both
/// record one; bookkeeping tables are never objects. Names come from the export first, then
/// the snapshot ([`crate::salesforce`]).
///
/// ```
/// use hc_schema_snapshot::import::{import_export, mapping_differences};
/// let export = |fields: &str| format!(r#"{{"mappings": [{{"object_name": "Contact",
///     "config": {{"access": "read_only", "fields": {{"Id": {{}}, {fields}}}}}}}]}}"#);
/// let prod = import_export(&export(r#""Email": {}"#), "prod.json", "prod", "salesforce").unwrap();
/// let other = import_export(&export(r#""MobilePhone": {}"#), "other.json", "prod", "salesforce").unwrap();
/// assert!(mapping_differences(&prod, &prod, "prod").is_empty());
/// assert_eq!(mapping_differences(&other, &prod, "prod"), [
///     "Contact.MobilePhone is mapped in the export, not in prod's snapshot",
///     "Contact.Email is mapped in prod's snapshot, not in the export",
/// ]);
/// ```
pub fn mapping_differences(export: &Snapshot, snapshot: &Snapshot, env: &str) -> Vec<String> {
    use crate::salesforce::{field_api_name, object_api_name, qualified};
    let known = [export, snapshot];
    let ours = format!("{env}'s snapshot");
    let objects = |s: &Snapshot| -> Vec<String> {
        s.tables
            .keys()
            .filter(|t| !names::is_bookkeeping_table(t))
            .cloned()
            .collect()
    };
    let fields = |t: &Table| -> std::collections::BTreeSet<String> {
        t.columns
            .iter()
            .filter(|(name, column)| {
                !column.system
                    && !names::is_system_column(name)
                    // A relationship external ID (`parentid__r__external_id__c`), which
                    // Heroku Connect adds beside the lookup field: no field of its own.
                    && !name.contains("__r__")
                    && !name.contains('.')
            })
            .map(|(name, _)| name.clone())
            .collect()
    };
    let (in_export, in_snapshot) = (objects(export), objects(snapshot));
    let object = |table: &str| object_api_name(table, &known, None);
    let mut out = Vec::new();
    for table in in_export.iter().filter(|t| !in_snapshot.contains(t)) {
        out.push(format!(
            "{} is mapped in the export, not in {ours}",
            object(table).shown()
        ));
    }
    for table in in_snapshot.iter().filter(|t| !in_export.contains(t)) {
        out.push(format!(
            "{} is mapped in {ours}, not in the export",
            object(table).shown()
        ));
    }
    for table in in_export.iter().filter(|t| in_snapshot.contains(t)) {
        let (e, s) = (&export.tables[table], &snapshot.tables[table]);
        if let (Some(a), Some(b)) = (e.access, s.access) {
            if a != b {
                out.push(format!(
                    "{} is {a} in the export, {b} in {ours}",
                    object(table).shown()
                ));
            }
        }
        let (ef, sf) = (fields(e), fields(s));
        let field =
            |column: &str| qualified(&object(table), &field_api_name(table, column, &known, None));
        for column in ef.difference(&sf) {
            out.push(format!(
                "{} is mapped in the export, not in {ours}",
                field(column)
            ));
        }
        for column in sf.difference(&ef) {
            out.push(format!(
                "{} is mapped in {ours}, not in the export",
                field(column)
            ));
        }
    }
    out
}

/// Whether `snapshot` was imported from a mapping export (its `source` is `export:...`): its
/// author may have no database access, so advice speaks of exports, not of `refresh`.
pub fn is_imported(snapshot: &Snapshot) -> bool {
    snapshot
        .source
        .as_deref()
        .is_some_and(|s| s.starts_with("export:"))
}

/// Whether `text` looks like a Heroku Connect mapping export (a JSON object with a
/// `mappings` array) rather than a snapshot: for "this is an export, import it first".
pub fn looks_like_export(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|value| {
        value.get("mappings").is_some_and(|m| m.is_array()) && value.get("tables").is_none()
    })
}

/// The Postgres column Heroku Connect uses for a Salesforce field: `Id` -> `sfid`, others
/// lower-cased.
pub fn column_of_field(field: &str) -> String {
    crate::salesforce::column_of_field(field)
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
        assert_eq!(
            snapshot.source.as_deref(),
            Some("export:e.json (connection old)")
        );
        assert!(is_imported(&snapshot));
        assert_eq!(
            snapshot.tables["contact"].access,
            Some(crate::snapshot::MappingAccess::ReadWrite)
        );
    }

    /// Generated connections: the origin written into `source` reads back as it was, and
    /// no app name changes another field of the snapshot.
    #[test]
    fn origins_round_trip_through_the_source() {
        let mut rng = crate::testing::Rng::exact(0x0e1_9e17);
        let mut next = move |n: usize| rng.below(n);
        let pieces = ["acme", "-", "prod", " ", "(", ")", ",", "app ", "é", "x"];
        for _ in 0..1000 {
            let mut word = || -> Option<String> {
                (next(3) != 0).then(|| (0..next(5)).map(|_| pieces[next(pieces.len())]).collect())
            };
            let (app, name) = (word(), word());
            let connection = serde_json::json!({"app_name": app, "name": name});
            let export = serde_json::json!({"mappings": [], "connection": connection}).to_string();
            let snapshot = import_export(&export, "e.json", "t", "s").unwrap();
            let origin = ExportOrigin::of_connection(&connection);
            assert!(is_imported(&snapshot));
            let read = ExportOrigin::of_snapshot(&snapshot).unwrap();
            // Names with the separators in them may read back differently; plain ones never.
            let plain = |v: &Option<String>| {
                v.as_deref()
                    .is_none_or(|v| !v.contains(['(', ')', ',']) && !v.contains("app "))
            };
            if plain(&origin.app) && plain(&origin.connection) {
                assert_eq!(read, origin, "{export}");
            }
            assert!(!read.differs_from(&read));
            assert!(looks_like_export(&export));
            assert!(!looks_like_export(&snapshot.to_json()));
        }
    }

    /// A refreshed snapshot (every system column, a relationship external ID column, no
    /// access recorded) agrees with its own export, which lists no system field; a dropped
    /// field, an added object and a flipped access (once recorded) are differences.
    #[test]
    fn mapping_differences_compare_like_with_like() {
        let refreshed = Snapshot::parse(
            r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
              "_hcmeta": {"columns": {"id": {}}},
              "contact": {"object": "Contact", "columns": {"id": {"system": true},
                "sfid": {}, "isdeleted": {}, "systemmodstamp": {}, "_hc_lastop": {}, "_hc_err": {},
                "email": {"type": "text"}, "accountid": {},
                "accountid__r__external_id__c": {}}}}}"#,
            "prod.json",
            "prod",
        )
        .unwrap();
        let export = |access: &str, more: &str| {
            let text = format!(
                r#"{{"mappings": [{{"object_name": "Contact", "config": {{"access": "{access}",
                "fields": {{"Email": {{}}, "AccountId": {{}}}}}}}}{more}]}}"#
            );
            import_export(&text, "e.json", "prod", "salesforce").unwrap()
        };
        assert!(mapping_differences(&export("read_only", ""), &refreshed, "prod").is_empty());
        assert!(mapping_differences(&export("read_write", ""), &refreshed, "prod").is_empty());
        let more = r#", {"object_name": "Lead", "config": {"fields": {"Company": {}}}}"#;
        assert_eq!(
            mapping_differences(&export("read_only", more), &refreshed, "prod"),
            ["Lead is mapped in the export, not in prod's snapshot"]
        );
        let mut recorded = refreshed.clone();
        recorded.tables.get_mut("contact").unwrap().access =
            Some(crate::snapshot::MappingAccess::ReadWrite);
        recorded
            .tables
            .get_mut("contact")
            .unwrap()
            .columns
            .remove("accountid");
        assert_eq!(
            mapping_differences(&export("read_only", ""), &recorded, "prod"),
            [
                "Contact is read-only in the export, read-write in prod's snapshot",
                "Contact.AccountId is mapped in the export, not in prod's snapshot",
            ]
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
