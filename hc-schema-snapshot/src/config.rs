//! `hc-schema.toml`: optional project configuration, found by walking up from a directory.
//!
//! ```toml
//! schema = "salesforce"          # HC schema name, used by refresh
//! snapshot_dir = "hc-schema"
//! default_envs = ["test"]
//!
//! [env.prod]
//! database_url_env = "HC_PROD_DATABASE_URL"   # the NAME of the variable holding the URL
//!
//! [[diff.allow]]                 # an intended difference between environments
//! table = "account"
//! column = "debug_notes__c"
//! reason = "debug field, mapped in test only"
//!
//! [check]
//! exclude = ["tests/ui"]         # source paths `hc-schema check` does not scan
//! undeclared = "error"           # or "warn": SQL strings using columns no annotation declares
//! unguarded = "error"            # or "warn": SQL strings on Heroku Connect tables nothing checks
//! skipped = "warn"               # or "error": SQL strings the check could not analyse
//! star = "warn"                  # or "error" / "allow": SELECT * of Heroku Connect tables
//!
//! [registry]
//! enabled = true                 # compile each #[hc_requires] into the binary, for the
//!                                # release-phase check (default false)
//!
//! [build]
//! variables_override_features = false  # true: HC_SCHEMA_ENV / HC_SCHEMA_SNAPSHOT may leave
//!                                # out an environment an <env>-snapshot feature asks for
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name looked for.
pub const FILE_NAME: &str = "hc-schema.toml";
/// The default snapshot directory, relative to the config file (or the crate).
pub const DEFAULT_SNAPSHOT_DIR: &str = "hc-schema";
/// The default Heroku Connect schema.
pub const DEFAULT_SCHEMA: &str = "salesforce";

/// The content of `hc-schema.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Heroku Connect schema name (default `salesforce`).
    pub schema: Option<String>,
    /// Snapshot directory, relative to the config file.
    pub snapshot_dir: Option<PathBuf>,
    /// Environments the build checks when nothing else selects one.
    pub default_envs: Option<Vec<String>>,
    /// Per-environment settings.
    #[serde(default)]
    pub env: BTreeMap<String, EnvConfig>,
    /// Settings of `hc-schema diff`.
    #[serde(default)]
    pub diff: DiffConfig,
    /// Settings of `hc-schema check` and the other source scans.
    #[serde(default)]
    pub check: CheckConfig,
    /// Settings of the requirement registry (`registry::usages()`).
    #[serde(default)]
    pub registry: RegistryConfig,
    /// The Rust types of typed queries (`hc_query!`): `[types] datetime`, `numeric`, `json`.
    #[serde(default)]
    pub types: crate::types::TypesConfig,
    /// Settings of the build script (`build::configure()`).
    #[serde(default)]
    pub build: BuildConfig,
}

/// `[build]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// Whether `HC_SCHEMA_ENV` / `HC_SCHEMA_SNAPSHOT` may leave out an environment an
    /// `<env>-snapshot` feature asks for (default `false`: such a build fails, because a
    /// variable left over in `.cargo/config.toml`, CI or Heroku would quietly turn
    /// `--features prod-snapshot` into a check of another environment). `true` makes the
    /// variables win on purpose, with a warning.
    #[serde(default)]
    pub variables_override_features: bool,
}

/// `[env.<name>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    /// The NAME of the environment variable holding this environment's database URL.
    pub database_url_env: Option<String>,
    /// This environment's Heroku Connect schema, when it differs from the top-level `schema`.
    pub schema: Option<String>,
}

/// `[diff]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffConfig {
    /// Intended differences between environments.
    #[serde(default)]
    pub allow: Vec<AllowedDeviation>,
}

/// One intended difference: shown as allowed by `hc-schema diff`, never fails `--fail-on-drift`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedDeviation {
    /// The table.
    pub table: String,
    /// The column; absent means the whole table.
    pub column: Option<String>,
    /// Why the difference is intended (shown in the diff).
    pub reason: String,
    /// The environments this applies to; absent means any pair.
    pub envs: Option<Vec<String>>,
}

