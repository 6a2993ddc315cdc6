//! The requirements compiled into this binary.
//!
//! Every `#[hc_requires]` also registers its requirements here (through `inventory`), so a
//! running program can list everything it was compiled to need, across all crates it links,
//! and check them against the live database in the release phase.
//!
//! ```
//! // In a binary whose code uses #[hc_requires], this lists every annotation:
//! for usage in hc_schema_snapshot::registry::usages() {
//!     println!("{}:{} needs {}", usage.file, usage.table.line, usage.table.name);
//! }
//! ```

use crate::manifest::{Spot, Usage};

/// A name and where it is written, as compiled into the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteName {
    /// The normalised name.
    pub name: &'static str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// One table group of one `#[hc_requires]` annotation, as compiled into the binary. The macro
/// generates these; user code reads them through [`usages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// Source file, as rustc names it (relative to the workspace).
    pub file: &'static str,
    /// The table.
    pub table: SiteName,
    /// The columns.
    pub columns: &'static [SiteName],
}

inventory::collect!(Site);

fn spot(name: &SiteName) -> Spot {
    Spot {
        name: name.name.to_string(),
        line: name.line,
        column: name.column,
    }
}

/// Every registered annotation site, sorted by file and position, deduplicated.
pub fn usages() -> Vec<Usage> {
    let mut usages: Vec<Usage> = inventory::iter::<Site>
        .into_iter()
        .map(|site| Usage {
            file: site.file.replace('\\', "/"),
            table: spot(&site.table),
            columns: site.columns.iter().map(spot).collect(),
        })
        .collect();
    usages.sort();
    usages.dedup();
    usages
}
