//! Finding what the code requires without compiling it (feature `scan`): every
//! `#[hc_requires]` the build checks, every `hc_sql!` call, and the string literals that could
//! be SQL, with typed errors for whatever the scan cannot read.
//!
//! What the build checks, the scan finds: the macros under any path or alias (`use ... as`,
//! re-exports through other modules, `use hc_schema_macro::*`, `use hc_schema_macro as hcm`,
//! `extern crate ... as`, a rename in `Cargo.toml`, a re-export by another crate of the scan:
//! `#[reex::needs]`), inside `cfg_attr` (marked conditional),
//! in module files reached through symbolic links, with identifiers compared in NFC. Beyond the
//! tree it walks, it reads what cargo compiles: workspace members elsewhere, path dependencies
//! outside the workspace (not hc-schema's own packages), `#[path]` module
//! files, `include!("literal")`d files (also through `use std::include as inc;`), modules that
//! a `macro_rules!` declares with `#[path = $p]` at calls naming the file (see `modules`).
//! What it cannot read is an error naming the file ([`Scan::is_complete`] is then false): a
//! directory or file it cannot read (or that is not a regular file), a file that does not
//! parse or nests too deeply, annotations or `hc_sql!` calls inside macro definitions or other
//! macros' inputs, and an `include!` or a macro-written `#[path]` of a computed path ("not
//! scannable here"). Annotations where rustc rejects
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
mod discover;
mod elements;
mod engine;
mod features;
mod file;
pub mod item;
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
    AllowanceSite, AllowedColumn, AnnotationSite, Container, ContainerKind, ErrorKind, Extent,
    LiteralKind, Position, QueryCall, Scan, SourceError, SqlAllowances, SqlArgument, SqlLiteral,
    SqlMacro, StrLiteral,
};
pub use sqlish::{
    could_be_sql, could_be_sql_piece, SQL_TABLE_STATEMENTS, SQL_TABLE_WORDS, SQL_VERBS,
};
pub(crate) use sqlish::{has_sql_piece_word, starts_sql_name};

use crate::manifest::Usage;
use cargo::{CrateNames, Manifest};
pub(crate) use discover::relative_display;
use discover::{
    add_target_roots, follow_references, members_elsewhere, path_dependencies_elsewhere,
    read_source,
};
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
/// path dependencies outside the workspace,
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
    // Path dependencies outside what was walked (`lib = { path = "../../shared/lib" }`):
    // cargo compiles them with the crates depending on them, so they are walked too, and
    // their own path dependencies, until none is new.
    let mut followed = std::collections::HashSet::new();
    loop {
        let more = path_dependencies_elsewhere(&walked, display_base, options, &mut followed);
        if more.is_empty() {
            break;
        }
        for dependency in more {
            walked.absorb(dependency);
        }
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
    // Each crate's (package manifest, workspace root manifest), indices into `manifests`.
    let mut packages: Vec<(usize, Option<usize>)> = Vec::new();
    let mut krate_of = |chain: &[usize]| -> Option<usize> {
        let (position, &package) = chain
            .iter()
            .enumerate()
            .rev()
            .find(|&(_, &m)| manifests[m].as_ref().is_some_and(|m| m.is_package))?;
        if let Some(krate) = crate_of_manifest[package] {
            return Some(krate);
        }
        let manifest = manifests[package].as_ref().expect("found above");
        // A package that is also the workspace root inherits from its own
        // `[workspace.dependencies]`.
        let workspace = match &manifest.workspace_path {
            _ if manifest.workspace_dependencies.is_some() => Some(package),
            Some(dir) => manifests.iter().position(|m| {
                m.as_ref().is_some_and(|m| {
                    m.dir == *dir || m.dir.canonicalize().ok() == dir.canonicalize().ok()
                })
            }),
            None => chain[..position].iter().rev().copied().find(|&m| {
                manifests[m]
                    .as_ref()
                    .is_some_and(|m| m.workspace_dependencies.is_some())
            }),
        };
        let krate = crates.len();
        crates.push(manifest.crate_names(workspace.and_then(|w| manifests[w].as_ref())));
        packages.push((package, workspace));
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
    let crate_of_file: std::collections::HashMap<&str, usize> = files
        .iter()
        .zip(&krates)
        .filter_map(|(f, k)| Some((f.display.as_str(), (*k)?)))
        .collect();
    let mut scan = engine::scan(inputs, &crates, options.strategy);
    // `<env>-snapshot` features that do not reach the crates holding the annotations.
    let mut annotated = vec![false; crates.len()];
    for file in scan
        .annotations
        .iter()
        .map(|a| &a.file)
        .chain(scan.sql_macros.iter().map(|m| &m.file))
    {
        if let Some(&krate) = crate_of_file.get(file.as_str()) {
            annotated[krate] = true;
        }
    }
    let described: Vec<features::Package<'_>> = packages
        .iter()
        .zip(annotated)
        .filter_map(|(&(package, workspace), annotated)| {
            Some(features::Package {
                manifest: manifests[package].as_ref()?,
                workspace: workspace.and_then(|w| manifests[w].as_ref()),
                display: relative_display(&walked.manifests[package], display_base),
                annotated,
            })
        })
        .collect();
    errors.extend(features::unforwarded(&described));
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
