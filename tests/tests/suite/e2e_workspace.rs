//! End-to-end: hc-schema in a cargo workspace, set up as the README's workspace section says:
//! the annotated library crate has the build script and the `<env>-snapshot` features, the
//! binary forwards them, one `hc-schema.toml` and one snapshot directory at the root.

use std::path::Path;

use hc_schema_tests::cargo::{cargo, run, snapshot_json, workspace};

const DATA_LIB: &str = "use hc_schema_macro::hc_requires;\n\
\n\
#[hc_requires(account(name, loyalty_tier__c))]\n\
pub fn tiers() -> u32 { 1 }\n";

const APP_MAIN: &str = "fn main() {\n\
    let _ = data::tiers();\n\
    for usage in hc_schema_snapshot::registry::usages() {\n\
        println!(\"{} {}\", usage.file, usage.table.name);\n\
    }\n\
}\n";

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

/// The workspace; `data_dependencies` are data's extra `[dependencies]` lines.
fn workspace_with(root: &Path, data_dependencies: &str) {
    let ws = workspace().display().to_string();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/data\", \"crates/app\"]\nresolver = \"2\"\n",
    );
    write(
        root,
        "crates/data/Cargo.toml",
        &format!(
            "[package]\nname = \"data\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [features]\ntest-snapshot = []\nprod-snapshot = []\n\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{ws}/hc-schema-macro\" }}\n{data_dependencies}\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n"
        ),
    );
    write(
        root,
        "crates/data/build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(root, "crates/data/src/lib.rs", DATA_LIB);
    write(
        root,
        "crates/app/Cargo.toml",
        &format!(
            "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [features]\ntest-snapshot = [\"data/test-snapshot\"]\nprod-snapshot = [\"data/prod-snapshot\"]\n\n\
             [dependencies]\ndata = {{ path = \"../data\" }}\n\
             hc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n"
        ),
    );
    write(root, "crates/app/src/main.rs", APP_MAIN);
    write(
        root,
        "hc-schema.toml",
        "default_envs = [\"test\"]\n\n[registry]\nenabled = true\n",
    );
    write(
        root,
        "hc-schema/test.json",
        &snapshot_json("test", &[("account", &["name", "loyalty_tier__c"])]),
    );
    write(
        root,
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["name"])]),
    );
    std::fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
}

fn cargo_in(root: &Path, args: &[&str]) -> (bool, String, String) {
    let mut command = cargo(root);
    command.args(args);
    let (output, stderr) = run(&mut command);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn a_workspace_binary_forwards_the_snapshot_features_to_the_annotated_crate() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-ws-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    workspace_with(
        root,
        &format!(
            "hc-schema-snapshot = {{ path = \"{}/hc-schema-snapshot\" }}\n",
            workspace().display()
        ),
    );
    // default_envs = test: the column is mapped, and the registry of the binary holds the
    // library's annotation.
    let (ok, stdout, stderr) = cargo_in(root, &["run", "--quiet", "-p", "app"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "crates/data/src/lib.rs account\n");
    // The binary's feature reaches the library: prod lacks the column.
    let (ok, _, stderr) = cargo_in(
        root,
        &[
            "build",
            "--quiet",
            "-p",
            "app",
            "--features",
            "prod-snapshot",
        ],
    );
    assert!(!ok, "built against prod:\n{stderr}");
    assert!(
        stderr.contains("`account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> crates/data/src/lib.rs:3:29"),
        "{stderr}"
    );
}

#[test]
fn registry_on_without_the_dependency_is_one_clear_error() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-ws-nodep-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    workspace_with(root, "");
    write(
        root,
        "crates/data/src/lib.rs",
        &format!(
            "{DATA_LIB}\n#[hc_schema_macro::hc_requires(account(name))]\npub fn names() {{}}\n"
        ),
    );
    let (ok, _, stderr) = cargo_in(root, &["build", "--quiet", "-p", "data"]);
    assert!(!ok, "built:\n{stderr}");
    assert!(
        stderr.contains("the registry is on (`[registry] enabled = true` in hc-schema.toml)"),
        "{stderr}"
    );
    assert!(
        // Relative to the workspace root, not the absolute path of this machine's checkout.
        stderr.contains(", but crates/data/Cargo.toml does not list it under [dependencies]: add `hc-schema-snapshot = "),
        "{stderr}"
    );
    // Spelled like the crate's own (absolute) path dependency on the macro, not a version.
    let ws = workspace();
    assert!(
        stderr.contains(&format!(
            "add `hc-schema-snapshot = {{ path = \"{}\" }}` there",
            ws.join("hc-schema-snapshot").display()
        )),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error: ").count(),
        2,
        "one hc-schema error (plus cargo's summary), not one per annotation:\n{stderr}"
    );
    assert!(!stderr.contains("E0433"), "{stderr}");
}

