//! The mapping changes an environment needs so that every requirement holds, and the updated
//! mapping export that applies them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::import::column_of_field;
use crate::manifest::{check_usages, location, Usage};
use crate::names;
use crate::requirement::Finding;
use crate::snapshot::Snapshot;

/// The fields Heroku Connect requires in every mapping.
pub const REQUIRED_FIELDS: &[&str] = &["Id", "IsDeleted", "SystemModstamp"];

/// One Salesforce object to map, or to map more fields of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectChange {
    /// Postgres table name.
    pub table: String,
    /// Salesforce object API name.
    pub object: String,
    /// True when the object is not mapped at all yet.
    pub new_mapping: bool,
    /// True when code writes the object and the mapping must be (or become) read-write.
    pub read_write: bool,
    /// Fields to add.
    pub fields: Vec<FieldChange>,
}

/// One field to map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Postgres column name.
    pub column: String,
    /// Salesforce field API name.
    pub field: String,
    /// Whether the API name is a guess (no snapshot knows it): check it in Salesforce.
    pub guessed: bool,
    /// Code sites that need it.
    pub sites: Vec<String>,
}

/// What `target` must map so that every usage holds, grouped by object. `known` are other
/// snapshots consulted for Salesforce API names.
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
        let change = objects
            .entry(table.clone())
            .or_insert_with(|| ObjectChange {
                object: all
                    .iter()
                    .find_map(|s| s.table(&table).and_then(|t| t.object.clone()))
                    .unwrap_or_else(|| names::guess_api_name(&table)),
                table: table.clone(),
                new_mapping: !target.has_table(&table),
                read_write: false,
                fields: Vec::new(),
            });
        if problem.usage.access == crate::requirement::Access::Write {
            change.read_write = true;
        }
        let columns: Vec<(&str, String)> = match &problem.finding {
            Finding::MissingColumn { column, .. } => {
                vec![(
                    column.as_str(),
                    location(&problem.usage.file, problem.spot()),
                )]
            }
            Finding::MissingTable { .. } => problem
                .usage
                .columns
                .iter()
                .map(|c| (c.name.as_str(), location(&problem.usage.file, c)))
                .collect(),
            Finding::ReadOnly { .. } | Finding::AccessUnknown { .. } => Vec::new(),
        };
        for (column, site) in columns {
            if matches!(column, "id" | "_hc_lastop" | "_hc_err") {
                continue; // created by Heroku Connect itself
            }
            let known_field = all.iter().find_map(|s| {
                s.table(&table)
                    .and_then(|t| t.column(column))
                    .and_then(|c| c.field.clone())
            });
            let (field, guessed) = match known_field {
                Some(field) => (field, false),
                None if column == "sfid" => ("Id".to_string(), false),
                None if column == "isdeleted" => ("IsDeleted".to_string(), false),
                None if column == "systemmodstamp" => ("SystemModstamp".to_string(), false),
                None => (names::guess_api_name(column), true),
            };
            match change.fields.iter_mut().find(|f| f.column == column) {
                Some(existing) => {
                    if !existing.sites.contains(&site) {
                        existing.sites.push(site);
                    }
                }
                None => change.fields.push(FieldChange {
                    column: column.to_string(),
                    field,
                    guessed,
                    sites: vec![site],
                }),
            }
        }
    }
    let mut changes: Vec<ObjectChange> = objects.into_values().collect();
    for change in &mut changes {
        change.fields.sort_by(|a, b| a.column.cmp(&b.column));
        for field in &mut change.fields {
            field.sites.sort();
        }
    }
    changes
}

/// Apply `changes` to a mapping export (`heroku connect:export` JSON): missing fields are added to
/// existing mappings, missing objects become new read-only mappings; everything else is kept.
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
