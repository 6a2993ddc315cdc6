//! The crate or workspace `init` works on: the root, its members, their dependencies on each
//! other, and which of them use the macros.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hc_schema_snapshot::read::{read_regular_text, MAX_BYTES};
use hc_schema_snapshot::selection::display_path;
use toml_edit::{Item, TableLike};

use super::edit::{str_of, TomlFile};

/// The package name of the macro crate.
pub const MACRO_PACKAGE: &str = "hc-schema-macro";
/// The package name of the library (build helper, registry, verify).
pub const SNAPSHOT_PACKAGE: &str = "hc-schema-snapshot";

/// One dependency of a member on another member.
#[derive(Debug, Clone)]
pub struct Dep {
    /// The key in `[dependencies]`: what a feature path spells (`lib/prod-snapshot`).
    pub key: String,
    /// The package it names (`package = "..."`, else the key).
    pub package: String,
    /// `optional = true`: features forward with `key?/feature`.
    pub optional: bool,
}

/// A workspace member (or the single crate).
#[derive(Debug)]
pub struct Member {
    /// `[package] name`.
    pub name: String,
    /// The crate directory.
    pub dir: PathBuf,
    /// Its Cargo.toml.
    pub manifest: PathBuf,
    /// Its normal dependencies (all targets).
    pub deps: Vec<Dep>,
    /// The names of its binaries (empty for a library-only crate).
    pub bins: Vec<String>,
    /// Its sources mention `hc_requires`, `hc_sql!` or `hc_query!`, or it depends on the macro.
    pub uses_macros: bool,
    /// `[package] build`: `None` for `build = false`, else the build script path.
    pub build_script: Option<PathBuf>,
}

/// The crate or workspace.
pub struct Workspace {
    /// The workspace root (the single crate's directory when there is no workspace).
    pub root: PathBuf,
    /// The root manifest (where `[profile]` is read).
    pub root_manifest: PathBuf,
    /// Every manifest involved, parsed, by path.
    pub files: BTreeMap<PathBuf, TomlFile>,
    /// The members.
    pub members: Vec<Member>,
}

impl Workspace {
    /// A path as shown to users (relative to the root).
    pub fn show(&self, path: &Path) -> String {
        display_path(path, &self.root)
    }

