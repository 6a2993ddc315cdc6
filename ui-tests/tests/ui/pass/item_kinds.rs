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

// Inner attributes and inner doc comments stay first in the body.
#[hc_requires(account(name))]
fn with_inner_attribute() -> u32 {
    //! Inner documentation.
    #![allow(unused_variables)]
    let unused = 1;
    8
}

trait WithDefault {
    #[hc_requires(account(name))]
    fn default_method(&self) -> u32 { 9 }
}

impl WithDefault for Service {}

#[hc_requires(account(name))]
static NAME: &str = "x";

fn main() {
    let row = Row { name: String::new() };
    let _ = (row.name, Kind::A, Kind::B, NAME);
    let total = free_function() + const_function() + Service.method() + Service::associated()
        + Service.lookup() + inner::f() + LIMIT + with_inner_attribute() + Service.default_method();
    assert_eq!(total, 45);
}
