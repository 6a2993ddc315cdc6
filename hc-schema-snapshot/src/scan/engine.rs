//! The scan's passes over a set of files, on worker threads with large stacks.
//!
//! 1. Read every file (UTF-8 or a named error).
//! 2. Aliases: the `use` / `extern crate` declarations that mention hc-schema's names, until
//!    no new alias appears (an alias of an alias is only found once the first is known), also
//!    across the crates of the scan (a macro re-exported by a crate its dependents use).
//! 3. The main pass, per file (see [`super::file`]).
//! 4. Merge in file order.
//!
//! syn recurses as deeply as the code nests. Workers ([`crate::parallel`]) get a 1 GiB stack
//! (address space, touched only as deep as a file needs), and items that nest deeper than that
//! stack can parse safely are reported instead of parsed ([`super::elements::nesting`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

pub(crate) use crate::parallel::parallel;

use super::cargo::CrateNames;
use super::file::{self, FileScan, FileState, Strategy};
use super::lines::LineIndex;
use super::model::{AnnotationSite, ErrorKind, Position, Scan, SourceError, SqlLiteral, SqlMacro};
use super::names::NameSet;
use super::resolve::{Aliases, Binding, QUERY, REQUIRES, SQL};
use super::visit::FoundError;

/// A file to scan: where it is shown, its crate (an index into the crates' names), and its
/// text or why there is none.
pub(crate) struct Input {
    pub display: String,
    pub krate: Option<usize>,
    pub text: Result<String, SourceError>,
}

/// Scan `inputs` (sorted by display path); `crates` holds each crate's names (files with no
/// crate get [`CrateNames::default`]).
pub(crate) fn scan(inputs: Vec<Input>, crates: &[CrateNames], strategy: Strategy) -> Scan {
    let mut scan = Scan {
        files: inputs.len(),
        ..Scan::default()
    };
    let mut krates = Vec::new();
    let mut states = Vec::new();
    for input in inputs {
        match input.text {
            Ok(text) => {
                krates.push(input.krate);
                states.push(Mutex::new(FileState::new(text, input.display)));
            }
            Err(err) => scan.errors.push(err),
        }
    }

    let (aliases, mut pass_one_errors) = learn_aliases(&states, &krates, crates, strategy);

    // The main pass.
    let main_names: BTreeSet<&str> = [REQUIRES, SQL, QUERY]
        .into_iter()
        .chain(aliases.values().flat_map(|a| a.macro_aliases()))
        .collect();
    let names = NameSet::new(main_names);
    let results = parallel(states.len(), |i, limit| {
        let mut state = states[i].lock().unwrap_or_else(|p| p.into_inner());
        let crate_aliases = &aliases[&krates[i]];
        file::scan(&mut state, &names, crate_aliases, limit, strategy)
    });

    for (i, result) in results.into_iter().enumerate() {
        let state = states[i].lock().unwrap_or_else(|p| p.into_inner());
        merge(
            &mut scan,
            &state.display,
            result,
            std::mem::take(&mut pass_one_errors[i]),
        );
    }
    scan.errors.sort();
    scan.errors.dedup();
    scan
}