    /// Find the workspace from `start` (a directory or a Cargo.toml).
    pub fn discover(start: &Path) -> Result<Workspace, String> {
        let start_manifest = if start.is_dir() {
            start.join("Cargo.toml")
        } else {
            start.to_path_buf()
        };
        if !start_manifest.is_file() {
            return Err(format!(
                "{} does not exist: run `hc-schema init` in a crate or workspace directory (one with a Cargo.toml), or pass --manifest-path",
                start_manifest.display()
            ));
        }
        let start_file = read_toml(&start_manifest, &start_manifest.display().to_string())?;
        let start_dir = start_manifest
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let has = |file: &TomlFile, key: &str| file.doc.as_table().contains_key(key);
        if !has(&start_file, "package") && !has(&start_file, "workspace") {
            return Err(format!(
                "{} has neither [package] nor [workspace]: run `hc-schema init` in a crate or workspace",
                start_manifest.display()
            ));
        }
        // The root: this manifest if it has [workspace], else the nearest ancestor that does.
        let mut root_manifest = start_manifest.clone();
        if !has(&start_file, "workspace") {
            for dir in start_dir.ancestors().skip(1) {
                let candidate = dir.join("Cargo.toml");
                let Ok(text) = read_regular_text(&candidate, MAX_BYTES) else {
                    continue;
                };
                if !text
                    .lines()
                    .any(|l| l.trim_start().starts_with("[workspace"))
                {
                    continue;
                }
                let file = TomlFile::parse(&text, &candidate.display().to_string())?;
                if has(&file, "workspace") {
                    root_manifest = candidate;
                    break;
                }
            }
        }
        let root = root_manifest
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let mut files = BTreeMap::new();
        files.insert(start_manifest.clone(), start_file);
        if !files.contains_key(&root_manifest) {
            let shown = display_path(&root_manifest, &root);
            files.insert(root_manifest.clone(), read_toml(&root_manifest, &shown)?);
        }
        let member_dirs = member_dirs(&root, &files[&root_manifest])?;
        if has(&files[&start_manifest], "package") && !member_dirs.contains(&start_dir) {
            return Err(format!(
                "{} is not a member of the workspace at {}: add it to `[workspace] members` (or give it its own `[workspace]`), then run `hc-schema init` again",
                start_manifest.display(),
                root_manifest.display()
            ));
        }
        let mut members = Vec::new();
        for dir in member_dirs {
            let manifest = dir.join("Cargo.toml");
            if !files.contains_key(&manifest) {
                let shown = display_path(&manifest, &root);
                files.insert(manifest.clone(), read_toml(&manifest, &shown)?);
            }
            let file = &files[&manifest];
            if !has(file, "package") {
                continue; // a virtual root
            }
            members.push(member(
                &root,
                &dir,
                &manifest,
                file,
                &files[&root_manifest],
            )?);
        }
        Ok(Workspace {
            root,
            root_manifest,
            files,
            members,
        })
    }

    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// Read and parse a TOML file; errors name it as `shown`.
fn read_toml(path: &Path, shown: &str) -> Result<TomlFile, String> {
    let text = read_regular_text(path, MAX_BYTES)
        .map_err(|err| format!("{shown}: cannot read the file: {err}"))?;
    TomlFile::parse(&text, shown)
}

/// The member directories of the root: `[workspace] members` (with `*` and `?` patterns)
/// less `exclude`, and the root itself when it is a package.
fn member_dirs(root: &Path, file: &TomlFile) -> Result<Vec<PathBuf>, String> {
    let table = file.doc.as_table();
    let mut dirs = Vec::new();
    if table.contains_key("package") {
        dirs.push(root.to_path_buf());
    }
    let Some(workspace) = table.get("workspace").and_then(Item::as_table_like) else {
        return Ok(dirs);
    };
    let strings = |key: &str| -> Result<Vec<String>, String> {
        match workspace.get(key) {
            None => Ok(Vec::new()),
            Some(item) => item
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .ok_or_else(|| format!("Cargo.toml: `workspace.{key}` is not an array")),
        }
    };
    let exclude: Vec<PathBuf> = strings("exclude")?
        .iter()
        .map(|e| normalize(&root.join(e)))
        .collect();
    for pattern in strings("members")? {
        let found = if pattern.contains(['*', '?', '[']) {
            expand(root, &pattern)
        } else {
            let dir = normalize(&root.join(&pattern));
            if !dir.join("Cargo.toml").is_file() {
                return Err(format!(
                    "Cargo.toml: workspace member `{pattern}` has no Cargo.toml ({} is missing)",
                    display_path(&dir.join("Cargo.toml"), root)
                ));
            }
            vec![dir]
        };
        for dir in found {
            if !exclude.contains(&dir) && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    Ok(dirs)
}

/// `a/./b/../c` as `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The directories with a Cargo.toml matching a glob pattern (`crates/*`), sorted.
fn expand(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut current = vec![root.to_path_buf()];
    for part in pattern.split('/').filter(|p| !p.is_empty() && *p != ".") {
        let mut next = Vec::new();
        for dir in &current {
            if !part.contains(['*', '?', '[']) {
                next.push(dir.join(part));
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| wildcard(part, name))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        current = next;
    }
    current
        .into_iter()
        .filter(|d| d.join("Cargo.toml").is_file())
        .map(|d| normalize(&d))
        .collect()
}

/// `*` and `?` matching (a `[...]` class matches any one character: good enough to list).
fn wildcard(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some('['), Some(_)) => match p.iter().position(|c| *c == ']') {
                Some(end) => go(&p[end + 1..], &n[1..]),
                None => false,
            },
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// Read what `init` needs of one member.
fn member(
    root: &Path,
    dir: &Path,
    manifest: &Path,
    file: &TomlFile,
    root_file: &TomlFile,
) -> Result<Member, String> {
    // `key = { workspace = true }` takes its `package` (a rename) from the root's
    // `[workspace.dependencies]`.
    let inherited = root_file
        .doc
        .as_table()
        .get("workspace")
        .and_then(Item::as_table_like)
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like);
    let shown = display_path(manifest, root);
    let table = file.doc.as_table();
    let package = table
        .get("package")
        .and_then(Item::as_table_like)
        .ok_or_else(|| format!("{shown}: [package] is not a table"))?;
    let name = str_of(package, "name")
        .ok_or_else(|| format!("{shown}: [package] has no `name`"))?
        .to_string();
    let build_script = match package.get("build") {
        None => Some(dir.join("build.rs")),
        Some(item) => match (item.as_bool(), item.as_str()) {
            (Some(false), _) => None,
            (Some(true), _) => Some(dir.join("build.rs")),
            (_, Some(path)) => Some(dir.join(path)),
            _ => {
                return Err(format!(
                    "{shown}: `package.build` is neither a path nor a boolean"
                ))
            }
        },
    };
    let mut deps = Vec::new();
    let mut uses_macros = false;
    for section in dependency_sections(table, "dependencies") {
        for (key, item) in section.iter() {
            let from_workspace = item
                .as_table_like()
                .and_then(|t| t.get("workspace"))
                .and_then(Item::as_bool)
                == Some(true);
            let workspace_entry = inherited
                .filter(|_| from_workspace)
                .and_then(|deps| deps.get(key))
                .and_then(Item::as_table_like);
            let package = item
                .as_table_like()
                .and_then(|t| str_of(t, "package"))
                .or_else(|| workspace_entry.and_then(|t| str_of(t, "package")))
                .unwrap_or(key)
                .to_string();
            let optional = item
                .as_table_like()
                .and_then(|t| t.get("optional"))
                .and_then(Item::as_bool)
                .unwrap_or(false);
            uses_macros |= package == MACRO_PACKAGE;
            deps.push(Dep {
                key: key.to_string(),
                package,
                optional,
            });
        }
    }
    uses_macros |= sources_use_macros(&dir.join("src"));
    Ok(Member {
        bins: bins(dir, &name, table),
        name,
        dir: dir.to_path_buf(),
        manifest: manifest.to_path_buf(),
        deps,
        uses_macros,
        build_script,
    })
}

/// The tables of one kind of dependency (`dependencies`, `build-dependencies`), top-level and
/// under each `[target.<cfg>]`, with the old underscore spelling too.
pub fn dependency_sections<'a>(table: &'a toml_edit::Table, kind: &str) -> Vec<&'a dyn TableLike> {
    let mut spellings = vec![kind.to_string()];
    if kind.contains('-') {
        spellings.push(kind.replace('-', "_"));
    }
    let mut found = Vec::new();
    for spelling in &spellings {
        if let Some(t) = table.get(spelling).and_then(Item::as_table_like) {
            found.push(t);
        }
    }
    if let Some(targets) = table.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            let Some(target) = target.as_table_like() else {
                continue;
            };
            for spelling in &spellings {
                if let Some(t) = target.get(spelling).and_then(Item::as_table_like) {
                    found.push(t);
                }
            }
        }
    }
    found
}

