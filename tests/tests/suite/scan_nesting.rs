//! Deeply nested code never aborts the scan: what rustc compiles (500 nested modules, 1,000
//! nested parentheses) is read, and code nested far deeper than the scan's parser can take is
//! an error naming the file (when it could hold an annotation) instead of a stack overflow.

use hc_schema_snapshot::scan::{scan_sources_with, ErrorKind, Scan, Strategy};

fn both(text: &str) -> [Scan; 2] {
    [Strategy::Fast, Strategy::FullParse].map(|s| scan_sources_with(&[("src/deep.rs", text)], s))
}

#[test]
fn five_hundred_nested_modules_are_read() {
    let text = format!(
        "{}#[hc_schema_macro::hc_requires(account(name))]\nfn f() {{}}\n{}",
        "mod m { ".repeat(500),
        "}".repeat(500)
    );
    for scan in both(&text) {
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(scan.usages.len(), 1);
        assert_eq!(scan.usages[0].table.line, 1);
    }
}

#[test]
fn a_thousand_nested_parentheses_are_read() {
    let text = format!(
        "#[hc_schema_macro::hc_requires(account(name))]\nfn f() -> &'static str {{\n    {}hc_schema_macro::hc_sql!(\"SELECT name FROM account\"){}\n}}\n",
        "(".repeat(1000),
        ")".repeat(1000)
    );
    for scan in both(&text) {
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(scan.usages.len(), 1);
        assert_eq!(scan.sql_macros.len(), 1);
    }
}

/// Shapes that nest without limit: groups, and chains of operators that nest without them.
fn deep_shapes(n: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "parentheses",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("blocks", format!("{}1{}", "{ ".repeat(n), " }".repeat(n))),
        ("brackets", format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        ("sums", format!("1{}", " + 1".repeat(n))),
        ("references", format!("{}1", "&".repeat(n))),
        ("negations", format!("{}true", "!".repeat(n))),
        ("method calls", format!("x{}", ".f()".repeat(n))),
        ("closures", format!("{}1", "|| ".repeat(n))),
        ("casts", format!("1{}", " as u8".repeat(n))),
    ]
}

#[test]
fn far_deeper_code_in_an_annotated_item_is_an_error_not_an_abort() {
    for (shape, expression) in deep_shapes(100_000) {
        let text = format!(
            "#[hc_schema_macro::hc_requires(account(name))]\nfn f() {{\n    let _ = {};\n    let _ = hc_schema_macro::hc_sql!(\"SELECT name FROM account\");\n}}\n",
            expression
        );
        for scan in both(&text) {
            assert_eq!(scan.errors.len(), 1, "{shape}: {:?}", scan.errors);
            let error = &scan.errors[0];
            assert_eq!(
                (error.file.as_str(), error.kind),
                ("src/deep.rs", ErrorKind::Unparsed),
                "{shape}"
            );
            assert!(
                error.message.contains("levels deep"),
                "{shape}: {}",
                error.message
            );
            assert!(!scan.is_complete());
        }
    }
}

#[test]
fn deep_modules_types_and_generics_are_errors_not_aborts() {
    let n = 100_000;
    let texts = [
        format!(
            "{}#[hc_requires(a(b))] fn f() {{}}{}",
            "mod m { ".repeat(n),
            "}".repeat(n)
        ),
        format!(
            "fn f() {{ hc_sql!(\"x\"); let _: {}u8{} = 1; }}",
            "Vec<".repeat(n),
            ">".repeat(n)
        ),
        format!(
            "fn f() {{ hc_sql!(\"x\"); let _: {}u8 = 1; }}",
            "&".repeat(n)
        ),
        format!(
            "fn f() {{ if a {{}} {} else {{ #[hc_requires(a(b))] fn g() {{}} }} }}",
            "else if a {} ".repeat(n)
        ),
    ];
    for text in &texts {
        for scan in both(text) {
            assert!(
                scan.errors
                    .iter()
                    .any(|e| e.kind == ErrorKind::Unparsed && e.message.contains("levels deep")),
                "{:?}",
                scan.errors
            );
        }
    }
}

#[test]
fn an_annotation_on_an_item_whose_deep_body_names_nothing_of_ours_is_read() {
    let n = 100_000;
    for body in [
        format!("let _: {}u8{} = 1;", "Vec<".repeat(n), ">".repeat(n)),
        format!("let _ = {}1{};", "(".repeat(n), ")".repeat(n)),
    ] {
        // Only the attributes need reading (as text, or with syn for a conditional one).
        for attribute in [
            "#[hc_requires(a(b))]",
            "#[cfg_attr(test, hc_requires(a(b)))]",
        ] {
            let text = format!("{attribute}\nfn f() {{ {body} }}\n");
            for scan in both(&text) {
                assert!(scan.errors.is_empty(), "{:?}", scan.errors);
                assert_eq!(scan.usages.len(), 1);
                assert_eq!(scan.annotations[0].item.end.line, 2);
            }
        }
    }
}

#[test]
fn deep_code_that_cannot_hold_an_annotation_is_not_parsed() {
    for (shape, expression) in deep_shapes(100_000) {
        let text = format!(
            "fn f() {{\n    let _ = {expression};\n}}\n#[hc_requires(a(b))]\nfn g() {{}}\n"
        );
        let [fast, full] = both(&text);
        assert_eq!(fast, full, "{shape}");
        assert!(fast.errors.is_empty(), "{shape}: {:?}", fast.errors);
        assert_eq!(fast.usages.len(), 1, "{shape}");
    }
}

/// The nesting each shape of [`deep_shapes`] reaches per repetition (in the scan's measure:
/// tokens since the last `,` or `;`, plus enclosing groups), and the most the scan parses in
/// this build (a worker's 1 GiB stack at 64 KiB per level unoptimised, 16 KiB optimised).
const PER_REPETITION: [usize; 9] = [1, 1, 1, 2, 1, 1, 3, 2, 2];
const LIMIT: usize = if cfg!(debug_assertions) {
    16_384
} else {
    65_536
};

#[test]
fn just_under_the_limit_every_shape_is_parsed_without_overflowing_the_stack() {
    for (k, (shape, _)) in deep_shapes(1).into_iter().enumerate() {
        // 95% of the limit, less the few tokens around the expression.
        let n = (LIMIT * 95 / 100 - 20) / PER_REPETITION[k];
        let (_, expression) = deep_shapes(n).swap_remove(k);
        let text = format!(
            "#[hc_schema_macro::hc_requires(account(name))]\nfn f() {{\n    let _ = hc_schema_macro::hc_sql!(\"SELECT name FROM account\");\n    let _ = {expression};\n}}\n"
        );
        let scan = scan_sources_with(&[("src/deep.rs", &text)], Strategy::Fast);
        assert!(scan.errors.is_empty(), "{shape} x {n}: {:?}", scan.errors);
        assert_eq!(
            (scan.usages.len(), scan.sql_macros.len()),
            (1, 1),
            "{shape}"
        );
        // Just over: reported, not parsed.
        let (_, expression) = deep_shapes(LIMIT / PER_REPETITION[k] + 10).swap_remove(k);
        let text = format!(
            "#[hc_requires(a(b))]\nfn f() {{ let _ = hc_sql!(\"x\"); let _ = {expression}; }}\n"
        );
        let scan = scan_sources_with(&[("src/deep.rs", &text)], Strategy::Fast);
        assert!(
            scan.errors
                .first()
                .is_some_and(|e| e.message.contains("levels deep")),
            "{shape}: {:?}",
            scan.errors
        );
    }
}
