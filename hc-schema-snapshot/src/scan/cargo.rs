//! What a crate's `Cargo.toml` says about names: under which names `hc-schema-macro` is a
//! dependency (`hcm = { package = "hc-schema-macro", ... }`, also through
//! `[workspace.dependencies]`), and which names are other crates (so that
//! `#[other_crate::hc_requires]` is not taken for ours).

use std::path::{Path, PathBuf};

use super::lines::LineIndex;
use super::model::{ErrorKind, SourceError};

/// The package name of the macro crate.
pub(crate) const MACRO_PACKAGE: &str = "hc-schema-macro";
/// The crate name the macro has when it is not renamed.
pub(crate) const MACRO_CRATE: &str = "hc_schema_macro";

/// hc-schema's own packages: a path dependency on one of them (a checkout of hc-schema) is
/// the tool, not code of the project, and is not scanned.
pub(crate) const OWN_PACKAGES: &[&str] = &[MACRO_PACKAGE, "hc-schema-snapshot", "hc-schema"];

/// Crates that are always in scope and never ours.
const BUILTIN_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// A `Cargo.toml`, as far as names go.
#[derive(Debug, Clone, Default)]
pub(crate) struct Manifest {
    /// The directory it is in.
    pub dir: PathBuf,
    /// It has `[package]`.
    pub is_package: bool,
    /// `[package] name`, when given as a string.
    pub name: Option<String>,
    /// `[features]`: each feature, what it enables, and its 1-based line in the file.
    pub features: Vec<Feature>,
    /// `[package] workspace = "..."`, when set.
    pub workspace_path: Option<PathBuf>,
    /// Dependencies (all kinds and targets): the key, the package (`None`: the key), and
    /// whether it is `{ workspace = true }`.
    pub dependencies: Vec<Dependency>,
    /// `[workspace.dependencies]`, when it is a workspace root.
    pub workspace_dependencies: Option<Vec<Dependency>>,
    /// `[workspace] members` (glob patterns) and `exclude`, when it is a workspace root.
    pub members: Vec<String>,
    pub exclude_members: Vec<String>,
    /// The `path`s of its `[lib]`, `[[bin]]`, `[[example]]`, `[[test]]` and `[[bench]]`
    /// targets (joined to `dir`): crate roots cargo compiles wherever they are.
    pub target_paths: Vec<PathBuf>,
}

/// One dependency entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub key: String,
    pub package: Option<String>,
    pub inherited: bool,
    /// `path = "..."`, joined to the manifest's directory.
    pub path: Option<PathBuf>,
    /// `features = [...]` enabled on it in the entry itself.
    pub features: Vec<String>,
    /// Under `[dependencies]` (of the package or a target), which features can forward to.
    pub normal: bool,
}

/// One entry of `[features]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feature {
    pub name: String,
    pub enables: Vec<String>,
    /// Its 1-based line in the manifest (1 when it cannot be told).
    pub line: u32,
}

/// The names a crate's code uses for crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrateNames {
    /// Names under which `hc-schema-macro` is reachable (`hc_schema_macro`, renames).
    pub macro_crates: Vec<String>,
    /// Names of other crates.
    pub foreign: Vec<String>,
    /// The package's name, when known.
    pub package: Option<String>,
    /// Its dependencies other than the macro crate: (the name its code uses, the package).
    pub dependencies: Vec<(String, String)>,
}

impl Default for CrateNames {
    /// For files outside any package: the macro under its own name, std's crates foreign.
    fn default() -> CrateNames {
        CrateNames {
            macro_crates: vec![MACRO_CRATE.to_string()],
            foreign: BUILTIN_CRATES.iter().map(|s| s.to_string()).collect(),
            package: None,
            dependencies: Vec::new(),
        }
    }
}

impl Manifest {
    /// Read and parse the `Cargo.toml` at `path`; `display` names it in errors.
    pub(crate) fn read(path: &Path, display: &str) -> Result<Manifest, SourceError> {
        let text = crate::read::read_regular_text(path, crate::read::MAX_BYTES).map_err(|err| {
            SourceError::new(
                ErrorKind::Unreadable,
                display,
                Default::default(),
                format!(
                    "cannot read this Cargo.toml ({err}), so renames of hc-schema-macro in it are unknown and the scan is incomplete: make it readable"
                ),
            )
        })?;
        Manifest::parse(&text, path.parent().unwrap_or(Path::new(".")), display)
    }

