//! The civil-date code of `zalopay_api::clock` (Hinnant's `days_from_civil` /
//! `civil_from_days`, Vietnam time UTC+7): fixed boundaries written out by hand, then property
//! tests against the `time` crate, which is only a dev-dependency here (the oracle).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use zalopay_api::clock::{
    Date, OutOfRange, VIETNAM_OFFSET, vietnam_date, vietnam_time, vietnam_yymmdd,
};

/// -9999-01-01T00:00:00.000 in Vietnam (-10000-12-31T17:00:00Z): the first supported instant.
const MIN_MS: i64 = -377_705_142_000_000;
/// 9999-12-31T23:59:59.999 in Vietnam (9999-12-31T16:59:59.999Z): the last supported instant.
const MAX_MS: i64 = 253_402_275_599_999;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

fn ymd(ms: i64) -> (i32, u8, u8) {
    let date = vietnam_date(ms).unwrap();
    (date.year(), date.month(), date.day())
}

/// Unix ms of `year-month-day` at 00:00 in Vietnam.
fn vn_midnight(year: i32, month: u8, day: u8) -> i64 {
    Date::from_ymd(year, month, day).unwrap().days_since_epoch() * DAY_MS - 7 * HOUR_MS
}

#[test]
fn the_offset_is_plus_seven_hours() {
    assert_eq!(VIETNAM_OFFSET.whole_seconds(), 7 * 3600);
    assert_eq!(VIETNAM_OFFSET.to_string(), "+07:00");
    assert_eq!(vietnam_time(0).unwrap().offset(), VIETNAM_OFFSET);
}

#[test]
fn the_epoch_and_vietnam_midnight_at_17_utc() {
    // 1970-01-01T00:00Z is 07:00 in Vietnam.
    let t = vietnam_time(0).unwrap();
    assert_eq!(t.to_string(), "1970-01-01T07:00:00.000+07:00");
    assert_eq!(
        (t.hour(), t.minute(), t.second(), t.millisecond()),
        (7, 0, 0, 0)
    );
    // 1969-12-31T16:59:59.999Z is the last ms of 1969 in Vietnam, 17:00Z the first of 1970.
    assert_eq!(ymd(-7 * HOUR_MS - 1), (1969, 12, 31));
    assert_eq!(ymd(-7 * HOUR_MS), (1970, 1, 1));
    assert_eq!(
        vietnam_time(-7 * HOUR_MS - 1).unwrap().to_string(),
        "1969-12-31T23:59:59.999+07:00"
    );
    assert_eq!(
        vietnam_time(-1).unwrap().to_string(),
        "1970-01-01T06:59:59.999+07:00"
    );
    // Every Vietnam midnight of 2024 is 17:00 UTC of the day before.
    let mut ms = vn_midnight(2024, 1, 1);
    assert_eq!(ms, 1_704_042_000_000);
    for _ in 0..366 {
        let before = vietnam_time(ms - 1).unwrap();
        let at = vietnam_time(ms).unwrap();
        assert_eq!(
            (
                before.hour(),
                before.minute(),
                before.second(),
                before.millisecond()
            ),
            (23, 59, 59, 999)
        );
        assert_eq!(
            (at.hour(), at.minute(), at.second(), at.millisecond()),
            (0, 0, 0, 0)
        );
        assert_eq!(
            at.date().days_since_epoch(),
            before.date().days_since_epoch() + 1
        );
        assert_eq!(ms.rem_euclid(DAY_MS), 17 * HOUR_MS);
        ms += DAY_MS;
    }
    assert_eq!(ymd(ms), (2025, 1, 1));
}

