//! Time as ZaloPay sees it: Unix milliseconds, and calendar dates in Vietnam time (UTC+7).
//!
//! Every id ZaloPay checks (`app_trans_id`, `m_refund_id`) must start with *today's* date in
//! GMT+7, and `app_time` must be within 15 minutes of ZaloPay's clock. A server running in UTC
//! gets the date wrong for seven hours a day unless it converts, so the conversion lives here
//! and the clock is injectable: tests cover the midnight boundary without waiting for it.
//!
//! The calendar is the proleptic Gregorian one, years -9999 ..= 9999 (in Vietnam time), computed
//! with Howard Hinnant's `days_from_civil` / `civil_from_days` in checked arithmetic: an
//! instant outside that range is [`OutOfRange`], never a panic or a wrapped value.

// Every operation on a timestamp or a date below is checked (`checked_*`) or divides by a
// positive constant; this keeps it so.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::sync::Arc;
#[cfg(any(test, feature = "test-util"))]
use std::sync::atomic::{AtomicI64, Ordering};
#[cfg(any(test, feature = "test-util"))]
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

/// A fixed offset from UTC, in whole seconds east of Greenwich.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    seconds: i32,
}

impl UtcOffset {
    /// Seconds east of UTC (`25_200` for Vietnam).
    pub const fn whole_seconds(self) -> i32 {
        self.seconds
    }
}

/// `+07:00`, as in ISO 8601 / RFC 3339.
impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let abs = self.seconds.unsigned_abs();
        let (hours, minutes) = (abs / 3600, abs % 3600 / 60);
        write!(f, "{sign}{hours:02}:{minutes:02}")
    }
}

/// Vietnam's fixed UTC offset (+07:00; Vietnam has no daylight saving time).
pub const VIETNAM_OFFSET: UtcOffset = UtcOffset { seconds: 25_200 }; // 7 hours

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

/// The first supported year.
const MIN_YEAR: i32 = -9999;
/// The last supported year.
const MAX_YEAR: i32 = 9999;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// Days from 0000-03-01 (the start of Hinnant's era 0) to 1970-01-01.
const EPOCH_SHIFT: i64 = 719_468;
/// Days in a 400-year era of the Gregorian calendar.
const ERA_DAYS: i64 = 146_097;

/// A calendar date (proleptic Gregorian), years -9999 ..= 9999.
///
/// Ordered chronologically. `Display` is ISO 8601, `2024-01-02` (`-0001-12-31` before year 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The earliest supported date, -9999-01-01.
    pub const MIN: Date = Date {
        year: MIN_YEAR,
        month: 1,
        day: 1,
    };
    /// The latest supported date, 9999-12-31.
    pub const MAX: Date = Date {
        year: MAX_YEAR,
        month: 12,
        day: 31,
    };

    /// The date `year`-`month`-`day`, or `None` if it does not exist (February 30th, month 13)
    /// or lies outside years -9999 ..= 9999.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The year (year 0 is 1 BC; negative years count back from there).
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 ..= 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 ..= 31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it): Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        // Every value below is bounded by the supported years (|result| < 4 * 10^6), so none
        // of the checked operations can fail; a failure would still surface as 0, not a panic.
        days_from_civil(self.year, self.month, self.day).unwrap_or(0)
    }

    /// The date `days` days after 1970-01-01 (before it when negative): Hinnant's
    /// `civil_from_days`. `None` outside [`Date::MIN`] ..= [`Date::MAX`].
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let min = days_from_civil(MIN_YEAR, 1, 1)?;
        let max = days_from_civil(MAX_YEAR, 12, 31)?;
        if days < min || days > max {
            return None;
        }
        civil_from_days(days)
    }

    /// `yyMMdd`: the last two digits of the year (0 ..= 99 also for negative years), the
    /// month and the day, as ZaloPay's ids start.
    pub fn yymmdd(self) -> String {
        format!(
            "{:02}{:02}{:02}",
            self.year.rem_euclid(100),
            self.month,
            self.day
        )
    }
}

/// `2024-01-02`; years before 0 carry a minus sign (`-0001-12-31`).
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.year < 0 { "-" } else { "" };
        let year = self.year.unsigned_abs();
        write!(f, "{sign}{year:04}-{:02}-{:02}", self.month, self.day)
    }
}

