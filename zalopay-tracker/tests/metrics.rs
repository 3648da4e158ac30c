//! Operator metrics (issue 24 item 5, D-170): a scenario against the emulator on a manual
//! clock, read back from a `metrics` debugging recorder installed for this test's thread.
#![cfg(feature = "metrics")]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Bench, Recorder, callback_server, create_request, order_id};
use metrics_util::MetricKind;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;
use zalopay_api::ids::MRefundId;
use zalopay_emulator::{EmulatorConfig, FailWith, Faults};
use zalopay_tracker::metrics as m;
use zalopay_tracker::{OrderState, Schedule, SqlStore, Store, Tracker, TrackerConfig};

type Labels = Vec<(String, String)>;

/// What the recorder saw. Its snapshots drain it (counters and gauges read 0 afterwards), so
/// counters are added up over every snapshot taken, gauges keep the last snapshot's value.
struct Readings {
    snapshotter: Snapshotter,
    counters: HashMap<(String, Labels), u64>,
    gauges: HashMap<String, f64>,
    described: HashMap<String, (Option<metrics::Unit>, bool)>,
}

impl Readings {
    fn new(snapshotter: Snapshotter) -> Self {
        Self {
            snapshotter,
            counters: HashMap::new(),
            gauges: HashMap::new(),
            described: HashMap::new(),
        }
    }

    /// Takes a snapshot.
    fn read(&mut self) {
        self.gauges.clear();
        for (key, unit, description, value) in self.snapshotter.snapshot().into_vec() {
            let name = key.key().name().to_owned();
            let mut labels: Labels = key
                .key()
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort();
            self.described
                .insert(name.clone(), (unit, description.is_some()));
            match (key.kind(), value) {
                (MetricKind::Counter, DebugValue::Counter(n)) => {
                    *self.counters.entry((name, labels)).or_default() += n;
                }
                (MetricKind::Gauge, DebugValue::Gauge(v)) => {
                    assert!(labels.is_empty(), "{name} has labels {labels:?}");
                    self.gauges.insert(name, v.into_inner());
                }
                (kind, value) => panic!("unexpected {kind:?} {name}: {value:?}"),
            }
        }
    }

    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let mut labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        labels.sort();
        self.counters
            .get(&(name.to_owned(), labels))
            .copied()
            .unwrap_or(0)
    }

    /// Backlog gauges, freshly read: open orders, due orders and refunds, poll lag, pending
    /// events, the oldest pending event's age.
    fn backlog(&mut self) -> [f64; 6] {
        self.read();
        [
            m::OPEN_ORDERS,
            m::DUE_ORDERS,
            m::DUE_REFUNDS,
            m::POLL_LAG_SECONDS,
            m::PENDING_EVENTS,
            m::OLDEST_PENDING_EVENT_AGE_SECONDS,
        ]
        .map(|name| match self.gauges.get(name) {
            Some(value) => *value,
            None => panic!("{name} was not set"),
        })
    }
}

