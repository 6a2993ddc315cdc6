//! In-place edits of a TOML document (a `Cargo.toml` or `hc-schema.toml`) with `toml_edit`:
//! each helper changes nothing that is already right, keeps comments and formatting, and
//! returns what it changed as a sentence for the user. Nothing here indexes with `doc[...]`
//! (which panics on a value that is not a table): a key of the wrong kind is an error.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// A parsed TOML file: its original text and the document being edited.
pub struct TomlFile {
    /// The text as read (empty for a new file).
    pub original: String,
    /// The document.
    pub doc: DocumentMut,
    /// What was changed, in order.
    pub changes: Vec<String>,
}

impl TomlFile {
    /// Parse `text`; `shown` names the file in the error, with line and column.
    pub fn parse(text: &str, shown: &str) -> Result<TomlFile, String> {
        let doc = text.parse::<DocumentMut>().map_err(|err| {
            let (line, column) = err
                .span()
                .map(|span| hc_schema_snapshot::text::line_column(text, span.start))
                .unwrap_or((1, 1));
            format!(
                "{shown}:{line}:{column}: not valid TOML: {}; fix the file, then run `hc-schema init` again (nothing was written)",
                err.message().trim().replace('\n', " ")
            )
        })?;
        Ok(TomlFile {
            original: text.to_string(),
            doc,
            changes: Vec::new(),
        })
    }

    /// The text after the edits.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Whether the edits changed the text.
    pub fn changed(&self) -> bool {
        self.text() != self.original
    }
}

/// The table-like item at `path` below `root` (`["profile", "dev", "build-override"]`),
/// creating missing tables as implicit ones (a header shows only once the table has values, so
/// no empty `[profile]` appears). A key on the way that is not a table is an error naming the dotted path.
pub fn table_at<'a>(root: &'a mut Table, path: &[&str]) -> Result<&'a mut dyn TableLike, String> {
    let mut current: &mut dyn TableLike = root;
    for (i, key) in path.iter().enumerate() {
        if current.get(key).is_none() {
            let mut table = Table::new();
            table.set_implicit(true);
            current.insert(key, Item::Table(table));
        }
        let dotted = path[..=i].join(".");
        let item = current
            .get_mut(key)
            .ok_or_else(|| format!("`{dotted}` cannot be created here"))?;
        current = item
            .as_table_like_mut()
            .ok_or_else(|| format!("`{dotted}` is not a table"))?;
    }
    Ok(current)
}

/// The string at `key` of a table-like, if it is one.
pub fn str_of<'a>(table: &'a dyn TableLike, key: &str) -> Option<&'a str> {
    table.get(key).and_then(Item::as_str)
}

/// Set `key` to `value` in `table` when it is missing; `Ok(true)` when it was added. A key
/// that is present is left alone whatever it holds.
pub fn insert_missing(table: &mut dyn TableLike, key: &str, value: Value) -> bool {
    if table.contains_key(key) {
        return false;
    }
    table.insert(key, Item::Value(value));
    true
}

/// An array of strings.
pub fn string_array<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Array(items.iter().map(|s| s.as_ref()).collect::<Array>())
}

/// An inline table `{ k = v, ... }`, formatted.
pub fn inline(entries: Vec<(&str, Value)>) -> Value {
    let mut table = InlineTable::new();
    for (key, value) in entries {
        table.insert(key, value);
    }
    table.fmt();
    Value::InlineTable(table)
}

/// Make the array at `key` of `table` contain each of `entries` (creating it when missing);
/// returns the entries added. `what` names the key in an error (it is not an array).
pub fn ensure_array_entries(
    table: &mut dyn TableLike,
    key: &str,
    entries: &[String],
    what: &str,
) -> Result<Vec<String>, String> {
    if !table.contains_key(key) {
        table.insert(key, Item::Value(string_array(entries)));
        return Ok(entries.to_vec());
    }
    let array = table
        .get_mut(key)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| {
            format!(
                "{what} is not an array: make it a list (`[...]`), then run `hc-schema init` again"
            )
        })?;
    let mut added = Vec::new();
    for entry in entries {
        if !array.iter().any(|v| v.as_str() == Some(entry)) {
            array.push(entry.as_str());
            added.push(entry.clone());
        }
    }
    Ok(added)
}

/// `"a", "b"` for a message.
pub fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_created_implicitly_and_kept() {
        let mut file = TomlFile::parse("# top\n[package]\nname = \"a\" # keep\n", "x").unwrap();
        let table = table_at(
            file.doc.as_table_mut(),
            &["profile", "dev", "build-override"],
        )
        .unwrap();
        assert!(insert_missing(table, "opt-level", Value::from(3)));
        assert_eq!(
            file.text(),
            "# top\n[package]\nname = \"a\" # keep\n\n[profile.dev.build-override]\nopt-level = 3\n"
        );
        let mut bad = TomlFile::parse("profile = 1\n", "x").unwrap();
        let err = table_at(bad.doc.as_table_mut(), &["profile", "dev"])
            .err()
            .unwrap();
        assert_eq!(err, "`profile` is not a table");
    }

    #[test]
    fn parse_errors_name_the_position() {
        let err = TomlFile::parse("[package]\nname = \n", "Cargo.toml")
            .err()
            .unwrap();
        assert!(err.starts_with("Cargo.toml:2:"), "{err}");
    }

    #[test]
    fn arrays_gain_only_missing_entries() {
        let mut file = TomlFile::parse("[features]\nprod = [\"a/prod\"] # c\n", "x").unwrap();
        let features = table_at(file.doc.as_table_mut(), &["features"]).unwrap();
        let added = ensure_array_entries(
            features,
            "prod",
            &["a/prod".into(), "b/prod".into()],
            "prod",
        )
        .unwrap();
        assert_eq!(added, ["b/prod"]);
        assert_eq!(
            file.text(),
            "[features]\nprod = [\"a/prod\", \"b/prod\"] # c\n"
        );
    }
}
