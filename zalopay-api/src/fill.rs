//! The values a client fills in itself: the request's `app_id` (from [`Config`]) and its time
//! field (`app_time`, `req_date`, `timestamp`, `time`, `reqtime`, from the client's clock).
//!
//! A request marks them with `#[zalopay(app_id)]` and `#[zalopay(time)]` on `Option` fields;
//! `None` means "the client's". The client fills them once, when it prepares the request, so
//! every retry of that send carries the same values and the same MAC. A request that names
//! an app id other than the client's is refused before anything is sent.
//!
//! [`Config`]: crate::Config

use crate::error::Error;

/// What the client fills in: its app id and the moment of sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillContext {
    /// The client's app id (`Config::app_id`).
    pub app_id: i64,
    /// "Now" in Unix milliseconds, from the client's clock.
    pub now_ms: i64,
}

/// A field that holds the request's app id: `Option<i64>`, or `Option<String>` where the
/// operation sends it as text (ZOD's `appId`, the bank list's `appid`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a client-filled app id",
    label = "`#[zalopay(app_id)]` needs an `Option<i64>` or `Option<String>` field"
)]
pub trait AppIdSlot {
    /// Whether the field names `app_id` (when set).
    fn names(&self, app_id: i64) -> Option<bool>;
    /// Sets the field to `app_id` when unset.
    fn fill(&mut self, app_id: i64);
}

impl AppIdSlot for Option<i64> {
    fn names(&self, app_id: i64) -> Option<bool> {
        self.map(|own| own == app_id)
    }
    fn fill(&mut self, app_id: i64) {
        self.get_or_insert(app_id);
    }
}

impl AppIdSlot for Option<String> {
    fn names(&self, app_id: i64) -> Option<bool> {
        self.as_deref().map(|own| own == app_id.to_string())
    }
    fn fill(&mut self, app_id: i64) {
        self.get_or_insert_with(|| app_id.to_string());
    }
}

/// A field that holds the request's time, Unix milliseconds: `Option<i64>`, or
/// `Option<String>` for a decimal string (the bank list's `reqtime`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a client-filled time",
    label = "`#[zalopay(time)]` needs an `Option<i64>` or `Option<String>` field"
)]
pub trait TimeSlot {
    /// Sets the field to `now_ms` when unset.
    fn fill(&mut self, now_ms: i64);
}

impl TimeSlot for Option<i64> {
    fn fill(&mut self, now_ms: i64) {
        self.get_or_insert(now_ms);
    }
}

impl TimeSlot for Option<String> {
    fn fill(&mut self, now_ms: i64) {
        self.get_or_insert_with(|| now_ms.to_string());
    }
}

/// Refuses a request whose app id is not the client's (generated code calls this).
#[doc(hidden)]
pub fn check_app_id<T: AppIdSlot + ?Sized>(
    field: &'static str,
    value: &T,
    ctx: &FillContext,
) -> Result<(), Error> {
    match value.names(ctx.app_id) {
        Some(false) => Err(Error::InvalidField {
            field,
            reason: format!(
                "the request is for another app than this client's app {}; leave it unset to send the client's",
                ctx.app_id
            ),
        }),
        _ => Ok(()),
    }
}

/// Fills an unset app id (generated code calls this).
#[doc(hidden)]
pub fn app_id<T: AppIdSlot + ?Sized>(value: &mut T, ctx: &FillContext) {
    value.fill(ctx.app_id);
}

/// Fills an unset time (generated code calls this).
#[doc(hidden)]
pub fn time<T: TimeSlot + ?Sized>(value: &mut T, ctx: &FillContext) {
    value.fill(ctx.now_ms);
}
