//! The output formats of commands whose result is a report, not findings at code places
//! (`refresh`, `refresh --check`, `verify`): `human` and `json`. Any other value is a usage
//! error (exit 2), never ignored.

use clap::ValueEnum;

/// `--format` of `refresh` and `verify`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Default, Debug)]
pub enum ReportFormat {
    /// For people.
    #[default]
    Human,
    /// Stable JSON for tools, on stdout.
    Json,
}

/// Print `value` as pretty JSON with a trailing newline.
pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values always serialize")
    );
}
