use hc_schema_macro::hc_requires;

#[hc_requires(loyalty_program__c(name))]
struct Program;

fn main() {
    let _ = Program;
}
