//! The column types a build checked its uses against (issue 21, "untyped uses are protected
//! too"), and the one rule that compares them with another type: a live column's
//! ([`crate::verify`]), or a new snapshot's ([`crate::diff`]).
//!
//! For each column of each use, the build records the column's type in every selected
//! snapshot, and the Rust type the code reads or writes it with when the use has one (an
//! `hc_query!` output or parameter, a typed declaration). The registry carries them
//! ([`crate::registry::Record::encode_typed`]); the CLI computes them from the snapshots
//! ([`BuiltTypes::of_usages`]). A use whose types were not recorded (a binary built by an
//! hc-schema without type records, a snapshot imported without types) is listed by name, so
//! that no report calls its type checked.
//!
//! THE compatibility rule ([`incompatible`]), from the type table ([`crate::types`]): a use
//! with a Rust type the table knows needs that type to read the other column type; any other
//! use needs one Rust type of the table to read both (`character varying(80)` and `text`: yes;
//! `double precision` and `character varying`: no).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::manifest::{Site, Spot, Usage};
use crate::requirement::Access;
use crate::snapshot::Snapshot;
use crate::types::{untyped_drift, written_reads, EnvType, PgType};

/// One environment's type of a column, as the build saw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EnvSpelling {
    /// The environment.
    pub env: String,
    /// The type as the snapshot spells it; `None` when the snapshot has none (imported from a
    /// mapping export).
    #[serde(rename = "type")]
    pub spelling: Option<String>,
}

/// The types one column of one use was built against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BuiltType {
    /// Where the column is named (the column token).
    pub site: Site,
    /// The table (Postgres casing).
    pub table: String,
    /// The column (Postgres casing).
    pub column: String,
    /// Whether the use reads or writes it.
    pub access: Access,
    /// The Rust type the use reads or writes the column with, as written (`f64`,
    /// `String`, `Option<f64>` without the `Option`); `None` for a use without one (`hc_sql!`,
    /// an untyped declaration, an SQL string).
    pub rust: Option<String>,
    /// The column's type in each selected environment that maps it, as the build saw it.
    pub envs: Vec<EnvSpelling>,
}

