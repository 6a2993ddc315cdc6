//! The scan's walk of the file system: module files and directories reached through symbolic
//! links are read (a link cycle once), and whatever cannot be read (a directory without
//! permission, a broken link, a pipe, a file that is not UTF-8) is an error naming it.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use hc_schema_snapshot::scan::{scan, ErrorKind, Scan};

use crate::scan_support;
use scan_support::Rng;

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn tables(scan: &Scan) -> Vec<(String, String)> {
    scan.usages
        .iter()
        .map(|u| (u.file.clone(), u.table.name.clone()))
        .collect()
}

#[test]
fn module_files_and_directories_behind_symbolic_links_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "shared/db.rs",
        "#[hc_schema_macro::hc_requires(account(name))]\npub fn load() {}\n",
    );
    write(
        d,
        "shared_models/contact.rs",
        "#[hc_schema_macro::hc_requires(contact(email))]\npub struct Contact;\n",
    );
    write(d, "app/src/lib.rs", "mod db;\nmod models;\n");
    symlink(d.join("shared/db.rs"), d.join("app/src/db.rs")).unwrap();
    symlink(d.join("shared_models"), d.join("app/src/models")).unwrap();
    // A link back up: a cycle, read once.
    symlink(d.join("app"), d.join("app/src/models_again")).unwrap();
    let root = d.join("app");
    let scan = scan(&root, &root, &[]);
    assert!(scan.is_complete(), "{:?}", scan.errors);
    assert_eq!(
        tables(&scan),
        [
            ("src/db.rs".to_string(), "account".to_string()),
            ("src/models/contact.rs".to_string(), "contact".to_string()),
        ]
    );
}

