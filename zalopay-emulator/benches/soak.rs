//! The emulator under sustained, bounded load on loopback, with faults and MAC checks on:
//! mixed operations for a fixed time, then the books are reconciled.
//!
//! `cargo bench -p zalopay-emulator --bench soak [-- SECONDS CONCURRENCY ORDERS]`
//! (defaults: 180 s, 16 in flight, 500 orders). Add `--keep-log` to leave the emulator's
//! request log growing (by default it is cleared at every memory sample: it is a test aid that
//! keeps every request until cleared, and would otherwise be the only thing that grows).
//!
//! Warm-up creates and pays ORDERS orders of 10 000 VND. Then each worker loops until the time
//! is up, picking: query an order (40 %), refund 1 000 VND of one (20 %), query a refund sent
//! earlier (20 %), re-create an existing order with its same ids (10 %) and send a query with
//! a wrong MAC (10 %). Faults: 5 % of gateway requests refused (HTTP 503), 2 % processed and then
//! their connection dropped. Refunds saturate after about ten per order, so later ones are
//! over-refunds the emulator must refuse.
//!
//! The benchmark's own records are bounded (a fixed-size latency histogram, the accepted refunds,
//! a ring of recent refund ids), and the emulator's faults forget an id 1-2 minutes after its
//! last request, so resident memory after warm-up is the emulator's and should level off.
//!
//! Prints: panics (must be 0), request counts by outcome, p50/p99/max latency, resident memory
//! every 10 s, and the reconciliation: every order once and paid once with a distinct
//! `zp_trans_id`, its refunds summing to at most its amount and to its `refunded_amount`, every
//! refund the client saw accepted present in the books. Exits non-zero if any check fails.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use zalopay_api::ids::{AppTransId, MRefundId};
use zalopay_api::order::{CreateOrder, OrderStatus, QueryOrder};
use zalopay_api::refund::{QueryRefund, RefundOrder, RefundStatus};
use zalopay_api::{Client, Config, Environment, Error, Keys};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, Faults};

const APP: i64 = 2553;
const AMOUNT: i64 = 10_000;
const REFUND: i64 = 1_000;
/// Refund ids kept for the refund queries to pick from.
const RECENT_REFUNDS: usize = 4_096;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes live on the heap: resident memory also moves with
/// how the allocator keeps freed pages, so flatness is judged on live bytes, RSS beside them.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

fn live_kib() -> u64 {
    (ALLOCATOR.allocated() / 1024) as u64
}

/// What the workers saw, by kind.
#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    /// Refused by the gateway (a fault's answer, an over-refund, a duplicate, a bad MAC).
    refused: AtomicU64,
    /// Transport errors and dropped connections (the reset fault).
    transport: AtomicU64,
    /// A query that did not find a paid order with the same `zp_trans_id`: a defect.
    wrong: AtomicU64,
}

struct Shared {
    client: Client,
    http: reqwest::Client,
    base: String,
    prefix: String,
    now_ms: i64,
    /// `app_trans_id` and the `zp_trans_id` the payment returned.
    orders: Vec<(String, i64)>,
    /// Refunds the gateway said it accepted (1 or 3): at most ten per order.
    accepted: Mutex<Vec<String>>,
    /// The last refund ids sent, for the refund queries: a bounded ring, so the benchmark's
    /// own records do not grow with the number of requests (its memory figure is the
    /// emulator's).
    recent: Mutex<VecDeque<String>>,
    next_refund: AtomicU64,
    counts: Counts,
}

