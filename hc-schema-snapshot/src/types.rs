//! THE type table: which Rust type reads a Heroku Connect column, as the `postgres` crate's
//! `FromSql`/`ToSql` decide it, and whether one Rust type reads a column in every environment.
//!
//! Postgres types are taken as a snapshot spells them (`format_type`: `character varying(255)`,
//! `double precision`, `timestamp without time zone`, `text[]`). Each is parsed into a
//! [`PgType`]; each Rust type the table knows ([`RustType`]) accepts exactly the Postgres types
//! that its `FromSql::accepts` accepts in the `postgres` crate (postgres-types 0.2, with the
//! `with-chrono-0_4`, `with-time-0_3`, `with-jiff-0_2` and `with-serde_json-1` features, and
//! rust_decimal's `db-postgres`). A live test of the suite (`tests/tests/typed_rows.rs`) reads
//! every row of the table through the real crate, and checks that every pair the table calls
//! incompatible fails with `WrongType`.
//!
//! | Postgres | Rust |
//! |---|---|
//! | `boolean` | `bool` |
//! | `smallint` / `integer` / `bigint` | `i16` / `i32` / `i64` (exact: no widening) |
//! | `real` / `double precision` | `f32` / `f64` (Heroku Connect's Number, Currency, Percent) |
//! | `character varying(n)`, `text`, `character(n)`, `bpchar`, `name`, `citext` | `String` |
//! | `date`, `time`, `timestamp`, `timestamptz` | per `[types] datetime` (below) |
//! | `numeric` | `rust_decimal::Decimal` with `[types] numeric = "rust_decimal"`, else an error |
//! | `json`, `jsonb` | `serde_json::Value` with `[types] json = true`, else an error |
//! | one of these followed by `[]` | `Vec<T>` (one-dimensional arrays) |
//!
//! `[types] datetime` in `hc-schema.toml` (default `"std"`):
//!
//! | | `chrono` | `time` | `jiff` | `std` |
//! |---|---|---|---|---|
//! | `date` | `chrono::NaiveDate` | `time::Date` | `jiff::civil::Date` | error: choose a crate |
//! | `time` | `chrono::NaiveTime` | `time::Time` | `jiff::civil::Time` | error: choose a crate |
//! | `timestamp` | `chrono::NaiveDateTime` | `time::PrimitiveDateTime` | `jiff::civil::DateTime` | `std::time::SystemTime` |
//! | `timestamptz` | `chrono::DateTime<chrono::Utc>` | `time::OffsetDateTime` | `jiff::Timestamp` | `std::time::SystemTime` |
//!
//! Drift between environments: a `varchar` length, `varchar` vs `text`, `json` vs `jsonb` is
//! read by one type (`String`, `serde_json::Value`); `timestamp` vs `timestamptz` only by
//! `SystemTime`; any other difference (`integer` vs `bigint`, `varchar` vs `double
//! precision`, `date` vs `timestamp`) by none.
//!
//! Nullability is not decided here: every Heroku Connect column is `Option<T>` except `id`
//! (see [`is_never_null`]).
//!
//! ```
//! use hc_schema_snapshot::types::{common_reader, PgType, TypesConfig};
//! let config = TypesConfig::default();
//! let read = |types: &[&str]| {
//!     let types: Vec<PgType> = types.iter().map(|t| PgType::parse(t).unwrap()).collect();
//!     common_reader(&types, &config).map(|rust| rust.path())
//! };
//! assert_eq!(read(&["character varying(80)", "text"]).unwrap(), "::std::string::String");
//! assert_eq!(read(&["timestamp without time zone", "timestamp with time zone"]).unwrap(),
//!            "::std::time::SystemTime");
//! assert!(read(&["double precision", "character varying(255)"]).is_none());
//! ```

use std::fmt;

use serde::Deserialize;

/// `[types]` of `hc-schema.toml`: the crates the generated code names for the types outside
/// `std`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesConfig {
    /// The date-time crate (`"chrono"`, `"time"`, `"jiff"`, `"std"`; default `"std"`). The
    /// app's `postgres` needs the matching feature (`with-chrono-0_4`, `with-time-0_3`,
    /// `with-jiff-0_2`).
    #[serde(default)]
    pub datetime: DateTimeCrate,
    /// `numeric` columns: `"rust_decimal"` reads them as `rust_decimal::Decimal` (the app
    /// needs rust_decimal's `db-postgres` feature); unset, a `numeric` column is an error
    /// (Heroku Connect stores Number, Currency and Percent as `double precision`).
    #[serde(default)]
    pub numeric: Option<NumericCrate>,
    /// `json`/`jsonb` columns as `serde_json::Value` (the app's `postgres` needs
    /// `with-serde_json-1`); `false` (the default): an error.
    #[serde(default)]
    pub json: bool,
    /// Rust types of the user's own (`["my::Money"]`, with their own `FromSql`) that typed
    /// declarations and `hc_query!` aliases may name without hc-schema checking them: each
    /// use is reported as a note. A type outside the table and not listed here is an error
    /// ([`crate::written`]).
    #[serde(default)]
    pub custom: Vec<String>,
}

/// `[types] datetime`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateTimeCrate {
    /// `chrono` 0.4 (`postgres` feature `with-chrono-0_4`).
    Chrono,
    /// `time` 0.3 (`with-time-0_3`).
    Time,
    /// `jiff` 0.2 (`with-jiff-0_2`).
    Jiff,
    /// The standard library: `timestamp`/`timestamptz` as `SystemTime`; `date` and `time`
    /// need a crate.
    #[default]
    Std,
}