/// `[check]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// Paths (relative to the config file) that source scans skip.
    #[serde(default)]
    pub exclude: Vec<PathBuf>,
    /// Whether a write to a table whose mapping access a snapshot does not record fails
    /// (default `false`: a pass with a note).
    #[serde(default)]
    pub strict_access: bool,
    /// Whether a typed declaration (`#[hc_requires(account(annualrevenue: f64))]`) over a
    /// snapshot that records no column types (imported from a mapping export) fails, in the
    /// build and in `hc-schema check` (default `false`: a note in `check`, nothing in the
    /// build).
    #[serde(default)]
    pub strict_types: bool,
    /// How `hc-schema check` reports an SQL string inside an annotated item that uses a
    /// column or table the annotations do not declare (`undeclared`): an error (default) or a
    /// warning.
    #[serde(default)]
    pub undeclared: LintLevel,
    /// How `hc-schema check` reports an SQL string on Heroku Connect tables outside `hc_sql!`
    /// and outside any annotated item (`unguarded`): an error (default) or a warning.
    #[serde(default)]
    pub unguarded: LintLevel,
    /// How `hc-schema check` reports an SQL string that could use Heroku Connect tables but
    /// could not be analysed (`skipped_sql`: a placeholder where a name stands, an error of
    /// the analysis, too long): listed as a note that does not fail (`"warn"`, the default;
    /// the summary then says how many were not checked) or an error (`"error"`).
    ///
    /// ```
    /// use hc_schema_snapshot::config::{Config, LintLevel};
    /// let config = Config::parse("[check]\nskipped = \"error\"\n", "hc-schema.toml").unwrap();
    /// assert_eq!(config.check.skipped, LintLevel::Error);
    /// let config = Config::parse("", "hc-schema.toml").unwrap();
    /// assert_eq!(config.check.skipped, LintLevel::Warn);
    /// ```
    #[serde(default = "warn")]
    pub skipped: LintLevel,
    /// How `hc-schema check` reports a `SELECT *` or `t.*` over a Heroku Connect table
    /// (`star`): the code can read any column of it by name, so no check sees which it needs
    /// (`usages`, `diff` and `plan` count every column of the table as possibly used). A
    /// warning (`"warn"`, the default), an error (`"error"`), or not reported (`"allow"`).
    ///
    /// ```
    /// use hc_schema_snapshot::config::{Config, StarLevel};
    /// assert_eq!(Config::parse("", "hc-schema.toml").unwrap().check.star, StarLevel::Warn);
    /// let config = Config::parse("[check]\nstar = \"allow\"\n", "hc-schema.toml").unwrap();
    /// assert_eq!(config.check.star, StarLevel::Allow);
    /// let err = Config::parse("[check]\nstar = \"off\"\n", "hc-schema.toml").unwrap_err();
    /// assert_eq!((err.line, err.column), (2, 8));
    /// ```
    #[serde(default)]
    pub star: StarLevel,
    /// What the build does with an `#[hc_requires]` or `hc_sql!` that another macro produced
    /// (a proc macro, or a `macro_rules!` of a crate outside the workspace): `hc-schema check`
    /// reads source files and cannot expand macros, so it never sees such a requirement.
    /// `"error"` (the default) fails the build at it, so that "the build passes and `check`
    /// passes" means everything was checked; `"allow"` accepts it on purpose (then `check` does
    /// not cover it: the build and the release phase still do).
    ///
    /// ```
    /// use hc_schema_snapshot::config::{Config, MacroGenerated};
    /// assert_eq!(Config::parse("", "hc-schema.toml").unwrap().check.macro_generated, MacroGenerated::Error);
    /// let config = Config::parse("[check]\nmacro_generated = \"allow\"\n", "hc-schema.toml").unwrap();
    /// assert_eq!(config.check.macro_generated, MacroGenerated::Allow);
    /// assert!(Config::parse("[check]\nmacro_generated = \"warn\"\n", "hc-schema.toml").is_err());
    /// ```
    #[serde(default)]
    pub macro_generated: MacroGenerated,
}

/// `[check] macro_generated`: `"error"` or `"allow"`. (No `"warn"`: a proc macro on stable Rust
/// cannot emit a warning in every position an annotation can stand, and a setting must do what
/// it says.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MacroGenerated {
    /// A macro-produced requirement fails the build.
    #[default]
    Error,
    /// Accepted on purpose: `hc-schema check` does not cover it.
    Allow,
}

