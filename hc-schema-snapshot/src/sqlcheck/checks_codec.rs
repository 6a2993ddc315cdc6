//! What the SQL checks found in one annotated item ([`SqlChecks`] made by
//! [`super::check_item`]) as bytes, for the build's cache of items: written by [`encode`],
//! read back by [`decode`], which checks everything (a damaged entry reads as `None`, never a
//! panic).
//!
//! It lives next to [`SqlChecks`] and takes every value apart with an exhaustive pattern, so
//! that a field added to a finding, a use or a spot is a compile error here until the codec
//! carries it (a field left out would vanish through the cache without a word).
//!
//! Layout: numbers u32 little endian, strings as a length and UTF-8 bytes, options as a byte
//! (0 none, 1 some) and the value, lists as a count and the items. [`encode_usages`] writes
//! usages the same way, for the cache key (the annotations around the item).

use crate::diagnostic::Explanation;
use crate::manifest::{Origin, Site, Spot, Usage};
use crate::requirement::{Access, Allowance};

use super::{QualifiedUse, SqlChecks, SqlFinding, SqlFindingKind, SqlStats, Subject};

/// The layout's version: part of every cache key; bump it when the layout or the meaning of
/// what it carries changes.
pub const VERSION: u32 = 2;

/// In the order of their bytes.
const KINDS: [SqlFindingKind; 6] = [
    SqlFindingKind::SqlError,
    SqlFindingKind::Undeclared,
    SqlFindingKind::Unguarded,
    SqlFindingKind::Skipped,
    SqlFindingKind::Star,
    SqlFindingKind::CustomType,
];

/// In the order of their bytes.
const ORIGINS: [Origin; 3] = [Origin::Annotation, Origin::Sql, Origin::String];

/// `checks` as bytes; `None` when they hold `hc_sql!` queries (an item's literals never do:
/// the checks of an item are of its strings only), which are not carried.
pub fn encode(checks: &SqlChecks) -> Option<Vec<u8>> {
    let SqlChecks {
        queries,
        findings,
        stats,
        qualified,
    } = checks;
    if !queries.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(256);
    let SqlStats {
        queries,
        strings,
        checked,
        not_sql,
        no_hc,
        skipped,
        under_malformed,
    } = *stats;
    for n in [
        queries,
        strings,
        checked,
        not_sql,
        no_hc,
        skipped,
        under_malformed,
    ] {
        number(&mut out, n);
    }
    number(&mut out, findings.len());
    for finding in findings {
        let SqlFinding {
            kind,
            file,
            line,
            column,
            explanation,
            subjects,
            annotation,
            uses,
        } = finding;
        out.push(match kind {
            SqlFindingKind::SqlError => 0,
            SqlFindingKind::Undeclared => 1,
            SqlFindingKind::Unguarded => 2,
            SqlFindingKind::Skipped => 3,
            SqlFindingKind::Star => 4,
            SqlFindingKind::CustomType => 5,
        });
        text(&mut out, file);
        number(&mut out, *line as usize);
        number(&mut out, *column as usize);
        let Explanation {
            message,
            notes,
            helps,
        } = explanation;
        text(&mut out, message);
        texts(&mut out, notes);
        texts(&mut out, helps);
        number(&mut out, subjects.len());
        for Subject {
            table,
            column,
            access,
        } in subjects
        {
            text(&mut out, table);
            option(&mut out, column.as_deref(), text);
            out.push(access_byte(*access));
        }
        option(&mut out, annotation.as_ref(), |out, site| {
            let Site { file, line, column } = site;
            text(out, file);
            number(out, *line as usize);
            number(out, *column as usize);
        });
        encode_usages(&mut out, uses);
    }
    number(&mut out, qualified.len());
    for QualifiedUse {
        schema,
        usage,
        place,
    } in qualified
    {
        text(&mut out, schema);
        usage_bytes(&mut out, usage);
        text(&mut out, place);
    }
    Some(out)
}

/// `usages` appended to `out` (a count, then each use: file, table spot, column spots,
/// access, allowances, origin).
pub fn encode_usages(out: &mut Vec<u8>, usages: &[Usage]) {
    number(out, usages.len());
    for usage in usages {
        usage_bytes(out, usage);
    }
}

