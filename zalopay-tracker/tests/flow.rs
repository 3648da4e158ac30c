//! The tracker against the emulator on a manual clock: callbacks and polls into one state
//! machine, the documented schedule, one terminal event per order.

mod common;

use common::{Bench, Recorder, callback_server, create_request, order_id, tracker};
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;
use zalopay_api::ids::MRefundId;
use zalopay_emulator::{EmulatorConfig, FailWith, Faults};
use zalopay_tracker::model::TrackedOrder;
use zalopay_tracker::{
    CallbackOutcome, EventStatus, MemoryStore, OrderState, Outcome, Source, SqlStore, Store,
    Tracker, TrackerConfig, TrackerError,
};

#[tokio::test]
async fn a_lost_callback_is_found_by_polling_and_handled_once() {
    let bench = Bench::with_faults(Faults::default().with_seed(1).with_callback_loss(1.0)).await;
    let store = SqlStore::connect(&common::fresh_sqlite("lost"))
        .await
        .unwrap();
    let tracker = tracker(&bench, store, "one");
    let url = callback_server(tracker.clone()).await;
    let id = order_id(bench.now(), "lost1");
    let order = tracker
        .create_order(
            &create_request(&id, 45_000, bench.now(), Some(&url)),
            &serde_json::json!({"sku": "coffee"}),
        )
        .await
        .unwrap();
    assert_eq!(order.state, OrderState::Open);
    assert!(order.order_url.is_some());
    bench.pay(&id).await;

    // Nothing is due before the first minute.
    bench.advance_secs(30);
    assert_eq!(tracker.poll_due().await.unwrap().queried, 0);
    bench.advance_secs(40);
    let pass = tracker.poll_due().await.unwrap();
    assert_eq!((pass.queried, pass.finished), (1, 1));
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Paid);
    assert_eq!(order.confirmed_by, Some(Source::Query));
    assert_eq!(order.paid_amount, Some(45_000));
    assert_eq!(order.metadata, r#"{"sku":"coffee"}"#);

    let handler = Recorder::default();
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 1);
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 0);
    assert_eq!(handler.keys(), vec![format!("order:{id}:paid")]);
    // No more queries for a paid order.
    bench.advance_secs(600);
    assert_eq!(tracker.poll_due().await.unwrap().leased, 0);
}

#[tokio::test]
async fn a_callback_records_the_payment_and_a_duplicate_changes_nothing() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let url = callback_server(tracker.clone()).await;
    let id = order_id(bench.now(), "cb1");
    tracker
        .create_order(
            &create_request(&id, 20_000, bench.now(), Some(&url)),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    bench.pay(&id).await;
    common::eventually("the callback", || async {
        tracker.store().order(&id).await.unwrap().unwrap().state == OrderState::Paid
    })
    .await;
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.confirmed_by, Some(Source::Callback));
    assert_eq!(order.next_query_at, None);

    // The same callback again (as ZaloPay retries it): reply 2, nothing changes.
    let zp_trans_id = order.zp_trans_id.unwrap();
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": id, "app_time": order.app_time,
        "app_user": "buyer", "amount": 20_000, "embed_data": "{}", "item": "[]",
        "zp_trans_id": zp_trans_id, "server_time": bench.now(), "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    let keys = Keys::new(common::KEY1, common::KEY2).unwrap();
    let body = sign_callback(&keys, &data, 1);
    assert_eq!(
        tracker.handle_callback(body.as_bytes()).await.return_code,
        2
    );
    assert_eq!(
        tracker.take_callback(body.as_bytes()).await.unwrap(),
        CallbackOutcome::Duplicate
    );
    assert_eq!(tracker.store().order(&id).await.unwrap().unwrap(), order);
    assert_eq!(
        tracker.store().events(Some(&id), 10).await.unwrap().len(),
        1
    );
    // A forged body is rejected and changes nothing.
    let forged = sign_callback(&Keys::new(common::KEY1, "not-key2").unwrap(), &data, 1);
    assert_eq!(
        tracker.handle_callback(forged.as_bytes()).await.return_code,
        -1
    );
}

fn paid_callback(keys: &Keys, id: &str, app_time: i64, amount: i64, zp_trans_id: i64) -> String {
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": id, "app_time": app_time,
        "app_user": "buyer", "amount": amount, "embed_data": "{}", "item": "[]",
        "zp_trans_id": zp_trans_id, "server_time": app_time + 1, "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    sign_callback(keys, &data, 1)
}

