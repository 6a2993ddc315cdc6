use hc_schema_macro::hc_requires;

// The allowance is for tier_pilot__c in prod only: other_pilot__c still fails, and so would
// tier_pilot__c in any other environment.
#[hc_requires(
    account(tier_pilot__c, other_pilot__c),
    missing_ok(prod, account(tier_pilot__c), reason = "behind the TIER_PILOT flag"),
)]
fn pilot() {}

fn main() {
    pilot();
}
