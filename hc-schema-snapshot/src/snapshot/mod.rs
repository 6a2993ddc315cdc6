//! The snapshot file, format 1: model, loading with clear errors, deterministic saving.
//!
//! A snapshot records which tables and columns Heroku Connect maps in one environment. The file
//! is written so that adding a mapped field is a one-line diff: keys sorted, one column per line,
//! trailing newline, no timestamps and no credentials.

pub mod conflict;
mod parse;
mod write;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::names;

/// The only snapshot format this version reads and writes.
pub const FORMAT: u32 = 1;

/// One environment's Heroku Connect schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version; always [`FORMAT`] once loaded.
    pub format: u32,
    /// Environment name (`prod`, `test`, ...).
    pub environment: String,
    /// The Postgres schema Heroku Connect writes to (`salesforce` by default).
    pub schema: String,
    /// Where the snapshot came from: `postgres://host:port/db` (never credentials) or
    /// `export:<file>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Mapped objects by Postgres table name (lower case).
    #[serde(default, deserialize_with = "parse::unique_tables")]
    pub tables: BTreeMap<String, Table>,
}

/// One mapped Salesforce object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The Salesforce object API name (`Account`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The mapping's direction, when known (absent: unknown; older snapshots lack it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<MappingAccess>,
    /// Mapped fields by Postgres column name (lower case).
    #[serde(default, deserialize_with = "parse::unique_columns")]
    pub columns: BTreeMap<String, Column>,
}

/// A Heroku Connect mapping's direction.
///
/// ```
/// use hc_schema_snapshot::snapshot::MappingAccess;
/// assert_eq!(serde_json::to_string(&MappingAccess::ReadOnly).unwrap(), "\"read_only\"");
/// assert_eq!("read_write".parse::<MappingAccess>(), Ok(MappingAccess::ReadWrite));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingAccess {
    /// Salesforce to Postgres only: rows written in Postgres never reach Salesforce.
    ReadOnly,
    /// Both directions: inserts, updates and deletes in Postgres are written to Salesforce.
    ReadWrite,
}

impl MappingAccess {
    /// The spelling used in snapshots and exports: `read_only` or `read_write`.
    pub fn as_str(self) -> &'static str {
        match self {
            MappingAccess::ReadOnly => "read_only",
            MappingAccess::ReadWrite => "read_write",
        }
    }
}

impl std::fmt::Display for MappingAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MappingAccess::ReadOnly => "read-only",
            MappingAccess::ReadWrite => "read-write",
        })
    }
}

impl std::str::FromStr for MappingAccess {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "read_only" => Ok(MappingAccess::ReadOnly),
            "read_write" => Ok(MappingAccess::ReadWrite),
            other => Err(format!(
                "`{other}` is not a mapping access: expected \"read_only\" or \"read_write\""
            )),
        }
    }
}

/// One mapped field (or Heroku Connect system column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Postgres type as `format_type` spells it, when known.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// The Salesforce field API name (`Loyalty_Tier__c`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// False when the column is `NOT NULL`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub nullable: bool,
    /// True for Heroku Connect's own columns (`id`, `sfid`, ...).
    #[serde(default, skip_serializing_if = "is_false")]
    pub system: bool,
}

impl Default for Column {
    fn default() -> Self {
        Column {
            data_type: None,
            field: None,
            nullable: true,
            system: false,
        }
    }
}

fn yes() -> bool {
    true
}
fn is_true(value: &bool) -> bool {
    *value
}
fn is_false(value: &bool) -> bool {
    !*value
}

