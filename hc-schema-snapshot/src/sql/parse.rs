//! One statement from the text, with sqlparser's errors turned into positioned [`SqlError`]s.

use sqlparser::ast::{Spanned, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};

use super::analysis::{SqlError, SqlErrorKind};
use super::position::Lines;

/// The single statement of `sql` (a trailing `;` is fine).
#[cfg(test)]
pub(crate) fn one_statement(sql: &str, lines: &Lines<'_>) -> Result<Statement, SqlError> {
    let mut statements = statements(sql, lines, false)?;
    Ok(statements.remove(0))
}

/// The statements of `sql`: at least one; exactly one unless `many`.
pub(crate) fn statements(
    sql: &str,
    lines: &Lines<'_>,
    many: bool,
) -> Result<Vec<Statement>, SqlError> {
    let statements = match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(statements) => statements,
        // `TABLE t` is `SELECT * FROM t` in PostgreSQL; sqlparser reads it only as a query
        // body (`WITH x AS (TABLE t) ...`): read each statement that starts with it as a query.
        Err(err) => with_table_statements(sql).map_err(|_| parse_error(err, sql, lines))?,
    };
    match statements.len() {
        0 => Err(SqlError {
            kind: SqlErrorKind::Empty,
            at: 0..sql.len(),
        }),
        1 => Ok(statements),
        _ if many => Ok(statements),
        count => {
            let at = lines
                .range(statements[1].span())
                .unwrap_or(sql.len()..sql.len());
            Err(SqlError {
                kind: SqlErrorKind::MultipleStatements { count },
                at,
            })
        }
    }
}

/// The statements of `sql` as sqlparser's `parse_sql` reads them, except that a statement
/// starting with the keyword `TABLE` is read as a query (`TABLE t`, `TABLE ONLY t`).
fn with_table_statements(sql: &str) -> Result<Vec<Statement>, ParserError> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(sql)?;
    let mut statements = Vec::new();
    let mut expecting_delimiter = false;
    loop {
        while parser.consume_token(&Token::SemiColon) {
            expecting_delimiter = false;
        }
        let next = parser.peek_token();
        if next.token == Token::EOF {
            break;
        }
        if expecting_delimiter {
            return parser.expected("end of statement", next);
        }
        let table = matches!(&next.token, Token::Word(word) if word.keyword == Keyword::TABLE);
        let statement = if table {
            Statement::Query(parser.parse_query()?)
        } else {
            parser.parse_statement()?
        };
        statements.push(statement);
        expecting_delimiter = true;
    }
    Ok(statements)
}

/// The byte ranges of the statements of `sql`, split at each `;` that is a token (not inside
/// a string, a quoted name or a comment), the `;` left out; `None` when the text does not
/// tokenize.
#[cfg_attr(not(feature = "_scan"), allow(dead_code))]
pub(crate) fn statement_ranges(sql: &str) -> Option<Vec<std::ops::Range<usize>>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let lines = Lines::new(sql);
    let mut ranges = Vec::new();
    let mut start = 0;
    for token in &tokens {
        if token.token == Token::SemiColon {
            let at = lines.range(token.span)?;
            ranges.push(start..at.start);
            start = at.end;
        }
    }
    ranges.push(start..sql.len());
    Some(ranges)
}

/// sqlparser's error with its position taken out of the message (" at Line: 2, Column: 5"),
/// or at the end of the text when it ran out of input.
fn parse_error(err: ParserError, sql: &str, lines: &Lines<'_>) -> SqlError {
    let message = match err {
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => message,
        ParserError::RecursionLimitExceeded => {
            return SqlError {
                kind: SqlErrorKind::TooComplex {
                    limit: "nested more deeply than sqlparser's recursion limit (50 levels)"
                        .to_string(),
                },
                at: 0..sql.len(),
            }
        }
    };
    let (message, at) = match split_location(&message) {
        Some((text, line, column)) => {
            let location = sqlparser::tokenizer::Location { line, column };
            let at = lines.offset(location).unwrap_or(sql.len());
            (text.to_string(), at)
        }
        None => (message.clone(), sql.len()),
    };
    // Point at the whole token when the message names it ("found: FORM").
    let width = message
        .rsplit_once("found: ")
        .map(|(_, token)| token.trim())
        .filter(|token| sql[at..].starts_with(token))
        .map_or(0, str::len);
    SqlError {
        kind: SqlErrorKind::Parse { message },
        at: at..at + width,
    }
}

/// `("Expected: ..., found: x", 2, 5)` from `"Expected: ..., found: x at Line: 2, Column: 5"`.
fn split_location(message: &str) -> Option<(&str, u64, u64)> {
    let (text, position) = message.rsplit_once(" at Line: ")?;
    let (line, column) = position.split_once(", Column: ")?;
    Some((text, line.trim().parse().ok()?, column.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(sql: &str) -> SqlError {
        one_statement(sql, &Lines::new(sql)).unwrap_err()
    }

    #[test]
    fn parse_errors_carry_the_position_of_the_token() {
        let sql = "SELECT name\nFROM account\nWHERE name = = 'x'";
        let err = error(sql);
        let at = sql.find("= '").unwrap();
        assert_eq!(err.at, at..at + 1);
        assert_eq!(
            err.kind,
            SqlErrorKind::Parse {
                message: "Expected: an expression, found: =".into()
            }
        );
        let sql = "SELECT 'abc";
        let err = error(sql);
        assert!(
            matches!(&err.kind, SqlErrorKind::Parse { message } if message.contains("Unterminated string"))
        );
        assert_eq!(err.at.start, 7);
        let sql = "SELECT a FROM";
        assert_eq!(error(sql).at, sql.len()..sql.len());
    }

    #[test]
    fn statements_split_at_semicolons_that_are_tokens() {
        let sql = "BEGIN; UPDATE t SET a = ';' -- ;\n; SELECT \";\" FROM t";
        let ranges = statement_ranges(sql).unwrap();
        let texts: Vec<&str> = ranges.iter().map(|r| sql[r.clone()].trim()).collect();
        assert_eq!(
            texts,
            ["BEGIN", "UPDATE t SET a = ';' -- ;", "SELECT \";\" FROM t"]
        );
        assert_eq!(statement_ranges("SELECT 'x"), None);
    }

    #[test]
    fn one_statement_only() {
        let sql = "SELECT 1; SELECT 2";
        let err = error(sql);
        assert_eq!(err.kind, SqlErrorKind::MultipleStatements { count: 2 });
        assert_eq!(err.at.start, 10);
        assert_eq!(error("  ").kind, SqlErrorKind::Empty);
        assert!(one_statement("SELECT 1;", &Lines::new("SELECT 1;")).is_ok());
    }
}
