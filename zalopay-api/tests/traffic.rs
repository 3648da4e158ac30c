//! Real traffic as the oracle (issue 21 item 1): every sample of `specs/traffic` through the
//! public API, each checked against what the gateway meant (paid or not, amount, ids,
//! processing, rejection and its code), not merely "no error". Callbacks go through
//! `verify_callback`, the axum and actix extractors and the framework-neutral handler;
//! redirects through `verify_redirect`; answers through the client against a one-answer
//! loopback server. The tracker's `handle_callback` has its own suite in zalopay-tracker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The endpoint helpers serve the framework features' tests only.
#![cfg_attr(
    not(all(feature = "axum", feature = "actix", feature = "http")),
    allow(dead_code, unused_imports)
)]

#[path = "common/traffic.rs"]
mod traffic;

use std::sync::{Arc, Mutex};

use serde_json::Value;
use traffic::{Sample, int, keys_for, text};
use zalopay_api::callback::{Callback, CallbackError, CallbackReply, verify_callback};
use zalopay_api::redirect::verify_redirect;

#[test]
fn the_corpus_is_what_its_readme_says() {
    let samples = traffic::samples();
    assert!(samples.len() >= 30, "{} samples", samples.len());
    let count = |prefix: &str| {
        samples
            .iter()
            .filter(|s| s.form.starts_with(prefix))
            .count()
    };
    assert_eq!(count("callback"), 7);
    assert_eq!(count("redirect"), 10);
    assert_eq!(count("response"), 13);
    // A captured callback or redirect is one whose own MAC verifies under a public sandbox
    // key2: none of them is re-signed here.
    for sample in &samples {
        if sample.kind == "captured" {
            assert!(!sample.resigned(), "{}", sample.id);
            assert!(
                [2553, 2554].contains(&sample.app_id),
                "{}: captured samples are sandbox traffic",
                sample.id
            );
        }
    }
}

/// The payment a paid sample describes, checked field by field against the manifest.
fn check_payment(sample: &Sample, callback: &Callback) {
    let expect = &sample.expect;
    let Callback::Payment(payment) = callback else {
        panic!("{}: expected a payment, got {callback:?}", sample.id);
    };
    let id = &sample.id;
    assert_eq!(Some(payment.app_id), int(expect, "app_id"), "{id}");
    assert_eq!(
        Some(payment.app_trans_id.as_str()),
        text(expect, "app_trans_id"),
        "{id}"
    );
    assert_eq!(
        Some(payment.zp_trans_id),
        int(expect, "zp_trans_id"),
        "{id}"
    );
    assert_eq!(Some(payment.amount), int(expect, "amount"), "{id}");
    assert_eq!(
        Some(payment.server_time),
        int(expect, "server_time"),
        "{id}"
    );
    assert_eq!(payment.app_time, int(expect, "app_time"), "{id}");
    assert_eq!(
        payment.channel.map(i64::from),
        int(expect, "channel"),
        "{id}"
    );
    assert_eq!(
        payment.merchant_user_id.as_deref(),
        text(expect, "merchant_user_id"),
        "{id}"
    );
    assert_eq!(
        payment.zp_user_id.as_deref(),
        text(expect, "zp_user_id"),
        "{id}"
    );
    assert_eq!(
        payment.user_fee_amount,
        int(expect, "user_fee_amount"),
        "{id}"
    );
    assert_eq!(
        payment.discount_amount,
        int(expect, "discount_amount"),
        "{id}"
    );
    // embed_data is kept as the merchant's JSON text, escapes (`\u0026`, `\/`) included,
    // and reads back to the URL the merchant sent.
    let embed: Value = serde_json::from_str(payment.embed_data.as_str()).unwrap();
    assert_eq!(
        embed.get("redirecturl").and_then(Value::as_str),
        text(expect, "embed_redirecturl"),
        "{id}"
    );
}

fn outcome(sample: &Sample) -> &str {
    text(&sample.expect, "outcome").unwrap()
}

#[test]
fn callbacks_through_verify_callback() {
    for sample in traffic::of("callback") {
        let keys = keys_for(sample.app_id);
        let result = verify_callback(
            &keys,
            Some(sample.app_id),
            sample.callback_body().as_bytes(),
        );
        match outcome(&sample) {
            "paid" => check_payment(&sample, result.as_ref().unwrap()),
            "bad_mac" => {
                assert_eq!(result, Err(CallbackError::BadMac), "{}", sample.id);
                assert_eq!(
                    CallbackReply::for_error(&CallbackError::BadMac).return_code,
                    -1
                );
            }
            other => panic!("{}: unknown outcome {other}", sample.id),
        }
    }
}

/// The reply code a callback sample must get from an endpoint whose handler records it.
fn expected_reply(sample: &Sample) -> i64 {
    match outcome(sample) {
        "paid" => 1,
        "bad_mac" => -1,
        other => panic!("{}: unknown outcome {other}", sample.id),
    }
}

fn return_code(body: &[u8]) -> i64 {
    serde_json::from_slice::<Value>(body).unwrap()["return_code"]
        .as_i64()
        .unwrap()
}

