//! Scale-out: two tracker instances on one Postgres, 10 000 orders, half the callbacks lost:
//! each order's terminal event exactly once, and no order polled by both at the same time
//! (checked from the emulator's request log).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zalopay_api::ids::AppTransId;

use axum_free::callback_server;
use zalopay_api::order::CreateOrder;
use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
use zalopay_emulator::{
    Emulator, EmulatorConfig, EmulatorState, Faults, ManualClock, OrderState as Books,
};
use zalopay_tracker::{Event, EventHandler, EventStatus, SqlStore, Store, Tracker, TrackerConfig};

const COUNT: usize = 10_000;
const START_MS: i64 = 1_764_590_400_000;
const APP_ID: i64 = 2553;

/// Counts deliveries per idempotency key, across both instances.
#[derive(Clone, Default)]
struct Deliveries(Arc<Mutex<HashMap<String, usize>>>);

impl EventHandler for Deliveries {
    type Error = String;

    async fn handle(&self, event: &Event) -> Result<(), String> {
        *self
            .0
            .lock()
            .unwrap()
            .entry(event.idempotency_key.clone())
            .or_default() += 1;
        Ok(())
    }
}

mod axum_free {
    //! The merchant's callback endpoint, over plain axum.
    use axum::body::Bytes;
    use axum::extract::State;
    use zalopay_tracker::{SqlStore, Tracker};

    pub async fn callback_server(tracker: Tracker<SqlStore>) -> String {
        let app = axum::Router::new()
            .route(
                "/callback",
                axum::routing::post(
                    |State(tracker): State<Tracker<SqlStore>>, body: Bytes| async move {
                        axum::Json(tracker.handle_callback(&body).await)
                    },
                ),
            )
            .with_state(tracker);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/callback")
    }
}

/// The tracker's Postgres test harness: the server CI names, or a throw-away cluster.
#[path = "../../zalopay-tracker/tests/common/pg.rs"]
mod pg;
use pg::fresh_postgres;

fn client(base_url: &str, clock: &ManualClock) -> Client {
    let config = Config::new(
        APP_ID,
        Keys::new(
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
        )
        .unwrap(),
        Environment::Custom(base_url.to_owned()),
    )
    .with_clock(Arc::new(clock.clone()))
    .with_retry(RetryPolicy::none());
    Client::new(config).unwrap()
}

