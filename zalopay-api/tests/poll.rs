//! The status poller on virtual time against a fake gateway (no HTTP, no real sleeping).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use zalopay_api::clock::{Clock, ManualClock};
use zalopay_api::order::QueryOrderResponse;
use zalopay_api::poll::{PollConfig, PollOutcome, Poller, QUERY_WINDOW, VirtualSleeper};
use zalopay_api::{Error, GatewayError};

const CREATED: i64 = 1_704_130_200_000;

fn response(json: &str) -> QueryOrderResponse {
    serde_json::from_str(json).unwrap()
}

fn processing() -> Result<QueryOrderResponse, Error> {
    Ok(response(
        r#"{"return_code":3,"return_message":"","sub_return_code":3,"is_processing":true}"#,
    ))
}

fn paid() -> Result<QueryOrderResponse, Error> {
    Ok(response(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","amount":5000,"is_processing":false,"zp_trans_id":230512000007041,"discount_amount":200}"#,
    ))
}

fn gateway(return_code: i32, sub: i32) -> Error {
    Error::Gateway(GatewayError {
        return_code,
        return_message: String::new(),
        sub_return_code: Some(sub),
        sub_return_message: None,
    })
}

/// A fake gateway: answers from a script, then "processing" forever; records when it was
/// asked (virtual ms since creation).
struct Fake<'a> {
    script: Mutex<VecDeque<Result<QueryOrderResponse, Error>>>,
    asked_at: Mutex<Vec<i64>>,
    clock: &'a ManualClock,
}

impl<'a> Fake<'a> {
    fn new(clock: &'a ManualClock, script: Vec<Result<QueryOrderResponse, Error>>) -> Self {
        Self {
            script: Mutex::new(script.into()),
            asked_at: Mutex::new(Vec::new()),
            clock,
        }
    }

    fn query(&self) -> impl Future<Output = Result<QueryOrderResponse, Error>> + use<> {
        self.asked_at
            .lock()
            .unwrap()
            .push(self.clock.now_ms() - CREATED);
        let next = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(processing);
        async move { next }
    }

    fn asked_at_secs(&self) -> Vec<i64> {
        self.asked_at
            .lock()
            .unwrap()
            .iter()
            .map(|ms| ms / 1000)
            .collect()
    }
}

#[tokio::test]
async fn processing_then_paid() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![processing(), processing(), paid()]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            PollOutcome::Paid {
                zp_trans_id: 230_512_000_007_041,
                amount: 5000,
                discount_amount: Some(200)
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(fake.asked_at_secs(), vec![0, 60, 120]);
}

#[tokio::test]
async fn unpaid_order_stops_at_lifetime_plus_grace() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    let deadline = CREATED + 16 * 60 * 1000;
    assert!(
        matches!(
            outcome,
            PollOutcome::StillProcessing { at_deadline, last_error: None } if at_deadline == deadline
        ),
        "{outcome:?}"
    );
    // Once a minute from creation; the 15-minute query is among them, the last one is at
    // the deadline.
    let expected: Vec<i64> = (0..=16).map(|minute| minute * 60).collect();
    assert_eq!(fake.asked_at_secs(), expected);
    assert_eq!(clock.now_ms(), deadline);
}

#[tokio::test]
async fn expired_order_is_reported_as_expired() {
    let clock = ManualClock::new(CREATED);
    let expired = Ok(response(
        r#"{"return_code":2,"return_message":"","sub_return_code":-54,"is_processing":false}"#,
    ));
    let fake = Fake::new(&clock, vec![processing(), expired]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            // Not `Failed`: an expired order is its own final state.
            PollOutcome::Expired
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn uneven_interval_ends_exactly_at_the_deadline() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![]);
    let config = PollConfig {
        interval: Duration::from_secs(7 * 60),
        lifetime: PollConfig::lifetime_for(Some(300)),
        grace: Duration::from_secs(30),
    };
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), config);
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::StillProcessing { .. }));
    assert_eq!(fake.asked_at_secs(), vec![0, 330]);
}

#[tokio::test]
async fn never_beyond_the_48_hour_query_window() {
    let config = PollConfig {
        interval: Duration::from_secs(3600),
        lifetime: PollConfig::lifetime_for(Some(2_592_000)),
        grace: Duration::from_secs(60),
    };
    assert_eq!(
        config.deadline_ms(CREATED),
        CREATED + QUERY_WINDOW.as_millis() as i64
    );
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), config);
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::StillProcessing { .. }));
    assert_eq!(fake.asked_at_secs().len(), 49);
    assert_eq!(fake.asked_at_secs().last(), Some(&(48 * 3600)));
}

#[tokio::test]
async fn starting_after_the_deadline_queries_once() {
    let clock = ManualClock::new(CREATED + 3_600_000);
    let fake = Fake::new(&clock, vec![]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::StillProcessing { .. }));
    assert_eq!(fake.asked_at_secs(), vec![3600]);
}

#[tokio::test]
async fn transient_errors_are_retried_next_tick() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(
        &clock,
        vec![
            Err(Error::Timeout {
                url: "http://fake/v2/query".into(),
            }),
            Err(gateway(-500, -500)),
            Err(gateway(2, -429)),
            Err(Error::HttpStatus {
                status: 502,
                url: "http://fake/v2/query".into(),
                body: String::new(),
                retry_after: None,
            }),
            processing(),
            paid(),
        ],
    );
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::Paid { .. }), "{outcome:?}");
    assert_eq!(fake.asked_at_secs(), vec![0, 60, 120, 180, 240, 300]);
}

