//! The README's Quickstart, run as written, and the guide's Rust blocks, compiled.
//!
//! The Quickstart's blocks are marked with HTML comments (invisible on GitHub):
//! - `<!-- quickstart: file PATH -->` before a fenced block: the file's content;
//! - `<!-- quickstart: commands -->` before a `sh` block: commands run in order, each must
//!   succeed;
//! - `<!-- quickstart: outcome fails|passes -->` before a `text` block: `$ command`, then lines
//!   the command must print (each, trimmed, is a whole line of its output);
//! - the same prefixed with `workspace` for the workspace variant, plus
//!   `<!-- quickstart: workspace copy FROM TO -->` (a single-crate file reused in the workspace).
//!
//! The commands run for real: `hc-schema` is this workspace's CLI, `refresh` reads Heroku
//! Connect shaped databases on the suite's PostgreSQL (test maps `account.loyalty_tier__c`,
//! prod does not), `cargo build` builds the written files. The only substitutions, each
//! checked: `cargo install hc-schema --version V --locked` must name this workspace's version
//! and then means "use the CLI built from this workspace"; `export VAR="$(heroku ...)"` must
//! name a variable some `[env.<env>] database_url_env` of the Quickstart's `hc-schema.toml`
//! names, and sets it to that environment's test database; `git` lines are skipped (they do
//! not change the files); the root manifests get `[patch.crates-io]` lines pointing at this
//! workspace; and cargo runs with `CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL=0` (the files keep
//! the recommended `opt-level = 3`, which only optimises the proc macros and would compile them
//! a second time in the shared target). A command the test does not know fails the test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use hc_schema_tests::cargo::{cargo, hc_schema_cli, patch_crates_io, run, workspace};
use hc_schema_tests::fixtures::{hc_database, ADD_LOYALTY_TIER};
use hc_schema_tests::pg;

/// A fenced block and the directive before it.
#[derive(Debug, Clone)]
struct Block {
    /// The directive's words after `quickstart:` (or `not compiled:` ...), empty when none.
    directive: String,
    /// The info string after the opening fence.
    info: String,
    /// The content.
    text: String,
    /// The line of the opening fence (1-based).
    line: usize,
}

/// Every fenced block of a Markdown text, with the HTML comment directly before it (blank lines
/// allowed in between); and the directives that stand alone (`copy`).
fn blocks(markdown: &str) -> (Vec<Block>, Vec<String>) {
    let mut out = Vec::new();
    let mut standalone = Vec::new();
    let mut pending: Option<String> = None;
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(comment) = trimmed
            .strip_prefix("<!--")
            .and_then(|c| c.strip_suffix("-->"))
        {
            let comment = comment.trim().to_string();
            if let Some(previous) = pending.replace(comment) {
                standalone.push(previous);
            }
        } else if let Some(info) = trimmed.strip_prefix("```") {
            let mut text = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.trim() == "```" {
                    break;
                }
                text.push_str(inner);
                text.push('\n');
            }
            out.push(Block {
                directive: pending.take().unwrap_or_default(),
                info: info.trim().to_string(),
                text,
                line: n + 1,
            });
        } else if !trimmed.is_empty() {
            if let Some(previous) = pending.take() {
                standalone.push(previous);
            }
        }
    }
    standalone.extend(pending);
    (out, standalone)
}

/// One variant of the Quickstart (the single crate, or the workspace).
#[derive(Default, Debug)]
struct Variant {
    files: Vec<(String, String)>,
    copies: Vec<(String, String)>,
    commands: Vec<String>,
    /// (must succeed, command, expected lines)
    outcomes: Vec<(bool, String, Vec<String>)>,
}

