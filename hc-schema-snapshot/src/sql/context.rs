//! What the analysis knows besides the SQL: which schemas are Heroku Connect's, and which
//! tables and columns any environment maps.

use crate::names;
use crate::requirement::Schema;
use crate::snapshot::MappingAccess;

/// The prefix of the identifiers that [`crate::sql::substitute_placeholders`] puts in place of
/// `format!` placeholders: such a name stands for text unknown until run time.
pub const PLACEHOLDER_PREFIX: &str = "__hc_fmt_";

/// The knowledge an analysis resolves names with.
///
/// - `schemas`: the Heroku Connect schema names (`salesforce`, or per environment
///   `[env.<name>] schema` in `hc-schema.toml`). A table qualified with one of them is a
///   Heroku Connect table, known or not (an unknown one is the missing-table error).
/// - `known`: the tables and columns of every snapshot (selected or not), usually a [`Union`].
///   An unqualified table name is a Heroku Connect table when some snapshot knows it; an
///   unqualified column in a query over several tables belongs to the table that knows it.
///
/// ```
/// use hc_schema_snapshot::sql::{Context, Union};
/// use hc_schema_snapshot::Snapshot;
/// let test = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"salesforce",
///     "tables":{"account":{"columns":{"name":{}}}}}"#, "test.json", "test").unwrap();
/// let union = Union::new([&test]);
/// let context = Context::new(["salesforce"], &union);
/// assert!(context.is_hc_schema("salesforce") && !context.is_hc_schema("public"));
/// assert!(context.is_hc_table(None, "account") && !context.is_hc_table(None, "app_users"));
/// assert!(context.is_hc_table(Some("salesforce"), "lead"), "qualified: HC, known or not");
/// ```
#[derive(Clone)]
pub struct Context<'a> {
    schemas: Vec<String>,
    known: &'a (dyn Schema + Sync),
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("schemas", &self.schemas)
            .finish_non_exhaustive()
    }
}

impl<'a> Context<'a> {
    /// A context from the schema names and the known names. The names are kept as given
    /// (Heroku Connect schema names are lower case, as SQL folds unquoted names).
    pub fn new<I, S>(schemas: I, known: &'a (dyn Schema + Sync)) -> Context<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Context {
            schemas: schemas.into_iter().map(Into::into).collect(),
            known,
        }
    }

    /// The Heroku Connect schema names.
    pub fn schemas(&self) -> &[String] {
        &self.schemas
    }

    /// The known tables and columns.
    pub fn known(&self) -> &'a (dyn Schema + Sync) {
        self.known
    }

    /// Whether `schema` (folded as SQL folds it) is a Heroku Connect schema.
    pub fn is_hc_schema(&self, schema: &str) -> bool {
        self.schemas.iter().any(|s| s == schema)
    }

    /// Whether the table `schema.table` (schema `None`: unqualified) is a Heroku Connect table:
    /// a Heroku Connect name (not a bookkeeping table) that is qualified with a Heroku Connect
    /// schema, or unqualified (or qualified with a `format!` placeholder) and known to some
    /// snapshot.
    pub fn is_hc_table(&self, schema: Option<&str>, table: &str) -> bool {
        if !names::is_hc_name(table) || names::is_bookkeeping_table(table) {
            return false;
        }
        match schema {
            Some(schema) if self.is_hc_schema(schema) => true,
            Some(schema) if schema.starts_with(PLACEHOLDER_PREFIX) => self.known.has_table(table),
            Some(_) => false,
            None => self.known.has_table(table),
        }
    }
}

/// Several schemas seen as one: a table or column is known when any of them knows it. The
/// usual [`Context`] `known`: every snapshot of the project.
///
/// ```
/// use hc_schema_snapshot::sql::Union;
/// use hc_schema_snapshot::{Schema, Snapshot};
/// let snap = |env, cols| Snapshot::parse(&format!(r#"{{"format":1,"environment":"{env}","schema":"salesforce",
///     "tables":{{"account":{{"columns":{cols}}}}}}}"#), "x.json", env).unwrap();
/// let (test, prod) = (snap("test", r#"{"name":{},"tier__c":{}}"#), snap("prod", r#"{"name":{}}"#));
/// let union = Union::new([&test, &prod]);
/// assert!(union.has_column("account", "tier__c") && !union.has_column("account", "x"));
/// ```
#[derive(Clone, Default)]
pub struct Union<'a> {
    parts: Vec<&'a (dyn Schema + Sync)>,
}

impl std::fmt::Debug for Union<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Union({} schemas)", self.parts.len())
    }
}

impl<'a> Union<'a> {
    /// The union of `parts`.
    pub fn new<I, S>(parts: I) -> Union<'a>
    where
        I: IntoIterator<Item = &'a S>,
        S: Schema + Sync + 'a,
    {
        Union {
            parts: parts
                .into_iter()
                .map(|s| s as &(dyn Schema + Sync))
                .collect(),
        }
    }

    /// Add one more schema.
    pub fn push(&mut self, part: &'a (dyn Schema + Sync)) {
        self.parts.push(part);
    }
}

impl Schema for Union<'_> {
    fn has_table(&self, table: &str) -> bool {
        self.parts.iter().any(|p| p.has_table(table))
    }

    fn has_column(&self, table: &str, column: &str) -> bool {
        self.parts.iter().any(|p| p.has_column(table, column))
    }

    /// The first part's access that is known (the union has no direction of its own).
    fn access(&self, table: &str) -> Option<MappingAccess> {
        self.parts.iter().find_map(|p| p.access(table))
    }
}
