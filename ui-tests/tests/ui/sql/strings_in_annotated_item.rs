// The SQL strings inside an annotated item are read at build time as `hc-schema check` reads
// them: a column they use that no annotation declares fails the build at the literal (and,
// when the snapshot lacks it, so does the missing column, whatever `undeclared` says).
use hc_schema_macro::{hc_requires, hc_sql};

#[hc_requires(account(name))]
fn undeclared() -> &'static str {
    "SELECT name, billingcity FROM salesforce.account"
}

#[hc_requires(account(name))]
fn undeclared_and_unmapped(schema: &str) -> String {
    format!("SELECT name, loyalty_tier__c FROM {schema}.account")
}

#[hc_requires(contact(email))]
fn write_not_declared() -> &'static str {
    "UPDATE salesforce.contact SET email = $1 WHERE sfid = $2"
}

#[hc_requires(account(name), write contact(email))]
fn declared() -> (&'static str, &'static str, &'static str) {
    (
        "SELECT name FROM salesforce.account",
        hc_sql!("SELECT name, billingcity FROM salesforce.account"),
        "UPDATE salesforce.contact SET email = $1",
    )
}

fn main() {
    let _ = (undeclared(), undeclared_and_unmapped("salesforce"), write_not_declared(), declared());
}
