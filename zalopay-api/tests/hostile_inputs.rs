//! Stable-Rust smoke test for the parsers the fuzz targets cover (`fuzz/`): the committed
//! seed corpora, their truncations, oversized bodies (1 MiB), wrongly typed JSON, deep
//! nesting and invalid UTF-8 go to every parser, which must answer `Ok` or a typed error and
//! never panic. Runs in `cargo test`; `fuzz/run.sh` explores further with libFuzzer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use serde_json::{Value, json};
use zalopay_api::agreement::*;
use zalopay_api::banks::ListBanksResponse;
use zalopay_api::callback::{
    CallbackError, CallbackReply, MAX_BODY_BYTES, sign_callback, verify_callback,
};
use zalopay_api::client::decode;
use zalopay_api::disbursement::*;
use zalopay_api::hybrid::HybridPayResponse;
use zalopay_api::order::*;
use zalopay_api::quickpay::QuickPayResponse;
use zalopay_api::redirect::{RedirectError, verify_redirect};
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;
use zalopay_api::{GatewayResponse, JsonString, Keys};

const MIB: usize = 1024 * 1024;

fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

/// Runs `f`, turning a panic into a test failure that names the input.
#[track_caller]
fn no_panic<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(_) => panic!(
            "{what} panicked on {} bytes: {:?}",
            input.len(),
            String::from_utf8_lossy(&input[..input.len().min(300)])
        ),
    }
}

fn one_type<T>(body: &[u8])
where
    T: serde::de::DeserializeOwned + GatewayResponse,
{
    if let Err(e) = decode::<T>("http://127.0.0.1:9/x", body) {
        let _ = e.to_string();
        let _ = (e.is_transient(), e.may_have_been_sent());
    }
}

/// Every parser the SDK exposes to bytes from the network.
fn every_parser(input: &[u8]) {
    let keys = keys();
    no_panic("verify_callback", input, || {
        if let Err(e) = verify_callback(&keys, Some(2553), input) {
            let _ = CallbackReply::for_error(&e).to_json();
        }
        let _ = verify_callback(&keys, None, input);
    });
    no_panic("verify_redirect", input, || {
        let text = String::from_utf8_lossy(input);
        let _ = verify_redirect(&keys, &text);
    });
    no_panic("JsonString::from_raw", input, || {
        let _ = JsonString::from_raw(String::from_utf8_lossy(input).into_owned());
    });
    no_panic("decode", input, || {
        one_type::<CreateOrderResponse>(input);
        one_type::<QueryOrderResponse>(input);
        one_type::<CancelOrderResponse>(input);
        one_type::<RefundOrderResponse>(input);
        one_type::<QueryRefundResponse>(input);
        one_type::<ListBanksResponse>(input);
        one_type::<QuickPayResponse>(input);
        one_type::<AgreementBindResponse>(input);
        one_type::<AgreementQueryResponse>(input);
        one_type::<AgreementUnbindResponse>(input);
        one_type::<AgreementBalanceResponse>(input);
        one_type::<AgreementPayResponse>(input);
        one_type::<AgreementQueryUserResponse>(input);
        one_type::<TokenizationBindResponse>(input);
        one_type::<TokenizationQueryResponse>(input);
        one_type::<HybridPayResponse>(input);
        one_type::<DisbursementBalanceResponse>(input);
        one_type::<DisbursementUserResponse>(input);
        one_type::<DisbursementTopupResponse>(input);
        one_type::<DisbursementTxnResponse>(input);
        one_type::<ZodInvoiceResponse>(input);
        one_type::<ZodStatusResponse>(input);
    });
}

/// The committed seeds of `fuzz/corpus/<target>/`; callback and redirect seeds start with the
/// fuzz target's mode byte, so both the whole file and the file without it are returned.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut out = Vec::new();
    for target in ["callback", "redirect", "decode_responses"] {
        let dir = root.join(target);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("seed-"))
            })
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).unwrap();
            let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
            if target != "decode_responses" {
                out.push((format!("{name} (no mode byte)"), bytes[1..].to_vec()));
            }
            out.push((name, bytes));
        }
    }
    assert!(out.len() >= 30, "seed corpora missing: {}", out.len());
    out
}

#[test]
fn seeds_and_every_truncation() {
    for (name, seed) in seeds() {
        for len in 0..=seed.len() {
            let cut = &seed[..len];
            no_panic(&name, cut, || every_parser(cut));
        }
    }
}

#[test]
fn valid_seeds_still_verify() {
    // The raw-mode seeds are real, correctly signed bodies: they must pass, or the corpus no
    // longer reaches the data parser.
    let keys = keys();
    for (name, seed) in seeds() {
        if name.starts_with("callback/seed-raw-payment") && name.ends_with("(no mode byte)") {
            verify_callback(&keys, Some(2553), &seed).unwrap();
        }
        if name.starts_with("redirect/seed-raw-") && name.ends_with("(no mode byte)") {
            if name.contains("raw-values") {
                continue;
            }
            verify_redirect(&keys, std::str::from_utf8(&seed).unwrap()).unwrap();
        }
    }
}

