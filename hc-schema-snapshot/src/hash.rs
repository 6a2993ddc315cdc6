//! THE content hash of the build script, the name index and the macro's analysis cache: 64
//! bits, eight bytes per step (FNV-1a's multiply on words, and a shift that mixes the high bits
//! down).
//!
//! Written for unoptimised builds, which build scripts and proc macros get by default: a slice
//! pattern takes eight bytes per step, where an iterator costs a call per byte and an index a
//! bounds check (a large org's snapshot is tens of megabytes; the build script's first run is
//! held to 2x `jq empty` by the `large_org` bench, measured at 0.66x). Not for security: it
//! detects change, it does not resist a chosen collision.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// A hash fed piece by piece.
///
/// ```
/// use hc_schema_snapshot::hash::{hash, WordHash};
/// let mut pieces = WordHash::new();
/// pieces.feed(b"hc-schema/prod.json");
/// assert_eq!(pieces.finish(), {
///     let mut again = WordHash::new();
///     again.feed(b"hc-schema/prod.json");
///     again.finish()
/// });
/// assert_ne!(hash(b"a"), hash(b"a\0"), "the length is hashed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordHash(u64);

impl Default for WordHash {
    fn default() -> Self {
        WordHash::new()
    }
}

impl WordHash {
    /// The empty hash.
    pub const fn new() -> WordHash {
        WordHash(OFFSET)
    }

    /// Feed `bytes`, length first (so that texts differing only in trailing zero bytes differ,
    /// and so do different cuts of the same bytes into pieces).
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut hash = (self.0 ^ bytes.len() as u64).wrapping_mul(PRIME);
        hash ^= hash >> 29;
        let mut rest = bytes;
        while let [a, b, c, d, e, f, g, h, tail @ ..] = rest {
            let word = u64::from_le_bytes([*a, *b, *c, *d, *e, *f, *g, *h]);
            hash = (hash ^ word).wrapping_mul(PRIME);
            hash ^= hash >> 29;
            rest = tail;
        }
        for byte in rest {
            hash = (hash ^ *byte as u64).wrapping_mul(PRIME);
        }
        self.0 = hash;
    }

    /// The hash of everything fed.
    pub fn finish(&self) -> u64 {
        self.0 ^ self.0 >> 29
    }
}

/// The hash of `bytes`.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut hash = WordHash::new();
    hash.feed(bytes);
    hash.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces are not concatenation: ("ab", "c") and ("a", "bc") differ; and nearby texts do
    /// not collide.
    #[test]
    fn pieces_and_spread() {
        let of = |pieces: &[&[u8]]| {
            let mut h = WordHash::new();
            for piece in pieces {
                h.feed(piece);
            }
            h.finish()
        };
        assert_ne!(of(&[b"ab", b"c"]), of(&[b"a", b"bc"]));
        let mut seen = std::collections::HashSet::new();
        for i in 0..10_000u32 {
            let text = format!("account.column_{i}__c");
            assert!(seen.insert(hash(text.as_bytes())), "{text}");
        }
    }

    /// Every one-byte change, and every change of length (trailing zero bytes too), changes
    /// the hash; the same bytes hash the same.
    #[test]
    fn the_content_hash_sees_every_small_change() {
        let text: Vec<u8> = (0..43u8).map(|b| b.wrapping_mul(37)).collect();
        let base = hash(&text);
        assert_eq!(base, hash(&text.clone()));
        let mut seen = std::collections::HashSet::new();
        for at in 0..text.len() {
            for flip in [1u8, 0x10, 0x80, 0xff] {
                let mut changed = text.clone();
                changed[at] ^= flip;
                let changed = hash(&changed);
                assert_ne!(changed, base, "byte {at} ^ {flip:#x}");
                assert!(seen.insert(changed), "byte {at} ^ {flip:#x} collides");
            }
        }
        let mut padded = text.clone();
        for _ in 0..16 {
            padded.push(0);
            assert!(seen.insert(hash(&padded)), "{} bytes", padded.len());
        }
        for end in 0..text.len() {
            assert!(seen.insert(hash(&text[..end])), "prefix of {end} bytes");
        }
    }
}
