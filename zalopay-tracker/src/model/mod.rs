//! What the tracker stores: orders, refunds, and the events handed to the merchant.

mod event;
mod order;
mod refund;

pub use event::{Event, EventStatus, NewEvent, Outcome};
pub use order::{OrderState, Source, TrackedOrder};
pub use refund::{RefundState, TrackedRefund};

/// A row's state as stored (a short lowercase word).
pub(crate) trait StoredName: Sized {
    /// The stored word.
    fn as_str(&self) -> &'static str;
    /// The value for a stored word.
    fn parse(text: &str) -> Option<Self>;
}
