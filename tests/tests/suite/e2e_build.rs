//! End-to-end: real `cargo build`s of the example app and of generated crates.

use hc_schema_tests::cargo::{cargo, nested_target, run, snapshot_json, workspace, TempCrate};

const APP: &str = "use hc_schema_macro::hc_requires;\n\
#[hc_requires(account(name, loyalty_tier__c))]\n\
fn tiers() {}\n\
fn main() { tiers(); }\n";

fn build_example(features: &str) -> (bool, String) {
    let mut command = cargo(&workspace());
    command.args(["build", "--quiet", "-p", "loyalty-app"]);
    if !features.is_empty() {
        command.args(["--features", features]);
    }
    let (output, stderr) = run(&mut command);
    (output.status.success(), stderr)
}

#[test]
fn example_app_builds_against_test_and_fails_against_prod_at_the_column() {
    let (ok, stderr) = build_example("test-snapshot");
    assert!(ok, "test-snapshot build failed:\n{stderr}");
    let (ok, stderr) = build_example("prod-snapshot");
    assert!(!ok, "prod-snapshot build passed");
    assert!(
        stderr.contains("error: `account.loyalty_tier__c` is not mapped in prod (examples/loyalty-app/hc-schema/prod.json)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> examples/loyalty-app/src/tiers.rs:21:35"),
        "{stderr}"
    );
    assert!(stderr.contains("mapped in: test"), "{stderr}");
    // The write to a mapping that is read-only in prod (read-write in test).
    assert!(
        stderr.contains("error: `contact` is mapped read-only in prod (examples/loyalty-app/hc-schema/prod.json): this code writes `contact.email`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> examples/loyalty-app/src/contacts.rs:45:30"),
        "{stderr}"
    );
    assert!(stderr.contains("note: read-write in: test"), "{stderr}");
    // The column whose type prod has not caught up with (a typed declaration).
    assert!(
        stderr.contains("error: `account.loyalty_points__c` is character varying(255) in prod (examples/loyalty-app/hc-schema/prod.json), which `Option<f64>` does not read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> examples/loyalty-app/src/tiers.rs:55:48"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error: `").count(),
        4,
        "exactly the missing column, the read-only write, the type prod cannot give an f64 \
         and the hc_query! of tier_report.rs (asserted in \
         `example_app_hc_query_fails_in_prod_inside_the_query`):\n{stderr}"
    );
    // Both environments: each failure is its own error naming its environment.
    let (ok, stderr) = build_example("test-snapshot,prod-snapshot");
    assert!(!ok);
    assert!(stderr.contains("is not mapped in prod"), "{stderr}");
}

#[test]
fn editing_a_snapshot_changes_the_verdict_without_cargo_clean() {
    let krate = TempCrate::new(
        "edit_rebuild",
        &["prod-snapshot"],
        &[
            ("src/main.rs", APP),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name"])]),
            ),
        ],
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(
        !ok && stderr
            .contains("`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)"),
        "{stderr}"
    );
    // Fix the snapshot: the next plain build passes.
    krate.write(
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["name", "loyalty_tier__c"])]),
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(ok, "after mapping the column:\n{stderr}");
    // Break it again: the next plain build fails again.
    krate.write(
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["name"])]),
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(
        !ok && stderr.contains("loyalty_tier__c"),
        "after unmapping:\n{stderr}"
    );
}

#[test]
fn selection_precedence_in_real_builds() {
    let krate = TempCrate::new(
        "precedence",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", APP),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name"])]),
            ),
            (
                "hc-schema/test.json",
                &snapshot_json("test", &[("account", &["name", "loyalty_tier__c"])]),
            ),
            ("hc-schema.toml", "default_envs = [\"test\"]\n"),
            (
                "fixtures/full.json",
                &snapshot_json("full", &[("account", &["name", "loyalty_tier__c"])]),
            ),
        ],
    );
    // 4. default_envs = test: passes.
    assert!(krate.build(&[], &[]).0);
    // 3. features beat default_envs.
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok && stderr.contains("not mapped in prod"), "{stderr}");
    // 2. HC_SCHEMA_ENV beats features, but a variable that leaves out an environment a
    // feature asks for fails the build (a variable left in a CI configuration or in
    // .cargo/config.toml must not quietly check test instead of prod): see
    // `a_variable_that_drops_a_feature_environment_fails_the_build`.
    let (ok, stderr) = krate.build(
        &["--features", "prod-snapshot"],
        &[("HC_SCHEMA_ENV", "test")],
    );
    assert!(
        !ok && stderr.contains("HC_SCHEMA_ENV overrides the feature(s) `prod-snapshot`"),
        "{stderr}"
    );
    let (ok, stderr) = krate.build(
        &["--features", "prod-snapshot"],
        &[("HC_SCHEMA_ENV", "prod")],
    );
    assert!(
        !ok && stderr.contains("not mapped in prod"),
        "HC_SCHEMA_ENV=prod checks prod:\n{stderr}"
    );
    let (ok, stderr) = krate.build(&[], &[("HC_SCHEMA_ENV", "test,prod")]);
    assert!(!ok && stderr.contains("not mapped in prod"), "{stderr}");
    // 1. HC_SCHEMA_SNAPSHOT beats everything (without features: with one, the variable
    // would leave out the feature's environment).
    assert!(
        krate
            .build(
                &[],
                &[
                    ("HC_SCHEMA_ENV", "prod"),
                    ("HC_SCHEMA_SNAPSHOT", "fixtures/full.json")
                ]
            )
            .0
    );
    // 5. no default_envs: every snapshot, so prod fails.
    krate.write("hc-schema.toml", "schema = \"salesforce\"\n");
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(
        !ok && stderr.contains("not mapped in prod") && !stderr.contains("not mapped in test"),
        "{stderr}"
    );
}

