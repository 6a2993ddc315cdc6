//! An ordinary annotation read from its text, without syn: `#[path(table(column, ...), ...)]`
//! whose arguments are in the plain form that [`crate::syntax::plain_groups`] reads (the one
//! the macro itself reads from text). Anything else (comments inside, `write`, `missing_ok`,
//! `cfg_attr`, a malformed list) is left to syn, which also explains the errors.

use super::lexer::{Delim, Token, TokenKind};
use super::lines::LineIndex;
use super::model::Position;
use super::resolve::{unraw, PathText};
use crate::manifest::{Origin, Spot, Usage};
use crate::requirement::Access;
use crate::syntax::plain_groups;

/// An attribute read from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlainAttribute {
    /// Its path.
    pub path: PathText,
    /// Where the path starts.
    pub position: Position,
    /// The usages it states, if it is the annotation.
    pub usages: Vec<Usage>,
}

/// Read the attribute `tokens` (`#`, then a bracket group: exactly one attribute) of `text`,
/// when it is `#[path(plain arguments)]`; `display` names the file in the usages.
pub(crate) fn read(
    text: &str,
    tokens: &[Token],
    lines: &LineIndex,
    display: &str,
) -> Option<PlainAttribute> {
    let kind = |i: usize| tokens.get(i).map(|t| t.kind);
    if kind(0) != Some(TokenKind::Punct(b'#')) || kind(1) != Some(TokenKind::Open(Delim::Bracket)) {
        return None;
    }
    let close = tokens.len() - 1;
    if kind(close) != Some(TokenKind::Close(Delim::Bracket)) {
        return None;
    }
    // The path: [::] ident (:: ident)*, colons adjacent.
    let colons = |i: usize| {
        kind(i) == Some(TokenKind::Punct(b':'))
            && kind(i + 1) == Some(TokenKind::Punct(b':'))
            && tokens[i].end == tokens[i + 1].start
    };
    let mut i = 2;
    let start = tokens.get(i)?.start as usize;
    let leading_colon = colons(i);
    if leading_colon {
        i += 2;
    }
    let mut segments = Vec::new();
    loop {
        if kind(i) != Some(TokenKind::Ident) {
            return None;
        }
        segments.push(unraw(
            &text[tokens[i].start as usize..tokens[i].end as usize],
        ));
        i += 1;
        if colons(i) {
            i += 2;
        } else {
            break;
        }
    }
    // Then one parenthesised group that ends the attribute.
    if kind(i) != Some(TokenKind::Open(Delim::Paren)) || tokens[i].partner as usize + 1 != close {
        return None;
    }
    let args_start = tokens[i].end as usize;
    let args_end = tokens[close - 1].start as usize;
    let mut args = text[args_start..args_end].to_string();
    let base = args.as_ptr() as usize;
    let groups = plain_groups(&mut args)?;
    let spot = |name: &str| {
        let mut at = args_start + (name.as_ptr() as usize - base);
        // The token starts at its quote or `r#`.
        if text.as_bytes()[at - 1] == b'"' {
            at -= 1;
        } else if text[..at].ends_with("r#") {
            at -= 2;
        }
        let position = lines.position(text, at);
        Spot {
            name: name.to_string(),
            line: position.line,
            column: position.column,
        }
    };
    let usages = groups
        .iter()
        .map(|group| Usage {
            file: display.to_string(),
            table: spot(group.table),
            columns: group.columns.iter().map(|c| spot(c)).collect(),
            access: Access::Read,
            allowances: Vec::new(),
            origin: Origin::Annotation,
        })
        .collect();
    Some(PlainAttribute {
        path: PathText {
            leading_colon,
            segments,
        },
        position: lines.position(text, start),
        usages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lexer::lex;

    fn plain(text: &str) -> Option<PlainAttribute> {
        let tokens = lex(text).unwrap();
        read(text, &tokens, &LineIndex::new(text), "src/a.rs")
    }

    #[test]
    fn reads_ordinary_annotations_with_their_positions() {
        let text = "#[::db::needs(Account(Name, r#type),\n  \"Odd_Name__c\"(x))]";
        let read = plain(text).unwrap();
        assert_eq!(read.path.display(), "::db::needs");
        assert_eq!(read.position, Position { line: 1, column: 3 });
        let spots: Vec<(String, u32, u32)> = read
            .usages
            .iter()
            .flat_map(|u| std::iter::once(&u.table).chain(&u.columns))
            .map(|s| (s.name.clone(), s.line, s.column))
            .collect();
        assert_eq!(
            spots,
            [
                ("account".into(), 1, 15),
                ("name".into(), 1, 23),
                ("type".into(), 1, 29),
                ("odd_name__c".into(), 2, 3),
                ("x".into(), 2, 17),
            ]
        );
    }

    #[test]
    fn leaves_everything_else_to_syn() {
        for text in [
            "#[hc_requires(account(name /* why */))]",
            "#[hc_requires(write account(name))]",
            "#[hc_requires(account(name), missing_ok(prod, account(name), reason = \"x\"))]",
            "#[cfg_attr(test, hc_requires(account(name)))]",
            "#[hc_requires(account)]",
            "#[hc_requires]",
            "#[hc_requires = \"x\"]",
            "#[hc_requires(account(name), account(name))]",
            "#[r#type::x(a(b)) extra]",
        ] {
            assert_eq!(plain(text), None, "{text}");
        }
        // Spaces inside the brackets and around `::` are plain.
        assert!(plain("#[ a :: hc_requires(account(name)) ]").is_some());
    }
}
