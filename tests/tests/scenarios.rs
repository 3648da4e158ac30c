//! The SDK driven through each fault the emulator injects (issue 13): a merchant's code must
//! survive every one of them without losing or duplicating money.
//!
//! Time is the emulator's test clock: the SDK's client and poller read it, and the poller's
//! sleeps advance it, so hour-long flows finish at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zalopay_api::ids::{AppTransId, MRefundId};

use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use zalopay_api::callback::Callback;
use zalopay_api::order::CreateOrder;
use zalopay_api::poll::{PollConfig, PollOutcome, Poller, Sleeper};
use zalopay_api::refund::{QueryRefund, RefundOrder, RefundStatus};
use zalopay_api::{CallbackReply, Client, Config, Environment, Error, Keys, verify_callback};
use zalopay_emulator::{
    App, Emulator, EmulatorConfig, EmulatorState, FailWith, Faults, ManualClock, RunningEmulator,
};

const APP: i64 = 2553;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";
/// 2024-09-13 11:00 in Vietnam: today's ids start with `240913`.
const NOW: i64 = 1_726_200_000_000;
const TODAY: &str = "240913";

/// The poller's sleeps advance the emulator's clock instead of waiting.
struct EmulatorSleeper(EmulatorState);

impl Sleeper for EmulatorSleeper {
    fn sleep(&self, duration: Duration) -> impl std::future::Future<Output = ()> + Send {
        let state = self.0.clone();
        async move {
            state.advance_clock(duration);
            tokio::task::yield_now().await;
        }
    }
}

/// A merchant back end: verifies each callback with key2 and records each payment once
/// (idempotent on `app_trans_id`), answering 2 for one it already has.
#[derive(Clone, Default)]
struct Shop {
    /// app_trans_id -> (zp_trans_id, amount), recorded once.
    paid: Arc<Mutex<HashMap<String, (i64, i64)>>>,
    /// Callbacks received, duplicates included.
    received: Arc<Mutex<usize>>,
}

async fn shop_callback(State(shop): State<Shop>, body: axum::body::Bytes) -> String {
    let keys = Keys::new(KEY1, KEY2).unwrap();
    *shop.received.lock().unwrap() += 1;
    let reply = match verify_callback(&keys, Some(APP), &body) {
        Ok(Callback::Payment(payment)) => {
            let mut paid = shop.paid.lock().unwrap();
            if paid.contains_key(&payment.app_trans_id) {
                CallbackReply::already_processed()
            } else {
                paid.insert(
                    payment.app_trans_id.clone(),
                    (payment.zp_trans_id, payment.amount),
                );
                CallbackReply::success()
            }
        }
        Ok(_) => CallbackReply::success(),
        Err(error) => CallbackReply::for_error(&error),
    };
    reply.to_json()
}

struct Bench {
    emulator: RunningEmulator,
    client: Client,
    shop: Shop,
    http: reqwest::Client,
}

impl Bench {
    async fn start(faults: Faults) -> Bench {
        let shop = Shop::default();
        let app = axum::Router::new()
            .route("/callback", post(shop_callback))
            .with_state(shop.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shop_addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });

        let config = EmulatorConfig {
            apps: App::sandbox_demo_apps()
                .into_iter()
                .map(|app| app.with_callback_url(format!("http://{shop_addr}/callback")))
                .collect(),
            callback_backoff: Duration::from_millis(10),
            faults,
            ..EmulatorConfig::default()
        };
        let state = EmulatorState::with_clock(config, Arc::new(ManualClock::new(NOW)));
        let emulator = Emulator::spawn(state.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let config = Config::new(
            APP,
            Keys::new(KEY1, KEY2).unwrap(),
            Environment::Custom(emulator.base_url()),
        )
        .with_clock(Arc::new(state));
        Bench {
            emulator,
            client: Client::new(config).unwrap(),
            shop,
            http: reqwest::Client::new(),
        }
    }

