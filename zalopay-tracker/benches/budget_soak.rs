//! A bounded, time-scaled soak of the shared rate budget (issue 24 item 3, D-160/D-163):
//! `SOAK_INSTANCES` (4) tracker instances on one Postgres database, `SOAK_ORDERS` (10 000)
//! orders created through them, a budget of `SOAK_BUDGET` (600) requests a second against an
//! emulator that limits the app to 10% more, everything on one clock that runs `SOAK_SCALE`
//! (10) times faster than real time: the documented schedule (a query a minute, 15-minute
//! orders, the final query a minute after expiry) then asks for far more than the budget, so a
//! backlog lasts, and the budget (per clock second) is `SOAK_BUDGET / SOAK_SCALE`. Halfway, every
//! instance is stopped for 5 clock minutes (30 real seconds: no polling, leases run out) and
//! restarted as new instances.
//!
//! Figures, all in real time from the emulator's request log: the share of the budget used in
//! the seconds a backlog exists, `-429` answers, final queries past their deadline (one poll
//! interval after the final query's due time), and the busiest one-second window after the
//! outage against the budget.
//!
//! Needs a Postgres server: `eval "$(scripts/pg-start.sh)"`, then
//! `cargo bench -p zalopay-tracker --all-features --bench budget_soak`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::Row;
use tokio::task::JoinHandle;
use zalopay_api::clock::Clock;
use zalopay_api::ids::AppTransId;
use zalopay_api::order::CreateOrder;
use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, RateLimit};
use zalopay_tracker::{
    Event, EventHandler, RateBudget, SqlStore, Store, Tracker, TrackerConfig, TrackerError,
};

const APP_ID: i64 = 2553;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// Real time × `scale`, from `start_ms`.
struct ScaledClock {
    start_ms: i64,
    origin: Instant,
    scale: i64,
}

impl Clock for ScaledClock {
    fn now_ms(&self) -> i64 {
        let real_us = i64::try_from(self.origin.elapsed().as_micros()).unwrap();
        self.start_ms + real_us * self.scale / 1000
    }
}

struct Done;

impl EventHandler for Done {
    type Error = String;

    async fn handle(&self, _event: &Event) -> Result<(), String> {
        Ok(())
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn fresh_database(admin: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(admin).await.unwrap();
    let db = format!("soak_budget_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    let (base, query) = admin.split_once('?').unwrap_or((admin, ""));
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{db}?{query}")
}

/// Polls until `stop`, sleeping between passes only as long as the budget asks (at most 20 ms).
fn poll_loop(tracker: Tracker<SqlStore>, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            let wait = match tracker.poll_due().await {
                Ok(report) if report.queried > 0 && report.budget_wait.is_none() => Duration::ZERO,
                Ok(report) => report
                    .budget_wait
                    .unwrap_or(Duration::from_millis(20))
                    .min(Duration::from_millis(20)),
                Err(error) => {
                    eprintln!("pass failed: {error}");
                    Duration::from_millis(20)
                }
            };
            tokio::time::sleep(wait).await;
        }
    })
}

