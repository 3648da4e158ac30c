//! Leases while time passes *during* a pass (issue 22 item 1): a slow gateway, a slow
//! handler, two instances. The test clock runs on its own while the work is in flight, so
//! leases run out in the middle of it unless they are renewed; fencing refuses the writes of
//! a lost lease (D-110).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Bench, create_request, order_id};
use zalopay_emulator::{EmulatorConfig, Faults, ManualClock};
use zalopay_tracker::{Event, EventHandler, SqlStore, Store, Tracker, TrackerConfig};

/// Moves the test clock by `step` every `every` of real time until dropped.
struct ClockDriver {
    stop: Arc<AtomicBool>,
}

impl ClockDriver {
    fn start(clock: ManualClock, step: Duration, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        tokio::spawn(async move {
            while !flag.load(Ordering::SeqCst) {
                tokio::time::sleep(every).await;
                clock.advance(step);
            }
        });
        Self { stop }
    }
}

impl Drop for ClockDriver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Two instances' settings: a 120 s lease that the running clock (200 s per real second)
/// overtakes within 0.6 s of real time; work in flight checks its lease every 2 ms.
fn instance(name: &str) -> TrackerConfig {
    TrackerConfig::new(name)
        .with_jitter_seed(7)
        .with_max_in_flight(2)
        .with_lease(Duration::from_secs(120))
        .with_renew_check(Duration::from_millis(2))
}

