//! One test per type error class of [`type_query`], the fields and parameters it types, and
//! a generated-input test of the alias overrides' parser.

use super::*;
use crate::sql::{shape, Context, Union};
use crate::testing::Rng;

/// test: `annualrevenue` double precision, `billingcity` varchar; prod: `annualrevenue`
/// varchar (drift), `billingcity` text (no drift).
fn snapshots() -> (Snapshot, Snapshot) {
    let one = |env: &str, revenue: &str, city: &str| {
        let text = format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{"account":
            {{"columns":{{"id":{{"type":"integer","nullable":false}},"sfid":{{"type":"character varying(18)"}},
            "name":{{"type":"character varying(255)"}},"annualrevenue":{{"type":"{revenue}"}},
            "billingcity":{{"type":"{city}"}},"isdeleted":{{"type":"boolean"}},
            "createddate":{{"type":"timestamp without time zone"}}}}}}}}}}"#
        );
        Snapshot::parse(&text, &format!("{env}.json"), env).unwrap()
    };
    (
        one("test", "double precision", "character varying(40)"),
        one("prod", "character varying(255)", "text"),
    )
}

fn typed(sql: &str, arguments: usize) -> Typed {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    let shape = shape(sql, &context).unwrap();
    let types = SnapshotTypes::new([
        ("test", "hc-schema/test.json", &test),
        ("prod", "hc-schema/prod.json", &prod),
    ]);
    type_query(&shape, &types, &TypesConfig::default(), arguments)
}

/// The one error of `sql`, and where in the SQL it is.
fn one_error(sql: &str, arguments: usize) -> (String, Option<&str>) {
    let typed = typed(sql, arguments);
    assert_eq!(typed.errors.len(), 1, "{sql}: {:#?}", typed.errors);
    let error = typed.errors[0].clone();
    let at = error.at.map(|at| &sql[at]);
    (error.message, at)
}

#[test]
fn a_query_that_types_has_fields_and_parameters() {
    let sql = "SELECT id, name, billingcity AS \"city!\", count(*) AS n FROM account \
               WHERE sfid = $1 AND NOT isdeleted GROUP BY id, name, billingcity LIMIT $2";
    let typed = typed(sql, 2);
    assert!(typed.errors.is_empty(), "{:#?}", typed.errors);
    let fields: Vec<(String, String, String)> = typed
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.column.clone(), f.shown()))
        .collect();
    assert_eq!(
        fields,
        [
            ("id".into(), "id".into(), "i32".into()),
            ("name".into(), "name".into(), "Option<String>".into()),
            ("city".into(), "city!".into(), "String".into()),
            ("n".into(), "n".into(), "i64".into()),
        ]
    );
    let params: Vec<(usize, String)> = typed
        .params
        .iter()
        .map(|p| (p.number, p.rust.unwrap().display()))
        .collect();
    assert_eq!(params, [(1, "String".into()), (2, "i64".into())]);
    let rust = rust_types(&typed_shape(sql), &typed);
    assert_eq!(rust[&("account".into(), "sfid".into())], ["String"]);
    assert_eq!(rust[&("account".into(), "billingcity".into())], ["String"]);
    // A column read as two types has both, in the order of their uses.
    let sql = "SELECT a.name AS \"x: String\", p.name AS \"y: ::std::string::String\" \
               FROM account a JOIN account p ON p.sfid = a.sfid";
    let both = self::typed(sql, 0);
    assert!(both.errors.is_empty(), "{:#?}", both.errors);
    let rust = rust_types(&typed_shape(sql), &both);
    assert_eq!(
        rust[&("account".into(), "name".into())],
        ["String", "::std::string::String"]
    );
}

fn typed_shape(sql: &str) -> Shape {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    shape(sql, &Context::new(["salesforce"], &union)).unwrap()
}

