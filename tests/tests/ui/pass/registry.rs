use hc_schema_macro::hc_requires;

#[hc_requires(account(name, type))]
fn registered() {}

#[hc_requires(contact(email))]
struct AlsoRegistered;

fn main() {
    registered();
    let _ = AlsoRegistered;
    let usages = hc_schema_snapshot::registry::usages();
    let found: Vec<(String, Vec<String>, u32)> = usages
        .iter()
        .map(|u| (u.table.name.clone(), u.columns.iter().map(|c| c.name.clone()).collect(), u.table.line))
        .collect();
    assert_eq!(
        found,
        [
            ("account".to_string(), vec!["name".to_string(), "type".to_string()], 3),
            ("contact".to_string(), vec!["email".to_string()], 6),
        ]
    );
    assert_eq!(usages[0].columns[1].column, 29);
}
