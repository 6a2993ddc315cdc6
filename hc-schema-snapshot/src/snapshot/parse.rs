//! Loading a snapshot: strict JSON with clear errors (file, line and column, the fix), a
//! duplicate key or a merge-conflict marker named as such, and the format checked as written.

use std::path::Path;

use super::*;

impl Snapshot {
    /// Load a snapshot file. `display` is how the path appears in error messages.
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let display = path.display().to_string();
        let text = match crate::read::read_regular_text(path, crate::read::MAX_BYTES) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(SnapshotError::Missing {
                    path: display,
                    env: env_of_path(path),
                })
            }
            Err(source) => {
                return Err(SnapshotError::Unreadable {
                    path: display,
                    source,
                })
            }
        };
        Snapshot::parse(&text, &display, &env_of_path(path))
    }

    /// Load a snapshot file named by path (`check --snapshot f.json`, `HC_SCHEMA_SNAPSHOT`)
    /// rather than an environment's file of the snapshot directory: the same as
    /// [`Snapshot::load`], but no message takes the file's name for an environment's (no
    /// "`hc-schema refresh f`" for `f.json`).
    pub fn load_given(path: &Path) -> Result<Snapshot, SnapshotError> {
        let display = path.display().to_string();
        let text = match crate::read::read_regular_text(path, crate::read::MAX_BYTES) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Err(SnapshotError::Missing {
                    path: display,
                    env: String::new(),
                })
            }
            Err(source) => {
                return Err(SnapshotError::Unreadable {
                    path: display,
                    source,
                })
            }
        };
        Snapshot::parse(&text, &display, "")
    }

    /// Parse snapshot text; `path` and `env` only appear in error messages (`env` empty: the
    /// file is not known to be an environment's).
    ///
    /// ```
    /// use hc_schema_snapshot::Snapshot;
    /// let text = r#"{"format": 1, "environment": "prod", "schema": "salesforce",
    ///   "tables": {"account": {"columns": {"name": {"type": "text"}}}}}"#;
    /// let snapshot = Snapshot::parse(text, "prod.json", "prod").unwrap();
    /// assert!(snapshot.has_column("account", "name"));
    /// ```
    pub fn parse(text: &str, path: &str, env: &str) -> Result<Snapshot, SnapshotError> {
        // Editors on Windows may save a UTF-8 byte order mark: it is not JSON, but harmless.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(line) = crate::conflict::find_marker(text) {
            return Err(SnapshotError::MergeConflict {
                path: path.to_string(),
                line,
                env: env.to_string(),
            });
        }
        let malformed = |err: serde_json::Error| SnapshotError::Malformed {
            path: path.to_string(),
            line: err.line().max(1),
            // serde_json says column 0 at the end of a line; columns count from 1.
            column: err.column().max(1),
            message: strip_position(&err.to_string()),
            env: env.to_string(),
        };
        #[derive(Deserialize)]
        struct Probe {
            format: Option<serde_json::Value>,
        }
        let probe: Probe = serde_json::from_str(text).map_err(malformed)?;
        // The value as written (serde_json reads 18446744073709551617 as a float).
        let written = top_level_value(text, "format");
        let shown = |other: &serde_json::Value| {
            written
                .as_ref()
                .map_or_else(|| other.to_string(), |(_, raw)| raw.to_string())
        };
        match probe.format {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(FORMAT as u64) => {}
            // A later version's format (an integer above ours): this hc-schema is older.
            Some(serde_json::Value::Number(n))
                if n.as_u64()
                    .is_some_and(|k| k > u64::from(FORMAT) && k <= u64::from(u32::MAX)) =>
            {
                return Err(SnapshotError::UnsupportedFormat {
                    path: path.to_string(),
                    found: shown(&serde_json::Value::Number(n)),
                    env: env.to_string(),
                })
            }
            // `1.0`, `"1"` (the right version in the wrong JSON type), `0`, `-1`, `2.5`, a
            // string, a number no version will ever have: not a format at all.
            Some(other) => {
                let (line, column) = written.as_ref().map_or_else(
                    || {
                        text.find("\"format\"")
                            .map_or((1, 1), |at| crate::text::line_column(text, at))
                    },
                    |(at, _)| crate::text::line_column(text, *at),
                );
                let message = if looks_like_format(&other) {
                    format!(
                        "`format` is {}; it must be the integer {FORMAT} (`\"format\": {FORMAT}`)",
                        shown(&other)
                    )
                } else {
                    format!(
                        "`format` is {}; it must be the integer {FORMAT} (`\"format\": {FORMAT}`), \
                         the only snapshot format there is",
                        shown(&other)
                    )
                };
                return Err(SnapshotError::Malformed {
                    path: path.to_string(),
                    line,
                    column,
                    message,
                    env: env.to_string(),
                });
            }
            None => {
                let (line, column, message) = match &written {
                    // `"format": null`
                    Some((at, raw)) => {
                        let (line, column) = crate::text::line_column(text, *at);
                        let message = format!(
                            "`format` is {raw}; it must be the integer {FORMAT} (`\"format\": {FORMAT}`)"
                        );
                        (line, column, message)
                    }
                    None => (
                        1,
                        1,
                        "missing field `format` (is this an hc-schema snapshot?)".to_string(),
                    ),
                };
                return Err(SnapshotError::Malformed {
                    path: path.to_string(),
                    line,
                    column,
                    message,
                    env: env.to_string(),
                });
            }
        }
        let snapshot: Snapshot = serde_json::from_str(text).map_err(malformed)?;
        Ok(snapshot)
    }
}

