//! Finding what the code requires without compiling it (feature `scan`): every
//! `#[hc_requires]` the build checks, every `hc_sql!` call, and the string literals that could
//! be SQL, with typed errors for whatever the scan cannot read.
//!
//! What the build checks, the scan finds: the macros under any path or alias (`use ... as`,
//! re-exports through other modules, `use hc_schema_macro::*`, `use hc_schema_macro as hcm`,
//! `extern crate ... as`, a rename in `Cargo.toml`), inside `cfg_attr` (marked conditional),
//! in module files reached through symbolic links. What it cannot read is an error naming the
//! file ([`Scan::is_complete`] is then false): a directory or file it cannot read, a file that
//! does not parse or nests too deeply, and annotations or `hc_sql!` calls inside macro
//! definitions or other macros' inputs ("not scannable here"). Annotations where rustc rejects
//! attribute macros (fields, `let`, expressions, inner attributes) declare nothing and are
//! reported as misplaced; `#[other_crate::hc_requires]` is not ours.
//!
//! It is fast on real trees: a byte search decides which files and items can matter, only
//! those are parsed with syn, and literals come from a lexer (see [`Strategy`]; the tests hold
//! the fast path to the full parse's answers).
//!
//! ```
//! use hc_schema_snapshot::scan::scan_sources;
//! let scan = scan_sources(&[(
//!     "src/lib.rs",
//!     "use hc_schema_macro::hc_requires as needs;\n#[needs(account(name))]\nfn f() {}\n",
//! )]);
//! assert!(scan.is_complete());
//! assert_eq!(scan.usages[0].table.name, "account");
//! assert_eq!((scan.usages[0].table.line, scan.usages[0].columns[0].column), (2, 17));
//! ```

mod bindings;
mod cargo;
mod elements;
mod engine;
mod file;
mod lexer;
mod lines;
mod literals;
mod model;
mod names;
mod plain;
mod quick;
mod resolve;
mod sqlish;
mod visit;
mod walk;

use std::path::{Path, PathBuf};

pub use file::Strategy;
pub use model::{
    AnnotationSite, Container, ContainerKind, ErrorKind, Extent, LiteralKind, Position, Scan,
    SourceError, SqlArgument, SqlLiteral, SqlMacro, StrLiteral,
};
pub use sqlish::{could_be_sql, SQL_TABLE_WORDS, SQL_VERBS};

use crate::manifest::Usage;
use cargo::{CrateNames, Manifest};
use engine::Input;

/// How to scan a tree.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Paths (absolute, or relative to the current directory) not to scan.
    pub exclude: Vec<PathBuf>,
    /// Fast (default) or the full parse.
    pub strategy: Strategy,
}

/// Scan every `.rs` file under `root` (following symbolic links; skipping `target`, hidden
/// entries and `exclude`); file names are shown relative to `display_base`.
pub fn scan(root: &Path, display_base: &Path, exclude: &[PathBuf]) -> Scan {
    scan_with(
        root,
        display_base,
        &Options {
            exclude: exclude.to_vec(),
            ..Options::default()
        },
    )
}

