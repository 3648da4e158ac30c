//! Transport faults and retries against a misbehaving local server: what is retried (queries),
//! what never is (refunds), what `same_id` does (create order), and how each fault surfaces.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::time::{Duration, Instant};

use common::*;
use faulty::Fault;
use zalopay_api::client::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use zalopay_api::{CallOptions, Client, Config, Environment, Error, Keys, RetryClass, RetryPolicy};

const OK_QUERY: &str = r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","is_processing":false,"amount":50000,"zp_trans_id":240913000002388}"#;
const OK_REFUND: &str = r#"{"return_code":3,"return_message":"","sub_return_code":2,"sub_return_message":"","refund_id":42}"#;
const OK_CREATE: &str = r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","order_url":"https://x","zp_trans_token":"t","order_token":"t"}"#;
const SYSTEM_ERROR: &str = r#"{"return_code":2,"return_message":"","sub_return_code":-500,"sub_return_message":"SYSTEM_ERROR"}"#;
const DUPLICATE: &str = r#"{"return_code":2,"return_message":"","sub_return_code":-68,"sub_return_message":"DUPLICATE_APPS_TRANS_ID"}"#;

/// Tiny, fixed waits so that the tests are fast and their timing is predictable.
fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_multiplier(2.0)
        .with_max_backoff(Duration::from_millis(20))
        .with_jitter(false)
        .with_rate_limit_backoff(Duration::from_millis(20))
        .with_max_retry_after(Duration::from_secs(1))
}

fn client(app_id: i64, keys: Keys, base: &str, timeout: Duration) -> Client {
    let mut config =
        fixture_config(app_id, keys, Environment::Custom(base.to_owned())).with_retry(fast_retry());
    config.timeout = timeout;
    Client::new(config).unwrap()
}

fn query_client(base: &str) -> Client {
    client(2554, keys_2554(), base, Duration::from_secs(5))
}

fn refund_client(base: &str) -> Client {
    client(2553, keys_2553(), base, Duration::from_secs(5))
}

