//! `hc-schema init`: a single crate, a workspace (library with annotations, binary depending
//! on it), reruns, formatting kept, build scripts, bad input, generated manifests, and one
//! real build after init.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{hc, write};
use hc_schema_tests::rng::Rng;

/// Every file under `dir` (but `target/`), by relative path.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    stack.push(path);
                }
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    out
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `init --check` exits 0 and a second `init` changes no byte.
fn assert_set_up(dir: &Path, args: &[&str]) {
    let before = files(dir);
    let mut check = vec!["init", "--check"];
    check.extend_from_slice(args);
    let run = hc(dir, &check);
    assert_eq!(run.code, 0, "init --check after init: {run:?}");
    assert!(run.stdout.contains("nothing to change"), "{run:?}");
    let mut again = vec!["init"];
    again.extend_from_slice(args);
    let run = hc(dir, &again);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(files(dir), before, "a second init changed files");
}

const SINGLE: &str = "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\npostgres = \"0.19\"\n";
const SHOP_MAIN: &str = "use hc_schema_macro::hc_sql;\n\nconst Q: &str = hc_sql!(\"SELECT name FROM salesforce.account\");\n\nfn main() {}\n";

#[test]
fn single_crate_is_set_up_and_a_rerun_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", SINGLE);
    write(d, "src/main.rs", SHOP_MAIN);

    let run = hc(d, &["init", "--check", "--schema", "org"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("would change (nothing written)"),
        "{run:?}"
    );
    assert!(!d.join("hc-schema.toml").exists() && !d.join("build.rs").exists());
    assert_eq!(read(d, "Cargo.toml"), SINGLE);

    let run = hc(d, &["init", "--schema", "org"]);
    assert_eq!(run.code, 0, "{run:?}");
    for printed in [
        "hc-schema.toml: created: schema = \"org\", environments test, prod",
        "build.rs: created",
        "Cargo.toml: [dependencies] added hc-schema-macro = \"0.1\"",
        "Cargo.toml: [build-dependencies] added hc-schema-snapshot = \"0.1\"",
        "Cargo.toml: [features] added test-snapshot = []",
        "Cargo.toml: [profile.dev.build-override] added opt-level = 3",
    ] {
        assert!(run.stdout.contains(printed), "{printed}\n{}", run.stdout);
    }
    assert_eq!(
        read(d, "Cargo.toml"),
        format!(
            "{SINGLE}hc-schema-macro = \"0.1\"\n\n[build-dependencies]\nhc-schema-snapshot = \"0.1\"\n\n\
             [features]\ntest-snapshot = []\nprod-snapshot = []\n\n[profile.dev.build-override]\nopt-level = 3\n"
        )
    );
    assert_eq!(
        read(d, "build.rs"),
        "fn main() {\n    hc_schema_snapshot::build::configure();\n}\n"
    );
    let config = read(d, "hc-schema.toml");
    for line in [
        "schema = \"org\"",
        "snapshot_dir = \"hc-schema\"",
        "default_envs = [\"test\"]",
        "[env.test]\ndatabase_url_env = \"HC_TEST_DATABASE_URL\"",
        "[env.prod]\ndatabase_url_env = \"HC_PROD_DATABASE_URL\"",
    ] {
        assert!(config.contains(line), "{line}\n{config}");
    }
    assert_set_up(d, &["--schema", "org"]);
    // The config init wrote is one the other commands read.
    let run = hc(d, &["requirements"]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// A workspace: `data` (a library with annotations), `app` (a binary depending on it under a
/// renamed key), `tools` (depends on app? no: on nothing), `ui` (depends on app-facing `data`
/// through `[target]`).
fn library_and_binary(d: &Path) {
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    write(
        d,
        "crates/data/Cargo.toml",
        "[package]\nname = \"data\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        d,
        "crates/data/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(name))]\npub fn names() {}\n",
    );
    write(
        d,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nstore = { package = \"data\", path = \"../data\" }\n",
    );
    write(
        d,
        "crates/app/src/main.rs",
        "fn main() { store::names(); }\n",
    );
    write(
        d,
        "crates/tools/Cargo.toml",
        "[package]\nname = \"tools\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(d, "crates/tools/src/lib.rs", "pub fn nothing() {}\n");
}

#[test]
fn workspace_library_gets_the_setup_and_the_binary_forwards_under_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    let run = hc(d, &["init", "--env", "test", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    let data = read(d, "crates/data/Cargo.toml");
    assert!(
        data.contains("[dependencies]\nhc-schema-macro = \"0.1\"\n"),
        "{data}"
    );
    assert!(
        data.contains("[build-dependencies]\nhc-schema-snapshot = \"0.1\"\n"),
        "{data}"
    );
    assert!(
        data.contains("[features]\ntest-snapshot = []\nprod-snapshot = []\n"),
        "{data}"
    );
    assert!(
        !data.contains("[profile"),
        "the profile belongs to the root: {data}"
    );
    assert!(d.join("crates/data/build.rs").is_file());
    let app = read(d, "crates/app/Cargo.toml");
    assert!(
        app.contains(
            "[features]\ntest-snapshot = [\"store/test-snapshot\"]\nprod-snapshot = [\"store/prod-snapshot\"]\n"
        ),
        "{app}"
    );
    assert!(
        !app.contains("hc-schema-macro"),
        "app does not use the macros: {app}"
    );
    assert!(!d.join("crates/app/build.rs").exists());
    assert_eq!(
        read(d, "crates/tools/Cargo.toml"),
        "[package]\nname = \"tools\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        "a crate unrelated to the macros is left alone"
    );
    let root = read(d, "Cargo.toml");
    assert!(
        root.ends_with("\n[profile.dev.build-override]\nopt-level = 3\n"),
        "{root}"
    );
    assert!(d.join("hc-schema.toml").is_file());
    assert!(!d.join("crates/data/hc-schema.toml").exists());
    assert_set_up(d, &["--env", "test", "--env", "prod"]);

    // Run from a member directory: the same workspace, nothing to change.
    let run = hc(&d.join("crates/app"), &["init", "--check"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn forwarding_goes_through_intermediate_crates_and_optional_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    // web -> app-lib (no annotations) -> data (annotations); cli -> data as optional.
    write(
        d,
        "crates/middle/Cargo.toml",
        "[package]\nname = \"middle\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[target.'cfg(unix)'.dependencies]\ndata = { path = \"../data\" }\n",
    );
    write(d, "crates/middle/src/lib.rs", "");
    write(
        d,
        "crates/web/Cargo.toml",
        "[package]\nname = \"web\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nmiddle = { path = \"../middle\" }\nopt = { package = \"data\", path = \"../data\", optional = true }\n",
    );
    write(d, "crates/web/src/main.rs", "fn main() {}\n");
    let run = hc(d, &["init", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    let middle = read(d, "crates/middle/Cargo.toml");
    assert!(
        middle.contains("prod-snapshot = [\"data/prod-snapshot\"]"),
        "{middle}"
    );
    let web = read(d, "crates/web/Cargo.toml");
    assert!(
        web.contains("prod-snapshot = [\"middle/prod-snapshot\", \"opt?/prod-snapshot\"]"),
        "{web}"
    );
    assert_set_up(d, &["--env", "prod"]);
}

#[test]
fn comments_formatting_and_existing_entries_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let manifest = "# The shop.\n[package]\nname    = \"shop\"   # aligned\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                    [dependencies]\n# the database\npostgres = { version = \"0.19\" , features = [ \"with-chrono-0_4\" ] }\n\n\
                    [features]\n# our own\ndefault = []\nprod-snapshot = [ \"postgres/with-serde_json-1\" ] # partial\n";
    write(d, "Cargo.toml", manifest);
    write(d, "src/main.rs", SHOP_MAIN);
    write(
        d,
        "hc-schema.toml",
        "# ours\nschema = \"org\" # the org schema\n\n[env.prod]\ndatabase_url_env = \"PROD_URL\"\n",
    );
    let run = hc(
        d,
        &[
            "init",
            "--env",
            "prod",
            "--env",
            "staging",
            "--schema",
            "salesforce",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let text = read(d, "Cargo.toml");
    // Every original line is still there, in order.
    let mut rest = text.as_str();
    for line in manifest.lines() {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("lost or reordered: {line:?}\n{text}"));
        rest = &rest[at + line.len()..];
    }
    assert!(
        text.contains("prod-snapshot = [ \"postgres/with-serde_json-1\" ] # partial"),
        "an existing feature of a macro user needs nothing: {text}"
    );
    assert!(text.contains("staging-snapshot = []"), "{text}");
    let config = read(d, "hc-schema.toml");
    assert!(config.starts_with("# ours\nschema = \"org\" # the org schema\n\n[env.prod]\ndatabase_url_env = \"PROD_URL\"\n"), "{config}");
    assert!(
        config.contains("[env.staging]\ndatabase_url_env = \"HC_STAGING_DATABASE_URL\""),
        "{config}"
    );
    assert!(
        run.stdout
            .contains("--schema salesforce was not written over it"),
        "{run:?}"
    );
    assert_set_up(d, &["--env", "prod", "--env", "staging"]);
}

#[test]
fn an_existing_build_script_gains_the_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", SINGLE);
    write(d, "src/main.rs", SHOP_MAIN);
    write(
        d,
        "build.rs",
        "// Generated bindings.\nfn main() {\n    println!(\"cargo:rerun-if-changed=proto\");\n}\n",
    );
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("build.rs: added `hc_schema_snapshot::build::configure();`"),
        "{run:?}"
    );
    assert_eq!(
        read(d, "build.rs"),
        "// Generated bindings.\nfn main() {\n    hc_schema_snapshot::build::configure();\n    println!(\"cargo:rerun-if-changed=proto\");\n}\n"
    );
    assert_set_up(d, &[]);
}

#[test]
fn a_build_script_init_cannot_edit_safely_is_left_with_instructions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", SINGLE);
    write(d, "src/main.rs", SHOP_MAIN);
    let build = "#[cfg(unix)]\nfn main() {}\n#[cfg(not(unix))]\nfn main() {}\n";
    write(d, "build.rs", build);
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("to do by hand: build.rs: add `hc_schema_snapshot::build::configure();` as the first line of its `fn main`"),
        "{run:?}"
    );
    assert_eq!(read(d, "build.rs"), build, "left untouched");
    assert!(
        read(d, "Cargo.toml").contains("hc-schema-macro"),
        "the rest is done"
    );
    // Still not set up: --check keeps failing until the line is there.
    assert_eq!(hc(d, &["init", "--check"]).code, 1);
    write(d, "build.rs", "#[cfg(unix)]\nfn main() { hc_schema_snapshot::build::configure(); }\n#[cfg(not(unix))]\nfn main() {}\n");
    assert_eq!(hc(d, &["init", "--check"]).code, 0);

    // `build = false`: the same, with what to create.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        &SINGLE.replace(
            "edition = \"2021\"\n",
            "edition = \"2021\"\nbuild = false\n",
        ),
    );
    write(d, "src/main.rs", SHOP_MAIN);
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("sets `build = false`"), "{run:?}");
    assert!(!d.join("build.rs").exists());
}

#[test]
fn registry_sets_up_the_release_phase() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    // app already has the library under [dependencies] without the feature.
    let app = read(d, "crates/app/Cargo.toml") + "hc-schema-snapshot = \"0.1\" # for verify\n";
    write(d, "crates/app/Cargo.toml", &app);
    let run = hc(d, &["init", "--registry"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(read(d, "hc-schema.toml").contains("[registry]\nenabled = true"));
    let app = read(d, "crates/app/Cargo.toml");
    assert!(
        app.contains("hc-schema-snapshot = { version = \"0.1\", features = [\"fetch\"] }"),
        "{app}"
    );
    let data = read(d, "crates/data/Cargo.toml");
    assert!(
        data.contains("[dependencies]\nhc-schema-macro = \"0.1\"\nhc-schema-snapshot = \"0.1\"\n"),
        "the registry lives in the library's own dependency: {data}"
    );
    assert!(
        run.stdout
            .contains("release: ./target/release/app verify-schema"),
        "{run:?}"
    );
    assert_set_up(d, &["--registry"]);
    // An existing config with the registry off is switched on.
    let config = read(d, "hc-schema.toml").replace("enabled = true", "enabled = false");
    write(d, "hc-schema.toml", &config);
    let run = hc(d, &["init", "--registry"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("set [registry] enabled = true"),
        "{run:?}"
    );
}

#[test]
fn bad_input_is_an_error_naming_the_file_and_nothing_is_written() {
    // A Cargo.toml that does not parse.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", "[package]\nname = \"x\"\nversion = \n");
    write(d, "src/lib.rs", "#[hc_requires(a(b))] fn f() {}\n");
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Cargo.toml:3:"), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert_eq!(files(d).len(), 2, "nothing written");

    // A workspace member that does not parse: named relative to the root, with its position.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    write(
        d,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\n[dependencies\n",
    );
    let before = files(d);
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("crates/app/Cargo.toml:3:"), "{run:?}");
    assert_eq!(files(d), before, "nothing written");

    // A key of the wrong kind.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nfeatures = 1\n",
    );
    write(d, "src/lib.rs", "#[hc_requires(a(b))] fn f() {}\n");
    write(
        d,
        "Cargo.toml",
        "features = 3\n[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
    );
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("Cargo.toml: `features` is not a table"),
        "{run:?}"
    );
    assert!(!d.join("hc-schema.toml").exists());

    // A bad hc-schema.toml.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", SINGLE);
    write(
        d,
        "hc-schema.toml",
        "schema = \"org\"\nsnapshot_dri = \"x\"\n",
    );
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("hc-schema.toml:2:1"), "{run:?}");

    // No manifest; a directory that is not a crate; a missing --manifest-path.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Cargo.toml does not exist"), "{run:?}");
    write(d, "Cargo.toml", "[lib]\nname = \"x\"\n");
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("has neither [package] nor [workspace]"),
        "{run:?}"
    );
    let run = hc(d, &["init", "--manifest-path", "nowhere/Cargo.toml"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("nowhere/Cargo.toml does not exist"),
        "{run:?}"
    );

    // Bad arguments.
    let run = hc(d, &["init", "--env", "../x"]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = hc(d, &["init", "--schema", "a;b"]);
    assert_eq!(run.code, 2, "{run:?}");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", SINGLE);
    let run = hc(dir.path(), &["init", "--crate", "nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--crate nope: no such crate"),
        "{run:?}"
    );
}

/// A generated library manifest: the dependencies, build-dependencies and features in one of
/// the spellings TOML allows, with comments, partial setups and odd keys.
fn library_manifest(rng: &mut Rng) -> String {
    // Some sections as top-level dotted keys or inline tables, before [package].
    let inline = rng.next_u64() % 5;
    let mut text = String::from("# generated\n");
    text.push_str(match inline {
        0 => "dependencies.serde = \"1\" # dotted\n",
        1 => "features = { default = [] } # inline\n",
        2 => "build-dependencies = { cc = \"1\" }\n",
        3 => "features.prod-snapshot = [] # dotted\n",
        _ => "",
    });
    text.push_str("[package]\nname = \"data\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    text.push_str(rng.pick(&["", "build = \"build.rs\"\n", "autobins = false # no bins\n"]));
    match rng.next_u64() % 4 {
        _ if inline == 0 => {}
        0 => text.push_str("\n[dependencies]\nserde = \"1\" # c\n"),
        1 => text.push_str("\n[dependencies]\nhc-schema-macro = { version = \"0.1\" } # already\n"),
        2 => text.push_str(
            "\n[dependencies]\nhcm = { package = \"hc-schema-macro\", version = \"0.1\" }\n",
        ),
        _ => text.push_str("\n[dependencies.serde]\nversion = \"1\"\n"),
    }
    match rng.next_u64() % 4 {
        _ if inline == 2 => {}
        0 => text.push_str("\n[build-dependencies]\n"),
        1 => text.push_str("\n[build-dependencies]\nhc-schema-snapshot = \"0.1\"\n"),
        2 => text
            .push_str("\n[target.'cfg(unix)'.build-dependencies]\nhc-schema-snapshot = \"0.1\"\n"),
        _ => {}
    }
    match rng.next_u64() % 5 {
        _ if inline == 1 || inline == 3 => {}
        0 => text.push_str("\n[features]\n# none yet\n"),
        1 => text.push_str("\n[features]\ntest-snapshot = []\n"),
        2 => {
            text.push_str("\n[features]\nprod-snapshot = [\"extra\"] # partial\nextra = []\n")
        }
        3 => text.push_str(
            "\n[features]\nextra = []\nprod-snapshot = [\n    \"extra\", # a comment in the array\n]\n",
        ),
        _ => {}
    }
    if rng.chance() {
        text.push_str("\n[lints.rust]\nunsafe_code = \"forbid\"\n");
    }
    text
}

