use hc_schema_macro::hc_requires;

#[hc_requires(account(annualrevenue: 42))]
fn not_a_type() {}

#[hc_requires(account(annualrevenue:))]
fn no_type() {}

#[hc_requires(account(annualrevenue: f64), missing_ok(prod, account(annualrevenue: f64), reason = "r"))]
fn typed_allowance() {}

// syn takes `Option<>` for a path; it names no type.
#[hc_requires(account(annualrevenue: Option<>))]
fn empty_generics() {}

fn main() {
    empty_generics();
    not_a_type();
    no_type();
    typed_allowance();
}
