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

/// Quote a schema name for SQL.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
