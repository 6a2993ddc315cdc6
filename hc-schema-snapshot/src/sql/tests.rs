//! The resolver on a corpus of realistic Heroku Connect queries.

use super::*;
use crate::Snapshot;

/// A test org and a prod org: prod lacks `account.loyalty_tier__c`; only test maps
/// `loyalty_program__c`; `public.account` and `app_flags` are the app's own tables.
pub(super) fn snapshots() -> (Snapshot, Snapshot) {
    let common = r#"
      "account": {"columns": {"id":{}, "sfid":{}, "name":{}, "type":{}, "billingcity":{},
          "isdeleted":{}, "systemmodstamp":{}, "external_id__c":{}, "ownerid":{},
          "createddate":{}, "_hc_lastop":{}, "_hc_err":{} LOYALTY}},
      "contact": {"columns": {"id":{}, "sfid":{}, "firstname":{}, "lastname":{}, "email":{},
          "accountid":{}, "title":{}, "external_id__c":{}, "isdeleted":{}, "name":{}}},
      "opportunity": {"columns": {"id":{}, "sfid":{}, "name":{}, "accountid":{}, "amount":{},
          "stagename":{}, "closedate":{}, "isdeleted":{}, "ownerid":{}}},
      "user": {"columns": {"id":{}, "sfid":{}, "username":{}, "email":{}, "isactive":{},
          "name":{}}}"#;
    let test = format!(
        r#"{{"format":1,"environment":"test","schema":"salesforce","tables":{{{},
          "loyalty_program__c": {{"columns": {{"sfid":{{}}, "name":{{}}, "tier__c":{{}}}}}}}}}}"#,
        common.replace("LOYALTY", r#", "loyalty_tier__c":{}"#)
    );
    let prod = format!(
        r#"{{"format":1,"environment":"prod","schema":"salesforce","tables":{{{}}}}}"#,
        common.replace("LOYALTY", "")
    );
    (
        Snapshot::parse(&test, "test.json", "test").unwrap(),
        Snapshot::parse(&prod, "prod.json", "prod").unwrap(),
    )
}