/// Whether any section of `kind` has a dependency on `package` (by key or `package =`).
pub fn has_dependency(table: &toml_edit::Table, kind: &str, package: &str) -> bool {
    dependency_sections(table, kind)
        .into_iter()
        .any(|section| dependency_key(section, package).is_some())
}

/// The key under which `section` depends on `package`.
pub fn dependency_key(section: &dyn TableLike, package: &str) -> Option<String> {
    section.iter().find_map(|(key, item)| {
        let named = item
            .as_table_like()
            .and_then(|t| str_of(t, "package"))
            .unwrap_or(key);
        (named == package).then(|| key.to_string())
    })
}

/// The binaries of a package: `[[bin]]` names, and the package name for `src/main.rs`.
fn bins(dir: &Path, name: &str, table: &toml_edit::Table) -> Vec<String> {
    let mut bins: Vec<String> = table
        .get("bin")
        .and_then(Item::as_array_of_tables)
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|t| str_of(t, "name").map(String::from))
        .collect();
    let autobins = table
        .get("package")
        .and_then(Item::as_table_like)
        .and_then(|p| p.get("autobins"))
        .and_then(Item::as_bool)
        .unwrap_or(true);
    if autobins && dir.join("src/main.rs").is_file() && !bins.iter().any(|b| b == name) {
        bins.push(name.to_string());
    }
    bins
}

/// Whether a source tree mentions the macros (a cheap text search; a mention in a comment
/// only means the crate gets set up too).
fn sources_use_macros(dir: &Path) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    let mut budget = 20_000; // files and directories looked at
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if let Ok(text) = read_regular_text(&path, MAX_BYTES) {
                    if text.contains("hc_requires")
                        || text.contains("hc_sql!")
                        || text.contains("hc_query!")
                    {
                        return true;
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "app"));
        assert!(wildcard("crate-?", "crate-a"));
        assert!(wildcard("a*z", "abcz"));
        assert!(!wildcard("a*z", "abc"));
        assert!(wildcard("[ab]x", "bx"));
    }
}
