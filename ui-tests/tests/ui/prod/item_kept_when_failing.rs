use hc_schema_macro::hc_requires;

// The item is emitted unchanged even when the check fails: no follow-on
// "cannot find type" errors appear in main.
#[hc_requires(account(missing__c))]
pub struct Kept {
    pub value: u32,
}

fn main() {
    let kept = Kept { value: 1 };
    let _ = kept.value;
}
