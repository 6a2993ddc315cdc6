use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("SELECT a.name FROM account a JOIN contact c ON c.accountid = a.sfid WHERE rating = 'Hot'");
    let _ = hc_sql!("SELECT x.name FROM account a");
}
