//! Replay protection: one session token gives at most one continue token.
//!
//! A store remembers the hash of (tenant, subject, token) until the token's `exp`, whatever
//! `state` came with it: a copied token cannot be turned into more continue tokens (or more
//! Management API writes) by pairing it with made-up states, and one token takes one entry,
//! so one person cannot fill the store without a fresh Auth0 login per entry. Two logins of
//! one person in the same second get distinct tokens because the Action puts a random
//! `nonce` in the payload. The raw token is never stored. A store that cannot answer fails
//! closed (503, nothing minted).

mod redis_store;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::pin::Pin;
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

pub use redis_store::RedisStore;

/// A boxed future, so stores can sit behind `dyn ReplayStore`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Whether this was the first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumption {
    First,
    AlreadyUsed,
}

/// Why the store could not answer. Every variant means: mint nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the in-memory replay store is full")]
    Full,
    #[error("the replay store did not answer in time")]
    Timeout,
    #[error("the replay store is unreachable: {0}")]
    Unreachable(String),
}

/// Where used tokens are remembered.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Marks `key` used until `expires_at` (Unix seconds) and says whether it was unused.
    fn consume(
        &self,
        key: ReplayKey,
        expires_at: i64,
        now: i64,
    ) -> BoxFuture<'_, Result<Consumption, StoreError>>;

    /// Forgets `key`, so the token can be used again. Called only when a back-channel store
    /// failed after [`ReplayStore::consume`] claimed the token and nothing was minted (see
    /// `routes::continue_login` for why the claim comes first).
    fn release(&self, key: ReplayKey) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Whether `key` is marked used at `now`, without marking it (`POST /api/session`, the
    /// page asking when it opens whether its link can still be accepted).
    fn is_used(&self, key: ReplayKey, now: i64) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Succeeds when the store answers (for `/readyz`).
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;
}

/// SHA-256 of the tenant, subject and token, each length-prefixed so no two different tuples
/// share an encoding. The login's `state` is deliberately not part of it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReplayKey([u8; 32]);

/// A key is already a SHA-256 digest, so its first eight bytes are as good a table hash as
/// any hash of them ([`KeyHasher`]). Nobody can choose them to collide: a key is made only
/// for a session token whose signature verified, and only the tenant's secret signs one.
impl Hash for ReplayKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl ReplayKey {
    pub fn new(tenant: &str, subject: &str, token: &str) -> Self {
        let mut hasher = Sha256::new();
        for part in [tenant, subject, token] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        Self(hasher.finalize().into())
    }

    /// Appends the key in lowercase hexadecimal, 64 characters: the form Redis keys have
    /// always had, so instances of two versions sharing one Redis agree on every key.
    pub fn write_hex(&self, out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        out.reserve(self.0.len() * 2);
        for byte in self.0 {
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
    }
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplayKey(..)")
    }
}

/// The default store: this process's memory, for a single instance. Bounded: when full of
/// unexpired entries it refuses rather than forgets one.
///
/// An entry takes 41 bytes of hash table (the 32-byte key, the expiry, a control byte), and
/// the table doubles as it grows (at most 7/8 full), so between 41 and about 94 bytes per
/// remembered token: 100,000 tokens take 5.4 MB (a table of 2^17 slots), a full store of the
/// default capacity 21.5 MB (2^19 slots).
///
/// From [`SHARDED_FROM`] entries on, the keys are spread over [`MIN_SHARDS`] tables or more
/// (a power of two: as many as it takes for each to hold at most [`SHARD_ENTRIES`]), each
/// under its own lock and holding its share of the capacity (a full shard refuses, at about
/// 99 % of the whole for the default capacity): a request waits only for those of its shard,
/// and a table that doubles as it grows moves at most [`SHARD_ENTRIES`] entries while that
/// shard's requests wait, however large the configured capacity (a rehash of the whole table
/// held the p99 latency under load at tens of milliseconds, and sixteen shards of the bench's
/// 20,000,000-entry store still stalled 6 ms; BENCHMARKS.md, "Signer").
#[derive(Debug)]
pub struct MemoryStore {
    shards: Box<[Shard]>,
}

/// The fewest tables of a sharded [`MemoryStore`].
const MIN_SHARDS: usize = 16;

/// The most entries one table of a sharded [`MemoryStore`] holds: it has more tables instead.
const SHARD_ENTRIES: usize = 65_536;

/// The most tables: a key's shard is read from two of its bytes.
const MAX_SHARDS: usize = 1 << 16;