/// Whether `year` is a Gregorian leap year.
fn is_leap_year(year: i32) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// The number of days of `month` (1 ..= 12) in `year`; 0 for a month that does not exist.
fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to `year`-`month`-`day` (Hinnant's `days_from_civil`), for a valid
/// date; `None` only if an intermediate overflowed (impossible within the supported years).
fn days_from_civil(year: i32, month: u8, day: u8) -> Option<i64> {
    let (month, day) = (i64::from(month), i64::from(day));
    // The year counted from March, so that the leap day is the last day of the year.
    let year = i64::from(year).checked_sub(i64::from(month <= 2))?;
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // 0 ..= 399
    let shifted_month = if month > 2 {
        month.checked_sub(3)?
    } else {
        month.checked_add(9)?
    }; // 0 ..= 11, March first
    let day_of_year = shifted_month
        .checked_mul(153)?
        .checked_add(2)?
        .div_euclid(5)
        .checked_add(day)?
        .checked_sub(1)?; // 0 ..= 365
    let day_of_era = year_of_era
        .checked_mul(365)?
        .checked_add(year_of_era.div_euclid(4))?
        .checked_sub(year_of_era.div_euclid(100))?
        .checked_add(day_of_year)?; // 0 ..= 146_096
    era.checked_mul(ERA_DAYS)?
        .checked_add(day_of_era)?
        .checked_sub(EPOCH_SHIFT)
}

/// The date `days` after 1970-01-01 (Hinnant's `civil_from_days`); `None` if an intermediate
/// overflowed or the year does not fit the supported range (callers check the range first).
fn civil_from_days(days: i64) -> Option<Date> {
    let z = days.checked_add(EPOCH_SHIFT)?;
    let era = z.div_euclid(ERA_DAYS);
    let day_of_era = z.rem_euclid(ERA_DAYS); // 0 ..= 146_096
    let year_of_era = day_of_era
        .checked_sub(day_of_era.div_euclid(1460))?
        .checked_add(day_of_era.div_euclid(36_524))?
        .checked_sub(day_of_era.div_euclid(146_096))?
        .div_euclid(365); // 0 ..= 399
    let day_of_year = day_of_era.checked_sub(
        year_of_era
            .checked_mul(365)?
            .checked_add(year_of_era.div_euclid(4))?
            .checked_sub(year_of_era.div_euclid(100))?,
    )?; // 0 ..= 365, from March 1st
    let shifted_month = day_of_year.checked_mul(5)?.checked_add(2)?.div_euclid(153); // 0 ..= 11
    let day = day_of_year
        .checked_sub(
            shifted_month
                .checked_mul(153)?
                .checked_add(2)?
                .div_euclid(5),
        )?
        .checked_add(1)?; // 1 ..= 31
    let month = if shifted_month < 10 {
        shifted_month.checked_add(3)?
    } else {
        shifted_month.checked_sub(9)?
    }; // 1 ..= 12
    let year = era
        .checked_mul(400)?
        .checked_add(year_of_era)?
        .checked_add(i64::from(month <= 2))?;
    let date = Date {
        year: i32::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
    };
    (Date::MIN..=Date::MAX).contains(&date).then_some(date)
}

/// A wall-clock reading in Vietnam time (UTC+7), to the millisecond.
///
/// `Display` is RFC 3339: `2024-01-02T00:30:00.000+07:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VietnamDateTime {
    date: Date,
    millis_of_day: u32,
}

impl VietnamDateTime {
    /// The calendar date in Vietnam.
    pub const fn date(self) -> Date {
        self.date
    }

    /// The hour, 0 ..= 23.
    pub const fn hour(self) -> u8 {
        // At most 23: millis_of_day < 86_400_000.
        (self.millis_of_day / 3_600_000) as u8
    }

    /// The minute, 0 ..= 59.
    pub const fn minute(self) -> u8 {
        (self.millis_of_day % 3_600_000 / 60_000) as u8
    }

    /// The second, 0 ..= 59 (Unix time has no leap seconds).
    pub const fn second(self) -> u8 {
        (self.millis_of_day % 60_000 / 1000) as u8
    }

    /// The millisecond, 0 ..= 999.
    pub const fn millisecond(self) -> u16 {
        (self.millis_of_day % 1000) as u16
    }

    /// The offset of the reading: always [`VIETNAM_OFFSET`].
    pub const fn offset(self) -> UtcOffset {
        VIETNAM_OFFSET
    }
}

/// `2024-01-02T00:30:00.000+07:00`.
impl fmt::Display for VietnamDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}.{:03}{}",
            self.date,
            self.hour(),
            self.minute(),
            self.second(),
            self.millisecond(),
            self.offset()
        )
    }
}

/// The instant `ms` (Unix milliseconds) as a date-time in Vietnam time, or [`OutOfRange`]
/// when its Vietnam date is outside years -9999 ..= 9999.
pub fn vietnam_time(ms: i64) -> Result<VietnamDateTime, OutOfRange> {
    let local = i64::from(VIETNAM_OFFSET.whole_seconds())
        .checked_mul(1000)
        .and_then(|offset_ms| ms.checked_add(offset_ms))
        .ok_or(OutOfRange(ms))?;
    let date = Date::from_days_since_epoch(local.div_euclid(DAY_MS)).ok_or(OutOfRange(ms))?;
    let millis_of_day = u32::try_from(local.rem_euclid(DAY_MS)).map_err(|_| OutOfRange(ms))?;
    Ok(VietnamDateTime {
        date,
        millis_of_day,
    })
}

/// The calendar date in Vietnam at the instant `ms`.
pub fn vietnam_date(ms: i64) -> Result<Date, OutOfRange> {
    vietnam_time(ms).map(VietnamDateTime::date)
}

/// `yyMMdd` of the Vietnam date at the instant `ms`: the prefix ZaloPay requires on
/// `app_trans_id` and `m_refund_id` (e.g. 2024-01-01T17:30:00Z → `240102`).
pub fn vietnam_yymmdd(ms: i64) -> Result<String, OutOfRange> {
    vietnam_date(ms).map(Date::yymmdd)
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
