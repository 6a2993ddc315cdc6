//! Byte offsets to positions (1-based line, 1-based column in characters, as proc-macro2 and
//! rustc count them) and back.

use memchr::memchr_iter;

use super::model::Position;

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// Whether each line is ASCII (a column is then a byte count).
    ascii: Vec<bool>,
}

impl LineIndex {
    /// Index `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr_iter(b'\n', text.as_bytes()).map(|n| n + 1));
        let ascii = if text.is_ascii() {
            vec![true; starts.len()]
        } else {
            (0..starts.len())
                .map(|line| {
                    let end = starts.get(line + 1).copied().unwrap_or(text.len());
                    text.as_bytes()[starts[line]..end].is_ascii()
                })
                .collect()
        };
        LineIndex { starts, ascii }
    }

    /// The position of byte `offset` (a char boundary of `text`).
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = if self.ascii[line] {
            offset.saturating_sub(start)
        } else {
            text.get(start..offset).unwrap_or("").chars().count()
        };
        Position {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// The byte offset of a position (0-based char column, as proc-macro2 reports it), clamped
    /// to the line.
    pub(crate) fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let end = self.starts.get(line).copied().unwrap_or(text.len());
        if self.ascii[line.saturating_sub(1)] {
            return (start + column).min(end);
        }
        let line_text = text.get(start..end).unwrap_or("");
        start
            + line_text
                .char_indices()
                .nth(column)
                .map_or(line_text.len(), |(i, _)| i)
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
