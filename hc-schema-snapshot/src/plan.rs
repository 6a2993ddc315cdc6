//! The mapping changes an environment needs so that every requirement holds, and the updated
//! mapping export that applies them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::import::column_of_field;
use crate::json_text;
use crate::manifest::{check_usages, Site, Spot, Usage};
use crate::names;
use crate::requirement::{Access, Finding};
use crate::salesforce;
use crate::snapshot::{MappingAccess, Snapshot};

/// The fields Heroku Connect requires in every mapping.
pub const REQUIRED_FIELDS: &[&str] = &["Id", "IsDeleted", "SystemModstamp"];

pub use crate::salesforce::NameSource;

/// One Salesforce object to map, or to map more fields of, or to make read-write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectChange {
    /// Postgres table name.
    pub table: String,
    /// Salesforce object API name.
    pub object: String,
    /// Where [`ObjectChange::object`] comes from.
    pub object_source: NameSource,
    /// True when the object is not mapped at all yet.
    pub new_mapping: bool,
    /// True when code writes the object and the mapping must be (or become) read-write.
    pub read_write: bool,
    /// The mapping's access in the environment now (`None`: unknown, or not mapped).
    pub access: Option<MappingAccess>,
    /// The code sites that write the object (when [`ObjectChange::read_write`]).
    pub write_sites: Vec<Site>,
    /// Fields to add.
    pub fields: Vec<FieldChange>,
}

impl ObjectChange {
    /// Whether the environment must change for the code to work: a new mapping, new fields,
    /// or a read-only mapping that code writes. A write to a mapping of unknown access needs
    /// a change only under `strict_access`; otherwise it is a thing to check.
    pub fn is_needed(&self, strict_access: bool) -> bool {
        self.new_mapping
            || !self.fields.is_empty()
            || (self.read_write && self.access == Some(MappingAccess::ReadOnly))
            || (self.read_write && self.access.is_none() && strict_access)
    }
}

/// One field to map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Postgres column name.
    pub column: String,
    /// Salesforce field API name.
    pub field: String,
    /// Where [`FieldChange::field`] comes from.
    pub source: NameSource,
    /// Whether the API name is a guess (`source` is [`NameSource::Guess`]): check it in
    /// Salesforce.
    pub guessed: bool,
    /// Code sites that need it, sorted by file, line and column.
    pub sites: Vec<Site>,
}