pub(super) fn with_context<T>(run: impl FnOnce(&Context<'_>) -> T) -> T {
    let (test, prod) = snapshots();
    let union = Union::new([&test, &prod]);
    let context = Context::new(["salesforce"], &union);
    run(&context)
}

/// The requirements as `read account(name, sfid)` lines.
pub(super) fn needs_in(sql: &str, context: &Context<'_>) -> Vec<String> {
    match analyze(sql, context) {
        Ok(analysis) => analysis
            .tables
            .iter()
            .map(|t| {
                let columns: Vec<&str> = t.columns.iter().map(|c| c.column.as_str()).collect();
                format!("{} {}({})", t.access.as_str(), t.table, columns.join(", "))
            })
            .collect(),
        Err(errors) => panic!("{sql}\n{errors:?}"),
    }
}

fn needs(sql: &str) -> Vec<String> {
    with_context(|context| needs_in(sql, context))
}

fn errors(sql: &str) -> Vec<SqlError> {
    with_context(|context| match analyze(sql, context) {
        Ok(analysis) => panic!("{sql}: no error, {analysis:?}"),
        Err(errors) => errors,
    })
}

fn error_text(sql: &str) -> String {
    let errors = errors(sql);
    assert_eq!(errors.len(), 1, "{sql}: {errors:?}");
    errors[0].to_string()
}

#[test]
fn selects_with_joins_and_aliases() {
    assert_eq!(
        needs("SELECT a.sfid, a.name FROM salesforce.account a WHERE NOT a.isdeleted"),
        ["read account(sfid, name, isdeleted)"]
    );
    assert_eq!(
        needs(
            "SELECT a.name, c.email, o.amount FROM account a \
             JOIN contact c ON c.accountid = a.sfid \
             LEFT JOIN opportunity o ON o.accountid = a.sfid AND o.stagename = 'Closed Won' \
             WHERE a.billingcity = $1 ORDER BY o.closedate DESC LIMIT 10"
        ),
        [
            "read account(name, sfid, billingcity)",
            "read contact(email, accountid)",
            "read opportunity(amount, accountid, stagename, closedate)"
        ]
    );
    // Unqualified columns go to the one table that has them.
    assert_eq!(
        needs("SELECT email, billingcity FROM account a JOIN contact c ON c.accountid = a.sfid"),
        [
            "read account(billingcity, sfid)",
            "read contact(email, accountid)"
        ]
    );
    // The schema-qualified table name qualifies columns too.
    assert_eq!(
        needs("SELECT salesforce.account.name, account.type FROM salesforce.account"),
        ["read account(name, type)"]
    );
}

#[test]
fn quoted_names_and_the_user_table() {
    assert_eq!(
        needs(r#"SELECT u.username, "user".email FROM salesforce."user" JOIN "user" u ON u.sfid = "user".sfid"#)
            .len(),
        1
    );
    assert_eq!(
        needs(r#"SELECT username FROM "user" WHERE isactive"#),
        ["read user(username, isactive)"]
    );
    // Unquoted names fold to lower case; a quoted mixed-case table is not Heroku Connect's.
    assert_eq!(needs("SELECT Name FROM Account"), ["read account(name)"]);
    assert!(needs(r#"SELECT "Name" FROM "Account""#).is_empty());
    // A quoted mixed-case column on a Heroku Connect table never matches.
    let text = error_text(r#"SELECT "Name" FROM account"#);
    assert!(text.contains(r#"`account."Name"`"#), "{text}");
}

#[test]
fn app_tables_and_other_schemas_are_not_requirements() {
    assert!(needs("SELECT internal_notes FROM public.account").is_empty());
    assert_eq!(
        needs(
            "SELECT a.name, f.flag FROM salesforce.account a \
             JOIN app_flags f ON f.account_sfid = a.sfid WHERE f.enabled"
        ),
        ["read account(name, sfid)"]
    );
    // An unqualified column that no snapshot's table has, beside an app table: it may be the
    // app table's, or a Heroku Connect column mapped nowhere yet. Never a silent pass: qualify.
    let sql = "SELECT flag FROM account a JOIN app_flags f ON f.account_sfid = a.sfid";
    let text = error_text(sql);
    assert!(
        text.starts_with(
            "column `flag` is in none of the tables `account` in any snapshot, and `f` in FROM"
        ),
        "{text}"
    );
    assert!(errors(sql)[0].help().starts_with("qualify it: `f.flag`"));
    // ... unless account has it: then it is required (an app column of the same name would
    // make the query ambiguous in PostgreSQL anyway).
    assert_eq!(
        needs("SELECT name FROM account a JOIN app_flags f ON f.account_sfid = a.sfid"),
        ["read account(name, sfid)"]
    );
    // HC bookkeeping tables are not mapped objects.
    assert!(
        needs("SELECT count(*) FROM salesforce._trigger_log WHERE state = 'FAILED'").is_empty()
    );
}

#[test]
fn qualified_unknown_tables_are_missing_tables_and_unknown_columns_are_required() {
    // A table in the HC schema that no snapshot has: required (the missing-table error).
    assert_eq!(
        needs("SELECT name FROM salesforce.lead"),
        ["read lead(name)"]
    );
    // Unqualified and unknown: the app's.
    assert!(needs("SELECT name FROM lead").is_empty());
    // One table: a column no snapshot has is still required of it (did-you-mean follows).
    assert_eq!(needs("SELECT nmae FROM account"), ["read account(nmae)"]);
    assert_eq!(
        needs("SELECT loyalty_tier__c FROM salesforce.account"),
        ["read account(loyalty_tier__c)"]
    );
    assert_eq!(
        needs("SELECT count(*) FROM salesforce.opportunity"),
        ["read opportunity()"]
    );
}

#[test]
fn ambiguous_and_unknown_columns_name_the_candidates() {
    let sql = "SELECT name FROM account a JOIN contact c ON c.accountid = a.sfid";
    let errors = errors(sql);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].at, 7..11);
    assert_eq!(
        errors[0].to_string(),
        "column `name` is ambiguous: it may be `a.name` (account) or `c.name` (contact)"
    );
    assert_eq!(errors[0].help(), "qualify it: `a.name` or `c.name`");
    let text = error_text(
        "SELECT a.name FROM account a JOIN contact c ON c.accountid = a.sfid WHERE nmae = 1",
    );
    assert_eq!(
        text,
        "column `nmae` is in none of the tables `account`, `contact` in any snapshot"
    );
    let text = error_text("SELECT x.name FROM account a");
    assert_eq!(
        text,
        "`x` is not a table or alias of this query (it has `a`)"
    );
    // The alias hides the table name.
    let text = error_text("SELECT account.name FROM account a");
    assert!(
        text.starts_with("`account` is not a table or alias"),
        "{text}"
    );
}

#[test]
fn subqueries_correlated_and_not() {
    assert_eq!(
        needs(
            "SELECT a.name, (SELECT count(*) FROM contact c WHERE c.accountid = a.sfid) AS contacts \
             FROM account a WHERE EXISTS (SELECT 1 FROM opportunity o WHERE o.accountid = a.sfid AND amount > 0)"
        ),
        [
            "read contact(accountid)",
            "read account(name, sfid)",
            "read opportunity(accountid, amount)"
        ]
    );
    // Unqualified in a correlated subquery: the inner table first, then the outer one.
    assert_eq!(
        needs("SELECT sfid FROM account WHERE sfid IN (SELECT accountid FROM contact WHERE title = type)"),
        ["read account(sfid, type)", "read contact(accountid, title)"]
    );
    // A derived table's output columns, and its `*`, carry to the outer query.
    assert_eq!(
        needs("SELECT s.n, s.billingcity FROM (SELECT name AS n, * FROM account) s"),
        ["read account(name, billingcity)"]
    );
    assert_eq!(
        needs(
            "SELECT loyalty_tier__c FROM (SELECT * FROM salesforce.account WHERE NOT isdeleted) s"
        ),
        ["read account(loyalty_tier__c, isdeleted)"]
    );
    assert_eq!(
        needs("SELECT a.name, t.x FROM account a, LATERAL (SELECT a.type AS x) t"),
        ["read account(name, type)"]
    );
}

#[test]
fn ctes_shadow_tables() {
    assert_eq!(
        needs(
            "WITH account AS (SELECT sfid, name FROM salesforce.account WHERE NOT isdeleted) \
             SELECT account.name, c.email FROM account JOIN contact c ON c.accountid = account.sfid"
        ),
        ["read account(sfid, name, isdeleted)", "read contact(email, accountid)"]
    );
    // A CTE column named like a table's column, used unqualified.
    assert_eq!(
        needs("WITH t AS (SELECT accountid, count(*) AS n FROM contact GROUP BY accountid) SELECT a.name, n FROM account a JOIN t ON t.accountid = a.sfid ORDER BY n DESC"),
        ["read contact(accountid)", "read account(name, sfid)"]
    );
    // Recursive CTEs see themselves.
    assert_eq!(
        needs("WITH RECURSIVE up(sfid, parent) AS (SELECT sfid, ownerid FROM account WHERE sfid = $1 \
               UNION ALL SELECT a.sfid, a.ownerid FROM account a JOIN up ON a.sfid = up.parent) SELECT sfid FROM up"),
        ["read account(sfid, ownerid)"]
    );
}

#[test]
fn set_operations_group_by_having_order_by() {
    assert_eq!(
        needs("SELECT email FROM contact UNION SELECT email FROM \"user\" ORDER BY email"),
        ["read contact(email)", "read user(email)"]
    );
    assert_eq!(
        needs("SELECT type AS kind, count(*) AS n FROM account GROUP BY kind HAVING count(*) > 1 ORDER BY n, kind"),
        ["read account(type)"]
    );
    assert_eq!(
        needs("SELECT DISTINCT ON (accountid) accountid, email FROM contact ORDER BY accountid, systemmodstamp DESC"),
        ["read contact(accountid, email, systemmodstamp)"]
    );
    assert_eq!(
        needs("SELECT sfid, row_number() OVER (PARTITION BY accountid ORDER BY amount DESC) FROM opportunity INTERSECT SELECT sfid, 1 FROM opportunity EXCEPT SELECT $1, 2"),
        ["read opportunity(sfid, accountid, amount)"]
    );
}

#[test]
fn expressions_casts_functions_parameters() {
    assert_eq!(
        needs(
            "SELECT coalesce(a.name, '-')::text, upper(a.billingcity), EXTRACT(YEAR FROM a.createddate), \
             CASE WHEN a.type = 'Customer' THEN 1 ELSE 0 END, date_trunc('day', systemmodstamp) \
             FROM account a WHERE a.sfid = ANY($1::text[]) AND a.createddate > now() - INTERVAL '7 days'"
        ),
        ["read account(name, billingcity, createddate, type, systemmodstamp, sfid)"]
    );
    // Named arguments and DEFAULT are not columns.
    assert_eq!(
        needs("SELECT make_interval(days => 1), name FROM account"),
        ["read account(name)"]
    );
    // Whole-row references require the table.
    assert_eq!(
        needs("SELECT row_to_json(a) FROM account a"),
        ["read account()"]
    );
    assert_eq!(
        needs("SELECT row_to_json(a.*) FROM account a"),
        ["read account()"]
    );
}

#[test]
fn wildcards_require_the_table_only() {
    with_context(|context| {
        let analysis = analyze(
            "SELECT * FROM account a JOIN contact c USING (sfid)",
            context,
        )
        .unwrap();
        assert_eq!(analysis.wildcards.len(), 2);
        let analysis = analyze(
            "SELECT c.*, a.name FROM account a JOIN contact c ON c.accountid = a.sfid",
            context,
        )
        .unwrap();
        assert_eq!(analysis.wildcards.len(), 1);
        assert_eq!(analysis.wildcards[0].table, "contact");
    });
    assert_eq!(
        needs("SELECT * FROM account a JOIN contact c USING (sfid) WHERE sfid = $1"),
        ["read account(sfid)", "read contact(sfid)"]
    );
}

#[test]
fn inserts_and_upserts_on_external_ids() {
    assert_eq!(
        needs(
            "INSERT INTO salesforce.contact (external_id__c, lastname, email, accountid) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (external_id__c) DO UPDATE SET email = EXCLUDED.email, lastname = excluded.lastname \
             WHERE contact.email IS DISTINCT FROM EXCLUDED.email RETURNING id, sfid"
        ),
        [
            "write contact(external_id__c, lastname, email, accountid)",
            "read contact(external_id__c, email, lastname, id, sfid)"
        ]
    );
    assert_eq!(
        needs(
            "INSERT INTO contact AS c (lastname, accountid) SELECT a.name, a.sfid FROM account a WHERE a.type = $1 \
             ON CONFLICT DO NOTHING RETURNING c.lastname"
        ),
        [
            "write contact(lastname, accountid)",
            "read contact(lastname)",
            "read account(name, sfid, type)"
        ]
    );
    // Into an app table: only the reads of HC tables count.
    assert_eq!(
        needs("INSERT INTO audit_log (what, who) SELECT 'seen', sfid FROM salesforce.account"),
        ["read account(sfid)"]
    );
    let text = error_text("INSERT INTO contact VALUES ($1, $2)");
    assert_eq!(
        text,
        "an INSERT without a column list writes the columns by position, and the columns of `contact` differ between environments"
    );
    assert_eq!(
        needs("INSERT INTO contact DEFAULT VALUES"),
        ["write contact()"]
    );
}

#[test]
fn updates_deletes_merges() {
    assert_eq!(
        needs(
            "UPDATE salesforce.contact c SET title = a.type, email = lower(c.email) \
             FROM salesforce.account a WHERE a.sfid = c.accountid AND a.billingcity = $1 RETURNING c.sfid"
        ),
        [
            "write contact(title, email)",
            "read contact(email, accountid, sfid)",
            "read account(type, sfid, billingcity)"
        ]
    );
    assert_eq!(
        needs("DELETE FROM contact c USING account a WHERE c.accountid = a.sfid AND a.isdeleted"),
        [
            "write contact()",
            "read contact(accountid)",
            "read account(sfid, isdeleted)"
        ]
    );
    assert_eq!(
        needs(
            "MERGE INTO salesforce.contact c USING (SELECT $1::text AS ext, $2::text AS mail) s \
             ON c.external_id__c = s.ext \
             WHEN MATCHED AND c.email <> s.mail THEN UPDATE SET email = s.mail \
             WHEN NOT MATCHED THEN INSERT (external_id__c, email) VALUES (s.ext, s.mail) \
             WHEN NOT MATCHED BY SOURCE THEN DELETE"
        ),
        [
            "write contact(email, external_id__c)",
            "read contact(external_id__c, email)"
        ]
    );
    // A data-modifying CTE.
    assert_eq!(
        needs("WITH gone AS (DELETE FROM contact WHERE isdeleted RETURNING accountid) SELECT count(*) FROM gone"),
        ["write contact()", "read contact(isdeleted, accountid)"]
    );
}

#[test]
fn writing_system_columns_is_an_error() {
    let text = error_text("UPDATE contact SET isdeleted = true WHERE sfid = $1");
    assert!(
        text.starts_with("code must not write `contact.isdeleted`: set by the sync"),
        "{text}"
    );
    let errors = errors("INSERT INTO account (sfid, name, _hc_lastop) VALUES ($1, $2, 'PENDING')");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        matches!(&errors[0].kind, SqlErrorKind::SystemColumnWrite { column, .. } if column == "sfid")
    );
    assert!(
        matches!(&errors[1].kind, SqlErrorKind::SystemColumnWrite { column, .. } if column == "_hc_lastop")
    );
    // Reading them is fine, and so is writing an app table's `id`.
    assert_eq!(
        needs("SELECT id, sfid FROM contact"),
        ["read contact(id, sfid)"]
    );
    assert!(needs("UPDATE app_flags SET id = 1").is_empty());
}

#[test]
fn environment_dependent_constructs_are_errors() {
    let text = error_text("SELECT * FROM account NATURAL JOIN contact");
    assert!(
        text.starts_with("a NATURAL JOIN joins on every column the tables share"),
        "{text}"
    );
    let text = error_text("SELECT x FROM account AS a(x, y)");
    assert!(
        text.starts_with("a column list in a table's alias renames"),
        "{text}"
    );
    // The query of CREATE TABLE ... AS is read; a Heroku Connect table created is refused.
    assert_eq!(
        needs("CREATE TEMP TABLE copy AS SELECT name FROM salesforce.account"),
        ["read account(name)"]
    );
    let text = error_text("CREATE TABLE salesforce.account AS SELECT 1 AS x");
    assert_eq!(
        text,
        "hc_sql! analyses SELECT, INSERT, UPDATE, DELETE and MERGE; this CREATE TABLE statement touches the Heroku Connect table `account`"
    );
    let text = error_text("CREATE TABLE t (LIKE salesforce.account)");
    assert!(
        text.contains("touches the Heroku Connect table `account`"),
        "{text}"
    );
    assert!(needs("SET search_path TO salesforce, public").is_empty());
}

#[test]
fn positions_point_at_the_names() {
    with_context(|context| {
        let sql = "SELECT a.name\n  FROM salesforce.account a\n WHERE a.type = $1";
        let analysis = analyze(sql, context).unwrap();
        let table = &analysis.tables[0];
        assert_eq!(&sql[table.at.clone()], "account");
        let spots: Vec<&str> = table.columns.iter().map(|c| &sql[c.at.clone()]).collect();
        assert_eq!(spots, ["name", "type"]);
        assert_eq!(line_column(sql, table.columns[1].at.start), (3, 10));
    });
}

#[test]
fn parse_errors_and_limits() {
    let found = errors("SELECT name FROM account WHERE");
    assert!(
        matches!(&found[0].kind, SqlErrorKind::Parse { .. }),
        "{found:?}"
    );
    assert_eq!(found[0].help(), WAY_OUT);
    let found = errors("SELECT 1; SELECT 2");
    assert_eq!(
        found[0].to_string(),
        "the SQL holds 2 statements; hc_sql! checks exactly one"
    );
    // hc_query! names itself; every other message is the same whichever macro reports it.
    assert_eq!(
        found[0].message_in("hc_query!"),
        "the SQL holds 2 statements; hc_query! checks exactly one"
    );
    assert_eq!(
        found[0].help_in("hc_query!"),
        "one statement per hc_query!: split them, one hc_query! each"
    );
    assert_eq!(found[0].help_in("hc_sql!"), found[0].help());
    let parse = errors("SELECT name FROM account WHERE");
    assert_eq!(parse[0].message_in("hc_query!"), parse[0].to_string());
    let long = format!(
        "SELECT name FROM account WHERE name IN ({})",
        "'x', ".repeat(20_000) + "'y'"
    );
    assert!(matches!(
        errors_of(&long)[0].kind,
        SqlErrorKind::TooComplex { .. }
    ));
}

fn errors_of(sql: &str) -> Vec<SqlError> {
    errors(sql)
}

/// Deep nesting of every kind never overflows the stack: sqlparser's recursion limit, the
/// resolver's depth limit, or the analysis thread's stack (10,000 levels each).
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 10_000;
    let deep = [
        format!("SELECT {}name{} FROM account", "(".repeat(n), ")".repeat(n)),
        format!(
            "SELECT name FROM account WHERE {}",
            "name = 'x' OR ".repeat(n) + "true"
        ),
        format!("SELECT 1{}", " + 1".repeat(n)),
        format!("SELECT name{} FROM account", "::text".repeat(n)),
        format!("SELECT CAST(name AS text{}) FROM account", "[]".repeat(n)),
        format!(
            "SELECT name FROM account{}",
            " UNION SELECT name FROM account".repeat(n / 10)
        ),
        format!(
            "SELECT name FROM account a{}",
            " JOIN contact c ON true".repeat(n / 10)
        ),
        format!(
            "SELECT * FROM {}account{}",
            "(SELECT * FROM ".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "SELECT name FROM account WHERE {}",
            "NOT ".repeat(n) + "isdeleted"
        ),
    ];
    with_context(|context| {
        for sql in &deep {
            // Either outcome is fine; what matters is coming back.
            let _ = analyze(sql, context);
        }
    });
}

#[test]
fn field_selection_from_a_whole_row_is_a_column_read() {
    for sql in [
        "SELECT (a).bogus__c FROM salesforce.account a",
        "SELECT ((a)).bogus__c FROM salesforce.account a",
        "SELECT (a.*).bogus__c FROM salesforce.account a",
        "SELECT (salesforce.account).bogus__c FROM salesforce.account",
        "SELECT a.name FROM salesforce.account a WHERE (a).bogus__c = 1",
        "SELECT bogus__c(a) FROM salesforce.account a",
        "SELECT bogus__c(a.*) FROM salesforce.account a",
    ] {
        let needs = needs(sql);
        assert!(
            needs
                .iter()
                .any(|n| n.starts_with("read account(") && n.contains("bogus__c")),
            "{sql}: {needs:?}"
        );
    }
    assert_eq!(
        needs("UPDATE salesforce.contact c SET email = (c).bogus__c"),
        ["write contact(email)", "read contact(bogus__c)"]
    );
    assert_eq!(
        needs("SELECT (a).name, name(a) FROM salesforce.account a"),
        ["read account(name)"]
    );
    // A whole row that ends in a function known to take one is the table only.
    assert_eq!(
        needs("SELECT row_to_json(a), count(a), to_jsonb(a.*) FROM salesforce.account a"),
        ["read account()"]
    );
    // A schema-qualified function is a call (not functional notation), and the row passed to
    // it is a value whose use cannot be checked; a column's own fields are not columns.
    assert!(
        error_text("SELECT public.full_name(a) FROM salesforce.account a")
            .starts_with("`a` passes the whole row of `account` on as a value"),
    );
    assert_eq!(
        needs(
            "SELECT (t.payload).x FROM app_events t JOIN salesforce.account a ON a.sfid = t.sfid"
        ),
        ["read account(sfid)"]
    );
}

#[test]
fn postgres_system_columns_exist_in_every_table() {
    assert_eq!(
        needs("SELECT ctid, tableoid, name FROM salesforce.account WHERE xmin::text = '1'"),
        ["read account(name)"]
    );
    assert_eq!(
        needs(
            "SELECT a.xmax, a.cmin, c.cmax FROM account a JOIN contact c ON c.accountid = a.sfid"
        ),
        ["read account(sfid)", "read contact(accountid)"]
    );
    let text = error_text("UPDATE contact SET xmin = 1 WHERE sfid = $1");
    assert!(
        text.starts_with("code must not write `contact.xmin`: a PostgreSQL system column"),
        "{text}"
    );
    // Unqualified with two tables: ambiguous in PostgreSQL too.
    let text = error_text("SELECT ctid FROM account a JOIN contact c ON c.accountid = a.sfid");
    assert!(text.starts_with("column `ctid` is ambiguous"), "{text}");
}

#[test]
fn non_ascii_names_are_not_called_quoted() {
    let errors = errors("SELECT éA FROM salesforce.account");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    assert!(!text.contains('"'), "{text}");
    assert!(text.contains("`account.éa`"), "{text}");
    assert!(!errors[0].help().contains("quotes"), "{}", errors[0].help());
    // A quoted mixed-case name keeps its message.
    let errors = errors_of(r#"SELECT "Name" FROM salesforce.account"#);
    assert!(errors[0].help().contains("write `name` without quotes"));
}

#[test]
fn functions_in_from_have_one_known_column() {
    for sql in [
        "SELECT * FROM generate_series(1,2), salesforce.account WHERE bogus__c = 1",
        "SELECT * FROM generate_series(1,2) g, salesforce.account WHERE bogus__c = 1",
        "SELECT name FROM salesforce.account, unnest(ARRAY[1]) u WHERE bogus__c = 1",
    ] {
        let text = error_text(sql);
        assert!(
            text.starts_with(
                "column `bogus__c` is in none of the tables `account` in any snapshot, and `"
            ),
            "{sql}: {text}"
        );
        let help = errors(sql)[0].help();
        assert!(help.starts_with("qualify it: `"), "{help}");
    }
    assert!(
        errors("SELECT * FROM generate_series(1,2) g, salesforce.account WHERE bogus__c = 1")[0]
            .help()
            .contains("`g.bogus__c`")
    );
    // The function's own column, qualified columns and known columns are fine.
    assert_eq!(
        needs("SELECT g, g.x, generate_series FROM generate_series(1,2) g, generate_series(1,3), salesforce.account WHERE name = 'x'"),
        ["read account(name)"]
    );
    assert_eq!(
        needs("SELECT g, ordinality, name FROM generate_series(1,2) WITH ORDINALITY g, salesforce.account"),
        ["read account(name)"]
    );
    assert_eq!(
        needs("SELECT x, name FROM json_to_record($1) AS r(x int), salesforce.account"),
        ["read account(name)"]
    );
    // Without a Heroku Connect table in scope: nothing to check.
    assert!(needs("SELECT x FROM generate_series(1,2) g").is_empty());
    // Functions whose columns are named by their OUT parameters.
    assert_eq!(
        needs("SELECT key, value, e FROM salesforce.account a, jsonb_each($1) e WHERE name = key"),
        ["read account(name)"]
    );
    assert_eq!(
        needs("SELECT value FROM salesforce.account a, LATERAL jsonb_array_elements($1) v"),
        ["read account()"]
    );
}

#[test]
fn whole_rows_passed_on_as_values_are_errors() {
    for sql in [
        "SELECT a FROM salesforce.account a",
        "SELECT (s.r).bogus__c FROM (SELECT a AS r FROM salesforce.account a) s",
        "SELECT (SELECT a FROM salesforce.account a LIMIT 1).bogus__c",
        "SELECT u.bogus__c FROM salesforce.account a, unnest(ARRAY[a]) u",
        "SELECT (l.a).bogus__c FROM salesforce.account a, LATERAL (SELECT a) l",
        "SELECT (VALUES ((SELECT a FROM salesforce.account a LIMIT 1))).bogus__c",
        "SELECT (ARRAY(SELECT a FROM salesforce.account a))[1].bogus__c",
        "SELECT (x).bogus__c FROM (SELECT a FROM salesforce.account a) s(x)",
        "SELECT coalesce(a) FROM salesforce.account a",
        "SELECT max(a.*) FROM salesforce.account a",
    ] {
        let text = error_text(sql);
        assert!(
            text.starts_with("`a` passes the whole row of `account` on as a value"),
            "{sql}: {text}"
        );
    }
    // Where the row ends, it is fine: field selection, functional notation, terminal calls.
    assert_eq!(
        needs("SELECT (a).name, name(a), count(a), row_to_json(a.*) FROM salesforce.account a"),
        ["read account(name)"]
    );
}

#[test]
fn renaming_a_star_over_an_hc_table_by_position_is_an_error() {
    for sql in [
        "SELECT s.loyalty__c FROM (SELECT * FROM salesforce.account) s(a, b)",
        "WITH s(a, b) AS (SELECT * FROM salesforce.account) SELECT s.a FROM s",
    ] {
        let text = error_text(sql);
        assert!(
            text.contains("renames by position the columns a `*` selected"),
            "{sql}: {text}"
        );
    }
    // Named outputs renamed by position are fine.
    assert_eq!(
        needs("SELECT s.x FROM (SELECT name FROM salesforce.account) s(x)"),
        ["read account(name)"]
    );
}

#[test]
fn insert_into_a_field_of_a_column_writes_the_column_and_copy_is_read() {
    assert_eq!(
        needs("INSERT INTO salesforce.contact (phone__c.email) VALUES ($1)"),
        ["write contact(phone__c)"]
    );
    assert_eq!(
        needs("COPY salesforce.account (sfid, bogus__c) TO STDOUT"),
        ["read account(sfid, bogus__c)"]
    );
    assert_eq!(
        needs("COPY contact (email, lastname) FROM STDIN"),
        ["write contact(email, lastname)"]
    );
    assert_eq!(
        needs("COPY (SELECT name FROM salesforce.account) TO STDOUT"),
        ["read account(name)"]
    );
    for sql in [
        "COPY salesforce.account TO STDOUT",
        "COPY salesforce.contact FROM STDIN",
    ] {
        let text = error_text(sql);
        assert!(text.contains("every column by position"), "{sql}: {text}");
    }
    assert!(error_text("COPY contact (sfid) FROM STDIN").contains("must not write"));
    assert!(needs("COPY public.events FROM STDIN").is_empty());
}

#[test]
fn a_qualified_column_behind_several_hc_tables_is_known_or_an_error() {
    for sql in [
        "SELECT j.bogus__c FROM (salesforce.account a JOIN salesforce.contact c ON a.sfid = c.accountid) j",
        "SELECT x.bogus__c FROM (SELECT * FROM salesforce.account a, salesforce.contact c) x",
        "SELECT x.bogus__c FROM (SELECT a.*, c.* FROM salesforce.account a, salesforce.contact c) x",
    ] {
        let text = error_text(sql);
        assert!(text.starts_with("column `bogus__c` is in none of the tables"), "{sql}: {text}");
    }
    assert_eq!(
        needs("SELECT x.email FROM (SELECT * FROM salesforce.account a, salesforce.contact c) x"),
        ["read account()", "read contact(email)"]
    );
}

#[test]
fn an_unknown_column_beside_a_subquery_over_an_app_table_names_it() {
    let text = error_text("SELECT bogus__c FROM salesforce.account a, (SELECT * FROM app_flags) f");
    assert!(
        text.starts_with(
            "column `bogus__c` is in none of the tables `account` in any snapshot, and `f` in FROM"
        ),
        "{text}"
    );
}
