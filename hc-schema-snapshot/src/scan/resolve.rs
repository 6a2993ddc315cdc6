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
    pub sql: bool,
}

impl Kinds {
    fn of_real_name(name: &str) -> Kinds {
        Kinds {
            requires: name == REQUIRES,
            sql: name == SQL || name == QUERY,
        }
    }

    fn any(self) -> bool {
        self.requires || self.sql
    }

    fn union(self, other: Kinds) -> Kinds {
        Kinds {
            requires: self.requires || other.requires,
            sql: self.sql || other.sql,
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

/// A crate's names for the macro crate and the macros.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Aliases {
    crates: BTreeSet<String>,
    macros: BTreeMap<String, Kinds>,
    foreign: BTreeSet<String>,
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
        }
    }

    /// Add what `bindings` make of the names known so far, until nothing changes (an alias of
    /// an alias of a re-export...).
    pub(crate) fn learn(&mut self, bindings: &[Binding]) {
        loop {
            let mut changed = false;
            for binding in bindings {
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
    });
    const SQL_ONLY: Resolution = Resolution::Macro(Kinds {
        requires: false,
        sql: true,
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
    fn a_glob_import_of_the_crate_brings_both_macros() {
        let aliases = crate_with(&[], &[binding("hc_schema_macro", None)]);
        assert_eq!(aliases.resolve(&path("db::hc_requires")), REQ);
        assert_eq!(aliases.resolve(&path("db::hc_sql")), SQL_ONLY);
    }
}
