//! Dates and times in Vietnam (UTC+7) on the emulator's clock, read with the `time` crate:
//! independently of the SDK's own (private) date code, as the MAC field lists are, so a date
//! bug on either side shows up as a refusal in tests.

use time::{OffsetDateTime, UtcOffset};

/// The instant `ms` in Vietnam time; `None` outside the years `time` covers (±9999).
fn vietnam(ms: i64) -> Option<OffsetDateTime> {
    let offset = UtcOffset::from_hms(7, 0, 0).ok()?;
    let nanos = i128::from(ms).checked_mul(1_000_000)?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()?
        .checked_to_offset(offset)
}

/// `yyMMdd` of `ms` in Vietnam time, as ids start. Beyond the calendar the text matches no
/// id, so such a clock refuses ids rather than inventing a date.
pub(crate) fn yymmdd(ms: i64) -> String {
    match vietnam(ms) {
        Some(at) => format!(
            "{:02}{:02}{:02}",
            at.year().rem_euclid(100),
            u8::from(at.month()),
            at.day()
        ),
        None => format!("<{ms} ms>"),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of `ms` in Vietnam time, for pages.
pub(crate) fn display(ms: i64) -> String {
    match vietnam(ms) {
        Some(at) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        ),
        None => format!("{ms} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_dates() {
        // 2020-09-04 03:16:32 UTC = 10:16 in Vietnam.
        assert_eq!(yymmdd(1_599_189_392_817), "200904");
        // 2024-01-01 00:00 UTC = 07:00 in Vietnam, same day.
        assert_eq!(yymmdd(1_704_067_200_000), "240101");
        // 2023-12-31 17:00 UTC = 2024-01-01 00:00 in Vietnam.
        assert_eq!(yymmdd(1_704_042_000_000), "240101");
        assert_eq!(yymmdd(1_704_041_999_999), "231231");
        // Leap day.
        assert_eq!(yymmdd(1_709_164_800_000), "240229");
        assert_eq!(display(1_726_200_000_000), "2024-09-13 11:00:00");
        assert_eq!(display(1_704_041_999_999), "2023-12-31 23:59:59");
        // Beyond the calendar: no date, no panic.
        assert_eq!(yymmdd(i64::MAX), format!("<{} ms>", i64::MAX));
        assert_eq!(display(i64::MIN), format!("{} ms", i64::MIN));
    }
}
