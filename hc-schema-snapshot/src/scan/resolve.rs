//! Which paths mean hc-schema's macros in a crate: the aliases its `use` and `extern crate`
//! declarations create (found by a fixpoint over re-export chains), and the resolution of a
//! written path (`hc_requires`, `db::needs`, `hcm::hc_sql`) against them.
//!
//! The model is by name, per crate, and errs towards finding:
//! - `hc_schema_macro` (or a `Cargo.toml` rename, or an alias from `use hc_schema_macro as
//!   hcm` / `extern crate hc_schema_macro as hcm`) names the macro crate; `crate::hcm` too.
//! - A name bound anywhere in the crate by a `use` whose target resolves to a macro is that
//!   macro under any local path (`needs`, `db::needs`, `crate::db::needs`): privacy and the
//!   exact module are not checked.
//! - A path that starts with another crate (a dependency in `Cargo.toml`, `std`, `core`, ...)
//!   or with `::` and no macro crate is not ours: `#[other_crate::hc_requires]`.
//! - A single name is ours when it is `hc_requires` / `hc_sql` or an alias, unless the
//!   enclosing scope binds it to something else (the caller checks scopes first).
//! - A path that starts with another crate *of the scan* (a workspace member or a path
//!   dependency: `reex::needs`, `::reex::hcm::hc_sql`) resolves in that crate by the same
//!   rules, as rustc follows `pub use` across crates: what a crate binds ([`Exports`]) is
//!   linked into the crates that depend on it, also through `use reex as r;`,
//!   `extern crate reex as r;` and `use reex::*;`, until nothing changes.

use std::collections::{BTreeMap, BTreeSet};

use super::cargo::CrateNames;

/// The attribute macro's name.
pub(crate) const REQUIRES: &str = "hc_requires";
/// The function-like macro's name.
pub(crate) const SQL: &str = "hc_sql";
/// The typed query macro: its first argument is SQL checked as `hc_sql!`'s.
pub(crate) const QUERY: &str = "hc_query";

/// Which of the two macros a name may be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Kinds {
    pub requires: bool,
    /// `hc_sql!` or `hc_query!`: a function-like macro whose first argument is checked SQL.
    pub sql: bool,
    /// `hc_query!` (a typed query: its arguments and struct count too).
    pub query: bool,
}

impl Kinds {
    fn of_real_name(name: &str) -> Kinds {
        Kinds {
            requires: name == REQUIRES,
            sql: name == SQL || name == QUERY,
            query: name == QUERY,
        }
    }

    fn any(self) -> bool {
        self.requires || self.sql
    }

    fn union(self, other: Kinds) -> Kinds {
        Kinds {
            requires: self.requires || other.requires,
            sql: self.sql || other.sql,
            query: self.query || other.query,
        }
    }
}

/// A path as written: its segments (raw identifiers without `r#`) and a leading `::`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PathText {
    pub leading_colon: bool,
    pub segments: Vec<String>,
}

impl PathText {
    /// From a syn path.
    pub(crate) fn of(path: &syn::Path) -> PathText {
        PathText {
            leading_colon: path.leading_colon.is_some(),
            segments: path
                .segments
                .iter()
                .map(|s| unraw(&s.ident.to_string()))
                .collect(),
        }
    }

    /// As written, segments joined with `::`.
    pub(crate) fn display(&self) -> String {
        let joined = self.segments.join("::");
        if self.leading_colon {
            format!("::{joined}")
        } else {
            joined
        }
    }
}

/// An identifier without its `r#`, in NFC as rustc compares identifiers (`e\u{301}` is `é`,
/// the Kelvin sign `\u{212A}` is `K`).
pub(crate) fn unraw(ident: &str) -> String {
    nfc(ident.strip_prefix("r#").unwrap_or(ident))
}