#[test]
fn oversized_inputs_are_refused_or_parsed() {
    let keys = keys();
    let big_string = format!("{{\"data\":\"{}\",\"mac\":\"00\"}}", "a".repeat(MIB));
    assert!(matches!(
        verify_callback(&keys, None, big_string.as_bytes()),
        Err(CallbackError::TooLarge {
            max: MAX_BODY_BYTES,
            ..
        })
    ));
    let query = format!("appid={}", "1".repeat(MIB));
    assert!(matches!(
        verify_redirect(&keys, &query),
        Err(RedirectError::TooLarge { .. })
    ));
    // Responses have no size limit of their own: 1 MiB of garbage, of one long string, and of
    // a long array must come back as typed results.
    let garbage: Vec<u8> = (0..MIB).map(|i| (i * 7919 % 251) as u8).collect();
    every_parser(&garbage);
    every_parser(big_string.as_bytes());
    let long_message = format!(
        "{{\"return_code\":2,\"return_message\":\"{}\",\"sub_return_code\":-401}}",
        "é".repeat(MIB / 2)
    );
    every_parser(long_message.as_bytes());
    let mut long_array = String::from("{\"return_code\":1,\"data\":[");
    while long_array.len() < MIB {
        long_array.push_str("{\"channel\":38,\"payable\":true,\"bank_code\":\"zp\"},");
    }
    long_array.push_str("{}]}");
    every_parser(long_array.as_bytes());
}

/// Every top-level field of every JSON seed, replaced by each other JSON type.
#[test]
fn wrongly_typed_json() {
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(-1.5e300),
        json!(""),
        json!("0"),
        json!("not a number"),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"nested": {"return_code": 1}}),
    ];
    let keys = keys();
    for (name, seed) in seeds() {
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&seed) else {
            continue;
        };
        for field in object.keys() {
            for replacement in &replacements {
                let mut changed = object.clone();
                changed.insert(field.clone(), replacement.clone());
                let text = Value::Object(changed).to_string();
                no_panic(
                    &format!("{name} with {field} = {replacement}"),
                    text.as_bytes(),
                    || {
                        every_parser(text.as_bytes());
                    },
                );
            }
        }
        // Callback seeds: also mistype the fields *inside* the signed data, re-signed so the
        // MAC passes and the data parser sees them.
        if let Some(Value::String(data)) = object.get("data") {
            let Ok(Value::Object(inner)) = serde_json::from_str::<Value>(data) else {
                continue;
            };
            for field in inner.keys() {
                for replacement in &replacements {
                    let mut changed = inner.clone();
                    changed.insert(field.clone(), replacement.clone());
                    let data = Value::Object(changed).to_string();
                    for kind in [1, 2] {
                        let body = sign_callback(&keys, &data, kind);
                        let result =
                            no_panic(&format!("signed {name}.{field}"), body.as_bytes(), || {
                                verify_callback(&keys, None, body.as_bytes())
                            });
                        assert!(
                            !matches!(result, Err(CallbackError::BadMac)),
                            "a signed body failed its MAC"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn deep_nesting() {
    let keys = keys();
    for depth in [64, 127, 128, 129, 10_000, 100_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            every_parser(nested.as_bytes());
            // Inside a response field, inside the signed callback data, and inside the
            // callback's embed_data JSON text.
            let response = format!("{{\"return_code\":1,\"data\":{nested}}}");
            every_parser(response.as_bytes());
            let data = format!("{{\"app_id\":2553,\"extra\":{nested}}}");
            let body = sign_callback(&keys, &data, 1);
            let result = no_panic("signed nested data", body.as_bytes(), || {
                verify_callback(&keys, None, body.as_bytes())
            });
            if body.len() <= MAX_BODY_BYTES {
                // Refused after the MAC as unusable data: the nesting itself (past serde's
                // recursion limit, named by its field) or the missing `app_trans_id`.
                match &result {
                    Err(CallbackError::BadField { field, .. }) => {
                        assert!(field == "extra" || field == "app_trans_id", "{result:?}")
                    }
                    Err(CallbackError::BadData(_)) => {}
                    other => panic!("{other:?}"),
                }
            }
            let embed = serde_json::to_string(&nested).unwrap();
            let data = format!(
                "{{\"app_id\":2553,\"app_trans_id\":\"x\",\"app_time\":1,\"amount\":1,\"zp_trans_id\":1,\"server_time\":1,\"embed_data\":{embed}}}"
            );
            let body = sign_callback(&keys, &data, 1);
            no_panic("signed nested embed_data", body.as_bytes(), || {
                let _ = verify_callback(&keys, None, body.as_bytes());
            });
        }
    }
}

#[test]
fn invalid_utf8() {
    let keys = keys();
    let samples: [&[u8]; 8] = [
        b"\xff\xfe\xfd",
        b"{\"data\":\"\xff\",\"mac\":\"00\",\"type\":1}",
        b"{\"return_code\":1,\"return_message\":\"\xc3\x28\"}",
        b"{\"return_code\":2,\"sub_return_message\":\"\xed\xa0\x80\"}",
        b"{\"return_code\":1\x00}",
        b"\xef\xbb\xbf{\"return_code\":1}",
        b"{\"returncode\":1,\"banks\":{\"\xf0\x28\x8c\x28\":[]}}",
        b"{\"data\":\"\\ud800\",\"mac\":\"00\",\"type\":1}",
    ];
    for sample in samples {
        every_parser(sample);
    }
    // A lone surrogate escape inside signed data, and percent-encoded invalid UTF-8 in a
    // redirect (decoded lossily, so the checksum simply fails).
    let body = br#"{"data":"{\"app_id\":\"\\ud800\"}","mac":"00","type":1}"#;
    assert!(verify_callback(&keys, None, body).is_err());
    let query = "appid=%FF%FE&apptransid=%C3%28&pmcid=&bankcode=&amount=1&discountamount=0&status=1&checksum=00";
    assert_eq!(
        verify_redirect(&keys, query),
        Err(RedirectError::BadChecksum)
    );
}
