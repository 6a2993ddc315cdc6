//! An [`Analysis`] as bytes, for the on-disk cache: written by [`encode`], read back by
//! [`decode`], which checks everything (a damaged entry reads as `None`, never as a wrong or
//! out-of-range analysis, never a panic).
//!
//! It lives next to [`Analysis`] and takes every value apart with an exhaustive pattern, so
//! that a field added to the analysis is a compile error here until the codec carries it (a
//! field left out would vanish through the macro's cache without a word).
//!
//! Layout, numbers u32 little endian, strings as a length and UTF-8 bytes: the statement kind
//! (one byte, 0 = none); the number of table uses, each: access (one byte, 0 read, 1 write),
//! table, start, end, the number of columns, each: column, start, end, the number of schema
//! qualifiers, each: schema, start, end; the number of wildcards, each: table, start, end; the number of column placeholders, each: start, end.
//! Offsets are byte offsets into the SQL, checked against it on decoding (in range, on
//! character boundaries).

use std::ops::Range;

use super::analysis::{Analysis, ColumnUse, Qualifier, StatementKind, TableUse, WildcardUse};
use crate::requirement::Access;

/// The layout's version: part of every cache key, bump it when the layout or the meaning of
/// [`Analysis`] or of [`Shape`](super::Shape) ([`shape_codec`](super::shape_codec)) changes.
pub const VERSION: u32 = 5;

const KINDS: [StatementKind; 6] = [
    StatementKind::Query,
    StatementKind::Insert,
    StatementKind::Update,
    StatementKind::Delete,
    StatementKind::Merge,
    StatementKind::Other,
];

/// `analysis` as bytes.
pub fn encode(analysis: &Analysis) -> Vec<u8> {
    let Analysis {
        kind,
        tables,
        wildcards,
        placeholder_columns,
    } = analysis;
    let mut out = Vec::with_capacity(64 + 32 * tables.len());
    let kind = kind
        .and_then(|kind| KINDS.iter().position(|k| *k == kind))
        .map_or(0, |i| i as u8 + 1);
    out.push(kind);
    number(&mut out, tables.len());
    for TableUse {
        table,
        access,
        at,
        columns,
        qualified,
    } in tables
    {
        out.push(match access {
            Access::Read => 0,
            Access::Write => 1,
        });
        name(&mut out, table, at);
        number(&mut out, columns.len());
        for ColumnUse { column, at } in columns {
            name(&mut out, column, at);
        }
        number(&mut out, qualified.len());
        for Qualifier { schema, at } in qualified {
            name(&mut out, schema, at);
        }
    }
    number(&mut out, wildcards.len());
    for WildcardUse { table, at } in wildcards {
        name(&mut out, table, at);
    }
    number(&mut out, placeholder_columns.len());
    for at in placeholder_columns {
        number(&mut out, at.start);
        number(&mut out, at.end);
    }
    out
}

pub(super) fn number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

pub(super) fn name(out: &mut Vec<u8>, text: &str, at: &Range<usize>) {
    number(out, text.len());
    out.extend_from_slice(text.as_bytes());
    number(out, at.start);
    number(out, at.end);
}

/// The analysis [`encode`] wrote for `sql`, or `None` when `bytes` are not exactly one
/// well-formed analysis whose offsets fit `sql`.
pub fn decode(bytes: &[u8], sql: &str) -> Option<Analysis> {
    let mut reader = Reader { rest: bytes, sql };
    let kind = match reader.byte()? {
        0 => None,
        k => Some(*KINDS.get(k as usize - 1)?),
    };
    let mut tables = Vec::new();
    for _ in 0..reader.count()? {
        let access = match reader.byte()? {
            0 => Access::Read,
            1 => Access::Write,
            _ => return None,
        };
        let (table, at) = reader.name()?;
        let mut columns = Vec::new();
        for _ in 0..reader.count()? {
            let (column, at) = reader.name()?;
            columns.push(ColumnUse { column, at });
        }
        let mut qualified = Vec::new();
        for _ in 0..reader.count()? {
            let (schema, at) = reader.name()?;
            qualified.push(Qualifier { schema, at });
        }
        tables.push(TableUse {
            table,
            access,
            at,
            columns,
            qualified,
        });
    }
    let mut wildcards = Vec::new();
    for _ in 0..reader.count()? {
        let (table, at) = reader.name()?;
        wildcards.push(WildcardUse { table, at });
    }
    let mut placeholder_columns = Vec::new();
    for _ in 0..reader.count_of(8)? {
        placeholder_columns.push(reader.range()?);
    }
    let analysis = Analysis {
        kind,
        tables,
        wildcards,
        placeholder_columns,
    };
    reader.rest.is_empty().then_some(analysis)
}

/// Reads the bytes left (`rest`) with slice patterns: no call per number at opt-level 0.
pub(super) struct Reader<'a> {
    pub(super) rest: &'a [u8],
    pub(super) sql: &'a str,
}

