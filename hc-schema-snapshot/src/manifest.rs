//! What the code needs: requirement sites ([`Usage`]), checking them against a snapshot, and
//! the deduplicated manifest that a Salesforce admin reads before unmapping a field.
//!
//! Usages come from two places that must agree: the registry compiled into a binary
//! ([`crate::registry`]) and a scan of the sources (`hc-schema check`). Each comes from an
//! `#[hc_requires]` annotation or from the SQL of an `hc_sql!` query ([`Origin`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::requirement::{evaluate, Access, Allowance, Evaluation, Finding, Requirement, Schema};
use crate::verdict::Status;

/// A name at a position in a source file (1-based line and column). Ordered by position, then
/// name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Spot {
    /// The normalised name.
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The name as the code wrote it, when that is not `name` itself (`StageName` for
    /// `stagename`): `plan` proposes it as the Salesforce API name. `None` when the code wrote
    /// the lower-case name, and in usages read back from the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
    /// For a column of a typed declaration (`annualrevenue: f64`): the Rust type, as a spot
    /// whose `name` is the type as written and whose position is the type's (errors about the
    /// type point there). `None` for a column used without a Rust type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<Box<Spot>>,
}

impl Spot {
    /// A spot without a written spelling.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::Spot;
    /// let spot = Spot::new("account", 3, 15);
    /// assert_eq!((spot.line, spot.column, spot.written), (3, 15, None));
    /// ```
    pub fn new(name: impl Into<String>, line: u32, column: u32) -> Spot {
        Spot {
            name: name.into(),
            line,
            column,
            written: None,
            rust: None,
        }
    }

    /// A spot for a name the code wrote as `written`: `name` is its lower-case form, and the
    /// spelling is kept only when it differs.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::Spot;
    /// assert_eq!(Spot::written("StageName", 1, 2).written.as_deref(), Some("StageName"));
    /// assert_eq!(Spot::written("StageName", 1, 2).name, "stagename");
    /// assert_eq!(Spot::written("name", 1, 2).written, None);
    /// ```
    pub fn written(written: &str, line: u32, column: u32) -> Spot {
        let name = crate::names::normalize(written);
        Spot {
            written: (name != written).then(|| written.to_string()),
            name,
            line,
            column,
            rust: None,
        }
    }
}

impl Ord for Spot {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.line, self.column, &self.name, &self.rust).cmp(&(
            other.line,
            other.column,
            &other.name,
            &other.rust,
        ))
    }
}

impl PartialOrd for Spot {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Where a requirement was stated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// An `#[hc_requires(...)]` annotation.
    #[default]
    Annotation,
    /// The SQL text of an `hc_sql!("...")` query.
    Sql,
    /// An SQL string literal outside `hc_sql!` that uses what no annotation declares: inside
    /// an annotated item (`undeclared`) or outside every checked form (`unguarded`). Not a
    /// requirement anyone stated, but a use all the same: the column is needed
    /// ([`crate::uses::Uses`]).
    String,
}

/// One table group of one requirement site: an annotation's `table(columns)` (or `write
/// table(columns)`), or one table an `hc_sql!` query touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Usage {
    /// Source file (relative to the workspace).
    pub file: String,
    /// The table and where it is written.
    pub table: Spot,
    /// The columns and where they are written.
    pub columns: Vec<Spot>,
    /// Read or write.
    pub access: Access,
    /// The site's allowances for this table (`missing_ok(...)`).
    pub allowances: Vec<Allowance>,
    /// Annotation or SQL.
    pub origin: Origin,
}

impl Usage {
    /// A read usage from an annotation, without allowances.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Spot, Usage};
    /// let spot = |name: &str, column| Spot::new(name, 3, column);
    /// let usage = Usage::read("src/a.rs", spot("account", 15), vec![spot("name", 23)]);
    /// assert_eq!(usage.requirement().columns, ["name"]);
    /// ```
    pub fn read(file: impl Into<String>, table: Spot, columns: Vec<Spot>) -> Usage {
        Usage {
            file: file.into(),
            table,
            columns,
            access: Access::Read,
            allowances: Vec::new(),
            origin: Origin::Annotation,
        }
    }

    /// Attach to each of `usages` the `allowances` for its table (as an annotation's groups
    /// carry their annotation's): how an `hc_sql!` query's `missing_ok(...)` reaches every
    /// report.
    pub fn attach_allowances(usages: &mut [Usage], allowances: &[Allowance]) {
        for usage in usages {
            usage.allowances = allowances
                .iter()
                .filter(|a| a.table == usage.table.name)
                .cloned()
                .collect();
        }
    }

