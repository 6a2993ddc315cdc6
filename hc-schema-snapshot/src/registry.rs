//! The requirements compiled into this binary.
//!
//! With `[registry] enabled = true` in `hc-schema.toml` (off by default: it costs the build one
//! static per annotation), every `#[hc_requires]` also registers its requirements here, so a
//! running program can list everything it was compiled to need, across all crates it links,
//! and check them against the live database in the release phase. Off, [`usages`] is empty,
//! and `verify::verify` refuses to check nothing.
//!
//! ```
//! // In a binary whose code uses #[hc_requires], this lists every annotation:
//! for usage in hc_schema_snapshot::registry::usages() {
//!     println!("{}:{} needs {}", usage.file, usage.table.line, usage.table.name);
//! }
//! ```
//!
//! # How an annotation is registered
//!
//! Each annotation becomes one [`Record`]: a string with its file and the names and positions
//! of its tables and columns. On Linux and Android (ELF) the macro places a `&str` static in the
//! `hc_schema_sites` link section, and [`usages`] reads the section between the linker's
//! `__start_`/`__stop_` symbols: one plain static per annotation, with no constructor function
//! and no startup code. On other targets the record is submitted through `inventory`.
//! `#[used]` statics are kept by rustc even when nothing else in their object file is
//! referenced, so annotations in library crates and on generic functions are registered too
//! (`global_asm!` would be cheaper to compile but lacks that guarantee).
//!
//! # The schema the build checked
//!
//! Each record also carries the Heroku Connect schema of every environment its crate's build
//! knew (lines `S<TAB>env<TAB>schema<TAB>1|0`, [`Record::encode_for_build`]). The build script
//! hands them to the macros in the `HC_SCHEMA_CHECKED` rustc environment variable: a selected
//! environment's schema is its snapshot's own `schema` (the one the build checked), another
//! environment's the configured one. The release phase checks that schema
//! ([`checked_schemas`], `verify::release_schema`), never a default; an `HC_SCHEMA_NAME` that
//! disagrees is an error naming both. (Chosen over a `cargo:rustc-env` read by the app's own
//! code: the registry is read by the library, across every crate the binary links, each
//! built with its own configuration.)
//!
//! # The schema qualifiers the SQL wrote
//!
//! A Heroku Connect table that SQL (an `hc_sql!`, or a string inside an annotated item) names
//! as `schema.table` works only where that is the Heroku Connect schema. The build judges it
//! against the selected snapshots; a build promoted without rebuilding (a pipeline promotion)
//! meets another schema, so each record also carries one line `Q<TAB>schema<TAB><tag>
//! table@line:column` per qualified table ([`Record::with_qualifiers`]), and a bare `Q` line
//! saying the build recorded them (none may be written). The release phase judges each one
//! against the live schema ([`qualifiers`], `verify::judge_qualifiers`); a record without the
//! bare `Q` line (a binary built by an hc-schema that did not record them) is named as not
//! checked, never passed silently.

use crate::built::{BuiltType, BuiltTypes, EnvSpelling};
use crate::manifest::{Origin, Site, Spot, Usage};
use crate::requirement::{Access, Allowance};
use crate::selection::CheckedSchema;

/// Register one record: what `#[hc_requires]` expands to, next to the item (the name only has
/// to be unique within the crate). Kept here, beside the reader, so that where records are
/// written and where they are read cannot drift apart. Defined once per target family (not
/// one definition with `#[cfg]`s inside), so that tools which expand macros without
/// evaluating `cfg` inside expansions, such as rust-analyzer, see only the branch that
/// applies.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __register {
    ($name:ident, $record:literal) => {
        #[used]
        #[unsafe(link_section = "hc_schema_sites")]
        static $name: &str = $record;
    };
}

/// Register one record (targets without a linker-section registry: `inventory`).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
#[doc(hidden)]
#[macro_export]
macro_rules! __register {
    ($name:ident, $record:literal) => {
        $crate::__inventory::submit! { $crate::registry::Record($record) }
    };
}

/// A Heroku Connect table that SQL names with a schema qualifier (`salesforce.account`), as a
/// record carries it: the schema as written (folded as PostgreSQL folds it) and the table use
/// at the qualified name (its table spot there, no columns, the use's access and origin).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qualified {
    /// The schema as written.
    pub schema: String,
    /// The table use at the qualified name.
    pub usage: Usage,
}

