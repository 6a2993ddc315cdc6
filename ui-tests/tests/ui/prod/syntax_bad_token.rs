use hc_schema_macro::hc_requires;

#[hc_requires(account(name, 42))]
fn number() {}

#[hc_requires(account("first name"))]
fn spaced() {}

fn main() {
    number();
    spaced();
}
