//! Signing and request encoding against the floors they cannot beat.
//!
//! `cargo bench -p zalopay-api --bench signing`. See BENCHMARKS.md for the figures.

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::hint::black_box;
use zalopay_api::{Config, Environment, Signed, SignedRequest};

#[path = "common/mod.rs"]
#[allow(dead_code)] // each bench uses part of the shared fixtures
mod common;

fn signing(c: &mut Criterion) {
    let keys = common::keys();
    let order = common::create_order();
    let input = order.mac_input(&keys);
    assert!(input.len() > 250, "realistic input, {} bytes", input.len());
    let key1 = b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";

    let mut group = c.benchmark_group("sign_create_order");
    let mut buf = String::with_capacity(512);
    group.bench_function("sdk_mac_input_and_hmac", |b| {
        b.iter(|| black_box(&order).mac_with_buffer(&keys, &mut buf))
    });
    // Floor 1: HMAC of the precomputed bytes, key schedule included (what hand-written code does).
    group.bench_function("bare_hmac_new_key_each_time", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key1).expect("any key length");
            mac.update(black_box(input.as_bytes()));
            let mut hex = [0u8; 64];
            hex::encode_to_slice(mac.finalize().into_bytes(), &mut hex).expect("64 bytes");
            hex
        })
    });
    // Floor 2: HMAC of the precomputed bytes from a prepared key state (what the SDK did before
    // it stopped keeping derived key material; see `SecretKey`).
    let prepared = <Hmac<Sha256> as KeyInit>::new_from_slice(key1).expect("any key length");
    group.bench_function("bare_hmac_prepared_key", |b| {
        b.iter(|| {
            let mut mac = prepared.clone();
            mac.update(black_box(input.as_bytes()));
            let mut hex = [0u8; 64];
            hex::encode_to_slice(mac.finalize().into_bytes(), &mut hex).expect("64 bytes");
            hex
        })
    });
    group.finish();
}

fn encoding(c: &mut Criterion) {
    let keys = common::keys();
    let order = common::create_order();
    let mac = order.mac(&keys);
    let hand = common::by_hand::params(&order, mac.as_str());
    let signed = Signed {
        request: &order,
        signature: mac.as_str(),
    };
    // Same bytes, or the comparison means nothing.
    assert_eq!(
        serde_urlencoded::to_string(&signed).expect("encodes"),
        serde_urlencoded::to_string(hand).expect("encodes")
    );
    assert_eq!(
        serde_json::to_vec(&signed).expect("encodes"),
        serde_json::to_vec(&hand).expect("encodes")
    );

    let mut group = c.benchmark_group("encode_create_order");
    group.bench_function("sdk_form", |b| {
        b.iter(|| serde_urlencoded::to_string(black_box(&signed)))
    });
    group.bench_function("hand_made_form", |b| {
        b.iter(|| serde_urlencoded::to_string(black_box(&hand)))
    });
    group.bench_function("sdk_json", |b| {
        b.iter(|| serde_json::to_vec(black_box(&signed)))
    });
    group.bench_function("hand_made_json", |b| {
        b.iter(|| serde_json::to_vec(black_box(&hand)))
    });
    group.finish();

    // The whole of `prepare` (sign + encode + URL) against sign-by-hand + encode-by-hand.
    let config = Config::new(
        2553,
        keys.clone(),
        Environment::Custom("http://127.0.0.1:8090".into()),
    );
    let key1 = b"PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
    let mut group = c.benchmark_group("prepare_create_order");
    let mut buf = String::with_capacity(512);
    group.bench_function("sdk_prepare_form", |b| {
        b.iter(|| zalopay_api::client::prepare(&config, black_box(&order), &mut buf))
    });
    group.bench_function("hand_made_sign_and_form", |b| {
        b.iter(|| {
            let body = common::by_hand::body(black_box(&order), key1);
            (format!("{}{}", "http://127.0.0.1:8090", "/v2/create"), body)
        })
    });
    group.finish();
}

fn callback_verification(c: &mut Criterion) {
    let keys = common::keys();
    let body = common::callback_body();
    let key2 = b"kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";
    assert!(zalopay_api::callback::verify_callback(&keys, Some(2553), &body).is_ok());
    assert!(common::bare_verify_callback(key2, &body).is_some());
    let mut group = c.benchmark_group("verify_callback");
    group.bench_function("sdk_verify_callback", |b| {
        b.iter(|| zalopay_api::callback::verify_callback(&keys, Some(2553), black_box(&body)))
    });
    group.bench_function("bare_serde_json_and_hmac", |b| {
        b.iter(|| common::bare_verify_callback(key2, black_box(&body)))
    });
    group.finish();
}

criterion_group!(benches, signing, encoding, callback_verification);
criterion_main!(benches);
