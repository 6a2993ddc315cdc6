use hc_schema_macro::hc_query;

fn main() {
    // `date` needs a date-time crate ([types] datetime).
    let _ = hc_query!("SELECT a.birthdate__c FROM salesforce.account a");
    // A type outside the table.
    let _ = hc_query!("SELECT a.external__c FROM salesforce.account a");
    // A snapshot without the column's type (imported from a mapping export).
    let _ = hc_query!("SELECT a.notes__c FROM salesforce.account a");
    // The analysis' own errors come first, as hc_sql! has them.
    let _ = hc_query!("SELECT a.nmae FROM salesforce.account a");
}