/// The README's Quickstart: (single crate, workspace).
fn quickstart() -> (Variant, Variant) {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let (blocks, standalone) = blocks(&readme);
    let mut single = Variant::default();
    let mut ws = Variant::default();
    for directive in standalone {
        let Some(rest) = directive.strip_prefix("quickstart:") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            ["workspace", "copy", from, to] => ws.copies.push((from.to_string(), to.to_string())),
            _ => panic!("README: a quickstart directive without its block: <!-- {directive} -->"),
        }
    }
    for block in blocks {
        let Some(rest) = block.directive.strip_prefix("quickstart:") else {
            assert!(
                !block.info.starts_with("rs") && !block.info.starts_with("rust")
                    || block.directive.starts_with("not compiled:"),
                "README.md:{}: a Rust block that is neither a Quickstart file nor marked \
                 `<!-- not compiled: reason -->`",
                block.line
            );
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let (variant, words) = match words.split_first() {
            Some((&"workspace", words)) => (&mut ws, words),
            _ => (&mut single, words.as_slice()),
        };
        match words {
            ["file", path] => variant.files.push((path.to_string(), block.text.clone())),
            ["commands"] => variant
                .commands
                .extend(block.text.lines().map(str::to_string)),
            ["outcome", verdict @ ("fails" | "passes")] => {
                let mut lines = block.text.lines();
                let command = lines
                    .next()
                    .and_then(|l| l.strip_prefix("$ "))
                    .unwrap_or_else(|| {
                        panic!(
                            "README.md:{}: an outcome block starts with `$ command`",
                            block.line
                        )
                    });
                variant.outcomes.push((
                    *verdict == "passes",
                    command.to_string(),
                    lines
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect(),
                ));
            }
            _ => panic!(
                "README.md:{}: unknown quickstart directive `{}`",
                block.line, block.directive
            ),
        }
    }
    assert!(
        !single.files.is_empty() && !single.commands.is_empty() && !single.outcomes.is_empty(),
        "README.md: no marked Quickstart found: {single:?}"
    );
    assert!(
        !ws.files.is_empty() && !ws.outcomes.is_empty(),
        "README.md: no marked workspace Quickstart found: {ws:?}"
    );
    (single, ws)
}

/// A command line split as the shell would for these simple lines: a trailing `# comment`
/// dropped, words split on blanks, double quotes grouping (their content kept verbatim).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            '#' if !quoted && !started => break,
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in `{line}`");
    if started {
        words.push(word);
    }
    words
}

/// What the commands share: the exported variables, whether the CLI was "installed", and the
/// databases behind each environment.
struct Shell {
    vars: BTreeMap<String, String>,
    installed: bool,
    /// `database_url_env` -> URL, from the Quickstart's hc-schema.toml.
    urls: BTreeMap<String, String>,
}

