//! An in-memory store, for unit tests only: one mutex stands in for the transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use super::wakeups::{EventBell, EventWakeups};
use super::{
    Backlog, Delivery, Fence, Lease, LeasedEvent, LeasedOrder, LeasedRefund, Pruned, Store, Stuck,
    Transition, due_under_lease, settle_overrides,
};
use crate::error::StoreError;
use crate::machine::Change;
use crate::model::{Event, EventStatus, NewEvent, TrackedOrder, TrackedRefund};

#[derive(Debug)]
struct EventRow {
    event: Event,
    next_attempt_at: i64,
    lease_until: Option<i64>,
    lease_owner: Option<String>,
    lease_token: i64,
}

impl EventRow {
    fn fenced_by(&self, fence: &Fence) -> bool {
        self.event.status == EventStatus::Pending
            && self.lease_owner.as_deref() == Some(fence.owner.as_str())
            && self.lease_token == fence.token
    }
}

#[derive(Debug, Default)]
struct Inner {
    orders: BTreeMap<String, TrackedOrder>,
    refunds: BTreeMap<String, TrackedRefund>,
    events: Vec<EventRow>,
    keys: HashMap<String, usize>,
    /// The last event id handed out: ids are never reused, even after pruning.
    last_id: i64,
}

impl Inner {
    /// Deletes the events whose key `gone` says, and re-indexes the rest.
    fn forget_events(&mut self, gone: impl Fn(&str) -> bool) {
        self.events
            .retain(|row| !gone(row.event.idempotency_key.as_str()));
        self.keys = self
            .events
            .iter()
            .enumerate()
            .map(|(at, row)| (row.event.idempotency_key.clone(), at))
            .collect();
    }

    /// Stores `events` (once per key) and supersedes pending ones; how many were new.
    fn store_events(&mut self, mut events: Vec<NewEvent>, supersede: &[String]) -> usize {
        // Which of the replaced verdicts the handler was already handed (D-62).
        let delivered: HashSet<String> = supersede
            .iter()
            .filter(|key| {
                self.keys
                    .get(*key)
                    .and_then(|at| self.events.get(*at))
                    .is_some_and(|row| {
                        row.event.status == EventStatus::Done || row.event.attempts > 0
                    })
            })
            .cloned()
            .collect();
        settle_overrides(&mut events, &delivered);
        for key in supersede {
            if let Some(row) = self.keys.get(key).and_then(|at| self.events.get_mut(*at))
                && row.event.status == EventStatus::Pending
            {
                row.event.status = EventStatus::Superseded;
            }
        }
        let mut stored = 0;
        for new in events {
            let key = new.outcome.idempotency_key();
            if self.keys.contains_key(&key) {
                continue;
            }
            stored += 1;
            self.last_id = self.last_id.saturating_add(1);
            let id = self.last_id;
            self.keys.insert(key.clone(), self.events.len());
            self.events.push(EventRow {
                event: Event {
                    id,
                    idempotency_key: key,
                    outcome: new.outcome,
                    status: EventStatus::Pending,
                    attempts: 0,
                    created_at: new.created_at,
                    done_at: None,
                },
                next_attempt_at: new.created_at,
                lease_until: None,
                lease_owner: None,
                lease_token: 0,
            });
        }
        stored
    }
}

/// Orders, refunds and events in memory (lost on drop). For unit tests only.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    buckets: super::budget::MemoryBuckets,
    /// Rung after a write that stored new events (D-151).
    bell: EventBell,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    pub(super) fn buckets(&self) -> &super::budget::MemoryBuckets {
        &self.buckets
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The lease columns of a row: next due time, owner, until, generation.
type LeaseFields<'a> = (
    &'a mut Option<i64>,
    &'a mut Option<String>,
    &'a mut Option<i64>,
    &'a mut i64,
);

