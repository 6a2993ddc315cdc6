//! Which snapshots a build (or `hc-schema check`) checks against.
//!
//! Precedence, first match wins:
//! 1. `HC_SCHEMA_SNAPSHOT=<path>`: exactly that file;
//! 2. `HC_SCHEMA_ENV=prod` (or `test,prod`): those environments;
//! 3. cargo features named `<env>-snapshot`;
//! 4. `default_envs` in `hc-schema.toml`;
//! 5. every snapshot in the snapshot directory (strictest).
//!
//! The build script encodes the [`Selection`] into the `HC_SCHEMA_SELECTION` rustc environment
//! variable; the macro decodes it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Project;
pub use crate::paths::display_path;
use crate::snapshot::env_of_path;

/// Environment variable naming one snapshot file to check against.
pub const SNAPSHOT_VAR: &str = "HC_SCHEMA_SNAPSHOT";
/// Environment variable naming the environments to check against (comma separated).
pub const ENV_VAR: &str = "HC_SCHEMA_ENV";
/// The rustc environment variable through which the build script hands the selection to the macro.
pub const SELECTION_VAR: &str = "HC_SCHEMA_SELECTION";

/// Why these snapshots were selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// `HC_SCHEMA_SNAPSHOT`.
    SnapshotVar,
    /// `HC_SCHEMA_ENV`.
    EnvVar,
    /// `<env>-snapshot` cargo features.
    Features,
    /// `default_envs` in `hc-schema.toml`.
    DefaultEnvs,
    /// Every snapshot in the snapshot directory.
    AllSnapshots,
}

impl Reason {
    /// A short phrase for messages: "selected by HC_SCHEMA_ENV".
    pub fn describe(self) -> &'static str {
        match self {
            Reason::SnapshotVar => "HC_SCHEMA_SNAPSHOT",
            Reason::EnvVar => "HC_SCHEMA_ENV",
            Reason::Features => "the <env>-snapshot cargo features",
            Reason::DefaultEnvs => "default_envs in hc-schema.toml",
            Reason::AllSnapshots => "every snapshot in the snapshot directory",
        }
    }
}

/// What a snapshot file looked like when the build script read it: its size and modification
/// time. The macro compares it with the file as it is now, so that a snapshot changed behind
/// cargo's back (or another checkout's selection) is never judged by a stale index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 when unknown).
    pub modified_ns: u64,
}

impl Stamp {
    /// The stamp of the file at `path` now, or `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        Some(Stamp {
            len: meta.len(),
            modified_ns,
        })
    }
}

/// One snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRef {
    /// Environment name.
    pub env: String,
    /// Absolute (or as given) path of the file.
    pub path: PathBuf,
    /// The path as shown to users, relative to the workspace when possible.
    pub display: String,
    /// The snapshot's [`crate::NameIndex`], written by the build script to `OUT_DIR` when
    /// the snapshot loads; the macro checks against it instead of parsing the JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<PathBuf>,
    /// The file as the build script read it (size, modification time), when it could (every
    /// snapshot of the directory, selected or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
}

