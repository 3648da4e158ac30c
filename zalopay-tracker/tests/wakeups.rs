//! Events reach the handler without waiting for a pass (D-151): with the poll tick set to an
//! hour, a callback's event is handled at once, in one process (SQLite, and the memory
//! store) and across instances on Postgres (LISTEN/NOTIFY), also after the listener's
//! connection was cut.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::Recorder;
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;
use zalopay_tracker::{
    CallbackOutcome, MemoryStore, OrderState, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig,
};

const HOUR: Duration = Duration::from_secs(3_600);

fn tracker<S: Store>(store: S, instance: &str) -> Tracker<S> {
    let config = zalopay_api::Config::new(
        common::APP_ID,
        Keys::new(common::KEY1, common::KEY2).unwrap(),
        // Nothing is sent: every order here is paid by its callback.
        zalopay_api::Environment::Custom("http://127.0.0.1:9".into()),
    );
    Tracker::new(
        store,
        zalopay_api::Client::new(config).unwrap(),
        TrackerConfig::new(instance),
    )
}

/// An open order, first due in an hour (no poll pass finds it meanwhile).
async fn open_order<S: Store>(tracker: &Tracker<S>, id: &str) {
    let mut order = TrackedOrder::new(
        id,
        common::APP_ID,
        10_000,
        common::START_MS,
        common::START_MS + 900_000,
        common::START_MS,
    );
    order.state = OrderState::Open;
    order.next_query_at = Some(tracker.now_ms() + 3_600_000);
    assert!(tracker.store().insert_order(&order).await.unwrap());
}

async fn pay<S: Store>(tracker: &Tracker<S>, id: &str) {
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": id, "app_time": common::START_MS,
        "app_user": "buyer", "amount": 10_000, "embed_data": "{}", "item": "[]",
        "zp_trans_id": 4242, "server_time": common::START_MS + 1, "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    let body = sign_callback(&Keys::new(common::KEY1, common::KEY2).unwrap(), &data, 1);
    assert_eq!(
        tracker.take_callback(body.as_bytes()).await.unwrap(),
        CallbackOutcome::Recorded
    );
}

fn handled(recorder: &Recorder, id: &str) -> bool {
    recorder.keys().contains(&format!("order:{id}:paid"))
}

/// Runs `tracker` with an hour's tick and `recorder` as the handler, until the returned
/// sender is dropped.
fn run<S: Store>(
    tracker: &Tracker<S>,
    recorder: &Arc<Recorder>,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let tracker = tracker.clone();
    let recorder = Arc::clone(recorder);
    tokio::spawn(async move {
        tracker
            .run(recorder.as_ref(), HOUR, async move {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

/// One process: the first event is handled by the run's first pass; the second only
/// because its commit woke the dispatcher (the next tick is an hour away).
async fn a_committed_event_is_handled_at_once<S: Store>(store: S) {
    let tracker = tracker(store, "one");
    let recorder = Arc::new(Recorder::default());
    open_order(&tracker, "251201_wake1").await;
    open_order(&tracker, "251201_wake2").await;
    pay(&tracker, "251201_wake1").await;
    let _running = run(&tracker, &recorder);
    common::eventually("the first pass", || async {
        handled(&recorder, "251201_wake1")
    })
    .await;
    pay(&tracker, "251201_wake2").await;
    common::eventually("the event handled without a tick", || async {
        handled(&recorder, "251201_wake2")
    })
    .await;
    assert_eq!(recorder.keys().len(), 2, "each event handled once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_committed_event_is_handled_at_once() {
    let store = SqlStore::connect(&common::fresh_sqlite("wake"))
        .await
        .unwrap();
    a_committed_event_is_handled_at_once(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_a_committed_event_is_handled_at_once() {
    a_committed_event_is_handled_at_once(MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_committed_event_is_handled_at_once() {
    let url = common::fresh_postgres("tracker_wake").await;
    a_committed_event_is_handled_at_once(SqlStore::connect(&url).await.unwrap()).await;
}

/// The backend pids listening for events in database `db`.
async fn listeners(admin: &sqlx::AnyPool, db: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT pid::int8 FROM pg_stat_activity WHERE datname = $1 \
         AND query LIKE 'LISTEN %zalopay_tracker_events%'",
    )
    .bind(db)
    .fetch_all(admin)
    .await
    .unwrap()
}

/// Two instances on one Postgres: a callback taken by one (which runs no dispatcher) is
/// handled by the other at once, through LISTEN/NOTIFY; again after the listener's
/// connection was cut (it reconnects, and what it may have missed is looked for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_event_committed_by_another_instance_is_handled_at_once() {
    let url = common::fresh_postgres("tracker_wake_two").await;
    let db = url
        .rsplit_once('/')
        .unwrap()
        .1
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let admin = sqlx::AnyPool::connect(&url).await.unwrap();
    let one = tracker(SqlStore::connect(&url).await.unwrap(), "one");
    let two = tracker(SqlStore::connect(&url).await.unwrap(), "two");
    for id in ["251201_far1", "251201_far2", "251201_far3"] {
        open_order(&one, id).await;
    }
    let recorder = Arc::new(Recorder::default());
    let _running = run(&two, &recorder);
    common::eventually("instance two listening", || async {
        !listeners(&admin, &db).await.is_empty()
    })
    .await;
    // Past the first pass, and past the wakeup a fresh listener gives itself.
    tokio::time::sleep(Duration::from_millis(200)).await;

    pay(&one, "251201_far1").await;
    common::eventually("instance two handles instance one's event", || async {
        handled(&recorder, "251201_far1")
    })
    .await;

    // Cut the listener's connection: events committed while it is down are found when it
    // is back, and the next ones are announced again.
    for pid in listeners(&admin, &db).await {
        sqlx::query("SELECT pg_terminate_backend($1::int4)::int4")
            .bind(pid)
            .execute(&admin)
            .await
            .unwrap();
    }
    pay(&one, "251201_far2").await;
    common::eventually(
        "the event committed while the listener was down",
        || async { handled(&recorder, "251201_far2") },
    )
    .await;
    common::eventually("instance two listening again", || async {
        !listeners(&admin, &db).await.is_empty()
    })
    .await;
    pay(&one, "251201_far3").await;
    common::eventually("the next event after the reconnection", || async {
        handled(&recorder, "251201_far3")
    })
    .await;
    assert_eq!(recorder.keys().len(), 3, "each event handled once");
}
