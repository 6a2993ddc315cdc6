//! Finding what the code requires without compiling it (feature `scan`): every
//! `#[hc_requires]` the build checks, every `hc_sql!` call, and the string literals that could
//! be SQL, with typed errors for whatever the scan cannot read.
//!
//! What the build checks, the scan finds: the macros under any path or alias (`use ... as`,
//! re-exports through other modules, `use hc_schema_macro::*`, `use hc_schema_macro as hcm`,
//! `extern crate ... as`, a rename in `Cargo.toml`), inside `cfg_attr` (marked conditional),
//! in module files reached through symbolic links, with identifiers compared in NFC. Beyond the
//! tree it walks, it reads what cargo compiles: workspace members elsewhere, `#[path]` module
//! files, `include!("literal")`d files (see `modules`). What it cannot read is an error naming
//! the file ([`Scan::is_complete`] is then false): a directory or file it cannot read (or that
//! is not a regular file), a file that does not parse or nests too deeply, annotations or
//! `hc_sql!` calls inside macro definitions or other macros' inputs, and an `include!` of a
//! computed path ("not scannable here"). Annotations where rustc rejects
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
mod modules;
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
    AllowedColumn, AnnotationSite, Container, ContainerKind, ErrorKind, Extent, LiteralKind,
    Position, Scan, SourceError, SqlAllowances, SqlArgument, SqlLiteral, SqlMacro, StrLiteral,
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
/// entries and `exclude`), and what cargo compiles beyond them (workspace members elsewhere,
/// `#[path]` and `include!` targets; never what `exclude` names); file names are shown
/// relative to `display_base` (with `..` outside it).
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
    let mut walked = walk::walk(root, display_base, &options.exclude);
    // Workspace members the walk did not reach (outside the root, in hidden directories):
    // cargo builds them, so they are walked too.
    for member in members_elsewhere(root, &walked, display_base, options) {
        walked.absorb(member);
    }
    let mut errors = std::mem::take(&mut walked.errors);

    // Every manifest found, read once each (also those no walked file sits under: a package
    // whose targets all live elsewhere, `[lib] path = "../shared/lib.rs"`).
    let mut wanted: Vec<usize> = (0..walked.manifests.len()).collect();
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

    let mut files = walked.files;
    let mut texts = engine::parallel(files.len(), |i, _| read_source(&files[i]));
    let from_walk = files.len();
    add_target_roots(
        &mut files,
        &mut texts,
        &walked.manifests,
        &manifests,
        display_base,
        options,
    );
    follow_references(
        &mut files,
        &mut texts,
        from_walk,
        display_base,
        options,
        &mut errors,
    );
    let krates: Vec<Option<usize>> = files.iter().map(|f| krate_of(&f.manifests)).collect();
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].display.cmp(&files[b].display));
    let mut texts: Vec<Option<_>> = texts.into_iter().map(Some).collect();
    let inputs = order
        .into_iter()
        .map(|i| Input {
            display: files[i].display.clone(),
            krate: krates[i],
            text: texts[i].take().expect("each file once"),
        })
        .collect();
    let mut scan = engine::scan(inputs, &crates, options.strategy);
    scan.errors.extend(errors);
    scan.errors.sort();
    scan.errors.dedup();
    scan
}

/// The walks of the members of the workspaces whose `Cargo.toml` the walk of `root` found,
/// for the members whose `Cargo.toml` it did not (members in `exclude` under [check] stay
/// excluded).
fn members_elsewhere(
    root: &Path,
    walked: &walk::Walked,
    display_base: &Path,
    options: &Options,
) -> Vec<walk::Walked> {
    let Ok(root_real) = std::fs::canonicalize(root) else {
        return Vec::new();
    };
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let in_tree: Vec<&PathBuf> = walked
        .manifests
        .iter()
        .filter(|m| m.starts_with(root) || real(m).is_some_and(|r| r.starts_with(&root_real)))
        .collect();
    let mut seen: Vec<PathBuf> = walked.manifests.iter().filter_map(|m| real(m)).collect();
    let excluded: Vec<PathBuf> = options.exclude.iter().filter_map(|e| real(e)).collect();
    let mut walks = Vec::new();
    for manifest in in_tree {
        let Ok(text) = crate::read::read_regular_text(manifest, crate::read::MAX_BYTES) else {
            // Reported when the manifest is read for names.
            continue;
        };
        if !text.contains("workspace") {
            continue;
        }
        let shown = relative_display(manifest, display_base);
        let dir = manifest.parent().unwrap_or(Path::new("."));
        let parsed = match Manifest::parse(&text, dir, &shown) {
            Ok(parsed) => parsed,
            Err(err) => {
                let mut failed = walk::Walked::default();
                failed.errors.push(err);
                walks.push(failed);
                continue;
            }
        };
        let (members, unreadable) = parsed.member_dirs();
        if !unreadable.is_empty() {
            let mut failed = walk::Walked::default();
            failed.errors.push(SourceError::new(
                ErrorKind::Unreadable,
                &shown,
                Position { line: 1, column: 1 },
                format!(
                    "cannot list the workspace members {} (a directory cannot be read), so the \
                     scan is incomplete: make it readable",
                    unreadable.join(", ")
                ),
            ));
            walks.push(failed);
        }
        for member in members {
            let Some(member_real) = real(&member) else {
                continue;
            };
            let member_manifest = member_real.join("Cargo.toml");
            if seen.contains(&member_manifest)
                || excluded.iter().any(|e| member_real.starts_with(e))
            {
                continue;
            }
            seen.push(member_manifest);
            walks.push(walk::walk(&member, display_base, &options.exclude));
        }
    }
    walks
}

