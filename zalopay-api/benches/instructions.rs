//! Instruction counts for signing and verification, for use under callgrind, which counts
//! the same on a loaded machine as on an idle one (criterion's wall-clock figures do not).
//!
//! `cargo bench -p zalopay-api --bench instructions --no-run`, then
//! `valgrind --tool=callgrind --callgrind-out-file=/dev/null <binary> MODE N` for N = 0 and
//! N = 10000; (Ir(N) - Ir(0)) / N is the cost of one operation. `scripts/callgrind.sh` does it.
//! Under `cargo bench` (no arguments) it runs every mode once as a smoke test.

use hmac::{Hmac, Mac};
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
    ];
    match mode {
        Some(mode) => run(&mode, count),
        None => modes.iter().for_each(|m| run(m, 1)),
    }
}

fn run(mode: &str, count: u64) {
    let keys = common::keys();
    let order = common::create_order();
    let input = order.mac_input(&keys);
    let key1 = b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
    let prepared = <Hmac<Sha256> as Mac>::new_from_slice(key1).expect("any key length");
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
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key1).expect("any key");
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