#[test]
fn bad_setup_gets_clear_errors() {
    let krate = TempCrate::new(
        "bad_setup",
        &["staging-snapshot"],
        &[
            ("src/main.rs", APP),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name", "loyalty_tier__c"])]),
            ),
            (
                "hc-schema.toml",
                "schema = \"salesforce\"\ndefault_envs = \"prod\"\n",
            ),
        ],
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(!ok);
    assert!(
        stderr.contains("hc-schema.toml:2:16: invalid type: string \"prod\", expected a sequence"),
        "{stderr}"
    );
    krate.write("hc-schema.toml", "default_envs = [\"prod\"]\n");
    assert!(krate.build(&[], &[]).0);
    // A feature naming an environment without a snapshot file.
    let (ok, stderr) = krate.build(&["--features", "staging-snapshot"], &[]);
    assert!(!ok && stderr.contains("snapshot hc-schema/staging.json does not exist; create it with `hc-schema refresh staging`"), "{stderr}");
    // Malformed snapshot: file, line and column.
    krate.write(
        "hc-schema/prod.json",
        "{\n  \"format\": 1,\n  \"tables\": [\n}\n",
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(
        !ok && stderr.contains("hc-schema/prod.json:4:1: malformed snapshot"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // A copy of another environment's snapshot under prod's name: never a prod pass.
    krate.write(
        "hc-schema/prod.json",
        &snapshot_json("test", &[("account", &["name", "loyalty_tier__c"])]),
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(
        !ok && stderr.contains("is the snapshot of `test` (its \"environment\"), not of `prod`"),
        "{stderr}"
    );
}

/// The release profile's code generation settings (as cargo's built-in `release` has them) for
/// the crates that run, given to the dev profile on the command line, while build scripts and
/// proc macros keep the dev profile's: the optimised code under test is what `--release`
/// makes, but the macro and its dependencies (sqlparser, syn: they run at build time; what
/// they generate is compiled with these settings) come from the warm debug build instead of a
/// second cold compile into `target/release`. Debug info stays on (`debug = false` would change
/// the build scripts' and proc macros' settings too); it adds sections, it removes no code.
const RELEASE_SETTINGS: [&str; 16] = [
    "--config",
    "profile.dev.opt-level=3",
    "--config",
    "profile.dev.debug-assertions=false",
    "--config",
    "profile.dev.overflow-checks=false",
    "--config",
    "profile.dev.codegen-units=16",
    "--config",
    "profile.dev.incremental=false",
    // What the dev profile's build scripts and proc macros inherit from it, as it was.
    "--config",
    "profile.dev.build-override.debug-assertions=true",
    "--config",
    "profile.dev.build-override.overflow-checks=true",
    "--config",
    "profile.dev.build-override.incremental=true",
];

/// With `[registry] enabled = true`, annotations in a library crate, on a generic function
/// (compiled only in the binary) and on a struct (no code at all), are in the binary's
/// registry, with the positions of their names; switched off (the default) they are all left
/// out. In a debug build and in an optimised one (the release profile's settings).
#[test]
fn the_registry_spans_crates_and_can_be_switched_off() {
    let snapshot = snapshot_json("prod", &[("account", &["name"]), ("contact", &["email"])]);
    let lib = TempCrate::new(
        "registry_lib",
        &["prod-snapshot"],
        &[
            (
                "src/lib.rs",
                "use hc_schema_macro::hc_requires;\n\
                 #[hc_requires(account(name))]\n\
                 pub fn load<T: Default>() -> T { T::default() }\n\
                 #[hc_requires(contact(email))]\n\
                 pub struct Row;\n",
            ),
            ("hc-schema/prod.json", &snapshot),
            ("hc-schema.toml", "[registry]\nenabled = true\n"),
        ],
    );
    let app = TempCrate::new(
        "registry_app",
        &["prod-snapshot"],
        &[
            (
                "src/main.rs",
                "fn main() {\n\
                 let _: u32 = registry_lib::load();\n\
                 for usage in hc_schema_snapshot::registry::usages() {\n\
                 let column = &usage.columns[0];\n\
                 println!(\"{} {}:{} {}:{}:{}\", usage.file.rsplit('/').next().unwrap(), usage.table.name, usage.table.line, column.name, column.line, column.column);\n\
                 }\n}\n",
            ),
            ("hc-schema/prod.json", &snapshot),
        ],
    );
    app.add_dependencies(&format!(
        "registry_lib = {{ path = {:?} }}\n",
        lib.path().display().to_string()
    ));
    for args in [&[][..], &RELEASE_SETTINGS[..]] {
        let (ok, out) = app.run(args);
        assert!(ok, "{out}");
        assert_eq!(
            out, "lib.rs account:2 name:2:23\nlib.rs contact:4 email:4:23\n",
            "{args:?}"
        );
    }
    lib.write("hc-schema.toml", "# [registry] is off by default\n");
    let (ok, out) = app.run(&[]);
    assert!(ok, "{out}");
    assert_eq!(out, "", "registry switched off, nothing registered");
}

/// With the registry on, an annotated method declaration (no body to hold the registration,
/// and a trait cannot hold a static) is a clear error at the attribute, not rustc's confusion.
#[test]
fn a_bodiless_method_cannot_be_registered() {
    let snapshot = snapshot_json("prod", &[("account", &["name"])]);
    let krate = TempCrate::new(
        "bodiless_registered",
        &["prod-snapshot"],
        &[
            (
                "src/main.rs",
                "use hc_schema_macro::hc_requires;\n\
                 pub trait Lookup {\n\
                 #[hc_requires(account(name))]\n\
                 fn lookup(&self) -> u32;\n\
                 }\n\
                 fn main() {}\n",
            ),
            ("hc-schema/prod.json", &snapshot),
            ("hc-schema.toml", "[registry]\nenabled = true\n"),
        ],
    );
    let (ok, stderr) = krate.build(&[], &[]);
    assert!(!ok, "built:\n{stderr}");
    assert!(
        stderr.contains(
            "error: #[hc_requires] on a function without a body cannot be registered for the \
             release-phase check; put it on the trait, or on the implementations"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> src/main.rs:3:1"), "{stderr}");
    assert!(
        stderr.contains("due to 1 previous error"),
        "exactly one error:\n{stderr}"
    );
}

/// Where `needle` first occurs in `text` after `after`: 1-based line and column.
fn position_of(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).expect("anchor");
    let at = start + text[start..].find(needle).expect("needle");
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    (line, column)
}

/// `hc_query!` in the example app (`tier_report.rs`): the test build passes; the prod build
/// fails once, inside the query that reads `account.loyalty_tier__c` (the other query holds),
/// pointing at the literal and saying where in the SQL and in the file the column is; and the
/// registry records the column's exact position inside the literal.
#[test]
fn example_app_hc_query_fails_in_prod_inside_the_query() {
    let source =
        std::fs::read_to_string(workspace().join("examples/loyalty-app/src/tier_report.rs"))
            .unwrap();
    let (literal_line, literal_column) = position_of(&source, "fn tier_counts", "r#\"");
    let (line, column) = position_of(&source, "fn tier_counts", "loyalty_tier__c");
    let file = "examples/loyalty-app/src/tier_report.rs";

    let (ok, stderr) = build_example("prod-snapshot");
    assert!(!ok, "prod-snapshot build passed");
    let expected = format!(
        "error: `account.loyalty_tier__c` is not mapped in prod (examples/loyalty-app/hc-schema/prod.json)\n         \
         = note: at line 2, column 14 of the SQL ({file}:{line}:{column}):\n"
    );
    assert!(stderr.contains(&expected), "{expected}\nnot in:\n{stderr}");
    assert!(
        stderr.contains(&format!("--> {file}:{literal_line}:{literal_column}")),
        "{stderr}"
    );
    assert!(stderr.contains("= note: mapped in: test"), "{stderr}");
    assert_eq!(
        stderr.matches(&format!("--> {file}")).count(),
        1,
        "only tier_counts fails:\n{stderr}"
    );

    let (ok, stderr) = build_example("test-snapshot");
    assert!(ok, "test-snapshot build failed:\n{stderr}");
    let output = std::process::Command::new(nested_target().join("debug/loyalty-app"))
        .arg("requirements")
        .output()
        .expect("run loyalty-app");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let account = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "account")
        .expect("account");
    let tier = account["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "loyalty_tier__c")
        .expect("loyalty_tier__c");
    let site = format!("{file}:{line}:{column}");
    assert!(
        tier["read_sites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == site.as_str()),
        "{site} not in {tier}"
    );
}

/// What the build script hands `hc_sql!` (`HC_SCHEMA_SQL`): the configured Heroku Connect
/// schema (here `org`, so `salesforce.x` is another schema), and the names of every snapshot,
/// selected or not (an unqualified table only the test snapshot maps is still a Heroku Connect
/// table when prod is checked: the missing-table error, not a pass).
#[test]
fn hc_sql_knows_the_configured_schema_and_every_snapshot() {
    let with_schema = |env: &str, tables: &[(&str, &[&str])]| {
        snapshot_json(env, tables).replace("\"schema\": \"salesforce\"", "\"schema\": \"org\"")
    };
    let krate = TempCrate::new(
        "sql_setup",
        &["prod-snapshot", "test-snapshot"],
        &[
            (
                "src/main.rs",
                "use hc_schema_macro::hc_sql;\n\
                 const A: &str = hc_sql!(\"SELECT a.name, a.tier__c FROM org.account a\");\n\
                 const B: &str = hc_sql!(\"SELECT name FROM loyalty_program__c\");\n\
                 const C: &str = hc_sql!(\"SELECT x FROM salesforce.account\");\n\
                 fn main() { println!(\"{A}{B}{C}\"); }\n",
            ),
            (
                "hc-schema/prod.json",
                &with_schema("prod", &[("account", &["name"])]),
            ),
            (
                "hc-schema/test.json",
                &with_schema(
                    "test",
                    &[
                        ("account", &["name", "tier__c"]),
                        ("loyalty_program__c", &["name"]),
                    ],
                ),
            ),
            ("hc-schema.toml", "schema = \"org\"\n"),
        ],
    );
    let (ok, stderr) = krate.build(&["--features", "test-snapshot"], &[]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok, "prod build passed");
    assert!(
        stderr.contains("error: `account.tier__c` is not mapped in prod (hc-schema/prod.json)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: table `loyalty_program__c` is not mapped in prod (hc-schema/prod.json)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--> src/main.rs:3:25"), "{stderr}");
    assert_eq!(
        stderr.matches("error: ").count(),
        3,
        "two errors and the summary:\n{stderr}"
    );
}

/// A selected snapshot edited into an unparsable one after the build script indexed it,
/// behind cargo's back (same size, same modification time: the build script does not run
/// again and the index still matches its stamp): when a requirement fails against the index,
/// reading the snapshot to explain it fails, and both macro forms report that (the `hc_sql!`
/// path once dropped the finding: a silent pass).
#[test]
fn a_snapshot_that_stops_parsing_after_indexing_fails_both_macro_forms() {
    for (form, main) in BOTH_FORMS {
        let krate = TempCrate::new(
            "stops_parsing",
            &["prod-snapshot", "test-snapshot"],
            &[
                ("src/main.rs", main),
                (
                    "hc-schema/prod.json",
                    &snapshot_json("prod", &[("account", &["name"])]),
                ),
                (
                    "hc-schema/test.json",
                    &snapshot_json("test", &[("account", &["name", "tier__c"])]),
                ),
            ],
        );
        let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
        assert!(
            !ok && stderr.contains("`account.tier__c` is not mapped in prod"),
            "{form}, before the edit:\n{stderr}"
        );
        // Break the JSON without changing its size or modification time.
        let path = krate.path().join("hc-schema/prod.json");
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen('{', "[", 1)).unwrap();
        set_modified(&path, modified);
        // Touch the source only: the crate compiles again, the build script does not run.
        krate.write("src/main.rs", &format!("{main}// touched\n"));
        let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
        assert!(
            !ok,
            "{form}: a silent pass with an unparsable snapshot:\n{stderr}"
        );
        assert!(
            stderr.contains("error: hc-schema/prod.json:1:")
                && stderr.contains("malformed snapshot"),
            "{form}:\n{stderr}"
        );
    }
}

/// A cargo feature asks for an environment: `HC_SCHEMA_ENV` or `HC_SCHEMA_SNAPSHOT` (set in the
/// shell, or in `.cargo/config.toml` `[env]`) that leaves it out fails the build, naming the
/// variable and the feature, unless `[build] variables_override_features = true` lets the
/// variable win on purpose (then a warning). Every way the variable can arrive, both
/// variables, with and without the setting.
#[test]
fn a_variable_that_drops_a_feature_environment_fails_the_build() {
    let krate = TempCrate::new(
        "variables_vs_features",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", APP),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name"])]),
            ),
            (
                "hc-schema/test.json",
                &snapshot_json("test", &[("account", &["name", "loyalty_tier__c"])]),
            ),
        ],
    );
    let variants: [(&str, &str, bool); 3] = [
        ("HC_SCHEMA_ENV", "test", false),
        ("HC_SCHEMA_ENV", "test", true),
        ("HC_SCHEMA_SNAPSHOT", "hc-schema/test.json", false),
    ];
    for allowed in [false, true] {
        let config = if allowed {
            "[build]\nvariables_override_features = true\n"
        } else {
            ""
        };
        krate.write("hc-schema.toml", config);
        for (var, value, in_cargo_config) in variants {
            let mut command = cargo(krate.path());
            // Not `--quiet`: cargo hides build-script warnings then.
            command.args(["build", "--features", "prod-snapshot"]);
            let _ = std::fs::remove_dir_all(krate.path().join(".cargo"));
            if in_cargo_config {
                krate.write(".cargo/config.toml", &format!("[env]\n{var} = {value:?}\n"));
            } else {
                command.env(var, value);
            }
            let (output, stderr) = run(&mut command);
            let case = format!(
                "{var}={value} (.cargo/config.toml: {in_cargo_config}, allowed: {allowed})"
            );
            assert!(
                stderr.contains(&format!("{var} overrides the feature(s) `prod-snapshot`: this build checks against test only")),
                "{case}:\n{stderr}"
            );
            if allowed {
                assert!(output.status.success(), "{case}:\n{stderr}");
                assert!(stderr.contains("warning"), "{case}:\n{stderr}");
            } else {
                assert!(
                    !output.status.success(),
                    "{case}: a test check passed as prod:\n{stderr}"
                );
                assert!(
                    stderr.contains(&format!("{var}: "))
                        && stderr.contains("variables_override_features = true"),
                    "{case}:\n{stderr}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(krate.path().join(".cargo"));
    }
    // A variable that keeps the feature's environment is no override.
    let (ok, stderr) = krate.build(
        &["--features", "prod-snapshot"],
        &[("HC_SCHEMA_ENV", "test,prod")],
    );
    assert!(!ok && stderr.contains("is not mapped in prod"), "{stderr}");
}

/// A workspace `root/` with `hc-schema.toml` and `hc-schema/prod.json` mapping the column, and
/// a member `root/app`.
fn workspace_with_app(root: &std::path::Path, registry: bool) {
    let ws = workspace();
    let write = |path: &str, text: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"watched_app\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [features]\nprod-snapshot = []\n\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{0}/hc-schema-macro\" }}\n\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{0}/hc-schema-snapshot\" }}\n",
            ws.display()
        ),
    );
    write(
        "app/build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write("app/src/main.rs", APP);
    write(
        "hc-schema.toml",
        if registry {
            "[registry]\nenabled = true\n"
        } else {
            "schema = \"salesforce\"\n"
        },
    );
    write(
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["name", "loyalty_tier__c"])]),
    );
    std::fs::copy(ws.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
}

