//! The loyalty tier report: customers and contacts per tier, and whom to notify.
//!
//! The recommended form: each query is an `hc_sql!` literal, so the SQL itself is the
//! requirement. Every Heroku Connect column it names is checked against the selected
//! snapshots at build time (prod lacks `account.loyalty_tier__c`: a prod build fails here,
//! inside `TIER_COUNTS`) and compiled into the release-phase check. SQL built at run time
//! (see `tiers.rs`) declares its columns with `#[hc_requires]` instead.

use hc_schema_macro::hc_sql;
use postgres::GenericClient;

/// Accounts and their contacts, per loyalty tier.
const TIER_COUNTS: &str = hc_sql!(
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
);

/// The contacts of one account (`$1`: the account's sfid), to notify of a tier change.
const CONTACTS_OF: &str = hc_sql!(
    "SELECT c.email, c.lastname FROM salesforce.contact c \
     WHERE c.accountid = $1 AND c.email IS NOT NULL AND c.isdeleted IS NOT TRUE \
     ORDER BY c.lastname"
);

/// One line of the report.
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
pub fn tier_counts(client: &mut impl GenericClient) -> Result<Vec<TierCount>, postgres::Error> {
    Ok(client
        .query(TIER_COUNTS, &[])?
        .iter()
        .map(|row| TierCount {
            tier: row.get(0),
            accounts: row.get(1),
            contacts: row.get(2),
        })
        .collect())
}

/// The e-mail addresses of an account's contacts.
pub fn contacts_of(
    client: &mut impl GenericClient,
    account_sfid: &str,
) -> Result<Vec<String>, postgres::Error> {
    Ok(client
        .query(CONTACTS_OF, &[&account_sfid])?
        .iter()
        .map(|row| row.get(0))
        .collect())
}
