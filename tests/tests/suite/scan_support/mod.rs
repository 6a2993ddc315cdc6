//! Generated Rust sources for the scan's tests: random files built from fragments that
//! exercise every path of the scan (annotations under aliases, cfg_attr, misplaced and hidden
//! ones, macros, literals of every kind, comments, raw strings, nested modules), and random
//! mutations of them.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ALIASES: &[&str] = &["needs", "requires_cols", "r#needs2"];
const SQL_ALIASES: &[&str] = &["q", "sql_query"];

/// An attribute that may or may not be ours.
fn attribute(rng: &mut Rng, n: usize) -> String {
    let table = format!("t{}", rng.below(5));
    let cols = match rng.below(3) {
        0 => "c1".to_string(),
        1 => "c1, c2".to_string(),
        _ => format!("c{n}, \"Odd_Name__c\", r#type"),
    };
    let args = format!("{table}({cols})");
    let alias = rng.pick(ALIASES);
    match rng.below(18) {
        16 => format!("#[wrapper(#[inner] x, /// doc\n y)]\n#[hc_requires({args})]"),
        17 => format!("#[{alias}({args})] #[cfg(all())] #[hc_requires(x(y), missing_ok(prod, x(y), reason = \"r\"))]"),
        0 => format!("#[hc_requires({args})]"),
        1 => format!("#[{alias}({args})]"),
        2 => format!("#[hc_schema_macro::hc_requires({args})]"),
        3 => format!("#[::hc_schema_macro::hc_requires({args}, write {table}(c9))]"),
        4 => format!("#[hcm::hc_requires({args})]"),
        5 => format!("#[other_crate::hc_requires({args})]"),
        6 => format!("#[cfg_attr(test, hc_requires({args}))]"),
        7 => format!("#[cfg_attr(all(unix, feature = \"x\"), allow(dead_code), cfg_attr(test, {alias}({args})))]"),
        8 => "#[hc_requires(bad)]".to_string(),
        9 => "#[hc_requires = \"x\"]".to_string(),
        10 => format!("#[m::{alias}({args})]"),
        11 => format!("#[crate::m::{alias}({args})]"),
        12 => "#[derive(Debug, Clone)]".to_string(),
        13 => format!("/// Reads {table}.\n/** block doc with \"quotes\" */"),
        14 => "#[doc = \"SELECT a FROM doc_attr\"]".to_string(),
        _ => format!("#[hc_requires({args}, missing_ok(prod, {table}(c1), reason = \"why\"))]"),
    }
}

/// A string literal (SQL-looking or not) in one of Rust's spellings.
fn literal(rng: &mut Rng) -> String {
    let sql = *rng.pick(&[
        "SELECT a, b FROM salesforce.account WHERE x = 1",
        "select name from contact",
        "UPDATE t SET x = $1",
        "insert into t (a) values (1)",
        "DELETE FROM t",
        "nothing to see here",
        "SELECT 1",
        "Select é, \u{1F600} From t",
    ]);
    match rng.below(11) {
        0 => format!("{sql:?}"),
        1 => format!("r\"{sql}\""),
        2 => format!("r#\"{sql} \"quoted\"\"#"),
        3 => format!("r##\"{sql} \"#\"##"),
        4 => format!("b\"{}\"", sql.replace(|c: char| !c.is_ascii(), "")),
        5 => "\"SEL\\x45CT a FROM \\\"t\\\"\\n\"".to_string(),
        6 => "\"SELECT a \\\n          FROM t\"".to_string(),
        7 => "\"\\u{53}ELECT x FROM y\"".to_string(),
        8 => format!("{sql:?}suffix"),
        9 => "c\"select a from c_strings\"".to_string(),
        _ => format!("concat!({sql:?}, \" FROM t\")"),
    }
}

