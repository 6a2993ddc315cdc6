//! A line diff in unified format, for `refresh --check`: exactly the lines `refresh` would
//! change in the file.
//!
//! Myers' algorithm on what remains after the common prefix and suffix; when the difference
//! is too large for that to be cheap, the changed middle is shown as one replaced block (still
//! exact, only not minimal).

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Delete,
    Insert,
}

/// The budget of Myers' search, in (lines x edit distance) steps.
const BUDGET: usize = 200_000_000;

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
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops = vec![Op::Same; prefix];
    ops.extend(myers(mid_a, mid_b).unwrap_or_else(|| {
        let mut block = vec![Op::Delete; mid_a.len()];
        block.extend(vec![Op::Insert; mid_b.len()]);
        block
    }));
    ops.extend(vec![Op::Same; suffix]);
    render(&a, &b, &ops, context)
}

/// The shortest edit script, or `None` when finding it would exceed [`BUDGET`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    if max == 0 {
        return Some(Vec::new());
    }
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max as isize {
        if (d as usize).saturating_mul(max) > BUDGET {
            return None;
        }
        trace.push(v[(offset - d) as usize..=(offset + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let index = (offset + k) as usize;
            let mut x = if k == -d || (k != d && v[index - 1] < v[index + 1]) {
                v[index + 1]
            } else {
                v[index - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[index] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m, d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize, last: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=last).rev() {
        // trace[d] holds v before step d, for k in -d..=d (the values of step d - 1).
        let v = &trace[d as usize];
        let at = |k: isize| v[(k + d) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        if x == prev_x {
            ops.push(Op::Insert);
        } else {
            ops.push(Op::Delete);
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        ops.push(Op::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

fn render(a: &[&str], b: &[&str], ops: &[Op], context: usize) -> String {
    let mut out = String::new();
    // Positions (in ops) of changes, grouped into hunks with their context.
    let changes: Vec<usize> = (0..ops.len()).filter(|&i| ops[i] != Op::Same).collect();
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        while end + 1 < changes.len() && changes[end + 1] - changes[end] <= 2 * context + 1 {
            end += 1;
        }
        let from = changes[start].saturating_sub(context);
        let to = (changes[end] + context + 1).min(ops.len());
        // Line numbers at `from`.
        let (mut ai, mut bi) = (0usize, 0usize);
        for op in &ops[..from] {
            match op {
                Op::Same => {
                    ai += 1;
                    bi += 1;
                }
                Op::Delete => ai += 1,
                Op::Insert => bi += 1,
            }
        }
        let count_a = ops[from..to].iter().filter(|o| **o != Op::Insert).count();
        let count_b = ops[from..to].iter().filter(|o| **o != Op::Delete).count();
        let _ = writeln!(
            out,
            "@@ -{},{count_a} +{},{count_b} @@",
            if count_a == 0 { ai } else { ai + 1 },
            if count_b == 0 { bi } else { bi + 1 }
        );
        for op in &ops[from..to] {
            match op {
                Op::Same => {
                    let _ = writeln!(out, " {}", a[ai]);
                    ai += 1;
                    bi += 1;
                }
                Op::Delete => {
                    let _ = writeln!(out, "-{}", a[ai]);
                    ai += 1;
                }
                Op::Insert => {
                    let _ = writeln!(out, "+{}", b[bi]);
                    bi += 1;
                }
            }
        }
        start = end + 1;
    }
    out
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
                let start: usize = header.split([',', ' ']).next().unwrap().parse().unwrap();
                let count: usize = header.split([',', ' ']).nth(1).unwrap().parse().unwrap();
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
        assert_eq!(unified("", "x\n", 2), "@@ -0,0 +1,1 @@\n+x\n");
    }

    /// Seeded generated texts: the diff, applied to the old text, gives the new text, and
    /// it is never longer than the naive whole-file replacement.
    #[test]
    fn generated_diffs_apply_exactly() {
        let mut state = 0x1234_5678_9abc_def1u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
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
