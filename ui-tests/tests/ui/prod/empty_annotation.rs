use hc_schema_macro::hc_requires;

#[hc_requires()]
fn nothing() {}

#[hc_requires]
fn bare() {}

fn main() {
    nothing();
    bare();
}