fn warn() -> LintLevel {
    LintLevel::Warn
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            exclude: Vec::new(),
            strict_access: false,
            strict_types: false,
            undeclared: LintLevel::Error,
            unguarded: LintLevel::Error,
            skipped: LintLevel::Warn,
            star: StarLevel::Warn,
            macro_generated: MacroGenerated::Error,
        }
    }
}

/// How the `star` lint of `hc-schema check` is reported: `"warn"` (the default: listed, does
/// not fail), `"error"` (fails the check) or `"allow"` (not reported; the wildcard still counts
/// every column of its table as possibly used everywhere else).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StarLevel {
    /// A `SELECT *` fails the check (exit status 1).
    Error,
    /// A `SELECT *` is listed as a warning.
    #[default]
    Warn,
    /// A `SELECT *` is not reported by `check`.
    Allow,
}

/// How a lint of `hc-schema check` is reported: `"error"` (fails the check) or `"warn"`
/// (listed, does not fail), for a team adopting hc-schema.
///
/// ```
/// use hc_schema_snapshot::config::{Config, LintLevel};
/// let config = Config::parse("[check]\nundeclared = \"warn\"\n", "hc-schema.toml").unwrap();
/// assert_eq!((config.check.undeclared, config.check.unguarded), (LintLevel::Warn, LintLevel::Error));
/// let err = Config::parse("[check]\nunguarded = \"off\"\n", "hc-schema.toml").unwrap_err();
/// assert_eq!((err.line, err.column), (2, 13));
/// assert!(err.message.contains("expected `error` or `warn`"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    /// A finding fails the check (exit status 1).
    #[default]
    Error,
    /// A finding is listed as a warning; the check does not fail on it.
    Warn,
}

impl LintLevel {
    /// Whether a finding at this level fails the check.
    pub fn fails(self) -> bool {
        self == LintLevel::Error
    }
}

/// `[registry]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// Whether `#[hc_requires]` compiles its requirements into the binary, for
    /// `registry::usages()` and the release-phase verify (default `false`). It costs one static
    /// per annotation (about what rustc charges for any item): turn it on where a
    /// binary reads it. Off, the release-phase check has nothing to check, and
    /// `verify::verify` then refuses to pass.
    #[serde(default)]
    pub enabled: bool,
}

/// A malformed `hc-schema.toml`, or a selection of the build that the configuration does not
/// allow. Shown as `path:line:column: message`, or `path: message` when `line` is 0 (the
/// error is about a variable or a file as a whole, not a place in it).
#[derive(Debug, thiserror::Error)]
#[error(
    "{}{message}; see docs/app-developer.md#hc-schematoml in the hc-schema repository",
    place(path, *line, *column)
)]
pub struct ConfigError {
    /// The file (or the variable) the error is about.
    pub path: String,
    /// 1-based line; 0 when the error has no position.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

fn place(path: &str, line: usize, column: usize) -> String {
    if line == 0 {
        format!("{path}: ")
    } else {
        format!("{path}:{line}:{column}: ")
    }
}

/// A configuration together with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The config file, if one was found.
    pub config_file: Option<PathBuf>,
    /// The directory relative paths are resolved against: the config file's directory, or the
    /// directory the search started from.
    pub root: PathBuf,
    /// The configuration (defaults when there is no file).
    pub config: Config,
}

