//! The wording of a finding: what is missing, where it is mapped, what to do.
//!
//! Shared by the macro and the CLI so that a compile error and a CI report say the same thing.

use std::fmt;

use crate::requirement::Finding;
use crate::salesforce::{self, ApiName};
use crate::snapshot::{MappingAccess, Snapshot};
use crate::suggest;

/// A snapshot as a check target: the environment, how to show its file, and its content.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Environment name (`prod`).
    pub env: &'a str,
    /// The snapshot path as shown to users (`hc-schema/prod.json`).
    pub display: &'a str,
    /// The snapshot.
    pub snapshot: &'a Snapshot,
    /// True when the snapshot is a file given by path (`HC_SCHEMA_SNAPSHOT`, `--snapshot`)
    /// rather than an environment's snapshot: advice then speaks of the file, not of
    /// `hc-schema refresh <env>`.
    pub given_file: bool,
}

impl<'a> Target<'a> {
    /// The target of an environment's snapshot (`hc-schema/<env>.json`).
    pub fn env(env: &'a str, display: &'a str, snapshot: &'a Snapshot) -> Target<'a> {
        Target {
            env,
            display,
            snapshot,
            given_file: false,
        }
    }

    /// "then run `hc-schema refresh prod` and commit hc-schema/prod.json", or, for a file
    /// given by path, "then update ../proposed.json".
    fn follow_up(&self) -> String {
        if self.given_file {
            format!(
                "then update {} to match (a snapshot file given by path)",
                self.display
            )
        } else {
            format!(
                "then run {} and commit {}",
                update_command(self.env, self.snapshot),
                self.display
            )
        }
    }

    /// "prod" or "the snapshot ../proposed.json", as the subject of "is not mapped in ...".
    fn place(&self) -> String {
        if self.given_file {
            self.display.to_string()
        } else {
            format!("{} ({})", self.env, self.display)
        }
    }
}

/// The command that brings `env`'s snapshot up to date, as advice: `` `hc-schema refresh prod` ``
/// for a snapshot read from a database, and, for one imported from a mapping export (its
/// `source` is `export:...`: its author may have no database access), the import of a new
/// export.
///
/// ```
/// use hc_schema_snapshot::diagnostic::update_command;
/// use hc_schema_snapshot::Snapshot;
/// let mut snapshot = Snapshot::new("prod", "salesforce");
/// assert_eq!(update_command("prod", &snapshot), "`hc-schema refresh prod`");
/// snapshot.source = Some("export:prod-export.json".into());
/// assert_eq!(update_command("prod", &snapshot),
///     "`heroku connect:export` and `hc-schema import prod --from <the new export.json>`");
/// ```
pub fn update_command(env: &str, snapshot: &Snapshot) -> String {
    if crate::import::is_imported(snapshot) {
        format!("`heroku connect:export` and `hc-schema import {env} --from <the new export.json>`")
    } else {
        format!("`hc-schema refresh {env}`")
    }
}

/// A finding explained: one message line plus notes and help lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// "`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)".
    pub message: String,
    /// Context, such as the environments where the column is mapped.
    pub notes: Vec<String>,
    /// What to do.
    pub helps: Vec<String>,
}

