//! The shared store for several signer instances: `SET key 1 NX EXAT exp` in Redis.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{BoxFuture, Consumption, ReplayKey, ReplayStore, StoreError};

/// Prefix of every key, so the signer's keys are recognisable in a shared Redis.
const KEY_PREFIX: &str = "stopover:used:";
/// How long one command (or one connection attempt) may take before the request fails
/// closed with 503.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The Redis key that marks `key` used.
fn key_name(key: &ReplayKey) -> String {
    let mut name = String::with_capacity(KEY_PREFIX.len() + 64);
    name.push_str(KEY_PREFIX);
    key.write_hex(&mut name);
    name
}

/// One connection manager (multiplexed, reconnecting) to one Redis.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisStore")
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://` or `rediss://`); fails when Redis does not answer.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = tokio::time::timeout(
            TIMEOUT * 2,
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| StoreError::Timeout)?
        .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
        Ok(Self { connection })
    }
}

impl ReplayStore for RedisStore {
    fn consume(
        &self,
        key: ReplayKey,
        expires_at: i64,
        _now: i64,
    ) -> BoxFuture<'_, Result<Consumption, StoreError>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let expires_at = u64::try_from(expires_at)
                .map_err(|_| StoreError::Unreachable("negative expiry".to_owned()))?;
            let command = redis::cmd("SET")
                .arg(key_name(&key))
                .arg(1)
                .arg("NX")
                .arg("EXAT")
                .arg(expires_at)
                .clone();
            let reply: Option<String> =
                tokio::time::timeout(TIMEOUT, command.query_async(&mut connection))
                    .await
                    .map_err(|_| StoreError::Timeout)?
                    .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
            // `SET ... NX` answers OK when it set the key, nil when the key existed.
            Ok(if reply.is_some() {
                Consumption::First
            } else {
                Consumption::AlreadyUsed
            })
        })
    }

    fn release(&self, key: ReplayKey) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let command = redis::cmd("DEL").arg(key_name(&key)).clone();
            let _: i64 = tokio::time::timeout(TIMEOUT, command.query_async(&mut connection))
                .await
                .map_err(|_| StoreError::Timeout)?
                .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
            Ok(())
        })
    }

    fn is_used(&self, key: ReplayKey, _now: i64) -> BoxFuture<'_, Result<bool, StoreError>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            // Redis drops the key at the token's `exp` (`EXAT`), so a key that exists is used.
            let command = redis::cmd("EXISTS").arg(key_name(&key)).clone();
            let count: i64 = tokio::time::timeout(TIMEOUT, command.query_async(&mut connection))
                .await
                .map_err(|_| StoreError::Timeout)?
                .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
            Ok(count > 0)
        })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let _: String =
                tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async(&mut connection))
                    .await
                    .map_err(|_| StoreError::Timeout)?
                    .map_err(|error| StoreError::Unreachable(format!("{:?}", error.kind())))?;
            Ok(())
        })
    }
}