impl DateTimeCrate {
    /// The name as written in `hc-schema.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateTimeCrate::Chrono => "chrono",
            DateTimeCrate::Time => "time",
            DateTimeCrate::Jiff => "jiff",
            DateTimeCrate::Std => "std",
        }
    }
}

/// `[types] numeric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumericCrate {
    /// `rust_decimal::Decimal` (rust_decimal's `db-postgres` feature).
    RustDecimal,
}

/// A Postgres type the table knows, parsed from a snapshot's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PgType {
    /// A scalar.
    Scalar(Scalar),
    /// A one-dimensional array of a scalar (`text[]`; Postgres does not record the number of
    /// dimensions in the type, so a column holding two-dimensional arrays fails at run time).
    Array(Scalar),
}

/// The scalar Postgres types of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `boolean`.
    Bool,
    /// `smallint`.
    Int2,
    /// `integer`.
    Int4,
    /// `bigint`.
    Int8,
    /// `real`.
    Float4,
    /// `double precision`.
    Float8,
    /// `numeric` (any precision).
    Numeric,
    /// `character varying` (any length).
    Varchar,
    /// `text`.
    Text,
    /// `character(n)` / `bpchar`.
    Bpchar,
    /// `name`.
    Name,
    /// `citext` (an extension type the `postgres` crate reads as a string).
    Citext,
    /// `date`.
    Date,
    /// `time without time zone`.
    Time,
    /// `timestamp without time zone`.
    Timestamp,
    /// `timestamp with time zone`.
    Timestamptz,
    /// `json`.
    Json,
    /// `jsonb`.
    Jsonb,
}

impl Scalar {
    /// The type family: types in one family are read by the same Rust types (`varchar` and
    /// `text` are both `text`); different families never are, except `timestamp` and
    /// `timestamptz` by `SystemTime`.
    pub fn family(self) -> &'static str {
        match self {
            Scalar::Bool => "boolean",
            Scalar::Int2 => "smallint",
            Scalar::Int4 => "integer",
            Scalar::Int8 => "bigint",
            Scalar::Float4 => "real",
            Scalar::Float8 => "double precision",
            Scalar::Numeric => "numeric",
            Scalar::Varchar | Scalar::Text | Scalar::Bpchar | Scalar::Name | Scalar::Citext => {
                "text"
            }
            Scalar::Date => "date",
            Scalar::Time => "time",
            Scalar::Timestamp => "timestamp",
            Scalar::Timestamptz => "timestamptz",
            Scalar::Json | Scalar::Jsonb => "json",
        }
    }

    /// Every scalar of the table.
    pub const ALL: [Scalar; 18] = [
        Scalar::Bool,
        Scalar::Int2,
        Scalar::Int4,
        Scalar::Int8,
        Scalar::Float4,
        Scalar::Float8,
        Scalar::Numeric,
        Scalar::Varchar,
        Scalar::Text,
        Scalar::Bpchar,
        Scalar::Name,
        Scalar::Citext,
        Scalar::Date,
        Scalar::Time,
        Scalar::Timestamp,
        Scalar::Timestamptz,
        Scalar::Json,
        Scalar::Jsonb,
    ];

    /// The type's name in SQL (for casts and for the live test's DDL).
    pub fn sql_name(self) -> &'static str {
        match self {
            Scalar::Bool => "boolean",
            Scalar::Int2 => "smallint",
            Scalar::Int4 => "integer",
            Scalar::Int8 => "bigint",
            Scalar::Float4 => "real",
            Scalar::Float8 => "double precision",
            Scalar::Numeric => "numeric",
            Scalar::Varchar => "character varying",
            Scalar::Text => "text",
            Scalar::Bpchar => "character",
            Scalar::Name => "name",
            Scalar::Citext => "citext",
            Scalar::Date => "date",
            Scalar::Time => "time without time zone",
            Scalar::Timestamp => "timestamp without time zone",
            Scalar::Timestamptz => "timestamp with time zone",
            Scalar::Json => "json",
            Scalar::Jsonb => "jsonb",
        }
    }
}

