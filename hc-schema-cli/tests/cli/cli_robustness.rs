//! Input the CLI must survive and explain: odd snapshot files, bad names, no project, relative
//! paths, broken pipes, signals during a write, symlinked snapshots, incomplete scans.

use crate::common;

use std::path::Path;

use common::{hc, hc_env, workspace, write, PROD, TEST};

#[test]
fn snapshot_files_with_a_bom_duplicates_float_formats_and_conflicts() {
    let dir = workspace();
    let d = dir.path();
    // A byte order mark is accepted.
    write(d, "hc-schema/test.json", &format!("\u{feff}{TEST}"));
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // A table twice: an error with its position, never the last one silently.
    write(
        d,
        "hc-schema/prod.json",
        &PROD.replace(
            "\"account\": {\"object\": \"Account\", \"columns\": {\"name\": {\"field\": \"Name\"}}}",
            "\"account\": {\"object\": \"Account\", \"columns\": {\"name\": {\"field\": \"Name\"}}},\n  \"account\": {\"columns\": {}}",
        ),
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: hc-schema/prod.json:3:")
            && run.stderr.contains("duplicate table `account` in `tables`"),
        "{}",
        run.stderr
    );
    // `"format": 1.0`: say it must be the integer 1.
    write(
        d,
        "hc-schema/prod.json",
        &PROD.replace("\"format\": 1", "\"format\": 1.0"),
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("hc-schema/prod.json:1:2: malformed snapshot: `format` is 1.0; it must be the integer 1"),
        "{}",
        run.stderr
    );
    // A merge conflict is called one, with the line.
    write(
        d,
        "hc-schema/prod.json",
        "{\"format\": 1, \"environment\": \"prod\", \"schema\": \"salesforce\", \"tables\": {\n<<<<<<< HEAD\n  \"account\": {\"columns\": {\"name\": {}}}\n=======\n  \"account\": {\"columns\": {}}\n>>>>>>> other\n}}\n",
    );
    let run = hc(d, &["check", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: hc-schema/prod.json:2: unresolved git merge conflict"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hc-schema refresh prod"),
        "{}",
        run.stderr
    );
}