/// Below this capacity a [`MemoryStore`] is one table: exactly `capacity` entries.
const SHARDED_FROM: usize = 16_384;

#[derive(Debug)]
struct Shard {
    capacity: usize,
    used: Mutex<Remembered>,
}

/// The used tokens, and when expired ones were last swept out.
#[derive(Debug, Default)]
struct Remembered {
    until: HashMap<ReplayKey, i64, BuildHasherDefault<KeyHasher>>,
    /// The second of the last sweep: a full store sweeps at most once a second, not on every
    /// request (a sweep reads every entry).
    swept_at: Option<i64>,
}

/// What a realistic single-instance tenant needs, with room. A token is remembered until its
/// `exp`, so the store holds about (logins per second) x (token lifetime) entries. Auth0
/// holds an Enterprise tenant in its public cloud to 100 Authentication API requests a
/// second, sustained, and a login takes several of them: even if every one were a login sent
/// to Stopover with tokens that live the longest a session token may (an hour), that is
/// 360,000 entries. 450,000 leaves a quarter more and still fits 2^19 slots, 16 tables of
/// 2^15 (21.5 MB full; a capacity above 458,752 would double them to 43 MB). Tenants beyond
/// that (Auth0's private cloud tiers), and every deployment of more than one instance, use
/// Redis (docs/operators.md, "Sizing the replay store").
pub const DEFAULT_MEMORY_CAPACITY: usize = 450_000;

/// The table hash of a [`ReplayKey`]: the eight bytes its `Hash` writes, as they are (SipHash,
/// the standard map's default, spent a few hundred instructions a request re-hashing a
/// digest).
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `ReplayKey::hash` feeds this hasher, through `write_u64`; should anything
        // else ever, every byte still counts.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl MemoryStore {
    pub fn new(capacity: usize) -> Self {
        let count = if capacity >= SHARDED_FROM {
            capacity
                .div_ceil(SHARD_ENTRIES)
                .next_power_of_two()
                .clamp(MIN_SHARDS, MAX_SHARDS)
        } else {
            1
        };
        let share = capacity.div_ceil(count);
        // A sharded store's tables start at a quarter of their share, and all of them at
        // most at a quarter of the default store (2^13 slots each of its 16, 5.4 MB in all,
        // resident as entries arrive): up to about that many entries it never rehashes, and
        // leaves no smaller tables it outgrew behind in the allocator. A store configured far
        // larger grows as it fills.
        let reserved = if count > 1 {
            (share / 4).min(DEFAULT_MEMORY_CAPACITY / 4 / count)
        } else {
            0
        };
        let shards = (0..count)
            .map(|_| Shard {
                capacity: share,
                used: Mutex::new(Remembered {
                    until: HashMap::with_capacity_and_hasher(reserved, Default::default()),
                    swept_at: None,
                }),
            })
            .collect();
        Self { shards }
    }

    /// The shard of `key`: by its ninth and tenth bytes (the first eight are its hash within
    /// the table); the number of shards is a power of two.
    fn shard(&self, key: &ReplayKey) -> &Shard {
        let index = usize::from(u16::from_le_bytes([key.0[8], key.0[9]]));
        &self.shards[index & (self.shards.len() - 1)]
    }

    fn consume_now(
        &self,
        key: ReplayKey,
        expires_at: i64,
        now: i64,
    ) -> Result<Consumption, StoreError> {
        let shard = self.shard(&key);
        let mut used = shard.lock();
        // An expired entry under this key is replaced, so it never needs room of its own.
        if let Some(until) = used.until.get_mut(&key) {
            if *until > now {
                return Ok(Consumption::AlreadyUsed);
            }
            *until = expires_at;
            return Ok(Consumption::First);
        }
        if used.until.len() >= shard.capacity && used.swept_at != Some(now) {
            used.until.retain(|_, until| *until > now);
            used.swept_at = Some(now);
        }
        if used.until.len() >= shard.capacity {
            return Err(StoreError::Full);
        }
        used.until.insert(key, expires_at);
        Ok(Consumption::First)
    }

    fn is_used_now(&self, key: ReplayKey, now: i64) -> bool {
        self.shard(&key)
            .lock()
            .until
            .get(&key)
            .is_some_and(|&until| until > now)
    }

    fn release_now(&self, key: ReplayKey) {
        self.shard(&key).lock().until.remove(&key);
    }
}

