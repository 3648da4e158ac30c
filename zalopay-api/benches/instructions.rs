//! Instruction counts for signing and verification, for use under callgrind, which counts
//! the same on a loaded machine as on an idle one (criterion's wall-clock figures do not).
//!
//! `cargo bench -p zalopay-api --bench instructions --no-run`, then
//! `valgrind --tool=callgrind --callgrind-out-file=/dev/null <binary> MODE N` for N = 0 and
//! N = 10000; (Ir(N) - Ir(0)) / N is the cost of one operation. `scripts/callgrind.sh` does it.
//! Under `cargo bench` (no arguments) it runs every mode once as a smoke test.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::hint::black_box;
use zalopay_api::SignedRequest;

#[path = "common/mod.rs"]
#[allow(dead_code)] // each bench uses part of the shared fixtures
mod common;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mode = args.next();
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let modes = [
        "sdk_sign",
        "bare_hmac_prepared",
        "bare_hmac_new_key",
        "sdk_verify_callback",
        "bare_parse_and_hmac",
        "sdk_round_trip",
        "raw_round_trip",
        "raw_round_trip_timeouts",
        "by_hand_round_trip_timeouts",
    ];
    match mode {
        Some(mode) => run(&mode, count),
        None => modes.iter().for_each(|m| run(m, 1)),
    }
}

fn run(mode: &str, count: u64) {
    if mode.ends_with("round_trip") || mode.ends_with("round_trip_timeouts") {
        return round_trips(mode, count);
    }
    let keys = common::keys();
    let order = common::create_order();
    let input = order.mac_input(&keys);
    let key1 = b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
    let prepared = <Hmac<Sha256> as KeyInit>::new_from_slice(key1).expect("any key length");
    let body = common::callback_body();
    let key2 = b"kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";
    let mut buf = String::with_capacity(512);
    for _ in 0..count {
        match mode {
            "sdk_sign" => {
                black_box(black_box(&order).mac_with_buffer(&keys, &mut buf));
            }
            "bare_hmac_prepared" => {
                let mut mac = prepared.clone();
                mac.update(black_box(input.as_bytes()));
                let mut hex = [0u8; 64];
                hex::encode_to_slice(mac.finalize().into_bytes(), &mut hex).expect("64 bytes");
                black_box(hex);
            }
            "bare_hmac_new_key" => {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key1).expect("any key");
                mac.update(black_box(input.as_bytes()));
                let mut hex = [0u8; 64];
                hex::encode_to_slice(mac.finalize().into_bytes(), &mut hex).expect("64 bytes");
                black_box(hex);
            }
            "sdk_verify_callback" => {
                black_box(
                    zalopay_api::callback::verify_callback(&keys, Some(2553), black_box(&body))
                        .expect("valid callback"),
                );
            }
            "bare_parse_and_hmac" => {
                black_box(common::bare_verify_callback(key2, black_box(&body)));
            }
            other => {
                eprintln!("unknown mode {other}");
                std::process::exit(2);
            }
        }
    }
}

/// Sequential create-order round trips over loopback (server in the same process, so its
/// work is counted on both sides alike).
fn round_trips(mode: &str, count: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (addr, _) = common::server::start().await;
        let base = format!("http://{addr}");
        let client = zalopay_api::Client::new(common::config(&base)).expect("client");
        let order = common::create_order();
        let prepared = client.prepare(&order).expect("prepared");
        let raw = match mode {
            "raw_round_trip_timeouts" | "by_hand_round_trip_timeouts" => reqwest::Client::builder()
                .timeout(zalopay_api::client::DEFAULT_TIMEOUT)
                .connect_timeout(zalopay_api::client::DEFAULT_CONNECT_TIMEOUT)
                .build()
                .expect("client"),
            _ => reqwest::Client::new(),
        };
        // One untimed call each, so connection set-up is not counted per iteration.
        client.send(&order).await.expect("sent");
        post(&raw, &prepared).await;
        for _ in 0..count {
            match mode {
                "sdk_round_trip" => {
                    black_box(client.send(&order).await.expect("sent"));
                }
                "by_hand_round_trip_timeouts" => {
                    let body = common::by_hand::body(&order, b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL");
                    black_box(common::by_hand::round_trip(&raw, &prepared.url, body).await);
                }
                _ => post(&raw, &prepared).await,
            }
        }
    });
}

async fn post(raw: &reqwest::Client, prepared: &zalopay_api::PreparedRequest) {
    let response = raw
        .post(&prepared.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(prepared.body.clone())
        .send()
        .await
        .expect("sent");
    black_box(response.bytes().await.expect("body"));
}
