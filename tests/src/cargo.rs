//! Real cargo builds of the example app and of crates generated in temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// The target directory nested builds share (separate from the outer build's, whose lock the
/// running `cargo test` holds): `target/tests/trybuild`, the directory trybuild compiles the UI
/// cases in (`ui-tests`), so that the UI cases reuse the host builds of the proc macro and its
/// dependencies (sqlparser, syn, the library) that the nested builds made, instead of a cold
/// compile of their own. The UI test gives trybuild's cargo the settings of [`NESTED_PROFILE`].
pub fn nested_target() -> PathBuf {
    workspace().join("target").join("tests").join("trybuild")
}

/// The profile settings every nested build gets from its environment, whatever its manifest
/// says (`ui-tests/tests/ui.rs` sets the same for trybuild's cargo; a test checks they agree):
///
/// - one explicit `[profile.dev.build-override]` (opt-level 0, the dev profile's line tables):
///   cargo hashes an implicit and an explicit build override apart (the `init` test writes
///   `opt-level = 0`, the Quickstart's README asks for 3), and without an explicit `debug` it
///   gives a build dependency that the graph also links into the program (`log` under
///   tokio-postgres) the program's debug info, so every graph with `fetch` had its own
///   sqlparser, hc-schema-snapshot and hc-schema-macro for the host. One setting lets all the
///   generated crates share one host build of them in [`nested_target`]. The setting is the
///   dev profile's `debug`, not cargo's `0` for build scripts and proc macros: a crate that a
///   graph uses both at build time and in the program with the same features (serde,
///   serde_json, toml, winnow, libc, memchr, thiserror, ...) is then one unit, compiled once
///   instead of once per side (cargo shares it when no `--target` is given);
/// - the workspace's own `debug = "line-tables-only"` (its `Cargo.toml`): panics keep their
///   line numbers, and the generated crates, whose manifests have no profile, share their
///   dependencies with the nested builds of the workspace (the CLI, the packaged crates);
/// - no incremental compilation (trybuild's cargo runs with `CARGO_INCREMENTAL=0`, and cargo
///   rebuilds a path dependency whose incremental setting changed): each nested crate is built
///   from a cold start once, where incremental compilation only adds work.
pub const NESTED_PROFILE: [(&str, &str); 4] = [
    ("CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL", "0"),
    ("CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG", "line-tables-only"),
    ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
    ("CARGO_INCREMENTAL", "0"),
];

/// A cargo command with a clean environment for nested builds, with [`NESTED_PROFILE`].
pub fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target())
        .envs(NESTED_PROFILE);
    for var in [
        "HC_SCHEMA_SNAPSHOT",
        "HC_SCHEMA_ENV",
        "HC_SCHEMA_SELECTION",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        command.env_remove(var);
    }
    command.env("CARGO_TERM_COLOR", "never");
    command
}

