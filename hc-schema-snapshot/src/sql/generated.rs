//! Generated-input tests: random and mutated SQL never panics the analysis, and queries
//! generated from one abstract query in many spellings (keyword case, whitespace, quoting,
//! qualification, aliases, parentheses, placeholders) all give the requirements the abstract
//! query has; the `looks_like_sql` prefilter accepts every statement that touches a Heroku
//! Connect table.

use std::collections::BTreeSet;

use super::tests::{snapshots, with_context};
use super::*;

use crate::testing::Rng;

const CORPUS: &[&str] = &[
    "SELECT a.sfid, a.name FROM salesforce.account a WHERE NOT a.isdeleted",
    "SELECT a.name, c.email FROM account a JOIN contact c ON c.accountid = a.sfid WHERE a.billingcity = $1 ORDER BY 1",
    "WITH t AS (SELECT accountid, count(*) n FROM contact GROUP BY accountid) SELECT a.name, t.n FROM account a JOIN t ON t.accountid = a.sfid",
    "INSERT INTO contact (external_id__c, email) VALUES ($1, $2) ON CONFLICT (external_id__c) DO UPDATE SET email = EXCLUDED.email RETURNING sfid",
    "UPDATE contact c SET title = a.type FROM account a WHERE a.sfid = c.accountid",
    "DELETE FROM contact USING account a WHERE contact.accountid = a.sfid AND a.isdeleted",
    "MERGE INTO contact c USING account a ON c.accountid = a.sfid WHEN MATCHED THEN UPDATE SET title = a.name",
    "SELECT email FROM contact UNION ALL SELECT email FROM \"user\" ORDER BY email",
    "SELECT * FROM (SELECT * FROM account) s WHERE s.name LIKE 'A%'",
    "SELECT sfid FROM account WHERE sfid IN (SELECT accountid FROM opportunity WHERE amount > $1)",
];

const TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "JOIN",
    "ON",
    "USING",
    "(",
    ")",
    ",",
    ".",
    "*",
    "=",
    "'x'",
    "$1",
    "account",
    "contact",
    "a",
    "c",
    "name",
    "sfid",
    "\"user\"",
    "\"Name\"",
    "salesforce",
    "GROUP BY",
    "ORDER BY",
    "UNION",
    "WITH",
    "AS",
    "INSERT INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "RETURNING",
    "LATERAL",
    "NOT",
    "EXISTS",
    "::text",
    ";",
    "--",
    "/*",
    "\n",
    "é",
    "ON CONFLICT",
    "DO UPDATE",
    "EXCLUDED",
    "MERGE",
    "WHEN",
    "MATCHED",
    "THEN",
    "{}",
    "{0}",
    "U&\"\\0074x\"",
    "u&\"!0061\" UESCAPE '!'",
    "U&",
    "->>",
    "#>",
    "?|",
    "::salesforce.account",
    "::account[]",
    "to_jsonb(a)",
    "EXPLAIN",
    "COPY",
    "TO STDOUT",
    "DECLARE c CURSOR FOR",
    "CREATE TEMP TABLE t AS",
    "DISTINCT ON",
];

/// Random token soup and mutated corpus queries: the analysis comes back, every time.
#[test]
fn random_and_mutated_sql_never_panics() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0001);
        for round in 0..3_000 {
            let sql = if round % 2 == 0 {
                let len = 1 + rng.below(30);
                (0..len)
                    .map(|_| *rng.choose(TOKENS))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                let mut sql = rng.choose(CORPUS).to_string();
                for _ in 0..1 + rng.below(4) {
                    mutate(&mut rng, &mut sql);
                }
                sql
            };
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(&sql, context)));
            assert!(outcome.is_ok(), "round {round} panicked on: {sql}");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                analyze_format(&sql, context)
            }));
            assert!(outcome.is_ok(), "round {round} (format) panicked on: {sql}");
            // The prefilter never rejects a statement that touches a Heroku Connect table.
            if analyze(&sql, context).is_ok_and(|a| a.touches_hc()) {
                assert!(
                    looks_like_sql(&sql),
                    "round {round}: prefilter rejects {sql}"
                );
            }
            // Every error's range lies in the text, on character boundaries.
            if let Err(errors) = analyze(&sql, context) {
                for error in errors {
                    assert!(
                        error.at.start <= error.at.end && error.at.end <= sql.len(),
                        "{sql}: {error:?}"
                    );
                    assert!(
                        sql.is_char_boundary(error.at.start) && sql.is_char_boundary(error.at.end)
                    );
                    let _ = excerpt(&sql, error.at.clone());
                }
            }
        }
    });
}

