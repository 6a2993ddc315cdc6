//! `<env>-snapshot` features that do not reach the annotations (issue 19, 5).
//!
//! `cargo build --features prod-snapshot` in a binary that declares `prod-snapshot = []`
//! while a library it depends on holds the annotations checks the library against whatever
//! the library's own selection says (test, say) and passes: the feature never reached it.
//! The build cannot see that (each crate's build script sees only its own features), but every
//! `Cargo.toml` is here: a package that declares `<env>-snapshot` and depends on a crate that
//! consumes it, without forwarding it, is an error naming the manifest, the feature and the
//! line that fixes it.
//!
//! A crate *consumes* `<env>-snapshot` when it declares it and uses the macros (the scan found
//! an annotation or `hc_sql!` in it, or it depends on hc-schema-macro), or when it declares it
//! and depends on a crate that consumes it (a middle crate that forwards, or should). A crate
//! with annotations the scan found (or such crates behind it) that declares no such feature
//! *blocks* it: a package declaring the feature and depending on it is told to declare it there.

use super::cargo::{Manifest, MACRO_PACKAGE};
use super::model::{ErrorKind, Position, SourceError};

/// One package of the scan.
pub(crate) struct Package<'a> {
    /// Its manifest.
    pub manifest: &'a Manifest,
    /// Its workspace root's manifest, for `{ workspace = true }` entries.
    pub workspace: Option<&'a Manifest>,
    /// Its `Cargo.toml` as shown to users.
    pub display: String,
    /// The scan found an annotation or `hc_sql!` call in its files.
    pub annotated: bool,
}

/// The environment of a feature named `<env>-snapshot`.
fn snapshot_env(feature: &str) -> Option<&str> {
    feature
        .strip_suffix("-snapshot")
        .filter(|env| crate::names::is_env_name(env))
}

