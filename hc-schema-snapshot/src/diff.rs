//! Differences between two environments' snapshots.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::built::{declared_rust_type, text_limit};
use crate::config::AllowedDeviation;
use crate::manifest::{Site, Spot, Usage};
use crate::names::normalize;
use crate::requirement::{Access, Finding};
use crate::snapshot::{MappingAccess, Snapshot};
use crate::types::{untyped_drift, written_reads, EnvType, PgType};
use crate::uses::Uses;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deviation {
    /// The table.
    pub table: String,
    /// The column; `None` when the whole table differs (or its access).
    pub column: Option<String>,
    /// What differs.
    #[serde(flatten)]
    pub kind: DeviationKind,
    /// The reason from `[[diff.allow]]` when the difference is intended.
    pub allowed: Option<String>,
    /// The code sites that need what differs (set by [`classify`]; empty before).
    pub needed_at: Vec<Need>,
    /// Whether the difference breaks code on a side that code runs against (set by
    /// [`classify`]).
    pub breaking: bool,
    /// For a type change the code uses: why it breaks the code or not (set by [`classify`]):
    /// `no Rust type reads both`, `String reads both`, `shorter in prod, where src/a.rs:3:9
    /// writes it`...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// A code site that needs what a [`Deviation`] is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Need {
    /// Where (the column token, or the table token for a table).
    pub site: Site,
    /// Whether the site reads or writes.
    pub access: Access,
    /// The reason of the site's `missing_ok` allowance that covers the deviation where it is
    /// missing: then it does not break that site.
    pub allowed: Option<String>,
    /// The site is a `SELECT *` / `t.*` over the table: the column is possibly used (read by
    /// name from its rows).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub star: bool,
    /// The Rust type the site reads or writes the column with, when it has one (an
    /// `hc_query!` column, a typed declaration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
}

/// What differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviationKind {
    /// Present in the first environment only.
    OnlyInA,
    /// Present in the second environment only.
    OnlyInB,
    /// Present in both with different Postgres types.
    TypeDiffers {
        /// Type in the first environment.
        a: String,
        /// Type in the second environment.
        b: String,
    },
    /// The table's mapping access differs (`None`: the snapshot does not record it).
    AccessDiffers {
        /// Access in the first environment.
        a: Option<MappingAccess>,
        /// Access in the second environment.
        b: Option<MappingAccess>,
    },
}

