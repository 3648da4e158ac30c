//! Tracker benchmarks, each as a ratio against a floor measured in the same run (figures in
//! BENCHMARKS.md):
//!
//! * callback ingest on SQLite (and Postgres when `ZALOPAY_TRACKER_PG_URL` is set): verified
//!   callbacks recorded per second by `Tracker::take_callback` (verify with key2, run the state
//!   machine on the locked row, write row + event in one transaction) against the same
//!   transaction written by hand (begin; select, `FOR UPDATE` on Postgres; update; insert the
//!   event; commit), 5 000 of each, the two alternating in 20 rounds in the same run (each
//!   going first in every other round);
//! * a scheduling pass over N open, due orders (leasing them all in batches of 1 000) against
//!   the write floor, a bare `UPDATE ... RETURNING id` moving the same rows out of the due
//!   range in the same batches, on SQLite and Postgres, at the sizes in `TRACKER_BENCH_SIZES`
//!   (default `10000,100000`), with the per-row growth and the peak resident memory added;
//!   in two layouts of the due times (`TRACKER_BENCH_LAYOUTS`: `scattered`, due order striding
//!   across the table, and `created`, due order as write order) and `TRACKER_BENCH_ROUNDS`
//!   rounds per size (default 1, at least 5 below 1 000 000; the floor first in even rounds,
//!   second in odd; medians).
//!
//! * callback to handler (D-151): the time from `take_callback` to the handler's call, the
//!   dispatcher running with an hour's tick, 1 000 callbacks one after another; in one process
//!   (SQLite, Postgres) and across two instances on one Postgres (the callback taken by one,
//!   the handler run by the other); p50, p99, max.
//!
//! `TRACKER_BENCH_ONLY=ingest,latency,scheduling` picks groups (all by default);
//! `TRACKER_BENCH_SKIP_INGEST=1` runs the scheduling pass only.
//!
//! `cargo bench -p zalopay-tracker --all-features --bench tracker`

use std::time::{Duration, Instant};

use sqlx::Row;
use zalopay_api::callback::sign_callback;
use zalopay_api::{Client, Config, Environment, Keys};
use zalopay_tracker::store::Lease;
use zalopay_tracker::{
    Backend, Event, EventHandler, OrderState, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig,
};

const T0: i64 = 1_764_590_400_000;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

fn keys() -> Keys {
    Keys::new(KEY1, KEY2).unwrap()
}

fn open_order(n: usize) -> TrackedOrder {
    let mut order = TrackedOrder::new(format!("251201_b{n}"), 2553, 1_000, T0, T0 + 900_000, T0);
    order.state = OrderState::Open;
    order.next_query_at = Some(T0 + 60_000);
    order
}

