//! The state machines: every verdict (create answer, callback, query) goes through one pure
//! function per record kind, evaluated inside the store's transaction on the current row.

mod order;
mod refund;

pub use order::{OrderObservation, apply_to_order};
pub use refund::{RefundObservation, apply_to_refund};

use crate::model::{NewEvent, StoredName, TrackedOrder, TrackedRefund};

/// What the write path reads and counts of a record the poll queries, orders and refunds
/// alike.
pub(crate) trait PolledRecord: Clone {
    /// The stored word of the record's state, and whether that state is final.
    fn state_word(&self) -> (&'static str, bool);
    /// How many queries were counted for it.
    fn queries(&self) -> i64;
    /// Sets that count.
    fn set_queries(&mut self, queries: i64);
}

macro_rules! polled {
    ($($record:ty),*) => {$(
        impl PolledRecord for $record {
            fn state_word(&self) -> (&'static str, bool) {
                (self.state.as_str(), self.state.is_final())
            }

            fn queries(&self) -> i64 {
                self.queries
            }

            fn set_queries(&mut self, queries: i64) {
                self.queries = queries;
            }
        }
    )*};
}
polled!(TrackedOrder, TrackedRefund);

/// What a verdict changes: the new record, the events to store (idempotency keys make a
/// repeat a no-op), and the idempotency keys of pending events it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<T> {
    /// The record as it is to be stored (the lease is released by the write).
    pub record: T,
    /// Events to store.
    pub events: Vec<NewEvent>,
    /// Keys of pending events that no longer hold (never handed out after this).
    pub supersede: Vec<String>,
}

impl<T> Change<T> {
    /// A change of the record alone.
    pub fn record(record: T) -> Self {
        Self {
            record,
            events: Vec::new(),
            supersede: Vec::new(),
        }
    }
}

/// Random delays drawn for one transition (so the machine itself stays pure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Draw {
    /// Jitter for the next query time, ms.
    pub jitter_ms: i64,
}