/// The schema qualifiers compiled into a binary ([`qualifiers`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Qualifiers {
    /// Every qualified table use the records carry, sorted, deduplicated.
    pub uses: Vec<Qualified>,
    /// The first site of each record that does not say whether its SQL qualified a table (a
    /// record written by an hc-schema that did not record qualifiers): not checked, named.
    pub unrecorded: Vec<Site>,
    /// The SQL strings of the registered code that the build could not read (skipped notes,
    /// [`Record::with_unread`]), each with why: their tables and columns are in no record, so
    /// nothing checks them; the release phase names them.
    pub unread: Vec<(Site, String)>,
    /// The first site of each record whose crate sets `[check] unguarded = "warn"`
    /// ([`Record::with_unguarded_warn`]): its SQL strings outside `hc_sql!` and annotated
    /// items are in no record, so the release phase cannot check them and names the class.
    pub unguarded_warn: Vec<Site>,
}

/// One requirement site (an `#[hc_requires]` annotation or an `hc_sql!` query) as compiled
/// into the binary, in the text form [`Record::encode`] writes. The macros generate these;
/// user code reads them through [`usages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record(pub &'static str);

#[cfg(not(any(target_os = "linux", target_os = "android")))]
inventory::collect!(Record);

impl Record {
    /// The text of a record: the file on the first line (backslashes and line breaks
    /// escaped), then one line per usage: a tag (`R` read, `W` write; lower case when the
    /// usage comes from `hc_sql!`; `s` read, `t` write by an SQL string), a space, `table@line:column`, and ` column@line:column` for each
    /// column; after a usage, one line `A<TAB>env<TAB>columns<TAB>reason` per allowance
    /// (columns separated by spaces, the reason escaped like the file).
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Spot, Usage};
    /// use hc_schema_snapshot::registry::Record;
    /// let spot = |name: &str, column| Spot::new(name, 3, column);
    /// let usage = Usage::read("src/a.rs", spot("account", 15), vec![spot("name", 23)]);
    /// let text = Record::encode(&[usage.clone()]);
    /// assert_eq!(text, "src/a.rs\nR account@3:15 name@3:23");
    /// assert_eq!(Record(Box::leak(text.into_boxed_str())).usages(), [usage]);
    /// ```
    pub fn encode(usages: &[Usage]) -> String {
        use std::fmt::Write;
        let Some(first) = usages.first() else {
            return String::new();
        };
        let mut text = escape(&first.file);
        for usage in usages {
            let _ = write!(text, "\n{} ", tag(usage.access, usage.origin));
            push_spot(&mut text, &usage.table);
            for column in &usage.columns {
                text.push(' ');
                push_spot(&mut text, column);
            }
            for allowance in &usage.allowances {
                let _ = write!(
                    text,
                    "\nA\t{}\t{}\t{}",
                    allowance.env,
                    allowance.columns.join(" "),
                    escape(&allowance.reason)
                );
            }
        }
        text
    }

    /// [`Record::encode`], followed by the Heroku Connect schema of every environment the
    /// build of the crate being compiled knows ([`CheckedSchema::of_this_build`], from its build
    /// script): one line `S<TAB>env<TAB>schema<TAB>1` per environment (`0` instead of `1` for
    /// an environment the build did not check against; the schema escaped like the file).
    /// What the macros write, so that the release phase checks the schema the build checked
    /// ([`checked_schemas`]).
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Spot, Usage};
    /// use hc_schema_snapshot::registry::Record;
    /// use hc_schema_snapshot::selection::CheckedSchema;
    /// let usage = Usage::read("src/a.rs", Spot::new("account", 3, 15), vec![]);
    /// let org = CheckedSchema { env: "prod".into(), schema: "org".into(), selected: true };
    /// let text = Record::encode_with_schemas(&[usage.clone()], &[org.clone()]);
    /// assert_eq!(text, "src/a.rs\nR account@3:15\nS\tprod\torg\t1");
    /// let record = Record(Box::leak(text.into_boxed_str()));
    /// assert_eq!((record.usages(), record.schemas()), (vec![usage], vec![org]));
    /// ```
    pub fn encode_for_build(usages: &[Usage]) -> String {
        Record::encode_with_schemas(usages, &CheckedSchema::of_this_build())
    }

    /// [`Record::encode`] with the lines of `schemas` (see [`Record::encode_for_build`]).
    pub fn encode_with_schemas(usages: &[Usage], schemas: &[CheckedSchema]) -> String {
        use std::fmt::Write;
        let mut text = Record::encode(usages);
        if text.is_empty() {
            return text;
        }
        for checked in schemas {
            let _ = write!(
                text,
                "\nS\t{}\t{}\t{}",
                escape(&checked.env),
                escape(&checked.schema),
                if checked.selected { '1' } else { '0' }
            );
        }
        text
    }

    /// [`Record::encode`] with, after each usage, one line per column giving the types the
    /// build checked it against (issue 21): `T<TAB>n<TAB>rust<TAB>env=type<TAB>...`, where `n`
    /// is the column's index in the usage, `rust` the Rust type the use reads or writes it
    /// with (empty when it has none) and `type` the column's type in that selected
    /// environment's snapshot (empty when the snapshot has none), all escaped like the file.
    /// A column of `types` is matched by its site, table and name. Records written before
    /// these lines existed have none: [`Record::types`] then reports the columns as not
    /// recorded, and readers that do not know the lines skip them.
    ///
    /// ```
    /// use hc_schema_snapshot::built::{BuiltType, EnvSpelling};
    /// use hc_schema_snapshot::manifest::{Site, Spot, Usage};
    /// use hc_schema_snapshot::registry::Record;
    /// use hc_schema_snapshot::requirement::Access;
    /// let usage = Usage::read("src/a.rs", Spot::new("account", 3, 15), vec![Spot::new("x", 3, 23)]);
    /// let typed = BuiltType { site: Site { file: "src/a.rs".into(), line: 3, column: 23 },
    ///     table: "account".into(), column: "x".into(), access: Access::Read,
    ///     rust: Some("f64".into()),
    ///     envs: vec![EnvSpelling { env: "prod".into(), spelling: Some("double precision".into()) }] };
    /// let text = Record::encode_typed(&[usage.clone()], &[typed.clone()], &[]);
    /// assert_eq!(text, "src/a.rs\nR account@3:15 x@3:23\nT\t0\tf64\tprod=double precision");
    /// let record = Record(Box::leak(text.into_boxed_str()));
    /// assert_eq!((record.usages(), record.types()), (vec![usage], vec![typed]));
    /// ```
    pub fn encode_typed(
        usages: &[Usage],
        types: &[BuiltType],
        schemas: &[CheckedSchema],
    ) -> String {
        use std::fmt::Write;
        let mut text = Record::encode(usages);
        if text.is_empty() {
            return text;
        }
        // Insert each usage's type lines after its own lines: re-encode usage by usage.
        let mut out = String::with_capacity(text.len() * 2);
        let mut lines = text.split('\n');
        out.push_str(lines.next().unwrap_or_default());
        let mut usage_index = 0usize;
        let mut pending: Option<&Usage> = None;
        let flush = |out: &mut String, usage: Option<&Usage>| {
            let Some(usage) = usage else { return };
            for (n, spot) in usage.columns.iter().enumerate() {
                let site = Site::new(&usage.file, spot);
                let Some(found) = types.iter().find(|t| {
                    t.site == site && t.table == usage.table.name && t.column == spot.name
                }) else {
                    continue;
                };
                let _ = write!(
                    out,
                    "\nT\t{n}\t{}",
                    escape(found.rust.as_deref().unwrap_or_default())
                );
                for env in &found.envs {
                    let _ = write!(
                        out,
                        "\t{}={}",
                        escape(&env.env),
                        escape(env.spelling.as_deref().unwrap_or_default())
                    );
                }
            }
        };
        for line in lines.by_ref() {
            if !line.starts_with("A\t") {
                flush(&mut out, pending.take());
                pending = usages.get(usage_index);
                usage_index += 1;
            }
            out.push('\n');
            out.push_str(line);
        }
        flush(&mut out, pending.take());
        text = out;
        for checked in schemas {
            let _ = write!(
                text,
                "\nS\t{}\t{}\t{}",
                escape(&checked.env),
                escape(&checked.schema),
                if checked.selected { '1' } else { '0' }
            );
        }
        text
    }

    /// [`Record::encode_typed`] with the schemas of this build ([`Record::encode_for_build`]).
    pub fn encode_typed_for_build(usages: &[Usage], types: &[BuiltType]) -> String {
        Record::encode_typed(usages, types, &CheckedSchema::of_this_build())
    }

    /// `text` (a record of [`Record::encode`] and its variants) followed by a bare `Q` line
    /// (the build recorded its schema qualifiers) and one line `Q<TAB>schema<TAB><tag>
    /// table@line:column` per use of `qualified` (the tag as a usage line's, the schema
    /// escaped like the file). An empty `text` stays empty. Readers that do not know the lines
    /// skip them; [`Record::qualifiers`] reads them.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Origin, Spot, Usage};
    /// use hc_schema_snapshot::registry::{Qualified, Record};
    /// let usage = Usage { origin: Origin::Sql,
    ///     ..Usage::read("src/a.rs", Spot::new("account", 3, 15), vec![Spot::new("name", 3, 9)]) };
    /// let at = Usage { columns: vec![], table: Spot::new("account", 3, 26), ..usage.clone() };
    /// let qualified = Qualified { schema: "salesforce".into(), usage: at };
    /// let text = Record::with_qualifiers(Record::encode(&[usage.clone()]), &[qualified.clone()]);
    /// assert_eq!(text, "src/a.rs\nr account@3:15 name@3:9\nQ\nQ\tsalesforce\tr account@3:26");
    /// let record = Record(Box::leak(text.into_boxed_str()));
    /// assert_eq!(record.usages(), [usage]);
    /// assert_eq!(record.qualifiers(), Some(vec![qualified]));
    /// ```
    pub fn with_qualifiers(mut text: String, qualified: &[Qualified]) -> String {
        use std::fmt::Write;
        if text.is_empty() {
            return text;
        }
        text.push_str("\nQ");
        for q in qualified {
            let _ = write!(
                text,
                "\nQ\t{}\t{} ",
                escape(&q.schema),
                tag(q.usage.access, q.usage.origin)
            );
            push_spot(&mut text, &q.usage.table);
        }
        text
    }

    /// `text` (a record) followed by one line `U<TAB>line:column<TAB>why` per SQL string of the
    /// annotated item that the build could not read (`unread`: where it starts in the record's
    /// file, and why; escaped like the file). An empty `text` stays empty; readers that do not
    /// know the lines skip them; [`Record::unread`] reads them.
    ///
    /// ```
    /// use hc_schema_snapshot::manifest::{Site, Spot, Usage};
    /// use hc_schema_snapshot::registry::Record;
    /// let usage = Usage::read("src/a.rs", Spot::new("account", 3, 15), vec![Spot::new("name", 3, 23)]);
    /// let text = Record::with_unread(Record::encode(&[usage.clone()]), &[(5, 9, "it does not parse".into())]);
    /// assert_eq!(text, "src/a.rs\nR account@3:15 name@3:23\nU\t5:9\tit does not parse");
    /// let record = Record(Box::leak(text.into_boxed_str()));
    /// assert_eq!(record.usages(), [usage]);
    /// let site = Site { file: "src/a.rs".into(), line: 5, column: 9 };
    /// assert_eq!(record.unread(), [(site, "it does not parse".to_string())]);
    /// ```
    pub fn with_unread(mut text: String, unread: &[(u32, u32, String)]) -> String {
        use std::fmt::Write;
        if text.is_empty() {
            return text;
        }
        for (line, column, why) in unread {
            let _ = write!(text, "\nU\t{line}:{column}\t{}", escape(why));
        }
        text
    }

    /// `text` (a record) followed by a line `G` when `warned` (its crate's `[check] unguarded`
    /// is `"warn"`): the build then lets SQL strings outside `hc_sql!` and outside annotated
    /// items through, and no macro receives them, so no record holds them; the release phase
    /// says so ([`Qualifiers::unguarded_warn`]) instead of an unqualified ok. An empty `text`
    /// stays empty; readers that do not know the line skip it.
    ///
    /// ```
    /// use hc_schema_snapshot::registry::Record;
    ///
    /// let text = Record::with_unguarded_warn("src/a.rs\nR account@3:15".to_string(), true);
    /// assert_eq!(text, "src/a.rs\nR account@3:15\nG");
    /// assert!(Record(Box::leak(text.into_boxed_str())).unguarded_warn());
    /// ```
    pub fn with_unguarded_warn(mut text: String, warned: bool) -> String {
        if warned && !text.is_empty() {
            text.push_str("\nG");
        }
        text
    }

    /// The crate-level record of a crate built with `[check] unguarded = "warn"`, `manifest`
    /// its `Cargo.toml` as shown: no usage, only the `G` line
    /// ([`Record::with_unguarded_warn`]), which the release phase reports at the manifest
    /// (line 1) whether or not an annotation or `hc_sql!` of the crate made a record. The
    /// build script compiles it in (see `build::configure`).
    ///
    /// ```
    /// use hc_schema_snapshot::registry::{qualifiers_of, Record};
    /// use hc_schema_snapshot::manifest::Site;
    ///
    /// let text = Record::crate_level("app/Cargo.toml");
    /// assert_eq!(text, "app/Cargo.toml\nG");
    /// let record = Record(Box::leak(text.into_boxed_str()));
    /// assert!(record.usages().is_empty());
    /// let site = Site { file: "app/Cargo.toml".into(), line: 1, column: 1 };
    /// assert_eq!(qualifiers_of([record]).unguarded_warn, [site]);
    /// assert!(qualifiers_of([record]).unrecorded.is_empty());
    /// ```
    pub fn crate_level(manifest: &str) -> String {
        format!("{}\nG", escape(manifest))
    }

    /// The record's file (its first line), as the sites show it.
    pub fn file(&self) -> String {
        unescape(self.0.split('\n').next().unwrap_or_default()).replace('\\', "/")
    }

    /// Whether the record says its crate let unguarded strings through unregistered
    /// ([`Record::with_unguarded_warn`]).
    pub fn unguarded_warn(&self) -> bool {
        self.0.split('\n').skip(1).any(|line| line == "G")
    }

    /// The SQL strings the build could not read ([`Record::with_unread`]), with why; malformed
    /// lines are skipped.
    pub fn unread(&self) -> Vec<(Site, String)> {
        let mut lines = self.0.split('\n');
        let Some(file) = lines.next().map(|f| unescape(f).replace('\\', "/")) else {
            return Vec::new();
        };
        lines
            .filter_map(|line| {
                let (at, why) = line.strip_prefix("U\t")?.split_once('\t')?;
                let (line, column) = at.split_once(':')?;
                Some((
                    Site {
                        file: file.clone(),
                        line: line.parse().ok()?,
                        column: column.parse().ok()?,
                    },
                    unescape(why),
                ))
            })
            .collect()
    }

    /// The qualified table uses this record carries ([`Record::with_qualifiers`]); `None` when
    /// the record does not say (no bare `Q` line: written by an hc-schema that did not record
    /// them). Malformed lines are skipped.
    pub fn qualifiers(&self) -> Option<Vec<Qualified>> {
        let mut lines = self.0.split('\n');
        let file = unescape(lines.next()?).replace('\\', "/");
        let mut recorded = false;
        let mut out = Vec::new();
        for line in lines {
            if line == "Q" {
                recorded = true;
                continue;
            }
            let Some(rest) = line.strip_prefix("Q\t") else {
                continue;
            };
            let Some((schema, usage)) = rest.split_once('\t') else {
                continue;
            };
            if let Some(usage) = usage_line(usage, &file).filter(|u| u.columns.is_empty()) {
                out.push(Qualified {
                    schema: unescape(schema),
                    usage,
                });
            }
        }
        recorded.then_some(out)
    }

    /// The column types this record carries ([`Record::encode_typed`]); malformed lines are
    /// skipped, and a column without a line is not recorded.
    pub fn types(&self) -> Vec<BuiltType> {
        let mut out = Vec::new();
        let usages = self.usages();
        let mut current: Option<&Usage> = None;
        let mut index = 0usize;
        for line in self.0.split('\n').skip(1) {
            if let Some(rest) = line.strip_prefix("T\t") {
                let Some(usage) = current else { continue };
                let mut parts = rest.split('\t');
                let (Some(n), Some(rust)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let Some(spot) = n.parse::<usize>().ok().and_then(|n| usage.columns.get(n)) else {
                    continue;
                };
                let envs = parts
                    .filter_map(|part| {
                        let (env, spelling) = part.split_once('=')?;
                        let spelling = unescape(spelling);
                        Some(EnvSpelling {
                            env: unescape(env),
                            spelling: (!spelling.is_empty()).then_some(spelling),
                        })
                    })
                    .collect();
                let rust = unescape(rust);
                out.push(BuiltType {
                    site: Site::new(&usage.file, spot),
                    table: usage.table.name.clone(),
                    column: spot.name.clone(),
                    access: usage.access,
                    rust: (!rust.is_empty()).then_some(rust),
                    envs,
                });
                continue;
            }
            if is_usage_line(line) {
                current = usages.get(index);
                index += 1;
            }
        }
        out
    }

    /// The schema lines of this record ([`Record::encode_for_build`]); malformed ones are
    /// skipped.
    pub fn schemas(&self) -> Vec<CheckedSchema> {
        self.0
            .split('\n')
            .filter_map(|line| {
                let mut parts = line.strip_prefix("S\t")?.split('\t');
                let (env, schema, selected) = (parts.next()?, parts.next()?, parts.next()?);
                Some(CheckedSchema {
                    env: unescape(env),
                    schema: unescape(schema),
                    selected: selected == "1",
                })
            })
            .collect()
    }

    /// The usages this record describes. A malformed part is skipped: records are only ever
    /// written by [`Record::encode`], in the same build.
    pub fn usages(&self) -> Vec<Usage> {
        let mut lines = self.0.split('\n');
        let Some(file) = lines.next().filter(|file| !file.is_empty()) else {
            return Vec::new();
        };
        let file = unescape(file).replace('\\', "/");
        let mut usages: Vec<Usage> = Vec::new();
        for line in lines {
            if let Some(rest) = line.strip_prefix("A\t") {
                let mut parts = rest.splitn(3, '\t');
                let (Some(env), Some(columns), Some(reason), Some(usage)) =
                    (parts.next(), parts.next(), parts.next(), usages.last_mut())
                else {
                    continue;
                };
                usage.allowances.push(Allowance {
                    env: env.to_string(),
                    table: usage.table.name.clone(),
                    columns: columns
                        .split(' ')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                    reason: unescape(reason),
                });
                continue;
            }
            if let Some(usage) = usage_line(line, &file) {
                usages.push(usage);
            }
        }
        usages
    }
}

