use hc_schema_macro::hc_sql;

fn main() {
    // HC creates lower-case names only: "Name" is never a Heroku Connect column.
    let _ = hc_sql!(r#"SELECT "Name" FROM salesforce.account"#);
}