fn usage_bytes(out: &mut Vec<u8>, usage: &Usage) {
    let Usage {
        file,
        table,
        columns,
        access,
        allowances,
        origin,
    } = usage;
    text(out, file);
    spot(out, table);
    number(out, columns.len());
    for column in columns {
        spot(out, column);
    }
    out.push(access_byte(*access));
    number(out, allowances.len());
    for Allowance {
        env,
        table,
        columns,
        reason,
    } in allowances
    {
        text(out, env);
        text(out, table);
        texts(out, columns);
        text(out, reason);
    }
    out.push(match origin {
        Origin::Annotation => 0,
        Origin::Sql => 1,
        Origin::String => 2,
    });
}

fn spot(out: &mut Vec<u8>, spot_: &Spot) {
    let Spot {
        name,
        line,
        column,
        written,
        rust,
    } = spot_;
    text(out, name);
    number(out, *line as usize);
    number(out, *column as usize);
    option(out, written.as_deref(), text);
    option(out, rust.as_deref(), spot);
}

fn access_byte(access: Access) -> u8 {
    match access {
        Access::Read => 0,
        Access::Write => 1,
    }
}

fn number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn text(out: &mut Vec<u8>, text: &str) {
    number(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn texts(out: &mut Vec<u8>, texts: &[String]) {
    number(out, texts.len());
    for t in texts {
        text(out, t);
    }
}

fn option<T: ?Sized>(out: &mut Vec<u8>, value: Option<&T>, write: impl Fn(&mut Vec<u8>, &T)) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            write(out, value);
        }
    }
}

/// The checks [`encode`] wrote, or `None` when `bytes` are not exactly one well-formed value.
pub fn decode(bytes: &[u8]) -> Option<SqlChecks> {
    let mut r = Reader { rest: bytes };
    let mut stat = || r.number();
    let stats = SqlStats {
        queries: stat()?,
        strings: stat()?,
        checked: stat()?,
        not_sql: stat()?,
        no_hc: stat()?,
        skipped: stat()?,
        under_malformed: stat()?,
    };
    let mut findings = Vec::new();
    for _ in 0..r.count()? {
        let kind = *KINDS.get(r.byte()? as usize)?;
        let file = r.text()?;
        let line = r.number()? as u32;
        let column = r.number()? as u32;
        let explanation = Explanation {
            message: r.text()?,
            notes: r.texts()?,
            helps: r.texts()?,
        };
        let mut subjects = Vec::new();
        for _ in 0..r.count()? {
            subjects.push(Subject {
                table: r.text()?,
                column: r.option(Reader::text)?,
                access: r.access()?,
            });
        }
        let annotation = r.option(|r| {
            Some(Site {
                file: r.text()?,
                line: r.number()? as u32,
                column: r.number()? as u32,
            })
        })?;
        let uses = r.usages()?;
        findings.push(SqlFinding {
            kind,
            file,
            line,
            column,
            explanation,
            subjects,
            annotation,
            uses,
        });
    }
    let mut qualified = Vec::new();
    for _ in 0..r.count()? {
        qualified.push(QualifiedUse {
            schema: r.text()?,
            usage: r.usage()?,
            place: r.text()?,
        });
    }
    let checks = SqlChecks {
        queries: Vec::new(),
        findings,
        stats,
        qualified,
    };
    r.rest.is_empty().then_some(checks)
}

