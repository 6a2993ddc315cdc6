//! The scan's walk of the file system: module files and directories reached through symbolic
//! links are read (a link cycle once), and whatever cannot be read (a directory without
//! permission, a broken link, a pipe, a file that is not UTF-8) is an error naming it.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use hc_schema_snapshot::scan::{scan, ErrorKind, Scan};

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
            "an_unreadable_directory_is_an_error_naming_it",
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
