use hc_schema_macro::hc_requires;

// Types that read each column: plain, `Option<T>`, paths, the std time type, and a user
// type the table does not know (its own `FromSql` is checked at run time).
#[hc_requires(account(
    name: String,
    annualrevenue: Option<f64>,
    id: i32,
    isdeleted: ::core::option::Option<bool>,
    createddate: std::time::SystemTime,
    birthdate__c: chrono::NaiveDate,
    external__c: my::Uuid,
    sfid,
))]
fn typed() {}

// A snapshot without the column's type: a note in `check`, nothing in the build (an error
// with `strict_types = true`).
#[hc_requires(account(notes__c: String))]
fn untyped_snapshot() {}

fn main() {
    typed();
    untyped_snapshot();
}