/// The outcome of selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Why.
    pub reason: Reason,
    /// The snapshots every requirement must hold in.
    pub selected: Vec<SnapshotRef>,
    /// Every other snapshot in the directory: consulted only to explain a failure
    /// ("mapped in: test").
    pub others: Vec<SnapshotRef>,
    /// The snapshot directory, as shown to users.
    pub snapshot_dir: String,
    /// Changes whenever a selected file changes, so that cargo rebuilds the crate.
    #[serde(default)]
    pub fingerprint: String,
    /// Whether annotations register their requirements (`[registry] enabled`).
    #[serde(default)]
    pub registry: bool,
    /// Whether a write to a table of unknown mapping access fails (`[check] strict_access`).
    #[serde(default)]
    pub strict_access: bool,
    /// Whether a typed declaration over a snapshot without column types fails (`[check]
    /// strict_types`).
    #[serde(default)]
    pub strict_types: bool,
    /// What the macro does with a requirement another macro produced (`[check]
    /// macro_generated`; absent in an older encoding: the strict default).
    #[serde(default)]
    pub macro_generated: crate::config::MacroGenerated,
    /// The levels of the SQL lints of `[check]` that the build applies to the SQL strings
    /// inside annotated items as `hc-schema check` does (absent in an older encoding: the
    /// defaults).
    #[serde(default)]
    pub lints: Lints,
    /// The crate the selection was made for (its `CARGO_MANIFEST_DIR`), when made by a build
    /// script. Two checkouts sharing one target directory share the build script's output; the
    /// macro compares this with its own crate and selects again when they differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_dir: Option<PathBuf>,
    /// The environments named by the `<env>-snapshot` features the build script saw (cargo
    /// features are not visible to the macro; they are the same for both checkouts of a unit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feature_envs: Vec<String>,
    /// The name under which the crate depends on `hc-schema-snapshot` in `[dependencies]`
    /// (`hc_schema_snapshot`, or a rename), which the registry's records are emitted through;
    /// `None` when it does not (then, with the registry on, the macro says what to add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_crate: Option<String>,
    /// The [`crate::types_index::TypesIndex`] of every snapshot of the directory (selected
    /// or not), written by the build script to `OUT_DIR`; the macro asks it for column types
    /// and drift instead of parsing the snapshots. `None` without a build script, when it
    /// could not be written, or (in the macro) when a snapshot changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<TypesRef>,
}

/// Where the build script wrote the types index, and the fingerprint of every snapshot's
/// bytes it was made from (also inside the file: a file rewritten for other snapshots is
/// never read for these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypesRef {
    /// The index file.
    pub path: PathBuf,
    /// The fingerprint of every snapshot of the directory (paths and bytes).
    pub fingerprint: String,
}

/// The levels of `[check] undeclared`, `skipped` and `star`, as the build applies them to the
/// SQL strings inside annotated items, and `unguarded`, which the build records for the
/// release phase (strings outside annotated items reach no macro: see
/// [`crate::registry::Record::with_unguarded_warn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lints {
    /// `[check] undeclared`.
    #[serde(default)]
    pub undeclared: crate::config::LintLevel,
    /// `[check] skipped` (absent: `warn`, as in `hc-schema.toml`).
    #[serde(default = "warn")]
    pub skipped: crate::config::LintLevel,
    /// `[check] star`.
    #[serde(default)]
    pub star: crate::config::StarLevel,
    /// `[check] unguarded`.
    #[serde(default)]
    pub unguarded: crate::config::LintLevel,
}

fn warn() -> crate::config::LintLevel {
    crate::config::LintLevel::Warn
}

impl Default for Lints {
    /// The defaults of `[check]`.
    fn default() -> Lints {
        Lints::of(&crate::config::CheckConfig::default())
    }
}

impl Lints {
    /// The levels of `check`.
    pub fn of(check: &crate::config::CheckConfig) -> Lints {
        Lints {
            undeclared: check.undeclared,
            skipped: check.skipped,
            star: check.star,
            unguarded: check.unguarded,
        }
    }

    /// A `[check]` with these levels (and the defaults otherwise), for
    /// `sqlcheck::SqlFindingKind::severity`.
    pub fn check_config(self) -> crate::config::CheckConfig {
        crate::config::CheckConfig {
            undeclared: self.undeclared,
            skipped: self.skipped,
            star: self.star,
            unguarded: self.unguarded,
            ..crate::config::CheckConfig::default()
        }
    }
}

/// The rustc environment variable through which the build script hands the macros the Heroku
/// Connect schema of each environment it knows ([`CheckedSchema`]), for the registry records:
/// the release-phase verify checks the schema the build checked, not a default.
pub const CHECKED_VAR: &str = "HC_SCHEMA_CHECKED";

/// The Heroku Connect schema of one environment, as the build knew it: for a selected
/// environment the `schema` of its snapshot (what the build checked), for the others the
/// configured one (`[env.<env>] schema`, else `schema`, else `salesforce`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CheckedSchema {
    /// The environment.
    pub env: String,
    /// Its Heroku Connect schema.
    pub schema: String,
    /// Whether the build checked the code against this environment.
    pub selected: bool,
}

impl CheckedSchema {
    /// Encode a list for `cargo:rustc-env`.
    pub fn encode(list: &[CheckedSchema]) -> String {
        serde_json::to_string(list).expect("a list of schemas always serializes")
    }

