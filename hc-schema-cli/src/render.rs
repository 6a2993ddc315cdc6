//! Printing: rustc-style diagnostics, GitHub annotations, diffs.

use std::fmt::Write as _;
use std::path::Path;

use hc_schema_snapshot::diff::{Deviation, DeviationKind};

/// A rustc-style diagnostic:
///
/// ```text
/// error: `account.loyalty_tier__c` is not mapped in prod (hc-schema/prod.json)
///   --> src/tiers.rs:4:29
///    |
///  4 | #[hc_requires(account(name, loyalty_tier__c))]
///    |                             ^^^^^^^^^^^^^^^
///    = note: mapped in: test
/// ```
pub fn diagnostic(
    base: &Path,
    file: &str,
    line: u32,
    column: u32,
    message: &str,
    notes: &[String],
    helps: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "error: {message}");
    let source_line = std::fs::read_to_string(base.join(file))
        .ok()
        .and_then(|text| {
            text.lines()
                .nth(line.saturating_sub(1) as usize)
                .map(str::to_string)
        });
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(out, "{pad}--> {file}:{line}:{column}");
    if let Some(source_line) = source_line {
        let start = column.saturating_sub(1) as usize;
        let prefix: String = source_line
            .chars()
            .take(start)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let width = token_width(&source_line.chars().skip(start).collect::<String>());
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {source_line}");
        let _ = writeln!(out, "{pad} | {prefix}{}", "^".repeat(width.max(1)));
    }
    for note in notes {
        let _ = writeln!(out, "{pad} = note: {note}");
    }
    for help in helps {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

/// The width of the name token starting `text`: an identifier (with `r#`), or a string literal.
fn token_width(text: &str) -> usize {
    if let Some(rest) = text.strip_prefix('"') {
        return rest.find('"').map_or(text.chars().count(), |end| end + 2);
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let skip = if text.starts_with("r#") { 2 } else { 0 };
    skip + text[skip..].chars().take_while(|c| ident(*c)).count()
}

/// A GitHub Actions `::error` workflow command.
pub fn github(file: &str, line: u32, column: u32, title: &str, message: &str) -> String {
    format!(
        "::error file={},line={line},col={column},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Deviations grouped by table, `-` for `a` only and `+` for `b` only.
pub fn render_deviations(deviations: &[Deviation], a: &str, b: &str) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for deviation in deviations {
        let allowed = deviation
            .allowed
            .as_deref()
            .map(|reason| format!("  (allowed: {reason})"))
            .unwrap_or_default();
        match &deviation.column {
            None => {
                let sign = if deviation.kind == DeviationKind::OnlyInA {
                    '-'
                } else {
                    '+'
                };
                let side = if sign == '-' { a } else { b };
                let _ = writeln!(
                    out,
                    "{sign} table {}  (only in {side}){allowed}",
                    deviation.table
                );
                current = None;
            }
            Some(column) => {
                if current != Some(deviation.table.as_str()) {
                    let _ = writeln!(out, "  table {}", deviation.table);
                    current = Some(deviation.table.as_str());
                }
                let line = match &deviation.kind {
                    DeviationKind::OnlyInA => format!("-   {column}  (only in {a})"),
                    DeviationKind::OnlyInB => format!("+   {column}  (only in {b})"),
                    DeviationKind::TypeDiffers { a: ta, b: tb } => {
                        format!("~   {column}  ({a}: {ta}, {b}: {tb})")
                    }
                };
                let _ = writeln!(out, "{line}{allowed}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_widths() {
        assert_eq!(token_width("loyalty_tier__c, x"), 15);
        assert_eq!(token_width("r#type)"), 6);
        assert_eq!(token_width("\"Odd__c\")"), 8);
    }

    #[test]
    fn github_escaping() {
        assert_eq!(
            github("src/a,b.rs", 3, 4, "hc-schema", "a\nb 100%"),
            "::error file=src/a%2Cb.rs,line=3,col=4,title=hc-schema::a%0Ab 100%25"
        );
    }
}