    fn state(&self) -> &EmulatorState {
        self.emulator.state()
    }

    fn order(&self, id: &str, amount: i64) -> CreateOrder {
        CreateOrder::builder()
            .app_id(APP)
            .app_trans_id(AppTransId::try_from(id).unwrap())
            .app_user("user123")
            .amount(amount)
            .app_time(self.state().now_ms())
            .description("Shop order")
            .build()
    }

    /// The buyer presses Pay on the wallet page.
    async fn buyer_pays(&self, id: &str) -> Value {
        self.http
            .post(format!(
                "{}/emulator/orders/{id}/pay",
                self.emulator.base_url()
            ))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    fn poller(&self) -> Poller<EmulatorState, EmulatorSleeper> {
        Poller::with_parts(
            self.state().clone(),
            EmulatorSleeper(self.state().clone()),
            PollConfig::default(),
        )
    }

    async fn poll(&self, id: &str, created_at_ms: i64) -> PollOutcome {
        let query = zalopay_api::order::QueryOrder::builder()
            .app_id(APP)
            .app_trans_id(AppTransId::try_from(id).unwrap())
            .build();
        self.poller()
            .poll(
                created_at_ms,
                || self.client.send(&query),
                std::future::pending(),
            )
            .await
            .unwrap()
    }

    /// Waits (real time, bounded) until the order's callback history has `n` entries.
    async fn callback_attempts(
        &self,
        id: &str,
        n: usize,
    ) -> Vec<zalopay_emulator::CallbackAttempt> {
        for _ in 0..500 {
            let order = self
                .state()
                .orders()
                .into_iter()
                .find(|o| o.app_trans_id == id)
                .unwrap();
            if order.callback.history.len() >= n {
                return order.callback.history;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("order {id}: fewer than {n} callback attempts");
    }
}

#[tokio::test]
async fn lost_callback_polling_finds_the_payment() {
    let bench = Bench::start(Faults::default().with_seed(1).with_callback_loss(1.0)).await;
    let id = format!("{TODAY}_lost_cb");
    let created_at = bench.state().now_ms();
    bench.client.send(&bench.order(&id, 50_000)).await.unwrap();
    let paid = bench.buyer_pays(&id).await;
    let zp_trans_id = paid["order"]["zp_trans_id"].as_i64().unwrap();

    let history = bench.callback_attempts(&id, 1).await;
    assert!(history[0].lost, "{history:?}");
    assert_eq!(
        *bench.shop.received.lock().unwrap(),
        0,
        "the callback was lost"
    );

    match bench.poll(&id, created_at).await {
        PollOutcome::Paid {
            zp_trans_id: polled,
            amount,
            ..
        } => assert_eq!((polled, amount), (zp_trans_id, 50_000)),
        other => panic!("polling did not find the payment: {other:?}"),
    }
}

#[tokio::test]
async fn duplicated_callback_is_processed_once() {
    let bench = Bench::start(Faults::default().with_callback_duplicate(1.0)).await;
    let id = format!("{TODAY}_dup_cb");
    bench.client.send(&bench.order(&id, 20_000)).await.unwrap();
    let paid = bench.buyer_pays(&id).await;
    let zp_trans_id = paid["order"]["zp_trans_id"].as_i64().unwrap();

    let history = bench.callback_attempts(&id, 2).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].body, history[1].body, "the same callback twice");
    // The shop processed it once, and said so the second time (2: already processed).
    assert_eq!(
        history[0].reply.as_deref(),
        Some(r#"{"return_code":1,"return_message":"success"}"#)
    );
    assert!(
        history[1]
            .reply
            .as_deref()
            .unwrap()
            .contains(r#""return_code":2"#)
    );
    assert_eq!(*bench.shop.received.lock().unwrap(), 2);
    let recorded = bench.shop.paid.lock().unwrap().clone();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[&id], (zp_trans_id, 20_000));
}

#[tokio::test]
async fn five_hundreds_on_create_are_retried_with_the_same_app_trans_id_and_no_second_order() {
    for fail_with in [FailWith::Http503, FailWith::Code500] {
        let bench = Bench::start(
            Faults::default()
                .with_fail_burst(1)
                .with_fail_with(fail_with)
                .with_operations(["order.create"]),
        )
        .await;
        let id = format!("{TODAY}_5xx");
        let created = bench.client.send(&bench.order(&id, 10_000)).await;
        let created = created.unwrap_or_else(|e| panic!("{fail_with:?}: not retried: {e}"));
        assert_eq!(created.codes.return_code, 1);

        let creates: Vec<_> = bench
            .state()
            .request_log()
            .into_iter()
            .filter(|r| r.operation == "order.create")
            .collect();
        assert_eq!(creates.len(), 2, "{fail_with:?}: {creates:?}");
        assert_eq!(creates[0].fault.as_deref(), Some(fail_with.name()));
        assert_eq!(creates[1].fault, None);
        assert!(
            creates
                .iter()
                .all(|r| r.merchant_id.as_deref() == Some(id.as_str()))
        );
        assert_eq!(bench.state().orders().len(), 1, "{fail_with:?}");
    }
}

#[tokio::test]
async fn reset_after_create_is_reported_as_already_submitted_not_a_second_order() {
    let bench = Bench::start(
        Faults::default()
            .with_reset_burst(1)
            .with_operations(["order.create"]),
    )
    .await;
    let id = format!("{TODAY}_reset_create");
    let outcome = bench.client.send(&bench.order(&id, 10_000)).await;
    match outcome {
        Err(error @ Error::AlreadySubmitted { .. }) => assert!(error.may_have_been_sent()),
        other => panic!("expected AlreadySubmitted, got {other:?}"),
    }
    assert_eq!(bench.state().orders().len(), 1);
}

#[tokio::test]
async fn reset_after_a_refund_never_makes_a_second_refund() {
    let bench = Bench::start(Faults::default()).await;
    let id = format!("{TODAY}_reset_refund");
    bench.client.send(&bench.order(&id, 30_000)).await.unwrap();
    let zp_trans_id = bench.buyer_pays(&id).await["order"]["zp_trans_id"]
        .as_i64()
        .unwrap();
    bench
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_reset_burst(1)
                .with_operations(["refund.create"]),
        )
        .unwrap();
    let m_refund_id = format!("{TODAY}_{APP}_reset1");
    let refund = RefundOrder::builder()
        .app_id(APP)
        .m_refund_id(MRefundId::try_from(m_refund_id.clone()).unwrap())
        .zp_trans_id(zp_trans_id)
        .amount(30_000)
        .timestamp(bench.state().now_ms())
        .description("refund")
        .build();
    let error = bench.client.send(&refund).await.unwrap_err();
    assert!(error.may_have_been_sent(), "{error}");

    // What the merchant must do: re-send the same request (same m_refund_id) or query it.
    let again = bench.client.send(&refund).await;
    match again {
        Err(Error::Gateway(gateway)) => assert!(gateway.is_duplicate(), "{gateway:?}"),
        other => panic!("the re-sent refund was not a duplicate: {other:?}"),
    }
    let status = bench
        .client
        .send(
            &QueryRefund::builder()
                .app_id(APP)
                .m_refund_id(MRefundId::try_from(m_refund_id.clone()).unwrap())
                .timestamp(bench.state().now_ms())
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(status.status(), RefundStatus::Refunded);

    let refunds = bench.state().refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].m_refund_id, m_refund_id);
    let order = bench.state().orders().pop().unwrap();
    assert_eq!(order.refunded_amount, 30_000);
    let sent = bench
        .state()
        .request_log()
        .into_iter()
        .filter(|r| r.operation == "refund.create")
        .count();
    assert_eq!(sent, 2, "one reset attempt and one duplicate");
}

