use hc_schema_macro::hc_requires;

// With the registry off (the default) a method declaration is checked like any item; with
// `[registry] enabled = true` it is an error, as there is no body to hold the registration
// (see the e2e test `a_bodiless_method_cannot_be_registered`).
pub trait Lookup {
    #[hc_requires(account(name))]
    fn lookup(&self) -> u32;
}

fn main() {}
