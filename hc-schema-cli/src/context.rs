//! Where things are: the manifest, hc-schema.toml, snapshots, sources, database URLs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hc_schema_snapshot::build::workspace_root;
use hc_schema_snapshot::config::{conventional_url_var, Project};
use hc_schema_snapshot::fetch::ConnectOptions;
use hc_schema_snapshot::names::is_env_name;
use hc_schema_snapshot::scan::{self, Scan};
use hc_schema_snapshot::selection::display_path;
use hc_schema_snapshot::{Snapshot, SnapshotError};

use crate::{DbArgs, Failure};

/// The project a command works on.
pub struct Context {
    /// The current directory of the command: relative paths given by the user
    /// (`--snapshot`, `HC_SCHEMA_SNAPSHOT`, `--export`) resolve against it.
    pub cwd: PathBuf,
    /// The directory of the manifest (or the current directory).
    pub dir: PathBuf,
    /// The workspace root: paths are shown relative to it.
    pub base: PathBuf,
    /// hc-schema.toml and where it is.
    pub project: Project,
}

impl Context {
    /// Find the project from `--manifest-path` (default: the current directory).
    pub fn discover(manifest: Option<&Path>) -> Result<Context, Failure> {
        let cwd = std::env::current_dir()?;
        let dir = match manifest {
            Some(path) => {
                let path = cwd.join(path);
                if !path.exists() {
                    return Err(Failure(format!(
                        "--manifest-path {} does not exist",
                        path.display()
                    )));
                }
                if path.is_dir() {
                    path
                } else {
                    path.parent().unwrap_or(&cwd).to_path_buf()
                }
            }
            None => cwd.clone(),
        };
        let project = Project::discover(&dir)?;
        let base = workspace_root(&dir);
        crate::version::check_lock(&base)?;
        Ok(Context {
            cwd,
            dir,
            base,
            project,
        })
    }

    /// A path as shown to users.
    pub fn show(&self, path: &Path) -> String {
        display_path(path, &self.base)
    }

    /// The snapshot path of `env`, after checking that `env` is an environment name (every
    /// command that takes one goes through here, so `../escape`, `/abs/x` and `""` never
    /// become file names).
    pub fn snapshot_path(&self, env: &str) -> Result<PathBuf, Failure> {
        env_name(env, "the environment")?;
        Ok(self.project.snapshot_path(env))
    }

    /// Load `path`, with the path shown relative to the workspace in errors. A missing file in
    /// a missing snapshot directory also says where the directory came from.
    ///
    /// An environment's own file (`<snapshot_dir>/<env>.json`) must say it is that
    /// environment's: a copy of `test.json` saved as `prod.json` would make every prod check
    /// pass against test's schema.
    pub fn load(&self, path: &Path) -> Result<Snapshot, Failure> {
        let snapshot = self.load_file(path)?;
        let env = hc_schema_snapshot::snapshot::env_of_path(path);
        if path.parent() == Some(self.project.snapshot_dir().as_path())
            && snapshot.environment != env
        {
            return Err(Failure(format!(
                "{} is the snapshot of `{}` (its \"environment\"), not of `{env}`: a copied or renamed file? run `hc-schema refresh {env}` (or `import`) to write {env}'s own snapshot",
                self.show(path),
                snapshot.environment
            )));
        }
        Ok(snapshot)
    }

    fn load_file(&self, path: &Path) -> Result<Snapshot, Failure> {
        Snapshot::load(path).map_err(|err| {
            let mut message = err
                .to_string()
                .replace(&path.display().to_string(), &self.show(path));
            if matches!(err, SnapshotError::Missing { .. })
                && path.parent() == Some(self.project.snapshot_dir().as_path())
                && !self.project.snapshot_dir().is_dir()
            {
                message.push_str(&format!("; {}", self.where_looked()));
            }
            Failure(message)
        })
    }

    /// Load a snapshot file the user named by path (`--snapshot`, `HC_SCHEMA_SNAPSHOT`):
    /// errors show the path as given and as resolved against the current directory.
    pub fn load_given(&self, path: &Path, origin: &str, given: &str) -> Result<Snapshot, Failure> {
        let whence = format!(
            "{origin} `{given}`, resolved against the current directory {}",
            self.cwd.display()
        );
        Snapshot::load_given(path).map_err(|err| {
            Failure(match err {
                // Not "create it with `hc-schema refresh <stem>`": a file given by path is
                // not an environment's snapshot.
                SnapshotError::Missing { .. } => {
                    format!("snapshot {} does not exist ({whence})", path.display())
                }
                err if is_export(path) => format!(
                    "{} is a Heroku Connect mapping export, not a snapshot ({whence}): turn it \
                     into one with `hc-schema import <env> --from {given} --out <snapshot.json>` \
                     (`proposed` for a proposed mapping) and pass that file to --snapshot \
                     (the snapshot file's error: {err})",
                    path.display()
                ),
                err => format!("{err} ({whence})"),
            })
        })
    }

    /// Resolve a path the user gave against the command's current directory.
    pub fn resolve(&self, given: &Path) -> PathBuf {
        self.cwd.join(given)
    }

    /// Where hc-schema looked for the project, for "nothing found" messages: the config file
    /// (or that there is none, and from where the search started) and the snapshot directory.
    pub fn where_looked(&self) -> String {
        let dir = self.project.snapshot_dir();
        let dir_state = if dir.is_dir() {
            "has no <env>.json file"
        } else {
            "does not exist"
        };
        match &self.project.config_file {
            Some(config) => format!(
                "the snapshot directory {} (from {}) {dir_state}",
                dir.display(),
                config.display()
            ),
            None => format!(
                "no hc-schema.toml in {} or any parent directory, and the default snapshot \
                 directory {} {dir_state}; run hc-schema inside the project (or pass \
                 --manifest-path), or create a snapshot with `hc-schema refresh <env>` or \
                 `hc-schema import <env> --from <export.json>`",
                self.dir.display(),
                dir.display()
            ),
        }
    }