impl Shard {
    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // A poisoned lock means another request panicked while holding it; the map itself is
        // still consistent (every mutation is a single insert or retain), so keep using it.
        self.used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ReplayStore for MemoryStore {
    fn consume(
        &self,
        key: ReplayKey,
        expires_at: i64,
        now: i64,
    ) -> BoxFuture<'_, Result<Consumption, StoreError>> {
        let result = self.consume_now(key, expires_at, now);
        Box::pin(async move { result })
    }

    fn release(&self, key: ReplayKey) -> BoxFuture<'_, Result<(), StoreError>> {
        self.release_now(key);
        Box::pin(async { Ok(()) })
    }

    fn is_used(&self, key: ReplayKey, now: i64) -> BoxFuture<'_, Result<bool, StoreError>> {
        let used = self.is_used_now(key, now);
        Box::pin(async move { Ok(used) })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key(n: u8) -> ReplayKey {
        ReplayKey::new("iss", "sub", &format!("token{n}"))
    }

    #[test]
    fn memory_store_reports_second_use() {
        let store = MemoryStore::new(10);
        assert_eq!(
            store.consume_now(key(1), 200, 100).ok(),
            Some(Consumption::First)
        );
        assert_eq!(
            store.consume_now(key(1), 200, 150).ok(),
            Some(Consumption::AlreadyUsed)
        );
        assert_eq!(
            store.consume_now(key(2), 200, 150).ok(),
            Some(Consumption::First)
        );
    }

    #[test]
    fn asking_whether_a_key_is_used_marks_nothing() {
        let store = MemoryStore::new(10);
        assert!(!store.is_used_now(key(1), 100));
        assert!(!store.is_used_now(key(1), 100), "asking twice is still no");
        store.consume_now(key(1), 200, 100).unwrap();
        assert!(store.is_used_now(key(1), 150));
        assert!(!store.is_used_now(key(1), 200), "not once it expired");
        assert!(!store.is_used_now(key(2), 150));
    }

    #[test]
    fn memory_store_forgets_only_expired_entries() {
        let store = MemoryStore::new(1);
        assert_eq!(
            store.consume_now(key(1), 200, 100).ok(),
            Some(Consumption::First)
        );
        assert!(matches!(
            store.consume_now(key(2), 300, 150),
            Err(StoreError::Full)
        ));
        // At 200 the first entry has expired and makes room.
        assert_eq!(
            store.consume_now(key(2), 300, 200).ok(),
            Some(Consumption::First)
        );
    }

    #[test]
    fn a_full_store_sweeps_at_most_once_a_second() {
        let store = MemoryStore::new(2);
        assert!(store.consume_now(key(1), 150, 100).is_ok());
        assert!(store.consume_now(key(2), 300, 100).is_ok());
        // Full at 149: the sweep finds nothing expired and the store refuses.
        assert!(matches!(
            store.consume_now(key(3), 300, 149),
            Err(StoreError::Full)
        ));
        // At 150 the first entry has expired: this second's sweep makes room.
        assert!(store.consume_now(key(3), 300, 150).is_ok());
        assert!(matches!(
            store.consume_now(key(4), 300, 150),
            Err(StoreError::Full)
        ));
        // Still remembered, whatever the sweeps did.
        assert_eq!(
            store.consume_now(key(2), 300, 151).ok(),
            Some(Consumption::AlreadyUsed)
        );
    }

    #[test]
    fn a_released_key_can_be_consumed_again() {
        let store = MemoryStore::new(10);
        assert_eq!(
            store.consume_now(key(1), 200, 100).ok(),
            Some(Consumption::First)
        );
        store.release_now(key(1));
        assert_eq!(
            store.consume_now(key(1), 200, 101).ok(),
            Some(Consumption::First)
        );
        assert_eq!(
            store.consume_now(key(1), 200, 102).ok(),
            Some(Consumption::AlreadyUsed)
        );
    }

    #[test]
    fn an_expired_key_in_a_full_store_is_used_again_without_a_sweep() {
        let store = MemoryStore::new(2);
        assert!(store.consume_now(key(1), 150, 100).is_ok());
        assert!(store.consume_now(key(2), 300, 100).is_ok());
        // Its own expired entry is replaced; the store stays full of the same two keys.
        assert_eq!(
            store.consume_now(key(1), 400, 150).ok(),
            Some(Consumption::First)
        );
        assert_eq!(
            store.consume_now(key(1), 400, 200).ok(),
            Some(Consumption::AlreadyUsed),
            "remembered until its new expiry"
        );
        assert!(matches!(
            store.consume_now(key(3), 400, 200),
            Err(StoreError::Full)
        ));
    }

    #[test]
    fn the_default_capacity_covers_a_public_cloud_tenant_for_an_hour() {
        // 100 logins a second (Auth0's sustained public-cloud limit, every request a login)
        // remembered for the longest session lifetime.
        let hour = usize::try_from(crate::config::MAX_SESSION_LIFETIME_SECS).unwrap();
        assert!(DEFAULT_MEMORY_CAPACITY >= 100 * hour);
        // And a full default store is the 2^19 slots the docs price (21.5 MB), in 16 tables.
        let store = MemoryStore::new(DEFAULT_MEMORY_CAPACITY);
        assert_eq!(store.shards.len(), 16);
        let mut full = Remembered::default();
        full.until.reserve(store.shards[0].capacity);
        assert!(full.until.capacity() * store.shards.len() < 1 << 19);
    }

    #[test]
    fn a_sharded_store_starts_at_a_quarter_of_the_default_stores_tables() {
        let reserved = |store: &MemoryStore| {
            let each: Vec<usize> = store
                .shards
                .iter()
                .map(|shard| shard.lock().until.capacity())
                .collect();
            (each[0], each.iter().sum::<usize>())
        };
        let (default, default_total) = reserved(&MemoryStore::new(DEFAULT_MEMORY_CAPACITY));
        // 2^13 slots (7/8 of them usable) per table: a quarter of the share, rounded up.
        assert!(default >= DEFAULT_MEMORY_CAPACITY / 16 / 4);
        assert!(default < 1 << 13);
        // A store configured far larger reserves no more in all; a small one nothing.
        let (_, large_total) = reserved(&MemoryStore::new(20_000_000));
        assert!(
            large_total <= default_total,
            "{large_total} > {default_total}"
        );
        assert_eq!(reserved(&MemoryStore::new(10)), (0, 0));
    }

    #[test]
    fn no_table_of_a_large_store_holds_more_than_its_limit() {
        for capacity in [SHARDED_FROM, DEFAULT_MEMORY_CAPACITY, 20_000_000, 1 << 40] {
            let store = MemoryStore::new(capacity);
            let count = store.shards.len();
            assert!(count.is_power_of_two() && count >= MIN_SHARDS, "{count}");
            if count == MAX_SHARDS {
                continue; // capped: only a capacity beyond 2^30 gets here
            }
            assert!(store
                .shards
                .iter()
                .all(|shard| shard.capacity <= SHARD_ENTRIES));
            // And no more tables than that takes.
            assert!(count == MIN_SHARDS || capacity.div_ceil(count / 2) > SHARD_ENTRIES);
        }
        assert_eq!(MemoryStore::new(20_000_000).shards.len(), 512);
        assert_eq!(MemoryStore::new(1 << 40).shards.len(), MAX_SHARDS);
    }

    #[test]
    fn a_large_store_spreads_its_keys_and_fills_each_shard_to_its_share() {
        let capacity = SHARDED_FROM;
        let store = MemoryStore::new(capacity);
        assert_eq!(store.shards.len(), MIN_SHARDS);
        let mut held = 0;
        for n in 0..2 * capacity {
            let key = ReplayKey::new("iss", "sub", &format!("token{n}"));
            match store.consume_now(key, 200, 100) {
                Ok(Consumption::First) => held += 1,
                Ok(Consumption::AlreadyUsed) => panic!("token{n} is new"),
                Err(StoreError::Full) => {}
                Err(error) => panic!("{error}"),
            }
        }
        // Every shard filled to its share, so the whole store is exactly full.
        assert_eq!(held, capacity);
        for shard in store.shards.iter() {
            assert_eq!(shard.lock().until.len(), capacity / MIN_SHARDS);
        }
        // And still answers for each key it holds.
        let first = ReplayKey::new("iss", "sub", "token0");
        assert!(store.is_used_now(first, 150));
    }

    #[test]
    fn replay_key_separates_its_parts() {
        assert_ne!(
            ReplayKey::new("ab", "c", "t"),
            ReplayKey::new("a", "bc", "t")
        );
    }

    #[test]
    fn a_replay_key_is_written_as_two_lowercase_hex_digits_a_byte_as_it_always_was() {
        for n in 0..64 {
            let key = key(n);
            let mut hex = String::new();
            key.write_hex(&mut hex);
            let each_byte: String = key.0.iter().map(|byte| format!("{byte:02x}")).collect();
            assert_eq!(hex, each_byte);
            assert_eq!(hex.len(), 64);
        }
    }
}
