//! Schema qualifiers: each Heroku Connect table that SQL (an `hc_sql!`, or a string the lints
//! read) names as `schema.table`, which `check` judges against each selected environment's
//! Heroku Connect schema as the build judges an `hc_sql!` (the same finding, the same words).

use crate::manifest::{Origin, Spot, Usage};
use crate::sql::{Analysis, SourceLiteral};

/// A Heroku Connect table named with a schema qualifier (`salesforce.account`): the SQL works
/// only in an environment whose Heroku Connect schema that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedUse {
    /// The schema as written (folded as PostgreSQL folds it).
    pub schema: String,
    /// The table use at the qualified name: its table spot there, no columns, the use's
    /// access; origin [`Origin::Sql`] (`hc_sql!`) or [`Origin::String`].
    pub usage: Usage,
    /// Where in the SQL, as the macro's first note ("at line 1, column 20 of the SQL ...").
    pub place: String,
}

impl QualifiedUse {
    /// As the registry records it ([`crate::registry::Record::with_qualifiers`]).
    pub fn registered(&self) -> crate::registry::Qualified {
        crate::registry::Qualified {
            schema: self.schema.clone(),
            usage: self.usage.clone(),
        }
    }
}

/// The qualified table names of `analysis`, the SQL of `source`, as uses of `origin` (what
/// `check` judges, and what the build registers for the release phase).
pub fn of(analysis: &Analysis, source: &SourceLiteral<'_>, origin: Origin) -> Vec<QualifiedUse> {
    let mut out = Vec::new();
    for table in &analysis.tables {
        for qualifier in &table.qualified {
            let (line, column) = source.locate(qualifier.at.start);
            out.push(QualifiedUse {
                schema: qualifier.schema.clone(),
                usage: Usage {
                    file: source.file.to_string(),
                    table: Spot::new(table.table.clone(), line, column),
                    columns: Vec::new(),
                    access: table.access,
                    allowances: Vec::new(),
                    origin,
                },
                place: source.place(qualifier.at.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::manifest::Origin;
    use crate::scan::scan_sources;
    use crate::sql::{Context, Union};
    use crate::Snapshot;

    /// `hc_sql!`, a string inside an annotated item (declared or not) and an unguarded string:
    /// each schema-qualified table is a qualified use at the table's name, with its origin;
    /// unqualified tables and other schemas are none.
    #[test]
    fn every_form_of_sql_yields_its_qualified_tables() {
        let test = Snapshot::parse(
            r#"{"format":1,"environment":"test","schema":"org","tables":{
                "account":{"columns":{"name":{},"sfid":{}}}}}"#,
            "test.json",
            "test",
        )
        .unwrap();
        let union = Union::new([&test]);
        let context = Context::new(["org", "salesforce"], &union);
        let scan = scan_sources(&[(
            "src/lib.rs",
            r#"
use hc_schema_macro::{hc_requires, hc_sql};
const Q: &str = hc_sql!("SELECT name FROM salesforce.account");
#[hc_requires(account(name))]
fn declared() -> &'static str { "SELECT name FROM org.account" }
fn loose() -> &'static str { "SELECT sfid FROM account JOIN public.account p ON true" }
fn other() -> &'static str { "SELECT sfid FROM SalesForce.account" }
"#,
        )]);
        let checks = super::super::check(&scan, &context);
        let got: Vec<(String, Origin, u32, u32, &str)> = checks
            .qualified
            .iter()
            .map(|q| {
                (
                    q.schema.clone(),
                    q.usage.origin,
                    q.usage.table.line,
                    q.usage.table.column,
                    q.usage.table.name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("salesforce".to_string(), Origin::Sql, 3, 54, "account"),
                ("org".to_string(), Origin::String, 5, 55, "account"),
                ("salesforce".to_string(), Origin::String, 7, 59, "account"),
            ]
        );
        assert!(
            checks.qualified[0].place.contains("column 29 of the SQL"),
            "{}",
            checks.qualified[0].place
        );
    }
}
