//! An in-memory store, for unit tests only: one mutex stands in for the transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::{Delivery, Lease, Store, Transition};
use crate::error::StoreError;
use crate::machine::Change;
use crate::model::{Event, EventStatus, NewEvent, TrackedOrder, TrackedRefund};

#[derive(Debug)]
struct EventRow {
    event: Event,
    next_attempt_at: i64,
    lease_until: Option<i64>,
}

#[derive(Debug, Default)]
struct Inner {
    orders: BTreeMap<String, TrackedOrder>,
    refunds: BTreeMap<String, TrackedRefund>,
    events: Vec<EventRow>,
    keys: HashMap<String, usize>,
}

impl Inner {
    fn store_events(&mut self, events: Vec<NewEvent>, supersede: &[String]) {
        for key in supersede {
            if let Some(row) = self.keys.get(key).and_then(|at| self.events.get_mut(*at))
                && row.event.status == EventStatus::Pending
            {
                row.event.status = EventStatus::Superseded;
            }
        }
        for new in events {
            let key = new.outcome.idempotency_key();
            if self.keys.contains_key(&key) {
                continue;
            }
            let id = i64::try_from(self.events.len())
                .unwrap_or(i64::MAX)
                .saturating_add(1);
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
            });
        }
    }
}

/// Orders, refunds and events in memory (lost on drop). For unit tests only.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Leases due rows of one map; shared by orders and refunds.
fn lease_rows<T: Clone>(
    rows: &mut BTreeMap<String, T>,
    lease: &Lease,
    fields: impl Fn(&mut T) -> (&mut Option<i64>, &mut Option<String>, &mut Option<i64>),
) -> Vec<T> {
    let mut due: Vec<(i64, String)> = rows
        .iter_mut()
        .filter_map(|(id, row)| {
            let (next, _, until) = fields(row);
            let next = (*next)?;
            let free = until.is_none_or(|until| until < lease.now);
            (next <= lease.now && free).then(|| (next, id.clone()))
        })
        .collect();
    due.sort();
    due.truncate(usize::try_from(lease.limit.max(0)).unwrap_or(usize::MAX));
    due.into_iter()
        .filter_map(|(_, id)| {
            let row = rows.get_mut(&id)?;
            let (_, owner, until) = fields(row);
            *owner = Some(lease.owner.clone());
            *until = Some(lease.until);
            Some(row.clone())
        })
        .collect()
}

fn apply<T: Clone>(
    current: &T,
    transition: Transition<'_, T>,
    release: impl Fn(&mut T),
) -> Option<Change<T>> {
    let mut change = transition(current)?;
    release(&mut change.record);
    Some(change)
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
        transition: Transition<'a, TrackedOrder>,
    ) -> Result<Option<TrackedOrder>, StoreError> {
        let mut inner = self.lock();
        let Some(current) = inner.orders.get(app_trans_id) else {
            return Ok(None);
        };
        let Some(change) = apply(current, transition, |order| {
            order.lease_owner = None;
            order.lease_until = None;
        }) else {
            return Ok(None);
        };
        inner
            .orders
            .insert(app_trans_id.to_owned(), change.record.clone());
        inner.store_events(change.events, &change.supersede);
        Ok(Some(change.record))
    }

    async fn lease_orders(&self, lease: &Lease) -> Result<Vec<TrackedOrder>, StoreError> {
        Ok(lease_rows(&mut self.lock().orders, lease, |o| {
            (&mut o.next_poll_at, &mut o.lease_owner, &mut o.lease_until)
        }))
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
        transition: Transition<'a, TrackedRefund>,
    ) -> Result<Option<TrackedRefund>, StoreError> {
        let mut inner = self.lock();
        let Some(current) = inner.refunds.get(m_refund_id) else {
            return Ok(None);
        };
        let Some(change) = apply(current, transition, |refund| {
            refund.lease_owner = None;
            refund.lease_until = None;
        }) else {
            return Ok(None);
        };
        inner
            .refunds
            .insert(m_refund_id.to_owned(), change.record.clone());
        inner.store_events(change.events, &change.supersede);
        Ok(Some(change.record))
    }

    async fn lease_refunds(&self, lease: &Lease) -> Result<Vec<TrackedRefund>, StoreError> {
        Ok(lease_rows(&mut self.lock().refunds, lease, |r| {
            (&mut r.next_poll_at, &mut r.lease_owner, &mut r.lease_until)
        }))
    }

    async fn lease_events(&self, lease: &Lease) -> Result<Vec<Event>, StoreError> {
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
                row.event.attempts = row.event.attempts.saturating_add(1);
                row.event.clone()
            })
            .collect())
    }

    async fn finish_event(&self, id: i64, delivery: Delivery) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(row) = inner
            .events
            .iter_mut()
            .find(|row| row.event.id == id && row.event.status == EventStatus::Pending)
        else {
            return Ok(false);
        };
        row.lease_until = None;
        match delivery {
            Delivery::Done { at } => {
                row.event.status = EventStatus::Done;
                row.event.done_at = Some(at);
            }
            Delivery::RetryAt { at } => row.next_attempt_at = at,
        }
        Ok(true)
    }

    async fn orders(&self, limit: i64) -> Result<Vec<TrackedOrder>, StoreError> {
        let mut orders: Vec<TrackedOrder> = self.lock().orders.values().cloned().collect();
        orders.sort_by_key(|o| std::cmp::Reverse(o.recorded_at));
        orders.truncate(usize::try_from(limit.max(0)).unwrap_or(usize::MAX));
        Ok(orders)
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
