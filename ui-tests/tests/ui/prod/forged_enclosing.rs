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

// Tokens passed through a `macro_rules!` defined below its call (so they come before the
// annotation the macro writes) lie in no attribute: refused too.
smuggle!(account(ghost__c));

fn main() {
    let _ = (tiers(), Holder::both(), smuggled());
}

#[macro_export]
macro_rules! smuggle {
    ($($t:tt)*) => {
        #[hc_schema_macro::hc_requires(__hc_enclosing(1 1 ($($t)*)), account(sfid))]
        fn smuggled() -> &'static str {
            "SELECT sfid, ghost__c FROM salesforce.account"
        }
    };
}
