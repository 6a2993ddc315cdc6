//! Customers' loyalty tiers, read from Heroku Connect's `account` table. `loyalty_tier__c` is
//! mapped in the test org's Heroku Connect but not yet in prod's: the column that broke prod.

use hc_schema_macro::hc_requires;
use postgres::GenericClient;

/// One customer and their loyalty tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerTier {
    /// Salesforce record id.
    pub sfid: String,
    /// Account name.
    pub name: String,
    /// Loyalty tier (`Gold`, `Silver`, ...); `None` when not set in Salesforce.
    pub tier: Option<String>,
    /// Billing city; `None` when not set.
    pub city: Option<String>,
}

/// Every non-deleted account with its loyalty tier, by name.
#[hc_requires(account(sfid, name, loyalty_tier__c, isdeleted))]
pub fn load_tiers(
    client: &mut impl GenericClient,
    schema: &str,
) -> Result<Vec<CustomerTier>, postgres::Error> {
    // The SQL is kept in `TIERS_SQL`, outside this annotated function: see there.
    let sql = TIERS_SQL.replace("{schema}", &quote(schema));
    let rows = client.query(&sql, &[])?;
    Ok(rows
        .iter()
        .map(|row| CustomerTier {
            sfid: row.get::<_, Option<String>>(0).unwrap_or_default(),
            name: row.get::<_, Option<String>>(1).unwrap_or_default(),
            tier: row.get(2),
            city: row.get(3),
        })
        .collect())
}

/// The SQL of [`load_tiers`], forgotten on purpose: it is outside the annotated function, so
/// no macro ever sees it, and it selects `billingcity`, which no annotation declares. The
/// build cannot see this; `hc-schema check` reads the string and reports it (`unguarded`,
/// with the annotation it needs). (Written inside `load_tiers`, the build would fail at it:
/// `#[hc_requires]` reads the SQL strings of its item as `check` does.)
const TIERS_SQL: &str = "SELECT sfid, name, loyalty_tier__c, billingcity FROM {schema}.account \
     WHERE isdeleted IS NOT TRUE ORDER BY name";

/// An account's loyalty points (`sfid`: the account's sfid); `None` when not set.
///
/// The type drift the guard catches: `Loyalty_Points__c` was a Text field and is now a Number.
/// Test's Heroku Connect mapping was remapped after the change (`double precision`); prod's
/// still holds the old Text column (`character varying(255)`), where reading an `f64` fails at
/// run time. The declared type (`: Option<f64>`) is checked against each selected snapshot's
/// column type, so `cargo build --features prod-snapshot` fails here, at the type.
#[hc_requires(account(sfid, loyalty_points__c: Option<f64>))]
pub fn loyalty_points(
    client: &mut impl GenericClient,
    schema: &str,
    sfid: &str,
) -> Result<Option<f64>, postgres::Error> {
    let sql = format!(
        "SELECT loyalty_points__c FROM {}.account WHERE sfid = $1",
        quote(schema)
    );
    let row = client.query_opt(&sql, &[&sfid])?;
    Ok(row.and_then(|row| row.get(0)))
}

/// Quote a schema name for SQL.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
