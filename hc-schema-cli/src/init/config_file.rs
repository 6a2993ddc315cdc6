//! `hc-schema.toml` at the workspace root: created, or an existing one completed in place
//! (only missing `[env.<name>]` sections, and `[registry] enabled = true` when asked).

use std::path::{Path, PathBuf};

use hc_schema_snapshot::config::{
    list_envs, Config, DEFAULT_SCHEMA, DEFAULT_SNAPSHOT_DIR, FILE_NAME,
};
use hc_schema_snapshot::read::{read_regular_text, MAX_BYTES};
use toml_edit::{Item, Table, Value};

use super::edit::{table_at, TomlFile};

/// The environments `init` sets up when none is named and the project names none.
pub const DEFAULT_ENVS: [&str; 2] = ["test", "prod"];

/// The planned `hc-schema.toml`.
pub struct ConfigEdit {
    /// Its path.
    pub path: PathBuf,
    /// The text before (`None`: the file does not exist).
    pub original: Option<String>,
    /// The text after.
    pub text: String,
    /// What changed.
    pub changes: Vec<String>,
    /// The environments set up.
    pub envs: Vec<String>,
    /// Remarks for the user (a `--schema` that differs from the file's).
    pub notes: Vec<String>,
}

/// The variable `init` names for an environment's database URL: `HC_<NAME>_DATABASE_URL`.
///
/// ```ignore
/// assert_eq!(url_variable("eu-west"), "HC_EU_WEST_DATABASE_URL");
/// ```
pub fn url_variable(env: &str) -> String {
    format!(
        "HC_{}_DATABASE_URL",
        env.to_ascii_uppercase().replace('-', "_")
    )
}

/// Plan `hc-schema.toml` in `root`. `envs`: the environments named on the command line (none:
/// those the file and the snapshot directory know, else test and prod).
pub fn plan(
    root: &Path,
    crate_dirs: &[PathBuf],
    envs: &[String],
    schema: Option<&str>,
    schema_origin: &str,
    registry: bool,
) -> Result<ConfigEdit, String> {
    // The file the builds of this workspace read: the nearest one from the root up (a new
    // one at the root would shadow one above it).
    let path = root
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.exists())
        .unwrap_or_else(|| root.join(FILE_NAME));
    let shown = hc_schema_snapshot::selection::display_path(&path, root);
    let original = if path.exists() {
        Some(
            read_regular_text(&path, MAX_BYTES)
                .map_err(|err| format!("{shown}: cannot read the file: {err}"))?,
        )
    } else {
        None
    };
    let mut notes = Vec::new();
    let Some(original) = original else {
        let snapshot_dir = new_snapshot_dir(root, crate_dirs)?;
        let envs = if envs.is_empty() {
            let found = list_envs(&root.join(&snapshot_dir));
            if found.is_empty() {
                DEFAULT_ENVS.iter().map(|e| e.to_string()).collect()
            } else {
                found
            }
        } else {
            envs.to_vec()
        };
        let schema = schema.unwrap_or(DEFAULT_SCHEMA);
        let text = new_config(schema, &snapshot_dir, &envs, registry);
        validate(&text)?;
        return Ok(ConfigEdit {
            changes: vec![format!(
                "created: schema = \"{schema}\", environments {}",
                envs.join(", ")
            )],
            path,
            original: None,
            text,
            envs,
            notes,
        });
    };
    let config = Config::parse(&original, &shown).map_err(|err| err.to_string())?;
    let mut file = TomlFile::parse(&original, &shown)?;
    let config_dir = path.parent().unwrap_or(root);
    let envs = if envs.is_empty() {
        let snapshot_dir = config_dir.join(
            config
                .snapshot_dir
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_SNAPSHOT_DIR)),
        );
        let mut found: Vec<String> = config.env.keys().cloned().collect();
        for env in list_envs(&snapshot_dir) {
            if !found.contains(&env) {
                found.push(env);
            }
        }
        if found.is_empty() {
            DEFAULT_ENVS.iter().map(|e| e.to_string()).collect()
        } else {
            found
        }
    } else {
        // The named ones, and those the file already has (their features are set up too).
        let mut all = envs.to_vec();
        for env in config.env.keys() {
            if !all.contains(env) {
                all.push(env.clone());
            }
        }
        all
    };
    if let Some(schema) = schema {
        let current = config.schema.as_deref().unwrap_or(DEFAULT_SCHEMA);
        if current != schema {
            notes.push(format!(
                "{shown} says schema = \"{current}\"; {schema_origin} {schema} was not written over it (edit the file if the schema is {schema})"
            ));
        }
    }
    for env in &envs {
        if config.env.contains_key(env) {
            continue;
        }
        let variable = url_variable(env);
        let is_inline = file
            .doc
            .as_table()
            .get("env")
            .is_some_and(Item::is_inline_table);
        let table =
            table_at(file.doc.as_table_mut(), &["env"]).map_err(|err| format!("{shown}: {err}"))?;
        if is_inline {
            let mut section = toml_edit::InlineTable::new();
            section.insert("database_url_env", Value::from(variable.as_str()));
            table.insert(env, Item::Value(Value::InlineTable(section)));
        } else {
            let mut section = Table::new();
            section.set_dotted(table.is_dotted());
            section.insert("database_url_env", toml_edit::value(variable.as_str()));
            table.insert(env, Item::Table(section));
        }
        file.changes.push(format!(
            "added [env.{env}] database_url_env = \"{variable}\""
        ));
    }
    if registry && !config.registry.enabled {
        let table = table_at(file.doc.as_table_mut(), &["registry"])
            .map_err(|err| format!("{shown}: {err}"))?;
        table.insert("enabled", toml_edit::value(true));
        file.changes.push("set [registry] enabled = true".into());
    }
    let text = file.text();
    if text != original {
        validate(&text)?;
    }
    Ok(ConfigEdit {
        path,
        original: Some(original),
        text,
        changes: file.changes,
        envs,
        notes,
    })
}

