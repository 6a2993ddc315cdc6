//! The one line of a crate's build script: `hc_schema_snapshot::build::configure();`.

use syn::visit::Visit;

/// The line `init` adds.
pub const CALL: &str = "hc_schema_snapshot::build::configure();";

/// A new build script.
pub const NEW_BUILD_RS: &str = "fn main() {\n    hc_schema_snapshot::build::configure();\n}\n";

/// What to do with an existing build script.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// It already calls `configure()` (or `try_configure()`).
    AlreadyCalls,
    /// The new text, with the call as the first statement of `fn main`.
    Insert(String),
    /// It cannot be edited safely: why.
    Manual(String),
}

/// Plan the edit of build script `text`.
///
/// ```ignore
/// assert_eq!(plan("fn main() {}\n"), Edit::Insert("fn main() { hc_schema_snapshot::build::configure(); }\n".into()));
/// ```
pub fn plan(text: &str) -> Edit {
    let file = match syn::parse_file(text) {
        Ok(file) => file,
        Err(err) => {
            let at = err.span().start();
            return Edit::Manual(format!(
                "it does not parse as Rust ({}:{}: {err})",
                at.line,
                at.column + 1
            ));
        }
    };
    if Calls::in_file(&file) {
        return Edit::AlreadyCalls;
    }
    let mains: Vec<&syn::ItemFn> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == "main" => Some(f),
            _ => None,
        })
        .collect();
    let [main] = mains.as_slice() else {
        return Edit::Manual(if mains.is_empty() {
            "it has no top-level `fn main`".into()
        } else {
            "it has several `fn main` (behind cfg attributes?)".into()
        });
    };
    let open = main.block.brace_token.span.open().start();
    let Some(offset) = byte_offset(text, open.line, open.column) else {
        return Edit::Manual("the position of `fn main`'s body is unknown".into());
    };
    if text.as_bytes().get(offset) != Some(&b'{') {
        return Edit::Manual("the body of `fn main` could not be located".into());
    }
    let after = offset + 1;
    let rest_of_line = text[after..].split('\n').next().unwrap_or_default();
    let mut new = String::with_capacity(text.len() + CALL.len() + 8);
    new.push_str(&text[..after]);
    if rest_of_line.trim().is_empty() {
        new.push_str("\n    ");
        new.push_str(CALL);
    } else {
        new.push(' ');
        new.push_str(CALL);
    }
    new.push_str(&text[after..]);
    // Never hand back a file that no longer parses or still lacks the call.
    match syn::parse_file(&new) {
        Ok(file) if Calls::in_file(&file) => Edit::Insert(new),
        Ok(_) => Edit::Manual("the edited file would not call configure()".into()),
        Err(_) => Edit::Manual("the edited file would not parse".into()),
    }
}

/// Byte offset of 1-based `line` and 0-based character `column` (proc-macro2's positions).
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..];
    let within = line_text
        .char_indices()
        .nth(column)
        .map(|(i, _)| i)
        .or_else(|| (line_text.chars().count() == column).then_some(line_text.len()))?;
    Some(start + within)
}

/// Finds a call of `hc_schema_snapshot::build::configure()` (or `try_configure()`), also as
/// `build::configure()` or `configure()` when the file imports from `hc_schema_snapshot`.
struct Calls {
    /// The file has a `use hc_schema_snapshot...` (so a shorter path may be ours).
    imported: bool,
    /// A call was found.
    found: bool,
}

impl Calls {
    /// Whether `file` calls hc-schema-snapshot's `configure()`.
    fn in_file(file: &syn::File) -> bool {
        let imported = file.items.iter().any(|item| match item {
            syn::Item::Use(u) => {
                matches!(&u.tree, syn::UseTree::Path(p) if p.ident == "hc_schema_snapshot")
            }
            _ => false,
        });
        let mut calls = Calls {
            imported,
            found: false,
        };
        calls.visit_file(file);
        calls.found
    }
}

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(path) = &*call.func {
            let names: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let is_configure = |n: &str| n == "configure" || n == "try_configure";
            match names.as_slice() {
                [krate, build, last]
                    if krate == "hc_schema_snapshot" && build == "build" && is_configure(last) =>
                {
                    self.found = true
                }
                // `build::configure()` / `configure()` after a `use` of hc-schema-snapshot's
                // (another crate's `configure` is not ours).
                [build, last] if build == "build" && is_configure(last) && self.imported => {
                    self.found = true
                }
                [last] if is_configure(last) && self.imported => self.found = true,
                _ => {}
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_first_in_main() {
        assert_eq!(
            plan("// build\nfn main() {\n    println!(\"x\");\n}\n"),
            Edit::Insert(format!(
                "// build\nfn main() {{\n    {CALL}\n    println!(\"x\");\n}}\n"
            ))
        );
        assert_eq!(
            plan("fn main() { other(); }\nfn other() {}\n"),
            Edit::Insert(format!(
                "fn main() {{ {CALL} other(); }}\nfn other() {{}}\n"
            ))
        );
        assert_eq!(
            plan("/* é */ fn main() -> Result<(), ()> { Ok(()) }\n"),
            Edit::Insert(format!(
                "/* é */ fn main() -> Result<(), ()> {{ {CALL} Ok(()) }}\n"
            ))
        );
    }

    #[test]
    fn recognises_the_call() {
        assert_eq!(plan(NEW_BUILD_RS), Edit::AlreadyCalls);
        assert_eq!(
            plan("use hc_schema_snapshot::build::configure;\nfn main() { configure() }\n"),
            Edit::AlreadyCalls
        );
        // Another crate's `configure` is not ours.
        assert!(matches!(
            plan("fn main() {\n    cc::Build::new().configure();\n    configure();\n    other::build::configure();\n}\n"),
            Edit::Insert(_)
        ));
        assert_eq!(
            plan(
                "use hc_schema_snapshot::build;\nfn main() { build::try_configure().unwrap(); }\n"
            ),
            Edit::AlreadyCalls
        );
        // A commented-out call is not a call.
        assert!(matches!(
            plan("fn main() {\n    // hc_schema_snapshot::build::configure();\n}\n"),
            Edit::Insert(_)
        ));
    }

    #[test]
    fn refuses_what_it_cannot_do_safely() {
        assert!(matches!(plan("fn main( {"), Edit::Manual(_)));
        assert!(matches!(plan("fn other() {}"), Edit::Manual(_)));
        assert!(matches!(
            plan("#[cfg(a)]\nfn main() {}\n#[cfg(not(a))]\nfn main() {}\n"),
            Edit::Manual(_)
        ));
    }
}