/// What `target` must map so that every usage holds, grouped by object. `known` are other
/// snapshots consulted for Salesforce API names.
///
/// API names follow [`crate::salesforce`]: a snapshot that records them, else Heroku
/// Connect's own naming, else Salesforce's standard names, else the code's spelling when it
/// is not all lower case (`Loyalty_Program__c(Tier__c)`), else a guess; each says where it
/// came from ([`NameSource`]).
///
/// ```
/// use hc_schema_snapshot::manifest::{Spot, Usage};
/// use hc_schema_snapshot::plan::{plan, NameSource};
/// use hc_schema_snapshot::Snapshot;
/// let prod = Snapshot::parse(r#"{"format":1,"environment":"prod","schema":"s","tables":{}}"#, "p", "prod").unwrap();
/// let code = [Usage::read("src/a.rs", Spot::written("opportunity", 1, 15),
///     vec![Spot::written("Name", 1, 27), Spot::written("stagename", 1, 33), Spot::written("Tier__C", 1, 44),
///          Spot::written("el_history__c", 1, 53)])];
/// let changes = plan(&code, &prod, &[]);
/// assert_eq!((changes[0].object.as_str(), changes[0].object_source), ("Opportunity", NameSource::Standard));
/// let fields: Vec<_> = changes[0].fields.iter().map(|f| (f.field.as_str(), f.source)).collect();
/// assert_eq!(fields, [("El_History__c", NameSource::Guess), ("Name", NameSource::Standard),
///     ("StageName", NameSource::Standard), ("Tier__C", NameSource::Code)]);
/// ```
pub fn plan(usages: &[Usage], target: &Snapshot, known: &[&Snapshot]) -> Vec<ObjectChange> {
    let mut objects: BTreeMap<String, ObjectChange> = BTreeMap::new();
    let all: Vec<&Snapshot> = std::iter::once(target)
        .chain(known.iter().copied())
        .collect();
    for problem in check_usages(usages, &target.environment, target) {
        if problem.allowed.is_some() {
            continue; // the code says it copes without it here
        }
        let table = problem.finding.table().to_string();
        let change = objects.entry(table.clone()).or_insert_with(|| {
            let (object, object_source) = object_name(&table, &all, usages);
            ObjectChange {
                object,
                object_source,
                table: table.clone(),
                new_mapping: !target.has_table(&table),
                read_write: false,
                access: target.table(&table).and_then(|t| t.access),
                write_sites: Vec::new(),
                fields: Vec::new(),
            }
        });
        if problem.usage.access == Access::Write {
            change.read_write = true;
            let site = problem.usage.site();
            if !change.write_sites.contains(&site) {
                change.write_sites.push(site);
            }
        }
        let columns: Vec<&Spot> = match &problem.finding {
            Finding::MissingColumn { .. } => vec![problem.spot()],
            Finding::MissingTable { .. } => problem.usage.columns.iter().collect(),
            // A plan maps columns; types and access are not what it proposes.
            _ => Vec::new(),
        };
        for spot in columns {
            let column = spot.name.as_str();
            if matches!(column, "id" | "_hc_lastop" | "_hc_err") {
                continue; // created by Heroku Connect itself
            }
            let site = Site::new(&problem.usage.file, spot);
            match change.fields.iter_mut().find(|f| f.column == column) {
                Some(existing) => {
                    if !existing.sites.contains(&site) {
                        existing.sites.push(site);
                    }
                    if existing.source == NameSource::Guess {
                        if let Some(written) = &spot.written {
                            existing.field = written.clone();
                            existing.source = NameSource::Code;
                            existing.guessed = false;
                        }
                    }
                }
                None => {
                    let (field, source) = field_name(&table, spot, &all);
                    change.fields.push(FieldChange {
                        column: column.to_string(),
                        field,
                        source,
                        guessed: source == NameSource::Guess,
                        sites: vec![site],
                    });
                }
            }
        }
    }
    let mut changes: Vec<ObjectChange> = objects.into_values().collect();
    for change in &mut changes {
        change.fields.sort_by(|a, b| a.column.cmp(&b.column));
        change.write_sites.sort();
        for field in &mut change.fields {
            field.sites.sort();
        }
    }
    changes
}

/// The object API name of `table` (see [`crate::salesforce::object_api_name`]).
fn object_name(table: &str, all: &[&Snapshot], usages: &[Usage]) -> (String, NameSource) {
    let written = usages
        .iter()
        .filter(|u| u.table.name == table)
        .find_map(|u| u.table.written.as_deref());
    let name = salesforce::object_api_name(table, all, written);
    (name.name, name.source)
}

/// The field API name of `spot` (a column of `table`; see
/// [`crate::salesforce::field_api_name`]).
fn field_name(table: &str, spot: &Spot, all: &[&Snapshot]) -> (String, NameSource) {
    let name = salesforce::field_api_name(table, &spot.name, all, spot.written.as_deref());
    (name.name, name.source)
}

