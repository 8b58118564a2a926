//! When each background job last finished a run, for `/readyz` and the watchdog: a job that
//! has not finished a run for three of its intervals is stale, whatever the reason (a panic
//! loop, a run stuck on I/O, a scheduler that stopped calling it).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many intervals without a finished run make a job stale.
pub const STALE_AFTER_INTERVALS: u32 = 3;

#[derive(Debug, Clone)]
struct JobState {
    every: Duration,
    /// The last finished run (success or failure), or the registration.
    last_run: Instant,
    last_success: Option<Instant>,
}

/// Shared between the job supervisor (writes) and the readiness probe (reads).
#[derive(Debug, Default)]
pub struct JobHealth {
    jobs: Mutex<BTreeMap<&'static str, JobState>>,
}

/// A job that has not finished a run for too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleJob {
    pub name: &'static str,
    pub since: Duration,
    pub every: Duration,
}

impl JobHealth {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<&'static str, JobState>) -> T) -> T {
        // A panic while holding this lock cannot leave a map half-updated: recover it.
        let mut guard = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Starts watching a job that runs every `every`.
    pub fn register(&self, name: &'static str, every: Duration) {
        self.with(|jobs| {
            jobs.insert(
                name,
                JobState {
                    every,
                    last_run: Instant::now(),
                    last_success: None,
                },
            );
        });
    }

    /// A run finished; `ok` if it succeeded.
    pub fn finished(&self, name: &'static str, ok: bool) {
        let now = Instant::now();
        self.with(|jobs| {
            if let Some(job) = jobs.get_mut(name) {
                job.last_run = now;
                if ok {
                    job.last_success = Some(now);
                }
            }
        });
    }

    /// How long ago the job last succeeded (`None`: never, or unknown job).
    pub fn since_success(&self, name: &str) -> Option<Duration> {
        self.with(|jobs| {
            jobs.get(name)
                .and_then(|j| j.last_success)
                .map(|t| t.elapsed())
        })
    }

    /// Jobs without a finished run for `STALE_AFTER_INTERVALS` intervals.
    pub fn stale(&self) -> Vec<StaleJob> {
        self.with(|jobs| {
            jobs.iter()
                .filter_map(|(name, job)| {
                    let since = job.last_run.elapsed();
                    (since > job.every * STALE_AFTER_INTERVALS).then_some(StaleJob {
                        name,
                        since,
                        every: job.every,
                    })
                })
                .collect()
        })
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.with(|jobs| jobs.keys().copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_stale_after_three_intervals_without_a_finished_run() {
        let health = JobHealth::default();
        health.register("fast", Duration::from_millis(10));
        health.register("slow", Duration::from_secs(3600));
        assert!(health.stale().is_empty());
        std::thread::sleep(Duration::from_millis(40));
        let stale = health.stale();
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].name, "fast");
        health.finished("fast", false);
        assert!(
            health.stale().is_empty(),
            "a failed run still counts as a run"
        );
        assert_eq!(health.since_success("fast"), None);
        health.finished("fast", true);
        assert!(health.since_success("fast").is_some());
    }
}
