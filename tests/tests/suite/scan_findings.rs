//! What the scan reports about the code it reads: annotations where rustc rejects them
//! (misplaced, declaring nothing), inside `cfg_attr` (conditional), inside macros (not
//! scannable), malformed calls; `hc_sql!` invocations; and the string literals that could be
//! SQL, with what guards them. Both strategies must say the same (checked in each test).

use hc_schema_snapshot::scan::{
    scan_sources_with, ContainerKind, ErrorKind, LiteralKind, Scan, SqlArgument, Strategy,
};

fn scan(text: &str) -> Scan {
    let fast = scan_sources_with(&[("src/lib.rs", text)], Strategy::Fast);
    let full = scan_sources_with(&[("src/lib.rs", text)], Strategy::FullParse);
    assert_eq!(
        fast, full,
        "the fast path and the full parse disagree on:\n{text}"
    );
    fast
}

/// (line, kind, message) of every error.
fn errors(scan: &Scan) -> Vec<(u32, ErrorKind, String)> {
    scan.errors
        .iter()
        .map(|e| (e.line, e.kind, e.message.clone()))
        .collect()
}

#[test]
fn annotations_where_rustc_rejects_attribute_macros_are_misplaced() {
    let text = "use hc_schema_macro::hc_requires;
struct S {
    #[hc_requires(account(name))] field: u8,
}
enum E { #[hc_requires(account(name))] A }
fn f(#[hc_requires(account(name))] x: u8) {
    #[hc_requires(account(name))]
    let y = 1;
    let z = #[hc_requires(account(name))] 2;
    match y { #[hc_requires(account(name))] _ => {} }
}
fn g<#[hc_requires(account(name))] T>() {}
mod m { #![hc_requires(account(name))] }
#[hc_requires(account(name))]
mod other_file;
";
    let scan = scan(text);
    assert!(scan.usages.is_empty() && scan.annotations.is_empty());
    let found = errors(&scan);
    let places = [
        (3, "a field"),
        (5, "an enum variant"),
        (6, "a function parameter"),
        (7, "a `let` statement"),
        (9, "an expression"),
        (10, "a match arm"),
        (12, "a generic parameter"),
        (13, "inner attribute"),
        (14, "a module declared in another file"),
    ];
    assert_eq!(found.len(), places.len(), "{found:#?}");
    for ((line, kind, message), (want_line, place)) in found.iter().zip(places) {
        assert_eq!(
            (*line, *kind),
            (want_line, ErrorKind::Misplaced),
            "{message}"
        );
        assert!(message.contains(place), "line {line}: {message}");
    }
    assert!(found[0].2.contains("declares nothing") && found[0].2.contains("put it on the item"));
    // Misplaced annotations are mistakes in code the scan read: the scan is complete.
    assert!(scan.is_complete());
}

#[test]
fn cfg_attr_annotations_are_found_and_conditional() {
    let text = r#"
#[cfg_attr(feature = "strict", hc_schema_macro::hc_requires(account(name)))]
fn a() {}
#[cfg_attr(test, allow(dead_code), hc_schema_macro::hc_requires(contact(email)), inline)]
fn b() {}
#[cfg_attr(unix, cfg_attr(feature = "x", hc_schema_macro::hc_requires(lead(status))))]
fn c() {}
#[hc_schema_macro::hc_requires(case(subject))]
fn d() {}
"#;
    let scan = scan(text);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let conditional: Vec<(u32, Vec<String>)> = scan
        .annotations
        .iter()
        .map(|a| (a.position.line, a.conditional.clone()))
        .collect();
    assert_eq!(
        conditional,
        [
            (2, vec!["feature = \"strict\"".to_string()]),
            (4, vec!["test".to_string()]),
            (6, vec!["unix".to_string(), "feature = \"x\"".to_string()]),
            (8, vec![]),
        ]
    );
    let tables: Vec<&str> = scan.usages.iter().map(|u| u.table.name.as_str()).collect();
    assert_eq!(tables, ["account", "contact", "lead", "case"]);
}

#[test]
fn annotations_inside_macros_are_not_scannable_here() {
    let text = r#"use hc_schema_macro::{hc_requires, hc_sql};
macro_rules! reader {
    ($name:ident) => { #[hc_requires(account(name))] fn $name() {} };
}
my_macro! { #[hc_requires(contact(email))] fn g() {} }
fn f() {
    let q = other_macro!(hc_sql!("SELECT a FROM t"));
    let p = format!("{}", hc_sql!("SELECT name FROM account"));
    let v = vec![hc_sql!("SELECT id FROM lead")];
    assert!(!hc_sql!("SELECT 1 FROM contact").is_empty(), "{}", 1);
}
#[other_attribute(hc_requires(lead(status)))]
fn h() {}
"#;
    let scan = scan(text);
    let found: Vec<(u32, ErrorKind)> = errors(&scan).into_iter().map(|(l, k, _)| (l, k)).collect();
    assert_eq!(
        found,
        [
            (3, ErrorKind::NotScannable),
            (5, ErrorKind::NotScannable),
            (7, ErrorKind::NotScannable),
            (12, ErrorKind::NotScannable),
        ]
    );
    assert!(scan.errors[0].message.contains("`macro_rules! reader`"));
    assert!(scan.errors[1].message.contains("`my_macro!`"));
    assert!(!scan.is_complete());
    assert_eq!(scan.incomplete().count(), 4);
    // Inside std's expression macros, hc_sql! is read.
    let lines: Vec<u32> = scan.sql_macros.iter().map(|m| m.position.line).collect();
    assert_eq!(lines, [8, 9, 10]);
}

#[test]
fn the_macros_called_the_wrong_way_are_malformed() {
    let text = "use hc_schema_macro::*;
fn f() { hc_requires!(account(name)); }
#[hc_sql]
fn g() {}
#[hc_requires(account)]
fn h() {}
";
    let scan = scan(text);
    let found = errors(&scan);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|(_, k, _)| *k == ErrorKind::Malformed));
    assert!(found[0].2.contains("is the #[hc_requires] attribute"));
    assert!(found[1].2.contains("function-like macro, not an attribute"));
    assert!(found[2].2.contains("`account(column, ...)`"));
    assert!(scan.is_complete());
}

#[test]
fn hc_sql_invocations_with_their_literal() {
    let text = r####"use hc_schema_macro::hc_sql as q;
const A: &str = q!("SELECT name FROM account");
const B: &str = q!(r##"SELECT "type" FROM account WHERE x = '#'"##,);
const C: &str = q!(QUERY);
const D: &str = q!(concat!("SELECT", " 1"));
const E: &str = q!(b"SELECT 1");
const F: &str = q!("SELECT\n name \
                    FROM account");
"####;
    let scan = scan(text);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let shown: Vec<String> = scan
        .sql_macros
        .iter()
        .map(|m| match &m.argument {
            SqlArgument::Literal(l) => format!(
                "{}:{} {:?} {:?}",
                m.position.line, m.position.column, l.kind, l.value
            ),
            SqlArgument::NotLiteral { text, position } => {
                format!(
                    "{}:{} not a literal {text:?} at {}",
                    m.position.line, m.position.column, position.column
                )
            }
        })
        .collect();
    assert_eq!(
        shown,
        [
            "2:17 Plain \"SELECT name FROM account\"",
            "3:17 Raw { hashes: 2 } \"SELECT \\\"type\\\" FROM account WHERE x = '#'\"",
            "4:17 not a literal \"QUERY\" at 20",
            "5:17 not a literal \"concat!(\\\"SELECT\\\", \\\" 1\\\")\" at 20",
            "6:17 not a literal \"b\\\"SELECT 1\\\"\" at 20",
            "7:17 Plain \"SELECT\\n name FROM account\"",
        ]
    );
    let SqlArgument::Literal(literal) = &scan.sql_macros[0].argument else {
        unreachable!()
    };
    assert_eq!(literal.written, "\"SELECT name FROM account\"");
    assert_eq!(
        (literal.extent.start.column, literal.extent.end.column),
        (20, 46)
    );
    assert_eq!(scan.sql_macros[0].extent.end.column, 47);
}

#[test]
fn sql_looking_literals_with_what_guards_them() {
    let text = r##"use hc_schema_macro::{hc_requires, hc_sql};
#[hc_requires(account(name))]
fn guarded(schema: &str) -> String {
    format!("SELECT name, type FROM {}.account", schema)
}
fn unguarded() -> &'static str {
    "DELETE FROM salesforce.account"
}
#[hc_requires(contact(email))]
impl Reports {
    #[hc_requires(lead(status))]
    fn nested() -> &'static str { r#"SELECT status FROM lead"# }
}
const Q: &str = hc_sql!("UPDATE account SET name = $1");
const NOT_SQL: &str = "selected from the menu";
const BYTES: &[u8] = b"SELECT a FROM b";
"##;
    let scan = scan(text);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let literals: Vec<(u32, &str, Vec<usize>, Option<usize>)> = scan
        .sql_literals
        .iter()
        .map(|l| {
            (
                l.literal.extent.start.line,
                l.literal.value.as_str(),
                l.annotations.clone(),
                l.hc_sql,
            )
        })
        .collect();
    assert_eq!(
        literals,
        [
            (4, "SELECT name, type FROM {}.account", vec![0], None),
            (7, "DELETE FROM salesforce.account", vec![], None),
            (12, "SELECT status FROM lead", vec![1, 2], None),
            (14, "UPDATE account SET name = $1", vec![], Some(0)),
            // A byte string is read like a string: code can run it as SQL.
            (16, "SELECT a FROM b", vec![], None),
        ]
    );
    let format = scan.sql_literals[0].container.as_ref().unwrap();
    assert_eq!(
        (format.kind, format.path.as_str(), format.argument),
        (ContainerKind::Macro, "format", 0)
    );
    assert!(format.is_format_string());
    assert!(scan.sql_literals[1].container.is_none());
    assert_eq!(
        scan.sql_literals[2].literal.kind,
        LiteralKind::Raw { hashes: 1 }
    );
    // The annotations are the impl block's and the method's, outermost first.
    assert_eq!(scan.annotations[1].position.line, 9);
    assert_eq!(scan.annotations[2].position.line, 11);
    assert_eq!(scan.annotations[1].item.end.line, 13);
}
