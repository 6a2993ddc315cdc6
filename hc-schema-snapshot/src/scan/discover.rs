//! Which files a scan reads: workspace members the root's walk does not reach, path
//! dependencies outside the workspace, `[lib]`/`[[bin]]` target paths, files reached through
//! `#[path]` and `include!` (also when written by a `macro_rules!` or renamed by `use`), and
//! how each file is shown. `scan_with` in `mod.rs` drives it; the walk itself is `walk.rs`.

use std::path::{Path, PathBuf};

use super::*;

/// The walks of the members of the workspaces whose `Cargo.toml` the walk of `root` found,
/// for the members whose `Cargo.toml` it did not (members in `exclude` under [check] stay
/// excluded).
pub(super) fn members_elsewhere(
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

/// The walks of the path dependencies of the packages `walked` found whose `Cargo.toml` it
/// did not reach (outside the root and its workspace), not yet in `followed`; hc-schema's own
/// packages (a checkout of hc-schema used by path) and what `exclude` names are left out.
/// A dependency's `Cargo.toml` that cannot be read is an error naming it.
pub(super) fn path_dependencies_elsewhere(
    walked: &walk::Walked,
    display_base: &Path,
    options: &Options,
    followed: &mut std::collections::HashSet<PathBuf>,
) -> Vec<walk::Walked> {
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let known: std::collections::HashSet<PathBuf> =
        walked.manifests.iter().filter_map(|m| real(m)).collect();
    let excluded: Vec<PathBuf> = options.exclude.iter().filter_map(|e| real(e)).collect();
    let manifests: Vec<Manifest> = walked
        .manifests
        .iter()
        .filter_map(|path| {
            let text = crate::read::read_regular_text(path, crate::read::MAX_BYTES).ok()?;
            // Reported when the manifest is read for names.
            Manifest::parse(&text, path.parent()?, "").ok()
        })
        .collect();
    let workspace_paths: Vec<(&str, &PathBuf)> = manifests
        .iter()
        .filter_map(|m| m.workspace_dependencies.as_ref())
        .flatten()
        .filter_map(|d| Some((d.key.as_str(), d.path.as_ref()?)))
        .collect();
    let mut walks = Vec::new();
    for manifest in manifests.iter().filter(|m| m.is_package) {
        for dependency in &manifest.dependencies {
            let path = if dependency.inherited {
                workspace_paths
                    .iter()
                    .find(|(key, _)| *key == dependency.key)
                    .map(|(_, path)| *path)
            } else {
                dependency.path.as_ref()
            };
            let Some(dir) = path else { continue };
            let manifest_path = dir.join("Cargo.toml");
            // A dependency without a Cargo.toml is cargo's error.
            let Some(dir_real) = real(dir).filter(|_| manifest_path.exists()) else {
                continue;
            };
            if known.contains(&dir_real.join("Cargo.toml"))
                || excluded.iter().any(|e| dir_real.starts_with(e))
                || !followed.insert(dir_real)
            {
                continue;
            }
            let shown = relative_display(&manifest_path, display_base);
            match Manifest::read(&manifest_path, &shown) {
                Ok(dependency) => {
                    let own = dependency
                        .name
                        .as_deref()
                        .is_some_and(|name| cargo::OWN_PACKAGES.contains(&name));
                    if !own {
                        walks.push(walk::walk(dir, display_base, &options.exclude));
                    }
                }
                Err(err) => {
                    let mut failed = walk::Walked::default();
                    failed.errors.push(err);
                    walks.push(failed);
                }
            }
        }
    }
    walks
}

/// A source file's text, or the error naming it.
pub(super) fn read_source(file: &walk::SourcePath) -> Result<String, SourceError> {
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
pub(super) fn add_target_roots(
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

pub(super) fn follow_references(
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
    // The aliases of `include!` and the macros writing `#[path = $fragment]`, of every file
    // (a name defined in one file is used in another).
    let mut definitions: Vec<Option<modules::Definitions>> = vec![None; texts.len()];
    let mut names = learn_names(texts, &mut definitions);
    let mut todo: Vec<usize> = (0..files.len()).collect();
    while !todo.is_empty() {
        let found = engine::parallel(todo.len(), |k, _| {
            let i = todo[k];
            match &texts[i] {
                Ok(text) if i >= walked || modules::may_refer(text, &names) => {
                    modules::references(text, &files[i].path, &names)
                }
                _ => Vec::new(),
            }
        });
        let mut next = Vec::new();
        for (&from, references) in todo.iter().zip(found) {
            for reference in references {
                let candidates = match reference {
                    modules::Reference::File(candidates) => candidates,
                    modules::Reference::Unknown(position, why) => {
                        errors.push(SourceError::new(
                            ErrorKind::NotScannable,
                            &files[from].display,
                            position,
                            unfollowed_message(&why),
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
        // Files added this round may define names that files already read use: read those
        // again (what they reach is known, so only the new is added).
        definitions.resize(texts.len(), None);
        let grown = learn_names(texts, &mut definitions);
        if grown != names {
            let new: Vec<String> = grown
                .all()
                .filter(|n| !names.all().any(|o| o == *n))
                .map(str::to_string)
                .collect();
            for (i, text) in texts.iter().enumerate() {
                let mentions = text.as_ref().is_ok_and(|t| {
                    new.iter()
                        .any(|n| memchr::memmem::find(t.as_bytes(), n.as_bytes()).is_some())
                });
                if mentions && !next.contains(&i) {
                    next.push(i);
                }
            }
            names = grown;
        }
        todo = next;
    }
}

/// The [`modules::Names`] that the files define, reading the definitions of the files not
/// read yet (`None`) that may define one: those that mention `include` or `macro_rules`, and
/// those that mention a name found so far (an alias of an alias), until none is new.
pub(super) fn learn_names(
    texts: &[Result<String, SourceError>],
    definitions: &mut [Option<modules::Definitions>],
) -> modules::Names {
    loop {
        let read: Vec<modules::Definitions> = definitions.iter().flatten().cloned().collect();
        let names = modules::Names::of(&read);
        let todo: Vec<usize> = (0..texts.len())
            .filter(|&i| definitions[i].is_none())
            .filter(|&i| {
                texts[i].as_ref().is_ok_and(|text| {
                    modules::may_define(text)
                        || names
                            .all()
                            .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
                })
            })
            .collect();
        if todo.is_empty() {
            return names;
        }
        let found = engine::parallel(todo.len(), |k, _| match &texts[todo[k]] {
            Ok(text) => modules::definitions(text),
            Err(_) => modules::Definitions::default(),
        });
        for (i, d) in todo.into_iter().zip(found) {
            definitions[i] = Some(d);
        }
    }
}

/// The error for a file the scan cannot name.
pub(super) fn unfollowed_message(why: &modules::Unfollowed) -> String {
    match why {
        modules::Unfollowed::Include => {
            "not scannable here: this `include!` names its file with a macro \
             (`concat!`, `env!`, `OUT_DIR`), and the scan cannot tell which file \
             it compiles; annotations and hc_sql! calls in it are not checked: \
             include a plain string literal path; for generated code (prost), \
             put the include! in a module file of its own and list that file \
             under [check] exclude in hc-schema.toml"
                .to_string()
        }
        modules::Unfollowed::PathFragment => {
            "not scannable here: this `#[path]` takes its file from a macro \
             fragment (`$p`), and the scan cannot tell which file the module compiles; \
             annotations and hc_sql! calls in it are not checked: write `#[path = \"...\"] \
             mod name;` with a string literal, or declare it in a `macro_rules!` called with \
             the file as a string literal"
                .to_string()
        }
        modules::Unfollowed::IncludeMacroCall(name) => format!(
            "not scannable here: `{name}!` includes a file named by its arguments, and this call \
             names no file with a string literal, so the scan cannot tell which file it \
             compiles; annotations and hc_sql! calls in it are not checked: call `{name}!` \
             with the file as a string literal (`{name}!(\"gen.rs\")`)"
        ),
        modules::Unfollowed::PathMacroCall(name) => format!(
            "not scannable here: `{name}!` declares a module whose `#[path]` comes from its \
             arguments, and this call names no file with a string literal, so the scan cannot \
             tell which file the module compiles; annotations and hc_sql! calls in it are not \
             checked: call `{name}!` with the file as a string literal (`{name}!(\"db.rs\")`)"
        ),
    }
}

/// Add the file at `path`, part of the crate of `files[from]`; its index.
pub(super) fn add_file(
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