    /// The list the build script of the crate being compiled handed over (`HC_SCHEMA_CHECKED`;
    /// empty without one, as in a crate without a build script).
    pub fn of_this_build() -> Vec<CheckedSchema> {
        std::env::var(CHECKED_VAR)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }
}

/// The rustc environment variable through which the build script hands `hc_sql!` what it
/// needs besides the selection ([`SqlSetup`]).
pub const SQL_VAR: &str = "HC_SCHEMA_SQL";

/// What `hc_sql!` needs besides the selection, written by the build script: which schemas are
/// Heroku Connect's, and the names every snapshot knows (to tell Heroku Connect tables from
/// the app's own, and to resolve unqualified columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlSetup {
    /// The Heroku Connect schema names: `schema_for(env)` of every environment with a
    /// snapshot, and the `schema` recorded in every snapshot; sorted, no duplicates.
    pub schemas: Vec<String>,
    /// The [`crate::NameIndex`] of the union of every snapshot's tables and columns (selected
    /// or not), in `OUT_DIR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<PathBuf>,
    /// Changes whenever the content of `known` changes (so that cargo re-checks the crate).
    #[serde(default)]
    pub fingerprint: String,
}

impl SqlSetup {
    /// Encode for `cargo:rustc-env`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a setup always serializes")
    }

    /// Decode what [`SqlSetup::encode`] wrote.
    pub fn decode(text: &str) -> Result<SqlSetup, String> {
        serde_json::from_str(text).map_err(|err| {
            format!(
                "{SQL_VAR} is not understood ({err}); the build script and the macro come from \
                 different hc-schema versions: use one version of hc-schema-snapshot and \
                 hc-schema-macro"
            )
        })
    }
}

/// What selection looks at.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Value of `HC_SCHEMA_SNAPSHOT`.
    pub snapshot_var: Option<String>,
    /// Value of `HC_SCHEMA_ENV`.
    pub env_var: Option<String>,
    /// Environments named by enabled `<env>-snapshot` features.
    pub feature_envs: Vec<String>,
}

/// Select snapshots for `project`. `display_base` is the directory user-facing paths are
/// relative to (the workspace root).
pub fn select(inputs: &Inputs, project: &Project, display_base: &Path) -> Selection {
    let dir = project.snapshot_dir();
    let available = project.available_envs();
    let make = |env: &str| {
        let path = project.snapshot_path(env);
        SnapshotRef {
            env: env.to_string(),
            display: display_path(&path, display_base),
            path,
            index: None,
            stamp: None,
        }
    };
    let (reason, envs): (Reason, Vec<String>) = if let Some(path) = inputs
        .snapshot_var
        .as_deref()
        .filter(|v| !v.trim().is_empty())
    {
        let path = project.root.join(path.trim());
        let selected = vec![SnapshotRef {
            env: env_of_path(&path),
            display: display_path(&path, display_base),
            path,
            index: None,
            stamp: None,
        }];
        let others = available
            .iter()
            .filter(|env| project.snapshot_path(env) != selected[0].path)
            .map(|env| make(env))
            .collect();
        return Selection {
            reason: Reason::SnapshotVar,
            selected,
            others,
            snapshot_dir: display_path(&dir, display_base),
            fingerprint: String::new(),
            registry: project.config.registry.enabled,
            strict_access: project.config.check.strict_access,
            strict_types: project.config.check.strict_types,
            macro_generated: project.config.check.macro_generated,
            lints: Lints::of(&project.config.check),
            manifest_dir: None,
            feature_envs: inputs.feature_envs.clone(),
            registry_crate: None,
            types: None,
        };
    } else if let Some(list) = inputs.env_var.as_deref().filter(|v| !v.trim().is_empty()) {
        (Reason::EnvVar, split_list(list))
    } else if !inputs.feature_envs.is_empty() {
        (Reason::Features, inputs.feature_envs.clone())
    } else if let Some(envs) = &project.config.default_envs {
        (Reason::DefaultEnvs, envs.clone())
    } else {
        (Reason::AllSnapshots, available.clone())
    };
    let mut envs = envs;
    envs.sort();
    envs.dedup();
    let others = available
        .iter()
        .filter(|env| !envs.contains(env))
        .map(|env| make(env))
        .collect();
    Selection {
        reason,
        selected: envs.iter().map(|env| make(env)).collect(),
        others,
        snapshot_dir: display_path(&dir, display_base),
        fingerprint: String::new(),
        registry: project.config.registry.enabled,
        strict_access: project.config.check.strict_access,
        strict_types: project.config.check.strict_types,
        macro_generated: project.config.check.macro_generated,
        lints: Lints::of(&project.config.check),
        manifest_dir: None,
        feature_envs: inputs.feature_envs.clone(),
        registry_crate: None,
        types: None,
    }
}