/// Pass one: each crate's aliases of the macro crate and the macros, learnt from the `use` and
/// `extern crate` declarations that mention a name known so far, until no new one appears.
/// Also what could not be read on the way, per file.
fn learn_aliases(
    states: &[Mutex<FileState>],
    krates: &[Option<usize>],
    crates: &[CrateNames],
    strategy: Strategy,
) -> (HashMap<Option<usize>, Aliases>, Vec<Vec<FoundError>>) {
    let default_names = CrateNames::default();
    let names_of =
        |krate: Option<usize>| krate.and_then(|k| crates.get(k)).unwrap_or(&default_names);
    let mut aliases: HashMap<Option<usize>, Aliases> = HashMap::new();
    for &krate in krates {
        aliases
            .entry(krate)
            .or_insert_with(|| Aliases::new(names_of(krate)));
    }
    // (crate, the name its code gives a dependency, that dependency's crate) for the
    // dependencies that are crates of the scan, matched by package name.
    let mut links: Vec<(usize, String, usize)> = Vec::new();
    for (from, names) in crates.iter().enumerate() {
        for (name, package) in &names.dependencies {
            let to = crates
                .iter()
                .position(|c| c.package.as_deref() == Some(package.as_str()));
            if let Some(to) = to.filter(|&to| to != from) {
                links.push((from, name.clone(), to));
            }
        }
    }
    let mut searched: BTreeSet<String> = [REQUIRES, SQL, QUERY]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for a in aliases.values() {
        searched.extend(a.crate_names().map(str::to_string));
    }
    let mut file_bindings: Vec<Vec<Binding>> = vec![Vec::new(); states.len()];
    let mut pass_one_errors: Vec<Vec<FoundError>> = vec![Vec::new(); states.len()];
    let mut todo: Vec<usize> = (0..states.len()).collect();
    loop {
        let names = NameSet::new(searched.iter().map(String::as_str));
        let results = parallel(todo.len(), |k, limit| {
            let mut state = states[todo[k]].lock().unwrap_or_else(|p| p.into_inner());
            file::bindings(&mut state, &names, limit, strategy)
        });
        for (&i, (bindings, errors)) in todo.iter().zip(results) {
            file_bindings[i] = bindings;
            pass_one_errors[i] = errors;
        }
        let mut by_crate: HashMap<Option<usize>, Vec<Binding>> = HashMap::new();
        for (i, bindings) in file_bindings.iter().enumerate() {
            by_crate
                .entry(krates[i])
                .or_default()
                .extend(bindings.iter().cloned());
        }
        // Each crate's own names, then what its dependencies among the scanned crates export
        // (`pub use hc_schema_macro::hc_requires as needs;` in `reex` makes `reex::needs` the
        // macro in the crates depending on it), until nothing changes.
        loop {
            for (krate, bindings) in &by_crate {
                if let Some(a) = aliases.get_mut(krate) {
                    a.learn(bindings);
                }
            }
            let mut changed = false;
            for &(from, ref name, to) in &links {
                let Some(exports) = aliases.get(&Some(to)).map(Aliases::exports) else {
                    continue;
                };
                if let Some(a) = aliases.get_mut(&Some(from)) {
                    changed |= a.link(name, &exports);
                }
            }
            if !changed {
                break;
            }
        }
        let known: BTreeSet<String> = aliases
            .values()
            .flat_map(|a| {
                a.crate_names()
                    .chain(a.macro_aliases())
                    .chain(a.external_names())
            })
            .map(str::to_string)
            .collect();
        let new: Vec<String> = known.difference(&searched).cloned().collect();
        if new.is_empty() {
            break;
        }
        searched.extend(new.iter().cloned());
        let new_names = NameSet::new(new.iter().map(String::as_str));
        let mentions = parallel(states.len(), |i, _| {
            let mut state = states[i].lock().unwrap_or_else(|p| p.into_inner());
            !state.hits(&new_names).is_empty()
        });
        todo = (0..states.len()).filter(|&i| mentions[i]).collect();
    }

    (aliases, pass_one_errors)
}

/// Append one file's results (its indices shifted to the scan's).
fn merge(scan: &mut Scan, display: &str, result: FileScan, pass_one: Vec<FoundError>) {
    let annotations_base = scan.annotations.len();
    let sql_base = scan.sql_macros.len();
    let FileScan { found, literals } = result;
    for annotation in found.annotations {
        let start = scan.usages.len();
        scan.usages.extend(annotation.usages);
        scan.annotations.push(AnnotationSite {
            file: display.to_string(),
            position: annotation.position,
            item: annotation.item,
            conditional: annotation.conditional,
            usages: start..scan.usages.len(),
            allowances: annotation.allowances,
        });
    }
    for sql in found.sql_macros {
        scan.sql_macros.push(SqlMacro {
            file: display.to_string(),
            position: sql.position,
            extent: sql.extent,
            argument: sql.argument,
            allowances: sql.allowances,
            query: sql.query,
        });
    }
    for literal in literals {
        scan.sql_literals.push(SqlLiteral {
            file: display.to_string(),
            literal: literal.candidate.literal,
            container: literal.candidate.container,
            annotations: literal
                .annotations
                .into_iter()
                .map(|i| i + annotations_base)
                .collect(),
            hc_sql: literal.hc_sql.map(|i| i + sql_base),
            in_malformed_annotation: literal.in_malformed_annotation,
        });
    }
    for error in found.errors.into_iter().chain(pass_one) {
        scan.errors.push(SourceError::new(
            error.kind,
            display,
            error.position,
            error.message,
        ));
    }
}

/// A file's bytes as text, or the error naming it.
pub(crate) fn text_of(bytes: Vec<u8>, display: &str) -> Result<String, SourceError> {
    if bytes.len() >= u32::MAX as usize {
        return Err(SourceError::new(
            ErrorKind::Unreadable,
            display,
            Position { line: 1, column: 1 },
            "this file is 4 GiB or larger, more than the scan reads, so it is not checked",
        ));
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let position = LineIndex::new(prefix).position(prefix, valid);
        SourceError::new(
            ErrorKind::Unreadable,
            display,
            position,
            format!(
                "this file is not valid UTF-8 (byte 0x{:02x}), so it is not checked; rustc \
                 rejects it too: save it as UTF-8",
                bytes[valid]
            ),
        )
    })
}
