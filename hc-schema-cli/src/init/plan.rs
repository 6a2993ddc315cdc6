//! Everything `init` would change, computed before anything is written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hc_schema_snapshot::read::{read_regular_text, MAX_BYTES};
use toml_edit::{Item, TableLike, Value};

use super::build_script::{self, Edit, CALL, NEW_BUILD_RS};
use super::config_file;
use super::edit::{ensure_array_entries, inline, insert_missing, quoted_list, table_at, TomlFile};
use super::workspace::{
    dependency_key, has_dependency, Member, Workspace, MACRO_PACKAGE, SNAPSHOT_PACKAGE,
};

/// What `init` was asked to do.
pub struct Options {
    /// Environments to set up (empty: the project's, else test and prod).
    pub envs: Vec<String>,
    /// The Heroku Connect schema for a new hc-schema.toml.
    pub schema: Option<String>,
    /// Set up the requirement registry and the release-phase dependency.
    pub registry: bool,
    /// Crates named as macro users, in addition to the detected ones.
    pub crates: Vec<String>,
    /// A database URL and where it came from (`--database-url`, a variable): when `schema`
    /// is `None`, the schema is detected from it. Never printed.
    pub database: Option<(String, String)>,
}

/// One file to write.
pub struct Write {
    /// Where.
    pub path: PathBuf,
    /// The path as shown.
    pub shown: String,
    /// The new content.
    pub text: String,
    /// What changes, one sentence each.
    pub changes: Vec<String>,
}

/// The plan.
pub struct Plan {
    /// Files to write (only those whose content changes).
    pub writes: Vec<Write>,
    /// Steps `init` cannot do safely: printed, and the exit status is 1.
    pub manual: Vec<String>,
    /// Remarks (the Procfile line, crates found).
    pub notes: Vec<String>,
}

/// The version requirement written into Cargo.toml files: this CLI's `major.minor`.
pub fn version_requirement() -> String {
    let mut parts = hc_schema_snapshot::VERSION.split(['.', '-', '+']);
    let major = parts.next().unwrap_or("0");
    let minor = parts.next().unwrap_or("0");
    format!("{major}.{minor}")
}