/// The selection for the crate at `manifest_dir` (a build): the project is found from the
/// crate, a relative `HC_SCHEMA_SNAPSHOT` is relative to the crate, and paths are shown
/// relative to the crate's workspace. Used by the build script and, when the build script's
/// output belongs to another checkout, by the macro.
pub fn select_for_crate(
    manifest_dir: &Path,
    inputs: &Inputs,
) -> Result<Selection, crate::config::ConfigError> {
    let project = Project::discover(manifest_dir)?;
    let inputs = Inputs {
        snapshot_var: inputs
            .snapshot_var
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(|v| manifest_dir.join(v.trim()).display().to_string()),
        ..inputs.clone()
    };
    let mut selection = select(
        &inputs,
        &project,
        &crate::paths::workspace_root(manifest_dir),
    );
    selection.manifest_dir = Some(manifest_dir.to_path_buf());
    selection.registry_crate = std::fs::read_to_string(manifest_dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| dependency_name(&text, "hc-schema-snapshot"));
    Ok(selection)
}

/// The crate name under which the manifest `text` depends on `package` as a normal dependency
/// (`[dependencies]` or `[target.*.dependencies]`), with `-` turned into `_`, following
/// renames (`hcs = { package = "hc-schema-snapshot" }`); `None` when it does not.
///
/// ```
/// use hc_schema_snapshot::selection::dependency_name;
/// let with = "[dependencies]\nhc-schema-snapshot = { version = \"0.1\", features = [\"fetch\"] }\n";
/// assert_eq!(dependency_name(with, "hc-schema-snapshot").as_deref(), Some("hc_schema_snapshot"));
/// let renamed = "[dependencies]\nhcs = { package = \"hc-schema-snapshot\", version = \"0.1\" }\n";
/// assert_eq!(dependency_name(renamed, "hc-schema-snapshot").as_deref(), Some("hcs"));
/// let inherited = "[target.'cfg(unix)'.dependencies]\nhc-schema-snapshot.workspace = true\n";
/// assert_eq!(dependency_name(inherited, "hc-schema-snapshot").as_deref(), Some("hc_schema_snapshot"));
/// let build_only = "[build-dependencies]\nhc-schema-snapshot = \"0.1\"\n";
/// assert_eq!(dependency_name(build_only, "hc-schema-snapshot"), None);
/// ```
pub fn dependency_name(text: &str, package: &str) -> Option<String> {
    let manifest: toml::Table = toml::from_str(text).ok()?;
    let find = |deps: Option<&toml::Value>| -> Option<String> {
        let deps = deps?.as_table()?;
        deps.iter().find_map(|(key, value)| {
            let real = value.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            (real == package).then(|| key.replace('-', "_"))
        })
    };
    find(manifest.get("dependencies")).or_else(|| {
        manifest
            .get("target")
            .and_then(|t| t.as_table())?
            .values()
            .find_map(|target| find(target.get("dependencies")))
    })
}

