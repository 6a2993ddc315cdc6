use hc_schema_macro::hc_sql;

fn main() {
    let _ = hc_sql!("UPDATE contact SET title = $1 WHERE sfid = $2; SELECT 1");
}