#[tokio::test]
async fn a_paid_callback_after_a_failed_poll_ends_as_paid() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let store = SqlStore::connect(&common::fresh_sqlite("wins"))
        .await
        .unwrap();
    let tracker = tracker(&bench, store, "one");
    let keys = Keys::new(common::KEY1, common::KEY2).unwrap();
    let handler = Recorder::default();

    // 1. The failed verdict not yet handed out: it is superseded, only "paid" is delivered.
    let first = order_id(bench.now(), "wins1");
    let second = order_id(bench.now(), "wins2");
    for id in [&first, &second] {
        tracker
            .create_order(
                &create_request(id, 30_000, bench.now(), None),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        bench.cancel(id).await;
    }
    // A cancel before expiry is not final (the buyer may still pay the same order): the
    // orders stay open until the final query after expiry says they failed.
    bench.advance_secs(70);
    assert_eq!(tracker.poll_due().await.unwrap().finished, 0);
    let open = tracker.store().order(&first).await.unwrap().unwrap();
    assert_eq!(open.state, OrderState::Open);
    assert_eq!(open.sub_return_code, Some(-329));
    let mut finished = 0;
    for _ in 0..20 {
        bench.advance_secs(60);
        finished += tracker.poll_due().await.unwrap().finished;
    }
    assert_eq!(finished, 2);
    let failed = tracker.store().order(&first).await.unwrap().unwrap();
    assert_eq!(failed.state, OrderState::Failed);
    assert_eq!(failed.sub_return_code, Some(-329));
    let app_time = failed.app_time;
    let body = paid_callback(&keys, &first, app_time, 30_000, 4242);
    assert_eq!(
        tracker.handle_callback(body.as_bytes()).await.return_code,
        1
    );
    let order = tracker.store().order(&first).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Paid);
    assert_eq!(order.zp_trans_id, Some(4242));
    let events = tracker.store().events(Some(&first), 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].status, EventStatus::Superseded);

    // 2. The failed verdict already handed out: "paid" follows and names what it overrides.
    tracker.dispatch(&handler).await.unwrap();
    let body = paid_callback(&keys, &second, app_time, 30_000, 4343);
    assert_eq!(
        tracker.handle_callback(body.as_bytes()).await.return_code,
        1
    );
    tracker.dispatch(&handler).await.unwrap();
    let seen: Vec<Outcome> = handler
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.outcome.clone())
        .collect();
    // Handed out in the order recorded: the second order's failure, then the payments. Only
    // the second names the verdict it overrides: the first order's failure was superseded
    // before it was handed out, so there is nothing to undo (D-62).
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(&seen[0], Outcome::Failed { app_trans_id, .. } if *app_trans_id == second));
    assert!(
        matches!(&seen[1], Outcome::Paid { app_trans_id, overrides: None, .. } if *app_trans_id == first),
        "{:?}",
        seen[1]
    );
    assert!(
        matches!(&seen[2], Outcome::Paid { app_trans_id, overrides: Some(o), .. } if *app_trans_id == second && o == "failed")
    );
    // A later failed poll cannot undo the payment.
    bench.advance_secs(3600);
    assert_eq!(tracker.poll_due().await.unwrap().leased, 0);
}

#[tokio::test]
async fn an_unpaid_order_is_polled_every_minute_then_expires_once() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "exp1");
    tracker
        .create_order(
            &create_request(&id, 10_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    // 25 minutes in 5 s steps: queries every minute (jitter ≤ 5 s) until the final one.
    for _ in 0..300 {
        bench.advance_secs(5);
        tracker.poll_due().await.unwrap();
    }
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Expired);
    assert!(
        (14..=17).contains(&order.queries),
        "queries: {}",
        order.queries
    );
    let queries = bench
        .emulator
        .state()
        .request_log()
        .iter()
        .filter(|r| r.operation == "order.query")
        .count();
    assert_eq!(i64::try_from(queries).unwrap(), order.queries);
    let handler = Recorder::default();
    tracker.dispatch(&handler).await.unwrap();
    assert_eq!(handler.keys(), vec![format!("order:{id}:expired")]);
}

