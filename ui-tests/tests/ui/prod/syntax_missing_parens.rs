use hc_schema_macro::hc_requires;

#[hc_requires(account)]
fn no_parens() {}

fn main() {
    no_parens();
}
