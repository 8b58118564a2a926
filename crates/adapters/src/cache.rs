//! Key-value cache with expiry; also the lock that makes a scheduled job run once per cluster.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// In-process map (the embedded default) or Redis (`REDIS_URL`). Every key gets the prefix so
/// that several apps or tests can share one Redis.
/// In-process entries: value and expiry.
type Entries = Arc<Mutex<HashMap<String, (String, Instant)>>>;

#[derive(Clone)]
pub enum Cache {
    InProcess(Entries),
    Redis {
        conn: redis::aio::ConnectionManager,
        prefix: String,
    },
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

impl Cache {
    pub fn in_process() -> Self {
        Cache::InProcess(Arc::default())
    }

    pub async fn redis(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(3)))
            .set_number_of_retries(2);
        let conn = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        Ok(Cache::Redis {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Cache::InProcess(_) => "in-process",
            Cache::Redis { .. } => "redis",
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self {
            Cache::InProcess(map) => {
                let mut map = lock(map);
                let now = Instant::now();
                match map.get(key) {
                    Some((_, expiry)) if *expiry <= now => {
                        map.remove(key);
                        Ok(None)
                    }
                    Some((value, _)) => Ok(Some(value.clone())),
                    None => Ok(None),
                }
            }
            Cache::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                Ok(redis::cmd("GET")
                    .arg(format!("{prefix}{key}"))
                    .query_async(&mut conn)
                    .await?)
            }
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        match self {
            Cache::InProcess(map) => {
                let mut map = lock(map);
                if map.len() > 50_000 {
                    let now = Instant::now();
                    map.retain(|_, (_, expiry)| *expiry > now);
                }
                map.insert(key.to_owned(), (value.to_owned(), Instant::now() + ttl));
                Ok(())
            }
            Cache::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                redis::cmd("SET")
                    .arg(format!("{prefix}{key}"))
                    .arg(value)
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async::<()>(&mut conn)
                    .await?;
                Ok(())
            }
        }
    }

    /// Sets the key only if it is absent; `true` when this call set it. The basis of job locks.
    pub async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        match self {
            Cache::InProcess(map) => {
                let mut map = lock(map);
                let now = Instant::now();
                let live = map.get(key).is_some_and(|(_, expiry)| *expiry > now);
                if live {
                    return Ok(false);
                }
                map.insert(key.to_owned(), (value.to_owned(), now + ttl));
                Ok(true)
            }
            Cache::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let reply: Option<String> = redis::cmd("SET")
                    .arg(format!("{prefix}{key}"))
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut conn)
                    .await?;
                Ok(reply.is_some())
            }
        }
    }

    /// Adds one to the counter at `key` and returns the new count and the time left before it
    /// resets. The first increment starts a window of `ttl`; later ones keep its expiry. Atomic
    /// on both backends (a Lua script on Redis), the basis of rate limits.
    pub async fn incr_with_ttl(
        &self,
        key: &str,
        ttl: Duration,
    ) -> Result<(u64, Duration), CacheError> {
        match self {
            Cache::InProcess(map) => {
                let mut map = lock(map);
                let now = Instant::now();
                let (count, expiry) = match map.get(key) {
                    Some((value, expiry)) if *expiry > now => {
                        (value.parse::<u64>().unwrap_or(0) + 1, *expiry)
                    }
                    _ => (1, now + ttl),
                };
                map.insert(key.to_owned(), (count.to_string(), expiry));
                Ok((count, expiry.saturating_duration_since(now)))
            }
            Cache::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let (count, pttl): (u64, i64) = redis::cmd("EVAL")
                    .arg(INCR_WITH_TTL)
                    .arg(1)
                    .arg(format!("{prefix}{key}"))
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut conn)
                    .await?;
                let left = u64::try_from(pttl).map_or(ttl, Duration::from_millis);
                Ok((count, left))
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        match self {
            Cache::InProcess(map) => {
                lock(map).remove(key);
                Ok(())
            }
            Cache::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                redis::cmd("DEL")
                    .arg(format!("{prefix}{key}"))
                    .query_async::<()>(&mut conn)
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        match self {
            Cache::InProcess(_) => Ok(()),
            Cache::Redis { conn, .. } => {
                let mut conn = conn.clone();
                redis::cmd("PING").query_async::<String>(&mut conn).await?;
                Ok(())
            }
        }
    }
}

/// INCR, and start the window on the first increment; returns the count and the ms left.
const INCR_WITH_TTL: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
";

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding this lock cannot leave the map inconsistent: recover it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
