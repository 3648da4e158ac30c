//! The store: durable state behind one trait. Real back ends: [`SqlStore`] on SQLite (embedded, the default)
//! or Postgres (several instances share the work through leases taken with
//! `FOR UPDATE SKIP LOCKED`). [`MemoryStore`] is for unit tests only.
//!
//! The contract every back end keeps:
//! * [`Store::update_order`] runs the caller's transition on the *current* row and writes the
//!   row, its events and the superseded keys in one transaction (row lock on Postgres, the
//!   single writer on SQLite).
//! * Leases are fenced (D-110): every lease granted raises the row's `lease_token`. A write
//!   made under a lease names it ([`Fence`]: owner and token) and is refused with
//!   [`StoreError::LeaseLost`] once the row was leased again; it releases the lease. A write
//!   under no lease (a callback, a create's answer) leaves whatever lease there is alone.
//!   Renewals and event deliveries are fenced the same way.
//! * Events are unique by idempotency key: storing the same outcome twice stores it once. A
//!   money outcome names an overridden verdict only if that verdict's event was handed to
//!   the handler (D-62).
//! * A lease is granted to one owner at a time until it expires; leased rows are not handed
//!   to anyone else. The lease *is* the row's next due time (D-140): leasing sets
//!   `next_query_at` to the lease's end, so leased rows leave the due range and the due index
//!   never walks past them; the fenced write sets the real next time, and a lease that runs
//!   out unrenewed makes the row due again.

mod budget;
#[cfg(feature = "postgres")]
mod listen;
mod memory;
mod sql;
mod wakeups;

use std::collections::HashSet;
use std::future::Future;

pub use budget::BudgetStore;
pub use memory::MemoryStore;
pub use sql::{Backend, SqlStore};
pub use wakeups::EventWakeups;

use crate::error::StoreError;
use crate::machine::Change;
use crate::model::{Event, NewEvent, TrackedOrder, TrackedRefund};

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

/// Who holds a lease: the owner and the lease's generation (`lease_token`). Writes, renewals
/// and deliveries made under a lease carry it and are refused once the row was leased again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fence {
    /// The instance's id.
    pub owner: String,
    /// The lease's generation, as the lease returned it.
    pub token: i64,
}

/// An order leased for a query: only what the query and the fenced write need (D-140).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedOrder {
    /// The order's id.
    pub app_trans_id: String,
    /// The app it was created under.
    pub app_id: i64,
    /// The lease it was handed out under.
    pub fence: Fence,
}

/// A refund leased for a query: only what the query and the fenced write need (D-140).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedRefund {
    /// The refund's id.
    pub m_refund_id: String,
    /// The app it was made under.
    pub app_id: i64,
    /// The lease it was handed out under.
    pub fence: Fence,
}

/// The next due time an unfenced write (a callback, a create's answer) may store while the
/// row is leased: never before the lease's end, so a leased row stays out of the due range
/// until its holder writes or the lease runs out (D-140).
pub(crate) fn due_under_lease(
    next: Option<i64>,
    owner: Option<&str>,
    until: Option<i64>,
) -> Option<i64> {
    match (next, owner, until) {
        (Some(next), Some(_), Some(until)) => Some(next.max(until)),
        (next, _, _) => next,
    }
}

/// An event handed out under a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedEvent {
    /// The event.
    pub event: Event,
    /// The lease it was handed out under.
    pub fence: Fence,
}

/// Clears the `overrides` of money outcomes whose overridden event was never handed to the
/// handler (`delivered` holds the keys that were): superseded before anyone saw it, there is
/// nothing to undo (D-62).
pub(crate) fn settle_overrides(events: &mut [NewEvent], delivered: &HashSet<String>) {
    for event in events {
        let subject = event.outcome.subject().to_owned();
        if let Some(overrides) = event.outcome.overrides_mut()
            && overrides
                .as_ref()
                .is_some_and(|kind| !delivered.contains(&format!("order:{subject}:{kind}")))
        {
            *overrides = None;
        }
    }
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

/// What an operator watches (D-142): work waiting for a pass and events waiting for the
/// handler, with the oldest of each; `now - oldest_due_at` is the poll lag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Backlog {
    /// Orders the tracker still follows (a next query is scheduled, due or not, leased or
    /// not).
    pub open_orders: i64,
    /// Orders whose next query is due and that no live lease holds.
    pub due_orders: i64,
    /// Refunds whose next query is due and that no live lease holds.
    pub due_refunds: i64,
    /// The earliest due time among them, Unix ms.
    pub oldest_due_at: Option<i64>,
    /// Events not yet handled.
    pub pending_events: i64,
    /// When the oldest of them was stored, Unix ms.
    pub oldest_pending_event_at: Option<i64>,
}