#[tokio::test]
async fn transient_error_at_the_deadline_is_reported() {
    let clock = ManualClock::new(CREATED + 20 * 60 * 1000);
    let fake = Fake::new(&clock, vec![Err(gateway(2, -999))]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    match outcome {
        PollOutcome::StillProcessing {
            last_error: Some(error),
            ..
        } => assert_eq!(error.gateway().unwrap().sub_return_code, Some(-999)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn other_errors_end_the_poll() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![processing(), Err(gateway(2, -402))]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let error = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(error.gateway().unwrap().sub_return_code, Some(-402));
    assert_eq!(fake.asked_at_secs(), vec![0, 60]);
}

#[tokio::test]
async fn cancellation_with_notify() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![]);
    let stop = tokio::sync::Notify::new();
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let mut calls = 0;
    let outcome = poller
        .poll(
            CREATED,
            || {
                calls += 1;
                if calls == 3 {
                    // E.g. the callback arrived meanwhile.
                    stop.notify_one();
                }
                fake.query()
            },
            stop.notified(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::Cancelled), "{outcome:?}");
    assert_eq!(fake.asked_at_secs(), vec![0, 60, 120]);
}

#[tokio::test]
async fn cancellation_with_watch_before_start() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![]);
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    tx.send(true).unwrap();
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let cancel = async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let outcome = poller.poll(CREATED, || fake.query(), cancel).await.unwrap();
    assert!(matches!(outcome, PollOutcome::Cancelled));
    assert!(fake.asked_at_secs().is_empty());
}

#[tokio::test]
async fn real_sleeper_with_tokio_paused_time() {
    // The default poller (system clock + tokio sleep) runs too: tokio's paused clock skips
    // the sleep, and the order is paid on the second query.
    tokio::time::pause();
    let config = PollConfig::default();
    let poller = Poller::new(config);
    let mut answers: VecDeque<_> = vec![processing(), paid()].into();
    let now = zalopay_api::clock::SystemClock.now_ms();
    let outcome = poller
        .poll(
            now,
            || {
                let next = answers.pop_front().unwrap_or_else(processing);
                async move { next }
            },
            std::future::pending(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::Paid { .. }));
}

fn failed(sub: i32) -> Result<QueryOrderResponse, Error> {
    Ok(response(&format!(
        r#"{{"return_code":2,"return_message":"","sub_return_code":{sub},"is_processing":false}}"#
    )))
}

/// Issue 21: a maintenance or system answer (`2` with -33, -88, -135, -301) says nothing about
/// the order. It used to end the poll as `Failed` at once; a buyer who paid during the window
/// was never served.
#[tokio::test]
async fn maintenance_answers_never_end_a_poll() {
    for sub in [-33, -88, -135, -301] {
        let clock = ManualClock::new(CREATED);
        let fake = Fake::new(&clock, vec![failed(sub), failed(sub), paid()]);
        let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
        let outcome = poller
            .poll(CREATED, || fake.query(), std::future::pending())
            .await
            .unwrap();
        assert!(
            matches!(outcome, PollOutcome::Paid { amount: 5000, .. }),
            "{sub}: {outcome:?}"
        );
        assert_eq!(fake.asked_at_secs(), vec![0, 60, 120], "{sub}");
    }
}

/// ... and maintenance at the deadline does not decide either: the poll reports that it gave
/// up, never a failure.
#[tokio::test]
async fn maintenance_until_the_deadline_is_not_a_failure() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, (0..=16).map(|_| failed(-135)).collect());
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(
        matches!(outcome, PollOutcome::StillProcessing { .. }),
        "{outcome:?}"
    );
}

/// Issue 21: an order seen failing (the buyer cancelled) can still be paid until it expires;
/// the poll keeps asking and a payment it then sees wins.
#[tokio::test]
async fn a_failure_before_the_deadline_is_not_final_and_a_later_payment_wins() {
    let clock = ManualClock::new(CREATED);
    let fake = Fake::new(&clock, vec![failed(-329), processing(), paid()]);
    let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
    let outcome = poller
        .poll(CREATED, || fake.query(), std::future::pending())
        .await
        .unwrap();
    assert!(matches!(outcome, PollOutcome::Paid { .. }), "{outcome:?}");
}

/// The query at the deadline decides: a failure still seen there is the verdict, and so is a
/// `return_code 2` with a code no source documents (which before the deadline is not final).
#[tokio::test]
async fn the_query_at_the_deadline_decides_a_failure() {
    for sub in [-329, -7777] {
        let clock = ManualClock::new(CREATED);
        let fake = Fake::new(&clock, (0..=16).map(|_| failed(sub)).collect());
        let poller = Poller::with_parts(&clock, VirtualSleeper::new(&clock), PollConfig::default());
        let outcome = poller
            .poll(CREATED, || fake.query(), std::future::pending())
            .await
            .unwrap();
        assert!(
            matches!(outcome, PollOutcome::Failed { sub_return_code: Some(s) } if s == sub),
            "{sub}: {outcome:?}"
        );
        let expected: Vec<i64> = (0..=16).map(|minute| minute * 60).collect();
        assert_eq!(
            fake.asked_at_secs(),
            expected,
            "{sub}: asked until the deadline"
        );
    }
}
