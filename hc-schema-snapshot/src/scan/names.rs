//! Where a file mentions a name that matters (`hc_requires`, `hc_sql`, an alias): a byte
//! search with `memchr::memmem`, whole identifiers only. Files and items without such a
//! mention hold no annotation and no `hc_sql!`, so the scan does not parse them.

use memchr::memmem::Finder;

use super::lexer::is_ident_continue;

/// A set of identifiers to look for. Names that share their first three bytes (`hc_requires`,
/// `hc_sql`, `hc_schema_macro`) share one search.
pub(crate) struct NameSet {
    names: Vec<String>,
    /// A search for a prefix, and the names (indices) that start with it.
    groups: Vec<(Finder<'static>, Vec<usize>)>,
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
        let mut groups: Vec<(Vec<u8>, Vec<usize>)> = Vec::new();
        for (index, name) in names.iter().enumerate() {
            let prefix = &name.as_bytes()[..name.len().min(3)];
            match groups.iter_mut().find(|(p, _)| p == prefix) {
                Some((_, members)) => members.push(index),
                None => groups.push((prefix.to_vec(), vec![index])),
            }
        }
        let groups = groups
            .into_iter()
            .map(|(prefix, members)| (Finder::new(&prefix).into_owned(), members))
            .collect();
        NameSet { names, groups }
    }

    /// The names looked for, sorted.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// For each name (in [`NameSet::names`] order), the byte offsets where it occurs as a
    /// whole identifier (the bytes around it are not identifier characters), sorted.
    pub(crate) fn find_each(&self, text: &[u8]) -> Vec<Vec<usize>> {
        let mut found = vec![Vec::new(); self.names.len()];
        for (finder, members) in &self.groups {
            for at in finder.find_iter(text) {
                if at.checked_sub(1).is_some_and(|i| ident_byte(text[i])) {
                    continue;
                }
                for &index in members {
                    let name = self.names[index].as_bytes();
                    let after = text.get(at + name.len()).copied();
                    if text[at..].starts_with(name) && !after.is_some_and(ident_byte) {
                        found[index].push(at);
                    }
                }
            }
        }
        if !text.is_ascii() {
            self.find_normalised(text, &mut found);
        }
        found
    }

    /// rustc compares identifiers in NFC: an identifier with non-ASCII characters matches a
    /// name when its NFC form does (`e\u{301}` is `é`, `\u{212A}eep` is `Keep`). Adds those offsets.
    fn find_normalised(&self, text: &[u8], found: &mut [Vec<usize>]) {
        let Ok(text) = std::str::from_utf8(text) else {
            return;
        };
        let ident_char = |c: char| {
            c == '_' || c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
        };
        let mut changed = false;
        let mut at = 0;
        while let Some(offset) = text[at..].bytes().position(|b| b >= 0x80) {
            let hit = at + offset;
            let start = text[..hit]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| ident_char(c))
                .last()
                .map_or(hit, |(i, _)| i);
            let end = text[hit..]
                .char_indices()
                .find(|&(_, c)| !ident_char(c))
                .map_or(text.len(), |(i, _)| hit + i);
            if end == hit {
                // A non-ASCII character outside identifiers.
                at = hit + text[hit..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let word = super::resolve::nfc(&text[start..end]);
            if let Some(index) = self.names.iter().position(|n| *n == word) {
                found[index].push(start);
                changed = true;
            }
            at = end;
        }
        if changed {
            for offsets in found.iter_mut() {
                offsets.sort_unstable();
                offsets.dedup();
            }
        }
    }

    /// The byte offsets where one of the names occurs as a whole identifier, sorted.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &[u8]) -> Vec<usize> {
        let mut hits: Vec<usize> = self.find_each(text).into_iter().flatten().collect();
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
        let set = NameSet::new(["hc_requires", "needs", "needs", "hc_sql", "q"]);
        assert_eq!(set.names(), ["hc_requires", "hc_sql", "needs", "q"]);
        assert_eq!(set.groups.len(), 3);
        let text = b"#[needs(a(b))] my_needs needs_x r#needs \xc3\xa9needs hc_requires";
        let hits = set.find(text);
        assert_eq!(hits, [2, 34, 42, 48]);
        assert_eq!(
            set.find_each(b"hc_sql hc_sqlx q"),
            [vec![], vec![0], vec![], vec![15]]
        );
    }

    #[test]
    fn finds_identifiers_equal_in_nfc() {
        let set = NameSet::new(["Keep", "\u{e9}"]);
        let text = "#[\u{212A}eep(a)] #[e\u{301}(b)] x\u{e9}y \u{e9} \u{212A}eeps";
        let hits = set.find(text.as_bytes());
        assert_eq!(hits, [2, 15, 28]);
    }
}