/// The URL of the Postgres bench database `name` ([`fresh`] makes it).
fn store_url(name: &str, admin: &str) -> String {
    let db = format!("bench_{name}_{}", std::process::id());
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{db}?{query}")
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
            SqlStore::connect(&store_url(name, admin)).await.unwrap()
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

/// The signed payment callback of order `251201_b{i}`.
fn paid_callback(i: usize) -> String {
    let data = serde_json::json!({
        "app_id": 2553, "app_trans_id": format!("251201_b{i}"), "app_time": T0,
        "app_user": "u", "amount": 1_000, "embed_data": "{}", "item": "[]",
        "zp_trans_id": 1_000_000 + i, "server_time": T0 + 1, "channel": 38,
        "merchant_user_id": "m", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    sign_callback(&keys(), &data, 1)
}

/// The floor's transaction for order `251201_b{i}`, written by hand.
async fn floor_callback(pool: &sqlx::AnyPool, for_update: &str, i: usize) {
    let id = format!("251201_b{i}");
    let mut tx = pool.begin().await.unwrap();
    let row = sqlx::query(&format!(
        "SELECT state, amount FROM tracked_orders WHERE app_trans_id = $1{for_update}"
    ))
    .bind(id.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let amount: i64 = row.get("amount");
    sqlx::query(
        "UPDATE tracked_orders SET state = 'paid', zp_trans_id = $2, paid_amount = $3, \
         confirmed_by = 'callback', next_query_at = NULL, updated_at = $4 \
         WHERE app_trans_id = $1",
    )
    .bind(id.as_str())
    .bind(i64::try_from(i).unwrap())
    .bind(amount)
    .bind(T0)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tracker_events (idempotency_key, subject, kind, payload, status, \
         attempts, created_at, next_attempt_at) VALUES ($1, $2, 'paid', $3, 'pending', 0, $4, $4)",
    )
    .bind(format!("order:{id}:paid"))
    .bind(id.as_str())
    .bind(format!(
        r#"{{"kind":"paid","app_trans_id":"{id}","amount":{amount}}}"#
    ))
    .bind(T0)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Callbacks per second through the tracker and through the floor: the same transaction
/// written by hand (begin; read the row under a lock, which on SQLite the single writer's
/// transaction is; update it; insert the event; commit). The two alternate in rounds of
/// `n / ROUNDS`, each going first in every other round, so that both see the same load of a
/// shared machine.
async fn callback_ingest(label: &str, postgres: Option<&str>, n: usize) -> (f64, f64) {
    const ROUNDS: usize = 20;
    let store = fresh(&format!("ingest_{label}"), postgres).await;
    insert_orders(&store, 2 * n).await;
    let pool = store.pool().clone();
    let for_update = if postgres.is_some() {
        " FOR UPDATE"
    } else {
        ""
    };
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
    let bodies: Vec<String> = (0..n).map(paid_callback).collect();
    let per_round = n.div_ceil(ROUNDS);
    let (mut tracked, mut floor) = (Duration::ZERO, Duration::ZERO);
    for round in 0..ROUNDS {
        let range = (round * per_round).min(n)..((round + 1) * per_round).min(n);
        // Alternate which goes first, so that neither always follows the other's writes.
        for tracker_turn in [round % 2 == 0, round % 2 == 1] {
            if tracker_turn {
                let started = Instant::now();
                for body in &bodies[range.clone()] {
                    tracker.take_callback(body.as_bytes()).await.unwrap();
                }
                tracked += started.elapsed();
                continue;
            }
            // The floor, on the other half of the rows.
            let started = Instant::now();
            for i in range.start + n..range.end + n {
                floor_callback(&pool, for_update, i).await;
            }
            floor += started.elapsed();
        }
    }
    (per_second(n, tracked), per_second(n, floor))
}

/// Tells the bench when each event reached the handler.
struct Stopwatch(tokio::sync::mpsc::UnboundedSender<(String, Instant)>);

impl EventHandler for Stopwatch {
    type Error = String;

    async fn handle(&self, event: &Event) -> Result<(), String> {
        let _ = self.0.send((event.idempotency_key.clone(), Instant::now()));
        Ok(())
    }
}

/// Callback to handler, ms, for `n` callbacks taken one after another by `taker`, whose
/// events are handled by `runner` running with an hour's tick (so only a wakeup brings the
/// handler): the same tracker (one process) or another instance on the same database.
/// Returns the sorted latencies.
async fn callback_to_handler(
    taker: &Tracker<SqlStore>,
    runner: &Tracker<SqlStore>,
    first: usize,
    n: usize,
) -> Vec<f64> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = {
        let runner = runner.clone();
        tokio::spawn(async move {
            runner
                .run(&Stopwatch(tx), Duration::from_secs(3_600), async move {
                    let _ = stopped.await;
                })
                .await;
        })
    };
    // Let the runner start (and, on Postgres, listen) before the first callback.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::with_capacity(n);
    for i in first..first + n {
        let body = paid_callback(i);
        let started = Instant::now();
        taker.take_callback(body.as_bytes()).await.unwrap();
        let key = format!("order:251201_b{i}:paid");
        loop {
            let (handled, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("the handler ran within 30 s")
                .unwrap();
            if handled == key {
                latencies.push(at.duration_since(started).as_secs_f64() * 1e3);
                break;
            }
        }
    }
    drop(stop);
    running.await.unwrap();
    latencies.sort_by(f64::total_cmp);
    latencies
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn bench_tracker(store: SqlStore, instance: &str) -> Tracker<SqlStore> {
    let config = Config::new(
        2553,
        keys(),
        Environment::Custom("http://127.0.0.1:9".into()),
    );
    Tracker::new(
        store,
        Client::new(config).unwrap(),
        TrackerConfig::new(instance),
    )
}

/// Prints the latency rows of one back end: one process, and (Postgres) across instances.
async fn latency(label: &str, postgres: Option<&str>, n: usize) {
    let store = fresh(&format!("latency_{label}"), postgres).await;
    // Not due: no poll pass runs meanwhile (the orders' times are in the past of the
    // system clock the bench's tracker reads).
    for i in 0..2 * n {
        let mut order = open_order(i);
        order.next_query_at = None;
        store.insert_order(&order).await.unwrap();
    }
    let one = bench_tracker(store.clone(), "one");
    let mut rows = vec![(
        "one process",
        50.0,
        callback_to_handler(&one, &one, 0, n).await,
    )];
    if let Some(admin) = postgres {
        // Another instance: its own pool and listener on the same database.
        let url = store_url(&format!("latency_{label}"), admin);
        let two = bench_tracker(SqlStore::connect(&url).await.unwrap(), "two");
        rows.push((
            "across instances",
            200.0,
            callback_to_handler(&one, &two, n, n).await,
        ));
    }
    for (what, target, sorted) in rows {
        let p99 = percentile(&sorted, 0.99);
        println!(
            "| callback to handler, {label}, {what} ({n} callbacks, tick 1 h) | p50 {:.1} ms, p99 {p99:.1} ms, max {:.1} ms | target p99 ≤ {target:.0} ms | {} |",
            percentile(&sorted, 0.5),
            sorted[sorted.len() - 1],
            if p99 <= target { "met" } else { "missed" },
        );
    }
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

/// Adds `n` open orders due between `T0` and `T0 + 60 s` in one statement (copies of one
/// order the tracker recorded, so the rows are the tracker's own shape).
/// How the due times of the bulk orders lie against the order the rows were written in.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// Due order strides across the table (row i due at `- (i % 60 000)` ms): every row of a
    /// batch of 1 000 sits on another table page, the worst case for the page cache.
    Scattered,
    /// Due order is write order (row i due at `-60 000 + i * 60 000 / N` ms), as when orders
    /// are created one after another and each is first queried a minute later.
    Created,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Scattered => "scattered",
            Layout::Created => "created",
        }
    }

    fn due_offset(self) -> &'static str {
        match self {
            Layout::Scattered => "t.next_query_at - (s.i % 60000)",
            Layout::Created => "t.next_query_at - 60000 + (s.i * 60000 / $1)",
        }
    }
}

async fn bulk_orders(store: &SqlStore, n: usize, layout: Layout) {
    store.insert_order(&open_order(0)).await.unwrap();
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
         SELECT '251201_b' || s.i, t.app_id, t.amount, t.app_time, t.expire_at, t.state, \
         {}, 0, 0, t.metadata, t.recorded_at, t.updated_at, 0 \
         FROM {series}, tracked_orders t WHERE t.app_trans_id = '251201_b0'",
        layout.due_offset()
    ))
    .bind(i64::try_from(n).unwrap() - 1)
    .execute(store.pool())
    .await
    .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tracked_orders")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(count, i64::try_from(n).unwrap());
    if store.backend() == Backend::Postgres {
        sqlx::query("VACUUM ANALYZE tracked_orders")
            .execute(store.pool())
            .await
            .unwrap();
    }
}