impl Shell {
    /// Run one line in `dir`; returns (success, output) or None for a skipped line.
    fn run(&mut self, dir: &Path, line: &str) -> Option<(bool, String)> {
        let words = words(line);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] => None,
            ["git", ..] => None,
            ["cargo", "install", "hc-schema", "--version", version, "--locked"] => {
                assert_eq!(
                    *version,
                    env!("CARGO_PKG_VERSION"),
                    "the Quickstart installs hc-schema {version}, the workspace is {}",
                    env!("CARGO_PKG_VERSION")
                );
                self.installed = true;
                None
            }
            ["export", assignment] => {
                let (name, value) = assignment
                    .split_once('=')
                    .unwrap_or_else(|| panic!("`{line}`: export NAME=VALUE"));
                assert!(
                    value.starts_with("$(heroku config:get DATABASE_URL"),
                    "`{line}`: the Quickstart's URL comes from `heroku config:get DATABASE_URL`"
                );
                let url = self.urls.get(name).unwrap_or_else(|| {
                    panic!(
                        "`{line}`: no [env.*] database_url_env of the Quickstart's hc-schema.toml \
                         names {name} ({:?})",
                        self.urls.keys()
                    )
                });
                self.vars.insert(name.to_string(), url.clone());
                None
            }
            ["hc-schema", args @ ..] => {
                assert!(
                    self.installed,
                    "`{line}`: run before the Quickstart installs hc-schema"
                );
                let mut command = Command::new(hc_schema_cli());
                command.current_dir(dir).args(args);
                Some(self.output(command))
            }
            ["cargo", args @ ..] if matches!(args.first(), Some(&"build" | &"check")) => {
                let mut command = cargo(dir);
                command
                    .args(args)
                    .env("CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL", "0");
                Some(self.output(command))
            }
            _ => panic!("the Quickstart test does not know how to run `{line}`"),
        }
    }

    fn output(&self, mut command: Command) -> (bool, String) {
        for var in [
            "DATABASE_URL",
            "HC_SCHEMA_SNAPSHOT",
            "HC_SCHEMA_ENV",
            "HC_SCHEMA_SELECTION",
            "HC_SCHEMA_ALLOW_VERSION_MISMATCH",
        ] {
            command.env_remove(var);
        }
        command.envs(&self.vars);
        let (output, stderr) = run(&mut command);
        let text = format!("{}{stderr}", String::from_utf8_lossy(&output.stdout));
        assert!(!text.contains(pg::PASSWORD), "password printed:\n{text}");
        (output.status.success(), text)
    }

    /// Run the variant's commands, then check its outcomes.
    fn play(&mut self, dir: &Path, variant: &Variant) {
        for line in &variant.commands {
            if let Some((ok, output)) = self.run(dir, line) {
                assert!(ok, "Quickstart command `{line}` failed:\n{output}");
            }
        }
        for (passes, command, expected) in &variant.outcomes {
            let (ok, output) = self
                .run(dir, command)
                .unwrap_or_else(|| panic!("the outcome's `{command}` runs nothing"));
            assert_eq!(
                ok,
                *passes,
                "`{command}`: the README says it {}:\n{output}",
                if *passes { "passes" } else { "fails" }
            );
            let lines: Vec<&str> = output.lines().map(str::trim).collect();
            for line in expected {
                assert!(
                    lines.contains(&line.as_str()),
                    "`{command}` did not print the README's line\n  {line}\nit printed:\n{output}"
                );
            }
        }
    }
}

/// `[env.<name>] database_url_env = "VAR"` of an hc-schema.toml text: (VAR, name).
fn url_variables(config: &str) -> Vec<(String, String)> {
    let mut env = None;
    let mut out = Vec::new();
    for line in config.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(header) = line.strip_prefix('[') {
            env = header
                .strip_prefix("env.")
                .and_then(|h| h.strip_suffix(']'))
                .map(str::to_string);
        } else if let (Some(env), Some(value)) = (&env, line.strip_prefix("database_url_env")) {
            let var = value
                .trim()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            out.push((var.to_string(), env.clone()));
        }
    }
    out
}

/// A manifest as written, plus (at the root) the crates patched to this workspace.
fn patched(manifest: &str, root: bool) -> String {
    let mut out = manifest.to_string();
    if root {
        out.push_str(&patch_crates_io());
    }
    out
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

fn temp(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temp dir")
}

#[test]
fn the_readme_quickstart_works_as_written() {
    let (single, ws) = quickstart();
    let config = single
        .files
        .iter()
        .find(|(path, _)| path == "hc-schema.toml")
        .map(|(_, text)| text.clone())
        .expect("the Quickstart writes hc-schema.toml");

    // The environments' databases: test maps account.loyalty_tier__c, prod does not.
    let test_db = hc_database("quickstart_test");
    pg::admin(&test_db)
        .batch_execute(ADD_LOYALTY_TIER)
        .expect("map loyalty_tier__c in test");
    let prod_db = hc_database("quickstart_prod");
    let server = pg::server();
    let mut urls = BTreeMap::new();
    for (var, env) in url_variables(&config) {
        let db = match env.as_str() {
            "test" => &test_db,
            "prod" => &prod_db,
            other => panic!("the Quickstart's environment {other} has no test database"),
        };
        urls.insert(var, pg::url(&server.user, db, ""));
    }
    let mut shell = Shell {
        vars: BTreeMap::new(),
        installed: false,
        urls,
    };

    // A single crate.
    let dir = temp("hc-schema-quickstart-");
    let project = dir.path();
    for (path, text) in &single.files {
        let text = if path == "Cargo.toml" {
            patched(text, true)
        } else {
            text.clone()
        };
        write(project, path, &text);
    }
    std::fs::copy(workspace().join("Cargo.lock"), project.join("Cargo.lock")).expect("lock");
    shell.play(project, &single);
    // The refresh commands wrote real snapshots of the two databases.
    let prod = std::fs::read_to_string(project.join("hc-schema/prod.json")).expect("prod.json");
    let test = std::fs::read_to_string(project.join("hc-schema/test.json")).expect("test.json");
    assert!(test.contains("\"loyalty_tier__c\"") && !prod.contains("\"loyalty_tier__c\""));

    // A workspace.
    let wdir = temp("hc-schema-quickstart-ws-");
    let root = wdir.path();
    for (path, text) in &ws.files {
        let text = if path.ends_with("Cargo.toml") {
            patched(text, path == "Cargo.toml")
        } else {
            text.clone()
        };
        write(root, path, &text);
    }
    for (from, to) in &ws.copies {
        let (_, text) = single
            .files
            .iter()
            .find(|(path, _)| path == from)
            .unwrap_or_else(|| panic!("the workspace copies {from}, which the Quickstart lacks"));
        write(root, to, text);
    }
    std::fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).expect("lock");
    shell.play(root, &ws);
}

