use hc_schema_macro::hc_query;

fn main() {
    // An output without a name, and two outputs with one name.
    let _ = hc_query!("SELECT a.name, a.annualrevenue * 2 FROM salesforce.account a");
    let _ = hc_query!("SELECT a.name, a.sfid AS name FROM salesforce.account a");
    // `*`: different columns in different environments.
    let _ = hc_query!("SELECT * FROM salesforce.account");
    // An expression whose type the snapshots cannot tell.
    let _ = hc_query!("SELECT upper(a.name) AS loud FROM salesforce.account a");
    // An override type that does not read the column.
    let _ = hc_query!("SELECT a.annualrevenue AS \"annualrevenue: String\" FROM salesforce.account a");
    // An override type hc-schema does not know (declared in no `[types] custom`), one
    // spelled with paths that does not read the column, and one that is no type.
    let _ = hc_query!("SELECT a.annualrevenue AS \"annualrevenue: my::Money\" FROM salesforce.account a");
    let _ = hc_query!("SELECT a.annualrevenue AS \"annualrevenue: ::std::string::String\" FROM salesforce.account a");
    let _ = hc_query!("SELECT count(*) AS \"n: Option<>\" FROM salesforce.account a");
    // Not a Rust type.
    let _ = hc_query!("SELECT a.name AS \"name: 3x\" FROM salesforce.account a");
    // The named form takes a struct's path first.
    let _ = hc_query!(not a path, "SELECT a.name FROM salesforce.account a");
    // SQL that is not a literal: in hc_query!'s words, at the SQL argument (also after a
    // generic struct, whose commas are its own).
    let sql = "SELECT a.name FROM salesforce.account a";
    let _ = hc_query!(sql);
    let _ = hc_query!(Pair<String, String>, sql);
    // A struct path that ends early.
    let _ = hc_query!(my::, "SELECT a.name FROM salesforce.account a");
}
