//! A snapshot's names read straight from its text: what the build script needs, fast.
//!
//! The build script runs unoptimised in a user's dev profile, and a large org's snapshot is tens
//! of megabytes. Parsing it into a [`Snapshot`] (serde_json at opt-level 0, then a tree of
//! maps) costs several times reading the file, for nothing: the build script only needs the
//! lines of the [`NameIndex`](crate::NameIndex) (tables, columns and mapping access) and the
//! `schema`. [`SnapshotNames::read`] gets them in one pass over the text, building nothing
//! else, for the texts hc-schema writes and any text like them: the members of the snapshot
//! format in any order and with any whitespace, strings without escapes. Anything else (an
//! escape, a field this version does not know, a duplicate, a value of another type, an error
//! of any kind) gives `None`, and [`SnapshotNames::load`] then parses the text with
//! [`Snapshot::parse`], the one definition of what a snapshot is. So the fast path accepts a
//! subset of what `Snapshot::parse` accepts and yields exactly its names; a generated-input test
//! compares both.
//!
//! ```text
//! use hc_schema_snapshot::names_reader::SnapshotNames;
//! use hc_schema_snapshot::Snapshot;
//! let text = r#"{"format": 1, "environment": "prod", "schema": "salesforce",
//!     "tables": {"account": {"access": "read_only", "columns": {"name": {"type": "text"}}}}}"#;
//! let names = SnapshotNames::read(text).expect("the common form is read directly");
//! assert_eq!(names.schema, "salesforce");
//! assert_eq!(names.lines, SnapshotNames::of(&Snapshot::parse(text, "p", "p").unwrap()).lines);
//! // An escape is left to `Snapshot::parse`; `load` takes either path.
//! let escaped = text.replace("\"name\"", "\"n\\u0061me\"");
//! assert!(SnapshotNames::read(&escaped).is_none());
//! assert_eq!(SnapshotNames::load(&escaped, "p", "p").unwrap().lines, names.lines);
//! ```
//!
//! (A private item: this example runs as the unit test `doc_example_module`.)
//!
//! **Measured** (why this fast path exists; `cargo bench -p hc-schema --bench large_org`,
//! 2026-11-26): the build script on a 500 x 800 snapshot (34.7 MB), dev profile, takes 0.66x
//! the time of `jq empty` on the file, peak memory 1.47x the file; with the recommended
//! `build-override` `opt-level = 3`, 0.20x. Parsing into a [`Snapshot`] at opt-level 0 instead
//! costs several times reading the file. Remove it only if that benchmark stays under its
//! targets (2x, 3x the file) without it.

use crate::index::{Builder, NameLines, ACCESS_RO, ACCESS_RW};
use crate::snapshot::{MappingAccess, Snapshot, SnapshotError};
use crate::types_index::SnapshotColumns;

/// What the build script reads from one snapshot: its names and its `schema`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotNames {
    /// The Postgres schema the snapshot records (`salesforce`).
    pub schema: String,
    /// The environment the snapshot says it is of (`"environment"`).
    pub environment: String,
    /// The tables, columns and mapping access.
    pub lines: NameLines,
    /// Every column's type and nullability, for the [`crate::types_index::TypesIndex`].
    pub columns: SnapshotColumns,
}

impl SnapshotNames {
    /// The names of snapshot text `text`: read directly when it has the common form
    /// ([`SnapshotNames::read`]), else from [`Snapshot::parse`] (which also gives the error
    /// when the text is no snapshot). `path` and `env` only appear in error messages.
    pub fn load(text: &str, path: &str, env: &str) -> Result<SnapshotNames, SnapshotError> {
        match SnapshotNames::read(text) {
            Some(names) => Ok(names),
            None => Snapshot::parse(text, path, env).map(|snapshot| SnapshotNames::of(&snapshot)),
        }
    }