#[test]
fn a_broken_link_a_pipe_and_a_file_that_is_not_utf8_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/ok.rs", "#[hc_requires(account(name))] fn f() {}\n");
    symlink(d.join("src/nowhere.rs"), d.join("src/gone.rs")).unwrap();
    symlink(d.join("src/missing_dir"), d.join("src/gone_dir")).unwrap();
    let pipe = std::ffi::CString::new(d.join("src/pipe.rs").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(pipe.as_ptr(), 0o644) }, 0);
    std::fs::write(d.join("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    let scan = scan(d, d, &[]);
    assert!(!scan.is_complete());
    let errors: Vec<(&str, ErrorKind, u32, u32)> = scan
        .errors
        .iter()
        .map(|e| (e.file.as_str(), e.kind, e.line, e.column))
        .collect();
    assert_eq!(
        errors,
        [
            ("src/gone.rs", ErrorKind::Unreadable, 1, 1),
            ("src/gone_dir", ErrorKind::Unreadable, 1, 1),
            ("src/latin1.rs", ErrorKind::Unreadable, 1, 7),
            ("src/pipe.rs", ErrorKind::Unreadable, 1, 1),
        ]
    );
    assert!(scan.errors[2]
        .message
        .contains("not valid UTF-8 (byte 0xe9)"));
    assert!(scan.errors[3].message.contains("not a regular file"));
    assert!(scan.errors.iter().all(|e| e.file_unparsed));
    assert_eq!(
        tables(&scan),
        [("src/ok.rs".to_string(), "account".to_string())]
    );
}

/// The environment variable that makes this test binary the unprivileged child that scans.
const CHILD: &str = "HC_SCHEMA_SCAN_UNREADABLE_CHILD";

#[test]
fn an_unreadable_directory_is_an_error_naming_it() {
    if let Some(root) = std::env::var_os(CHILD) {
        // The child: scan and print the errors.
        let root = Path::new(&root);
        let scan = scan(root, root, &[]);
        for e in &scan.errors {
            println!("ERROR {} {:?} {}", e.file, e.kind, e.message);
        }
        for u in &scan.usages {
            println!("USAGE {} {}", u.file, u.table.name);
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/lib.rs", "#[hc_requires(account(name))] fn f() {}\n");
    write(
        d,
        "src/secret/hidden.rs",
        "#[hc_requires(contact(email))] fn g() {}\n",
    );
    for path in [d.to_path_buf(), d.join("src")] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(d.join("src/secret"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads everything: run the scan as `nobody`, through setpriv, when root.
    let exe = std::env::current_exe().unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        // The test binary must be readable by nobody: copy it next to the tree.
        let copy = d.join("scan_fs_child");
        std::fs::copy(&exe, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(copy);
        c
    } else {
        std::process::Command::new(&exe)
    };
    command
        .args([
            "--exact",
            // The test's name in this binary: its module path without the crate's name.
            &format!(
                "{}::an_unreadable_directory_is_an_error_naming_it",
                module_path!().split_once("::").map_or("", |(_, path)| path)
            ),
            "--nocapture",
        ])
        .env(CHILD, d);
    let output = command
        .output()
        .expect("run the scan as an unprivileged user (setpriv, from util-linux, when root)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    std::fs::set_permissions(d.join("src/secret"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("ERROR src/secret Unreadable cannot read the directory (Permission denied"),
        "{stdout}"
    );
    assert!(stdout.contains("USAGE src/lib.rs account"), "{stdout}");
    assert!(!stdout.contains("contact"), "{stdout}");
}

/// Issue 19 (4): a path dependency outside the workspace that uses the macros is compiled by
/// the app's build, so `check` of the workspace scans it (and its own path dependencies),
/// however it is declared; what `exclude` names and hc-schema's own packages are not.
#[test]
fn path_dependencies_outside_the_workspace_are_scanned() {
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let ws = top.join(rng.pick(&["ws", "repo/app"]));
        let shared = *rng.pick(&["shared/lib", "vendor/x/data-lib", "other_repo/crates/lib"]);
        let shared_dir = top.join(shared);
        let package = *rng.pick(&["data-lib", "lib", "db_core"]);
        // The path from ws (or ws/crates/app) to the dependency.
        let up = ws.strip_prefix(top).unwrap().components().count();
        let from_ws = format!("{}{shared}", "../".repeat(up));
        let key = if rng.chance(30) { "renamed" } else { package };
        let spec = |path: &str| {
            if key == package {
                format!("{{ path = \"{path}\" }}")
            } else {
                format!("{{ package = \"{package}\", path = \"{path}\" }}")
            }
        };
        let section = *rng.pick(&[
            "dependencies",
            "dev-dependencies",
            "build-dependencies",
            "target.'cfg(unix)'.dependencies",
        ]);
        // The app is the root package, or a member under crates/ (inheriting the entry from
        // [workspace.dependencies] or not).
        let layout = rng.below(3);
        let (app_dir, app_manifest) = match layout {
            0 => (
                ws.clone(),
                format!(
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[{section}]\n{key} = {}\n",
                    spec(&from_ws)
                ),
            ),
            1 => (
                ws.join("crates/app"),
                format!(
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[{section}]\n{key} = {}\n",
                    spec(&format!("../../{from_ws}"))
                ),
            ),
            _ => (
                ws.join("crates/app"),
                format!(
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[{section}]\n{key}.workspace = true\n"
                ),
            ),
        };
        let workspace = match layout {
            0 => "[workspace]\n".to_string(),
            1 => "[workspace]\nmembers = [\"crates/*\"]\n".to_string(),
            _ => format!(
                "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n{key} = {}\n",
                spec(&from_ws)
            ),
        };
        if layout == 0 {
            write(
                &app_dir,
                "Cargo.toml",
                &format!("{app_manifest}\n{workspace}"),
            );
        } else {
            write(&ws, "Cargo.toml", &workspace);
            write(&app_dir, "Cargo.toml", &app_manifest);
        }
        write(
            &app_dir,
            "src/main.rs",
            "#[hc_schema_macro::hc_requires(account(name))]\nfn main() {}\n",
        );
        // The dependency, with a path dependency of its own (transitively), and a path
        // dependency on a checkout of hc-schema (not scanned).
        let transitive = rng.chance(50);
        let mut manifest = format!(
            "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\n\n[dependencies]\n\
             hc-schema-macro = {{ path = \"../../hc/hc-schema-macro\" }}\n"
        );
        if transitive {
            manifest.push_str("deeper = { path = \"../deeper\" }\n");
            write(
                &shared_dir.join("../deeper"),
                "Cargo.toml",
                "[package]\nname = \"deeper\"\nversion = \"0.1.0\"\n",
            );
            write(
                &shared_dir.join("../deeper"),
                "src/lib.rs",
                "#[hc_schema_macro::hc_requires(lead(status))]\npub fn d() {}\n",
            );
        }
        write(&shared_dir, "Cargo.toml", &manifest);
        write(
            &shared_dir,
            "src/lib.rs",
            "mod db;\n#[hc_schema_macro::hc_requires(contact(bogus__c))]\npub fn f() {}\n",
        );
        write(
            &shared_dir,
            "src/db.rs",
            "#[hc_schema_macro::hc_requires(opportunity(amount))]\npub fn g() {}\n",
        );
        let hc = shared_dir.join("../../hc/hc-schema-macro");
        write(
            &hc,
            "Cargo.toml",
            "[package]\nname = \"hc-schema-macro\"\nversion = \"0.1.0\"\n",
        );
        write(
            &hc,
            "src/lib.rs",
            "#[hc_schema_macro::hc_requires(tool(internal))]\npub fn t() {}\n",
        );
        let context = format!("seed {seed}: {app_manifest}\n{workspace}");
        let found = scan(&ws, &ws, &[]);
        assert!(found.is_complete(), "{context}: {:?}", found.errors);
        let mut names: Vec<String> = found.usages.iter().map(|u| u.table.name.clone()).collect();
        names.sort();
        let mut expected = vec!["account", "contact", "opportunity"];
        if transitive {
            expected.push("lead");
        }
        expected.sort();
        assert_eq!(names, expected, "{context}");
        let shown = tables(&found);
        let lib = format!(
            "{}src/lib.rs",
            shared_dir
                .strip_prefix(top)
                .map(|p| { format!("{}{}/", "../".repeat(up), p.display()) })
                .unwrap()
        );
        assert!(
            shown.contains(&(lib.clone(), "contact".to_string())),
            "{context}: {lib} in {shown:?}"
        );
        // Excluded on purpose: not scanned, and no error.
        let found = scan(&ws, &ws, std::slice::from_ref(&shared_dir));
        assert!(found.is_complete(), "{context}: {:?}", found.errors);
        let names: Vec<&str> = found.usages.iter().map(|u| u.table.name.as_str()).collect();
        assert!(!names.contains(&"contact"), "{context}: {names:?}");
    }
}

/// A path dependency whose `Cargo.toml` cannot be read is an error naming it (exit 2), never
/// a silent skip.
#[test]
fn a_path_dependency_that_cannot_be_read_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    write(
        top,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\n[dependencies]\nlib = { path = \"../lib\" }\n",
    );
    write(top, "app/src/main.rs", "fn main() {}\n");
    write(top, "lib/Cargo.toml", "[package\nname = \"lib\"\n");
    write(
        top,
        "lib/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(name))]\nfn f() {}\n",
    );
    let root = top.join("app");
    let found = scan(&root, &root, &[]);
    assert!(!found.is_complete());
    assert!(
        found
            .errors
            .iter()
            .any(|e| e.file == "../lib/Cargo.toml" && e.kind == ErrorKind::Unreadable),
        "{:?}",
        found.errors
    );
}

/// Issue 19 (2): files reached through an `include!` renamed by `use` (also re-exported and
/// renamed again in another module) and through `#[path = $p] mod $m;` written by a
/// `macro_rules!` called with a literal (also defined in another file) are scanned wherever
/// they lie, and so are those of an `include!($p)` such a macro writes; a call whose file is
/// computed is "not scannable here" (exit 2), never silent.
#[test]
fn files_reached_through_include_aliases_and_path_macros_are_scanned_or_named() {
    // Where the reached file lies (relative to src/), outside what the walk reads.
    let places = [
        "../outside/gen.rs",
        "../.hidden/gen.rs",
        "../target/gen.rs",
        "gen.txt",
        "../../elsewhere/gen.rs",
    ];
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed);
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let root = top.join("app");
        let place = *rng.pick(&places);
        write(
            &root,
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
        );
        write(
            &root.join("src"),
            place,
            "#[hc_schema_macro::hc_requires(account(bogus__c))]\npub fn reached() {}\n",
        );
        let name = *rng.pick(&["inc", "r#pull", "grab_file"]);
        let bare = name.trim_start_matches("r#");
        let computed = rng.chance(20);
        let in_module = rng.chance(40);
        let (lib, module) = if rng.chance(50) {
            // include! renamed through `use`.
            let import = match rng.below(4) {
                0 => format!("use std::include as {name};\n"),
                1 => format!("use core::{{include as {name}}};\n"),
                2 => format!("pub(crate) use ::std::include as {name};\n"),
                _ => format!("use std::include as first;\nuse first as {name};\n"),
            };
            let argument = if computed {
                "concat!(env!(\"OUT_DIR\"), \"/gen.rs\")".to_string()
            } else {
                format!("{place:?}")
            };
            if in_module {
                // The alias re-exported by lib.rs and renamed again in a module file (whose
                // path is relative to src/ too: an `include!` is relative to its own file).
                (
                    format!(
                        "{}mod m;\n",
                        import
                            .replace("use ", "pub(crate) use ")
                            .replace("pub(crate) pub(crate)", "pub(crate)")
                    ),
                    Some(format!(
                        "use crate::{bare} as again;\nfn f() {{ again!({argument}); }}\n"
                    )),
                )
            } else {
                (format!("{import}{name}!({argument});\n"), None)
            }
        } else {
            // `#[path = $p] mod $m;` from a macro_rules! called with a literal.
            let rule = match rng.below(4) {
                0 => "($p:literal, $m:ident) => { #[path = $p] mod $m; };",
                1 => "($m:ident, $p:expr) => { #[cfg_attr(all(), path = $p)] pub mod $m; };",
                2 => "($p:literal) => { include!($p); };",
                _ => "($p:literal) => { #[allow(dead_code)] #[path = $p] mod generated; };",
            };
            let definition = format!("macro_rules! {name} {{ {rule} }}\n");
            let literal = if computed {
                "concat!(\"gen\", \".rs\")".to_string()
            } else {
                format!("{place:?}")
            };
            let call = if rule.starts_with("($p:literal, $m") {
                format!("{name}!({literal}, db);\n")
            } else if rule.starts_with("($m") {
                format!("{name}!(db, {literal});\n")
            } else {
                format!("{name}!({literal});\n")
            };
            if in_module {
                // Defined in a module file, used in lib.rs after `#[macro_use] mod`.
                (format!("#[macro_use]\nmod defs;\n{call}"), Some(definition))
            } else {
                (format!("{definition}{call}"), None)
            }
        };
        write(&root, "src/lib.rs", &lib);
        if let Some(module) = &module {
            let file = if lib.contains("mod defs;") {
                "src/defs.rs"
            } else {
                "src/m.rs"
            };
            write(&root, file, module);
        }
        let context = format!("seed {seed}: place {place}\nlib.rs:\n{lib}\nmodule:\n{module:?}");
        let found = scan(&root, &root, &[]);
        if computed {
            assert!(!found.is_complete(), "{context}");
            assert!(
                found
                    .errors
                    .iter()
                    .any(|e| e.kind == ErrorKind::NotScannable
                        && e.message.starts_with("not scannable here")),
                "{context}: {:?}",
                found.errors
            );
            continue;
        }
        assert!(found.is_complete(), "{context}: {:?}", found.errors);
        let names: Vec<&str> = found.usages.iter().map(|u| u.table.name.as_str()).collect();
        assert_eq!(names, ["account"], "{context}");
    }
}
