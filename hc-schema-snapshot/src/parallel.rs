//! The one parallel map of the library (the scan's passes and the SQL checks): `work(i, limit)`
//! for every index, on up to as many threads as the machine has cores, work taken one index at
//! a time (one slow file does not hold up a whole share), results in index order. Workers get
//! large stacks because syn recurses as deeply as the code nests: `limit` tells the work how
//! many nesting levels its stack can take.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The stack each worker asks for.
const STACK_BYTES: usize = 1 << 30;

/// What one level of nesting may cost syn (parse, visit, drop) on the stack, with a margin of
/// about 2.5 over what was measured (a `&&&&x` chain: 25 KiB per level unoptimised, 5 KiB
/// optimised).
const LEVEL_BYTES: usize = if cfg!(debug_assertions) {
    64 << 10
} else {
    16 << 10
};

/// Run `work(i, limit)` for every `i` below `count` on worker threads; results in order.
/// `limit` is the nesting the thread's stack can take.
pub(crate) fn parallel<R: Send>(count: usize, work: impl Fn(usize, u32) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(count));
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(count)
        .max(1);
    let run = |limit: u32| {
        let mut local = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= count {
                break;
            }
            local.push((index, work(index, limit)));
        }
        results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(local);
    };
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..workers {
            // Ask for less when the system refuses a large stack.
            for stack in [STACK_BYTES, STACK_BYTES / 4, STACK_BYTES / 16] {
                let limit = (stack / LEVEL_BYTES) as u32;
                let run = &run;
                let spawn = std::thread::Builder::new()
                    .name("hc-schema-scan".into())
                    .stack_size(stack)
                    .spawn_scoped(scope, move || run(limit));
                if spawn.is_ok() {
                    spawned += 1;
                    break;
                }
            }
        }
        if spawned == 0 {
            // No thread at all: work here, within what a main thread's stack (8 MiB) takes.
            run(((8 << 20) / LEVEL_BYTES) as u32);
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_index_order() {
        assert_eq!(
            super::parallel(1000, |i, _| i * 2),
            (0..1000).map(|i| i * 2).collect::<Vec<_>>()
        );
        assert!(super::parallel(0, |i, _| i).is_empty());
    }
}