/// The dependency line that adds hc-schema-snapshot to the manifest `text` (in `dir`), spelled
/// the way that manifest spells its hc-schema-macro dependency, so that the two resolve to the
/// same source: a path dependency gets the path of the hc-schema-snapshot this macro was built
/// with (relative to `dir`), a git dependency the same repository and revision, an inherited one
/// `{ workspace = true }`, a registry one the same version requirement; a workspace root's
/// `[workspace.dependencies]` entry counts too. Without a macro entry
/// (the macro is reached through another crate), `version`.
///
/// ```
/// use std::path::Path;
/// use hc_schema_snapshot::selection::snapshot_dependency_line;
/// let registry = "[dependencies]\nhc-schema-macro = \"0.1\"\n";
/// assert_eq!(snapshot_dependency_line(registry, Path::new("/w/app"), "0.1.0"), r#"hc-schema-snapshot = "0.1""#);
/// let git = "[dependencies]\nhc-schema-macro = { git = \"https://example.com/hc.git\", tag = \"v0.1\" }\n";
/// assert_eq!(
///     snapshot_dependency_line(git, Path::new("/w/app"), "0.1.0"),
///     r#"hc-schema-snapshot = { git = "https://example.com/hc.git", tag = "v0.1" }"#
/// );
/// let inherited = "[dependencies]\nhc-schema-macro.workspace = true\n";
/// assert_eq!(snapshot_dependency_line(inherited, Path::new("/w/app"), "0.1.0"), "hc-schema-snapshot = { workspace = true }");
/// let by_path = "[dependencies]\nhc-schema-macro = { path = \"../vendor/hc-schema-macro\" }\n";
/// assert!(snapshot_dependency_line(by_path, Path::new("/w/app"), "0.1.0").starts_with("hc-schema-snapshot = { path = "));
/// ```
pub fn snapshot_dependency_line(text: &str, dir: &Path, version: &str) -> String {
    const MACRO: &str = "hc-schema-macro";
    // A TOML basic string (the values come from a TOML file or a path: no control characters).
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let line = |spec: String| format!("hc-schema-snapshot = {spec}");
    let Ok(manifest) = toml::from_str::<toml::Table>(text) else {
        return line(quoted(version));
    };
    fn collect<'a>(owner: &'a toml::Table, entries: &mut Vec<&'a toml::Value>) {
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            let Some(deps) = owner.get(key).and_then(toml::Value::as_table) else {
                continue;
            };
            entries.extend(deps.iter().filter_map(|(key, value)| {
                let real = value.get("package").and_then(|p| p.as_str()).unwrap_or(key);
                (real == MACRO).then_some(value)
            }));
        }
    }
    let mut entries = Vec::new();
    collect(&manifest, &mut entries);
    if let Some(workspace) = manifest.get("workspace").and_then(toml::Value::as_table) {
        collect(workspace, &mut entries);
    }
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values().filter_map(toml::Value::as_table) {
            collect(target, &mut entries);
        }
    }
    let Some(entry) = entries.first() else {
        return line(quoted(version));
    };
    if let Some(requirement) = entry.as_str() {
        return line(quoted(requirement));
    }
    let field = |key: &str| entry.get(key).and_then(toml::Value::as_str);
    if entry.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
        return line("{ workspace = true }".to_string());
    }
    if let Some(written) = field("path") {
        // Absolute when the macro's path is written absolute, else relative to `dir`.
        let ours = Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = if Path::new(written).is_absolute() {
            ours.to_path_buf()
        } else {
            crate::build::relative_to(ours, dir)
        };
        let path = path.to_string_lossy().replace('\\', "/");
        return line(format!("{{ path = {} }}", quoted(&path)));
    }
    if let Some(git) = field("git") {
        let mut spec = format!("{{ git = {}", quoted(git));
        for key in ["branch", "tag", "rev"] {
            if let Some(value) = field(key) {
                spec.push_str(&format!(", {key} = {}", quoted(value)));
            }
        }
        spec.push_str(" }");
        return line(spec);
    }
    line(quoted(field("version").unwrap_or(version)))
}

/// [`snapshot_dependency_line`] for the crate in `dir` of the workspace at `root`, read from
/// their manifests, and, when that line inherits the workspace's entry
/// (`{ workspace = true }`) and the root's `[workspace.dependencies]` has none, the root's line
/// to add there.
pub fn workspace_snapshot_dependency(
    dir: &Path,
    root: &Path,
    version: &str,
) -> (String, Option<String>) {
    let read = |dir: &Path| std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let line = snapshot_dependency_line(&read(dir), dir, version);
    if !line.ends_with("{ workspace = true }") || root == dir {
        return (line, None);
    }
    let root_text = read(root);
    let listed = toml::from_str::<toml::Table>(&root_text)
        .ok()
        .and_then(|t| {
            t.get("workspace")?
                .get("dependencies")?
                .as_table()?
                .iter()
                .find(|(key, value)| {
                    value.get("package").and_then(|p| p.as_str()).unwrap_or(key)
                        == "hc-schema-snapshot"
                })
                .map(|_| ())
        })
        .is_some();
    let root_line = (!listed).then(|| snapshot_dependency_line(&root_text, root, version));
    (line, root_line)
}

