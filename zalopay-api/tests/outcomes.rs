//! Money-safe outcomes (issue: "not found" is not "failed", no invented values, per-attempt
//! "may have been sent", rate limits and body caps, positive sub codes, callback replies,
//! tolerant responses, range checks). Each test names the ambiguity it pins down.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::time::Duration;

use common::*;
use faulty::Fault;
use zalopay_api::agreement::{
    AgreementPayResponse, AgreementQueryResponse, BindingStatus, PayStatus,
};
use zalopay_api::client::decode;
use zalopay_api::clock::ManualClock;
use zalopay_api::disbursement::{DisbursementStatus, DisbursementTxnResponse};
use zalopay_api::order::{CreateOrderResponse, OrderStatus, QueryOrderResponse};
use zalopay_api::poll::{PollConfig, PollOutcome, Poller, VirtualSleeper};
use zalopay_api::refund::{QueryRefundResponse, RefundOrderResponse, RefundStatus};
use zalopay_api::{
    Client, Endpoint, Environment, Error, GatewayResponse, RetryPolicy, SignedRequest,
};

const URL: &str = "http://test/v2/query";

fn codes(return_code: i32, sub: i32) -> String {
    format!(
        r#"{{"return_code":{return_code},"return_message":"","sub_return_code":{sub},"sub_return_message":""}}"#
    )
}

// ---- 1. "Not found" is a state of its own, never "failed" ----------------------------------

#[test]
fn order_query_not_found_is_not_a_failure() {
    for sub in [-101, -92] {
        let r: QueryOrderResponse = decode(URL, codes(2, sub).as_bytes()).unwrap();
        assert_eq!(
            r.status(),
            OrderStatus::NotFound {
                sub_return_code: sub
            }
        );
        assert!(!r.status().is_final(), "{sub}");
    }
    let r: QueryOrderResponse = decode(URL, codes(2, -54).as_bytes()).unwrap();
    assert_eq!(r.status(), OrderStatus::Expired);
    assert!(r.status().is_final());
    let r: QueryOrderResponse = decode(URL, codes(2, -329).as_bytes()).unwrap();
    assert_eq!(
        r.status(),
        OrderStatus::Failed {
            sub_return_code: Some(-329)
        }
    );
}

#[test]
fn refund_query_not_found_is_not_a_failure() {
    // A refund whose answer timed out may not be visible yet: "failed" here would make the
    // merchant refund again under a new m_refund_id.
    let r: QueryRefundResponse = decode(URL, codes(2, -101).as_bytes()).unwrap();
    assert_eq!(r.status(), RefundStatus::NotFound);
    assert!(!r.status().is_final());
    let r: QueryRefundResponse = decode(URL, codes(2, -13).as_bytes()).unwrap();
    assert_eq!(
        r.status(),
        RefundStatus::Failed {
            sub_return_code: Some(-13)
        }
    );
    assert!(r.status().is_final());
}

#[test]
fn binding_and_top_up_not_found_are_states() {
    let r: AgreementQueryResponse = decode(URL, codes(2, -101).as_bytes()).unwrap();
    assert_eq!(r.status(), BindingStatus::NotFound);
    // Before: 2/-101 on the txn query was an `Err` (request refused), indistinguishable from a
    // top-up that failed.
    let r: DisbursementTxnResponse = decode(URL, codes(2, -101).as_bytes()).unwrap();
    assert_eq!(r.status(), DisbursementStatus::NotFound);
    // Request-level codes are still refusals.
    let err = decode::<DisbursementTxnResponse>(URL, codes(2, -402).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::Gateway(_)), "{err:?}");
}

#[test]
fn failed_is_state_exactly_for_the_query_responses() {
    const { assert!(<QueryOrderResponse as GatewayResponse>::FAILED_IS_STATE) };
    const { assert!(<QueryRefundResponse as GatewayResponse>::FAILED_IS_STATE) };
    const { assert!(<AgreementQueryResponse as GatewayResponse>::FAILED_IS_STATE) };
    const { assert!(<DisbursementTxnResponse as GatewayResponse>::FAILED_IS_STATE) };
    const { assert!(!<CreateOrderResponse as GatewayResponse>::FAILED_IS_STATE) };
    const { assert!(!<RefundOrderResponse as GatewayResponse>::FAILED_IS_STATE) };
    // ... and the rule holds: 2 is Ok for the former, Err for the latter.
    assert!(decode::<QueryRefundResponse>(URL, codes(2, -14).as_bytes()).is_ok());
    assert!(decode::<RefundOrderResponse>(URL, codes(2, -14).as_bytes()).is_err());
}

