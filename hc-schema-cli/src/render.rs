//! Printing: rustc-style diagnostics, GitHub annotations, diffs.

use std::fmt::Write as _;
use std::path::Path;

use hc_schema_snapshot::diff::{Deviation, DeviationKind, Need, Summary};

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
    diagnostic_at("error", base, file, line, column, message, notes, helps)
}

/// [`diagnostic`] with another level: `warning`, `note`, `allowed`.
#[allow(clippy::too_many_arguments)]
pub fn diagnostic_at(
    level: &str,
    base: &Path,
    file: &str,
    line: u32,
    column: u32,
    message: &str,
    notes: &[String],
    helps: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{level}: {message}");
    let source_line = source_line(base, file, line);
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

/// `text` with every control character but newline and tab written as `\u{..}`: names and
/// type names come from snapshot files and live catalogs, and an escape sequence in one
/// (`\u{1b}[2J`) must reach the terminal as text, never as a command. The binary's `print!`
/// family (main.rs) passes everything it prints through this.
///
/// ```text
/// printable("varchar\u{1b}[31m") == "varchar\\u{1b}[31m"
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A control character other than newline and tab (C0, DEL, C1).
fn is_escaped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Line `line` (1-based) of `base/file`, when it can be read.
pub fn source_line(base: &Path, file: &str, line: u32) -> Option<String> {
    // Never a pipe or device (it would block): the scan names those as errors.
    hc_schema_snapshot::read::read_regular_text(&base.join(file), u64::from(u32::MAX))
        .ok()
        .and_then(|text| {
            text.lines()
                .nth(line.saturating_sub(1) as usize)
                .map(str::to_string)
        })
}

/// The width in characters of the name token at `line:column` of `base/file` (at least 1).
pub fn token_width_at(base: &Path, file: &str, line: u32, column: u32) -> usize {
    source_line(base, file, line)
        .map(|text| {
            token_width(
                &text
                    .chars()
                    .skip(column.saturating_sub(1) as usize)
                    .collect::<String>(),
            )
        })
        .unwrap_or(0)
        .max(1)
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
    github_at("error", file, line, column, title, message)
}

/// A GitHub Actions workflow command of another level: `warning`, `notice`.
pub fn github_at(
    level: &str,
    file: &str,
    line: u32,
    column: u32,
    title: &str,
    message: &str,
) -> String {
    format!(
        "::{level} file={},line={line},col={column},title={}::{}",
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

/// Deviations, one line each: `-` for `a` only, `+` for `b` only, `~` for a difference, then
/// the code sites that need it and whether it breaks them:
///
/// ```text
/// - account.aboutme  (only in test)  needed at src/users.rs:18:5  BREAKING
/// + account.fax  (only in prod)
/// ~ table contact: access  (test: read-write, prod: read-only)  written at src/x.rs:3:15  BREAKING
/// ~ account.name: type  (test: character varying(80), prod: text)  needed at src/a.rs:3:9  (harmless: one Rust type reads both)
/// ```
///
/// Sites and `BREAKING` appear once the deviations are classified
/// ([`hc_schema_snapshot::diff::classify`]); [`deviation_summary`] counts them.
pub fn render_deviations(deviations: &[Deviation], a: &str, b: &str) -> String {
    let mut out = String::new();
    for deviation in deviations {
        let subject = match &deviation.column {
            Some(column) => format!("{}.{column}", deviation.table),
            None => format!("table {}", deviation.table),
        };
        let (sign, what) = match &deviation.kind {
            DeviationKind::OnlyInA => ('-', format!("{subject}  (only in {a})")),
            DeviationKind::OnlyInB => ('+', format!("{subject}  (only in {b})")),
            DeviationKind::TypeDiffers { a: ta, b: tb } => {
                ('~', format!("{subject}: type  ({a}: {ta}, {b}: {tb})"))
            }
            DeviationKind::AccessDiffers { a: xa, b: xb } => {
                let show = |x: &Option<hc_schema_snapshot::snapshot::MappingAccess>| {
                    x.map_or("unknown".to_string(), |x| x.to_string())
                };
                (
                    '~',
                    format!("{subject}: access  ({a}: {}, {b}: {})", show(xa), show(xb)),
                )
            }
        };
        let _ = write!(out, "{sign} {what}");
        if let Some(reason) = &deviation.allowed {
            let _ = write!(out, "  (allowed: {reason})");
        }
        if !deviation.needed_at.is_empty() {
            let verb = if matches!(deviation.kind, DeviationKind::AccessDiffers { .. }) {
                "written at"
            } else {
                "needed at"
            };
            let _ = write!(out, "  {verb} {}", sites(&deviation.needed_at));
        }
        if deviation.breaking {
            out.push_str("  BREAKING");
        }
        // A type change the code uses: why it breaks the code, or why it does not.
        if let Some(why) = &deviation.why {
            let _ = write!(out, "  ({why})");
        }
        out.push('\n');
    }
    out
}

/// The summary line of classified deviations ([`hc_schema_snapshot::diff::classify`]):
/// `3 deviations: 2 breaking, 1 harmless; 0 allowed by hc-schema.toml, 3 unexplained`.
pub fn deviation_summary(deviations: &[Deviation]) -> String {
    let summary = Summary::of(deviations);
    format!(
        "{}: {} breaking, {} harmless; {} allowed by hc-schema.toml, {} unexplained",
        hc_schema_snapshot::text::count(summary.total, "deviation"),
        summary.breaking,
        summary.harmless,
        summary.allowed,
        summary.unexplained
    )
}

/// Up to three sites (`a.rs:1:2, b.rs:3:4 and 5 more`), each with its allowance if any.
fn sites(needs: &[Need]) -> String {
    let mut shown: Vec<String> = needs
        .iter()
        .take(3)
        .map(|need| match &need.allowed {
            Some(reason) => format!("{} (missing_ok: {reason})", need.site),
            None if need.star => format!("{} (possibly used by the `SELECT *` there)", need.site),
            None => need.site.to_string(),
        })
        .collect();
    if needs.len() > 3 {
        shown.push(format!("and {} more", needs.len() - 3));
    }
    shown.join(", ")
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