fn mutate(rng: &mut Rng, sql: &mut String) {
    let boundaries: Vec<usize> = (0..=sql.len())
        .filter(|&i| sql.is_char_boundary(i))
        .collect();
    let at = *rng.choose(&boundaries);
    match rng.below(4) {
        0 => {
            let end = boundaries
                .iter()
                .copied()
                .find(|&b| b >= at + rng.below(8))
                .unwrap_or(sql.len());
            sql.replace_range(at..end, "");
        }
        1 => sql.insert_str(at, &format!(" {} ", rng.choose(TOKENS))),
        2 => {
            let end = boundaries
                .iter()
                .copied()
                .find(|&b| b >= at + rng.below(20))
                .unwrap_or(sql.len());
            let copy = sql[at..end].to_string();
            sql.insert_str(at, &copy);
        }
        _ => {
            let bytes: Vec<char> = sql.chars().collect();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                let mut chars = bytes;
                chars[i] = *rng.choose(&['(', ')', '"', '\'', ' ', ',', '.', '$']);
                *sql = chars.into_iter().collect();
            }
        }
    }
}

/// A table with its columns, from the fixture snapshots (prod's, so every column is known).
fn tables() -> Vec<(String, Vec<String>)> {
    let (_, prod) = snapshots();
    prod.tables
        .iter()
        .map(|(t, info)| (t.clone(), info.columns.keys().cloned().collect()))
        .collect()
}

/// One abstract query: tables joined on `sfid`/`accountid`-like pairs, columns selected and
/// filtered, and the requirements it has.
struct Abstract {
    tables: Vec<(String, String)>,
    select: Vec<(usize, String)>,
    filter: Vec<(usize, String)>,
    joins: Vec<(usize, String, usize, String)>,
    order: Vec<(usize, String)>,
}

impl Abstract {
    fn generate(rng: &mut Rng, all: &[(String, Vec<String>)]) -> Abstract {
        let count = 1 + rng.below(3);
        let mut tables: Vec<(String, String)> = Vec::new();
        while tables.len() < count {
            let (table, _) = rng.choose(all);
            if !tables.iter().any(|(t, _)| t == table) {
                let alias = format!("t{}", tables.len());
                tables.push((table.clone(), alias));
            }
        }
        let columns_of =
            |i: usize| -> &Vec<String> { &all.iter().find(|(t, _)| *t == tables[i].0).unwrap().1 };
        let pick_column = |rng: &mut Rng| {
            let i = rng.below(tables.len());
            (i, rng.choose(columns_of(i)).clone())
        };
        let select = (0..1 + rng.below(4)).map(|_| pick_column(rng)).collect();
        let filter = (0..rng.below(3)).map(|_| pick_column(rng)).collect();
        let order = (0..rng.below(2)).map(|_| pick_column(rng)).collect();
        let mut joins = Vec::new();
        for i in 1..tables.len() {
            let left = rng.choose(columns_of(i - 1)).clone();
            let right = rng.choose(columns_of(i)).clone();
            joins.push((i - 1, left, i, right));
        }
        Abstract {
            tables,
            select,
            filter,
            joins,
            order,
        }
    }

    /// The requirements: per table, the set of columns read.
    fn expected(&self) -> BTreeSet<(String, Vec<String>)> {
        let mut out = BTreeSet::new();
        for (i, (table, _)) in self.tables.iter().enumerate() {
            let mut columns: Vec<String> = self
                .select
                .iter()
                .chain(&self.filter)
                .chain(&self.order)
                .filter(|(t, _)| *t == i)
                .map(|(_, c)| c.clone())
                .chain(self.joins.iter().flat_map(|(l, a, r, b)| {
                    [(*l, a.clone()), (*r, b.clone())]
                        .into_iter()
                        .filter(|(t, _)| *t == i)
                        .map(|(_, c)| c)
                }))
                .collect();
            columns.sort();
            columns.dedup();
            out.insert((table.clone(), columns));
        }
        out
    }