#[test]
fn leap_days_and_year_ends() {
    // 2024-02-29 exists, 2023-02-29 does not; 2000 is a leap year, 1900 and 2100 are not.
    assert_eq!(ymd(vn_midnight(2024, 2, 28) + DAY_MS), (2024, 2, 29));
    assert_eq!(ymd(vn_midnight(2024, 2, 29) + DAY_MS), (2024, 3, 1));
    assert_eq!(ymd(vn_midnight(2023, 2, 28) + DAY_MS), (2023, 3, 1));
    assert_eq!(ymd(vn_midnight(2000, 2, 28) + DAY_MS), (2000, 2, 29));
    assert_eq!(ymd(vn_midnight(2100, 2, 28) + DAY_MS), (2100, 3, 1));
    assert_eq!(ymd(vn_midnight(1900, 2, 28) + DAY_MS), (1900, 3, 1));
    assert_eq!(ymd(vn_midnight(2400, 2, 28) + DAY_MS), (2400, 2, 29));
    assert!(Date::from_ymd(2000, 2, 29).is_some());
    assert!(Date::from_ymd(2100, 2, 29).is_none());
    assert!(Date::from_ymd(1900, 2, 29).is_none());
    assert!(Date::from_ymd(2023, 2, 29).is_none());
    assert!(Date::from_ymd(0, 2, 29).is_some()); // year 0 (1 BC) is a leap year
    assert!(Date::from_ymd(-4, 2, 29).is_some());
    assert!(Date::from_ymd(-100, 2, 29).is_none());
    // Known day numbers (days since 1970-01-01).
    assert_eq!(
        Date::from_ymd(2000, 2, 29).unwrap().days_since_epoch(),
        11_016
    );
    assert_eq!(
        Date::from_ymd(2100, 3, 1).unwrap().days_since_epoch(),
        47_541
    );
    assert_eq!(
        Date::from_ymd(1, 1, 1).unwrap().days_since_epoch(),
        -719_162
    );
    assert_eq!(
        Date::from_ymd(0, 1, 1).unwrap().days_since_epoch(),
        -719_528
    );
    assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days_since_epoch(), 0);
    // Year ends, in Vietnam time and the UTC instants either side.
    for year in [1999, 2000, 2023, 2024, 2099, 2100] {
        let new_year = vn_midnight(year + 1, 1, 1);
        assert_eq!(ymd(new_year - 1), (year, 12, 31));
        assert_eq!(ymd(new_year), (year + 1, 1, 1));
    }
    assert_eq!(
        vietnam_yymmdd(vn_midnight(2100, 1, 1) - 1).unwrap(),
        "991231"
    );
    assert_eq!(vietnam_yymmdd(vn_midnight(2100, 1, 1)).unwrap(), "000101");
    assert_eq!(vietnam_yymmdd(vn_midnight(2000, 2, 29)).unwrap(), "000229");
    assert_eq!(
        Date::from_ymd(2024, 1, 2).unwrap().to_string(),
        "2024-01-02"
    );
}

#[test]
fn invalid_dates_are_refused() {
    for (y, m, d) in [
        (2024, 0, 1),
        (2024, 13, 1),
        (2024, 1, 0),
        (2024, 1, 32),
        (2024, 4, 31),
        (2024, 6, 31),
        (2024, 9, 31),
        (2024, 11, 31),
        (10_000, 1, 1),
        (-10_000, 12, 31),
        (i32::MAX, 1, 1),
        (i32::MIN, 1, 1),
        (2024, 255, 255),
    ] {
        assert_eq!(Date::from_ymd(y, m, d), None, "{y}-{m}-{d}");
    }
    assert_eq!(Date::from_ymd(2024, 12, 31).unwrap().day(), 31);
}