/// Orders queried by two instances on one store through a gateway that takes 150 ms (30 s
/// of test time) per query: no two queries of one order overlap in the emulator's log.
async fn no_order_is_queried_twice_at_once<S: Store + Clone>(one: S, two: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let a = Tracker::new(one, bench.client(), instance("one"));
    let b = Tracker::new(two, bench.client(), instance("two"));
    let ids: Vec<String> = (0..12)
        .map(|n| order_id(bench.now(), &format!("slowq{n}")))
        .collect();
    for id in &ids {
        a.create_order(
            &create_request(id, 10_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    }
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_latency_ms(150)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(70);
    let driver = ClockDriver::start(
        bench.clock.clone(),
        Duration::from_secs(1),
        Duration::from_millis(5),
    );
    let run = |tracker: Tracker<S>| async move {
        let (mut queried, mut lost) = (0, 0);
        let until = std::time::Instant::now() + Duration::from_millis(1500);
        while std::time::Instant::now() < until {
            let pass = tracker.poll_due().await.unwrap();
            queried += pass.queried;
            lost += pass.lease_lost;
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        (queried, lost)
    };
    let ((queried_a, lost_a), (queried_b, lost_b)) = tokio::join!(run(a), run(b));
    drop(driver);
    let queries: Vec<_> = bench
        .emulator
        .state()
        .request_log()
        .into_iter()
        .filter(|r| r.operation == "order.query")
        .collect();
    assert!(
        queries.len() >= ids.len(),
        "every order was queried: {} queries",
        queries.len()
    );
    assert_eq!(queried_a + queried_b + lost_a + lost_b, queries.len());
    let mut overlapping = Vec::new();
    for (i, x) in queries.iter().enumerate() {
        for y in &queries[i + 1..] {
            if x.merchant_id == y.merchant_id && x.overlaps(y) {
                overlapping.push((x.merchant_id.clone(), x.seq, y.seq));
            }
        }
    }
    assert_eq!(
        overlapping,
        Vec::new(),
        "queries of one order in flight at once"
    );
    assert_eq!(lost_a + lost_b, 0, "a lease ran out while its query ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_slow_gateway_two_instances_never_query_one_order_at_once() {
    let store = SqlStore::connect(&common::fresh_sqlite("slowq"))
        .await
        .unwrap();
    no_order_is_queried_twice_at_once(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_slow_gateway_two_instances_never_query_one_order_at_once() {
    let url = common::fresh_postgres("tracker_slow_gateway").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    no_order_is_queried_twice_at_once(one, two).await;
}

/// A handler that takes 100 ms (20 s of test time) per event and notes every delivery that
/// starts while another delivery of the same event is still running.
#[derive(Default, Clone)]
struct SlowHandler {
    running: Arc<Mutex<HashSet<String>>>,
    concurrent: Arc<Mutex<Vec<String>>>,
    deliveries: Arc<Mutex<HashMap<String, usize>>>,
}

impl EventHandler for SlowHandler {
    type Error = String;

    async fn handle(&self, event: &Event) -> Result<(), String> {
        let key = event.idempotency_key.clone();
        *self
            .deliveries
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default() += 1;
        if !self.running.lock().unwrap().insert(key.clone()) {
            self.concurrent.lock().unwrap().push(key.clone());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.running.lock().unwrap().remove(&key);
        Ok(())
    }
}

/// Twelve events handed out by two instances to a slow handler: none is delivered twice at
/// the same time, each exactly once.
async fn no_event_is_delivered_twice_at_once<S: Store + Clone>(one: S, two: S) {
    let bench = Bench::with_faults(Faults::default().with_callback_loss(1.0)).await;
    let a = Tracker::new(one, bench.client(), instance("one"));
    let b = Tracker::new(two, bench.client(), instance("two"));
    let ids: Vec<String> = (0..12)
        .map(|n| order_id(bench.now(), &format!("slowh{n}")))
        .collect();
    for id in &ids {
        a.create_order(
            &create_request(id, 10_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
        // Paid, so the first poll ends each order with an event (a cancel before expiry is no
        // longer final: decision D-101); the callback is lost, so only the poll sees it.
        bench.pay(id).await;
    }
    bench.advance_secs(70);
    assert_eq!(a.poll_due().await.unwrap().finished, ids.len());
    let handler = SlowHandler::default();
    let driver = ClockDriver::start(
        bench.clock.clone(),
        Duration::from_secs(1),
        Duration::from_millis(5),
    );
    let run = |tracker: Tracker<S>, handler: SlowHandler| async move {
        let until = std::time::Instant::now() + Duration::from_millis(2500);
        while std::time::Instant::now() < until {
            tracker.dispatch(&handler).await.unwrap();
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    };
    tokio::join!(run(a, handler.clone()), run(b, handler.clone()));
    drop(driver);
    assert_eq!(
        *handler.concurrent.lock().unwrap(),
        Vec::<String>::new(),
        "events delivered twice at the same time"
    );
    let deliveries = handler.deliveries.lock().unwrap().clone();
    assert_eq!(deliveries.len(), ids.len());
    assert!(
        deliveries.values().all(|n| *n == 1),
        "each event once: {deliveries:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_slow_handler_two_instances_never_deliver_one_event_at_once() {
    let store = SqlStore::connect(&common::fresh_sqlite("slowh"))
        .await
        .unwrap();
    no_event_is_delivered_twice_at_once(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_slow_handler_two_instances_never_deliver_one_event_at_once() {
    let url = common::fresh_postgres("tracker_slow_handler").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    no_event_is_delivered_twice_at_once(one, two).await;
}

/// An instance that cannot renew (its checks come too late) loses its lease while its query
/// runs; another instance takes the order. The late answer is not written, and the new
/// owner's lease stays in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_of_a_lost_lease_is_not_written() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let store = SqlStore::connect(&common::fresh_sqlite("lost"))
        .await
        .unwrap();
    let config = |name: &str| {
        TrackerConfig::new(name)
            .with_jitter_seed(7)
            .with_lease(Duration::from_secs(120))
    };
    let a = Tracker::new(store.clone(), bench.client(), config("one"));
    let b = Tracker::new(store.clone(), bench.client(), config("two"));
    let id = order_id(bench.now(), "lostw");
    a.create_order(
        &create_request(&id, 10_000, bench.now(), None),
        &serde_json::json!({}),
    )
    .await
    .unwrap();
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_latency_ms(400)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(70);
    let first = tokio::spawn({
        let a = a.clone();
        async move { a.poll_due().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The lease of `one` runs out while its query is in flight; `two` takes the order.
    bench.advance_secs(130);
    let second = tokio::spawn({
        let b = b.clone();
        async move { b.poll_due().await.unwrap() }
    });
    first.await.unwrap();
    let order = store.order(&id).await.unwrap().unwrap();
    assert_eq!(
        order.lease_owner.as_deref(),
        Some("two"),
        "the late writer freed the new owner's lease: {order:?}"
    );
    assert_eq!(order.queries, 0, "the answer of a lost lease was written");
    let pass = second.await.unwrap();
    assert_eq!(pass.queried, 1);
    let order = store.order(&id).await.unwrap().unwrap();
    assert_eq!(order.queries, 1);
    assert_eq!(order.lease_owner, None);
}

/// Graceful shutdown (issue 24 item 5, D-141): an instance stopped while its queries are in
/// flight hands its leases back, so another instance takes every one of its orders at once,
/// without waiting for the leases to run out; the stopped instance writes nothing.
async fn shutdown_hands_the_orders_to_another_instance<S: Store + Clone>(one: S, two: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let a = Tracker::new(one, bench.client(), instance("one").with_max_in_flight(12));
    let b = Tracker::new(two, bench.client(), instance("two").with_max_in_flight(12));
    let ids: Vec<String> = (0..6)
        .map(|n| order_id(bench.now(), &format!("stop{n}")))
        .collect();
    for id in &ids {
        a.create_order(
            &create_request(id, 10_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    }
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_latency_ms(2_000)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(70);
    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = Arc::clone(&stop);
    let running = {
        let a = a.clone();
        tokio::spawn(async move {
            a.run(
                &SlowHandler::default(),
                Duration::from_millis(10),
                async move {
                    stopped.notified().await;
                },
            )
            .await;
        })
    };
    // Wait until instance one holds all six leases (its queries hang for 2 s).
    let mut held = 0;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        held = 0;
        for id in &ids {
            let order = a.store().order(id).await.unwrap().unwrap();
            held += usize::from(order.lease_owner.as_deref() == Some("one"));
        }
        if held == ids.len() {
            break;
        }
    }
    assert_eq!(held, ids.len(), "instance one leased every order");
    // Instance two finds nothing while the leases are held (the clock stands still).
    assert_eq!(b.backlog().await.unwrap().due_orders, 0);
    stop.notify_one();
    tokio::time::timeout(Duration::from_secs(1), running)
        .await
        .expect("shutdown stops the pass under way")
        .unwrap();
    assert_eq!(b.backlog().await.unwrap().due_orders, 6);
    bench
        .emulator
        .state()
        .set_faults(None, Faults::default())
        .unwrap();
    // Same instant: nothing ran out, the leases were handed back.
    let pass = b.poll_due().await.unwrap();
    assert_eq!(pass.leased, ids.len());
    assert_eq!(pass.queried, ids.len());
    for id in &ids {
        let order = b.store().order(id).await.unwrap().unwrap();
        assert_eq!(order.queries, 1, "only instance two's answer was written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_shutdown_hands_the_orders_to_another_instance() {
    let store = SqlStore::connect(&common::fresh_sqlite("stop"))
        .await
        .unwrap();
    shutdown_hands_the_orders_to_another_instance(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_shutdown_hands_the_orders_to_another_instance() {
    let url = common::fresh_postgres("tracker_stop").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    shutdown_hands_the_orders_to_another_instance(one, two).await;
}
