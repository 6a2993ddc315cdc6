//! JSON text with positions, and small edits that keep everything else byte for byte.
//!
//! `plan --export` edits a user's mapping export: adding one field must be a one-line diff, so
//! the file is not re-serialised. [`parse`] records where each value and key starts and ends
//! (strings and numbers are decoded and validated by serde_json, so both accept the same
//! texts); the editing helpers compute [`Edit`]s that copy the surrounding indentation and
//! separators; [`apply`] splices them in.
//!
//! ```text
//! use hc_schema_snapshot::json_text::{apply, insert_member, parse};
//! let text = "{\n  \"a\": 1,\n  \"c\": 3\n}\n";
//! let root = parse(text).unwrap();
//! let edit = insert_member(text, &root, 1, "\"b\": 2").unwrap();
//! assert_eq!(apply(text, vec![edit]), "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n");
//! ```
//!
//! (A private item: this example runs as the unit test `doc_example_module`.)
//!
//! **Why hand-written** (a maintainer's question before replacing it): `jsonc-parser` 0.26's CST
//! (feature `cst`) was tried on a mapping export on 2026-12-07. Its edits are as small as ours
//! (an inserted field copies its neighbours' indentation; a changed `access` is a one-line
//! diff), but even with every strictness flag of its `ParseOptions` off it accepts texts that
//! are not JSON: `//` comments and single-quoted strings, which `heroku connect:import`
//! refuses. Using it would mean validating with serde_json first and parsing twice. This module
//! accepts exactly serde_json's language (its strings and numbers are decoded by serde_json,
//! and a generated-input test holds [`parse`] to `serde_json::from_str`). If the export path
//! grows, switch: validate with serde_json, then edit through the CST.

use std::fmt;

/// Deepest nesting accepted (serde_json's own limit is 128).
const MAX_DEPTH: usize = 128;

/// A JSON value and where it is in the text (byte offsets, `end` exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
}

/// The kind of a [`Value`], with its children.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// An object, members in text order.
    Object(Vec<Member>),
    /// An array.
    Array(Vec<Value>),
    /// A string, decoded.
    String(String),
    /// A number.
    Number(serde_json::Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The decoded key.
    pub key: String,
    /// Offset of the key's opening quote.
    pub key_start: usize,
    /// The value.
    pub value: Value,
}

/// Text that is not JSON: what is wrong and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parse `text` (one JSON value, with surrounding whitespace).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser { text, at: 0 };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.at < text.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> ParseError {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, column) = crate::text::line_column(self.text, offset);
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.at, message)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        let start = self.at;
        let kind = match self.peek() {
            None => return Err(self.error("unexpected end of the text, expected a value")),
            Some(b'{') => {
                self.nest(depth)?;
                Kind::Object(self.object(depth)?)
            }
            Some(b'[') => {
                self.nest(depth)?;
                Kind::Array(self.array(depth)?)
            }
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(_) => return Err(self.error("expected a value")),
        };
        Ok(Value {
            start,
            end: self.at,
            kind,
        })
    }

    fn nest(&self, depth: usize) -> Result<(), ParseError> {
        if depth >= MAX_DEPTH {
            Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")))
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Vec<Member>, ParseError> {
        self.at += 1; // {
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(members);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key (a string)"));
            }
            let key_start = self.at;
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':', "`:` after the key")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_start,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(members);
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Value>, ParseError> {
        self.at += 1; // [
        let mut elements = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(elements);
        }
        loop {
            self.skip_ws();
            elements.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(elements);
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string token, decoded by serde_json (escapes, control characters, surrogates).
    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    self.at = i + 1;
                    return serde_json::from_str::<String>(&self.text[start..self.at]).map_err(
                        |err| self.error_at(start + err.column().saturating_sub(1), strip(&err)),
                    );
                }
                _ => i += 1,
            }
        }
        Err(self.error_at(start, "unterminated string"))
    }

    fn number(&mut self) -> Result<serde_json::Number, ParseError> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.at += 1;
        }
        serde_json::from_str::<serde_json::Number>(&self.text[start..self.at])
            .map_err(|err| self.error_at(start, format!("invalid number ({})", strip(&err))))
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, ParseError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(kind)
        } else {
            Err(self.error("expected a value"))
        }
    }
}