#[test]
fn drift_between_two_snapshots_is_an_error_naming_both() {
    let (message, at) = one_error("SELECT annualrevenue FROM account", 0);
    assert!(
        message.contains("double precision in test (hc-schema/test.json)")
            && message.contains("character varying(255) in prod (hc-schema/prod.json)")
            && message.contains("no Rust type reads"),
        "{message}"
    );
    assert_eq!(at, Some("annualrevenue"));
    // varchar vs text: `String` reads both.
    assert!(typed("SELECT billingcity FROM account", 0)
        .errors
        .is_empty());
    // A parameter standing for the drifting column.
    let (message, at) = one_error("SELECT name FROM account WHERE annualrevenue = $1", 1);
    assert!(message.starts_with("parameter $1: "), "{message}");
    assert_eq!(at, Some("$1"));
}

#[test]
fn an_unknown_alias_type_is_an_error() {
    let (message, _) = one_error("SELECT name AS \"name: my::Money\" FROM account", 0);
    assert!(
        message.starts_with(
            "`my::Money` in the alias `name: my::Money` is a Rust type hc-schema does not know"
        ),
        "{message}"
    );
    let (message, _) = one_error("SELECT name AS \"name: 1 +\" FROM account", 0);
    assert!(message.contains("is not a Rust type"), "{message}");
}

/// A borrowed type cannot be a field of the row struct (rustc: E0106): refused at the alias,
/// over a column and over an expression, whatever the lifetime is.
#[test]
fn an_alias_type_that_borrows_is_an_error() {
    for (sql, ty) in [
        ("SELECT billingcity AS \"city: &str\" FROM account", "&str"),
        (
            "SELECT billingcity AS \"city: &'static str\" FROM account",
            "&'static str",
        ),
        (
            "SELECT billingcity AS \"city: Option<&[u8]>\" FROM account",
            "Option<&[u8]>",
        ),
        (
            "SELECT billingcity AS \"city: std::borrow::Cow<'static, str>\" FROM account",
            "std::borrow::Cow<'static, str>",
        ),
        ("SELECT upper(name) AS \"up: &str\" FROM account", "&str"),
        ("SELECT count(*) AS \"n: &i64\" FROM account", "&i64"),
    ] {
        let (message, at) = one_error(sql, 0);
        assert!(
            message.starts_with(&format!("`{ty}` in the alias `")),
            "{sql}: {message}"
        );
        assert!(
            message
                .contains("borrows (a reference or a lifetime), but a row's field owns its value"),
            "{sql}: {message}"
        );
        assert!(at.is_some_and(|at| at.contains(" AS ")), "{sql}: {at:?}");
    }
    // An owned type with a path or generics is not a borrow.
    let typed = typed(
        "SELECT billingcity AS \"c: std::string::String\" FROM account",
        0,
    );
    assert!(typed.errors.is_empty(), "{:#?}", typed.errors);
}

#[test]
fn an_alias_type_that_does_not_read_the_column_is_an_error() {
    let (message, at) = one_error("SELECT billingcity AS \"city: f64\" FROM account", 0);
    assert_eq!(
        message,
        "`f64` does not read `account.billingcity`, which is text in prod \
         (hc-schema/prod.json), character varying(40) in test (hc-schema/test.json)"
    );
    assert_eq!(at, Some("billingcity AS \"city: f64\""));
    // One that reads every environment's type is accepted, and is the user's.
    let typed = typed("SELECT billingcity AS \"c: String\" FROM account", 0);
    assert!(typed.errors.is_empty(), "{:#?}", typed.errors);
    assert!(typed.fields[0].written());
}

/// A cast to a type outside the table states the output's type: the alias type must read it
/// (attacker finding F2 of round 11: `String` over `::uuid` compiled and failed on every row).
#[test]
fn an_alias_type_that_does_not_read_a_cast_outside_the_table_is_an_error() {
    for (cast, rust) in [
        ("uuid", "String"),
        ("interval", "String"),
        ("bytea", "bool"),
    ] {
        let sql = format!("SELECT name::{cast} AS \"v!: {rust}\" FROM account");
        let (message, _) = one_error(&sql, 0);
        assert_eq!(
            message,
            format!("`{rust}` does not read output `v`, which is cast to {cast}"),
            "{sql}"
        );
    }
    // A Rust type hc-schema does not know cannot be checked against it: an error too.
    let (message, _) = one_error("SELECT name::uuid AS \"v: my::Id\" FROM account", 0);
    assert!(
        message.contains("is a Rust type hc-schema does not know"),
        "{message}"
    );
    // A type that reads the cast, a custom type, and an unknown expression stay accepted.
    let typed_ok = typed("SELECT name::uuid AS \"v: uuid::Uuid\" FROM account", 0);
    assert!(typed_ok.errors.is_empty(), "{:#?}", typed_ok.errors);
    let typed_ok = typed("SELECT upper(name) AS \"v: String\" FROM account", 0);
    assert!(typed_ok.errors.is_empty(), "{:#?}", typed_ok.errors);
}