    /// Parse manifest text; `dir` is its directory.
    pub(crate) fn parse(text: &str, dir: &Path, display: &str) -> Result<Manifest, SourceError> {
        let table: toml::Table = toml::from_str(text).map_err(|err: toml::de::Error| {
            let offset = err.span().map_or(0, |span| span.start);
            let lines = LineIndex::new(text);
            SourceError::new(
                ErrorKind::Unreadable,
                display,
                lines.position(text, offset.min(text.len())),
                format!(
                    "this Cargo.toml does not parse ({}), so renames of hc-schema-macro in it are unknown and the scan is incomplete: fix it (cargo rejects it too)",
                    err.message().trim().replace('\n', " ")
                ),
            )
        })?;
        let mut manifest = Manifest {
            dir: dir.to_path_buf(),
            ..Manifest::default()
        };
        if let Some(package) = table.get("package").and_then(|p| p.as_table()) {
            manifest.is_package = true;
            manifest.name = package
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string);
            manifest.workspace_path = package
                .get("workspace")
                .and_then(|w| w.as_str())
                .map(|w| dir.join(w));
        }
        collect_dependencies(&table, dir, &mut manifest.dependencies);
        if let Some(features) = table.get("features").and_then(|f| f.as_table()) {
            for (name, enables) in features {
                manifest.features.push(Feature {
                    name: name.clone(),
                    enables: enables
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    line: feature_line(text, name),
                });
            }
        }
        if let Some(path) = table
            .get("lib")
            .and_then(|lib| lib.get("path"))
            .and_then(|p| p.as_str())
        {
            manifest.target_paths.push(dir.join(path));
        }
        for kind in ["bin", "example", "test", "bench"] {
            let targets = table.get(kind).and_then(|t| t.as_array());
            for target in targets.into_iter().flatten() {
                if let Some(path) = target.get("path").and_then(|p| p.as_str()) {
                    manifest.target_paths.push(dir.join(path));
                }
            }
        }
        if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
            for target in targets.values().filter_map(|t| t.as_table()) {
                collect_dependencies(target, dir, &mut manifest.dependencies);
            }
        }
        if let Some(workspace) = table.get("workspace").and_then(|w| w.as_table()) {
            let mut dependencies = Vec::new();
            if let Some(deps) = workspace.get("dependencies").and_then(|d| d.as_table()) {
                read_dependency_table(deps, dir, &mut dependencies);
            }
            manifest.workspace_dependencies = Some(dependencies);
            let strings = |key: &str| -> Vec<String> {
                workspace
                    .get(key)
                    .and_then(|m| m.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            manifest.members = strings("members");
            manifest.exclude_members = strings("exclude");
        }
        Ok(manifest)
    }

    /// The crate names of this package; `workspace` is its workspace root's manifest.
    pub(crate) fn crate_names(&self, workspace: Option<&Manifest>) -> CrateNames {
        let mut names = CrateNames {
            package: self.name.clone(),
            ..CrateNames::default()
        };
        let mut macro_name_taken = false;
        for dependency in &self.dependencies {
            let package = self.package_of(dependency, workspace);
            let name = dependency.key.replace('-', "_");
            if package == MACRO_PACKAGE || package == MACRO_CRATE {
                names.macro_crates.push(name);
            } else {
                macro_name_taken |= name == MACRO_CRATE;
                names.foreign.push(name.clone());
                names.dependencies.push((name, package));
            }
        }
        names.dependencies.sort();
        names.dependencies.dedup();
        if macro_name_taken {
            names.macro_crates.retain(|n| n != MACRO_CRATE);
        }
        names.macro_crates.sort();
        names.macro_crates.dedup();
        names.foreign.sort();
        names.foreign.dedup();
        names
    }
}

impl Manifest {
    /// The package a dependency entry names (through `[workspace.dependencies]` when it is
    /// `{ workspace = true }`).
    pub(crate) fn package_of(
        &self,
        dependency: &Dependency,
        workspace: Option<&Manifest>,
    ) -> String {
        self.resolved(dependency, workspace)
            .package
            .clone()
            .unwrap_or_else(|| dependency.key.clone())
    }