impl PgType {
    /// Parse a snapshot's spelling (`format_type`), or a cast's type name (`int`, `varchar`,
    /// `timestamptz`, `float8`, `float(24)`...); `None` for a type outside the table (`uuid`,
    /// `money`, `time with time zone`, a domain, an enum, a multi-word name it does not know).
    ///
    /// ```
    /// use hc_schema_snapshot::types::{PgType, Scalar};
    /// assert_eq!(PgType::parse("character varying(255)"), Some(PgType::Scalar(Scalar::Varchar)));
    /// assert_eq!(PgType::parse("integer[]"), Some(PgType::Array(Scalar::Int4)));
    /// assert_eq!(PgType::parse("uuid"), None);
    /// assert_eq!(PgType::parse("float"), Some(PgType::Scalar(Scalar::Float8)));
    /// assert_eq!(PgType::parse("float(24)"), Some(PgType::Scalar(Scalar::Float4)));
    /// assert_eq!(PgType::parse("float(53)"), Some(PgType::Scalar(Scalar::Float8)));
    /// assert_eq!(PgType::parse("float(54)"), None);
    /// ```
    pub fn parse(spelling: &str) -> Option<PgType> {
        let text = spelling.trim().to_ascii_lowercase();
        let text = text.strip_prefix("pg_catalog.").unwrap_or(&text);
        if let Some(inner) = text.strip_suffix("[]") {
            if inner.trim_end().ends_with("[]") {
                return None;
            }
            return match PgType::parse(inner)? {
                PgType::Scalar(scalar) => Some(PgType::Array(scalar)),
                PgType::Array(_) => None,
            };
        }
        // `character varying(255)`, `numeric(18,2)`, `timestamp(3) without time zone`.
        let mut plain = String::with_capacity(text.len());
        let mut modifier = String::new();
        let mut depth = 0usize;
        for c in text.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.checked_sub(1)?,
                _ if depth == 0 => plain.push(c),
                _ => modifier.push(c),
            }
        }
        if depth != 0 {
            return None;
        }
        let words: Vec<&str> = plain.split_whitespace().collect();
        let words = words.join(" ");
        if words == "float" {
            // PostgreSQL's rule: `float` and `float(25..53)` are double precision,
            // `float(1..24)` real; any other precision is an error there, so none here.
            let modifier = modifier.trim();
            if modifier.is_empty() && !text.contains('(') {
                return Some(PgType::Scalar(Scalar::Float8));
            }
            return match modifier.parse::<u32>().ok()? {
                1..=24 => Some(PgType::Scalar(Scalar::Float4)),
                25..=53 => Some(PgType::Scalar(Scalar::Float8)),
                _ => None,
            };
        }
        let scalar = match words.as_str() {
            "boolean" | "bool" => Scalar::Bool,
            "smallint" | "int2" => Scalar::Int2,
            "integer" | "int" | "int4" => Scalar::Int4,
            "bigint" | "int8" => Scalar::Int8,
            "real" | "float4" => Scalar::Float4,
            "double precision" | "float8" => Scalar::Float8,
            "numeric" | "decimal" => Scalar::Numeric,
            "character varying" | "varchar" => Scalar::Varchar,
            "text" => Scalar::Text,
            "character" | "char" | "bpchar" => Scalar::Bpchar,
            "name" => Scalar::Name,
            "citext" => Scalar::Citext,
            "date" => Scalar::Date,
            "time without time zone" | "time" => Scalar::Time,
            "timestamp without time zone" | "timestamp" => Scalar::Timestamp,
            "timestamp with time zone" | "timestamptz" => Scalar::Timestamptz,
            "json" => Scalar::Json,
            "jsonb" => Scalar::Jsonb,
            _ => return None,
        };
        Some(PgType::Scalar(scalar))
    }

    /// The scalar (an array's element).
    pub fn scalar(self) -> Scalar {
        match self {
            PgType::Scalar(s) | PgType::Array(s) => s,
        }
    }

    /// The family (`text`, `integer`, `text[]`...).
    pub fn family(self) -> String {
        match self {
            PgType::Scalar(s) => s.family().to_string(),
            PgType::Array(s) => format!("{}[]", s.family()),
        }
    }
}

/// A Rust type of the table: what the `postgres` crate reads a column into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RustType {
    /// A scalar Rust type.
    Scalar(RustScalar),
    /// `Vec<T>`.
    Vec(RustScalar),
}

/// The scalar Rust types of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RustScalar {
    /// `bool`.
    Bool,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// `std::time::SystemTime`.
    SystemTime,
    /// `chrono::NaiveDate`.
    ChronoDate,
    /// `chrono::NaiveTime`.
    ChronoTime,
    /// `chrono::NaiveDateTime`.
    ChronoDateTime,
    /// `chrono::DateTime<chrono::Utc>`.
    ChronoUtc,
    /// `time::Date`.
    TimeDate,
    /// `time::Time`.
    TimeTime,
    /// `time::PrimitiveDateTime`.
    TimePrimitive,
    /// `time::OffsetDateTime`.
    TimeOffset,
    /// `jiff::civil::Date`.
    JiffDate,
    /// `jiff::civil::Time`.
    JiffTime,
    /// `jiff::civil::DateTime`.
    JiffDateTime,
    /// `jiff::Timestamp`.
    JiffTimestamp,
    /// `serde_json::Value`.
    JsonValue,
    /// `rust_decimal::Decimal`.
    Decimal,
}

impl RustScalar {
    /// Every scalar Rust type of the table.
    pub const ALL: [RustScalar; 22] = [
        RustScalar::Bool,
        RustScalar::I16,
        RustScalar::I32,
        RustScalar::I64,
        RustScalar::F32,
        RustScalar::F64,
        RustScalar::String,
        RustScalar::SystemTime,
        RustScalar::ChronoDate,
        RustScalar::ChronoTime,
        RustScalar::ChronoDateTime,
        RustScalar::ChronoUtc,
        RustScalar::TimeDate,
        RustScalar::TimeTime,
        RustScalar::TimePrimitive,
        RustScalar::TimeOffset,
        RustScalar::JiffDate,
        RustScalar::JiffTime,
        RustScalar::JiffDateTime,
        RustScalar::JiffTimestamp,
        RustScalar::JsonValue,
        RustScalar::Decimal,
    ];