/// [`scan`] with options.
pub fn scan_with(root: &Path, display_base: &Path, options: &Options) -> Scan {
    let walked = walk::walk(root, display_base, &options.exclude);
    let mut errors = walked.errors;

    // The manifests files sit under, read once each.
    let mut wanted: Vec<usize> = walked
        .files
        .iter()
        .flat_map(|f| f.manifests.iter().copied())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let read = engine::parallel(wanted.len(), |k, _| {
        let path = &walked.manifests[wanted[k]];
        Manifest::read(path, &crate::selection::display_path(path, display_base))
    });
    let mut manifests: Vec<Option<Manifest>> = vec![None; walked.manifests.len()];
    for (&index, result) in wanted.iter().zip(read) {
        match result {
            Ok(manifest) => manifests[index] = Some(manifest),
            Err(err) => errors.push(err),
        }
    }

    // Each file's crate: its innermost package manifest.
    let mut crate_of_manifest: Vec<Option<usize>> = vec![None; manifests.len()];
    let mut crates: Vec<CrateNames> = Vec::new();
    let mut krate_of = |chain: &[usize]| -> Option<usize> {
        let (position, &package) = chain
            .iter()
            .enumerate()
            .rev()
            .find(|(_, &m)| manifests[m].as_ref().is_some_and(|m| m.is_package))?;
        if let Some(krate) = crate_of_manifest[package] {
            return Some(krate);
        }
        let manifest = manifests[package].as_ref().expect("found above");
        // A package that is also the workspace root inherits from its own
        // `[workspace.dependencies]`.
        let workspace = match &manifest.workspace_path {
            _ if manifest.workspace_dependencies.is_some() => Some(manifest),
            Some(dir) => manifests
                .iter()
                .flatten()
                .find(|m| m.dir == *dir || m.dir.canonicalize().ok() == dir.canonicalize().ok()),
            None => chain[..position]
                .iter()
                .rev()
                .filter_map(|&m| manifests[m].as_ref())
                .find(|m| m.workspace_dependencies.is_some()),
        };
        let krate = crates.len();
        crates.push(manifest.crate_names(workspace));
        crate_of_manifest[package] = Some(krate);
        Some(krate)
    };
    let krates: Vec<Option<usize>> = walked
        .files
        .iter()
        .map(|f| krate_of(&f.manifests))
        .collect();

    let texts = engine::parallel(walked.files.len(), |i, _| {
        let file = &walked.files[i];
        match crate::read::read_regular(&file.path, u64::from(u32::MAX)) {
            Ok(bytes) => engine::text_of(bytes, &file.display),
            Err(err) => Err(SourceError::new(
                ErrorKind::Unreadable,
                &file.display,
                Position { line: 1, column: 1 },
                format!(
                    "cannot read this file ({err}), so the scan is incomplete: make it readable, \
                     or add it to `exclude` under [check] in hc-schema.toml"
                ),
            )),
        }
    });
    let inputs = walked
        .files
        .iter()
        .zip(krates)
        .zip(texts)
        .map(|((file, krate), text)| Input {
            display: file.display.clone(),
            krate,
            text,
        })
        .collect();
    let mut scan = engine::scan(inputs, &crates, options.strategy);
    scan.errors.extend(errors);
    scan.errors.sort();
    scan.errors.dedup();
    scan
}

/// Scan source texts held in memory (`(file name, text)` pairs, one crate with no
/// `Cargo.toml`), the fast way.
pub fn scan_sources(sources: &[(&str, &str)]) -> Scan {
    scan_sources_with(sources, Strategy::Fast)
}

/// [`scan_sources`] with a [`Strategy`].
pub fn scan_sources_with(sources: &[(&str, &str)], strategy: Strategy) -> Scan {
    let mut sorted: Vec<_> = sources.to_vec();
    sorted.sort();
    let inputs = sorted
        .into_iter()
        .map(|(name, text)| Input {
            display: name.to_string(),
            krate: None,
            text: Ok(text.to_string()),
        })
        .collect();
    engine::scan(inputs, &[], strategy)
}

