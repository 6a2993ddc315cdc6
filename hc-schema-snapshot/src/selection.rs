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
    }
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

/// `path` relative to `base` when it is inside it, else as is; always with `/` separators.
pub fn display_path(path: &Path, base: &Path) -> String {
    let shown = path.strip_prefix(base).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

impl Selection {
    /// Encode for `cargo:rustc-env`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a selection always serializes")
    }

    /// Decode what [`Selection::encode`] wrote.
    pub fn decode(text: &str) -> Result<Selection, String> {
        serde_json::from_str(text).map_err(|err| {
            format!(
                "{SELECTION_VAR} is not understood ({err}); the build script and the macro come \
                 from different hc-schema versions: use one version of hc-schema-snapshot and \
                 hc-schema-macro"
            )
        })
    }
}

#[cfg(test)]
mod tests {
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