/// `VALUES` has no output names of its own (PostgreSQL's `column1`...): an error, never a
/// row of no fields; `SELECT ... INTO t` returns no rows: a statement, not a query (attacker
/// findings F4 and F3 of round 11).
#[test]
fn values_outputs_need_names_and_select_into_is_no_query() {
    for sql in [
        "VALUES ('a', 1)",
        "VALUES ('a', 1) UNION SELECT name, 2 FROM account",
    ] {
        let typed = typed(sql, 0);
        assert_eq!(typed.errors.len(), 2, "{sql}: {:#?}", typed.errors);
        assert!(
            typed.errors[0]
                .message
                .starts_with("output column 1 has no name a struct field can have (`column1`)"),
            "{sql}: {:#?}",
            typed.errors
        );
    }
    let shape = typed_shape("SELECT name INTO TEMP t1 FROM account");
    assert!(!shape.is_query && shape.outputs.is_empty(), "{shape:#?}");
    let shape = typed_shape("SELECT name FROM account");
    assert!(shape.is_query && shape.outputs.len() == 1, "{shape:#?}");
}

#[test]
fn a_wildcard_is_an_error() {
    let (message, at) = one_error("SELECT * FROM account", 0);
    assert!(
        message.contains("`*` returns different columns"),
        "{message}"
    );
    assert_eq!(at, Some("*"));
}

#[test]
fn an_unnamed_output_is_an_error() {
    let (message, _) = one_error("SELECT name || 'x' FROM account", 0);
    assert_eq!(
        message,
        "output column 1 has no name a struct field can have (`?column?`): alias it: `AS name`"
    );
}

#[test]
fn two_outputs_with_one_name_are_an_error() {
    let (message, at) = one_error("SELECT name, billingcity AS name FROM account", 0);
    assert_eq!(
        message,
        "output columns 1 and 2 are both named `name`: alias one of them (`AS other_name`)"
    );
    assert_eq!(at, Some("billingcity AS name"));
}

#[test]
fn a_parameter_whose_type_cannot_be_inferred_needs_a_cast() {
    let (message, at) = one_error("SELECT name FROM account WHERE $1 IS NULL", 1);
    assert!(
        message.starts_with("the type of parameter $1 cannot be inferred from where it stands"),
        "{message}"
    );
    assert_eq!(at, Some("$1"));
    assert!(typed("SELECT name FROM account WHERE $1::text IS NULL", 1)
        .errors
        .is_empty());
}

