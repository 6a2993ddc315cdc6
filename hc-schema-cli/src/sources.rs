//! What the code requires, read from the sources: the scan's annotations and `hc_sql!`
//! queries (their SQL analysed with the project's snapshots, as the build analyses it), the
//! SQL findings, and whether anything could not be read.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::manifest::{Site, Usage};
use hc_schema_snapshot::scan::Scan;
use hc_schema_snapshot::sqlcheck::{self, SqlChecks};
use hc_schema_snapshot::uses::Uses;
use hc_schema_snapshot::Snapshot;

use crate::context::Context;

/// The code's requirements and what the SQL checks found.
pub struct Sources {
    /// The scan.
    pub scan: Scan,
    /// The SQL checks over it.
    pub sql: SqlChecks,
    /// Every requirement site: annotations and `hc_sql!` queries, sorted by site.
    pub usages: Vec<Usage>,
    /// Every use the scan knows (requirements, SQL strings no annotation declares, `SELECT
    /// *`): what every command counts as needed.
    pub uses: Uses,
    /// Crates with requirements whose build reads another snapshot directory than this
    /// command ([`other_snapshot_dirs`]), shown with the directory they read.
    pub elsewhere: Vec<String>,
    /// The snapshot directory this command reads, as shown.
    ours: String,
    /// The columns each typed `hc_query!` reads or binds with a Rust type (set by `check`
    /// once it has typed them, [`hc_schema_snapshot::sqlcheck::SqlChecks::add_typing`]);
    /// empty: every `hc_query!` column counts as used without a Rust type.
    pub query_types: hc_schema_snapshot::sqlcheck::QueryTypes,
}

impl Sources {
    /// Run the SQL checks over `scan` with `snapshots` (every snapshot of the project that
    /// loads, with its environment): the context `hc_sql!` gets from the build script.
    pub fn check(scan: Scan, ctx: &Context, snapshots: &[(&str, &Snapshot)]) -> Sources {
        let sql = sqlcheck::check_project(&scan, &ctx.project.config, snapshots);
        let usages = sql.all_usages(&scan);
        let uses = sql.uses(&scan);
        let elsewhere = other_snapshot_dirs(ctx, &uses);
        Sources {
            scan,
            sql,
            usages,
            uses,
            elsewhere,
            ours: ctx.show(&ctx.project.snapshot_dir()),
            query_types: Default::default(),
        }
    }

    /// Why the builds and this command would not read the same snapshots, or `None`.
    pub fn elsewhere_message(&self) -> Option<String> {
        (!self.elsewhere.is_empty()).then(|| {
            format!(
                "the builds of {} read other snapshots than this command ({}): it would check \
                 the code against snapshots its builds never use; run the command in that crate \
                 (--manifest-path <crate>/Cargo.toml), or put one hc-schema.toml at the workspace \
                 root (`hc-schema init` writes it) so that the builds and the CLI read the same",
                self.elsewhere.join(", "),
                self.ours
            )
        })
    }

    /// Why what the code requires is not completely known (a file or item not read, an
    /// annotation not understood, an `hc_sql!` whose SQL cannot be analysed), listing every
    /// place; `None` when it is. A command that reports what the code needs must not claim
    /// "nothing needs it" then.
    pub fn incomplete(&self) -> Option<String> {
        if let Some(message) = self.elsewhere_message() {
            return Some(message);
        }
        let mut places: Vec<String> = self
            .scan
            .errors
            .iter()
            .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
            .collect();
        places.extend(self.sql.errors().map(|f| {
            format!(
                "{}: hc_sql!: {}",
                f.site(),
                f.explanation.message.replace('\n', " ")
            )
        }));
        if places.is_empty() {
            return None;
        }
        Some(format!(
            "the result is incomplete: {} in the sources could not be read or \
             understood, and what they need is unknown:\n  {}\nfix them (`hc-schema check` \
             shows each), then run this again",
            hc_schema_snapshot::text::count(places.len(), "place"),
            places.join("\n  ")
        ))
    }

    /// The sites of SQL the scan found and could not read (skipped strings, unguarded SQL
    /// whose columns are unknown), sorted: what they use is unknown, so no change may be
    /// called harmless beside them.
    pub fn unread_sql(&self) -> Vec<Site> {
        let mut sites: Vec<Site> = self
            .sql
            .findings
            .iter()
            .filter(|f| f.unread())
            .map(|f| f.site())
            .collect();
        sites.sort();
        sites.dedup();
        sites
    }

    /// "cannot tell whether ... harmless" when `harmless` deviations (or changes) are not
    /// known to break code and some SQL could not be read ([`Sources::unread_sql`]), naming
    /// every site; `None` otherwise. `diff` and `refresh --check` exit 2 with it (the
    /// documented "not everything was checked") instead of passing.
    pub fn cannot_tell(&self, harmless: usize) -> Option<String> {
        let sites = self.unread_sql();
        if harmless == 0 || sites.is_empty() {
            return None;
        }
        let shown: Vec<String> = sites.iter().map(Site::to_string).collect();
        Some(format!(
            "cannot tell whether the {} not marked BREAKING {} harmless: {} could not be read, \
             and they may use what differs:\n  {}\nmake \
             each readable (write it as hc_sql!, or declare its columns with #[hc_requires] on \
             the item; `hc-schema check` shows why each was not read), then run this again",
            hc_schema_snapshot::text::count(harmless, "deviation"),
            if harmless == 1 { "is" } else { "are" },
            hc_schema_snapshot::text::count(shown.len(), "SQL string"),
            shown.join("\n  ")
        ))
    }

