//! Money safety of the tracker's verdicts (issue 22 items 2, 3 and 5): agreement callbacks,
//! refunds the gateway does not know, paid amounts, duplicate refusals.

mod common;

use common::{Bench, Recorder, create_request, order_id, tracker};
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;
use zalopay_api::ids::MRefundId;
use zalopay_api::refund::RefundOrder;
use zalopay_emulator::{EmulatorConfig, FailWith, Faults};
use zalopay_tracker::{MemoryStore, SqlStore, Store, Tracker};

fn keys() -> Keys {
    Keys::new(common::KEY1, common::KEY2).unwrap()
}

fn paid_callback(id: &str, app_time: i64, amount: i64, zp_trans_id: i64) -> String {
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": id, "app_time": app_time,
        "app_user": "buyer", "amount": amount, "embed_data": "{}", "item": "[]",
        "zp_trans_id": zp_trans_id, "server_time": app_time + 1, "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    sign_callback(&keys(), &data, 1)
}

fn refund_request(bench: &Bench, suffix: &str, zp_trans_id: i64, amount: i64) -> RefundOrder {
    let m_refund_id = MRefundId::with_unique(bench.now(), common::APP_ID, suffix)
        .unwrap()
        .into_string();
    RefundOrder::builder()
        .app_id(common::APP_ID)
        .m_refund_id(MRefundId::try_from(&m_refund_id).unwrap())
        .zp_trans_id(zp_trans_id)
        .amount(amount)
        .timestamp(bench.now())
        .description("damaged")
        .build()
}

/// A paid order of `amount`; its `zp_trans_id`.
async fn paid_order<S: Store>(
    bench: &Bench,
    tracker: &Tracker<S>,
    suffix: &str,
    amount: i64,
) -> i64 {
    let id = order_id(bench.now(), suffix);
    tracker
        .create_order(
            &create_request(&id, amount, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    bench.pay(&id).await;
    bench.advance_secs(65);
    tracker.poll_due().await.unwrap();
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state.to_string(), "paid");
    order.zp_trans_id.unwrap()
}

/// D-63: the tracker does not process agreement callbacks, so it must not answer `1`
/// ("processed"): it rejects them (`-1`), and ZaloPay's log shows them as not processed.
#[tokio::test]
async fn an_agreement_callback_is_not_answered_as_processed() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let data = r#"{"app_id":2553,"app_trans_id":"240102_1","binding_id":230407000001,"pay_token":"NJLHNTRLZDET","status":1}"#;
    let body = sign_callback(&keys(), data, 2);
    let reply = tracker.handle_callback(body.as_bytes()).await;
    assert_eq!(reply.return_code, -1, "{reply:?}");
    assert!(tracker.store().orders(10).await.unwrap().is_empty());
}

/// A refund whose send got no answer and that the gateway never knew: after the window it
/// is unresolved (reconcile), not failed, and it is not asked about any more.
#[tokio::test]
async fn a_refund_unknown_after_the_window_is_unresolved_not_failed() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let store = SqlStore::connect(&common::fresh_sqlite("unresolved"))
        .await
        .unwrap();
    let tracker = tracker(&bench, store, "one");
    let zp_trans_id = paid_order(&bench, &tracker, "ur1", 50_000).await;
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_fail_rate(1.0)
                .with_fail_with(FailWith::Code500)
                .with_operations(["refund.create"]),
        )
        .unwrap();
    let request = refund_request(&bench, "u1", zp_trans_id, 20_000);
    let m_refund_id = request.m_refund_id.to_string();
    let refund = tracker.refund(&request).await.unwrap();
    assert_eq!(refund.state.to_string(), "requested");
    bench.advance_secs(30);
    tracker.poll_due().await.unwrap();
    let refund = tracker.store().refund(&m_refund_id).await.unwrap().unwrap();
    assert_eq!(refund.state.to_string(), "requested", "{refund:?}");
    bench.advance_secs(3600);
    tracker.poll_due().await.unwrap();
    let refund = tracker.store().refund(&m_refund_id).await.unwrap().unwrap();
    assert_eq!(refund.state.to_string(), "unresolved", "{refund:?}");
    assert_eq!(refund.next_query_at, None);
    let handler = Recorder::default();
    tracker.dispatch(&handler).await.unwrap();
    assert!(
        handler
            .keys()
            .contains(&format!("refund:{m_refund_id}:refund_unresolved")),
        "{:?}",
        handler.keys()
    );
    assert!(
        !handler.keys().iter().any(|k| k.ends_with(":refund_failed")),
        "{:?}",
        handler.keys()
    );
    bench.advance_secs(3600);
    assert_eq!(tracker.poll_due().await.unwrap().leased, 0);
}

