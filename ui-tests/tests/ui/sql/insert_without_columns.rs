use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("INSERT INTO salesforce.contact VALUES ($1, $2)");
}