    /// The query in one spelling.
    fn render(&self, rng: &mut Rng, all: &[(String, Vec<String>)]) -> String {
        let upper = rng.percent(50);
        let kw = |k: &str| {
            if upper {
                k.to_string()
            } else {
                k.to_lowercase()
            }
        };
        let quote = rng.percent(30);
        let schema = rng.percent(50);
        let aliases = rng.percent(60) || self.tables.len() > 1 && rng.percent(50);
        let sep = *rng.choose(&[" ", "\n  ", "  ", "\t"]);
        let ident = |name: &str, rng: &mut Rng| {
            if quote && rng.percent(50) || name == "user" {
                format!("\"{name}\"")
            } else if rng.percent(20) {
                name.to_uppercase()
            } else {
                name.to_string()
            }
        };
        let unique = |i: usize, column: &str| {
            self.tables
                .iter()
                .enumerate()
                .filter(|(k, (t, _))| {
                    *k != i
                        && all
                            .iter()
                            .any(|(n, cols)| n == t && cols.iter().any(|c| c == column))
                })
                .count()
                == 0
        };
        let column = |i: usize, name: &str, rng: &mut Rng| {
            let qualifier = if aliases {
                self.tables[i].1.clone()
            } else {
                ident(&self.tables[i].0, rng)
            };
            if unique(i, name) && rng.percent(50) {
                ident(name, rng)
            } else {
                format!("{qualifier}.{}", ident(name, rng))
            }
        };
        let select: Vec<String> = self
            .select
            .iter()
            .map(|(i, c)| column(*i, c, rng))
            .collect();
        let mut sql = format!("{}{sep}{}", kw("SELECT"), select.join(", "));
        for (n, (table, alias)) in self.tables.iter().enumerate() {
            let name = if schema {
                format!(
                    "{}.{}",
                    if rng.percent(30) {
                        "SALESFORCE".to_string()
                    } else {
                        "salesforce".to_string()
                    },
                    ident(table, rng)
                )
            } else {
                ident(table, rng)
            };
            let named = if aliases {
                format!(
                    "{name} {}{alias}",
                    if rng.percent(50) {
                        kw("AS ")
                    } else {
                        String::new()
                    }
                )
            } else {
                name
            };
            if n == 0 {
                sql.push_str(&format!("{sep}{}{sep}{named}", kw("FROM")));
            } else {
                let (l, a, r, b) = &self.joins[n - 1];
                let joiner: &str = rng.pick::<&str>(&["JOIN", "LEFT JOIN", "INNER JOIN"]);
                sql.push_str(&format!(
                    "{sep}{}{sep}{named} {} {} = {}",
                    kw(joiner),
                    kw("ON"),
                    column(*l, a, rng),
                    column(*r, b, rng)
                ));
            }
        }
        if !self.filter.is_empty() {
            let conditions: Vec<String> = self
                .filter
                .iter()
                .enumerate()
                .map(|(n, (i, c))| {
                    let condition = format!(
                        "{} {} ${}",
                        column(*i, c, rng),
                        if rng.percent(50) { "=" } else { "<>" },
                        n + 1
                    );
                    if rng.percent(30) {
                        format!("({condition})")
                    } else {
                        condition
                    }
                })
                .collect();
            sql.push_str(&format!(
                "{sep}{}{sep}{}",
                kw("WHERE"),
                conditions.join(&format!(" {} ", kw("AND")))
            ));
        }
        if !self.order.is_empty() {
            let order: Vec<String> = self.order.iter().map(|(i, c)| column(*i, c, rng)).collect();
            sql.push_str(&format!("{sep}{}{sep}{}", kw("ORDER BY"), order.join(", ")));
        }
        sql
    }
}

