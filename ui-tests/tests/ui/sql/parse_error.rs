use hc_schema_macro::hc_sql;

const Q: &str = hc_sql!(
    r#"SELECT name
         FROM salesforce.account
        WHERE name = = 'Acme'"#
);

fn main() {
    let _ = Q;
}
