use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("UPDATE salesforce.contact SET isdeleted = true WHERE sfid = $1");
}
