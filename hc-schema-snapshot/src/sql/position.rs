//! Positions inside an SQL text: sqlparser's 1-based line and column (in characters) to byte
//! offsets and back, and the excerpt with a caret shown in messages.

pub use crate::text::line_column;
use crate::text::{floor_char_boundary, LineIndex};

use std::ops::Range;

use sqlparser::tokenizer::{Location, Span};

/// A text's [`LineIndex`], for turning sqlparser's locations into byte offsets.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            index: LineIndex::new(text),
        }
    }

    /// The byte offset of a sqlparser location; `None` for the empty location (line 0) or one
    /// past the text.
    pub(crate) fn offset(&self, location: Location) -> Option<usize> {
        let line = usize::try_from(location.line).ok()?;
        let column = usize::try_from(location.column).ok()?;
        self.index.exact_offset(self.text, line, column)
    }

    /// The byte range of a sqlparser span, or `None` when it is empty or out of range.
    pub(crate) fn range(&self, span: Span) -> Option<Range<usize>> {
        let start = self.offset(span.start)?;
        let end = self.offset(span.end).unwrap_or(start).max(start);
        Some(start..end)
    }
}

/// The line of `text` holding `range`, and under it a caret line marking the range (at least
/// one caret), both indented by four spaces: what a message shows since a compile error cannot
/// point inside a string literal.
///
/// ```
/// use hc_schema_snapshot::sql::excerpt;
/// let sql = "SELECT nme\nFROM account";
/// assert_eq!(excerpt(sql, 7..10), "    SELECT nme\n           ^^^");
/// ```
pub fn excerpt(text: &str, range: Range<usize>) -> String {
    let start = floor_char_boundary(text, range.start);
    let end = floor_char_boundary(text, range.end.max(start));
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let lead: String = text[line_start..start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let width = text[start..end.min(line_end)].chars().count().max(1);
    format!("    {line}\n    {lead}{}", "^".repeat(width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_map_to_offsets_with_multibyte_characters() {
        let text = "SELECT 'é', a\nFROM t";
        let lines = Lines::new(text);
        let at = |line, column| lines.offset(Location { line, column });
        assert_eq!(at(1, 1), Some(0));
        assert_eq!(at(1, 13), Some(text.find('a').unwrap()));
        assert_eq!(at(2, 6), Some(text.len() - 1));
        assert_eq!(at(2, 7), Some(text.len()), "one past the end");
        assert_eq!(at(2, 9), None);
        assert_eq!(at(0, 0), None);
        assert_eq!(at(3, 1), None);
        let a = text.find('a').unwrap();
        assert_eq!(line_column(text, a), (1, 13));
        assert_eq!(line_column(text, text.len()), (2, 7));
        assert_eq!(
            line_column(text, 9),
            (1, 9),
            "inside é: the character's start"
        );
    }

    #[test]
    fn ascii_and_unicode_texts_agree() {
        let ascii = "SELECT a,\n  bb FROM t";
        let wide = "SELECT a,\n  bb FROM t -- é";
        let (a, w) = (Lines::new(ascii), Lines::new(wide));
        for line in 0..4 {
            for column in 0..25 {
                let location = Location { line, column };
                let in_ascii = a.offset(location);
                if in_ascii.is_some_and(|at| at < ascii.len()) {
                    assert_eq!(in_ascii, w.offset(location), "{line}:{column}");
                }
            }
        }
        assert_eq!(
            a.offset(Location {
                line: 2,
                column: 12
            }),
            Some(ascii.len())
        );
        assert_eq!(
            a.offset(Location {
                line: 2,
                column: 13
            }),
            None
        );
    }

    #[test]
    fn excerpts_mark_the_range() {
        assert_eq!(excerpt("a\n\tbc d", 4..6), "    \tbc d\n    \t ^^");
        assert_eq!(excerpt("abc", 3..3), "    abc\n       ^");
        assert_eq!(excerpt("ab\ncd", 1..4), "    ab\n     ^");
    }
}