/// 23:58 in Vietnam on `TODAY` (NOW is 11:00 there).
const BEFORE_MIDNIGHT: Duration = Duration::from_secs(12 * 3600 + 58 * 60);

impl Bench {
    /// A paid order of `amount` and, at 23:58 Vietnam time, a refund of all of it whose answer
    /// is lost (the connection drops after the emulator made it); then the clock passes
    /// midnight. Returns the refund request as it was built (app id and time client-filled).
    async fn refund_lost_before_midnight(&self, name: &str, amount: i64) -> RefundOrder {
        let id = format!("{TODAY}_{name}");
        self.client.send(&self.order(&id, amount)).await.unwrap();
        let zp_trans_id = self.buyer_pays(&id).await["order"]["zp_trans_id"]
            .as_i64()
            .unwrap();
        self.state().advance_clock(BEFORE_MIDNIGHT);
        self.state()
            .set_faults(
                None,
                Faults::default()
                    .with_reset_burst(1)
                    .with_operations(["refund.create"]),
            )
            .unwrap();
        let m_refund_id = MRefundId::try_from(format!("{TODAY}_{APP}_{name}")).unwrap();
        let refund = RefundOrder::builder()
            .m_refund_id(m_refund_id)
            .zp_trans_id(zp_trans_id)
            .amount(amount)
            .description("refund")
            .build();
        let error = self.client.send(&refund).await.unwrap_err();
        assert!(error.may_have_been_sent(), "{error}");
        assert_eq!(self.state().refunds().len(), 1, "the emulator made it");
        // 00:02 the next day in Vietnam.
        self.state().advance_clock(Duration::from_secs(4 * 60));
        refund
    }

