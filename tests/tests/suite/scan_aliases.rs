//! What the build checks, the scan finds: `#[hc_requires]` and `hc_sql!` under every path and
//! alias the compiler accepts, and nothing under paths it does not resolve to hc-schema-macro.

use std::path::Path;

use hc_schema_snapshot::scan::{scan, Scan, SqlArgument};

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