    /// The names of `text` in one pass, or `None` when the text is not in the common form (see
    /// the module documentation): then [`Snapshot::parse`] decides. Whenever this gives names,
    /// `Snapshot::parse` accepts the text and [`SnapshotNames::of`] its result gives the same.
    pub fn read(text: &str) -> Option<SnapshotNames> {
        // Editors on Windows may save a UTF-8 byte order mark, as `Snapshot::parse` allows.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
            lines: Builder::default(),
            columns: SnapshotColumns::default(),
        };
        let (schema, environment) = reader.snapshot()?;
        Some(SnapshotNames {
            schema,
            environment,
            lines: reader.lines.finish()?,
            columns: reader.columns,
        })
    }

    /// The names of a parsed snapshot.
    pub fn of(snapshot: &Snapshot) -> SnapshotNames {
        let plain = |name: &str| !name.contains(['\t', '\n', '\u{1}']);
        let mut lines: Vec<String> = Vec::new();
        for (table, info) in snapshot.tables.iter().filter(|(t, _)| plain(t)) {
            lines.push(table.clone());
            match info.access {
                Some(MappingAccess::ReadOnly) => lines.push(format!("{table}\t{ACCESS_RO}")),
                Some(MappingAccess::ReadWrite) => lines.push(format!("{table}\t{ACCESS_RW}")),
                None => {}
            }
            lines.extend(
                info.columns
                    .keys()
                    .filter(|c| plain(c))
                    .map(|column| format!("{table}\t{column}")),
            );
        }
        lines.sort_unstable();
        let mut builder = Builder::default();
        for line in &lines {
            builder.push(&[line.as_bytes()]);
        }
        SnapshotNames {
            schema: snapshot.schema.clone(),
            environment: snapshot.environment.clone(),
            lines: builder.finish().expect("a snapshot's keys are distinct"),
            columns: SnapshotColumns::of(snapshot),
        }
    }
}

/// One pass over the text. Every method returns `None` as soon as the text leaves the common
/// form; byte loops index the slice directly (no iterator call per byte at opt-level 0).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    lines: Builder,
    columns: SnapshotColumns,
}

impl<'a> Reader<'a> {
    /// Skip JSON whitespace (serde_json's: space, tab, line feed, carriage return).
    fn whitespace(&mut self) {
        let bytes = self.bytes;
        let mut at = self.at;
        while at < bytes.len() {
            match bytes[at] {
                b' ' | b'\n' | b'\t' | b'\r' => at += 1,
                _ => break,
            }
        }
        self.at = at;
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.whitespace();
        self.bytes.get(self.at).copied()
    }

