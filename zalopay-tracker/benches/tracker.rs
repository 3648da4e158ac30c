//! Tracker benchmarks, each as a ratio against a floor measured in the same run (figures in
//! BENCHMARKS.md):
//!
//! * callback ingest on SQLite (and Postgres when `ZALOPAY_TRACKER_PG_URL` is set): verified
//!   callbacks recorded per second by `Tracker::take_callback` (verify with key2, read the row,
//!   run the state machine, write row + event in one transaction) against a bare `INSERT` of
//!   the event plus an `UPDATE` of the same order row;
//! * a scheduling pass over N open, due orders (leasing them all in batches) against a bare
//!   `SELECT` of the due ids, at N = 10 000 and N = `TRACKER_BENCH_LARGE` (default 100 000),
//!   with the peak resident memory it added.
//!
//! `cargo bench -p zalopay-tracker --bench tracker`

use std::time::{Duration, Instant};

use zalopay_api::callback::sign_callback;
use zalopay_api::{Client, Config, Environment, Keys};
use zalopay_tracker::store::Lease;
use zalopay_tracker::{OrderState, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig};

const T0: i64 = 1_764_590_400_000;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

fn keys() -> Keys {
    Keys::new(KEY1, KEY2).unwrap()
}

fn open_order(n: usize) -> TrackedOrder {
    let mut order = TrackedOrder::new(format!("251201_b{n}"), 2553, 1_000, T0, T0 + 900_000, T0);
    order.state = OrderState::Open;
    order.next_poll_at = Some(T0 + 60_000);
    order
}

async fn fresh(name: &str, postgres: Option<&str>) -> SqlStore {
    match postgres {
        Some(admin) => {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(admin).await.unwrap();
            let db = format!("bench_{name}_{}", std::process::id());
            for sql in [
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                format!("CREATE DATABASE {db}"),
            ] {
                sqlx::query(&sql).execute(&pool).await.unwrap();
            }
            let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
            let (server, _) = base.rsplit_once('/').unwrap();
            SqlStore::connect(&format!("{server}/{db}?{query}"))
                .await
                .unwrap()
        }
        None => {
            let path = std::env::temp_dir().join(format!(
                "zalopay-tracker-bench-{name}-{}.db",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&path);
            SqlStore::connect(&path.to_string_lossy()).await.unwrap()
        }
    }
}

async fn insert_orders(store: &SqlStore, n: usize) {
    // One transaction per 1 000 rows would be faster; the tracker's own insert is measured.
    for i in 0..n {
        store.insert_order(&open_order(i)).await.unwrap();
    }
}

/// Callbacks per second through the tracker and through the bare statements.
async fn callback_ingest(label: &str, postgres: Option<&str>, n: usize) -> (f64, f64) {
    let store = fresh(&format!("ingest_{label}"), postgres).await;
    insert_orders(&store, 2 * n).await;
    let pool = store.pool().clone();
    let config = Config::new(
        2553,
        keys(),
        Environment::Custom("http://127.0.0.1:9".into()),
    );
    let tracker = Tracker::new(
        store,
        Client::new(config).unwrap(),
        TrackerConfig::new("bench"),
    );
    let bodies: Vec<String> = (0..n)
        .map(|i| {
            let data = serde_json::json!({
                "app_id": 2553, "app_trans_id": format!("251201_b{i}"), "app_time": T0,
                "app_user": "u", "amount": 1_000, "embed_data": "{}", "item": "[]",
                "zp_trans_id": 1_000_000 + i, "server_time": T0 + 1, "channel": 38,
                "merchant_user_id": "m", "user_fee_amount": 0, "discount_amount": 0
            })
            .to_string();
            sign_callback(&keys(), &data, 1)
        })
        .collect();
    let started = Instant::now();
    for body in &bodies {
        tracker.take_callback(body.as_bytes()).await.unwrap();
    }
    let tracked = started.elapsed();
    // The floor: the same two writes per callback, on the other half of the rows.
    let started = Instant::now();
    for i in n..2 * n {
        let id = format!("251201_b{i}");
        sqlx::query(
            "INSERT INTO tracker_events (idempotency_key, subject, kind, payload, status, \
             attempts, created_at, next_attempt_at) VALUES ($1, $2, 'paid', '{}', 'pending', 0, $3, $3)",
        )
        .bind(format!("order:{id}:paid"))
        .bind(id.clone())
        .bind(T0)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "UPDATE tracked_orders SET state = 'paid', zp_trans_id = $2, next_poll_at = NULL \
             WHERE app_trans_id = $1",
        )
        .bind(id)
        .bind(i64::try_from(i).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    }
    let floor = started.elapsed();
    (per_second(n, tracked), per_second(n, floor))
}

fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

/// Peak resident set of this process, KiB (Linux `VmHWM`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// A full scheduling pass (lease every due order) against a bare SELECT of the due ids.
async fn scheduling_pass(n: usize) -> (Duration, Duration, u64) {
    let store = fresh(&format!("pass_{n}"), None).await;
    insert_orders(&store, n).await;
    let started = Instant::now();
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT app_trans_id FROM tracked_orders WHERE next_poll_at IS NOT NULL \
         AND next_poll_at <= $1 ORDER BY next_poll_at",
    )
    .bind(T0 + 60_000)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), n);
    let floor = started.elapsed();
    let before = peak_rss_kib();
    let started = Instant::now();
    let mut leased = 0;
    loop {
        let batch = store
            .lease_orders(&Lease {
                owner: "bench".into(),
                now: T0 + 60_000,
                until: T0 + 180_000,
                limit: 1_000,
            })
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        leased += batch.len();
    }
    assert_eq!(leased, n);
    (
        started.elapsed(),
        floor,
        peak_rss_kib().saturating_sub(before),
    )
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let postgres = std::env::var("ZALOPAY_TRACKER_PG_URL").ok();
        println!("| benchmark | tracker | floor | ratio |");
        println!("|---|---|---|---|");
        let mut backends = vec![("sqlite", None)];
        if let Some(url) = postgres.as_deref().filter(|_| cfg!(feature = "postgres")) {
            backends.push(("postgres", Some(url)));
        }
        for (label, url) in backends {
            let (tracked, floor) = callback_ingest(label, url, 2_000).await;
            println!(
                "| callback ingest, {label} (2 000 callbacks) | {tracked:.0}/s | {floor:.0}/s (INSERT + UPDATE) | {:.2}x the floor's time |",
                floor / tracked
            );
        }
        let large: usize = std::env::var("TRACKER_BENCH_LARGE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let mut small_time = Duration::ZERO;
        for n in [10_000, large] {
            let (pass, floor, rss) = scheduling_pass(n).await;
            if n == 10_000 {
                small_time = pass;
            }
            println!(
                "| scheduling pass, sqlite, {n} due orders | {:.1} ms, +{rss} KiB peak RSS | {:.1} ms (SELECT ids) | {:.2}x; {:.1}x the 10 000-order pass |",
                pass.as_secs_f64() * 1e3,
                floor.as_secs_f64() * 1e3,
                pass.as_secs_f64() / floor.as_secs_f64(),
                pass.as_secs_f64() / small_time.as_secs_f64()
            );
        }
    });
}
