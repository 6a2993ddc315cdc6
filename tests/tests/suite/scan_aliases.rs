//! What the build checks, the scan finds: `#[hc_requires]` and `hc_sql!` under every path and
//! alias the compiler accepts, and nothing under paths it does not resolve to hc-schema-macro.

use std::path::Path;

use hc_schema_snapshot::scan::{scan, scan_with, Options, Scan, SqlArgument, Strategy};

use crate::scan_support;
use scan_support::Rng;

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

/// (file, line, table) of every usage.
fn found(scan: &Scan) -> Vec<(String, u32, String)> {
    scan.usages
        .iter()
        .map(|u| (u.file.clone(), u.table.line, u.table.name.clone()))
        .collect()
}

fn row(file: &str, line: u32, table: &str) -> (String, u32, String) {
    (file.to_string(), line, table.to_string())
}

/// The literal of each `hc_sql!` call, with its file.
fn queries(scan: &Scan) -> Vec<(String, String)> {
    scan.sql_macros
        .iter()
        .map(|m| {
            let text = match &m.argument {
                SqlArgument::Literal(l) => l.value.clone(),
                SqlArgument::NotLiteral { text, .. } => format!("not a literal: {text}"),
            };
            (m.file.clone(), text)
        })
        .collect()
}

const MANIFEST: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nhc-schema-macro = \"0.1\"\nother_crate = \"1\"\n";

#[test]
fn renamed_imports_and_re_exports_through_modules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", MANIFEST);
    write(
        d,
        "src/lib.rs",
        "mod db;\nmod reports;\nmod again;\n\n\
         #[db::needs(account(name))]\npub fn a() {}\n\n\
         #[crate::db::needs(contact(email))]\npub fn b() {}\n",
    );
    // The alias is defined in `db` and re-exported from there.
    write(
        d,
        "src/db.rs",
        "pub use hc_schema_macro::hc_requires as needs;\npub use hc_schema_macro::hc_sql as query;\n",
    );
    // Imported by another module under the re-exported name.
    write(
        d,
        "src/reports.rs",
        "use crate::db::needs;\nuse crate::db::query;\n\n\
         #[needs(opportunity(amount))]\npub fn r() -> &'static str {\n    query!(\"SELECT amount FROM salesforce.opportunity\")\n}\n",
    );
    // An alias of the alias (found on a second round of the fixpoint).
    write(
        d,
        "src/again.rs",
        "pub use crate::reports::needs as needs_too;\n\n#[needs_too(lead(status))]\npub struct Lead;\n",
    );
    let scan = scan(d, d, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    assert_eq!(
        found(&scan),
        [
            row("src/again.rs", 3, "lead"),
            row("src/lib.rs", 5, "account"),
            row("src/lib.rs", 8, "contact"),
            row("src/reports.rs", 4, "opportunity"),
        ]
    );
    assert_eq!(
        queries(&scan),
        [(
            "src/reports.rs".to_string(),
            "SELECT amount FROM salesforce.opportunity".to_string()
        )]
    );
}

#[test]
fn glob_imports_crate_aliases_and_extern_crate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", MANIFEST);
    write(
        d,
        "src/glob.rs",
        "use hc_schema_macro::*;\n#[hc_requires(account(name))]\nfn f() -> &'static str { hc_sql!(r#\"SELECT name FROM account\"#) }\n",
    );
    write(
        d,
        "src/alias.rs",
        "use hc_schema_macro as hcm;\n#[hcm::hc_requires(contact(email))]\nfn g() {}\nconst Q: &str = hcm::hc_sql!(\"SELECT email FROM contact\");\n",
    );
    write(
        d,
        "src/lib.rs",
        "extern crate hc_schema_macro as macros;\n#[macros::hc_requires(lead(status))]\nfn h() {}\n#[::hc_schema_macro::hc_requires(case(subject))]\nfn i() {}\n",
    );
    let scan = scan(d, d, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    assert_eq!(
        found(&scan),
        [
            row("src/alias.rs", 2, "contact"),
            row("src/glob.rs", 2, "account"),
            row("src/lib.rs", 2, "lead"),
            row("src/lib.rs", 4, "case"),
        ]
    );
    assert_eq!(queries(&scan).len(), 2);
}

