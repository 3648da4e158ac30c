//! Client round trip over loopback: the SDK's `create order` (sign, encode, send, decode)
//! against a raw `reqwest` POST of the same pre-built body, one at a time and 64 in flight.
//!
//! `cargo bench -p zalopay-api --bench client`. See BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::Arc;
use tokio::task::JoinSet;
use zalopay_api::Client;

#[path = "common/mod.rs"]
#[allow(dead_code)] // each bench uses part of the shared fixtures
mod common;

const IN_FLIGHT: usize = 64;

fn round_trip(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (addr, peers) = runtime.block_on(common::server::start());
    let base = format!("http://{addr}");
    let client = Client::new(common::config(&base)).expect("client");
    let order = Arc::new(common::create_order());
    let prepared = client.prepare(order.as_ref()).expect("prepared");
    let body = prepared.body.clone();
    let raw = reqwest::Client::new();
    // The same transport settings the SDK uses (a payment client must not wait forever).
    let raw_timeouts = reqwest::Client::builder()
        .timeout(zalopay_api::client::DEFAULT_TIMEOUT)
        .connect_timeout(zalopay_api::client::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .expect("client");
    let url = prepared.url.clone();

    let mut group = c.benchmark_group("round_trip_create_order");
    group.bench_function("sdk_send_1", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.send(order.as_ref()).await.expect("created") })
    });
    group.bench_function("raw_reqwest_1", |b| {
        b.to_async(&runtime).iter(|| async {
            raw_post(&raw, &url, body.clone()).await;
        })
    });
    group.bench_function("raw_reqwest_with_timeouts_1", |b| {
        b.to_async(&runtime).iter(|| async {
            raw_post(&raw_timeouts, &url, body.clone()).await;
        })
    });
    group.bench_function("by_hand_sign_encode_decode_with_timeouts_1", |b| {
        b.to_async(&runtime).iter(|| async {
            let body = common::by_hand::body(&order, b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL");
            common::by_hand::round_trip(&raw_timeouts, &url, body).await
        })
    });
    group.bench_function("sdk_send_64_in_flight", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = JoinSet::new();
            for _ in 0..IN_FLIGHT {
                let (client, order) = (client.clone(), order.clone());
                set.spawn(async move { client.send(order.as_ref()).await.map(|_| ()) });
            }
            while let Some(done) = set.join_next().await {
                done.expect("task").expect("created");
            }
        })
    });
    group.bench_function("raw_reqwest_64_in_flight", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = JoinSet::new();
            for _ in 0..IN_FLIGHT {
                let (raw, url, body) = (raw.clone(), url.clone(), body.clone());
                set.spawn(async move { raw_post(&raw, &url, body).await });
            }
            while let Some(done) = set.join_next().await {
                done.expect("task");
            }
        })
    });
    group.bench_function("by_hand_64_in_flight", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = JoinSet::new();
            for _ in 0..IN_FLIGHT {
                let (raw, url, order) = (raw_timeouts.clone(), url.clone(), order.clone());
                set.spawn(async move {
                    let body = common::by_hand::body(&order, b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL");
                    common::by_hand::round_trip(&raw, &url, body).await;
                });
            }
            while let Some(done) = set.join_next().await {
                done.expect("task");
            }
        })
    });
    group.finish();
    let connections = peers.lock().map(|p| p.len()).unwrap_or_default();
    eprintln!("loopback connections opened in total (both clients): {connections}");
}

async fn raw_post(raw: &reqwest::Client, url: &str, body: Vec<u8>) {
    let response = raw
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sent");
    response.bytes().await.expect("body");
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