/// Run and return the output, with stderr as text.
pub fn run(command: &mut Command) -> (Output, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

/// A crate generated in a temporary directory, depending on the workspace's hc-schema crates,
/// with the workspace's Cargo.lock so that it resolves to the same versions.
pub struct TempCrate {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl TempCrate {
    /// A crate named `name` with a build script calling `configure()`, `features` as
    /// `<env>-snapshot` style features, and `files` (path, content) written under it.
    pub fn new(name: &str, features: &[&str], files: &[(&str, &str)]) -> TempCrate {
        let dir = tempfile::Builder::new()
            .prefix("hc-schema-e2e-")
            .tempdir()
            .expect("temp dir");
        let ws = workspace();
        let features: String = features.iter().map(|f| format!("{f} = []\n")).collect();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [workspace]\n\n[features]\n{features}\n\
             [dependencies]\nhc-schema-macro = {{ path = \"{0}/hc-schema-macro\" }}\n\
             hc-schema-snapshot = {{ path = \"{0}/hc-schema-snapshot\" }}\n\n\
             [build-dependencies]\nhc-schema-snapshot = {{ path = \"{0}/hc-schema-snapshot\" }}\n",
            ws.display()
        );
        let krate = TempCrate { dir };
        krate.write("Cargo.toml", &manifest);
        krate.write(
            "build.rs",
            "fn main() { hc_schema_snapshot::build::configure(); }\n",
        );
        std::fs::copy(ws.join("Cargo.lock"), krate.path().join("Cargo.lock"))
            .expect("copy Cargo.lock");
        for (path, content) in files {
            krate.write(path, content);
        }
        krate
    }

    /// The crate directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file (creating directories).
    pub fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }

    /// `cargo build` with extra arguments and environment.
    pub fn build(&self, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
        let mut command = cargo(self.path());
        command.arg("build").arg("--quiet").args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let (output, stderr) = run(&mut command);
        (output.status.success(), stderr)
    }
}

impl TempCrate {
    /// `cargo run` with extra arguments; success and stdout (stderr on failure).
    pub fn run(&self, args: &[&str]) -> (bool, String) {
        let mut command = cargo(self.path());
        command.arg("run").arg("--quiet").args(args);
        let (output, stderr) = run(&mut command);
        if output.status.success() {
            (true, String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            (false, stderr)
        }
    }

    /// Enable hc-schema-snapshot's feature `query` in `[dependencies]` (the runtime
    /// `hc_query!`'s generated code runs on; the build dependency stays without it).
    pub fn enable_query_runtime(&self) {
        let manifest = self.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("manifest");
        let line = format!(
            "hc-schema-snapshot = {{ path = \"{}/hc-schema-snapshot\" }}\n",
            workspace().display()
        );
        assert!(
            text.contains(&line),
            "no hc-schema-snapshot dependency in {text}"
        );
        let text = text.replacen(
            &line,
            &line.replace(" }\n", ", features = [\"query\"] }\n"),
            1,
        );
        std::fs::write(manifest, text).expect("write manifest");
    }

    /// Add `[dependencies]` lines to the manifest.
    pub fn add_dependencies(&self, lines: &str) {
        let manifest = self.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("manifest");
        let text = text.replacen("[dependencies]\n", &format!("[dependencies]\n{lines}"), 1);
        std::fs::write(manifest, text).expect("write manifest");
    }
}

/// A snapshot JSON text for `env` with `tables` as `(table, [columns])`.
///
/// ```
/// let text = hc_schema_tests::cargo::snapshot_json("prod", &[("account", &["name"])]);
/// let snapshot = hc_schema_snapshot::Snapshot::parse(&text, "prod.json", "prod").unwrap();
/// assert!(snapshot.has_column("account", "name"));
/// ```
pub fn snapshot_json(env: &str, tables: &[(&str, &[&str])]) -> String {
    let tables: Vec<String> = tables
        .iter()
        .map(|(table, columns)| {
            let columns: Vec<String> = columns.iter().map(|c| format!("\"{c}\": {{}}")).collect();
            format!(
                "\"{table}\": {{ \"columns\": {{ {} }} }}",
                columns.join(", ")
            )
        })
        .collect();
    format!(
        "{{ \"format\": 1, \"environment\": \"{env}\", \"schema\": \"salesforce\", \"tables\": {{ {} }} }}\n",
        tables.join(", ")
    )
}

/// The `hc-schema` command: the one the running `cargo test --workspace` built into this
/// checkout's `target/` when it is fresh ([`outer_hc_schema_cli`]), else built once per test
/// process into the nested target directory (the suite does not depend on the CLI crate, and
/// the running `cargo test` holds the outer target's lock).
///
/// The path returned is a hard link in `suite-bin/` (same file name, so the command names
/// itself as users see it), made once per process: the packaging test builds the packaged
/// `hc-schema` in the nested target directory, and cargo replaces `debug/hc-schema` (remove,
/// then link) when it does, which a test starting the command at that moment would see as
/// missing.
pub fn hc_schema_cli() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let built = match std::env::current_exe()
                .ok()
                .and_then(|exe| outer_hc_schema_cli(&exe))
            {
                Some(outer) => outer,
                None => {
                    let mut command = cargo(&workspace());
                    command.args(["build", "--quiet", "-p", "hc-schema", "--bin", "hc-schema"]);
                    let (output, stderr) = run(&mut command);
                    assert!(
                        output.status.success(),
                        "building the hc-schema command failed:\n{stderr}"
                    );
                    nested_target().join("debug/hc-schema")
                }
            };
            let dir = nested_target().join("suite-bin");
            std::fs::create_dir_all(&dir).expect("create the suite-bin directory");
            let linked = dir.join("hc-schema");
            let _ = std::fs::remove_file(&linked);
            if std::fs::hard_link(&built, &linked).is_err() {
                std::fs::copy(&built, &linked).unwrap_or_else(|e| {
                    panic!(
                        "cannot copy {} to {}: {e}",
                        built.display(),
                        linked.display()
                    )
                });
            }
            linked
        })
        .clone()
}