fn build_in(dir: &std::path::Path) -> (bool, String) {
    let (output, stderr) =
        run(cargo(dir).args(["build", "--quiet", "--features", "prod-snapshot"]));
    (output.status.success(), stderr)
}

/// Make `path` newer than anything built so far, as an edit would.
fn touch(path: &std::path::Path) {
    let text = std::fs::read(path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(path, text).unwrap();
}

/// Every input the build script looked for is watched: an `hc-schema.toml` created where there
/// was none (in the crate, under the workspace's; or in the workspace, with none before)
/// changing `snapshot_dir` changes the verdict at the next compilation, even when only a
/// source file was touched; and the crate's Cargo.toml is watched (the registry dependency
/// the error asks for is seen by the next build).
#[test]
fn a_new_config_file_or_a_manifest_edit_changes_the_verdict() {
    // (where the new config goes, whether a workspace-level one exists before)
    for (new_config, workspace_config) in [("app/hc-schema.toml", true), ("hc-schema.toml", false)]
    {
        let dir = tempfile::Builder::new()
            .prefix("hc-schema-watch-")
            .tempdir()
            .unwrap();
        let root = dir.path();
        workspace_with_app(root, false);
        if !workspace_config {
            std::fs::remove_file(root.join("hc-schema.toml")).unwrap();
            // Without a config, the crate's own hc-schema/ is the snapshot directory.
            std::fs::create_dir_all(root.join("app/hc-schema")).unwrap();
            std::fs::write(
                root.join("app/hc-schema/prod.json"),
                snapshot_json("prod", &[("account", &["name", "loyalty_tier__c"])]),
            )
            .unwrap();
        }
        let case = format!("{new_config} (a workspace config before: {workspace_config})");
        let (ok, stderr) = build_in(&root.join("app"));
        assert!(ok, "{case}: maps the column:\n{stderr}");
        // The new config points at snapshots that lack the column.
        let snaps = std::path::Path::new(new_config)
            .parent()
            .unwrap()
            .join("snaps");
        std::fs::create_dir_all(root.join(&snaps)).unwrap();
        std::fs::write(
            root.join(snaps.join("prod.json")),
            snapshot_json("prod", &[("account", &["name"])]),
        )
        .unwrap();
        std::fs::write(root.join(new_config), "snapshot_dir = \"snaps\"\n").unwrap();
        touch(&root.join("app/src/main.rs"));
        let (ok, stderr) = build_in(&root.join("app"));
        assert!(!ok, "{case}: the new config was ignored:\n{stderr}");
        assert!(
            stderr
                .contains("hc-schema.toml appeared after the build script selected the snapshots")
                && stderr.contains("touch build.rs"),
            "{case}:\n{stderr}"
        );
        // What the message says to do: the new selection, and prod's verdict from it.
        touch(&root.join("app/build.rs"));
        let (ok, stderr) = build_in(&root.join("app"));
        assert!(
            !ok && stderr.contains("`account.loyalty_tier__c` is not mapped in prod"),
            "{case}:\n{stderr}"
        );
        assert!(stderr.contains("snaps/prod.json"), "{case}:\n{stderr}");
    }

    // The manifest: with the registry on and no hc-schema-snapshot dependency, the error says
    // to add it; once it is added, the next build passes without touching build.rs.
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-watch-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    workspace_with_app(root, true);
    let (ok, stderr) = build_in(&root.join("app"));
    assert!(!ok && stderr.contains("hc-schema-snapshot"), "{stderr}");
    let manifest = root.join("app/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("hc-schema-snapshot"))
        .unwrap()
        .to_string();
    std::fs::write(
        &manifest,
        text.replacen("[dependencies]\n", &format!("[dependencies]\n{line}\n"), 1),
    )
    .unwrap();
    let (ok, stderr) = build_in(&root.join("app"));
    assert!(ok, "after adding the dependency:\n{stderr}");
}

/// `hc_sql!("...", missing_ok(...))`, a flagged rollout of a query, end to end: the prod build
/// passes (the allowed column only), the registry record carries the allowance, the
/// release-phase report (`verify::report`, what the release phase runs on the live schema)
/// says "allowed" with the reason, and "stale" once prod maps the column; `check`'s scan reads
/// the same usages and allowances as the build registered; a column outside the allowance
/// still fails the build.
#[test]
fn hc_sql_allowances_reach_the_build_the_registry_and_the_release_phase() {
    use hc_schema_snapshot::config::Config;
    use hc_schema_snapshot::registry::Record;
    use hc_schema_snapshot::Snapshot;

    let prod = snapshot_json("prod", &[("account", &["name"])]);
    let test = snapshot_json("test", &[("account", &["name", "tier__c", "rating"])]);
    let query = "const TIERS: &str = hc_sql!(\n    \"SELECT a.name, a.tier__c FROM salesforce.account a\",\n    missing_ok(prod, account(tier__c), reason = \"tiers flag\"),\n);\n";
    let main = format!(
        "use hc_schema_macro::hc_sql;\n{query}\
         fn main() {{\n\
         assert!(TIERS.starts_with(\"SELECT\"));\n\
         print!(\"{{}}\", hc_schema_snapshot::registry::Record::encode(&hc_schema_snapshot::registry::usages()));\n\
         }}\n"
    );
    let krate = TempCrate::new(
        "sql_allowance",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", &main),
            ("hc-schema/prod.json", &prod),
            ("hc-schema/test.json", &test),
            ("hc-schema.toml", "[registry]\nenabled = true\n"),
        ],
    );
    let (ok, out) = krate.run(&["--features", "prod-snapshot"]);
    assert!(ok, "{out}");
    let registered = Record(Box::leak(out.into_boxed_str())).usages();
    assert_eq!(registered.len(), 1, "{registered:?}");
    let allowance = &registered[0].allowances;
    assert_eq!(allowance.len(), 1, "{registered:?}");
    assert_eq!(
        (
            allowance[0].env.as_str(),
            allowance[0].columns.as_slice(),
            allowance[0].reason.as_str()
        ),
        ("prod", &["tier__c".to_string()][..], "tiers flag")
    );

    // The release phase: allowed with its reason; stale once prod maps the column.
    let prod_snapshot = Snapshot::parse(&prod, "prod.json", "prod").unwrap();
    let report = hc_schema_snapshot::verify::report(&prod_snapshot, "prod", "db", &registered);
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.allowed.len(), 1, "{}", report.render());
    assert!(
        report.render().contains("tiers flag"),
        "{}",
        report.render()
    );
    let mapped = snapshot_json("prod", &[("account", &["name", "tier__c"])]);
    let mapped = Snapshot::parse(&mapped, "prod.json", "prod").unwrap();
    let report = hc_schema_snapshot::verify::report(&mapped, "prod", "db", &registered);
    assert_eq!(report.stale.len(), 1, "{}", report.render());

    // `check` reads the same usages, allowances included.
    let scan = hc_schema_snapshot::scan::scan(krate.path(), krate.path(), &[]);
    let snapshots = [
        ("prod", Snapshot::parse(&prod, "prod.json", "prod").unwrap()),
        ("test", Snapshot::parse(&test, "test.json", "test").unwrap()),
    ];
    let snapshots: Vec<(&str, &Snapshot)> = snapshots.iter().map(|(e, s)| (*e, s)).collect();
    let checks = hc_schema_snapshot::sqlcheck::check_project(&scan, &Config::default(), &snapshots);
    let mut scanned = checks.usages();
    for usage in &mut scanned {
        usage.file = registered[0].file.clone();
    }
    assert_eq!(scanned, registered);

    // A column the allowance does not list still fails.
    krate.write(
        "src/main.rs",
        &main.replace("a.tier__c FROM", "a.tier__c, a.rating FROM"),
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok, "a column outside the allowance passed");
    assert!(
        stderr.contains("error: `account.rating` is not mapped in prod (hc-schema/prod.json)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("is not mapped").count(), 1, "{stderr}");
}

/// `cp -p test.json prod.json` behind cargo's back (an older modification time: the build
/// script does not run again): the macro reads the JSON (the stamp changed) and refuses a file
/// that says it is another environment's, as the build script and the CLI do, in both forms.
#[test]
fn a_snapshot_copied_over_another_environment_fails_both_macro_forms() {
    for (form, main) in BOTH_FORMS {
        let krate = TempCrate::new(
            "copied_over",
            &["prod-snapshot", "test-snapshot"],
            &[
                ("src/main.rs", main),
                (
                    "hc-schema/test.json",
                    &snapshot_json("test", &[("account", &["name", "tier__c"])]),
                ),
            ],
        );
        // test.json is the older file; prod.json is written after it.
        std::thread::sleep(std::time::Duration::from_millis(20));
        krate.write(
            "hc-schema/prod.json",
            &snapshot_json("prod", &[("account", &["name"])]),
        );
        let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
        assert!(
            !ok && stderr.contains("`account.tier__c` is not mapped in prod"),
            "{form}, before the copy:\n{stderr}"
        );
        // `cp -p`: test's content with test's (older) modification time.
        let (test, prod) = (
            krate.path().join("hc-schema/test.json"),
            krate.path().join("hc-schema/prod.json"),
        );
        std::fs::copy(&test, &prod).unwrap();
        set_modified(&prod, std::fs::metadata(&test).unwrap().modified().unwrap());
        krate.write("src/main.rs", &format!("{main}// touched\n"));
        let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
        assert!(!ok, "{form}: test's schema passed as prod's:\n{stderr}");
        assert!(
            stderr.contains("is the snapshot of `test`"),
            "{form}:\n{stderr}"
        );
    }
}

/// An `#[hc_requires]` or `hc_sql!` that a proc macro produced is enforced by the build but
/// invisible to `hc-schema check` (it reads source files, it cannot expand macros): the build
/// fails at it by default, naming the setting; `[check] macro_generated = "allow"` accepts it
/// on purpose. The requirements here hold, so only the origin fails.
#[test]
fn a_requirement_another_macro_produced_fails_the_build_unless_allowed() {
    let krate = TempCrate::new(
        "macro_generated",
        &["prod-snapshot"],
        &[
            (
                "src/main.rs",
                "gen::annotated!();\n\
                 const Q: &str = gen::query!();\n\
                 fn main() { generated(); println!(\"{Q}\"); }\n",
            ),
            (
                "hc-schema/prod.json",
                &snapshot_json("prod", &[("account", &["name"])]),
            ),
            (
                "gen/Cargo.toml",
                "[package]\nname = \"gen\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
                 publish = false\n\n[lib]\nproc-macro = true\n",
            ),
            (
                "gen/src/lib.rs",
                "use proc_macro::TokenStream;\n\
                 #[proc_macro]\n\
                 pub fn annotated(_: TokenStream) -> TokenStream {\n\
                 \x20   \"#[::hc_schema_macro::hc_requires(account(name))] pub fn generated() {}\"\n\
                 \x20       .parse().unwrap()\n\
                 }\n\
                 #[proc_macro]\n\
                 pub fn query(_: TokenStream) -> TokenStream {\n\
                 \x20   \"::hc_schema_macro::hc_sql!(\\\"SELECT a.name FROM salesforce.account a\\\")\"\n\
                 \x20       .parse().unwrap()\n\
                 }\n",
            ),
        ],
    );
    krate.add_dependencies("gen = { path = \"gen\" }\n");
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok, "a macro-produced requirement passed:\n{stderr}");
    for what in ["#[hc_requires]", "hc_sql!"] {
        assert!(
            stderr.contains(&format!(
                "this {what} cannot be seen by `hc-schema check`: another macro produced it"
            )),
            "{what}:\n{stderr}"
        );
    }
    assert!(stderr.contains("macro_generated = \"allow\""), "{stderr}");
    // A new hc-schema.toml: the build says to touch build.rs (it cannot watch a file that did
    // not exist), then reads the setting.
    krate.write("hc-schema.toml", "[check]\nmacro_generated = \"allow\"\n");
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok && stderr.contains("touch build.rs"), "{stderr}");
    krate.write(
        "build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n// touched\n",
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(ok, "allowed on purpose:\n{stderr}");
}

/// A crate's `main.rs` requiring `account.tier__c` in each macro form, for the tests that
/// hold both forms to the same verdict.
const BOTH_FORMS: [(&str, &str); 2] = [
    (
        "#[hc_requires]",
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name, tier__c))]\n\
         fn tiers() {}\n\
         fn main() { tiers(); }\n",
    ),
    (
        "hc_sql!",
        "use hc_schema_macro::hc_sql;\n\
         const Q: &str = hc_sql!(\"SELECT a.name, a.tier__c FROM salesforce.account a\");\n\
         fn main() { println!(\"{Q}\"); }\n",
    ),
];