impl fmt::Display for Explanation {
    /// The message followed by `= note:` and `= help:` lines, the way rustc prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for note in &self.notes {
            write!(f, "\n  = note: {note}")?;
        }
        for help in &self.helps {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Explain `finding` in `target`; `known` are all snapshots known (selected or not), used for
/// "mapped in" notes and for Salesforce API names.
///
/// When a near name exists ("did you mean") and the name is mapped in no known environment, the
/// advice is to fix the spelling: mapping a misspelled field that does not exist in Salesforce
/// would send the user the wrong way. A name mapped as written in some environment is no typo:
/// it gets no near name, only the advice to map it.
///
/// ```
/// use hc_schema_snapshot::diagnostic::{explain, Target};
/// use hc_schema_snapshot::{Finding, Snapshot};
/// let json = |env, cols| format!(r#"{{"format":1,"environment":"{env}","schema":"salesforce",
///     "tables":{{"account":{{"object":"Account","columns":{cols}}}}}}}"#);
/// let prod = Snapshot::parse(&json("prod", r#"{"name":{}}"#), "p", "prod").unwrap();
/// let test = Snapshot::parse(&json("test", r#"{"name":{},"loyalty_tier__c":{"field":"Loyalty_Tier__c"}}"#), "t", "test").unwrap();
/// let prod_t = Target::env("prod", "hc-schema/prod.json", &prod);
/// let test_t = Target::env("test", "hc-schema/test.json", &test);
/// let finding = Finding::MissingColumn { table: "account".into(), column: "loyalty_tier__c".into() };
/// let text = explain(&finding, &prod_t, &[prod_t, test_t]).to_string();
/// assert_eq!(text, "`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)
///   = note: mapped in: test
///   = help: map Loyalty_Tier__c on Account in prod's Heroku Connect, wait for the sync, then run `hc-schema refresh prod` and commit hc-schema/prod.json");
/// ```
pub fn explain(finding: &Finding, target: &Target<'_>, known: &[Target<'_>]) -> Explanation {
    let env = target.env;
    let others = || known.iter().filter(move |other| other.env != env);
    let object = object_api_name(finding.table(), target, known).shown();
    let mut notes = Vec::new();
    let mut helps = Vec::new();
    let place = target.place();
    let where_ = if target.given_file {
        "the Heroku Connect environment it describes".to_string()
    } else {
        format!("{env}'s Heroku Connect")
    };
    match finding {
        Finding::MissingTable { .. } | Finding::MissingColumn { .. } => {
            let near = near_name(finding, target);
            let mapped_in: Vec<&str> = others()
                .filter(|other| mapped(finding, other.snapshot))
                .map(|other| other.env)
                .collect();
            if mapped_in.is_empty() {
                if others().next().is_some() {
                    notes.push("not mapped in any snapshot".to_string());
                }
            } else {
                notes.push(format!("mapped in: {}", mapped_in.join(", ")));
            }
            let what = match finding {
                Finding::MissingTable { table } => format!("table `{table}`"),
                _ => format!("`{}`", finding.subject()),
            };
            match near {
                // A near name and nowhere mapped as written: a typo, not a missing mapping.
                Some(near) if mapped_in.is_empty() => {
                    helps.push(format!(
                        "did you mean `{near}`? fix the spelling in the code; if `{}` really is \
                         a field to map, check its API name in Salesforce first",
                        finding.subject()
                    ));
                }
                // Mapped as written somewhere (or nothing near): no typo, so no near name
                // (following one would read another field, and the check would bless it).
                _ => {
                    let action = match finding {
                        Finding::MissingTable { .. } => format!("map the {object} object"),
                        Finding::MissingColumn { table, column } => {
                            let field = field_api_name(table, column, target, known);
                            format!("map {} on {object}", field.shown())
                        }
                        _ => unreachable!("only missing tables and columns here"),
                    };
                    helps.push(format!(
                        "{action} in {where_}, wait for the sync, {}",
                        target.follow_up()
                    ));
                }
            }
            Explanation {
                message: format!("{what} is not mapped in {place}"),
                notes,
                helps,
            }
        }
        Finding::ReadOnly { table, columns } => {
            let read_write: Vec<&str> = others()
                .filter(|other| {
                    other.snapshot.table(table).and_then(|t| t.access)
                        == Some(MappingAccess::ReadWrite)
                })
                .map(|other| other.env)
                .collect();
            if !read_write.is_empty() {
                notes.push(format!("read-write in: {}", read_write.join(", ")));
            }
            let list: Vec<String> = columns.iter().map(|c| format!("`{table}.{c}`")).collect();
            let writes = match list.as_slice() {
                [] => format!(
                    "writes rows of `{table}`, which would never reach Salesforce (the next sync \
                     overwrites them)"
                ),
                [one] => format!(
                    "writes {one}, which would never reach Salesforce (the next sync overwrites it)"
                ),
                [first @ .., last] => format!(
                    "writes {} and {last}, none of which would reach Salesforce (the next sync \
                     overwrites them)",
                    first.join(", ")
                ),
            };
            helps.push(format!(
                "make the {object} mapping read-write in {where_}, {}",
                target.follow_up()
            ));
            Explanation {
                message: format!("`{table}` is mapped read-only in {place}: this code {writes}"),
                notes,
                helps,
            }
        }
        Finding::WrongSchema {
            table,
            written,
            expected,
        } => {
            let theirs: Vec<&str> = others()
                .filter(|other| other.snapshot.schema == *written)
                .map(|other| other.env)
                .collect();
            if !theirs.is_empty() {
                notes.push(format!(
                    "`{written}` is the Heroku Connect schema of: {}",
                    theirs.join(", ")
                ));
            }
            helps.push(format!(
                "write `{expected}.{table}`; where the environments' schemas differ, leave the \
                 table unqualified (`{table}`) and set each connection's search_path to its \
                 environment's Heroku Connect schema; if {env}'s schema really is `{written}`, \
                 set `schema = \"{written}\"` under [env.{env}] in hc-schema.toml, then run \
                 `hc-schema refresh {env}`"
            ));
            Explanation {
                message: format!(
                    "`{written}.{table}` names the schema `{written}`, but the Heroku Connect \
                     schema of {place} is `{expected}`: there this SQL names a table that does \
                     not exist"
                ),
                notes,
                helps,
            }
        }
        Finding::AccessUnknown { table } => {
            notes.push(format!(
                "{} does not record whether the {object} mapping is read-only or read-write",
                target.display
            ));
            helps.push(if target.given_file {
                format!("add `\"access\": \"read_write\"` to `{table}` in {} if the mapping is read-write", target.display)
            } else if crate::import::is_imported(target.snapshot) {
                format!(
                    "export the mappings again (`heroku connect:export`; it records each \
                     mapping's access), run `hc-schema import {env} --from <the new export.json>` \
                     and commit {}",
                    target.display
                )
            } else {
                format!(
                    "run `hc-schema refresh {env}` (it reads the access from Heroku Connect's \
                     triggers) or `hc-schema import {env} --from <export.json>`, and commit {}",
                    target.display
                )
            });
            Explanation {
                message: format!(
                    "this code writes `{table}`, but whether its mapping is read-write in {place} is unknown"
                ),
                notes,
                helps,
            }
        }
        Finding::TypeMismatch {
            table,
            column,
            rust,
            found,
        } => {
            let elsewhere: Vec<String> = others()
                .filter_map(|other| {
                    let ty = other
                        .snapshot
                        .table(table)?
                        .column(column)?
                        .data_type
                        .clone()?;
                    Some(format!("{ty} in {}", other.env))
                })
                .collect();
            if !elsewhere.is_empty() {
                notes.push(format!("elsewhere: {}", elsewhere.join(", ")));
            }
            let readers = crate::types::readers_of(found);
            let declare = if readers.is_empty() {
                format!("declare a type implementing postgres::types::FromSql for {found}")
            } else {
                let list: Vec<String> = readers.iter().map(|r| format!("`{r}`")).collect();
                format!("declare the type that reads it ({})", list.join(" or "))
            };
            helps.push(format!(
                "{declare}; or, if {env} is the one that is wrong, make the column's type the \
                 same in every environment (in {where_}: unmap and remap the field, wait for \
                 the sync), {}",
                target.follow_up()
            ));
            Explanation {
                message: format!(
                    "`{table}.{column}` is {found} in {place}, which `{rust}` does not read"
                ),
                notes,
                helps,
            }
        }
        Finding::TypeUnknown {
            table,
            column,
            rust,
            strict,
        } => {
            notes.push(format!(
                "{} records no column types (snapshots imported from a mapping export have none)",
                target.display
            ));
            helps.push(if target.given_file {
                format!("add the column's `\"type\"` to {}", target.display)
            } else {
                format!(
                    "run `hc-schema refresh {env}` (it reads the types from Postgres) and commit {}",
                    target.display
                )
            });
            if !strict {
                helps.push(
                    "`strict_types = true` under [check] in hc-schema.toml makes this an error"
                        .to_string(),
                );
            }
            Explanation {
                message: format!(
                    "`{table}.{column}` is declared `{rust}`, but its type in {place} is \
                     unknown, so the declaration is not checked there"
                ),
                notes,
                helps,
            }
        }
        Finding::UncheckedType {
            table,
            column,
            rust,
            canonical,
            why,
            custom,
        } => {
            // The table's types that read the column wherever a snapshot records its type.
            let spellings: Vec<String> = known
                .iter()
                .filter_map(|t| t.snapshot.table(table)?.column(column)?.data_type.clone())
                .collect();
            let mut readers: Vec<String> = spellings
                .first()
                .map(|s| crate::types::readers_of(s))
                .unwrap_or_default();
            readers.retain(|r| {
                spellings
                    .iter()
                    .all(|s| crate::types::declared_reads(r, s) == Some(true))
            });
            if *custom {
                let types: Vec<&str> = spellings.iter().map(String::as_str).collect();
                Explanation {
                    message: format!(
                        "`{table}.{column}` is declared `{rust}`, listed under [types] custom in \
                         hc-schema.toml: not checked against the column's type{}",
                        if types.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", types.join(", "))
                        }
                    ),
                    notes,
                    helps,
                }
            } else {
                let (more_notes, more_helps) =
                    crate::written::unknown_type_advice(canonical, why, &readers);
                notes.extend(more_notes);
                helps.extend(more_helps);
                Explanation {
                    message: format!(
                        "`{table}.{column}` is declared `{rust}`, a Rust type hc-schema does not \
                         know, so whether it reads the column's type cannot be checked"
                    ),
                    notes,
                    helps,
                }
            }
        }
        Finding::TypeDrift {
            table,
            column,
            types,
        } => {
            let mut message = format!("`{table}.{column}` is ");
            for (n, (env, display, ty)) in types.iter().enumerate() {
                if n > 0 {
                    message.push_str(if n + 1 == types.len() { " but " } else { ", " });
                }
                message.push_str(&format!("{ty} in {env} ({display})"));
            }
            message.push_str(&format!(
                "; no Rust type reads {}, and this code reads it without one, so it fails at \
                 run time in one of them",
                if types.len() == 2 {
                    "both"
                } else {
                    "all of them"
                }
            ));
            helps.push(format!(
                "read it through `hc_query!` or a typed declaration \
                 (`#[hc_requires({table}({column}: Type))]`), so that the build checks the \
                 type the code reads in each environment"
            ));
            helps.push(
                "make the column's type the same in every environment (Heroku Connect: unmap \
                 and remap the field), then refresh the snapshots"
                    .to_string(),
            );
            Explanation {
                message,
                notes,
                helps,
            }
        }
    }
}

