use hc_schema_macro::hc_requires;

#[hc_requires(account.name)]
fn dotted() {}

fn main() {
    dotted();
}
