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

use crate::manifest::{Spot, Usage};

/// Register one record: what `#[hc_requires]` expands to, next to the item (the name only has
/// to be unique within the crate). Kept here, beside the reader, so that where records are
/// written and where they are read cannot drift apart.
#[doc(hidden)]
#[macro_export]
macro_rules! __register {
    ($name:ident, $record:literal) => {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        #[used]
        #[unsafe(link_section = "hc_schema_sites")]
        static $name: &str = $record;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        $crate::__inventory::submit! { $crate::registry::Record($record) }
    };
}

/// One `#[hc_requires]` annotation as compiled into the binary, in the text form
/// [`Record::encode`] writes. The macro generates these; user code reads them through
/// [`usages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record(pub &'static str);

#[cfg(not(any(target_os = "linux", target_os = "android")))]
inventory::collect!(Record);

/// A name and its 1-based position, as the macro hands it to [`Record::encode`].
pub type Located<'a> = (&'a str, u32, u32);

impl Record {
    /// The text of a record: the file on the first line, then one line per table group,
    /// `table@line:column` followed by ` column@line:column` for each column. Backslashes and
    /// line breaks in the file name are escaped.
    ///
    /// ```
    /// use hc_schema_snapshot::registry::Record;
    /// let text = Record::encode("src/a.rs", &[(("account", 3, 15), vec![("name", 3, 23)])]);
    /// assert_eq!(text, "src/a.rs\naccount@3:15 name@3:23");
    /// let usages = Record(Box::leak(text.into_boxed_str())).usages();
    /// assert_eq!(usages[0].columns[0].name, "name");
    /// assert_eq!(usages[0].columns[0].column, 23);
    /// ```
    pub fn encode(file: &str, groups: &[(Located<'_>, Vec<Located<'_>>)]) -> String {
        let mut text = file
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        for (table, columns) in groups {
            text.push('\n');
            push_located(&mut text, table);
            for column in columns {
                text.push(' ');
                push_located(&mut text, column);
            }
        }
        text
    }

    /// The usages this record describes (one per table group). A malformed part is skipped:
    /// records are only ever written by [`Record::encode`].
    pub fn usages(&self) -> Vec<Usage> {
        let mut lines = self.0.split('\n');
        let Some(file) = lines.next().filter(|file| !file.is_empty()) else {
            return Vec::new();
        };
        let file = unescape(file).replace('\\', "/");
        lines
            .filter_map(|line| {
                let mut spots = line.split(' ').map(spot);
                let table = spots.next()??;
                let columns = spots.collect::<Option<Vec<Spot>>>()?;
                Some(Usage {
                    file: file.clone(),
                    table,
                    columns,
                })
            })
            .collect()
    }
}

fn push_located(text: &mut String, (name, line, column): &Located<'_>) {
    use std::fmt::Write;
    let _ = write!(text, "{name}@{line}:{column}");
}

fn spot(text: &str) -> Option<Spot> {
    let (name, position) = text.rsplit_once('@')?;
    let (line, column) = position.split_once(':')?;
    Some(Spot {
        name: name.to_string(),
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    })
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

    #[test]
    fn records_round_trip_with_odd_file_names() {
        let text = Record::encode(
            "C:\\src\\odd\nname.rs",
            &[
                (("account", 1, 2), vec![("name", 1, 10), ("type", 2, 1)]),
                (("user", 3, 4), vec![]),
            ],
        );
        let usages = Record(Box::leak(text.into_boxed_str())).usages();
        assert_eq!(usages.len(), 2);
        assert_eq!(usages[0].file, "C:/src/odd\nname.rs");
        assert_eq!(usages[0].columns[1].line, 2);
        assert_eq!(usages[1].table.name, "user");
    }

    #[test]
    fn the_empty_record_is_nothing() {
        assert!(Record("").usages().is_empty());
    }
}
