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

/// Crates that are always in scope and never ours.
const BUILTIN_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// A `Cargo.toml`, as far as names go.
#[derive(Debug, Clone, Default)]
pub(crate) struct Manifest {
    /// The directory it is in.
    pub dir: PathBuf,
    /// It has `[package]`.
    pub is_package: bool,
    /// `[package] workspace = "..."`, when set.
    pub workspace_path: Option<PathBuf>,
    /// Dependencies (all kinds and targets): the key, the package (`None`: the key), and
    /// whether it is `{ workspace = true }`.
    pub dependencies: Vec<Dependency>,
    /// `[workspace.dependencies]`, when it is a workspace root.
    pub workspace_dependencies: Option<Vec<Dependency>>,
}

/// One dependency entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub key: String,
    pub package: Option<String>,
    pub inherited: bool,
}

/// The names a crate's code uses for crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrateNames {
    /// Names under which `hc-schema-macro` is reachable (`hc_schema_macro`, renames).
    pub macro_crates: Vec<String>,
    /// Names of other crates.
    pub foreign: Vec<String>,
}

impl Default for CrateNames {
    /// For files outside any package: the macro under its own name, std's crates foreign.
    fn default() -> CrateNames {
        CrateNames {
            macro_crates: vec![MACRO_CRATE.to_string()],
            foreign: BUILTIN_CRATES.iter().map(|s| s.to_string()).collect(),
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
            manifest.workspace_path = package
                .get("workspace")
                .and_then(|w| w.as_str())
                .map(|w| dir.join(w));
        }
        collect_dependencies(&table, &mut manifest.dependencies);
        if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
            for target in targets.values().filter_map(|t| t.as_table()) {
                collect_dependencies(target, &mut manifest.dependencies);
            }
        }
        if let Some(workspace) = table.get("workspace").and_then(|w| w.as_table()) {
            let mut dependencies = Vec::new();
            if let Some(deps) = workspace.get("dependencies").and_then(|d| d.as_table()) {
                read_dependency_table(deps, &mut dependencies);
            }
            manifest.workspace_dependencies = Some(dependencies);
        }
        Ok(manifest)
    }

    /// The crate names of this package; `workspace` is its workspace root's manifest.
    pub(crate) fn crate_names(&self, workspace: Option<&Manifest>) -> CrateNames {
        let mut names = CrateNames::default();
        let mut macro_name_taken = false;
        for dependency in &self.dependencies {
            let package = if dependency.inherited {
                workspace
                    .and_then(|w| w.workspace_dependencies.as_ref())
                    .and_then(|deps| deps.iter().find(|d| d.key == dependency.key))
                    .and_then(|d| d.package.clone())
            } else {
                dependency.package.clone()
            }
            .unwrap_or_else(|| dependency.key.clone());
            let name = dependency.key.replace('-', "_");
            if package == MACRO_PACKAGE || package == MACRO_CRATE {
                names.macro_crates.push(name);
            } else {
                macro_name_taken |= name == MACRO_CRATE;
                names.foreign.push(name);
            }
        }
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

fn collect_dependencies(table: &toml::Table, out: &mut Vec<Dependency>) {
    for key in [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ] {
        if let Some(deps) = table.get(key).and_then(|d| d.as_table()) {
            read_dependency_table(deps, out);
        }
    }
}

fn read_dependency_table(deps: &toml::Table, out: &mut Vec<Dependency>) {
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