    /// The type as generated code names it (absolute paths).
    pub fn path(self) -> &'static str {
        match self {
            RustScalar::Bool => "bool",
            RustScalar::I16 => "i16",
            RustScalar::I32 => "i32",
            RustScalar::I64 => "i64",
            RustScalar::F32 => "f32",
            RustScalar::F64 => "f64",
            RustScalar::String => "::std::string::String",
            RustScalar::SystemTime => "::std::time::SystemTime",
            RustScalar::ChronoDate => "::chrono::NaiveDate",
            RustScalar::ChronoTime => "::chrono::NaiveTime",
            RustScalar::ChronoDateTime => "::chrono::NaiveDateTime",
            RustScalar::ChronoUtc => "::chrono::DateTime<::chrono::Utc>",
            RustScalar::TimeDate => "::time::Date",
            RustScalar::TimeTime => "::time::Time",
            RustScalar::TimePrimitive => "::time::PrimitiveDateTime",
            RustScalar::TimeOffset => "::time::OffsetDateTime",
            RustScalar::JiffDate => "::jiff::civil::Date",
            RustScalar::JiffTime => "::jiff::civil::Time",
            RustScalar::JiffDateTime => "::jiff::civil::DateTime",
            RustScalar::JiffTimestamp => "::jiff::Timestamp",
            RustScalar::JsonValue => "::serde_json::Value",
            RustScalar::Decimal => "::rust_decimal::Decimal",
        }
    }

    /// The type as users write it, for messages (`String`, `chrono::NaiveDate`).
    pub fn display(self) -> &'static str {
        let path = self.path().trim_start_matches("::");
        path.strip_prefix("std::string::").unwrap_or(path)
    }

    /// Whether the `postgres` crate's `FromSql`/`ToSql` for this type accept `pg`.
    pub fn accepts(self, pg: Scalar) -> bool {
        use RustScalar as R;
        use Scalar as S;
        match self {
            R::Bool => pg == S::Bool,
            R::I16 => pg == S::Int2,
            R::I32 => pg == S::Int4,
            R::I64 => pg == S::Int8,
            R::F32 => pg == S::Float4,
            R::F64 => pg == S::Float8,
            R::String => matches!(pg, S::Varchar | S::Text | S::Bpchar | S::Name | S::Citext),
            R::SystemTime => matches!(pg, S::Timestamp | S::Timestamptz),
            R::ChronoDate | R::TimeDate | R::JiffDate => pg == S::Date,
            R::ChronoTime | R::TimeTime | R::JiffTime => pg == S::Time,
            R::ChronoDateTime | R::TimePrimitive | R::JiffDateTime => pg == S::Timestamp,
            R::ChronoUtc | R::TimeOffset | R::JiffTimestamp => pg == S::Timestamptz,
            R::JsonValue => matches!(pg, S::Json | S::Jsonb),
            R::Decimal => pg == S::Numeric,
        }
    }

    /// Whether `config` allows the type (its crate is the one chosen).
    pub fn allowed(self, config: &TypesConfig) -> bool {
        use RustScalar as R;
        match self {
            R::ChronoDate | R::ChronoTime | R::ChronoDateTime | R::ChronoUtc => {
                config.datetime == DateTimeCrate::Chrono
            }
            R::TimeDate | R::TimeTime | R::TimePrimitive | R::TimeOffset => {
                config.datetime == DateTimeCrate::Time
            }
            R::JiffDate | R::JiffTime | R::JiffDateTime | R::JiffTimestamp => {
                config.datetime == DateTimeCrate::Jiff
            }
            R::JsonValue => config.json,
            R::Decimal => config.numeric == Some(NumericCrate::RustDecimal),
            _ => true,
        }
    }

    /// A Rust type as written by a user (`f64`, `String`, `chrono::NaiveDate`,
    /// `::std::time::SystemTime`), when the table knows it.
    pub fn from_written(written: &str) -> Option<RustScalar> {
        match crate::written::table_type(written)? {
            RustType::Scalar(scalar) => Some(scalar),
            RustType::Vec(_) => None,
        }
    }
}

impl RustType {
    /// The type as generated code names it.
    pub fn path(self) -> String {
        match self {
            RustType::Scalar(s) => s.path().to_string(),
            RustType::Vec(s) => format!("::std::vec::Vec<{}>", s.path()),
        }
    }

    /// The type as users write it, for messages.
    pub fn display(self) -> String {
        match self {
            RustType::Scalar(s) => s.display().to_string(),
            RustType::Vec(s) => format!("Vec<{}>", s.display()),
        }
    }

    /// Whether the `postgres` crate reads `pg` into this type (and binds this type to it).
    pub fn accepts(self, pg: PgType) -> bool {
        match (self, pg) {
            (RustType::Scalar(r), PgType::Scalar(p)) | (RustType::Vec(r), PgType::Array(p)) => {
                r.accepts(p)
            }
            _ => false,
        }
    }

    /// Whether `config` allows the type.
    pub fn allowed(self, config: &TypesConfig) -> bool {
        match self {
            RustType::Scalar(s) | RustType::Vec(s) => s.allowed(config),
        }
    }
}

/// Every Rust type of the table that reads `pg`, whatever the configuration (the preferred
/// one first: the one [`rust_type`] picks when the configuration allows it).
pub fn readers(pg: PgType) -> Vec<RustType> {
    let scalars = RustScalar::ALL
        .into_iter()
        .filter(|r| r.accepts(pg.scalar()));
    match pg {
        PgType::Scalar(_) => scalars.map(RustType::Scalar).collect(),
        PgType::Array(_) => scalars.map(RustType::Vec).collect(),
    }
}

/// Why a Postgres type has no Rust type under a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// The type is outside the table.
    Unknown,
    /// The type needs an option of `[types]` (`datetime`, `numeric`, `json`): the message
    /// names it.
    NeedsOption(String),
}

