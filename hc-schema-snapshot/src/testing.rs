//! Internal (semver-exempt, feature `_testing`; always in the library's own unit tests): the
//! seeded generator of every generated-input test in the workspace, here so that the library's
//! unit tests and the test-support crate (`hc_schema_tests::rng`, which re-exports it) share one
//! implementation and one way to replay a failure (`HC_SCHEMA_TEST_SEED`).

/// A seeded xorshift64 (13, 7, 17) generator: no dependency, the same sequence on every run.
///
/// ```
/// # #[cfg(feature = "_testing")] {
/// let mut rng = hc_schema_snapshot::testing::Rng::new(42);
/// let first = rng.next_u64();
/// assert_eq!(hc_schema_snapshot::testing::Rng::new(42).next_u64(), first);
/// assert!(rng.below(3) < 3);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (made odd, so never the stuck state 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A generator whose state is `state` exactly (not 0), for sequences that predate
    /// [`Rng::new`].
    pub fn exact(state: u64) -> Rng {
        assert_ne!(state, 0, "xorshift never leaves the state 0");
        Rng(state)
    }

    /// `HC_SCHEMA_TEST_SEED` (to explore other inputs locally) mixed with `salt`, else `salt`.
    pub fn seeded(salt: u64) -> Rng {
        let seed = std::env::var("HC_SCHEMA_TEST_SEED")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// One of `items`, by reference (for items that are not `Copy`).
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True for an even next number (one chance in two).
    pub fn chance(&mut self) -> bool {
        self.next_u64() & 1 == 0
    }

    /// True `percent` times in a hundred.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// True one time in `n` (`n` > 0).
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next_u64().is_multiple_of(n)
    }
}
