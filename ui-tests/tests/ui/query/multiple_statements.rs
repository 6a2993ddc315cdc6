use hc_schema_macro::hc_query;

fn main() {
    // Two statements: the error names the macro used.
    let _ = hc_query!("SELECT a.name FROM salesforce.account a; SELECT 1");
}
