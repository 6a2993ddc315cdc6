//! What the code needs: annotation sites ([`Usage`]), checking them against a snapshot, and the
//! deduplicated manifest that a Salesforce admin reads before unmapping a field.
//!
//! Usages come from two places that must agree: the registry compiled into a binary
//! ([`crate::registry`]) and a scan of the sources (`hc-schema check`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::requirement::{check, Finding, Requirement};
use crate::snapshot::Snapshot;

/// A name at a position in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Spot {
    /// The normalised name.
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// One table group of one `#[hc_requires]` annotation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Usage {
    /// Source file (relative to the workspace).
    pub file: String,
    /// The table and where it is written.
    pub table: Spot,
    /// The columns and where they are written.
    pub columns: Vec<Spot>,
}

impl Usage {
    /// The requirement this usage states.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            table: self.table.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }

    /// Where a finding about this usage points: the column token, or the table token.
    pub fn spot_of(&self, finding: &Finding) -> &Spot {
        finding
            .column()
            .and_then(|column| self.columns.iter().find(|c| c.name == column))
            .unwrap_or(&self.table)
    }
}

/// A finding at a usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem<'a> {
    /// What is missing.
    pub finding: Finding,
    /// The usage that needs it.
    pub usage: &'a Usage,
}

impl Problem<'_> {
    /// Where to point: the column token, or the table token.
    pub fn spot(&self) -> &Spot {
        self.usage.spot_of(&self.finding)
    }
}

/// Check every usage against `snapshot` with [`check`], in usage order.
pub fn check_usages<'a>(usages: &'a [Usage], snapshot: &Snapshot) -> Vec<Problem<'a>> {
    usages
        .iter()
        .flat_map(|usage| {
            check(&usage.requirement(), snapshot)
                .into_iter()
                .map(move |finding| Problem { finding, usage })
        })
        .collect()
}

/// `file:line:column`.
pub fn location(file: &str, spot: &Spot) -> String {
    format!("{file}:{}:{}", spot.line, spot.column)
}

/// The deduplicated needs of the code: table -> column -> the sites that need it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Tables, sorted.
    pub tables: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Manifest {
    /// Build the manifest of `usages`.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Manifest, Spot, Usage};
    /// let spot = |name: &str, column| Spot { name: name.into(), line: 3, column };
    /// let usage = Usage { file: "src/a.rs".into(), table: spot("account", 15), columns: vec![spot("name", 23)] };
    /// let manifest = Manifest::from_usages(&[usage.clone(), usage]);
    /// assert_eq!(manifest.tables["account"]["name"], ["src/a.rs:3:23"]);
    /// ```
    pub fn from_usages(usages: &[Usage]) -> Manifest {
        let mut tables: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for usage in usages {
            let table = tables.entry(usage.table.name.clone()).or_default();
            for column in &usage.columns {
                let sites = table.entry(column.name.clone()).or_default();
                let site = location(&usage.file, column);
                if !sites.contains(&site) {
                    sites.push(site);
                }
            }
        }
        for columns in tables.values_mut() {
            for sites in columns.values_mut() {
                sites.sort();
            }
        }
        Manifest { tables }
    }

    /// The manifest as stable JSON:
    /// `{"format":1,"requirements":[{"table":..,"columns":[{"column":..,"sites":[..]}]}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let requirements: Vec<serde_json::Value> = self
            .tables
            .iter()
            .map(|(table, columns)| {
                let columns: Vec<serde_json::Value> = columns
                    .iter()
                    .map(|(column, sites)| serde_json::json!({ "column": column, "sites": sites }))
                    .collect();
                serde_json::json!({ "table": table, "columns": columns })
            })
            .collect();
        serde_json::json!({ "format": 1, "requirements": requirements })
    }
}