/// The tag of a usage line.
fn tag(access: Access, origin: Origin) -> char {
    match (access, origin) {
        (Access::Read, Origin::Annotation) => 'R',
        (Access::Write, Origin::Annotation) => 'W',
        (Access::Read, Origin::Sql) => 'r',
        (Access::Write, Origin::Sql) => 'w',
        (Access::Read, Origin::String) => 's',
        (Access::Write, Origin::String) => 't',
    }
}

/// A usage line (`<tag> table@l:c column@l:c ...`) of a record of `file`, or `None`.
fn usage_line(line: &str, file: &str) -> Option<Usage> {
    let (access, origin) = match line.get(..2) {
        Some("R ") => (Access::Read, Origin::Annotation),
        Some("W ") => (Access::Write, Origin::Annotation),
        Some("r ") => (Access::Read, Origin::Sql),
        Some("w ") => (Access::Write, Origin::Sql),
        Some("s ") => (Access::Read, Origin::String),
        Some("t ") => (Access::Write, Origin::String),
        _ => return None,
    };
    let mut spots = line[2..].split(' ').map(spot);
    let table = spots.next()??;
    let columns = spots.collect::<Option<Vec<Spot>>>()?;
    Some(Usage {
        file: file.to_string(),
        table,
        columns,
        access,
        allowances: Vec::new(),
        origin,
    })
}

