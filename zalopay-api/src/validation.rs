//! Checking a request before it is signed or sent.
//!
//! Fields carry their documented constraints as `#[check(...)]` (see the `zalopay-derive`
//! crate docs); the derive turns them into [`SignedRequest::validate`], which
//! [`Client::send`](crate::Client::send) and [`Client::prepare`](crate::Client::prepare) call
//! with the client's clock before any network I/O. A failure is
//! [`Error::InvalidField`] naming the wire field.
//!
//! [`SignedRequest::validate`]: crate::SignedRequest::validate

use crate::clock::Clock;
use crate::error::Error;

/// How far `app_time`, `req_date`, `timestamp` and `time` may be from now: ZaloPay accepts
/// ±15 minutes (api-facts §1.4).
pub const RECENT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// What validation needs to know about the moment of sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationContext {
    /// "Now" in Unix milliseconds, from the client's clock.
    pub now_ms: i64,
    /// Whether the request is a re-send of one sent before (its answer lost): its merchant
    /// ids are not new, so "dated today" does not apply to them, only their shape (and the
    /// app id inside an `m_refund_id`). See [`CallOptions::resend`](crate::CallOptions::resend).
    pub resend: bool,
}

impl ValidationContext {
    /// A context at `now_ms` for a request sent for the first time: its ids are new.
    pub const fn at(now_ms: i64) -> Self {
        Self {
            now_ms,
            resend: false,
        }
    }

    /// A context at the clock's current reading.
    pub fn from_clock(clock: &dyn Clock) -> Self {
        Self::at(clock.now_ms())
    }

    /// The same moment, for a re-send of a request sent before.
    #[must_use]
    pub const fn resending(mut self) -> Self {
        self.resend = true;
        self
    }
}

/// What a refusal of a new id's date adds: the id may be an earlier request's, whose attempt
/// may have reached ZaloPay, and then a new id would act twice.
const NOT_A_NEW_ID: &str = "a new id must be dated today; if this id was sent before, an \
     earlier attempt may have reached ZaloPay: do not send it under a new id, query it by this \
     id (the query works on any day) or re-send it as a re-send (`CallOptions::resend`)";

/// An integer field that `positive` (and `m_refund_id`'s `app_id`) can read.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an integer, so `#[check(positive)]` cannot apply to it",
    label = "`positive` needs an integer field (or an `Option` of one)",
    note = "text fields take `max_len = N`, `non_empty`, `app_trans_id`, `m_refund_id` or `json`"
)]
pub trait CheckInteger {
    /// The value, or `None` when an optional field is absent.
    fn integer(&self) -> Option<i128>;
}

/// A text field that `max_len`, `non_empty`, `app_trans_id`, `m_refund_id` and `json` read.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text, so this `#[check(...)]` cannot apply to it",
    label = "this check needs a `String`, `&str`, `JsonString` (or an `Option` of one)",
    note = "integer fields take `positive` or `recent_ms`"
)]
pub trait CheckText {
    /// The text, or `None` when an optional field is absent.
    fn text(&self) -> Option<&str>;
}

/// A Unix-milliseconds field that `recent_ms` reads: an integer, or a decimal string
/// (`reqtime` of the bank list is sent as a string).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Unix-milliseconds timestamp, so `#[check(recent_ms)]` cannot apply to it",
    label = "`recent_ms` needs an integer or a decimal string (or an `Option` of one)"
)]
pub trait CheckTimestamp {
    /// `None` when absent; `Some(Err(()))` when the text is not a decimal integer.
    fn timestamp_ms(&self) -> Option<Result<i64, ()>>;
}

macro_rules! check_ints {
    ($($t:ty),*) => {$(
        impl CheckInteger for $t {
            fn integer(&self) -> Option<i128> {
                Some(i128::from(*self))
            }
        }
        impl CheckTimestamp for $t {
            fn timestamp_ms(&self) -> Option<Result<i64, ()>> {
                Some(i64::try_from(*self).map_err(|_| ()))
            }
        }
    )*};
}
check_ints!(i8, i16, i32, i64, u8, u16, u32, u64);