/// Why a snapshot could not be loaded or saved. Every message names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file does not exist.
    #[error(
        "snapshot {path} does not exist; create it with `hc-schema refresh {}` \
         (or `hc-schema import {} --from <export.json>`) and commit it",
        env_or_placeholder(env),
        env_or_placeholder(env)
    )]
    Missing {
        /// The path that was expected.
        path: String,
        /// The environment the file is for (from its name; empty when the file is not an
        /// environment's snapshot but one named by path: see [`Snapshot::load_given`]).
        env: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read snapshot {path}: {source}")]
    Unreadable {
        /// The file.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not valid JSON or not a snapshot.
    #[error(
        "{path}:{line}:{column}: malformed snapshot: {message}; fix the file or regenerate it \
         with {}",
        refresh(env)
    )]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
        /// The environment the file is for (from its name; empty when the file is not an
        /// environment's snapshot but one named by path: see [`Snapshot::load_given`]).
        env: String,
    },
    /// The file has git merge-conflict markers.
    #[error(
        "{path}:{line}: unresolved git merge conflict (a `<<<<<<<`/`=======`/`>>>>>>>` marker \
         line): resolve it, or rebuild the file with {}, which keeps \
         what it can of both sides' Salesforce API names and access and lists what it could not",
        refresh(env)
    )]
    MergeConflict {
        /// The file.
        path: String,
        /// 1-based line of the first marker.
        line: usize,
        /// The environment the file is for (from its name; empty when the file is not an
        /// environment's snapshot but one named by path: see [`Snapshot::load_given`]).
        env: String,
    },
    /// The file has a `format` this version does not read.
    #[error(
        "{path}: snapshot format {found} is not supported (this hc-schema reads format {FORMAT}); \
         upgrade hc-schema, or regenerate the file with {}",
        refresh(env)
    )]
    UnsupportedFormat {
        /// The file.
        path: String,
        /// The `format` found in the file.
        found: String,
        /// The environment the file is for (from its name; empty when the file is not an
        /// environment's snapshot but one named by path: see [`Snapshot::load_given`]).
        env: String,
    },
    /// Writing the file failed; the previous file is untouched.
    #[error("cannot write snapshot {path}: {source} (the previous file, if any, is unchanged)")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
}

/// `env`, or `<env>` when the file is not known to be an environment's.
fn env_or_placeholder(env: &str) -> &str {
    if env.is_empty() {
        "<env>"
    } else {
        env
    }
}

/// The refresh command that rewrites the file: `hc-schema refresh prod` for an environment's
/// snapshot; for a file named by path, no name taken from the file's (`f.json` is no
/// environment `f`).
fn refresh(env: &str) -> String {
    if env.is_empty() {
        "`hc-schema refresh <env>` for the environment it is a snapshot of".to_string()
    } else {
        format!("`hc-schema refresh {env}`")
    }
}

/// The environment a snapshot path stands for: its file stem (`hc-schema/prod.json` -> `prod`).
pub fn env_of_path(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "<env>".to_string())
}

impl Snapshot {
    /// An empty snapshot for `environment` in Postgres schema `schema`.
    pub fn new(environment: impl Into<String>, schema: impl Into<String>) -> Self {
        Snapshot {
            format: FORMAT,
            environment: environment.into(),
            schema: schema.into(),
            source: None,
            tables: BTreeMap::new(),
        }
    }