/// Whether `line` of a record is a usage line that [`Record::usages`] reads (a tag, a space,
/// and spots that parse).
fn is_usage_line(line: &str) -> bool {
    matches!(line.get(..2), Some("R " | "W " | "r " | "w " | "s " | "t ")) && {
        let mut spots = line[2..].split(' ').map(spot);
        matches!(spots.next(), Some(Some(_))) && spots.all(|s| s.is_some())
    }
}

fn push_spot(text: &mut String, spot: &Spot) {
    use std::fmt::Write;
    let _ = write!(text, "{}@{}:{}", spot.name, spot.line, spot.column);
}

fn spot(text: &str) -> Option<Spot> {
    let (name, position) = text.rsplit_once('@')?;
    let (line, column) = position.split_once(':')?;
    Some(Spot::new(name, line.parse().ok()?, column.parse().ok()?))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

fn unescape(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    let mut chars = file.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Every record linked into this binary (ELF: the `hc_schema_sites` section).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn records() -> &'static [&'static str] {
    // Guarantees that the section, and so its bounds, exist when no annotation is linked. It
    // is referenced below instead of being `#[used]`: a `#[used]` static would make every
    // binary that links this crate pull in this object file, needed or not.
    #[unsafe(link_section = "hc_schema_sites")]
    static EMPTY: &str = "";
    std::hint::black_box(&EMPTY);
    // The section's bounds, defined by the linker (only their addresses are used).
    unsafe extern "C" {
        #[link_name = "__start_hc_schema_sites"]
        static START: [u8; 0];
        #[link_name = "__stop_hc_schema_sites"]
        static STOP: [u8; 0];
    }
    // SAFETY: the linker concatenates every `hc_schema_sites` input section, and the only
    // things placed there are `&'static str` statics (the macro's and `EMPTY`), all of the same
    // size and alignment, so the bytes between the bounds are an array of them.
    unsafe {
        let start = std::ptr::addr_of!(START).cast::<&'static str>();
        let stop = std::ptr::addr_of!(STOP).cast::<&'static str>();
        let len = (stop as usize - start as usize) / std::mem::size_of::<&str>();
        std::slice::from_raw_parts(start, len)
    }
}

/// Every record linked into this binary (other targets: `inventory`).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn records() -> Vec<&'static str> {
    inventory::iter::<Record>
        .into_iter()
        .map(|record| record.0)
        .collect()
}

