//! Builders and client-filled fields: a request built without `app_id` or its time goes on
//! the wire byte for byte like the published vectors; retries re-send the same values; a
//! request for another app never leaves the machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::sync::Arc;
use zalopay_api::ids::MRefundId;

use common::*;
use faulty::Fault;
use zalopay_api::clock::Clock;
use zalopay_api::order::{CreateOrder, QueryOrder};
use zalopay_api::refund::{QueryRefund, RefundOrder};
use zalopay_api::{Client, Config, Environment, Error, RetryPolicy};

fn client_2554(base: &str) -> Client {
    let config = fixture_config(2554, keys_2554(), Environment::Custom(base.to_owned()));
    Client::new(config).unwrap()
}

#[test]
fn built_without_app_id_or_time_the_wire_matches_the_vectors() {
    let client = client_2554("http://127.0.0.1:9");
    let built = CreateOrder::builder()
        .app_trans_id(trans())
        .app_user("user123")
        .amount(50_000)
        .description("Demo - Payment for the order #13221300383")
        .build();
    assert_eq!((built.app_id, built.app_time), (None, None));
    // The positional fixture carries app 2554 and TIME explicitly; the client's clock stands
    // at TIME, so both must encode to the same bytes and MAC.
    let by_hand = client.prepare(&create_order()).unwrap();
    let by_builder = client.prepare(&built).unwrap();
    assert_eq!(by_builder, by_hand);

    let refund = RefundOrder::builder()
        .m_refund_id(MRefundId::try_from("230407_2554_1680848533635").unwrap())
        .zp_trans_id(230_407_000_000_033_i64)
        .amount(50_000)
        .description("Refund for order #13221300383")
        .build();
    let filled = client.fill(&refund).unwrap();
    assert_eq!(filled.app_id, Some(2554));
    assert_eq!(filled.timestamp, Some(TIME));
}

#[test]
fn the_time_is_taken_once_and_kept_by_fill() {
    let clock = Arc::new(zalopay_api::clock::ManualClock::new(TIME));
    let config = Config::new(
        2554,
        keys_2554(),
        Environment::Custom("http://127.0.0.1:9".into()),
    )
    .with_clock(clock.clone());
    let client = Client::new(config).unwrap();
    let query = QueryRefund::builder()
        .m_refund_id(MRefundId::try_from("230407_2554_1680848533635").unwrap())
        .build();
    let kept = client.fill(&query).unwrap();
    clock.advance(std::time::Duration::from_secs(60));
    // The kept request keeps its time; the unfilled one takes the new reading.
    assert_eq!(client.fill(&kept).unwrap().timestamp, Some(TIME));
    assert_eq!(client.fill(&query).unwrap().timestamp, Some(clock.now_ms()));
}

#[tokio::test]
async fn a_retry_re_sends_the_same_app_id_time_and_mac() {
    let server = faulty::start(vec![
        Fault::Reply(503, "busy"),
        Fault::Reply(503, "busy"),
        Fault::Reply(
            200,
            r#"{"return_code":3,"return_message":"","sub_return_code":2,"sub_return_message":""}"#,
        ),
    ])
    .await;
    // A clock that moves on every reading: if the client read it per attempt, the bodies
    // (timestamp and MAC) would differ.
    struct Ticking(std::sync::atomic::AtomicI64);
    impl Clock for Ticking {
        fn now_ms(&self) -> i64 {
            self.0.fetch_add(1_000, std::sync::atomic::Ordering::SeqCst)
        }
    }
    let config = Config::new(2554, keys_2554(), Environment::Custom(server.base.clone()))
        .with_clock(Arc::new(Ticking(std::sync::atomic::AtomicI64::new(TIME))))
        .with_retry(
            RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::ZERO)
                .with_max_backoff(std::time::Duration::ZERO)
                .with_jitter(false),
        );
    let client = Client::new(config).unwrap();
    let query = QueryRefund::builder()
        .m_refund_id(MRefundId::try_from("230407_2554_1680848533635").unwrap())
        .build();
    client.send(&query).await.unwrap();
    let bodies = server.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
    assert!(bodies[0].contains("app_id=2554"), "{}", bodies[0]);
    assert!(
        bodies[0].contains(&format!("timestamp={TIME}")),
        "{}",
        bodies[0]
    );
}

#[tokio::test]
async fn a_request_for_another_app_is_refused_before_any_io() {
    let server = faulty::start(vec![Fault::Reply(
        200,
        r#"{"return_code":3,"return_message":"","sub_return_code":0,"sub_return_message":"","is_processing":false,"amount":0,"zp_trans_id":0}"#,
    )])
    .await;
    let client = client_2554(&server.base);
    let other_app = QueryOrder::builder()
        .app_id(2553)
        .app_trans_id(trans())
        .build();
    match client.send(&other_app).await {
        Err(Error::InvalidField { field, reason }) => {
            assert_eq!(field, "app_id");
            assert!(reason.contains("2554"), "{reason}");
        }
        other => panic!("expected InvalidField, got {other:?}"),
    }
    assert!(client.prepare(&other_app).is_err());
    assert_eq!(server.hits(), 0, "nothing may be sent for another app");
    // The same request for this client's app (set or left to the client) is sent.
    let own = QueryOrder::builder().app_trans_id(trans()).build();
    let _ = client.send(&own).await;
    let explicit = QueryOrder::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .build();
    let _ = client.send(&explicit).await;
    assert_eq!(server.hits(), 2);
    let bodies = server.bodies.lock().unwrap().clone();
    assert_eq!(bodies[0], bodies[1]);
    // The free `prepare` refuses it too.
    let config = fixture_config(2554, keys_2554(), Environment::Custom(server.base.clone()));
    assert!(zalopay_api::client::prepare(&config, &other_app, &mut String::new()).is_err());
}