/// A near name for a missing table or column, in `target`.
fn near_name<'a>(finding: &Finding, target: &Target<'a>) -> Option<&'a str> {
    match finding {
        Finding::MissingTable { table } => {
            suggest::closest(table, target.snapshot.tables.keys().map(String::as_str))
        }
        Finding::MissingColumn { table, column } => {
            let columns = target.snapshot.table(table)?;
            suggest::closest(column, columns.columns.keys().map(String::as_str))
        }
        _ => None,
    }
}

fn mapped(finding: &Finding, snapshot: &Snapshot) -> bool {
    match finding {
        Finding::MissingTable { table } => snapshot.has_table(table),
        Finding::MissingColumn { table, column } => snapshot.has_column(table, column),
        _ => false,
    }
}

/// The Salesforce object API name of `table` (see [`crate::salesforce::object_api_name`]):
/// from any snapshot that knows it, else Salesforce's standard name, else a guess (which
/// [`ApiName::shown`] marks).
pub fn object_api_name(table: &str, target: &Target<'_>, known: &[Target<'_>]) -> ApiName {
    salesforce::object_api_name(table, &snapshots(target, known), None)
}

/// The Salesforce field API name of `table.column` (see
/// [`crate::salesforce::field_api_name`]): from any snapshot that knows it, else Heroku
/// Connect's or Salesforce's standard name, else a guess (which [`ApiName::shown`] marks).
pub fn field_api_name(
    table: &str,
    column: &str,
    target: &Target<'_>,
    known: &[Target<'_>],
) -> ApiName {
    salesforce::field_api_name(table, column, &snapshots(target, known), None)
}

/// The object API name of `table`, as [`object_api_name`] finds it (unmarked).
pub fn object_name(table: &str, target: &Target<'_>, known: &[Target<'_>]) -> String {
    object_api_name(table, target, known).name
}

