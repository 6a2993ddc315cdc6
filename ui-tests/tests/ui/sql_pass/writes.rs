// Writes to a read-write mapping hold; a write to a table whose mapping access the snapshot
// does not record (opportunity) is not an error by default (`check` notes it; strict access
// makes it one).
use hc_schema_macro::hc_sql;

const UPSERT: &str = hc_sql!(
    "INSERT INTO salesforce.contact (external_id__c, lastname, email, accountid)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (external_id__c) DO UPDATE SET email = EXCLUDED.email
     RETURNING sfid"
);
const RENAME: &str = hc_sql!("UPDATE salesforce.opportunity SET name = $1 WHERE sfid = $2");
const DELETE: &str = hc_sql!("DELETE FROM contact WHERE isdeleted");

fn main() {
    assert!(UPSERT.contains("ON CONFLICT") && RENAME.starts_with("UPDATE") && !DELETE.is_empty());
}