#[test]
fn the_range_ends_are_exact_and_beyond_them_is_an_error() {
    assert_eq!(Date::MIN.to_string(), "-9999-01-01");
    assert_eq!(Date::MAX.to_string(), "9999-12-31");
    assert_eq!(
        vietnam_time(MIN_MS).unwrap().to_string(),
        "-9999-01-01T00:00:00.000+07:00"
    );
    assert_eq!(
        vietnam_time(MAX_MS).unwrap().to_string(),
        "9999-12-31T23:59:59.999+07:00"
    );
    assert_eq!(vietnam_date(MIN_MS).unwrap(), Date::MIN);
    assert_eq!(vietnam_date(MAX_MS).unwrap(), Date::MAX);
    assert_eq!(vietnam_time(MIN_MS - 1), Err(OutOfRange(MIN_MS - 1)));
    assert_eq!(vietnam_time(MAX_MS + 1), Err(OutOfRange(MAX_MS + 1)));
    assert_eq!(vietnam_yymmdd(MIN_MS).unwrap(), "010101"); // -9999 rem_euclid 100 = 1
    assert_eq!(vietnam_yymmdd(MAX_MS).unwrap(), "991231");
    let min_days = Date::MIN.days_since_epoch();
    let max_days = Date::MAX.days_since_epoch();
    assert_eq!((min_days, max_days), (-4_371_587, 2_932_896));
    assert_eq!(Date::from_days_since_epoch(min_days), Some(Date::MIN));
    assert_eq!(Date::from_days_since_epoch(max_days), Some(Date::MAX));
    assert_eq!(Date::from_days_since_epoch(min_days - 1), None);
    assert_eq!(Date::from_days_since_epoch(max_days + 1), None);
    // Extreme inputs: a typed error, never a panic or an overflow.
    for ms in [
        i64::MIN,
        i64::MIN + 1,
        -1_000_000_000_000_000,
        1_000_000_000_000_000,
        i64::MAX - 25_200_000,
        i64::MAX - 25_199_999,
        i64::MAX,
    ] {
        assert_eq!(vietnam_time(ms), Err(OutOfRange(ms)));
        assert_eq!(vietnam_date(ms), Err(OutOfRange(ms)));
        assert_eq!(vietnam_yymmdd(ms), Err(OutOfRange(ms)));
    }
    for days in [
        i64::MIN,
        i64::MIN + 1,
        -1_000_000_000,
        1_000_000_000,
        i64::MAX - 719_468,
        i64::MAX - 719_467,
        i64::MAX,
    ] {
        assert_eq!(Date::from_days_since_epoch(days), None);
    }
    assert_eq!(
        OutOfRange(i64::MAX).to_string(),
        format!(
            "timestamp {} ms is outside the supported calendar range",
            i64::MAX
        )
    );
}

#[test]
fn negative_years_and_dates_before_the_epoch() {
    assert_eq!(ymd(vn_midnight(1, 1, 1) - 1), (0, 12, 31));
    assert_eq!(ymd(vn_midnight(0, 1, 1) - 1), (-1, 12, 31));
    assert_eq!(
        Date::from_ymd(-1, 12, 31).unwrap().to_string(),
        "-0001-12-31"
    );
    assert_eq!(Date::from_ymd(-1, 12, 31).unwrap().yymmdd(), "991231");
    assert_eq!(Date::from_ymd(0, 3, 1).unwrap().to_string(), "0000-03-01");
    assert!(Date::from_ymd(-1, 12, 31) < Date::from_ymd(0, 1, 1));
    assert!(vietnam_time(-1).unwrap() < vietnam_time(0).unwrap());
}

fn oracle_date(date: time::Date) -> (i32, u8, u8) {
    (date.year(), u8::from(date.month()), date.day())
}

/// The `time` crate's reading of `ms` in UTC+7, where it has one (its own range is years
/// -9999 ..= 9999 in UTC *and* in the offset).
fn oracle(ms: i64) -> Option<time::OffsetDateTime> {
    let offset = time::UtcOffset::from_whole_seconds(VIETNAM_OFFSET.whole_seconds()).unwrap();
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()?
        .checked_to_offset(offset)
}

