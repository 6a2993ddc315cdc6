//! The type table (`hc_schema_snapshot::types`) proved against the real `postgres` crate and a
//! real PostgreSQL server: every Postgres type of the table is bound and read back through
//! its Rust type (and as `Option<T>`, including NULL), its one-dimensional array as `Vec<T>`,
//! and every pair (Rust type, Postgres type) the table calls incompatible fails with the
//! crate's `WrongType`, both reading and binding; every pair it calls compatible succeeds.
//!
//! Proved live: `bool`, `i16`, `i32`, `i64`, `f32`, `f64`, `String`, `SystemTime`, chrono's four
//! types, `serde_json::Value`. `time`, `jiff` and `rust_decimal` are in the table from the
//! `postgres-types`/`rust_decimal` sources (their `accepts`), not compiled here.

use std::error::Error as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hc_schema_snapshot::types::{PgType, RustScalar, RustType, Scalar};
use hc_schema_tests::pg;
use postgres::types::{FromSql, ToSql, WrongType};

/// The Postgres types proved live (`citext` needs an extension; `numeric`'s reader
/// rust_decimal is not compiled here, but every other type must refuse `numeric`).
fn scalars() -> Vec<Scalar> {
    Scalar::ALL
        .into_iter()
        .filter(|s| *s != Scalar::Citext)
        .collect()
}

/// The Rust types proved live.
fn rust_scalars() -> Vec<RustScalar> {
    use RustScalar as R;
    vec![
        R::Bool,
        R::I16,
        R::I32,
        R::I64,
        R::F32,
        R::F64,
        R::String,
        R::SystemTime,
        R::ChronoDate,
        R::ChronoTime,
        R::ChronoDateTime,
        R::ChronoUtc,
        R::JsonValue,
    ]
}

