//! Helpers for benchmarks that report ratios against a baseline taken in the same run.

use std::time::{Duration, Instant};

/// Run `candidate` and `baseline` alternately `rounds` times; returns their median durations.
pub fn alternate(
    rounds: usize,
    mut candidate: impl FnMut(),
    mut baseline: impl FnMut(),
) -> (Duration, Duration) {
    let mut c = Vec::new();
    let mut b = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        candidate();
        c.push(start.elapsed());
        let start = Instant::now();
        baseline();
        b.push(start.elapsed());
    }
    (median(c), median(b))
}

/// Run every closure once per round, the order rotating from round to round; returns each
/// closure's durations, by round. Rounds share the machine's state, so per-round ratios
/// ([`median_ratio`]) are robust against a machine whose speed drifts.
pub fn interleave(rounds: usize, runs: &mut [&mut dyn FnMut()]) -> Vec<Vec<Duration>> {
    let mut times = vec![Vec::with_capacity(rounds); runs.len()];
    for round in 0..rounds {
        for k in 0..runs.len() {
            let which = (round + k) % runs.len();
            let start = Instant::now();
            (runs[which])();
            times[which].push(start.elapsed());
        }
    }
    times
}

/// The median over rounds of `candidate[round] / baseline[round]`.
///
/// ```
/// use std::time::Duration;
/// let ms = |n| Duration::from_millis(n);
/// let ratio = hc_schema_tests::bench::median_ratio(&[ms(110), ms(300), ms(99)], &[ms(100), ms(100), ms(100)]);
/// assert!((ratio - 1.1).abs() < 1e-9);
/// ```
pub fn median_ratio(candidate: &[Duration], baseline: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = candidate
        .iter()
        .zip(baseline)
        .map(|(c, b)| c.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// The median.
///
/// ```
/// use std::time::Duration;
/// let ms = |n| Duration::from_millis(n);
/// assert_eq!(hc_schema_tests::bench::median(vec![ms(30), ms(10), ms(20)]), ms(20));
/// ```
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Print one benchmark line: name, both medians, the ratio.
pub fn report(name: &str, candidate: &str, c: Duration, baseline: &str, b: Duration) {
    println!(
        "{name}: {candidate} {:.3}s, {baseline} {:.3}s, ratio {:.3}",
        c.as_secs_f64(),
        b.as_secs_f64(),
        c.as_secs_f64() / b.as_secs_f64()
    );
}

/// A synthetic snapshot of `tables` x `columns` in the file format.
pub fn synthetic_snapshot(env: &str, tables: usize, columns: usize) -> String {
    let mut out = format!(
        "{{\"format\": 1, \"environment\": \"{env}\", \"schema\": \"salesforce\", \"tables\": {{"
    );
    for t in 0..tables {
        if t > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "\"object_{t}__c\": {{\"object\": \"Object_{t}__c\", \"columns\": {{"
        ));
        for c in 0..columns {
            if c > 0 {
                out.push(',');
            }
            out.push_str(&format!("\"field_{c}__c\": {{\"type\": \"character varying(255)\", \"field\": \"Field_{c}__c\"}}"));
        }
        out.push_str("}}");
    }
    out.push_str("}}\n");
    out
}

/// How many snapshots a bench crate's snapshot directory holds: `HC_SCHEMA_BENCH_SNAPSHOTS`
/// (1 or 2, default 1). With 2, `hc-schema/test.json` (the same schema, environment `test`,
/// never selected) sits beside the selected `prod.json`, as in an app with two environments:
/// the type checks (drift, `hc_query!`'s types) then consult every snapshot of the directory.
pub fn bench_snapshots() -> usize {
    match std::env::var("HC_SCHEMA_BENCH_SNAPSHOTS").as_deref() {
        Err(_) | Ok("1") => 1,
        Ok("2") => 2,
        Ok(other) => panic!("HC_SCHEMA_BENCH_SNAPSHOTS: 1 or 2, not `{other}`"),
    }
}

