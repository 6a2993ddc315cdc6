//! THE path from a requirement to its verdict and its message.
//!
//! [`crate::check`] says what is unmet; this module says what that means and how it is worded:
//! [`Status::of`] is the one rule for whether a finding fails, is allowed or is a note (the
//! macro, `hc-schema check` and the release-phase verify all call it), and [`Judge`] takes a
//! set of selected environments and requirements to findings with their status and
//! explanation, for both macro forms (`#[hc_requires]` and `hc_sql!`), so that they can never
//! disagree (they once did: a snapshot that stopped parsing after the build script indexed it
//! was reported by one form and silently dropped by the other).

use std::sync::Arc;

use crate::diagnostic::{explain, Explanation, Target};
use crate::requirement::{evaluate, Allowance, Finding, Requirement, Schema};
use crate::snapshot::Snapshot;
use crate::typecheck;

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// It fails the build, the check or the verify.
    Fails,
    /// An allowance of the code (`missing_ok`) covers it: reported with its reason, never as ok.
    Allowed,
    /// A write to a mapping whose access the snapshot does not record, without
    /// `strict_access`: a pass with a note.
    Note,
}

impl Status {
    /// THE rule: an allowed finding is [`Status::Allowed`]; otherwise a finding fails unless
    /// it is an unknown access checked leniently.
    ///
    /// ```
    /// use hc_schema_snapshot::verdict::Status;
    /// use hc_schema_snapshot::Finding;
    /// let unknown = Finding::AccessUnknown { table: "contact".into() };
    /// assert_eq!(Status::of(&unknown, None, false), Status::Note);
    /// assert_eq!(Status::of(&unknown, None, true), Status::Fails);
    /// ```
    pub fn of(finding: &Finding, allowance: Option<&Allowance>, strict_access: bool) -> Status {
        if allowance.is_some() {
            Status::Allowed
        } else if finding.fails(strict_access) {
            Status::Fails
        } else {
            Status::Note
        }
    }

    /// Whether this status fails.
    pub fn fails(self) -> bool {
        self == Status::Fails
    }
}

/// One selected environment as the judge checks it: the cheapest form of its snapshot (the
/// build script's name index, or the snapshot itself), or why it cannot be read.
pub struct Selected<'a> {
    /// Environment name (`prod`).
    pub env: &'a str,
    /// Its schema, or the message saying why it cannot be checked against.
    pub schema: Result<&'a dyn Schema, String>,
    /// Its Heroku Connect schema name (`salesforce`), what a qualified table name must say
    /// ([`Judge::judge_qualifier`]); `None` when not at hand: then read from its snapshot.
    pub hc_schema: Option<String>,
}

/// A snapshot read in full, to explain a failure: every selected environment's and every
/// other one of the snapshot directory (for "mapped in: test").
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Environment name.
    pub env: String,
    /// The file as shown to users (`hc-schema/prod.json`).
    pub display: String,
    /// The parsed snapshot, or why it does not parse.
    pub snapshot: Arc<Result<Snapshot, String>>,
}

/// A finding with its status and message, or a setup problem of an environment (no finding:
/// its snapshot cannot be read), which always fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The environment.
    pub env: String,
    /// What is unmet; `None` for a setup problem.
    pub finding: Option<Finding>,
    /// How it counts.
    pub status: Status,
    /// The allowance that covers it, when [`Status::Allowed`].
    pub allowance: Option<Allowance>,
    /// The message (only a failing judgement carries one: explaining reads every snapshot).
    pub explanation: Option<Explanation>,
}

/// Judges requirements in the selected environments. Snapshots are read in full only when
/// something fails (to explain it), once per judge.
pub struct Judge<'a, F: FnOnce() -> Vec<Loaded>> {
    selected: Vec<Selected<'a>>,
    strict_access: bool,
    given_file: bool,
    load: Option<F>,
    loaded: Vec<Loaded>,
}

impl<'a, F: FnOnce() -> Vec<Loaded>> Judge<'a, F> {
    /// A judge of `selected` environments; `load` reads every snapshot in full (called at most
    /// once, at the first failure); `given_file` when the one snapshot is a file given by path
    /// (`HC_SCHEMA_SNAPSHOT`), so that advice speaks of the file.
    pub fn new(
        selected: Vec<Selected<'a>>,
        strict_access: bool,
        given_file: bool,
        load: F,
    ) -> Self {
        Judge {
            selected,
            strict_access,
            given_file,
            load: Some(load),
            loaded: Vec::new(),
        }
    }

