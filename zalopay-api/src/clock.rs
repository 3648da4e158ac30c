//! Time as ZaloPay sees it: Unix milliseconds, and calendar dates in Vietnam time (UTC+7).
//!
//! Every id ZaloPay checks (`app_trans_id`, `m_refund_id`) must start with *today's* date in
//! GMT+7, and `app_time` must be within 15 minutes of ZaloPay's clock. A server running in UTC
//! gets the date wrong for seven hours a day unless it converts, so the conversion lives here
//! and the clock is injectable: tests cover the midnight boundary without waiting for it.

use std::sync::Arc;
#[cfg(any(test, feature = "test-util"))]
use std::sync::atomic::{AtomicI64, Ordering};
#[cfg(any(test, feature = "test-util"))]
use std::time::Duration;

use time::{Date, OffsetDateTime, UtcOffset};

/// Vietnam's fixed UTC offset (+07:00; Vietnam has no daylight saving time).
pub const VIETNAM_OFFSET: UtcOffset = time::macros::offset!(+7);

/// A source of "now" in Unix milliseconds.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(now).unwrap_or(i64::MAX)
    }
}

/// A clock stopped at one instant (for tests and reproducible examples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// A clock that only moves when told to (for tests; shared safely between tasks).
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
#[derive(Debug, Default)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    /// A clock showing `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self {
            now_ms: AtomicI64::new(now_ms),
        }
    }

    /// Sets the time.
    pub fn set(&self, now_ms: i64) {
        self.now_ms.store(now_ms, Ordering::SeqCst);
    }

    /// Moves the time forward by `by` (saturating).
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .now_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(by))
            });
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::SeqCst)
    }
}

/// A timestamp outside the range the calendar code supports (years -9999 ..= 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {0} ms is outside the supported calendar range")]
pub struct OutOfRange(pub i64);

/// The instant `ms` (Unix milliseconds) as a date-time in Vietnam time.
pub fn vietnam_time(ms: i64) -> Result<OffsetDateTime, OutOfRange> {
    let nanos = i128::from(ms) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map(|t| t.to_offset(VIETNAM_OFFSET))
        .map_err(|_| OutOfRange(ms))
}

/// The calendar date in Vietnam at the instant `ms`.
pub fn vietnam_date(ms: i64) -> Result<Date, OutOfRange> {
    vietnam_time(ms).map(|t| t.date())
}

/// `yyMMdd` of the Vietnam date at the instant `ms`: the prefix ZaloPay requires on
/// `app_trans_id` and `m_refund_id` (e.g. 2024-01-01T17:30:00Z → `240102`).
pub fn vietnam_yymmdd(ms: i64) -> Result<String, OutOfRange> {
    let date = vietnam_date(ms)?;
    Ok(format!(
        "{:02}{:02}{:02}",
        date.year().rem_euclid(100),
        u8::from(date.month()),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_boundary() {
        // 2024-01-01T16:59:59.999Z is 23:59:59.999 in Vietnam; one ms later is the next day.
        assert_eq!(vietnam_yymmdd(1_704_128_399_999).unwrap(), "240101");
        assert_eq!(vietnam_yymmdd(1_704_128_400_000).unwrap(), "240102");
        // 2024-01-01T17:30:00Z
        assert_eq!(vietnam_yymmdd(1_704_130_200_000).unwrap(), "240102");
        // 2023-12-31T17:00:00Z is new year in Vietnam.
        assert_eq!(vietnam_yymmdd(1_704_042_000_000).unwrap(), "240101");
        assert_eq!(vietnam_yymmdd(1_704_041_999_999).unwrap(), "231231");
        assert!(vietnam_yymmdd(i64::MAX).is_err());
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1000);
        assert_eq!(clock.now_ms(), 1000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now_ms(), 3000);
        clock.set(5);
        assert_eq!(Arc::new(clock).now_ms(), 5);
        assert_eq!(FixedClock(7).now_ms(), 7);
        assert!(SystemClock.now_ms() > 1_700_000_000_000);
    }
}