    /// Tables and columns whose names are not plain lower-case identifiers (`"Account"`,
    /// `" lead"`): Heroku Connect never creates them, so no requirement ever matches them.
    /// `refresh` and `diff` list them with a note. Each entry is `table` or `table.column`.
    ///
    /// ```
    /// use hc_schema_snapshot::Snapshot;
    /// let text = r#"{"format":1,"environment":"t","schema":"s","tables":{
    ///     "Account":{"columns":{"Name":{}}},"account":{"columns":{"name":{},"Extra":{}}}}}"#;
    /// let snapshot = Snapshot::parse(text, "t.json", "t").unwrap();
    /// assert_eq!(snapshot.non_hc_names(), ["\"Account\"", "account.\"Extra\""]);
    /// ```
    pub fn non_hc_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (table, info) in &self.tables {
            if !names::is_hc_name(table) {
                out.push(format!("{:?}", table));
                continue;
            }
            for column in info.columns.keys() {
                if !names::is_hc_name(column) {
                    out.push(format!("{table}.{column:?}"));
                }
            }
        }
        out
    }

    /// Keep what `old` knew that this snapshot does not: Salesforce API names after a refresh
    /// from Postgres (which cannot see them), Postgres types after an import from an export.
    /// Only tables and columns present in `self` are touched.
    ///
    /// A mapping's access is kept only when `old` has it from an export (the table records
    /// its Salesforce object, which only an export shows): an access that an earlier refresh
    /// read from Postgres and that Postgres can no longer show (the logger function is gone)
    /// is dropped, to unknown, never carried forward unverified.
    ///
    /// ```
    /// use hc_schema_snapshot::{snapshot::MappingAccess, Snapshot};
    /// let text = |object: &str| format!(
    ///     r#"{{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {{
    ///         "contact": {{{object}"access": "read_write", "columns": {{"email": {{}}}}}}}}}}"#
    /// );
    /// let live = Snapshot::parse(&text("").replace(r#""access": "read_write", "#, ""), "live", "prod").unwrap();
    /// // Read from Postgres by an earlier refresh: not kept.
    /// let mut refreshed = live.clone();
    /// refreshed.fill_from(&Snapshot::parse(&text(""), "old", "prod").unwrap());
    /// assert_eq!(refreshed.tables["contact"].access, None);
    /// // From an export (the object is known): kept.
    /// let mut imported = live.clone();
    /// imported.fill_from(&Snapshot::parse(&text(r#""object": "Contact", "#), "old", "prod").unwrap());
    /// assert_eq!(imported.tables["contact"].access, Some(MappingAccess::ReadWrite));
    /// ```
    pub fn fill_from(&mut self, old: &Snapshot) {
        for (name, table) in &mut self.tables {
            let Some(old_table) = old.tables.get(name) else {
                continue;
            };
            if table.object.is_none() {
                table.object = old_table.object.clone();
            }
            if table.access.is_none() && old_table.object.is_some() {
                table.access = old_table.access;
            }
            for (column, info) in &mut table.columns {
                let Some(old_info) = old_table.columns.get(column) else {
                    continue;
                };
                if info.field.is_none() {
                    info.field = old_info.field.clone();
                }
                if info.data_type.is_none() {
                    info.data_type = old_info.data_type.clone();
                    info.nullable = old_info.nullable;
                }
            }
        }
    }

    /// Whether the snapshot maps `table` (exactly this name: requirements are lower case, and
    /// a mixed-case catalog name is not a Heroku Connect table).
    pub fn has_table(&self, table: &str) -> bool {
        self.table(table).is_some()
    }

    /// The table named exactly `table`.
    pub fn table(&self, table: &str) -> Option<&Table> {
        self.tables.get(table)
    }

    /// Whether the snapshot maps `table.column` (exact names).
    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.table(table)
            .is_some_and(|t| t.column(column).is_some())
    }

    /// Total number of columns over all tables.
    pub fn column_count(&self) -> usize {
        self.tables.values().map(|t| t.columns.len()).sum()
    }
}

impl Table {
    /// The column named exactly `column`.
    pub fn column(&self, column: &str) -> Option<&Column> {
        self.columns.get(column)
    }
}