/// A value of the Rust type, for binding; `Vec` of two of them for arrays.
fn sample(rust: RustType) -> Box<dyn ToSql + Sync> {
    use RustScalar as R;
    macro_rules! value {
        ($v:expr) => {
            match rust {
                RustType::Scalar(_) => Box::new($v),
                RustType::Vec(_) => Box::new(vec![$v, $v]),
            }
        };
    }
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let time = chrono::NaiveTime::from_hms_opt(8, 30, 15).unwrap();
    match match rust {
        RustType::Scalar(s) | RustType::Vec(s) => s,
    } {
        R::Bool => value!(true),
        R::I16 => value!(-7i16),
        R::I32 => value!(70_000i32),
        R::I64 => value!(5_000_000_000i64),
        R::F32 => value!(1.5f32),
        R::F64 => value!(1234.25f64),
        R::String => value!("Gold".to_string()),
        R::SystemTime => value!(UNIX_EPOCH + Duration::from_secs(1_765_000_000)),
        R::ChronoDate => value!(date),
        R::ChronoTime => value!(time),
        R::ChronoDateTime => value!(date.and_time(time)),
        R::ChronoUtc => value!(date.and_time(time).and_utc()),
        R::JsonValue => value!(serde_json::json!({"tier": "Gold"})),
        other => panic!("{other:?} is not proved live"),
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    /// Read; the value's debug form (None: NULL).
    Read(Option<String>),
    WrongType,
    Other(String),
}

fn outcome<T: std::fmt::Debug>(result: Result<Option<T>, postgres::Error>) -> Outcome {
    match result {
        Ok(value) => Outcome::Read(value.map(|v| format!("{v:?}"))),
        Err(err) if err.source().is_some_and(|s| s.is::<WrongType>()) => Outcome::WrongType,
        Err(err) => Outcome::Other(format!("{err:?}")),
    }
}

fn read_as<T>(row: &postgres::Row, index: usize) -> Outcome
where
    T: for<'a> FromSql<'a> + std::fmt::Debug,
{
    outcome(row.try_get::<_, Option<T>>(index))
}

/// Read column `index` of `row` into `Option<rust>`.
fn read(row: &postgres::Row, index: usize, rust: RustType) -> Outcome {
    use RustScalar as R;
    macro_rules! as_type {
        ($t:ty) => {
            match rust {
                RustType::Scalar(_) => read_as::<$t>(row, index),
                RustType::Vec(_) => read_as::<Vec<$t>>(row, index),
            }
        };
    }
    match match rust {
        RustType::Scalar(s) | RustType::Vec(s) => s,
    } {
        R::Bool => as_type!(bool),
        R::I16 => as_type!(i16),
        R::I32 => as_type!(i32),
        R::I64 => as_type!(i64),
        R::F32 => as_type!(f32),
        R::F64 => as_type!(f64),
        R::String => as_type!(String),
        R::SystemTime => as_type!(SystemTime),
        R::ChronoDate => as_type!(chrono::NaiveDate),
        R::ChronoTime => as_type!(chrono::NaiveTime),
        R::ChronoDateTime => as_type!(chrono::NaiveDateTime),
        R::ChronoUtc => as_type!(chrono::DateTime<chrono::Utc>),
        R::JsonValue => as_type!(serde_json::Value),
        other => panic!("{other:?} is not proved live"),
    }
}

/// Every type of the table, as a column, and as an array column; one row of values bound
/// through the table's Rust type, one row of NULLs; every pair read and bound.
#[test]
fn the_type_table_matches_the_postgres_crate() {
    let db = pg::create_database("typed_rows");
    let mut client = pg::admin(&db);
    let scalars = scalars();
    let mut columns = Vec::new();
    for (n, scalar) in scalars.iter().enumerate() {
        let name = match scalar {
            Scalar::Varchar => "character varying(255)".to_string(),
            Scalar::Bpchar => "character(4)".to_string(),
            Scalar::Numeric => "numeric(18,2)".to_string(),
            other => other.sql_name().to_string(),
        };
        columns.push((format!("c{n}"), name.clone(), PgType::Scalar(*scalar)));
        columns.push((format!("a{n}"), format!("{name}[]"), PgType::Array(*scalar)));
    }
    let ddl = columns
        .iter()
        .map(|(column, ty, _)| format!("{column} {ty}"))
        .collect::<Vec<_>>()
        .join(", ");
    client
        .batch_execute(&format!(
            "CREATE TABLE t (id serial PRIMARY KEY, {ddl}); INSERT INTO t DEFAULT VALUES"
        ))
        .unwrap();
    let rusts: Vec<RustType> = rust_scalars()
        .into_iter()
        .flat_map(|r| [RustType::Scalar(r), RustType::Vec(r)])
        .collect();

    // Binding: every Rust type into every column; accepted exactly where the table says.
    let mut checked = 0;
    for (column, ty, pg_type) in &columns {
        for rust in &rusts {
            let value = sample(*rust);
            let result = client.execute(
                &format!("UPDATE t SET {column} = $1 WHERE id = 1"),
                &[value.as_ref()],
            );
            let wrong =
                matches!(&result, Err(e) if e.source().is_some_and(|s| s.is::<WrongType>()));
            if rust.accepts(*pg_type) {
                assert!(
                    result.is_ok(),
                    "bind {} into {ty}: {result:?}",
                    rust.display()
                );
            } else {
                assert!(
                    wrong,
                    "bind {} into {ty} must be WrongType: {result:?}",
                    rust.display()
                );
            }
            checked += 1;
        }
    }
    // The row as bound last by an accepted type: set every column from its table type.
    for (column, _, pg_type) in &columns {
        if pg_type.scalar() == Scalar::Numeric {
            continue; // set below: no Rust type of this test binds numeric
        }
        let rust = rusts.iter().find(|r| r.accepts(*pg_type)).unwrap();
        client
            .execute(
                &format!("UPDATE t SET {column} = $1 WHERE id = 1"),
                &[sample(*rust).as_ref()],
            )
            .unwrap();
    }
    client
        .execute("UPDATE t SET c6 = 12.5, a6 = '{12.5}' WHERE id = 1", &[])
        .unwrap();
    client
        .batch_execute("INSERT INTO t DEFAULT VALUES")
        .unwrap();

    // Reading: every column into every Rust type, values and NULLs.
    let rows = client.query("SELECT * FROM t ORDER BY id", &[]).unwrap();
    assert_eq!(rows.len(), 2);
    for (n, (column, ty, pg_type)) in columns.iter().enumerate() {
        let index = n + 1;
        assert_eq!(rows[0].columns()[index].name(), column);
        for rust in &rusts {
            let value = read(&rows[0], index, *rust);
            let null = read(&rows[1], index, *rust);
            if rust.accepts(*pg_type) {
                assert!(
                    matches!(&value, Outcome::Read(Some(_))),
                    "read {ty} as {}: {value:?}",
                    rust.display()
                );
                assert_eq!(
                    null,
                    Outcome::Read(None),
                    "NULL {ty} as Option<{}>",
                    rust.display()
                );
            } else {
                assert_eq!(value, Outcome::WrongType, "read {ty} as {}", rust.display());
                assert_eq!(null, Outcome::WrongType, "NULL {ty} as {}", rust.display());
            }
            checked += 1;
        }
    }
    // The values read are the values bound.
    let find = |scalar: Scalar| {
        1 + columns
            .iter()
            .position(|(_, _, t)| *t == PgType::Scalar(scalar))
            .unwrap()
    };
    assert_eq!(
        rows[0].get::<_, Option<f64>>(find(Scalar::Float8)),
        Some(1234.25)
    );
    assert_eq!(
        rows[0]
            .get::<_, Option<String>>(find(Scalar::Varchar))
            .as_deref(),
        Some("Gold")
    );
    assert_eq!(
        rows[0]
            .get::<_, Option<String>>(find(Scalar::Bpchar))
            .as_deref(),
        Some("Gold")
    );
    assert_eq!(
        rows[0].get::<_, Option<i64>>(find(Scalar::Int8)),
        Some(5_000_000_000)
    );
    // `id` (serial, NOT NULL) is read as a plain i32.
    assert_eq!(rows[1].get::<_, i32>(0), 2);
    // 26 columns x 26 Rust types, bound and read.
    assert_eq!(checked, 2 * columns.len() * rusts.len());
    eprintln!("typed_rows: {checked} (type, column) pairs checked");
}
