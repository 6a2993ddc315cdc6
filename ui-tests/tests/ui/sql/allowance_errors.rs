use hc_schema_macro::hc_sql;

fn main() {
    // An allowance covers only the columns it lists: `rating` still fails.
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c, a.rating FROM salesforce.account a",
        missing_ok(prod, account(loyalty_tier__c), reason = "tiers flag")
    );
    // Another environment's allowance does not cover prod.
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c FROM salesforce.account a",
        missing_ok(test, account(loyalty_tier__c), reason = "tiers flag")
    );
    // A column the query does not use: nothing to allow.
    let _ = hc_sql!(
        "SELECT a.name FROM salesforce.account a",
        missing_ok(prod, account(loyalty_tier__c), reason = "tiers flag")
    );
    // No reason, no environment.
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c FROM salesforce.account a",
        missing_ok(prod, account(loyalty_tier__c))
    );
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c FROM salesforce.account a",
        missing_ok(account(loyalty_tier__c), reason = "tiers flag")
    );
    // Allowances never cover a write to a read-only mapping.
    let _ = hc_sql!(
        "UPDATE salesforce.account SET billingcity = $1 WHERE sfid = $2",
        missing_ok(prod, account(billingcity), reason = "not really")
    );
}