fn binary_manifest(rng: &mut Rng) -> String {
    let mut text =
        String::from("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    text.push_str(rng.pick(&[
        "\n[dependencies]\ndata = { path = \"../data\" }\n",
        "\n[dependencies]\nstore = { package = \"data\", path = \"../data\" } # renamed\n",
        "\n[dependencies.data]\npath = \"../data\"\noptional = true\n",
        "\n[dependencies]\ndata.path = \"../data\"\n",
        "\n[dependencies]\ndata = { path = \"../data\" }\nhc-schema-snapshot = { version = \"0.1\", default-features = false }\n",
    ]));
    text.push_str(rng.pick(&[
        "",
        "\n[features]\nprod-snapshot = [\"data/prod-snapshot\"]\n",
        "\n[features]\nprod-snapshot = [] # not forwarded yet\n",
        "\n[features]\nprod-snapshot = \"wrong\"\n",
    ]));
    text
}

/// `cargo metadata --no-deps` reads the workspace's manifests (and checks that every feature
/// names a real dependency) without resolving anything.
fn cargo_accepts(dir: &Path) -> Result<(), String> {
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A workspace that manages versions in `[workspace.dependencies]`: ours are added there and
/// the crates inherit them (`{ workspace = true }`); a member depending on another through
/// an inherited, renamed entry forwards the features under its own key; a rerun changes
/// nothing. A workspace that declares ours already only gets the inheriting entries.
#[test]
fn workspace_dependencies_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n# Versions live here.\n[workspace.dependencies]\nserde = \"1\"\ndb = { path = \"crates/data\", package = \"data\" }\n",
    );
    write(
        d,
        "crates/data/Cargo.toml",
        "[package]\nname = \"data\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde.workspace = true\n",
    );
    write(
        d,
        "crates/data/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(name))]\npub fn names() {}\n",
    );
    write(
        d,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndb = { workspace = true }\n",
    );
    write(d, "crates/app/src/main.rs", "fn main() { db::names(); }\n");
    let run = hc(d, &["init", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    let root = read(d, "Cargo.toml");
    assert!(
        root.contains(
            "# Versions live here.\n[workspace.dependencies]\nserde = \"1\"\ndb = { path = \"crates/data\", package = \"data\" }\nhc-schema-macro = \"0.1\"\nhc-schema-snapshot = \"0.1\"\n"
        ),
        "{root}"
    );
    assert!(
        run.stdout.contains(
            "Cargo.toml: [workspace.dependencies] added hc-schema-macro = \"0.1\" (the crates inherit it with `workspace = true`)"
        ),
        "{run:?}"
    );
    let data = read(d, "crates/data/Cargo.toml");
    assert!(
        data.contains(
            "[dependencies]\nserde.workspace = true\nhc-schema-macro = { workspace = true }\n"
        ),
        "{data}"
    );
    assert!(
        data.contains("[build-dependencies]\nhc-schema-snapshot = { workspace = true }\n"),
        "{data}"
    );
    let app = read(d, "crates/app/Cargo.toml");
    assert!(
        app.contains("[features]\nprod-snapshot = [\"db/prod-snapshot\"]\n"),
        "the inherited, renamed dependency forwards under its key: {app}"
    );
    assert_set_up(d, &["--env", "prod"]);

    // Ours declared already: only the inheriting entries are written.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nhc-schema-macro = \"0.1\"\nhc-schema-snapshot = { version = \"0.1\" }\n",
    );
    let run = hc(d, &["init", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !run.stdout.contains("[workspace.dependencies] added"),
        "{run:?}"
    );
    let data = read(d, "crates/data/Cargo.toml");
    assert!(
        data.contains("[dependencies]\nhc-schema-macro = { workspace = true }\n")
            && data.contains("[build-dependencies]\nhc-schema-snapshot = { workspace = true }\n"),
        "{data}"
    );
    assert_set_up(d, &["--env", "prod"]);
}

#[test]
fn generated_manifests_never_panic_and_init_is_idempotent() {
    let mut rng = Rng::exact(0x5eed_1234_abcd_0042);
    let mut outcomes = BTreeMap::new();
    let mut accepted = 0;
    for case in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root = rng.pick(&[
            "[workspace]\nmembers = [\"data\", \"app\"]\n",
            "[workspace]\nmembers = [\"*\"]\nresolver = \"2\"\n\n[profile.dev]\ndebug = 1\n",
            "[workspace]\nmembers = [\"data\", \"app\"]\n\n[profile.dev.build-override]\nopt-level = 2 # ours\n",
            "[workspace]\nmembers = [\"data\", \"app\"]\n[workspace.dependencies]\nhc-schema-snapshot = \"0.1\"\n",
            "[workspace]\nmembers = [\"data\", \"app\"]\n\n[workspace.dependencies]\nserde = \"1\" # ours\n",
            "[workspace]\nmembers = [\"data\", \"app\"]\nprofile = { dev = { opt-level = 1 } }\n",
        ]);
        let lib = library_manifest(&mut rng);
        let bin = binary_manifest(&mut rng);
        write(d, "Cargo.toml", root);
        write(d, "data/Cargo.toml", &lib);
        write(
            d,
            "data/src/lib.rs",
            "#[hc_schema_macro::hc_requires(account(name))]\npub fn f() {}\n",
        );
        write(d, "app/Cargo.toml", &bin);
        write(d, "app/src/main.rs", "fn main() {}\n");
        if rng.chance() {
            write(
                d,
                "data/build.rs",
                rng.pick(&[
                    "fn main() {}\n",
                    "fn main() {\n    hc_schema_snapshot::build::configure();\n}\n",
                    "fn helper() {}\n",
                ]),
            );
        }
        let accepted_before = cargo_accepts(d).is_ok();
        accepted += usize::from(accepted_before);
        let registry = rng.chance();
        let args: &[&str] = if registry { &["--registry"] } else { &[] };
        let mut first = vec!["init"];
        first.extend_from_slice(args);
        let run = hc(d, &first);
        let context = format!(
            "case {case}\n--- Cargo.toml\n{root}--- data\n{lib}--- app\n{bin}--- run\n{run:?}"
        );
        assert!(!run.stderr.contains("panicked"), "{context}");
        assert!([0, 1, 2].contains(&run.code), "{context}");
        *outcomes.entry(run.code).or_insert(0) += 1;
        if run.code == 2 {
            assert!(run.stderr.starts_with("error: "), "{context}");
            assert!(
                !d.join("hc-schema.toml").exists(),
                "an error wrote files: {context}"
            );
            continue;
        }
        // Every manifest still parses, and every edit is kept by a second run.
        for path in ["Cargo.toml", "data/Cargo.toml", "app/Cargo.toml"] {
            let text = read(d, path);
            assert!(
                text.parse::<toml::Table>().is_ok(),
                "{path} no longer parses: {context}\n{text}"
            );
        }
        // Cargo itself reads the result (features name real dependencies, keys are valid),
        // when it read the input.
        if accepted_before {
            if let Err(err) = cargo_accepts(d) {
                panic!(
                    "cargo rejects what init wrote: {context}\n{err}\n--- data\n{}--- app\n{}",
                    read(d, "data/Cargo.toml"),
                    read(d, "app/Cargo.toml")
                );
            }
        }
        let after = files(d);
        let run2 = hc(d, &first);
        assert_eq!(
            files(d),
            after,
            "init twice != init once: {context}\n{run2:?}"
        );
        let mut check = vec!["init", "--check"];
        check.extend_from_slice(args);
        let run3 = hc(d, &check);
        assert_eq!(
            run3.code, run.code,
            "--check after init: {context}\n{run3:?}"
        );
        if run.code == 0 {
            let data = read(d, "data/Cargo.toml");
            assert!(data.contains("prod-snapshot"), "{context}\n{data}");
            let app = read(d, "app/Cargo.toml");
            assert!(
                app.contains("/prod-snapshot"),
                "not forwarded: {context}\n{app}"
            );
        }
    }
    assert!(
        accepted > 10,
        "the generator makes valid workspaces too: {accepted}"
    );
    // The generator reaches both clean runs and refusals.
    assert!(outcomes.get(&0).copied().unwrap_or(0) > 10, "{outcomes:?}");
    assert!(outcomes.get(&2).copied().unwrap_or(0) > 0, "{outcomes:?}");
}

