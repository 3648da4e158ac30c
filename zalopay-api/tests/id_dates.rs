//! The date at the head of generated ids (`yyMMdd`, Vietnam time UTC+7, computed privately by
//! the SDK with Hinnant's `civil_from_days`): fixed boundaries written out by hand, then
//! property tests against the `time` crate, which is only a dev-dependency here (the oracle).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use zalopay_api::clock::OutOfRange;
use zalopay_api::ids::{AppTransId, IdError, MRefundId};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// The date part of an `app_trans_id` generated at `ms`.
fn day(ms: i64) -> String {
    AppTransId::with_unique(ms, "1")
        .unwrap()
        .date_part()
        .to_owned()
}

#[test]
fn vietnam_midnight_is_17_utc() {
    // 1969-12-31T16:59:59.999Z is the last ms of 1969 in Vietnam, 17:00Z the first of 1970.
    assert_eq!(day(-7 * HOUR_MS - 1), "691231");
    assert_eq!(day(-7 * HOUR_MS), "700101");
    // 1970-01-01T00:00Z is already 07:00 in Vietnam.
    assert_eq!(day(0), "700101");
    // Every Vietnam midnight of 2024 is 17:00 UTC of the day before.
    let mut ms = 1_704_042_000_000; // 2024-01-01 00:00 in Vietnam
    for _ in 0..366 {
        assert_ne!(day(ms - 1), day(ms), "{ms}");
        assert_eq!(day(ms), day(ms + DAY_MS - 1), "{ms}");
        ms += DAY_MS;
    }
    assert_eq!(day(ms), "250101");
}

#[test]
fn leap_days_and_century_years() {
    assert_eq!(day(1_709_164_800_000), "240229");
    assert_eq!(day(951_757_200_000), "000229"); // 2000 is a leap year
    assert_eq!(day(4_107_517_200_000 - DAY_MS), "000228"); // 2100 is not
    assert_eq!(day(4_107_517_200_000), "000301");
}

#[test]
fn beyond_the_calendar_is_a_typed_error() {
    let ms = i64::MAX;
    assert_eq!(
        AppTransId::with_unique(ms, "1"),
        Err(IdError::Clock(OutOfRange(ms)))
    );
    assert_eq!(
        MRefundId::with_unique(ms, 2553, "1"),
        Err(IdError::Clock(OutOfRange(ms)))
    );
    assert_eq!(
        OutOfRange(ms).to_string(),
        format!("timestamp {ms} ms is outside the supported calendar range")
    );
}

/// `yyMMdd` of `ms` in UTC+7 by the `time` crate, where it has one (years -9999 ..= 9999).
fn oracle(ms: i64) -> Option<String> {
    let offset = time::UtcOffset::from_whole_seconds(7 * 3600).unwrap();
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()?
        .checked_to_offset(offset)?;
    Some(format!(
        "{:02}{:02}{:02}",
        at.year().rem_euclid(100),
        u8::from(at.month()),
        at.day()
    ))
}

/// -9999-01-01 and 9999-12-31 in UTC, well inside both calendars.
const ORACLE_MIN_MS: i64 = -377_705_116_800_000 + DAY_MS;
const ORACLE_MAX_MS: i64 = 253_402_300_799_999 - DAY_MS;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Any instant the oracle knows.
    #[test]
    fn ids_are_dated_like_time(ms in ORACLE_MIN_MS..=ORACLE_MAX_MS) {
        prop_assert_eq!(Some(day(ms)), oracle(ms));
    }

    /// Instants near now (the years ids are dated in), at millisecond resolution.
    #[test]
    fn recent_ids_are_dated_like_time(ms in 0_i64..=4_102_444_800_000) {
        prop_assert_eq!(Some(day(ms)), oracle(ms));
    }

    /// Within a second of a Vietnam midnight (17:00 UTC), where the date changes.
    #[test]
    fn around_vietnam_midnight(d in -800_000_i64..=800_000, delta in -1000_i64..=1000) {
        let ms = d * DAY_MS - 7 * HOUR_MS + delta;
        prop_assert_eq!(Some(day(ms)), oracle(ms));
    }

    /// Any i64, including the extremes: an id or the typed error, never a panic.
    #[test]
    fn any_i64_is_an_id_or_out_of_range(ms in any::<i64>()) {
        match AppTransId::with_unique(ms, "1") {
            Ok(id) => prop_assert_eq!(id.as_str().len(), 8),
            Err(error) => prop_assert_eq!(error, IdError::Clock(OutOfRange(ms))),
        }
    }
}
