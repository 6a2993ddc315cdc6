use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("UPDATE salesforce.account SET billingcity = $1 WHERE sfid = $2");
    let _ = hc_sql!("DELETE FROM salesforce.account WHERE isdeleted");
}
