//! An ordinary annotation read from its text, without syn: `#[path(table(column, ...), ...)]`
//! whose arguments are in the plain form that [`crate::syntax::plain_groups`] reads (the one
//! the macro itself reads from text). Anything else (comments inside, `write`, `missing_ok`,
//! `cfg_attr`, a malformed list) is left to syn, which also explains the errors.

use std::ops::Range;

use super::lexer::{Delim, Token, TokenKind};
use super::lines::LineIndex;
use super::model::Position;
use super::resolve::{unraw, Binding, PathText};
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

/// Read the attribute at `tokens[attribute]` (`#`, then a bracket group: exactly one
/// attribute; `tokens` are the file's) of `text`, when it is `#[path(plain arguments)]`;
/// `display` names the file in the usages.
pub(crate) fn read(
    text: &str,
    tokens: &[Token],
    attribute: Range<usize>,
    lines: &LineIndex,
    display: &str,
) -> Option<PlainAttribute> {
    let kind = |i: usize| (i < attribute.end).then(|| tokens[i].kind);
    let first = attribute.start;
    if kind(first) != Some(TokenKind::Punct(b'#'))
        || kind(first + 1) != Some(TokenKind::Open(Delim::Bracket))
    {
        return None;
    }
    let close = attribute.end - 1;
    if kind(close) != Some(TokenKind::Close(Delim::Bracket))
        || tokens[first + 1].partner as usize != close
    {
        return None;
    }
    // The path: [::] ident (:: ident)*, colons adjacent.
    let colons = |i: usize| {
        kind(i) == Some(TokenKind::Punct(b':'))
            && kind(i + 1) == Some(TokenKind::Punct(b':'))
            && tokens[i].end == tokens[i + 1].start
    };
    let mut i = first + 2;
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
        // The spelling as written (the plain reading lower-cased its copy), for `plan`.
        let written = &text[at..at + name.len()];
        // The token starts at its quote or `r#`.
        if text.as_bytes()[at - 1] == b'"' {
            at -= 1;
        } else if text[..at].ends_with("r#") {
            at -= 2;
        }
        let position = lines.position(text, at);
        Spot::written(written, position.line, position.column)
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

/// The binding of a `use` declaration of the simplest form, read from its tokens
/// `tokens[item]` (the whole item): `[pub[(...)]] use [::]a::b::c [as d];`, no attributes, no
/// braces, no glob. Others are left to syn.
pub(crate) fn read_use(text: &str, tokens: &[Token], item: Range<usize>) -> Option<Binding> {
    let word = |i: usize| {
        (i < item.end && tokens[i].kind == TokenKind::Ident)
            .then(|| &text[tokens[i].start as usize..tokens[i].end as usize])
    };
    let kind = |i: usize| (i < item.end).then(|| tokens[i].kind);
    let colons = |i: usize| {
        kind(i) == Some(TokenKind::Punct(b':'))
            && kind(i + 1) == Some(TokenKind::Punct(b':'))
            && tokens[i].end == tokens[i + 1].start
    };
    let mut i = item.start;
    if word(i) == Some("pub") {
        i += 1;
        if kind(i) == Some(TokenKind::Open(Delim::Paren)) {
            i = tokens[i].partner as usize + 1;
        }
    }
    if word(i) != Some("use") {
        return None;
    }
    i += 1;
    let leading_colon = colons(i);
    if leading_colon {
        i += 2;
    }
    let mut segments = Vec::new();
    loop {
        let segment = word(i)?;
        if matches!(segment, "as" | "self" | "super" | "crate") && !segments.is_empty() {
            return None;
        }
        segments.push(unraw(segment));
        i += 1;
        if colons(i) {
            i += 2;
        } else {
            break;
        }
    }
    let name = if word(i) == Some("as") {
        i += 1;
        let alias = unraw(word(i)?);
        i += 1;
        alias
    } else {
        segments.last()?.clone()
    };
    if kind(i) != Some(TokenKind::Punct(b';')) || i + 1 != item.end {
        return None;
    }
    Some(Binding {
        path: PathText {
            leading_colon,
            segments,
        },
        name: Some(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lexer::lex;

    fn plain(text: &str) -> Option<PlainAttribute> {
        // After other tokens, as in a file.
        let text = format!("struct S; {text}");
        let tokens = lex(&text).unwrap();
        let read = read(
            &text,
            &tokens,
            3..tokens.len(),
            &LineIndex::new(&text),
            "src/a.rs",
        );
        read.map(|mut r| {
            r.position.column -= 10;
            for usage in &mut r.usages {
                for spot in std::iter::once(&mut usage.table).chain(&mut usage.columns) {
                    if spot.line == 1 {
                        spot.column -= 10;
                    }
                }
            }
            r
        })
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

    #[test]
    fn reads_simple_use_declarations_as_syn_does() {
        let binding = |text: &str| {
            let tokens = lex(text).unwrap();
            read_use(text, &tokens, 0..tokens.len())
                .map(|b| format!("{} as {}", b.path.display(), b.name.unwrap_or_default()))
        };
        assert_eq!(binding("use a::b;").unwrap(), "a::b as b");
        assert_eq!(
            binding("pub(crate) use ::a::r#b as c;").unwrap(),
            "::a::b as c"
        );
        assert_eq!(binding("use a::b as _;").unwrap(), "a::b as _");
        assert_eq!(binding("use self::x;").unwrap(), "self::x as x");
        for text in [
            "use a::{b, c};",
            "use a::*;",
            "#[cfg(x)] use a::b;",
            "use a::b::self;",
            "use a::b",
            "use a as b as c;",
        ] {
            assert_eq!(binding(text), None, "{text}");
        }
    }
}
