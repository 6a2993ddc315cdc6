//! The SQL strings of one annotated item, checked at build time exactly as `hc-schema check`
//! checks them: the attribute hands over the item's literals (found by
//! [`crate::scan::item::sql_literals`]) and the annotations around them, and they go through
//! the same lint ([`super::check`]) over a scan of that one item, so that the build and
//! `check` find the same things with the same words.

use crate::manifest::Usage;
use crate::scan::{AnnotationSite, Container, Extent, Position, Scan, SqlLiteral, StrLiteral};
use crate::sql::Context;

use super::{Read, SqlChecks};

/// The note put first on a finding of a use that an SQL string makes and no annotation
/// declares (origin [`crate::manifest::Origin::String`]), by `check` and by the build.
pub const STRING_NOTE: &str = "used by an SQL string that no #[hc_requires] declares: \
    `undeclared`/`unguarded = \"warn\"` soften only the missing declaration, never this";

/// An annotation around an item's literals: the item's own, or that of an item it is nested
/// in.
#[derive(Debug, Clone)]
pub struct ItemAnnotation {
    /// Where its path starts.
    pub position: Position,
    /// Its table groups.
    pub usages: Vec<Usage>,
}

/// The SQL checks of the literals of one item in `file` (each with its container), inside
/// `annotations` (outermost first; the item's own last), their texts read by `read`.
pub fn check_item(
    file: &str,
    annotations: &[ItemAnnotation],
    literals: Vec<(StrLiteral, Option<Container>)>,
    context: &Context<'_>,
    read: Read<'_>,
) -> SqlChecks {
    let mut scan = Scan::default();
    for annotation in annotations {
        let start = scan.usages.len();
        scan.usages.extend(annotation.usages.iter().cloned());
        scan.annotations.push(AnnotationSite {
            file: file.to_string(),
            position: annotation.position,
            item: Extent::default(),
            conditional: Vec::new(),
            usages: start..scan.usages.len(),
            allowances: Vec::new(),
        });
    }
    scan.sql_literals = literals
        .into_iter()
        .map(|(literal, container)| SqlLiteral {
            file: file.to_string(),
            literal,
            container,
            annotations: (0..annotations.len()).collect(),
            hc_sql: None,
            in_malformed_annotation: false,
        })
        .collect();
    super::check_reading(&scan, context, read)
}
