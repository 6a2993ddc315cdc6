use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("SELECT a.name, a.loyalty_tier__c FROM salesforce.account a");
    let _ = hc_sql!("SELECT nmae FROM salesforce.account");
}
