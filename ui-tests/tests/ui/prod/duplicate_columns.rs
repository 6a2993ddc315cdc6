use hc_schema_macro::hc_requires;

#[hc_requires(account(name, Name), Account(type, name))]
fn duplicates() {}

fn main() {
    duplicates();
}
