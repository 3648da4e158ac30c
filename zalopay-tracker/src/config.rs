//! How a tracker instance runs.

use std::time::Duration;

use crate::budget::RateBudget;
use crate::schedule::Schedule;

/// A tracker instance's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrackerConfig {
    /// This instance's id (lease owner). Unique per running instance.
    pub instance_id: String,
    /// When to ask the gateway.
    pub schedule: Schedule,
    /// Queries in flight at once, per instance. Default 8.
    pub max_in_flight: usize,
    /// Rows leased per pass. Default 200.
    pub batch_size: i64,
    /// How long a lease holds. Work in flight renews it every third of this (on the
    /// injected clock) and is dropped unfinished once it is lost (D-110). Default 2 minutes.
    pub lease: Duration,
    /// Real time between checks of the leases of work in flight (renewed when a third of the
    /// lease has passed on the injected clock). Default 1 s.
    pub renew_check: Duration,
    /// Seed of the jitter sequence (reproducible runs).
    pub jitter_seed: u64,
    /// Wait before handing out an event again after the handler failed; doubled per
    /// attempt up to 32×. Default 5 s.
    pub event_retry: Duration,
    /// The app's rate budget, shared by every instance on the database (D-160). Default
    /// `None`: no limit of the tracker's own (ZaloPay documents none); a `-429` still pauses
    /// every instance for the gateway's `Retry-After`, else [`Schedule::initial_backoff`].
    pub rate_budget: Option<RateBudget>,
}

impl TrackerConfig {
    /// Defaults for an instance named `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> Self {
        Self {
            instance_id: instance_id.into(),
            schedule: Schedule::default(),
            max_in_flight: 8,
            batch_size: 200,
            lease: Duration::from_secs(120),
            renew_check: Duration::from_secs(1),
            jitter_seed: 0x5EED,
            event_retry: Duration::from_secs(5),
            rate_budget: None,
        }
    }

    /// Sets the schedule.
    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Sets the number of queries in flight at once (at least 1).
    pub fn with_max_in_flight(mut self, max_in_flight: usize) -> Self {
        self.max_in_flight = max_in_flight.max(1);
        self
    }

    /// Sets the rows leased per pass (at least 1).
    pub fn with_batch_size(mut self, batch_size: i64) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the jitter seed.
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = seed;
        self
    }

    /// Sets the lease duration.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets the real time between lease checks of work in flight (at least 1 ms).
    pub fn with_renew_check(mut self, every: Duration) -> Self {
        self.renew_check = every.max(Duration::from_millis(1));
        self
    }

    /// Sets the first wait before an event is handed out again after its handler failed.
    pub fn with_event_retry(mut self, wait: Duration) -> Self {
        self.event_retry = wait;
        self
    }

    /// Sets the app's rate budget, shared by every instance on the database (D-160).
    pub fn with_rate_budget(mut self, budget: RateBudget) -> Self {
        self.rate_budget = Some(budget);
        self
    }
}