    /// Fill in each selected environment's Heroku Connect schema that is not known yet from
    /// `of(env)` (for a caller that knows them cheaply, lazily).
    pub fn with_hc_schemas(mut self, of: impl Fn(&str) -> Option<String>) -> Self {
        for selected in &mut self.selected {
            if selected.hc_schema.is_none() {
                selected.hc_schema = of(selected.env);
            }
        }
        self
    }

    /// Judge the schema qualifier `written` that SQL writes before the Heroku Connect table
    /// `table` (`written.table`) in every selected environment that can be read: a failing
    /// [`Finding::WrongSchema`], explained, where `written` is not the environment's Heroku
    /// Connect schema (no allowance covers it: the name does not exist there). An
    /// environment whose schema is not at hand is read from its snapshot; one whose snapshot
    /// cannot be read then is a failing setup judgement, never a pass.
    pub fn judge_qualifier(&mut self, table: &str, written: &str) -> Vec<Judgement> {
        let mut out = Vec::new();
        for index in 0..self.selected.len() {
            let (env, known, readable) = {
                let selected = &self.selected[index];
                (
                    selected.env,
                    selected.hc_schema.clone(),
                    selected.schema.is_ok(),
                )
            };
            if !readable {
                continue; // a setup problem: see `setup`
            }
            let expected = match known {
                Some(expected) => expected,
                None => {
                    self.load_all();
                    match self.loaded.iter().find(|l| l.env == env) {
                        Some(loaded) => match loaded.snapshot.as_ref() {
                            Ok(snapshot) => snapshot.schema.clone(),
                            Err(message) => {
                                out.push(setup_problem(env, message.clone()));
                                continue;
                            }
                        },
                        None => {
                            out.push(setup_problem(
                                env,
                                format!(
                                    "the snapshot of {env} could not be read to know its \
                                     Heroku Connect schema: build again"
                                ),
                            ));
                            continue;
                        }
                    }
                }
            };
            if expected == written {
                continue;
            }
            let finding = Finding::WrongSchema {
                table: table.to_string(),
                written: written.to_string(),
                expected,
            };
            self.load_all();
            match targets(&self.loaded, env, self.given_file) {
                Ok(targets) => out.push(Judgement {
                    env: env.to_string(),
                    explanation: Some(explain(&finding, &targets[0], &targets)),
                    finding: Some(finding),
                    status: Status::Fails,
                    allowance: None,
                }),
                Err(message) => out.push(setup_problem(env, message)),
            }
        }
        out
    }

    /// Read every snapshot in full, once.
    fn load_all(&mut self) {
        if let Some(load) = self.load.take() {
            self.loaded = load();
        }
    }

    /// The setup problems of the selected environments (a snapshot or index that cannot be
    /// read): one failing judgement each.
    pub fn setup(&self) -> Vec<Judgement> {
        self.selected
            .iter()
            .filter_map(|selected| {
                let message = selected.schema.as_ref().err()?;
                Some(setup_problem(selected.env, message.clone()))
            })
            .collect()
    }

