//! The loyalty tier report: customers and contacts per tier, and whom to notify.
//!
//! The recommended form: each query is an `hc_query!`, so the SQL itself is the requirement
//! and its rows are typed. Every Heroku Connect column it names is checked against the
//! selected snapshots at build time (prod lacks `account.loyalty_tier__c`: a prod build fails
//! here, inside `tier_counts`) and compiled into the release-phase check; each output
//! column's Rust type comes from the snapshots (`Option<String>` for a `varchar`, `i64` for
//! `count`), so a row is never read at the wrong position or into the wrong type. SQL built
//! at run time (see `tiers.rs`) declares its columns with `#[hc_requires]` instead.

use hc_schema_macro::hc_query;
use hc_schema_snapshot::query::QueryError;
use postgres::GenericClient;

/// One line of the report (filled by `hc_query!`: rustc checks each field against the type
/// the snapshots give its column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierCount {
    /// The tier; `None` for accounts without one.
    pub tier: Option<String>,
    /// How many accounts have it.
    pub accounts: i64,
    /// How many contacts those accounts have.
    pub contacts: i64,
}

/// The report, by tier.
pub fn tier_counts(client: &mut impl GenericClient) -> Result<Vec<TierCount>, QueryError> {
    hc_query!(
        TierCount,
        r#"
    SELECT a.loyalty_tier__c AS tier,
           count(DISTINCT a.sfid) AS accounts,
           count(c.sfid) AS contacts
      FROM salesforce.account a
      LEFT JOIN salesforce.contact c
             ON c.accountid = a.sfid AND c.isdeleted IS NOT TRUE
     WHERE a.isdeleted IS NOT TRUE
     GROUP BY a.loyalty_tier__c
     ORDER BY tier NULLS LAST
    "#
    )
    .fetch_all(client)
}

/// The e-mail addresses of an account's contacts (`account_sfid`: the account's sfid), to
/// notify of a tier change.
pub fn contacts_of(
    client: &mut impl GenericClient,
    account_sfid: &str,
) -> Result<Vec<String>, QueryError> {
    // `email!`: not NULL (the WHERE clause says so), so the field is a `String`.
    let rows = hc_query!(
        "SELECT c.email AS \"email!\", c.lastname FROM salesforce.contact c \
         WHERE c.accountid = $1 AND c.email IS NOT NULL AND c.isdeleted IS NOT TRUE \
         ORDER BY c.lastname",
        account_sfid,
    )
    .fetch_all(client)?;
    Ok(rows.into_iter().map(|row| row.email).collect())
}
