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
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
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
