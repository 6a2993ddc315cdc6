// Without a build script there is no hc-schema.toml, so the registry keeps its default: the
// annotations are checked but nothing is compiled into the binary (the e2e tests cover
// `[registry] enabled = true`).
use hc_schema_macro::hc_requires;

#[hc_requires(account(name, type))]
fn checked_only() {}

#[hc_requires(contact(email))]
struct AlsoCheckedOnly;

fn main() {
    checked_only();
    let _ = AlsoCheckedOnly;
    assert!(hc_schema_snapshot::registry::usages().is_empty());
}