/// Plan `init` for the crate or workspace at `start` (a directory or a Cargo.toml).
pub fn plan(start: &Path, options: &Options) -> Result<Plan, String> {
    let mut ws = Workspace::discover(start)?;
    for name in &options.crates {
        if ws.member(name).is_none() {
            let names: Vec<&str> = ws.members.iter().map(|m| m.name.as_str()).collect();
            return Err(format!(
                "--crate {name}: no such crate in the workspace (its crates: {})",
                names.join(", ")
            ));
        }
    }
    let users: BTreeSet<String> = ws
        .members
        .iter()
        .filter(|m| m.uses_macros || options.crates.contains(&m.name))
        // hc-schema's own crates (its repository) are the tool, not users of it.
        .filter(|m| m.name != MACRO_PACKAGE && m.name != SNAPSHOT_PACKAGE)
        .map(|m| m.name.clone())
        .collect();
    let user_dirs: Vec<PathBuf> = ws
        .members
        .iter()
        .filter(|m| users.contains(&m.name))
        .map(|m| m.dir.clone())
        .collect();
    let mut detected_note = None;
    let (schema, schema_origin) = match (&options.schema, &options.database) {
        (Some(schema), _) => (Some(schema.clone()), "--schema".to_string()),
        (None, Some((url, origin))) => {
            let found = super::detect::detect(url.clone(), origin.clone())?;
            detected_note = Some(format!(
                "Heroku Connect schema `{}` detected in the database of {}",
                found.schema, found.origin
            ));
            (
                Some(found.schema),
                format!("the schema detected from {}", found.origin),
            )
        }
        (None, None) => (None, String::new()),
    };
    let config = config_file::plan(
        &ws.root,
        &user_dirs,
        &options.envs,
        schema.as_deref(),
        &schema_origin,
        options.registry,
    )?;
    // Crates that get `<env>-snapshot` features: the macro users and every crate that
    // depends on one of those, directly or through another.
    let mut featured = users.clone();
    loop {
        let before = featured.len();
        for member in &ws.members {
            if member.name == MACRO_PACKAGE || member.name == SNAPSHOT_PACKAGE {
                continue;
            }
            if member.deps.iter().any(|d| featured.contains(&d.package)) {
                featured.insert(member.name.clone());
            }
        }
        if featured.len() == before {
            break;
        }
    }
    let mut plan = Plan {
        writes: Vec::new(),
        manual: Vec::new(),
        notes: detected_note
            .into_iter()
            .chain(config.notes.clone())
            .collect(),
    };
    if users.is_empty() {
        plan.notes.push(
            "no crate mentions hc_requires, hc_sql! or hc_query! yet: name the crate that will with `--crate <name>` (then its dependents are set up too)"
                .into(),
        );
    }
    let wanted = wanted_packages(&ws, &users, &featured, options.registry);
    let inherit = workspace_dependencies(&mut ws, &wanted)?;
    let members: Vec<usize> = (0..ws.members.len())
        .filter(|&i| featured.contains(&ws.members[i].name))
        .collect();
    for i in members {
        let member = &ws.members[i];
        let is_user = users.contains(&member.name);
        let shown = ws.show(&member.manifest);
        let mut forwards: Vec<(String, bool)> = Vec::new();
        for dep in &member.deps {
            if featured.contains(&dep.package)
                && dep.package != member.name
                && !forwards.iter().any(|(key, _)| *key == dep.key)
            {
                forwards.push((dep.key.clone(), dep.optional));
            }
        }
        let bins = member.bins.clone();
        let build = member.build_script.clone();
        let dir = member.dir.clone();
        let name = member.name.clone();
        let file = ws
            .files
            .get_mut(&member.manifest)
            .ok_or_else(|| format!("{shown}: not read"))?;
        let err = |e: String| format!("{shown}: {e}");
        if is_user {
            add_dependency(file, "dependencies", MACRO_PACKAGE, &inherit, &[]).map_err(err)?;
            add_dependency(file, "build-dependencies", SNAPSHOT_PACKAGE, &inherit, &[])
                .map_err(err)?;
            if options.registry {
                add_dependency(file, "dependencies", SNAPSHOT_PACKAGE, &inherit, &[])
                    .map_err(err)?;
            }
        }
        if options.registry && !bins.is_empty() {
            add_dependency(file, "dependencies", SNAPSHOT_PACKAGE, &inherit, &["fetch"])
                .map_err(err)?;
            for bin in &bins {
                plan.notes.push(format!(
                    "Procfile (release phase, with a `verify-schema` command in {bin}'s main; see docs/release-phase.md in the hc-schema repository):\n    release: ./target/release/{bin} verify-schema"
                ));
            }
        }
        for env in &config.envs {
            let feature = format!("{env}-snapshot");
            let entries: Vec<String> = forwards
                .iter()
                .map(|(key, optional)| {
                    format!("{key}{}/{feature}", if *optional { "?" } else { "" })
                })
                .collect();
            let features = table_at(file.doc.as_table_mut(), &["features"]).map_err(err)?;
            let existed = features.contains_key(&feature);
            // `lib/prod-snapshot` already forwards to an optional `lib` (enabling it too).
            let present: Vec<String> = features
                .get(&feature)
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let entries: Vec<String> = entries
                .into_iter()
                .filter(|e| !present.contains(&e.replacen("?/", "/", 1)))
                .collect();
            let added = ensure_array_entries(
                features,
                &feature,
                &entries,
                &format!("`features.{feature}`"),
            )
            .map_err(err)?;
            if !existed {
                file.changes.push(format!(
                    "[features] added {feature} = [{}]",
                    quoted_list(&entries)
                ));
            } else if !added.is_empty() {
                file.changes.push(format!(
                    "[features] {feature}: added {}",
                    quoted_list(&added)
                ));
            }
        }
        if is_user {
            build_script_step(&ws.root, &dir, &name, &shown, build, &mut plan)?;
        }
    }
    // The recommended profile, where cargo reads it: the workspace root.
    if !users.is_empty() {
        let root_manifest = ws.root_manifest.clone();
        let shown = ws.show(&root_manifest);
        let file = ws
            .files
            .get_mut(&root_manifest)
            .ok_or_else(|| format!("{shown}: not read"))?;
        let table = table_at(
            file.doc.as_table_mut(),
            &["profile", "dev", "build-override"],
        )
        .map_err(|e| format!("{shown}: {e}"))?;
        if insert_missing(table, "opt-level", Value::from(3)) {
            file.changes.push(
                "[profile.dev.build-override] added opt-level = 3 (the macros' SQL checks run 4x faster)"
                    .into(),
            );
        }
    }
    if options.registry && !members_with_bins(&ws, &featured) {
        plan.notes.push(
            "--registry: no binary crate of this workspace links the crates that use the macros; add `hc-schema-snapshot = { version = \"VERSION\", features = [\"fetch\"] }` to the [dependencies] of the binary that runs the release phase"
                .replace("VERSION", &version_requirement()),
        );
    }
    let config_path = config.path.clone();
    if config.text != config.original.as_deref().unwrap_or_default() || config.original.is_none() {
        plan.writes.insert(
            0,
            Write {
                shown: ws.show(&config.path),
                path: config.path,
                text: config.text,
                changes: config.changes,
            },
        );
    }
    for (path, file) in &ws.files {
        if file.changed() {
            plan.writes.push(Write {
                shown: ws.show(path),
                path: path.clone(),
                text: file.text(),
                changes: file.changes.clone(),
            });
        }
    }
    plan.writes.sort_by(|a, b| {
        let config_first = |w: &Write| w.path != config_path;
        (config_first(a), &a.shown).cmp(&(config_first(b), &b.shown))
    });
    Ok(plan)
}