fn dispatch_loop(tracker: Tracker<SqlStore>, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            match tracker.dispatch(&Done).await {
                Ok(report) if report.delivered > 0 => {}
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
}

fn main() {
    let Ok(admin) = std::env::var("ZALOPAY_TRACKER_PG_URL") else {
        eprintln!("budget_soak: set ZALOPAY_TRACKER_PG_URL (eval \"$(scripts/pg-start.sh)\")");
        return;
    };
    let budget_real = env("SOAK_BUDGET", 600);
    let scale = env("SOAK_SCALE", 10);
    let orders = env("SOAK_ORDERS", 10_000) as usize;
    let instances = env("SOAK_INSTANCES", 4) as usize;
    let outage_real = Duration::from_secs(300 / scale);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(soak(
        admin,
        budget_real,
        scale,
        orders,
        instances,
        outage_real,
    ));
}

async fn soak(
    admin: String,
    budget_real: u64,
    scale: u64,
    orders: usize,
    instances: usize,
    outage_real: Duration,
) {
    let url = fresh_database(&admin).await;
    let per_clock_second = u32::try_from(budget_real / scale).unwrap();
    // The gateway's tolerance: a tenth of a real second of its rate by default. The scaled
    // clock multiplies the arrival jitter of a loaded machine by the scale, so a tolerance of
    // a tenth of a clock second would measure the scheduler, not the budget.
    let limit_rate = per_clock_second * 11 / 10;
    let limit = RateLimit::per_second(limit_rate).with_burst(
        u32::try_from(env("SOAK_LIMIT_BURST", u64::from(limit_rate) * scale / 10)).unwrap(),
    );
    // Burst: a tenth of a real second of the budget, so no real one-second window can carry
    // more than 1.1x the budget (a tenth of a clock second would be a hundredth of a real one).
    let budget = RateBudget::per_second(per_clock_second)
        .with_burst(u32::try_from(u64::from(per_clock_second) * scale / 10).unwrap())
        .with_send_wait(Duration::from_secs(10));
    let origin = Instant::now();
    let clock = Arc::new(ScaledClock {
        start_ms: 1_764_590_400_000,
        origin,
        scale: i64::try_from(scale).unwrap(),
    });
    let state = EmulatorState::with_clock(
        EmulatorConfig {
            rate_limit: Some(limit),
            // The figures read every request of the run.
            request_log_limit: None,
            ..EmulatorConfig::default()
        },
        clock.clone(),
    );
    let emulator = Emulator::spawn(state, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let base_url = emulator.base_url();
    let client = || {
        Client::new(
            Config::new(
                APP_ID,
                Keys::new(KEY1, KEY2).unwrap(),
                Environment::Custom(base_url.clone()),
            )
            .with_clock(clock.clone())
            .with_retry(RetryPolicy::none()),
        )
        .unwrap()
    };
    let start = |generation: &str, stores: &[SqlStore]| -> Vec<Tracker<SqlStore>> {
        stores
            .iter()
            .enumerate()
            .map(|(i, store)| {
                Tracker::new(
                    store.clone(),
                    client(),
                    TrackerConfig::new(format!("{generation}-{i}"))
                        .with_jitter_seed(i as u64 + 1)
                        .with_max_in_flight(16)
                        .with_batch_size(1000)
                        .with_rate_budget(budget),
                )
            })
            .collect()
    };
    let mut stores = Vec::new();
    for _ in 0..instances {
        stores.push(SqlStore::connect(&url).await.unwrap());
    }
    let at = move |instant: Instant| instant.duration_since(origin);
    println!(
        "budget soak: {instances} instances, one Postgres, {orders} orders, budget {budget_real}/s \
         ({per_clock_second} per clock second, burst {}), emulator limit {}/s (burst {}), clock x{scale}",
        budget.burst,
        u64::from(limit.per_second) * scale,
        limit.burst
    );

    // Backlog samples: (real time, due rows).
    let samples = Arc::new(std::sync::Mutex::new(Vec::<(Duration, i64)>::new()));
    let sampling = Arc::new(AtomicBool::new(false));
    let sampler = {
        let store = stores[0].clone();
        let samples = Arc::clone(&samples);
        let stop = Arc::clone(&sampling);
        let clock = clock.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                if let Ok(backlog) = store.backlog(clock.now_ms()).await {
                    samples
                        .lock()
                        .unwrap()
                        .push((at(Instant::now()), backlog.due_orders + backlog.due_refunds));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    // Generation one: polling from the start, creates through the same instances.
    let stop_one = Arc::new(AtomicBool::new(false));
    let trackers = start("one", &stores);
    let mut loops: Vec<JoinHandle<()>> = trackers
        .iter()
        .map(|t| poll_loop(t.clone(), Arc::clone(&stop_one)))
        .collect();
    let dispatch_stop = Arc::new(AtomicBool::new(false));
    let dispatchers: Vec<JoinHandle<()>> = trackers
        .iter()
        .map(|t| dispatch_loop(t.clone(), Arc::clone(&dispatch_stop)))
        .collect();
    let create_start = at(Instant::now());
    let refused = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let mut creators = Vec::new();
    for tracker in &trackers {
        for _ in 0..4 {
            let tracker = tracker.clone();
            let next = Arc::clone(&next);
            let refused = Arc::clone(&refused);
            let clock = clock.clone();
            creators.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= orders {
                        return;
                    }
                    let id = AppTransId::with_unique(clock.now_ms(), &format!("soak{n}"))
                        .unwrap()
                        .into_string();
                    loop {
                        // Refused unsent: a new attempt with a fresh app_time.
                        let now = clock.now_ms();
                        let request = CreateOrder::builder()
                            .app_id(APP_ID)
                            .app_trans_id(AppTransId::try_from(id.as_str()).unwrap())
                            .app_user("soak")
                            .amount(10_000)
                            .app_time(now)
                            .description(format!("Soak order {n}"))
                            .build();
                        match tracker.create_order(&request, &serde_json::json!({})).await {
                            Ok(_) => break,
                            Err(TrackerError::RateLimited { .. }) => {
                                refused.fetch_add(1, Ordering::SeqCst);
                            }
                            // Recorded; a query resolves it (counted with the -429s below).
                            Err(TrackerError::Create { .. }) => break,
                            Err(error) => panic!("create {id}: {error}"),
                        }
                    }
                }
            }));
        }
    }
    for creator in creators {
        creator.await.unwrap();
    }
    let create_end = at(Instant::now());
    println!(
        "created {orders} orders in {:.1} s real ({} create waits past send_wait)",
        (create_end - create_start).as_secs_f64(),
        refused.load(Ordering::SeqCst)
    );

    // Backlog, then every instance down for 5 clock minutes, then restarted.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let outage_start = at(Instant::now());
    stop_one.store(true, Ordering::SeqCst);
    dispatch_stop.store(true, Ordering::SeqCst);
    for handle in loops.drain(..).chain(dispatchers) {
        handle.abort();
        let _ = handle.await;
    }
    tokio::time::sleep(outage_real).await;
    let outage_end = at(Instant::now());
    let stop_two = Arc::new(AtomicBool::new(false));
    let trackers = start("two", &stores);
    let loops: Vec<JoinHandle<()>> = trackers
        .iter()
        .map(|t| poll_loop(t.clone(), Arc::clone(&stop_two)))
        .chain(
            trackers
                .iter()
                .map(|t| dispatch_loop(t.clone(), Arc::clone(&stop_two))),
        )
        .collect();
    // Until every order is final (bounded).
    let give_up = Instant::now() + Duration::from_secs(240);
    let pool = stores[0].pool().clone();
    loop {
        let open: i64 = sqlx::query(
            "SELECT count(*) AS n FROM tracked_orders WHERE state IN ('open', 'creating')",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        if open == 0 || Instant::now() > give_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let run_end = at(Instant::now());
    stop_two.store(true, Ordering::SeqCst);
    sampling.store(true, Ordering::SeqCst);
    for handle in loops {
        handle.abort();
        let _ = handle.await;
    }
    sampler.abort();

    // Figures.
    let log = emulator.state().request_log();
    let starts: Vec<Duration> = log
        .iter()
        .map(|r| Duration::from_micros(r.started_us))
        .collect();
    let limited = log
        .iter()
        .filter(|r| r.sub_return_code == Some(-429))
        .count();
    let queries = log.iter().filter(|r| r.operation == "order.query").count();
    let creates = log.iter().filter(|r| r.operation == "order.create").count();
    let in_window =
        |from: Duration, to: Duration| starts.iter().filter(|t| **t >= from && **t < to).count();
    let samples = samples.lock().unwrap().clone();
    // Whole seconds in which every backlog sample was above zero, outside the outage.
    let mut used = Vec::new();
    let mut second = create_start;
    while second + Duration::from_secs(1) <= run_end {
        let end = second + Duration::from_secs(1);
        let in_outage = end > outage_start && second < outage_end;
        let window: Vec<i64> = samples
            .iter()
            .filter(|(t, _)| *t >= second && *t < end)
            .map(|(_, due)| *due)
            .collect();
        if !in_outage && !window.is_empty() && window.iter().all(|due| *due > 0) {
            used.push(in_window(second, end) as f64 / budget_real as f64);
        }
        second = end;
    }
    let mean = used.iter().sum::<f64>() / used.len().max(1) as f64;
    let lowest = used.iter().copied().fold(f64::INFINITY, f64::min);
    // Sliding one-second windows (10 ms steps) from the restart to the end.
    let busiest = |from: Duration, to: Duration| {
        let mut best = 0;
        let mut t = from;
        while t + Duration::from_secs(1) <= to {
            best = best.max(in_window(t, t + Duration::from_secs(1)));
            t += Duration::from_millis(10);
        }
        best
    };
    let after_outage = busiest(outage_end, run_end);
    let whole_run = busiest(Duration::ZERO, run_end);
    // Final queries: due at expiry + 1 clock minute (+ up to 5 s of jitter); the deadline is
    // one poll interval (1 clock minute) later.
    let rows = sqlx::query("SELECT state, expire_at, updated_at FROM tracked_orders")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut late = 0;
    let mut open = 0;
    let mut worst_ms = i64::MIN;
    for row in &rows {
        let state: String = row.try_get("state").unwrap();
        let expire_at: i64 = row.try_get("expire_at").unwrap();
        let updated_at: i64 = row.try_get("updated_at").unwrap();
        let due = expire_at + 65_000;
        if state == "open" || state == "creating" {
            open += 1;
            continue;
        }
        let lateness = updated_at - due;
        worst_ms = worst_ms.max(lateness);
        if lateness > 60_000 {
            late += 1;
        }
    }
    let secs = |d: Duration| d.as_secs_f64();
    println!(
        "phases (real s): creates {:.1}-{:.1}, outage {:.1}-{:.1}, end {:.1}",
        secs(create_start),
        secs(create_end),
        secs(outage_start),
        secs(outage_end),
        secs(run_end)
    );
    println!(
        "requests: {} ({creates} creates, {queries} queries)",
        log.len()
    );
    println!(
        "budget used while a backlog exists: mean {:.1}%, lowest second {:.1}% ({} seconds)",
        mean * 100.0,
        lowest * 100.0,
        used.len()
    );
    println!("-429 answers: {limited}");
    println!(
        "final queries: {} orders final, {late} past the deadline, {open} still open; latest \
         final query {:.1} clock s ({:.2} real s) after its due time",
        rows.len() - open,
        worst_ms as f64 / 1000.0,
        worst_ms as f64 / 1000.0 / scale as f64
    );
    println!(
        "busiest one-second window: after the outage {after_outage} ({:.3}x the budget), whole run {whole_run} ({:.3}x)",
        after_outage as f64 / budget_real as f64,
        whole_run as f64 / budget_real as f64
    );
}