/// The Rust type that reads `pg` under `config`: the configured crate's type for dates and
/// times, `SystemTime` for timestamps under `std`.
pub fn rust_type(pg: PgType, config: &TypesConfig) -> Result<RustType, Unreadable> {
    let allowed: Vec<RustType> = readers(pg)
        .into_iter()
        .filter(|r| r.allowed(config))
        .filter(|r| {
            // Under chrono/time/jiff the crate's own type, not SystemTime.
            config.datetime == DateTimeCrate::Std
                || !matches!(
                    r,
                    RustType::Scalar(RustScalar::SystemTime)
                        | RustType::Vec(RustScalar::SystemTime)
                )
        })
        .collect();
    if let Some(first) = allowed.first() {
        return Ok(*first);
    }
    let option = match pg.scalar() {
        Scalar::Date | Scalar::Time => format!(
            "`{}` needs a date-time crate: set `datetime = \"chrono\"` (or \"time\", \"jiff\") \
             under [types] in hc-schema.toml, with the matching feature of `postgres` \
             (`with-chrono-0_4`, `with-time-0_3`, `with-jiff-0_2`)",
            pg.scalar().sql_name()
        ),
        Scalar::Numeric => "`numeric` is read only as rust_decimal::Decimal: set \
             `numeric = \"rust_decimal\"` under [types] in hc-schema.toml (rust_decimal with \
             its `db-postgres` feature); Heroku Connect itself stores numbers as double precision"
            .to_string(),
        Scalar::Json | Scalar::Jsonb => "`json`/`jsonb` are read as serde_json::Value: set \
             `json = true` under [types] in hc-schema.toml, with `postgres`'s \
             `with-serde_json-1` feature"
            .to_string(),
        _ => return Err(Unreadable::Unknown),
    };
    Err(Unreadable::NeedsOption(option))
}

/// The one Rust type of the table (allowed by `config`) that reads every type of `types`, if
/// there is one: the preferred reader of the first type when it reads them all, else the
/// first that does (`SystemTime` for `timestamp` and `timestamptz`).
pub fn common_reader(types: &[PgType], config: &TypesConfig) -> Option<RustType> {
    let first = *types.first()?;
    let preferred = rust_type(first, config).ok();
    let candidates = preferred.into_iter().chain(readers(first));
    candidates
        .filter(|r| r.allowed(config))
        .find(|r| types.iter().all(|t| r.accepts(*t)))
}

/// Whether the column `column` of a Heroku Connect table is never NULL: HC's serial `id`,
/// when every snapshot says `NOT NULL`. Every other column is `Option<T>` (HC makes every
/// mapped column nullable; `sfid` is NULL on rows the app inserts until the sync).
pub fn is_never_null(column: &str, nullable_in_any: bool) -> bool {
    column == "id" && !nullable_in_any
}

/// The type of one column in one environment, as a typed use sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvType {
    /// The environment.
    pub env: String,
    /// The snapshot file, as shown to users.
    pub display: String,
    /// The type as the snapshot spells it; `None` when the snapshot has no type (imported
    /// from a mapping export).
    pub spelling: Option<String>,
}

/// Why a column has no Rust type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    /// No snapshot knows the column's type.
    NoType {
        /// `table.column`.
        subject: String,
        /// The environments without a type, with their files.
        envs: Vec<(String, String)>,
    },
    /// A type outside the table.
    Unknown {
        /// `table.column`.
        subject: String,
        /// The type.
        spelling: String,
        /// Where (env, file).
        env: (String, String),
    },
    /// A type that needs an option of `[types]`.
    NeedsOption {
        /// `table.column`.
        subject: String,
        /// The type.
        spelling: String,
        /// What to set.
        option: String,
    },
    /// The environments' types have no common Rust type.
    Drift {
        /// `table.column`.
        subject: String,
        /// Each environment's type and file.
        envs: Vec<EnvType>,
    },
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::NoType { subject, envs } => write!(
                f,
                "`{subject}` has no type in {}: a typed query needs every snapshot's column \
                 types; run `hc-schema refresh <env>` (snapshots imported from a mapping export \
                 have none), or give the column a type in the alias: `AS \"{}: Type\"`",
                envs.iter()
                    .map(|(env, file)| format!("{env} ({file})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                subject.rsplit('.').next().unwrap_or(subject)
            ),
            TypeError::Unknown {
                subject,
                spelling,
                env,
            } => write!(
                f,
                "`{subject}` is {spelling} in {} ({}), a type hc-schema does not map to a Rust \
                 type; give it one in the alias: `AS \"{}: Type\"` (a type implementing \
                 postgres::types::FromSql for {spelling})",
                env.0,
                env.1,
                subject.rsplit('.').next().unwrap_or(subject)
            ),
            TypeError::NeedsOption {
                subject,
                spelling,
                option,
            } => write!(f, "`{subject}` is {spelling}: {option}"),
            TypeError::Drift { subject, envs } => {
                write!(f, "`{subject}` is ")?;
                for (n, env) in envs.iter().enumerate() {
                    if n > 0 {
                        f.write_str(if n + 1 == envs.len() { " but " } else { ", " })?;
                    }
                    write!(
                        f,
                        "{} in {} ({})",
                        env.spelling.as_deref().unwrap_or("untyped"),
                        env.env,
                        env.display
                    )?;
                }
                f.write_str("; no Rust type reads ")?;
                f.write_str(if envs.len() == 2 {
                    "both"
                } else {
                    "all of them"
                })?;
                f.write_str(
                    ": make the column's type the same in every environment (Heroku Connect: \
                     unmap and remap the field), then refresh the snapshots",
                )
            }
        }
    }
}

impl std::error::Error for TypeError {}