/// Whether one of `featured` has a binary.
fn members_with_bins(ws: &Workspace, featured: &BTreeSet<String>) -> bool {
    ws.members
        .iter()
        .any(|m: &Member| featured.contains(&m.name) && !m.bins.is_empty())
}

/// The packages new dependency entries inherit from `[workspace.dependencies]`: those the
/// root declares there, and, when the root has a `[workspace.dependencies]` table that does not
/// declare ours, ours once added there (a workspace that manages its versions in one place
/// keeps doing so). A package is added only when some crate still lacks the dependency
/// (`wanted`): an entry no crate uses would be a change for nothing.
fn workspace_dependencies(
    ws: &mut Workspace,
    wanted: &BTreeSet<&'static str>,
) -> Result<BTreeSet<String>, String> {
    let root_manifest = ws.root_manifest.clone();
    let shown = ws.show(&root_manifest);
    let Some(file) = ws.files.get_mut(&root_manifest) else {
        return Ok(BTreeSet::new());
    };
    let declared = file
        .doc
        .as_table()
        .get("workspace")
        .and_then(Item::as_table_like)
        .and_then(|w| w.get("dependencies"))
        .is_some_and(|d| d.is_table_like());
    if !declared {
        return Ok(BTreeSet::new());
    }
    let section = table_at(file.doc.as_table_mut(), &["workspace", "dependencies"])
        .map_err(|e| format!("{shown}: {e}"))?;
    let mut inherit = BTreeSet::new();
    for package in [MACRO_PACKAGE, SNAPSHOT_PACKAGE] {
        if dependency_key(section, package).is_none() {
            if !wanted.contains(package) {
                continue;
            }
            section.insert(package, Item::Value(Value::from(version_requirement())));
            file.changes.push(format!(
                "[workspace.dependencies] added {package} = \"{}\" (the crates inherit it with `workspace = true`)",
                version_requirement()
            ));
        }
        inherit.insert(package.to_string());
    }
    Ok(inherit)
}

/// The packages some crate must still get a dependency entry for: the macro and the
/// library (build-dependency; with `--registry` also a dependency, and `fetch` in binaries).
fn wanted_packages(
    ws: &Workspace,
    users: &BTreeSet<String>,
    featured: &BTreeSet<String>,
    registry: bool,
) -> BTreeSet<&'static str> {
    let mut wanted = BTreeSet::new();
    for member in &ws.members {
        let Some(file) = ws.files.get(&member.manifest) else {
            continue;
        };
        let table = file.doc.as_table();
        let lacks = |kind: &str, package: &str| !has_dependency(table, kind, package);
        if users.contains(&member.name) {
            if lacks("dependencies", MACRO_PACKAGE) {
                wanted.insert(MACRO_PACKAGE);
            }
            if lacks("build-dependencies", SNAPSHOT_PACKAGE)
                || (registry && lacks("dependencies", SNAPSHOT_PACKAGE))
            {
                wanted.insert(SNAPSHOT_PACKAGE);
            }
        }
        if registry
            && featured.contains(&member.name)
            && !member.bins.is_empty()
            && lacks("dependencies", SNAPSHOT_PACKAGE)
        {
            wanted.insert(SNAPSHOT_PACKAGE);
        }
    }
    wanted
}