fn requirements(analysis: &Analysis) -> BTreeSet<(String, Vec<String>)> {
    analysis
        .requirements()
        .into_iter()
        .map(|r| {
            let mut columns = r.columns;
            columns.sort();
            (r.table, columns)
        })
        .collect()
}

/// Every spelling of a generated query gives the requirements the query has.
#[test]
fn every_spelling_gives_the_same_requirements() {
    let all = tables();
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0002);
        for round in 0..500 {
            let query = Abstract::generate(&mut rng, &all);
            let expected = query.expected();
            for _ in 0..6 {
                let sql = query.render(&mut rng, &all);
                let analysis = analyze(&sql, context)
                    .unwrap_or_else(|e| panic!("round {round}: {sql}\n{e:?}"));
                assert!(
                    looks_like_sql(&sql),
                    "round {round}: prefilter rejects {sql}"
                );
                assert_eq!(requirements(&analysis), expected, "round {round}: {sql}");
                // The same text as a format string with the schema as a placeholder.
                if sql.contains("salesforce.") {
                    let format = sql.replace("salesforce.", "{}.");
                    match analyze_format(&format, context) {
                        FormatOutcome::Analyzed(analysis) => {
                            assert_eq!(
                                requirements(&analysis),
                                expected,
                                "round {round}: {format}"
                            );
                            for table in &analysis.tables {
                                for column in &table.columns {
                                    let written = &format[column.at.clone()];
                                    assert!(
                                        written
                                            .trim_matches('"')
                                            .eq_ignore_ascii_case(&column.column),
                                        "{format}: {written}"
                                    );
                                }
                            }
                        }
                        other => panic!("round {round}: {format}: {other:?}"),
                    }
                }
                // Every position points at the name it records.
                for table in &analysis.tables {
                    for column in &table.columns {
                        let written = &sql[column.at.clone()];
                        assert!(
                            written
                                .trim_matches('"')
                                .eq_ignore_ascii_case(&column.column),
                            "round {round}: {sql}: {written} for {}",
                            column.column
                        );
                    }
                }
            }
        }
    });
}

/// The prefilter accepts every corpus statement (they all touch Heroku Connect tables).
#[test]
fn the_prefilter_accepts_the_corpus() {
    with_context(|context| {
        for sql in CORPUS {
            assert!(analyze(sql, context).unwrap().touches_hc(), "{sql}");
            assert!(looks_like_sql(sql), "{sql}");
        }
    });
}

/// Statements that come before or after the one that touches Heroku Connect in a string of
/// several (issue 20, item 7): transaction control, settings, empty statements.
const AROUND: &[&str] = &[
    "BEGIN;",
    "BEGIN ISOLATION LEVEL SERIALIZABLE;",
    "SET LOCAL statement_timeout = 5000;",
    "SET search_path TO public;",
    "set local lock_timeout = '1s';",
    ";",
    ";;",
    "SELECT 1;",
    "",
];

/// Statements that hold a query or a statement (issue 20, item 8): `(prefix, suffix, for
/// writes too)`.
const HOLDERS: &[(&str, &str, bool)] = &[
    ("EXPLAIN ", "", true),
    ("EXPLAIN ANALYZE ", "", true),
    ("explain (analyze, buffers) ", "", true),
    ("PREPARE p AS ", "", true),
    ("COPY (", ") TO STDOUT", false),
    ("COPY (", ") TO STDOUT WITH (FORMAT csv)", false),
    ("DECLARE c CURSOR FOR ", "", false),
    ("DECLARE c NO SCROLL CURSOR WITH HOLD FOR ", "", false),
    ("CREATE TEMP TABLE t AS ", "", false),
    ("CREATE TABLE t AS ", " WITH NO DATA", false),
];

