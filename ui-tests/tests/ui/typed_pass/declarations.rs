use hc_schema_macro::hc_requires;

// Types that read each column: plain, `Option<T>`, paths (any spelling of a table type), the
// std time type, and `uuid::Uuid` for a uuid column (outside the table, known all the same).
#[hc_requires(account(
    name: String,
    annualrevenue: Option<f64>,
    id: i32,
    isdeleted: ::core::option::Option<bool>,
    createddate: std::time::SystemTime,
    birthdate__c: chrono::NaiveDate,
    external__c: uuid::Uuid,
    sfid,
))]
fn typed() {}

// Other spellings of the same types.
#[hc_requires(account(
    name: Option<&'static str>,
    annualrevenue: ::std::option::Option::<std::primitive::f64>,
    id: Option<Option<core::primitive::i32>>,
    createddate: chrono::naive::NaiveDateTime,
))]
fn spellings() {}

// A snapshot without the column's type: a note in `check`, nothing in the build (an error
// with `strict_types = true`).
#[hc_requires(account(notes__c: String))]
fn untyped_snapshot() {}

fn main() {
    typed();
    spellings();
    untyped_snapshot();
}