/// `refund()` again under a tracked `m_refund_id` with another amount or transaction is an
/// error, and nothing is sent; the same request is answered with the stored refund.
#[tokio::test]
async fn a_refund_id_reused_with_other_values_is_an_error() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let zp_trans_id = paid_order(&bench, &tracker, "rr1", 50_000).await;
    let request = refund_request(&bench, "r1", zp_trans_id, 20_000);
    let first = tracker.refund(&request).await.unwrap();
    let sent = bench.emulator.state().refunds().len();
    assert_eq!(sent, 1);
    let more = refund_request(&bench, "r1", zp_trans_id, 30_000);
    let error = tracker.refund(&more).await.unwrap_err().to_string();
    assert!(error.contains("amount"), "{error}");
    let other = refund_request(&bench, "r1", zp_trans_id + 1, 20_000);
    let error = tracker.refund(&other).await.unwrap_err().to_string();
    assert!(error.contains("zp_trans_id"), "{error}");
    assert_eq!(
        tracker.refund(&request).await.unwrap().m_refund_id,
        first.m_refund_id
    );
    assert_eq!(bench.emulator.state().refunds().len(), sent);
}

/// A payment of another amount than the order's own is not recorded as paid: the order and
/// its event say `amount_mismatch`, and the merchant decides.
#[tokio::test]
async fn a_paid_amount_that_differs_is_a_mismatch_not_paid() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "mm1");
    let order = tracker
        .create_order(
            &create_request(&id, 500_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    let body = paid_callback(&id, order.app_time, 1_000, 777);
    assert_eq!(
        tracker.handle_callback(body.as_bytes()).await.return_code,
        1
    );
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state.to_string(), "amount_mismatch", "{order:?}");
    assert_eq!(order.paid_amount, Some(1_000));
    assert_eq!(order.amount, 500_000);
    assert_eq!(order.next_query_at, None);
    let handler = Recorder::default();
    tracker.dispatch(&handler).await.unwrap();
    assert_eq!(handler.keys(), vec![format!("order:{id}:amount_mismatch")]);
    // A second answer does not turn it into paid.
    let body = paid_callback(&id, order.app_time, 500_000, 778);
    tracker.handle_callback(body.as_bytes()).await;
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state.to_string(), "amount_mismatch");
}

/// `-68` to the first create attempt: the id is someone else's order. It is not adopted
/// (a 500 000 VND order must not end paid by that order's 1 000 VND payment).
#[tokio::test]
async fn a_duplicate_refusal_of_the_first_create_is_not_adopted() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "dup68");
    // Someone else's order under the same id.
    bench
        .client()
        .send(&create_request(&id, 1_000, bench.now(), None))
        .await
        .unwrap();
    let result = tracker
        .create_order(
            &create_request(&id, 500_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await;
    assert!(result.is_err(), "{result:?}");
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state.to_string(), "abandoned", "{order:?}");
    assert_eq!(order.sub_return_code, Some(-68));
    bench.pay(&id).await;
    bench.advance_secs(65);
    tracker.poll_due().await.unwrap();
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_ne!(order.state.to_string(), "paid", "{order:?}");
}

/// `-23` to the first refund attempt: the `m_refund_id` is someone else's refund. It is not
/// adopted as this refund's own (whose amount ZaloPay never saw): unresolved, reconcile.
#[tokio::test]
async fn a_duplicate_refusal_of_the_first_refund_is_not_adopted() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let zp_trans_id = paid_order(&bench, &tracker, "dup23", 50_000).await;
    let theirs = refund_request(&bench, "d1", zp_trans_id, 1_000);
    bench.client().send(&theirs).await.unwrap();
    let ours = refund_request(&bench, "d1", zp_trans_id, 20_000);
    let refund = tracker.refund(&ours).await.unwrap();
    assert_eq!(refund.state.to_string(), "unresolved", "{refund:?}");
    assert_eq!(refund.sub_return_code, Some(-23));
    for _ in 0..3 {
        bench.advance_secs(61);
        tracker.poll_due().await.unwrap();
    }
    let refund = tracker
        .store()
        .refund(ours.m_refund_id.as_ref())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refund.state.to_string(), "unresolved", "{refund:?}");
}
