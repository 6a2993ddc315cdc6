use hc_schema_macro::hc_sql;

fn main() {
    // Qualified with the Heroku Connect schema: a missing table, not the app's own.
    let _ = hc_sql!("SELECT l.name FROM salesforce.lead l");
}
