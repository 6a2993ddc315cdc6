use hc_schema_macro::hc_requires;

#[hc_requires(account(name, rating__c))]
fn read_ratings() {}

fn main() {
    read_ratings();
}
