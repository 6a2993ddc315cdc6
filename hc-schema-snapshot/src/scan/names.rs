//! Where a file mentions a name that matters (`hc_requires`, `hc_sql`, an alias): a byte
//! search with `memchr::memmem`, whole identifiers only. Files and items without such a
//! mention hold no annotation and no `hc_sql!`, so the scan does not parse them.

use memchr::memmem::Finder;

use super::lexer::is_ident_continue;

/// A set of identifiers to look for.
pub(crate) struct NameSet {
    finders: Vec<Finder<'static>>,
    names: Vec<String>,
}

impl NameSet {
    /// Look for `names` (duplicates and empty names are dropped).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> NameSet {
        let mut names: Vec<String> = names
            .into_iter()
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        let finders = names
            .iter()
            .map(|n| Finder::new(n.as_bytes()).into_owned())
            .collect();
        NameSet { finders, names }
    }

    /// The names looked for.
    #[cfg(test)]
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The byte offsets where one of the names occurs as a whole identifier (the bytes around
    /// it are not identifier characters), sorted.
    pub(crate) fn find(&self, text: &[u8]) -> Vec<usize> {
        let mut hits = Vec::new();
        for (finder, name) in self.finders.iter().zip(&self.names) {
            for at in finder.find_iter(text) {
                let before = at.checked_sub(1).map(|i| text[i]);
                let after = text.get(at + name.len()).copied();
                if !before.is_some_and(ident_byte) && !after.is_some_and(ident_byte) {
                    hits.push(at);
                }
            }
        }
        hits.sort_unstable();
        hits
    }
}

/// A byte that continues an identifier. Bytes of non-ASCII characters do not count, so a name
/// next to one is still found (the parse decides).
fn ident_byte(b: u8) -> bool {
    b < 0x80 && is_ident_continue(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_identifiers_only() {
        let set = NameSet::new(["hc_requires", "needs", "needs"]);
        assert_eq!(set.names(), ["hc_requires", "needs"]);
        let text = b"#[needs(a(b))] my_needs needs_x r#needs \xc3\xa9needs hc_requires";
        let hits = set.find(text);
        assert_eq!(hits, [2, 34, 42, 48]);
    }
}
