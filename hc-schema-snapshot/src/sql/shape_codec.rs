//! A [`Shape`] as bytes, for the macro's on-disk cache (beside the [`Analysis`](super::Analysis)
//! of [`codec`](super::codec), with the same rules): written by [`encode`], read back by
//! [`decode`], which checks everything (a damaged entry reads as `None`, never as a wrong
//! shape or an offset outside the SQL, never a panic). Every value is taken apart with an
//! exhaustive pattern, so that a field added to the shape is a compile error here.
//!
//! Layout (numbers u32 little endian, strings as a length and UTF-8 bytes, places as two
//! numbers): flags (one byte: 1 outer join, 2 query, 4 grouping sets); the outputs, each: name and place,
//! unnamed (one byte), source (a tag byte, then: 0 table and column, 1 type and never-null
//! byte, 2 the type as written, 3 unknown, 4 wildcard); the parameters, each: number, place,
//! the sources, each: a tag byte, then: 0 table, column and array byte, 1 type, 2 the type
//! as written. A type is one byte: its index in [`Scalar::ALL`], plus 128 for an array.

use std::ops::Range;

use super::codec::{name, number, Reader};
use super::shape::{OutputColumn, OutputSource, Param, ParamSource, Shape};
use crate::types::{PgType, Scalar};

/// `shape` as bytes.
pub fn encode(shape: &Shape) -> Vec<u8> {
    let Shape {
        outputs,
        params,
        outer_join,
        grouping_sets,
        is_query,
    } = shape;
    let mut out = Vec::with_capacity(64 + 48 * outputs.len() + 32 * params.len());
    out.push(u8::from(*outer_join) | u8::from(*is_query) << 1 | u8::from(*grouping_sets) << 2);
    number(&mut out, outputs.len());
    for OutputColumn {
        name: output,
        unnamed,
        at,
        source,
    } in outputs
    {
        name(&mut out, output, at);
        out.push(u8::from(*unnamed));
        match source {
            OutputSource::Column { table, column } => {
                out.push(0);
                text(&mut out, table);
                text(&mut out, column);
            }
            OutputSource::Known { pg, never_null } => {
                out.push(1);
                out.push(pg_byte(*pg));
                out.push(u8::from(*never_null));
            }
            OutputSource::CastOutsideTable { written } => {
                out.push(2);
                text(&mut out, written);
            }
            OutputSource::Unknown => out.push(3),
            OutputSource::Wildcard => out.push(4),
        }
    }
    number(&mut out, params.len());
    for Param {
        number: n,
        at,
        sources,
    } in params
    {
        number(&mut out, *n);
        number(&mut out, at.start);
        number(&mut out, at.end);
        number(&mut out, sources.len());
        for source in sources {
            match source {
                ParamSource::Column {
                    table,
                    column,
                    array,
                } => {
                    out.push(0);
                    text(&mut out, table);
                    text(&mut out, column);
                    out.push(u8::from(*array));
                }
                ParamSource::Known(pg) => {
                    out.push(1);
                    out.push(pg_byte(*pg));
                }
                ParamSource::CastOutsideTable(written) => {
                    out.push(2);
                    text(&mut out, written);
                }
            }
        }
    }
    out
}

