//! Emulator throughput under a bounded loopback load, with MAC verification on, followed by a
//! reconciliation: every order created is there exactly once and every payment counted once.
//!
//! `cargo bench -p zalopay-emulator --bench throughput [-- ORDERS CONCURRENCY]`
//! (defaults: 2000 orders, 32 in flight). Prints requests per second for creates, pays and
//! queries. The run is bounded by the order count and stops by itself.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use zalopay_api::ids::AppTransId;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use zalopay_api::order::{CreateOrder, OrderStatus, QueryOrder};
use zalopay_api::{Client, Config, Environment, Keys};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let orders: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let concurrency: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(32);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(run(orders, concurrency));
}

async fn run(orders: usize, concurrency: usize) {
    let state = EmulatorState::new(EmulatorConfig::default());
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("loopback");
    let emulator = Emulator::spawn(state, addr).await.expect("emulator");
    let base = emulator.base_url().to_owned();
    let keys = Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .expect("demo keys");
    let client =
        Client::new(Config::new(2553, keys, Environment::Custom(base.clone()))).expect("client");
    let http = reqwest::Client::new();
    let now_ms = zalopay_api::clock::Clock::now_ms(&zalopay_api::clock::SystemClock);
    // Today's date part, as an id generated now carries it.
    let prefix = zalopay_api::ids::AppTransId::with_unique(now_ms, "x")
        .expect("clock in range")
        .date_part()
        .to_owned();
    let ids: Vec<String> = (0..orders)
        .map(|i| format!("{prefix}_bench{i:07}"))
        .collect();
    let limit = Arc::new(Semaphore::new(concurrency));

    let phase = |name: &'static str, started: Instant, count: usize| {
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name:>8}: {count} requests in {secs:.2} s = {:.0} req/s ({concurrency} in flight)",
            count as f64 / secs
        );
    };

    let started = Instant::now();
    let mut set = JoinSet::new();
    for id in &ids {
        let (client, id, limit) = (client.clone(), id.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            let order = CreateOrder::builder()
                .app_id(2553)
                .app_trans_id(AppTransId::try_from(id).unwrap())
                .app_user("bench")
                .amount(10_000)
                .app_time(now_ms)
                .description("throughput bench")
                .build();
            client.send(&order).await.map(|_| ())
        });
    }
    drain(&mut set).await;
    phase("create", started, orders);

    let started = Instant::now();
    for id in &ids {
        let (http, url, limit) = (
            http.clone(),
            format!("{base}/emulator/orders/{id}/pay"),
            limit.clone(),
        );
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            match http.post(&url).send().await {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(zalopay_api::Error::Config(format!(
                    "pay: HTTP {}",
                    r.status()
                ))),
                Err(e) => Err(zalopay_api::Error::Config(format!("pay: {e}"))),
            }
        });
    }
    drain(&mut set).await;
    phase("pay", started, orders);

    let started = Instant::now();
    let mut queries = JoinSet::new();
    for id in &ids {
        let (client, id, limit) = (client.clone(), id.clone(), limit.clone());
        queries.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            client
                .send(
                    &QueryOrder::builder()
                        .app_id(2553)
                        .app_trans_id(AppTransId::try_from(id).unwrap())
                        .build(),
                )
                .await
                .map(|r| r.status())
        });
    }
    let mut zp_ids = HashSet::new();
    while let Some(done) = queries.join_next().await {
        match done.expect("task").expect("query") {
            OrderStatus::Paid { zp_trans_id, .. } => {
                assert!(
                    zp_ids.insert(zp_trans_id),
                    "zp_trans_id {zp_trans_id} given twice"
                );
            }
            other => panic!("an order is not paid after paying: {other:?}"),
        }
    }
    phase("query", started, orders);

    // Reconciliation against the emulator's own books.
    let books: serde_json::Value = http
        .get(format!("{base}/emulator/orders"))
        .send()
        .await
        .expect("books")
        .json()
        .await
        .expect("JSON");
    let listed = books.as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(listed, orders, "every order recorded exactly once");
    assert_eq!(zp_ids.len(), orders, "every payment counted once");
    println!(
        "reconciled: {listed} orders, {} distinct zp_trans_id",
        zp_ids.len()
    );
    emulator.shutdown().await.expect("clean shutdown");
}

async fn drain(set: &mut JoinSet<Result<(), zalopay_api::Error>>) {
    while let Some(done) = set.join_next().await {
        done.expect("task").expect("request");
    }
}