#[test]
fn defaults() {
    let config = Config::new(1, keys_2553(), Environment::Sandbox);
    assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(config.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(config.retry, RetryPolicy::default());
    assert_eq!(config.retry.max_attempts, 3);
    let no_jitter = RetryPolicy::default().with_jitter(false);
    assert_eq!(no_jitter.backoff(1), Duration::from_millis(200));
    assert_eq!(no_jitter.backoff(2), Duration::from_millis(400));
    assert_eq!(no_jitter.backoff(10), Duration::from_secs(2));
    for attempt in 1..5 {
        let jittered = RetryPolicy::default().backoff(attempt);
        let plain = no_jitter.backoff(attempt);
        assert!(
            jittered <= plain && jittered >= plain / 2,
            "{jittered:?} vs {plain:?}"
        );
    }
    assert_eq!(RetryPolicy::none().max_attempts, 1);
}

#[tokio::test]
async fn http_5xx_is_retried_for_a_query() {
    let server = faulty::start(vec![
        Fault::Reply(502, "bad gateway"),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    let response = query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap();
    assert_eq!(response.zp_trans_id, Some(240_913_000_002_388));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn http_5xx_is_not_retried_for_a_refund() {
    let server = faulty::start(vec![
        Fault::Reply(500, "oops"),
        Fault::Reply(200, OK_REFUND),
    ])
    .await;
    let error = refund_client(&server.base)
        .send(&refund())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 500, ref body, .. } if body == "oops"),
        "{error:?}"
    );
    assert_eq!(server.hits(), 1, "a refund is never sent twice");
}

#[tokio::test]
async fn http_429_and_gateway_transient_codes_are_retried_for_a_query() {
    let server = faulty::start(vec![
        Fault::Reply(429, "slow down"),
        Fault::Reply(200, SYSTEM_ERROR),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap();
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let server = faulty::start(vec![Fault::Reply(200, SYSTEM_ERROR)]).await;
    let error = query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap_err();
    assert_eq!(error.gateway().unwrap().sub_return_code, Some(-500));
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn gateway_transient_code_is_not_retried_for_a_refund() {
    let server = faulty::start(vec![Fault::Reply(200, SYSTEM_ERROR)]).await;
    let error = refund_client(&server.base)
        .send(&refund())
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn connection_reset_is_retried_for_a_query_only() {
    let server = faulty::start(vec![Fault::Drop, Fault::Reply(200, OK_QUERY)]).await;
    query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);

    let server = faulty::start(vec![Fault::Drop, Fault::Reply(200, OK_REFUND)]).await;
    let error = refund_client(&server.base)
        .send(&refund())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { connect: false, .. }),
        "{error:?}"
    );
    assert!(error.may_have_been_sent());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_a_refund() {
    // Nothing listens on a port that was just released: the connection itself fails, so
    // nothing was sent and repeating is safe for any operation.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = fixture_config(2553, keys_2553(), Environment::Custom(base));
    config.retry = RetryPolicy::none()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_millis(100))
        .with_rate_limit_backoff(Duration::from_millis(100))
        .with_max_retry_after(Duration::from_millis(100));
    let started = Instant::now();
    let error = Client::new(config)
        .unwrap()
        .send(&refund())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(!error.may_have_been_sent());
    // Two waits of 100 ms: three attempts were made.
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn slow_body_times_out_quickly() {
    let server = faulty::start(vec![Fault::StallBody]).await;
    let client = client(2553, keys_2553(), &server.base, Duration::from_millis(300));
    let started = Instant::now();
    let error = client.send(&refund()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.hits(), 1, "a timed-out refund is not repeated");
}

#[tokio::test]
async fn slow_headers_time_out_and_a_query_is_retried() {
    let server = faulty::start(vec![Fault::StallHeaders]).await;
    let client = client(2554, keys_2554(), &server.base, Duration::from_millis(200));
    let started = Instant::now();
    let error = client.send(&query_order()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_with_an_excerpt_and_not_retried() {
    let server = faulty::start(vec![Fault::Reply(200, "<html>maintenance</html>")]).await;
    let error = query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap_err();
    match &error {
        Error::Decode { body, url, .. } => {
            assert_eq!(body, "<html>maintenance</html>");
            assert!(url.ends_with("/v2/query"), "{url}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn unexpected_return_code_is_a_gateway_error_keeping_the_code() {
    let server = faulty::start(vec![Fault::Reply(
        200,
        r#"{"return_code":7,"return_message":"new thing"}"#,
    )])
    .await;
    let error = query_client(&server.base)
        .send(&query_order())
        .await
        .unwrap_err();
    let gateway = error.gateway().unwrap();
    assert_eq!(gateway.return_code, 7);
    assert_eq!(gateway.return_message, "new thing");
    assert_eq!(gateway.sub_return_code, None);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn create_order_resends_the_identical_request() {
    let server = faulty::start(vec![
        Fault::Reply(503, "busy"),
        Fault::Reply(200, OK_CREATE),
    ])
    .await;
    let response = query_client(&server.base)
        .send(&create_order())
        .await
        .unwrap();
    assert_eq!(response.order_url.as_deref(), Some("https://x"));
    let bodies = server.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "same app_trans_id, same signature");
    assert!(bodies[0].contains("app_trans_id=230407_13221300383"));
}

#[tokio::test]
async fn create_order_duplicate_on_retry_means_the_first_attempt_went_through() {
    // The first attempt reached the gateway, but its answer never came back.
    let server = faulty::start(vec![Fault::StallHeaders, Fault::Reply(200, DUPLICATE)]).await;
    let client = client(2554, keys_2554(), &server.base, Duration::from_millis(200));
    let error = client.send(&create_order()).await.unwrap_err();
    match &error {
        Error::AlreadySubmitted {
            attempts, gateway, ..
        } => {
            assert_eq!(*attempts, 2);
            assert_eq!(gateway.sub_return_code, Some(-68));
        }
        other => panic!("expected AlreadySubmitted, got {other:?}"),
    }
    assert!(!error.is_transient());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn create_order_duplicate_on_the_first_attempt_stays_a_gateway_error() {
    let server = faulty::start(vec![Fault::Reply(200, DUPLICATE)]).await;
    let error = query_client(&server.base)
        .send(&create_order())
        .await
        .unwrap_err();
    assert!(error.gateway().unwrap().is_duplicate(), "{error:?}");
    assert_eq!(server.hits(), 1);
}

// ---- Per-call options (CallOptions): one call's timeout and retrying --------------------

#[tokio::test]
async fn a_call_can_have_its_own_shorter_timeout() {
    let server = faulty::start(vec![Fault::StallHeaders]).await;
    // The client waits 5 s per attempt; this one call waits 200 ms, once.
    let client = query_client(&server.base);
    let started = Instant::now();
    let error = client
        .send_with(
            &query_order(),
            CallOptions::new()
                .timeout(Duration::from_millis(200))
                .max_attempts(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_call_can_have_a_longer_timeout_than_the_clients() {
    let server = faulty::start(vec![Fault::Reply(200, OK_QUERY)]).await;
    // A client allowing 1 ms would time out against anything; the call allows 5 s.
    let client = client(2554, keys_2554(), &server.base, Duration::from_millis(1));
    let response = client
        .send_with(
            &query_order(),
            CallOptions::new().timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(response.zp_trans_id, Some(240_913_000_002_388));
}

#[tokio::test]
async fn a_call_can_retry_less_than_its_operation() {
    let server = faulty::start(vec![
        Fault::Reply(502, "bad gateway"),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    let error = query_client(&server.base)
        .send_with(
            &query_order(),
            CallOptions::new().retry_class(RetryClass::Never),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 502, .. }),
        "{error:?}"
    );
    assert_eq!(
        server.hits(),
        1,
        "`Never` for this call: the query is not repeated"
    );
}

#[tokio::test]
async fn a_call_cannot_make_a_refund_retry() {
    let server = faulty::start(vec![
        Fault::Reply(500, "oops"),
        Fault::Reply(200, OK_REFUND),
    ])
    .await;
    let error = refund_client(&server.base)
        .send_with(
            &refund(),
            CallOptions::new()
                .retry_class(RetryClass::Safe)
                .max_attempts(10),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(
        server.hits(),
        1,
        "a refund is never sent twice, whatever the call asks"
    );
}

#[tokio::test]
async fn a_call_cannot_retry_more_than_the_clients_policy() {
    let server = faulty::start(vec![
        Fault::Reply(502, "1"),
        Fault::Reply(502, "2"),
        Fault::Reply(502, "3"),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    let error = query_client(&server.base)
        .send_with(&query_order(), CallOptions::new().max_attempts(10))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 502, .. }),
        "{error:?}"
    );
    assert_eq!(
        server.hits(),
        3,
        "the policy's 3 attempts cap the call's 10"
    );
}
