//! Who to notify about a tier change: the account's contacts.

use hc_schema_macro::hc_requires;
use postgres::GenericClient;

use crate::tiers::quote;

/// A contact's e-mail address for an account.
pub struct ContactEmail {
    /// The account's Salesforce id.
    pub account_sfid: String,
    /// The account's type (`Customer - Direct`, ...).
    pub account_type: Option<String>,
    /// The contact's e-mail address.
    pub email: String,
}

impl ContactEmail {
    /// Contacts with an e-mail address, for every account.
    #[hc_requires(contact(email, accountid), Account(SfId, Type))]
    pub fn load(
        client: &mut impl GenericClient,
        schema: &str,
    ) -> Result<Vec<ContactEmail>, postgres::Error> {
        let sql = format!(
            "SELECT a.sfid, a.type, c.email FROM {0}.contact c JOIN {0}.account a ON a.sfid = c.accountid \
             WHERE c.email IS NOT NULL ORDER BY a.sfid, c.email",
            quote(schema)
        );
        Ok(client
            .query(&sql, &[])?
            .iter()
            .map(|row| ContactEmail {
                account_sfid: row.get(0),
                account_type: row.get(1),
                email: row.get(2),
            })
            .collect())
    }
}

/// Correct a contact's e-mail address. The contact mapping must be read-write: in an
/// environment where it is read-only, the update would stay in Postgres and never reach
/// Salesforce (the build says so, at `write`).
#[hc_requires(contact(sfid), write contact(email))]
pub fn set_email(
    client: &mut impl GenericClient,
    schema: &str,
    sfid: &str,
    email: &str,
) -> Result<u64, postgres::Error> {
    let sql = format!(
        "UPDATE {}.contact SET email = $1 WHERE sfid = $2",
        quote(schema)
    );
    client.execute(&sql, &[&email, &sfid])
}