fn strip(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl Value {
    /// The member `key` of an object (the last one when repeated, as serde_json reads it).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.kind {
            Kind::Object(members) => members
                .iter()
                .rev()
                .find(|m| m.key == key)
                .map(|m| &m.value),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The same value as serde_json builds it (the agreement test's reference).
    #[cfg(test)]
    pub fn to_value(&self) -> serde_json::Value {
        match &self.kind {
            Kind::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.value.to_value()))
                    .collect(),
            ),
            Kind::Array(elements) => {
                serde_json::Value::Array(elements.iter().map(Value::to_value).collect())
            }
            Kind::String(s) => serde_json::Value::String(s.clone()),
            Kind::Number(n) => serde_json::Value::Number(n.clone()),
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Null => serde_json::Value::Null,
        }
    }
}

/// Replace `remove` bytes at `at` with `insert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte offset.
    pub at: usize,
    /// How many bytes to remove there.
    pub remove: usize,
    /// What to put there.
    pub insert: String,
}

/// Apply non-overlapping edits to `text`.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    // From the end, so that earlier offsets stay valid; equal offsets keep their order.
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.at));
    let mut out = text.to_string();
    let mut grouped: Vec<Edit> = Vec::new();
    for edit in edits {
        match grouped.last_mut() {
            Some(last) if last.at == edit.at && last.remove == 0 && edit.remove == 0 => {
                last.insert.push_str(&edit.insert);
            }
            _ => grouped.push(edit),
        }
    }
    for edit in grouped {
        out.replace_range(edit.at..edit.at + edit.remove, &edit.insert);
    }
    out
}

/// The indentation step of the document (`"  "`, `"    "`, `"\t"`), from the first nested
/// line; `None` for a document on one line.
pub fn indent_unit(text: &str, root: &Value) -> Option<String> {
    let first = match &root.kind {
        Kind::Object(members) => members.first().map(|m| m.key_start),
        Kind::Array(elements) => elements.first().map(|e| e.start),
        _ => None,
    }?;
    let before = &text[root.start + 1..first];
    let (_, indent) = before.rsplit_once('\n')?;
    let outer = line_indent(text, root.start);
    indent
        .strip_prefix(outer.as_str())
        .filter(|unit| !unit.is_empty())
        .map(str::to_string)
}

