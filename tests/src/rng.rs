//! The suites' seeded generator: xorshift64 (13, 7, 17), no dependency, the same sequence on
//! every run, so that every generated input can be replayed from its seed. One implementation
//! for the whole workspace: the library's (its unit tests use it too).
//!
//! ```
//! let mut rng = hc_schema_tests::rng::Rng::new(42);
//! let first = rng.next_u64();
//! assert_eq!(hc_schema_tests::rng::Rng::new(42).next_u64(), first);
//! assert!(rng.below(3) < 3);
//! ```

pub use hc_schema_snapshot::testing::Rng;