/// A statement inside a function body.
fn statement(rng: &mut Rng, n: usize, depth: usize) -> String {
    let alias = rng.pick(SQL_ALIASES);
    // Past a depth, no more nested functions (case 15).
    let choice = if depth > 3 {
        rng.below(15)
    } else {
        rng.below(22)
    };
    match choice {
        0 => format!("let s{n} = {};", literal(rng)),
        1 => format!(
            "let f{n} = format!(\"SELECT {{}} FROM t WHERE a = {{}}\", x, {});",
            literal(rng)
        ),
        2 => format!("const Q{n}: &str = hc_sql!({});", literal(rng)),
        3 => format!("let q{n} = hc_schema_macro::hc_sql!(r#\"SELECT a FROM b\"#);"),
        4 => format!("let q{n} = {alias}!(SOME_CONST);"),
        5 => format!("{} let x{n} = 1;", attribute(rng, n)),
        6 => format!("let y{n} = #[hc_requires(a(b))] 2;"),
        7 => "let c = '\"'; let d = '\\''; let e: &'static str = \"'\";".to_string(),
        8 => "// \"SELECT a FROM commented\" hc_requires\n".to_string(),
        9 => "/* outer /* \"nested\" */ 'x' */".to_string(),
        10 => format!("println!(\"{{}}\", {});", literal(rng)),
        11 => format!("my_macro!({{ {} fn g{n}() {{}} }});", attribute(rng, n)),
        12 => format!("if !(a{n}) {{ return; }}"),
        13 => format!("match v {{ 1 => {{ {} }} _ => () }}", literal(rng)),
        14 => format!("let z{n} = vec![{}, {}];", literal(rng), literal(rng)),
        15 => format!(
            "{} fn inner{n}() {{ {} }}",
            attribute(rng, n),
            statement(rng, n + 1, depth + 1)
        ),
        16 => format!(
            "use hc_schema_macro::hc_requires as local{n}; #[local{n}(a(b))] fn l{n}() {{}}"
        ),
        17 => format!("let w{n} = (((({}))));", literal(rng)),
        18 => format!("assert_eq!(x, {}, \"msg {{}}\", y);", literal(rng)),
        19 => format!("let café{n} = \"é\"; let ü = 'ü';"),
        20 => format!(
            "let cl{n} = |x: &str| -> String {{ format!(\"{{}} {{}}\", x, {}) }};",
            literal(rng)
        ),
        _ => format!("x.method::<u8>(\"arg\", {{ {} }});", literal(rng)),
    }
}

/// An item; `depth` bounds nesting.
fn item(rng: &mut Rng, n: usize, depth: usize) -> String {
    let alias = rng.pick(ALIASES);
    let sql_alias = rng.pick(SQL_ALIASES);
    let choice = if depth > 2 {
        rng.below(12)
    } else {
        rng.below(20)
    };
    match choice {
        0 => "use hc_schema_macro::hc_requires;".to_string(),
        1 => format!("use hc_schema_macro::hc_requires as {alias};"),
        2 => format!("pub use hc_schema_macro::hc_sql as {sql_alias};"),
        3 => "use hc_schema_macro::*;".to_string(),
        4 => "use hc_schema_macro as hcm;".to_string(),
        5 => "extern crate hc_schema_macro as hcm2;".to_string(),
        6 => format!("use other_crate::thing as {alias};"),
        7 => {
            let mut body = String::new();
            for k in 0..rng.below(4) {
                body.push_str(&statement(rng, n * 10 + k, depth));
                body.push('\n');
            }
            let doc = if rng.chance(30) {
                "/// Reads \"things\".\n"
            } else {
                ""
            };
            let second = if rng.chance(20) {
                attribute(rng, n + 1)
            } else {
                String::new()
            };
            format!(
                "{doc}{}\n{second}\npub fn f{n}(x: u8) -> u8 {{\n{body}    x\n}}",
                attribute(rng, n)
            )
        }
        8 => format!(
            "{}\nstruct S{n} {{\n    {} field: u8,\n    other: &'static str,\n}}",
            attribute(rng, n),
            attribute(rng, n)
        ),
        9 => format!(
            "impl S{n} {{\n    {}\n    fn m(&self, {} p: u8) {{ {} }}\n}}",
            attribute(rng, n),
            if rng.chance(30) {
                "#[hc_requires(a(b))]"
            } else {
                ""
            },
            statement(rng, n, depth)
        ),
        10 => format!(
            "macro_rules! mac{n} {{ ($x:ident) => {{ {} fn $x() {{ {} }} }}; }}",
            attribute(rng, n),
            literal(rng)
        ),
        11 => format!("const C{n}: &str = {};", literal(rng)),
        12 => {
            let mut inner = String::new();
            if rng.chance(20) {
                inner.push_str("#![hc_requires(a(b))]\n");
            }
            for k in 0..1 + rng.below(3) {
                inner.push_str(&item(rng, n * 10 + k, depth + 1));
                inner.push('\n');
            }
            format!("pub mod m{n} {{\n{inner}}}")
        }
        13 => format!("some_macro! {{ {} fn g{n}() {{}} }}", attribute(rng, n)),
        14 => format!(
            "enum E{n} {{ {} A, B = 2 }}",
            if rng.chance(50) {
                "#[hc_requires(a(b))]"
            } else {
                ""
            }
        ),
        15 => format!("{}\nmod external{n};", attribute(rng, n)),
        16 => format!("trait T{n} {{ {} fn t(&self); }}", attribute(rng, n)),
        17 => format!("pub use crate::m::{alias} as again{n};"),
        18 => format!(
            "#[cfg(test)]\nmod tests{n} {{\n    use super::*;\n    {}\n    fn t() {{ {} }}\n}}",
            attribute(rng, n),
            statement(rng, n, depth + 1)
        ),
        _ => format!(
            "static S{n}: [&str; 2] = [{}, {}];",
            literal(rng),
            literal(rng)
        ),
    }
}