/// The one Rust type that reads `table.column` in every environment of `envs` (every
/// snapshot that maps it), under `config`; or why there is none. Environments agreeing on a
/// family are one case (`varchar(80)` and `text` are read by `String`); an error names each
/// environment's type and file.
pub fn decide(
    subject: &str,
    envs: &[EnvType],
    config: &TypesConfig,
) -> Result<RustType, TypeError> {
    let untyped: Vec<(String, String)> = envs
        .iter()
        .filter(|e| e.spelling.is_none())
        .map(|e| (e.env.clone(), e.display.clone()))
        .collect();
    if !untyped.is_empty() || envs.is_empty() {
        return Err(TypeError::NoType {
            subject: subject.to_string(),
            envs: untyped,
        });
    }
    let mut types = Vec::new();
    for env in envs {
        let spelling = env.spelling.clone().unwrap_or_default();
        match PgType::parse(&spelling) {
            Some(pg) => types.push(pg),
            None => {
                return Err(TypeError::Unknown {
                    subject: subject.to_string(),
                    spelling,
                    env: (env.env.clone(), env.display.clone()),
                })
            }
        }
    }
    if let Some(rust) = common_reader(&types, config) {
        return Ok(rust);
    }
    // One family everywhere, but the configuration allows no reader: say which option.
    let same_family = types.iter().all(|t| t.family() == types[0].family());
    if same_family {
        if let Err(Unreadable::NeedsOption(option)) = rust_type(types[0], config) {
            return Err(TypeError::NeedsOption {
                subject: subject.to_string(),
                spelling: envs[0].spelling.clone().unwrap_or_default(),
                option,
            });
        }
    }
    // Show one environment per distinct family.
    let mut shown: Vec<EnvType> = Vec::new();
    let mut families: Vec<String> = Vec::new();
    for (env, pg) in envs.iter().zip(&types) {
        if !families.contains(&pg.family()) {
            families.push(pg.family());
            shown.push(env.clone());
        }
    }
    if shown.len() < 2 {
        shown = envs.to_vec();
    }
    Err(TypeError::Drift {
        subject: subject.to_string(),
        envs: shown,
    })
}

/// For a use without a Rust type (`hc_sql!`, an untyped declaration, a SQL string): the
/// drift error when the column's types in `envs` are read by no one Rust type of the table
/// (whatever `[types]` chooses: the code reads it with some type, and that type fails in one
/// of them). `None` when they agree in family (`varchar(80)` / `text`), when one Rust type
/// reads them all (`timestamp` / `timestamptz`: `SystemTime`), or when fewer than two
/// environments have a type. Types outside the table are compared by spelling (without
/// length or precision).
///
/// Used through [`crate::typecheck::drift`] by `hc_sql!`, untyped `#[hc_requires]` columns
/// and `hc-schema check` (issue 21, "untyped uses are protected too").
///
/// ```
/// use hc_schema_snapshot::types::{untyped_drift, EnvType};
/// let env = |env: &str, ty: &str| EnvType { env: env.into(), display: format!("{env}.json"), spelling: Some(ty.into()) };
/// assert!(untyped_drift("account.x", &[env("test", "character varying(80)"), env("prod", "text")]).is_none());
/// assert!(untyped_drift("account.x", &[env("test", "character varying(80)"), env("prod", "boolean")]).is_some());
/// ```
pub fn untyped_drift(subject: &str, envs: &[EnvType]) -> Option<TypeError> {
    let typed: Vec<&EnvType> = envs.iter().filter(|e| e.spelling.is_some()).collect();
    let family = |spelling: &str| match PgType::parse(spelling) {
        Some(pg) => pg.family(),
        // A type outside the table: its spelling without length or precision is its family.
        None => crate::written::plain_spelling(spelling),
    };
    let mut shown: Vec<EnvType> = Vec::new();
    let mut families: Vec<String> = Vec::new();
    for env in &typed {
        let f = family(env.spelling.as_deref().unwrap_or_default());
        if !families.contains(&f) {
            families.push(f);
            shown.push((*env).clone());
        }
    }
    if families.len() < 2 {
        return None;
    }
    let parsed: Option<Vec<PgType>> = typed
        .iter()
        .map(|e| PgType::parse(e.spelling.as_deref().unwrap_or_default()))
        .collect();
    if let Some(types) = parsed {
        let read_by_one = readers(types[0])
            .into_iter()
            .any(|r| types.iter().all(|t| r.accepts(*t)));
        if read_by_one {
            return None;
        }
    }
    Some(TypeError::Drift {
        subject: subject.to_string(),
        envs: shown,
    })
}

/// Whether the Rust type a user wrote (`"col: f64"`, `Option<f64>` judged as `f64`) reads
/// every one of `types`, the spelling normalised by [`crate::written::normalise`]:
/// `Some(true)` or `Some(false)` for a type hc-schema knows (a type that reads only Postgres
/// types outside the table, such as `uuid::Uuid`, reads none of `types`), `None` for one it
/// does not (a user type with its own `FromSql`).
///
/// ```
/// use hc_schema_snapshot::types::{written_reads, PgType};
/// let varchar = [PgType::parse("character varying(255)").unwrap()];
/// assert_eq!(written_reads("Option<f64>", &varchar), Some(false));
/// assert_eq!(written_reads("Option<String>", &varchar), Some(true));
/// ```
pub fn written_reads(written: &str, types: &[PgType]) -> Option<bool> {
    use crate::written::{normalise, Classified};
    match normalise(written, &[]).ok()?.class {
        Classified::Table(rust) => Some(types.iter().all(|t| rust.accepts(*t))),
        Classified::Outside(_) => Some(types.is_empty()),
        Classified::Custom | Classified::Unknown(_) => None,
    }
}

