use hc_schema_macro::hc_requires;

// No reason.
#[hc_requires(account(tier_pilot__c), missing_ok(prod, account(tier_pilot__c)))]
fn no_reason() {}

// An empty reason.
#[hc_requires(account(tier_pilot__c), missing_ok(prod, account(tier_pilot__c), reason = " "))]
fn empty_reason() {}

// Allowing a column the annotation does not require.
#[hc_requires(account(name), missing_ok(prod, account(tier_pilot__c), reason = "flag"))]
fn not_required() {}

// No environment.
#[hc_requires(account(tier_pilot__c), missing_ok(account(tier_pilot__c), reason = "flag"))]
fn no_env() {}

fn main() {
    no_reason();
    empty_reason();
    not_required();
    no_env();
}
