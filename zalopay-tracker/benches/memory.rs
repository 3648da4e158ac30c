//! Peak memory of a process that runs scheduling passes over N open orders (issue 24 item 6).
//!
//! Two steps, each its own process, so that the pass's peak RSS is its own:
//!
//! ```sh
//! cargo bench -p zalopay-tracker --all-features --bench memory -- seed URL N
//! cargo bench -p zalopay-tracker --all-features --bench memory -- pass URL N
//! ```
//!
//! `seed` fills a fresh database (a SQLite path, or a Postgres URL whose database it drops and
//! creates) with N open orders, all due, in one SQL statement: no row goes through the process.
//! `pass` connects without migrating and runs what an instance does over them: the backlog
//! report, full polling passes (`Tracker::poll_due`, batches of 1 000, 64 in flight) against a
//! gateway that refuses connections (each query fails at once and its order is rescheduled
//! under its lease), then a lease sweep (`Store::lease_orders` in batches of 1 000) over every
//! order still due, and the backlog again. It prints one table row with the time and the
//! process's peak RSS (`VmHWM`) before and after. `scripts/tracker-memory.sh` runs both steps
//! per size and back end, the pass under `/usr/bin/time -v`.

use std::sync::Arc;
use std::time::Instant;

use zalopay_api::clock::Clock;
use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
use zalopay_tracker::store::Lease;
use zalopay_tracker::{Backend, OrderState, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig};

/// 2025-12-01T12:00:00Z.
const T0: i64 = 1_764_590_400_000;
/// The pass runs at this instant: every seeded order is due.
const NOW: i64 = T0 + 120_000;
/// Full polling passes per run (each at most one batch of 1 000).
const POLL_PASSES: usize = 10;

/// A clock that stands still at [`NOW`].
#[derive(Debug)]
struct Fixed;

impl Clock for Fixed {
    fn now_ms(&self) -> i64 {
        NOW
    }
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "Postgres",
        _ => "SQLite",
    }
}

fn vm_hwm_kib() -> u64 {
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

/// A fresh database for `url`: the SQLite file removed, or the Postgres database dropped and
/// created. The URL of the fresh database.
async fn fresh(url: &str) -> String {
    if Backend::of(url) != Backend::Postgres {
        let path = url.strip_prefix("sqlite:").unwrap_or(url);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (server, db) = base.rsplit_once('/').unwrap();
    sqlx::any::install_default_drivers();
    let admin = format!("{server}/postgres?{query}");
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    url.to_owned()
}

/// N open orders due within one minute before [`NOW`], written by one `INSERT … SELECT`.
async fn seed(url: &str, n: i64) {
    let url = fresh(url).await;
    let store = SqlStore::connect(&url).await.unwrap();
    let mut order = TrackedOrder::new("251201_m0", 2553, 1_000, T0, T0 + 900_000, T0);
    order.state = OrderState::Open;
    order.next_query_at = Some(T0 + 60_000);
    store.insert_order(&order).await.unwrap();
    let series = match store.backend() {
        Backend::Postgres => "generate_series(1, $1) AS s(i)",
        _ => {
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1) \
              SELECT i FROM s) AS s"
        }
    };
    sqlx::query(&format!(
        "INSERT INTO tracked_orders (app_trans_id, app_id, amount, app_time, expire_at, state, \
         next_query_at, error_streak, queries, metadata, recorded_at, updated_at, lease_token) \
         SELECT '251201_m' || s.i, t.app_id, t.amount, t.app_time, t.expire_at, t.state, \
         t.next_query_at - (s.i % 60000), 0, 0, t.metadata, t.recorded_at, t.updated_at, 0 \
         FROM {series}, tracked_orders t WHERE t.app_trans_id = '251201_m0'"
    ))
    .bind(n - 1)
    .execute(store.pool())
    .await
    .unwrap();
    if store.backend() == Backend::Postgres {
        sqlx::query("VACUUM ANALYZE tracked_orders")
            .execute(store.pool())
            .await
            .unwrap();
    }
    let backlog = store.backlog(NOW).await.unwrap();
    assert_eq!((backlog.open_orders, backlog.due_orders), (n, n));
    println!("seeded {n} open orders into {}", name(store.backend()));
}

async fn pass(url: &str, n: i64) {
    let before = vm_hwm_kib();
    let store = SqlStore::connect_unmigrated(url).await.unwrap();
    let label = name(store.backend());
    let config = Config::new(
        2553,
        Keys::new(
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
        )
        .unwrap(),
        // Nothing listens on the discard port: every query fails at once.
        Environment::Custom("http://127.0.0.1:9".into()),
    )
    .with_clock(Arc::new(Fixed))
    .with_retry(RetryPolicy::none());
    let tracker = Tracker::new(
        store,
        Client::new(config).unwrap(),
        TrackerConfig::new("memory")
            .with_batch_size(1_000)
            .with_max_in_flight(64),
    );
    let connected = vm_hwm_kib();
    let started = Instant::now();
    let backlog = tracker.backlog().await.unwrap();
    assert_eq!((backlog.open_orders, backlog.due_orders), (n, n));
    let mut polled = 0;
    for _ in 0..POLL_PASSES {
        polled += tracker.poll_due().await.unwrap().leased;
    }
    let mut swept = 0;
    loop {
        let batch = tracker
            .store()
            .lease_orders(&Lease {
                owner: "sweep".into(),
                now: NOW,
                until: NOW + 120_000,
                limit: 1_000,
            })
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        swept += batch.len();
    }
    assert_eq!(
        i64::try_from(polled + swept).unwrap(),
        n,
        "every order passed once"
    );
    let backlog = tracker.backlog().await.unwrap();
    assert_eq!((backlog.open_orders, backlog.due_orders), (n, 0));
    let took = started.elapsed();
    let peak = vm_hwm_kib();
    println!(
        "| {label} | {n} | {polled} polled, {swept} leased | {:.1} s | {} KiB | {} KiB | {} KiB |",
        took.as_secs_f64(),
        before,
        connected,
        peak,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` adds `--bench`; the step, the URL and N are the other words.
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match words.as_slice() {
        ["seed", url, n] => runtime.block_on(seed(url, n.parse().unwrap())),
        ["pass", url, n] => runtime.block_on(pass(url, n.parse().unwrap())),
        _ => eprintln!("usage: memory seed|pass URL N (see the file's header)"),
    }
}
