//! A line diff in unified format, for `refresh --check`: exactly the lines `refresh` would
//! change in the file.
//!
//! The diff itself is the `similar` crate's (Myers' algorithm with a deadline: past it the
//! changed middle is shown as a replaced block, still exact, only not minimal); this module only
//! fixes the settings and holds the tests that the printed diff applies exactly.

use std::time::Duration;

use similar::{Algorithm, TextDiff};

/// How long the search for a minimal diff may take before a coarser (still exact) one is shown.
const DEADLINE: Duration = Duration::from_secs(2);

/// The unified diff of `old` to `new` with `context` lines around each change; empty when the
/// texts are equal. Line numbers are 1-based, as `diff -u` prints them.
///
/// ```text
/// @@ -2,3 +2,3 @@
///  a
/// -b
/// +B
///  c
/// ```
pub fn unified(old: &str, new: &str, context: usize) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DEADLINE)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(context)
        .missing_newline_hint(false)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apply a unified diff (as printed) to `old`: the diff must turn it into `new`.
    fn apply(old: &str, diff: &str) -> String {
        let a: Vec<&str> = old.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let mut next = 0usize;
        for line in diff.lines() {
            if let Some(header) = line.strip_prefix("@@ -") {
                // `-start,count`, or `-start` for one line (as GNU diff prints it).
                let range = header.split(' ').next().unwrap();
                let (start, count) = range.split_once(',').unwrap_or((range, "1"));
                let (start, count): (usize, usize) =
                    (start.parse().unwrap(), count.parse().unwrap());
                let start = if count == 0 { start } else { start - 1 };
                while next < start {
                    out.push(a[next].to_string());
                    next += 1;
                }
            } else if let Some(same) = line.strip_prefix(' ') {
                assert_eq!(a[next], same);
                out.push(same.to_string());
                next += 1;
            } else if let Some(gone) = line.strip_prefix('-') {
                assert_eq!(a[next], gone);
                next += 1;
            } else if let Some(added) = line.strip_prefix('+') {
                out.push(added.to_string());
            }
        }
        out.extend(a[next..].iter().map(|s| s.to_string()));
        out.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn small_change() {
        let diff = unified("a\nb\nc\nd\n", "a\nB\nc\nd\n", 1);
        assert_eq!(diff, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        assert_eq!(unified("a\n", "a\n", 2), "");
        assert_eq!(unified("", "x\n", 2), "@@ -0,0 +1 @@\n+x\n");
    }

    /// Seeded generated texts: the diff, applied to the old text, gives the new text, and
    /// it is never longer than the naive whole-file replacement.
    #[test]
    fn generated_diffs_apply_exactly() {
        let mut rng = hc_schema_tests::rng::Rng::exact(0x1234_5678_9abc_def1);
        let mut next = move || rng.next_u64();
        for round in 0..400 {
            let len = (next() % 40) as usize;
            let old: Vec<String> = (0..len).map(|_| format!("l{}", next() % 6)).collect();
            let mut new = old.clone();
            for _ in 0..(next() % 6) {
                let at = (next() as usize) % (new.len() + 1);
                match next() % 3 {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = format!("m{}", next() % 4),
                    _ => new.insert(at, format!("n{}", next() % 4)),
                }
            }
            let old: String = old.iter().map(|l| format!("{l}\n")).collect();
            let new: String = new.iter().map(|l| format!("{l}\n")).collect();
            let diff = unified(&old, &new, (round % 3) as usize);
            assert_eq!(apply(&old, &diff), new, "{old:?} -> {new:?}:\n{diff}");
            assert_eq!(diff.is_empty(), old == new);
        }
    }
}