fn text(out: &mut Vec<u8>, text: &str) {
    number(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn pg_byte(pg: PgType) -> u8 {
    let (scalar, array) = match pg {
        PgType::Scalar(scalar) => (scalar, 0),
        PgType::Array(scalar) => (scalar, 128),
    };
    let index = Scalar::ALL.iter().position(|s| *s == scalar).unwrap_or(0);
    index as u8 | array
}

/// The shape [`encode`] wrote for `sql`, or `None` when `bytes` are not exactly one
/// well-formed shape whose places fit `sql`.
pub fn decode(bytes: &[u8], sql: &str) -> Option<Shape> {
    let mut reader = Reader { rest: bytes, sql };
    let flags = reader.byte()?;
    if flags > 7 {
        return None;
    }
    let mut outputs = Vec::new();
    for _ in 0..reader.count()? {
        let (output, at) = reader.name()?;
        let unnamed = boolean(&mut reader)?;
        let source = match reader.byte()? {
            0 => OutputSource::Column {
                table: string(&mut reader)?,
                column: string(&mut reader)?,
            },
            1 => OutputSource::Known {
                pg: pg_type(&mut reader)?,
                never_null: boolean(&mut reader)?,
            },
            2 => OutputSource::CastOutsideTable {
                written: string(&mut reader)?,
            },
            3 => OutputSource::Unknown,
            4 => OutputSource::Wildcard,
            _ => return None,
        };
        outputs.push(OutputColumn {
            name: output,
            unnamed,
            at,
            source,
        });
    }
    let mut params = Vec::new();
    for _ in 0..reader.count_of(16)? {
        let n = reader.number()?;
        let at: Range<usize> = reader.range()?;
        let mut sources = Vec::new();
        for _ in 0..reader.count_of(2)? {
            sources.push(match reader.byte()? {
                0 => ParamSource::Column {
                    table: string(&mut reader)?,
                    column: string(&mut reader)?,
                    array: boolean(&mut reader)?,
                },
                1 => ParamSource::Known(pg_type(&mut reader)?),
                2 => ParamSource::CastOutsideTable(string(&mut reader)?),
                _ => return None,
            });
        }
        params.push(Param {
            number: n,
            at,
            sources,
        });
    }
    let shape = Shape {
        outputs,
        params,
        outer_join: flags & 1 != 0,
        grouping_sets: flags & 4 != 0,
        is_query: flags & 2 != 0,
    };
    reader.rest.is_empty().then_some(shape)
}

fn boolean(reader: &mut Reader<'_>) -> Option<bool> {
    match reader.byte()? {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

fn string(reader: &mut Reader<'_>) -> Option<String> {
    let len = reader.number()?;
    if len > reader.rest.len() {
        return None;
    }
    let (text, rest) = reader.rest.split_at(len);
    reader.rest = rest;
    Some(std::str::from_utf8(text).ok()?.to_string())
}

fn pg_type(reader: &mut Reader<'_>) -> Option<PgType> {
    let byte = reader.byte()?;
    let scalar = *Scalar::ALL.get(usize::from(byte & 127))?;
    Some(if byte & 128 != 0 {
        PgType::Array(scalar)
    } else {
        PgType::Scalar(scalar)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{shape, Context, Union};
    use crate::Snapshot;

    fn context_snapshot() -> Snapshot {
        Snapshot::parse(
            r#"{"format":1,"environment":"t","schema":"salesforce","tables":{
                "account":{"columns":{"id":{"type":"integer","nullable":false},"sfid":{},"name":{},"isdeleted":{},"é":{}}},
                "contact":{"columns":{"sfid":{},"email":{},"accountid":{}}}}}"#,
            "t.json",
            "t",
        )
        .unwrap()
    }

    /// Queries that reach every output source and parameter source.
    const QUERIES: [&str; 9] = [
        "SELECT a.name AS \"n!\", count(*), 1 AS one, c.email, lower(a.name) AS l, $3::uuid AS u \
         FROM salesforce.account a LEFT JOIN contact c ON c.accountid = a.sfid \
         WHERE a.sfid = $1 AND c.email = ANY($2) LIMIT $4 OFFSET $5",
        "UPDATE contact SET email = $1 WHERE sfid = $2 RETURNING accountid, email",
        "INSERT INTO account (name, \"é\") VALUES ($1, $2) RETURNING id, name",
        "SELECT * FROM account WHERE name IN ($1, $2)",
        "SELECT a.*, a.name FROM account a WHERE a.name = $1 AND a.sfid = $1",
        "SELECT $1::text[] AS t, $2::int8 AS i, now() AS \"at: std::time::SystemTime\"",
        "DELETE FROM account WHERE \"é\" = $2",
        "SELECT 'é' AS \"é\", name FROM account",
        "SELECT id, count(*) AS n FROM account GROUP BY ROLLUP (id)",
    ];

    fn shapes() -> Vec<(&'static str, Shape)> {
        let snapshot = context_snapshot();
        let union = Union::new([&snapshot]);
        let context = Context::new(["salesforce"], &union);
        QUERIES
            .iter()
            .map(|sql| (*sql, shape(sql, &context).expect(sql)))
            .collect()
    }

    #[test]
    fn real_shapes_round_trip() {
        let shapes = shapes();
        for (sql, shape) in &shapes {
            assert_eq!(decode(&encode(shape), sql).as_ref(), Some(shape), "{sql}");
        }
        // Every source kind is covered by the queries.
        let outputs: Vec<&OutputSource> = shapes
            .iter()
            .flat_map(|(_, s)| s.outputs.iter().map(|o| &o.source))
            .collect();
        for kind in 0..5 {
            assert!(
                outputs.iter().any(|o| match o {
                    OutputSource::Column { .. } => kind == 0,
                    OutputSource::Known { .. } => kind == 1,
                    OutputSource::CastOutsideTable { .. } => kind == 2,
                    OutputSource::Unknown => kind == 3,
                    OutputSource::Wildcard => kind == 4,
                }),
                "output source {kind} not covered"
            );
        }
        let params: Vec<&ParamSource> = shapes
            .iter()
            .flat_map(|(_, s)| s.params.iter().flat_map(|p| &p.sources))
            .collect();
        assert!(params
            .iter()
            .any(|p| matches!(p, ParamSource::Column { array: true, .. })));
        assert!(params.iter().any(|p| matches!(p, ParamSource::Known(_))));
        assert!(params
            .iter()
            .any(|p| matches!(p, ParamSource::CastOutsideTable(_))));
        assert!(shapes.iter().any(|(_, s)| s.outer_join));
        assert!(shapes.iter().any(|(_, s)| s.grouping_sets));
        assert!(shapes.iter().any(|(_, s)| !s.is_query));
        assert!(shapes
            .iter()
            .any(|(_, s)| s.params.iter().any(|p| p.at.is_empty())));
        for scalar in Scalar::ALL {
            for pg in [PgType::Scalar(scalar), PgType::Array(scalar)] {
                let mut reader = Reader {
                    rest: &[pg_byte(pg)],
                    sql: "",
                };
                assert_eq!(pg_type(&mut reader), Some(pg));
            }
        }
        assert_eq!(
            decode(&encode(&Shape::default()), ""),
            Some(Shape::default())
        );
    }

    /// Every truncation and many one-byte changes of real encodings (seeded): no panic, and
    /// whatever decodes has every place inside the SQL on character boundaries.
    #[test]
    fn damaged_bytes_never_panic_nor_point_outside_the_sql() {
        let mut rng = crate::testing::Rng::exact(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        for (sql, shape) in shapes() {
            let bytes = encode(&shape);
            for end in 0..bytes.len() {
                assert_eq!(decode(&bytes[..end], sql), None, "{sql} cut at {end}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(decode(&longer, sql), None);
            for _ in 0..3000 {
                let mut damaged = bytes.clone();
                for _ in 0..1 + next() % 3 {
                    let at = next() as usize % damaged.len();
                    damaged[at] = next() as u8;
                }
                if let Some(decoded) = decode(&damaged, sql) {
                    let places = decoded
                        .outputs
                        .iter()
                        .map(|o| &o.at)
                        .chain(decoded.params.iter().map(|p| &p.at));
                    for at in places {
                        assert!(sql.get(at.clone()).is_some(), "{at:?} in {sql}");
                    }
                }
            }
        }
    }
}