#[test]
fn a_rename_in_cargo_toml_also_through_workspace_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"lib\"]\n\n[workspace.dependencies]\nguard = { package = \"hc-schema-macro\", version = \"0.1\" }\n",
    );
    write(
        d,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nhcm = { package = \"hc-schema-macro\", version = \"0.1\" }\n",
    );
    write(
        d,
        "app/src/main.rs",
        "use hcm as renamed_again;\n#[hcm::hc_requires(account(name))]\nfn main() {}\n#[renamed_again::hc_requires(contact(email))]\nfn other() {}\n",
    );
    write(
        d,
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n\n[dependencies]\nguard.workspace = true\n",
    );
    write(
        d,
        "lib/src/lib.rs",
        "#[guard::hc_requires(lead(status))]\npub fn f() {}\n",
    );
    let scan = scan(d, d, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    assert_eq!(
        found(&scan),
        [
            row("app/src/main.rs", 2, "account"),
            row("app/src/main.rs", 4, "contact"),
            row("lib/src/lib.rs", 1, "lead"),
        ]
    );
}

#[test]
fn paths_through_other_crates_and_shadowed_names_are_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", MANIFEST);
    write(
        d,
        "src/lib.rs",
        "use hc_schema_macro::hc_requires;\n\
         #[other_crate::hc_requires(account(name))]\nfn a() {}\n\
         #[std::hc_requires(account(name))]\nfn b() {}\n\
         #[hc_requires(contact(email))]\nfn c() {}\n\
         mod m {\n    use other_crate::needs as hc_requires;\n    #[hc_requires(lead(status))]\n    fn d() {}\n}\n",
    );
    let scan = scan(d, d, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    assert_eq!(found(&scan), [row("src/lib.rs", 6, "contact")]);
}

#[test]
fn a_cargo_toml_that_does_not_parse_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[package]\nname = \n");
    write(
        d,
        "src/lib.rs",
        "#[hc_requires(account(name))]\nfn f() {}\n",
    );
    let scan = scan(d, d, &[]);
    assert!(!scan.is_complete());
    assert_eq!(scan.errors[0].file, "Cargo.toml");
    assert!(
        scan.errors[0].message.contains("does not parse"),
        "{:?}",
        scan.errors
    );
    // The annotations are still found, under the macro's own name.
    assert_eq!(found(&scan), [row("src/lib.rs", 1, "account")]);
}

