//! A supervised loop per recurring job, instead of a cron scheduler: tokio-cron-scheduler 0.15
//! never runs a repeated job again once a run starts more than one interval late (its issue
//! #113), so a burst of load could silently stop the outbox. Here each job is one task that
//! runs, then sleeps its interval, forever: a late or slow run only delays the next one. Each
//! run is its own task, so a panic is logged and the loop goes on. Every finished run is
//! recorded in `JobHealth`; a watchdog logs an error for any job without a finished run for
//! three intervals, and `/readyz` fails meanwhile.

use jsap_adapters::JobHealth;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// The running jobs. Dropping it does not stop them: call `shutdown`.
pub struct Supervisor {
    health: Arc<JobHealth>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Supervisor {
    pub fn new(health: Arc<JobHealth>) -> Self {
        let (stop, _) = watch::channel(false);
        Self {
            health,
            stop,
            tasks: Vec::new(),
        }
    }

    pub fn health(&self) -> &Arc<JobHealth> {
        &self.health
    }

    /// Runs `job` after `first_delay`, then again `every` after each run ends.
    pub fn every<F>(&mut self, name: &'static str, every: Duration, first_delay: Duration, job: F)
    where
        F: Fn() -> JobFuture + Send + Sync + 'static,
    {
        self.health.register(name, every);
        let health = self.health.clone();
        let mut stop = self.stop.subscribe();
        self.tasks.push(tokio::spawn(async move {
            let mut wait = first_delay;
            loop {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return,
                }
                let ok = match tokio::spawn(job()).await {
                    Ok(Ok(())) => true,
                    Ok(Err(error)) => {
                        tracing::error!(job = name, error = %format!("{error:#}"), "job run failed");
                        false
                    }
                    Err(panic) => {
                        tracing::error!(job = name, error = %panic, "job run panicked");
                        false
                    }
                };
                health.finished(name, ok);
                wait = every;
            }
        }));
    }

    /// Logs an error for every stale job, every `check` (once per stale spell and job).
    pub fn watchdog(&mut self, check: Duration) {
        let health = self.health.clone();
        let mut stop = self.stop.subscribe();
        self.tasks.push(tokio::spawn(async move {
            let mut reported: Vec<&'static str> = Vec::new();
            loop {
                tokio::select! {
                    () = tokio::time::sleep(check) => {}
                    _ = stop.changed() => return,
                }
                let stale = health.stale();
                for job in &stale {
                    if !reported.contains(&job.name) {
                        tracing::error!(
                            job = job.name,
                            since_secs = job.since.as_secs(),
                            every_secs = job.every.as_secs(),
                            "job has not finished a run for three intervals"
                        );
                    }
                }
                reported = stale.iter().map(|j| j.name).collect();
            }
        }));
    }

    /// Stops every loop: a run under way is let finish for at most `grace`.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if tokio::time::timeout(grace, task).await.is_err() {
                tracing::warn!("a job run did not finish before shutdown");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Waits until `runs` reaches `n` (10 s at most: a loaded machine is slow, never wrong).
    async fn until(runs: &AtomicUsize, n: usize) -> usize {
        for _ in 0..1000 {
            if runs.load(Ordering::SeqCst) >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        runs.load(Ordering::SeqCst)
    }

    /// The flaw of tokio-cron-scheduler 0.15: a run that lasts past its interval made the
    /// job die. Here the first run takes five intervals, then runs go on.
    #[tokio::test]
    async fn a_run_late_past_its_interval_does_not_kill_the_job() {
        let health = Arc::new(JobHealth::default());
        let mut jobs = Supervisor::new(health.clone());
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        jobs.every(
            "slow_then_fast",
            Duration::from_millis(20),
            Duration::ZERO,
            move || {
                let counter = counter.clone();
                Box::pin(async move {
                    if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Ok(())
                })
            },
        );
        let seen = until(&runs, 4).await;
        assert!(seen >= 4, "runs after the late one: {seen}");
        assert!(health.since_success("slow_then_fast").is_some());
        jobs.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn a_panicking_or_failing_run_is_logged_and_the_job_goes_on() {
        let health = Arc::new(JobHealth::default());
        let mut jobs = Supervisor::new(health.clone());
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        jobs.every(
            "flaky",
            Duration::from_millis(10),
            Duration::ZERO,
            move || {
                let counter = counter.clone();
                Box::pin(async move {
                    match counter.fetch_add(1, Ordering::SeqCst) {
                        0 => panic!("first run panics"),
                        1 => anyhow::bail!("second run fails"),
                        _ => Ok(()),
                    }
                })
            },
        );
        assert!(
            until(&runs, 4).await >= 4,
            "the third run (a success) finished"
        );
        assert!(health.since_success("flaky").is_some());
        assert!(health.stale().is_empty());
        jobs.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn a_stuck_run_makes_the_job_stale() {
        let health = Arc::new(JobHealth::default());
        let mut jobs = Supervisor::new(health.clone());
        jobs.every("stuck", Duration::from_millis(10), Duration::ZERO, || {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(())
            })
        });
        tokio::time::sleep(Duration::from_millis(80)).await;
        let stale = health.stale();
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].name, "stuck");
        jobs.shutdown(Duration::from_millis(10)).await;
    }
}