/// The errors for the `<env>-snapshot` features of `packages` that do not reach a
/// dependency consuming them.
pub(crate) fn unforwarded(packages: &[Package<'_>]) -> Vec<SourceError> {
    // Each package's normal dependencies that are packages of the scan: (key, index).
    let edges: Vec<Vec<(String, usize)>> = packages
        .iter()
        .map(|package| {
            package
                .manifest
                .dependencies
                .iter()
                .filter(|d| d.normal)
                .filter_map(|d| {
                    let name = package.manifest.package_of(d, package.workspace);
                    let to = packages
                        .iter()
                        .position(|p| p.manifest.name.as_deref() == Some(name.as_str()))?;
                    Some((d.key.clone(), to))
                })
                .collect()
        })
        .collect();
    let uses_macros: Vec<bool> = packages
        .iter()
        .map(|p| {
            p.annotated
                || p.manifest
                    .dependencies
                    .iter()
                    .any(|d| p.manifest.package_of(d, p.workspace) == MACRO_PACKAGE)
        })
        .collect();
    let declares = |i: usize, feature: &str| {
        packages[i]
            .manifest
            .features
            .iter()
            .any(|f| f.name == feature)
    };
    let mut features: Vec<&str> = packages
        .iter()
        .flat_map(|p| p.manifest.features.iter().map(|f| f.name.as_str()))
        .filter(|f| snapshot_env(f).is_some())
        .collect();
    features.sort_unstable();
    features.dedup();

    let mut errors = Vec::new();
    for feature in features {
        // Which packages consume it: a fixpoint up the dependency edges.
        // Which packages consume it, and which declare no such feature while annotations
        // are behind them (`hidden`: the feature cannot get through them): a fixpoint up the
        // dependency edges.
        let mut consumes: Vec<bool> = (0..packages.len())
            .map(|i| declares(i, feature) && uses_macros[i])
            .collect();
        // Only annotations the scan found make a crate without the feature block it: a crate
        // that merely depends on hc-schema-macro may re-export it (`pub use ... as needs;`),
        // and then the macro runs in the crates that call it.
        let mut hidden: Vec<bool> = (0..packages.len())
            .map(|i| !declares(i, feature) && packages[i].annotated)
            .collect();
        loop {
            let mut changed = false;
            for i in 0..packages.len() {
                let behind = edges[i].iter().any(|&(_, to)| consumes[to] || hidden[to]);
                if !behind {
                    continue;
                }
                let flag = if declares(i, feature) {
                    &mut consumes[i]
                } else {
                    &mut hidden[i]
                };
                if !*flag {
                    *flag = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (i, package) in packages.iter().enumerate() {
            let Some(declared) = package.manifest.features.iter().find(|f| f.name == feature)
            else {
                continue;
            };
            let enabled = enabled_by(package.manifest, feature);
            let mut missing: Vec<&str> = Vec::new();
            for (key, to) in &edges[i] {
                if !consumes[*to] || missing.contains(&key.as_str()) {
                    continue;
                }
                let forwarded = [format!("{key}/{feature}"), format!("{key}?/{feature}")]
                    .iter()
                    .any(|f| enabled.contains(f));
                let always_on = package
                    .manifest
                    .dependencies
                    .iter()
                    .filter(|d| d.key == *key)
                    .any(|d| {
                        package
                            .manifest
                            .resolved(d, package.workspace)
                            .features
                            .iter()
                            .any(|f| f == feature)
                    });
                if !forwarded && !always_on {
                    missing.push(key);
                }
            }
            // Dependencies the feature cannot get through: they declare none.
            let mut blocked: Vec<(&str, usize)> = Vec::new();
            for (key, to) in &edges[i] {
                if hidden[*to] && !blocked.iter().any(|(k, _)| k == key) {
                    blocked.push((key, *to));
                }
            }
            for (key, to) in blocked {
                // The line that declares it there: forwarding it to what lies behind.
                let behind: Vec<String> = edges[to]
                    .iter()
                    .filter(|&&(_, next)| consumes[next] || hidden[next])
                    .map(|(k, _)| format!("\"{k}/{feature}\""))
                    .collect();
                let there = format!("{feature} = [{}]", behind.join(", "));
                let mut line: Vec<String> =
                    declared.enables.iter().map(|e| format!("{e:?}")).collect();
                let forward = format!("\"{key}/{feature}\"");
                if !line.contains(&forward) {
                    line.push(forward);
                }
                let here = format!("{feature} = [{}]", line.join(", "));
                errors.push(SourceError::new(
                    ErrorKind::FeatureNotForwarded,
                    &package.display,
                    Position {
                        line: declared.line,
                        column: 1,
                    },
                    format!(
                        "the feature `{feature}` cannot reach `{key}`, which {} hc-schema \
                         annotations and declares no `{feature}`: `cargo build --features \
                         {feature}` checks them against the environment their build selects \
                         on its own and passes; declare it in {}: {there}, and forward it \
                         here: {here}",
                        if packages[to].annotated {
                            "holds"
                        } else {
                            "depends on crates holding"
                        },
                        packages[to].display,
                    ),
                ));
            }
            if missing.is_empty() {
                continue;
            }
            let mut line: Vec<String> = declared.enables.iter().map(|e| format!("{e:?}")).collect();
            line.extend(missing.iter().map(|key| format!("\"{key}/{feature}\"")));
            let fix = format!("{feature} = [{}]", line.join(", "));
            let names = missing
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let env = snapshot_env(feature).unwrap_or(feature);
            errors.push(SourceError::new(
                ErrorKind::FeatureNotForwarded,
                &package.display,
                Position {
                    line: declared.line,
                    column: 1,
                },
                format!(
                    "the feature `{feature}` is not forwarded to {names}, which hold{} \
                     hc-schema annotations (or forward{} it to crates that do): `cargo build \
                     --features {feature}` checks {} against the environment {} selects on {}, \
                     not against {env}, and passes; forward it: {fix}",
                    if missing.len() == 1 { "s" } else { "" },
                    if missing.len() == 1 { "s" } else { "" },
                    if missing.len() == 1 { "it" } else { "them" },
                    if missing.len() == 1 {
                        "its build"
                    } else {
                        "their builds"
                    },
                    if missing.len() == 1 {
                        "its own"
                    } else {
                        "their own"
                    },
                ),
            ));
        }
    }
    errors
}

/// Everything `feature` of `manifest` enables, through the package's own features
/// (`prod-snapshot = ["snap"]`, `snap = ["lib/prod-snapshot"]`).
fn enabled_by(manifest: &Manifest, feature: &str) -> Vec<String> {
    let mut seen: Vec<String> = vec![feature.to_string()];
    let mut out = Vec::new();
    let mut todo = vec![feature.to_string()];
    while let Some(name) = todo.pop() {
        let Some(declared) = manifest.features.iter().find(|f| f.name == name) else {
            continue;
        };
        for enable in &declared.enables {
            out.push(enable.clone());
            if !enable.contains('/') && !enable.starts_with("dep:") && !seen.contains(enable) {
                seen.push(enable.clone());
                todo.push(enable.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(text, Path::new("/p"), "Cargo.toml").unwrap()
    }

    #[test]
    fn a_binary_that_does_not_forward_is_told_the_line() {
        let app = manifest(
            "[package]\nname = \"app\"\n\n[features]\ntest-snapshot = [\"lib/test-snapshot\"]\nprod-snapshot = []\n\n[dependencies]\nlib = { path = \"../lib\" }\n",
        );
        let lib = manifest(
            "[package]\nname = \"lib\"\n[features]\nprod-snapshot = []\ntest-snapshot = []\n",
        );
        let packages = [
            Package {
                manifest: &app,
                workspace: None,
                display: "app/Cargo.toml".into(),
                annotated: false,
            },
            Package {
                manifest: &lib,
                workspace: None,
                display: "lib/Cargo.toml".into(),
                annotated: true,
            },
        ];
        let errors = unforwarded(&packages);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            (errors[0].file.as_str(), errors[0].line),
            ("app/Cargo.toml", 6)
        );
        assert_eq!(errors[0].kind, ErrorKind::FeatureNotForwarded);
        assert!(
            errors[0]
                .message
                .ends_with("forward it: prod-snapshot = [\"lib/prod-snapshot\"]"),
            "{}",
            errors[0].message
        );
        // Not annotated and not using the macros: nothing to forward to.
        let packages = [
            Package {
                manifest: &lib,
                workspace: None,
                display: "lib/Cargo.toml".into(),
                annotated: false,
            },
            Package {
                manifest: &app,
                workspace: None,
                display: "app/Cargo.toml".into(),
                annotated: false,
            },
        ];
        assert!(unforwarded(&packages).is_empty());
    }
}
