//! `hc-schema`: snapshots of Heroku Connect schemas, and checks of the code against them.
//!
//! The binary is thin: argument parsing and printing. The work lives in the
//! `hc_schema_snapshot` library.

// The doc comments of the argument types are clap's `--help` text, written for a terminal
// (`<snapshot_dir>/<env>.json`, `#[hc_requires]`), not rustdoc markup.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

/// Every line the command prints goes through [`render::printable`]: table, column and type
/// names come from snapshot files and live catalogs, and a control character in one (an
/// escape sequence) must reach the terminal as text. These shadow the standard macros in every
/// module of the binary (they are defined before the modules), so no print site can forget it.
macro_rules! println {
    () => { ::std::println!() };
    ($($arg:tt)*) => { ::std::println!("{}", $crate::render::printable(&::std::format!($($arg)*))) };
}

/// [`println!`]'s twin without the newline.
macro_rules! print {
    ($($arg:tt)*) => { ::std::print!("{}", $crate::render::printable(&::std::format!($($arg)*))) };
}

/// [`println!`]'s twin for standard error.
macro_rules! eprintln {
    () => { ::std::eprintln!() };
    ($($arg:tt)*) => { ::std::eprintln!("{}", $crate::render::printable(&::std::format!($($arg)*))) };
}

/// [`println!`]'s twin for standard error, without the newline.
macro_rules! eprint {
    ($($arg:tt)*) => { ::std::eprint!("{}", $crate::render::printable(&::std::format!($($arg)*))) };
}

mod check;
mod context;
mod diff;
mod import;
mod init;
mod output;
mod plan;
mod refresh;
mod render;
mod report;
mod signals;
mod sources;
mod usages;
mod verify;
mod version;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  hc-schema init --env test --env prod        set up this crate or workspace (--check: only say what)
  hc-schema refresh prod                      read prod's schema into hc-schema/prod.json
  hc-schema refresh prod --check              exit 1 when hc-schema/prod.json is stale
  hc-schema import prod --from prod-export.json
  hc-schema check --env prod                  check the code's hc_sql! and #[hc_requires] without compiling
  hc-schema check --format github             GitHub Actions annotations
  hc-schema check --format sarif > hc-schema.sarif   for GitHub code scanning
  hc-schema check --format markdown           a pull-request comment
  hc-schema diff test prod                    what test maps that prod does not (and back)
  hc-schema usages Account.Loyalty_Tier__c    can I unmap it? who uses it, where is it mapped
                                              (exit 0 safe to unmap, 1 used, 2 cannot tell)
  hc-schema plan prod --export prod-export.json --out prod-export.new.json
  hc-schema verify prod                       check the live prod database against the code

Exit status (every command): 0 ok; 1 the check found a problem (a missing table or column, a
write to a read-only mapping, undeclared or unguarded SQL, a stale snapshot, drift, mapping
changes needed, a column used (`usages`), setup changes `init --check` would make); 2 usage, input or
connection error, including a check of nothing (no annotations) and an incomplete source scan.";

/// Heroku Connect schema snapshots and drift checks.
#[derive(Parser)]
#[command(name = "hc-schema", version, about, after_help = EXAMPLES)]
struct Cli {
    /// The package or workspace manifest; its directory is searched for hc-schema.toml and sources.
    #[arg(long, global = true, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up hc-schema in a crate or workspace: hc-schema.toml, dependencies, build.rs, features.
    Init(init::InitArgs),
    /// Read an environment's live schema into <snapshot_dir>/<env>.json.
    Refresh(refresh::RefreshArgs),
    /// Build an environment's snapshot from a Heroku Connect mapping export.
    Import(import::ImportArgs),
    /// Check the code's hc_sql! queries, #[hc_requires] and SQL strings against snapshots, without compiling.
    Check(check::CheckArgs),
    /// Show tables and columns mapped in one environment but not the other.
    Diff(diff::DiffArgs),
    /// Whether an object or field is safe to unmap: where the code uses it, where it is mapped (exit 0: safe).
    Usages(usages::UsagesArgs),
    /// Print everything the code requires (deduplicated, with code sites).
    Requirements(usages::RequirementsArgs),
    /// The mapping changes an environment needs so that every requirement holds.
    Plan(plan::PlanArgs),
    /// Check the live database against the code's requirements.
    Verify(verify::VerifyArgs),
}