/// The write floor: a bare `UPDATE ... RETURNING id` moving every due row out of the due
/// range in batches of 1 000, on a fresh table of `n` bulk orders.
async fn floor_pass(
    name: &str,
    postgres: Option<&str>,
    n: usize,
    layout: Layout,
    now: i64,
) -> Duration {
    let floor_store = fresh(name, postgres).await;
    bulk_orders(&floor_store, n, layout).await;
    let started = Instant::now();
    let mut moved = 0;
    loop {
        // As the tracker writes it on each backend: Postgres plans `IN (subquery)` as a scan
        // of the whole table from about 100 000 rows, `= ANY(ARRAY(subquery))` through the key.
        let due = "SELECT app_trans_id FROM tracked_orders WHERE next_query_at IS NOT NULL \
                   AND next_query_at <= $2 ORDER BY next_query_at LIMIT 1000";
        let among = if postgres.is_some() {
            format!("= ANY(ARRAY({due} FOR UPDATE SKIP LOCKED))")
        } else {
            format!("IN ({due})")
        };
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "UPDATE tracked_orders SET next_query_at = $1 WHERE app_trans_id {among} \
             RETURNING app_trans_id"
        ))
        .bind(now + 120_000)
        .bind(now)
        .fetch_all(floor_store.pool())
        .await
        .unwrap();
        if ids.is_empty() {
            break;
        }
        moved += ids.len();
    }
    assert_eq!(moved, n);
    started.elapsed()
}

