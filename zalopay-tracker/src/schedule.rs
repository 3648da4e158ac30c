//! When to ask the gateway: the documented schedule as configuration, and seeded jitter.
//!
//! ZaloPay's seed flow (api-facts §2, facts-update §A4): the callback comes only after the
//! money is collected and may be lost, so poll the order "every 1 minute till callback is
//! received or run out of order's time", plus one query after expiry; an order is queryable
//! for 48 hours. The older seed text asks for one query 15 minutes after creation; that rule
//! is [`Schedule::from_fifteen_minutes`].
//!
//! The order lifetime and the query window are the SDK's own constants
//! ([`zalopay_api::order::DEFAULT_LIFETIME`], [`zalopay_api::order::QUERY_WINDOW`]): one name
//! per fact.

use std::sync::Mutex;
use std::time::Duration;

use zalopay_api::order::QUERY_WINDOW;

/// The polling schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schedule {
    /// Delay from creation to the first query. Default 1 minute.
    pub first_query_after: Duration,
    /// Time between queries while the order is open. Default 1 minute.
    pub interval: Duration,
    /// Delay after expiry for the one final query. Default 1 minute.
    pub final_query_after_expiry: Duration,
    /// How long after `app_time` the gateway answers at all; never asked past it. Default 48 h.
    pub query_window: Duration,
    /// Upper bound of the random delay added to every query time, so that many orders
    /// created together are not queried in lock step. Default 5 s.
    pub jitter: Duration,
    /// Wait after the first failed attempt (no answer, `-429`, 5xx); doubled per further
    /// failure, capped at `max_backoff`. Default 10 s.
    pub initial_backoff: Duration,
    /// Cap of the backoff, and of the pause a `Retry-After` asks of the whole group (D-160).
    /// Default 5 minutes.
    pub max_backoff: Duration,
    /// Time between re-queries of a processing refund. Default 1 minute.
    pub refund_interval: Duration,
    /// How long a refund the gateway does not know is re-queried before it is given up as
    /// failed (nothing was refunded). Default 1 hour.
    pub refund_not_found_window: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            first_query_after: Duration::from_secs(60),
            interval: Duration::from_secs(60),
            final_query_after_expiry: Duration::from_secs(60),
            query_window: QUERY_WINDOW,
            jitter: Duration::from_secs(5),
            initial_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(5 * 60),
            refund_interval: Duration::from_secs(60),
            refund_not_found_window: Duration::from_secs(60 * 60),
        }
    }
}

impl Schedule {
    /// The older seed-text rule: the first query 15 minutes after creation (then every
    /// interval until expiry, and the final query).
    pub fn from_fifteen_minutes() -> Self {
        Self {
            first_query_after: Duration::from_secs(15 * 60),
            ..Self::default()
        }
    }

    /// Sets the time between queries.
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the jitter bound.
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// When the first query of an order created at `app_time` is due.
    pub fn first_query(&self, app_time: i64, jitter_ms: i64) -> i64 {
        app_time
            .saturating_add(ms(self.first_query_after))
            .saturating_add(jitter_ms)
    }

    /// The last instant the gateway still answers about an order created at `app_time`.
    pub fn window_end(&self, app_time: i64) -> i64 {
        app_time.saturating_add(ms(self.query_window))
    }

    /// When the one final query after expiry is due.
    pub fn final_query(&self, expire_at: i64) -> i64 {
        expire_at.saturating_add(ms(self.final_query_after_expiry))
    }

    /// The next query of an open order after an answer at `now`: every interval until the
    /// final query after expiry, then (if the gateway still says "processing") every interval
    /// until the window closes. `None`: no query is allowed any more.
    pub fn next_query(
        &self,
        app_time: i64,
        expire_at: i64,
        now: i64,
        jitter_ms: i64,
    ) -> Option<i64> {
        let final_at = self.final_query(expire_at);
        let mut next = now
            .saturating_add(ms(self.interval))
            .saturating_add(jitter_ms);
        if now < final_at && next > final_at {
            // Never skip the final query; jitter only delays it further past expiry.
            next = final_at.saturating_add(jitter_ms);
        }
        let end = self.window_end(app_time);
        if now >= end {
            None
        } else {
            Some(next.min(end))
        }
    }

    /// The retry time after `streak` failed attempts in a row (1 = the first failure).
    pub fn backoff(&self, now: i64, streak: i64, jitter_ms: i64) -> i64 {
        let exponent = u32::try_from(streak.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let wait = ms(self.initial_backoff)
            .saturating_mul(1_i64 << exponent)
            .min(ms(self.max_backoff));
        now.saturating_add(wait).saturating_add(jitter_ms)
    }
}

/// Milliseconds of a duration, saturating.
pub(crate) fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Reproducible jitter: a splitmix64 sequence from an injected seed.
#[derive(Debug)]
pub struct Jitter {
    state: Mutex<u64>,
}

impl Jitter {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: Mutex::new(seed),
        }
    }

    /// A value in `0..=bound` milliseconds (0 when `bound` is zero).
    pub fn up_to(&self, bound: Duration) -> i64 {
        let bound = ms(bound);
        if bound <= 0 {
            return 0;
        }
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let span = u64::try_from(bound).unwrap_or(u64::MAX).saturating_add(1);
        i64::try_from(z % span).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn polls_every_minute_then_once_after_expiry_then_stops_at_48_hours() {
        let schedule = Schedule::default();
        let app_time = 1_000_000;
        let expire_at = app_time + 15 * MIN;
        assert_eq!(schedule.first_query(app_time, 0), app_time + MIN);
        assert_eq!(
            schedule.next_query(app_time, expire_at, app_time + MIN, 0),
            Some(app_time + 2 * MIN)
        );
        // The query before expiry is followed by exactly the final query after it.
        assert_eq!(
            schedule.next_query(app_time, expire_at, app_time + 15 * MIN, 0),
            Some(expire_at + MIN)
        );
        assert_eq!(
            schedule.next_query(app_time, expire_at, app_time + 15 * MIN + 30_000, 0),
            Some(expire_at + MIN)
        );
        // Still processing after expiry: keep asking, but never past 48 h.
        let end = app_time + 48 * 60 * MIN;
        assert_eq!(
            schedule.next_query(app_time, expire_at, end - 10, 0),
            Some(end)
        );
        assert_eq!(schedule.next_query(app_time, expire_at, end, 0), None);
    }

    #[test]
    fn the_older_rule_starts_at_fifteen_minutes() {
        let schedule = Schedule::from_fifteen_minutes();
        assert_eq!(schedule.first_query(0, 0), 15 * MIN);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let schedule = Schedule::default();
        assert_eq!(schedule.backoff(0, 1, 0), 10_000);
        assert_eq!(schedule.backoff(0, 2, 0), 20_000);
        assert_eq!(schedule.backoff(0, 40, 0), 5 * MIN);
        assert_eq!(schedule.backoff(i64::MAX, 3, 7), i64::MAX);
    }

    #[test]
    fn jitter_is_reproducible_from_the_seed_and_bounded() {
        let a = Jitter::new(42);
        let b = Jitter::new(42);
        let first: Vec<i64> = (0..50).map(|_| a.up_to(Duration::from_secs(5))).collect();
        let second: Vec<i64> = (0..50).map(|_| b.up_to(Duration::from_secs(5))).collect();
        assert_eq!(first, second);
        assert!(first.iter().all(|j| (0..=5000).contains(j)));
        assert!(first.iter().any(|j| *j != first[0]));
        assert_eq!(Jitter::new(1).up_to(Duration::ZERO), 0);
    }
}
