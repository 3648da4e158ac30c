//! Operator metrics through the [`metrics`](https://docs.rs/metrics) crate facade (D-170).
//!
//! Recorded only with the `metrics` feature, into whatever recorder the application installed
//! (Prometheus exporter, StatsD, ...); without a recorder nothing is recorded. The names are
//! the constants below; the README's "Metrics" section lists them with kinds, labels and units.
//!
//! Gauges are set from [`Tracker::backlog`](crate::Tracker::backlog), which
//! [`Tracker::run`](crate::Tracker::run) calls at most every [`BACKLOG_EVERY`]; counters are
//! counted where the thing happens.

use std::time::Duration;

use crate::store::Backlog;

/// Gauge: orders the tracker still follows (a next query scheduled). Unit: count.
pub const OPEN_ORDERS: &str = "zalopay_tracker_open_orders";
/// Gauge: orders whose query is due and not yet leased. Unit: count.
pub const DUE_ORDERS: &str = "zalopay_tracker_due_orders";
/// Gauge: refunds whose query is due and not yet leased. Unit: count.
pub const DUE_REFUNDS: &str = "zalopay_tracker_due_refunds";
/// Gauge: poll lag, how late the most overdue query is (now minus the earliest due time among
/// rows not yet leased; 0 when nothing is due). Unit: seconds.
pub const POLL_LAG_SECONDS: &str = "zalopay_tracker_poll_lag_seconds";
/// Gauge: events stored and not yet handled. Unit: count.
pub const PENDING_EVENTS: &str = "zalopay_tracker_pending_events";
/// Gauge: how long the oldest pending event has waited (0 when none). Unit: seconds.
pub const OLDEST_PENDING_EVENT_AGE_SECONDS: &str =
    "zalopay_tracker_oldest_pending_event_age_seconds";
/// Counter: requests the tracker sent, label `operation`. Unit: count.
pub const REQUESTS_TOTAL: &str = "zalopay_tracker_requests_total";
/// Counter: rate-limit answers (`-429` or HTTP 429), label `operation`. Unit: count.
pub const RATE_LIMITED_TOTAL: &str = "zalopay_tracker_rate_limited_total";
/// Counter: callbacks taken, label `outcome`. Unit: count.
pub const CALLBACKS_TOTAL: &str = "zalopay_tracker_callbacks_total";
/// Counter: records that reached a final state, labels `kind` and `state`. Unit: count.
pub const OUTCOMES_TOTAL: &str = "zalopay_tracker_outcomes_total";

/// How often [`Tracker::run`](crate::Tracker::run) refreshes the backlog gauges (real time):
/// each refresh counts the due index, so it is not done on every tick.
pub const BACKLOG_EVERY: Duration = Duration::from_secs(15);

/// Registers the descriptions and units of every metric with the installed recorder (the
/// tracker does it when it is built; call it again after installing a recorder later).
pub fn describe() {
    #[cfg(feature = "metrics")]
    {
        use ::metrics::{Unit, describe_counter, describe_gauge};
        describe_gauge!(OPEN_ORDERS, Unit::Count, "Orders the tracker still follows");
        describe_gauge!(
            DUE_ORDERS,
            Unit::Count,
            "Orders whose query is due, not leased"
        );
        describe_gauge!(
            DUE_REFUNDS,
            Unit::Count,
            "Refunds whose query is due, not leased"
        );
        describe_gauge!(
            POLL_LAG_SECONDS,
            Unit::Seconds,
            "How late the most overdue query is"
        );
        describe_gauge!(PENDING_EVENTS, Unit::Count, "Events not yet handled");
        describe_gauge!(
            OLDEST_PENDING_EVENT_AGE_SECONDS,
            Unit::Seconds,
            "How long the oldest pending event has waited"
        );
        describe_counter!(REQUESTS_TOTAL, Unit::Count, "Requests sent, by operation");
        describe_counter!(
            RATE_LIMITED_TOTAL,
            Unit::Count,
            "Rate-limit answers (-429 / HTTP 429), by operation"
        );
        describe_counter!(CALLBACKS_TOTAL, Unit::Count, "Callbacks taken, by outcome");
        describe_counter!(
            OUTCOMES_TOTAL,
            Unit::Count,
            "Records that reached a final state, by kind and state"
        );
    }
}

/// Sets the backlog gauges from a report read at `now` (Unix ms).
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn backlog(backlog: &Backlog, now: i64) {
    #[cfg(feature = "metrics")]
    {
        use ::metrics::gauge;
        let seconds_since =
            |at: Option<i64>| at.map_or(0.0, |at| now.saturating_sub(at).max(0) as f64 / 1000.0);
        gauge!(OPEN_ORDERS).set(backlog.open_orders as f64);
        gauge!(DUE_ORDERS).set(backlog.due_orders as f64);
        gauge!(DUE_REFUNDS).set(backlog.due_refunds as f64);
        gauge!(POLL_LAG_SECONDS).set(seconds_since(backlog.oldest_due_at));
        gauge!(PENDING_EVENTS).set(backlog.pending_events as f64);
        gauge!(OLDEST_PENDING_EVENT_AGE_SECONDS)
            .set(seconds_since(backlog.oldest_pending_event_at));
    }
}

/// Counts a request sent as `operation` and, if the answer was a rate limit, that too.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn sent<T>(operation: &'static str, result: &Result<T, zalopay_api::Error>) {
    #[cfg(feature = "metrics")]
    {
        ::metrics::counter!(REQUESTS_TOTAL, "operation" => operation).increment(1);
        if let Err(error) = result
            && crate::observe::is_rate_limited(error)
        {
            ::metrics::counter!(RATE_LIMITED_TOTAL, "operation" => operation).increment(1);
        }
    }
}

/// Counts a callback by what became of it: `recorded`, `duplicate`, `not_a_payment`,
/// `invalid` or `store_error`.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn callback(outcome: &'static str) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(CALLBACKS_TOTAL, "outcome" => outcome).increment(1);
}

/// The final state a transition reached, noted inside the store's transaction and counted
/// only once the transaction committed (a failed write counts nothing).
#[derive(Debug, Default)]
pub(crate) struct Reached(std::sync::OnceLock<&'static str>);

impl Reached {
    /// Notes `to` if the transition moves the record from `from` into another final state.
    pub(crate) fn note(&self, from: &'static str, to: &'static str, to_is_final: bool) {
        if to_is_final && from != to {
            // Set at most once: a transition runs once.
            let _ = self.0.set(to);
        }
    }

    /// Counts the noted state for `kind` (`order` or `refund`) after the write committed.
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn count(&self, kind: &'static str) {
        #[cfg(feature = "metrics")]
        if let Some(state) = self.0.get() {
            ::metrics::counter!(OUTCOMES_TOTAL, "kind" => kind, "state" => *state).increment(1);
        }
    }
}

/// When [`Tracker::run`](crate::Tracker::run) last refreshed the backlog gauges.
#[derive(Debug, Default)]
pub(crate) struct BacklogGauges {
    #[cfg(feature = "metrics")]
    last: Option<tokio::time::Instant>,
}

impl BacklogGauges {
    /// Whether the gauges are due for a refresh now (and notes the refresh).
    pub(crate) fn due(&mut self) -> bool {
        #[cfg(feature = "metrics")]
        {
            let now = tokio::time::Instant::now();
            if self
                .last
                .is_some_and(|at| now.duration_since(at) < BACKLOG_EVERY)
            {
                return false;
            }
            self.last = Some(now);
            true
        }
        #[cfg(not(feature = "metrics"))]
        false
    }
}