/// Give `path` the modification time `modified`, as `cp -p` or `touch -r` would: an edit that
/// cargo does not notice.
fn set_modified(path: &std::path::Path, modified: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
}

/// Typed declarations and the type drift of untyped annotation columns, end to end: the prod
/// build and `hc-schema check` report the same errors, with the same text at the same place (a
/// type that does not read prod's column, at the type; an untyped column whose type drifts
/// between test and prod, at the column, in the test build too); `varchar(80)` vs `text` is no
/// drift; a typed column over a snapshot without types is a note in `check` and nothing in the
/// build, and an error in both with `strict_types = true`.
#[test]
fn typed_declarations_and_untyped_drift_agree_between_the_build_and_check() {
    let snapshot = |env: &str, name: &str, revenue: &str, rating: &str| {
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "salesforce", "tables": {{"account": {{"columns": {{
  "name": {{"type": "{name}"}},
  "annualrevenue": {{"type": "{revenue}"}},
  "rating__c": {{"type": "{rating}"}},
  "notes__c": {{}}
}}}}}}}}
"#
        )
    };
    let main = "use hc_schema_macro::hc_requires;\n\
                #[hc_requires(account(name: String, annualrevenue: f64))]\n\
                fn revenue() {}\n\
                #[hc_requires(account(name, rating__c))]\n\
                fn rating() {}\n\
                #[hc_requires(account(notes__c: Option<String>))]\n\
                fn notes() {}\n\
                fn main() { revenue(); rating(); notes(); }\n";
    let test = snapshot(
        "test",
        "character varying(80)",
        "double precision",
        "character varying(40)",
    );
    let prod = snapshot("prod", "text", "character varying(255)", "boolean");
    let krate = TempCrate::new(
        "typed_declarations",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", main),
            ("hc-schema/test.json", &test),
            ("hc-schema/prod.json", &prod),
        ],
    );
    // rustc prints a message's later lines indented under `error: `.
    let as_printed = |item: &serde_json::Value| {
        let mut text = format!("error: {}", item["message"].as_str().unwrap());
        for (key, label) in [("notes", "note"), ("help", "help")] {
            for line in item[key].as_array().unwrap() {
                text.push_str(&format!("\n         = {label}: {}", line.as_str().unwrap()));
            }
        }
        text
    };
    let check = |env: &str| -> serde_json::Value {
        let mut command = std::process::Command::new(hc_schema_tests::cargo::hc_schema_cli());
        command
            .current_dir(krate.path())
            .args(["check", "--env", env, "--format", "json"]);
        let (output, stderr) = run(&mut command);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let agree = |env: &str, expected: usize| {
        let (ok, stderr) = krate.build(&["--features", &format!("{env}-snapshot")], &[]);
        assert!(!ok, "{env} build passed");
        let report = check(env);
        let problems = report["problems"].as_array().unwrap();
        for item in problems {
            let text = as_printed(item);
            assert!(
                stderr.contains(&text),
                "check's error is not the build's:\n{text}\n\n{stderr}"
            );
            let at = format!(
                "--> src/main.rs:{}:{}",
                item["line"].as_u64().unwrap(),
                item["col"].as_u64().unwrap()
            );
            assert!(stderr.contains(&at), "{at}\n{stderr}");
        }
        assert_eq!(problems.len(), expected, "{report:#}");
        assert_eq!(
            stderr.matches("error: `").count(),
            expected,
            "the build's errors are check's:\n{stderr}"
        );
        (stderr, report)
    };
    let (stderr, report) = agree("prod", 2);
    assert!(
        stderr.contains(
            "error: `account.annualrevenue` is character varying(255) in prod (hc-schema/prod.json), which `f64` does not read"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> src/main.rs:2:52"),
        "at the type:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "error: `account.rating__c` is boolean in prod (hc-schema/prod.json) but character varying(40) in test (hc-schema/test.json); no Rust type reads both"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> src/main.rs:4:29"),
        "at the column:\n{stderr}"
    );
    assert!(!stderr.contains("`account.name` is"), "{stderr}");
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{report:#}");
    assert_eq!(notes[0]["kind"], "type_unknown");
    // Drift fails every build, whichever environment is selected.
    let (stderr, _) = agree("test", 1);
    assert!(
        stderr.contains("`account.rating__c` is boolean in prod"),
        "{stderr}"
    );
    // strict_types: the typed column over prod's untyped snapshot fails both.
    krate.write("hc-schema.toml", "[check]\nstrict_types = true\n");
    krate.write(
        "build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n// touched\n",
    );
    let (stderr, _) = agree("prod", 3);
    assert!(
        stderr.contains(
            "error: `account.notes__c` is declared `Option<String>`, but its type in prod (hc-schema/prod.json) is unknown"
        ),
        "{stderr}"
    );
    // Spellings the type table does not list as written: normalised and judged as the
    // table's types (a mismatch at the type, in both), an unknown type an error in both (once,
    // not per environment), a `[types] custom` type a note in `check` and nothing in the build.
    krate.write("hc-schema.toml", "[types]\ncustom = [\"my::Money\"]\n");
    krate.write(
        "build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n// touched again\n",
    );
    krate.write(
        "src/main.rs",
        "use hc_schema_macro::hc_requires;\n\
         #[hc_requires(account(name: ::std::option::Option<DateTime<Utc>>, annualrevenue: ::std::primitive::f64))]\n\
         fn revenue() {}\n\
         #[hc_requires(account(rating__c: Money, name: Option<my::Money>))]\n\
         fn rating() {}\n\
         fn main() { revenue(); rating(); }\n",
    );
    let (stderr, report) = agree("prod", 3);
    assert!(
        stderr.contains(
            "error: `account.name` is text in prod (hc-schema/prod.json), which `::std::option::Option<DateTime<Utc>>` does not read"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "error: `account.rating__c` is declared `Money`, a Rust type hc-schema does not know"
        ),
        "{stderr}"
    );
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["kind"] == "unchecked_type"),
        "{report:#}"
    );
}

