//! One conformance suite for every store back end: memory, SQLite (a real file) and Postgres
//! (a real server; see `scripts/pg-start.sh`).

mod common;

use std::collections::HashSet;

use zalopay_tracker::machine::Change;
use zalopay_tracker::model::NewEvent;
use zalopay_tracker::store::{Delivery, Fence, Lease};
use zalopay_tracker::{
    EventStatus, MemoryStore, OrderState, Outcome, SqlStore, Store, TrackedOrder, TrackedRefund,
};

const T0: i64 = 1_700_000_000_000;

fn order(id: &str, next_query_at: i64) -> TrackedOrder {
    let mut order = TrackedOrder::new(id, 2553, 10_000, T0, T0 + 900_000, T0);
    order.next_query_at = Some(next_query_at);
    order
}

fn lease(owner: &str, now: i64, limit: i64) -> Lease {
    Lease {
        owner: owner.to_owned(),
        now,
        until: now + 60_000,
        limit,
    }
}

fn failed_event(id: &str) -> NewEvent {
    NewEvent {
        outcome: Outcome::Failed {
            app_trans_id: id.to_owned(),
            sub_return_code: Some(-63),
        },
        created_at: T0,
    }
}

/// Ends order `id` as failed with one pending event, under no lease.
async fn fail_with_event<S: Store>(store: &S, id: &str) {
    store
        .update_order(
            id,
            None,
            Box::new(|current: &TrackedOrder| {
                let mut record = current.clone();
                record.state = OrderState::Failed;
                record.next_query_at = None;
                Some(Change {
                    events: vec![failed_event(&record.app_trans_id)],
                    record,
                    supersede: Vec::new(),
                })
            }),
        )
        .await
        .unwrap()
        .unwrap();
}

/// A lease of every pending event, whenever it is due.
fn every_event(owner: &str) -> Lease {
    Lease {
        owner: owner.to_owned(),
        now: i64::MAX - 1,
        until: i64::MAX,
        limit: 10,
    }
}

