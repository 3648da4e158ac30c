//! Storage behind one trait. Real back ends: [`SqlStore`] on SQLite (embedded, the default)
//! or Postgres (several instances share the work through leases taken with
//! `FOR UPDATE SKIP LOCKED`). [`MemoryStore`] is for unit tests only.
//!
//! The contract every back end keeps:
//! * [`Store::update_order`] runs the caller's transition on the *current* row and writes the
//!   row, its events and the superseded keys in one transaction (row lock on Postgres, the
//!   single writer on SQLite). Every write releases the row's lease.
//! * Events are unique by idempotency key: storing the same outcome twice stores it once.
//! * A lease is granted to one owner at a time until it expires; leased rows are not handed
//!   to anyone else.

mod memory;
mod sql;

use std::future::Future;

pub use memory::MemoryStore;
pub use sql::{Backend, SqlStore};

use crate::error::StoreError;
use crate::machine::Change;
use crate::model::{Event, TrackedOrder, TrackedRefund};

/// Who asks for which rows until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The instance's id.
    pub owner: String,
    /// Now, Unix ms: rows due at or before it are handed out.
    pub now: i64,
    /// When the lease runs out, Unix ms.
    pub until: i64,
    /// At most this many rows.
    pub limit: i64,
}

/// What became of an event's delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The handler succeeded at this instant: never hand the event out again.
    Done {
        /// Unix ms.
        at: i64,
    },
    /// The handler failed: hand it out again at this instant.
    RetryAt {
        /// Unix ms.
        at: i64,
    },
}

/// A transition evaluated on the current row: `None` leaves the row (and its lease) alone.
pub type Transition<'a, T> = Box<dyn FnOnce(&T) -> Option<Change<T>> + Send + 'a>;

/// The tracker's storage.
pub trait Store: Send + Sync + 'static {
    /// Creates or upgrades the schema.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records a new order; `false` if one with this id is already tracked (left unchanged).
    fn insert_order(
        &self,
        order: &TrackedOrder,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// One order.
    fn order(
        &self,
        app_trans_id: &str,
    ) -> impl Future<Output = Result<Option<TrackedOrder>, StoreError>> + Send;

    /// Runs `transition` on the current row in one transaction; the new row when it changed.
    fn update_order<'a>(
        &'a self,
        app_trans_id: &'a str,
        transition: Transition<'a, TrackedOrder>,
    ) -> impl Future<Output = Result<Option<TrackedOrder>, StoreError>> + Send + 'a;

    /// Leases open orders whose next query is due.
    fn lease_orders(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<TrackedOrder>, StoreError>> + Send;

    /// Records a new refund; `false` if one with this id is already tracked (left unchanged).
    fn insert_refund(
        &self,
        refund: &TrackedRefund,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// One refund.
    fn refund(
        &self,
        m_refund_id: &str,
    ) -> impl Future<Output = Result<Option<TrackedRefund>, StoreError>> + Send;

    /// Runs `transition` on the current refund row in one transaction.
    fn update_refund<'a>(
        &'a self,
        m_refund_id: &'a str,
        transition: Transition<'a, TrackedRefund>,
    ) -> impl Future<Output = Result<Option<TrackedRefund>, StoreError>> + Send + 'a;

    /// Leases open refunds whose next query is due.
    fn lease_refunds(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<TrackedRefund>, StoreError>> + Send;

    /// Leases pending events that are due, oldest first, counting the attempt.
    fn lease_events(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;

    /// Records what became of a delivery; `false` if the event is no longer pending.
    fn finish_event(
        &self,
        id: i64,
        delivery: Delivery,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Tracked orders, most recent first.
    fn orders(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<TrackedOrder>, StoreError>> + Send;

    /// Stored events (of one subject, or all), oldest first.
    fn events(
        &self,
        subject: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
}