/// Apply `changes` to a mapping export (`heroku connect:export` JSON): missing fields are added to
/// existing mappings, missing objects become new mappings (read-write when the code writes
/// them), mappings the code writes become read-write; everything else is kept. A change to
/// an object the export does not map although the snapshot does is left out.
/// Keys come out sorted and new mappings after the existing ones, sorted by object, so the
/// result is deterministic and reviewable.
pub fn apply_to_export(
    export: &mut serde_json::Value,
    changes: &[ObjectChange],
) -> Result<(), String> {
    let mappings = export
        .get_mut("mappings")
        .and_then(|m| m.as_array_mut())
        .ok_or("not a Heroku Connect mapping export: expected a top-level `mappings` array")?;
    for change in changes {
        let existing = mappings.iter_mut().find(|m| {
            m.get("object_name")
                .and_then(|o| o.as_str())
                .is_some_and(|o| names::normalize(o) == change.table)
        });
        let mapping = match existing {
            Some(mapping) => mapping,
            None if !change.new_mapping => continue, // see `UpdatedExport::skipped`
            None => {
                let mut fields = serde_json::Map::new();
                for field in REQUIRED_FIELDS {
                    fields.insert(field.to_string(), serde_json::json!({}));
                }
                mappings.push(serde_json::json!({
                    "object_name": change.object,
                    "config": {
                        "access": if change.read_write { "read_write" } else { "read_only" },
                        "sf_notify_enabled": false,
                        "sf_polling_seconds": 600,
                        "sf_max_daily_api_calls": 30000,
                        "fields": fields,
                        "indexes": {
                            "Id": { "unique": true },
                            "SystemModstamp": { "unique": false }
                        }
                    }
                }));
                mappings.last_mut().expect("just pushed")
            }
        };
        if change.read_write {
            if let Some(config) = mapping.get_mut("config").and_then(|c| c.as_object_mut()) {
                config.insert("access".into(), serde_json::json!("read_write"));
            }
        }
        let fields = mapping
            .get_mut("config")
            .and_then(|c| c.get_mut("fields"))
            .and_then(|f| f.as_object_mut())
            .ok_or_else(|| {
                format!(
                    "the mapping of {} has no `config.fields` object",
                    change.object
                )
            })?;
        for field in &change.fields {
            let present = fields.keys().any(|k| column_of_field(k) == field.column);
            if !present {
                fields.insert(field.field.clone(), serde_json::json!({}));
            }
        }
    }
    Ok(())
}

/// Why an export could not be updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    /// 1-based line and column, when the problem is at one place.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{line}:{column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ExportError {}

/// [`apply_to_export`] on the export's text, keeping everything that does not change byte for
/// byte: key order, indentation, spacing, number spelling. New fields go where they sort among
/// the mapping's fields when those are sorted (else last), with the neighbours' layout; new
/// mappings are appended to `mappings`, indented like the document; an access change
/// replaces only the value. Adding one field is a one-line diff.
///
/// ```
/// use hc_schema_snapshot::plan::{apply_to_export_text, FieldChange, NameSource, ObjectChange};
/// let export = "{\n  \"mappings\": [\n    {\n      \"object_name\": \"Account\",\n      \"config\": {\n        \"access\": \"read_only\",\n        \"fields\": {\n          \"Id\": {},\n          \"Name\": {}\n        }\n      }\n    }\n  ]\n}\n";
/// let change = ObjectChange {
///     table: "account".into(), object: "Account".into(), object_source: NameSource::Snapshot,
///     new_mapping: false, read_write: false, access: None, write_sites: vec![],
///     fields: vec![FieldChange { column: "loyalty_tier__c".into(), field: "Loyalty_Tier__c".into(),
///         source: NameSource::Snapshot, guessed: false, sites: vec![] }],
/// };
/// let updated = apply_to_export_text(export, &[change]).unwrap().text;
/// assert_eq!(updated, export.replace("\"Id\": {},\n", "\"Id\": {},\n          \"Loyalty_Tier__c\": {},\n"));
/// ```
pub fn apply_to_export_text(
    text: &str,
    changes: &[ObjectChange],
) -> Result<UpdatedExport, ExportError> {
    let at = |message: String| ExportError {
        position: None,
        message,
    };
    let root = json_text::parse(text).map_err(|err| ExportError {
        position: Some((err.line, err.column)),
        message: format!("not valid JSON: {}", err.message),
    })?;
    let unit = json_text::indent_unit(text, &root);
    let not_export =
        || at("not a Heroku Connect mapping export: expected a top-level `mappings` array".into());
    let mappings = root.get("mappings").ok_or_else(not_export)?;
    let json_text::Kind::Array(elements) = &mappings.kind else {
        return Err(not_export());
    };
    let mut edits = Vec::new();
    let mut skipped = Vec::new();
    for change in changes {
        let existing = elements.iter().find(|m| {
            m.get("object_name")
                .and_then(json_text::Value::as_str)
                .is_some_and(|o| names::normalize(o) == change.table)
        });
        let Some(mapping) = existing else {
            if !change.new_mapping {
                skipped.push(not_in_export(change));
                continue;
            }
            let rendered = json_text::render(&NewMapping::of(change), unit.as_deref());
            edits.push(
                json_text::push_element(text, mappings, &rendered).expect("mappings is an array"),
            );
            continue;
        };
        let config = mapping
            .get("config")
            .filter(|c| matches!(c.kind, json_text::Kind::Object(_)))
            .ok_or_else(|| {
                at(format!(
                    "the mapping of {} has no `config` object",
                    change.object
                ))
            })?;
        if change.read_write {
            match config.get("access") {
                Some(access) if access.as_str() == Some("read_write") => {}
                Some(access) => edits.push(json_text::replace(access, "\"read_write\"")),
                None => edits.push(
                    json_text::insert_member(text, config, 0, "\"access\": \"read_write\"")
                        .expect("config is an object"),
                ),
            }
        }
        let fields = config.get("fields").ok_or_else(|| {
            at(format!(
                "the mapping of {} has no `config.fields` object",
                change.object
            ))
        })?;
        let json_text::Kind::Object(members) = &fields.kind else {
            return Err(at(format!(
                "the mapping of {} has no `config.fields` object",
                change.object
            )));
        };
        let keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
        let order = |k: &str| (k.to_ascii_lowercase(), k.to_string());
        let sorted = keys.windows(2).all(|w| order(w[0]) <= order(w[1]));
        let mut added: Vec<&str> = change
            .fields
            .iter()
            .filter(|f| !keys.iter().any(|k| column_of_field(k) == f.column))
            .map(|f| f.field.as_str())
            .collect();
        added.sort_by_key(|k| order(k));
        added.dedup();
        for field in added {
            let index = if sorted {
                keys.partition_point(|k| order(k) < order(field))
            } else {
                keys.len()
            };
            let member = format!(
                "{}: {{}}",
                serde_json::to_string(field).expect("strings serialize")
            );
            edits.push(
                json_text::insert_member(text, fields, index, &member)
                    .expect("fields is an object"),
            );
        }
    }
    Ok(UpdatedExport {
        text: json_text::apply(text, edits),
        skipped,
    })
}