impl CheckText for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl CheckText for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl CheckText for crate::sign::JsonString {
    fn text(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

/// The SDK's ids and tokens are text to the checks (`max_len`, `app_trans_id`, ...).
macro_rules! check_id_text {
    ($($ty:ty),*) => {$(
        impl CheckText for $ty {
            fn text(&self) -> Option<&str> {
                Some(self.as_ref())
            }
        }
    )*};
}
check_id_text!(
    crate::ids::AppTransId,
    crate::ids::MRefundId,
    crate::ids::PartnerOrderId,
    crate::ids::ZpTransToken,
    crate::ids::PayToken,
    crate::ids::BindingId
);

impl CheckTimestamp for str {
    fn timestamp_ms(&self) -> Option<Result<i64, ()>> {
        Some(self.parse().map_err(|_| ()))
    }
}

impl CheckTimestamp for String {
    fn timestamp_ms(&self) -> Option<Result<i64, ()>> {
        self.as_str().timestamp_ms()
    }
}

impl<T: CheckInteger + ?Sized> CheckInteger for &T {
    fn integer(&self) -> Option<i128> {
        (**self).integer()
    }
}

impl<T: CheckText + ?Sized> CheckText for &T {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}

impl<T: CheckTimestamp + ?Sized> CheckTimestamp for &T {
    fn timestamp_ms(&self) -> Option<Result<i64, ()>> {
        (**self).timestamp_ms()
    }
}

impl<T: CheckInteger> CheckInteger for Option<T> {
    fn integer(&self) -> Option<i128> {
        self.as_ref().and_then(CheckInteger::integer)
    }
}

impl<T: CheckText> CheckText for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(CheckText::text)
    }
}

impl<T: CheckTimestamp> CheckTimestamp for Option<T> {
    fn timestamp_ms(&self) -> Option<Result<i64, ()>> {
        self.as_ref().and_then(CheckTimestamp::timestamp_ms)
    }
}

/// The checks the derive's `validate` calls. Not a public API.
#[doc(hidden)]
pub mod check {
    use super::*;

    fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidField {
            field,
            reason: reason.into(),
        }
    }

    /// `positive`: greater than zero.
    pub fn positive<T: CheckInteger + ?Sized>(field: &'static str, value: &T) -> Result<(), Error> {
        match value.integer() {
            Some(n) if n <= 0 => Err(invalid(field, format!("must be greater than 0, got {n}"))),
            _ => Ok(()),
        }
    }

    /// `max_len = N`: at most `max` characters.
    pub fn max_len<T: CheckText + ?Sized>(
        field: &'static str,
        value: &T,
        max: usize,
    ) -> Result<(), Error> {
        match value.text().map(|t| t.chars().count()) {
            Some(len) if len > max => Err(invalid(
                field,
                format!("is {len} characters long; at most {max} are accepted"),
            )),
            _ => Ok(()),
        }
    }

    /// `non_empty`: not empty nor only whitespace.
    pub fn non_empty<T: CheckText + ?Sized>(field: &'static str, value: &T) -> Result<(), Error> {
        match value.text() {
            Some(text) if text.trim().is_empty() => Err(invalid(field, "must not be empty")),
            _ => Ok(()),
        }
    }

    /// The id error as a field error; a wrong date on a new id says what to do if the id is
    /// not new after all.
    fn id_error(field: &'static str, error: crate::ids::IdError) -> Error {
        match error {
            crate::ids::IdError::WrongDatePrefix { .. } => {
                invalid(field, format!("{error}: {NOT_A_NEW_ID}"))
            }
            other => invalid(field, other.to_string()),
        }
    }

    /// `app_trans_id`: a new id dated today in Vietnam time; on a re-send, an existing id of
    /// any day (its shape only).
    pub fn app_trans_id<T: CheckText + ?Sized>(
        field: &'static str,
        value: &T,
        ctx: &ValidationContext,
    ) -> Result<(), Error> {
        match value.text() {
            Some(id) if ctx.resend => crate::ids::AppTransId::existing(id)
                .map(drop)
                .map_err(|e| invalid(field, e.to_string())),
            Some(id) => {
                crate::ids::validate_app_trans_id(id, ctx.now_ms).map_err(|e| id_error(field, e))
            }
            None => Ok(()),
        }
    }

    /// `m_refund_id`: a new `yyMMdd_<app_id>_<unique>` dated today in Vietnam time; on a
    /// re-send, an existing id of any day with this app id.
    pub fn m_refund_id<T: CheckText + ?Sized, A: CheckInteger + ?Sized>(
        field: &'static str,
        value: &T,
        app_id: &A,
        ctx: &ValidationContext,
    ) -> Result<(), Error> {
        let (Some(id), Some(app_id)) = (value.text(), app_id.integer()) else {
            return Ok(());
        };
        let app_id = i64::try_from(app_id).map_err(|_| invalid("app_id", "out of range"))?;
        if ctx.resend {
            return crate::ids::validate_existing_m_refund_id(id, app_id)
                .map_err(|e| invalid(field, e.to_string()));
        }
        crate::ids::validate_m_refund_id(id, app_id, ctx.now_ms).map_err(|e| id_error(field, e))
    }

    /// `recent_ms`: Unix milliseconds within ±15 minutes of now.
    pub fn recent_ms<T: CheckTimestamp + ?Sized>(
        field: &'static str,
        value: &T,
        ctx: &ValidationContext,
    ) -> Result<(), Error> {
        match value.timestamp_ms() {
            None => Ok(()),
            Some(Err(())) => Err(invalid(field, "is not a Unix timestamp in milliseconds")),
            Some(Ok(ms)) => {
                let skew = i128::from(ms) - i128::from(ctx.now_ms);
                if skew.abs() <= i128::from(RECENT_WINDOW_MS) {
                    Ok(())
                } else {
                    let (minutes, way) = if skew < 0 {
                        (-skew / 60_000, "behind")
                    } else {
                        (skew / 60_000, "ahead of")
                    };
                    Err(invalid(
                        field,
                        format!(
                            "{ms} is {minutes} minutes {way} the client's clock; ZaloPay accepts ±15 minutes (is it in milliseconds?)"
                        ),
                    ))
                }
            }
        }
    }

    /// `min = N`: an integer at least `min` (an absent `Option` passes).
    pub fn min<T: CheckInteger + ?Sized>(
        field: &'static str,
        value: &T,
        min: i128,
    ) -> Result<(), Error> {
        match value.integer() {
            Some(n) if n < min => Err(invalid(field, format!("must be at least {min}, got {n}"))),
            _ => Ok(()),
        }
    }

    /// `max = N`: an integer at most `max` (an absent `Option` passes).
    pub fn max<T: CheckInteger + ?Sized>(
        field: &'static str,
        value: &T,
        max: i128,
    ) -> Result<(), Error> {
        match value.integer() {
            Some(n) if n > max => Err(invalid(field, format!("must be at most {max}, got {n}"))),
            _ => Ok(()),
        }
    }

    /// `not_above = "other"`: an integer no greater than the request's `other` field (passes
    /// when either is absent).
    pub fn not_above<T: CheckInteger + ?Sized, U: CheckInteger + ?Sized>(
        field: &'static str,
        value: &T,
        other_field: &'static str,
        other: &U,
    ) -> Result<(), Error> {
        match (value.integer(), other.integer()) {
            (Some(n), Some(limit)) if n > limit => Err(invalid(
                field,
                format!("is {n}, more than `{other_field}` ({limit})"),
            )),
            _ => Ok(()),
        }
    }

    /// `json`: parses as JSON.
    pub fn json<T: CheckText + ?Sized>(field: &'static str, value: &T) -> Result<(), Error> {
        match value.text() {
            Some(text) => serde_json::from_str::<serde::de::IgnoredAny>(text)
                .map(|_| ())
                .map_err(|e| invalid(field, format!("is not valid JSON: {e}"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check::*;
    use super::*;

    const NOW: i64 = 1_726_200_000_000; // 2024-09-13 11:00 in Vietnam

    fn reason(result: Result<(), Error>) -> String {
        match result {
            Err(Error::InvalidField { reason, .. }) => reason,
            other => panic!("expected InvalidField, got {other:?}"),
        }
    }

    #[test]
    fn each_check_accepts_and_rejects() {
        let ctx = ValidationContext::at(NOW);
        assert!(positive("amount", &1i64).is_ok());
        assert!(positive("amount", &None::<i64>).is_ok());
        assert!(reason(positive("amount", &0i64)).contains("greater than 0"));
        assert!(max_len("app_user", "ồồồ", 3).is_ok());
        assert!(reason(max_len("app_user", &"x".repeat(51), 50)).contains("51 characters"));
        assert!(non_empty("d", &Some(String::new())).is_err());
        assert!(non_empty("d", &None::<String>).is_ok());
        assert!(app_trans_id("app_trans_id", "240913_1", &ctx).is_ok());
        assert!(reason(app_trans_id("app_trans_id", "240912_1", &ctx)).contains("240913_"));
        assert!(m_refund_id("m_refund_id", "240913_2553_1", &2553i64, &ctx).is_ok());
        assert!(m_refund_id("m_refund_id", "240913_2554_1", &2553i64, &ctx).is_err());
        assert!(recent_ms("app_time", &(NOW + RECENT_WINDOW_MS), &ctx).is_ok());
        assert!(recent_ms("app_time", &(NOW - RECENT_WINDOW_MS), &ctx).is_ok());
        assert!(
            reason(recent_ms("app_time", &(NOW - RECENT_WINDOW_MS - 1), &ctx)).contains("behind")
        );
        assert!(reason(recent_ms("app_time", &(NOW / 1000), &ctx)).contains("milliseconds"));
        assert!(recent_ms("reqtime", &NOW.to_string(), &ctx).is_ok());
        assert!(recent_ms("reqtime", "soon", &ctx).is_err());
        assert!(json("x", "{\"a\":1}").is_ok());
        assert!(json("x", "{").is_err());
        let error = positive("amount", &-5i64).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid `amount`: must be greater than 0, got -5"
        );
    }
}
