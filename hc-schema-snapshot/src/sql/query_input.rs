//! How `hc_query!`'s input splits, read the same way by the macro and by the source scan of
//! `hc-schema check` (so that both accept the same calls and place the same error at the same
//! token): the path of a struct of the user's to fill (optional, generic arguments allowed:
//! `Pair<String, String>`), the SQL argument, then the query's arguments.

use proc_macro2::{Span, TokenTree};

/// What `hc_query!` says when its input is neither `"SQL", args...` nor `Path, "SQL", args...`
/// (by the macro and by `hc-schema check`).
pub const QUERY_FORM: &str = "hc_query! takes the SQL as a string literal, optionally after the \
    path of a struct of yours to fill: `hc_query!(\"SELECT ...\", args...)` or \
    `hc_query!(Account, \"SELECT ...\", args...)`";

/// `hc_query!`'s input, split.
pub struct QueryInput<'t> {
    /// The path of the struct to fill (the named form), when the input does not start with a
    /// literal.
    pub target: Option<syn::Path>,
    /// The path's tokens (empty in the unnamed form).
    pub target_tokens: &'t [TokenTree],
    /// The SQL argument's tokens (one string literal when the call is right).
    pub sql: &'t [TokenTree],
    /// The query's arguments (after the comma that ends the SQL argument).
    pub args: &'t [TokenTree],
}

/// Split `trees`, an `hc_query!`'s input; the error's span (the token that is not part of a
/// path, or the path's first token when it is incomplete or no comma follows it) when the
/// first argument is not a literal and not the path of a struct followed by a comma: report
/// [`QUERY_FORM`] there.
///
/// A comma inside the path's generic arguments (`Pair<String, String>`) does not end it.
///
/// ```
/// use hc_schema_snapshot::sql::split_query_input;
/// let tokens: proc_macro2::TokenStream =
///     "Pair<String, Vec<u8>>, \"SELECT a, b FROM t\", x".parse().unwrap();
/// let trees: Vec<_> = tokens.into_iter().collect();
/// let input = split_query_input(&trees).unwrap();
/// assert!(input.target.is_some());
/// assert_eq!(input.sql.len(), 1);
/// assert_eq!(input.args.len(), 1);
/// ```
pub fn split_query_input(trees: &[TokenTree]) -> Result<QueryInput<'_>, Span> {
    let starts_with_literal = matches!(trees.first(), Some(TokenTree::Literal(_)) | None);
    if starts_with_literal {
        let (sql, args) = split_at_comma(trees, false);
        return Ok(QueryInput {
            target: None,
            target_tokens: &[],
            sql,
            args,
        });
    }
    let at = trees.first().map_or_else(Span::call_site, TokenTree::span);
    let (path, rest) = split_at_comma(trees, true);
    if path.len() == trees.len() {
        // No comma after the path: no SQL.
        return Err(at);
    }
    let tokens: proc_macro2::TokenStream = path.iter().cloned().collect();
    // At the token syn stopped at; at the path's first token when it ran out of tokens (its
    // end-of-input span is the call site, which the scan could not place as rustc does).
    let target = syn::parse2::<syn::Path>(tokens).map_err(|error| {
        if error.to_string().starts_with("unexpected end of input") {
            at
        } else {
            error.span()
        }
    })?;
    let (sql, args) = split_at_comma(rest, false);
    Ok(QueryInput {
        target: Some(target),
        target_tokens: path,
        sql,
        args,
    })
}

/// The tokens before the first top-level comma, and those after it; with `generics`, a comma
/// between `<` and its `>` (not the `>` of `->`) is not top-level.
fn split_at_comma(trees: &[TokenTree], generics: bool) -> (&[TokenTree], &[TokenTree]) {
    let mut depth = 0usize;
    let mut arrow = false;
    for (k, tree) in trees.iter().enumerate() {
        let TokenTree::Punct(punct) = tree else {
            arrow = false;
            continue;
        };
        match punct.as_char() {
            ',' if depth == 0 => return (&trees[..k], &trees[k + 1..]),
            '<' if generics => depth += 1,
            '>' if generics && !arrow => depth = depth.saturating_sub(1),
            _ => {}
        }
        arrow = punct.as_char() == '-' && punct.spacing() == proc_macro2::Spacing::Joint;
    }
    (trees, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<(Option<String>, String, String), ()> {
        let tokens: proc_macro2::TokenStream = text.parse().unwrap();
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let input = split_query_input(&trees).map_err(|_| ())?;
        let show = |t: &[TokenTree]| t.iter().cloned().collect::<proc_macro2::TokenStream>();
        let path = input.target.map(|_| show(input.target_tokens).to_string());
        Ok((
            path,
            show(input.sql).to_string(),
            show(input.args).to_string(),
        ))
    }

    #[test]
    fn generic_paths_keep_their_commas() {
        let (target, sql, args) = split("Pair<String, String>, \"SELECT 1\", a, b").unwrap();
        assert_eq!(target.as_deref(), Some("Pair < String , String >"));
        assert_eq!(sql, "\"SELECT 1\"");
        assert_eq!(args, "a , b");
        let (target, ..) = split("m::P<Box<dyn Fn(u8) -> u8>, i32>, \"x\"").unwrap();
        assert_eq!(
            target.as_deref(),
            Some("m :: P < Box < dyn Fn (u8) -> u8 >, i32 >")
        );
    }

    #[test]
    fn the_unnamed_form_and_errors() {
        let (target, sql, args) = split("\"SELECT 1\", x").unwrap();
        assert_eq!(
            (target, sql.as_str(), args.as_str()),
            (None, "\"SELECT 1\"", "x")
        );
        assert!(split("Account").is_err(), "no SQL after the path");
        assert!(split("foo(), \"x\"").is_err(), "not a path");
        // Where: at the token that is not part of a path; at the path's start when it ends
        // early (no call-site span, which the scan cannot place as rustc does).
        let column = |text: &str| {
            let tokens: proc_macro2::TokenStream = text.parse().unwrap();
            let trees: Vec<TokenTree> = tokens.into_iter().collect();
            split_query_input(&trees)
                .map(|_| ())
                .unwrap_err()
                .start()
                .column
        };
        assert_eq!(column("not a path, \"x\""), 4);
        assert_eq!(column("m::, \"x\""), 0);
        assert_eq!(column("  Account"), 2);
        assert!(split("").is_ok(), "empty: the SQL argument reports it");
    }

    /// Generated inputs: no panic, and a split that succeeds keeps every token.
    #[test]
    fn generated_inputs_split_without_loss() {
        let atoms = [
            "A", "m::B", "<", ">", ",", "->", "-", "\"s\"", "1", "(u8)", "[x]", "dyn", "Fn",
        ];
        let mut rng = crate::testing::Rng::new(0x9e37_79b9);
        for _ in 0..2000 {
            let n = rng.below(8);
            let text: Vec<&str> = (0..n).map(|_| atoms[rng.below(atoms.len())]).collect();
            let text = text.join(" ");
            let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
                continue;
            };
            let trees: Vec<TokenTree> = tokens.into_iter().collect();
            if let Ok(input) = split_query_input(&trees) {
                let literal_first = matches!(trees.first(), Some(TokenTree::Literal(_)) | None);
                assert_eq!(input.target.is_none(), literal_first, "{text}");
                // The arguments are the input's last tokens, after the SQL argument's.
                let tail = input.sql.len() + input.args.len();
                assert!(tail <= trees.len(), "{text}");
                let args_at = trees.len() - input.args.len();
                assert_eq!(
                    trees[args_at..]
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>(),
                    input.args.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                    "{text}"
                );
            }
        }
    }
}
