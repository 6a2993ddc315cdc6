//! Finding `#[hc_requires]` annotations in source files without compiling (feature `syntax`).
//!
//! Files are read and parsed with syn in parallel; every annotation yields [`Usage`]s with file,
//! line and column of each name. Files that do not parse and annotations that are malformed are
//! reported, never skipped silently.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use syn::visit::Visit;

use crate::manifest::Usage;
use crate::selection::display_path;
use crate::syntax::Annotation;

/// A source file or annotation that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceError {
    /// The file (relative to the workspace).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// True when the whole file failed to parse (its annotations are unknown).
    pub file_unparsed: bool,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Every annotation's table groups, sorted by file and position.
    pub usages: Vec<Usage>,
    /// Files that do not parse and malformed annotations.
    pub errors: Vec<SourceError>,
    /// How many files were read.
    pub files: usize,
}

/// Scan every `.rs` file under `root` (skipping `target`, hidden directories and `exclude`);
/// file names are shown relative to `display_base`.
pub fn scan(root: &Path, display_base: &Path, exclude: &[PathBuf]) -> Scan {
    let mut files = Vec::new();
    collect(root, exclude, &mut files);
    files.sort();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Scan {
        files: files.len(),
        ..Scan::default()
    });
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut local = Scan::default();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(index) else { break };
                    let display = display_path(path, display_base);
                    match std::fs::read_to_string(path) {
                        Ok(text) => {
                            let (usages, errors) = scan_source(&text, &display);
                            local.usages.extend(usages);
                            local.errors.extend(errors);
                        }
                        Err(err) => local.errors.push(SourceError {
                            file: display,
                            line: 1,
                            column: 1,
                            message: format!("cannot read the file: {err}"),
                            file_unparsed: true,
                        }),
                    }
                }
                let mut all = results.lock().unwrap_or_else(|p| p.into_inner());
                all.usages.extend(local.usages);
                all.errors.extend(local.errors);
            });
        }
    });
    let mut scan = results.into_inner().unwrap_or_else(|p| p.into_inner());
    scan.usages.sort();
    scan.errors.sort();
    scan
}

fn collect(dir: &Path, exclude: &[PathBuf], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if exclude.iter().any(|e| path.starts_with(e)) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if name == "target" || name.starts_with('.') {
                continue;
            }
            collect(&path, exclude, out);
        } else if kind.is_file() && name.ends_with(".rs") {
            out.push(path);
        }
    }
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
    let syntax = match syn::parse_file(text) {
        Ok(syntax) => syntax,
        Err(err) => {
            let start = err.span().start();
            return (
                Vec::new(),
                vec![SourceError {
                    file: file.to_string(),
                    line: start.line as u32,
                    column: start.column as u32 + 1,
                    message: format!(
                        "this file does not parse ({err}), so its #[hc_requires] annotations cannot be checked; fix the syntax error"
                    ),
                    file_unparsed: true,
                }],
            );
        }
    };
    let mut visitor = Finder {
        file,
        usages: Vec::new(),
        errors: Vec::new(),
    };
    visitor.visit_file(&syntax);
    (visitor.usages, visitor.errors)
}

struct Finder<'a> {
    file: &'a str,
    usages: Vec<Usage>,
    errors: Vec<SourceError>,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        let is_ours = attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "hc_requires");
        if !is_ours {
            return;
        }
        let problems = match Annotation::from_attribute(attr) {
            Ok(annotation) => {
                let problems = annotation.validate();
                if problems.is_empty() {
                    self.usages.extend(annotation.usages(self.file));
                }
                problems
            }
            Err(err) => vec![err],
        };
        for problem in problems {
            let start = problem.span.start();
            self.errors.push(SourceError {
                file: self.file.to_string(),
                line: start.line as u32,
                column: start.column as u32 + 1,
                message: problem.to_string(),
                file_unparsed: false,
            });
        }
    }
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
        let (usages, errors) = scan_source("fn broken( {", "src/bad.rs");
        assert!(usages.is_empty());
        assert!(errors[0].file_unparsed && errors[0].message.contains("does not parse"));
        let (_, errors) = scan_source("#[hc_requires(account)] fn f() {}", "src/a.rs");
        assert_eq!((errors[0].line, errors[0].column), (1, 15));
        assert!(!errors[0].file_unparsed);
    }

    #[test]
    fn scan_walks_the_tree_in_parallel_and_skips_target() {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("src/a.rs", "#[hc_requires(account(name))] fn a() {}"),
            ("src/deep/b.rs", "#[hc_requires(contact(email))] fn b() {}"),
            ("target/debug/c.rs", "#[hc_requires(x(y))] fn c() {}"),
            ("tests/ui/d.rs", "#[hc_requires(z(w))] fn d() {}"),
        ] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let scan = scan(dir.path(), dir.path(), &[dir.path().join("tests/ui")]);
        assert_eq!(scan.files, 2);
        let files: Vec<_> = scan.usages.iter().map(|u| u.file.as_str()).collect();
        assert_eq!(files, ["src/a.rs", "src/deep/b.rs"]);
    }
}