/// An identifier in NFC (ASCII as it is).
pub(crate) fn nfc(ident: &str) -> String {
    if ident.is_ascii() {
        return ident.to_string();
    }
    use unicode_normalization::UnicodeNormalization;
    ident.nfc().collect()
}

/// What a path resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Not hc-schema's.
    None,
    /// The macro crate itself.
    Crate,
    /// One (or, for an ambiguous alias, both) of the macros.
    Macro(Kinds),
}

impl Resolution {
    /// The macro kinds, if any.
    pub(crate) fn kinds(self) -> Kinds {
        match self {
            Resolution::Macro(kinds) => kinds,
            _ => Kinds::default(),
        }
    }
}

/// One name a `use` or `extern crate` declaration binds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Binding {
    /// What it refers to.
    pub path: PathText,
    /// The name it binds; `None` for a glob (`use path::*`).
    pub name: Option<String>,
}

/// What a crate of the scan makes reachable to the crates that depend on it: its names for
/// the macro crate and for the macros (by name, as inside the crate: privacy and modules are
/// not checked), with those of the crates it re-binds (`pub use other as o;`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Exports {
    crates: BTreeSet<String>,
    macros: BTreeMap<String, Kinds>,
}

impl Exports {
    /// Whether nothing of hc-schema's is reachable through it.
    pub(crate) fn is_empty(&self) -> bool {
        self.crates.is_empty() && self.macros.is_empty()
    }

    /// What `rest` (a path after this crate's name) means.
    fn resolve(&self, rest: &[String]) -> Resolution {
        for (i, segment) in rest.iter().enumerate().rev() {
            if self.crates.contains(segment) {
                return match &rest[i + 1..] {
                    [] => Resolution::Crate,
                    [name] if Kinds::of_real_name(name).any() => {
                        Resolution::Macro(Kinds::of_real_name(name))
                    }
                    _ => Resolution::None,
                };
            }
        }
        match rest.last().and_then(|name| self.macros.get(name)) {
            Some(kinds) => Resolution::Macro(*kinds),
            None => Resolution::None,
        }
    }

    fn merge(&mut self, other: &Exports) -> bool {
        let before = (self.crates.len(), self.macros.clone());
        self.crates.extend(other.crates.iter().cloned());
        for (name, kinds) in &other.macros {
            let entry = self.macros.entry(name.clone()).or_default();
            *entry = entry.union(*kinds);
        }
        before != (self.crates.len(), self.macros.clone())
    }
}

/// A crate's names for the macro crate and the macros.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Aliases {
    crates: BTreeSet<String>,
    macros: BTreeMap<String, Kinds>,
    foreign: BTreeSet<String>,
    /// The names under which other crates of the scan are reachable (dependencies, and the
    /// names `use`/`extern crate` bind to them), with what each exports.
    external: BTreeMap<String, Exports>,
    /// The names of `external` that this crate's own `use`/`extern crate` bound (re-exported
    /// with the crate when they are `pub`), each with the dependency it names.
    rebound: BTreeMap<String, String>,
}

impl Aliases {
    /// Start from what `Cargo.toml` says.
    pub(crate) fn new(names: &CrateNames) -> Aliases {
        Aliases {
            crates: names.macro_crates.iter().cloned().collect(),
            macros: BTreeMap::new(),
            foreign: names
                .foreign
                .iter()
                .filter(|n| !names.macro_crates.contains(n))
                .cloned()
                .collect(),
            external: BTreeMap::new(),
            rebound: BTreeMap::new(),
        }
    }

    /// Link the dependency this crate's code calls `name` (another crate of the scan) with
    /// what it exports; whether anything changed.
    pub(crate) fn link(&mut self, name: &str, exports: &Exports) -> bool {
        if exports.is_empty() && !self.external.contains_key(name) {
            return false;
        }
        let changed = self
            .external
            .entry(name.to_string())
            .or_default()
            .merge(exports);
        if changed {
            // The names bound to this dependency see the same.
            let aliases: Vec<String> = self
                .rebound
                .iter()
                .filter(|(alias, origin)| origin.as_str() == name && alias.as_str() != name)
                .map(|(alias, _)| alias.clone())
                .collect();
            for alias in aliases {
                if let Some(entry) = self.external.get_mut(&alias) {
                    entry.merge(exports);
                }
            }
        }
        changed
    }

