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
    // The forgotten annotation, on purpose: `billingcity` is selected but not declared above.
    // The build cannot see it (this SQL is built at run time); `hc-schema check` reports it
    // (`undeclared`, naming the column and the annotation to extend).
    let sql = format!(
        "SELECT sfid, name, loyalty_tier__c, billingcity FROM {}.account \
         WHERE isdeleted IS NOT TRUE ORDER BY name",
        quote(schema)
    );
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

/// Quote a schema name for SQL.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