    /// Consume `expected` after whitespace.
    fn expect(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.at += 1)
    }

    /// Consume the keyword `word` (`null`, `true`, `false`, or the number `1`). What follows
    /// it is checked by the caller, which expects `,` or `}` (so `nullx` or `10` fail there).
    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.whitespace();
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// A string without escapes and control characters: its bytes between the quotes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let bytes = self.bytes;
        let start = self.at;
        let mut at = start;
        while at < bytes.len() {
            let byte = bytes[at];
            if byte == b'"' {
                self.at = at + 1;
                return Some(&bytes[start..at]);
            }
            if byte == b'\\' || byte < 0x20 {
                return None;
            }
            at += 1;
        }
        None
    }

    /// A string (`Some`) or `null` (`None` inside).
    fn string_or_null(&mut self) -> Option<Option<&'a [u8]>> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        self.string().map(Some)
    }

    /// `true` or `false`.
    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.word(b"true").map(|()| true),
            _ => self.word(b"false").map(|()| false),
        }
    }

    /// An object: `member` is called with each key, the reader just past the colon, and must
    /// consume the value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The whole text: the snapshot object and nothing after it. Returns the schema and the
    /// environment.
    fn snapshot(&mut self) -> Option<(String, String)> {
        let (mut format, mut source, mut tables) = (false, false, false);
        let mut environment: Option<&[u8]> = None;
        let mut schema: Option<&[u8]> = None;
        self.object(|reader, key| match key {
            b"format" if !format => {
                format = true;
                reader.word(b"1")
            }
            b"environment" if environment.is_none() => {
                environment = Some(reader.string()?);
                Some(())
            }
            b"schema" if schema.is_none() => {
                schema = Some(reader.string()?);
                Some(())
            }
            b"source" if !source => {
                source = true;
                reader.string_or_null().map(drop)
            }
            b"tables" if !tables => {
                tables = true;
                reader.tables()
            }
            // A duplicate, or a field this version does not know: `Snapshot::parse` decides.
            _ => None,
        })?;
        self.whitespace();
        if self.at != self.bytes.len() || !format {
            return None;
        }
        Some((
            String::from_utf8(schema?.to_vec()).ok()?,
            String::from_utf8(environment?.to_vec()).ok()?,
        ))
    }

    /// The `tables` object.
    fn tables(&mut self) -> Option<()> {
        self.object(|reader, table| {
            reader.lines.push(&[table])?;
            reader.columns.table(table);
            let (mut object, mut access, mut columns) = (false, false, false);
            reader.object(|reader, key| match key {
                b"object" if !object => {
                    object = true;
                    reader.string_or_null().map(drop)
                }
                b"access" if !access => {
                    access = true;
                    let pseudo = match reader.string_or_null()? {
                        None => return Some(()),
                        Some(b"read_only") => ACCESS_RO,
                        Some(b"read_write") => ACCESS_RW,
                        Some(_) => return None,
                    };
                    reader.lines.push(&[table, b"\t", pseudo.as_bytes()])
                }
                b"columns" if !columns => {
                    columns = true;
                    reader.object(|reader, column| {
                        reader.lines.push(&[table, b"\t", column])?;
                        let (spelling, nullable) = reader.column()?;
                        reader.columns.column(column, spelling, nullable);
                        Some(())
                    })
                }
                _ => None,
            })
        })
    }

    /// One column's object: its type (`None` when absent or null) and nullability (absent:
    /// nullable).
    fn column(&mut self) -> Option<(Option<&'a [u8]>, bool)> {
        let (mut data_type, mut field, mut nullable, mut system) = (false, false, false, false);
        let mut spelling = None;
        let mut is_nullable = true;
        self.object(|reader, key| match key {
            b"type" if !data_type => {
                data_type = true;
                spelling = reader.string_or_null()?;
                Some(())
            }
            b"field" if !field => {
                field = true;
                reader.string_or_null().map(drop)
            }
            b"nullable" if !nullable => {
                nullable = true;
                is_nullable = reader.boolean()?;
                Some(())
            }
            b"system" if !system => {
                system = true;
                reader.boolean().map(drop)
            }
            _ => None,
        })?;
        Some((spelling, is_nullable))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NameIndex;

    /// A seeded generator of snapshot-like texts (the flag: whether this text may be damaged).
    use crate::testing::Rng;

    /// The generator, and whether it damages the text.
    struct Gen(Rng, bool);

    impl Gen {
        /// Whether to damage this spot (never in a clean text).
        fn damage(&mut self, one_in: usize) -> bool {
            self.1 && self.chance(one_in)
        }

        fn below(&mut self, n: usize) -> usize {
            self.0.below(n)
        }

        fn chance(&mut self, one_in: usize) -> bool {
            self.below(one_in) == 0
        }

        fn pick<'s>(&mut self, choices: &[&'s str]) -> &'s str {
            choices[self.below(choices.len())]
        }

        fn space(&mut self) -> &'static str {
            ["", "", " ", "\n", "\n  ", "\t", "\r\n", "  "][self.below(8)]
        }

        /// A JSON string: mostly plain names (few, so that duplicates happen), sometimes
        /// with an escape, a raw control character, non-ASCII text or a lone surrogate.
        fn string(&mut self) -> String {
            let body = if self.damage(4) || self.chance(40) {
                self.pick(&[
                    "n\\u0061me",
                    "a\\\"b",
                    "back\\\\slash",
                    "tab\\there",
                    "raw\ttab",
                    "line\\nbreak",
                    "\\u0001ro",
                    "\\ud800",
                    "\\uD83D\\uDE00",
                    "caf\u{e9}",
                    "\u{20ac}",
                    "Name",
                    " pad",
                    "\u{7f}",
                    "",
                    "read_only",
                ])
                .to_string()
            } else {
                self.pick(&["a", "b", "account", "name", "type", "x", "a_b", "ab"])
                    .to_string()
            };
            format!("\"{body}\"")
        }

        /// Any JSON value, small.
        fn any(&mut self, depth: usize) -> String {
            match self.below(if depth > 2 { 6 } else { 9 }) {
                0 => "null".into(),
                1 => self.pick(&["true", "false"]).into(),
                2 => self
                    .pick(&["1", "0", "-1", "1.0", "1e0", "10", "2.5", "1e999", "01"])
                    .into(),
                3..=5 => self.string(),
                6 => format!("[{}]", self.any(depth + 1)),
                7 => format!("{{{}: {}}}", self.string(), self.any(depth + 1)),
                _ => "{}".into(),
            }
        }

        /// An object from members: each a key and a value generator, some left out, some
        /// repeated, in the given order or shuffled.
        fn object(&mut self, members: Vec<(String, String)>) -> String {
            let mut members: Vec<(String, String)> =
                members.into_iter().filter(|_| !self.damage(12)).collect();
            if self.damage(10) && !members.is_empty() {
                let copy = members[self.below(members.len())].clone();
                members.push(copy);
            }
            if self.chance(4) {
                for i in (1..members.len()).rev() {
                    let j = self.below(i + 1);
                    members.swap(i, j);
                }
            }
            let mut out = String::from("{");
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(self.space());
                out.push_str(key);
                out.push_str(self.space());
                out.push(':');
                out.push_str(self.space());
                out.push_str(value);
                out.push_str(self.space());
            }
            if self.damage(30) {
                out.push(',');
            }
            out.push('}');
            out
        }

        fn maybe(&mut self, good: impl FnOnce(&mut Gen) -> String) -> String {
            if self.damage(15) {
                self.any(0)
            } else {
                good(self)
            }
        }

        fn column(&mut self) -> String {
            let members = vec![
                ("\"type\"".into(), self.maybe(|g| g.string())),
                ("\"field\"".into(), self.maybe(|g| g.string())),
                (
                    "\"nullable\"".into(),
                    self.maybe(|g| g.pick(&["true", "false"]).into()),
                ),
                (
                    "\"system\"".into(),
                    self.maybe(|g| g.pick(&["true", "false"]).into()),
                ),
            ];
            let mut members = members;
            if self.damage(15) {
                members.push(("\"later\"".into(), self.any(0)));
            }
            self.object(members)
        }

        fn table(&mut self) -> String {
            let columns: Vec<(String, String)> = (0..self.below(4))
                .map(|_| (self.string(), self.column()))
                .collect();
            let columns = self.object(columns);
            let access = self.maybe(|g| {
                g.pick(&[
                    "\"read_only\"",
                    "\"read_write\"",
                    "null",
                    "\"write_only\"",
                    "{\"read_only\": null}",
                ])
                .into()
            });
            let mut members = vec![
                ("\"object\"".into(), self.maybe(|g| g.string())),
                ("\"access\"".into(), access),
                ("\"columns\"".into(), self.maybe(|_| columns)),
            ];
            if self.damage(15) {
                members.push(("\"later\"".into(), self.any(0)));
            }
            self.object(members)
        }

        fn snapshot(&mut self) -> String {
            self.1 = self.chance(2);
            let tables: Vec<(String, String)> = (0..self.below(4))
                .map(|_| (self.string(), self.table()))
                .collect();
            let tables = self.object(tables);
            let format = if self.damage(6) {
                self.any(0)
            } else {
                "1".into()
            };
            let mut members = vec![
                ("\"format\"".into(), format),
                ("\"environment\"".into(), self.maybe(|g| g.string())),
                ("\"schema\"".into(), self.maybe(|g| g.string())),
                ("\"source\"".into(), self.maybe(|g| g.string())),
                ("\"tables\"".into(), self.maybe(|_| tables)),
            ];
            if self.damage(15) {
                members.push(("\"future\"".into(), self.any(0)));
            }
            let mut text = self.object(members);
            if self.damage(20) {
                text = format!("[{text}]");
            }
            if self.chance(10) {
                text.insert(0, '\u{feff}');
            }
            if self.damage(20) {
                text.insert(0, '\u{feff}');
            }
            text.push_str(self.pick(&["\n", "", " ", "\n\n"]));
            if self.damage(10) {
                text.push_str(self.pick(&[" x", ",", "}", "\n{}"]));
            }
            if self.damage(12) {
                let marker = self.pick(&["<<<<<<< HEAD", "=======", ">>>>>>> b", "|||||||"]);
                let lines: Vec<&str> = text.split('\n').collect();
                let at = self.below(lines.len() + 1);
                let mut out: Vec<&str> = lines[..at].to_vec();
                out.push(marker);
                out.extend_from_slice(&lines[at..]);
                text = out.join("\n");
            }
            if self.damage(8) {
                // A one-byte mutation at a character boundary.
                let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                if !boundaries.is_empty() {
                    let at = boundaries[self.below(boundaries.len())];
                    let width = text[at..].chars().next().map_or(0, char::len_utf8);
                    let with = self.pick(&["", "}", ",", "\"", ":", "{", "1", "\\", " ", "n"]);
                    text.replace_range(at..at + width, with);
                }
            }
            text
        }
    }

    /// What the build script gets from `text` through the old path: `Snapshot::parse`.
    fn parsed(text: &str) -> Result<SnapshotNames, String> {
        Snapshot::parse(text, "p.json", "p")
            .map(|snapshot| SnapshotNames::of(&snapshot))
            .map_err(|err| err.to_string())
    }

    /// The reader accepts only what `Snapshot::parse` accepts and yields exactly its names (and
    /// so the same index bytes); `load` agrees with `Snapshot::parse` on every text, errors
    /// included; every generated kind of text is seen often enough for the test to fail if
    /// the reader went wrong.
    #[test]
    fn generated_texts_agree_with_snapshot_parse() {
        let mut rng = Gen(Rng::exact(0x005e_ed0f_5ca1_ab1e), false);
        let (mut fast, mut fallback, mut rejected) = (0, 0, 0);
        for _ in 0..60_000 {
            let text = rng.snapshot();
            let read = SnapshotNames::read(&text);
            let reference = parsed(&text);
            match (&read, &reference) {
                (Some(names), Ok(expected)) => {
                    fast += 1;
                    assert_eq!(names, expected, "{text:?}");
                    let snapshot = Snapshot::parse(&text, "p.json", "p").unwrap();
                    assert_eq!(
                        NameIndex::from_lines(&names.lines).bytes(),
                        NameIndex::of(&snapshot).bytes(),
                        "{text:?}"
                    );
                }
                (Some(names), Err(err)) => {
                    panic!("read {names:?} from a text Snapshot::parse rejects ({err}): {text:?}")
                }
                (None, Ok(_)) => fallback += 1,
                (None, Err(_)) => rejected += 1,
            }
            let loaded = SnapshotNames::load(&text, "p.json", "p").map_err(|e| e.to_string());
            assert_eq!(loaded, reference, "{text:?}");
        }
        println!("fast {fast}, fallback {fallback}, rejected {rejected}");
        assert!(
            fast > 10_000 && fallback > 3_000 && rejected > 10_000,
            "fast {fast}, fallback {fallback}, rejected {rejected}"
        );
    }

    /// Canonical files (what `refresh` and `import` write) always take the fast path when
    /// their names need no escape, whatever the names, types and access.
    #[test]
    fn written_snapshots_are_read_directly() {
        let mut rng = Gen(Rng::exact(0xc0ff_ee00_1234_5678), false);
        let names = [
            "a",
            "account",
            "Name",
            " pad",
            "caf\u{e9}",
            "",
            "x_y",
            "z\u{7f}",
        ];
        for _ in 0..2_000 {
            let mut snapshot = Snapshot::new("prod", rng.pick(&["salesforce", "org", ""]));
            if rng.chance(2) {
                snapshot.source = Some("postgres://h:5432/d".into());
            }
            for _ in 0..rng.below(5) {
                let mut table = crate::snapshot::Table {
                    object: rng.chance(2).then(|| "Account".to_string()),
                    access: [
                        None,
                        Some(MappingAccess::ReadOnly),
                        Some(MappingAccess::ReadWrite),
                    ][rng.below(3)],
                    ..Default::default()
                };
                for _ in 0..rng.below(5) {
                    table.columns.insert(
                        rng.pick(&names).to_string(),
                        crate::snapshot::Column {
                            data_type: rng.chance(2).then(|| "text".to_string()),
                            field: rng.chance(2).then(|| "Name".to_string()),
                            nullable: rng.chance(2),
                            system: rng.chance(3),
                        },
                    );
                }
                snapshot.tables.insert(rng.pick(&names).to_string(), table);
            }
            let text = snapshot.to_json();
            let read = SnapshotNames::read(&text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(read, SnapshotNames::of(&snapshot), "{text}");
        }
    }

    fn text(tables: &str) -> String {
        format!("{{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\", \"tables\": {{{tables}}}}}\n")
    }

    #[test]
    fn what_snapshot_parse_rejects_is_never_read() {
        let cases = [
            text(r#""a": {"columns": {}}, "a": {"columns": {}}"#),
            text(r#""a": {"columns": {"x": {}, "x": {}}}"#),
            text(r#""b": {"columns": {"x": {}}}, "a": {}, "b": {}"#),
            text(r#""a": {"columns": {"x": {"type": "t", "type": "u"}}}"#),
            text(r#""a": {"access": "read_only", "access": null}"#),
            text(r#""a": {"access": "write_only"}"#),
            text(r#""a": {"columns": null}"#),
            text(r#""a": {"columns": {"x": {"nullable": null}}}"#),
            text(r#""a": {"columns": {"x": {}},}"#),
            "{\"format\": 1, \"format\": 1, \"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"format\": 2, \"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"format\": 1.0, \"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"format\": 10, \"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"format\": \"1\", \"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"environment\": \"p\", \"schema\": \"s\"}".into(),
            "{\"format\": 1, \"schema\": \"s\"}".into(),
            "{\"format\": 1, \"environment\": \"p\"}".into(),
            "{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\"} {}".into(),
            "[1]".into(),
            "\u{feff}\u{feff}{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\"}".into(),
            text(r#""a": {}"#).replacen("\"tables\"", "\n<<<<<<< HEAD\n\"tables\"", 1),
            text(r#""a": {}"#).replacen("\"tables\"", "\n=======\n\"tables\"", 1),
            text("\"a\tb\": {}"),
            String::new(),
        ];
        for case in &cases {
            assert!(parsed(case).is_err(), "Snapshot::parse accepts {case:?}");
            assert_eq!(SnapshotNames::read(case), None, "{case:?}");
        }
    }

    #[test]
    fn what_the_reader_leaves_to_snapshot_parse_still_loads() {
        let cases = [
            text(r#""n\u0061me": {}"#),
            text(r#""a\tb": {"columns": {"\u0001ro": {}}}"#),
            text(r#""a": {"later": [1, {"x": null}]}"#),
            text(r#""a": {"columns": {"x": {"newer": 1}}}"#),
            text(r#""a": {"access": {"read_only": null}}"#),
            text(r#""a": {"columns": {"x": ["text", null, true, false]}}"#),
            "{\"format\": 1, \"environment\": \"p\", \"schema\": \"s\", \"future\": 1}".into(),
        ];
        for case in &cases {
            let expected = parsed(case).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(SnapshotNames::read(case), None, "{case:?}");
            assert_eq!(
                SnapshotNames::load(case, "p", "p").unwrap(),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_unsorted_keys_and_an_empty_column_name_are_read() {
        let plain = text(
            r#""b": {"columns": {"y": {}, "": {}, "x": {}}, "access": "read_write"}, "a": {}"#,
        );
        let expected = parsed(&plain).unwrap();
        assert_eq!(SnapshotNames::read(&plain).as_ref(), Some(&expected));
        let with_bom = format!("\u{feff}{plain}");
        assert_eq!(SnapshotNames::read(&with_bom), Some(expected.clone()));
        let lines: Vec<&[u8]> = (0..expected.lines.len())
            .map(|i| expected.lines.line(i))
            .collect();
        assert_eq!(
            lines,
            [&b"a"[..], b"b", b"b\t", b"b\t\x01rw", b"b\tx", b"b\ty"]
        );
    }

    /// The union has every table and column of every part, and no access line.
    #[test]
    fn the_union_is_the_union_of_the_snapshots() {
        let mut rng = Gen(Rng::exact(0x0123_4567_89ab_cdef), false);
        for _ in 0..500 {
            let mut parts = Vec::new();
            let mut union = Snapshot::new("*", "*");
            for _ in 0..rng.below(4) {
                let mut snapshot = Snapshot::new("p", "s");
                for _ in 0..rng.below(4) {
                    let table = snapshot
                        .tables
                        .entry(rng.pick(&["a", "b", "ab", ""]).to_string())
                        .or_default();
                    table.access = [None, Some(MappingAccess::ReadOnly)][rng.below(2)];
                    for _ in 0..rng.below(4) {
                        let column = rng.pick(&["x", "y", "", "xy"]).to_string();
                        table.columns.insert(column, Default::default());
                    }
                }
                for (name, table) in &snapshot.tables {
                    let entry = union.tables.entry(name.clone()).or_default();
                    for column in table.columns.keys() {
                        entry.columns.entry(column.clone()).or_default();
                    }
                }
                parts.push(SnapshotNames::of(&snapshot).lines);
            }
            assert_eq!(
                NameLines::union(&parts),
                SnapshotNames::of(&union).lines,
                "{parts:?}"
            );
        }
    }
}

#[cfg(test)]
mod doc_examples {
    #[test]
    fn doc_example_module() {
        use crate::names_reader::SnapshotNames;
        use crate::Snapshot;
        let text = r#"{"format": 1, "environment": "prod", "schema": "salesforce",
            "tables": {"account": {"access": "read_only", "columns": {"name": {"type": "text"}}}}}"#;
        let names = SnapshotNames::read(text).expect("the common form is read directly");
        assert_eq!(names.schema, "salesforce");
        assert_eq!(
            names.lines,
            SnapshotNames::of(&Snapshot::parse(text, "p", "p").unwrap()).lines
        );
        // An escape is left to `Snapshot::parse`; `load` takes either path.
        let escaped = text.replace("\"name\"", "\"n\\u0061me\"");
        assert!(SnapshotNames::read(&escaped).is_none());
        assert_eq!(
            SnapshotNames::load(&escaped, "p", "p").unwrap().lines,
            names.lines
        );
    }
}
