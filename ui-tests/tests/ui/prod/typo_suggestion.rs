use hc_schema_macro::hc_requires;

#[hc_requires(account(loyalty_teir__c), contact(emial))]
fn typos() {}

fn main() {
    typos();
}
