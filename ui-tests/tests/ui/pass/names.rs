use hc_schema_macro::hc_requires;

// Keywords, raw identifiers, string literals, Salesforce casing, trailing commas, and the
// quoted-in-Postgres `user` table.
#[hc_requires(Account(Type, r#loop, "Loyalty_Tier__c", SfId,), "User"(UserName), user(id),)]
fn names() {}

fn main() {
    names();
}