/// Issue 19 (1, 2, 4): scan vs build. What the build enforces through a macro re-exported by
/// another crate of the workspace (`#[reex::needs]`), through an `include!` renamed by `use`,
/// through a `#[path = $p] mod` or an `include!($f)` that a `macro_rules!` writes (called from
/// another directory than its definition's), and in a path dependency
/// outside the workspace, the scan finds: every column the build rejects is one the scan
/// reports, at the same file.
#[test]
fn the_scan_finds_what_the_build_enforces_across_crates_and_macro_written_modules() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-agree-")
        .tempdir()
        .unwrap();
    let top = dir.path();
    let ws = workspace().display().to_string();
    // One config and snapshot directory above both the workspace and the path dependency.
    write(top, "hc-schema.toml", "default_envs = [\"test\"]\n");
    write(
        top,
        "hc-schema/test.json",
        &snapshot_json("test", &[("account", &["name"])]),
    );
    let root = top.join("ws");
    write(
        &root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    write(
        &root,
        "crates/reex/Cargo.toml",
        &format!(
            "[package]\nname = \"reex\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{ws}/hc-schema-macro\" }}\n"
        ),
    );
    write(
        &root,
        "crates/reex/src/lib.rs",
        "pub use hc_schema_macro::hc_requires as needs;\n",
    );
    let annotated = |name: &str, dependencies: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nreex = {{ path = \"{}/crates/reex\" }}\n{dependencies}\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n",
            root.display()
        )
    };
    write(
        &root,
        "crates/app/Cargo.toml",
        &annotated("app", "ext = { path = \"../../../ext\" }\n"),
    );
    write(
        &root,
        "crates/app/build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(
        &root,
        "crates/app/src/lib.rs",
        "use std::include as pull;\n\
         macro_rules! module_at { ($p:literal, $m:ident) => { #[path = $p] pub mod $m; }; }\n\
         #[reex::needs(account(name, bogus_a__c))]\npub fn a() {}\n\
         pull!(\"../../../../shared/included.rs\");\n\
         module_at!(\"../../../../shared/db.rs\", db);\n\
         macro_rules! pull_file { ($f:literal) => { include!($f); }; }\n\
         mod sub;\n\
         pub fn uses_ext() { ext::d(); }\n",
    );
    // Called one directory down from where it is defined: relative to the calling file.
    write(
        &root,
        "crates/app/src/sub/mod.rs",
        "pull_file!(\"../../../../../shared/pulled.rs\");\n",
    );
    write(
        top,
        "shared/pulled.rs",
        "#[reex::needs(account(bogus_e__c))]\npub fn e() {}\n",
    );
    write(
        top,
        "shared/included.rs",
        "#[reex::needs(account(bogus_b__c))]\npub fn b() {}\n",
    );
    write(
        top,
        "shared/db.rs",
        "#[reex::needs(account(bogus_c__c))]\npub fn c() {}\n",
    );
    write(&top.join("ext"), "Cargo.toml", &annotated("ext", ""));
    write(
        &top.join("ext"),
        "build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(
        &top.join("ext"),
        "src/lib.rs",
        "#[reex::needs(account(bogus_d__c))]\npub fn d() {}\n",
    );
    std::fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();

    let scan = hc_schema_snapshot::scan::scan(&root, &root, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    let mut scanned: Vec<String> = scan
        .usages
        .iter()
        .flat_map(|u| u.columns.iter().map(|c| c.name.clone()))
        .filter(|c| c.starts_with("bogus"))
        .collect();
    scanned.sort();
    assert_eq!(
        scanned,
        [
            "bogus_a__c",
            "bogus_b__c",
            "bogus_c__c",
            "bogus_d__c",
            "bogus_e__c"
        ]
    );

    let (ok, _, stderr) = cargo_in(&root, &["build", "--quiet", "-p", "app"]);
    assert!(!ok, "the build must fail");
    // The build fails in `ext` first (a dependency), then in `app` once `ext` passes.
    assert!(stderr.contains("bogus_d__c"), "{stderr}");
    write(
        &top.join("ext"),
        "src/lib.rs",
        "#[reex::needs(account(name))]\npub fn d() {}\n",
    );
    let (ok, _, stderr) = cargo_in(&root, &["build", "--quiet", "-p", "app"]);
    assert!(!ok, "the build must fail");
    for column in ["bogus_a__c", "bogus_b__c", "bogus_c__c", "bogus_e__c"] {
        assert!(
            stderr.contains(&format!("`account.{column}` is not mapped in test")),
            "{column}: {stderr}"
        );
    }
}

/// Issue 19 (5): scan vs build. A binary that declares `prod-snapshot = []` without
/// forwarding it builds "ok" with `--features prod-snapshot` (the library is checked against
/// test): the scan reports exactly that, with the line that fixes it, and with that line
/// written the build fails against prod as it must.
#[test]
fn an_unforwarded_snapshot_feature_passes_the_build_and_the_scan_says_so() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-fwd-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    workspace_with(
        root,
        &format!(
            "hc-schema-snapshot = {{ path = \"{}/hc-schema-snapshot\" }}\n",
            workspace().display()
        ),
    );
    let manifest = root.join("crates/app/Cargo.toml");
    let forwarded = std::fs::read_to_string(&manifest).unwrap();
    let line = "prod-snapshot = [\"data/prod-snapshot\"]";
    assert!(forwarded.contains(line));
    std::fs::write(&manifest, forwarded.replace(line, "prod-snapshot = []")).unwrap();
    let args = [
        "build",
        "--quiet",
        "-p",
        "app",
        "--features",
        "prod-snapshot",
    ];
    let (ok, _, stderr) = cargo_in(root, &args);
    assert!(ok, "the silent pass the scan must report:\n{stderr}");
    let scan = hc_schema_snapshot::scan::scan(root, root, &[]);
    let errors: Vec<_> = scan
        .errors
        .iter()
        .filter(|e| e.kind == hc_schema_snapshot::scan::ErrorKind::FeatureNotForwarded)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", scan.errors);
    assert_eq!(errors[0].file, "crates/app/Cargo.toml");
    assert!(
        errors[0].message.ends_with(&format!("forward it: {line}")),
        "{}",
        errors[0].message
    );
    // The fix the message gives makes the build check prod.
    std::fs::write(&manifest, forwarded).unwrap();
    let scan = hc_schema_snapshot::scan::scan(root, root, &[]);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let (ok, _, stderr) = cargo_in(root, &args);
    assert!(!ok, "built against prod:\n{stderr}");
    assert!(
        stderr.contains("`account.loyalty_tier__c` is not mapped in prod"),
        "{stderr}"
    );
}