type Seen = Arc<Mutex<Vec<Callback>>>;

fn check_seen(sample: &Sample, seen: &Seen) {
    let seen = seen.lock().unwrap();
    match outcome(sample) {
        "paid" => {
            assert_eq!(seen.len(), 1, "{}", sample.id);
            check_payment(sample, &seen[0]);
        }
        _ => assert!(
            seen.is_empty(),
            "{}: a refused callback reached the handler",
            sample.id
        ),
    }
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn callbacks_through_the_axum_extractor() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use zalopay_api::CallbackVerifier;
    use zalopay_api::axum::VerifiedCallback;

    for sample in traffic::of("callback") {
        let seen = Seen::default();
        let record = Arc::clone(&seen);
        let app = axum::Router::new()
            .route(
                "/cb",
                axum::routing::post(move |VerifiedCallback(callback): VerifiedCallback| {
                    let record = Arc::clone(&record);
                    async move {
                        record.lock().unwrap().push(callback);
                        CallbackReply::success()
                    }
                }),
            )
            .with_state(CallbackVerifier::for_app(
                keys_for(sample.app_id),
                sample.app_id,
            ));
        let request = axum::http::Request::post("/cb")
            .header("content-type", "application/json")
            .body(Body::from(sample.callback_body()))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200, "{}", sample.id);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(return_code(&body), expected_reply(&sample), "{}", sample.id);
        check_seen(&sample, &seen);
    }
}

#[cfg(feature = "actix")]
#[actix_web::test]
async fn callbacks_through_the_actix_extractor() {
    use actix_web::{App, test, web};
    use zalopay_api::CallbackVerifier;
    use zalopay_api::actix::VerifiedCallback;

    for sample in traffic::of("callback") {
        let seen = Seen::default();
        let record = web::Data::new(Arc::clone(&seen));
        let app = App::new()
            .app_data(record)
            .app_data(web::Data::new(CallbackVerifier::for_app(
                keys_for(sample.app_id),
                sample.app_id,
            )))
            .route(
                "/cb",
                web::post().to(
                    |record: web::Data<Seen>, VerifiedCallback(callback): VerifiedCallback| async move {
                        record.lock().unwrap().push(callback);
                        CallbackReply::success()
                    },
                ),
            );
        let service = test::init_service(app).await;
        let request = test::TestRequest::post()
            .uri("/cb")
            .insert_header(("content-type", "application/json"))
            .set_payload(sample.callback_body())
            .to_request();
        let response = test::call_service(&service, request).await;
        assert_eq!(response.status(), 200, "{}", sample.id);
        let body = test::read_body(response).await;
        assert_eq!(return_code(&body), expected_reply(&sample), "{}", sample.id);
        check_seen(&sample, &seen);
    }
}

#[cfg(feature = "http")]
#[tokio::test]
async fn callbacks_through_the_http_handler() {
    use zalopay_api::CallbackVerifier;

    for sample in traffic::of("callback") {
        let seen = Seen::default();
        let record = Arc::clone(&seen);
        let verifier = CallbackVerifier::for_app(keys_for(sample.app_id), sample.app_id);
        let request = http::Request::post("/zalopay/callback")
            .header("content-type", "application/json")
            .body(bytes::Bytes::from(sample.callback_body()))
            .unwrap();
        let response = zalopay_api::http::handle_callback(&verifier, request, move |callback| {
            let record = Arc::clone(&record);
            async move {
                record.lock().unwrap().push(callback);
                CallbackReply::success()
            }
        })
        .await;
        assert_eq!(response.status(), 200, "{}", sample.id);
        assert_eq!(
            return_code(response.body()),
            expected_reply(&sample),
            "{}",
            sample.id
        );
        check_seen(&sample, &seen);
    }
}

#[test]
fn redirects_through_verify_redirect() {
    for sample in traffic::of("redirect") {
        let expect = &sample.expect;
        let id = &sample.id;
        let redirect = verify_redirect(&keys_for(sample.app_id), &sample.redirect_query())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(Some(redirect.app_id), int(expect, "app_id"), "{id}");
        assert_eq!(
            Some(redirect.app_trans_id.as_str()),
            text(expect, "app_trans_id"),
            "{id}"
        );
        assert_eq!(Some(redirect.amount), int(expect, "amount"), "{id}");
        assert_eq!(
            Some(redirect.discount_amount),
            int(expect, "discount_amount"),
            "{id}"
        );
        assert_eq!(redirect.pmcid.map(i64::from), int(expect, "pmcid"), "{id}");
        assert_eq!(
            Some(redirect.bank_code.as_str()),
            text(expect, "bank_code"),
            "{id}"
        );
        assert_eq!(
            Some(i64::from(redirect.status)),
            int(expect, "status"),
            "{id}"
        );
        match outcome(&sample) {
            "paid_hint" => assert!(redirect.looks_successful(), "{id}"),
            "cancelled" => {
                // The gateway's cancel: status -49, pmcid 0, no bank.
                assert!(!redirect.looks_successful(), "{id}");
                assert_eq!(
                    (redirect.status, redirect.pmcid, redirect.bank_code.as_str()),
                    (-49, Some(0), ""),
                    "{id}"
                );
            }
            other => panic!("{id}: unknown outcome {other}"),
        }
        // Altered after signing: refused.
        let altered = sample
            .redirect_query()
            .replace(&format!("amount={}", redirect.amount), "amount=1");
        assert!(
            verify_redirect(&keys_for(sample.app_id), &altered).is_err(),
            "{id}"
        );
    }
}

