//! The one meaning of "needed": every use of a Heroku Connect table or column that the code
//! makes, in whichever form the scan knows it.
//!
//! A column some code uses is needed, and every command says so from the same list
//! ([`Uses`]): `check` (each use against each environment), `usages` (the sites, and "safe to
//! unmap" only when there is none), `diff` and `refresh --check` (breaking vs harmless) and
//! `plan`. The forms:
//! - requirements: `#[hc_requires]` annotations and `hc_sql!` queries ([`Origin::Annotation`],
//!   [`Origin::Sql`]);
//! - SQL string literals that use what no annotation declares, inside an annotated item
//!   (`undeclared`) or outside every checked form (`unguarded`) ([`Origin::String`]): the lint
//!   level of those findings softens "you did not declare it", never the use;
//! - `SELECT *` / `t.*` over a Heroku Connect table ([`Star`]): the code can read any column
//!   of the table by name (`row.get("birthdate")`), so every column of it is possibly used.
//!
//! ```
//! use hc_schema_snapshot::manifest::{Site, Spot, Usage};
//! use hc_schema_snapshot::uses::{Star, Uses};
//! let code = Usage::read("src/a.rs", Spot::new("account", 3, 15), vec![Spot::new("name", 3, 23)]);
//! let star = Star { table: "contact".into(), site: Site { file: "src/b.rs".into(), line: 7, column: 12 } };
//! let uses = Uses::new(vec![code], vec![star]);
//! assert_eq!(uses.column("account", "name")[0].site.to_string(), "src/a.rs:3:23");
//! assert!(uses.column("account", "fax").is_empty());
//! // Any column of a table read with `SELECT *` is possibly used.
//! let possibly = uses.column("contact", "birthdate");
//! assert!(possibly[0].star && possibly[0].site.to_string() == "src/b.rs:7:12");
//! ```

use serde::Serialize;

use crate::manifest::{Origin, Site, Usage};
use crate::requirement::Access;

/// A `SELECT *` or `t.*` over a Heroku Connect table, at the `*` (or the literal, when the
/// exact place in the file is unknown).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Star {
    /// The table.
    pub table: String,
    /// Where.
    pub site: Site,
}

/// Every use of Heroku Connect tables and columns the code makes: requirement sites, SQL
/// strings' uses and `SELECT *` wildcards. Built from a scan by
/// `hc_schema_snapshot::sqlcheck::SqlChecks::uses` (features `scan` and `sql`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    /// Every use naming its table (and columns): annotations, `hc_sql!` queries and SQL
    /// strings ([`Usage::origin`] says which), sorted by file and position.
    pub usages: Vec<Usage>,
    /// Every `SELECT *` / `t.*` over a Heroku Connect table, sorted by site.
    pub stars: Vec<Star>,
}

/// One site that uses a table or column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseSite<'a> {
    /// Where: the column token (a column use), the table token (a table use) or the `*`.
    pub site: Site,
    /// Read or write (a wildcard reads).
    pub access: Access,
    /// The column named there (`None`: a table use, or a wildcard).
    pub column: Option<&'a str>,
    /// The use, with its origin and allowances (`None` for a wildcard).
    pub usage: Option<&'a Usage>,
    /// A wildcard: the column is possibly used, read by name from the rows of the `*`.
    pub star: bool,
}

impl Uses {
    /// The uses `usages` and `stars`, each sorted.
    pub fn new(mut usages: Vec<Usage>, mut stars: Vec<Star>) -> Uses {
        usages.sort_by(|a, b| {
            (&a.file, a.table.line, a.table.column, a.access, a.origin).cmp(&(
                &b.file,
                b.table.line,
                b.table.column,
                b.access,
                b.origin,
            ))
        });
        stars.sort();
        stars.dedup();
        Uses { usages, stars }
    }

    /// The sites that use `table.column`: each use naming it (at the column token), and each
    /// wildcard over the table (possibly), sorted by site; one per site and access.
    pub fn column<'a>(&'a self, table: &str, column: &str) -> Vec<UseSite<'a>> {
        let mut out: Vec<UseSite<'a>> = Vec::new();
        for usage in self.usages.iter().filter(|u| u.table.name == table) {
            if let Some(spot) = usage.columns.iter().find(|c| c.name == column) {
                out.push(UseSite {
                    site: Site::new(&usage.file, spot),
                    access: usage.access,
                    column: Some(&spot.name),
                    usage: Some(usage),
                    star: false,
                });
            }
        }
        out.extend(self.stars_over(table));
        sort(&mut out);
        out
    }

    /// The sites that use `table` at all: every use of it (at the table token), sorted by
    /// site; one per site and access.
    pub fn table<'a>(&'a self, table: &str) -> Vec<UseSite<'a>> {
        let mut out: Vec<UseSite<'a>> = self
            .usages
            .iter()
            .filter(|u| u.table.name == table)
            .map(|usage| UseSite {
                site: usage.site(),
                access: usage.access,
                column: None,
                usage: Some(usage),
                star: false,
            })
            .collect();
        sort(&mut out);
        out
    }

    /// The wildcards over `table`, as possible uses of any of its columns.
    pub fn stars_over<'a>(&'a self, table: &str) -> impl Iterator<Item = UseSite<'a>> + 'a {
        let table = table.to_string();
        self.stars
            .iter()
            .filter(move |s| s.table == table)
            .map(|s| UseSite {
                site: s.site.clone(),
                access: Access::Read,
                column: None,
                usage: None,
                star: true,
            })
    }

    /// Whether any code uses `table.column` (possibly, through a wildcard, included).
    pub fn uses_column(&self, table: &str, column: &str) -> bool {
        !self.column(table, column).is_empty()
    }

    /// The uses that are SQL strings no requirement states ([`Origin::String`]).
    pub fn strings(&self) -> impl Iterator<Item = &Usage> {
        self.usages.iter().filter(|u| u.origin == Origin::String)
    }
}

fn sort(sites: &mut Vec<UseSite<'_>>) {
    sites.sort_by(|a, b| (&a.site, a.access, a.star).cmp(&(&b.site, b.access, b.star)));
    sites.dedup_by(|a, b| a.site == b.site && a.access == b.access);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Spot;

    #[test]
    fn one_site_per_place_and_access() {
        let read = Usage::read("a.rs", Spot::new("t", 1, 1), vec![Spot::new("x", 1, 5)]);
        let write = Usage {
            access: Access::Write,
            ..read.clone()
        };
        let uses = Uses::new(vec![read.clone(), read, write], Vec::new());
        let sites = uses.column("t", "x");
        assert_eq!(sites.len(), 2);
        assert_eq!(
            (sites[0].access, sites[1].access),
            (Access::Read, Access::Write)
        );
        assert_eq!(uses.table("t").len(), 2);
        assert!(uses.table("u").is_empty() && !uses.uses_column("t", "y"));
    }
}
