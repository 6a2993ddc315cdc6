//! The build-script helper: `hc_schema_snapshot::build::configure()`.
//!
//! ```text
//! // build.rs
//! fn main() {
//!     hc_schema_snapshot::build::configure();
//! }
//! ```
//!
//! It selects the snapshots (see [`crate::selection`]), tells cargo to re-run when a snapshot,
//! `hc-schema.toml` or a selecting environment variable changes, and hands the selection to
//! `#[hc_requires]` through the `HC_SCHEMA_SELECTION` rustc environment variable. The value
//! carries a fingerprint of the selected files, so editing a snapshot re-checks the crate on the
//! next plain `cargo build`. For `hc_sql!` it also writes the names every snapshot knows and
//! hands them over with the Heroku Connect schema names in `HC_SCHEMA_SQL`
//! ([`crate::selection::SqlSetup`]). For the type checks (drift, `hc_query!`'s types) it writes
//! every snapshot's column types, selected or not, to one [`TypesIndex`], named with the
//! fingerprint of every snapshot's bytes in the selection ([`Selection::types`]): every
//! snapshot of the directory is watched (`rerun-if-changed`), so an edit of an unselected one
//! re-runs the script, changes that fingerprint and re-checks the crate.

use std::path::{Path, PathBuf};

use crate::config::{ConfigError, Project};
use crate::hash::WordHash;
use crate::index::NameIndex;
use crate::index::NameLines;
use crate::names_reader::SnapshotNames;
pub use crate::paths::workspace_root;
use crate::selection::{
    self, CheckedSchema, Inputs, Looked, Reason, Selection, SnapshotRef, SqlSetup, Stamp, TypesRef,
    CHECKED_VAR, ENV_VAR, SELECTION_VAR, SNAPSHOT_VAR, SQL_VAR,
};
use crate::snapshot::write_atomically;
use crate::types_index::{Indexed, TypesIndex};

