use hc_schema_macro::hc_requires;

// A column the environment does not map is reported as unmapped, not as a type error.
#[hc_requires(account(rating__c: String))]
fn rating() {}

fn main() {
    rating();
}