    /// A dependency entry with what `{ workspace = true }` inherits filled in (the
    /// workspace's `package` and `path`; the features of both).
    pub(crate) fn resolved(
        &self,
        dependency: &Dependency,
        workspace: Option<&Manifest>,
    ) -> Dependency {
        if !dependency.inherited {
            return dependency.clone();
        }
        let Some(base) = workspace
            .and_then(|w| w.workspace_dependencies.as_ref())
            .and_then(|deps| deps.iter().find(|d| d.key == dependency.key))
        else {
            return dependency.clone();
        };
        let mut features = base.features.clone();
        features.extend(dependency.features.iter().cloned());
        Dependency {
            key: dependency.key.clone(),
            package: base.package.clone(),
            inherited: true,
            path: base.path.clone(),
            features,
            normal: dependency.normal,
        }
    }

    /// The directories of `[workspace] members` (globs expanded as cargo does, `exclude`
    /// left out) that hold a `Cargo.toml`, and the patterns that could not be read.
    pub(crate) fn member_dirs(&self) -> (Vec<PathBuf>, Vec<String>) {
        let mut dirs = Vec::new();
        let mut unreadable = Vec::new();
        for pattern in &self.members {
            let mut found = vec![self.dir.clone()];
            for component in Path::new(pattern).components() {
                let part = component.as_os_str().to_string_lossy();
                if !part.contains(['*', '?', '[']) {
                    found = found.into_iter().map(|d| d.join(&*part)).collect();
                    continue;
                }
                let mut next = Vec::new();
                for dir in found {
                    let Ok(entries) = std::fs::read_dir(&dir) else {
                        unreadable.push(pattern.clone());
                        continue;
                    };
                    let mut names: Vec<_> = entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|name| wildcard(&part, name))
                        .collect();
                    names.sort();
                    next.extend(names.into_iter().map(|n| dir.join(n)));
                }
                found = next;
            }
            dirs.extend(found.into_iter().filter(|d| d.join("Cargo.toml").exists()));
        }
        let excluded: Vec<PathBuf> = self
            .exclude_members
            .iter()
            .map(|e| self.dir.join(e))
            .collect();
        dirs.retain(|d| !excluded.iter().any(|e| d.starts_with(e)));
        dirs.sort();
        dirs.dedup();
        (dirs, unreadable)
    }
}

/// A glob component (`*`, `?`, `[abc]`, `[!a-z]`) matched against a name.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn class(p: &[char], c: char) -> Option<(bool, usize)> {
        // `p` starts after `[`; the match and the length up to and with `]`.
        let (negate, mut i) = match p.first() {
            Some('!') | Some('^') => (true, 1),
            _ => (false, 0),
        };
        let mut matched = false;
        let mut first = true;
        while i < p.len() && (p[i] != ']' || first) {
            first = false;
            if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                matched |= p[i] <= c && c <= p[i + 2];
                i += 3;
            } else {
                matched |= p[i] == c;
                i += 1;
            }
        }
        (i < p.len()).then_some((matched != negate, i + 1))
    }
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|k| go(&p[1..], &n[k..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') if !n.is_empty() => match class(&p[1..], n[0]) {
                Some((true, len)) => go(&p[1 + len..], &n[1..]),
                Some((false, _)) => false,
                None => n[0] == '[' && go(&p[1..], &n[1..]),
            },
            Some(&c) => n.first() == Some(&c) && go(&p[1..], &n[1..]),
        }
    }
    // Hidden names match only a pattern that starts with `.` (as the glob crate does).
    (!name.starts_with('.') || pattern.starts_with('.')) && go(&p, &n)
}

/// The 1-based line of `name = ...` (or `"name" = ...`) in the manifest text (1 when not
/// found: a dotted or inline form).
fn feature_line(text: &str, name: &str) -> u32 {
    let quoted = format!("\"{name}\"");
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            [name, quoted.as_str()].iter().any(|n| {
                line.strip_prefix(n)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
        })
        .map_or(1, |i| i as u32 + 1)
}