/// Configure the build; on a bad `hc-schema.toml` print the error and fail the build script.
pub fn configure() {
    if let Err(err) = try_configure() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

/// [`configure`], returning the selection or the configuration error instead of exiting.
///
/// Every `rerun-if-changed` path is written relative to the package when it can be (cargo
/// resolves relative paths against the package root), so that two checkouts of a workspace
/// sharing one target directory each watch their own files.
pub fn try_configure() -> Result<Selection, ConfigError> {
    println!("cargo:rerun-if-env-changed={SNAPSHOT_VAR}");
    println!("cargo:rerun-if-env-changed={ENV_VAR}");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let watch = |path: &Path| {
        println!(
            "cargo:rerun-if-changed={}",
            relative_to(path, &manifest_dir).display()
        );
    };
    // The checkout: see `checkout_stamp`.
    if let Some(stamp) = checkout_stamp(&manifest_dir) {
        watch(&stamp);
    }
    // The crate's manifest: `registry_crate` is read from it (adding the dependency the
    // registry's error asks for must be seen by the next build).
    watch(&manifest_dir.join("Cargo.toml"));
    // Re-run when the config file found changes; the places where none was found are checked
    // by the macro at each compilation (see `Looked`): naming a missing file would re-run the
    // script, and recompile the crate, on every build.
    let looked = Looked::config_files(&manifest_dir);
    if let Some((found, Some(_))) = looked.files.last() {
        watch(found);
    }
    let project = Project::discover(&manifest_dir)?;
    watch(&project.snapshot_dir());
    let available = project.available_envs();
    let mut feature_envs: Vec<String> = std::env::vars()
        .filter_map(|(var, _)| selection::env_of_feature_var(&var, &available))
        .collect();
    feature_envs.sort();
    let inputs = Inputs {
        snapshot_var: std::env::var(SNAPSHOT_VAR).ok(),
        env_var: std::env::var(ENV_VAR).ok(),
        feature_envs,
    };
    let mut selection = selection::select_for_crate(&manifest_dir, &inputs)?;
    if let Some(warning) = overridden_features(&selection) {
        if !project.config.build.variables_override_features {
            return Err(overriding_error(&selection, &warning));
        }
        println!("cargo:warning={warning}");
    }
    // Every snapshot, not only the selected ones: `hc_sql!` reads the names of all of them
    // (which unqualified tables are Heroku Connect's), and "mapped in" notes name them.
    for snapshot in selection.selected.iter().chain(&selection.others) {
        watch(&snapshot.path);
    }
    // Each file is read once: the fingerprint and the index describe the same bytes, and the
    // stamp is taken before the read (a change during the read makes it stale, never fresh).
    // Only the names are kept, not the text: a large org's snapshot is tens of megabytes.
    let out_dir = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let mut fingerprint = ContentHash::new();
    // Every snapshot of the directory, for the types index.
    let mut every = ContentHash::new();
    let mut names: Vec<Option<SnapshotNames>> = Vec::new();
    for snapshot in &mut selection.selected {
        snapshot.stamp = Stamp::of(&snapshot.path);
        let bytes = std::fs::read(&snapshot.path).ok();
        fingerprint.file(&snapshot.path, bytes.as_deref());
        every.file(&snapshot.path, bytes.as_deref());
        if out_dir.is_some() {
            let read = bytes
                .as_deref()
                .and_then(|bytes| read_names(bytes, snapshot));
            if let Some(read) = &read {
                check_environment(selection.reason, snapshot, &read.environment)?;
            }
            names.push(read);
        }
    }
    selection.fingerprint = fingerprint.finish();
    // The other snapshots: their names for `hc_sql!`, their types for the types index.
    let mut other_names: Vec<Option<SnapshotNames>> = Vec::new();
    if out_dir.is_some() {
        for other in &mut selection.others {
            other.stamp = Stamp::of(&other.path);
            let bytes = std::fs::read(&other.path).ok();
            every.file(&other.path, bytes.as_deref());
            other_names.push(bytes.as_deref().and_then(|bytes| read_names(bytes, other)));
        }
    }
    let checked = checked_schemas(&project, &selection, &names);
    println!(
        "cargo:rustc-env={CHECKED_VAR}={}",
        CheckedSchema::encode(&checked)
    );
    if let Some(out_dir) = out_dir {
        selection.types = write_types_index(&selection, &names, &other_names, &every, &out_dir);
        let loaded = write_indexes(&mut selection, names, &out_dir);
        let setup = sql_setup(&project, &selection, loaded, other_names, &out_dir);
        println!("cargo:rustc-env={SQL_VAR}={}", setup.encode());
    }
    if let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) {
        crate_record(&selection, &manifest_dir, &out_dir)?;
    }
    println!(
        "cargo:rustc-env={SELECTION_VAR}={}",
        selection.encode_with(&looked)
    );
    Ok(selection)
}