/// Every Rust block of the guide (`docs/*.md`) compiles: blocks marked `rust...` are modules of
/// one generated crate; blocks marked `rs` need `<!-- not compiled: reason -->` before them.
#[test]
fn the_guides_rust_blocks_compile() {
    let docs = workspace().join("docs");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    let mut modules = Vec::new();
    for page in &pages {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        let (blocks, _) = blocks(&std::fs::read_to_string(page).expect("page"));
        for block in blocks {
            let lang = block.info.split(',').next().unwrap_or("");
            if lang == "rs" {
                let reason = block.directive.strip_prefix("not compiled:").map(str::trim);
                assert!(
                    reason.is_some_and(|r| !r.is_empty()),
                    "docs/{name}:{}: an `rs` block needs `<!-- not compiled: reason -->` before \
                     it, or mark it `rust` to have it compiled",
                    block.line
                );
            } else if lang == "rust" {
                modules.push((format!("docs/{name}:{}", block.line), block.text));
            }
        }
    }
    assert!(
        !modules.is_empty(),
        "no `rust` block found in docs/ (the release-phase main is one)"
    );
    let dir = temp("hc-schema-docs-blocks-");
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        &patched(
            "[package]\nname = \"docs-blocks\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nhc-schema-macro = \"0.1\"\n\
             hc-schema-snapshot = { version = \"0.1\", features = [\"fetch\"] }\npostgres = \"0.19\"\n\n\
             [build-dependencies]\nhc-schema-snapshot = \"0.1\"\n",
            true,
        ),
    );
    write(
        root,
        "build.rs",
        "fn main() { hc_schema_snapshot::build::configure(); }\n",
    );
    write(
        root,
        "hc-schema/test.json",
        &hc_schema_tests::cargo::snapshot_json(
            "test",
            &[
                ("account", &["sfid", "name", "type", "loyalty_tier__c"]),
                ("contact", &["sfid", "email"]),
            ],
        ),
    );
    let mut lib = String::new();
    for (n, (origin, text)) in modules.iter().enumerate() {
        lib.push_str(&format!(
            "#[allow(dead_code, unused_imports)]\nmod block_{n}; // {origin}\n"
        ));
        write(
            root,
            &format!("src/block_{n}.rs"),
            &format!("// {origin}\n{text}"),
        );
    }
    write(root, "src/lib.rs", &lib);
    std::fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).expect("lock");
    let mut command = cargo(root);
    command.args(["build", "--quiet"]);
    let (output, stderr) = run(&mut command);
    assert!(
        output.status.success(),
        "a Rust block of docs/ does not compile ({}):\n{stderr}",
        modules
            .iter()
            .map(|(origin, _)| origin.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}
