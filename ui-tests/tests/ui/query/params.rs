use hc_schema_macro::hc_query;

fn main() {
    // A parameter whose type cannot be inferred from where it stands.
    let _ = hc_query!("SELECT a.name FROM salesforce.account a WHERE upper(a.name) = $1", "X");
    // Too many and too few arguments.
    let _ = hc_query!("SELECT a.name FROM salesforce.account a WHERE a.sfid = $1", "a", "b");
    let _ = hc_query!("SELECT a.name FROM salesforce.account a WHERE a.sfid = $1 AND a.name = $2", "a");
    // One parameter standing for two types.
    let _ = hc_query!("SELECT a.name FROM salesforce.account a WHERE a.sfid = $1 OR a.annualrevenue = $1", 1.0);
    // A number the SQL skips.
    let _ = hc_query!("SELECT a.name FROM salesforce.account a WHERE a.sfid = $2", "a", "b");
}