    /// Whether nothing was scanned: no requirement, no SQL finding and no source error (no
    /// Rust code, or none that touches Heroku Connect). A command must not call anything
    /// "safe" or "ok" then, unless told `--allow-empty`.
    pub fn nothing_scanned(&self) -> bool {
        self.usages.is_empty() && self.scan.errors.is_empty() && self.sql.findings.is_empty()
    }

    /// The `cfg_attr` conditions of conditional annotations, per site of each of their names
    /// (table and columns): "when feature = \"x\"" (nested ones joined with "and").
    pub fn conditions(&self) -> HashMap<Site, String> {
        let mut out = HashMap::new();
        for annotation in &self.scan.annotations {
            if annotation.conditional.is_empty() {
                continue;
            }
            let when = format!("when {}", annotation.conditional.join(" and "));
            for usage in self
                .scan
                .usages
                .get(annotation.usages.clone())
                .unwrap_or_default()
            {
                out.insert(usage.site(), when.clone());
                for column in &usage.columns {
                    out.insert(Site::new(&usage.file, column), when.clone());
                }
            }
        }
        out
    }
}

/// Scan the sources on other threads while `load` runs on this one (loading snapshots is
/// much of a check's work on a big schema), then both results.
pub fn scan_while<T>(ctx: &Context, load: impl FnOnce() -> T) -> (Scan, T) {
    std::thread::scope(|scope| {
        let scan = scope.spawn(|| ctx.scan());
        let loaded = load();
        let scan = scan
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (scan, loaded)
    })
}

/// Every snapshot of the snapshot directory that loads, with its environment; a warning for
/// each one that does not (the names only it knows are then not recognised in SQL).
pub fn all_snapshots(ctx: &Context) -> (Vec<(String, Snapshot)>, Vec<String>) {
    let mut loaded = Vec::new();
    let mut warnings = Vec::new();
    for env in ctx.project.available_envs() {
        let path = ctx.project.snapshot_path(&env);
        match ctx.load(&path) {
            Ok(snapshot) => loaded.push((env, snapshot)),
            Err(failure) => warnings.push(format!(
                "{}; SQL is read without the names only it knows",
                failure.0
            )),
        }
    }
    (loaded, warnings)
}

/// Read the sources with every snapshot of the project (loaded while the scan runs); print a
/// warning for a snapshot that does not load when the code has SQL to read.
pub fn read(ctx: &Context) -> Sources {
    let (scan, (snapshots, mut warnings)) = scan_while(ctx, || all_snapshots(ctx));
    if snapshots.is_empty() {
        warnings.push(format!(
            "no snapshot in {}: SQL is read knowing only the configured schema names, so \
             unqualified tables are not recognised as Heroku Connect's",
            ctx.show(&ctx.project.snapshot_dir())
        ));
    }
    if !scan.sql_macros.is_empty() || !scan.sql_literals.is_empty() {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
    }
    let refs: Vec<(&str, &Snapshot)> = snapshots.iter().map(|(e, s)| (e.as_str(), s)).collect();
    Sources::check(scan, ctx, &refs)
}

/// The crates holding a use whose build reads another snapshot directory than `ctx` (each
/// build script finds its `hc-schema.toml` from its own crate up, else uses `hc-schema/` next
/// to the crate): a check at a workspace root without a config, while members keep their own
/// `hc-schema/`, would read snapshots no build uses. Each crate once, with the directory it
/// reads; a crate whose build would find no snapshot is left out (that build fails by itself).
pub fn other_snapshot_dirs(ctx: &Context, uses: &Uses) -> Vec<String> {
    let ours = ctx.project.snapshot_dir();
    let same = |a: &Path, b: &Path| {
        a == b
            || matches!(
                (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                (Ok(a), Ok(b)) if a == b
            )
    };
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    for usage in &uses.usages {
        let file = ctx.base.join(&usage.file);
        let Some(krate) = file
            .ancestors()
            .skip(1)
            .find(|dir| dir.join("Cargo.toml").is_file())
        else {
            continue;
        };
        if !seen.insert(krate.to_path_buf()) {
            continue;
        }
        // A config that does not load fails that crate's build by itself.
        let Ok(project) = Project::discover(krate) else {
            continue;
        };
        let theirs = project.snapshot_dir();
        // A build that finds no snapshot at all fails by itself ("no snapshot to check
        // against"): only a directory it would read is a disagreement.
        if !project.available_envs().is_empty() && !same(&theirs, &ours) {
            out.push(format!("{} (reads {})", ctx.show(krate), ctx.show(&theirs)));
        }
    }
    out
}
