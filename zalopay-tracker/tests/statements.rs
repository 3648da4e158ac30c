//! The statements a callback sends, as sqlx reports them (D-150): paying an open order is
//! one transaction (read the row under its lock, update it and insert the event: two
//! statements on SQLite, one on Postgres) in which every write changes a row, and a
//! duplicate callback writes nothing, on SQLite and Postgres.
//! One test per binary: the statement log is process-wide.

mod common;

use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;
use zalopay_tracker::{
    Backend, CallbackOutcome, OrderState, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig,
};

/// A statement sqlx ran: its text and the rows it changed.
#[derive(Debug, Clone, Default)]
struct Statement {
    sql: String,
    rows_affected: u64,
}

static LOG: Mutex<Vec<Statement>> = Mutex::new(Vec::new());

struct Capture;

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" || field.name() == "db.statement" {
            self.sql.push_str(value);
            self.sql.push(' ');
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "rows_affected" {
            self.rows_affected = value;
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut statement = Statement::default();
            event.record(&mut statement);
            LOG.lock().unwrap().push(statement);
        }
    }
}

/// The statements `work` ran.
async fn statements<F: Future>(work: F) -> (F::Output, Vec<Statement>) {
    LOG.lock().unwrap().clear();
    let out = work.await;
    (out, std::mem::take(&mut *LOG.lock().unwrap()))
}

fn writes(log: &[Statement]) -> Vec<&Statement> {
    log.iter()
        .filter(|s| {
            let sql = s.sql.trim_start().to_ascii_uppercase();
            ["INSERT", "UPDATE", "DELETE", "WITH"]
                .iter()
                .any(|verb| sql.starts_with(verb))
        })
        .collect()
}

fn callback(id: &str) -> String {
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": id, "app_time": common::START_MS,
        "app_user": "buyer", "amount": 10_000, "embed_data": "{}", "item": "[]",
        "zp_trans_id": 4242, "server_time": common::START_MS + 1, "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    sign_callback(&Keys::new(common::KEY1, common::KEY2).unwrap(), &data, 1)
}

async fn a_callback_writes_only_what_changes(store: SqlStore) {
    let config = zalopay_api::Config::new(
        common::APP_ID,
        Keys::new(common::KEY1, common::KEY2).unwrap(),
        zalopay_api::Environment::Custom("http://127.0.0.1:9".into()),
    );
    let tracker = Tracker::new(
        store,
        zalopay_api::Client::new(config).unwrap(),
        TrackerConfig::new("one"),
    );
    let id = "251201_stmt1";
    let mut order = TrackedOrder::new(
        id,
        common::APP_ID,
        10_000,
        common::START_MS,
        common::START_MS + 900_000,
        common::START_MS,
    );
    order.state = OrderState::Open;
    order.next_query_at = Some(common::START_MS + 60_000);
    assert!(tracker.store().insert_order(&order).await.unwrap());
    let body = callback(id);

    let (outcome, log) = statements(tracker.take_callback(body.as_bytes())).await;
    assert_eq!(outcome.unwrap(), CallbackOutcome::Recorded);
    let reads = log
        .iter()
        .filter(|s| {
            s.sql
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("SELECT")
        })
        .count();
    assert_eq!(reads, 1, "one read, the locked row: {log:#?}");
    let written = writes(&log);
    // Postgres writes the row and the event in one statement (`WITH upd AS (UPDATE …), ins
    // AS (INSERT …)`), SQLite in two.
    let expected = match tracker.store().backend() {
        Backend::Postgres => 1,
        _ => 2,
    };
    assert_eq!(written.len(), expected, "the row and the event: {log:#?}");
    for statement in &written {
        assert!(
            statement.rows_affected >= 1,
            "a write that changed nothing: {statement:#?}"
        );
    }

    // ZaloPay calls again: nothing is written, the event stays one.
    let (outcome, log) = statements(tracker.take_callback(body.as_bytes())).await;
    assert_eq!(outcome.unwrap(), CallbackOutcome::Duplicate);
    assert!(writes(&log).is_empty(), "{log:#?}");
    assert_eq!(tracker.store().events(Some(id), 10).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_writes_only_what_changes_on_sqlite_and_postgres() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture)).unwrap();
    let sqlite = SqlStore::connect(&common::fresh_sqlite("statements"))
        .await
        .unwrap();
    a_callback_writes_only_what_changes(sqlite).await;
    let url = common::fresh_postgres("tracker_statements").await;
    a_callback_writes_only_what_changes(SqlStore::connect(&url).await.unwrap()).await;
}