/// The attacker's finding 3 of this round: with `[check] undeclared = "warn"`, a column that
/// a SQL string inside an annotated item reads without declaring it, and whose type drifts
/// between the snapshots (no Rust type reads both), passed the build while `check` failed it.
/// "warn" softens the missing declaration only: the drift fails the build in every
/// environment, with `check`'s text.
#[test]
fn undeclared_warn_never_softens_the_drift_of_a_string_column() {
    let snapshot = |env: &str, rating: &str| {
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "salesforce", "tables": {{"account": {{"columns": {{
  "name": {{"type": "character varying(80)"}},
  "rating__c": {{"type": "{rating}"}}
}}}}}}}}
"#
        )
    };
    let main = "use hc_schema_macro::hc_requires;\n\
                #[hc_requires(account(name))]\n\
                fn rating() -> &'static str {\n    \"SELECT name, rating__c FROM salesforce.account\"\n}\n\
                fn main() { let _ = rating(); }\n";
    let krate = TempCrate::new(
        "string_drift_warn",
        &["prod-snapshot", "test-snapshot"],
        &[
            ("src/main.rs", main),
            (
                "hc-schema/test.json",
                &snapshot("test", "character varying(40)"),
            ),
            ("hc-schema/prod.json", &snapshot("prod", "boolean")),
            ("hc-schema.toml", "[check]\nundeclared = \"warn\"\n"),
        ],
    );
    for env in ["test", "prod"] {
        let (ok, stderr) = krate.build(&["--features", &format!("{env}-snapshot")], &[]);
        assert!(!ok, "{env}: the build passed a drifting column:\n{stderr}");
        let mut command = std::process::Command::new(hc_schema_tests::cargo::hc_schema_cli());
        command
            .current_dir(krate.path())
            .args(["check", "--env", env, "--format", "json"]);
        let (output, check_stderr) = run(&mut command);
        assert_eq!(output.status.code(), Some(1), "{check_stderr}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let problems = report["problems"].as_array().unwrap();
        assert!(
            problems.iter().any(|p| p["kind"] == "type_drift"),
            "{report:#}"
        );
        for item in problems {
            let text = format!("error: {}", item["message"].as_str().unwrap());
            assert!(
                stderr.contains(&text),
                "{env}: check's error is not the build's:\n{text}\n\n{stderr}"
            );
        }
        assert!(
            stderr.contains("rating__c"),
            "{env}: the error names the column:\n{stderr}"
        );
    }
}