impl BuiltType {
    /// `table.column`.
    pub fn subject(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    /// Whether some environment's type is known (else nothing can be compared).
    pub fn is_typed(&self) -> bool {
        self.envs.iter().any(|e| e.spelling.is_some())
    }

    /// The built types, distinct, as shown in messages: `double precision (test)`,
    /// `character varying(80) (test), text (prod)`.
    pub fn shown(&self) -> String {
        self.envs
            .iter()
            .filter_map(|e| {
                e.spelling
                    .as_ref()
                    .map(|spelling| format!("{spelling} ({})", e.env))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a column's other type breaks a use: what the use was built against, and the other
/// type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatible {
    /// The environment's type the use was built against that the other type is not
    /// compatible with (its spelling and environment); `None` when the use's Rust type alone
    /// decides.
    pub built: Option<EnvSpelling>,
    /// The use's Rust type, when it has one the type table knows and that type does not read
    /// the other type.
    pub rust: Option<String>,
}

/// THE rule: whether `other` (a live column's type, a new snapshot's) breaks the use `built`
/// was built against. `None`: compatible, or nothing to compare (no recorded type).
///
/// A Rust type the table knows decides alone (`SystemTime` reads `timestamp` and
/// `timestamptz`); otherwise one Rust type of the table must read both `other` and each
/// recorded type (`varchar(80)` vs `text` is fine, `double precision` vs `varchar` is not).
///
/// ```
/// use hc_schema_snapshot::built::{incompatible, BuiltType, EnvSpelling};
/// use hc_schema_snapshot::manifest::Site;
/// use hc_schema_snapshot::requirement::Access;
/// let built = |rust: Option<&str>, ty: &str| BuiltType {
///     site: Site { file: "src/a.rs".into(), line: 1, column: 1 },
///     table: "account".into(), column: "x".into(), access: Access::Read,
///     rust: rust.map(str::to_string),
///     envs: vec![EnvSpelling { env: "test".into(), spelling: Some(ty.into()) }],
/// };
/// assert!(incompatible(&built(None, "character varying(80)"), "text").is_none());
/// assert!(incompatible(&built(None, "double precision"), "character varying(255)").is_some());
/// assert!(incompatible(&built(Some("f64"), "double precision"), "integer").is_some());
/// let ts = built(Some("SystemTime"), "timestamp without time zone");
/// assert!(incompatible(&ts, "timestamp with time zone").is_none());
/// // A typed declaration's `Option<T>` is judged as `T`: f64 does not read an integer.
/// assert!(incompatible(&built(Some("Option<f64>"), "double precision"), "integer").is_some());
/// ```
pub fn incompatible(built: &BuiltType, other: &str) -> Option<Incompatible> {
    if let Some(rust) = &built.rust {
        if let Some(pg) = PgType::parse(other) {
            match written_reads(rust, &[pg]) {
                Some(true) => return None,
                Some(false) => {
                    return Some(Incompatible {
                        built: None,
                        rust: Some(rust.clone()),
                    })
                }
                // A type of the user's: the type families decide, below.
                None => {}
            }
        }
    }
    let subject = built.subject();
    built.envs.iter().find_map(|env| {
        let spelling = env.spelling.as_ref()?;
        let pair = [
            EnvType {
                env: env.env.clone(),
                display: String::new(),
                spelling: Some(spelling.clone()),
            },
            EnvType {
                env: String::new(),
                display: String::new(),
                spelling: Some(other.to_string()),
            },
        ];
        untyped_drift(&subject, &pair).map(|_| Incompatible {
            built: Some(env.clone()),
            rust: None,
        })
    })
}

/// The length of a `character varying(n)` type, when it is one with a length.
///
/// ```
/// use hc_schema_snapshot::built::varchar_length;
/// assert_eq!(varchar_length("character varying(80)"), Some(80));
/// assert_eq!(varchar_length("varchar(12)"), Some(12));
/// assert_eq!(varchar_length("text"), None);
/// assert_eq!(varchar_length("character varying"), None);
/// ```
pub fn varchar_length(spelling: &str) -> Option<u32> {
    let text = spelling.trim().to_ascii_lowercase();
    let rest = text
        .strip_prefix("character varying")
        .or_else(|| text.strip_prefix("varchar"))?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.trim().parse().ok()
}

/// The length limit of a string column type: `character varying(n)` n; `text` and an unbounded
/// `character varying` unlimited (`u32::MAX`); `None` for any other type.
///
/// ```
/// use hc_schema_snapshot::built::text_limit;
/// assert_eq!(text_limit("character varying(40)"), Some(40));
/// assert_eq!(text_limit("text"), Some(u32::MAX));
/// assert_eq!(text_limit("boolean"), None);
/// ```
pub fn text_limit(spelling: &str) -> Option<u32> {
    if let Some(n) = varchar_length(spelling) {
        return Some(n);
    }
    match PgType::parse(spelling)? {
        PgType::Scalar(crate::types::Scalar::Text | crate::types::Scalar::Varchar) => {
            Some(u32::MAX)
        }
        _ => None,
    }
}

/// A written string column that is shorter in one selected environment than in another
/// (issue 21): a value that fits in one is refused in the other (`value too long for type
/// character varying(40)`). A warning of `check`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LengthWarning {
    /// Where the code writes the column (the column token).
    pub site: Site,
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The shortest: environment, snapshot file as shown, type.
    pub short: (String, String, String),
    /// The longest: environment, snapshot file as shown, type.
    pub long: (String, String, String),
}

impl LengthWarning {
    /// The message: both types, environments and files.
    pub fn message(&self) -> String {
        format!(
            "`{}.{}` is {} in {} ({}) but {} in {} ({}), and this code writes it: a value that \
             fits in {} is refused in {} (value too long); keep the values short enough for \
             {}, or give the Salesforce field one length in every environment (Heroku Connect \
             applies a length increase by itself)",
            self.table,
            self.column,
            self.short.2,
            self.short.0,
            self.short.1,
            self.long.2,
            self.long.0,
            self.long.1,
            self.long.0,
            self.short.0,
            self.short.0
        )
    }
}

/// The written string columns of `usages` whose length differs between the `selected`
/// snapshots (environment, file as shown, snapshot), one warning per column site.
///
/// ```
/// use hc_schema_snapshot::built::length_warnings;
/// use hc_schema_snapshot::manifest::{Spot, Usage};
/// use hc_schema_snapshot::requirement::Access;
/// use hc_schema_snapshot::Snapshot;
/// let snap = |env: &str, ty: &str| Snapshot::parse(&format!(
///     r#"{{"format":1,"environment":"{env}","schema":"s","tables":{{"contact":{{"columns":{{"email":{{"type":"{ty}"}}}}}}}}}}"#),
///     "x", env).unwrap();
/// let (test, prod) = (snap("test", "character varying(80)"), snap("prod", "character varying(40)"));
/// let write = Usage { access: Access::Write,
///     ..Usage::read("src/a.rs", Spot::new("contact", 3, 5), vec![Spot::new("email", 3, 13)]) };
/// let found = length_warnings(&[write], &[("test", "test.json", &test), ("prod", "prod.json", &prod)]);
/// assert!(found[0].message().starts_with(
///     "`contact.email` is character varying(40) in prod (prod.json) but character varying(80) in test (test.json)"));
/// ```
pub fn length_warnings(
    usages: &[Usage],
    selected: &[(&str, &str, &Snapshot)],
) -> Vec<LengthWarning> {
    let mut out: Vec<LengthWarning> = Vec::new();
    for usage in usages.iter().filter(|u| u.access == Access::Write) {
        for spot in &usage.columns {
            let mut limits: Vec<(u32, (String, String, String))> = selected
                .iter()
                .filter_map(|(env, display, snapshot)| {
                    let column = snapshot.table(&usage.table.name)?.column(&spot.name)?;
                    let spelling = column.data_type.as_deref()?;
                    Some((
                        text_limit(spelling)?,
                        (env.to_string(), display.to_string(), spelling.to_string()),
                    ))
                })
                .collect();
            limits.sort_by_key(|(limit, _)| *limit);
            let (Some(short), Some(long)) = (limits.first(), limits.last()) else {
                continue;
            };
            if short.0 == long.0 {
                continue;
            }
            let warning = LengthWarning {
                site: Site::new(&usage.file, spot),
                table: usage.table.name.clone(),
                column: spot.name.clone(),
                short: short.1.clone(),
                long: long.1.clone(),
            };
            if !out.contains(&warning) {
                out.push(warning);
            }
        }
    }
    out.sort();
    out
}

/// The types the uses of a build were checked against, by column site; and the columns whose
/// types were not recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuiltTypes {
    /// Keyed by (site, table, column).
    types: BTreeMap<(Site, String, String), BuiltType>,
    /// Whether these types come from somewhere that records them at all (`false`: nothing
    /// was recorded, e.g. [`BuiltTypes::none`]).
    recorded: bool,
}

impl BuiltTypes {
    /// No types: every column is "not recorded".
    pub fn none() -> BuiltTypes {
        BuiltTypes::default()
    }

    /// From recorded types (the registry's).
    pub fn from_list(list: impl IntoIterator<Item = BuiltType>) -> BuiltTypes {
        let types = list
            .into_iter()
            .map(|t| ((t.site.clone(), t.table.clone(), t.column.clone()), t))
            .collect();
        BuiltTypes {
            types,
            recorded: true,
        }
    }

    /// The types of every column of `usages` in `snapshots` (environment, snapshot): what the
    /// CLI knows without a registry. `rust` gives a column's Rust type when the use has one.
    pub fn of_usages(
        usages: &[Usage],
        snapshots: &[(&str, &Snapshot)],
        rust: &dyn Fn(&Usage, &Spot) -> Option<String>,
    ) -> BuiltTypes {
        BuiltTypes::from_list(
            usages
                .iter()
                .flat_map(|usage| of_usage(usage, snapshots, rust)),
        )
    }

    /// The recorded types of the column `spot` of `usage`; `None` when not recorded.
    pub fn get(&self, usage: &Usage, spot: &Spot) -> Option<&BuiltType> {
        self.types.get(&(
            Site::new(&usage.file, spot),
            usage.table.name.clone(),
            spot.name.clone(),
        ))
    }

    /// Every recorded column type.
    pub fn iter(&self) -> impl Iterator<Item = &BuiltType> {
        self.types.values()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Whether these come from a source that records types (the registry of a build that
    /// records them, or the snapshots), as opposed to [`BuiltTypes::none`].
    pub fn is_recorded(&self) -> bool {
        self.recorded
    }
}

/// The built types of each column of `usage` in `snapshots`.
pub fn of_usage(
    usage: &Usage,
    snapshots: &[(&str, &Snapshot)],
    rust: &dyn Fn(&Usage, &Spot) -> Option<String>,
) -> Vec<BuiltType> {
    usage
        .columns
        .iter()
        .map(|spot| BuiltType {
            site: Site::new(&usage.file, spot),
            table: usage.table.name.clone(),
            column: spot.name.clone(),
            access: usage.access,
            rust: rust(usage, spot),
            envs: snapshots
                .iter()
                .filter_map(|(env, snapshot)| {
                    let column = snapshot.table(&usage.table.name)?.column(&spot.name)?;
                    Some(EnvSpelling {
                        env: env.to_string(),
                        spelling: column.data_type.clone(),
                    })
                })
                .collect(),
        })
        .collect()
}

/// The Rust type of a use's column when the use has one: the type a typed declaration
/// (`#[hc_requires(account(x: f64))]`) writes for it ([`Spot::rust`]), as written. `None` for
/// a column used without a Rust type. Every report (registry, verify, diff, requirements)
/// reads declared types through this one function.
pub fn declared_rust_type(_usage: &Usage, column: &Spot) -> Option<String> {
    column.rust.as_ref().map(|rust| rust.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(rust: Option<&str>, types: &[(&str, &str)]) -> BuiltType {
        BuiltType {
            site: Site {
                file: "src/a.rs".into(),
                line: 3,
                column: 9,
            },
            table: "account".into(),
            column: "x".into(),
            access: Access::Read,
            rust: rust.map(str::to_string),
            envs: types
                .iter()
                .map(|(env, ty)| EnvSpelling {
                    env: env.to_string(),
                    spelling: Some(ty.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn the_rule_follows_the_type_table() {
        let cases = [
            (
                None,
                "character varying(80)",
                "character varying(255)",
                true,
            ),
            (None, "character varying(80)", "text", true),
            (None, "double precision", "character varying(255)", false),
            (None, "character varying(255)", "boolean", false),
            (None, "integer", "bigint", false),
            (None, "date", "timestamp without time zone", false),
            (
                None,
                "timestamp without time zone",
                "timestamp with time zone",
                true,
            ),
            (None, "uuid", "uuid", true),
            (None, "uuid", "text", false),
            (Some("f64"), "double precision", "double precision", true),
            (Some("f64"), "double precision", "integer", false),
            (Some("String"), "character varying(80)", "text", true),
            (
                Some("chrono::NaiveDateTime"),
                "timestamp without time zone",
                "timestamp with time zone",
                false,
            ),
            (
                Some("SystemTime"),
                "timestamp without time zone",
                "timestamp with time zone",
                true,
            ),
            // A user type: the families decide.
            (
                Some("my::Money"),
                "double precision",
                "double precision",
                true,
            ),
            (Some("my::Money"), "double precision", "text", false),
        ];
        for (rust, was, now, ok) in cases {
            let found = incompatible(&built(rust, &[("test", was)]), now);
            assert_eq!(found.is_none(), ok, "{rust:?} {was} -> {now}");
        }
        // No recorded type: nothing to compare (callers say so by name).
        let untyped = BuiltType {
            envs: vec![EnvSpelling {
                env: "test".into(),
                spelling: None,
            }],
            ..built(None, &[])
        };
        assert!(!untyped.is_typed());
        assert!(incompatible(&untyped, "boolean").is_none());
    }

    #[test]
    fn seeded_spellings_never_panic_and_agree_with_untyped_drift() {
        // Generated input: random spellings (table types, lengths, junk), both rules agree
        // for untyped uses.
        let parts = [
            "character varying",
            "varchar",
            "text",
            "double precision",
            "integer",
            "bigint",
            "boolean",
            "date",
            "timestamp without time zone",
            "timestamp with time zone",
            "uuid",
            "json",
            "jsonb",
            "numeric",
            "(",
            ")",
            "(12)",
            "[]",
            " ",
            "x",
        ];
        let mut rng = crate::testing::Rng::exact(0x2545_f491_4f6c_dd1d);
        let mut next = move |n: usize| rng.below(n);
        for _ in 0..5000 {
            let mut spell = || {
                (0..1 + next(3))
                    .map(|_| parts[next(parts.len())])
                    .collect::<String>()
            };
            let (a, b) = (spell(), spell());
            let found = incompatible(&built(None, &[("t", &a)]), &b).is_some();
            let env = |env: &str, ty: &str| EnvType {
                env: env.into(),
                display: String::new(),
                spelling: Some(ty.into()),
            };
            let drift = untyped_drift("account.x", &[env("t", &a), env("", &b)]).is_some();
            assert_eq!(found, drift, "{a:?} {b:?}");
            let _ = varchar_length(&a);
        }
    }
}