/// A string of several statements, and a statement held by another (`EXPLAIN ...`, `COPY
/// (...) TO`, `DECLARE ... FOR`, `CREATE TABLE ... AS`, `PREPARE ... AS`), give the
/// requirements of the statements they run, and the prefilter accepts them: never a plain
/// ok for a string whose first statement is not a query.
#[test]
fn statements_among_others_and_inside_others_give_their_requirements() {
    let all = tables();
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0007);
        for round in 0..600 {
            let bare = if rng.percent(50) {
                rng.choose(CORPUS).to_string()
            } else {
                Abstract::generate(&mut rng, &all).render(&mut rng, &all)
            };
            let analysis = analyze(&bare, context).unwrap_or_else(|e| panic!("{bare}: {e:?}"));
            let expected = requirements(&analysis);
            let mut sql = bare.clone();
            if rng.percent(60) {
                let query = analysis.kind == Some(StatementKind::Query);
                let holders: Vec<&(&str, &str, bool)> =
                    HOLDERS.iter().filter(|h| query || h.2).collect();
                let (prefix, suffix, _) = rng.choose(&holders);
                sql = format!("{prefix}{sql}{suffix}");
            }
            let before = *rng.choose(AROUND);
            let after = rng.choose(AROUND).trim_end_matches(';');
            let sep = if rng.percent(50) { " " } else { "\n" };
            sql = format!("{before}{sep}{sql};{sep}{after}");
            assert!(
                looks_like_sql(&sql),
                "round {round}: prefilter rejects {sql}"
            );
            let got = analyze_statements(&sql, context)
                .unwrap_or_else(|e| panic!("round {round}: {sql}\n{e:?}"));
            assert_eq!(requirements(&got), expected, "round {round}: {sql}");
            for table in &got.tables {
                for column in &table.columns {
                    let written = &sql[column.at.clone()];
                    assert!(
                        written
                            .trim_matches('"')
                            .eq_ignore_ascii_case(&column.column),
                        "round {round}: {sql}: {written} for {}",
                        column.column
                    );
                }
            }
        }
    });
}

/// Output names resolve as PostgreSQL resolves them (issue 20, item 12): in `DISTINCT ON` and
/// `ORDER BY` a bare output name is the output (before an input column of that name); in
/// `GROUP BY` an input column comes first, else the output. Never a false alarm on a valid
/// query (`SELECT DISTINCT ON (acct) c.accountid AS acct ... ORDER BY acct`), never a column
/// missed.
#[test]
fn output_names_in_distinct_on_order_by_and_group_by() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0012);
        // Names no table of the fixtures has, and names that are input columns of contact.
        let fresh = ["acct", "k", "grp_1", "Owner_Key", "\"acct\"", "total"];
        let inputs = ["email", "title", "lastname"];
        let columns = ["accountid", "sfid", "firstname", "external_id__c"];
        for round in 0..400 {
            let column = *rng.choose(&columns);
            let shadow = rng.percent(30);
            let alias = if shadow {
                rng.choose(&inputs).to_string()
            } else {
                rng.choose(&fresh).to_string()
            };
            let folded = if alias.starts_with('"') {
                alias.trim_matches('"').to_string()
            } else {
                alias.to_ascii_lowercase()
            };
            let reference = if rng.percent(20) {
                format!("({alias})")
            } else {
                alias.clone()
            };
            let (schema, qualifier) = *rng.choose(&[
                ("salesforce.contact c", "c."),
                ("contact c", "c."),
                ("salesforce.contact", ""),
            ]);
            let mut expected = vec![column.to_string(), "isdeleted".to_string()];
            let sql = match rng.below(4) {
                0 => format!(
                    "SELECT DISTINCT ON ({reference}) {qualifier}{column} AS {alias}, {qualifier}isdeleted \
                     FROM {schema} ORDER BY {reference}, {qualifier}isdeleted"
                ),
                1 => format!(
                    "SELECT DISTINCT ON ({reference}) {qualifier}{column} {alias}, isdeleted FROM {schema}"
                ),
                2 => format!(
                    "SELECT {qualifier}{column} AS {alias}, {qualifier}isdeleted FROM {schema} \
                     ORDER BY {reference} DESC NULLS LAST"
                ),
                _ => {
                    // GROUP BY: an input column of that name wins over the output.
                    if shadow {
                        expected.push(folded.clone());
                    }
                    format!(
                        "SELECT {qualifier}{column} AS {alias}, bool_or({qualifier}isdeleted) AS isdeleted \
                         FROM {schema} GROUP BY {alias}"
                    )
                }
            };
            expected.sort();
            expected.dedup();
            let analysis =
                analyze(&sql, context).unwrap_or_else(|e| panic!("round {round}: {sql}\n{e:?}"));
            let want: BTreeSet<(String, Vec<String>)> =
                [("contact".to_string(), expected)].into_iter().collect();
            assert_eq!(requirements(&analysis), want, "round {round}: {sql}");
        }
    });
}