/// A random source file.
pub fn source(rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.chance(5) {
        out.push('\u{feff}');
    }
    if rng.chance(5) {
        out.push_str("#!/usr/bin/env run-cargo-script \"x\n");
    }
    if rng.chance(20) {
        out.push_str("//! Module docs with \"quotes\" and hc_requires.\n");
    }
    if rng.chance(10) {
        out.push_str("#![hc_requires(a(b))]\n");
    }
    if rng.chance(15) {
        out.push_str("#![allow(dead_code)]\n");
    }
    for n in 0..1 + rng.below(8) {
        out.push_str(&item(rng, n, 0));
        out.push_str(if rng.chance(50) { "\n\n" } else { "\n" });
    }
    out
}

/// `text` mutated a few times: bytes deleted, fragments inserted, truncated (always at char
/// boundaries, so still a `&str`).
pub fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let boundaries: Vec<usize> = (0..=out.len())
            .filter(|&i| out.is_char_boundary(i))
            .collect();
        let at = *rng.pick(&boundaries);
        match rng.below(5) {
            0 => {
                let end = *rng.pick(&boundaries);
                let (a, b) = if at <= end { (at, end) } else { (end, at) };
                let b = a + (b - a).min(40);
                let b = (b..=out.len())
                    .find(|&i| out.is_char_boundary(i))
                    .unwrap_or(out.len());
                out.replace_range(a..b, "");
            }
            1 => {
                let fragment = *rng.pick(&[
                    "\"",
                    "'",
                    "/*",
                    "*/",
                    "{",
                    "}",
                    "(",
                    ")",
                    "[",
                    "]",
                    "r#\"",
                    "\"#",
                    "\\",
                    "#",
                    "#[hc_requires(x(y))]",
                    "hc_sql!(",
                    "//",
                    "\n",
                    "é",
                    "'a",
                    "b'",
                    "r#",
                    "!",
                    "::",
                    "needs",
                    ";",
                    ",",
                ]);
                out.insert_str(at, fragment);
            }
            2 => out.truncate(at),
            3 => {
                let deep = "(".repeat(1 + rng.below(300));
                out.insert_str(at, &deep);
            }
            _ => {
                let piece = source(rng);
                out.insert_str(at, &piece);
            }
        }
    }
    out
}

/// A generated crate on disk under `dir`: a Cargo.toml (sometimes renaming the macro crate,
/// always with `other_crate` as a dependency) and a few files.
pub fn write_crate(rng: &mut Rng, dir: &Path) {
    let mut manifest = String::from("[package]\nname = \"generated\"\nversion = \"0.1.0\"\n\n[dependencies]\nother_crate = \"1\"\n");
    if rng.chance(40) {
        manifest.push_str("hcm = { package = \"hc-schema-macro\", version = \"0.1\" }\n");
    } else {
        manifest.push_str("hc-schema-macro = \"0.1\"\n");
    }
    std::fs::create_dir_all(dir.join("src/m")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let mut lib = String::from("pub mod m;\n");
    let _ = writeln!(lib, "{}", source(rng));
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    std::fs::write(dir.join("src/m/mod.rs"), source(rng)).unwrap();
    for k in 0..rng.below(3) {
        std::fs::write(dir.join(format!("src/m/f{k}.rs")), source(rng)).unwrap();
    }
}