fn same_as_oracle(ms: i64) -> Result<(), TestCaseError> {
    let ours = vietnam_time(ms);
    match oracle(ms) {
        Some(theirs) => {
            let ours = ours.map_err(|e| TestCaseError::fail(format!("{ms}: {e}")))?;
            prop_assert_eq!(
                (
                    ymd(ms),
                    ours.hour(),
                    ours.minute(),
                    ours.second(),
                    ours.millisecond()
                ),
                (
                    oracle_date(theirs.date()),
                    theirs.hour(),
                    theirs.minute(),
                    theirs.second(),
                    theirs.millisecond()
                ),
                "at {} ms",
                ms
            );
            prop_assert_eq!(
                vietnam_yymmdd(ms).unwrap(),
                format!(
                    "{:02}{:02}{:02}",
                    theirs.year().rem_euclid(100),
                    u8::from(theirs.month()),
                    theirs.day()
                )
            );
        }
        // `time` refuses only instants whose UTC or UTC+7 date-time leaves its range, which
        // is within 7 hours of ours.
        None => prop_assert!(
            !(MIN_MS + 7 * HOUR_MS..=MAX_MS - 7 * HOUR_MS).contains(&ms),
            "time refused {}",
            ms
        ),
    }
    prop_assert_eq!(ours.is_ok(), (MIN_MS..=MAX_MS).contains(&ms));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Any instant of the whole supported range, and beyond it on both sides.
    #[test]
    fn instants_agree_with_time(ms in (MIN_MS - 10 * DAY_MS)..=(MAX_MS + 10 * DAY_MS)) {
        same_as_oracle(ms)?;
    }

    /// Instants near now (the years ids are dated in), at millisecond resolution.
    #[test]
    fn recent_instants_agree_with_time(ms in 0_i64..=4_102_444_800_000) {
        same_as_oracle(ms)?;
    }

    /// Within a second of a Vietnam midnight (17:00 UTC), where the date changes.
    #[test]
    fn around_vietnam_midnight(day in -800_000_i64..=800_000, delta in -1000_i64..=1000) {
        same_as_oracle(day * DAY_MS - 7 * HOUR_MS + delta)?;
    }

    /// Any i64, including the extremes: an answer or the typed error, never a panic.
    #[test]
    fn any_i64_is_an_answer_or_out_of_range(ms in any::<i64>()) {
        match vietnam_time(ms) {
            Ok(t) => prop_assert!((MIN_MS..=MAX_MS).contains(&ms) && t.date() >= Date::MIN),
            Err(e) => prop_assert_eq!(e, OutOfRange(ms)),
        }
    }

    /// days_from_civil and civil_from_days are inverse over the range, and agree with `time`.
    #[test]
    fn day_numbers_round_trip(days in -4_371_587_i64..=2_932_896) {
        let date = Date::from_days_since_epoch(days).unwrap();
        prop_assert_eq!(date.days_since_epoch(), days);
        prop_assert_eq!(Date::from_ymd(date.year(), date.month(), date.day()), Some(date));
        let theirs = time::Date::from_julian_day(i32::try_from(days + 2_440_588).unwrap()).unwrap();
        prop_assert_eq!((date.year(), date.month(), date.day()), oracle_date(theirs));
        let next = Date::from_days_since_epoch(days + 1);
        if let Some(next) = next {
            prop_assert!(next > date);
        }
    }

    /// Any (year, month, day): a date exactly when `time` has one, with its day number.
    #[test]
    fn from_ymd_agrees_with_time(year in -10_100_i32..=10_100, month in 0_u8..=13, day in 0_u8..=32) {
        let ours = Date::from_ymd(year, month, day);
        let theirs = time::Month::try_from(month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(year, m, day).ok());
        prop_assert_eq!(ours.map(|d| (d.year(), d.month(), d.day())), theirs.map(oracle_date));
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            prop_assert_eq!(ours.days_since_epoch(), i64::from(theirs.to_julian_day()) - 2_440_588);
        }
    }
}