/// The leading whitespace of the line holding `offset`.
pub fn line_indent(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The whitespace between the separator before item `index` of a container (its `{`, `[` or
/// `,`) and the item itself.
fn gap_before(
    text: &str,
    container: &Value,
    starts: &[usize],
    ends: &[usize],
    index: usize,
) -> String {
    let from = if index == 0 {
        container.start + 1
    } else {
        ends[index - 1]
    };
    let between = &text[from..starts[index]];
    match between.rfind(',') {
        Some(comma) if index > 0 => between[comma + 1..].to_string(),
        _ => between.to_string(),
    }
}

/// Insert `item` (already rendered) as entry `index` of an object or array, copying the
/// separator and indentation of its neighbours. Multi-line `item`s are re-indented to the
/// entry's indentation.
fn insert_item(
    text: &str,
    container: &Value,
    starts: &[usize],
    ends: &[usize],
    index: usize,
    item: &str,
    unit: Option<&str>,
) -> Edit {
    let reindent = |item: &str, indent: &str| item.replace('\n', &format!("\n{indent}"));
    if starts.is_empty() {
        let outer = line_indent(text, container.start);
        return match unit {
            Some(unit) => {
                let inner = format!("{outer}{unit}");
                Edit {
                    at: container.start + 1,
                    remove: container.end - 1 - (container.start + 1),
                    insert: format!("\n{inner}{}\n{outer}", reindent(item, &inner)),
                }
            }
            None => Edit {
                at: container.start + 1,
                remove: container.end - 1 - (container.start + 1),
                insert: item.to_string(),
            },
        };
    }
    let index = index.min(starts.len());
    let anchor = if index < starts.len() {
        index
    } else {
        starts.len() - 1
    };
    let gap = gap_before(text, container, starts, ends, anchor);
    let indent = gap.rsplit_once('\n').map_or("", |(_, indent)| indent);
    let item = reindent(item, indent);
    if index < starts.len() {
        // After our comma comes the separator the container uses between items (`{"a"` has
        // none before its first item; `, "b"` shows it), else a space.
        let separator = if index == 0 && !gap.contains('\n') {
            if starts.len() > 1 {
                gap_before(text, container, starts, ends, 1)
            } else {
                " ".to_string()
            }
        } else {
            gap
        };
        Edit {
            at: starts[index],
            remove: 0,
            insert: format!("{item},{separator}"),
        }
    } else {
        Edit {
            at: ends[starts.len() - 1],
            remove: 0,
            insert: format!(",{gap}{item}"),
        }
    }
}

/// Insert the member text `member` (`"key": value`) as member `index` of `object` (`index`
/// past the end appends). `None` when `object` is not an object.
pub fn insert_member(text: &str, object: &Value, index: usize, member: &str) -> Option<Edit> {
    let Kind::Object(members) = &object.kind else {
        return None;
    };
    let starts: Vec<usize> = members.iter().map(|m| m.key_start).collect();
    let ends: Vec<usize> = members.iter().map(|m| m.value.end).collect();
    let unit = unit_near(text, object);
    Some(insert_item(
        text,
        object,
        &starts,
        &ends,
        index,
        member,
        unit.as_deref(),
    ))
}

/// Append the rendered value `element` to `array`. `None` when `array` is not an array.
pub fn push_element(text: &str, array: &Value, element: &str) -> Option<Edit> {
    let Kind::Array(elements) = &array.kind else {
        return None;
    };
    let starts: Vec<usize> = elements.iter().map(|e| e.start).collect();
    let ends: Vec<usize> = elements.iter().map(|e| e.end).collect();
    let unit = unit_near(text, array);
    Some(insert_item(
        text,
        array,
        &starts,
        &ends,
        usize::MAX,
        element,
        unit.as_deref(),
    ))
}

/// The indentation step to use inside `container`: its own when it spans lines, else none.
fn unit_near(text: &str, container: &Value) -> Option<String> {
    text[container.start..container.end]
        .contains('\n')
        .then(|| indent_unit(text, container))
        .flatten()
}

/// Replace a value's text.
pub fn replace(value: &Value, with: &str) -> Edit {
    Edit {
        at: value.start,
        remove: value.end - value.start,
        insert: with.to_string(),
    }
}

/// Render `value` the way the document is written: pretty with `unit` as the indentation
/// step, or compact when `unit` is `None`. Lines after the first are not indented further:
/// the editing helpers add the entry's indentation.
pub fn render<T: serde::Serialize>(value: &T, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => {
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            value
                .serialize(&mut serializer)
                .expect("serializing to memory does not fail");
            String::from_utf8(out).expect("serde_json writes UTF-8")
        }
        None => serde_json::to_string(value).expect("serializing to memory does not fail"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_recorded() {
        let text = " {\"a\": [1, \"x\"], \"b\": null} ";
        let root = parse(text).unwrap();
        assert_eq!((root.start, root.end), (1, text.len() - 1));
        let Kind::Object(members) = &root.kind else {
            panic!()
        };
        assert_eq!(
            &text[members[0].key_start..members[0].value.end],
            "\"a\": [1, \"x\"]"
        );
        assert_eq!(root.get("b").unwrap().kind, Kind::Null);
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 8), "{err}");
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\" 1}").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse("01").is_err());
        assert!(parse(&"[".repeat(200)).is_err());
    }

    #[test]
    fn inserts_copy_the_neighbours_layout() {
        let text = "{\n    \"m\": [\n        {\"x\": 1}\n    ],\n    \"e\": {},\n    \"f\": []\n}";
        let root = parse(text).unwrap();
        let m = root.get("m").unwrap();
        let out = apply(text, vec![push_element(text, m, "{\n\"y\": 2\n}").unwrap()]);
        assert!(
            out.contains("{\"x\": 1},\n        {\n        \"y\": 2\n        }\n    ]"),
            "{out}"
        );
        let e = root.get("e").unwrap();
        // An empty container on one line stays on one line: a one-line diff.
        let out = apply(text, vec![insert_member(text, e, 0, "\"k\": 1").unwrap()]);
        assert!(out.contains("\n    \"e\": {\"k\": 1},\n"), "{out}");
        let root_edit = insert_member(text, &root, 0, "\"a\": 0").unwrap();
        assert!(apply(text, vec![root_edit]).starts_with("{\n    \"a\": 0,\n    \"m\": ["));
        // Several inserts at one place keep their order.
        let fields = "{\"Id\": {}}";
        let root = parse(fields).unwrap();
        let edits = vec![
            insert_member(fields, &root, 0, "\"Aa\": {}").unwrap(),
            insert_member(fields, &root, 0, "\"Ab\": {}").unwrap(),
        ];
        assert_eq!(apply(fields, edits), "{\"Aa\": {}, \"Ab\": {}, \"Id\": {}}");
        let compact = "{\"a\":{},\"b\":[1]}";
        let root = parse(compact).unwrap();
        let edits = vec![
            insert_member(compact, root.get("a").unwrap(), 0, "\"k\":1").unwrap(),
            push_element(compact, root.get("b").unwrap(), "2").unwrap(),
            insert_member(compact, &root, 0, "\"z\":0").unwrap(),
        ];
        assert_eq!(
            apply(compact, edits),
            "{\"z\":0,\"a\":{\"k\":1},\"b\":[1,2]}"
        );
    }

    use crate::testing::Rng;

    fn ws(rng: &mut Rng) -> &'static str {
        ["", " ", "\n  ", "\t", "\r\n", ""][rng.below(6)]
    }

    fn generate(rng: &mut Rng, depth: usize, out: &mut String) {
        let pick = if depth > 4 {
            rng.below(5)
        } else {
            rng.below(7)
        };
        match pick {
            0 => out.push_str(["true", "false", "null"][rng.below(3)]),
            1 => out.push_str(
                ["0", "-1", "3.25", "1e3", "-0.5E-2", "12345678901234567890"][rng.below(6)],
            ),
            2..=4 => out.push_str(
                [
                    "\"\"",
                    "\"a\"",
                    "\"\\\"q\\\\\"",
                    "\"\\u00e9\\n\"",
                    "\"é€\"",
                    "\"\\ud83d\\ude00\"",
                    "\"Name\"",
                ][rng.below(7)],
            ),
            5 => {
                out.push('[');
                let n = rng.below(4);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(ws(rng));
                    generate(rng, depth + 1, out);
                    out.push_str(ws(rng));
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                let n = rng.below(4);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(ws(rng));
                    out.push_str(["\"k\"", "\"a\"", "\"\\u0041\"", "\"k\""][rng.below(4)]);
                    out.push_str(ws(rng));
                    out.push(':');
                    out.push_str(ws(rng));
                    generate(rng, depth + 1, out);
                }
                out.push_str(ws(rng));
                out.push('}');
            }
        }
    }

    /// Generated texts, valid and mutated: never a panic, and this parser and serde_json agree
    /// on what is JSON and on what it means.
    #[test]
    fn agrees_with_serde_json_on_generated_texts() {
        let mut rng = Rng::exact(0x5eed_1234_abcd_ef01);
        let noise = [
            "", ",", "}", "]", "\"", "\\", "x", ":", "{", "1", " ", "é", "-",
        ];
        for round in 0..20_000 {
            let mut text = String::new();
            text.push_str(ws(&mut rng));
            generate(&mut rng, 0, &mut text);
            text.push_str(ws(&mut rng));
            if round % 2 == 1 && !text.is_empty() {
                // Mutate at a character boundary.
                let boundaries: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .collect();
                let at = boundaries[rng.below(boundaries.len())];
                let cut = boundaries.iter().copied().find(|b| *b > at).unwrap_or(at);
                let remove = rng.below(2) == 0;
                let insert = noise[rng.below(noise.len())];
                text.replace_range(at..if remove { cut } else { at }, insert);
            }
            let ours = parse(&text);
            let theirs: Result<serde_json::Value, _> = serde_json::from_str(&text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => assert_eq!(&a.to_value(), b, "{text:?}"),
                (Err(_), Err(_)) => {}
                _ => panic!("disagreement on {text:?}: {ours:?} vs {theirs:?}"),
            }
        }
    }
}

#[cfg(test)]
mod doc_examples {
    #[test]
    fn doc_example_module() {
        use crate::json_text::{apply, insert_member, parse};
        let text = "{\n  \"a\": 1,\n  \"c\": 3\n}\n";
        let root = parse(text).unwrap();
        let edit = insert_member(text, &root, 1, "\"b\": 2").unwrap();
        assert_eq!(
            apply(text, vec![edit]),
            "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n"
        );
    }
}