impl Config {
    /// Parse config text; `path` appears in error messages.
    ///
    /// ```
    /// use hc_schema_snapshot::config::Config;
    /// let config = Config::parse("default_envs = [\"test\"]\n[env.prod]\ndatabase_url_env = \"PROD_URL\"\n", "hc-schema.toml").unwrap();
    /// assert_eq!(config.default_envs.unwrap(), ["test"]);
    /// let err = Config::parse("defualt_envs = []\n", "hc-schema.toml").unwrap_err();
    /// assert!(err.to_string().starts_with("hc-schema.toml:1:1: unknown field `defualt_envs`"));
    /// let err = Config::parse("schema = \"salesforce\"\ndefault_envs = []\n", "hc-schema.toml").unwrap_err();
    /// assert!(err.to_string().starts_with("hc-schema.toml:2:1: `default_envs = []` selects no environment"));
    /// ```
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let config: Config = Config::parse_toml(text, path)?;
        if config.default_envs.as_ref().is_some_and(Vec::is_empty) {
            let at = text.find("default_envs").unwrap_or(0);
            let (line, column) = crate::text::line_column(text, at);
            return Err(ConfigError {
                path: path.to_string(),
                line,
                column,
                message: "`default_envs = []` selects no environment, so nothing would be checked: \
                          name environments (`default_envs = [\"test\"]`), or remove the key to check \
                          every snapshot"
                    .into(),
            });
        }
        for env in config.env.keys() {
            // First, so that no message below echoes a name that may be a URL.
            if !crate::names::is_env_name(env) {
                let header = text.find("[env").unwrap_or(0);
                let at = match env.is_empty() {
                    true => header,
                    false => text[header..]
                        .find(env.as_str())
                        .map_or(header, |at| header + at),
                };
                let (line, column) = crate::text::line_column(text, at);
                return Err(ConfigError {
                    path: path.to_string(),
                    line,
                    column,
                    message: "this [env.<name>] table's name is not an environment name (letters, \
                              digits, `-` and `_`; the name is not shown: it may hold a URL): \
                              name it as the snapshot file is named, `[env.prod]` for \
                              hc-schema/prod.json"
                        .into(),
                });
            }
        }
        for (env, settings) in &config.env {
            if let Some(var) = &settings.database_url_env {
                if !is_variable_name(var) {
                    let (line, column) = value_position(text, env, "database_url_env");
                    return Err(ConfigError {
                        path: path.to_string(),
                        line,
                        column,
                        message: format!(
                            "`database_url_env` of [env.{env}] is not the name of an environment \
                             variable (the value is not shown: it may be a URL with a password); \
                             it must be a NAME such as `HC_{}_DATABASE_URL`, and the URL goes in \
                             that variable: `export HC_{}_DATABASE_URL=...`",
                            env_var_stem(env),
                            env_var_stem(env)
                        ),
                    });
                }
            }
        }
        Ok(config)
    }

    fn parse_toml(text: &str, path: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|err: toml::de::Error| {
            let (line, column) = err
                .span()
                .map(|span| crate::text::line_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError {
                path: path.to_string(),
                line,
                column,
                message: err.message().trim().replace('\n', " "),
            }
        })
    }

    /// The schema for `env`: `[env.<env>] schema`, else `schema`, else `salesforce`.
    pub fn schema_for(&self, env: &str) -> &str {
        self.env
            .get(env)
            .and_then(|e| e.schema.as_deref())
            .or(self.schema.as_deref())
            .unwrap_or(DEFAULT_SCHEMA)
    }
}

impl Project {
    /// Find `hc-schema.toml` in `start` or the nearest ancestor (for a workspace member outside
    /// its root's directory, then at the root and above: [`crate::paths::config_dirs`]);
    /// defaults rooted at `start` when there is none.
    pub fn discover(start: &Path) -> Result<Project, ConfigError> {
        for dir in crate::paths::config_dirs(start) {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Project::load(&candidate);
            }
        }
        Ok(Project {
            config_file: None,
            root: start.to_path_buf(),
            config: Config::default(),
        })
    }

    /// Load a specific config file.
    pub fn load(path: &Path) -> Result<Project, ConfigError> {
        let display = path.display().to_string();
        let text = crate::read::read_regular_text(path, crate::read::MAX_BYTES).map_err(|err| {
            ConfigError {
                path: display.clone(),
                line: 1,
                column: 1,
                message: format!("cannot read the file: {err}"),
            }
        })?;
        let config = Config::parse(&text, &display)?;
        Ok(Project {
            config_file: Some(path.to_path_buf()),
            root: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            config,
        })
    }

    /// The snapshot directory (absolute when the root is).
    pub fn snapshot_dir(&self) -> PathBuf {
        self.root.join(
            self.config
                .snapshot_dir
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_SNAPSHOT_DIR)),
        )
    }

    /// The snapshot file of `env`.
    pub fn snapshot_path(&self, env: &str) -> PathBuf {
        self.snapshot_dir().join(format!("{env}.json"))
    }

    /// The environments that have a snapshot file, sorted.
    pub fn available_envs(&self) -> Vec<String> {
        list_envs(&self.snapshot_dir())
    }
}

