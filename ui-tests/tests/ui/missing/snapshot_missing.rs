use hc_schema_macro::hc_requires;

#[hc_requires(account(name))]
fn first() {}

#[hc_requires(account(type))]
fn second() {}

fn main() {
    first();
    second();
}
