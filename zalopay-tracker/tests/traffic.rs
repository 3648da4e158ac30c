//! The tracker against real traffic (issue 21 item 1): every callback of `specs/traffic`
//! through `handle_callback`, for an order the tracker created and for one it never saw. A
//! captured payment is recorded with the gateway's ids and amount and answered `1` (then `2`
//! when ZaloPay repeats it); a forged body is answered `-1` and records nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../zalopay-api/tests/common/traffic.rs"]
mod traffic;

use traffic::{Sample, int, keys_for, text};
use zalopay_api::{Client, Config, Environment};
use zalopay_tracker::model::TrackedOrder;
use zalopay_tracker::{MemoryStore, OrderState, Source, Store, Tracker, TrackerConfig};

fn tracker(sample: &Sample) -> Tracker<MemoryStore> {
    // Callbacks need no gateway: nothing listens on the discard port, and nothing is sent.
    let config = Config::new(
        sample.app_id,
        keys_for(sample.app_id),
        Environment::Custom("http://127.0.0.1:9".to_owned()),
    );
    Tracker::new(
        MemoryStore::new(),
        Client::new(config).unwrap(),
        TrackerConfig::new("traffic"),
    )
}

async fn check_paid(sample: &Sample, tracker: &Tracker<MemoryStore>) {
    let id = &sample.id;
    let app_trans_id = text(&sample.expect, "app_trans_id").unwrap();
    let order = tracker.store().order(app_trans_id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Paid, "{id}");
    assert_eq!(order.confirmed_by, Some(Source::Callback), "{id}");
    assert_eq!(
        order.zp_trans_id,
        int(&sample.expect, "zp_trans_id"),
        "{id}"
    );
    assert_eq!(order.paid_amount, int(&sample.expect, "amount"), "{id}");
}

#[tokio::test]
async fn callbacks_for_tracked_orders() {
    for sample in traffic::of("callback") {
        let id = &sample.id;
        let tracker = tracker(&sample);
        let body = sample.callback_body();
        match text(&sample.expect, "outcome").unwrap() {
            "paid" => {
                let app_trans_id = text(&sample.expect, "app_trans_id").unwrap();
                let amount = int(&sample.expect, "amount").unwrap();
                let app_time = int(&sample.expect, "app_time").unwrap();
                let mut order = TrackedOrder::new(
                    app_trans_id,
                    sample.app_id,
                    amount,
                    app_time,
                    app_time + 900_000,
                    app_time,
                );
                order.state = OrderState::Open;
                tracker.store().insert_order(&order).await.unwrap();

                assert_eq!(
                    tracker.handle_callback(body.as_bytes()).await.return_code,
                    1,
                    "{id}"
                );
                check_paid(&sample, &tracker).await;
                // ZaloPay calls again: already processed, nothing changes.
                assert_eq!(
                    tracker.handle_callback(body.as_bytes()).await.return_code,
                    2,
                    "{id}"
                );
                check_paid(&sample, &tracker).await;
            }
            "bad_mac" => {
                assert_eq!(
                    tracker.handle_callback(body.as_bytes()).await.return_code,
                    -1,
                    "{id}"
                );
                let data: serde_json::Value =
                    serde_json::from_str(&sample.callback_data()).unwrap();
                let app_trans_id = data["app_trans_id"].as_str().unwrap();
                assert!(
                    tracker.store().order(app_trans_id).await.unwrap().is_none(),
                    "{id}: a forged callback left a record"
                );
            }
            other => panic!("{id}: unknown outcome {other}"),
        }
    }
}

#[tokio::test]
async fn a_captured_payment_for_an_untracked_order_is_kept() {
    for sample in traffic::of("callback") {
        if text(&sample.expect, "outcome") != Some("paid") {
            continue;
        }
        let tracker = tracker(&sample);
        let reply = tracker
            .handle_callback(sample.callback_body().as_bytes())
            .await;
        assert_eq!(reply.return_code, 1, "{}", sample.id);
        check_paid(&sample, &tracker).await;
    }
}