/// The environments with a `<env>.json` file in `dir`, sorted (none if `dir` does not exist).
pub fn list_envs(dir: &Path) -> Vec<String> {
    let mut envs: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only plain environment names: never a temporary file of an interrupted write
            // (`.prod.json.<pid>.hc-schema-tmp`), a hidden file, or a name with spaces.
            let env = name.strip_suffix(".json")?;
            crate::names::is_env_name(env).then(|| env.to_string())
        })
        .collect();
    envs.sort();
    envs
}

/// Whether `name` can be the name of an environment variable as `database_url_env` means it:
/// an ASCII letter or `_`, then ASCII letters, digits or `_`, at most 255 bytes. A URL, a
/// `key=value` connection string or anything with a space, `:`, `/`, `@` or `=` is not.
///
/// ```
/// use hc_schema_snapshot::config::is_variable_name;
/// assert!(is_variable_name("HC_PROD_DATABASE_URL") && is_variable_name("_x1"));
/// for bad in ["", "postgres://u:pw@h/db", "host=h password=pw", "1X", "A B", "A-B", "é"] {
///     assert!(!is_variable_name(bad), "{bad:?}");
/// }
/// ```
pub fn is_variable_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && name.len() <= 255
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The conventional variable of an environment's database URL: `HC_<ENV>_DATABASE_URL`, the
/// environment's name in upper case with `-` as `_` (`prod` -> `HC_PROD_DATABASE_URL`).
///
/// ```
/// use hc_schema_snapshot::config::conventional_url_var;
/// assert_eq!(conventional_url_var("prod"), "HC_PROD_DATABASE_URL");
/// assert_eq!(conventional_url_var("eu-west"), "HC_EU_WEST_DATABASE_URL");
/// ```
pub fn conventional_url_var(env: &str) -> String {
    format!("HC_{}_DATABASE_URL", env_var_stem(env))
}

fn env_var_stem(env: &str) -> String {
    env.to_ascii_uppercase().replace('-', "_")
}

