// `__hc_enclosing` is written by an `#[hc_requires]` into the annotations nested in its item;
// one written by hand would declare columns that no annotation judges: refused.
use hc_schema_macro::hc_requires;

#[hc_requires(__hc_enclosing(1 1 (account(ghost__c))), account(sfid))]
fn tiers() -> &'static str {
    "SELECT sfid, ghost__c FROM salesforce.account"
}

mod outer {
    use hc_schema_macro::hc_requires;

    // A genuine nesting still works: the method's string is judged against both.
    #[hc_requires(account(name))]
    impl super::Holder {
        #[hc_requires(account(sfid))]
        pub fn both() -> &'static str {
            "SELECT sfid, name FROM salesforce.account"
        }
    }
}

pub struct Holder;

fn main() {
    let _ = (tiers(), Holder::both());
}