async fn scenario<S: Store>(store: S) {
    let recorder = DebuggingRecorder::new();
    let mut seen = Readings::new(recorder.snapshotter());
    // The test runtime has one thread: the tracker, its poll tasks and the callback server
    // all record into this recorder.
    let _recording = metrics::set_default_local_recorder(&recorder);

    let bench = Bench::new(EmulatorConfig {
        refund_delay: Duration::from_secs(90),
        ..EmulatorConfig::default()
    })
    .await;
    let tracker = Tracker::new(
        store,
        bench.client(),
        TrackerConfig::new("one")
            .with_jitter_seed(7)
            .with_max_in_flight(1)
            .with_schedule(Schedule::default().with_jitter(Duration::ZERO)),
    );
    let url = callback_server(tracker.clone()).await;
    let start = bench.now();
    let ids: Vec<String> = ["ma", "mb", "mc"]
        .iter()
        .map(|s| order_id(start, s))
        .collect();
    for id in &ids {
        tracker
            .create_order(
                &create_request(id, 30_000, start, Some(&url)),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    let [a, b, c] = [&ids[0], &ids[1], &ids[2]];

    // A is paid: its callback is recorded; the same callback again is a duplicate, a forged
    // one is invalid.
    bench.pay(a).await;
    common::eventually("the callback", || async {
        tracker.store().order(a).await.unwrap().unwrap().state == OrderState::Paid
    })
    .await;
    let paid = tracker.store().order(a).await.unwrap().unwrap();
    let data = serde_json::json!({
        "app_id": common::APP_ID, "app_trans_id": a, "app_time": start,
        "app_user": "buyer", "amount": 30_000, "embed_data": "{}", "item": "[]",
        "zp_trans_id": paid.zp_trans_id.unwrap(), "server_time": start, "channel": 38,
        "merchant_user_id": "u", "user_fee_amount": 0, "discount_amount": 0
    })
    .to_string();
    let keys = Keys::new(common::KEY1, common::KEY2).unwrap();
    tracker
        .take_callback(sign_callback(&keys, &data, 1).as_bytes())
        .await
        .unwrap();
    let forged = Keys::new(common::KEY1, "not-key2").unwrap();
    assert_eq!(
        tracker
            .handle_callback(sign_callback(&forged, &data, 1).as_bytes())
            .await
            .return_code,
        -1
    );

    // The gateway answers the first query with -429: one query, one rate-limit answer.
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
    assert!(tracker.poll_due().await.unwrap().rate_limited);
    bench
        .emulator
        .state()
        .set_faults(None, Faults::default())
        .unwrap();
    // After the pause both open orders are queried (still open) at start + 90 s; the next
    // query of each is due at start + 150 s.
    bench.advance_secs(20);
    assert_eq!(tracker.poll_due().await.unwrap().queried, 2);
    // The buyer cancels B on the wallet side.
    bench.cancel(b).await;

    // A refund of A, processing at first.
    let m_refund_id = MRefundId::with_unique(bench.now(), common::APP_ID, "mr1").unwrap();
    let refund = zalopay_api::refund::RefundOrder::builder()
        .app_id(common::APP_ID)
        .m_refund_id(m_refund_id.clone())
        .zp_trans_id(paid.zp_trans_id.unwrap())
        .amount(10_000)
        .timestamp(bench.now())
        .description("metrics")
        .build();
    tracker.refund(&refund).await.unwrap();

    // Seventeen minutes on, nothing polled in between: B and C are overdue since
    // start + 150 s (lag 870 s), the refund since start + 150 s too (its first re-query a
    // minute after start + 90 s); A's paid event has waited since the callback, at `start`.
    bench.advance_secs(17 * 60 - 90);
    let backlog = tracker.backlog().await.unwrap();
    assert_eq!((backlog.due_orders, backlog.due_refunds), (2, 1));
    assert_eq!(
        seen.backlog(),
        [2.0, 2.0, 1.0, 870.0, 1.0, 1020.0],
        "open, due orders, due refunds, lag s, pending events, oldest event age s"
    );

    // The pass past expiry settles B (cancelled), C and the refund.
    let pass = tracker.poll_due().await.unwrap();
    assert_eq!((pass.queried, pass.finished), (3, 3));
    let states: Vec<OrderState> = {
        let mut states = Vec::new();
        for id in [b, c] {
            states.push(tracker.store().order(id).await.unwrap().unwrap().state);
        }
        states
    };
    assert_eq!(states, [OrderState::Failed, OrderState::Expired]);
    tracker.backlog().await.unwrap();
    assert_eq!(seen.backlog(), [0.0, 0.0, 0.0, 0.0, 4.0, 1020.0]);

    // Every event handled: nothing pending, no age.
    let handler = Recorder::default();
    assert_eq!(tracker.dispatch(&handler).await.unwrap().delivered, 4);
    tracker.backlog().await.unwrap();
    assert_eq!(seen.backlog(), [0.0; 6]);

    seen.read();
    let requests = |operation| seen.counter(m::REQUESTS_TOTAL, &[("operation", operation)]);
    assert_eq!(requests("create_order"), 3);
    // 1 answered -429, 2 at start + 90 s, 2 past expiry.
    assert_eq!(requests("query_order"), 5);
    assert_eq!(requests("refund"), 1);
    assert_eq!(requests("query_refund"), 1);
    let limited = |operation| seen.counter(m::RATE_LIMITED_TOTAL, &[("operation", operation)]);
    assert_eq!(limited("query_order"), 1);
    assert_eq!(limited("create_order"), 0);
    let callbacks = |outcome| seen.counter(m::CALLBACKS_TOTAL, &[("outcome", outcome)]);
    assert_eq!(
        [
            callbacks("recorded"),
            callbacks("duplicate"),
            callbacks("invalid"),
            callbacks("store_error"),
        ],
        [1, 1, 1, 0]
    );
    let outcomes =
        |kind, state| seen.counter(m::OUTCOMES_TOTAL, &[("kind", kind), ("state", state)]);
    assert_eq!(
        [
            outcomes("order", "paid"),
            outcomes("order", "failed"),
            outcomes("order", "expired"),
            outcomes("refund", "refunded"),
        ],
        [1, 1, 1, 1]
    );

    // Descriptions and units reach the recorder.
    assert_eq!(
        seen.described.get(m::POLL_LAG_SECONDS),
        Some(&(Some(metrics::Unit::Seconds), true))
    );
    assert_eq!(
        seen.described.get(m::OUTCOMES_TOTAL),
        Some(&(Some(metrics::Unit::Count), true))
    );
}

#[tokio::test]
async fn metrics_follow_a_scenario_on_sqlite() {
    scenario(
        SqlStore::connect(&common::fresh_sqlite("metrics"))
            .await
            .unwrap(),
    )
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn metrics_follow_a_scenario_on_postgres() {
    let url = common::fresh_postgres("tracker_metrics").await;
    scenario(SqlStore::connect(&url).await.unwrap()).await;
}