/// The crate-level registry record of a crate built with `[registry] enabled = true` and
/// `[check] unguarded = "warn"`: the record of the crate as a whole, saying only that its SQL
/// strings outside `hc_sql!` and annotated items were let through unregistered (a `G` line,
/// [`crate::registry::Record::crate_level`]), so that the release phase names the crate even
/// when no annotation and no `hc_sql!` of it makes a record (attacker finding N5, last part).
/// No macro runs in such a crate, so the build script compiles the record itself: a `#[used]`
/// static in the `hc_schema_sites` section of an object file of its own, which the crate's
/// final link takes in (`rustc-link-lib`, verbatim, not bundled). ELF targets only (the
/// registry of other targets is `inventory`'s, which needs the crate's own code): elsewhere
/// the gap stays, and `docs/reference.md` says so. A record that cannot be compiled fails the
/// build script, naming why: never a release phase that says ok without knowing.
fn crate_record(
    selection: &Selection,
    manifest_dir: &Path,
    out_dir: &Path,
) -> Result<(), ConfigError> {
    if !selection.registry || selection.lints.unguarded != crate::config::LintLevel::Warn {
        return Ok(());
    }
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if !matches!(os.as_str(), "linux" | "android") {
        return Ok(());
    }
    let manifest = manifest_dir.join("Cargo.toml");
    let shown = relative_to(&manifest, &crate::paths::workspace_root(manifest_dir))
        .display()
        .to_string()
        .replace('\\', "/");
    let record = crate::registry::Record::crate_level(&shown);
    let source = format!(
        "#![no_std]\n#[used]\n#[link_section = \"hc_schema_sites\"]\n\
         static HC_SCHEMA_CRATE_SITE: &str = {record:?};\n"
    );
    let fail = |why: String| ConfigError {
        path: shown.clone(),
        line: 0,
        column: 0,
        message: format!(
            "`[check] unguarded = \"warn\"` with the registry needs a crate-level record (so \
             that the release phase names this crate's unregistered SQL strings), and it could \
             not be compiled: {why}; set `unguarded = \"error\"`, or report this"
        ),
    };
    // One name per package (its manifest's path): every crate of the final link has its own
    // object, searched by name in every crate's `OUT_DIR`, and its own symbol (crate name
    // and `-C metadata`), so two such crates in one program neither take the first one's
    // object twice nor collide.
    let unique = format!(
        "{:016x}",
        crate::hash::hash(manifest.to_string_lossy().as_bytes())
    );
    let crate_name = format!("hc_schema_crate_site_{unique}");
    let source_path = out_dir.join(format!("{crate_name}.rs"));
    let object = format!("{crate_name}.o");
    std::fs::write(&source_path, source)
        .map_err(|e| fail(format!("writing {}: {e}", source_path.display())))?;
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut command = std::process::Command::new(&rustc);
    command
        .args(["--crate-type", "lib", "--edition", "2021", "--crate-name"])
        .arg(&crate_name)
        .arg("-C")
        .arg(format!("metadata={unique}"))
        .args([
            "-C",
            "opt-level=0",
            "-C",
            "debuginfo=0",
            "--cap-lints",
            "allow",
        ])
        .arg("--emit")
        .arg(format!("obj={}", out_dir.join(&object).display()))
        .arg(&source_path);
    if let Ok(target) = std::env::var("TARGET") {
        command.args(["--target", &target]);
    }
    let output = command
        .output()
        .map_err(|e| fail(format!("running {}: {e}", rustc.to_string_lossy())))?;
    if !output.status.success() {
        return Err(fail(format!(
            "{} said: {}",
            rustc.to_string_lossy(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static:-bundle,+verbatim={object}");
    Ok(())
}

/// A file that exists in this checkout only, so that the build script re-runs (and the crate is
/// compiled again, checked against this checkout's snapshots) when the same crate is built from
/// another checkout sharing the target directory.
///
/// Cargo decides freshness by modification times and hashes a workspace member by its path
/// within the workspace, so two checkouts sharing one `CARGO_TARGET_DIR` share this build
/// script's output; checkout B, whose files are older than A's build, would reuse A's
/// compilation, checked against A's snapshots. The stamp is
/// `<workspace root>/target/hc-schema-checkout/<hash of the crate's path>`, watched by a path
/// relative to the package: in another checkout that path names a file that does not exist
/// (its stamp has another name), so cargo re-runs the build script there, which writes its
/// own. Its modification time is set far in the past, so that it never makes this checkout's
/// build stale itself. Builds in one checkout cost nothing more; each switch of checkout costs
/// one run of the build script and one compilation of the crate.
///
/// `None` (nothing watched) for a crate from cargo's registry or git cache (their paths do not
/// move between checkouts, and their sources are not to be written next to), or when the
/// stamp cannot be written (a read-only tree).
pub fn checkout_stamp(manifest_dir: &Path) -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if cargo_home.is_some_and(|home| manifest_dir.starts_with(home)) {
        return None;
    }
    let mut key = WordHash::new();
    key.feed(manifest_dir.as_os_str().as_encoded_bytes());
    let dir = workspace_root(manifest_dir)
        .join("target")
        .join("hc-schema-checkout");
    let path = dir.join(format!("{:016x}", key.finish()));
    if !path.is_file() {
        std::fs::create_dir_all(&dir).ok()?;
        let text = format!(
            "hc-schema: the build script of {} ran in this checkout (see hc_schema_snapshot::build::checkout_stamp)\n",
            manifest_dir.display()
        );
        write_atomically(&path, text.as_bytes()).ok()?;
    }
    // 2001-09-09: older than any build, so never newer than the build script's last run.
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_modified(old))
        .ok()?;
    Some(path)
}

/// The schema of every environment the build knows, for the registry records (see
/// [`crate::registry`]): a selected snapshot's own `schema` when it was read (`names`, in the
/// order of `selection.selected`), else the configured one.
fn checked_schemas(
    project: &Project,
    selection: &Selection,
    names: &[Option<SnapshotNames>],
) -> Vec<CheckedSchema> {
    let mut list: Vec<CheckedSchema> = Vec::new();
    for (position, snapshot) in selection.selected.iter().enumerate() {
        let schema = names
            .get(position)
            .and_then(Option::as_ref)
            .map(|names| names.schema.clone())
            .filter(|schema| !schema.is_empty())
            .unwrap_or_else(|| project.config.schema_for(&snapshot.env).to_string());
        list.push(CheckedSchema {
            env: snapshot.env.clone(),
            schema,
            selected: true,
        });
    }
    for other in &selection.others {
        list.push(CheckedSchema {
            env: other.env.clone(),
            schema: project.config.schema_for(&other.env).to_string(),
            selected: false,
        });
    }
    list.sort();
    list.dedup();
    list
}

/// An environment's own snapshot file (`hc-schema/prod.json`, selected by environment name)
/// must say it is that environment's: a copy of `test.json` saved as `prod.json` would make
/// every prod build pass against test's schema. A file named by `HC_SCHEMA_SNAPSHOT` may hold
/// any environment.
///
/// ```
/// use hc_schema_snapshot::build::check_environment;
/// use hc_schema_snapshot::selection::{Reason, SnapshotRef};
/// let prod = SnapshotRef {
///     env: "prod".into(),
///     path: "hc-schema/prod.json".into(),
///     display: "hc-schema/prod.json".into(),
///     index: None,
///     stamp: None,
/// };
/// assert!(check_environment(Reason::Features, &prod, "prod").is_ok());
/// let err = check_environment(Reason::Features, &prod, "test").unwrap_err();
/// assert!(err.to_string().contains("is the snapshot of `test`"), "{err}");
/// assert!(check_environment(Reason::SnapshotVar, &prod, "test").is_ok());
/// ```
pub fn check_environment(
    reason: Reason,
    snapshot: &SnapshotRef,
    environment: &str,
) -> Result<(), ConfigError> {
    if reason == Reason::SnapshotVar || environment == snapshot.env {
        return Ok(());
    }
    Err(ConfigError {
        path: snapshot.display.clone(),
        line: 1,
        column: 1,
        message: format!(
            "{} is the snapshot of `{environment}` (its \"environment\"), not of `{}`: a copied or renamed file? run `hc-schema refresh {}` (or `import`) to write {}'s own snapshot",
            snapshot.display, snapshot.env, snapshot.env, snapshot.env
        ),
    })
}

/// The warning a build prints when `HC_SCHEMA_SNAPSHOT` or `HC_SCHEMA_ENV` overrides an
/// `<env>-snapshot` feature whose environment it leaves out: a variable left over in a CI or
/// Heroku configuration must not quietly turn `--features prod-snapshot` into a check of test.
///
/// ```
/// use hc_schema_snapshot::build::overridden_features;
/// use hc_schema_snapshot::selection::{Reason, Selection, SnapshotRef};
/// let test = SnapshotRef {
///     env: "test".into(),
///     path: "hc-schema/test.json".into(),
///     display: "hc-schema/test.json".into(),
///     index: None,
///     stamp: None,
/// };
/// let mut selection = Selection {
///     reason: Reason::EnvVar,
///     selected: vec![test],
///     others: vec![],
///     snapshot_dir: "hc-schema".into(),
///     fingerprint: String::new(),
///     registry: false,
///     strict_access: false,
///     macro_generated: Default::default(),
///     strict_types: false,
///     lints: Default::default(),
///     manifest_dir: None,
///     feature_envs: vec!["prod".into()],
///     registry_crate: None,
///     types: None,
/// };
/// let warning = overridden_features(&selection).unwrap();
/// assert!(warning.contains("HC_SCHEMA_ENV"), "{warning}");
/// assert!(warning.contains("prod-snapshot"), "{warning}");
/// selection.feature_envs = vec!["test".into()];
/// assert_eq!(overridden_features(&selection), None);
/// ```
pub fn overridden_features(selection: &Selection) -> Option<String> {
    let variable = match selection.reason {
        Reason::SnapshotVar => SNAPSHOT_VAR,
        Reason::EnvVar => ENV_VAR,
        _ => return None,
    };
    let ignored: Vec<String> = selection
        .feature_envs
        .iter()
        .filter(|env| !selection.selected.iter().any(|s| &s.env == *env))
        .map(|env| format!("`{env}-snapshot`"))
        .collect();
    if ignored.is_empty() {
        return None;
    }
    let checked: Vec<&str> = selection.selected.iter().map(|s| s.env.as_str()).collect();
    Some(format!(
        "hc-schema: {variable} overrides the feature(s) {}: this build checks against {} only; unset {variable} to check what the features select",
        ignored.join(", "),
        checked.join(", ")
    ))
}

/// The error of a build whose `HC_SCHEMA_ENV` / `HC_SCHEMA_SNAPSHOT` leaves out an environment
/// an `<env>-snapshot` feature asks for (`warning` is [`overridden_features`]' text), unless
/// `[build] variables_override_features = true` says the variables win on purpose.
///
/// ```
/// use hc_schema_snapshot::build::{overridden_features, overriding_error};
/// use hc_schema_snapshot::selection::{Reason, Selection, SnapshotRef};
/// let test = SnapshotRef {
///     env: "test".into(),
///     path: "hc-schema/test.json".into(),
///     display: "hc-schema/test.json".into(),
///     index: None,
///     stamp: None,
/// };
/// let selection = Selection {
///     reason: Reason::EnvVar,
///     selected: vec![test],
///     others: vec![],
///     snapshot_dir: "hc-schema".into(),
///     fingerprint: String::new(),
///     registry: false,
///     strict_access: false,
///     macro_generated: Default::default(),
///     strict_types: false,
///     lints: Default::default(),
///     manifest_dir: None,
///     feature_envs: vec!["prod".into()],
///     registry_crate: None,
///     types: None,
/// };
/// let err = overriding_error(&selection, &overridden_features(&selection).unwrap());
/// assert!(err.to_string().starts_with("HC_SCHEMA_ENV: "), "{err}");
/// assert!(err.to_string().contains("variables_override_features = true"), "{err}");
/// ```
pub fn overriding_error(selection: &Selection, warning: &str) -> ConfigError {
    let variable = match selection.reason {
        Reason::SnapshotVar => SNAPSHOT_VAR,
        _ => ENV_VAR,
    };
    let text = warning.strip_prefix("hc-schema: ").unwrap_or(warning);
    ConfigError {
        path: variable.to_string(),
        line: 0,
        column: 0,
        message: format!(
            "{text}. A feature asks for an environment, so this build fails: unset {variable} \
             (look in .cargo/config.toml [env], the CI settings and the Heroku config), or set \
             `variables_override_features = true` under [build] in hc-schema.toml to let the \
             variable win on purpose"
        ),
    }
}

/// `path` relative to `base` (with `..` steps when it is outside), or `path` itself when no
/// relative path exists (another drive).
///
/// ```
/// use std::path::Path;
/// use hc_schema_snapshot::build::relative_to;
/// assert_eq!(relative_to(Path::new("/w/hc-schema/prod.json"), Path::new("/w/crates/app")), Path::new("../../hc-schema/prod.json"));
/// assert_eq!(relative_to(Path::new("/w/crates/app/hc-schema"), Path::new("/w/crates/app")), Path::new("hc-schema"));
/// assert_eq!(relative_to(Path::new("/w/a"), Path::new("/w/a")), Path::new("."));
/// ```
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    use std::path::Component;
    let path_parts: Vec<Component<'_>> = path.components().collect();
    let base_parts: Vec<Component<'_>> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let rooted = |parts: &[Component<'_>]| {
        parts
            .first()
            .is_some_and(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
    };
    if common == 0 && (rooted(&path_parts) || rooted(&base_parts)) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for part in &base_parts[common..] {
        if matches!(part, Component::CurDir) {
            continue;
        }
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The names of a snapshot's `bytes`, or `None` when they are no snapshot (the macro then
/// reads the file itself and reports the error, with its position, at the first annotation).
fn read_names(bytes: &[u8], snapshot: &SnapshotRef) -> Option<SnapshotNames> {
    let text = std::str::from_utf8(bytes).ok()?;
    SnapshotNames::load(text, &snapshot.path.display().to_string(), &snapshot.env).ok()
}

/// Write the [`NameIndex`] of each selected snapshot whose `names` were read (from the bytes
/// the fingerprint describes) to `out_dir/hc-schema/` and record its path. A snapshot that
/// does not load gets no index: the macro then reads the JSON itself and reports the error at
/// the first annotation, with its position. Returns the names that loaded, each with the path
/// of its index when it was written.
fn write_indexes(
    selection: &mut Selection,
    names: Vec<Option<SnapshotNames>>,
    out_dir: &Path,
) -> Vec<(SnapshotNames, Option<PathBuf>)> {
    let mut loaded_all = Vec::new();
    let dir = out_dir.join("hc-schema");
    for (position, (snapshot, names)) in selection.selected.iter_mut().zip(names).enumerate() {
        let Some(names) = names else {
            continue;
        };
        let path = dir.join(format!("{position}-{}.names", snapshot.env));
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| write_atomically(&path, NameIndex::from_lines(&names.lines).bytes()));
        // Without an index the macro still works, only slower: never fail the build here.
        if written.is_ok() {
            snapshot.index = Some(path.clone());
        }
        loaded_all.push((names, written.is_ok().then_some(path)));
    }
    loaded_all
}

/// Write the [`TypesIndex`] of every snapshot of the directory (`names` of the selected ones,
/// `others` of the others, `None` where a file does not load; `every` the fingerprint of all
/// their bytes) to `out_dir/hc-schema/types.index`. `None` when it cannot be written: the
/// macro then reads the snapshots, only slower.
fn write_types_index(
    selection: &Selection,
    names: &[Option<SnapshotNames>],
    others: &[Option<SnapshotNames>],
    every: &ContentHash,
    out_dir: &Path,
) -> Option<TypesRef> {
    let snapshots = selection.selected.iter().chain(&selection.others);
    let read = names.iter().chain(others);
    let indexed: Vec<Indexed<'_>> = snapshots
        .zip(read)
        .map(|(snapshot, read)| match read {
            Some(read) => Indexed::read(
                &snapshot.env,
                &snapshot.display,
                &read.environment,
                &read.columns,
            ),
            None => Indexed::unreadable(&snapshot.env, &snapshot.display),
        })
        .collect();
    let fingerprint = every.finish();
    let index = TypesIndex::build(&fingerprint, &indexed);
    let dir = out_dir.join("hc-schema");
    let path = dir.join("types.index");
    std::fs::create_dir_all(&dir)
        .and_then(|()| write_atomically(&path, index.bytes()))
        .ok()?;
    Some(TypesRef { path, fingerprint })
}

/// What `hc_sql!` needs ([`SqlSetup`]): the Heroku Connect schema names, and the index of the
/// union of every snapshot's names (`loaded`, the selected snapshots with their index files,
/// plus `others`, the other snapshots' names), written to `out_dir/hc-schema/known.names`. A
/// snapshot that does not load is left out (the macro reports it when it is selected).
fn sql_setup(
    project: &Project,
    selection: &Selection,
    mut loaded: Vec<(SnapshotNames, Option<PathBuf>)>,
    others: Vec<Option<SnapshotNames>>,
    out_dir: &Path,
) -> SqlSetup {
    loaded.extend(others.into_iter().flatten().map(|names| (names, None)));
    let mut schemas: Vec<String> = selection
        .selected
        .iter()
        .chain(&selection.others)
        .map(|s| project.config.schema_for(&s.env).to_string())
        .chain(loaded.iter().map(|(names, _)| names.schema.clone()))
        .collect();
    schemas.sort();
    schemas.dedup();
    let union = NameLines::union(loaded.iter().map(|(names, _)| &names.lines));
    // One snapshot without mapping access (the common case of one environment): the union is
    // its names, whose index is written already.
    let same = loaded
        .iter()
        .find(|(names, _)| names.lines == union)
        .and_then(|(_, path)| std::fs::read(path.as_ref()?).ok())
        .and_then(|bytes| NameIndex::parse(bytes).ok());
    drop(loaded);
    let index = same.unwrap_or_else(|| NameIndex::from_lines(&union));
    drop(union);
    let path = out_dir.join("hc-schema").join("known.names");
    let written = std::fs::create_dir_all(out_dir.join("hc-schema"))
        .and_then(|()| write_atomically(&path, index.bytes()));
    let mut fingerprint = ContentHash::new();
    fingerprint.file(&path, Some(index.bytes()));
    SqlSetup {
        schemas,
        fingerprint: fingerprint.finish(),
        known: written.is_ok().then_some(path),
    }
}

/// A content fingerprint ([`crate::hash`] over each file's path and bytes, or "missing").
pub fn fingerprint<'a>(paths: impl IntoIterator<Item = &'a Path>) -> String {
    let mut fingerprint = ContentHash::new();
    for path in paths {
        fingerprint.file(path, std::fs::read(path).ok().as_deref());
    }
    fingerprint.finish()
}

/// A content hash over files' paths and contents ([`crate::hash`]).
struct ContentHash(WordHash);

impl ContentHash {
    fn new() -> ContentHash {
        ContentHash(WordHash::new())
    }

    /// Feed a file's path and its bytes (`None`: missing or unreadable).
    fn file(&mut self, path: &Path, bytes: Option<&[u8]>) {
        self.0.feed(path.as_os_str().as_encoded_bytes());
        self.0.feed(bytes.unwrap_or(b"\0missing"));
    }

    fn finish(&self) -> String {
        format!("{:016x}", self.0.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.json");
        let missing = fingerprint([path.as_path()]);
        std::fs::write(&path, "a").unwrap();
        let a = fingerprint([path.as_path()]);
        std::fs::write(&path, "b").unwrap();
        let b = fingerprint([path.as_path()]);
        assert_ne!(missing, a);
        assert_ne!(a, b);
        assert_eq!(b, fingerprint([path.as_path()]));
    }

    #[test]
    fn the_sql_setup_knows_every_snapshot_and_schema() {
        use crate::config::Config;
        use crate::requirement::Schema;
        let dir = tempfile::tempdir().unwrap();
        let snaps = dir.path().join("hc-schema");
        std::fs::create_dir_all(&snaps).unwrap();
        let write = |env: &str, schema: &str, table: &str| {
            let text = format!(
                r#"{{"format":1,"environment":"{env}","schema":"{schema}","tables":{{"{table}":{{"columns":{{"name":{{}}}}}}}}}}"#
            );
            std::fs::write(snaps.join(format!("{env}.json")), text).unwrap();
        };
        write("prod", "salesforce", "account");
        write("test", "org", "loyalty_program__c");
        let project = Project {
            config_file: None,
            root: dir.path().to_path_buf(),
            config: Config::parse("[env.prod]\nschema = \"salesforce001\"\n", "x").unwrap(),
        };
        let inputs = Inputs {
            env_var: Some("prod".into()),
            ..Inputs::default()
        };
        let mut selection = selection::select(&inputs, &project, dir.path());
        let names: Vec<Option<SnapshotNames>> = selection
            .selected
            .iter()
            .map(|s| read_names(&std::fs::read(&s.path).unwrap(), s))
            .collect();
        let out = dir.path().join("out");
        let others: Vec<Option<SnapshotNames>> = selection
            .others
            .iter()
            .map(|s| read_names(&std::fs::read(&s.path).unwrap(), s))
            .collect();
        let loaded = write_indexes(&mut selection, names, &out);
        let setup = sql_setup(&project, &selection, loaded, others, &out);
        assert_eq!(setup.schemas, ["org", "salesforce", "salesforce001"]);
        let known =
            NameIndex::parse(std::fs::read(setup.known.as_ref().unwrap()).unwrap()).unwrap();
        assert!(known.has_column("account", "name"), "selected");
        assert!(
            known.has_column("loyalty_program__c", "name"),
            "not selected, still known"
        );
        assert_eq!(SqlSetup::decode(&setup.encode()).unwrap(), setup);
    }

    /// With one snapshot the union index is its index when it records no access (reused), and
    /// without the access lines when it does (built): either way the union's own index.
    #[test]
    fn the_union_index_of_one_snapshot() {
        use crate::config::Config;
        use crate::snapshot::Snapshot;
        for access in ["", r#""access": "read_only", "#] {
            let dir = tempfile::tempdir().unwrap();
            let snaps = dir.path().join("hc-schema");
            std::fs::create_dir_all(&snaps).unwrap();
            let text = format!(
                r#"{{"format":1,"environment":"prod","schema":"s","tables":{{"a":{{{access}"columns":{{"x":{{}},"y":{{}}}}}}}}}}"#
            );
            std::fs::write(snaps.join("prod.json"), &text).unwrap();
            let project = Project {
                config_file: None,
                root: dir.path().to_path_buf(),
                config: Config::parse("", "x").unwrap(),
            };
            let mut selection = selection::select(&Inputs::default(), &project, dir.path());
            let names = vec![read_names(text.as_bytes(), &selection.selected[0])];
            let out = dir.path().join("out");
            let loaded = write_indexes(&mut selection, names, &out);
            let setup = sql_setup(&project, &selection, loaded, Vec::new(), &out);
            let snapshot = Snapshot::parse(&text, "p", "p").unwrap();
            let own = SnapshotNames::of(&snapshot).lines;
            let expected = NameIndex::from_lines(&NameLines::union([&own]));
            assert_eq!(
                std::fs::read(setup.known.unwrap()).unwrap(),
                expected.bytes(),
                "{access}"
            );
            let selected = std::fs::read(selection.selected[0].index.as_ref().unwrap()).unwrap();
            assert_eq!(selected, NameIndex::of(&snapshot).bytes());
            assert_eq!(selected == expected.bytes(), access.is_empty());
        }
    }

    /// The types index covers every snapshot of the directory, the unselected ones too, says
    /// which cannot be read, and carries the fingerprint of all their bytes: an edit of an
    /// unselected snapshot gives another fingerprint.
    #[test]
    fn the_types_index_covers_every_snapshot() {
        use crate::config::Config;
        let dir = tempfile::tempdir().unwrap();
        let snaps = dir.path().join("hc-schema");
        std::fs::create_dir_all(&snaps).unwrap();
        let write = |env: &str, ty: &str| {
            let text = format!(
                r#"{{"format":1,"environment":"{env}","schema":"salesforce","tables":{{"account":{{"columns":{{"x":{{"type":"{ty}","nullable":false}}}}}}}}}}"#
            );
            std::fs::write(snaps.join(format!("{env}.json")), text).unwrap();
        };
        write("prod", "boolean");
        write("test", "date");
        std::fs::write(snaps.join("stage.json"), "{ not json").unwrap();
        let project = Project {
            config_file: None,
            root: dir.path().to_path_buf(),
            config: Config::parse("", "x").unwrap(),
        };
        let inputs = Inputs {
            env_var: Some("prod".into()),
            ..Inputs::default()
        };
        let selection = selection::select(&inputs, &project, dir.path());
        assert_eq!(selection.others.len(), 2, "stage and test are not selected");
        let read = |list: &[SnapshotRef]| -> Vec<Option<SnapshotNames>> {
            list.iter()
                .map(|s| read_names(&std::fs::read(&s.path).unwrap(), s))
                .collect()
        };
        let fingerprint_of = |selection: &Selection| {
            let mut every = ContentHash::new();
            for s in selection.selected.iter().chain(&selection.others) {
                every.file(&s.path, std::fs::read(&s.path).ok().as_deref());
            }
            every
        };
        let out = dir.path().join("out");
        let every = fingerprint_of(&selection);
        let types = write_types_index(
            &selection,
            &read(&selection.selected),
            &read(&selection.others),
            &every,
            &out,
        )
        .unwrap();
        let index = TypesIndex::parse(std::fs::read(&types.path).unwrap()).unwrap();
        assert_eq!(index.fingerprint(), types.fingerprint);
        let envs: Vec<(&str, bool)> = index
            .envs()
            .iter()
            .map(|e| (e.env.as_str(), e.readable()))
            .collect();
        assert_eq!(envs, [("prod", true), ("stage", false), ("test", true)]);
        let (found, nullable) = index.column_types("account", "x");
        let spellings: Vec<_> = found.iter().map(|e| e.spelling.as_deref()).collect();
        assert_eq!(spellings, [Some("boolean"), Some("date")]);
        assert!(!nullable);
        assert!(
            index.drifts("account", "x"),
            "boolean in prod, date in test"
        );
        write("test", "boolean");
        assert_ne!(fingerprint_of(&selection).finish(), types.fingerprint);
    }

    #[test]
    fn workspace_root_is_the_nearest_workspace_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n",
        )
        .unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
        assert_eq!(workspace_root(&app), dir.path());
    }
}