/// Find the annotations of one source text; `file` names it in the results.
///
/// ```
/// use hc_schema_snapshot::scan::scan_source;
/// let (usages, errors) = scan_source("#[hc_requires(account(name))]\nfn f() {}\n", "src/lib.rs");
/// assert!(errors.is_empty());
/// assert_eq!((usages[0].table.line, usages[0].table.column), (1, 15));
/// assert_eq!(usages[0].columns[0].column, 23);
/// ```
pub fn scan_source(text: &str, file: &str) -> (Vec<Usage>, Vec<SourceError>) {
    let scan = scan_sources(&[(file, text)]);
    (scan.usages, scan.errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_annotations_on_all_kinds_of_items() {
        let text = r#"
use hc_schema_macro::hc_requires;
#[hc_requires(account(name))] struct S;
impl S {
    #[hc_schema_macro::hc_requires(contact(email, "Type"))]
    fn m(&self) {}
}
mod inner { #[hc_requires(user(r#type))] const C: u8 = 1; }
"#;
        let (usages, errors) = scan_source(text, "src/lib.rs");
        assert!(errors.is_empty(), "{errors:?}");
        let tables: Vec<_> = usages
            .iter()
            .map(|u| (u.table.name.as_str(), u.table.line))
            .collect();
        assert_eq!(tables, [("account", 3), ("contact", 5), ("user", 8)]);
        assert_eq!(usages[1].columns[1].name, "type");
    }

    #[test]
    fn unparsable_files_and_bad_annotations_are_reported() {
        let (usages, errors) = scan_source("#[hc_requires(a(b))] fn broken( {", "src/bad.rs");
        assert!(usages.is_empty());
        assert!(errors[0].file_unparsed && errors[0].message.contains("does not parse"));
        assert_eq!(errors[0].kind, ErrorKind::Unparsed);
        let (_, errors) = scan_source("#[hc_requires(account)] fn f() {}", "src/a.rs");
        assert_eq!((errors[0].line, errors[0].column), (1, 15));
        assert_eq!(errors[0].kind, ErrorKind::Malformed);
        assert!(!errors[0].file_unparsed);
    }

    #[test]
    fn a_file_without_our_names_is_not_our_business_even_broken() {
        let scan = scan_sources(&[("src/bad.rs", "fn broken( {")]);
        assert!(scan.is_complete() && scan.errors.is_empty());
        assert_eq!(scan.files, 1);
    }

    fn write_tree(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
    }

    fn tables(scan: &Scan) -> Vec<(String, String)> {
        scan.usages
            .iter()
            .map(|u| (u.file.clone(), u.table.name.clone()))
            .collect()
    }

    #[test]
    fn a_root_package_inherits_a_rename_from_its_own_workspace_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"app\"\n[workspace]\n[workspace.dependencies]\n\
                     hcm = { package = \"hc-schema-macro\", path = \"m\" }\n\
                     [dependencies]\nhcm = { workspace = true }\n",
                ),
                (
                    "src/lib.rs",
                    "#[hcm::hc_requires(account(bogus__c))] fn f() {}\n",
                ),
            ],
        );
        let scan = scan(dir.path(), dir.path(), &[]);
        assert!(scan.is_complete(), "{:?}", scan.errors);
        assert_eq!(tables(&scan), [("src/lib.rs".into(), "account".into())]);
    }

    #[test]
    fn identifiers_are_compared_in_nfc_as_rustc_does() {
        for strategy in [Strategy::Fast, Strategy::FullParse] {
            for (bound, used) in [
                ("e\u{301}", "\u{e9}"),
                ("\u{e9}", "e\u{301}"),
                ("\u{212A}eep", "Keep"),
                ("Keep", "\u{212A}eep"),
            ] {
                let text = format!(
                    "use hc_schema_macro::hc_requires as {bound};\n#[{used}(account(bogus__c))]\nfn f() {{}}\n"
                );
                let scan = scan_sources_with(&[("src/lib.rs", &text)], strategy);
                assert!(scan.is_complete(), "{:?}", scan.errors);
                assert_eq!(
                    scan.usages.len(),
                    1,
                    "{bound:?} then {used:?} ({strategy:?})"
                );
            }
        }
    }

    #[test]
    fn scan_walks_the_tree_in_parallel_and_skips_target() {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("src/a.rs", "#[hc_requires(account(name))] fn a() {}"),
            ("src/deep/b.rs", "#[hc_requires(contact(email))] fn b() {}"),
            ("target/debug/c.rs", "#[hc_requires(x(y))] fn c() {}"),
            ("tests/ui/d.rs", "#[hc_requires(z(w))] fn d() {}"),
            (".hidden/e.rs", "#[hc_requires(z(w))] fn e() {}"),
        ] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let scan = scan(dir.path(), dir.path(), &[dir.path().join("tests/ui")]);
        assert_eq!(scan.files, 2);
        let files: Vec<_> = scan.usages.iter().map(|u| u.file.as_str()).collect();
        assert_eq!(files, ["src/a.rs", "src/deep/b.rs"]);
        assert_eq!(scan.annotations[1].usages, 1..2);
    }
}