fn main() {
    let keep_log = std::env::args().any(|a| a == "--keep-log");
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let seconds: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(180);
    let concurrency: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(16);
    let orders: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(500);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let failures = runtime.block_on(run(seconds, concurrency, orders, keep_log));
    let panics = PANICS.load(Ordering::SeqCst);
    println!("panics: {panics}");
    if failures > 0 || panics > 0 {
        println!("FAILED: {failures} check(s), {panics} panic(s)");
        std::process::exit(1);
    }
    println!("all checks passed");
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// xorshift64: a cheap, seeded choice per worker (no dependency for it).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

async fn run(seconds: u64, concurrency: usize, count: usize, keep_log: bool) -> usize {
    // The faults forget an id a minute or two after its last request (the default is ten),
    // so a run of a few minutes shows whether memory levels off.
    let config = EmulatorConfig {
        fault_memory: Duration::from_secs(60),
        // `--keep-log` keeps every request; otherwise the log is cleared at each sample.
        request_log_limit: if keep_log {
            None
        } else {
            EmulatorConfig::default().request_log_limit
        },
        ..EmulatorConfig::default()
    };
    let state = EmulatorState::new(config);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("loopback");
    let emulator = Emulator::spawn(state, addr).await.expect("emulator");
    let base = emulator.base_url().to_owned();
    let keys = Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .expect("demo keys");
    let client =
        Client::new(Config::new(APP, keys, Environment::Custom(base.clone()))).expect("client");
    let http = reqwest::Client::new();
    let now_ms = zalopay_api::clock::Clock::now_ms(&zalopay_api::clock::SystemClock);
    // Today's date part, as an id generated now carries it.
    let prefix = zalopay_api::ids::AppTransId::with_unique(now_ms, "x")
        .expect("clock in range")
        .date_part()
        .to_owned();
    let started = Instant::now();
    let mut rss = vec![(0u64, rss_kib(), live_kib())];

    // Warm-up, without faults: create and pay the orders.
    let mut orders = Vec::with_capacity(count);
    for i in 0..count {
        let id = format!("{prefix}_soak{i:06}");
        let create = CreateOrder::builder()
            .app_id(APP)
            .app_trans_id(AppTransId::try_from(id.as_str()).expect("id"))
            .app_user("soak")
            .amount(AMOUNT)
            .app_time(now_ms)
            .description("soak")
            .build();
        client.send(&create).await.expect("create");
        let paid: serde_json::Value = http
            .post(format!("{base}/emulator/orders/{id}/pay"))
            .send()
            .await
            .expect("pay")
            .json()
            .await
            .expect("pay JSON");
        let zp = paid["order"]["zp_trans_id"].as_i64().expect("zp_trans_id");
        orders.push((id, zp));
    }
    let warm = started.elapsed().as_secs();
    println!("warm-up: {count} orders created and paid in {warm} s");
    emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_seed(26)
                .with_fail_rate(0.05)
                .with_reset_rate(0.02),
        )
        .expect("faults");

    let shared = Arc::new(Shared {
        client,
        http,
        base,
        prefix,
        now_ms,
        orders,
        accepted: Mutex::new(Vec::new()),
        recent: Mutex::new(VecDeque::with_capacity(RECENT_REFUNDS)),
        next_refund: AtomicU64::new(0),
        counts: Counts::default(),
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let shared = shared.clone();
        workers.spawn(async move {
            worker(shared, deadline, 0x9E37_79B9_7F4A_7C15 ^ (w as u64 + 1)).await
        });
    }
    let mut ticks = tokio::time::interval(Duration::from_secs(10));
    ticks.tick().await;
    // Fixed-size: 1 µs to 60 s at 3 significant digits.
    let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
    let mut dead = 0;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if !keep_log {
                    emulator.state().clear_request_log();
                }
                rss.push((started.elapsed().as_secs(), rss_kib(), live_kib()));
            }
            done = workers.join_next() => match done {
                Some(Ok(l)) => latencies.add(&l).expect("same bounds"),
                Some(Err(e)) => {
                    println!("worker died: {e}");
                    dead += 1;
                }
                None => break,
            },
        }
    }
    rss.push((started.elapsed().as_secs(), rss_kib(), live_kib()));
    emulator
        .state()
        .set_faults(None, Faults::default())
        .expect("faults off");

    let c = &shared.counts;
    let total = latencies.len();
    let pct = |p: f64| latencies.value_at_quantile(p);
    println!(
        "load: {total} requests in {seconds} s = {:.0} req/s, {concurrency} in flight",
        total as f64 / seconds as f64
    );
    println!(
        "outcomes: ok {} · refused {} · transport/reset {} · wrong {}",
        c.ok.load(Ordering::SeqCst),
        c.refused.load(Ordering::SeqCst),
        c.transport.load(Ordering::SeqCst),
        c.wrong.load(Ordering::SeqCst)
    );
    println!(
        "latency: p50 {} µs · p99 {} µs · p99.9 {} µs · max {} µs",
        pct(0.50),
        pct(0.99),
        pct(0.999),
        latencies.max()
    );
    let line: Vec<String> = rss
        .iter()
        .map(|(t, kib, _)| format!("{t}s {} MiB", kib / 1024))
        .collect();
    println!("RSS: {}", line.join(" · "));
    let line: Vec<String> = rss
        .iter()
        .map(|(t, _, live)| format!("{t}s {:.1} MiB", *live as f64 / 1024.0))
        .collect();
    println!("live heap: {}", line.join(" · "));

    let mut failures = 0;
    let mut check = |ok: bool, what: String| {
        if !ok {
            failures += 1;
            println!("CHECK FAILED: {what}");
        }
    };
    check(dead == 0, format!("{dead} worker(s) died"));
    check(
        c.wrong.load(Ordering::SeqCst) == 0,
        "a query saw an order not paid or another zp_trans_id".into(),
    );

    // Reconciliation against the emulator's books.
    let books = emulator.state().orders();
    let refunds = emulator.state().refunds();
    check(
        books.len() == count,
        format!("{} orders in the books, {count} created", books.len()),
    );
    let mut by_id: HashMap<&str, &zalopay_emulator::Order> = HashMap::new();
    let mut zps = HashSet::new();
    for o in &books {
        check(
            by_id.insert(o.app_trans_id.as_str(), o).is_none(),
            format!("{} twice", o.app_trans_id),
        );
        match o.zp_trans_id {
            Some(zp) => check(zps.insert(zp), format!("zp_trans_id {zp} twice")),
            None => check(false, format!("{} not paid", o.app_trans_id)),
        }
    }
    for (id, zp) in &shared.orders {
        let found = by_id.get(id.as_str()).and_then(|o| o.zp_trans_id);
        check(
            found == Some(*zp),
            format!("{id}: paid as {zp}, books say {found:?}"),
        );
    }
    let mut refunded: BTreeMap<&str, i64> = BTreeMap::new();
    let mut refund_ids = HashSet::new();
    for r in &refunds {
        check(
            refund_ids.insert(r.m_refund_id.as_str()),
            format!("refund {} twice", r.m_refund_id),
        );
        let sum = refunded.entry(r.app_trans_id.as_str()).or_default();
        *sum = sum.saturating_add(r.amount);
    }
    for o in &books {
        let sum = refunded.get(o.app_trans_id.as_str()).copied().unwrap_or(0);
        check(
            sum <= o.amount,
            format!(
                "{}: refunds {sum} above the paid {}",
                o.app_trans_id, o.amount
            ),
        );
        check(
            sum == o.refunded_amount,
            format!(
                "{}: refunds sum {sum}, order says {}",
                o.app_trans_id, o.refunded_amount
            ),
        );
    }
    let sent = shared.next_refund.load(Ordering::SeqCst);
    let seen_accepted = shared.accepted.lock().expect("accepted").clone();
    let accepted = seen_accepted.len();
    for id in &seen_accepted {
        check(
            refund_ids.contains(id.as_str()),
            format!("refund {id} accepted but not in the books"),
        );
    }
    let total_refunded: i64 = refunded.values().sum();
    let full = books
        .iter()
        .filter(|o| o.refunded_amount == o.amount)
        .count();
    println!(
        "books: {} orders, {} distinct zp_trans_id; {} refunds sent, {accepted} seen accepted, {} in the books ({} VND), {full} orders fully refunded",
        books.len(),
        zps.len(),
        sent,
        refunds.len(),
        total_refunded
    );
    emulator.shutdown().await.expect("clean shutdown");
    failures
}