impl Reader<'_> {
    pub(super) fn byte(&mut self) -> Option<u8> {
        let [byte, rest @ ..] = self.rest else {
            return None;
        };
        self.rest = rest;
        Some(*byte)
    }

    pub(super) fn number(&mut self) -> Option<usize> {
        let [a, b, c, d, rest @ ..] = self.rest else {
            return None;
        };
        self.rest = rest;
        Some((*a as usize) | (*b as usize) << 8 | (*c as usize) << 16 | (*d as usize) << 24)
    }

    /// A count of items, each at least 9 bytes long: never more than the bytes left allow (a
    /// damaged count cannot make a loop run long).
    pub(super) fn count(&mut self) -> Option<usize> {
        self.count_of(9)
    }

    /// A count of items, each at least `size` bytes long.
    pub(super) fn count_of(&mut self, size: usize) -> Option<usize> {
        let count = self.number()?;
        (count <= self.rest.len() / size).then_some(count)
    }

    /// A name and its place in the SQL.
    pub(super) fn name(&mut self) -> Option<(String, Range<usize>)> {
        let len = self.number()?;
        if len > self.rest.len() {
            return None;
        }
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        let text = std::str::from_utf8(text).ok()?.to_string();
        Some((text, self.range()?))
    }

    /// A byte range of the SQL: in range, on character boundaries.
    pub(super) fn range(&mut self) -> Option<Range<usize>> {
        let (start, end) = (self.number()?, self.number()?);
        let fits = start <= end
            && end <= self.sql.len()
            && self.sql.is_char_boundary(start)
            && self.sql.is_char_boundary(end);
        fits.then_some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{analyze, Context, Union};
    use crate::Snapshot;

    fn context_snapshot() -> Snapshot {
        Snapshot::parse(
            r#"{"format":1,"environment":"t","schema":"salesforce","tables":{
                "account":{"columns":{"sfid":{},"name":{},"isdeleted":{},"é":{}}},
                "contact":{"columns":{"sfid":{},"email":{},"accountid":{}}}}}"#,
            "t.json",
            "t",
        )
        .unwrap()
    }

    const QUERIES: [&str; 6] = [
        "SELECT a.name, email FROM salesforce.account a JOIN contact c ON c.accountid = a.sfid",
        "UPDATE contact SET email = $1 WHERE sfid = $2 RETURNING accountid",
        "INSERT INTO account (name) VALUES ('é') ON CONFLICT (sfid) DO UPDATE SET name = EXCLUDED.name",
        "SELECT * FROM account, contact c WHERE c.email = 'x'",
        "DELETE FROM account WHERE \"é\" = 1",
        "SET search_path = x",
    ];

    #[test]
    fn real_analyses_round_trip() {
        let snapshot = context_snapshot();
        let union = Union::new([&snapshot]);
        let context = Context::new(["salesforce"], &union);
        let mut seen_write = false;
        for sql in QUERIES {
            let Ok(analysis) = analyze(sql, &context) else {
                continue;
            };
            seen_write |= analysis.tables.iter().any(|t| t.access == Access::Write);
            assert_eq!(decode(&encode(&analysis), sql), Some(analysis), "{sql}");
        }
        assert!(seen_write);
        // A schema qualifier survives the trip.
        let sql = QUERIES[0];
        let analysis = analyze(sql, &context).unwrap();
        assert_eq!(analysis.tables[0].qualified[0].schema, "salesforce");
        assert_eq!(decode(&encode(&analysis), sql), Some(analysis));
        // Every field, placeholders included, survives the trip.
        let sql = "SELECT name, {} FROM account";
        let mut analysis = analyze("SELECT name, x FROM account", &context).unwrap_or_default();
        analysis.placeholder_columns = vec![13..15, 0..6];
        assert_eq!(decode(&encode(&analysis), sql), Some(analysis));
        assert_eq!(
            decode(&encode(&Analysis::default()), ""),
            Some(Analysis::default())
        );
    }

    /// Every truncation and many one-byte changes of real encodings: no panic, and whatever
    /// decodes has every offset inside the SQL on character boundaries.
    #[test]
    fn damaged_bytes_never_panic_nor_point_outside_the_sql() {
        let snapshot = context_snapshot();
        let union = Union::new([&snapshot]);
        let context = Context::new(["salesforce"], &union);
        let mut rng = crate::testing::Rng::exact(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        for sql in QUERIES {
            let Ok(analysis) = analyze(sql, &context) else {
                continue;
            };
            let bytes = encode(&analysis);
            for end in 0..bytes.len() {
                assert_eq!(decode(&bytes[..end], sql), None, "{sql} cut at {end}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(decode(&longer, sql), None);
            for _ in 0..3000 {
                let mut damaged = bytes.clone();
                let at = next() as usize % damaged.len();
                damaged[at] = next() as u8;
                if let Some(decoded) = decode(&damaged, sql) {
                    let ranges = decoded
                        .tables
                        .iter()
                        .flat_map(|t| {
                            std::iter::once(&t.at)
                                .chain(t.columns.iter().map(|c| &c.at))
                                .chain(t.qualified.iter().map(|q| &q.at))
                        })
                        .chain(decoded.wildcards.iter().map(|w| &w.at));
                    for range in ranges {
                        assert!(sql.get(range.clone()).is_some(), "{range:?} in {sql}");
                    }
                }
            }
            // The same bytes for another SQL whose length cuts the offsets: rejected.
            assert_eq!(decode(&bytes, &sql[..10]).is_none(), analysis.touches_hc());
        }
    }
}