/// The rule of a typed declaration (`#[hc_requires(account(annualrevenue: f64))]`) without a
/// `[types] custom` list: whether the Rust type as written reads a column the snapshot spells
/// `spelling` ([`crate::written::judge`]: spellings normalised, `Option<T>` read as `T`).
/// `None` for a Rust type hc-schema does not know, or text that is not a type.
///
/// ```
/// use hc_schema_snapshot::types::declared_reads;
/// assert_eq!(declared_reads("f64", "double precision"), Some(true));
/// assert_eq!(declared_reads("Option<String>", "character varying(80)"), Some(true));
/// assert_eq!(declared_reads("std::option::Option<::std::primitive::f64>", "character varying(255)"), Some(false));
/// assert_eq!(declared_reads("String", "uuid"), Some(false));
/// assert_eq!(declared_reads("uuid::Uuid", "uuid"), Some(true));
/// assert_eq!(declared_reads("my::Money", "double precision"), None);
/// ```
pub fn declared_reads(written: &str, spelling: &str) -> Option<bool> {
    use crate::written::{judge, Judged};
    match judge(written, spelling, &[]) {
        Judged::Reads => Some(true),
        Judged::DoesNotRead => Some(false),
        Judged::Custom(_) | Judged::Unknown { .. } | Judged::Malformed(_) => None,
    }
}

