use hc_schema_macro::hc_requires;

// A method declaration has no body to hold the registration, and a trait cannot hold a static.
pub trait Lookup {
    #[hc_requires(account(name))]
    fn lookup(&self) -> u32;
}

fn main() {}