#[test]
fn the_argument_count_must_be_the_parameter_count() {
    let typed = typed("SELECT name FROM account WHERE sfid = $1", 3);
    assert_eq!(typed.errors.len(), 1);
    assert_eq!(
        typed.errors[0].message,
        "the SQL has 1 parameter ($1) but hc_query! was given 3 argument(s): pass one value per \
         parameter, in order"
    );
    assert_eq!(
        (typed.errors[0].at.clone(), typed.errors[0].argument),
        (None, Some(1))
    );
    let (message, _) = one_error("SELECT name FROM account WHERE sfid = $1 OR name = $2", 0);
    assert!(message.starts_with("the SQL has 2 parameters ($1..$2) but hc_query! was given 0"));
    let few = self::typed("SELECT name FROM account WHERE sfid = $1", 0);
    assert_eq!(few.errors[0].argument, None, "too few: at the SQL");
    // A number the SQL skips.
    let skipped = self::typed("SELECT name FROM account WHERE sfid = $2", 2);
    assert!(skipped.errors[0]
        .message
        .starts_with("parameter $1 is not in the SQL"));
    assert_eq!(skipped.errors[0].at, None);
    // A run of skipped numbers is one error (second attacker of round 3: `$65535` alone made
    // 65,534 errors, 28 MB of compiler output).
    let run = self::typed("SELECT name FROM account WHERE sfid = $65535", 65535);
    let skipped: Vec<_> = run
        .errors
        .iter()
        .filter(|e| e.message.contains("not in the SQL"))
        .collect();
    assert_eq!(skipped.len(), 1, "{:?}", run.errors.len());
    assert!(skipped[0]
        .message
        .starts_with("parameters $1 to $65534 are not in the SQL"));
    let gaps = self::typed("SELECT name FROM account WHERE sfid = $2 OR name = $5", 5);
    let texts: Vec<&str> = gaps.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        texts[0].starts_with("parameter $1 is not in the SQL"),
        "{texts:?}"
    );
    assert!(
        texts[1].starts_with("parameters $3 to $4 are not in the SQL"),
        "{texts:?}"
    );
}

#[test]
fn the_error_text_carries_the_place_in_the_sql() {
    let sql = "SELECT * FROM account";
    let typed = typed(sql, 0);
    let source = SourceLiteral::new("src/lib.rs", sql, "\"SELECT * FROM account\"", 3, 9);
    let text = typed.errors[0].text(&source);
    assert!(text.contains("\n  = note: "), "{text}");
    assert!(text.contains(&source.place(7..8)), "{text}");
}

/// Generated aliases: the name, the nullability override and the type come back as written.
#[test]
fn generated_alias_overrides_parse_back() {
    let mut rng = Rng::seeded(0x7e21_0001);
    for _ in 0..2000 {
        let name = rng.pick(&["n", "tier", "a_b", "x1", "type", ""]);
        let null = rng.pick(&["", "!", "?"]);
        let ty = rng.pick(&["", "i64", "Option<String>", "my::Money", "Vec<u8>"]);
        let space = rng.pick(&["", " ", "  "]);
        let alias = if ty.is_empty() {
            format!("{space}{name}{null}")
        } else {
            format!("{name}{null}{space}:{space}{ty}")
        };
        let parsed = Override::parse(&alias);
        assert_eq!(parsed.name, name, "{alias:?}");
        let expected_null = match null {
            "!" => Some(false),
            "?" => Some(true),
            _ => None,
        };
        assert_eq!(parsed.null, expected_null, "{alias:?}");
        assert_eq!(
            parsed.ty.as_deref(),
            (!ty.is_empty()).then_some(ty),
            "{alias:?}"
        );
    }
}

/// Attacker finding F1: the total rows of `ROLLUP`, `CUBE` and `GROUPING SETS` have NULL in
/// every grouped column, even one NOT NULL in its table, so every output is an `Option`
/// (unless the alias says `!`); a plain `GROUP BY`, or grouping sets in a subquery only, is not.
#[test]
fn grouping_sets_make_every_output_nullable() {
    let fields = |sql: &str| -> Vec<String> {
        let typed = typed(sql, 0);
        assert!(typed.errors.is_empty(), "{sql}: {:#?}", typed.errors);
        typed.fields.iter().map(TypedField::shown).collect()
    };
    let select = "SELECT a.id, count(*) AS n, 'all' AS label FROM salesforce.account a GROUP BY";
    for grouping in [
        "ROLLUP (a.id)",
        "rollup(a.id)",
        "CUBE (a.id)",
        "GROUPING SETS ((a.id), ())",
        "a.id, ROLLUP (a.name)",
        "GROUPING SETS (a.id, CUBE (a.name))",
    ] {
        let sql = format!("{select} {grouping}");
        assert_eq!(
            fields(&sql),
            ["Option<i32>", "Option<i64>", "Option<String>"],
            "{sql}"
        );
    }
    assert_eq!(
        fields("SELECT a.id AS \"id!\", count(*) AS \"n!\" FROM account a GROUP BY ROLLUP (a.id)"),
        ["i32", "i64"]
    );
    assert_eq!(
        fields("SELECT a.id, count(*) AS n FROM account a GROUP BY a.id"),
        ["i32", "i64"]
    );
    assert_eq!(
        fields(
            "SELECT id FROM account WHERE id IN \
             (SELECT id FROM account GROUP BY ROLLUP (id))"
        ),
        ["i32"]
    );
}