/// A full scheduling pass (lease every due order in batches of 1 000) against the write
/// floor ([`floor_pass`]) on an identical copy of the table, the floor first or second.
/// Returns (pass, floor, added peak RSS KiB).
async fn scheduling_pass(
    label: &str,
    postgres: Option<&str>,
    n: usize,
    layout: Layout,
    round: usize,
) -> (Duration, Duration, u64) {
    let now = T0 + 60_000;
    let name = format!("{label}_{}_{n}_{round}", layout.name());
    let floor_first = round.is_multiple_of(2);
    let mut floor = Duration::ZERO;
    if floor_first {
        floor = floor_pass(&format!("floor_{name}"), postgres, n, layout, now).await;
    }
    let store = fresh(&format!("pass_{name}"), postgres).await;
    bulk_orders(&store, n, layout).await;
    let before = peak_rss_kib();
    let started = Instant::now();
    let mut leased = 0;
    loop {
        let batch = store
            .lease_orders(&Lease {
                owner: "bench".into(),
                now,
                until: now + 120_000,
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
    let pass = started.elapsed();
    let rss = peak_rss_kib().saturating_sub(before);
    drop(store);
    if !floor_first {
        floor = floor_pass(&format!("floor_{name}"), postgres, n, layout, now).await;
    }
    (pass, floor, rss)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
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
        // Which groups run: `TRACKER_BENCH_ONLY` (comma separated: ingest, scheduling);
        // all by default. `TRACKER_BENCH_SKIP_INGEST=1` is `TRACKER_BENCH_ONLY=scheduling`.
        let only = std::env::var("TRACKER_BENCH_ONLY").ok();
        let runs = |group: &str| match &only {
            Some(only) => only.split(',').any(|g| g.trim() == group),
            None => group != "ingest" || std::env::var_os("TRACKER_BENCH_SKIP_INGEST").is_none(),
        };
        for (label, url) in backends.iter().filter(|_| runs("ingest")) {
            let (tracked, floor) = callback_ingest(label, *url, 5_000).await;
            println!(
                "| callback ingest, {label} (5 000 callbacks) | {tracked:.0}/s | {floor:.0}/s (begin; select{}; update; insert event; commit) | {:.2}x the floor's time |",
                if *label == "postgres" { " for update" } else { "" },
                floor / tracked
            );
        }
        for (label, url) in backends.iter().filter(|_| runs("latency")) {
            latency(label, *url, 1_000).await;
        }
        // Sizes of the scheduling pass, comma separated (default 10 000 and 100 000).
        let sizes: Vec<usize> = std::env::var("TRACKER_BENCH_SIZES")
            .ok()
            .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![10_000, 100_000]);
        // Layouts of the due times (`scattered`, `created`; both by default) and rounds per
        // size (the floor goes first in even rounds, second in odd ones; medians printed).
        let layouts: Vec<Layout> = std::env::var("TRACKER_BENCH_LAYOUTS")
            .unwrap_or_else(|_| "scattered,created".to_owned())
            .split(',')
            .filter_map(|l| match l.trim() {
                "scattered" => Some(Layout::Scattered),
                "created" => Some(Layout::Created),
                _ => None,
            })
            .collect();
        let rounds: usize = std::env::var("TRACKER_BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .max(1);
        for (label, url) in backends.iter().filter(|_| runs("scheduling")) {
            for &layout in &layouts {
                let mut first_per_row = None;
                for &n in &sizes {
                    let (mut passes, mut floors, mut peak) = (Vec::new(), Vec::new(), 0);
                    // Small passes are short and noisy: at least five rounds below 1 000 000.
                    let rounds = if n < 1_000_000 { rounds.max(5) } else { rounds };
                    for round in 0..rounds {
                        let (pass, floor, rss) =
                            scheduling_pass(label, *url, n, layout, round).await;
                        passes.push(pass);
                        floors.push(floor);
                        peak = peak.max(rss);
                    }
                    let (pass, floor) = (median(passes), median(floors));
                    let per_row = pass.as_secs_f64() / n as f64;
                    let growth = per_row / *first_per_row.get_or_insert(per_row);
                    println!(
                        "| scheduling pass, {label}, {} layout, {n} due orders ({rounds} rounds, medians) | {:.1} ms ({:.2} µs/row), +{peak} KiB peak RSS | {:.1} ms ({:.2} µs/row; UPDATE ... RETURNING id) | {:.2}x the floor; {:.2}x per row vs {} |",
                        layout.name(),
                        pass.as_secs_f64() * 1e3,
                        per_row * 1e6,
                        floor.as_secs_f64() * 1e3,
                        floor.as_secs_f64() / n as f64 * 1e6,
                        pass.as_secs_f64() / floor.as_secs_f64(),
                        growth,
                        sizes[0],
                    );
                }
            }
        }
    });
}