/// Reads the bytes left (`rest`) with slice patterns: no call per number at opt-level 0.
struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let [byte, rest @ ..] = self.rest else {
            return None;
        };
        self.rest = rest;
        Some(*byte)
    }

    fn number(&mut self) -> Option<usize> {
        let [a, b, c, d, rest @ ..] = self.rest else {
            return None;
        };
        self.rest = rest;
        Some((*a as usize) | (*b as usize) << 8 | (*c as usize) << 16 | (*d as usize) << 24)
    }

    /// A count of items, each at least 4 bytes long: never more than the bytes left allow
    /// (a damaged count cannot make a loop run long).
    fn count(&mut self) -> Option<usize> {
        let count = self.number()?;
        (count <= self.rest.len() / 4).then_some(count)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.number()?;
        if len > self.rest.len() {
            return None;
        }
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(std::str::from_utf8(text).ok()?.to_string())
    }

    fn texts(&mut self) -> Option<Vec<String>> {
        (0..self.count()?).map(|_| self.text()).collect()
    }

    /// An option: `Some(None)` for none, `None` for damage.
    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.byte()? {
            0 => Some(None),
            1 => read(self).map(Some),
            _ => None,
        }
    }

    fn access(&mut self) -> Option<Access> {
        match self.byte()? {
            0 => Some(Access::Read),
            1 => Some(Access::Write),
            _ => None,
        }
    }

    fn spot(&mut self) -> Option<Spot> {
        Some(Spot {
            name: self.text()?,
            line: self.number()? as u32,
            column: self.number()? as u32,
            written: self.option(Self::text)?,
            rust: self.option(|r| r.spot().map(Box::new))?,
        })
    }

    fn usage(&mut self) -> Option<Usage> {
        let file = self.text()?;
        let table = self.spot()?;
        let mut columns = Vec::new();
        for _ in 0..self.count()? {
            columns.push(self.spot()?);
        }
        let access = self.access()?;
        let mut allowances = Vec::new();
        for _ in 0..self.count()? {
            allowances.push(Allowance {
                env: self.text()?,
                table: self.text()?,
                columns: self.texts()?,
                reason: self.text()?,
            });
        }
        let origin = *ORIGINS.get(self.byte()? as usize)?;
        Some(Usage {
            file,
            table,
            columns,
            access,
            allowances,
            origin,
        })
    }

    fn usages(&mut self) -> Option<Vec<Usage>> {
        (0..self.count()?).map(|_| self.usage()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan_sources;
    use crate::snapshot::Snapshot;
    use crate::sql::{Context, Union};

    /// Generated sources (annotated items with declared, undeclared, typed and allowed uses,
    /// unguarded, skipped and qualified SQL, `SELECT *`): what the checks find comes back
    /// whole through the codec; every cut or changed byte reads as `None` or as some value,
    /// never a panic.
    #[test]
    fn checks_survive_the_codec_and_damage_never_panics() {
        let test = Snapshot::parse(
            r#"{"format":1,"environment":"test","schema":"salesforce","tables":{
            "account":{"access":"read_write","columns":{"name":{},"sfid":{},"tier__c":{}}},
            "contact":{"columns":{"email":{},"sfid":{}}}}}"#,
            "test.json",
            "test",
        )
        .unwrap();
        let union = Union::new([&test]);
        let context = Context::new(["salesforce"], &union);
        let pieces = [
            r#"let a = "SELECT name, tier__c FROM salesforce.account";"#,
            r#"let b = "UPDATE contact SET email = $1 WHERE sfid = $2";"#,
            r#"let c = format!("SELECT {} FROM {schema}.account", cols);"#,
            r#"let d = "SELECT * FROM salesforce.account";"#,
            r#"let e = "VACUUM (VERBOSE) salesforce.account";"#,
            r#"let f = "SELECT sfid FROM other.account";"#,
        ];
        let annotations = [
            "#[hc_requires(account(name: String))]",
            "#[hc_requires(account(sfid), missing_ok(prod, account(tier__c), reason = \"rollout\"))]",
            "",
        ];
        let mut rng = crate::testing::Rng::exact(0x1234_5678_9abc_def1);
        let mut next = move |n: usize| rng.below(n);
        let (mut damaged, mut uses, mut qualified) = (0, 0, 0);
        for round in 0..120 {
            let body: Vec<&str> = (0..1 + next(4))
                .map(|_| pieces[next(pieces.len())])
                .collect();
            let source = format!(
                "{}\nfn item{round}(cols: &str, schema: &str) {{\n    {}\n}}\n",
                annotations[next(annotations.len())],
                body.join("\n    ")
            );
            let scan = scan_sources(&[("src/lib.rs", &source)]);
            let checks = crate::sqlcheck::check(&scan, &context);
            let bytes = encode(&checks).unwrap();
            uses += checks.findings.iter().map(|f| f.uses.len()).sum::<usize>();
            qualified += checks.qualified.len();
            assert_eq!(decode(&bytes), Some(checks.clone()), "{source}");
            for _ in 0..20 {
                let mut bad = bytes.clone();
                if next(2) == 0 {
                    bad.truncate(next(bad.len()));
                    assert_eq!(decode(&bad), None, "a cut value");
                } else {
                    let at = next(bad.len());
                    bad[at] = next(256) as u8;
                    drop(decode(&bad));
                }
                damaged += 1;
            }
        }
        assert!(
            damaged == 2400 && uses > 50 && qualified > 50,
            "{uses} {qualified}"
        );
    }
}