pub use crate::atomic::write_atomically;

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn sample() -> Snapshot {
        let text = r#"{
          "format": 1, "environment": "prod", "schema": "salesforce",
          "source": "postgres://db.example.com:5432/d8abc",
          "tables": {
            "account": { "object": "Account", "columns": {
              "name": { "type": "character varying(255)", "field": "Name" },
              "id": { "type": "integer", "nullable": false, "system": true }
            }},
            "user": { "columns": {} }
          }
        }"#;
        Snapshot::parse(text, "prod.json", "prod").unwrap()
    }

    #[test]
    fn save_format_is_one_column_per_line_and_sorted() {
        let expected = r#"{
  "format": 1,
  "environment": "prod",
  "schema": "salesforce",
  "source": "postgres://db.example.com:5432/d8abc",
  "tables": {
    "account": {
      "object": "Account",
      "columns": {
        "id": { "type": "integer", "nullable": false, "system": true },
        "name": { "type": "character varying(255)", "field": "Name" }
      }
    },
    "user": {
      "columns": {}
    }
  }
}
"#;
        assert_eq!(sample().to_json(), expected);
    }

    /// The format as first written (a value per column, serde_json for every string): the
    /// buffer-writing `to_json` must give the same bytes for any names and types.
    fn reference_to_json(snapshot: &Snapshot) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap();
        let mut out = String::from("{\n");
        let _ = writeln!(out, "  \"format\": {},", snapshot.format);
        let _ = writeln!(out, "  \"environment\": {},", q(&snapshot.environment));
        let _ = writeln!(out, "  \"schema\": {},", q(&snapshot.schema));
        if let Some(source) = &snapshot.source {
            let _ = writeln!(out, "  \"source\": {},", q(source));
        }
        if snapshot.tables.is_empty() {
            out.push_str("  \"tables\": {}\n}\n");
            return out;
        }
        out.push_str("  \"tables\": {\n");
        for (ti, (name, table)) in snapshot.tables.iter().enumerate() {
            let _ = writeln!(out, "    {}: {{", q(name));
            if let Some(object) = &table.object {
                let _ = writeln!(out, "      \"object\": {},", q(object));
            }
            if let Some(access) = table.access {
                let _ = writeln!(out, "      \"access\": \"{}\",", access.as_str());
            }
            if table.columns.is_empty() {
                out.push_str("      \"columns\": {}\n");
            } else {
                out.push_str("      \"columns\": {\n");
                for (ci, (column, info)) in table.columns.iter().enumerate() {
                    let mut fields = Vec::new();
                    if let Some(t) = &info.data_type {
                        fields.push(format!("\"type\": {}", q(t)));
                    }
                    if let Some(f) = &info.field {
                        fields.push(format!("\"field\": {}", q(f)));
                    }
                    if !info.nullable {
                        fields.push("\"nullable\": false".to_string());
                    }
                    if info.system {
                        fields.push("\"system\": true".to_string());
                    }
                    let body = if fields.is_empty() {
                        "{}".to_string()
                    } else {
                        format!("{{ {} }}", fields.join(", "))
                    };
                    let comma = if ci + 1 < table.columns.len() {
                        ","
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "        {}: {}{}", q(column), body, comma);
                }
                out.push_str("      }\n");
            }
            let comma = if ti + 1 < snapshot.tables.len() {
                ","
            } else {
                ""
            };
            let _ = writeln!(out, "    }}{comma}");
        }
        out.push_str("  }\n}\n");
        out
    }

    #[test]
    fn generated_snapshots_serialise_as_the_reference_and_round_trip() {
        let mut rng = crate::testing::Rng::exact(0x51a9_5eed);
        let mut next = move || rng.next_u64();
        let alphabet = [
            "a", "z_", "\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "€", " ", "/", "Name",
        ];
        let name = |next: &mut dyn FnMut() -> u64| -> String {
            (0..1 + next() % 4)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        };
        for _ in 0..300 {
            let mut snapshot = Snapshot::new(name(&mut next), name(&mut next));
            if next() % 2 == 0 {
                snapshot.source = Some(name(&mut next));
            }
            for _ in 0..next() % 4 {
                let mut table = Table {
                    object: (next() % 2 == 0).then(|| name(&mut next)),
                    access: [
                        None,
                        Some(MappingAccess::ReadOnly),
                        Some(MappingAccess::ReadWrite),
                    ][(next() % 3) as usize],
                    ..Table::default()
                };
                for _ in 0..next() % 4 {
                    table.columns.insert(
                        name(&mut next),
                        Column {
                            data_type: (next() % 3 != 0).then(|| name(&mut next)),
                            field: (next() % 2 == 0).then(|| name(&mut next)),
                            nullable: next() % 2 == 0,
                            system: next() % 2 == 0,
                        },
                    );
                }
                snapshot.tables.insert(name(&mut next), table);
            }
            let text = snapshot.to_json();
            assert_eq!(text, reference_to_json(&snapshot));
            assert_eq!(Snapshot::parse(&text, "g", "g").unwrap(), snapshot);
        }
    }

    #[test]
    fn round_trip_is_identity() {
        let snapshot = sample();
        let text = snapshot.to_json();
        assert_eq!(Snapshot::parse(&text, "p", "prod").unwrap(), snapshot);
        assert_eq!(Snapshot::parse(&text, "p", "prod").unwrap().to_json(), text);
    }

    #[test]
    fn lookups_are_exact() {
        let snapshot = sample();
        assert!(snapshot.has_column("account", "name"));
        assert!(!snapshot.has_column("Account", "Name"));
        assert!(snapshot.has_table("user"));
        assert!(!snapshot.has_column("account", "loyalty_tier__c"));
    }

    /// A quoted mixed-case or padded catalog name is not a Heroku Connect name: it stays
    /// distinct and never matches the lower-case name a requirement uses.
    #[test]
    fn keys_in_other_casing_stay_distinct() {
        let text = r#"{"format":1,"environment":"t","schema":"s",
            "tables":{"Account":{"columns":{"Loyalty_Tier__c":{}}},
                      "account":{"columns":{"name":{}," pad":{}}}}}"#;
        let snapshot = Snapshot::parse(text, "t.json", "t").unwrap();
        assert!(!snapshot.has_column("account", "loyalty_tier__c"));
        assert!(!snapshot.has_column("account", "pad"));
        assert!(snapshot.has_column("account", "name"));
        assert_eq!(snapshot.tables.len(), 2);
        assert_eq!(
            Snapshot::parse(&snapshot.to_json(), "t", "t").unwrap(),
            snapshot
        );
    }

    #[test]
    fn access_round_trips_and_is_optional() {
        let text = r#"{"format":1,"environment":"t","schema":"s","tables":{
            "account":{"object":"Account","access":"read_only","columns":{"name":{}}},
            "contact":{"access":"read_write","columns":{}},
            "lead":{"columns":{}}}}"#;
        let snapshot = Snapshot::parse(text, "t.json", "t").unwrap();
        assert_eq!(
            snapshot.tables["account"].access,
            Some(MappingAccess::ReadOnly)
        );
        assert_eq!(
            snapshot.tables["contact"].access,
            Some(MappingAccess::ReadWrite)
        );
        assert_eq!(snapshot.tables["lead"].access, None);
        let json = snapshot.to_json();
        assert!(
            json.contains("\"object\": \"Account\",\n      \"access\": \"read_only\",\n"),
            "{json}"
        );
        assert_eq!(Snapshot::parse(&json, "t", "t").unwrap(), snapshot);
        let bad = text.replace("\"read_only\"", "\"write_only\"");
        assert!(Snapshot::parse(&bad, "t.json", "t").is_err());
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err = Snapshot::parse(
            "{\n  \"format\": 1,\n  oops\n}",
            "hc-schema/prod.json",
            "prod",
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("hc-schema/prod.json:3:3: malformed snapshot"),
            "{message}"
        );
        assert!(message.contains("hc-schema refresh prod"), "{message}");
    }

    #[test]
    fn wrong_shape_is_malformed_with_position() {
        let err = Snapshot::parse(
            "{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\", \"tables\": []}",
            "p.json",
            "p",
        )
        .unwrap_err();
        assert!(
            matches!(err, SnapshotError::Malformed { line: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn unknown_format_is_rejected_clearly() {
        let err = Snapshot::parse("{\"format\": 2}", "p.json", "p").unwrap_err();
        assert!(
            err.to_string().contains("format 2 is not supported"),
            "{err}"
        );
        let err = Snapshot::parse("{\"tables\": {}}", "p.json", "p").unwrap_err();
        assert!(err.to_string().contains("missing field `format`"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let text = sample().to_json();
        let with_bom = format!("\u{feff}{text}");
        assert_eq!(Snapshot::parse(&with_bom, "p", "prod").unwrap(), sample());
    }

    #[test]
    fn duplicate_tables_and_columns_are_errors_with_positions() {
        let text = "{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\", \"tables\": {\n  \"account\": {\"columns\": {\"name\": {}}},\n  \"account\": {\"columns\": {}}\n}}";
        let err = Snapshot::parse(text, "hc-schema/prod.json", "prod").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("hc-schema/prod.json:3:"), "{message}");
        assert!(
            message.contains("duplicate table `account` in `tables`"),
            "{message}"
        );
        let text = r#"{"format": 1, "environment": "p", "schema": "s", "tables": {"a": {"columns": {"x": {}, "x": {"type": "text"}}}}}"#;
        let err = Snapshot::parse(text, "p.json", "p").unwrap_err();
        assert!(
            err.to_string()
                .contains("duplicate column `x` in `columns`"),
            "{err}"
        );
    }

    #[test]
    fn format_must_be_the_integer_one() {
        for (value, shown) in [("1.0", "1.0"), ("\"1\"", "\"1\"")] {
            let text =
                format!("{{\n  \"format\": {value}, \"environment\": \"p\", \"schema\": \"s\"}}");
            let err = Snapshot::parse(&text, "p.json", "p")
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("p.json:2:3: malformed snapshot: `format` is ")
                    && err.contains(&format!("is {shown}; it must be the integer 1")),
                "{err}"
            );
        }
        let err = Snapshot::parse("{\"format\": 2.5}", "p.json", "p").unwrap_err();
        assert!(
            err.to_string()
                .contains("`format` is 2.5; it must be the integer 1"),
            "{err}"
        );
    }

    #[test]
    fn merge_conflicts_are_named_with_the_line() {
        let text = sample().to_json().replacen(
            "    \"account\": {",
            "<<<<<<< HEAD\n    \"account\": {",
            1,
        );
        let err = Snapshot::parse(&text, "hc-schema/prod.json", "prod").unwrap_err();
        assert!(
            matches!(err, SnapshotError::MergeConflict { line: 7, .. }),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("hc-schema/prod.json:7: unresolved git merge conflict"),
            "{message}"
        );
        assert!(message.contains("hc-schema refresh prod"), "{message}");
    }

    /// Generated snapshot texts (valid, with duplicates, with a BOM, mutated): `parse` never
    /// panics, agrees with serde_json on what is JSON, rejects exactly the texts with a
    /// duplicate table or column (found by the independent `json_text` parser), and reads a
    /// text with a BOM as without.
    #[test]
    fn generated_snapshots_agree_with_independent_parsers() {
        let tables = [
            r#""account": {"columns": {"name": {}, "type": {"type": "text"}}}"#,
            r#""account": {"object": "Account", "columns": {}}"#,
            r#""contact": {"access": "read_write", "columns": {"email": {}, "email": {}}}"#,
            r#""lead": {"columns": {"x": {"nullable": false}}}"#,
        ];
        let mut rng = crate::testing::Rng::exact(0x0dd_ba11_cafe);
        let mut next = move || rng.next_u64();
        for round in 0..4000 {
            let n = (next() % 4) as usize;
            let chosen: Vec<&str> = (0..n).map(|_| tables[(next() % 4) as usize]).collect();
            let mutated = round % 3 == 2;
            let mut text = format!(
                "{{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\", \"tables\": {{{}}}}}",
                chosen.join(", ")
            );
            if mutated {
                let at = (next() as usize) % text.len();
                text.replace_range(at..at + 1, ["", "}", ",", "\"", "<"][(next() % 5) as usize]);
            }
            let parsed = Snapshot::parse(&text, "p.json", "p");
            let with_bom = Snapshot::parse(&format!("\u{feff}{text}"), "p.json", "p");
            assert_eq!(
                parsed.as_ref().map_err(ToString::to_string),
                with_bom.as_ref().map_err(ToString::to_string),
                "{text}"
            );
            let Ok(tree) = crate::json_text::parse(&text) else {
                assert!(parsed.is_err(), "{text}");
                assert!(
                    serde_json::from_str::<serde_json::Value>(&text).is_err(),
                    "{text}"
                );
                continue;
            };
            let duplicate = |value: Option<&crate::json_text::Value>| {
                let Some(crate::json_text::Value {
                    kind: crate::json_text::Kind::Object(members),
                    ..
                }) = value
                else {
                    return false;
                };
                let mut keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
                let count = keys.len();
                keys.sort();
                keys.dedup();
                keys.len() != count
            };
            let tables_value = tree.get("tables");
            let mut has_duplicate = duplicate(tables_value);
            if let Some(crate::json_text::Value {
                kind: crate::json_text::Kind::Object(members),
                ..
            }) = tables_value
            {
                has_duplicate |= members.iter().any(|m| duplicate(m.value.get("columns")));
            }
            if mutated {
                continue; // the mutation may have broken anything else first
            }
            if has_duplicate {
                let message = parsed.unwrap_err().to_string();
                assert!(message.contains("duplicate"), "{text}: {message}");
            } else {
                assert!(parsed.is_ok(), "{text}: {parsed:?}");
            }
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let text = r#"{"format":1,"environment":"t","schema":"s","future":true,
            "tables":{"a":{"later":1,"columns":{"b":{"newer":"x"}}}}}"#;
        assert!(Snapshot::parse(text, "t.json", "t")
            .unwrap()
            .has_column("a", "b"));
    }

    #[test]
    fn missing_file_says_how_to_create_it() {
        let err = Snapshot::load(Path::new("/nonexistent/hc-schema/stage.json")).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("does not exist"), "{message}");
        assert!(message.contains("hc-schema refresh stage"), "{message}");
    }

    #[test]
    fn save_is_atomic_and_skips_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hc-schema/prod.json");
        assert!(sample().save(&path).unwrap());
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert!(!sample().save(&path).unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    use crate::testing::Rng;

    /// Issue 20, item 13: whatever `format` holds, the message shows it as written (never a
    /// float serde_json made of a big integer) and says "upgrade" only for a later version's
    /// format (an integer above 1 that a version could have); a file named by path never gets
    /// "`hc-schema refresh <its stem>`".
    #[test]
    fn generated_format_values_are_shown_as_written_and_upgrade_only_for_later_versions() {
        let mut rng = Rng::exact(0x5eed_0213);
        let values = [
            "1",
            "2",
            "3",
            "42",
            "4294967295",
            "4294967296",
            "18446744073709551615",
            "18446744073709551617",
            "100000000000000000000000000000",
            "0",
            "-1",
            "-18446744073709551617",
            "1.0",
            "1e0",
            "2.5",
            "2e0",
            "1e400",
            "\"1\"",
            "\"2\"",
            "\"x\"",
            "null",
            "true",
            "[1]",
            "{\"v\": 1}",
        ];
        let dir = tempfile::tempdir().unwrap();
        for round in 0..300 {
            let value = rng.pick(&values);
            let space = rng.pick(&["", " ", "\n  ", "\t"]);
            let decoy = rng.pick(&[
                "",
                "\"tables\": {\"format\": {\"columns\": {\"format\": {}}}}, ",
            ]);
            let text = if rng.next_u64().is_multiple_of(2) {
                format!("{{\"format\":{space}{value}{space}, {decoy}\"environment\": \"p\", \"schema\": \"s\"}}")
            } else {
                format!("{{{decoy}\"environment\": \"p\", \"format\"{space}:{space}{value}, \"schema\": \"s\"}}")
            };
            let integer: Option<u128> = value.parse().ok();
            match Snapshot::parse(&text, "p.json", "p") {
                Ok(_) => assert_eq!(value, "1", "round {round}: {text}"),
                Err(err) => {
                    let message = err.to_string();
                    assert_ne!(value, "1", "round {round}: {text}: {message}");
                    let later = integer.is_some_and(|k| k > 1 && k <= u128::from(u32::MAX));
                    assert_eq!(
                        message.contains("upgrade"),
                        later,
                        "round {round}: {text}: {message}"
                    );
                    // serde_json refuses `1e400` itself, at its position.
                    assert!(
                        message.contains(&format!(" {value}"))
                            || value == "1e400" && message.contains("number out of range"),
                        "round {round}: shown as written: {text}: {message}"
                    );
                }
            }
            // The same file named by path: no environment taken from its name.
            let path = dir.path().join("f.json");
            let cut = (rng.next_u64() as usize) % (text.len() + 1);
            let broken = if rng.next_u64().is_multiple_of(2) {
                &text[..cut]
            } else {
                &text[..]
            };
            if !broken.is_char_boundary(broken.len()) {
                continue;
            }
            std::fs::write(&path, broken).unwrap();
            if let Err(err) = Snapshot::load_given(&path) {
                let message = err.to_string();
                assert!(
                    !message.contains("refresh f`") && !message.contains("import f "),
                    "round {round}: {broken}: {message}"
                );
            }
        }
    }
}