/// The Rust types of the table that read a column spelled `spelling` (as users write them),
/// for advice: `["f64"]` for `double precision`; empty for a type outside the table.
pub fn readers_of(spelling: &str) -> Vec<String> {
    PgType::parse(spelling)
        .map(|pg| readers(pg).into_iter().map(RustType::display).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(env: &str, spelling: &str) -> EnvType {
        EnvType {
            env: env.into(),
            display: format!("hc-schema/{env}.json"),
            spelling: Some(spelling.into()),
        }
    }

    /// PostgreSQL's `float(p)`: 1 to 24 is `real`, 25 to 53 (and none) `double precision`,
    /// anything else an error there (so outside the table here).
    #[test]
    fn float_spellings_follow_postgresql() {
        let f4 = Some(PgType::Scalar(Scalar::Float4));
        let f8 = Some(PgType::Scalar(Scalar::Float8));
        assert_eq!(PgType::parse("float"), f8);
        assert_eq!(PgType::parse("FLOAT"), f8);
        assert_eq!(
            PgType::parse("float[]"),
            Some(PgType::Array(Scalar::Float8))
        );
        assert_eq!(
            PgType::parse("float(1)[]"),
            Some(PgType::Array(Scalar::Float4))
        );
        for p in 1..=24 {
            assert_eq!(PgType::parse(&format!("float({p})")), f4, "{p}");
            assert_eq!(PgType::parse(&format!("float( {p} )")), f4, "{p}");
        }
        for p in 25..=53 {
            assert_eq!(PgType::parse(&format!("float({p})")), f8, "{p}");
        }
        for bad in [
            "float(0)",
            "float(54)",
            "float()",
            "float(x)",
            "float(-1)",
            "float(1,2)",
        ] {
            assert_eq!(PgType::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn snapshot_spellings_parse() {
        let cases = [
            ("boolean", Scalar::Bool),
            ("smallint", Scalar::Int2),
            ("integer", Scalar::Int4),
            ("bigint", Scalar::Int8),
            ("real", Scalar::Float4),
            ("double precision", Scalar::Float8),
            ("numeric(18,2)", Scalar::Numeric),
            ("character varying(255)", Scalar::Varchar),
            ("character varying", Scalar::Varchar),
            ("text", Scalar::Text),
            ("character(3)", Scalar::Bpchar),
            ("bpchar", Scalar::Bpchar),
            ("name", Scalar::Name),
            ("date", Scalar::Date),
            ("time without time zone", Scalar::Time),
            ("timestamp without time zone", Scalar::Timestamp),
            ("timestamp(3) without time zone", Scalar::Timestamp),
            ("timestamp with time zone", Scalar::Timestamptz),
            ("json", Scalar::Json),
            ("jsonb", Scalar::Jsonb),
        ];
        for (spelling, scalar) in cases {
            assert_eq!(
                PgType::parse(spelling),
                Some(PgType::Scalar(scalar)),
                "{spelling}"
            );
            assert_eq!(
                PgType::parse(scalar.sql_name()),
                Some(PgType::Scalar(scalar))
            );
        }
        assert_eq!(
            PgType::parse("character varying(18)[]"),
            Some(PgType::Array(Scalar::Varchar))
        );
        for outside in [
            "uuid",
            "money",
            "time with time zone",
            "integer[][]",
            "x(",
            "",
            "a)",
        ] {
            assert_eq!(PgType::parse(outside), None, "{outside}");
        }
    }

    #[test]
    fn every_table_type_has_a_reader_under_some_configuration() {
        let all = TypesConfig {
            datetime: DateTimeCrate::Chrono,
            numeric: Some(NumericCrate::RustDecimal),
            json: true,
            custom: Vec::new(),
        };
        for scalar in Scalar::ALL {
            let pg = PgType::Scalar(scalar);
            let rust = rust_type(pg, &all).unwrap();
            assert!(rust.accepts(pg));
            assert!(rust_type(PgType::Array(scalar), &all)
                .unwrap()
                .accepts(PgType::Array(scalar)));
        }
    }

    #[test]
    fn options_are_named_when_missing() {
        let default = TypesConfig::default();
        let date = rust_type(PgType::Scalar(Scalar::Date), &default).unwrap_err();
        assert!(matches!(&date, Unreadable::NeedsOption(m) if m.contains("datetime = \"chrono\"")));
        assert_eq!(
            rust_type(PgType::Scalar(Scalar::Timestamp), &default).unwrap(),
            RustType::Scalar(RustScalar::SystemTime)
        );
        assert!(matches!(
            rust_type(PgType::Scalar(Scalar::Numeric), &default),
            Err(Unreadable::NeedsOption(m)) if m.contains("numeric = \"rust_decimal\"")
        ));
        assert!(matches!(
            rust_type(PgType::Scalar(Scalar::Jsonb), &default),
            Err(Unreadable::NeedsOption(m)) if m.contains("json = true")
        ));
        let chrono = TypesConfig {
            datetime: DateTimeCrate::Chrono,
            ..TypesConfig::default()
        };
        assert_eq!(
            rust_type(PgType::Scalar(Scalar::Timestamp), &chrono).unwrap(),
            RustType::Scalar(RustScalar::ChronoDateTime)
        );
    }

    #[test]
    fn drift_that_no_type_notices_is_no_error() {
        let config = TypesConfig::default();
        let ok = decide(
            "account.name",
            &[env("test", "character varying(80)"), env("prod", "text")],
            &config,
        );
        assert_eq!(ok.unwrap(), RustType::Scalar(RustScalar::String));
        let ts = decide(
            "account.x",
            &[
                env("test", "timestamp without time zone"),
                env("prod", "timestamp with time zone"),
            ],
            &config,
        );
        assert_eq!(ts.unwrap(), RustType::Scalar(RustScalar::SystemTime));
        // With chrono, only SystemTime reads both, and chrono is chosen: an error.
        let chrono = TypesConfig {
            datetime: DateTimeCrate::Chrono,
            ..TypesConfig::default()
        };
        let ts = decide(
            "account.x",
            &[
                env("test", "timestamp without time zone"),
                env("prod", "timestamp with time zone"),
            ],
            &chrono,
        );
        assert_eq!(ts.unwrap(), RustType::Scalar(RustScalar::SystemTime));
    }

    #[test]
    fn drift_no_type_reads_is_an_error_naming_each_environment() {
        let err = decide(
            "account.annualrevenue",
            &[
                env("prod", "character varying(255)"),
                env("test", "double precision"),
            ],
            &TypesConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`account.annualrevenue` is character varying(255) in prod (hc-schema/prod.json) but \
             double precision in test (hc-schema/test.json); no Rust type reads both: make the \
             column's type the same in every environment (Heroku Connect: unmap and remap the \
             field), then refresh the snapshots"
        );
        for (a, b) in [
            ("integer", "bigint"),
            ("date", "timestamp without time zone"),
            ("boolean", "character varying(255)"),
            ("double precision", "numeric"),
        ] {
            assert!(
                matches!(
                    decide("t.c", &[env("a", a), env("b", b)], &TypesConfig::default()),
                    Err(TypeError::Drift { .. })
                ),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn unknown_and_untyped_columns_are_errors() {
        let err = decide("account.x", &[env("prod", "uuid")], &TypesConfig::default());
        assert!(err.unwrap_err().to_string().contains("`AS \"x: Type\"`"));
        let untyped = EnvType {
            env: "prod".into(),
            display: "p.json".into(),
            spelling: None,
        };
        let err = decide("account.x", &[untyped], &TypesConfig::default()).unwrap_err();
        assert!(err.to_string().contains("hc-schema refresh"), "{err}");
    }

    #[test]
    fn written_types_are_checked_when_known() {
        let f8 = [PgType::Scalar(Scalar::Float8)];
        assert_eq!(written_reads("f64", &f8), Some(true));
        assert_eq!(written_reads("String", &f8), Some(false));
        assert_eq!(written_reads("my::Money", &f8), None);
        let ts = [
            PgType::Scalar(Scalar::Timestamp),
            PgType::Scalar(Scalar::Timestamptz),
        ];
        assert_eq!(written_reads("std::time::SystemTime", &ts), Some(true));
        assert_eq!(written_reads("SystemTime", &ts), Some(true));
        assert_eq!(written_reads("chrono::NaiveDateTime", &ts), Some(false));
        assert_eq!(
            written_reads("Vec<String>", &[PgType::Array(Scalar::Text)]),
            Some(true)
        );
        assert_eq!(
            RustScalar::from_written("Date"),
            None,
            "ambiguous: chrono? time?"
        );
    }

    #[test]
    fn untyped_uses_see_only_drift_no_type_reads() {
        let none = |a: &str, b: &str| untyped_drift("t.c", &[env("a", a), env("b", b)]).is_none();
        assert!(none("character varying(80)", "character varying(255)"));
        assert!(none("character varying(80)", "text"));
        assert!(none(
            "timestamp without time zone",
            "timestamp with time zone"
        ));
        assert!(none("json", "jsonb"));
        assert!(none("uuid", "uuid"));
        assert!(none("numeric(18,2)", "numeric(10,0)"));
        assert!(!none("double precision", "character varying(255)"));
        assert!(!none("integer", "bigint"));
        assert!(!none("date", "timestamp without time zone"));
        assert!(!none("uuid", "text"));
        let untyped = EnvType {
            env: "b".into(),
            display: "b.json".into(),
            spelling: None,
        };
        assert!(untyped_drift("t.c", &[env("a", "integer"), untyped]).is_none());
    }
}