fn collect_dependencies(table: &toml::Table, dir: &Path, out: &mut Vec<Dependency>) {
    for key in [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ] {
        if let Some(deps) = table.get(key).and_then(|d| d.as_table()) {
            let start = out.len();
            read_dependency_table(deps, dir, out);
            for dependency in &mut out[start..] {
                dependency.normal = key == "dependencies";
            }
        }
    }
}

fn read_dependency_table(deps: &toml::Table, dir: &Path, out: &mut Vec<Dependency>) {
    for (key, value) in deps {
        let spec = value.as_table();
        out.push(Dependency {
            key: key.clone(),
            package: spec
                .and_then(|s| s.get("package"))
                .and_then(|p| p.as_str())
                .map(str::to_string),
            inherited: spec
                .and_then(|s| s.get("workspace"))
                .and_then(|w| w.as_bool())
                .unwrap_or(false),
            path: spec
                .and_then(|s| s.get("path"))
                .and_then(|p| p.as_str())
                .map(|p| dir.join(p)),
            features: spec
                .and_then(|s| s.get("features"))
                .and_then(|f| f.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            normal: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text, Path::new("/p"), "Cargo.toml").unwrap()
    }

    #[test]
    fn renames_and_foreign_crates() {
        let m = manifest(
            r#"[package]
name = "app"
[dependencies]
hcm = { package = "hc-schema-macro", version = "0.1" }
other-crate = "1"
[target.'cfg(unix)'.dev-dependencies]
hc-schema-macro = "0.1"
"#,
        );
        let names = m.crate_names(None);
        assert_eq!(names.macro_crates, ["hc_schema_macro", "hcm"]);
        assert!(names.foreign.contains(&"other_crate".to_string()));
        assert!(names.foreign.contains(&"std".to_string()));
    }

    #[test]
    fn workspace_inherited_renames() {
        let root = manifest(
            "[workspace]\n[workspace.dependencies]\nhcm = { package = \"hc-schema-macro\", path = \"m\" }\n",
        );
        let member = manifest("[package]\nname = \"a\"\n[dependencies]\nhcm.workspace = true\n");
        assert_eq!(
            member.crate_names(Some(&root)).macro_crates,
            ["hc_schema_macro", "hcm"]
        );
    }

    #[test]
    fn workspace_members_with_globs_and_exclusions() {
        let dir = tempfile::tempdir().unwrap();
        for member in [
            "crates/a",
            "crates/b",
            "crates/old",
            "crates/nomanifest",
            "../x",
        ] {
            let d = dir.path().join("w").join(member);
            std::fs::create_dir_all(&d).unwrap();
            if member != "crates/nomanifest" {
                std::fs::write(d.join("Cargo.toml"), "").unwrap();
            }
        }
        std::fs::write(dir.path().join("w/Cargo.toml"), "").unwrap();
        let root = Manifest::parse(
            "[workspace]\nmembers = [\".\", \"crates/*\", \"../x\"]\nexclude = [\"crates/old\"]\n",
            &dir.path().join("w"),
            "Cargo.toml",
        )
        .unwrap();
        let (dirs, unreadable) = root.member_dirs();
        assert!(unreadable.is_empty());
        let w = dir.path().join("w");
        assert_eq!(
            dirs,
            [
                w.join("."),
                w.join("../x"),
                w.join("crates/a"),
                w.join("crates/b")
            ]
        );
        assert!(wildcard("a[0-9]?", "a1x") && !wildcard("a[!0-9]", "a1"));
        assert!(!wildcard("*", ".hidden") && wildcard("*-c", "b-c"));
    }

    #[test]
    fn a_dependency_named_like_the_macro_that_is_not_it() {
        let m = manifest("[package]\nname = \"a\"\n[dependencies]\nhc_schema_macro = { package = \"impostor\", version = \"1\" }\n");
        assert!(m.crate_names(None).macro_crates.is_empty());
    }

    #[test]
    fn a_malformed_manifest_is_an_error_with_a_position() {
        let err =
            Manifest::parse("[package]\nname = \n", Path::new("/p"), "a/Cargo.toml").unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("a/Cargo.toml", 2));
        assert_eq!(err.kind, ErrorKind::Unreadable);
    }
}