/// An export updated by [`apply_to_export_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatedExport {
    /// The new text.
    pub text: String,
    /// Changes that could not be applied, one sentence each: the environment's snapshot maps
    /// the object but the export has no mapping of it (an export of another environment, or
    /// an old one).
    pub skipped: Vec<String>,
}

fn not_in_export(change: &ObjectChange) -> String {
    format!(
        "the export has no mapping of {}, which the environment's snapshot maps (is the export \
         from this environment, and current?): its change is left out",
        change.object
    )
}

/// A new mapping, keys in the order Heroku Connect's exports use.
#[derive(Serialize)]
struct NewMapping<'a> {
    object_name: &'a str,
    config: NewConfig,
}

#[derive(Serialize)]
struct NewConfig {
    access: &'static str,
    sf_notify_enabled: bool,
    sf_polling_seconds: u32,
    sf_max_daily_api_calls: u32,
    fields: BTreeMap<String, Empty>,
    indexes: Indexes,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Indexes {
    #[serde(rename = "Id")]
    id: Unique,
    #[serde(rename = "SystemModstamp")]
    system_modstamp: Unique,
}

#[derive(Serialize)]
struct Unique {
    unique: bool,
}

impl<'a> NewMapping<'a> {
    fn of(change: &'a ObjectChange) -> Self {
        let fields = REQUIRED_FIELDS
            .iter()
            .map(|f| f.to_string())
            .chain(change.fields.iter().map(|f| f.field.clone()))
            .map(|f| (f, Empty {}))
            .collect();
        NewMapping {
            object_name: &change.object,
            config: NewConfig {
                access: if change.read_write {
                    "read_write"
                } else {
                    "read_only"
                },
                sf_notify_enabled: false,
                sf_polling_seconds: 600,
                sf_max_daily_api_calls: 30000,
                fields,
                indexes: Indexes {
                    id: Unique { unique: true },
                    system_modstamp: Unique { unique: false },
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(table: &str, object: &str, new_mapping: bool, fields: &[&str]) -> ObjectChange {
        ObjectChange {
            table: table.into(),
            object: object.into(),
            object_source: NameSource::Snapshot,
            new_mapping,
            read_write: false,
            access: None,
            write_sites: Vec::new(),
            fields: fields
                .iter()
                .map(|f| FieldChange {
                    column: names::normalize(f),
                    field: f.to_string(),
                    source: NameSource::Snapshot,
                    guessed: false,
                    sites: Vec::new(),
                })
                .collect(),
        }
    }

    const EXPORT: &str = r#"{
    "mappings": [
        {
            "object_name": "Contact",
            "config": {
                "upsert_field": "Email",
                "access": "read_only",
                "fields": {"Id": {}, "Email": {}},
                "sf_polling_seconds": 600
            }
        },
        {
            "config": {
                "fields": {
                    "Id": {},
                    "Name": {},
                    "SystemModstamp": {}
                },
                "access": "read_only"
            },
            "object_name": "Account"
        }
    ],
    "version": 1.0,
    "connection": {"name": "x"}
}
"#;

    #[test]
    fn text_edits_keep_everything_else() {
        let mut contact = change("contact", "Contact", false, &["Title"]);
        contact.read_write = true;
        let changes = [
            contact,
            change(
                "account",
                "Account",
                false,
                &["Loyalty_Tier__c", "AccountNumber"],
            ),
            change("lead", "Lead", true, &["Company"]),
        ];
        let updated = apply_to_export_text(EXPORT, &changes).unwrap().text;
        let expected = EXPORT
            .replace(
                "\"access\": \"read_only\",\n                \"fields\": {\"Id\": {}, \"Email\": {}}",
                "\"access\": \"read_write\",\n                \"fields\": {\"Id\": {}, \"Email\": {}, \"Title\": {}}",
            )
            .replace(
                "\"fields\": {\n                    \"Id\": {},",
                "\"fields\": {\n                    \"AccountNumber\": {},\n                    \"Id\": {},\n                    \"Loyalty_Tier__c\": {},",
            )
            .replace(
                "            \"object_name\": \"Account\"\n        }\n",
                "            \"object_name\": \"Account\"\n        },\n        {\n            \"object_name\": \"Lead\",\n            \"config\": {\n                \"access\": \"read_only\",\n                \"sf_notify_enabled\": false,\n                \"sf_polling_seconds\": 600,\n                \"sf_max_daily_api_calls\": 30000,\n                \"fields\": {\n                    \"Company\": {},\n                    \"Id\": {},\n                    \"IsDeleted\": {},\n                    \"SystemModstamp\": {}\n                },\n                \"indexes\": {\n                    \"Id\": {\n                        \"unique\": true\n                    },\n                    \"SystemModstamp\": {\n                        \"unique\": false\n                    }\n                }\n            }\n        }\n",
            );
        assert_eq!(updated, expected);
        // The text edit and the value edit agree.
        let mut value: serde_json::Value = serde_json::from_str(EXPORT).unwrap();
        apply_to_export(&mut value, &changes).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&updated).unwrap(),
            value
        );
        // `upsert_field` and the number spelling are untouched.
        assert!(
            updated.contains("\"upsert_field\": \"Email\"") && updated.contains("\"version\": 1.0")
        );
    }

    #[test]
    fn missing_access_is_added_and_errors_are_clear() {
        let export = r#"{"mappings": [{"object_name": "Contact", "config": {"fields": {}}}]}"#;
        let mut contact = change("contact", "Contact", false, &["Email"]);
        contact.read_write = true;
        let updated = apply_to_export_text(export, &[contact.clone()])
            .unwrap()
            .text;
        assert_eq!(
            updated,
            r#"{"mappings": [{"object_name": "Contact", "config": {"access": "read_write", "fields": {"Email": {}}}}]}"#
        );
        // The snapshot maps Lead but the export does not: said, and left out.
        let lead = change("lead", "Lead", false, &["Company"]);
        let updated = apply_to_export_text(export, &[lead]).unwrap();
        assert_eq!(updated.text, export);
        assert_eq!(updated.skipped.len(), 1);
        assert!(updated.skipped[0].starts_with("the export has no mapping of Lead"));
        let err = apply_to_export_text("{\"mappings\": [,]}", &[]).unwrap_err();
        assert_eq!(err.position, Some((1, 15)), "{err}");
        let err = apply_to_export_text("{\"tables\": {}}", &[]).unwrap_err();
        assert!(err
            .message
            .contains("expected a top-level `mappings` array"));
        let err = apply_to_export_text(r#"{"mappings": [{"object_name": "Contact"}]}"#, &[contact])
            .unwrap_err();
        assert!(err.message.contains("has no `config` object"), "{err}");
    }
}