/// Generated `GROUP BY` lists: every output is an `Option` exactly when one of the items is
/// (or holds) a grouping-sets construct.
#[test]
fn generated_group_by_lists_type_nullability() {
    let mut rng = Rng::seeded(0x7e21_0f01);
    let plain = ["id", "name", "a.id", "(id)", "lower(name)"];
    let sets = [
        "ROLLUP (id)",
        "CUBE (id, name)",
        "GROUPING SETS ((id), ())",
        "GROUPING SETS ((id, name))",
        "GROUPING SETS (ROLLUP (name))",
        "rollup ((id, name))",
    ];
    let mut seen = [false, false];
    for _ in 0..300 {
        let mut items = Vec::new();
        let mut grouped = false;
        for _ in 0..1 + rng.below(3) {
            if rng.below(3) == 0 {
                items.push(rng.pick(&sets));
                grouped = true;
            } else {
                items.push(rng.pick(&plain));
            }
        }
        let sql = format!(
            "SELECT a.id, count(*) AS n FROM account a GROUP BY {}",
            items.join(", ")
        );
        let typed = typed(&sql, 0);
        assert!(typed.errors.is_empty(), "{sql}: {:#?}", typed.errors);
        for field in &typed.fields {
            assert_eq!(field.nullable, grouped, "{sql}: {}", field.name);
        }
        seen[usize::from(grouped)] = true;
    }
    assert_eq!(seen, [true, true]);
}

/// `float` and `float(p)` are PostgreSQL's `real` or `double precision`.
#[test]
fn a_parameter_cast_to_float_is_real_or_double_precision() {
    for (cast, rust) in [
        ("float", "f64"),
        ("FLOAT", "f64"),
        ("float(1)", "f32"),
        ("float(24)", "f32"),
        ("float(25)", "f64"),
        ("float(53)", "f64"),
        ("float4", "f32"),
        ("double precision", "f64"),
    ] {
        let sql = format!("SELECT name FROM account WHERE $1::{cast} IS NULL");
        let typed = typed(&sql, 1);
        assert!(typed.errors.is_empty(), "{sql}: {:#?}", typed.errors);
        assert_eq!(
            typed.params[0].rust.map(RustType::display),
            Some(rust.to_string()),
            "{sql}"
        );
    }
}

/// Attacker finding F2: a parameter cast to a type outside the type table would bind any Rust
/// value (and fail at run time), so it is an error at the parameter, as an untyped one is.
#[test]
fn a_parameter_cast_outside_the_type_table_is_an_error() {
    for cast in [
        "uuid",
        "interval",
        "\"char\"",
        "money",
        "float(54)",
        "my_enum",
        "uuid[]",
    ] {
        let sql = format!("SELECT name FROM account WHERE $1::{cast} IS NULL");
        let (message, at) = one_error(&sql, 1);
        assert!(
            message.starts_with("parameter $1 is cast to `")
                && message.contains("a type hc_query! cannot type-check"),
            "{sql}: {message}"
        );
        assert_eq!(at, Some("$1"), "{sql}");
    }
    // Through a type of the table, the parameter is that type.
    let typed = typed("SELECT name FROM account WHERE $1::text::uuid IS NULL", 1);
    assert!(typed.errors.is_empty(), "{:#?}", typed.errors);
    assert_eq!(
        typed.params[0].rust.map(RustType::display).as_deref(),
        Some("String")
    );
    // Also where the same parameter has a typed place too.
    let (message, _) = one_error(
        "SELECT name FROM account WHERE sfid = $1 OR $1::uuid IS NULL",
        1,
    );
    assert!(
        message
            .to_ascii_lowercase()
            .starts_with("parameter $1 is cast to `uuid`"),
        "{message}"
    );
}