/// Compare `a` with `b`, sorted by table then column. A table missing on one side is one
/// deviation (its columns are not listed). Deviations matching an `allow` rule carry its reason.
///
/// ```
/// use hc_schema_snapshot::{diff::{diff, DeviationKind}, Snapshot};
/// let a = Snapshot::parse(r#"{"format":1,"environment":"test","schema":"s","tables":{"account":{"columns":{"name":{},"tier__c":{}}}}}"#, "a", "test").unwrap();
/// let b = Snapshot::parse(r#"{"format":1,"environment":"prod","schema":"s","tables":{"account":{"columns":{"name":{}}}}}"#, "b", "prod").unwrap();
/// let deviations = diff(&a, &b, &[]);
/// assert_eq!(deviations[0].column.as_deref(), Some("tier__c"));
/// assert_eq!(deviations[0].kind, DeviationKind::OnlyInA);
/// ```
pub fn diff(a: &Snapshot, b: &Snapshot, allow: &[AllowedDeviation]) -> Vec<Deviation> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    let mut push = |table: &str, column: Option<&str>, kind: DeviationKind| {
        out.push(Deviation {
            table: table.to_string(),
            column: column.map(str::to_string),
            kind,
            allowed: allowed(allow, &a.environment, &b.environment, table, column),
            needed_at: Vec::new(),
            breaking: false,
            why: None,
        })
    };
    for table in tables {
        match (a.tables.get(table), b.tables.get(table)) {
            (Some(_), None) => push(table, None, DeviationKind::OnlyInA),
            (None, Some(_)) => push(table, None, DeviationKind::OnlyInB),
            (Some(ta), Some(tb)) => {
                if ta.access != tb.access {
                    push(
                        table,
                        None,
                        DeviationKind::AccessDiffers {
                            a: ta.access,
                            b: tb.access,
                        },
                    );
                }
                let columns: BTreeSet<&String> =
                    ta.columns.keys().chain(tb.columns.keys()).collect();
                for column in columns {
                    match (ta.columns.get(column), tb.columns.get(column)) {
                        (Some(_), None) => push(table, Some(column), DeviationKind::OnlyInA),
                        (None, Some(_)) => push(table, Some(column), DeviationKind::OnlyInB),
                        (Some(ca), Some(cb)) => {
                            if let (Some(x), Some(y)) = (&ca.data_type, &cb.data_type) {
                                if x != y {
                                    push(
                                        table,
                                        Some(column),
                                        DeviationKind::TypeDiffers {
                                            a: x.clone(),
                                            b: y.clone(),
                                        },
                                    );
                                }
                            }
                        }
                        (None, None) => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// The sides of a comparison whose environment code runs against: a deviation that leaves such
/// a side without something the code needs is breaking there. `diff test prod` counts both;
/// `refresh prod --check` (committed snapshot vs live) counts only the live side, since the
/// snapshot is only a record of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides<'a> {
    /// The first snapshot's environment, when code runs against it.
    pub a: Option<&'a str>,
    /// The second snapshot's environment, when code runs against it.
    pub b: Option<&'a str>,
}

/// Mark which deviations some code needs ([`Deviation::needed_at`]) and which of those break
/// it ([`Deviation::breaking`]), by every use the code makes ([`Uses`]: requirements, SQL
/// strings no annotation declares, `SELECT *`):
/// - a table or column present on one side only breaks every counted side that lacks it,
///   unless each site needing it there has a `missing_ok` allowance for that environment; a
///   column of a table some `SELECT *` reads is possibly used by it, which no allowance covers;
/// - a type change of a column that code uses (or possibly uses) is breaking when a site reads
///   or writes it with a Rust type that does not read the type of a counted side, or when a
///   site without a Rust type (`hc_sql!`, an untyped declaration, an SQL string, `SELECT *`)
///   uses it and no one Rust type reads both types (a type-family change); harmless otherwise
///   (`character varying(80)` to `(255)`, `varchar` to `text`), except that a `varchar` that
///   is shorter on a counted side breaks the sites that write it (a value that fits on one
///   side is refused on the other);
/// - an access change is breaking when code writes the table and a counted side maps it
///   read-only.
///
/// ```
/// use hc_schema_snapshot::diff::{classify, diff, Sides};
/// use hc_schema_snapshot::manifest::{Spot, Usage};
/// use hc_schema_snapshot::uses::Uses;
/// use hc_schema_snapshot::Snapshot;
/// let snap = |env, cols| Snapshot::parse(&format!(r#"{{"format":1,"environment":"{env}","schema":"s","tables":{{"account":{{"columns":{cols}}}}}}}"#), "x", env).unwrap();
/// let test = snap("test", r#"{"aboutme":{},"fax":{}}"#);
/// let prod = snap("prod", "{}");
/// let code = Uses::new(vec![Usage::read("src/users.rs", Spot::new("account", 18, 1), vec![Spot::new("aboutme", 18, 5)])], vec![]);
/// let mut deviations = diff(&test, &prod, &[]);
/// classify(&mut deviations, &code, Sides { a: Some("test"), b: Some("prod") });
/// assert!(deviations[0].breaking);
/// assert_eq!(deviations[0].needed_at[0].site.to_string(), "src/users.rs:18:5");
/// assert!(!deviations[1].breaking && deviations[1].needed_at.is_empty());
/// ```
pub fn classify(deviations: &mut [Deviation], uses: &Uses, sides: Sides<'_>) {
    classify_typed(deviations, uses, sides, &declared_rust_type)
}

/// [`classify`], with `rust` giving the Rust type a use reads or writes a column with (when it
/// has one): what decides whether a type change breaks that use.
pub fn classify_typed(
    deviations: &mut [Deviation],
    uses: &Uses,
    sides: Sides<'_>,
    rust: &dyn Fn(&Usage, &Spot) -> Option<String>,
) {
    for deviation in deviations.iter_mut() {
        let table = deviation.table.as_str();
        // The environment that lacks the subject, when it is one that counts.
        let lacking = match deviation.kind {
            DeviationKind::OnlyInA => sides.b,
            DeviationKind::OnlyInB => sides.a,
            _ => None,
        };
        let finding = match &deviation.column {
            Some(column) => Finding::MissingColumn {
                table: table.to_string(),
                column: column.clone(),
            },
            None => Finding::MissingTable {
                table: table.to_string(),
            },
        };
        let sites = match (&deviation.kind, &deviation.column) {
            (DeviationKind::AccessDiffers { .. }, _) => uses
                .table(table)
                .into_iter()
                .filter(|s| s.access == Access::Write)
                .collect(),
            (_, Some(column)) => uses.column(table, column),
            (_, None) => uses.table(table),
        };
        let mut needs: Vec<Need> = sites
            .into_iter()
            .map(|use_site| {
                let allowed = match (lacking, use_site.usage) {
                    (Some(env), Some(usage)) => usage
                        .allowances
                        .iter()
                        .find(|a| a.covers(env, &finding, &usage.requirement()))
                        .map(|a| a.reason.clone()),
                    _ => None,
                };
                let rust = match (use_site.usage, use_site.column) {
                    (Some(usage), Some(column)) => usage
                        .columns
                        .iter()
                        .find(|c| c.name == column)
                        .and_then(|spot| rust(usage, spot)),
                    _ => None,
                };
                Need {
                    site: use_site.site,
                    access: use_site.access,
                    allowed,
                    star: use_site.star,
                    rust,
                }
            })
            .collect();
        needs.sort();
        needs.dedup();
        deviation.breaking = match &deviation.kind {
            DeviationKind::OnlyInA | DeviationKind::OnlyInB => {
                lacking.is_some() && needs.iter().any(|n| n.allowed.is_none())
            }
            DeviationKind::TypeDiffers { a, b } => {
                let (breaking, why) = type_change(a, b, &needs, sides);
                deviation.why = why;
                breaking
            }
            DeviationKind::AccessDiffers { a, b } => {
                let read_only = |side: Option<&str>, access: &Option<MappingAccess>| {
                    side.is_some() && *access == Some(MappingAccess::ReadOnly)
                };
                !needs.is_empty() && (read_only(sides.a, a) || read_only(sides.b, b))
            }
        };
        deviation.needed_at = needs;
    }
}

/// Whether a column's type change from `a` to `b` breaks the sites `needs`, and why (THE rule
/// of [`classify`] for types; `None` when no code uses the column).
fn type_change(a: &str, b: &str, needs: &[Need], sides: Sides<'_>) -> (bool, Option<String>) {
    if needs.is_empty() {
        return (false, None);
    }
    let counted: Vec<(&str, &str)> = [(sides.a, a), (sides.b, b)]
        .into_iter()
        .filter_map(|(env, ty)| Some((env?, ty)))
        .collect();
    if counted.is_empty() {
        return (false, None);
    }
    let sites = |list: &[&Need]| {
        list.iter()
            .map(|n| n.site.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Sites with a Rust type the table knows: that type must read every counted side.
    let mut reasons: Vec<String> = Vec::new();
    let mut untyped: Vec<&Need> = Vec::new();
    for need in needs {
        let known = need.rust.as_deref().and_then(|rust| {
            let types: Vec<PgType> = counted
                .iter()
                .filter_map(|(_, ty)| PgType::parse(ty))
                .collect();
            (types.len() == counted.len())
                .then(|| written_reads(rust, &types))
                .flatten()
                .map(|reads| (rust, reads))
        });
        match known {
            Some((_, true)) => {}
            Some((rust, false)) => reasons.push(format!(
                "{} reads it as {rust}, which does not read {}",
                need.site,
                counted
                    .iter()
                    .filter(|(_, ty)| {
                        PgType::parse(ty).is_some_and(|pg| written_reads(rust, &[pg]) != Some(true))
                    })
                    .map(|(env, ty)| format!("{ty} ({env})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => untyped.push(need),
        }
    }
    let env_type = |env: &str, ty: &str| EnvType {
        env: env.to_string(),
        display: String::new(),
        spelling: Some(ty.to_string()),
    };
    let family_changes = untyped_drift("", &[env_type("a", a), env_type("b", b)]).is_some();
    if !untyped.is_empty() && family_changes {
        reasons.push(format!(
            "no Rust type reads both, and {} use{} it without one",
            sites(&untyped),
            if untyped.len() == 1 { "s" } else { "" }
        ));
    }
    // A varchar shorter on a counted side: the sites writing it can be refused there.
    if let (Some(la), Some(lb)) = (text_limit(a), text_limit(b)) {
        let shorter = match la.cmp(&lb) {
            std::cmp::Ordering::Less => sides.a.map(|env| (env, la, lb)),
            std::cmp::Ordering::Greater => sides.b.map(|env| (env, lb, la)),
            std::cmp::Ordering::Equal => None,
        };
        let writers: Vec<&Need> = needs.iter().filter(|n| n.access == Access::Write).collect();
        if let Some((env, short, long)) = shorter.filter(|_| !writers.is_empty()) {
            let limit = |n: u32| {
                if n == u32::MAX {
                    "unlimited".to_string()
                } else {
                    n.to_string()
                }
            };
            reasons.push(format!(
                "it holds at most {short} characters in {env} instead of {}, and {} write{} it: \
                 a value that fits in one environment is refused in {env}",
                limit(long),
                sites(&writers),
                if writers.len() == 1 { "s" } else { "" }
            ));
        }
    }
    if reasons.is_empty() {
        let why = if family_changes {
            "harmless: each site's Rust type reads both".to_string()
        } else {
            "harmless: one Rust type reads both".to_string()
        };
        return (false, Some(why));
    }
    (true, Some(reasons.join("; ")))
}

/// What fails a comparison: `breaking` deviations only, or `any` deviation that neither is
/// harmless by rule nor allowed by `[[diff.allow]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Only deviations that break code that needs them.
    Breaking,
    /// Every deviation not allowed by `[[diff.allow]]` (and every breaking one).
    Any,
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "breaking" => Ok(FailOn::Breaking),
            "any" => Ok(FailOn::Any),
            other => Err(format!(
                "`{other}` is not a --fail-on value: expected `breaking` or `any`"
            )),
        }
    }
}

/// Counts of a classified comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All deviations.
    pub total: usize,
    /// Deviations that break code ([`classify`]).
    pub breaking: usize,
    /// The others.
    pub harmless: usize,
    /// Deviations with a `[[diff.allow]]` reason.
    pub allowed: usize,
    /// Deviations without one.
    pub unexplained: usize,
}

impl Summary {
    /// Count `deviations`.
    pub fn of(deviations: &[Deviation]) -> Summary {
        let breaking = deviations.iter().filter(|d| d.breaking).count();
        let allowed = deviations.iter().filter(|d| d.allowed.is_some()).count();
        Summary {
            total: deviations.len(),
            breaking,
            harmless: deviations.len() - breaking,
            allowed,
            unexplained: deviations.len() - allowed,
        }
    }

    /// Whether the comparison fails under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Breaking => self.breaking > 0,
            FailOn::Any => self.breaking > 0 || self.unexplained > 0,
        }
    }
}

/// The reason of the first rule covering `table.column` for the pair `env_a`/`env_b`. A rule
/// without `column` covers the whole table; a rule with `envs` applies only when both compared
/// environments are listed.
fn allowed(
    rules: &[AllowedDeviation],
    env_a: &str,
    env_b: &str,
    table: &str,
    column: Option<&str>,
) -> Option<String> {
    rules
        .iter()
        .find(|rule| {
            let table_matches = normalize(&rule.table) == table;
            let column_matches = match (&rule.column, column) {
                (None, _) => true,
                (Some(rule_column), Some(column)) => normalize(rule_column) == column,
                (Some(_), None) => false,
            };
            let envs_match = rule.envs.as_ref().is_none_or(|envs| {
                envs.iter().any(|e| e == env_a) && envs.iter().any(|e| e == env_b)
            });
            table_matches && column_matches && envs_match
        })
        .map(|rule| rule.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: &str, tables: &str) -> Snapshot {
        Snapshot::parse(
            &format!(r#"{{"format":1,"environment":"{env}","schema":"s","tables":{tables}}}"#),
            "x",
            env,
        )
        .unwrap()
    }

    #[test]
    fn tables_columns_and_types() {
        let a = snap(
            "test",
            r#"{"a":{"columns":{"x":{"type":"text"},"y":{}}},"only_a":{"columns":{}}}"#,
        );
        let b = snap(
            "prod",
            r#"{"a":{"columns":{"x":{"type":"integer"},"z":{}}},"only_b":{"columns":{}}}"#,
        );
        let found: Vec<(String, Option<String>, DeviationKind)> = diff(&a, &b, &[])
            .into_iter()
            .map(|d| (d.table, d.column, d.kind))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "a".into(),
                    Some("x".into()),
                    DeviationKind::TypeDiffers {
                        a: "text".into(),
                        b: "integer".into()
                    }
                ),
                ("a".into(), Some("y".into()), DeviationKind::OnlyInA),
                ("a".into(), Some("z".into()), DeviationKind::OnlyInB),
                ("only_a".into(), None, DeviationKind::OnlyInA),
                ("only_b".into(), None, DeviationKind::OnlyInB),
            ]
        );
    }

    #[test]
    fn access_changes_are_deviations() {
        let a = snap("test", r#"{"c":{"access":"read_write","columns":{}}}"#);
        let b = snap("prod", r#"{"c":{"access":"read_only","columns":{}}}"#);
        let deviations = diff(&a, &b, &[]);
        assert_eq!(
            deviations[0].kind,
            DeviationKind::AccessDiffers {
                a: Some(MappingAccess::ReadWrite),
                b: Some(MappingAccess::ReadOnly)
            }
        );
        let unknown = snap("prod", r#"{"c":{"columns":{}}}"#);
        assert_eq!(diff(&a, &unknown, &[]).len(), 1);
        assert!(diff(&a, &a, &[]).is_empty());
    }

    fn usage(table: &str, columns: &[&str], access: Access) -> crate::manifest::Usage {
        use crate::manifest::{Spot, Usage};
        Usage {
            access,
            ..Usage::read(
                "src/a.rs",
                Spot::new(table, 10, 1),
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Spot::new(*c, 10, 5 + i as u32))
                    .collect(),
            )
        }
    }

    #[test]
    fn breaking_needs_a_counted_side_and_no_allowance() {
        let test = snap(
            "test",
            r#"{"a":{"access":"read_write","columns":{"x":{"type":"text"},"y":{}}},"t":{"columns":{}}}"#,
        );
        let prod = snap(
            "prod",
            r#"{"a":{"access":"read_only","columns":{"x":{"type":"integer"},"z":{}}}}"#,
        );
        let mut allowed = usage("a", &["y"], Access::Read);
        allowed.allowances.push(crate::requirement::Allowance {
            env: "prod".into(),
            table: "a".into(),
            columns: vec!["y".into()],
            reason: "behind a flag".into(),
        });
        let code = Uses::new(
            vec![
                usage("a", &["x", "z"], Access::Read),
                allowed,
                usage("a", &[], Access::Write),
                usage("t", &["q"], Access::Read),
            ],
            Vec::new(),
        );
        let both = Sides {
            a: Some("test"),
            b: Some("prod"),
        };
        let mut deviations = diff(&test, &prod, &[]);
        classify(&mut deviations, &code, both);
        let shown: Vec<(String, bool, usize)> = deviations
            .iter()
            .map(|d| {
                (
                    format!("{}.{}", d.table, d.column.as_deref().unwrap_or("*")),
                    d.breaking,
                    d.needed_at.len(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("a.*".to_string(), true, 1),  // written, read-only in prod
                ("a.x".to_string(), true, 1),  // type change of a used column
                ("a.y".to_string(), false, 1), // missing in prod, allowed there
                ("a.z".to_string(), true, 1),  // missing in test
                ("t.*".to_string(), true, 1),  // table missing in prod
            ]
        );
        assert_eq!(
            deviations[2].needed_at[0].allowed.as_deref(),
            Some("behind a flag")
        );
        // Only the live side counts (refresh --check): a column only the live side has
        // breaks nothing; the table the live side lacks does.
        let mut deviations = diff(&test, &prod, &[]);
        classify(
            &mut deviations,
            &code,
            Sides {
                a: None,
                b: Some("prod"),
            },
        );
        let breaking: Vec<bool> = deviations.iter().map(|d| d.breaking).collect();
        assert_eq!(breaking, [true, true, false, false, true]);
        let summary = Summary::of(&deviations);
        assert_eq!((summary.breaking, summary.harmless), (3, 2));
        assert!(summary.fails(FailOn::Breaking) && summary.fails(FailOn::Any));
    }

    /// Every use counts (issue 20): a column only an SQL string uses (origin `string`, any
    /// access) breaks where it is missing, with the string's site, and no `missing_ok` of an
    /// annotation covers it; a `SELECT *` makes every column of its table possibly used
    /// (breaking, with the `*`'s site), and the other tables' columns stay harmless.
    #[test]
    fn string_uses_and_stars_are_needs() {
        use crate::manifest::Origin;
        use crate::uses::Star;
        let test = snap(
            "test",
            r#"{"a":{"columns":{"x":{},"y":{},"z":{}}},"b":{"columns":{"q":{}}}}"#,
        );
        let prod = snap("prod", r#"{"a":{"columns":{}},"b":{"columns":{}}}"#);
        let sides = Sides {
            a: Some("test"),
            b: Some("prod"),
        };
        for access in [Access::Read, Access::Write] {
            for column in ["x", "y", "z"] {
                let mut string = usage("a", &[column], access);
                string.origin = Origin::String;
                let mut deviations = diff(&test, &prod, &[]);
                classify(&mut deviations, &Uses::new(vec![string], Vec::new()), sides);
                for d in &deviations {
                    let needed = d.table == "a" && d.column.as_deref() == Some(column);
                    assert_eq!(d.breaking, needed, "{d:?}");
                    assert_eq!(d.needed_at.len(), usize::from(needed), "{d:?}");
                }
            }
        }
        let star = Star {
            table: "a".into(),
            site: Site {
                file: "src/s.rs".into(),
                line: 4,
                column: 12,
            },
        };
        let mut deviations = diff(&test, &prod, &[]);
        classify(&mut deviations, &Uses::new(Vec::new(), vec![star]), sides);
        let shown: Vec<(String, bool)> = deviations
            .iter()
            .map(|d| {
                (
                    format!("{}.{}", d.table, d.column.as_deref().unwrap_or("*")),
                    d.breaking,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("a.x".to_string(), true),
                ("a.y".to_string(), true),
                ("a.z".to_string(), true),
                ("b.q".to_string(), false)
            ]
        );
        assert!(deviations[0].needed_at[0].star);
        assert_eq!(deviations[0].needed_at[0].site.to_string(), "src/s.rs:4:12");
    }

    /// Issue 21: a type change breaks a use only when the code cannot read (or write) the new
    /// type: by the use's Rust type when it has one, else when the type family changes; a
    /// varchar that gets shorter on a counted side breaks the sites writing it.
    #[test]
    fn type_changes_break_only_what_the_code_cannot_read() {
        let pair = |a: &str, b: &str| {
            (
                snap(
                    "test",
                    &format!(r#"{{"a":{{"columns":{{"x":{{"type":"{a}"}}}}}}}}"#),
                ),
                snap(
                    "prod",
                    &format!(r#"{{"a":{{"columns":{{"x":{{"type":"{b}"}}}}}}}}"#),
                ),
            )
        };
        let both = Sides {
            a: Some("test"),
            b: Some("prod"),
        };
        let live = Sides {
            a: None,
            b: Some("prod"),
        };
        let verdict = |a: &str, b: &str, access: Access, rust: Option<&str>, sides: Sides<'_>| {
            let (ta, tb) = pair(a, b);
            let code = Uses::new(vec![usage("a", &["x"], access)], Vec::new());
            let mut deviations = diff(&ta, &tb, &[]);
            let rust = rust.map(str::to_string);
            classify_typed(&mut deviations, &code, sides, &|_, _| rust.clone());
            assert_eq!(deviations.len(), 1);
            (
                deviations[0].breaking,
                deviations[0].why.clone().unwrap_or_default(),
            )
        };
        let read = Access::Read;
        let write = Access::Write;
        let cases = [
            (
                "character varying(80)",
                "character varying(255)",
                read,
                None,
                both,
                false,
            ),
            ("character varying(80)", "text", read, None, both, false),
            (
                "double precision",
                "character varying(255)",
                read,
                None,
                both,
                true,
            ),
            ("character varying(255)", "boolean", read, None, live, true),
            ("integer", "bigint", read, None, both, true),
            (
                "timestamp without time zone",
                "timestamp with time zone",
                read,
                None,
                both,
                false,
            ),
            (
                "timestamp without time zone",
                "timestamp with time zone",
                read,
                Some("chrono::NaiveDateTime"),
                both,
                true,
            ),
            (
                "timestamp without time zone",
                "timestamp with time zone",
                read,
                Some("SystemTime"),
                both,
                false,
            ),
            ("double precision", "integer", read, Some("f64"), live, true),
            (
                "double precision",
                "text",
                read,
                Some("my::Money"),
                live,
                true,
            ),
            // Length: shrinking breaks writers on the counted side only.
            (
                "character varying(255)",
                "character varying(80)",
                write,
                None,
                live,
                true,
            ),
            (
                "character varying(255)",
                "character varying(80)",
                read,
                None,
                live,
                false,
            ),
            (
                "character varying(80)",
                "character varying(255)",
                write,
                None,
                live,
                false,
            ),
            (
                "character varying(80)",
                "character varying(255)",
                write,
                None,
                both,
                true,
            ),
            ("text", "character varying(80)", write, None, live, true),
        ];
        for (a, b, access, rust, sides, breaking) in cases {
            let (found, why) = verdict(a, b, access, rust, sides);
            assert_eq!(found, breaking, "{a} -> {b} {access:?} {rust:?}: {why}");
        }
        let (_, why) = verdict(
            "double precision",
            "character varying(255)",
            read,
            None,
            both,
        );
        assert_eq!(
            why,
            "no Rust type reads both, and src/a.rs:10:5 uses it without one"
        );
        // A typed declaration's `Option<T>` is judged as `T`, never as a use without a type.
        let (found, why) = verdict(
            "double precision",
            "character varying(255)",
            read,
            Some("Option<f64>"),
            both,
        );
        assert!(found);
        assert_eq!(
            why,
            "src/a.rs:10:5 reads it as Option<f64>, which does not read character varying(255) (prod)"
        );
        let (found, _) = verdict(
            "double precision",
            "integer",
            read,
            Some("Option<f64>"),
            live,
        );
        assert!(found, "f64 does not read an integer");
        let (_, why) = verdict(
            "character varying(255)",
            "character varying(80)",
            write,
            None,
            live,
        );
        assert_eq!(
            why,
            "it holds at most 80 characters in prod instead of 255, and src/a.rs:10:5 writes \
             it: a value that fits in one environment is refused in prod"
        );
        let (_, why) = verdict("double precision", "integer", read, Some("f64"), live);
        assert_eq!(
            why,
            "src/a.rs:10:5 reads it as f64, which does not read integer (prod)"
        );
        let (_, why) = verdict("character varying(80)", "text", read, None, both);
        assert_eq!(why, "harmless: one Rust type reads both");
        // No code uses it: nothing to say.
        let (ta, tb) = pair("integer", "text");
        let mut deviations = diff(&ta, &tb, &[]);
        classify(&mut deviations, &Uses::new(Vec::new(), Vec::new()), both);
        assert!(!deviations[0].breaking && deviations[0].why.is_none());
    }

    #[test]
    fn fail_on_any_counts_unexplained() {
        let a = snap("test", r#"{"a":{"columns":{"x":{}}}}"#);
        let b = snap("prod", r#"{"a":{"columns":{}}}"#);
        let rule = AllowedDeviation {
            table: "a".into(),
            column: None,
            reason: "r".into(),
            envs: None,
        };
        let summary = Summary::of(&diff(&a, &b, &[]));
        assert!(!summary.fails(FailOn::Breaking) && summary.fails(FailOn::Any));
        let summary = Summary::of(&diff(&a, &b, std::slice::from_ref(&rule)));
        assert!(!summary.fails(FailOn::Any));
        assert_eq!("any".parse::<FailOn>(), Ok(FailOn::Any));
        assert!("all".parse::<FailOn>().is_err());
    }

    #[test]
    fn allow_rules_match_table_column_and_envs() {
        let a = snap(
            "test",
            r#"{"a":{"columns":{"debug__c":{}}},"t":{"columns":{}}}"#,
        );
        let b = snap("prod", r#"{"a":{"columns":{}}}"#);
        let rule =
            |table: &str, column: Option<&str>, envs: Option<Vec<String>>| AllowedDeviation {
                table: table.into(),
                column: column.map(Into::into),
                reason: format!("r-{table}"),
                envs,
            };
        let rules = [
            rule("A", Some("Debug__c"), None),
            rule("t", None, Some(vec!["test".into(), "prod".into()])),
        ];
        let deviations = diff(&a, &b, &rules);
        assert_eq!(deviations[0].allowed.as_deref(), Some("r-A"));
        assert_eq!(deviations[1].allowed.as_deref(), Some("r-t"));
        let staging_only = [rule("t", None, Some(vec!["staging".into()]))];
        assert_eq!(diff(&a, &b, &staging_only)[1].allowed, None);
    }
}