#[tokio::test]
async fn an_order_recorded_but_never_sent_is_abandoned_not_recreated() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let store = SqlStore::connect(&common::fresh_sqlite("crashgap"))
        .await
        .unwrap();
    let now = bench.now();
    let id = order_id(now, "gap1");
    // As left by a crash between "record" and "send".
    let mut order = TrackedOrder::new(&id, common::APP_ID, 5_000, now, now + 900_000, now);
    order.next_query_at = Some(now + 60_000);
    assert!(store.insert_order(&order).await.unwrap());
    let tracker = tracker(&bench, store, "one");
    for _ in 0..20 {
        bench.advance_secs(60);
        tracker.poll_due().await.unwrap();
    }
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Abandoned);
    assert_eq!(order.sub_return_code, Some(-101));
    assert!(
        bench.emulator.state().orders().is_empty(),
        "never re-created"
    );
    let log = bench.emulator.state().request_log();
    assert!(log.iter().all(|r| r.operation == "order.query"));
    // Creating it again through the tracker sends nothing: the record stands.
    let again = tracker
        .create_order(
            &create_request(&id, 5_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await;
    assert!(matches!(again, Err(TrackerError::Invalid(_)) | Ok(_)));
    assert!(bench.emulator.state().orders().is_empty());
}

#[tokio::test]
async fn an_unanswered_create_is_resolved_by_querying_the_same_id() {
    // The create is processed, then the connection drops: the answer is lost.
    let bench = Bench::with_faults(
        Faults::default()
            .with_seed(3)
            .with_reset_rate(1.0)
            .with_operations(["order.create"]),
    )
    .await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "reset1");
    let error = tracker
        .create_order(
            &create_request(&id, 12_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TrackerError::Create {
                state: OrderState::Creating,
                ..
            }
        ),
        "{error}"
    );
    bench.pay(&id).await;
    bench.advance_secs(65);
    tracker.poll_due().await.unwrap();
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Paid);
    assert_eq!(bench.emulator.state().orders().len(), 1);
}

#[tokio::test]
async fn rate_limited_queries_back_off() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let tracker = Tracker::new(
        MemoryStore::new(),
        bench.client(),
        TrackerConfig::new("one").with_max_in_flight(1),
    );
    let ids: Vec<String> = (0..3)
        .map(|n| order_id(bench.now(), &format!("rl{n}")))
        .collect();
    for id in &ids {
        tracker
            .create_order(
                &create_request(id, 1_000, bench.now(), None),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_fail_rate(1.0)
                .with_fail_with(FailWith::Code429)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(70);
    let pass = tracker.poll_due().await.unwrap();
    assert!(pass.rate_limited);
    assert_eq!(
        pass.queried, 1,
        "the rest of the pass is put off, not queried"
    );
    // The order asked backs off; the others were never asked and keep their streak (D-116).
    let mut asked = 0;
    for id in &ids {
        let order = tracker.store().order(id).await.unwrap().unwrap();
        if order.queries == 1 {
            asked += 1;
            assert_eq!(order.error_streak, 1);
            assert!(order.next_query_at.unwrap() >= bench.now() + 10_000);
        } else {
            assert_eq!(order.error_streak, 0, "{order:?}");
        }
    }
    assert_eq!(asked, 1);
    // ...and nothing is asked until the pause after the -429 has run out.
    let pass = tracker.poll_due().await.unwrap();
    assert_eq!((pass.leased, pass.queried), (0, 0));
    assert!(pass.rate_limited);
    bench
        .emulator
        .state()
        .set_faults(None, Faults::default())
        .unwrap();
    bench.advance_secs(20);
    let pass = tracker.poll_due().await.unwrap();
    assert_eq!(pass.queried, 3);
    assert!(!pass.rate_limited);
}

#[tokio::test]
async fn an_event_is_done_only_when_the_handler_succeeds() {
    let bench = Bench::with_faults(Faults::default().with_callback_loss(1.0)).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "h1");
    tracker
        .create_order(
            &create_request(&id, 8_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    bench.pay(&id).await;
    bench.advance_secs(70);
    tracker.poll_due().await.unwrap();
    let handler = Recorder::default();
    handler
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(tracker.dispatch(&handler).await.unwrap().failed, 1);
    // Not handed out again before the retry time, then again until it succeeds.
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 0);
    bench.advance_secs(6);
    handler
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 1);
    bench.advance_secs(600);
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 0);
    let keys = handler.keys();
    assert_eq!(
        keys,
        vec![format!("order:{id}:paid"), format!("order:{id}:paid")]
    );
    let events = tracker.store().events(Some(&id), 10).await.unwrap();
    assert_eq!(events[0].status, EventStatus::Done);
    assert_eq!(events[0].attempts, 2);
}