/// Split `test, prod` into environment names.
pub fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The environment named by a cargo feature environment variable, given the snapshots that
/// exist: `CARGO_FEATURE_PROD_SNAPSHOT` -> `prod`; `CARGO_FEATURE_EU_WEST_SNAPSHOT` -> `eu-west`
/// when `eu-west.json` exists.
///
/// ```
/// use hc_schema_snapshot::selection::env_of_feature_var;
/// let available = ["eu-west".to_string(), "prod".to_string()];
/// assert_eq!(env_of_feature_var("CARGO_FEATURE_PROD_SNAPSHOT", &available).as_deref(), Some("prod"));
/// assert_eq!(env_of_feature_var("CARGO_FEATURE_EU_WEST_SNAPSHOT", &available).as_deref(), Some("eu-west"));
/// assert_eq!(env_of_feature_var("CARGO_FEATURE_STAGING_SNAPSHOT", &available).as_deref(), Some("staging"));
/// assert_eq!(env_of_feature_var("CARGO_FEATURE_DEFAULT", &available), None);
/// ```
pub fn env_of_feature_var(var: &str, available: &[String]) -> Option<String> {
    let stem = var
        .strip_prefix("CARGO_FEATURE_")?
        .strip_suffix("_SNAPSHOT")?;
    if stem.is_empty() {
        return None;
    }
    let found = available
        .iter()
        .find(|env| env.to_ascii_uppercase().replace('-', "_") == stem);
    Some(match found {
        Some(env) => env.clone(),
        None => stem.to_ascii_lowercase().replace('_', "-"),
    })
}

/// Every file the build script looked for that cargo cannot watch for it: each place an
/// `hc-schema.toml` could be, from the crate up to the one found, with what was there (a
/// [`Stamp`], or `None`: nothing). Cargo re-runs a build script when a file it named changes,
/// but a file that did not exist cannot be named without re-running the script (and so
/// recompiling the crate) on every build. So the build script records them in its selection,
/// and [`Selection::decode`] (run by the macro at every compilation of the crate) fails when
/// one of them appeared, changed or went away: a new `hc-schema.toml` changing `snapshot_dir`
/// or `schema` is never ignored by a compilation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Looked {
    /// The crate the build script ran for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_dir: Option<PathBuf>,
    /// The files, each with its stamp when the build script looked (`None`: absent).
    pub files: Vec<(PathBuf, Option<Stamp>)>,
}

impl Looked {
    /// What the build script finds looking up from `manifest_dir` for `hc-schema.toml` now.
    pub fn config_files(manifest_dir: &Path) -> Looked {
        let mut files = Vec::new();
        for dir in crate::paths::config_dirs(manifest_dir) {
            let candidate = dir.join(crate::config::FILE_NAME);
            let stamp = Stamp::of(&candidate);
            let found = stamp.is_some() && candidate.is_file();
            files.push((candidate, stamp));
            if found {
                break;
            }
        }
        Looked {
            manifest_dir: Some(manifest_dir.to_path_buf()),
            files,
        }
    }

    /// The first file that is no longer as the build script saw it, with what to do.
    ///
    /// ```
    /// use hc_schema_snapshot::selection::Looked;
    /// let dir = tempfile::tempdir().unwrap();
    /// let krate = dir.path().join("app");
    /// std::fs::create_dir_all(&krate).unwrap();
    /// let looked = Looked::config_files(&krate);
    /// assert_eq!(looked.changed(), None);
    /// std::fs::write(dir.path().join("hc-schema.toml"), "snapshot_dir = \"s\"\n").unwrap();
    /// let message = looked.changed().unwrap();
    /// assert!(message.contains("hc-schema.toml appeared"), "{message}");
    /// ```
    pub fn changed(&self) -> Option<String> {
        for (path, then) in &self.files {
            let now = Stamp::of(path);
            if now == *then {
                continue;
            }
            let what = match (then, now) {
                (None, _) => "appeared",
                (Some(_), None) => "went away",
                _ => "changed",
            };
            return Some(format!(
                "{} {what} after the build script selected the snapshots, and cargo does not \
                 re-run a build script for a file that did not exist when it ran: touch build.rs \
                 (or run `cargo clean -p <this crate>`) so that the build selects again with it",
                path.display()
            ));
        }
        None
    }
}