/// The value of the top-level `key` of a JSON object text, as written, and where the key is
/// (byte offset of its opening quote); `None` when the text has no such key (or is not an
/// object). The value is a scalar's text (`18446744073709551617`, `"1"`), or `{...}`/`[...]`.
fn top_level_value<'t>(text: &'t str, key: &str) -> Option<(usize, &'t str)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    // The key whose value comes next, when at depth 1.
    let mut pending: Option<(usize, bool)> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(bytes.len());
                if depth == 1 && pending.is_none() {
                    let is_key = text.get(start + 1..i) == Some(key);
                    pending = Some((start, is_key));
                    i = end;
                    continue;
                }
                i = end;
                continue;
            }
            b':' if depth == 1 => {
                if let Some((at, true)) = pending {
                    let rest = &text[i + 1..];
                    let value = rest.trim_start();
                    let from = text.len() - value.len();
                    let len = value_len(value);
                    return Some((at, &text[from..from + len]));
                }
            }
            b',' if depth == 1 => pending = None,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of the JSON value at the start of `text` (a scalar up to `,`/`}`/`]`/space, a
/// string, or a bracketed value).
fn value_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'"') => {
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i + 1).min(bytes.len())
        }
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    b'"' => {
                        i += 1;
                        while i < bytes.len() && bytes[i] != b'"' {
                            i += if bytes[i] == b'\\' { 2 } else { 1 };
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        _ => bytes
            .iter()
            .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())
            .unwrap_or(bytes.len()),
    }
}

/// Whether a `format` value that is not the integer [`FORMAT`] still means it (`1.0`, `"1"`).
fn looks_like_format(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => n.as_f64() == Some(f64::from(FORMAT)),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok() == Some(f64::from(FORMAT)),
        _ => false,
    }
}

pub(super) fn unique_tables<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Table>, D::Error> {
    deserializer.deserialize_map(UniqueKeys::new("table", "tables"))
}

pub(super) fn unique_columns<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Column>, D::Error> {
    deserializer.deserialize_map(UniqueKeys::new("column", "columns"))
}

/// A map visitor that rejects a key seen twice: serde_json would keep the last one silently,
/// and a hand-merged snapshot would then lose a table without a word.
struct UniqueKeys<V> {
    what: &'static str,
    field: &'static str,
    marker: std::marker::PhantomData<V>,
}

impl<V> UniqueKeys<V> {
    fn new(what: &'static str, field: &'static str) -> Self {
        UniqueKeys {
            what,
            field,
            marker: std::marker::PhantomData,
        }
    }
}

impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for UniqueKeys<V> {
    type Value = BTreeMap<String, V>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object of {}", self.field)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate {} `{key}` in `{}` (only one may remain: merge the two entries)",
                    self.what, self.field
                )));
            }
            let value = map.next_value()?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// Append `text` as a JSON string, exactly as serde_json writes it (only `"`, `\\` and
/// control characters are escaped; the common case needs no escaping at all).
/// serde_json appends " at line L column C"; we print the position ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}