fn note<T>(c: &Counts, result: &Result<T, Error>) {
    match result {
        Ok(_) => c.ok.fetch_add(1, Ordering::Relaxed),
        Err(Error::Gateway(_)) => c.refused.fetch_add(1, Ordering::Relaxed),
        Err(_) => c.transport.fetch_add(1, Ordering::Relaxed),
    };
}

async fn worker(shared: Arc<Shared>, deadline: Instant, mut rng: u64) -> Histogram<u64> {
    let mut latencies = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
    let s = &*shared;
    while Instant::now() < deadline {
        let pick = next(&mut rng);
        let index = (next(&mut rng) % s.orders.len() as u64) as usize;
        let (id, zp) = &s.orders[index];
        let app_trans_id = AppTransId::try_from(id.as_str()).expect("id");
        let t = Instant::now();
        match pick % 10 {
            0..=3 => {
                let r = s
                    .client
                    .send(
                        &QueryOrder::builder()
                            .app_id(APP)
                            .app_trans_id(app_trans_id)
                            .build(),
                    )
                    .await;
                note(&s.counts, &r);
                if let Ok(answer) = r {
                    match answer.status() {
                        OrderStatus::Paid { zp_trans_id, .. } if zp_trans_id == *zp => {}
                        other => {
                            println!("{id}: {other:?}");
                            s.counts.wrong.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            4..=5 => {
                let n = s.next_refund.fetch_add(1, Ordering::Relaxed);
                let m_refund_id = format!("{}_{APP}_soak{n:08}", s.prefix);
                let refund = RefundOrder::builder()
                    .app_id(APP)
                    .m_refund_id(MRefundId::try_from(m_refund_id.as_str()).expect("id"))
                    .zp_trans_id(*zp)
                    .amount(REFUND)
                    .timestamp(s.now_ms)
                    .description("soak")
                    .build();
                let r = s.client.send(&refund).await;
                note(&s.counts, &r);
                let accepted = matches!(&r, Ok(a) if matches!(a.status(), RefundStatus::Refunded | RefundStatus::Processing { .. }));
                if accepted {
                    s.accepted
                        .lock()
                        .expect("accepted")
                        .push(m_refund_id.clone());
                }
                let mut recent = s.recent.lock().expect("recent");
                if recent.len() == RECENT_REFUNDS {
                    recent.pop_front();
                }
                recent.push_back(m_refund_id);
            }
            6..=7 => {
                let sent = {
                    let recent = s.recent.lock().expect("recent");
                    let len = recent.len() as u64;
                    recent.get((next(&mut rng) % len.max(1)) as usize).cloned()
                };
                if let Some(m_refund_id) = sent {
                    let query = QueryRefund::builder()
                        .app_id(APP)
                        .m_refund_id(MRefundId::try_from(m_refund_id.as_str()).expect("id"))
                        .timestamp(s.now_ms)
                        .build();
                    let r = s.client.send(&query).await;
                    note(&s.counts, &r);
                }
            }
            8 => {
                let create = CreateOrder::builder()
                    .app_id(APP)
                    .app_trans_id(app_trans_id)
                    .app_user("soak")
                    .amount(AMOUNT)
                    .app_time(s.now_ms)
                    .description("soak")
                    .build();
                let r = s.client.send(&create).await;
                note(&s.counts, &r);
            }
            _ => {
                // A query whose MAC is wrong: refused by the gateway, never served.
                let r = s
                    .http
                    .post(format!("{}/v2/query", s.base))
                    .form(&[
                        ("app_id", "2553"),
                        ("app_trans_id", id.as_str()),
                        ("mac", "00"),
                    ])
                    .send()
                    .await;
                match r {
                    Ok(resp) if resp.status().is_success() => {
                        let body: serde_json::Value = resp.json().await.unwrap_or_default();
                        if body["return_code"].as_i64() == Some(1) {
                            println!("wrong MAC served: {body}");
                            s.counts.wrong.fetch_add(1, Ordering::Relaxed);
                        } else {
                            s.counts.refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    _ => {
                        s.counts.transport.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        let micros = u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX);
        latencies.saturating_record(micros.max(1));
    }
    latencies
}