/// Leases due rows of one map; shared by orders and refunds.
fn lease_rows<T>(
    rows: &mut BTreeMap<String, T>,
    lease: &Lease,
    fields: impl Fn(&mut T) -> LeaseFields<'_>,
    is_final: impl Fn(&T, i64) -> bool,
) -> Vec<(String, Fence)> {
    // The lease is the next due time (D-140): a leased row is due again only when it runs out.
    // Deadline first (D-161): final queries before routine queries, each earliest first.
    let mut due: Vec<(bool, i64, String)> = rows
        .iter_mut()
        .filter_map(|(id, row)| {
            let (next, _, _, _) = fields(row);
            let next = (*next)?;
            let routine = !is_final(row, next);
            (next <= lease.now).then(|| (routine, next, id.clone()))
        })
        .collect();
    due.sort();
    due.truncate(usize::try_from(lease.limit.max(0)).unwrap_or(usize::MAX));
    due.into_iter()
        .filter_map(|(_, _, id)| {
            let row = rows.get_mut(&id)?;
            let (next, owner, until, token) = fields(row);
            *next = Some(lease.until);
            *owner = Some(lease.owner.clone());
            *until = Some(lease.until);
            *token = token.saturating_add(1);
            let fence = Fence {
                owner: lease.owner.clone(),
                token: *token,
            };
            Some((id, fence))
        })
        .collect()
}

/// Rows of one map whose next query was due at or before `due_before`, earliest due first
/// (ties in id order, the map's), at most `limit`; shared by orders and refunds.
fn overdue_rows<T: Clone>(
    rows: &BTreeMap<String, T>,
    next_query_at: impl Fn(&T) -> Option<i64>,
    due_before: i64,
    limit: usize,
) -> Vec<T> {
    let mut overdue: Vec<(i64, &T)> = rows
        .values()
        .filter_map(|row| {
            next_query_at(row)
                .filter(|at| *at <= due_before)
                .map(|at| (at, row))
        })
        .collect();
    // Stable: rows due at once stay in id order.
    overdue.sort_by_key(|(at, _)| *at);
    overdue
        .into_iter()
        .take(limit)
        .map(|(_, row)| row.clone())
        .collect()
}

/// Renews a lease on one row if `fence` still holds it.
fn renew_row<T>(
    row: Option<&mut T>,
    fence: &Fence,
    until: i64,
    fields: impl Fn(&mut T) -> LeaseFields<'_>,
) -> bool {
    let Some(row) = row else {
        return false;
    };
    let (next, owner, lease_until, token) = fields(row);
    if owner.as_deref() != Some(fence.owner.as_str()) || *token != fence.token {
        return false;
    }
    *lease_until = Some(until);
    if next.is_some() {
        *next = Some(until);
    }
    true
}

/// Runs a (fenced) transition on one row: refused if `fence` lost the lease; a fenced write
/// releases it, any other write keeps the row's lease as it is.
fn apply<T: Clone>(
    table: &'static str,
    id: &str,
    current: &mut T,
    fence: Option<&Fence>,
    transition: Transition<'_, T>,
    fields: impl Fn(&mut T) -> LeaseFields<'_>,
) -> Result<Option<Change<T>>, StoreError> {
    let (_, owner, until, token) = fields(current);
    let (owner, until, token) = (owner.clone(), *until, *token);
    if let Some(fence) = fence
        && (owner.as_deref() != Some(fence.owner.as_str()) || token != fence.token)
    {
        return Err(StoreError::LeaseLost {
            table,
            id: id.to_owned(),
            holder: owner.unwrap_or_else(|| "nobody".to_owned()),
        });
    }
    let Some(mut change) = transition(current) else {
        return Ok(None);
    };
    let (new_next, new_owner, new_until, new_token) = fields(&mut change.record);
    *new_token = token;
    if fence.is_some() {
        *new_owner = None;
        *new_until = None;
    } else {
        *new_next = due_under_lease(*new_next, owner.as_deref(), until);
        *new_owner = owner;
        *new_until = until;
    }
    Ok(Some(change))
}