async fn conformance<S: Store>(store: S) {
    store.migrate().await.unwrap();
    // Record before sending; a second record under the same id changes nothing.
    assert!(store.insert_order(&order("a", T0)).await.unwrap());
    let mut other = order("a", T0);
    other.amount = 1;
    assert!(!store.insert_order(&other).await.unwrap());
    assert_eq!(store.order("a").await.unwrap().unwrap().amount, 10_000);
    assert!(store.order("missing").await.unwrap().is_none());

    // Leases: one owner at a time, until the lease runs out.
    assert!(store.insert_order(&order("b", T0 + 5)).await.unwrap());
    assert!(store.insert_order(&order("c", T0 + 120_000)).await.unwrap());
    let first = store
        .lease_orders(&lease("one", T0 + 10, 10))
        .await
        .unwrap();
    let ids: HashSet<String> = first.iter().map(|o| o.app_trans_id.clone()).collect();
    assert_eq!(ids, HashSet::from(["a".to_owned(), "b".to_owned()]));
    assert!(first.iter().all(|o| o.fence.owner == "one"));
    // The lease is the next due time (D-140): leased rows leave the due range.
    let leased_b = store.order("b").await.unwrap().unwrap();
    assert_eq!(leased_b.next_query_at, Some(T0 + 10 + 60_000));
    assert_eq!(leased_b.lease_until, Some(T0 + 10 + 60_000));
    assert!(
        store
            .lease_orders(&lease("two", T0 + 20, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let after_expiry = store
        .lease_orders(&lease("two", T0 + 70_000, 1))
        .await
        .unwrap();
    assert_eq!(after_expiry.len(), 1);
    assert_eq!(after_expiry[0].app_trans_id, "a");
    assert_eq!(after_expiry[0].fence.owner, "two");
    let first_a = first.iter().find(|o| o.app_trans_id == "a").unwrap();
    assert!(after_expiry[0].fence.token > first_a.fence.token);
    let lost = first_a.fence.clone();
    let held = after_expiry[0].fence.clone();

    // Fencing (D-110): the lost lease can neither renew nor write; the write changes nothing
    // and leaves the new owner's lease in place.
    assert!(!store.renew_order("a", &lost, T0 + 999_000).await.unwrap());
    let refused = store
        .update_order(
            "a",
            Some(&lost),
            Box::new(|current: &TrackedOrder| {
                let mut record = current.clone();
                record.state = OrderState::Paid;
                Some(Change::record(record))
            }),
        )
        .await;
    assert!(
        matches!(refused, Err(zalopay_tracker::StoreError::LeaseLost { .. })),
        "{refused:?}"
    );
    let kept = store.order("a").await.unwrap().unwrap();
    assert_eq!(kept.state, OrderState::Creating);
    assert_eq!(kept.lease_owner.as_deref(), Some("two"));
    assert_eq!(kept.lease_until, Some(T0 + 70_000 + 60_000));
    // A write under no lease (a callback) leaves the lease alone.
    store
        .update_order(
            "a",
            None,
            Box::new(|current: &TrackedOrder| {
                let mut record = current.clone();
                record.metadata = r#"{"note":1}"#.to_owned();
                Some(Change::record(record))
            }),
        )
        .await
        .unwrap()
        .unwrap();
    let kept = store.order("a").await.unwrap().unwrap();
    assert_eq!(kept.lease_owner.as_deref(), Some("two"));
    assert_eq!(kept.lease_token, held.token);
    // ... and never moves a leased row back into the due range (D-140).
    let kept = store
        .update_order(
            "a",
            None,
            Box::new(|current: &TrackedOrder| {
                let mut record = current.clone();
                record.next_query_at = Some(T0);
                Some(Change::record(record))
            }),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.next_query_at, Some(T0 + 70_000 + 60_000));
    assert_eq!(
        store.order("a").await.unwrap().unwrap().next_query_at,
        Some(T0 + 70_000 + 60_000)
    );
    // The holder renews; the lease stays the next due time.
    assert!(store.renew_order("a", &held, T0 + 200_000).await.unwrap());
    let renewed = store.order("a").await.unwrap().unwrap();
    assert_eq!(renewed.lease_until, Some(T0 + 200_000));
    assert_eq!(renewed.next_query_at, Some(T0 + 200_000));

    // A transition writes the row and its events in one go, and (under its lease) releases
    // the lease.
    let updated = store
        .update_order(
            "a",
            Some(&held),
            Box::new(|current: &TrackedOrder| {
                let mut record = current.clone();
                record.state = OrderState::Failed;
                record.next_query_at = None;
                Some(Change {
                    record,
                    events: vec![failed_event("a"), failed_event("a")],
                    supersede: Vec::new(),
                })
            }),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.state, OrderState::Failed);
    assert_eq!(updated.lease_owner, None);
    let stored = store.order("a").await.unwrap().unwrap();
    assert_eq!(stored.state, OrderState::Failed);
    assert_eq!(stored.lease_until, None);
    // `None` leaves the row alone.
    assert!(
        store
            .update_order("a", None, Box::new(|_: &TrackedOrder| None))
            .await
            .unwrap()
            .is_none()
    );
    // The same outcome stored again (same idempotency key) is stored once.
    store
        .update_order(
            "a",
            None,
            Box::new(|current: &TrackedOrder| {
                Some(Change {
                    record: current.clone(),
                    events: vec![failed_event("a")],
                    supersede: Vec::new(),
                })
            }),
        )
        .await
        .unwrap();
    let events = store.events(Some("a"), 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].idempotency_key, "order:a:failed");
    assert_eq!(events[0].status, EventStatus::Pending);

    // Events: leased once, retried when the handler failed, never again once done.
    let leased = store.lease_events(&lease("one", T0, 10)).await.unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].event.attempts, 1);
    assert_eq!(leased[0].fence.owner, "one");
    let (id, fence) = (leased[0].event.id, leased[0].fence.clone());
    assert!(
        store
            .lease_events(&lease("two", T0 + 1, 10))
            .await
            .unwrap()
            .is_empty()
    );
    // Only the holder renews or finishes a delivery.
    let stranger = Fence {
        owner: "two".to_owned(),
        token: fence.token,
    };
    assert!(!store.renew_event(id, &stranger, T0 + 1).await.unwrap());
    assert!(
        !store
            .finish_event(id, &stranger, Delivery::Done { at: T0 + 2 })
            .await
            .unwrap()
    );
    assert!(store.renew_event(id, &fence, T0 + 60_000).await.unwrap());
    assert!(
        store
            .finish_event(id, &fence, Delivery::RetryAt { at: T0 + 5_000 })
            .await
            .unwrap()
    );
    assert!(
        store
            .lease_events(&lease("two", T0 + 4_999, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .lease_events(&lease("two", T0 + 5_000, 10))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].event.attempts, 2);
    assert!(again[0].fence.token > fence.token);
    // A delivery whose lease ran out and was handed out again records nothing.
    let late = store
        .lease_events(&lease("one", T0 + 5_000 + 60_001, 10))
        .await
        .unwrap();
    assert_eq!(late.len(), 1);
    assert!(
        !store
            .finish_event(
                again[0].event.id,
                &again[0].fence,
                Delivery::Done { at: T0 + 5_001 }
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.events(Some("a"), 10).await.unwrap()[0].status,
        EventStatus::Pending
    );
    let again = late;
    assert!(
        store
            .finish_event(
                again[0].event.id,
                &again[0].fence,
                Delivery::Done { at: T0 + 5_001 }
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_event(
                again[0].event.id,
                &again[0].fence,
                Delivery::Done { at: T0 + 5_002 }
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .lease_events(&lease("one", T0 + 999_999, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let done = store.events(Some("a"), 10).await.unwrap();
    assert_eq!(done[0].status, EventStatus::Done);
    assert_eq!(done[0].done_at, Some(T0 + 5_001));

    // Superseding: a pending event replaced before it was handed out never is.
    store
        .update_order(
            "b",
            None,
            Box::new(|current: &TrackedOrder| {
                Some(Change {
                    record: current.clone(),
                    events: vec![failed_event("b")],
                    supersede: Vec::new(),
                })
            }),
        )
        .await
        .unwrap();
    store
        .update_order(
            "b",
            None,
            Box::new(|current: &TrackedOrder| {
                Some(Change {
                    record: current.clone(),
                    events: Vec::new(),
                    supersede: vec!["order:b:failed".to_owned()],
                })
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        store.events(Some("b"), 10).await.unwrap()[0].status,
        EventStatus::Superseded
    );
    assert!(
        store
            .lease_events(&lease("one", T0 + 999_999, 10))
            .await
            .unwrap()
            .is_empty()
    );

    let listed = store.orders(10).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(store.events(None, 10).await.unwrap().len(), 2);
}

/// What operators run (issue 24 item 5): shutdown hands leases back so another instance
/// takes the work at once; the backlog report counts due work and pending events.
async fn operations<S: Store>(store: S) {
    store.migrate().await.unwrap();
    for (id, due) in [("s1", T0), ("s2", T0 + 5), ("s3", T0 + 500_000)] {
        assert!(store.insert_order(&order(id, due)).await.unwrap());
    }
    let backlog = store.backlog(T0 + 10).await.unwrap();
    assert_eq!(backlog.open_orders, 3);
    assert_eq!(backlog.due_orders, 2);
    assert_eq!(backlog.due_refunds, 0);
    assert_eq!(backlog.oldest_due_at, Some(T0));
    assert_eq!(backlog.pending_events, 0);
    assert_eq!(backlog.oldest_pending_event_at, None);

    let one = store
        .lease_orders(&lease("one", T0 + 10, 10))
        .await
        .unwrap();
    assert_eq!(one.len(), 2);
    // Leased work is not waiting for a pass, but still open.
    let backlog = store.backlog(T0 + 20).await.unwrap();
    assert_eq!(backlog.due_orders, 0);
    assert_eq!(backlog.oldest_due_at, None);
    assert_eq!(backlog.open_orders, 3);
    assert!(
        store
            .lease_orders(&lease("two", T0 + 20, 10))
            .await
            .unwrap()
            .is_empty()
    );
    // Instance one shuts down: its leases come back, instance two takes them at once.
    assert_eq!(store.release_leases("one", T0 + 20).await.unwrap(), 2);
    assert_eq!(store.release_leases("one", T0 + 20).await.unwrap(), 0);
    let two = store
        .lease_orders(&lease("two", T0 + 20, 10))
        .await
        .unwrap();
    let ids: HashSet<String> = two.iter().map(|o| o.app_trans_id.clone()).collect();
    assert_eq!(ids, HashSet::from(["s1".to_owned(), "s2".to_owned()]));
    // A write still in flight under a handed-back lease is refused.
    let refused = store
        .update_order(
            "s1",
            Some(&one[0].fence),
            Box::new(|current: &TrackedOrder| Some(Change::record(current.clone()))),
        )
        .await;
    assert!(
        matches!(refused, Err(zalopay_tracker::StoreError::LeaseLost { .. })),
        "{refused:?}"
    );
    // A row that was not leased keeps its due time.
    assert_eq!(
        store.order("s3").await.unwrap().unwrap().next_query_at,
        Some(T0 + 500_000)
    );

    // Pending events: counted with the oldest, until handled.
    fail_with_event(&store, "s3").await;
    let backlog = store.backlog(T0 + 30).await.unwrap();
    assert_eq!(backlog.open_orders, 2);
    assert_eq!(backlog.pending_events, 1);
    assert!(backlog.oldest_pending_event_at.is_some());
    let events = store.lease_events(&every_event("one")).await.unwrap();
    assert_eq!(events.len(), 1);
    // Shutdown hands the event back too.
    assert_eq!(store.release_leases("one", T0 + 40).await.unwrap(), 1);
    assert!(
        !store
            .finish_event(
                events[0].event.id,
                &events[0].fence,
                Delivery::Done { at: T0 }
            )
            .await
            .unwrap()
    );
}

/// Late work by id (D-174): overdue orders and refunds, longest overdue first, and old
/// pending events; never a row under a live lease, always one whose lease ran out.
async fn stuck<S: Store>(store: S) {
    store.migrate().await.unwrap();
    for (id, due) in [("late2", T0 + 5), ("late1", T0), ("soon", T0 + 500_000)] {
        assert!(store.insert_order(&order(id, due)).await.unwrap());
    }
    let mut refund = TrackedRefund::new("r1", 2553, 251_001_000_001, 1_000, T0, T0);
    refund.next_query_at = Some(T0 + 1);
    assert!(store.insert_refund(&refund).await.unwrap());
    let ids = |orders: &[TrackedOrder]| {
        orders
            .iter()
            .map(|o| o.app_trans_id.clone())
            .collect::<Vec<_>>()
    };

    let late = store.stuck(T0 + 10, T0 + 10, 10).await.unwrap();
    assert_eq!(ids(&late.orders), ["late1", "late2"]);
    assert_eq!(late.refunds.len(), 1);
    assert_eq!(late.refunds[0].m_refund_id, "r1");
    assert!(late.events.is_empty());
    // The limit keeps the longest overdue.
    assert_eq!(
        ids(&store.stuck(T0 + 10, T0, 1).await.unwrap().orders),
        ["late1"]
    );
    // Nothing is late before its due time.
    assert!(store.stuck(T0 - 1, T0 - 1, 10).await.unwrap().is_empty());

    // A live lease is work under way: not stuck. Its running out makes the row stuck again.
    let leased = store.lease_orders(&lease("one", T0 + 10, 1)).await.unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(
        ids(&store.stuck(T0 + 10, T0, 10).await.unwrap().orders),
        ["late2"]
    );
    let expired = store.stuck(T0 + 60_010, T0, 10).await.unwrap();
    assert_eq!(ids(&expired.orders), ["late2", "late1"]);

    // A pending event is stuck once stored before its limit, and no longer once handled.
    fail_with_event(&store, "soon").await;
    assert!(
        store
            .stuck(T0 - 1, T0 - 1, 10)
            .await
            .unwrap()
            .events
            .is_empty()
    );
    let late = store.stuck(T0 - 1, T0, 10).await.unwrap();
    assert_eq!(late.events.len(), 1);
    assert_eq!(late.events[0].outcome.subject(), "soon");
    let events = store.lease_events(&every_event("one")).await.unwrap();
    assert!(
        store
            .finish_event(
                events[0].event.id,
                &events[0].fence,
                Delivery::Done { at: T0 }
            )
            .await
            .unwrap()
    );
    assert!(store.stuck(T0 - 1, T0, 10).await.unwrap().events.is_empty());
}

#[tokio::test]
async fn memory_store_lists_stuck_work() {
    stuck(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_lists_stuck_work() {
    let path = common::fresh_sqlite("stuck");
    stuck(SqlStore::connect(&path).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_store_lists_stuck_work() {
    let url = common::fresh_postgres("tracker_stuck").await;
    stuck(SqlStore::connect(&url).await.unwrap()).await;
}

/// Retention (D-143): finished rows older than the cut-off go in bounded batches with their
/// events; never an open row, a recent one, or one with a pending event.
async fn retention<S: Store>(store: S) {
    store.migrate().await.unwrap();
    let finish = |id: &'static str, state: OrderState, pending: bool, at: i64| {
        let store = &store;
        async move {
            store
                .update_order(
                    id,
                    None,
                    Box::new(move |current: &TrackedOrder| {
                        let mut record = current.clone();
                        record.state = state;
                        record.next_query_at = None;
                        record.updated_at = at;
                        Some(Change {
                            record,
                            events: if pending {
                                vec![failed_event(id)]
                            } else {
                                Vec::new()
                            },
                            supersede: Vec::new(),
                        })
                    }),
                )
                .await
                .unwrap()
                .unwrap();
        }
    };
    for id in [
        "old1", "old2", "old3", "handled", "waiting", "recent", "open",
    ] {
        assert!(
            store
                .insert_order(&order(id, T0 + 1_000_000))
                .await
                .unwrap()
        );
    }
    for id in ["old1", "old2", "old3"] {
        finish(id, OrderState::Failed, false, T0).await;
    }
    finish("handled", OrderState::Failed, true, T0).await;
    finish("waiting", OrderState::Failed, true, T0).await;
    finish("recent", OrderState::Paid, false, T0 + 100_000).await;
    // "handled"'s event is delivered; "waiting"'s is not.
    let events = store.lease_events(&every_event("one")).await.unwrap();
    let handled = events
        .iter()
        .find(|e| e.event.outcome.subject() == "handled")
        .unwrap();
    assert!(
        store
            .finish_event(handled.event.id, &handled.fence, Delivery::Done { at: T0 })
            .await
            .unwrap()
    );
    store.release_leases("one", T0).await.unwrap();

    // Bounded batches: two, then two, then nothing.
    let cut = T0 + 50_000;
    assert_eq!(store.prune(cut, 2).await.unwrap().orders, 2);
    assert_eq!(store.prune(cut, 2).await.unwrap().orders, 2);
    assert!(store.prune(cut, 2).await.unwrap().is_empty());
    for id in ["old1", "old2", "old3", "handled"] {
        assert!(store.order(id).await.unwrap().is_none(), "{id} pruned");
    }
    assert!(store.events(Some("handled"), 10).await.unwrap().is_empty());
    for id in ["waiting", "recent", "open"] {
        assert!(store.order(id).await.unwrap().is_some(), "{id} kept");
    }
    assert_eq!(store.events(Some("waiting"), 10).await.unwrap().len(), 1);
    assert_eq!(store.backlog(T0).await.unwrap().pending_events, 1);
}

#[tokio::test]
async fn memory_store_prunes_only_finished_rows() {
    retention(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_prunes_only_finished_rows() {
    retention(
        SqlStore::connect(&common::fresh_sqlite("retention"))
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn postgres_store_prunes_only_finished_rows() {
    let url = common::fresh_postgres("tracker_retention").await;
    retention(SqlStore::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn memory_store_hands_back_leases_and_reports_its_backlog() {
    operations(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_hands_back_leases_and_reports_its_backlog() {
    let path = common::fresh_sqlite("operations");
    operations(SqlStore::connect(&path).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_store_hands_back_leases_and_reports_its_backlog() {
    let url = common::fresh_postgres("tracker_operations").await;
    operations(SqlStore::connect(&url).await.unwrap()).await;
}

/// Migrations run apart from start-up (D-144): an instance that does not migrate finds no
/// schema on a fresh database until an operator runs them.
async fn migrations_apart(url: &str) {
    let instance = SqlStore::connect_unmigrated(url).await.unwrap();
    assert!(
        instance.order("m").await.is_err(),
        "no schema before migrating"
    );
    let operator = SqlStore::connect_unmigrated(url).await.unwrap();
    operator.migrate().await.unwrap();
    assert!(instance.insert_order(&order("m", T0)).await.unwrap());
    assert!(instance.order("m").await.unwrap().is_some());
}

#[tokio::test]
async fn sqlite_migrations_run_apart_from_start_up() {
    migrations_apart(&common::fresh_sqlite("migrations_apart")).await;
}

#[tokio::test]
async fn postgres_migrations_run_apart_from_start_up() {
    migrations_apart(&common::fresh_postgres("tracker_migrations_apart").await).await;
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    conformance(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_keeps_the_contract() {
    let path = common::fresh_sqlite("conformance");
    conformance(SqlStore::connect(&path).await.unwrap()).await;
    // Reopening the same file keeps everything (and migrating again is a no-op).
    let reopened = SqlStore::connect(&format!("sqlite:{path}")).await.unwrap();
    assert_eq!(reopened.orders(10).await.unwrap().len(), 3);
}

#[tokio::test]
async fn postgres_store_keeps_the_contract() {
    let url = common::fresh_postgres("tracker_conformance").await;
    conformance(SqlStore::connect(&url).await.unwrap()).await;
}

/// Two instances leasing the same table at the same time get disjoint rows, and together
/// all of them (`FOR UPDATE SKIP LOCKED`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_lease_disjoint_rows() {
    let url = common::fresh_postgres("tracker_leases").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    for n in 0..2000 {
        assert!(
            one.insert_order(&order(&format!("o{n}"), T0))
                .await
                .unwrap()
        );
    }
    let take = |store: SqlStore, owner: &'static str| async move {
        let mut got = Vec::new();
        loop {
            let batch = store.lease_orders(&lease(owner, T0 + 1, 37)).await.unwrap();
            if batch.is_empty() {
                return got;
            }
            got.extend(batch.into_iter().map(|o| o.app_trans_id));
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(take(one, "one")),
        tokio::spawn(take(two, "two"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(!a.is_empty() && !b.is_empty(), "both instances got work");
    let a: HashSet<String> = a.into_iter().collect();
    let b: HashSet<String> = b.into_iter().collect();
    assert!(a.is_disjoint(&b));
    assert_eq!(a.len() + b.len(), 2000);
}
