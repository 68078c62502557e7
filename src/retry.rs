//! A failed call to the signer, and from when it may be tried again: the one rule that both
//! loading the form and submitting it follow.

use crate::api::ApiError;

/// What went wrong, and the Unix second from which trying again is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: ApiError,
    /// 0 (at once), except after a 429: then the second its `Retry-After` ends.
    pub retry_at: i64,
}

impl Failure {
    /// The failure as it happens now, by the browser's clock.
    pub fn now(error: ApiError) -> Self {
        Self::at(error, js_sys::Date::now())
    }

    /// The failure as it happened at `now_ms` (milliseconds since 1970).
    pub fn at(error: ApiError, now_ms: f64) -> Self {
        let retry_at = match &error {
            ApiError::RateLimited { retry_after_secs } => {
                // Rounded up: a retry even part of a second before Retry-After is over is
                // refused again. Seconds since 1970 fit an i64; truncating the rounded value
                // is exact.
                let now = (now_ms / 1000.0).ceil() as i64;
                now.saturating_add(i64::try_from(*retry_after_secs).unwrap_or(i64::MAX / 2))
            }
            _ => 0,
        };
        Self { error, retry_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limited_retry_waits_until_the_second_retry_after_is_over() {
        let limited = ApiError::RateLimited {
            retry_after_secs: 5,
        };
        assert_eq!(
            Failure::at(limited.clone(), 1_000_000.0).retry_at,
            1_005,
            "on a whole second, exactly Retry-After later"
        );
        assert_eq!(
            Failure::at(limited, 1_000_001.0).retry_at,
            1_006,
            "a millisecond into a second counts as the whole second"
        );
    }

    #[test]
    fn other_failures_can_be_retried_at_once() {
        assert_eq!(Failure::at(ApiError::Network, 1_000_500.0).retry_at, 0);
        assert_eq!(Failure::at(ApiError::Server(502), 1_000_500.0).retry_at, 0);
    }
}