/// Polls until nothing is due for this instance in this instant; the number of queries.
async fn drain(tracker: &Tracker<SqlStore>) -> usize {
    let mut queried = 0;
    loop {
        let pass = tracker.poll_due().await.unwrap();
        queried += pass.queried;
        if pass.leased == 0 {
            return queried;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_ten_thousand_orders_without_overlap() {
    let url = fresh_postgres("tracker_scale_out").await;
    let clock = ManualClock::new(START_MS);
    let state = EmulatorState::with_clock(EmulatorConfig::default(), Arc::new(clock.clone()));
    state
        .set_faults(
            None,
            Faults::default().with_seed(14).with_callback_loss(0.5),
        )
        .unwrap();
    let emulator = Emulator::spawn(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let instances: Vec<Tracker<SqlStore>> = futures_join(["a", "b"].map(|name| {
        let url = url.clone();
        let base = emulator.base_url();
        let clock = clock.clone();
        async move {
            let store = SqlStore::connect(&url).await.unwrap();
            Tracker::new(
                store,
                client(&base, &clock),
                TrackerConfig::new(name)
                    .with_jitter_seed(if name == "a" { 1 } else { 2 })
                    .with_batch_size(100),
            )
        }
    }))
    .await;
    let mut callback_urls = Vec::new();
    for tracker in &instances {
        callback_urls.push(callback_server(tracker.clone()).await);
    }

    let started = std::time::Instant::now();
    // Orders created through both instances, four at a time each.
    let day = AppTransId::with_unique(START_MS, "x")
        .unwrap()
        .date_part()
        .to_owned();
    let mut creators = tokio::task::JoinSet::new();
    for lane in 0..8usize {
        let tracker = instances[lane % 2].clone();
        let callback_url = callback_urls[lane % 2].clone();
        let day = day.clone();
        creators.spawn(async move {
            for n in (lane..COUNT).step_by(8) {
                let id = format!("{day}_so{n}");
                let mut request = CreateOrder::builder()
                    .app_id(APP_ID)
                    .app_trans_id(AppTransId::try_from(&id).unwrap())
                    .app_user("buyer")
                    .amount(1_000)
                    .app_time(START_MS)
                    .description(format!("Order {n}"))
                    .build();
                request.callback_url = Some(callback_url.clone());
                tracker
                    .create_order(&request, &serde_json::json!({}))
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = creators.join_next().await {
        done.unwrap();
    }
    assert_eq!(state.orders().len(), COUNT);
    eprintln!("scale-out: created in {:?}", started.elapsed());

    // Pay 19 in 20 (the rest expire); the emulator loses half the callbacks.
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let mut payers = tokio::task::JoinSet::new();
    for lane in 0..8usize {
        let http = http.clone();
        let base = base.clone();
        let day = day.clone();
        payers.spawn(async move {
            for n in (lane..COUNT).step_by(8).filter(|n| !n.is_multiple_of(20)) {
                let url = format!("{base}/emulator/orders/{day}_so{n}/pay?app_id={APP_ID}");
                let response = http.post(url).send().await.unwrap();
                assert!(response.status().is_success());
            }
        });
    }
    while let Some(done) = payers.join_next().await {
        done.unwrap();
    }

    eprintln!("scale-out: paid in {:?}", started.elapsed());
    // Time moves in 30 s steps; both instances poll and dispatch at the same time.
    let handler = Deliveries::default();
    let mut queries = [0usize; 2];
    let store = SqlStore::connect(&url).await.unwrap();
    for step in 0.. {
        clock.advance(Duration::from_secs(30));
        let (qa, qb) = tokio::join!(drain(&instances[0]), drain(&instances[1]));
        queries[0] += qa;
        queries[1] += qb;
        let (da, db) = tokio::join!(
            instances[0].dispatch(&handler),
            instances[1].dispatch(&handler)
        );
        da.unwrap();
        db.unwrap();
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tracked_orders WHERE state IN ('creating', 'open')",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if open == 0 {
            // Hand out what is left.
            while instances[0].dispatch(&handler).await.unwrap().delivered > 0 {}
            break;
        }
        assert!(step < 200, "{open} orders still open");
    }
    assert!(
        queries[0] > 0 && queries[1] > 0,
        "both instances polled: {queries:?}"
    );

    // Exactly one terminal event per order, handed out exactly once, of the books' kind.
    let events = store.events(None, 1_000_000).await.unwrap();
    assert_eq!(events.len(), COUNT);
    let books: HashMap<String, Books> = state
        .orders()
        .into_iter()
        .map(|o| (o.app_trans_id.clone(), o.state))
        .collect();
    let mut per_order: HashMap<&str, usize> = HashMap::new();
    for event in &events {
        assert_eq!(event.status, EventStatus::Done);
        *per_order.entry(event.outcome.subject()).or_default() += 1;
        let expected = match books[event.outcome.subject()] {
            Books::Paid => "paid",
            _ => "expired",
        };
        assert_eq!(event.outcome.kind(), expected, "{event:?}");
    }
    assert_eq!(per_order.len(), COUNT);
    let deliveries = handler.0.lock().unwrap().clone();
    assert_eq!(deliveries.len(), COUNT);
    assert!(
        deliveries.values().all(|n| *n == 1),
        "an event was handed out twice"
    );

    // No order was being queried by two requests at once.
    let log = state.request_log();
    let mut by_order: BTreeMap<&str, Vec<&zalopay_emulator::RequestRecord>> = BTreeMap::new();
    for record in log.iter().filter(|r| r.operation == "order.query") {
        by_order
            .entry(record.merchant_id.as_deref().unwrap())
            .or_default()
            .push(record);
    }
    let mut checked = 0usize;
    for (id, records) in &by_order {
        for (i, a) in records.iter().enumerate() {
            for b in &records[i + 1..] {
                assert!(!a.overlaps(b), "{id} queried twice at once: {a:?} {b:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > COUNT / 10, "enough pairs compared: {checked}");
    eprintln!(
        "scale-out: queries per instance {queries:?}, {} query requests, {checked} pairs checked",
        log.iter().filter(|r| r.operation == "order.query").count()
    );
    emulator.shutdown().await.unwrap();
}

/// Runs futures together and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: [F; 2]) -> Vec<F::Output> {
    let [a, b] = futures;
    let (a, b) = tokio::join!(a, b);
    vec![a, b]
}
