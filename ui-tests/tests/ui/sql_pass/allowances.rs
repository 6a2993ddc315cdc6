// hc_sql! with allowances: a flagged rollout of a query whose column prod does not map yet.
use hc_schema_macro::hc_sql;

const TIERS: &str = hc_sql!(
    "SELECT a.name, a.loyalty_tier__c FROM salesforce.account a",
    missing_ok(prod, account(loyalty_tier__c), reason = "read only when the tiers flag is on"),
);

// Several allowances, in Salesforce casing, one per table.
const JOINED: &str = hc_sql!(
    "SELECT a.name, a.loyalty_tier__c, c.birthdate FROM salesforce.account a JOIN salesforce.contact c ON c.accountid = a.sfid",
    missing_ok(prod, Account(Loyalty_Tier__c), reason = "tiers flag"),
    missing_ok(prod, contact(birthdate), reason = "birthday flag")
);

// Through macro_rules!, as `literal` and `tt` fragments.
macro_rules! query {
    ($sql:literal, $($allow:tt)*) => {
        hc_sql!($sql, $($allow)*)
    };
}

fn main() {
    let flagged = query!(
        "SELECT loyalty_tier__c FROM salesforce.account",
        missing_ok(prod, account(loyalty_tier__c), reason = "tiers flag")
    );
    assert!(TIERS.starts_with("SELECT") && JOINED.contains("birthdate") && flagged.contains("tier"));
}
