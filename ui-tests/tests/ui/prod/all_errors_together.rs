use hc_schema_macro::hc_requires;

#[hc_requires(account(name, a__c, b__c), opportunity(amount))]
fn first() {}

#[hc_requires(contact(email, phone))]
fn second() {}

fn main() {
    first();
    second();
}