/// Make `kind` (`dependencies`, `build-dependencies`) depend on `package` with `features`.
/// A dependency that exists (in any target section, under any key) is kept as it is, except
/// that missing `features` are added to the top-level entry.
fn add_dependency(
    file: &mut TomlFile,
    kind: &str,
    package: &str,
    inherit: &BTreeSet<String>,
    features: &[&str],
) -> Result<(), String> {
    let table = file.doc.as_table();
    let underscore = kind.replace('-', "_");
    let section_name = if !table.contains_key(kind) && table.contains_key(&underscore) {
        underscore
    } else {
        kind.to_string()
    };
    let features: Vec<String> = features.iter().map(|f| f.to_string()).collect();
    let present = has_dependency(table, kind, package);
    let section = table_at(file.doc.as_table_mut(), &[&section_name])?;
    let key = dependency_key(section, package);
    match key {
        None if present => Ok(()), // only under a [target.<cfg>] section: left as it is
        None => {
            let mut entries: Vec<(&str, Value)> = if inherit.contains(package) {
                vec![("workspace", Value::from(true))]
            } else {
                vec![("version", Value::from(version_requirement()))]
            };
            if !features.is_empty() {
                entries.push(("features", super::edit::string_array(&features)));
            }
            let value = if entries.len() == 1 && entries[0].0 == "version" {
                Value::from(version_requirement())
            } else {
                inline(entries)
            };
            let shown = value.to_string();
            section.insert(package, Item::Value(value));
            file.changes.push(format!(
                "[{section_name}] added {package} = {}",
                shown.trim()
            ));
            Ok(())
        }
        Some(_) if features.is_empty() => Ok(()),
        Some(key) => {
            let item = section
                .get_mut(&key)
                .ok_or_else(|| format!("`{section_name}.{key}` vanished"))?;
            let added = if let Some(version) = item.as_str().map(String::from) {
                *item = Item::Value(inline(vec![
                    ("version", Value::from(version)),
                    ("features", super::edit::string_array(&features)),
                ]));
                features.clone()
            } else if let Some(dep) = item.as_table_like_mut() {
                ensure_array_entries(
                    dep as &mut dyn TableLike,
                    "features",
                    &features,
                    &format!("`{section_name}.{key}.features`"),
                )?
            } else {
                return Err(format!(
                    "`{section_name}.{key}` is neither a version string nor a table"
                ));
            };
            if !added.is_empty() {
                file.changes.push(format!(
                    "[{section_name}] {key}: added features {}",
                    quoted_list(&added)
                ));
            }
            Ok(())
        }
    }
}

/// The build script of a macro user: created, completed, or a manual step.
fn build_script_step(
    root: &Path,
    dir: &Path,
    name: &str,
    manifest_shown: &str,
    build: Option<PathBuf>,
    plan: &mut Plan,
) -> Result<(), String> {
    let Some(path) = build else {
        plan.manual.push(format!(
            "{manifest_shown} sets `build = false`, so crate {name} has no build script and its macros cannot see the snapshots: remove `build = false` and create {}/build.rs with:\n{NEW_BUILD_RS}",
            hc_schema_snapshot::selection::display_path(dir, root)
        ));
        return Ok(());
    };
    let shown = hc_schema_snapshot::selection::display_path(&path, root);
    if !path.exists() {
        plan.writes.push(Write {
            path,
            shown,
            text: NEW_BUILD_RS.into(),
            changes: vec![format!("created, calling {CALL}")],
        });
        return Ok(());
    }
    let text = read_regular_text(&path, MAX_BYTES)
        .map_err(|err| format!("{shown}: cannot read the build script: {err}"))?;
    match build_script::plan(&text) {
        Edit::AlreadyCalls => {}
        Edit::Insert(new) => plan.writes.push(Write {
            path,
            shown,
            text: new,
            changes: vec![format!("added `{CALL}` as the first line of fn main")],
        }),
        Edit::Manual(why) => plan.manual.push(format!(
            "{shown}: add `{CALL}` as the first line of its `fn main` (init did not edit it: {why})"
        )),
    }
    Ok(())
}