/// `cp hc-schema/test.json hc-schema/prod.json` must not make prod checks pass against
/// test's schema: an environment's file must say it is that environment's.
#[test]
fn a_copied_snapshot_is_not_taken_for_another_environment() {
    let dir = workspace();
    let d = dir.path();
    write(d, "hc-schema/prod.json", TEST);
    for args in [
        &["check", "--env", "prod"][..],
        &["diff", "test", "prod"][..],
        &["plan", "prod"][..],
    ] {
        let run = hc(d, args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                "hc-schema/prod.json is the snapshot of `test` (its \"environment\"), not of `prod`"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
    // A file given by path may hold any environment (a proposed snapshot, a fixture). (The
    // copy in the directory goes first: an unreadable snapshot of the directory fails the
    // drift rule, given file or not, as in the build.)
    std::fs::remove_file(d.join("hc-schema/prod.json")).unwrap();
    write(d, "proposed.json", TEST);
    let run = hc(d, &["check", "--snapshot", "proposed.json"]);
    assert_ne!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

#[test]
fn environment_names_are_validated_everywhere() {
    let dir = workspace();
    let d = dir.path();
    write(d, "x.json", "{\"mappings\": []}");
    for (args, env) in [
        (&["import", "/abs/x", "--from", "x.json"][..], vec![]),
        (&["import", "../escape", "--from", "x.json"], vec![]),
        (&["import", "", "--from", "x.json"], vec![]),
        (&["diff", "test", "../prod"], vec![]),
        (&["plan", "a b"], vec![]),
        (&["check", "--env", "test,../x"], vec![]),
        (&["check"], vec![("HC_SCHEMA_ENV", "test,/abs")]),
    ] {
        let run = hc_env(d, args, &env);
        assert_eq!(run.code, 2, "{args:?} {env:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not an environment name"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Nothing was written outside the snapshot directory.
    assert!(!d.join("escape.json").exists() && !Path::new("/abs/x.json").exists());
    assert!(!d.join("hc-schema/.json").exists());
    // default_envs are checked too.
    write(d, "hc-schema.toml", "default_envs = [\"../prod\"]\n");
    let run = hc(d, &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("default_envs in hc-schema.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn outside_a_project_says_what_is_missing_and_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/main.rs",
        "#[hc_requires(account(name))]\nfn main() {}\n",
    );
    let run = hc(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    let shown = dir.path().display().to_string();
    assert!(
        run.stderr.contains(&format!(
            "no snapshot to check against: no hc-schema.toml in {shown} or any parent directory, and the default snapshot directory {shown}/hc-schema does not exist"
        )),
        "{}",
        run.stderr
    );
    let run = hc_env(dir.path(), &["check"], &[("HC_SCHEMA_ENV", ",")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("HC_SCHEMA_ENV is `,`, which names no environment"),
        "{}",
        run.stderr
    );
    let run = hc(dir.path(), &["check", "--env", ","]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--env `,` names no environment"),
        "{}",
        run.stderr
    );
    // An environment named explicitly: the missing file and the missing directory.
    let run = hc(dir.path(), &["check", "--env", "prod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("snapshot hc-schema/prod.json does not exist")
            && run.stderr.contains("or any parent directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn relative_snapshot_paths_resolve_against_the_current_directory() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "proposed.json",
        &TEST.replace("\"environment\": \"test\"", "\"environment\": \"proposed\""),
    );
    // From app/, `../proposed.json` is the workspace's proposed.json (not one above the
    // directory of hc-schema.toml).
    let app = d.join("app");
    for run in [
        hc_env(
            &app,
            &["check"],
            &[("HC_SCHEMA_SNAPSHOT", "../proposed.json")],
        ),
        hc(&app, &["check", "--snapshot", "../proposed.json"]),
    ] {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    // An explicit --env wins over the variable.
    let run = hc_env(
        &app,
        &["check", "--env", "prod"],
        &[("HC_SCHEMA_SNAPSHOT", "../proposed.json")],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("against prod;"), "{}", run.stdout);
    // Errors show the path as given and where it was resolved.
    let run = hc_env(&app, &["check"], &[("HC_SCHEMA_SNAPSHOT", "proposed.json")]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: snapshot {} does not exist (HC_SCHEMA_SNAPSHOT `proposed.json`, resolved against the current directory {})\n",
            app.join("proposed.json").display(),
            app.display()
        )
    );
    // A malformed file named by path: no `hc-schema refresh proposed` (no such environment).
    write(d, "broken.json", "{\"format\": 1, \"environment\": ");
    let run = hc(&app, &["check", "--snapshot", "../broken.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("malformed snapshot"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("refresh broken") && run.stderr.contains("refresh <env>"),
        "{}",
        run.stderr
    );
}

#[test]
fn usages_after_an_incomplete_scan_never_says_unused() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "lib/src/broken.rs",
        "#[hc_requires(account(fax))]\nfn broken( {\n",
    );
    let run = hc(d, &["usages", "account.fax"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.starts_with(
            "cannot tell whether Account.Fax (column account.fax) is safe to unmap: not every \
             source could be read, and no use was found in those that could\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("the result is incomplete"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("lib/src/broken.rs"), "{}", run.stderr);
    let run = hc(d, &["usages", "account.fax", "--format", "json"]);
    assert_eq!(run.code, 2);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["complete"], false);
}

#[test]
fn sites_sort_by_file_then_line_and_column_as_numbers() {
    let dir = workspace();
    let d = dir.path();
    let mut text = String::new();
    for line in 1..=40 {
        text.push_str(match line {
            5 | 15 | 39 => "#[hc_requires(account(name))] fn f() {}\n",
            _ => "\n",
        });
    }
    write(d, "lib/src/contacts.rs", &text);
    let run = hc(d, &["usages", "account.name"]);
    assert_eq!(run.code, 1, "used: not safe to unmap");
    assert_eq!(
        run.stdout,
        "not safe to unmap Account.Name (column account.name): used at 5 sites\n\
         Account.Name (column account.name) is read at 5 sites:\n  app/src/main.rs:3:23\n  lib/src/contacts.rs:5:23\n  lib/src/contacts.rs:15:23\n  lib/src/contacts.rs:39:23\n  lib/src/lib.rs:1:66\nmapped in: prod, test\nnot mapped in: -\n"
    );
    let run = hc(d, &["requirements"]);
    assert!(
        run.stdout.contains("  name  (read at app/src/main.rs:3:23, lib/src/contacts.rs:5:23, lib/src/contacts.rs:15:23, lib/src/contacts.rs:39:23, lib/src/lib.rs:1:66)"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = workspace();
    let d = dir.path();
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "#[hc_requires(account(column_{i}))] fn f{i}() {{}}\n"
        ));
    }
    write(d, "lib/src/many.rs", &text);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hc-schema"))
        .current_dir(d)
        .args(["requirements"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| head -0`: the reader is gone before the first line
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        status.signal() == Some(libc::SIGPIPE) || status.code() == Some(0),
        "{status:?}"
    );
}

#[cfg(unix)]
mod fifo {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;
    use std::process::Child;
    use std::time::{Duration, Instant};

    pub fn make(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    fn check_alive(child: &mut Child, start: Instant) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("hc-schema ended early: {status}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out");
        std::thread::sleep(Duration::from_millis(5));
    }

    /// Open a FIFO for writing once the child has opened it for reading, then write `bytes`.
    pub fn feed(path: &Path, bytes: &[u8], child: &mut Child) {
        let start = Instant::now();
        let mut file = loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)
            {
                Ok(file) => break file,
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => check_alive(child, start),
                Err(e) => panic!("{e}"),
            }
        };
        blocking(&file);
        file.write_all(bytes).unwrap();
    }

    /// Open a FIFO for reading and wait for the child's first bytes.
    pub fn first_bytes(path: &Path, child: &mut Child) -> File {
        let start = Instant::now();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .unwrap();
        let mut buf = [0u8; 1024];
        loop {
            match file.read(&mut buf) {
                Ok(n) if n > 0 => return file,
                Ok(_) => check_alive(child, start),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => check_alive(child, start),
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn blocking(file: &File) {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
}

/// SIGTERM while a file is being written: the temporary file goes, the target is untouched,
/// and the process still dies of SIGTERM. Deterministic: the temporary file is a FIFO that
/// the test reads a little of, so the write blocks half done.
#[cfg(unix)]
#[test]
fn sigterm_during_a_write_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = workspace();
    let d = dir.path();
    std::fs::create_dir(d.join("out")).unwrap();
    let mut export = String::from("{\n  \"mappings\": [\n");
    for i in 0..900 {
        let fields: Vec<String> = (0..60).map(|f| format!("\"Field_{f}__c\": {{}}")).collect();
        export.push_str(&format!(
            "    {{\"object_name\": \"Object_{i}__c\", \"config\": {{\"access\": \"read_only\", \"fields\": {{{}}}}}}},\n",
            fields.join(", ")
        ));
    }
    export.push_str("    {\"object_name\": \"Account\", \"config\": {\"fields\": {\"Id\": {}, \"Name\": {}}}}\n  ]\n}\n");
    assert!(export.len() > 1_000_000, "larger than any pipe buffer");
    // prod's snapshot is this export's (`plan --export` refuses an export whose mappings
    // are not the environment's).
    write(d, "export.json", &export);
    let run = hc(d, &["import", "prod", "--from", "export.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let input = d.join("export.fifo");
    fifo::make(&input);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hc-schema"))
        .current_dir(d)
        .args([
            "plan",
            "prod",
            "--export",
            "export.fifo",
            "--out",
            "out/new.json",
        ])
        .env_remove("HC_SCHEMA_ENV")
        .env_remove("HC_SCHEMA_SNAPSHOT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tmp = d
        .join("out")
        .join(format!(".new.json.{}.hc-schema-tmp", child.id()));
    fifo::make(&tmp);
    fifo::feed(&input, export.as_bytes(), &mut child);
    let reader = fifo::first_bytes(&tmp, &mut child);
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    drop(reader);
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(!tmp.exists(), "the temporary file is left behind");
    assert!(!d.join("out/new.json").exists());
}

/// A temporary file left by a process that was killed outright (SIGKILL) is removed by the
/// next write into the directory, and never taken for an environment.
#[cfg(unix)]
#[test]
fn stale_temporary_files_are_cleaned_and_never_environments() {
    let dir = workspace();
    let d = dir.path();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = d.join(format!("hc-schema/.prod.json.{dead}.hc-schema-tmp"));
    std::fs::write(&stale, "{\"format\": 1, \"environment\": \"half").unwrap();
    let run = hc(d, &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let envs: Vec<&str> = json["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["env"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["prod", "test"]);
    write(
        d,
        "export.json",
        r#"{"mappings": [{"object_name": "Account", "config": {"fields": {"Id": {}, "Name": {}}}}]}"#,
    );
    let run = hc(d, &["import", "staging", "--from", "export.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!stale.exists(), "the stale temporary file is still there");
}

/// A snapshot that is a symbolic link is written through the link.
#[cfg(unix)]
#[test]
fn symlinked_snapshots_are_written_through() {
    let dir = workspace();
    let d = dir.path();
    write(d, "shared/prod.json", PROD);
    std::fs::remove_file(d.join("hc-schema/prod.json")).unwrap();
    std::os::unix::fs::symlink("../shared/prod.json", d.join("hc-schema/prod.json")).unwrap();
    write(
        d,
        "export.json",
        r#"{"mappings": [{"object_name": "Account", "config": {"fields": {"Id": {}, "Name": {}, "Fax": {}}}}]}"#,
    );
    let run = hc(d, &["import", "prod", "--from", "export.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = std::fs::symlink_metadata(d.join("hc-schema/prod.json")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let text = std::fs::read_to_string(d.join("shared/prod.json")).unwrap();
    assert!(text.contains("\"fax\""), "{text}");
}

/// `hc` that fails the test instead of waiting forever.
fn hc_within(dir: &Path, args: &[&str]) -> hc_schema_tests::cli::Run {
    let (send, receive) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let _ = send.send(hc(&dir, &args));
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("hc-schema blocked")
}

/// A FIFO among the sources or as a snapshot, and a device as an export, are errors naming
/// them: never a wait for a writer, never an endless read.
#[cfg(unix)]
#[test]
fn pipes_and_devices_are_refused_not_read() {
    let dir = workspace();
    let d = dir.path();
    fifo::make(&d.join("app/src/x.rs"));
    let run = hc_within(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("app/src/x.rs") && all.contains("not a regular file"),
        "{all}"
    );
    std::fs::remove_file(d.join("app/src/x.rs")).unwrap();
    fifo::make(&d.join("snap.json"));
    let run = hc_within(d, &["check", "--snapshot", "snap.json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let run = hc_within(d, &["import", "test", "--from", "/dev/zero"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

/// What cargo compiles, the scan reads: `#[path]` targets anywhere (outside the project, other
/// extensions, hidden and `target` directories), `include!`d files, workspace members outside
/// the root; an `include!` it cannot follow makes the scan incomplete.
#[test]
fn the_scan_reads_what_cargo_compiles() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "outside.rs",
        "#[hc_schema_macro::hc_requires(account(bogus__c))] fn o() {}\n",
    );
    let abs = outside.path().join("outside.rs");
    let bad = "#[hc_schema_macro::hc_requires(account(bogus__c))] fn b() {}\n";
    let cases = [
        (
            format!("#[path = {:?}] mod o;", abs.to_str().unwrap()),
            None,
        ),
        (
            "#[path = \"x.txt\"] mod x;".to_string(),
            Some("app/src/x.txt"),
        ),
        (
            "#[path = \"../.hidden/h.rs\"] mod h;".to_string(),
            Some("app/.hidden/h.rs"),
        ),
        (
            "#[path = \"../target/t.rs\"] mod t;".to_string(),
            Some("app/target/t.rs"),
        ),
        ("mod target;".to_string(), Some("app/src/target/mod.rs")),
        ("include!(\"inc.in\");".to_string(), Some("app/src/inc.in")),
    ];
    for (decl, file) in cases {
        let dir = workspace();
        let d = dir.path();
        if let Some(file) = file {
            write(d, file, bad);
        }
        write(
            d,
            "app/src/main.rs",
            &format!("{decl}\n#[hc_schema_macro::hc_requires(account(name))]\nfn main() {{}}\n"),
        );
        let run = hc(d, &["check", "--env", "test"]);
        assert_eq!(run.code, 1, "{decl}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("bogus__c"), "{decl}: {}", run.stdout);
    }
    // A computed include! is named, and the scan is incomplete.
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "app/src/main.rs",
        "include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\nfn main() {}\n",
    );
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("the scan is incomplete") && run.stdout.contains("app/src/main.rs:1:1"),
        "{}",
        run.stdout
    );
}

#[test]
fn workspace_members_outside_the_root_are_scanned() {
    let top = tempfile::tempdir().unwrap();
    let t = top.path();
    write(
        t,
        "root/Cargo.toml",
        "[package]\nname = \"root\"\n[workspace]\nmembers = [\".\", \"../data\"]\n",
    );
    write(t, "root/hc-schema/test.json", common::TEST);
    write(
        t,
        "root/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(name))] fn f() {}\n",
    );
    write(
        t,
        "data/Cargo.toml",
        "[package]\nname = \"data\"\nworkspace = \"../root\"\n",
    );
    write(
        t,
        "data/src/lib.rs",
        "#[hc_schema_macro::hc_requires(account(bogus__c))] fn g() {}\n",
    );
    let root = t.join("root");
    let run = hc(&root, &["check", "--env", "test"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("../data/src/lib.rs:1:"),
        "{}",
        run.stdout
    );
    let run = hc(&root, &["usages", "account.bogus__c"]);
    assert!(
        run.stdout.contains("../data/src/lib.rs")
            && run
                .stdout
                .starts_with("not safe to unmap Account.Bogus__c (API name guessed)"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn a_root_package_renames_the_macro_through_its_own_workspace_dependencies() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"root\"\n[workspace]\nmembers = [\".\", \"app\", \"lib\"]\n\
         [workspace.dependencies]\nhcm = { package = \"hc-schema-macro\", path = \"m\" }\n\
         [dependencies]\nhcm = { workspace = true }\n",
    );
    write(
        d,
        "src/lib.rs",
        "#[hcm::hc_requires(account(bogus__c))] fn f() {}\n",
    );
    let run = hc(d, &["check", "--env", "test"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("bogus__c"), "{}", run.stdout);
}

#[test]
fn aliases_are_compared_in_nfc() {
    for (bound, used) in [("e\u{301}", "\u{e9}"), ("\u{212A}eep", "Keep")] {
        let dir = workspace();
        let d = dir.path();
        write(
            d,
            "app/src/main.rs",
            &format!(
                "use hc_schema_macro::hc_requires as {bound};\n#[{used}(account(bogus__c))]\nfn main() {{}}\n"
            ),
        );
        let run = hc(d, &["check", "--env", "test"]);
        assert_eq!(run.code, 1, "{bound:?}: {}{}", run.stdout, run.stderr);
    }
}

/// `database_url_env = "<a URL>"` (the URL where the variable's NAME belongs) is an error of
/// every command that reads the config, exit status 2, that never shows the value: each URL
/// shape, each command that connects, both formats.
#[test]
fn a_url_in_database_url_env_is_an_error_that_never_shows_it() {
    let dir = workspace();
    let d = dir.path();
    let secret = "Pw-0f-th3-Day";
    let shapes = [
        format!("postgres://u:{secret}@db.example.com:5432/d8abc"),
        format!("postgresql://u:{secret}@h/db?sslmode=require"),
        format!("host=h user=u password={secret} dbname=d"),
        format!("u:{secret}@h/db"),
    ];
    for shape in &shapes {
        write(
            d,
            "hc-schema.toml",
            &format!("schema = \"salesforce\"\n\n[env.prod]\ndatabase_url_env = {shape:?}\n"),
        );
        for args in [
            &["refresh", "prod"][..],
            &["refresh", "prod", "--check"],
            &["refresh", "prod", "--format", "json"],
            &["verify", "prod"],
            &["verify", "prod", "--format", "json"],
            &["check"],
        ] {
            // The value is also set as a variable of that name's kind would be: nothing may
            // read and print it either way.
            let run = hc_env(
                d,
                args,
                &[("DATABASE_URL", shape), ("HC_PROD_DATABASE_URL", shape)],
            );
            let output = format!("{}{}", run.stdout, run.stderr);
            assert_eq!(run.code, 2, "{args:?} {shape}:\n{output}");
            assert!(
                !output.contains(secret),
                "{args:?} echoed the password:\n{output}"
            );
            assert!(
                run.stderr.contains(
                    "hc-schema.toml:4:1: `database_url_env` of [env.prod] is not the name of an environment variable"
                ),
                "{args:?}:\n{output}"
            );
        }
    }
}

/// Control characters in a snapshot's names and type names (an escape sequence that would clear
/// the screen or retitle the terminal) reach the terminal escaped, in every command that prints
/// them, and in every format that is text.
#[test]
fn control_characters_in_snapshot_names_are_printed_escaped() {
    let dir = workspace();
    let d = dir.path();
    write(
        d,
        "hc-schema/test.json",
        &TEST.replace(
            r#""loyalty_tier__c": {"field": "Loyalty_Tier__c", "type": "text"}"#,
            r#""loyalty_tier__c": {"field": "Loyalty_Tier__c", "type": "boolean\u001b[2J"}, "x\u001b]0;pwn\u0007": {}"#,
        ),
    );
    write(
        d,
        "hc-schema/prod.json",
        &PROD.replace(
            r#""name": {"field": "Name"}"#,
            r#""name": {"field": "Name"}, "loyalty_tier__c": {"type": "text"}"#,
        ),
    );
    let runs = [
        hc(d, &["check", "--env", "prod"]),
        hc(d, &["check", "--env", "prod", "--format", "github"]),
        hc(d, &["check", "--env", "prod", "--format", "markdown"]),
        hc(d, &["diff", "test", "prod"]),
        hc(d, &["usages", "account.loyalty_tier__c"]),
    ];
    for run in &runs {
        let output = format!("{}{}", run.stdout, run.stderr);
        let raw: Vec<char> = output
            .chars()
            .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
            .collect();
        assert!(
            raw.is_empty(),
            "raw control characters {raw:?} in:\n{output}"
        );
    }
    // The names were printed (escaped), so the assertion above saw them.
    assert!(
        runs[0].stdout.contains("boolean\\u{1b}[2J"),
        "{}",
        runs[0].stdout
    );
    assert!(
        runs[3].stdout.contains("x\\u{1b}]0;pwn\\u{7}"),
        "{}",
        runs[3].stdout
    );
}
