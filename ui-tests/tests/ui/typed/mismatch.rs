use hc_schema_macro::hc_requires;

// `annualrevenue` is double precision: `String` does not read it.
#[hc_requires(account(name: String, annualrevenue: String))]
fn revenue_as_text() {}

// `createddate` is a timestamp: a date type does not read it; `Vec<T>` reads only arrays.
#[hc_requires(account(createddate: chrono::NaiveDate, birthdate__c: Option<Vec<chrono::NaiveDate>>))]
fn dates() {}

// A type the table knows never reads a type outside it (`uuid`).
#[hc_requires(account(external__c: String))]
fn external() {}

fn main() {
    revenue_as_text();
    dates();
    external();
}