    /// Every finding of `requirement` (with the code's `allowances`) in every selected
    /// environment that can be read, with its status; failing ones explained. An environment
    /// whose snapshot no longer parses when a failure needs explaining is a failing setup
    /// judgement, never a pass.
    pub fn judge(&mut self, requirement: &Requirement, allowances: &[Allowance]) -> Vec<Judgement> {
        let mut out = Vec::new();
        for selected in &self.selected {
            let Ok(schema) = &selected.schema else {
                continue; // a setup problem: see `setup`
            };
            let env = selected.env;
            let evaluation = evaluate(requirement, allowances, env, *schema);
            let judged: Vec<(Finding, Option<&Allowance>, Status)> = evaluation
                .findings
                .into_iter()
                .map(|(finding, allowance)| {
                    let status = Status::of(&finding, allowance, self.strict_access);
                    (finding, allowance, status)
                })
                .collect();
            let fails = judged.iter().any(|(_, _, status)| status.fails());
            if fails {
                if let Some(load) = self.load.take() {
                    self.loaded = load();
                }
            }
            let targets = if fails {
                match targets(&self.loaded, env, self.given_file) {
                    Ok(targets) => targets,
                    Err(message) => {
                        out.push(setup_problem(env, message));
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            for (finding, allowance, status) in judged {
                let explanation = status
                    .fails()
                    .then(|| explain(&finding, &targets[0], &targets));
                out.push(Judgement {
                    env: env.to_string(),
                    finding: Some(finding),
                    status,
                    allowance: allowance.cloned(),
                    explanation,
                });
            }
        }
        out
    }
}

impl<'a, F: FnOnce() -> Vec<Loaded>> Judge<'a, F> {
    /// The judgements of a typed declaration: each `(column, Rust type as written)` of
    /// `typed`, columns of `table`, in every selected environment that can be read
    /// ([`typecheck::declared`]): a type that does not read the environment's column type
    /// fails; a snapshot without types is a note, or fails with `strict_types`. Reads every
    /// snapshot in full (a typed declaration needs the types). A column the environment does
    /// not map is left to [`Judge::judge`]. A Rust type hc-schema does not know is judged
    /// once, with the first selected environment that can be read
    /// ([`typecheck::declared_type`]): it fails, or is a note when `custom` (`[types] custom`)
    /// lists it.
    pub fn judge_types(
        &mut self,
        table: &str,
        typed: &[(String, String)],
        strict_types: bool,
        custom: &[String],
    ) -> Vec<Judgement> {
        let mut out = Vec::new();
        if typed.is_empty() {
            return out;
        }
        self.load_all();
        let first = self
            .selected
            .iter()
            .find(|s| s.schema.is_ok())
            .map(|s| s.env);
        if let Some(env) = first {
            for (column, rust) in typed {
                let Some(finding) = typecheck::declared_type(table, column, rust, custom) else {
                    continue;
                };
                out.push(match targets(&self.loaded, env, self.given_file) {
                    Ok(targets) => self.judged(env, finding, &targets),
                    Err(message) => setup_problem(env, message),
                });
            }
        }
        for selected in &self.selected {
            if selected.schema.is_err() {
                continue; // a setup problem: see `setup`
            }
            let env = selected.env;
            let targets = match targets(&self.loaded, env, self.given_file) {
                Ok(targets) => targets,
                Err(message) => {
                    out.push(setup_problem(env, message));
                    continue;
                }
            };
            for (column, rust) in typed {
                let Some(finding) = typecheck::declared(
                    table,
                    column,
                    rust,
                    targets[0].snapshot,
                    strict_types,
                    custom,
                ) else {
                    continue;
                };
                out.push(self.judged(env, finding, &targets));
            }
        }
        out
    }

    /// The judgement of `table.column`, used without a Rust type, when its type drifts
    /// between the snapshots of the directory (every one read in full: selected or not, so
    /// that every build words it the same; [`typecheck::drift`]). At most one, given the first
    /// selected environment readable (drift is no one environment's): it fails in every
    /// build. Callers with a cheaper way to know that a column does not drift skip the call.
    /// A snapshot of the directory that cannot be read (other than a selected one, already a
    /// setup problem) leaves the drift undecided: a failing setup judgement naming the file
    /// ([`typecheck::unreadable_for_drift`]), never a pass.
    pub fn judge_drift(&mut self, table: &str, column: &str) -> Option<Judgement> {
        let env = self
            .selected
            .iter()
            .find(|selected| selected.schema.is_ok())?
            .env;
        self.load_all();
        if self.loaded.len() > 1 {
            let unreadable = self.loaded.iter().find_map(|l| {
                let message = l.snapshot.as_ref().as_ref().err()?;
                let setup = self
                    .selected
                    .iter()
                    .any(|s| s.env == l.env && s.schema.is_err());
                (!setup).then(|| typecheck::unreadable_for_drift(&l.env, &l.display, message))
            });
            if let Some(message) = unreadable {
                return Some(setup_problem(env, message));
            }
        }
        let known: Vec<typecheck::Known<'_>> = self
            .loaded
            .iter()
            .filter_map(|l| {
                Some((
                    l.env.as_str(),
                    l.display.as_str(),
                    l.snapshot.as_ref().as_ref().ok()?,
                ))
            })
            .collect();
        let finding = typecheck::drift(table, column, &known)?;
        Some(match targets(&self.loaded, env, self.given_file) {
            Ok(targets) => self.judged(env, finding, &targets),
            Err(message) => setup_problem(env, message),
        })
    }

    /// A type finding in `env` with its status, explained when it fails.
    fn judged(&self, env: &str, finding: Finding, targets: &[Target<'_>]) -> Judgement {
        let status = Status::of(&finding, None, self.strict_access);
        let explanation = status
            .fails()
            .then(|| explain(&finding, &targets[0], targets));
        Judgement {
            env: env.to_string(),
            finding: Some(finding),
            status,
            allowance: None,
            explanation,
        }
    }
}

/// The explanation targets with `env`'s first, or why `env`'s snapshot cannot be read.
fn targets<'l>(
    loaded: &'l [Loaded],
    env: &str,
    given_file: bool,
) -> Result<Vec<Target<'l>>, String> {
    let target = |l: &'l Loaded, snapshot: &'l Snapshot| Target {
        env: &l.env,
        display: &l.display,
        snapshot,
        given_file,
    };
    let own = loaded.iter().find(|l| l.env == env).ok_or_else(|| {
        format!("the snapshot of {env} could not be read to explain a failure: build again")
    })?;
    let own = match own.snapshot.as_ref() {
        // The file changed after the build script indexed it.
        Err(message) => return Err(message.clone()),
        Ok(snapshot) => target(own, snapshot),
    };
    let mut all = vec![own];
    for l in loaded {
        if let (Ok(snapshot), false) = (l.snapshot.as_ref(), l.env == env) {
            all.push(target(l, snapshot));
        }
    }
    Ok(all)
}

fn setup_problem(env: &str, message: String) -> Judgement {
    Judgement {
        env: env.to_string(),
        finding: None,
        status: Status::Fails,
        allowance: None,
        explanation: Some(Explanation {
            message,
            notes: Vec::new(),
            helps: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::NameIndex;

    const PROD: &str = r#"{"format":1,"environment":"prod","schema":"salesforce","tables":{
        "account":{"columns":{"name":{}}},"contact":{"access":"read_only","columns":{"email":{}}}}}"#;

    fn loaded(env: &str, text: &str) -> Loaded {
        Loaded {
            env: env.into(),
            display: format!("hc-schema/{env}.json"),
            snapshot: Arc::new(Snapshot::parse(text, "x.json", env).map_err(|e| e.to_string())),
        }
    }

    /// The index says the snapshot lacks a column, but the snapshot itself stopped parsing
    /// after the build script indexed it: a failing judgement, never nothing.
    #[test]
    fn a_snapshot_that_stopped_parsing_fails() {
        let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
        let selected = vec![Selected {
            env: "prod",
            schema: Ok(&index as &dyn Schema),
            hc_schema: None,
        }];
        let mut judge = Judge::new(selected, false, false, || vec![loaded("prod", "{ broken")]);
        let verdicts = judge.judge(&Requirement::new("account", ["tier__c"]), &[]);
        assert_eq!(verdicts.len(), 1, "{verdicts:?}");
        assert!(verdicts[0].finding.is_none() && verdicts[0].status.fails());
        let message = verdicts[0].explanation.as_ref().unwrap().message.clone();
        assert!(message.contains("malformed"), "{message}");
    }

    #[test]
    fn statuses_and_explanations() {
        let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
        let selected = vec![Selected {
            env: "prod",
            schema: Ok(&index as &dyn Schema),
            hc_schema: None,
        }];
        let mut loads = 0;
        let mut judge = Judge::new(selected, false, false, || {
            loads += 1;
            vec![loaded("prod", PROD)]
        });
        assert!(judge
            .judge(&Requirement::new("account", ["name"]), &[])
            .is_empty());
        let allowance = Allowance {
            env: "prod".into(),
            table: "account".into(),
            columns: vec!["tier__c".into()],
            reason: "flag".into(),
        };
        let allowed = judge.judge(
            &Requirement::new("account", ["tier__c"]),
            std::slice::from_ref(&allowance),
        );
        assert_eq!(allowed[0].status, Status::Allowed);
        assert!(
            allowed[0].explanation.is_none(),
            "nothing loaded for an allowed finding"
        );
        let written = judge.judge(&Requirement::write("contact", ["email"]), &[]);
        assert_eq!(written[0].status, Status::Fails);
        let text = written[0].explanation.as_ref().unwrap().to_string();
        assert!(
            text.starts_with("`contact` is mapped read-only in prod"),
            "{text}"
        );
        drop(judge);
        assert_eq!(loads, 1);
    }

    /// A qualified table name: fails, naming both schemas and the fix, where the schema is
    /// not the environment's (known, or read from its snapshot); nothing where it is.
    #[test]
    fn a_qualifier_that_is_not_the_environments_schema_fails() {
        let test_json = PROD
            .replace("\"prod\"", "\"test\"")
            .replace("salesforce", "org");
        for known in [Some("salesforce".to_string()), None] {
            let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
            let selected = vec![Selected {
                env: "prod",
                schema: Ok(&index as &dyn Schema),
                hc_schema: known.clone(),
            }];
            let test_json = test_json.clone();
            let mut judge = Judge::new(selected, false, false, move || {
                vec![loaded("prod", PROD), loaded("test", &test_json)]
            });
            assert!(judge.judge_qualifier("account", "salesforce").is_empty());
            let wrong = judge.judge_qualifier("account", "org");
            assert_eq!(wrong.len(), 1, "{wrong:?}");
            assert!(wrong[0].status.fails());
            assert_eq!(
                wrong[0].finding,
                Some(Finding::WrongSchema {
                    table: "account".into(),
                    written: "org".into(),
                    expected: "salesforce".into()
                })
            );
            let text = wrong[0].explanation.as_ref().unwrap().to_string();
            assert!(
                text.starts_with(
                    "`org.account` names the schema `org`, but the Heroku Connect schema of \
                     prod (hc-schema/prod.json) is `salesforce`"
                ) && text.contains("`org` is the Heroku Connect schema of: test")
                    && text.contains("write `salesforce.account`"),
                "{text}"
            );
        }
        // Not known, and the snapshot no longer parses: a failing setup judgement.
        let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
        let selected = vec![Selected {
            env: "prod",
            schema: Ok(&index as &dyn Schema),
            hc_schema: None,
        }];
        let mut judge = Judge::new(selected, false, false, || vec![loaded("prod", "{ broken")]);
        let verdicts = judge.judge_qualifier("account", "salesforce");
        assert!(verdicts[0].finding.is_none() && verdicts[0].status.fails());
    }

    /// A snapshot of the directory that is not selected and cannot be read: the drift of an
    /// untyped column cannot be decided, so it fails naming the file (it was left out, and
    /// the column passed).
    #[test]
    fn an_unreadable_other_snapshot_fails_the_drift_check() {
        let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
        let selected = vec![Selected {
            env: "prod",
            schema: Ok(&index as &dyn Schema),
            hc_schema: None,
        }];
        let mut judge = Judge::new(selected, false, false, || {
            vec![loaded("prod", PROD), loaded("test", "{ broken")]
        });
        let judged = judge.judge_drift("account", "name").expect("a judgement");
        assert!(
            judged.finding.is_none() && judged.status.fails(),
            "{judged:?}"
        );
        let message = judged.explanation.unwrap().message;
        assert!(
            message.contains("hc-schema/test.json cannot be read")
                && message.contains("hc-schema refresh test"),
            "{message}"
        );
        // Both readable: no drift, nothing.
        let index = NameIndex::of(&Snapshot::parse(PROD, "p.json", "prod").unwrap());
        let selected = vec![Selected {
            env: "prod",
            schema: Ok(&index as &dyn Schema),
            hc_schema: None,
        }];
        let test = PROD.replace("\"prod\"", "\"test\"");
        let mut judge = Judge::new(selected, false, false, move || {
            vec![loaded("prod", PROD), loaded("test", &test)]
        });
        assert!(judge.judge_drift("account", "name").is_none());
    }

    #[test]
    fn an_unreadable_environment_is_a_setup_problem() {
        let judge = Judge::new(
            vec![Selected {
                env: "prod",
                schema: Err("hc-schema/prod.json does not exist".into()),
                hc_schema: None,
            }],
            false,
            false,
            Vec::new,
        );
        let setup = judge.setup();
        assert_eq!(setup.len(), 1);
        assert!(setup[0].status.fails());
    }
}
