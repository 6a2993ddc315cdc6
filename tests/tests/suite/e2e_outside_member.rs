//! End-to-end: a workspace member whose directory is outside the workspace root's
//! (`members = ["../data"]`, `package.workspace = "../ws"`): its build reads the root's
//! `hc-schema.toml` (here a non-default `snapshot_dir`), as a member under the root does, and
//! `hc-schema check` at the root checks its code against the same snapshots: the build and the
//! CLI fail and pass together (issue 19: no silent default for such a member).

use std::path::Path;

use hc_schema_tests::cargo::{cargo, hc_schema_cli, run, snapshot_json, workspace};
use hc_schema_tests::cli;

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

#[test]
fn a_member_outside_the_root_uses_the_workspace_config_in_build_and_check() {
    let dir = tempfile::Builder::new()
        .prefix("hc-schema-outside-")
        .tempdir()
        .unwrap();
    let top = dir.path();
    let ws = workspace().display().to_string();
    write(
        top,
        "ws/Cargo.toml",
        "[workspace]\nmembers = [\"../data\"]\nresolver = \"2\"\n",
    );
    write(top, "ws/hc-schema.toml", "snapshot_dir = \"snaps\"\n");
    write(
        top,
        "ws/snaps/test.json",
        &snapshot_json("test", &[("account", &["name", "loyalty_tier__c"])]),
    );
    write(
        top,
        "ws/snaps/prod.json",
        &snapshot_json("prod", &[("account", &["name"])]),
    );
    write(
        top,
        "data/Cargo.toml",
        &format!(
            "[package]\nname = \"data\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\
             workspace = \"../ws\"\n\n\
             [features]\ntest-snapshot = []\nprod-snapshot = []\n\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{ws}/hc-schema-macro\" }}\n\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{ws}/hc-schema-snapshot\" }}\n"
        ),
    );
    write(
        top,
        "data/build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(
        top,
        "data/src/lib.rs",
        "use hc_schema_macro::hc_requires;\n\n#[hc_requires(account(name, loyalty_tier__c))]\npub fn tiers() -> u32 { 1 }\n",
    );
    std::fs::copy(workspace().join("Cargo.lock"), top.join("ws/Cargo.lock")).unwrap();
    let root = top.join("ws");
    let build = |feature: &str| {
        let mut command = cargo(&root);
        command.args(["build", "--quiet", "-p", "data", "--features", feature]);
        let (output, stderr) = run(&mut command);
        (output.status.success(), stderr)
    };
    let check = |env: &str| {
        cli::run(
            hc_schema_cli().to_str().unwrap(),
            &root,
            &["check", "--env", env],
            &[],
            &["HC_SCHEMA_ENV", "HC_SCHEMA_SNAPSHOT"],
        )
    };
    let message = "`account.loyalty_tier__c` is not mapped in prod (snaps/prod.json)";
    let (ok, stderr) = build("prod-snapshot");
    assert!(!ok, "built against prod:\n{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    let run = check("prod");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(message), "{}", run.stdout);
    let (ok, stderr) = build("test-snapshot");
    assert!(ok, "{stderr}");
    let run = check("test");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
