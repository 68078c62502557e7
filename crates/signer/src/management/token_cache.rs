//! The Management API access token of one tenant: fetched with the client-credentials grant,
//! then reused until shortly before it expires.
//!
//! Single flight: the cache holds an async lock while it fetches, so when many requests find
//! the token missing or stale at once, one of them fetches and the others wait for it and
//! share its token (Auth0 rate-limits the token endpoint, and each token costs a quota).

use std::fmt;
use std::future::Future;

use tokio::sync::Mutex;

/// A token is refreshed this long before it expires (or at half its lifetime when that is
/// shorter), so a request never starts with a token about to lapse.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// A bearer token for the Management API. Its `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(..)")
    }
}

/// What the token endpoint answered.
#[derive(Debug, Clone)]
pub struct FetchedToken {
    pub token: AccessToken,
    /// `expires_in`, seconds.
    pub expires_in_secs: i64,
}

/// One tenant's cached token.
#[derive(Debug, Default)]
pub struct TokenCache {
    slot: Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    token: AccessToken,
    /// Unix seconds from which the token counts as stale.
    refresh_at: i64,
}

impl TokenCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached token while it is fresh at `now()`, otherwise the one `fetch` returns (then
    /// cached). `now` is read after waiting for the lock, so a caller that waited on another's
    /// fetch judges freshness at the time it got the lock.
    pub async fn get<F, Fut, E>(
        &self,
        now: &(dyn Fn() -> i64 + Send + Sync),
        fetch: F,
    ) -> Result<AccessToken, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken, E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref() {
            if now() < cached.refresh_at {
                return Ok(cached.token.clone());
            }
        }
        let fetched = fetch().await?;
        let lifetime = fetched.expires_in_secs.max(0);
        let margin = REFRESH_MARGIN_SECS.min(lifetime / 2);
        *slot = Some(Cached {
            token: fetched.token.clone(),
            refresh_at: now().saturating_add(lifetime - margin),
        });
        Ok(fetched.token)
    }

    /// Forgets `token` because the API refused it (revoked, or the signing key rotated),
    /// unless another request has already replaced it with a newer one.
    pub async fn invalidate(&self, token: &AccessToken) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|cached| &cached.token == token) {
            *slot = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    /// A fake clock the test moves by hand.
    #[derive(Clone, Default)]
    struct FakeClock(Arc<AtomicI64>);

    impl FakeClock {
        fn at(now: i64) -> Self {
            Self(Arc::new(AtomicI64::new(now)))
        }
        fn now(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
        fn advance(&self, secs: i64) {
            self.0.fetch_add(secs, Ordering::SeqCst);
        }
    }

    /// A token endpoint that counts its calls and numbers its tokens.
    #[derive(Clone, Default)]
    struct Endpoint {
        calls: Arc<AtomicUsize>,
    }

    impl Endpoint {
        async fn fetch(&self, expires_in_secs: i64) -> Result<FetchedToken, &'static str> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(FetchedToken {
                token: AccessToken::new(format!("token-{n}")),
                expires_in_secs,
            })
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn a_token_is_reused_until_a_minute_before_it_expires() {
        let clock = FakeClock::at(1_000);
        let endpoint = Endpoint::default();
        let cache = TokenCache::new();
        let now = || clock.now();
        let first = cache.get(&now, || endpoint.fetch(86_400)).await.unwrap();
        assert_eq!(first.expose(), "token-1");
        clock.advance(86_400 - 61);
        let again = cache.get(&now, || endpoint.fetch(86_400)).await.unwrap();
        assert_eq!(again.expose(), "token-1");
        assert_eq!(endpoint.calls(), 1);
        clock.advance(1);
        let renewed = cache.get(&now, || endpoint.fetch(86_400)).await.unwrap();
        assert_eq!(renewed.expose(), "token-2");
        assert_eq!(endpoint.calls(), 2);
    }

    #[tokio::test]
    async fn a_short_lived_token_is_refreshed_at_half_its_lifetime() {
        let clock = FakeClock::at(0);
        let endpoint = Endpoint::default();
        let cache = TokenCache::new();
        let now = || clock.now();
        cache.get(&now, || endpoint.fetch(30)).await.unwrap();
        clock.advance(14);
        cache.get(&now, || endpoint.fetch(30)).await.unwrap();
        assert_eq!(endpoint.calls(), 1);
        clock.advance(1);
        cache.get(&now, || endpoint.fetch(30)).await.unwrap();
        assert_eq!(endpoint.calls(), 2);
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_fetch() {
        let clock = FakeClock::at(0);
        let endpoint = Endpoint::default();
        let cache = Arc::new(TokenCache::new());
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (cache, endpoint, clock) = (cache.clone(), endpoint.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                let now = || clock.now();
                cache
                    .get(&now, || endpoint.fetch(3600))
                    .await
                    .unwrap()
                    .expose()
                    .to_owned()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), "token-1");
        }
        assert_eq!(endpoint.calls(), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_caches_nothing_and_the_next_caller_fetches_again() {
        let clock = FakeClock::at(0);
        let cache = TokenCache::new();
        let now = || clock.now();
        let failed: Result<AccessToken, &str> = cache.get(&now, || async { Err("503") }).await;
        assert_eq!(failed.unwrap_err(), "503");
        let endpoint = Endpoint::default();
        let token = cache.get(&now, || endpoint.fetch(3600)).await.unwrap();
        assert_eq!(token.expose(), "token-1");
    }

    #[tokio::test]
    async fn invalidating_the_cached_token_forces_a_new_fetch_but_a_stale_invalidation_does_not() {
        let clock = FakeClock::at(0);
        let endpoint = Endpoint::default();
        let cache = TokenCache::new();
        let now = || clock.now();
        let first = cache.get(&now, || endpoint.fetch(3600)).await.unwrap();
        cache.invalidate(&first).await;
        let second = cache.get(&now, || endpoint.fetch(3600)).await.unwrap();
        assert_eq!(second.expose(), "token-2");
        // A request still holding the first token reports it refused: the newer one stays.
        cache.invalidate(&first).await;
        let third = cache.get(&now, || endpoint.fetch(3600)).await.unwrap();
        assert_eq!(third.expose(), "token-2");
        assert_eq!(endpoint.calls(), 2);
    }

    #[test]
    fn debug_output_hides_the_token() {
        assert_eq!(
            format!("{:?}", AccessToken::new("eyJsecret")),
            "AccessToken(..)"
        );
    }
}