/// Output formats. Each command accepts the ones it has (see [`format_parser`]); any other is
/// a usage error, never ignored.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Format {
    /// For people.
    #[default]
    Human,
    /// Stable JSON for tools.
    Json,
    /// GitHub Actions workflow commands (annotations at code sites).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// Markdown, for a pull-request comment.
    Markdown,
}

impl Format {
    const ALL: [Format; 5] = [
        Format::Human,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Markdown,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Format::Human => "for people (default)",
            Format::Json => "stable JSON for tools",
            Format::Github => "GitHub Actions annotations at code sites",
            Format::Sarif => "SARIF 2.1.0 for GitHub code scanning",
            Format::Markdown => "Markdown for a pull-request comment",
        }
    }
}

/// The `--format` parser of a command that has the formats `allowed`: clap rejects any other
/// with exit status 2 and lists the ones the command has.
///
/// ```ignore
/// #[arg(long, value_parser = format_parser(&[Format::Human, Format::Json]), default_value = "human")]
/// format: Format,
/// ```
pub fn format_parser(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        allowed
            .iter()
            .map(|f| PossibleValue::new(f.name()).help(f.help())),
    )
    .map(|name| {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .expect("clap only passes the possible values")
    })
}

/// Exit status 0: nothing found that fails.
pub const OK: u8 = 0;
/// Exit status 1: the check found a problem.
pub const FOUND: u8 = 1;
/// Exit status 2: a usage, input or connection error, or a check of nothing.
pub const ERROR: u8 = 2;

/// How to reach a database (shared by refresh and verify).
#[derive(Args, Clone)]
pub struct DbArgs {
    /// Database URL. Prefer the variable named by [env.<env>] database_url_env in
    /// hc-schema.toml, or DATABASE_URL: a URL on the command line is visible to other users.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Heroku Connect schema (default: hc-schema.toml's `schema`, else `salesforce`).
    #[arg(long)]
    schema: Option<String>,
    /// TLS mode, overriding the URL's sslmode: disable, prefer, require, verify-ca, verify-full.
    #[arg(long)]
    sslmode: Option<String>,
    /// Root certificate (PEM) for verify-ca / verify-full.
    #[arg(long, value_name = "PEM")]
    root_cert: Option<PathBuf>,
    /// Connect timeout in seconds, per server: name lookup, TCP, TLS and authentication (1 to 86400).
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    connect_timeout: u64,
    /// Statement and lock timeout of the catalog query in seconds (1 to 86400); the client gives
    /// up one second later.
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    statement_timeout: u64,
}

/// A command's failure that is not a check result: printed as `error: ...`, exit status 2.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure(err.to_string())
    }
}

/// What a command returns: its exit status, or a failure.
pub type Outcome = Result<ExitCode, Failure>;

fn main() -> ExitCode {
    signals::install();
    let cli = Cli::parse();
    let manifest = cli.manifest_path.as_deref();
    let outcome = match cli.command {
        Command::Init(args) => init::run(manifest, args),
        Command::Refresh(args) => refresh::run(manifest, args),
        Command::Import(args) => import::run(manifest, args),
        Command::Check(args) => check::run(manifest, args),
        Command::Diff(args) => diff::run(manifest, args),
        Command::Usages(args) => usages::run(manifest, args),
        Command::Requirements(args) => usages::run_requirements(manifest, args),
        Command::Plan(args) => plan::run(manifest, args),
        Command::Verify(args) => verify::run(manifest, args),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(ERROR)
        }
    }
}
