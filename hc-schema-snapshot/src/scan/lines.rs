//! Positions for the scan: the library's one line index ([`crate::text::LineIndex`]) in the
//! scan's [`Position`]s.

pub(crate) use crate::text::LineIndex;

use super::model::Position;

impl LineIndex {
    /// The position of byte `offset` (a char boundary of `text`).
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let (line, column) = self.line_column(text, offset);
        Position {
            line: line as u32,
            column: column as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\néé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position { line: 2, column: 4 });
        assert_eq!(index.offset(text, 2, 3), x);
        assert_eq!(
            index.position(text, text.len()),
            Position { line: 3, column: 1 }
        );
    }
}