#[cfg(feature = "client")]
mod common;
#[cfg(feature = "client")]
#[path = "common/faulty.rs"]
mod faulty;

#[cfg(feature = "client")]
mod answers {
    use super::*;

    use super::{common, faulty};
    use zalopay_api::order::OrderStatus;
    use zalopay_api::refund::RefundStatus;
    use zalopay_api::{Client, Environment, Error};

    /// A client for a one-answer loopback server playing the sample's body.
    async fn client(sample: &Sample) -> (Client, faulty::Faulty) {
        let body: &'static str = sample.response_json().leak();
        let server = faulty::start(vec![faulty::Fault::Reply(200, body)]).await;
        // The request fixtures are app 2554's for orders and app 2553's for refunds.
        let (app_id, keys) = if sample.operation.starts_with("refund") {
            (2553, common::keys_2553())
        } else {
            (2554, common::keys_2554())
        };
        let config = common::fixture_config(app_id, keys, Environment::Custom(server.base.clone()));
        (Client::new(config).unwrap(), server)
    }

    #[tokio::test]
    async fn answers_through_the_client() {
        for sample in traffic::of("response") {
            let (client, server) = client(&sample).await;
            let expect = &sample.expect;
            let id = sample.id.as_str();
            match (sample.operation.as_str(), outcome(&sample)) {
                ("order.create", "created") => {
                    let answer = client.send(&common::create_order()).await.unwrap();
                    assert_eq!(
                        answer.zp_trans_token.as_deref(),
                        text(expect, "zp_trans_token"),
                        "{id}"
                    );
                    assert_eq!(
                        answer.order_token.as_deref(),
                        text(expect, "order_token"),
                        "{id}"
                    );
                    assert_eq!(
                        Some(answer.codes.return_message.as_str()),
                        text(expect, "return_message"),
                        "{id}"
                    );
                    assert!(answer.order_url.is_some(), "{id}");
                }
                ("order.create", "rejected") => match client.send(&common::create_order()).await {
                    Err(Error::Gateway(error)) => {
                        assert_eq!(
                            Some(i64::from(error.return_code)),
                            int(expect, "return_code"),
                            "{id}"
                        );
                        assert_eq!(
                            error.sub_return_code.map(i64::from),
                            int(expect, "sub_return_code"),
                            "{id}"
                        );
                    }
                    other => panic!("{id}: expected a gateway rejection, got {other:?}"),
                },
                ("order.query", "paid") => {
                    let answer = client.send(&common::query_order()).await.unwrap();
                    match answer.status() {
                        OrderStatus::Paid {
                            zp_trans_id,
                            amount,
                            ..
                        } => {
                            assert_eq!(Some(zp_trans_id), int(expect, "zp_trans_id"), "{id}");
                            assert_eq!(Some(amount), int(expect, "amount"), "{id}");
                        }
                        other => panic!("{id}: expected paid, got {other:?}"),
                    }
                }
                ("order.query", "not_paid") => {
                    // No verdict is pinned here beyond "no money": the code table decides
                    // what an unexplained `return_code 2` means.
                    if let Ok(answer) = client.send(&common::query_order()).await {
                        assert!(!matches!(answer.status(), OrderStatus::Paid { .. }), "{id}");
                    }
                }
                ("order.query", "incomplete") => match client.send(&common::query_order()).await {
                    Err(error) => {
                        let field = text(expect, "field").unwrap();
                        assert!(error.to_string().contains(field), "{id}: {error}");
                    }
                    Ok(answer) => {
                        panic!("{id}: a paid answer without ids was accepted: {answer:?}")
                    }
                },
                ("refund.create", "processing") => {
                    let answer = client.send(&common::refund()).await.unwrap();
                    assert_eq!(answer.refund_id, int(expect, "refund_id"), "{id}");
                    assert_eq!(
                        answer.status(),
                        RefundStatus::Processing {
                            sub_return_code: int(expect, "sub_return_code")
                                .map(|c| i32::try_from(c).unwrap())
                        },
                        "{id}"
                    );
                }
                ("refund.query", "refunded") => {
                    let answer = client.send(&common::query_refund()).await.unwrap();
                    assert_eq!(answer.status(), RefundStatus::Refunded, "{id}");
                }
                ("refund.query", "not_found") => {
                    let answer = client.send(&common::query_refund()).await.unwrap();
                    assert_eq!(answer.status(), RefundStatus::NotFound, "{id}");
                    assert!(!answer.status().is_final(), "{id}");
                }
                (operation, outcome) => panic!("{id}: no check for {operation} / {outcome}"),
            }
            assert_eq!(server.hits(), 1, "{id}: one request, one answer");
        }
    }
}
