//! Running a command-line binary under test and keeping what it printed.

use std::path::Path;
use std::process::Command;

/// What a run printed, and its exit code.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Run `binary` with `args` in `dir`, with the variables in `unset` removed from its
/// environment and those in `env` set.
///
/// ```
/// let run = hc_schema_tests::cli::run("echo", std::path::Path::new("."), &["hi"], &[], &[]);
/// assert_eq!((run.code, run.stdout.as_str()), (0, "hi\n"));
/// ```
pub fn run(binary: &str, dir: &Path, args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> Run {
    let mut command = Command::new(binary);
    command.current_dir(dir).args(args);
    for var in unset {
        command.env_remove(var);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