/// `format!` SQL (issue 20, item 13): no message, help or reason ever shows the internal name
/// a placeholder is analysed as (`__hc_fmt_0`); each says `{}` / `{schema}` as written. And a
/// column qualified by a placeholder (`{t}.name`, `{schema}.account.name`) is read, never
/// dropped.
#[test]
fn format_sql_messages_never_show_the_internal_placeholder() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0013);
        let placeholders = ["{}", "{0}", "{schema}", "{t:?}", "{1}", "{table}"];
        let templates = [
            "SELECT nosuch FROM @A.account JOIN @B ON true",
            "SELECT nosuch FROM @A.account, @B",
            "SELECT x.name FROM @B x2, @A.account",
            "SELECT sfid FROM @A.account JOIN @A.contact ON true",
            "SELECT name FROM @A.account @B WHERE",
            "SELECT a FROM @A.account a",
            "SELECT @B.nosuch, name FROM @A.account JOIN @B ON true",
            "SELECT name FROM @A.account WHERE @B @B",
            "INSERT INTO @A.account VALUES (@B)",
            "UPDATE @A.contact SET sfid = @B",
            "SELECT \"Name\" FROM @A.account, @B",
            "SELECT name FROM @A.account; SELECT @B FROM",
        ];
        for round in 0..400 {
            let a = *rng.choose(&placeholders);
            let b = *rng.choose(&placeholders);
            let sql = rng.choose(&templates).replace("@A", a).replace("@B", b);
            let texts: Vec<String> = match analyze_format(&sql, context) {
                FormatOutcome::Failed(errors) => errors
                    .iter()
                    .flat_map(|e| [e.to_string(), e.help()])
                    .collect(),
                FormatOutcome::Skipped { reason, .. } => vec![reason],
                FormatOutcome::Analyzed(_) => Vec::new(),
            };
            for text in texts {
                assert!(
                    !text.contains(PLACEHOLDER_PREFIX),
                    "round {round}: {sql}: {text}"
                );
            }
        }
        for round in 0..200 {
            let a = *rng.choose(&placeholders);
            let b = *rng.choose(&placeholders);
            let column = *rng.choose(&["name", "billingcity", "type"]);
            let sql = match rng.below(3) {
                0 => format!("SELECT {b}.{column} FROM {a}.account"),
                1 => format!("SELECT {a}.account.{column} FROM salesforce.account"),
                _ => format!("SELECT sfid FROM {a}.account WHERE {b}.{column} = $1"),
            };
            let FormatOutcome::Analyzed(analysis) = analyze_format(&sql, context) else {
                panic!("round {round}: {sql}");
            };
            let columns: Vec<&str> = analysis.tables[0]
                .columns
                .iter()
                .map(|c| c.column.as_str())
                .collect();
            assert!(
                columns.contains(&column),
                "round {round}: {sql}: {columns:?}"
            );
        }
    });
}