/// End to end: after `init` on a generated workspace (an annotated library, a binary that
/// depends on it and has no annotation of its own), `cargo build --features prod-snapshot` of
/// the binary checks the library against prod: it fails at the column prod lacks, and the
/// test build passes. The hc-schema crates come from this repository through
/// `[patch.crates-io]`, so the `"0.1"` requirements init writes resolve to them offline.
#[test]
fn after_init_the_binary_prod_build_checks_the_library_against_prod() {
    use hc_schema_tests::cargo::{cargo, run, snapshot_json, workspace};

    let dir = tempfile::Builder::new()
        .prefix("hc-schema-init-e2e-")
        .tempdir()
        .unwrap();
    let d = dir.path();
    let repo = workspace().display().to_string();
    // An explicit build-override opt-level (kept by init) lets this build share the nested
    // target's build dependencies with the other end-to-end tests.
    write(
        d,
        "Cargo.toml",
        &format!(
            "[workspace]\nmembers = [\"crates/data\", \"crates/app\"]\nresolver = \"2\"\n\n\
             [profile.dev.build-override]\nopt-level = 0\n\n\
             [patch.crates-io]\nhc-schema-macro = {{ path = \"{repo}/hc-schema-macro\" }}\n\
             hc-schema-snapshot = {{ path = \"{repo}/hc-schema-snapshot\" }}\n"
        ),
    );
    std::fs::copy(workspace().join("Cargo.lock"), d.join("Cargo.lock")).unwrap();
    write(
        d,
        "crates/data/Cargo.toml",
        "[package]\nname = \"data\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n",
    );
    write(
        d,
        "crates/data/src/lib.rs",
        "use hc_schema_macro::hc_requires;\n\n#[hc_requires(account(name, loyalty_tier__c))]\npub fn tiers() -> u32 {\n    1\n}\n",
    );
    write(
        d,
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nloyalty = { package = \"data\", path = \"../data\" }\n",
    );
    write(
        d,
        "crates/app/src/main.rs",
        "fn main() {\n    println!(\"{}\", loyalty::tiers());\n}\n",
    );
    write(
        d,
        "hc-schema/test.json",
        &snapshot_json("test", &[("account", &["id", "name", "loyalty_tier__c"])]),
    );
    write(
        d,
        "hc-schema/prod.json",
        &snapshot_json("prod", &[("account", &["id", "name"])]),
    );

    let init = hc(d, &["init", "--env", "test", "--env", "prod"]);
    assert_eq!(init.code, 0, "{init:?}");
    assert!(
        init.stdout.contains(
            "crates/app/Cargo.toml: [features] added prod-snapshot = [\"loyalty/prod-snapshot\"]"
        ),
        "{init:?}"
    );
    assert!(read(d, "Cargo.toml").contains("opt-level = 0"), "kept");

    let build = |feature: &str| {
        let mut command = cargo(d);
        command.args([
            "build",
            "--offline",
            "--quiet",
            "-p",
            "app",
            "--features",
            feature,
        ]);
        let (output, stderr) = run(&mut command);
        (output.status.success(), stderr)
    };
    let (ok, stderr) = build("prod-snapshot");
    assert!(!ok, "the prod build of the binary passed: {stderr}");
    assert!(
        stderr.contains("`account.loyalty_tier__c` is not mapped in prod"),
        "{stderr}"
    );
    assert!(stderr.contains("crates/data/src/lib.rs"), "{stderr}");
    let (ok, stderr) = build("test-snapshot");
    assert!(ok, "the test build failed: {stderr}");
}

#[test]
fn a_named_crate_is_set_up_and_a_root_package_is_a_member_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The root is a package (a binary) and the workspace; `data` mentions no macro yet.
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndata = { path = \"data\" }\n\n[workspace]\nmembers = [\"data\"]\n",
    );
    write(d, "src/main.rs", "fn main() {}\n");
    write(
        d,
        "data/Cargo.toml",
        "[package]\nname = \"data\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(d, "data/src/lib.rs", "pub fn f() {}\n");
    let run = hc(d, &["init", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("no crate mentions hc_requires"),
        "{run:?}"
    );
    assert!(
        !read(d, "data/Cargo.toml").contains("hc-schema"),
        "nothing to set up"
    );

    let run = hc(d, &["init", "--env", "prod", "--crate", "data"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(read(d, "data/Cargo.toml").contains("hc-schema-macro = \"0.1\""));
    assert!(d.join("data/build.rs").is_file());
    let root = read(d, "Cargo.toml");
    assert!(
        root.contains("prod-snapshot = [\"data/prod-snapshot\"]"),
        "{root}"
    );
    assert!(
        root.contains("[profile.dev.build-override]\nopt-level = 3"),
        "{root}"
    );
    assert!(
        !d.join("build.rs").exists(),
        "the root binary has no annotation"
    );
    assert_set_up(d, &["--env", "prod", "--crate", "data"]);
}

#[test]
fn a_config_above_the_workspace_is_completed_not_shadowed() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    write(top, "hc-schema.toml", "schema = \"org\"\n\n[env.test]\n");
    let d = &top.join("services/shop");
    write(d, "Cargo.toml", SINGLE);
    write(d, "src/main.rs", SHOP_MAIN);
    // No --env: the file's environments (test).
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !d.join("hc-schema.toml").exists(),
        "no second config below the first"
    );
    let manifest = read(d, "Cargo.toml");
    assert!(manifest.contains("test-snapshot = []"), "{manifest}");
    assert!(!manifest.contains("prod-snapshot"), "{manifest}");
    // --env prod adds prod to the file above, and test stays set up.
    let run = hc(d, &["init", "--env", "prod"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(read(top, "hc-schema.toml")
        .contains("[env.prod]\ndatabase_url_env = \"HC_PROD_DATABASE_URL\""));
    assert!(read(d, "Cargo.toml").contains("prod-snapshot = []"));
    assert_set_up(d, &["--env", "prod"]);
}

#[test]
fn snapshots_kept_next_to_a_crate_stay_where_the_builds_find_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    // Without a config file each crate's builds read `<crate>/hc-schema/`.
    write(
        d,
        "crates/data/hc-schema/staging.json",
        &hc_schema_tests::cargo::snapshot_json("staging", &[("account", &["name"])]),
    );
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    let config = read(d, "hc-schema.toml");
    assert!(
        config.contains("snapshot_dir = \"crates/data/hc-schema\""),
        "{config}"
    );
    assert!(config.contains("[env.staging]"), "{config}");
    assert!(read(d, "crates/app/Cargo.toml")
        .contains("staging-snapshot = [\"store/staging-snapshot\"]"));
    let run = hc(d, &["check", "--env", "staging"]);
    assert_eq!(run.code, 0, "the config points at the snapshots: {run:?}");
    assert_set_up(d, &[]);

    // Two crates with their own snapshots: one root config cannot serve both.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    write(
        d,
        "crates/data/hc-schema/test.json",
        &hc_schema_tests::cargo::snapshot_json("test", &[]),
    );
    write(
        d,
        "crates/app/src/main.rs",
        "#[hc_schema_macro::hc_requires(account(name))]\nfn main() {}\n",
    );
    write(
        d,
        "crates/app/hc-schema/test.json",
        &hc_schema_tests::cargo::snapshot_json("test", &[]),
    );
    let before = files(d);
    let run = hc(d, &["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("snapshots are kept in several directories (crates/app/hc-schema, crates/data/hc-schema)"),
        "{run:?}"
    );
    assert_eq!(files(d), before, "nothing written");
}

#[test]
fn check_catches_a_new_crate_that_does_not_forward_the_features() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    library_and_binary(d);
    assert_eq!(hc(d, &["init"]).code, 0);
    assert_eq!(hc(d, &["init", "--check"]).code, 0);
    // Later a second binary starts depending on the library: its prod build would check
    // nothing against prod until it forwards prod-snapshot.
    write(
        d,
        "crates/worker/Cargo.toml",
        "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndata = { path = \"../data\" }\n",
    );
    write(d, "crates/worker/src/main.rs", "fn main() {}\n");
    let before = files(d);
    let run = hc(d, &["init", "--check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "crates/worker/Cargo.toml: [features] added prod-snapshot = [\"data/prod-snapshot\"]"
        ),
        "{run:?}"
    );
    assert_eq!(files(d), before, "--check writes nothing");
    // A build script that loses its call is caught too.
    write(d, "crates/data/build.rs", "fn main() {}\n");
    let run = hc(d, &["init", "--check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("crates/data/build.rs: added"),
        "{run:?}"
    );
}