/// A snapshot of the directory that is not selected and cannot be read: the type drift of a
/// column read without a Rust type cannot be decided, so the build fails naming the file and
/// the fix, and so does `check` (the snapshot was left out of the comparison, and the build
/// passed). Every use typed, nothing needs it.
#[test]
fn an_unreadable_snapshot_fails_the_drift_rule_in_the_build_and_check() {
    let snapshot = |env: &str| {
        format!(
            r#"{{"format": 1, "environment": "{env}", "schema": "salesforce", "tables": {{"account": {{"columns": {{
  "name": {{"type": "character varying(80)"}}
}}}}}}}}
"#
        )
    };
    let krate = TempCrate::new(
        "drift_unreadable",
        &["prod-snapshot", "test-snapshot"],
        &[
            (
                "src/main.rs",
                "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name))]\nfn f() {}\nfn main() { f(); }\n",
            ),
            ("hc-schema/test.json", &snapshot("test")),
            ("hc-schema/prod.json", &snapshot("prod")),
            ("hc-schema/stage.json", "{ not json"),
        ],
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(!ok, "the build passed:\n{stderr}");
    assert!(
        stderr.contains("hc-schema/stage.json cannot be read")
            && stderr.contains("hc-schema refresh stage"),
        "{stderr}"
    );
    let mut command = std::process::Command::new(hc_schema_tests::cargo::hc_schema_cli());
    command
        .current_dir(krate.path())
        .args(["check", "--env", "prod"]);
    let (output, check_stderr) = run(&mut command);
    assert!(!output.status.success(), "{check_stderr}");
    assert!(
        check_stderr.contains("stage.json cannot be read"),
        "{check_stderr}"
    );
    krate.write(
        "src/main.rs",
        "use hc_schema_macro::hc_requires;\n#[hc_requires(account(name: String))]\nfn f() {}\nfn main() { f(); }\n",
    );
    let (ok, stderr) = krate.build(&["--features", "prod-snapshot"], &[]);
    assert!(ok, "{stderr}");
}
