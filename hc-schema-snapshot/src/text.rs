//! Positions in text, as every message of hc-schema shows them: 1-based lines and 1-based
//! columns counted in characters (as rustc counts them), for snapshots, `hc-schema.toml`,
//! exports and SQL alike.

/// 1-based line and column (in characters) of byte `offset` in `text` (an offset past the end,
/// or inside a character, counts as the nearest character start before it).
///
/// ```
/// use hc_schema_snapshot::text::line_column;
/// assert_eq!(line_column("SELECT a\n  FROM é t", 18), (2, 9));
/// assert_eq!(line_column("é", 1), (1, 1), "inside é: its start");
/// assert_eq!(line_column("ab", 99), (1, 3), "past the end: clamped");
/// ```
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The nearest character boundary at or before `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        // Past the end or inside a character: clamped, never a panic.
        assert_eq!(line_column("é", 1), (1, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
