use hc_schema_macro::hc_requires;

#[hc_requires(account(name) contact(email))]
fn no_comma() {}

fn main() {
    no_comma();
}
