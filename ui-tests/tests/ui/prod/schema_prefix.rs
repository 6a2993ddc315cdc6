use hc_schema_macro::hc_requires;

#[hc_requires(salesforce.account(name))]
fn prefixed() {}

fn main() {
    prefixed();
}