/// A source file's text, or the error naming it.
fn read_source(file: &walk::SourcePath) -> Result<String, SourceError> {
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
}

/// Add the files that `#[path]`, `mod` and `include!` make part of a crate and the walk did
/// not read (outside the tree, other extensions, hidden or `target` directories), until none
/// is new; an `include!` the scan cannot follow is an error. Excluded paths stay excluded.
/// The crate roots that manifests name with `path` (`[lib] path = "../shared/lib.rs"`,
/// `[[bin]] path = ".bin/x.rs"`) and the walk did not read: cargo compiles them, so they are
/// scanned (and their modules followed), each as part of its manifest's package. A target in
/// an `exclude`d directory stays excluded; one that does not exist is cargo's error.
fn add_target_roots(
    files: &mut Vec<walk::SourcePath>,
    texts: &mut Vec<Result<String, SourceError>>,
    manifest_paths: &[PathBuf],
    manifests: &[Option<Manifest>],
    display_base: &Path,
    options: &Options,
) {
    use std::collections::HashSet;
    let mut known: HashSet<PathBuf> = files
        .iter()
        .flat_map(|f| [Some(f.path.clone()), std::fs::canonicalize(&f.path).ok()])
        .flatten()
        .collect();
    for (index, manifest) in manifests.iter().enumerate() {
        let Some(manifest) = manifest else { continue };
        for target in &manifest.target_paths {
            if options.exclude.iter().any(|e| target.starts_with(e))
                || known.contains(target)
                || !target.exists()
            {
                continue;
            }
            let real = std::fs::canonicalize(target).unwrap_or_else(|_| target.clone());
            if known.contains(&real) {
                continue;
            }
            known.insert(target.clone());
            known.insert(real);
            // Its manifest chain: the manifests whose directory holds this one's, outermost
            // first (as the walk records them).
            let mut chain: Vec<usize> = (0..manifest_paths.len())
                .filter(|&m| {
                    manifest_paths[m]
                        .parent()
                        .is_some_and(|dir| manifest.dir.starts_with(dir))
                })
                .collect();
            chain.sort_by_key(|&m| manifest_paths[m].components().count());
            if !chain.contains(&index) {
                chain.push(index);
            }
            let file = walk::SourcePath {
                display: relative_display(target, display_base),
                path: target.clone(),
                manifests: chain.into(),
            };
            texts.push(read_source(&file));
            files.push(file);
        }
    }
}