fn order_lease(o: &mut TrackedOrder) -> LeaseFields<'_> {
    (
        &mut o.next_query_at,
        &mut o.lease_owner,
        &mut o.lease_until,
        &mut o.lease_token,
    )
}

fn refund_lease(r: &mut TrackedRefund) -> LeaseFields<'_> {
    (
        &mut r.next_query_at,
        &mut r.lease_owner,
        &mut r.lease_until,
        &mut r.lease_token,
    )
}

impl Store for MemoryStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn insert_order(&self, order: &TrackedOrder) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        if inner.orders.contains_key(&order.app_trans_id) {
            return Ok(false);
        }
        inner
            .orders
            .insert(order.app_trans_id.clone(), order.clone());
        Ok(true)
    }

    async fn order(&self, app_trans_id: &str) -> Result<Option<TrackedOrder>, StoreError> {
        Ok(self.lock().orders.get(app_trans_id).cloned())
    }

    async fn update_order<'a>(
        &'a self,
        app_trans_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedOrder>,
    ) -> Result<Option<TrackedOrder>, StoreError> {
        let mut inner = self.lock();
        let Some(current) = inner.orders.get_mut(app_trans_id) else {
            return Ok(None);
        };
        let Some(change) = apply(
            "tracked_orders",
            app_trans_id,
            current,
            fence,
            transition,
            order_lease,
        )?
        else {
            return Ok(None);
        };
        inner
            .orders
            .insert(app_trans_id.to_owned(), change.record.clone());
        if inner.store_events(change.events, &change.supersede) > 0 {
            self.bell.ring();
        }
        Ok(Some(change.record))
    }

    async fn lease_orders(&self, lease: &Lease) -> Result<Vec<LeasedOrder>, StoreError> {
        let mut inner = self.lock();
        let leased = lease_rows(&mut inner.orders, lease, order_lease, |order, next| {
            next >= order.expire_at
        });
        Ok(leased
            .into_iter()
            .filter_map(|(id, fence)| {
                let app_id = inner.orders.get(&id)?.app_id;
                Some(LeasedOrder {
                    app_trans_id: id,
                    app_id,
                    fence,
                })
            })
            .collect())
    }

    async fn renew_order(
        &self,
        app_trans_id: &str,
        fence: &Fence,
        until: i64,
    ) -> Result<bool, StoreError> {
        Ok(renew_row(
            self.lock().orders.get_mut(app_trans_id),
            fence,
            until,
            order_lease,
        ))
    }

    async fn insert_refund(&self, refund: &TrackedRefund) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        if inner.refunds.contains_key(&refund.m_refund_id) {
            return Ok(false);
        }
        inner
            .refunds
            .insert(refund.m_refund_id.clone(), refund.clone());
        Ok(true)
    }

    async fn refund(&self, m_refund_id: &str) -> Result<Option<TrackedRefund>, StoreError> {
        Ok(self.lock().refunds.get(m_refund_id).cloned())
    }

    async fn update_refund<'a>(
        &'a self,
        m_refund_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedRefund>,
    ) -> Result<Option<TrackedRefund>, StoreError> {
        let mut inner = self.lock();
        let Some(current) = inner.refunds.get_mut(m_refund_id) else {
            return Ok(None);
        };
        let Some(change) = apply(
            "tracked_refunds",
            m_refund_id,
            current,
            fence,
            transition,
            refund_lease,
        )?
        else {
            return Ok(None);
        };
        inner
            .refunds
            .insert(m_refund_id.to_owned(), change.record.clone());
        if inner.store_events(change.events, &change.supersede) > 0 {
            self.bell.ring();
        }
        Ok(Some(change.record))
    }

    async fn lease_refunds(&self, lease: &Lease) -> Result<Vec<LeasedRefund>, StoreError> {
        let mut inner = self.lock();
        let leased = lease_rows(&mut inner.refunds, lease, refund_lease, |_, _| false);
        Ok(leased
            .into_iter()
            .filter_map(|(id, fence)| {
                let app_id = inner.refunds.get(&id)?.app_id;
                Some(LeasedRefund {
                    m_refund_id: id,
                    app_id,
                    fence,
                })
            })
            .collect())
    }

    async fn renew_refund(
        &self,
        m_refund_id: &str,
        fence: &Fence,
        until: i64,
    ) -> Result<bool, StoreError> {
        Ok(renew_row(
            self.lock().refunds.get_mut(m_refund_id),
            fence,
            until,
            refund_lease,
        ))
    }

    async fn lease_events(&self, lease: &Lease) -> Result<Vec<LeasedEvent>, StoreError> {
        let mut inner = self.lock();
        let limit = usize::try_from(lease.limit.max(0)).unwrap_or(usize::MAX);
        Ok(inner
            .events
            .iter_mut()
            .filter(|row| {
                row.event.status == EventStatus::Pending
                    && row.next_attempt_at <= lease.now
                    && row.lease_until.is_none_or(|until| until < lease.now)
            })
            .take(limit)
            .map(|row| {
                row.lease_until = Some(lease.until);
                row.lease_owner = Some(lease.owner.clone());
                row.lease_token = row.lease_token.saturating_add(1);
                row.event.attempts = row.event.attempts.saturating_add(1);
                LeasedEvent {
                    event: row.event.clone(),
                    fence: Fence {
                        owner: lease.owner.clone(),
                        token: row.lease_token,
                    },
                }
            })
            .collect())
    }

    async fn renew_event(&self, id: i64, fence: &Fence, until: i64) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(row) = inner
            .events
            .iter_mut()
            .find(|row| row.event.id == id && row.fenced_by(fence))
        else {
            return Ok(false);
        };
        row.lease_until = Some(until);
        Ok(true)
    }

    async fn finish_event(
        &self,
        id: i64,
        fence: &Fence,
        delivery: Delivery,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(row) = inner
            .events
            .iter_mut()
            .find(|row| row.event.id == id && row.fenced_by(fence))
        else {
            return Ok(false);
        };
        row.lease_until = None;
        row.lease_owner = None;
        match delivery {
            Delivery::Done { at } => {
                row.event.status = EventStatus::Done;
                row.event.done_at = Some(at);
            }
            Delivery::RetryAt { at } => row.next_attempt_at = at,
        }
        Ok(true)
    }

    async fn release_leases(&self, owner: &str, now: i64) -> Result<u64, StoreError> {
        let mut inner = self.lock();
        let mut released = 0;
        let mut hand_back = |fields: LeaseFields<'_>| {
            let (next, lease_owner, until, _) = fields;
            if lease_owner.as_deref() == Some(owner) {
                *lease_owner = None;
                *until = None;
                *next = next.map(|at| at.min(now));
                released += 1;
            }
        };
        for order in inner.orders.values_mut() {
            hand_back(order_lease(order));
        }
        for refund in inner.refunds.values_mut() {
            hand_back(refund_lease(refund));
        }
        for row in &mut inner.events {
            if row.event.status == EventStatus::Pending && row.lease_owner.as_deref() == Some(owner)
            {
                row.lease_owner = None;
                row.lease_until = None;
                released += 1;
            }
        }
        Ok(released)
    }

    async fn prune(&self, before: i64, limit: i64) -> Result<Pruned, StoreError> {
        let mut inner = self.lock();
        let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
        let pending: HashSet<String> = inner
            .events
            .iter()
            .filter(|row| row.event.status == EventStatus::Pending)
            .map(|row| row.event.idempotency_key.clone())
            .collect();
        let has_pending = |family: &str, id: &str| {
            pending
                .iter()
                .any(|key| key.starts_with(&format!("{family}:{id}:")))
        };
        let orders: Vec<String> = inner
            .orders
            .values()
            .filter(|o| o.state.is_final() && o.next_query_at.is_none() && o.updated_at < before)
            .filter(|o| !has_pending("order", &o.app_trans_id))
            .map(|o| o.app_trans_id.clone())
            .take(limit)
            .collect();
        let refunds: Vec<String> = inner
            .refunds
            .values()
            .filter(|r| r.state.is_final() && r.next_query_at.is_none() && r.updated_at < before)
            .filter(|r| !has_pending("refund", &r.m_refund_id))
            .map(|r| r.m_refund_id.clone())
            .take(limit)
            .collect();
        for id in &orders {
            inner.orders.remove(id);
        }
        for id in &refunds {
            inner.refunds.remove(id);
        }
        let gone: Vec<String> = orders
            .iter()
            .map(|id| format!("order:{id}:"))
            .chain(refunds.iter().map(|id| format!("refund:{id}:")))
            .collect();
        inner.forget_events(|key| gone.iter().any(|prefix| key.starts_with(prefix.as_str())));
        Ok(Pruned {
            orders: u64::try_from(orders.len()).unwrap_or(u64::MAX),
            refunds: u64::try_from(refunds.len()).unwrap_or(u64::MAX),
        })
    }

    async fn backlog(&self, now: i64) -> Result<Backlog, StoreError> {
        let inner = self.lock();
        let due = |next: Option<i64>| next.filter(|at| *at <= now);
        let orders: Vec<i64> = inner
            .orders
            .values()
            .filter_map(|o| due(o.next_query_at))
            .collect();
        let refunds: Vec<i64> = inner
            .refunds
            .values()
            .filter_map(|r| due(r.next_query_at))
            .collect();
        let pending: Vec<i64> = inner
            .events
            .iter()
            .filter(|row| row.event.status == EventStatus::Pending)
            .map(|row| row.event.created_at)
            .collect();
        let count = |v: &Vec<i64>| i64::try_from(v.len()).unwrap_or(i64::MAX);
        let open = inner
            .orders
            .values()
            .filter(|o| o.next_query_at.is_some())
            .count();
        Ok(Backlog {
            open_orders: i64::try_from(open).unwrap_or(i64::MAX),
            due_orders: count(&orders),
            due_refunds: count(&refunds),
            oldest_due_at: orders.iter().chain(&refunds).min().copied(),
            pending_events: count(&pending),
            oldest_pending_event_at: pending.iter().min().copied(),
        })
    }

    async fn stuck(
        &self,
        due_before: i64,
        stored_before: i64,
        limit: i64,
    ) -> Result<Stuck, StoreError> {
        let inner = self.lock();
        let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
        let mut events: Vec<Event> = inner
            .events
            .iter()
            .filter(|row| {
                row.event.status == EventStatus::Pending && row.event.created_at <= stored_before
            })
            .map(|row| row.event.clone())
            .collect();
        events.sort_by_key(|e| (e.created_at, e.id));
        events.truncate(limit);
        Ok(Stuck {
            orders: overdue_rows(&inner.orders, |o| o.next_query_at, due_before, limit),
            refunds: overdue_rows(&inner.refunds, |r| r.next_query_at, due_before, limit),
            events,
        })
    }

    async fn orders(&self, limit: i64) -> Result<Vec<TrackedOrder>, StoreError> {
        let mut orders: Vec<TrackedOrder> = self.lock().orders.values().cloned().collect();
        orders.sort_by_key(|o| std::cmp::Reverse(o.recorded_at));
        orders.truncate(usize::try_from(limit.max(0)).unwrap_or(usize::MAX));
        Ok(orders)
    }

    async fn event_wakeups(&self) -> EventWakeups {
        self.bell.subscribe()
    }

    async fn events(&self, subject: Option<&str>, limit: i64) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .lock()
            .events
            .iter()
            .filter(|row| subject.is_none_or(|s| row.event.outcome.subject() == s))
            .take(usize::try_from(limit.max(0)).unwrap_or(usize::MAX))
            .map(|row| row.event.clone())
            .collect())
    }
}
