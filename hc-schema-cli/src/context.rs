//! Where things are: the manifest, hc-schema.toml, snapshots, sources, database URLs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hc_schema_snapshot::build::workspace_root;
use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::fetch::ConnectOptions;
use hc_schema_snapshot::scan::{self, Scan};
use hc_schema_snapshot::selection::display_path;
use hc_schema_snapshot::Snapshot;

use crate::{DbArgs, Failure};

/// The project a command works on.
pub struct Context {
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
        Ok(Context { dir, base, project })
    }

    /// A path as shown to users.
    pub fn show(&self, path: &Path) -> String {
        display_path(path, &self.base)
    }

    /// The snapshot path of `env`.
    pub fn snapshot_path(&self, env: &str) -> PathBuf {
        self.project.snapshot_path(env)
    }

    /// Load `path`, with the path shown relative to the workspace in errors.
    pub fn load(&self, path: &Path) -> Result<Snapshot, Failure> {
        Snapshot::load(path).map_err(|err| {
            Failure(
                err.to_string()
                    .replace(&path.display().to_string(), &self.show(path)),
            )
        })
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

    /// Connection options for `env`: URL from `--database-url`, else the variable named in
    /// hc-schema.toml, else DATABASE_URL.
    pub fn connect_options(
        &self,
        env: Option<&str>,
        db: &DbArgs,
    ) -> Result<ConnectOptions, Failure> {
        let configured = env
            .and_then(|env| self.project.config.env.get(env))
            .and_then(|e| e.database_url_env.clone());
        let (url, origin) = if let Some(url) = &db.database_url {
            (url.clone(), "--database-url".to_string())
        } else if let Some(var) = configured {
            let env = env.unwrap_or_default();
            match std::env::var(&var) {
                Ok(url) if !url.trim().is_empty() => (url, format!("the {var} variable")),
                _ => {
                    return Err(Failure(format!(
                        "no database URL for `{env}`: {var} (named by [env.{env}] database_url_env in {}) is not set; \
                         on Heroku: export {var}=\"$(heroku config:get DATABASE_URL -a <{env}-app>)\", or pass --database-url",
                        self.config_name()
                    )))
                }
            }
        } else {
            match std::env::var("DATABASE_URL") {
                Ok(url) if !url.trim().is_empty() => (url, "the DATABASE_URL variable".to_string()),
                _ => {
                    let env = env.unwrap_or("<env>");
                    return Err(Failure(format!(
                        "no database URL: set DATABASE_URL, pass --database-url, or name a variable in hc-schema.toml:\n\n    [env.{env}]\n    database_url_env = \"HC_{}_DATABASE_URL\"",
                        env.to_ascii_uppercase().replace('-', "_")
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
