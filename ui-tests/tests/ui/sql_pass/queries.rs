// hc_sql! in every position a string literal goes, holding in the fixture snapshot.
use hc_schema_macro::hc_sql;

const ACCOUNTS: &str = hc_sql!("SELECT a.sfid, a.name FROM salesforce.account a WHERE NOT a.isdeleted");

static CONTACTS: &str = hc_sql!(
    r#"
    SELECT c.email, a.name AS account_name, "user".username
      FROM salesforce.contact c
      JOIN salesforce.account a ON a.sfid = c.accountid
      LEFT JOIN salesforce."user" ON "user".email = c.email
     WHERE c.lastname = $1
     ORDER BY account_name
    "#
);

// Through macro_rules!, as a `literal` fragment.
macro_rules! query {
    ($sql:literal) => {
        hc_sql!($sql)
    };
}

fn prepare(sql: &str) -> usize {
    sql.len()
}

fn main() {
    let n = prepare(hc_sql!("SELECT count(*) FROM salesforce.opportunity WHERE amount > $1",));
    let app = hc_sql!("SELECT s.value FROM app_settings s WHERE s.key = 'tier'");
    let star = query!("SELECT * FROM account");
    let cte = hc_sql!(
        "WITH big AS (SELECT accountid, sum(amount) AS total FROM opportunity GROUP BY accountid)
         SELECT a.name, big.total FROM account a JOIN big ON big.accountid = a.sfid"
    );
    assert!(ACCOUNTS.starts_with("SELECT a.sfid") && CONTACTS.contains("\"user\""));
    assert_eq!(app, "SELECT s.value FROM app_settings s WHERE s.key = 'tier'");
    assert!(n > 0 && star.ends_with("account") && cte.contains("big"));
}
