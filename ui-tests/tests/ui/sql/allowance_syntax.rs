use hc_schema_macro::hc_sql;

fn main() {
    // Only allowances follow the literal.
    let _ = hc_sql!("SELECT name FROM salesforce.account", 42);
    let _ = hc_sql!("SELECT name FROM salesforce.account", "SELECT 1");
    // The allowance's own grammar, as in #[hc_requires].
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c FROM salesforce.account a",
        missing_ok(prod, account.loyalty_tier__c, reason = "flag")
    );
    let _ = hc_sql!(
        "SELECT a.loyalty_tier__c FROM salesforce.account a",
        missing_ok(prod, account(loyalty_tier__c), reason = "flag") missing_ok(test, account(loyalty_tier__c), reason = "flag")
    );
}