/// The `hc-schema` binary beside the running test binary `exe` (`<target>/<profile>/deps/..`),
/// when it can be trusted to be this checkout's current CLI: the target directory is this
/// checkout's own `target/` (a `CARGO_TARGET_DIR` shared with another checkout may hold that
/// checkout's binary), and the binary is newer than every file it is built from (the sources
/// and manifests of `hc-schema-cli` and `hc-schema-snapshot`, the workspace manifest,
/// `Cargo.lock`). `cargo test --workspace` builds it for the CLI's integration tests before any
/// test runs; a narrower run (`--test suite`) leaves an older one, which is never used: `None`,
/// and the caller builds it.
pub fn outer_hc_schema_cli(exe: &Path) -> Option<PathBuf> {
    let deps = exe.parent()?;
    let profile_dir = deps.parent()?;
    if deps.file_name()? != "deps" || profile_dir.parent()? != workspace().join("target") {
        return None;
    }
    let binary = profile_dir.join(format!("hc-schema{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&binary).ok()?.modified().ok()?;
    let ws = workspace();
    let sources = [
        ws.join("Cargo.toml"),
        ws.join("Cargo.lock"),
        ws.join("hc-schema-cli/Cargo.toml"),
        ws.join("hc-schema-cli/src"),
        ws.join("hc-schema-snapshot/Cargo.toml"),
        ws.join("hc-schema-snapshot/build.rs"),
        ws.join("hc-schema-snapshot/src"),
    ];
    let newest = sources.iter().try_fold(None, |newest, path| {
        Some(newest.max(newest_modification(path)?))
    })?;
    (newest.is_some_and(|newest| built > newest)).then_some(binary)
}

/// The newest modification time of `path` and, for a directory, of everything under it
/// (symbolic links followed, as cargo reads them; `Some(None)`: nothing there); `None` when
/// something cannot be read (the caller then does not trust the binary).
fn newest_modification(path: &Path) -> Option<Option<std::time::SystemTime>> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(None),
        Err(_) => return None,
    };
    let mut newest = Some(metadata.modified().ok()?);
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path).ok()? {
            newest = newest.max(newest_modification(&entry.ok()?.path())?);
        }
    }
    Some(newest)
}

/// `[patch.crates-io]` lines pointing the published hc-schema crates at this workspace, for a
/// generated project whose manifests depend on them by version (as users write them).
pub fn patch_crates_io() -> String {
    let ws = workspace();
    format!(
        "\n[patch.crates-io]\n\
         hc-schema-macro = {{ path = \"{0}/hc-schema-macro\" }}\n\
         hc-schema-snapshot = {{ path = \"{0}/hc-schema-snapshot\" }}\n",
        ws.display()
    )
}