/// Work that is late, by id (D-174): what an operator opens when the [`Backlog`] says
/// something is stuck. Rows under a live lease are being worked on and never appear (their
/// next due time is the lease's end, D-140); a row whose lease ran out does.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Stuck {
    /// Open orders whose next query was due before the limit, longest overdue first.
    pub orders: Vec<TrackedOrder>,
    /// Open refunds whose next query was due before the limit, longest overdue first.
    pub refunds: Vec<TrackedRefund>,
    /// Events not yet handled that were stored before their limit, oldest first.
    pub events: Vec<Event>,
}

impl Stuck {
    /// Whether nothing is late.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty() && self.refunds.is_empty() && self.events.is_empty()
    }
}

/// What one retention batch deleted (D-143).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pruned {
    /// Finished orders deleted, with their events.
    pub orders: u64,
    /// Finished refunds deleted, with their events.
    pub refunds: u64,
}

impl Pruned {
    /// Whether the batch deleted nothing (the caller's loop stops).
    pub fn is_empty(&self) -> bool {
        self.orders == 0 && self.refunds == 0
    }
}

/// A transition evaluated on the current row: `None` leaves the row (and its lease) alone.
pub type Transition<'a, T> = Box<dyn FnOnce(&T) -> Option<Change<T>> + Send + 'a>;

/// The tracker's storage (with the shared rate budget's bucket: [`BudgetStore`]).
pub trait Store: BudgetStore + Send + Sync + 'static {
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
    /// With a `fence` (a write under a lease): refused with [`StoreError::LeaseLost`] unless
    /// the row is still leased under it, and the lease is released. Without one: the lease
    /// columns are left alone.
    fn update_order<'a>(
        &'a self,
        app_trans_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedOrder>,
    ) -> impl Future<Output = Result<Option<TrackedOrder>, StoreError>> + Send + 'a;

    /// Leases open orders whose next query is due, earliest first; each comes with its new
    /// `lease_token`, and its next due time becomes the lease's end (D-140).
    fn lease_orders(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<LeasedOrder>, StoreError>> + Send;

    /// Extends a lease on an order (and its next due time) to `until`; `false` if it was lost
    /// (leased again).
    fn renew_order(
        &self,
        app_trans_id: &str,
        fence: &Fence,
        until: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

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

    /// Runs `transition` on the current refund row in one transaction, fenced like
    /// [`update_order`](Self::update_order).
    fn update_refund<'a>(
        &'a self,
        m_refund_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedRefund>,
    ) -> impl Future<Output = Result<Option<TrackedRefund>, StoreError>> + Send + 'a;

    /// Leases open refunds whose next query is due, like [`lease_orders`](Self::lease_orders).
    fn lease_refunds(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<LeasedRefund>, StoreError>> + Send;

    /// Extends a lease on a refund to `until`; `false` if it was lost.
    fn renew_refund(
        &self,
        m_refund_id: &str,
        fence: &Fence,
        until: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Leases pending events that are due, oldest first, counting the attempt.
    fn lease_events(
        &self,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<LeasedEvent>, StoreError>> + Send;

    /// Extends a lease on an event to `until`; `false` if it was lost or the event is no
    /// longer pending.
    fn renew_event(
        &self,
        id: i64,
        fence: &Fence,
        until: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records what became of a delivery made under `fence`; `false` if the event is no
    /// longer pending or was leased again (the write is refused).
    fn finish_event(
        &self,
        id: i64,
        fence: &Fence,
        delivery: Delivery,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Hands back every lease `owner` holds (graceful shutdown, D-141): its orders and
    /// refunds become due at `now` at the latest and its events free, so another instance
    /// takes them at once; writes still in flight under those leases are refused. The
    /// number of rows handed back.
    fn release_leases(
        &self,
        owner: &str,
        now: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Work waiting at `now` and the oldest of it (D-142).
    fn backlog(&self, now: i64) -> impl Future<Output = Result<Backlog, StoreError>> + Send;

    /// Late work by id (D-174): at most `limit` open orders and at most `limit` open refunds
    /// whose next query was due at or before `due_before`, earliest due first, and at most
    /// `limit` pending events stored at or before `stored_before`, oldest first.
    fn stuck(
        &self,
        due_before: i64,
        stored_before: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Stuck, StoreError>> + Send;

    /// Retention (D-143): deletes at most `limit` finished orders and at most `limit`
    /// finished refunds last changed before `before`, each with its events, in one
    /// transaction per table. Never an open row, never a row with a pending event. Call it
    /// again until it returns [`Pruned::is_empty`].
    fn prune(
        &self,
        before: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Pruned, StoreError>> + Send;

    /// Tracked orders, most recent first.
    fn orders(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<TrackedOrder>, StoreError>> + Send;

    /// What wakes a dispatcher as soon as new events are committed (D-151): this store's
    /// own commits, and on Postgres other instances' (LISTEN/NOTIFY, listened to for as long
    /// as the value lives). The default never wakes: the dispatcher polls on its tick.
    fn event_wakeups(&self) -> impl Future<Output = EventWakeups> + Send {
        std::future::ready(EventWakeups::never())
    }

    /// Stored events (of one subject, or all), oldest first.
    fn events(
        &self,
        subject: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
}