#[tokio::test]
async fn a_refund_is_followed_with_the_same_id_until_refunded() {
    let config = EmulatorConfig {
        refund_delay: std::time::Duration::from_secs(90),
        ..EmulatorConfig::default()
    };
    let bench = Bench::new(config).await;
    let tracker = tracker(&bench, MemoryStore::new(), "one");
    let id = order_id(bench.now(), "rf1");
    tracker
        .create_order(
            &create_request(&id, 50_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    bench.pay(&id).await;
    bench.advance_secs(65);
    tracker.poll_due().await.unwrap();
    let zp_trans_id = tracker
        .store()
        .order(&id)
        .await
        .unwrap()
        .unwrap()
        .zp_trans_id
        .unwrap();
    let m_refund_id = zalopay_api::ids::MRefundId::with_unique(bench.now(), common::APP_ID, "r1")
        .unwrap()
        .into_string();
    let request = zalopay_api::refund::RefundOrder::builder()
        .app_id(common::APP_ID)
        .m_refund_id(MRefundId::try_from(&m_refund_id).unwrap())
        .zp_trans_id(zp_trans_id)
        .amount(20_000)
        .timestamp(bench.now())
        .description("damaged")
        .build();
    let refund = tracker.refund(&request).await.unwrap();
    assert_eq!(refund.state, zalopay_tracker::RefundState::Processing);
    // Asking again with the same id sends nothing new.
    tracker.refund(&request).await.unwrap();
    assert_eq!(bench.emulator.state().refunds().len(), 1);
    for _ in 0..4 {
        bench.advance_secs(61);
        tracker.poll_due().await.unwrap();
    }
    let refund = tracker.store().refund(&m_refund_id).await.unwrap().unwrap();
    assert_eq!(refund.state, zalopay_tracker::RefundState::Refunded);
    let handler = Recorder::default();
    tracker.dispatch(&handler).await.unwrap();
    assert_eq!(
        handler.keys(),
        vec![
            format!("order:{id}:paid"),
            format!("refund:{m_refund_id}:refunded")
        ]
    );
    let log = bench.emulator.state().request_log();
    assert!(log.iter().filter(|r| r.operation == "refund.query").count() >= 1);
    assert!(
        log.iter()
            .filter(|r| r.operation.starts_with("refund"))
            .all(|r| r.merchant_id.as_deref() == Some(m_refund_id.as_str()))
    );
}

/// Issue 21: maintenance and system answers to the status query (`2` with -33, -88, -135,
/// -301) say nothing about the order. They used to end a tracked order `Failed` (final, never
/// asked again), so a buyer who paid during the window was never served. Now the tracker backs
/// off and asks again, and the payment is found.
#[tokio::test]
async fn maintenance_answers_never_fail_a_tracked_order() {
    for kind in [
        FailWith::Code33,
        FailWith::Code88,
        FailWith::Code135,
        FailWith::Code301,
    ] {
        let bench = Bench::new(EmulatorConfig::default()).await;
        let tracker = tracker(&bench, MemoryStore::new(), "one");
        let id = order_id(bench.now(), "mt1");
        tracker
            .create_order(
                &create_request(&id, 12_000, bench.now(), None),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        bench
            .emulator
            .state()
            .set_faults(
                None,
                Faults::default()
                    .with_fail_rate(1.0)
                    .with_fail_with(kind)
                    .with_operations(["order.query"]),
            )
            .unwrap();
        bench.pay(&id).await;
        for _ in 0..3 {
            bench.advance_secs(70);
            tracker.poll_due().await.unwrap();
            let order = tracker.store().order(&id).await.unwrap().unwrap();
            assert_eq!(order.state, OrderState::Open, "{kind:?}");
            assert!(order.next_query_at.is_some(), "{kind:?}: still asked");
        }
        let log = bench.emulator.state().request_log();
        assert!(
            log.iter()
                .any(|r| r.operation == "order.query" && r.fault.as_deref() == Some(kind.name())),
            "{kind:?}: the fault was injected"
        );
        bench
            .emulator
            .state()
            .set_faults(None, Faults::default())
            .unwrap();
        bench.advance_secs(120);
        tracker.poll_due().await.unwrap();
        let order = tracker.store().order(&id).await.unwrap().unwrap();
        assert_eq!(order.state, OrderState::Paid, "{kind:?}");
        assert_eq!(order.confirmed_by, Some(Source::Query));
    }
}