/// Unicode-escaped identifiers (issue 20, item 13): `U&"\0074ier__c"` is the column
/// `tier__c`, whatever is escaped and whichever escape character (`UESCAPE`); one that decodes
/// to a name Heroku Connect never creates is an error naming the decoded name, never its
/// escapes.
#[test]
fn unicode_escaped_names_are_decoded_before_they_are_judged() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0113);
        let columns = ["name", "billingcity", "type", "external_id__c", "sfid"];
        for round in 0..400 {
            let column = *rng.choose(&columns);
            let upper = rng.percent(25);
            let escape = *rng.choose(&['\\', '!', '#']);
            let mut written = String::new();
            for (i, c) in column.chars().enumerate() {
                let c = if upper && i == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                match rng.below(3) {
                    0 => written.push_str(&format!("{escape}{:04x}", c as u32)),
                    1 => written.push_str(&format!("{escape}+{:06X}", c as u32)),
                    _ => written.push(c),
                }
            }
            let u = if rng.percent(50) { "U" } else { "u" };
            let uescape = if escape == '\\' {
                String::new()
            } else {
                format!(" UESCAPE '{escape}'")
            };
            let sql =
                format!("SELECT a.sfid, a.{u}&\"{written}\"{uescape} FROM salesforce.account a");
            let sql = if rng.percent(50) {
                sql
            } else {
                format!("SELECT {u}&\"{written}\"{uescape} FROM salesforce.account")
            };
            match analyze(&sql, context) {
                Ok(analysis) => {
                    assert!(!upper, "round {round}: {sql}: {analysis:?}");
                    let columns: Vec<&str> = analysis.tables[0]
                        .columns
                        .iter()
                        .map(|c| c.column.as_str())
                        .collect();
                    assert!(
                        columns.contains(&column),
                        "round {round}: {sql}: {columns:?}"
                    );
                }
                Err(errors) => {
                    assert!(upper, "round {round}: {sql}: {errors:?}");
                    let text = errors[0].to_string();
                    let decoded = format!("{}{}", column[..1].to_ascii_uppercase(), &column[1..]);
                    assert!(
                        text.contains(&format!("\"{decoded}\"")) && !text.contains(escape),
                        "round {round}: {sql}: {text}"
                    );
                }
            }
        }
    });
}

/// The row type of a Heroku Connect table (issue 20, item 9): a field read from a value of it
/// where it stands (`($1::salesforce.account).name`, `name($1::salesforce.account)`) is a
/// column read; the value passed on (`jsonb_populate_record(NULL::salesforce.account, $1)`,
/// `unnest($1::salesforce.account[])`, `SELECT $1::account`) is refused; never a pass with
/// the columns unseen.
#[test]
fn values_of_a_row_type_are_read_or_refused() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0009);
        let types = [
            "salesforce.account",
            "account",
            "SalesForce.Account",
            "salesforce.\"account\"",
        ];
        let values = ["NULL", "$1", "$2", "ROW($1, $2)", "'(1,x)'"];
        let columns = ["name", "billingcity", "type", "sfid"];
        for round in 0..500 {
            let ty = *rng.choose(&types);
            let value = *rng.choose(&values);
            let column = *rng.choose(&columns);
            let cast = if rng.percent(30) {
                format!("CAST({value} AS {ty})")
            } else {
                format!("{value}::{ty}")
            };
            let read = [
                format!("SELECT ({cast}).{column}"),
                format!("SELECT {column}({cast})"),
                format!("SELECT x FROM app_flags WHERE ({cast}).{column} = x"),
            ];
            let refused = [
                format!("SELECT * FROM jsonb_populate_record({cast}, $3)"),
                format!("SELECT r.{column} FROM jsonb_populate_recordset({cast}, $3) r"),
                format!("SELECT u.{column} FROM unnest($1::{ty}[]) u"),
                format!("SELECT {cast}"),
                format!("SELECT coalesce({cast}, {cast})"),
                format!("SELECT json_populate_record({cast}, $3::json)"),
            ];
            if rng.percent(50) {
                let sql = rng.choose(&read).clone();
                let analysis = analyze(&sql, context)
                    .unwrap_or_else(|e| panic!("round {round}: {sql}\n{e:?}"));
                let account = analysis
                    .tables
                    .iter()
                    .find(|t| t.table == "account")
                    .unwrap_or_else(|| panic!("round {round}: {sql}: {analysis:?}"));
                assert!(
                    account.columns.iter().any(|c| c.column == column),
                    "round {round}: {sql}: {analysis:?}"
                );
            } else {
                let sql = rng.choose(&refused).clone();
                match analyze(&sql, context) {
                    Ok(analysis) => panic!("round {round}: {sql}: passes: {analysis:?}"),
                    Err(errors) => assert!(
                        errors.iter().any(|e| matches!(
                            &e.kind,
                            SqlErrorKind::RowTypeValue { table, .. } if table == "account"
                        )),
                        "round {round}: {sql}: {errors:?}"
                    ),
                }
            }
        }
        // A type that is no Heroku Connect table is no requirement.
        for sql in [
            "SELECT $1::public.account",
            "SELECT NULL::app_flags",
            "SELECT $1::text[]",
        ] {
            assert!(analyze(sql, context).unwrap().tables.is_empty(), "{sql}");
        }
    });
}

