use hc_schema_macro::hc_requires;

#[hc_requires(account())]
fn no_columns() {}

fn main() {
    no_columns();
}
