//! `Client::poll_order_with` end to end against a loopback fake of `/v2/query`.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use zalopay_api::ids::AppTransId;

use zalopay_api::clock::{Clock, SystemClock};
use zalopay_api::poll::{PollConfig, PollOutcome};
use zalopay_api::{Client, Config, Environment, Keys};

#[tokio::test]
async fn client_polls_the_query_endpoint_until_paid() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let router = axum::Router::new().route(
        "/v2/query",
        axum::routing::post(move |body: String| {
            let seen = Arc::clone(&seen);
            async move {
                assert!(body.contains("app_trans_id=240102_1"), "{body}");
                assert!(body.contains("mac="), "{body}");
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    r#"{"return_code":3,"return_message":"","sub_return_code":3,"is_processing":true}"#
                } else {
                    r#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"amount":5000,"zp_trans_id":77,"discount_amount":0}"#
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let keys = Keys::new(
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    )
    .unwrap();
    let environment = Environment::parse(&format!("http://{addr}")).unwrap();
    let client = Client::new(Config::new(2554, keys, environment)).unwrap();
    let config = PollConfig {
        // The smallest interval the poller allows; this test sleeps one real second.
        interval: Duration::from_millis(1),
        ..PollConfig::default()
    };
    let outcome = client
        .poll_order_with(
            &AppTransId::try_from("240102_1").unwrap(),
            SystemClock.now_ms(),
            config,
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
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    server.abort();
}
