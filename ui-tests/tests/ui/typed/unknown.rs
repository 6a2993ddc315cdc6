use hc_schema_macro::hc_requires;

// Types hc-schema does not know: an error naming the spelling, the column and both fixes
// (a table spelling, or `[types] custom` in hc-schema.toml for a type of your own).
#[hc_requires(account(external__c: my::Uuid, birthdate__c: Option<Date>))]
fn unknown() {}

// Spellings of table types are judged as those types: `DateTime<Utc>` is chrono's
// timestamptz type, which does not read a timestamp; `std::primitive::i64` does not read an
// integer; `u32` reads only oid.
#[hc_requires(account(createddate: DateTime<Utc>, id: std::primitive::i64, annualrevenue: u32))]
fn spelled() {}

fn main() {
    unknown();
    spelled();
}
