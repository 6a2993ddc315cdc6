//! Unit tests of the annotation grammar: the token parser, validation and the plain fast path.

use super::*;
use crate::requirement::Requirement;
use proc_macro2::TokenStream;

fn parse(text: &str) -> Result<Annotation, SyntaxError> {
    Annotation::parse(text.parse().unwrap(), Span::call_site())
}

#[test]
fn accepts_keywords_raw_idents_literals_and_trailing_commas() {
    let annotation =
        parse(r#"account(type, r#match, self, "Loyalty_Tier__c",), "User"(id),"#).unwrap();
    assert!(annotation.validate().is_empty());
    let requirements = annotation.requirements();
    assert_eq!(
        requirements[0].columns,
        ["type", "match", "self", "loyalty_tier__c"]
    );
    assert_eq!(requirements[1].table, "user");
}

#[test]
fn syntax_errors_explain_the_fix() {
    let message = |text: &str| parse(text).unwrap_err().to_string();
    assert!(message("account").contains("`account(column, ...)`"));
    assert!(message("account.name").contains("instead of `account.name`"));
    assert!(message("account(name contact(x))").contains("expected `,` between columns"));
    assert!(message("account(name) contact(x)").contains("between table groups"));
    assert!(message("account(42)").contains("expected a table or column name"));
    assert!(message(r#"account("first name")"#).contains("not a Heroku Connect name"));
    assert!(message("account(name, contact(x))").contains("looks like a table"));
}

/// The plain-text reading agrees with the token parser wherever it answers, and answers
/// for every ordinary annotation.
#[test]
fn plain_text_reading_agrees_with_the_token_parser() {
    let ordinary = [
        "account(name)",
        "Account(Name, Loyalty_Tier__c), contact(email,),",
        r#"account(type, r#match, self, "Loyalty_Tier__c",), "User"(id)"#,
        "account ( name ,\n\ttype )",
        "object_7__c(field_1__c, field_101__c, Field_201__c)",
        "account(name), account(type)",
        "_(_)",
    ];
    let unusual = [
        "",
        "account",
        "account()",
        "account.name",
        "account(name contact(x))",
        "account(name) contact(x)",
        "account(42)",
        "account(name, Name)",
        "account(name), Account(NAME)",
        "account(name, contact(x))",
        r#"account("first name")"#,
        r#"account("")"#,
        r#"account(r"raw")"#,
        "account(na\u{ef}ve)",
        "account(name)) ",
        "account(,)",
        "account(name,,)",
        ",account(name)",
        "account(name)(x)",
        "9account(name)",
    ];
    for text in ordinary.iter().chain(&unusual) {
        let from_tokens = text
            .parse()
            .ok()
            .and_then(|tokens| Annotation::parse(tokens, Span::call_site()).ok())
            .filter(|a| a.validate().is_empty())
            .map(|a| a.requirements());
        let mut lowered = text.to_string();
        let plain = plain_groups(&mut lowered).map(|groups| {
            groups
                .iter()
                .map(|g| Requirement::new(g.table, &g.columns))
                .collect::<Vec<_>>()
        });
        if ordinary.contains(text) {
            assert!(plain.is_some(), "{text:?} is ordinary");
        }
        if let Some(plain) = plain {
            assert_eq!(Some(plain), from_tokens, "{text:?}");
        }
    }
}

#[test]
fn validation_flags_empty_and_duplicates() {
    let errors = parse("").unwrap().validate();
    assert!(errors[0].to_string().contains("at least one table"));
    let errors = parse("account()").unwrap().validate();
    assert!(errors[0]
        .to_string()
        .contains("list the columns of `account`"));
    let errors = parse("account(name, Name), Account(name)")
        .unwrap()
        .validate();
    assert_eq!(errors.len(), 2);
    assert!(errors[0]
        .to_string()
        .contains("`account.name` is listed twice"));
}

/// What follows an `hc_sql!` literal: allowances read as an annotation's, anything else an
/// error at its token, never a panic; a column the query does not use is an error.
#[test]
fn sql_allowances_read_like_an_annotations_and_never_panic() {
    let read = |text: &str| sql_allowances(text.parse().unwrap(), Span::call_site());
    let allowances =
        read(r#"missing_ok(prod, staging, account(x, y), reason = " flag "),"#).unwrap();
    let allowed = allowances_of(&allowances);
    assert_eq!(allowed.len(), 2);
    assert_eq!(
        (allowed[1].env.as_str(), allowed[1].reason.as_str()),
        ("staging", "flag")
    );
    let used = |table: &str, column: &str| table == "account" && column == "x";
    let errors = validate_sql_allowances(&allowances, Some(&used));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, not_used_by_query("account", "y"));
    assert!(validate_sql_allowances(&allowances, None).is_empty());
    let pieces = [
        "missing_ok",
        "(",
        ")",
        ",",
        "prod",
        "account",
        "(x)",
        "reason",
        "=",
        "\"r\"",
        "42",
        "write",
        ".",
        "missing_ok(prod, account(x), reason = \"r\")",
        "r#\"raw\"#",
    ];
    let mut rng = crate::testing::Rng::exact(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: usize| rng.below(n);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..5_000 {
        let text: Vec<&str> = (0..next(8)).map(|_| pieces[next(pieces.len())]).collect();
        let Ok(tokens) = text.join(" ").parse::<TokenStream>() else {
            continue;
        };
        match sql_allowances(tokens, Span::call_site()) {
            Ok(allowances) => {
                let _ = validate_sql_allowances(&allowances, Some(&used));
                ok += 1;
            }
            Err(_) => refused += 1,
        }
    }
    assert!(ok > 100 && refused > 1_000, "{ok} read, {refused} refused");
}

#[test]
fn an_allowance_has_one_reason_and_allows_a_column_once() {
    let Err(error) =
        parse(r#"account(x), missing_ok(prod, account(x), reason = "a", reason = "b")"#)
    else {
        panic!("two reasons must be refused");
    };
    assert!(
        error.to_string().contains("already has a reason"),
        "{error}"
    );
    let twice = r#"account(x), missing_ok(prod, account(x), reason = "a"), missing_ok(prod, account(x), reason = "a")"#;
    let errors = parse(twice).unwrap().validate();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]
        .to_string()
        .contains("`account.x` is already allowed to be missing in `prod`"));
    let other_env = r#"account(x), missing_ok(prod, account(x), reason = "a"), missing_ok(test, account(x), reason = "a")"#;
    assert!(parse(other_env).unwrap().validate().is_empty());
}

/// Typed declarations (`account(annualrevenue: f64)`), generated from pieces: the token parser
/// never panics; whatever it accepts has one type slot per column, and every type it keeps is a
/// type path; the plain fast path answers only for untyped annotations, and then as the token
/// parser does.
#[test]
fn generated_typed_declarations_never_panic_and_the_fast_path_agrees() {
    let tables = ["account", "Contact", "\"user\"", "write account", "r#type"];
    let columns = [
        "name",
        "Type",
        "annualrevenue",
        "r#match",
        "\"Tier__c\"",
        "name",
    ];
    let types = [
        "f64",
        "String",
        "Option<f64>",
        "chrono :: NaiveDate",
        "Vec<i32>",
        "42",
        "",
        "Option<",
        "&str",
        "my::Money",
        "Option<Vec<String>>",
        "f64 x",
        "<T as X>::Y",
        "HashMap<K, V>",
    ];
    let damage = [
        "(",
        ")",
        ",",
        ":",
        "<",
        ">",
        "::",
        "write",
        "missing_ok",
        " ",
    ];
    let mut rng = crate::testing::Rng::exact(0x9e37_79b9_7f4a_7c15);
    let mut next = move |n: usize| rng.below(n);
    let (mut typed, mut plain_answers, mut refused) = (0, 0, 0);
    for _ in 0..20_000 {
        let groups: Vec<String> = (0..1 + next(3))
            .map(|_| {
                let cols: Vec<String> = (0..1 + next(4))
                    .map(|_| {
                        let column = columns[next(columns.len())];
                        if next(2) == 0 {
                            format!("{column}: {}", types[next(types.len())])
                        } else {
                            column.to_string()
                        }
                    })
                    .collect();
                format!("{}({})", tables[next(tables.len())], cols.join(", "))
            })
            .collect();
        let mut text = groups.join(", ");
        if next(4) == 0 {
            let at = next(text.len() + 1);
            if text.is_char_boundary(at) {
                text.insert_str(at, damage[next(damage.len())]);
            }
        }
        let Ok(tokens) = text.parse::<TokenStream>() else {
            continue;
        };
        let from_tokens = match Annotation::parse(tokens, Span::call_site()) {
            Ok(annotation) => annotation,
            Err(_) => {
                refused += 1;
                continue;
            }
        };
        let errors = from_tokens.validate();
        for group in &from_tokens.groups {
            assert_eq!(group.columns.len(), group.types.len(), "{text}");
            for (column, rust) in group.typed() {
                typed += 1;
                assert!(!rust.is_empty(), "{text}: {column}");
                let _ = crate::types::declared_reads(&rust, "double precision");
            }
        }
        let _ = from_tokens.usages("f.rs");
        let mut lowered = text.clone();
        if let Some(plain) = plain_groups(&mut lowered) {
            plain_answers += 1;
            assert!(errors.is_empty(), "{text}: {errors:?}");
            assert!(
                from_tokens
                    .groups
                    .iter()
                    .all(|g| g.types.iter().all(Option::is_none)),
                "the fast path read a typed declaration: {text}"
            );
            let plain: Vec<Requirement> = plain
                .iter()
                .map(|g| Requirement::new(g.table, &g.columns))
                .collect();
            assert_eq!(plain, from_tokens.requirements(), "{text}");
        }
    }
    assert!(
        typed > 5_000 && plain_answers > 500 && refused > 1_000,
        "{typed} typed columns, {plain_answers} plain, {refused} refused"
    );
}

#[test]
fn typed_columns_read_their_type_and_errors_point_at_it() {
    let annotation =
        parse("account(annualrevenue: f64, name, d: chrono :: NaiveDate, o: Option<Vec<i64>>)")
            .unwrap();
    assert!(annotation.validate().is_empty());
    assert_eq!(
        annotation.groups[0].typed(),
        [
            ("annualrevenue".to_string(), "f64".to_string()),
            ("d".to_string(), "chrono::NaiveDate".to_string()),
            ("o".to_string(), "Option<Vec<i64>>".to_string()),
        ]
    );
    assert_eq!(
        annotation.requirements()[0].columns,
        ["annualrevenue", "name", "d", "o"]
    );
    let usages = annotation.usages("f.rs");
    assert_eq!(usages[0].typed()[0], ("annualrevenue", "f64"));
    let message = |text: &str| parse(text).unwrap_err().to_string();
    assert!(message("account(x: 42)").contains("not a Rust type path"));
    assert!(message("account(x:)").contains("write the column's Rust type"));
    assert!(message("account(x: f64 y)").contains("not a Rust type path"));
    // A reference the `postgres` crate reads like its owned type is a type (`&str` is read as
    // `String`; attacker finding F5: it was refused as "not a Rust type path").
    for written in ["&str", "&'static str", "Option<&str>", "&[u8]"] {
        let text = format!("account(x: {written})");
        assert!(
            Annotation::parse(text.parse().unwrap(), proc_macro2::Span::call_site()).is_ok(),
            "{written}"
        );
    }
    // syn takes `Option<>` for a path; the one normalisation says it names no type.
    assert!(message("account(x: Option<>)").contains("`Option<>` names no type inside `<>`"));
    assert!(message("account(x: Option<i32, i64>)").contains("`Option` takes one type"));
    let allowance = parse(r#"account(x: f64), missing_ok(prod, account(x: f64), reason = "r")"#)
        .unwrap()
        .validate();
    assert_eq!(allowance.len(), 1, "{allowance:?}");
    assert!(allowance[0]
        .message
        .contains("missing_ok lists columns without types"));
}