/// The snapshot files of a bench crate holding `prod` (the text of prod's snapshot) as
/// [`bench_snapshots`] says: `hc-schema/prod.json`, and with 2 also `hc-schema/test.json`.
pub fn snapshot_files(prod: &str) -> Vec<(&'static str, String)> {
    let mut files = vec![("hc-schema/prod.json", prod.to_string())];
    if bench_snapshots() == 2 {
        let test = prod.replacen("\"environment\": \"prod\"", "\"environment\": \"test\"", 1);
        assert_ne!(test, prod, "the prod snapshot names its environment");
        files.push(("hc-schema/test.json", test));
    }
    files
}

/// The instructions `command` and every process it starts execute, counted by
/// `valgrind --tool=callgrind --trace-children=yes`: deterministic for the same binaries and
/// inputs, whatever else the machine is doing. Panics when valgrind cannot run it.
pub fn callgrind_instructions(command: std::process::Command) -> u64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut valgrind = std::process::Command::new("valgrind");
    valgrind
        .arg("--tool=callgrind")
        .arg("--trace-children=yes")
        .arg(format!("--log-file={}", dir.path().join("log").display()))
        .arg(format!(
            "--callgrind-out-file={}",
            dir.path().join("out.%p").display()
        ))
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(cwd) = command.get_current_dir() {
        valgrind.current_dir(cwd);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => valgrind.env(key, value),
            None => valgrind.env_remove(key),
        };
    }
    let status = valgrind.status().unwrap_or_else(|e| {
        panic!("cannot run valgrind (install it, or unset HC_SCHEMA_BENCH_INSTRUCTIONS): {e}")
    });
    assert!(status.success(), "{command:?} failed under valgrind");
    let mut total = 0;
    for entry in std::fs::read_dir(dir.path()).expect("read dir") {
        let path = entry.expect("entry").path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("out."))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("callgrind output");
        total += text
            .lines()
            .find_map(|line| {
                line.strip_prefix("summary:")
                    .or(line.strip_prefix("totals:"))
            })
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    total
}

/// Run `command` (output discarded) under GNU time and return its wall-clock time, its exit
/// code and its peak resident memory in bytes (GNU time's `%M`). Not `wait4` from here: on
/// Linux a child spawned by a large process inherits that process's peak as its own
/// `ru_maxrss` floor (the memory it had when it was cloned), while GNU time is a small process.
/// Panics when GNU time is missing (`apt-get install time`) or the command cannot run.
pub fn run_peak(command: &std::process::Command) -> (Duration, i32, u64) {
    use std::process::{Command, Stdio};
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%x %M")
        .arg("-o")
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let start = Instant::now();
    let status = timed.status().unwrap_or_else(|e| {
        panic!("cannot run /usr/bin/time (GNU time: apt-get install time): {e}")
    });
    let elapsed = start.elapsed();
    let text = std::fs::read_to_string(report.path()).unwrap_or_default();
    let last = text.lines().last().unwrap_or_default();
    let mut fields = last.split_whitespace();
    let (Some(code), Some(kib)) = (
        fields.next().and_then(|c| c.parse::<i32>().ok()),
        fields.next().and_then(|k| k.parse::<u64>().ok()),
    ) else {
        panic!("{command:?} under /usr/bin/time ({status}): no report ({text:?})");
    };
    (elapsed, code, kib * 1024)
}

/// The number of rounds: `HC_SCHEMA_BENCH_ROUNDS`, else `default`.
pub fn rounds(default: usize) -> usize {
    std::env::var("HC_SCHEMA_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The load average over the last minute (from `/proc/loadavg`), to print with the figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// A one-line description of the machine for benchmark output: cores and load.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "machine: {cores} core(s), load average {} (1 min) at the start; ratios are taken in the same run",
        load_average()
    )
}
