use hc_schema_macro::hc_requires;

// Heroku Connect owns these columns.
#[hc_requires(write contact(email, sfid, _hc_lastop))]
fn bad_insert() {}

fn main() {
    bad_insert();
}