    /// The requirement this usage states.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            table: self.table.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
            access: self.access,
        }
    }

    /// Where a finding about this usage points: the column token (the Rust type's, for a
    /// finding about a typed declaration's type), or the table token.
    pub fn spot_of(&self, finding: &Finding) -> &Spot {
        let column = finding
            .column()
            .and_then(|column| self.columns.iter().find(|c| c.name == column));
        match (finding, column) {
            (
                Finding::TypeMismatch { .. }
                | Finding::TypeUnknown { .. }
                | Finding::UncheckedType { .. },
                Some(Spot {
                    rust: Some(rust), ..
                }),
            ) => rust,
            _ => column.unwrap_or(&self.table),
        }
    }

    /// The typed columns of this usage: `(column, Rust type as written)`.
    pub fn typed(&self) -> Vec<(&str, &str)> {
        self.columns
            .iter()
            .filter_map(|c| Some((c.name.as_str(), c.rust.as_ref()?.name.as_str())))
            .collect()
    }

    /// The site of the table token.
    pub fn site(&self) -> Site {
        Site::new(&self.file, &self.table)
    }

    /// [`evaluate`] this usage in `env`.
    pub fn evaluate<S: Schema + ?Sized>(&self, env: &str, schema: &S) -> Evaluation<'_> {
        evaluate(&self.requirement(), &self.allowances, env, schema)
    }
}

/// A position in a source file, ordered by file, then line and column as numbers
/// (`a.rs:5:1` < `a.rs:15:1`). Shown and serialised as `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    /// The file (relative to the workspace).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Site {
    /// The site of `spot` in `file`.
    pub fn new(file: &str, spot: &Spot) -> Site {
        Site {
            file: file.to_string(),
            line: spot.line,
            column: spot.column,
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Serialize for Site {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A finding at a usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem<'a> {
    /// What is missing.
    pub finding: Finding,
    /// The usage that needs it.
    pub usage: &'a Usage,
    /// The usage's allowance that covers the finding, if any (then it is not a failure).
    pub allowed: Option<&'a Allowance>,
}

impl Problem<'_> {
    /// Where to point: the column token, or the table token.
    pub fn spot(&self) -> &Spot {
        self.usage.spot_of(&self.finding)
    }

    /// The site to point at.
    pub fn site(&self) -> Site {
        Site::new(&self.usage.file, self.spot())
    }

    /// Whether this problem fails the check (not covered by an allowance, and a failure
    /// under the access rule in force).
    pub fn fails(&self, strict_access: bool) -> bool {
        self.status(strict_access).fails()
    }

    /// How this problem counts ([`Status::of`]: THE rule).
    pub fn status(&self, strict_access: bool) -> Status {
        Status::of(&self.finding, self.allowed, strict_access)
    }
}

/// Check every usage against `schema` (the environment `env`) with [`evaluate`], in usage
/// order. Covered findings are kept, marked with their allowance.
pub fn check_usages<'a, S: Schema + ?Sized>(
    usages: &'a [Usage],
    env: &str,
    schema: &S,
) -> Vec<Problem<'a>> {
    usages
        .iter()
        .flat_map(|usage| {
            usage
                .evaluate(env, schema)
                .findings
                .into_iter()
                .map(move |(finding, allowed)| Problem {
                    finding,
                    usage,
                    allowed,
                })
        })
        .collect()
}

/// Allowances that cover nothing in `env` (every column they list is mapped there), with the
/// usage they belong to.
pub fn stale_allowances<'a, S: Schema + ?Sized>(
    usages: &'a [Usage],
    env: &str,
    schema: &S,
) -> Vec<(&'a Usage, &'a Allowance)> {
    let mut out = Vec::new();
    for usage in usages {
        for allowance in usage.evaluate(env, schema).stale {
            out.push((usage, allowance));
        }
    }
    out
}

/// `file:line:column`.
pub fn location(file: &str, spot: &Spot) -> String {
    Site::new(file, spot).to_string()
}

/// The sites that need one column (or, for `"*"`-free table-level writes, the table),
/// reads and writes apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// Sites that read it, sorted by file, line and column.
    pub reads: Vec<Site>,
    /// Sites that write it, sorted.
    pub writes: Vec<Site>,
}

impl Needs {
    fn add(&mut self, access: Access, site: Site) {
        let list = match access {
            Access::Read => &mut self.reads,
            Access::Write => &mut self.writes,
        };
        if !list.contains(&site) {
            list.push(site);
        }
    }

    /// Every site, reads then writes.
    pub fn all(&self) -> impl Iterator<Item = &Site> {
        self.reads.iter().chain(&self.writes)
    }
}

/// The deduplicated needs of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableNeeds {
    /// Column -> the sites that need it.
    pub columns: BTreeMap<String, Needs>,
    /// Sites that write rows without naming a column (`DELETE`).
    pub row_writes: Vec<Site>,
}

/// The deduplicated needs of the code: table -> column -> the sites that need it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Tables, sorted.
    pub tables: BTreeMap<String, TableNeeds>,
}

