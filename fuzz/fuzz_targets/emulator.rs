//! The emulator's parameter parsing and handlers on hostile requests, in process (the router
//! as a tower service; no socket).
//!
//! The first byte picks a mode:
//! * `0..=127` raw: an arbitrary method, path (from the emulator's routes, or arbitrary),
//!   content type, query string and body;
//! * `128..=255` signed: an operation, arbitrary values for its parameters, and the MAC the
//!   emulator expects over them (key1 of the demo app), so the handler runs past the signature
//!   check on values of any shape (i64::MIN timestamps, huge amounts, odd JSON).
//!
//! Invariants: no panic (a handler's panic would drop the connection); every gateway API
//! request is answered with a JSON object carrying `return_code` (or `returncode`), or by a
//! fault the fuzzer did not ask for (none are configured).

#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use axum::body::Body;
use axum::http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt as _;
use zalopay_api::{KeyKind, SecretKey};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, ManualClock};

const APP_ID: i64 = 2553;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
/// 2024-09-13 11:00 in Vietnam: ids dated `240913` are today's.
const NOW: i64 = 1_726_200_000_000;

const PATHS: &[&str] = &[
    "/v2/create",
    "/v2/query",
    "/v2/cancel",
    "/v2/refund",
    "/v2/query_refund",
    "/api/getlistmerchantbanks",
    "/v2/quick_pay",
    "/v2/agreement/bind",
    "/v2/agreement/query",
    "/v2/agreement/unbind",
    "/v2/agreement/balance",
    "/v2/agreement/pay",
    "/v2/agreement/query_user",
    "/v2/agreement/hybrid",
    "/v2/tokenization/bind",
    "/v2/tokenization/query",
    "/v2/disbursement/balance",
    "/v2/disbursement/user",
    "/v2/disbursement/topup",
    "/v2/disbursement/txn",
    "/v2/zod",
    "/v2/zod/invoice",
    "/v2/zod/status",
    "/pay",
    "/pay/confirm",
    "/pay/cancel",
    "/agreement",
    "/emulator/faults",
];

/// Signed operations: path and the MAC's fields in order (`key1` stands for key1 itself).
const SIGNED: &[(&str, &[&str])] = &[
    (
        "/v2/create",
        &["app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item"],
    ),
    ("/v2/query", &["app_id", "app_trans_id", "key1"]),
    ("/v2/cancel", &["app_id", "app_trans_id", "key1"]),
    (
        "/v2/refund",
        &["app_id", "zp_trans_id", "amount", "description", "timestamp"],
    ),
    ("/v2/query_refund", &["app_id", "m_refund_id", "timestamp"]),
    (
        "/v2/agreement/bind",
        &[
            "app_id",
            "app_trans_id",
            "binding_data",
            "binding_type",
            "identifier",
            "max_amount",
            "req_date",
        ],
    ),
    (
        "/v2/agreement/hybrid",
        &["app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item"],
    ),
    ("/v2/disbursement/balance", &["app_id", "payment_id", "time"]),
];

/// Extra parameters a signed request may carry (unsigned, or read by the handler).
const EXTRA: &[&str] = &[
    "description",
    "m_refund_id",
    "refund_fee_amount",
    "expire_duration_seconds",
    "callback_url",
    "bank_code",
    "identifier",
    "pay_token",
];

/// A parameter value of a shape the handlers parse.
#[derive(Arbitrary, Debug)]
enum Value {
    Int(i64),
    Extreme(bool),
    Text(String),
    Dated(String),
    Json(Vec<(String, i64)>),
    Empty,
}

impl Value {
    fn render(self) -> String {
        match self {
            Value::Int(n) => n.to_string(),
            Value::Extreme(max) => if max { i64::MAX } else { i64::MIN }.to_string(),
            Value::Text(text) => text,
            Value::Dated(rest) => format!("240913_{APP_ID}_{rest}"),
            Value::Json(pairs) => {
                let object: serde_json::Map<String, serde_json::Value> = pairs
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::from(v)))
                    .collect();
                serde_json::Value::Object(object).to_string()
            }
            Value::Empty => String::new(),
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fn state() -> &'static EmulatorState {
    // One state for the whole run: records accumulate, so later inputs meet existing orders.
    static STATE: OnceLock<EmulatorState> = OnceLock::new();
    STATE.get_or_init(|| {
        EmulatorState::with_clock(
            EmulatorConfig::default(),
            std::sync::Arc::new(ManualClock::new(NOW)),
        )
    })
}

fn raw(u: &mut Unstructured<'_>) -> arbitrary::Result<Request<Body>> {
    let method = match u.int_in_range(0u8..=3)? {
        0 => Method::GET,
        1 => Method::PUT,
        _ => Method::POST,
    };
    let path = if bool::arbitrary(u)? {
        (*u.choose(PATHS)?).to_owned()
    } else {
        format!("/{}", String::arbitrary(u)?.replace(['?', '#', ' '], ""))
    };
    let query = String::arbitrary(u)?.replace(['#', ' '], "");
    let content_type = *u.choose(&[
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "",
    ])?;
    let body = Vec::<u8>::arbitrary(u)?;
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut builder = Request::builder().method(method).uri(uri);
    if !content_type.is_empty() {
        builder = builder.header("content-type", content_type);
    }
    builder.body(Body::from(body)).map_err(|_| arbitrary::Error::IncorrectFormat)
}

fn signed(u: &mut Unstructured<'_>) -> arbitrary::Result<Request<Body>> {
    let (path, fields) = *u.choose(SIGNED)?;
    let mut params: Vec<(String, String)> = Vec::new();
    for field in fields.iter().filter(|f| **f != "key1") {
        let value = if *field == "app_id" && bool::arbitrary(u)? {
            APP_ID.to_string()
        } else {
            Value::arbitrary(u)?.render()
        };
        params.push(((*field).to_owned(), value));
    }
    for extra in EXTRA {
        if bool::arbitrary(u)? && !params.iter().any(|(k, _)| k == extra) {
            params.push(((*extra).to_owned(), Value::arbitrary(u)?.render()));
        }
    }
    let input: Vec<&str> = fields
        .iter()
        .map(|f| {
            if *f == "key1" {
                KEY1
            } else {
                params
                    .iter()
                    .find(|(k, _)| k == f)
                    .map_or("", |(_, v)| v.as_str())
            }
        })
        .collect();
    let key = SecretKey::new(KeyKind::Key1, KEY1).expect("non-empty key");
    params.push(("mac".to_owned(), key.mac(input.join("|").as_bytes()).to_string()));
    let (content_type, body) = if bool::arbitrary(u)? {
        let object: serde_json::Map<String, serde_json::Value> = params
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        ("application/json", serde_json::Value::Object(object).to_string())
    } else {
        (
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string(&params).unwrap_or_default(),
        )
    };
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .map_err(|_| arbitrary::Error::IncorrectFormat)
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    let request = if mode < 128 { raw(&mut u) } else { signed(&mut u) };
    let Ok(request) = request else {
        return;
    };
    let gateway = request.uri().path().starts_with("/v2/") || request.uri().path().starts_with("/api/");
    let router = Emulator::router(state().clone());
    let (status, body) = runtime().block_on(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (status, body)
    });
    if gateway && status == 200 {
        let answer: serde_json::Value =
            serde_json::from_slice(&body).expect("a gateway answer is JSON");
        assert!(
            answer.get("return_code").is_some() || answer.get("returncode").is_some(),
            "no return code: {answer}"
        );
    }
});