/// The field API name of `table.column`, as [`field_api_name`] finds it (unmarked).
pub fn field_name(table: &str, column: &str, target: &Target<'_>, known: &[Target<'_>]) -> String {
    field_api_name(table, column, target, known).name
}

/// The target's snapshot first, then the others'.
fn snapshots<'a>(target: &Target<'a>, known: &[Target<'a>]) -> Vec<&'a Snapshot> {
    std::iter::once(target.snapshot)
        .chain(known.iter().map(|t| t.snapshot))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: &str, tables: &str) -> Snapshot {
        let text = format!(
            r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{tables}}}"#
        );
        Snapshot::parse(&text, "x", env).unwrap()
    }

    #[test]
    fn typo_gets_a_suggestion_and_guessed_names() {
        let prod = snap("prod", r#"{"account":{"columns":{"loyalty_tier__c":{}}}}"#);
        let target = Target::env("prod", "hc-schema/prod.json", &prod);
        let finding = Finding::MissingColumn {
            table: "account".into(),
            column: "loyalty_teir__c".into(),
        };
        let explanation = explain(&finding, &target, &[target]);
        // A typo: fix the spelling, never "map Loyalty_Teir__c" (no such field).
        assert_eq!(explanation.helps.len(), 1, "{explanation:?}");
        assert!(
            explanation.helps[0].starts_with("did you mean `loyalty_tier__c`? fix the spelling")
        );
        assert!(!explanation.to_string().contains("map Loyalty_Teir__c"));
        assert!(explanation.notes.is_empty());
    }

    /// A name mapped as written in some environment is no typo: whatever near names the
    /// target maps (generated), the advice is to map it, never "did you mean".
    #[test]
    fn names_mapped_elsewhere_get_no_near_name() {
        let mut rng = crate::testing::Rng::exact(0x5eed_1234);
        let mut next = move |n: usize| rng.below(n);
        let letters = b"abcdeit_";
        for _ in 0..500 {
            let len = 3 + next(8);
            let mut wanted: String = (0..len)
                .map(|_| letters[next(letters.len())] as char)
                .collect();
            if next(2) == 0 {
                wanted.push_str("__c");
            }
            // A near name in prod: one letter changed, or `__c` added/removed.
            let mut near = wanted.clone().into_bytes();
            let k = next(near.len());
            near[k] = if near[k] == b'x' { b'y' } else { b'x' };
            let near = String::from_utf8(near).unwrap();
            for (finding, prod_json, test_json) in [
                (
                    Finding::MissingColumn {
                        table: "account".into(),
                        column: wanted.clone(),
                    },
                    format!(r#"{{"account":{{"columns":{{"{near}":{{}}}}}}}}"#),
                    format!(r#"{{"account":{{"columns":{{"{wanted}":{{}}}}}}}}"#),
                ),
                (
                    Finding::MissingTable {
                        table: wanted.clone(),
                    },
                    format!(r#"{{"{near}":{{"columns":{{}}}}}}"#),
                    format!(r#"{{"{wanted}":{{"columns":{{}}}}}}"#),
                ),
            ] {
                let prod = snap("prod", &prod_json);
                let test = snap("test", &test_json);
                let p = Target::env("prod", "hc-schema/prod.json", &prod);
                let t = Target::env("test", "hc-schema/test.json", &test);
                let text = explain(&finding, &p, &[p, t]).to_string();
                assert!(!text.contains("did you mean"), "{text}");
                assert!(text.contains("mapped in: test"), "{text}");
                assert!(text.contains("= help: map "), "{text}");
                // Mapped nowhere: the same near name is a typo.
                let text = explain(&finding, &p, &[p]).to_string();
                assert!(text.contains(&format!("did you mean `{near}`?")), "{text}");
            }
        }
    }

    #[test]
    fn a_given_file_gets_advice_about_the_file() {
        let proposed = snap("proposed", r#"{"account":{"columns":{}}}"#);
        let target = Target {
            given_file: true,
            ..Target::env("proposed", "../proposed.json", &proposed)
        };
        let finding = Finding::MissingColumn {
            table: "account".into(),
            column: "name".into(),
        };
        let text = explain(&finding, &target, &[target]).to_string();
        assert!(
            text.starts_with("`account.name` is not mapped in ../proposed.json"),
            "{text}"
        );
        assert!(!text.contains("hc-schema refresh"), "{text}");
        assert!(text.contains("update ../proposed.json"), "{text}");
    }

    #[test]
    fn writes_to_read_only_mappings_say_where_it_is_read_write() {
        let prod = snap(
            "prod",
            r#"{"contact":{"object":"Contact","access":"read_only","columns":{"title":{}}}}"#,
        );
        let test = snap(
            "test",
            r#"{"contact":{"access":"read_write","columns":{"title":{}}}}"#,
        );
        let p = Target::env("prod", "hc-schema/prod.json", &prod);
        let t = Target::env("test", "hc-schema/test.json", &test);
        let finding = Finding::ReadOnly {
            table: "contact".into(),
            columns: vec!["title".into()],
        };
        let explanation = explain(&finding, &p, &[p, t]);
        assert_eq!(
            explanation.message,
            "`contact` is mapped read-only in prod (hc-schema/prod.json): this code writes \
             `contact.title`, which would never reach Salesforce (the next sync overwrites it)"
        );
        assert_eq!(explanation.notes, ["read-write in: test"]);
        assert!(explanation.helps[0]
            .starts_with("make the Contact mapping read-write in prod's Heroku Connect"));
    }

    #[test]
    fn missing_table_mentions_object_and_other_envs() {
        let prod = snap("prod", r#"{"account":{"columns":{}}}"#);
        let test = snap(
            "test",
            r#"{"loyalty_program__c":{"object":"Loyalty_Program__c","columns":{}}}"#,
        );
        let p = Target::env("prod", "hc-schema/prod.json", &prod);
        let t = Target::env("test", "hc-schema/test.json", &test);
        let finding = Finding::MissingTable {
            table: "loyalty_program__c".into(),
        };
        let explanation = explain(&finding, &p, &[p, t]);
        assert_eq!(
            explanation.message,
            "table `loyalty_program__c` is not mapped in prod (hc-schema/prod.json)"
        );
        assert_eq!(explanation.notes, ["mapped in: test"]);
        assert!(explanation.helps[0].starts_with("map the Loyalty_Program__c object in prod's"));
    }

    /// Standard names are spelled as Salesforce does, a guess says it is one, and a snapshot
    /// imported from an export gets "import the new export" instead of `refresh`.
    #[test]
    fn names_and_advice_speak_salesforce() {
        let mut prod = snap("prod", r#"{"contact":{"columns":{"name":{}}}}"#);
        let test = snap(
            "test",
            r#"{"contact":{"columns":{"el_x__c":{"field":"EL_X__c"}}}}"#,
        );
        let t = Target::env("test", "hc-schema/test.json", &test);
        let missing = |column: &str| Finding::MissingColumn {
            table: "contact".into(),
            column: column.into(),
        };
        let help = |prod: &Snapshot, column: &str| {
            let p = Target::env("prod", "hc-schema/prod.json", prod);
            explain(&missing(column), &p, &[p, t]).helps.join("\n")
        };
        assert!(help(&prod, "mobilephone").starts_with("map MobilePhone on Contact in prod's"));
        assert!(help(&prod, "el_x__c").starts_with("map EL_X__c on Contact"));
        assert!(help(&prod, "tier__c").starts_with("map Tier__c (API name guessed) on Contact"));
        assert!(help(&prod, "mobilephone")
            .ends_with("then run `hc-schema refresh prod` and commit hc-schema/prod.json"));
        prod.source = Some("export:prod.json (app acme-prod)".into());
        let text = help(&prod, "mobilephone");
        assert!(
            text.ends_with(
                "then run `heroku connect:export` and `hc-schema import prod --from <the new \
                 export.json>` and commit hc-schema/prod.json"
            ),
            "{text}"
        );
        assert!(!text.contains("refresh"), "{text}");
    }

    #[test]
    fn nowhere_mapped_is_said() {
        let prod = snap("prod", r#"{"account":{"columns":{}}}"#);
        let test = snap("test", r#"{"account":{"columns":{}}}"#);
        let p = Target::env("prod", "p", &prod);
        let t = Target::env("test", "t", &test);
        let finding = Finding::MissingColumn {
            table: "account".into(),
            column: "zzz".into(),
        };
        assert_eq!(
            explain(&finding, &p, &[p, t]).notes,
            ["not mapped in any snapshot"]
        );
    }
}