/// The Heroku Connect schemas the builds of the registered code knew, each environment once
/// per schema (sorted): what the release-phase verify checks ([`crate::verify::release_phase`]).
/// Empty when no record carries one (no record, or records of a crate built without a build
/// script).
pub fn checked_schemas() -> Vec<CheckedSchema> {
    let mut list: Vec<CheckedSchema> = records()
        .iter()
        .flat_map(|text| Record(text).schemas())
        .collect();
    list.sort();
    list.dedup();
    list
}

/// The column types the builds of the registered code checked against
/// ([`Record::encode_typed`]): what the release-phase verify compares the live types with. A
/// column without recorded types (a record written by an hc-schema without type records) is
/// absent: [`BuiltTypes::get`] says so, and the verify names it.
pub fn built_types() -> BuiltTypes {
    BuiltTypes::from_list(records().iter().flat_map(|text| Record(text).types()))
}

/// The schema qualifiers the SQL of the registered code wrote ([`Record::with_qualifiers`]),
/// and the records that do not say: what the release-phase verify judges against the live
/// schema (`verify::judge_qualifiers`).
pub fn qualifiers() -> Qualifiers {
    qualifiers_of(records().iter().map(|text| Record(text)))
}

/// The qualifiers of `records` ([`qualifiers`]).
pub fn qualifiers_of(records: impl IntoIterator<Item = Record>) -> Qualifiers {
    let mut out = Qualifiers::default();
    for record in records {
        out.unread.extend(record.unread());
        if record.unguarded_warn() {
            match record.usages().first() {
                Some(first) => out.unguarded_warn.push(first.site()),
                // A crate-level record: its manifest.
                None => out.unguarded_warn.push(Site {
                    file: record.file(),
                    line: 1,
                    column: 1,
                }),
            }
        }
        match record.qualifiers() {
            Some(uses) => out.uses.extend(uses),
            None => {
                if let Some(first) = record.usages().first() {
                    out.unrecorded.push(first.site());
                }
            }
        }
    }
    out.uses.sort();
    out.uses.dedup();
    out.unrecorded.sort();
    out.unrecorded.dedup();
    out.unread.sort();
    out.unread.dedup();
    out.unguarded_warn.sort();
    out.unguarded_warn.dedup();
    out
}

