use hc_schema_macro::hc_requires;

#[hc_requires(account(loyalty_tier, billing_city__c))]
fn slips() {}

fn main() {
    slips();
}