/// JSON keys of a whole row (issue 20, item 10): a literal key of `to_jsonb(a)`,
/// `row_to_json(a)::jsonb`, `to_json(a.*)` or `hstore(a)` is a read of that column (and a key
/// Heroku Connect never creates is an error); a key computed at run time is refused.
#[test]
fn literal_json_keys_of_a_whole_row_are_column_reads() {
    with_context(|context| {
        let mut rng = Rng::exact(0x5eed_0010);
        let columns = ["name", "billingcity", "type", "loyalty_tier__c"];
        for round in 0..500 {
            let column = *rng.choose(&columns);
            let (row, from) = *rng.choose(&[
                ("a", "salesforce.account a"),
                ("a.*", "account a"),
                ("account", "account"),
                ("(a)", "salesforce.account AS a"),
            ]);
            let json = match rng.below(6) {
                0 => format!("to_jsonb({row})"),
                1 => format!("to_json({row})"),
                2 => format!("row_to_json({row})::jsonb"),
                3 => format!("(row_to_json({row}))"),
                4 => format!("hstore({row})"),
                _ => format!("pg_catalog.to_jsonb({row})"),
            };
            let hstore = json.starts_with("hstore");
            let literal = match rng.below(if hstore { 3 } else { 8 }) {
                0 => format!("{json} -> '{column}'"),
                1 => format!("{json} ? '{column}'"),
                2 if hstore => format!("{json} -> ARRAY['{column}']"),
                2 => format!("{json} ->> '{column}'"),
                3 => format!("{json} #>> '{{{column},x}}'"),
                4 => format!("{json} ?| ARRAY['{column}', '{column}']"),
                5 => format!("jsonb_extract_path_text({json}::jsonb, '{column}', 'x')"),
                6 => format!("({json}::jsonb)['{column}']"),
                _ => format!("({json} -> '{column}')::text"),
            };
            let computed = rng
                .choose(&[
                    format!("{json} ->> $1"),
                    format!("{json} -> lower($1)"),
                    format!("{json} #> $1::text[]"),
                    format!("{json} ? ('na' || 'me')"),
                    format!("json_extract_path({json}::json, $1)"),
                ])
                .clone();
            let place = *rng.choose(&[
                "SELECT {} FROM {}",
                "SELECT 1 FROM {} WHERE ({}) IS NOT NULL",
            ]);
            let sql_of = |expr: &str| {
                if place.starts_with("SELECT {}") {
                    format!("SELECT {expr} FROM {from}")
                } else {
                    format!("SELECT 1 FROM {from} WHERE ({expr}) IS NOT NULL")
                }
            };
            let sql = sql_of(&literal);
            let analysis =
                analyze(&sql, context).unwrap_or_else(|e| panic!("round {round}: {sql}\n{e:?}"));
            let columns: Vec<&str> = analysis.tables[0]
                .columns
                .iter()
                .map(|c| c.column.as_str())
                .collect();
            assert_eq!(columns, [column], "round {round}: {sql}");
            let sql = sql_of(&computed);
            match analyze(&sql, context) {
                Ok(analysis) => panic!("round {round}: {sql}: passes: {analysis:?}"),
                Err(errors) => assert!(
                    errors
                        .iter()
                        .any(|e| matches!(e.kind, SqlErrorKind::ComputedRowKey { .. })),
                    "round {round}: {sql}: {errors:?}"
                ),
            }
        }
        // A key Heroku Connect never creates; the JSON of a column (not a row) is no read.
        let errors = analyze("SELECT to_jsonb(a) ->> 'Name' FROM account a", context).unwrap_err();
        assert!(
            matches!(errors[0].kind, SqlErrorKind::NotHcName { .. }),
            "{errors:?}"
        );
        let analysis = analyze("SELECT to_jsonb(a.name) ->> $1 FROM account a", context).unwrap();
        assert_eq!(analysis.tables[0].columns.len(), 1);
    });
}