    fn refunds_sent(&self) -> usize {
        self.state()
            .request_log()
            .into_iter()
            .filter(|r| r.operation == "refund.create")
            .count()
    }
}

/// Issue 23 item 3: the emulator answers a refund re-sent after Vietnam midnight as a
/// duplicate (-23), as for any re-sent `m_refund_id`, not as a badly dated new one (-25).
#[tokio::test]
async fn a_refund_re_sent_after_midnight_is_a_duplicate_not_a_bad_date() {
    let bench = Bench::start(Faults::default()).await;
    let refund = bench
        .refund_lost_before_midnight("midnight_raw", 20_000)
        .await;
    // The same request, re-stamped now and sent without the SDK's checks.
    let filled = bench.client.fill(&refund).unwrap();
    let mut buf = String::new();
    let prepared = zalopay_api::client::prepare(bench.client.config(), &filled, &mut buf).unwrap();
    let body: Value =
        serde_json::from_slice(&bench.client.execute(&prepared).await.unwrap()).unwrap();
    assert_eq!(body["return_code"], 2, "{body}");
    assert_eq!(body["sub_return_code"], -23, "{body}");
    assert_eq!(bench.state().refunds().len(), 1);
}

/// Issue 23 item 3: after midnight the SDK refuses to send yesterday's `m_refund_id` as a new
/// id, and its error says that an earlier attempt may have gone through (not just "invalid");
/// a re-send (`CallOptions::resend`) goes out and is answered as a duplicate; the query of the
/// same `m_refund_id` works on the new day; one refund in the books.
#[tokio::test]
async fn a_refund_re_sent_after_midnight_stays_a_re_send() {
    let bench = Bench::start(Faults::default()).await;
    let refund = bench.refund_lost_before_midnight("midnight", 20_000).await;
    let m_refund_id = refund.m_refund_id.clone();

    let refused = bench.client.send(&refund).await.unwrap_err();
    let message = refused.to_string();
    assert!(message.contains("m_refund_id"), "{message}");
    assert!(
        message.contains("earlier attempt may have reached ZaloPay")
            && message.contains("query it by this id"),
        "the refusal must say the id may have been sent before: {message}"
    );
    assert_eq!(bench.refunds_sent(), 1, "refused before sending");

    let again = bench
        .client
        .send_with(&refund, zalopay_api::CallOptions::new().resend())
        .await;
    match again {
        Err(Error::Gateway(gateway)) => {
            assert!(gateway.is_duplicate(), "{gateway:?}");
            assert_eq!(gateway.sub_return_code, Some(-23));
        }
        other => panic!("the re-sent refund was not a duplicate: {other:?}"),
    }
    assert_eq!(bench.refunds_sent(), 2);

    let status = bench
        .client
        .send(&QueryRefund::builder().m_refund_id(m_refund_id).build())
        .await
        .unwrap();
    assert_eq!(status.status(), RefundStatus::Refunded);
    assert_eq!(bench.state().refunds().len(), 1);
    assert_eq!(
        bench.state().orders().pop().unwrap().refunded_amount,
        20_000
    );
}

