//! Whether a macro call was written in a source file, where `hc-schema check` can read it.
//!
//! `check` reads source files; it cannot expand macros. An `#[hc_requires]` or `hc_sql!` that
//! another macro produced (a proc macro building it from its own tokens, a `macro_rules!` of a
//! crate outside the workspace) is enforced by the build but invisible to `check`, so "the build
//! passes and `check` passes" would not mean everything was checked. The mechanism: the first
//! argument token of the call (an annotation's table, `hc_sql!`'s literal) must read, in the
//! source text of its own span, as the token itself (a token a proc macro made carries the span
//! of that macro's call site, whose text is that call), and must not come from a file under
//! `CARGO_HOME` (a dependency's `macro_rules!`). `[check] macro_generated = "allow"` accepts such
//! calls on purpose. Where the compiler cannot tell (no source text, as in some editors'
//! proc-macro servers), nothing is reported: the build itself still checks the requirement.
//!
//! Out of reach, documented: a proc macro that forwards the user's own tokens into the
//! annotation it writes (`my_macro!(account(name))` → `#[hc_requires(account(name))]`) keeps
//! their spans; `check` then sees `my_macro!`, not the annotation.

use std::path::{Path, PathBuf};

use hc_schema_snapshot::config::MacroGenerated;
use proc_macro::TokenTree;

/// The error for a call whose first argument token is `first`, when it was not written where
/// `check` reads it and the setting does not allow that; `what` names the macro (`#[hc_requires]`,
/// `hc_sql!`).
pub fn unseen(first: &TokenTree, what: &str, setting: MacroGenerated) -> Option<syn::Error> {
    if setting == MacroGenerated::Allow {
        return None;
    }
    let span = first.span();
    let written = span.source_text()?;
    let why = if written != first.to_string() {
        "another macro produced it (its tokens are not written in a source file)".to_string()
    } else {
        let file = span.local_file()?;
        if !under_cargo_home(&file) {
            return None;
        }
        format!(
            "it comes from a macro of a dependency outside the workspace ({})",
            file.display()
        )
    };
    Some(syn::Error::new(
        proc_macro2::Span::from(span),
        format!(
            "this {what} cannot be seen by `hc-schema check`: {why}, and `check` reads source \
             files without expanding macros, so CI would pass without checking it; write the \
             {what} in the crate's own source, or set `macro_generated = \"allow\"` under \
             [check] in hc-schema.toml to accept it on purpose (the build and the release phase \
             still check it; `check` does not)"
        ),
    ))
}

/// Whether `file` is under cargo's home (registry and git checkouts of dependencies).
fn under_cargo_home(file: &Path) -> bool {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    home.is_some_and(|home| {
        file.starts_with(&home)
            || std::fs::canonicalize(file)
                .ok()
                .zip(std::fs::canonicalize(&home).ok())
                .is_some_and(|(file, home)| file.starts_with(home))
    })
}