fn not_found() -> Result<QueryOrderResponse, Error> {
    Ok(decode(URL, codes(2, -101).as_bytes()).unwrap())
}

fn paid() -> Result<QueryOrderResponse, Error> {
    Ok(decode(
        URL,
        br#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"amount":5000,"zp_trans_id":77}"#,
    )
    .unwrap())
}

#[tokio::test]
async fn the_poller_keeps_asking_while_the_order_is_not_found() {
    let clock = ManualClock::new(1_700_000_000_000);
    let answers = std::cell::RefCell::new(vec![not_found(), not_found(), paid()].into_iter());
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(
            1_700_000_000_000,
            || {
                let next = answers.borrow_mut().next().unwrap();
                async move { next }
            },
            std::future::pending(),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            PollOutcome::Paid {
                zp_trans_id: 77,
                amount: 5000,
                discount_amount: None
            }
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn the_poller_reports_not_found_at_the_deadline_not_failure() {
    let created = 1_700_000_000_000;
    let clock = ManualClock::new(created);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let mut queries = 0;
    let outcome = poller
        .poll(
            created,
            || {
                queries += 1;
                async { not_found() }
            },
            std::future::pending(),
        )
        .await
        .unwrap();
    let deadline = PollConfig::default().deadline_ms(created);
    assert!(
        matches!(
            outcome,
            PollOutcome::NotFound { at_deadline, sub_return_code: -101 } if at_deadline == deadline
        ),
        "{outcome:?}"
    );
    // Once a minute for 15 minutes plus the minute of grace, and once at the deadline.
    assert_eq!(queries, 17);
}

#[tokio::test]
async fn the_poller_stops_at_expiry() {
    let clock = ManualClock::new(0);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(
            0,
            || async { Ok(decode(URL, codes(2, -54).as_bytes()).unwrap()) },
            std::future::pending(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::Expired), "{outcome:?}");
}

// ---- 2. No invented values -----------------------------------------------------------------

#[test]
fn a_paid_answer_without_id_or_amount_does_not_decode() {
    for (body, field) in [
        (
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"amount":5000}"#,
            "zp_trans_id",
        ),
        (
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"zp_trans_id":77}"#,
            "amount",
        ),
    ] {
        let err = decode::<QueryOrderResponse>(URL, body.as_bytes()).unwrap_err();
        match &err {
            Error::Decode { source, .. } => {
                let text = source.to_string();
                assert!(text.contains(field), "{text}");
                assert!(text.contains("order.query"), "{text}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
    // Still processing: no id or amount needed.
    let r: QueryOrderResponse = decode(
        URL,
        br#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":true}"#,
    )
    .unwrap();
    assert_eq!(r.status(), OrderStatus::Processing);
    // A discount the gateway did not mention stays unknown, not 0.
    let r = paid().unwrap();
    assert_eq!(
        r.status(),
        OrderStatus::Paid {
            zp_trans_id: 77,
            amount: 5000,
            discount_amount: None
        }
    );
}

// ---- 6. Positive sub codes other than 1 never read as success -------------------------------

#[test]
fn pending_positive_sub_codes_are_not_success() {
    for sub in [2, 4, 5, 10, 19, 48] {
        let body = format!(
            r#"{{"return_code":1,"return_message":"","sub_return_code":{sub},"is_processing":false,"amount":5000,"zp_trans_id":77}}"#
        );
        let r: QueryOrderResponse = decode(URL, body.as_bytes()).unwrap();
        assert_eq!(r.status(), OrderStatus::Processing, "{sub}");
        assert!(!r.codes.is_success(), "{sub}");
        let r: QueryRefundResponse = decode(URL, codes(1, sub).as_bytes()).unwrap();
        assert!(
            matches!(r.status(), RefundStatus::Processing { .. }),
            "{sub}"
        );
        let r: AgreementPayResponse = decode(URL, codes(1, sub).as_bytes()).unwrap();
        assert_eq!(r.status(), PayStatus::Processing, "{sub}");
        let code = zalopay_api::codes::SubReturnCode::from(sub);
        assert!(!code.is_success(), "{sub}");
        assert_eq!(code.code(), sub, "unknown codes keep their numbers");
    }
    assert!(zalopay_api::codes::SubReturnCode::from(1).is_success());
    assert!(zalopay_api::codes::SubReturnCode::from(48).is_pending());
    assert!(!zalopay_api::codes::SubReturnCode::from(-48).is_pending());
}

// ---- 7. Tolerant responses, cashier_order_url, product_code ----------------------------------

#[test]
fn create_order_answer_keeps_cashier_order_url() {
    let r: CreateOrderResponse = decode(
        URL,
        br#"{"return_code":1,"return_message":"","sub_return_code":1,"order_url":"https://o","cashier_order_url":"https://c","zp_trans_token":"t","order_token":"t","brand_new":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(r.cashier_order_url.as_deref(), Some("https://c"));
}

#[test]
fn product_code_is_sent_but_not_signed() {
    let keys = keys_2554();
    let plain = create_order();
    let agreement = create_order().for_agreement_pay();
    assert_eq!(agreement.product_code.as_deref(), Some("AGREEMENT"));
    assert_eq!(plain.mac_input(&keys), agreement.mac_input(&keys));
    let config = fixture_config(2554, keys, Environment::Custom("http://127.0.0.1:1".into()));
    let body = String::from_utf8(
        zalopay_api::client::prepare(&config, &agreement, &mut String::new())
            .unwrap()
            .body,
    )
    .unwrap();
    assert!(body.contains("product_code=AGREEMENT"), "{body}");
    let plain_body = String::from_utf8(
        zalopay_api::client::prepare(&config, &plain, &mut String::new())
            .unwrap()
            .body,
    )
    .unwrap();
    assert!(!plain_body.contains("product_code"), "{plain_body}");
}

// ---- 8. Validation gaps, as #[check]s --------------------------------------------------------

fn refused(result: Result<zalopay_api::PreparedRequest, Error>, field: &str) {
    match result {
        Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidField({field}), got {other:?}"),
    }
}

fn validating_client(app_id: i64) -> Client {
    let clock = std::sync::Arc::new(ManualClock::new(TIME));
    let config = fixture_config(
        app_id,
        keys_2554(),
        Environment::Custom("http://127.0.0.1:1".into()),
    )
    .with_clock(clock);
    Client::new(config).unwrap()
}

#[test]
fn create_order_needs_a_description_and_a_sane_lifetime() {
    let client = validating_client(2554);
    let mut order = create_order();
    order.description = "  ".into();
    refused(client.prepare(&order), "description");
    for bad in [299, 2_592_001, -1] {
        let mut order = create_order();
        order.expire_duration_seconds = Some(bad);
        refused(client.prepare(&order), "expire_duration_seconds");
    }
    for good in [300, 900, 2_592_000] {
        let mut order = create_order();
        order.expire_duration_seconds = Some(good);
        client.prepare(&order).unwrap();
    }
}

#[test]
fn refund_fee_is_neither_negative_nor_above_the_amount() {
    let refund_time = refund().timestamp.unwrap();
    let clock = std::sync::Arc::new(ManualClock::new(refund_time));
    let config = fixture_config(
        2553,
        keys_2553(),
        Environment::Custom("http://127.0.0.1:1".into()),
    )
    .with_clock(clock);
    let client_at_refund = Client::new(config).unwrap();
    refused(
        client_at_refund.prepare(&refund().with_fee(-1)),
        "refund_fee_amount",
    );
    let amount = refund().amount;
    refused(
        client_at_refund.prepare(&refund().with_fee(amount + 1)),
        "refund_fee_amount",
    );
    client_at_refund
        .prepare(&refund().with_fee(amount))
        .unwrap();
    client_at_refund.prepare(&refund().with_fee(0)).unwrap();
}

#[test]
fn quick_pay_item_is_at_most_1024_characters() {
    let mut request = quick_pay();
    let text = format!("[\"{}\"]", "x".repeat(1021));
    assert_eq!(text.chars().count(), 1025);
    request.item = zalopay_api::JsonString::new(&text).unwrap();
    let clock = std::sync::Arc::new(ManualClock::new(request.app_time.unwrap()));
    let config = fixture_config(
        request.app_id.unwrap(),
        keys_2553(),
        Environment::Custom("http://127.0.0.1:1".into()),
    )
    .with_clock(clock);
    let client = Client::new(config).unwrap();
    refused(client.prepare(&request), "item");
}

// ---- 3. AlreadySubmitted only after an attempt that may have reached ZaloPay -----------------

const DUPLICATE: &str = r#"{"return_code":2,"return_message":"","sub_return_code":-68,"sub_return_message":"DUPLICATE_APPS_TRANS_ID"}"#;

fn retrying(max_attempts: u32, wait: Duration) -> RetryPolicy {
    RetryPolicy::none()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(wait)
        .with_max_backoff(wait)
        .with_rate_limit_backoff(wait)
        .with_max_retry_after(Duration::from_secs(5))
}

fn client_for(base: &str, retry: RetryPolicy, timeout: Duration) -> Client {
    let mut config =
        fixture_config(2554, keys_2554(), Environment::Custom(base.to_owned())).with_retry(retry);
    config.timeout = timeout;
    Client::new(config).unwrap()
}

#[tokio::test]
async fn a_refused_connection_then_a_duplicate_is_not_already_submitted() {
    // The first attempt finds nothing listening (it never left the machine); by the retry, a
    // server is up and says -68: the id was used *before* this call, not by it.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap().to_string();
    drop(probe);
    let base = format!("http://{addr}");
    let client = client_for(
        &base,
        retrying(2, Duration::from_secs(1)),
        Duration::from_secs(5),
    );
    let up = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        faulty::start_on(&addr, vec![Fault::Reply(200, DUPLICATE)]).await
    });
    let error = client.send(&create_order()).await.unwrap_err();
    let server = up.await.unwrap();
    assert_eq!(
        server.hits(),
        1,
        "the first attempt must not have reached a server"
    );
    match &error {
        Error::Gateway(gateway) => assert_eq!(gateway.sub_return_code, Some(-68)),
        other => panic!("expected the duplicate as a gateway error, got {other:?}"),
    }
}

#[tokio::test]
async fn already_submitted_keeps_the_lost_attempts_error_as_its_source() {
    let server = faulty::start(vec![
        Fault::Reply(502, "bad gateway"),
        Fault::Reply(200, DUPLICATE),
    ])
    .await;
    let client = client_for(
        &server.base,
        retrying(3, Duration::from_millis(5)),
        Duration::from_secs(5),
    );
    let error = client.send(&create_order()).await.unwrap_err();
    match &error {
        Error::AlreadySubmitted { earlier, .. } => {
            assert!(
                matches!(**earlier, Error::HttpStatus { status: 502, .. }),
                "{earlier:?}"
            );
        }
        other => panic!("expected AlreadySubmitted, got {other:?}"),
    }
    let source = std::error::Error::source(&error).expect("the earlier attempt's error");
    assert!(source.to_string().contains("502"), "{source}");
}

// ---- 4. Rate limits and body caps ------------------------------------------------------------

const OK_QUERY: &str = r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","is_processing":false,"amount":50000,"zp_trans_id":240913000002388}"#;
const RATE_LIMITED: &str = r#"{"return_code":2,"return_message":"","sub_return_code":-429,"sub_return_message":"LIMIT_REQUEST_REACH"}"#;

#[test]
fn waits_honour_retry_after_and_rate_limits() {
    let policy = retrying(3, Duration::from_millis(10));
    let http = |status: u16, retry_after: Option<Duration>| Error::HttpStatus {
        status,
        url: URL.into(),
        body: String::new(),
        retry_after,
    };
    assert_eq!(
        policy.wait_after(1, &http(503, Some(Duration::from_secs(2)))),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        policy.wait_after(1, &http(429, Some(Duration::from_secs(6)))),
        None,
        "longer than max_retry_after: give up and let the caller schedule it"
    );
    let limited = policy.with_rate_limit_backoff(Duration::from_secs(1));
    assert_eq!(
        limited.wait_after(1, &http(429, None)),
        Some(Duration::from_secs(1))
    );
    let gateway = decode::<QueryOrderResponse>(URL, RATE_LIMITED.as_bytes()).unwrap_err();
    assert_eq!(
        limited.wait_after(1, &gateway),
        Some(Duration::from_secs(1))
    );
    assert_eq!(
        limited.wait_after(1, &http(503, None)),
        Some(Duration::from_millis(10))
    );
}

#[tokio::test]
async fn a_429_with_a_short_retry_after_is_retried_and_a_long_one_is_returned() {
    let server = faulty::start(vec![
        Fault::ReplyWithHeaders(429, "retry-after: 1\r\n", "slow down"),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    let client = client_for(
        &server.base,
        retrying(3, Duration::from_millis(5)),
        Duration::from_secs(5),
    );
    let started = std::time::Instant::now();
    let response = client.send(&query_order()).await.unwrap();
    assert!(matches!(response.status(), OrderStatus::Paid { .. }));
    assert_eq!(server.hits(), 2);
    // Lower bound only (sleeping never ends early): the Retry-After was honoured.
    assert!(started.elapsed() >= Duration::from_secs(1));

    let server = faulty::start(vec![Fault::ReplyWithHeaders(
        429,
        "retry-after: 3600\r\n",
        "later",
    )])
    .await;
    let client = client_for(
        &server.base,
        retrying(3, Duration::from_millis(5)),
        Duration::from_secs(5),
    );
    let error = client.send(&query_order()).await.unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 429, retry_after: Some(after), .. } if after == Duration::from_secs(3600)),
        "{error:?}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn gateway_rate_limits_are_retried_on_queries() {
    let server = faulty::start(vec![
        Fault::Reply(200, RATE_LIMITED),
        Fault::Reply(200, OK_QUERY),
    ])
    .await;
    let client = client_for(
        &server.base,
        retrying(3, Duration::from_millis(5)),
        Duration::from_secs(5),
    );
    assert!(matches!(
        client.send(&query_order()).await.unwrap().status(),
        OrderStatus::Paid { .. }
    ));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn response_bodies_are_capped() {
    for chunked in [false, true] {
        let server = faulty::start(vec![Fault::Huge {
            bytes: 3 * 1024 * 1024,
            chunked,
        }])
        .await;
        let mut config =
            fixture_config(2554, keys_2554(), Environment::Custom(server.base.clone()))
                .with_retry(RetryPolicy::none());
        config.max_response_bytes = 64 * 1024;
        let client = Client::new(config).unwrap();
        let error = client.send(&query_order()).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: 65536, .. }),
            "chunked={chunked}: {error:?}"
        );
        assert!(error.may_have_been_sent());
    }
}

// ---- 7. Every response type tolerates fields it does not know --------------------------------

fn tolerates_unknown_fields<R>(body: &str)
where
    R: Endpoint,
    R::Response: GatewayResponse,
{
    let extra = r#"{"x_new_field":{"nested":[1,"two",null]},"cashier_order_url":"https://c","#;
    let body = body.replacen('{', extra, 1);
    if let Err(error) = decode::<R::Response>(URL, body.as_bytes()) {
        panic!("{}: {error:?}", R::PATH);
    }
}

#[test]
fn every_response_type_tolerates_unknown_fields() {
    use zalopay_api::*;
    let ok = r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":""}"#;
    let paid = r#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"amount":1,"zp_trans_id":2}"#;
    tolerates_unknown_fields::<order::CreateOrder>(ok);
    tolerates_unknown_fields::<order::QueryOrder>(paid);
    tolerates_unknown_fields::<order::CancelOrder>(ok);
    tolerates_unknown_fields::<refund::RefundOrder>(ok);
    tolerates_unknown_fields::<refund::QueryRefund>(ok);
    tolerates_unknown_fields::<banks::ListBanks>(
        r#"{"returncode":1,"returnmessage":"","banks":{}}"#,
    );
    tolerates_unknown_fields::<quickpay::QuickPay>(ok);
    tolerates_unknown_fields::<agreement::AgreementBind>(ok);
    tolerates_unknown_fields::<agreement::AgreementQuery>(
        r#"{"return_code":1,"return_message":"","data":{"status":1,"x":2}}"#,
    );
    tolerates_unknown_fields::<agreement::AgreementUnbind>(ok);
    tolerates_unknown_fields::<agreement::AgreementBalance>(ok);
    tolerates_unknown_fields::<agreement::AgreementPay>(ok);
    tolerates_unknown_fields::<agreement::AgreementQueryUser>(ok);
    tolerates_unknown_fields::<tokenization::TokenizationBind>(ok);
    tolerates_unknown_fields::<tokenization::TokenizationQuery>(ok);
    tolerates_unknown_fields::<hybrid::HybridPay>(ok);
    tolerates_unknown_fields::<disbursement::DisbursementBalance>(ok);
    tolerates_unknown_fields::<disbursement::DisbursementUser>(ok);
    tolerates_unknown_fields::<disbursement::DisbursementTopup>(ok);
    tolerates_unknown_fields::<disbursement::DisbursementTxn>(
        r#"{"return_code":1,"return_message":"","data":{"status":1,"x":2}}"#,
    );
    tolerates_unknown_fields::<zod::ZodCreateInvoice>(ok);
    tolerates_unknown_fields::<zod::ZodQueryInvoice>(r#"{"orderUrl":"https://o"}"#);
    tolerates_unknown_fields::<zod::ZodQueryStatus>(r#"{"status":1,"amount":1}"#);
}
