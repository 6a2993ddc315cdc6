use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("SELECT name FROM account a JOIN contact c ON c.accountid = a.sfid");
}