/// The position of `key`'s value in table `[env.<env>]` of `text` (best effort: the first
/// `key` after the table's header, else the first `key`, else 1:1). Never reads the value.
fn value_position(text: &str, env: &str, key: &str) -> (usize, usize) {
    let header = text
        .find(&format!("[env.{env}]"))
        .or_else(|| text.find(&format!("[env.\"{env}\"]")))
        .unwrap_or(0);
    let at = text[header..]
        .find(key)
        .map(|at| header + at)
        .or_else(|| text.find(key))
        .unwrap_or(0);
    crate::text::line_column(text, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_config_parses() {
        let text = r#"
schema = "org"
snapshot_dir = "snapshots"
default_envs = ["test"]
[env.prod]
database_url_env = "HC_PROD_DATABASE_URL"
schema = "salesforce001"
[[diff.allow]]
table = "account"
column = "debug__c"
reason = "test only"
envs = ["test"]
[check]
exclude = ["tests/ui"]
"#;
        let config = Config::parse(text, "hc-schema.toml").unwrap();
        assert_eq!(config.schema_for("prod"), "salesforce001");
        assert_eq!(config.schema_for("test"), "org");
        assert_eq!(config.diff.allow[0].reason, "test only");
        assert_eq!(config.check.exclude, [PathBuf::from("tests/ui")]);
    }

    #[test]
    fn errors_have_line_and_column() {
        let err = Config::parse(
            "schema = \"x\"\ndefault_envs = \"test\"\n",
            "a/hc-schema.toml",
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (2, 16), "{err}");
        assert!(
            err.to_string().starts_with("a/hc-schema.toml:2:16: "),
            "{err}"
        );
        let err = Config::parse("schema = \n", "hc-schema.toml").unwrap_err();
        assert_eq!(err.line, 1, "{err}");
    }

    #[test]
    fn discover_walks_up_and_resolves_dirs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "snapshot_dir = \"snaps\"\n").unwrap();
        let nested = dir.path().join("crates/app");
        std::fs::create_dir_all(&nested).unwrap();
        let project = Project::discover(&nested).unwrap();
        assert_eq!(project.snapshot_dir(), dir.path().join("snaps"));
        std::fs::create_dir_all(dir.path().join("snaps")).unwrap();
        std::fs::write(dir.path().join("snaps/prod.json"), "{}").unwrap();
        std::fs::write(dir.path().join("snaps/notes.txt"), "").unwrap();
        for leftover in [
            ".prod.json.123.hc-schema-tmp",
            ".hidden.json",
            "a b.json",
            ".json",
        ] {
            std::fs::write(dir.path().join("snaps").join(leftover), "{}").unwrap();
        }
        assert_eq!(project.available_envs(), ["prod"]);
    }

    /// A URL (or any value that is not a variable name) where the variable's NAME belongs is
    /// an error at its line that never shows the value, in every shape a URL comes in.
    /// `init` writes `<env>-snapshot` features and every command names environments: a table
    /// name that is not an environment name (a space, a slash, a URL with a password) is an
    /// error at its position that never echoes it.
    #[test]
    fn env_table_names_must_be_environment_names_and_are_never_echoed() {
        for name in [
            "my prod",
            "prod/x",
            "a]b",
            "",
            "postgres://u:hunter2@h/db",
            "prod.eu",
            "é",
        ] {
            let text = format!("schema = \"org\"\n\n[env.{name:?}]\ndatabase_url_env = \"HC_X\"\n");
            let err = Config::parse(&text, "hc-schema.toml").unwrap_err();
            assert!(
                err.message.contains("not an environment name"),
                "{name:?}: {err}"
            );
            assert_eq!(err.line, 3, "{name:?}: {err}");
            if !name.is_empty() {
                assert!(!err.to_string().contains(name), "{name:?} echoed: {err}");
            }
            assert!(!err.to_string().contains("hunter2"));
        }
        for good in ["prod", "test-eu", "stage_2", "PROD"] {
            let text = format!("[env.{good}]\n");
            assert!(Config::parse(&text, "hc-schema.toml").is_ok(), "{good}");
        }
    }

    #[test]
    fn database_url_env_must_be_a_variable_name_and_is_never_echoed() {
        let secret = "s3cr3t-Pw";
        let values = [
            format!("postgres://u:{secret}@h:5432/db"),
            format!("postgresql://u:{secret}@h/db?sslmode=require"),
            format!("host=h user=u password={secret}"),
            format!("u:{secret}@h"),
            secret.to_string(),
            format!("HC PROD {secret}"),
            format!("${secret}"),
            format!("1{secret}"),
            String::new(),
        ];
        for (i, value) in values.iter().enumerate() {
            for layout in [
                format!("schema = \"org\"\n[env.prod]\ndatabase_url_env = {value:?}\n"),
                format!("[env.test]\ndatabase_url_env = \"OK_VAR\"\n[env.prod]\nschema = \"x\"\ndatabase_url_env = {value:?}\n"),
                format!("env.prod.database_url_env = {value:?}\n"),
            ] {
                let err = Config::parse(&layout, "hc-schema.toml").unwrap_err();
                let text = err.to_string();
                assert!(
                    text.contains("`database_url_env` of [env.prod] is not the name"),
                    "{i}: {text}"
                );
                assert!(text.contains("HC_PROD_DATABASE_URL"), "{text}");
                if !value.is_empty() {
                    assert!(!text.contains(secret), "{i}: value echoed: {text}");
                }
                let line = layout
                    .lines()
                    .position(|l| l.contains("database_url_env") && !l.contains("OK_VAR"))
                    .unwrap()
                    + 1;
                assert_eq!(err.line, line, "{layout}");
            }
        }
        let config = Config::parse(
            "[env.prod]\ndatabase_url_env = \"HC_PROD_DATABASE_URL\"\n",
            "x",
        )
        .unwrap();
        assert_eq!(
            config.env["prod"].database_url_env.as_deref(),
            Some("HC_PROD_DATABASE_URL")
        );
    }
}