    /// What this crate makes reachable to the crates that depend on it.
    pub(crate) fn exports(&self) -> Exports {
        let mut exports = Exports {
            crates: self.crates.clone(),
            macros: self.macros.clone(),
        };
        for name in self.rebound.keys() {
            if let Some(external) = self.external.get(name) {
                exports.merge(external);
            }
        }
        exports
    }

    /// The names of the crates of the scan this crate reaches hc-schema's macros through.
    pub(crate) fn external_names(&self) -> impl Iterator<Item = &str> {
        self.external
            .iter()
            .filter(|(_, e)| !e.is_empty())
            .map(|(name, _)| name.as_str())
    }

    /// The crate of the scan that `path` starts with (`reex::...`, `::reex::...`), and what
    /// it exports.
    fn external_of(&self, path: &PathText) -> Option<&Exports> {
        self.external.get(path.segments.first()?)
    }

    /// Add what `bindings` make of the names known so far, until nothing changes (an alias of
    /// an alias of a re-export...).
    pub(crate) fn learn(&mut self, bindings: &[Binding]) {
        loop {
            let mut changed = false;
            for binding in bindings {
                if let Some(exports) = self.external_of(&binding.path).cloned() {
                    match &binding.name {
                        // `use reex as r;`, `extern crate reex as r;`, `use reex::{self as r}`.
                        Some(name) if binding.path.segments.len() == 1 && name != "_" => {
                            let first = &binding.path.segments[0];
                            let origin = self.rebound.get(first).unwrap_or(first).clone();
                            // The first binding of a name wins (monotone: the fixpoint ends).
                            if !self.rebound.contains_key(name) {
                                self.rebound.insert(name.clone(), origin);
                                changed = true;
                            }
                            changed |= self
                                .external
                                .entry(name.clone())
                                .or_default()
                                .merge(&exports);
                            continue;
                        }
                        // `use reex::*;` (or a glob of one of its modules): its names, here.
                        None => {
                            let mut mine = Exports {
                                crates: std::mem::take(&mut self.crates),
                                macros: std::mem::take(&mut self.macros),
                            };
                            changed |= mine.merge(&exports);
                            self.crates = mine.crates;
                            self.macros = mine.macros;
                            continue;
                        }
                        _ => {}
                    }
                }
                match (self.resolve(&binding.path), &binding.name) {
                    (Resolution::Crate, None) => {
                        for name in [REQUIRES, SQL, QUERY] {
                            changed |= self.add_macro(name, Kinds::of_real_name(name));
                        }
                    }
                    (Resolution::Crate, Some(name)) if name != "_" => {
                        changed |= self.crates.insert(name.clone());
                    }
                    (Resolution::Macro(kinds), Some(name)) if name != "_" => {
                        changed |= self.add_macro(name, kinds);
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn add_macro(&mut self, name: &str, kinds: Kinds) -> bool {
        let entry = self.macros.entry(name.to_string()).or_default();
        let merged = entry.union(kinds);
        let changed = merged != *entry;
        *entry = merged;
        changed
    }

    /// What `path` means in this crate (a single name: see [`Aliases::bare`]).
    pub(crate) fn resolve(&self, path: &PathText) -> Resolution {
        let segments = &path.segments;
        if segments.is_empty() {
            return Resolution::None;
        }
        // A path into another crate of the scan: resolved there.
        if let Some(exports) = self.external_of(path) {
            return exports.resolve(&segments[1..]);
        }
        // A path through the macro crate: `hc_schema_macro::hc_requires`, `crate::hcm`.
        for (i, segment) in segments.iter().enumerate().rev() {
            if self.crates.contains(segment) && self.is_local_prefix(&segments[..i], path) {
                return match &segments[i + 1..] {
                    [] => Resolution::Crate,
                    [name] if Kinds::of_real_name(name).any() => {
                        Resolution::Macro(Kinds::of_real_name(name))
                    }
                    _ => Resolution::None,
                };
            }
        }
        if path.leading_colon {
            return Resolution::None;
        }
        if segments.len() == 1 {
            return self.bare(&segments[0]);
        }
        if self.foreign.contains(&segments[0]) {
            return Resolution::None;
        }
        match self.macros.get(&segments[segments.len() - 1]) {
            Some(kinds) => Resolution::Macro(*kinds),
            None => Resolution::None,
        }
    }

    /// What `path` means where `lookup` finds the explicit bindings in scope of a single name
    /// (the enclosing blocks up to the module; `None`: not bound there).
    pub(crate) fn resolve_in_scope<'b>(
        &self,
        path: &PathText,
        lookup: impl FnOnce(&str) -> Option<&'b Binding>,
    ) -> Resolution {
        if path.segments.len() != 1 || path.leading_colon {
            return self.resolve(path);
        }
        match lookup(&path.segments[0]) {
            Some(binding) => {
                let target = &binding.path;
                if target.segments.len() == 1 && !target.leading_colon {
                    self.bare(&target.segments[0])
                } else {
                    self.resolve(target)
                }
            }
            None => self.bare(&path.segments[0]),
        }
    }

    /// A prefix that stays in this crate: empty, or not starting at another crate.
    fn is_local_prefix(&self, prefix: &[String], path: &PathText) -> bool {
        match prefix.first() {
            None => true,
            Some(first) => !path.leading_colon && !self.foreign.contains(first),
        }
    }

    /// A single name with no binding of its own in scope: a macro's own name, or an alias.
    pub(crate) fn bare(&self, name: &str) -> Resolution {
        let kinds =
            Kinds::of_real_name(name).union(self.macros.get(name).copied().unwrap_or_default());
        if kinds.any() {
            Resolution::Macro(kinds)
        } else {
            Resolution::None
        }
    }

    /// The aliases of the macros (names other than `hc_requires` / `hc_sql`).
    pub(crate) fn macro_aliases(&self) -> impl Iterator<Item = &str> {
        self.macros.keys().map(String::as_str)
    }

    /// The names of the macro crate.
    pub(crate) fn crate_names(&self) -> impl Iterator<Item = &str> {
        self.crates.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> PathText {
        let leading_colon = text.starts_with("::");
        PathText {
            leading_colon,
            segments: text
                .trim_start_matches("::")
                .split("::")
                .map(str::to_string)
                .collect(),
        }
    }

    fn binding(target: &str, name: Option<&str>) -> Binding {
        Binding {
            path: path(target),
            name: name.map(str::to_string),
        }
    }

    fn crate_with(foreign: &[&str], bindings: &[Binding]) -> Aliases {
        let mut names = CrateNames::default();
        names.foreign.extend(foreign.iter().map(|s| s.to_string()));
        let mut aliases = Aliases::new(&names);
        aliases.learn(bindings);
        aliases
    }

    const REQ: Resolution = Resolution::Macro(Kinds {
        requires: true,
        sql: false,
        query: false,
    });
    const SQL_ONLY: Resolution = Resolution::Macro(Kinds {
        requires: false,
        sql: true,
        query: false,
    });

    #[test]
    fn full_paths_and_bare_names() {
        let aliases = crate_with(&["other_crate"], &[]);
        assert_eq!(aliases.resolve(&path("hc_schema_macro::hc_requires")), REQ);
        assert_eq!(
            aliases.resolve(&path("::hc_schema_macro::hc_sql")),
            SQL_ONLY
        );
        assert_eq!(aliases.resolve(&path("hc_requires")), REQ);
        assert_eq!(
            aliases.resolve(&path("other_crate::hc_requires")),
            Resolution::None
        );
        assert_eq!(aliases.resolve(&path("::x::hc_requires")), Resolution::None);
        assert_eq!(
            aliases.resolve(&path("hc_schema_macro::other")),
            Resolution::None
        );
        assert_eq!(aliases.resolve(&path("std::hc_requires")), Resolution::None);
    }

    #[test]
    fn aliases_and_re_export_chains_reach_a_fixpoint() {
        // Declared in an order that needs several rounds.
        let aliases = crate_with(
            &["other_crate"],
            &[
                binding("crate::db::needs", Some("again")),
                binding("self::hcm::hc_requires", Some("needs")),
                binding("hc_schema_macro", Some("hcm")),
                binding("hcm::hc_sql", Some("q")),
                binding("other_crate::thing", Some("unrelated")),
            ],
        );
        assert_eq!(aliases.resolve(&path("needs")), REQ);
        assert_eq!(aliases.resolve(&path("db::needs")), REQ);
        assert_eq!(aliases.resolve(&path("crate::db::again")), REQ);
        assert_eq!(aliases.resolve(&path("hcm::hc_requires")), REQ);
        assert_eq!(aliases.resolve(&path("crate::hcm::hc_sql")), SQL_ONLY);
        assert_eq!(aliases.resolve(&path("q")), SQL_ONLY);
        assert_eq!(aliases.resolve(&path("unrelated")), Resolution::None);
        assert_eq!(
            aliases.resolve(&path("other_crate::needs")),
            Resolution::None
        );
        let mut names: Vec<&str> = aliases.macro_aliases().collect();
        names.sort();
        assert_eq!(names, ["again", "needs", "q"]);
    }

    #[test]
    fn paths_into_other_crates_of_the_scan_resolve_there() {
        let reex = crate_with(
            &[],
            &[binding("hc_schema_macro::hc_requires", Some("needs"))],
        );
        let other = crate_with(&[], &[binding("hc_schema_macro", Some("hcm"))]);
        let mut app = crate_with(
            &["reex", "other", "plain"],
            &[
                binding("reex", Some("r")),
                binding("r", Some("rr")),
                binding("plain", Some("p")),
            ],
        );
        assert!(app.link("reex", &reex.exports()));
        assert!(app.link("other", &other.exports()));
        assert!(!app.link("plain", &Exports::default()));
        app.learn(&[
            binding("reex", Some("r")),
            binding("r", Some("rr")),
            binding("plain", Some("p")),
        ]);
        assert_eq!(app.resolve(&path("reex::needs")), REQ);
        assert_eq!(app.resolve(&path("::reex::needs")), REQ);
        assert_eq!(app.resolve(&path("r::needs")), REQ);
        assert_eq!(app.resolve(&path("rr::needs")), REQ);
        assert_eq!(app.resolve(&path("other::hcm::hc_sql")), SQL_ONLY);
        assert_eq!(app.resolve(&path("reex::hc_requires")), Resolution::None);
        assert_eq!(app.resolve(&path("other::needs")), Resolution::None);
        assert_eq!(app.resolve(&path("plain::needs")), Resolution::None);
        assert_eq!(app.resolve(&path("p::needs")), Resolution::None);
        // `r` names reex only: what `other` exports does not reach it.
        assert_eq!(app.resolve(&path("r::hcm::hc_sql")), Resolution::None);
        // A crate that re-binds reex exports what reex exports.
        assert_eq!(app.exports().resolve(&["r".into(), "needs".into()]), REQ);
    }

    #[test]
    fn a_glob_import_of_the_crate_brings_both_macros() {
        let aliases = crate_with(&[], &[binding("hc_schema_macro", None)]);
        assert_eq!(aliases.resolve(&path("db::hc_requires")), REQ);
        assert_eq!(aliases.resolve(&path("db::hc_sql")), SQL_ONLY);
    }
}