    /// Scan the sources under the manifest directory.
    pub fn scan(&self) -> Scan {
        let exclude: Vec<PathBuf> = self
            .project
            .config
            .check
            .exclude
            .iter()
            .map(|e| self.project.root.join(e))
            .collect();
        scan::scan(&self.dir, &self.base, &exclude)
    }

    /// Connection options for `env`: the URL from `--database-url`, else the variable named by
    /// `[env.<env>] database_url_env`, else `HC_<ENV>_DATABASE_URL` (the convention), else
    /// `DATABASE_URL`. An environment's URL comes from that environment's own setting: taking
    /// the generic `DATABASE_URL` for a named environment (a dev shell's test database as
    /// prod) is said on stderr, with the variable to set.
    pub fn connect_options(
        &self,
        env: Option<&str>,
        db: &DbArgs,
    ) -> Result<ConnectOptions, Failure> {
        if let Some(env) = env {
            env_name(env, "the environment")?;
        }
        let configured = env
            .and_then(|env| self.project.config.env.get(env))
            .and_then(|e| e.database_url_env.clone());
        let conventional = env.map(conventional_url_var);
        let set = |var: &str| std::env::var(var).ok().filter(|url| !url.trim().is_empty());
        let (url, origin) = if let Some(url) = &db.database_url {
            (url.clone(), "--database-url".to_string())
        } else if let Some(var) = configured {
            let env = env.unwrap_or_default();
            match set(&var) {
                Some(url) => (url, format!("the {var} variable")),
                None => {
                    return Err(Failure(format!(
                        "no database URL for `{env}`: {var} (named by [env.{env}] database_url_env in {}) is not set; \
                         on Heroku: export {var}=\"$(heroku config:get DATABASE_URL -a <{env}-app>)\", or pass --database-url",
                        self.config_name()
                    )))
                }
            }
        } else if let Some(url) = conventional.as_deref().and_then(set) {
            let var = conventional.clone().unwrap_or_default();
            (url, format!("the {var} variable"))
        } else {
            match (set("DATABASE_URL"), env) {
                (Some(url), None) => (url, "the DATABASE_URL variable".to_string()),
                (Some(url), Some(env)) => {
                    let var = conventional_url_var(env);
                    eprintln!(
                        "note: reading `{env}`'s database from DATABASE_URL: neither [env.{env}] \
                         database_url_env in {} nor {var} is set; if DATABASE_URL is not `{env}`'s \
                         database, set {var}",
                        self.config_name()
                    );
                    (url, "the DATABASE_URL variable".to_string())
                }
                (None, _) => {
                    let env = env.unwrap_or("<env>");
                    let var = conventional_url_var(env);
                    return Err(Failure(format!(
                        "no database URL for `{env}`: set {var} (or DATABASE_URL), pass --database-url, \
                         or name another variable in hc-schema.toml:\n\n    [env.{env}]\n    database_url_env = \"{var}\""
                    )));
                }
            }
        };
        let mut options = ConnectOptions::new(url, origin);
        options.sslmode = db
            .sslmode
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(Failure)?;
        options.root_cert = db.root_cert.clone();
        options.connect_timeout = Duration::from_secs(db.connect_timeout.max(1));
        options.statement_timeout = Duration::from_secs(db.statement_timeout.max(1));
        Ok(options)
    }

    /// The schema for `env`: `--schema`, else hc-schema.toml, else `salesforce`.
    pub fn schema(&self, env: &str, db: &DbArgs) -> String {
        db.schema
            .clone()
            .unwrap_or_else(|| self.project.config.schema_for(env).to_string())
    }

    fn config_name(&self) -> String {
        match &self.project.config_file {
            Some(path) => self.show(path),
            None => "hc-schema.toml".to_string(),
        }
    }
}

/// Whether the file at `path` is a mapping export (`heroku connect:export`) rather than a
/// snapshot.
fn is_export(path: &Path) -> bool {
    hc_schema_snapshot::read::read_regular_text(path, hc_schema_snapshot::read::MAX_BYTES)
        .is_ok_and(|text| hc_schema_snapshot::import::looks_like_export(&text))
}

/// Check that `env` (from `origin`: "the environment", "HC_SCHEMA_ENV", ...) is an environment
/// name: letters, digits, `-` and `_`. It becomes a file name, so nothing else is allowed.
pub fn env_name(env: &str, origin: &str) -> Result<(), Failure> {
    if is_env_name(env) {
        return Ok(());
    }
    Err(Failure(format!(
        "{origin} `{}` is not an environment name: use letters, digits, `-` and `_` (it names \
         the snapshot file <snapshot_dir>/<env>.json; to check a snapshot file by path, use \
         `hc-schema check --snapshot <file>`)",
        env.escape_debug()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_are_plain() {
        assert!(env_name("prod", "x").is_ok() && env_name("eu-west_2", "x").is_ok());
        for bad in ["", "../escape", "/abs/x", "a b", "prod.json", "a\nb"] {
            let Err(Failure(message)) = env_name(bad, "the environment") else {
                panic!("{bad:?} accepted");
            };
            assert!(message.contains("is not an environment name"), "{message}");
        }
    }
}