impl Manifest {
    /// Build the manifest of `usages`.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Manifest, Spot, Usage};
    /// let spot = |name: &str, line, column| Spot::new(name, line, column);
    /// let a = Usage::read("src/a.rs", spot("account", 15, 15), vec![spot("name", 15, 23)]);
    /// let b = Usage::read("src/a.rs", spot("account", 5, 15), vec![spot("name", 5, 23)]);
    /// let manifest = Manifest::from_usages(&[a.clone(), a, b]);
    /// let sites: Vec<String> = manifest.tables["account"].columns["name"].reads.iter().map(|s| s.to_string()).collect();
    /// assert_eq!(sites, ["src/a.rs:5:23", "src/a.rs:15:23"]);
    /// ```
    pub fn from_usages(usages: &[Usage]) -> Manifest {
        let mut tables: BTreeMap<String, TableNeeds> = BTreeMap::new();
        for usage in usages {
            let table = tables.entry(usage.table.name.clone()).or_default();
            if usage.columns.is_empty() && usage.access == Access::Write {
                let site = usage.site();
                if !table.row_writes.contains(&site) {
                    table.row_writes.push(site);
                }
            }
            for column in &usage.columns {
                table
                    .columns
                    .entry(column.name.clone())
                    .or_default()
                    .add(usage.access, Site::new(&usage.file, column));
            }
        }
        for table in tables.values_mut() {
            table.row_writes.sort();
            for needs in table.columns.values_mut() {
                needs.reads.sort();
                needs.writes.sort();
            }
        }
        Manifest { tables }
    }

    /// The manifest as stable JSON: `{"format":1,"requirements":[{"table":..,"columns":
    /// [{"column":..,"access":"read"|"write","sites":[..],"read_sites":[..],
    /// "write_sites":[..]}],"row_write_sites":[..]}]}`. `access` is `write` when any site
    /// writes the column; `sites` lists every site.
    pub fn to_json(&self) -> serde_json::Value {
        let requirements: Vec<serde_json::Value> = self
            .tables
            .iter()
            .map(|(table, needs)| {
                let columns: Vec<serde_json::Value> = needs
                    .columns
                    .iter()
                    .map(|(column, needs)| {
                        let mut sites: Vec<&Site> = needs.all().collect();
                        sites.sort();
                        sites.dedup();
                        let access = if needs.writes.is_empty() {
                            Access::Read
                        } else {
                            Access::Write
                        };
                        serde_json::json!({
                            "column": column,
                            "access": access,
                            "sites": sites,
                            "read_sites": needs.reads,
                            "write_sites": needs.writes,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "table": table,
                    "columns": columns,
                    "row_write_sites": needs.row_writes,
                })
            })
            .collect();
        serde_json::json!({ "format": 1, "requirements": requirements })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spot(name: &str, line: u32, column: u32) -> Spot {
        Spot::new(name, line, column)
    }

    #[test]
    fn sites_sort_as_numbers() {
        let mut sites = [
            Site::new("contacts.rs", &spot("x", 39, 1)),
            Site::new("contacts.rs", &spot("x", 5, 1)),
            Site::new("contacts.rs", &spot("x", 15, 2)),
            Site::new("contacts.rs", &spot("x", 15, 10)),
            Site::new("a.rs", &spot("x", 99, 1)),
        ];
        sites.sort();
        let shown: Vec<String> = sites.iter().map(Site::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.rs:99:1",
                "contacts.rs:5:1",
                "contacts.rs:15:2",
                "contacts.rs:15:10",
                "contacts.rs:39:1"
            ]
        );
    }

    #[test]
    fn reads_and_writes_are_listed_apart() {
        let read = Usage::read("a.rs", spot("contact", 1, 1), vec![spot("email", 1, 9)]);
        let write = Usage {
            access: Access::Write,
            ..Usage::read("b.rs", spot("contact", 2, 1), vec![spot("email", 2, 9)])
        };
        let delete = Usage {
            access: Access::Write,
            ..Usage::read("c.rs", spot("contact", 3, 1), vec![])
        };
        let manifest = Manifest::from_usages(&[write, read, delete]);
        let needs = &manifest.tables["contact"];
        assert_eq!(needs.columns["email"].reads[0].to_string(), "a.rs:1:9");
        assert_eq!(needs.columns["email"].writes[0].to_string(), "b.rs:2:9");
        assert_eq!(needs.row_writes[0].to_string(), "c.rs:3:1");
        let json = manifest.to_json();
        assert_eq!(json["requirements"][0]["columns"][0]["access"], "write");
        assert_eq!(
            json["requirements"][0]["columns"][0]["sites"],
            serde_json::json!(["a.rs:1:9", "b.rs:2:9"])
        );
    }
}
