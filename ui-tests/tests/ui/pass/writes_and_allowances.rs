use hc_schema_macro::hc_requires;

// A write to a read-write mapping; a DELETE-style write naming no column.
#[hc_requires(contact(email), write contact(email))]
fn update_email() {}

#[hc_requires(write contact())]
fn delete_contacts() {}

// A write to a mapping whose access the snapshot does not record is a pass (a note in
// `hc-schema check`) unless access is checked strictly.
#[hc_requires(write user(username))]
fn rename_user() {}

// An allowance covers exactly the column it lists, in the environment it names.
#[hc_requires(
    account(name, tier_pilot__c),
    missing_ok(prod, account(tier_pilot__c), reason = "read only behind the TIER_PILOT flag"),
)]
fn pilot() {}

// An allowance whose column is in fact mapped (stale: `hc-schema check` says to remove it)
// does not fail the build.
#[hc_requires(account(name), missing_ok(prod, staging, account(name), reason = "stale: mapped"))]
fn stale_allowance_still_builds() {}

fn main() {
    update_email();
    delete_contacts();
    rename_user();
    pilot();
    stale_allowance_still_builds();
}