/// Issue 23 item 3: an order whose create answer was lost at 23:58, re-sent after midnight as
/// a re-send, is answered as a duplicate (-68): one order, not a refusal of its date.
#[tokio::test]
async fn an_order_re_sent_after_midnight_is_the_same_order() {
    let bench = Bench::start(Faults::default()).await;
    bench.state().advance_clock(BEFORE_MIDNIGHT);
    bench
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_reset_burst(1)
                .with_operations(["order.create"]),
        )
        .unwrap();
    let id = format!("{TODAY}_late_order");
    let order = CreateOrder::builder()
        .app_trans_id(AppTransId::try_from(id.as_str()).unwrap())
        .app_user("user123")
        .amount(10_000)
        .description("Shop order")
        .build();
    let lost = bench
        .client
        .send_with(&order, zalopay_api::CallOptions::new().max_attempts(1))
        .await
        .unwrap_err();
    assert!(lost.may_have_been_sent(), "{lost}");
    bench.state().advance_clock(Duration::from_secs(4 * 60));
    match bench
        .client
        .send_with(&order, zalopay_api::CallOptions::new().resend())
        .await
    {
        Err(Error::Gateway(gateway)) => assert_eq!(gateway.sub_return_code, Some(-68)),
        other => panic!("the re-sent order was not a duplicate: {other:?}"),
    }
    assert_eq!(bench.state().orders().len(), 1);
}

/// A re-send the SDK still refuses (here: a kept request whose time is over 15 minutes old)
/// is `ResendRefused`, which may have been sent, never a plain invalid field.
#[tokio::test]
async fn a_refused_re_send_is_not_reported_as_nothing_sent() {
    let bench = Bench::start(Faults::default()).await;
    let refund = bench.refund_lost_before_midnight("stale", 10_000).await;
    let mut kept = bench.client.fill(&refund).unwrap();
    kept.timestamp = Some(bench.state().now_ms() - 20 * 60 * 1000);
    let error = bench
        .client
        .send_with(&kept, zalopay_api::CallOptions::new().resend())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ResendRefused {
                field: "timestamp",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.may_have_been_sent(), "{error}");
    assert!(
        error
            .to_string()
            .contains("earlier attempt may have reached ZaloPay")
    );
    assert_eq!(bench.refunds_sent(), 1);
}

#[tokio::test]
async fn expiry_via_the_clock_the_poller_reports_expiry() {
    let bench = Bench::start(Faults::default()).await;
    let id = format!("{TODAY}_expire");
    let created_at = bench.state().now_ms();
    bench.client.send(&bench.order(&id, 10_000)).await.unwrap();
    let outcome = bench.poll(&id, created_at).await;
    assert!(matches!(outcome, PollOutcome::Expired), "{outcome:?}");
    // The poller slept on the emulator's clock: 15 minutes passed there, not here.
    let elapsed = bench.state().now_ms() - created_at;
    assert!((15 * 60_000..=16 * 60_000).contains(&elapsed), "{elapsed}");
    let queries = bench
        .state()
        .request_log()
        .into_iter()
        .filter(|r| r.operation == "order.query")
        .count();
    assert_eq!(
        queries, 16,
        "once at creation, then once a minute until expiry"
    );
}