impl Selection {
    /// Encode for `cargo:rustc-env`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a selection always serializes")
    }

    /// Encode for `cargo:rustc-env`, with the files the build script looked for (`looked`),
    /// which [`Selection::decode`] checks. Compact JSON holds no tab, so a tab separates them.
    pub fn encode_with(&self, looked: &Looked) -> String {
        let looked = serde_json::to_string(looked).expect("a list of files always serializes");
        format!("{}\t{looked}", self.encode())
    }

    /// Decode what [`Selection::encode`] (or [`Selection::encode_with`]) wrote. With the files
    /// the build script looked for, when they were looked for from the crate being compiled
    /// (`CARGO_MANIFEST_DIR`), one that appeared, changed or went away since is an error that
    /// says what to do ([`Looked::changed`]).
    pub fn decode(text: &str) -> Result<Selection, String> {
        let not_understood = |err: serde_json::Error| {
            format!(
                "{SELECTION_VAR} is not understood ({err}); the build script and the macro come \
                 from different hc-schema versions: use one version of hc-schema-snapshot and \
                 hc-schema-macro"
            )
        };
        let (selection, looked) = match text.split_once('\t') {
            Some((selection, looked)) => (
                selection,
                Some(serde_json::from_str::<Looked>(looked).map_err(not_understood)?),
            ),
            None => (text, None),
        };
        let selection: Selection = serde_json::from_str(selection).map_err(not_understood)?;
        let here = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        if let Some(looked) = looked {
            if here.is_some() && looked.manifest_dir == here {
                if let Some(message) = looked.changed() {
                    return Err(message);
                }
            }
        }
        Ok(selection)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_dependency_is_spelled_like_the_macro_dependency() {
        let ours = Path::new(env!("CARGO_MANIFEST_DIR"));
        let workspace = ours.parent().unwrap();
        // A crate beside the library depending on the macro by a relative path.
        let app = workspace.join("examples/app");
        let relative = "[dependencies]\nhc-schema-macro = { path = \"../../hc-schema-macro\" }\n";
        assert_eq!(
            snapshot_dependency_line(relative, &app, "0.1.0"),
            r#"hc-schema-snapshot = { path = "../../hc-schema-snapshot" }"#
        );
        // Written absolute: absolute.
        let absolute = format!(
            "[dependencies]\nhc-schema-macro = {{ path = \"{}\" }}\n",
            workspace.join("hc-schema-macro").display()
        );
        assert_eq!(
            snapshot_dependency_line(&absolute, Path::new("/elsewhere/app"), "0.1.0"),
            format!("hc-schema-snapshot = {{ path = \"{}\" }}", ours.display())
        );
        // Renamed, under a target table, with a version.
        let renamed = "[target.'cfg(unix)'.dependencies]\nhcm = { package = \"hc-schema-macro\", version = \"=0.1.0\" }\n";
        assert_eq!(
            snapshot_dependency_line(renamed, &app, "0.1.0"),
            r#"hc-schema-snapshot = "=0.1.0""#
        );
        // A manifest that does not parse, or has no macro entry: the version.
        for text in ["[dependencies", "[dependencies]\nserde = \"1\"\n"] {
            assert_eq!(
                snapshot_dependency_line(text, &app, "0.1.0"),
                r#"hc-schema-snapshot = "0.1.0""#
            );
        }
    }

    #[test]
    fn an_inherited_macro_dependency_asks_for_the_workspace_entry_too() {
        let dir = tempfile::tempdir().unwrap();
        let (root, member) = (dir.path(), dir.path().join("crates/data"));
        std::fs::create_dir_all(&member).unwrap();
        let write =
            |path: &Path, text: &str| std::fs::write(path.join("Cargo.toml"), text).unwrap();
        write(
            &member,
            "[package]\nname = \"data\"\n[dependencies]\nhc-schema-macro.workspace = true\n",
        );
        write(
            root,
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nhc-schema-macro = { git = \"https://example.com/hc\", rev = \"abc\" }\n",
        );
        assert_eq!(
            workspace_snapshot_dependency(&member, root, "0.1.0"),
            (
                "hc-schema-snapshot = { workspace = true }".to_string(),
                Some(
                    r#"hc-schema-snapshot = { git = "https://example.com/hc", rev = "abc" }"#
                        .to_string()
                )
            )
        );
        // Once the workspace lists it, only the member's line.
        write(
            root,
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nhc-schema-snapshot = \"0.1\"\nhc-schema-macro = \"0.1\"\n",
        );
        assert_eq!(
            workspace_snapshot_dependency(&member, root, "0.1.0").1,
            None
        );
    }

    use super::*;
    use crate::config::Config;

    fn project(dir: &Path, envs: &[&str], default_envs: Option<Vec<String>>) -> Project {
        std::fs::create_dir_all(dir.join("hc-schema")).unwrap();
        for env in envs {
            std::fs::write(dir.join(format!("hc-schema/{env}.json")), "{}").unwrap();
        }
        Project {
            config_file: None,
            root: dir.to_path_buf(),
            config: Config {
                default_envs,
                ..Config::default()
            },
        }
    }

    fn envs(selection: &Selection) -> Vec<&str> {
        selection.selected.iter().map(|s| s.env.as_str()).collect()
    }

    #[test]
    fn precedence_is_var_then_env_then_features_then_defaults_then_all() {
        let dir = tempfile::tempdir().unwrap();
        let project = project(
            dir.path(),
            &["prod", "test", "staging"],
            Some(vec!["test".into()]),
        );
        let mut inputs = Inputs {
            snapshot_var: Some("fixtures/x.json".into()),
            env_var: Some("staging, prod".into()),
            feature_envs: vec!["prod".into()],
        };
        let selection = select(&inputs, &project, dir.path());
        assert_eq!(selection.reason, Reason::SnapshotVar);
        assert_eq!(selection.selected[0].display, "fixtures/x.json");
        assert_eq!(selection.selected[0].env, "x");
        inputs.snapshot_var = None;
        let selection = select(&inputs, &project, dir.path());
        assert_eq!(
            (selection.reason, envs(&selection)),
            (Reason::EnvVar, vec!["prod", "staging"])
        );
        assert_eq!(selection.others[0].env, "test");
        inputs.env_var = None;
        let selection = select(&inputs, &project, dir.path());
        assert_eq!(
            (selection.reason, envs(&selection)),
            (Reason::Features, vec!["prod"])
        );
        inputs.feature_envs.clear();
        let selection = select(&inputs, &project, dir.path());
        assert_eq!(
            (selection.reason, envs(&selection)),
            (Reason::DefaultEnvs, vec!["test"])
        );
        let no_defaults = Project {
            config: Config::default(),
            ..project
        };
        let selection = select(&inputs, &no_defaults, dir.path());
        assert_eq!(selection.reason, Reason::AllSnapshots);
        assert_eq!(envs(&selection), ["prod", "staging", "test"]);
        assert_eq!(selection.selected[0].display, "hc-schema/prod.json");
        assert!(selection.others.is_empty());
    }

    #[test]
    fn a_crate_selection_resolves_a_relative_snapshot_var_against_the_crate() {
        let dir = tempfile::tempdir().unwrap();
        let krate = dir.path().join("crates/app");
        std::fs::create_dir_all(&krate).unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(dir.path().join("hc-schema.toml"), "").unwrap();
        let inputs = Inputs {
            snapshot_var: Some("fixtures/x.json".into()),
            ..Inputs::default()
        };
        let selection = select_for_crate(&krate, &inputs).unwrap();
        assert_eq!(selection.selected[0].path, krate.join("fixtures/x.json"));
        assert_eq!(selection.selected[0].display, "crates/app/fixtures/x.json");
        assert_eq!(selection.manifest_dir.as_deref(), Some(krate.as_path()));
    }

    #[test]
    fn encoding_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let project = project(dir.path(), &["prod"], None);
        let selection = select(&Inputs::default(), &project, dir.path());
        assert_eq!(Selection::decode(&selection.encode()).unwrap(), selection);
        assert!(Selection::decode("nope")
            .unwrap_err()
            .contains("different hc-schema versions"));
    }
}
