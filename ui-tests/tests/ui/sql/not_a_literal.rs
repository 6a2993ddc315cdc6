use hc_schema_macro::hc_sql;

const TABLE: &str = "salesforce.account";

fn main() {
    let _ = hc_sql!(concat!("SELECT name FROM ", "salesforce.account"));
    let _ = hc_sql!(TABLE);
    let _ = hc_sql!(b"SELECT 1");
    let _ = hc_sql!();
}