/// A new `hc-schema.toml`.
fn new_config(schema: &str, snapshot_dir: &str, envs: &[String], registry: bool) -> String {
    let default = if envs.iter().any(|e| e == "test") {
        "test"
    } else {
        envs[0].as_str()
    };
    let mut text = format!(
        "# hc-schema: Heroku Connect schema snapshots and checks (see docs/app-developer.md in the hc-schema repository).\n\
         schema = \"{schema}\"          # the Heroku Connect schema name\n\
         snapshot_dir = \"{snapshot_dir}\"     # <snapshot_dir>/<env>.json, relative to this file\n\
         default_envs = [\"{default}\"]        # what a plain `cargo build` checks\n"
    );
    for env in envs {
        text.push_str(&format!(
            "\n[env.{env}]\ndatabase_url_env = \"{}\"   # the NAME of the variable holding the URL, never the URL\n",
            url_variable(env)
        ));
    }
    if registry {
        text.push_str("\n[registry]\nenabled = true   # compile the requirements into the binary for the release-phase check\n");
    }
    text
}

/// The `snapshot_dir` of a new hc-schema.toml at `root`: `hc-schema`, unless the crates that
/// use the macros keep their snapshots next to their own Cargo.toml (the default without a
/// config file), which a config at the root would stop the builds from reading: then that
/// directory, when there is one; several are an error (one config cannot point at them all).
fn new_snapshot_dir(root: &Path, crate_dirs: &[PathBuf]) -> Result<String, String> {
    let mut own: Vec<PathBuf> = Vec::new();
    for dir in crate_dirs.iter().filter(|d| d.as_path() != root) {
        let snapshots = dir.join(DEFAULT_SNAPSHOT_DIR);
        if !list_envs(&snapshots).is_empty() && !own.contains(&snapshots) {
            own.push(snapshots);
        }
    }
    let at_root = !list_envs(&root.join(DEFAULT_SNAPSHOT_DIR)).is_empty();
    let shown = |dirs: &[PathBuf]| {
        dirs.iter()
            .map(|d| hc_schema_snapshot::selection::display_path(d, root))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (at_root, own.as_slice()) {
        (_, []) => Ok(DEFAULT_SNAPSHOT_DIR.into()),
        (false, [one]) => Ok(hc_schema_snapshot::selection::display_path(one, root)),
        _ => {
            let mut all = own.clone();
            if at_root {
                all.insert(0, root.join(DEFAULT_SNAPSHOT_DIR));
            }
            Err(format!(
                "snapshots are kept in several directories ({}), and one {FILE_NAME} at the workspace root has one snapshot_dir: move them into one directory (or write {FILE_NAME} by hand), then run `hc-schema init` again (nothing was written)",
                shown(&all)
            ))
        }
    }
}

/// The planned text must be a configuration hc-schema reads.
fn validate(text: &str) -> Result<(), String> {
    Config::parse(text, FILE_NAME).map(|_| ()).map_err(|err| {
        format!("internal error: the {FILE_NAME} init would write does not load ({err}); nothing was written")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_loads_and_names_each_variable() {
        let text = new_config("org", "hc-schema", &["test".into(), "prod".into()], true);
        let config = Config::parse(&text, FILE_NAME).unwrap();
        assert_eq!(config.schema.as_deref(), Some("org"));
        assert_eq!(config.default_envs.unwrap(), ["test"]);
        assert_eq!(
            config.env["prod"].database_url_env.as_deref(),
            Some("HC_PROD_DATABASE_URL")
        );
        assert!(config.registry.enabled);
    }

    #[test]
    fn an_existing_file_gains_only_missing_sections() {
        let dir = tempfile::tempdir().unwrap();
        let original =
            "# ours\nschema = \"org\"\n\n[env.test]\ndatabase_url_env = \"MINE\" # keep\n";
        std::fs::write(dir.path().join(FILE_NAME), original).unwrap();
        let edit = plan(
            dir.path(),
            &[],
            &["test".into(), "prod".into()],
            None,
            "",
            false,
        )
        .unwrap();
        assert_eq!(
            edit.text,
            format!("{original}\n[env.prod]\ndatabase_url_env = \"HC_PROD_DATABASE_URL\"\n")
        );
        std::fs::write(dir.path().join(FILE_NAME), &edit.text).unwrap();
        let again = plan(
            dir.path(),
            &[],
            &["test".into(), "prod".into()],
            None,
            "",
            false,
        )
        .unwrap();
        assert!(again.changes.is_empty());
        assert_eq!(again.text, edit.text);
    }
}