fn follow_references(
    files: &mut Vec<walk::SourcePath>,
    texts: &mut Vec<Result<String, SourceError>>,
    walked: usize,
    display_base: &Path,
    options: &Options,
    errors: &mut Vec<SourceError>,
) {
    use std::collections::HashSet;
    let mut known: HashSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    // Canonical paths of the files, computed when a lexical comparison is not enough.
    let mut canonical: Option<HashSet<PathBuf>> = None;
    let excluded_real: Vec<PathBuf> = options
        .exclude
        .iter()
        .filter_map(|e| std::fs::canonicalize(e).ok())
        .collect();
    let mut todo: Vec<usize> = (0..files.len()).collect();
    while !todo.is_empty() {
        let found = engine::parallel(todo.len(), |k, _| {
            let i = todo[k];
            match &texts[i] {
                Ok(text) if i >= walked || modules::may_refer(text) => {
                    modules::references(text, &files[i].path)
                }
                _ => Vec::new(),
            }
        });
        let mut next = Vec::new();
        for (&from, references) in todo.iter().zip(found) {
            for reference in references {
                let candidates = match reference {
                    modules::Reference::File(candidates) => candidates,
                    modules::Reference::Unknown(position) => {
                        errors.push(SourceError::new(
                            ErrorKind::NotScannable,
                            &files[from].display,
                            position,
                            "not scannable here: this `include!` names its file with a macro \
                             (`concat!`, `env!`, `OUT_DIR`), and the scan cannot tell which file \
                             it compiles; annotations and hc_sql! calls in it are not checked: \
                             include a plain string literal path; for generated code (prost), \
                             put the include! in a module file of its own and list that file \
                             under [check] exclude in hc-schema.toml",
                        ));
                        continue;
                    }
                };
                for candidate in candidates {
                    if known.contains(&candidate)
                        || options.exclude.iter().any(|e| candidate.starts_with(e))
                    {
                        continue;
                    }
                    match std::fs::metadata(&candidate) {
                        // Not there: rustc does not compile it either (or rejects the crate).
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                        Ok(meta) if meta.is_dir() => continue,
                        // Anything else is read, or is an error naming it.
                        _ => {}
                    }
                    let Ok(real) = std::fs::canonicalize(&candidate) else {
                        known.insert(candidate.clone());
                        next.push(add_file(files, texts, candidate, from, display_base));
                        continue;
                    };
                    if excluded_real.iter().any(|e| real.starts_with(e)) {
                        continue;
                    }
                    let canonical = canonical.get_or_insert_with(|| {
                        files
                            .iter()
                            .filter_map(|f| std::fs::canonicalize(&f.path).ok())
                            .collect()
                    });
                    known.insert(candidate.clone());
                    if !canonical.insert(real) {
                        continue;
                    }
                    next.push(add_file(files, texts, candidate, from, display_base));
                }
            }
        }
        todo = next;
    }
}

/// Add the file at `path`, part of the crate of `files[from]`; its index.
fn add_file(
    files: &mut Vec<walk::SourcePath>,
    texts: &mut Vec<Result<String, SourceError>>,
    path: PathBuf,
    from: usize,
    display_base: &Path,
) -> usize {
    let file = walk::SourcePath {
        display: relative_display(&path, display_base),
        path,
        manifests: files[from].manifests.clone(),
    };
    texts.push(read_source(&file));
    files.push(file);
    files.len() - 1
}