/// Issue 19 (1): a macro re-exported by another crate of the workspace
/// (`pub use hc_schema_macro::hc_requires as needs;` in `reex`, `#[reex::needs(...)]` in
/// `app`) is what the build checks, under every form of re-export, import, dependency rename
/// and crate layout; a crate that re-exports nothing of hc-schema's stays foreign.
#[test]
fn macros_re_exported_by_other_crates_of_the_workspace_are_found() {
    // How `reex` exports it: (its source, the path after the crate name that reaches
    // `hc_requires`, the one that reaches `hc_sql`).
    let exports: &[(&str, &str, &str)] = &[
        (
            "pub use hc_schema_macro::hc_requires as needs;\npub use hc_schema_macro::hc_sql as q;\n",
            "needs",
            "q",
        ),
        (
            "pub mod db {\n    pub use hc_schema_macro::{hc_requires as needs, hc_sql as q};\n}\n",
            "db::needs",
            "db::q",
        ),
        ("pub use hc_schema_macro::*;\n", "hc_requires", "hc_sql"),
        (
            "pub use hc_schema_macro as hcm;\n",
            "hcm::hc_requires",
            "hcm::hc_sql",
        ),
        (
            "extern crate hc_schema_macro as guard;\npub use guard::hc_requires as needs;\npub use crate::guard::hc_sql as q;\n",
            "needs",
            "q",
        ),
        (
            "mod inner { pub use hc_schema_macro::hc_requires as deep; pub use hc_schema_macro::hc_sql as dq; }\npub use inner::deep as needs;\npub use self::inner::dq as q;\n",
            "needs",
            "q",
        ),
    ];
    for seed in 0..48u64 {
        let mut rng = Rng::new(seed);
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let reex = *rng.pick(&["reex", "shared-db", "r_x"]);
        let reex_crate = reex.replace('-', "_");
        // The name `app` gives it: its own, or a `package =` rename.
        let renamed = rng.chance(30);
        let dep_name = if renamed {
            "data".to_string()
        } else {
            reex_crate.clone()
        };
        let (export_src, req_path, sql_path) = *rng.pick(exports);
        // Through a middle crate that re-exports `reex` (or its macro) in turn.
        let chained = rng.chance(30);
        // Layout: members under crates/, or a member outside the root directory.
        let outside = rng.chance(30);
        let root = top.join("ws");
        let reex_dir = if outside {
            top.join("elsewhere").join(reex)
        } else {
            root.join("crates").join(reex)
        };
        let members = if outside {
            format!("[\"crates/*\", \"../elsewhere/{reex}\"]")
        } else {
            "[\"crates/*\"]".to_string()
        };
        write(
            &root,
            "Cargo.toml",
            &format!("[workspace]\nmembers = {members}\nresolver = \"2\"\n"),
        );
        let macro_dep = if rng.chance(50) {
            "hc-schema-macro = \"0.1\"".to_string()
        } else {
            "hc_schema_macro = { package = \"hc-schema-macro\", version = \"0.1\" }".to_string()
        };
        write(
            &reex_dir,
            "Cargo.toml",
            &format!("[package]\nname = \"{reex}\"\nversion = \"0.1.0\"\n\n[dependencies]\n{macro_dep}\n"),
        );
        write(&reex_dir, "src/lib.rs", export_src);
        let reex_rel = if outside {
            format!("../../../elsewhere/{reex}")
        } else {
            format!("../{reex}")
        };
        let reex_entry = if renamed {
            format!("{dep_name} = {{ package = \"{reex}\", path = \"{reex_rel}\" }}")
        } else {
            format!("{reex} = {{ path = \"{reex_rel}\" }}")
        };
        // What `app` depends on, and the crate path it writes before `needs`.
        let (app_deps, via) = if chained {
            write(
                &root,
                "crates/middle/Cargo.toml",
                &format!("[package]\nname = \"middle\"\nversion = \"0.1.0\"\n\n[dependencies]\n{reex_entry}\n"),
            );
            let middle_src = if rng.chance(50) {
                format!("pub use {dep_name} as inner;\n")
            } else {
                format!("pub use {dep_name}::*;\n")
            };
            write(&root, "crates/middle/src/lib.rs", &middle_src);
            let via = if middle_src.contains(" as inner") {
                "middle::inner".to_string()
            } else {
                "middle".to_string()
            };
            ("middle = { path = \"../middle\" }\n".to_string(), via)
        } else {
            (format!("{reex_entry}\n"), dep_name.clone())
        };
        // Chained through a glob, only the crate-level names of reex survive (`middle::needs`,
        // `middle::hcm::...`, `middle::db::needs` by name).
        write(
            &root,
            "crates/app/Cargo.toml",
            &format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n{app_deps}unrelated = {{ path = \"../unrelated\" }}\n"),
        );
        write(
            &root,
            "crates/unrelated/Cargo.toml",
            "[package]\nname = \"unrelated\"\nversion = \"0.1.0\"\n",
        );
        write(&root, "crates/unrelated/src/lib.rs", "pub mod needs {}\n");
        // How `app` uses it.
        let (prelude, attr, sql) = match rng.below(5) {
            0 => (
                String::new(),
                format!("{via}::{req_path}"),
                format!("{via}::{sql_path}"),
            ),
            1 => (
                format!("use {via} as r;\n"),
                format!("r::{req_path}"),
                format!("r::{sql_path}"),
            ),
            2 => (
                format!("use {via}::{req_path} as want;\nuse {via}::{sql_path} as ask;\n"),
                "want".to_string(),
                "ask".to_string(),
            ),
            3 => (
                format!("use ::{via}::{{{req_path} as want, {sql_path} as ask}};\n"),
                "want".to_string(),
                "ask".to_string(),
            ),
            _ => (
                format!("mod glue {{ pub use {via}::{req_path} as want; }}\n"),
                "glue::want".to_string(),
                format!("::{via}::{sql_path}"),
            ),
        };
        let app = format!(
            "{prelude}\n#[{attr}(account(bogus__c))]\npub fn f() {{}}\n\n\
             pub fn g() {{ let _ = {sql}!(\"SELECT name FROM contact\"); }}\n\n\
             #[unrelated::needs(lead(status))]\npub fn h() {{}}\n"
        );
        write(&root, "crates/app/src/lib.rs", &app);
        let scan = scan(&root, &root, &[]);
        let context = format!("seed {seed}: reex = {export_src:?}, app = {app}");
        assert!(scan.is_complete(), "{context}: {:?}", scan.errors);
        let tables: Vec<(String, String)> = scan
            .usages
            .iter()
            .map(|u| (u.file.clone(), u.table.name.clone()))
            .collect();
        assert_eq!(
            tables,
            [("crates/app/src/lib.rs".to_string(), "account".to_string())],
            "{context}"
        );
        assert_eq!(scan.usages[0].columns[0].name, "bogus__c", "{context}");
        assert_eq!(
            queries(&scan),
            [(
                "crates/app/src/lib.rs".to_string(),
                "SELECT name FROM contact".to_string()
            )],
            "{context}"
        );
        // The full parse agrees with the fast path.
        let full = scan_with(
            &root,
            &root,
            &Options {
                strategy: Strategy::FullParse,
                ..Options::default()
            },
        );
        assert_eq!(full.usages, scan.usages, "{context} (full parse)");
        assert_eq!(queries(&full), queries(&scan), "{context} (full parse)");
    }
}

/// Issue 19 (5): a package that declares `<env>-snapshot` and depends on a crate holding the
/// annotations (which declares it too) without forwarding it is an error at its `Cargo.toml`,
/// with the line that fixes it; every way of forwarding it is accepted.
#[test]
fn snapshot_features_that_do_not_reach_the_annotations_are_errors() {
    use hc_schema_snapshot::scan::ErrorKind;
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let env = *rng.pick(&["prod", "staging", "qa_1"]);
        let feature = format!("{env}-snapshot");
        let lib = *rng.pick(&["lib", "data-access", "core_db"]);
        let key = if rng.chance(30) {
            "store".to_string()
        } else {
            lib.to_string()
        };
        // How the library uses the macros: annotated, hc_sql!, only depending on the macro
        // crate, or not at all (then nothing needs forwarding).
        let usage = rng.below(4);
        let lib_src = match usage {
            0 => "#[hc_schema_macro::hc_requires(account(name))]\npub fn f() {}\n",
            1 => "pub fn q() -> &'static str { hc_schema_macro::hc_sql!(\"SELECT name FROM account\") }\n",
            2 => "pub fn plain() {}\n",
            _ => "pub fn plain() {}\n",
        };
        let lib_macro = if usage == 3 {
            ""
        } else {
            "hc-schema-macro = \"0.1\"\n"
        };
        write(
            root,
            &format!("crates/{lib}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{lib}\"\nversion = \"0.1.0\"\n\n[features]\ntest-snapshot = []\n{feature} = []\n\n[dependencies]\n{lib_macro}"
            ),
        );
        write(root, &format!("crates/{lib}/src/lib.rs"), lib_src);
        // Through a middle crate (which forwards) or directly.
        let middle = rng.chance(25);
        let (target_key, target_dep) = if middle {
            write(
                root,
                "crates/middle/Cargo.toml",
                &format!(
                    "[package]\nname = \"middle\"\nversion = \"0.1.0\"\n\n[features]\ntest-snapshot = [\"{key}/test-snapshot\"]\n{feature} = [\"{key}/{feature}\"]\n\n[dependencies]\n{key} = {{ package = \"{lib}\", path = \"../{lib}\" }}\n"
                ),
            );
            write(root, "crates/middle/src/lib.rs", "pub fn m() {}\n");
            (
                "middle".to_string(),
                "middle = { path = \"../middle\" }".to_string(),
            )
        } else {
            let dep = if rng.chance(30) {
                format!("{key}.workspace = true")
            } else {
                format!("{key} = {{ package = \"{lib}\", path = \"../{lib}\" }}")
            };
            (key.clone(), dep)
        };
        // How the app declares the feature.
        let (features, forwarded, dep_features) = match rng.below(7) {
            0 => (format!("{feature} = []\n"), false, ""),
            1 => (format!("{feature} = [\"extra\"]\nextra = []\n"), false, ""),
            2 => (
                format!("{feature} = [\"{target_key}/{feature}\"]\n"),
                true,
                "",
            ),
            3 => (
                format!("{feature} = [\"{target_key}?/{feature}\"]\n"),
                true,
                "",
            ),
            4 => (
                format!("{feature} = [\"snap\"]\nsnap = [\"{target_key}/{feature}\"]\n"),
                true,
                "",
            ),
            5 => (format!("{feature} = []\n"), true, "always"),
            _ => (
                format!("\"{feature}\" = []\ntest-snapshot = [\"{target_key}/test-snapshot\"]\n"),
                false,
                "",
            ),
        };
        let app_dep = if dep_features == "always" && !target_dep.contains("workspace") {
            target_dep.replace(" }", &format!(", features = [\"{feature}\"] }}"))
        } else if dep_features == "always" {
            format!("{target_key} = {{ workspace = true, features = [\"{feature}\"] }}")
        } else {
            target_dep.clone()
        };
        let app_manifest = format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[features]\n{features}\n[dependencies]\n{app_dep}\n"
        );
        write(root, "crates/app/Cargo.toml", &app_manifest);
        write(root, "crates/app/src/main.rs", "fn main() {}\n");
        write(
            root,
            "Cargo.toml",
            &format!(
                "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n{key} = {{ package = \"{lib}\", path = \"crates/{lib}\" }}\n"
            ),
        );
        let found = scan(root, root, &[]);
        let context = format!("seed {seed}: usage {usage}, middle {middle}\n{app_manifest}");
        let errors: Vec<_> = found
            .errors
            .iter()
            .filter(|e| e.kind == ErrorKind::FeatureNotForwarded)
            .collect();
        assert_eq!(
            found.errors.len(),
            errors.len(),
            "{context}: {:?}",
            found.errors
        );
        assert!(found.is_complete(), "{context}");
        if forwarded || usage == 3 {
            assert!(errors.is_empty(), "{context}: {errors:?}");
            continue;
        }
        assert_eq!(errors.len(), 1, "{context}: {errors:?}");
        let error = errors[0];
        assert_eq!(error.file, "crates/app/Cargo.toml", "{context}");
        let line = app_manifest
            .lines()
            .position(|l| l.starts_with(&feature) || l.starts_with(&format!("\"{feature}\"")))
            .unwrap()
            + 1;
        assert_eq!(error.line as usize, line, "{context}");
        let declared: Vec<String> = if features.starts_with(&format!("{feature} = [\"extra\"]")) {
            vec!["\"extra\"".to_string()]
        } else {
            Vec::new()
        };
        let mut fix = declared;
        fix.push(format!("\"{target_key}/{feature}\""));
        let fix = format!("{feature} = [{}]", fix.join(", "));
        assert!(
            error.message.ends_with(&format!("forward it: {fix}")),
            "{context}: {}",
            error.message
        );
        assert!(
            error.message.contains(&format!("`{feature}`")),
            "{context}: {}",
            error.message
        );
    }
}

