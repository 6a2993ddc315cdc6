use hc_schema_macro::hc_requires;

#[hc_requires(acount(name))]
fn table_typo() {}

fn main() {
    table_typo();
}
