use hc_schema_macro::hc_requires;

#[hc_requires(account(name))]
fn reads_name() {}

fn main() {
    reads_name();
}
