//! Key-value cache with expiry; also the lock that makes a scheduled job run once per cluster.
//!
//! Redis sits behind a circuit breaker: after a failure every call fails at once for
//! `BREAKER_OPEN` instead of paying the client's timeouts again, then one call tries again.
//! Callers treat a cache error as "no value" (pages, weather) or answer "try again in a
//! minute" (log-in), never as a 500.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis unavailable: failing fast for a few seconds after an error")]
    CircuitOpen,
}

/// How long the breaker stays open after a Redis failure.
pub const BREAKER_OPEN: Duration = Duration::from_secs(5);

/// Opens after a failure; lets one call through once `BREAKER_OPEN` has passed.
#[derive(Debug, Default)]
pub struct Breaker {
    open_until: Mutex<Option<Instant>>,
}

impl Breaker {
    fn check(&self) -> Result<(), CacheError> {
        let mut open = lock(&self.open_until);
        match *open {
            Some(until) if Instant::now() < until => Err(CacheError::CircuitOpen),
            Some(_) => {
                // Half open: this call tries; others fail fast until it answers.
                *open = Some(Instant::now() + BREAKER_OPEN);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record<T>(&self, result: redis::RedisResult<T>) -> Result<T, CacheError> {
        let mut open = lock(&self.open_until);
        match result {
            Ok(value) => {
                *open = None;
                Ok(value)
            }
            Err(e) => {
                if e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                {
                    if open.is_none() {
                        tracing::warn!(error = %e, "redis failed: failing fast for {}s", BREAKER_OPEN.as_secs());
                    }
                    *open = Some(Instant::now() + BREAKER_OPEN);
                }
                Err(e.into())
            }
        }
    }

    pub fn is_open(&self) -> bool {
        lock(&self.open_until).is_some_and(|until| Instant::now() < until)
    }
}

/// In-process map (the embedded default) or Redis (`REDIS_URL`). Every key gets the prefix so
/// that several apps or tests can share one Redis.
/// In-process entries: value and expiry.
type Entries = Arc<Mutex<HashMap<String, (String, Instant)>>>;

#[derive(Clone)]
pub enum Cache {
    InProcess(Entries),
    Redis(Remote),
}

/// A Redis connection, the prefix of this deployment's keys, and the breaker in front of it.
#[derive(Clone)]
pub struct Remote {
    conn: redis::aio::ConnectionManager,
    prefix: String,
    breaker: Arc<Breaker>,
}

impl Remote {
    /// This deployment's name for `key`.
    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs one command behind the breaker.
    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, CacheError> {
        self.breaker.check()?;
        let mut conn = self.conn.clone();
        self.breaker.record(cmd.query_async(&mut conn).await)
    }
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
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let conn = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        Ok(Cache::Redis(Remote {
            conn,
            prefix: prefix.to_owned(),
            breaker: Arc::default(),
        }))
    }

    /// Whether the Redis breaker is open (always `false` in process).
    pub fn is_failing_fast(&self) -> bool {
        match self {
            Cache::InProcess(_) => false,
            Cache::Redis(remote) => remote.breaker.is_open(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Cache::InProcess(_) => "in-process",
            Cache::Redis(_) => "redis",
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self {
            Cache::InProcess(map) => {
                let (mut map, now) = (lock(map), Instant::now());
                match map.get(key) {
                    Some((_, expiry)) if *expiry <= now => {
                        map.remove(key);
                        Ok(None)
                    }
                    Some((value, _)) => Ok(Some(value.clone())),
                    None => Ok(None),
                }
            }
            Cache::Redis(remote) => Ok(remote.run(redis::cmd("GET").arg(remote.key(key))).await?),
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
            Cache::Redis(remote) => {
                remote
                    .run::<()>(
                        redis::cmd("SET")
                            .arg(remote.key(key))
                            .arg(value)
                            .arg("PX")
                            .arg(ttl.as_millis().max(1) as u64),
                    )
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
                let (mut map, now) = (lock(map), Instant::now());
                let live = map.get(key).is_some_and(|(_, expiry)| *expiry > now);
                if live {
                    return Ok(false);
                }
                map.insert(key.to_owned(), (value.to_owned(), now + ttl));
                Ok(true)
            }
            Cache::Redis(remote) => {
                let reply: Option<String> = remote
                    .run(
                        redis::cmd("SET")
                            .arg(remote.key(key))
                            .arg(value)
                            .arg("NX")
                            .arg("PX")
                            .arg(ttl.as_millis().max(1) as u64),
                    )
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
                let (mut map, now) = (lock(map), Instant::now());
                let (count, expiry) = match map.get(key) {
                    Some((value, expiry)) if *expiry > now => {
                        (value.parse::<u64>().unwrap_or(0) + 1, *expiry)
                    }
                    _ => (1, now + ttl),
                };
                map.insert(key.to_owned(), (count.to_string(), expiry));
                Ok((count, expiry.saturating_duration_since(now)))
            }
            Cache::Redis(remote) => {
                let (count, pttl): (u64, i64) = remote
                    .run(
                        redis::cmd("EVAL")
                            .arg(INCR_WITH_TTL)
                            .arg(1)
                            .arg(remote.key(key))
                            .arg(ttl.as_millis().max(1) as u64),
                    )
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
            Cache::Redis(remote) => {
                remote
                    .run::<()>(redis::cmd("DEL").arg(remote.key(key)))
                    .await?;
                Ok(())
            }
        }
    }

    /// Deletes the key only if it still holds `expected` (atomic: a lock released by its
    /// owner, never one another replica took after it expired). `true` if deleted.
    pub async fn delete_if_equals(&self, key: &str, expected: &str) -> Result<bool, CacheError> {
        match self {
            Cache::InProcess(map) => {
                let (mut map, now) = (lock(map), Instant::now());
                let owned = map
                    .get(key)
                    .is_some_and(|(value, expiry)| *expiry > now && value == expected);
                if owned {
                    map.remove(key);
                }
                Ok(owned)
            }
            Cache::Redis(remote) => {
                let deleted: i64 = remote
                    .run(
                        redis::cmd("EVAL")
                            .arg(DELETE_IF_EQUALS)
                            .arg(1)
                            .arg(remote.key(key))
                            .arg(expected),
                    )
                    .await?;
                Ok(deleted == 1)
            }
        }
    }

    /// Gives the key a new `ttl` only if it still holds `expected` (a lease renewed by its
    /// owner). `true` if renewed.
    pub async fn extend_if_equals(
        &self,
        key: &str,
        expected: &str,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        match self {
            Cache::InProcess(map) => {
                let (mut map, now) = (lock(map), Instant::now());
                match map.get_mut(key) {
                    Some((value, expiry)) if *expiry > now && value == expected => {
                        *expiry = now + ttl;
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            }
            Cache::Redis(remote) => {
                let renewed: i64 = remote
                    .run(
                        redis::cmd("EVAL")
                            .arg(EXTEND_IF_EQUALS)
                            .arg(1)
                            .arg(remote.key(key))
                            .arg(expected)
                            .arg(ttl.as_millis().max(1) as u64),
                    )
                    .await?;
                Ok(renewed == 1)
            }
        }
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        match self {
            Cache::InProcess(_) => Ok(()),
            Cache::Redis(remote) => {
                remote.run::<String>(&redis::cmd("PING")).await?;
                Ok(())
            }
        }
    }
}

const DELETE_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

const EXTEND_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";

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
