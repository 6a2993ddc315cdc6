use hc_schema_macro::hc_requires;

// account is mapped read-only in prod: the update would never reach Salesforce.
#[hc_requires(account(sfid), write account(name, type))]
fn rename_account() {}

fn main() {
    rename_account();
}