/// `path` shown relative to `base`, with `..` when it is outside (absolute when they share
/// nothing but the root).
pub(crate) fn relative_display(path: &Path, base: &Path) -> String {
    // `src/../x.rs` as `x.rs` (lexically: for display only).
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if normal.file_name().is_some() => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    let path = normal.as_path();
    if let Ok(inside) = path.strip_prefix(base) {
        return crate::selection::display_path(inside, Path::new(""));
    }
    let (Ok(path_real), Ok(base_real)) = (std::fs::canonicalize(path), std::fs::canonicalize(base))
    else {
        return crate::selection::display_path(path, base);
    };
    let common = path_real
        .components()
        .zip(base_real.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return crate::selection::display_path(&path_real, base);
    }
    let mut shown = PathBuf::new();
    for _ in common..base_real.components().count() {
        shown.push("..");
    }
    shown.extend(path_real.components().skip(common));
    crate::selection::display_path(&shown, Path::new(""))
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
    fn files_reached_by_path_mod_and_include_are_scanned() {
        let outside = tempfile::tempdir().unwrap();
        write_tree(
            outside.path(),
            &[("outside.rs", "#[hc_requires(outside(a))] fn o() {}\n")],
        );
        let dir = tempfile::tempdir().unwrap();
        let abs = outside.path().join("outside.rs");
        let lib = format!(
            "#[path = {:?}] mod o;\n#[path = \"x.txt\"] mod x;\n#[path = \"x.inc\"] mod inc;\n\
             #[path = \"../.hidden/h.rs\"] mod h;\nmod target;\n#[path = \"../gen/g.rs\"] mod g;\n\
             include!(\"incl.rs\");\n#[hc_requires(account(name))] fn ok() {{}}\n",
            abs.to_str().unwrap()
        );
        write_tree(
            dir.path(),
            &[
                ("src/lib.rs", &lib),
                ("src/x.txt", "#[hc_requires(txt(a))] fn x() {}\n"),
                ("src/x.inc", "#[hc_requires(inc(a))] fn i() {}\n"),
                (".hidden/h.rs", "#[hc_requires(hidden(a))] fn h() {}\n"),
                (
                    "src/target/mod.rs",
                    "mod deeper;\n#[hc_requires(target(a))] fn t() {}\n",
                ),
                (
                    "src/target/deeper.rs",
                    "#[hc_requires(deeper(a))] fn d() {}\n",
                ),
                ("gen/g.rs", "#[hc_requires(excluded(a))] fn g() {}\n"),
                ("src/incl.rs", "#[hc_requires(included(a))] fn n() {}\n"),
            ],
        );
        let scan = scan(dir.path(), dir.path(), &[dir.path().join("gen")]);
        assert!(scan.is_complete(), "{:?}", scan.errors);
        let mut found: Vec<_> = scan.usages.iter().map(|u| u.table.name.as_str()).collect();
        found.sort();
        assert_eq!(
            found,
            ["account", "deeper", "hidden", "inc", "included", "outside", "target", "txt"]
        );
        let files: Vec<_> = scan.usages.iter().map(|u| u.file.as_str()).collect();
        assert!(
            files.contains(&".hidden/h.rs") && files.contains(&"src/target/deeper.rs"),
            "{files:?}"
        );
    }

    #[test]
    fn what_a_path_or_include_names_and_the_scan_cannot_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[(
                "src/lib.rs",
                "#[path = \"p.rs\"] mod p;\n\
                 include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\n",
            )],
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("src/p.rs");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        }
        let scan = scan(dir.path(), dir.path(), &[]);
        assert!(!scan.is_complete());
        let errors: Vec<_> = scan
            .errors
            .iter()
            .map(|e| (e.file.as_str(), e.line, e.kind))
            .collect();
        assert!(
            errors.contains(&("src/lib.rs", 2, ErrorKind::NotScannable)),
            "{errors:?}"
        );
        #[cfg(unix)]
        assert!(
            errors.contains(&("src/p.rs", 1, ErrorKind::Unreadable)),
            "{errors:?}"
        );
    }

    #[test]
    fn cargo_target_paths_are_crate_roots_wherever_they_are() {
        let top = tempfile::tempdir().unwrap();
        write_tree(
            top.path(),
            &[
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\n[lib]\npath = \"../shared/lib.rs\"\n\
                     [[bin]]\nname = \"x\"\npath = \".bin/x.rs\"\n\
                     [[example]]\nname = \"e\"\npath = \"target/gen/e.rs\"\n",
                ),
                (
                    "shared/lib.rs",
                    "mod inner;\n#[hc_schema_macro::hc_requires(lib(a))] fn f() {}\n",
                ),
                (
                    "shared/inner.rs",
                    "#[hc_schema_macro::hc_requires(inner(a))] fn g() {}\n",
                ),
                (
                    "app/.bin/x.rs",
                    "#[hc_schema_macro::hc_requires(bin(a))] fn main() {}\n",
                ),
                (
                    "app/target/gen/e.rs",
                    "#[hc_schema_macro::hc_requires(example(a))] fn main() {}\n",
                ),
            ],
        );
        let root = top.path().join("app");
        let found = scan(&root, &root, &[]);
        assert!(found.is_complete(), "{:?}", found.errors);
        let mut tables: Vec<String> = tables(&found).into_iter().map(|(_, t)| t).collect();
        tables.sort();
        assert_eq!(tables, ["bin", "example", "inner", "lib"]);
    }

    #[test]
    fn workspace_members_outside_the_root_are_scanned() {
        let top = tempfile::tempdir().unwrap();
        write_tree(
            top.path(),
            &[
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\n[workspace]\nmembers = [\".\", \"../data\", \"crates/*\"]\n\
                     [workspace.dependencies]\nhcm = { package = \"hc-schema-macro\", path = \"m\" }\n",
                ),
                ("app/src/lib.rs", "#[hc_schema_macro::hc_requires(account(name))] fn f() {}\n"),
                (
                    "data/Cargo.toml",
                    "[package]\nname = \"data\"\nworkspace = \"../app\"\n[dependencies]\nhcm.workspace = true\n",
                ),
                ("data/src/lib.rs", "#[hcm::hc_requires(account(bogus__c))] fn g() {}\n"),
                ("app/crates/.hid/Cargo.toml", "[package]\nname = \"hid\"\n"),
                ("app/crates/.hid/src/lib.rs", "#[hc_schema_macro::hc_requires(hidden(a))] fn h() {}\n"),
            ],
        );
        let root = top.path().join("app");
        let found = scan(&root, &root, &[]);
        assert!(found.is_complete(), "{:?}", found.errors);
        assert_eq!(
            tables(&found),
            [
                ("../data/src/lib.rs".into(), "account".into()),
                ("src/lib.rs".into(), "account".into())
            ]
        );
        assert_eq!(found.usages[0].columns[0].name, "bogus__c");
        // A glob matches no hidden directory, as in cargo; naming it does.
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/.hid\"]\n",
        )
        .unwrap();
        let found = scan(&root, &root, &[]);
        assert!(tables(&found).contains(&("crates/.hid/src/lib.rs".into(), "hidden".into())));
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
