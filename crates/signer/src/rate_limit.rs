//! A per-client token bucket for `POST /api/continue`, with bounded memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Most clients tracked at once. When full, buckets that have refilled completely are
/// forgotten (they hold no information); if none has, the new client is refused.
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Allows `per_minute` requests per client, in bursts of up to `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    max_clients: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
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

    /// Takes one token from `client`'s bucket at `now`.
    pub fn check(&self, client: IpAddr, now: Instant) -> Decision {
        // The map is consistent after any panic (single inserts and retains), so a poisoned
        // lock is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !buckets.contains_key(&client) && buckets.len() >= self.max_clients {
            let (capacity, per_second) = (self.capacity, self.per_second);
            buckets.retain(|_, bucket| refilled(bucket, now, capacity, per_second) < capacity);
            if buckets.len() >= self.max_clients {
                return Decision::Deny {
                    retry_after_secs: self.seconds_for_one_token(),
                };
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

    fn seconds_for_one_token(&self) -> u64 {
        (1.0 / self.per_second).ceil().max(1.0) as u64
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
    fn full_table_forgets_idle_clients_and_refuses_when_none_are_idle() {
        let limiter = RateLimiter::with_max_clients(60, 1);
        let start = Instant::now();
        assert_eq!(limiter.check(A, start), Decision::Allow);
        assert!(
            matches!(limiter.check(B, start), Decision::Deny { .. }),
            "A's bucket is not yet full again"
        );
        assert_eq!(
            limiter.check(B, start + Duration::from_secs(2)),
            Decision::Allow,
            "A refilled and was forgotten"
        );
    }
}
