//! A per-client token bucket for `POST /api/continue`, with bounded memory.
//!
//! A client is an IPv4 address or an IPv6 /64: one host on IPv6 usually holds a whole /64
//! and could otherwise take a fresh bucket per request.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::Instant;

/// Most clients tracked at once. When full, the least recently seen client is forgotten to
/// make room for a newcomer (forgetting gives that client a full bucket again, which only
/// matters to an attacker who already controls more than this many addresses).
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Whose bucket a request takes from: an IPv4 address, or the /64 prefix of an IPv6 one
/// (an IPv4-mapped IPv6 address counts as its IPv4 address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => Self(IpAddr::V6(Ipv6Addr::from(
                    u128::from(v6) & !u128::from(u64::MAX),
                ))),
            },
        }
    }
}

/// Allows `per_minute` requests per client, in bursts of up to `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    max_clients: usize,
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The outcome for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Try again after this many seconds.
    Deny {
        retry_after_secs: u64,
    },
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self::with_max_clients(per_minute, MAX_TRACKED_CLIENTS)
    }

    pub fn with_max_clients(per_minute: u32, max_clients: usize) -> Self {
        let capacity = f64::from(per_minute.max(1));
        Self {
            capacity,
            per_second: capacity / 60.0,
            max_clients,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from the bucket of `client` (its IPv4 address or IPv6 /64) at `now`.
    pub fn check(&self, client: IpAddr, now: Instant) -> Decision {
        let client = ClientKey::of(client);
        // The map is consistent after any panic (single inserts and removes), so a poisoned
        // lock is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !buckets.contains_key(&client) && buckets.len() >= self.max_clients {
            // A linear scan, only when the table is full and a newcomer arrives: 10,000
            // entries take microseconds, and the least recently seen bucket is the one most
            // likely to have refilled anyway.
            let oldest = buckets
                .iter()
                .min_by_key(|(_, bucket)| bucket.updated)
                .map(|(key, _)| *key);
            if let Some(oldest) = oldest {
                buckets.remove(&oldest);
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        bucket.tokens = refilled(bucket, now, self.capacity, self.per_second);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Decision::Allow
        } else {
            let missing = 1.0 - bucket.tokens;
            Decision::Deny {
                retry_after_secs: (missing / self.per_second).ceil().max(1.0) as u64,
            }
        }
    }
}

fn refilled(bucket: &Bucket, now: Instant, capacity: f64, per_second: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(capacity)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use super::*;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn burst_up_to_the_limit_then_deny_with_retry_after() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(A, start), Decision::Allow);
        }
        assert_eq!(
            limiter.check(A, start),
            Decision::Deny {
                retry_after_secs: 20
            }
        );
        assert_eq!(
            limiter.check(B, start),
            Decision::Allow,
            "another client has its own bucket"
        );
        assert_eq!(
            limiter.check(A, start + Duration::from_secs(20)),
            Decision::Allow,
            "refilled"
        );
    }

    #[test]
    fn full_table_admits_a_newcomer_by_forgetting_the_least_recently_seen() {
        const C: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 3));
        let limiter = RateLimiter::with_max_clients(1, 2);
        let start = Instant::now();
        assert_eq!(limiter.check(A, start), Decision::Allow);
        assert_eq!(
            limiter.check(B, start + Duration::from_secs(1)),
            Decision::Allow
        );
        // Both buckets are empty and the table is full: the newcomer still gets in.
        assert_eq!(
            limiter.check(C, start + Duration::from_secs(2)),
            Decision::Allow,
            "a newcomer is admitted into a full table"
        );
        // A, the least recently seen, was forgotten; B was kept and is still limited.
        assert!(matches!(
            limiter.check(B, start + Duration::from_secs(3)),
            Decision::Deny { .. }
        ));
        assert_eq!(limiter.buckets.lock().unwrap().len(), 2);
        assert!(!limiter
            .buckets
            .lock()
            .unwrap()
            .contains_key(&ClientKey::of(A)));
    }

    #[test]
    fn ipv6_clients_in_one_slash_64_share_a_bucket() {
        let limiter = RateLimiter::new(5);
        let start = Instant::now();
        let in_prefix = |host: u16| -> IpAddr {
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xaa, 0xbb, host, 1, 2, host))
        };
        let allowed = (1..=8)
            .filter(|host| limiter.check(in_prefix(*host), start) == Decision::Allow)
            .count();
        assert_eq!(allowed, 5, "8 addresses of one /64 share its 5 requests");
        let neighbour = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xaa, 0xbc, 0, 0, 0, 1));
        assert_eq!(
            limiter.check(neighbour, start),
            Decision::Allow,
            "the next /64 has its own bucket"
        );
    }

    #[test]
    fn ipv4_mapped_ipv6_is_the_ipv4_client() {
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
        assert_eq!(ClientKey::of(mapped), ClientKey::of(A));
        assert_ne!(
            ClientKey::of(A),
            ClientKey::of(B),
            "IPv4 is keyed per address"
        );
    }
}
