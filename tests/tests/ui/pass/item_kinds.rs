use hc_schema_macro::hc_requires;

#[hc_requires(account(name))]
fn free_function() -> u32 { 1 }

#[hc_requires(account(name))]
const fn const_function() -> u32 { 2 }

#[hc_requires(account(Name, Type))]
struct Row { name: String }

#[hc_requires(contact(email))]
enum Kind { A, B }

struct Service;

#[hc_requires(account(billingcity))]
impl Service {
    #[hc_requires(contact(email))]
    fn method(&self) -> u32 { 3 }

    #[hc_requires(account(sfid))]
    fn associated() -> u32 { 4 }
}

#[hc_requires(user(username))]
trait Lookup {
    fn lookup(&self) -> u32;
}

impl Lookup for Service {
    #[hc_requires(user(id))]
    fn lookup(&self) -> u32 { 5 }
}

#[hc_requires(account(id))]
mod inner {
    pub fn f() -> u32 { 6 }
}

#[hc_requires(account(name))]
const LIMIT: u32 = 7;

#[hc_requires(account(name))]
static NAME: &str = "x";

fn main() {
    let row = Row { name: String::new() };
    let _ = (row.name, Kind::A, Kind::B, NAME);
    let total = free_function() + const_function() + Service.method() + Service::associated()
        + Service.lookup() + inner::f() + LIMIT;
    assert_eq!(total, 28);
}
