//! Which files a scan reads: every `.rs` file under the root, following symbolic links to
//! files and directories (a directory that links back to one it is inside is a cycle, read
//! once), skipping `target`, hidden entries and the configured exclusions. A directory or
//! link that cannot be read is an error naming it, never a silent skip. Also records each
//! file's `Cargo.toml`s, innermost last.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::model::{ErrorKind, Position, SourceError};
use super::relative_display as display_path;

/// A file to scan.
#[derive(Debug, Clone)]
pub(crate) struct SourcePath {
    /// The path as walked (through links).
    pub path: PathBuf,
    /// The path shown to users.
    pub display: String,
    /// The `Cargo.toml`s of its directory and the directories above, outermost first
    /// (indices into [`Walked::manifests`]).
    pub manifests: Arc<[usize]>,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// The `.rs` files, sorted by display path.
    pub files: Vec<SourcePath>,
    /// The `Cargo.toml` files (of walked directories and of the root's ancestors).
    pub manifests: Vec<PathBuf>,
    /// What could not be read.
    pub errors: Vec<SourceError>,
}

impl Walked {
    /// Add another walk's findings (its manifest indices shifted); files already found (by
    /// display path) are not added twice.
    pub(crate) fn absorb(&mut self, other: Walked) {
        let base = self.manifests.len();
        self.manifests.extend(other.manifests);
        let known: std::collections::HashSet<String> =
            self.files.iter().map(|f| f.display.clone()).collect();
        for mut file in other.files {
            if known.contains(&file.display) {
                continue;
            }
            file.manifests = file.manifests.iter().map(|&m| m + base).collect();
            self.files.push(file);
        }
        self.errors.extend(other.errors);
        self.files.sort_by(|a, b| a.display.cmp(&b.display));
    }
}

struct Dir {
    path: PathBuf,
    /// Canonical paths of this directory and every directory above it in this walk.
    ancestors: Arc<Vec<PathBuf>>,
    manifests: Arc<[usize]>,
}

/// Walk `root`; paths are shown relative to `display_base`.
pub(crate) fn walk(root: &Path, display_base: &Path, exclude: &[PathBuf]) -> Walked {
    let mut walked = Walked::default();
    let start = Position { line: 1, column: 1 };
    let unreadable = |path: &Path, what: &str| {
        let shown = display_path(path, display_base);
        SourceError::new(
            ErrorKind::Unreadable,
            if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            },
            start,
            format!(
                "{what}, so the scan is incomplete: make it readable, or add it to `exclude` \
                 under [check] in hc-schema.toml if it holds no code of this project"
            ),
        )
    };
    let root_canonical = match std::fs::canonicalize(root) {
        Ok(path) => path,
        Err(err) => {
            walked.errors.push(unreadable(
                root,
                &format!("cannot read the directory ({err})"),
            ));
            return walked;
        }
    };
    // Cargo.toml files above the root (a workspace's), outermost first.
    let mut above: Vec<usize> = Vec::new();
    for dir in root_canonical
        .ancestors()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let manifest = dir.join("Cargo.toml");
        if manifest.is_file() {
            above.push(walked.manifests.len());
            walked.manifests.push(manifest);
        }
    }
    let mut stack = vec![Dir {
        path: root.to_path_buf(),
        ancestors: Arc::new(vec![root_canonical]),
        manifests: above.into(),
    }];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir.path) {
            Ok(entries) => entries,
            Err(err) => {
                walked.errors.push(unreadable(
                    &dir.path,
                    &format!("cannot read the directory ({err})"),
                ));
                continue;
            }
        };
        let mut entries: Vec<_> = match entries.collect::<Result<Vec<_>, _>>() {
            Ok(entries) => entries,
            Err(err) => {
                walked.errors.push(unreadable(
                    &dir.path,
                    &format!("cannot list the directory ({err})"),
                ));
                continue;
            }
        };
        entries.sort_by_key(|e| e.file_name());
        let mut manifests = dir.manifests.clone();
        if entries.iter().any(|e| e.file_name() == "Cargo.toml") {
            let manifest = dir.path.join("Cargo.toml");
            if std::fs::metadata(&manifest).is_ok_and(|m| m.is_file()) {
                let mut chain = manifests.to_vec();
                chain.push(walked.manifests.len());
                walked.manifests.push(manifest);
                manifests = chain.into();
            }
        }
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            if name.starts_with('.') || exclude.iter().any(|e| path.starts_with(e)) {
                continue;
            }
            let Ok(mut kind) = entry.file_type() else {
                walked
                    .errors
                    .push(unreadable(&path, "cannot read what this entry is"));
                continue;
            };
            let link = kind.is_symlink();
            if link {
                match std::fs::metadata(&path) {
                    Ok(meta) => kind = meta.file_type(),
                    Err(err) => {
                        walked.errors.push(unreadable(
                            &path,
                            &format!("cannot follow this symbolic link ({err})"),
                        ));
                        continue;
                    }
                }
            }
            if kind.is_dir() {
                if name == "target" {
                    continue;
                }
                let canonical = if link {
                    match std::fs::canonicalize(&path) {
                        Ok(canonical) => canonical,
                        Err(err) => {
                            walked.errors.push(unreadable(
                                &path,
                                &format!("cannot follow this symbolic link ({err})"),
                            ));
                            continue;
                        }
                    }
                } else {
                    dir.ancestors
                        .last()
                        .map_or_else(|| path.clone(), |parent| parent.join(&*name))
                };
                if dir.ancestors.contains(&canonical) {
                    // A link back to a directory this one is inside: already being read.
                    continue;
                }
                let mut ancestors = (*dir.ancestors).clone();
                ancestors.push(canonical);
                stack.push(Dir {
                    path,
                    ancestors: Arc::new(ancestors),
                    manifests: manifests.clone(),
                });
            } else if name.ends_with(".rs") {
                if kind.is_file() {
                    walked.files.push(SourcePath {
                        display: display_path(&path, display_base),
                        path,
                        manifests: manifests.clone(),
                    });
                } else {
                    walked.errors.push(unreadable(
                        &path,
                        "this is not a regular file (a pipe, socket or device), so it was not read",
                    ));
                }
            }
        }
    }
    walked.files.sort_by(|a, b| a.display.cmp(&b.display));
    walked
}
