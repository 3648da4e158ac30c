//! The merchant's side: what runs when an order or refund reaches its outcome.

use std::future::Future;

use crate::model::Event;

/// Handles the tracker's events. Called at least once per event, and again after a failure
/// or a crash before the success was recorded: make the effect idempotent on
/// [`Event::idempotency_key`] (e.g. a unique column in the merchant's own table).
pub trait EventHandler: Send + Sync {
    /// Why handling failed (logged; the event is handed out again later).
    type Error: std::fmt::Display + Send;

    /// Handles one event; `Ok` marks it done for good.
    fn handle(&self, event: &Event) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
