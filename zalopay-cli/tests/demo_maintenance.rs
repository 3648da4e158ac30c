//! The demo shop through a gateway maintenance window (issue 21): its tracker's status queries
//! are answered `2/-135` (and the callback is lost), the buyer pays meanwhile. The shop keeps
//! waiting instead of declaring the order failed, and shows it paid once the window ends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use zalopay_cli::demo::{DemoOptions, start};
use zalopay_emulator::{FailWith, Faults};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_made_during_maintenance_is_shown_paid_never_failed() {
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
    demo.emulator_state()
        .set_faults(
            None,
            Faults::default()
                .with_callback_loss(1.0)
                .with_fail_rate(1.0)
                .with_fail_with(FailWith::Code135)
                .with_operations(["order.query"]),
        )
        .unwrap();
    let checkout = http
        .post(format!("{}/checkout", demo.shop_url()))
        .form(&[("product", "coffee")])
        .send()
        .await
        .unwrap();
    let location = checkout.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/order/").unwrap().to_owned();
    let paid = http
        .post(format!("{}/emulator/orders/{id}/pay", demo.emulator_url()))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());

    let status_url = format!("{}/order/{id}/status", demo.shop_url());
    let status = || async {
        http.get(&status_url)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    // Several queries answered with maintenance: the shop still waits.
    let faulted = || {
        demo.emulator_state()
            .request_log()
            .iter()
            .filter(|r| r.fault.as_deref() == Some("code_135"))
            .count()
    };
    for _ in 0..200 {
        if faulted() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(faulted() >= 3, "the tracker kept asking: {}", faulted());
    let during = status().await;
    assert_eq!(during["status"], "waiting", "{during}");

    // The window ends: the next query finds the payment.
    demo.emulator_state()
        .set_faults(None, Faults::default())
        .unwrap();
    let mut after = serde_json::Value::Null;
    for _ in 0..300 {
        after = status().await;
        if after["status"] != "waiting" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    demo.shutdown().await;
    assert_eq!(after["status"], "paid", "{after}");
    assert_eq!(after["confirmed_by"], "query", "{after}");
}
