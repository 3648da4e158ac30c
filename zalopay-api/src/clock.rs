//! Time as ZaloPay sees it: Unix milliseconds from an injectable [`Clock`].
//!
//! Every id ZaloPay checks (`app_trans_id`, `m_refund_id`) must start with *today's* date in
//! GMT+7, and `app_time` must be within 15 minutes of ZaloPay's clock. A server running in UTC
//! gets the date wrong for seven hours a day unless it converts; the ids module does (with the
//! one private helper below), on the clock it is given, so tests cover the midnight boundary
//! without waiting for it. The SDK, the emulator and the tracker all read this one trait.

// Every operation on a timestamp or a date below is checked (`checked_*`) or divides by a
// positive constant; this keeps it so.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;
#[cfg(any(test, feature = "test-util"))]
use std::sync::atomic::{AtomicI64, Ordering};
#[cfg(any(test, feature = "test-util"))]
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

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
        // Whole milliseconds toward zero either side of the epoch; saturating far beyond it.
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis())
                .map_or(i64::MIN, |ms| 0_i64.saturating_sub(ms)),
        }
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

/// A clock that only moves when told to (for tests). Clones share one time: give one clone to
/// the emulator, one to the client and one to the tracker, and moving any moves all.
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now_ms: Arc<AtomicI64>,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    /// A clock showing `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self {
            now_ms: Arc::new(AtomicI64::new(now_ms)),
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

/// A clock reading too far from the epoch to be turned into a date (within 7 hours of the
/// ends of `i64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {0} ms is outside the supported calendar range")]
pub struct OutOfRange(pub i64);

/// Vietnam's offset from UTC: +07:00 all year (no daylight saving time).
const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// `yyMMdd` of the Vietnam date at the instant `ms` (Unix milliseconds): the prefix ZaloPay
/// requires on `app_trans_id` and `m_refund_id` (2024-01-01T17:30:00Z → `240102`).
pub(crate) fn vietnam_yymmdd(ms: i64) -> Result<String, OutOfRange> {
    let local = ms.checked_add(VIETNAM_OFFSET_MS).ok_or(OutOfRange(ms))?;
    let (year, month, day) = civil_from_days(local.div_euclid(DAY_MS)).ok_or(OutOfRange(ms))?;
    Ok(format!("{:02}{month:02}{day:02}", year.rem_euclid(100)))
}

/// The proleptic Gregorian (year, month, day) `days` after 1970-01-01: Howard Hinnant's
/// `civil_from_days`. Every step is bounded for any day an `i64` of milliseconds reaches; the
/// checks only keep that visible to the lint.
fn civil_from_days(days: i64) -> Option<(i64, i64, i64)> {
    // 719_468 days from 0000-03-01 (the start of era 0) to 1970-01-01; eras of 146_097 days.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = day_of_era
        .checked_sub(day_of_era / 1460)?
        .checked_add(day_of_era / 36_524)?
        .checked_sub(day_of_era / 146_096)?
        / 365;
    let day_of_year = day_of_era.checked_sub(
        year_of_era
            .checked_mul(365)?
            .checked_add(year_of_era / 4)?
            .checked_sub(year_of_era / 100)?,
    )?; // from March 1st
    let shifted_month = day_of_year.checked_mul(5)?.checked_add(2)? / 153; // 0 = March
    let day = day_of_year
        .checked_sub(shifted_month.checked_mul(153)?.checked_add(2)? / 5)?
        .checked_add(1)?;
    let month = if shifted_month < 10 {
        shifted_month.checked_add(3)?
    } else {
        shifted_month.checked_sub(9)?
    };
    let year = era
        .checked_mul(400)?
        .checked_add(year_of_era)?
        .checked_add(i64::from(month <= 2))?;
    Some((year, month, day))
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
        // Leap days, century years, before the epoch.
        assert_eq!(vietnam_yymmdd(1_709_164_800_000).unwrap(), "240229");
        assert_eq!(vietnam_yymmdd(951_757_200_000).unwrap(), "000229");
        assert_eq!(vietnam_yymmdd(4_107_517_200_000).unwrap(), "000301"); // 2100-03-01
        assert_eq!(vietnam_yymmdd(-25_200_001).unwrap(), "691231");
        assert_eq!(vietnam_yymmdd(-25_200_000).unwrap(), "700101");
        // The ends of i64: a date where there is one, the typed error where +7 h overflows.
        assert_eq!(vietnam_yymmdd(i64::MIN).unwrap().len(), 6);
        assert!(vietnam_yymmdd(i64::MAX - VIETNAM_OFFSET_MS).is_ok());
        assert_eq!(
            vietnam_yymmdd(i64::MAX - VIETNAM_OFFSET_MS + 1),
            Err(OutOfRange(i64::MAX - VIETNAM_OFFSET_MS + 1))
        );
        assert_eq!(vietnam_yymmdd(i64::MAX), Err(OutOfRange(i64::MAX)));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1000);
        assert_eq!(clock.now_ms(), 1000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now_ms(), 3000);
        let shared = clock.clone();
        clock.set(5);
        assert_eq!(shared.now_ms(), 5, "clones share one time");
        shared.advance(Duration::from_millis(1));
        assert_eq!(Arc::new(clock).now_ms(), 6);
        assert_eq!(FixedClock(7).now_ms(), 7);
        assert!(SystemClock.now_ms() > 1_700_000_000_000);
    }
}