/// Every registered annotation site, sorted by file and position, deduplicated.
pub fn usages() -> Vec<Usage> {
    let mut usages: Vec<Usage> = records()
        .iter()
        .flat_map(|text| Record(text).usages())
        .collect();
    usages.sort();
    usages.dedup();
    usages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spot(name: &str, line: u32, column: u32) -> Spot {
        Spot::new(name, line, column)
    }

    #[test]
    fn records_round_trip_with_odd_file_names_writes_sql_and_allowances() {
        let file = "C:\\src\\odd\nname\t.rs";
        let mut read = Usage::read(
            file,
            spot("account", 1, 2),
            vec![spot("name", 1, 10), spot("type", 2, 1)],
        );
        read.allowances.push(Allowance {
            env: "prod".into(),
            table: "account".into(),
            columns: vec!["type".into()],
            reason: "behind a flag\twith\ttabs\nand a line".into(),
        });
        let write = Usage {
            access: Access::Write,
            origin: Origin::Sql,
            ..Usage::read(file, spot("contact", 3, 4), vec![])
        };
        let text = Record::encode(&[read.clone(), write.clone()]);
        let usages = Record(Box::leak(text.into_boxed_str())).usages();
        let expected_file = "C:/src/odd\nname\t.rs";
        assert_eq!(usages.len(), 2);
        assert_eq!(usages[0].file, expected_file);
        assert_eq!(usages[0].allowances, read.allowances);
        assert_eq!(usages[0].columns[1].line, 2);
        assert_eq!(
            (usages[1].access, usages[1].origin),
            (Access::Write, Origin::Sql)
        );
        assert!(usages[1].columns.is_empty());
    }

    #[test]
    fn types_round_trip_and_old_records_have_none() {
        use crate::built::{BuiltType, EnvSpelling};
        let file = "src/a\tb.rs";
        let mut read = Usage::read(
            file,
            spot("account", 1, 2),
            vec![spot("x", 1, 10), spot("y", 1, 20)],
        );
        read.allowances.push(Allowance {
            env: "prod".into(),
            table: "account".into(),
            columns: vec!["y".into()],
            reason: "r".into(),
        });
        let write = Usage {
            access: Access::Write,
            ..Usage::read(file, spot("contact", 3, 4), vec![spot("email", 3, 9)])
        };
        let typed = |usage: &Usage, n: usize, rust: Option<&str>, envs: &[(&str, Option<&str>)]| {
            BuiltType {
                site: Site::new(file, &usage.columns[n]),
                table: usage.table.name.clone(),
                column: usage.columns[n].name.clone(),
                access: usage.access,
                rust: rust.map(str::to_string),
                envs: envs
                    .iter()
                    .map(|(env, ty)| EnvSpelling {
                        env: env.to_string(),
                        spelling: ty.map(str::to_string),
                    })
                    .collect(),
            }
        };
        let types = vec![
            typed(
                &read,
                0,
                Some("f64"),
                &[("prod", Some("double precision")), ("test", None)],
            ),
            // y: not recorded (no line).
            typed(&write, 0, None, &[("prod", Some("character varying(80)"))]),
        ];
        let schema = CheckedSchema {
            env: "prod".into(),
            schema: "salesforce".into(),
            selected: true,
        };
        let text = Record::encode_typed(
            &[read.clone(), write.clone()],
            &types,
            std::slice::from_ref(&schema),
        );
        let record = Record(Box::leak(text.into_boxed_str()));
        let mut expected_read = read.clone();
        expected_read.file = file.to_string();
        assert_eq!(record.usages(), [expected_read, write]);
        assert_eq!(record.types(), types);
        assert_eq!(record.schemas(), [schema]);
        // A record without type lines (an older build): no types, usages unchanged.
        let old = Record::encode(&[read.clone()]);
        let old = Record(Box::leak(old.into_boxed_str()));
        assert!(old.types().is_empty());
        assert_eq!(old.usages().len(), 1);
    }

    #[test]
    fn seeded_records_never_panic() {
        // Generated input: records cut and spliced at random; reading never panics, and every
        // type read points at a column of a usage read.
        let usage = Usage::read("src/a.rs", spot("account", 1, 2), vec![spot("x", 1, 5)]);
        let built = crate::built::BuiltType {
            site: Site::new("src/a.rs", &usage.columns[0]),
            table: "account".into(),
            column: "x".into(),
            access: Access::Read,
            rust: Some("f64".into()),
            envs: vec![EnvSpelling {
                env: "test".into(),
                spelling: Some("double precision".into()),
            }],
        };
        let text = Record::encode_typed(&[usage.clone(), usage], &[built], &[]);
        let bytes: Vec<char> = text.chars().collect();
        let mut rng = crate::testing::Rng::exact(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: usize| rng.below(n.max(1));
        for _ in 0..3000 {
            let (a, b) = (next(bytes.len()), next(bytes.len()));
            let (a, b) = (a.min(b), a.max(b));
            let mut mutated: String = bytes[..a].iter().collect();
            mutated.push(['\t', '\n', '=', 'T', '9', ' '][next(6)]);
            mutated.extend(&bytes[b..]);
            let record = Record(Box::leak(mutated.into_boxed_str()));
            let usages = record.usages();
            for t in record.types() {
                assert!(usages.iter().any(
                    |u| u.table.name == t.table && u.columns.iter().any(|c| c.name == t.column)
                ));
            }
        }
    }

    #[test]
    fn qualifiers_round_trip_and_old_records_say_they_did_not_record_them() {
        let file = "src/odd\tname.rs";
        let read = Usage {
            origin: Origin::Sql,
            ..Usage::read(file, spot("account", 3, 15), vec![spot("name", 3, 9)])
        };
        let write = Usage {
            access: Access::Write,
            origin: Origin::String,
            ..Usage::read(file, spot("contact", 4, 8), vec![spot("email", 4, 30)])
        };
        let qualified = vec![
            Qualified {
                schema: "sales\tforce".into(),
                usage: Usage {
                    columns: vec![],
                    table: spot("account", 3, 26),
                    ..read.clone()
                },
            },
            Qualified {
                schema: "org".into(),
                usage: Usage {
                    columns: vec![],
                    table: spot("contact", 4, 12),
                    ..write.clone()
                },
            },
        ];
        let schema = CheckedSchema {
            env: "test".into(),
            schema: "salesforce".into(),
            selected: true,
        };
        let types = vec![crate::built::BuiltType {
            site: Site::new(file, &read.columns[0]),
            table: "account".into(),
            column: "name".into(),
            access: Access::Read,
            rust: None,
            envs: vec![],
        }];
        let usages = [read.clone(), write.clone()];
        let text = Record::with_qualifiers(
            Record::encode_typed(&usages, &types, std::slice::from_ref(&schema)),
            &qualified,
        );
        let record = Record(Box::leak(text.into_boxed_str()));
        // Every other reading is unchanged by the new lines.
        assert_eq!(record.usages(), usages);
        assert_eq!(record.types(), types);
        assert_eq!(record.schemas(), [schema]);
        assert_eq!(record.qualifiers(), Some(qualified.clone()));
        let all = qualifiers_of([record]);
        assert!(all.unrecorded.is_empty());
        assert_eq!(all.uses.len(), 2);
        // Recorded, none qualified: an empty list, not "not recorded".
        let none = Record::with_qualifiers(Record::encode(&usages), &[]);
        assert_eq!(
            Record(Box::leak(none.into_boxed_str())).qualifiers(),
            Some(vec![])
        );
        // A record of an older build: not recorded, named by its first site.
        let old = Record::encode_typed(&usages, &types, &[]);
        let old = Record(Box::leak(old.into_boxed_str()));
        assert_eq!(old.qualifiers(), None);
        let all = qualifiers_of([old]);
        assert!(all.uses.is_empty());
        assert_eq!(all.unrecorded, [read.site()]);
        assert!(Record::with_qualifiers(String::new(), &qualified).is_empty());
    }

    #[test]
    fn the_empty_record_is_nothing() {
        assert!(Record("").usages().is_empty());
        assert!(Record::encode(&[]).is_empty());
    }
}