/// Issue 19 (5), the feature blocked on its way: a crate between the binary and the
/// annotations (or the annotated crate itself) that declares no `<env>-snapshot` cannot pass
/// it on; the binary's feature is an error naming that crate, the line to declare there and
/// the line to forward here.
#[test]
fn snapshot_features_blocked_by_a_crate_without_them_are_errors() {
    use hc_schema_snapshot::scan::ErrorKind;
    for seed in 0..30u64 {
        let mut rng = Rng::new(seed);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let env = *rng.pick(&["prod", "staging"]);
        let feature = format!("{env}-snapshot");
        let lib = *rng.pick(&["lib", "data-access"]);
        // The library declares the feature only when there is a middle crate.
        let through_middle = rng.chance(50);
        let lib_features = if through_middle {
            format!("[features]\n{feature} = []\n")
        } else {
            String::new()
        };
        write(
            root,
            &format!("crates/{lib}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{lib}\"\nversion = \"0.1.0\"\n\n{lib_features}\n[dependencies]\nhc-schema-macro = \"0.1\"\n"
            ),
        );
        write(
            root,
            &format!("crates/{lib}/src/lib.rs"),
            "#[hc_schema_macro::hc_requires(account(name))]\npub fn f() {}\n",
        );
        let blocked = if through_middle {
            write(
                root,
                "crates/middle/Cargo.toml",
                &format!(
                    "[package]\nname = \"middle\"\nversion = \"0.1.0\"\n\n[dependencies]\n{lib} = {{ path = \"../{lib}\" }}\n"
                ),
            );
            write(root, "crates/middle/src/lib.rs", "pub fn m() {}\n");
            "middle"
        } else {
            lib
        };
        let app_features = if rng.chance(50) {
            format!("{feature} = []\n")
        } else {
            format!("{feature} = [\"{blocked}/{feature}\"]\n")
        };
        write(
            root,
            "crates/app/Cargo.toml",
            &format!(
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[features]\n{app_features}\n[dependencies]\n{blocked} = {{ path = \"../{blocked}\" }}\n"
            ),
        );
        write(root, "crates/app/src/main.rs", "fn main() {}\n");
        write(
            root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n",
        );
        let found = scan(root, root, &[]);
        let context = format!("seed {seed}: middle {through_middle}, app {app_features}");
        assert_eq!(found.errors.len(), 1, "{context}: {:?}", found.errors);
        let error = &found.errors[0];
        assert_eq!(error.kind, ErrorKind::FeatureNotForwarded, "{context}");
        assert_eq!(
            (error.file.as_str(), error.line),
            ("crates/app/Cargo.toml", 6),
            "{context}"
        );
        let there = if through_middle {
            format!("{feature} = [\"{lib}/{feature}\"]")
        } else {
            format!("{feature} = []")
        };
        let expected = format!(
            "declare it in crates/{blocked}/Cargo.toml: {there}, and forward it here: {feature} = [\"{blocked}/{feature}\"]"
        );
        assert!(
            error.message.ends_with(&expected),
            "{context}: {}\nexpected the end: {expected}",
            error.message
        );
    }
    // A crate that only re-exports the macro blocks nothing: the macro runs in its callers.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"reex\", \"app\"]\n",
    );
    write(
        root,
        "reex/Cargo.toml",
        "[package]\nname = \"reex\"\n[dependencies]\nhc-schema-macro = \"0.1\"\n",
    );
    write(
        root,
        "reex/src/lib.rs",
        "pub use hc_schema_macro::hc_requires as needs;\n",
    );
    write(
        root,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\n[features]\nprod-snapshot = []\n[dependencies]\nreex = { path = \"../reex\" }\n",
    );
    write(
        root,
        "app/src/main.rs",
        "#[reex::needs(account(name))]\nfn main() {}\n",
    );
    let found = scan(root, root, &[]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.usages.len(), 1);
}
