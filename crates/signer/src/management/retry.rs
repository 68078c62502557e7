//! When to try a Management API call again, and when to give up.
//!
//! Pure functions of the failure, the attempts so far and the time spent: the caller sleeps
//! and measures, so the policy is tested without a clock.
//!
//! - 429: wait exactly what Auth0 asks: until `x-ratelimit-reset` (Unix seconds when the
//!   bucket refills), else `Retry-After` (seconds), else the backoff;
//! - 5xx, a connection failure or a call that took too long: exponential backoff;
//! - give up when the next attempt could not start within the budget: the request then
//!   answers 503 in time, before the signer's own request timeout.

use std::time::Duration;

/// A failure worth another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retryable {
    /// 429; `wait` is what the rate-limit headers ask for, when they say.
    RateLimited { wait: Option<Duration> },
    /// A 5xx status.
    ServerError(u16),
    /// The connection failed or the answer could not be read.
    Transport,
    /// The call took longer than the per-attempt timeout.
    Timeout,
}

/// Backoff and budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most all attempts and waits together may take.
    pub budget: Duration,
    /// The first backoff; each retry doubles it.
    pub first_backoff: Duration,
    /// Backoff never grows beyond this.
    pub max_backoff: Duration,
    /// At most this many attempts in all, whatever the budget.
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// The signer's policy within `budget`: 100 ms, 200 ms, 400 ms ... up to 2 s, 8 attempts.
    pub fn within(budget: Duration) -> Self {
        Self {
            budget,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_attempts: 8,
        }
    }

    /// How long to wait before the next attempt after `failure`, when `attempts` attempts
    /// were made and `elapsed` has passed since the first began; `None` to give up.
    pub fn next_wait(
        &self,
        attempts: u32,
        failure: Retryable,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let wait = match failure {
            Retryable::RateLimited { wait: Some(wait) } => wait,
            _ => self.backoff(attempts),
        };
        (elapsed.saturating_add(wait) < self.budget).then_some(wait)
    }

    /// The backoff after `attempts` attempts: first, twice that, four times ... capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(16);
        self.first_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}

/// The wait a 429 asks for at Unix time `now`: until `x-ratelimit-reset` (Auth0: Unix
/// seconds when the bucket refills), else `Retry-After` in seconds. A reset already past asks
/// for no wait beyond the backoff (`None`); an unreadable header is ignored.
pub fn rate_limit_wait(
    ratelimit_reset: Option<&str>,
    retry_after: Option<&str>,
    now: i64,
) -> Option<Duration> {
    let from_reset = ratelimit_reset
        .and_then(|value| value.trim().parse::<i64>().ok())
        .map(|reset| reset.saturating_sub(now));
    let seconds = from_reset.or_else(|| {
        retry_after
            .and_then(|value| value.trim().parse::<u64>().ok())
            .and_then(|secs| i64::try_from(secs).ok())
    })?;
    u64::try_from(seconds)
        .ok()
        .filter(|secs| *secs > 0)
        .map(Duration::from_secs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn policy(budget_ms: u64) -> RetryPolicy {
        RetryPolicy::within(Duration::from_millis(budget_ms))
    }

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn server_errors_back_off_exponentially_up_to_the_cap() {
        let policy = policy(60_000);
        let waits: Vec<_> = (1..=7)
            .map(|attempts| {
                policy
                    .next_wait(attempts, Retryable::ServerError(503), MS(0))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            waits,
            [
                MS(100),
                MS(200),
                MS(400),
                MS(800),
                MS(1600),
                MS(2000),
                MS(2000)
            ]
        );
    }

    #[test]
    fn transport_failures_and_timeouts_back_off_like_server_errors() {
        let policy = policy(60_000);
        assert_eq!(
            policy.next_wait(2, Retryable::Transport, MS(0)),
            Some(MS(200))
        );
        assert_eq!(
            policy.next_wait(3, Retryable::Timeout, MS(0)),
            Some(MS(400))
        );
    }

    #[test]
    fn a_rate_limit_waits_exactly_what_the_headers_ask() {
        let policy = policy(60_000);
        let failure = Retryable::RateLimited {
            wait: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            policy.next_wait(1, failure, MS(0)),
            Some(Duration::from_secs(3))
        );
        let unspecified = Retryable::RateLimited { wait: None };
        assert_eq!(policy.next_wait(1, unspecified, MS(0)), Some(MS(100)));
    }

    #[test]
    fn no_retry_when_the_wait_would_end_beyond_the_budget() {
        let policy = policy(5_000);
        assert_eq!(
            policy.next_wait(1, Retryable::ServerError(500), MS(4_800)),
            Some(MS(100))
        );
        assert_eq!(
            policy.next_wait(1, Retryable::ServerError(500), MS(4_900)),
            None
        );
        let long_rate_limit = Retryable::RateLimited {
            wait: Some(Duration::from_secs(10)),
        };
        assert_eq!(policy.next_wait(1, long_rate_limit, MS(0)), None);
    }

    #[test]
    fn attempts_are_bounded_even_with_budget_left() {
        let policy = policy(3_600_000);
        assert!(policy
            .next_wait(7, Retryable::ServerError(502), MS(0))
            .is_some());
        assert_eq!(
            policy.next_wait(8, Retryable::ServerError(502), MS(0)),
            None
        );
    }

    #[test]
    fn the_ratelimit_reset_header_is_read_as_unix_seconds() {
        assert_eq!(
            rate_limit_wait(Some("1000002"), None, 1_000_000),
            Some(Duration::from_secs(2))
        );
        // The reset wins over Retry-After, as Auth0 documents it for the Management API.
        assert_eq!(
            rate_limit_wait(Some("1000002"), Some("30"), 1_000_000),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn retry_after_is_used_without_a_reset_header() {
        assert_eq!(
            rate_limit_wait(None, Some(" 4 "), 1_000_000),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            rate_limit_wait(Some("soon"), Some("1"), 0),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn a_past_reset_or_no_header_asks_for_no_particular_wait() {
        assert_eq!(rate_limit_wait(Some("999999"), None, 1_000_000), None);
        assert_eq!(rate_limit_wait(Some("1000000"), None, 1_000_000), None);
        assert_eq!(rate_limit_wait(None, None, 1_000_000), None);
        assert_eq!(rate_limit_wait(None, Some("-3"), 1_000_000), None);
    }
}
