//! The demo shop's refund, as a merchant back end does it: only a paid order is refunded, in
//! full, through the tracker; pressing twice is the same refund, never a second one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use zalopay_cli::demo::{DemoOptions, start};
use zalopay_tracker::Store as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_is_refunded_once_through_the_tracker() {
    let demo = start(DemoOptions {
        callback_grace: Duration::from_millis(200),
        poll_interval: Duration::from_millis(200),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let shop = demo.shop_url();
    let checkout = http
        .post(format!("{shop}/checkout"))
        .form(&[("product", "coffee")])
        .send()
        .await
        .unwrap();
    let location = checkout.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/order/").unwrap().to_owned();

    // Not paid yet: nothing to refund, nothing sent.
    let early = http
        .post(format!("{shop}/order/{id}/refund"))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409);
    assert!(demo.emulator_state().refunds().is_empty());

    let paid = http
        .post(format!("{}/emulator/orders/{id}/pay", demo.emulator_url()))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = http
            .get(format!("{shop}/order/{id}/status"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status["status"], "paid", "{status}");
    let page = http
        .get(format!("{shop}/order/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("action=\"/order/{id}/refund\"")),
        "{page}"
    );

    // Refund twice: one refund at the gateway, the same m_refund_id both times.
    let mut locations = Vec::new();
    for _ in 0..2 {
        let refund = http
            .post(format!("{shop}/order/{id}/refund"))
            .send()
            .await
            .unwrap();
        assert_eq!(refund.status(), 303);
        locations.push(refund.headers()["location"].to_str().unwrap().to_owned());
    }
    assert_eq!(locations[0], locations[1]);
    let refunds = demo.emulator_state().refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].amount, 45_000);
    assert_eq!(refunds[0].app_trans_id, id);
    let m_refund_id = locations[0].strip_prefix("/refund/").unwrap();
    assert_eq!(refunds[0].m_refund_id, m_refund_id);
    let tracked = demo
        .tracker()
        .store()
        .refund(m_refund_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tracked.state, zalopay_tracker::RefundState::Refunded);
    let page = http
        .get(format!("{shop}{}", locations[0]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Refunded: 45.000 ₫"), "{page}");
    demo.shutdown().await;
}
