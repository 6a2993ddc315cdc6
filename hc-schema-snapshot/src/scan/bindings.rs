//! The names `use` and `extern crate` declarations bind, read from syn's tree: the input of
//! the alias fixpoint ([`super::resolve::Aliases::learn`]) and of scope lookups.

use syn::visit::Visit;

use super::resolve::{unraw, Binding, PathText};

/// The bindings of one `use` declaration (`use a::{b as c, d::*};` binds `c` and a glob).
pub(crate) fn of_use(item: &syn::ItemUse) -> Vec<Binding> {
    let mut out = Vec::new();
    // (prefix so far, tree) pairs: a use tree nests, walk it without recursion.
    let mut work = vec![(Vec::<String>::new(), &item.tree)];
    let leading_colon = item.leading_colon.is_some();
    while let Some((prefix, tree)) = work.pop() {
        let with = |name: &str| {
            let mut path = prefix.clone();
            path.push(unraw(name));
            path
        };
        match tree {
            syn::UseTree::Path(p) => work.push((with(&p.ident.to_string()), &p.tree)),
            syn::UseTree::Name(n) => {
                let name = unraw(&n.ident.to_string());
                // `use a::b::{self}` binds `b` to `a::b`.
                let path = if name == "self" {
                    prefix.clone()
                } else {
                    with(&name)
                };
                let bound = path.last().cloned();
                out.push(binding(leading_colon, path, bound));
            }
            syn::UseTree::Rename(r) => {
                let name = unraw(&r.ident.to_string());
                let path = if name == "self" {
                    prefix.clone()
                } else {
                    with(&name)
                };
                out.push(binding(
                    leading_colon,
                    path,
                    Some(unraw(&r.rename.to_string())),
                ));
            }
            syn::UseTree::Glob(_) => out.push(binding(leading_colon, prefix.clone(), None)),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    work.push((prefix.clone(), tree));
                }
            }
        }
    }
    out.retain(|b| !b.path.segments.is_empty());
    out
}

fn binding(leading_colon: bool, segments: Vec<String>, name: Option<String>) -> Binding {
    Binding {
        path: PathText {
            leading_colon,
            segments,
        },
        name,
    }
}

/// The binding of an `extern crate` declaration.
pub(crate) fn of_extern_crate(item: &syn::ItemExternCrate) -> Binding {
    let name = unraw(&item.ident.to_string());
    let bound = item
        .rename
        .as_ref()
        .map_or(name.clone(), |(_, rename)| unraw(&rename.to_string()));
    binding(false, vec![name], Some(bound))
}

/// Every binding of a tree (or of the items syn parsed), in every module and block. Macro
/// inputs are not looked into: syn does not parse them.
#[derive(Default)]
pub(crate) struct Collector {
    pub bindings: Vec<Binding>,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.bindings.extend(of_use(item));
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        self.bindings.push(of_extern_crate(item));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<String> {
        let file = syn::parse_file(text).unwrap();
        let mut collector = Collector::default();
        collector.visit_file(&file);
        let mut out: Vec<String> = collector
            .bindings
            .iter()
            .map(|b| {
                format!(
                    "{} as {}",
                    b.path.display(),
                    b.name.as_deref().unwrap_or("*")
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn flattens_use_trees() {
        assert_eq!(
            shown(
                "use ::a::{b as c, d::{self, *}, r#e}; fn f() { use x::y; } extern crate z as w;"
            ),
            [
                "::a::b as c",
                "::a::d as *",
                "::a::d as d",
                "::a::e as e",
                "x::y as y",
                "z as w"
            ]
        );
    }
}
