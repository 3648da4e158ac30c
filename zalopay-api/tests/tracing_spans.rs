//! One `zalopay.call` span per call and one `zalopay.attempt` span per attempt, captured with
//! a `tracing-subscriber` layer: operation id, the merchant's id, attempts, outcome and
//! latency are there; keys, MACs and MAC inputs are not.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::*;
use faulty::Fault;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use zalopay_api::{Client, Environment, Keys, SignedRequest};

#[derive(Debug, Clone)]
struct SpanRecord {
    id: u64,
    parent: Option<u64>,
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// Every span (with its fields as last recorded) and every event's fields, as text.
#[derive(Clone, Default)]
struct Captured {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S> tracing_subscriber::Layer<S> for Captured
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.id().into_u64());
        self.spans.lock().unwrap().push(SpanRecord {
            id: id.into_u64(),
            parent,
            name: attrs.metadata().name(),
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.spans.lock().unwrap();
        let span = spans.iter_mut().rfind(|s| s.id == id.into_u64()).unwrap();
        values.record(&mut Fields(&mut span.fields));
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{fields:?}"));
    }
}

impl Captured {
    fn named(&self, name: &str) -> Vec<SpanRecord> {
        let spans = self.spans.lock().unwrap();
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    /// Everything recorded, as one text to search for secrets.
    fn all_text(&self) -> String {
        format!(
            "{:?}\n{:?}",
            self.spans.lock().unwrap(),
            self.events.lock().unwrap()
        )
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    (captured, tracing::subscriber::set_default(subscriber))
}

fn client(app_id: i64, keys: Keys, base: &str) -> Client {
    Client::new(fixture_config(
        app_id,
        keys,
        Environment::Custom(base.to_owned()),
    ))
    .unwrap()
}

fn field<'a>(span: &'a SpanRecord, name: &str) -> &'a str {
    span.fields
        .get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("span {} has no `{name}`: {:?}", span.name, span.fields))
}

#[tokio::test]
async fn a_retried_call_is_one_span_with_a_child_per_attempt() {
    let (captured, _guard) = capture();
    let server = faulty::start(vec![
        Fault::Reply(500, "oops"),
        Fault::Reply(
            200,
            r#"{"return_code":3,"return_message":"","sub_return_code":1,"is_processing":true}"#,
        ),
    ])
    .await;
    let request = query_order();
    client(2554, keys_2554(), &server.base)
        .send(&request)
        .await
        .unwrap();

    let calls = captured.named("zalopay.call");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(field(call, "operation"), "order.query");
    assert_eq!(field(call, "method"), "POST");
    assert_eq!(field(call, "path"), "/v2/query");
    assert_eq!(field(call, "merchant_id_param"), "app_trans_id");
    assert_eq!(field(call, "merchant_id"), TRANS);
    assert_eq!(field(call, "attempts"), "2");
    assert_eq!(field(call, "outcome"), "ok");
    assert!(field(call, "latency_ms").parse::<u64>().is_ok());

    let attempts = captured.named("zalopay.attempt");
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    for (n, (attempt, outcome)) in attempts.iter().zip(["http_status", "ok"]).enumerate() {
        assert_eq!(
            attempt.parent,
            Some(call.id),
            "attempt spans are children of the call"
        );
        assert_eq!(field(attempt, "attempt"), (n + 1).to_string());
        assert_eq!(field(attempt, "outcome"), outcome);
        assert!(field(attempt, "latency_ms").parse::<u64>().is_ok());
    }

    // Order query's MAC input ends with key1 itself: neither it, the MAC, nor a key shows.
    let keys = keys_2554();
    let text = captured.all_text();
    for secret in [
        request.mac_input(&keys),
        request.mac(&keys).to_string(),
        keys.key1.expose().to_owned(),
        keys.key2.expose().to_owned(),
    ] {
        assert!(!text.contains(&secret), "{secret} was traced:\n{text}");
    }
}

#[tokio::test]
async fn a_refusal_records_the_gateway_codes() {
    let (captured, _guard) = capture();
    let server = faulty::start(vec![Fault::Reply(
        200,
        r#"{"return_code":2,"return_message":"bad","sub_return_code":-402,"sub_return_message":"ILLEGAL_SIGNATURE_REQUEST"}"#,
    )])
    .await;
    client(2554, keys_2554(), &server.base)
        .send(&cancel_order())
        .await
        .unwrap_err();
    let call = &captured.named("zalopay.call")[0];
    assert_eq!(field(call, "operation"), "order.cancel");
    assert_eq!(field(call, "outcome"), "gateway_refused");
    assert_eq!(field(call, "return_code"), "2");
    assert_eq!(field(call, "sub_return_code"), "-402");
    assert_eq!(field(call, "attempts"), "1");
}

#[tokio::test]
async fn the_merchant_id_is_found_in_every_encoding() {
    let (captured, _guard) = capture();
    let server = faulty::start(vec![Fault::Reply(200, "not json")]).await;
    // Form (refund query), JSON (disbursement txn), query string (ZOD status).
    client(2553, keys_2553(), &server.base)
        .send(&query_refund())
        .await
        .unwrap_err();
    client(15555, keys_15555(), &server.base)
        .send(&disbursement_txn())
        .await
        .unwrap_err();
    // The fixture is app 553's (a client for another app refuses it before any I/O).
    client(553, keys_553(), &server.base)
        .send(&zod_status())
        .await
        .unwrap_err();
    let found: Vec<(String, String, String, String)> = captured
        .named("zalopay.call")
        .iter()
        .map(|call| {
            (
                field(call, "operation").to_owned(),
                field(call, "merchant_id_param").to_owned(),
                field(call, "merchant_id").to_owned(),
                field(call, "outcome").to_owned(),
            )
        })
        .collect();
    let expected = |op: &str, param: &str, id: &str| {
        (
            op.to_owned(),
            param.to_owned(),
            id.to_owned(),
            "decode".to_owned(),
        )
    };
    assert_eq!(
        found,
        vec![
            expected(
                "refund.query",
                "m_refund_id",
                query_refund().m_refund_id.as_str()
            ),
            expected(
                "disbursement.txn",
                "partner_order_id",
                disbursement_txn().partner_order_id.as_str()
            ),
            expected("zod.status", "mcRefId", &zod_status().mc_ref_id.to_string()),
        ]
    );
}

#[tokio::test]
async fn an_invalid_request_is_a_call_without_attempts() {
    let (captured, _guard) = capture();
    let mut invalid = create_order();
    invalid.amount = 0;
    client(2554, keys_2554(), "http://127.0.0.1:9")
        .send(&invalid)
        .await
        .unwrap_err();
    let call = &captured.named("zalopay.call")[0];
    assert_eq!(field(call, "outcome"), "invalid_field");
    assert!(captured.named("zalopay.attempt").is_empty());
}
