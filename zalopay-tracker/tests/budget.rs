//! The shared rate budget (issue 24 item 3, D-160, D-161): one bucket per app in the database,
//! drawn from by every instance; the emulator's own per-app limiter, on the same test clock,
//! is the judge of "never exceeded". Time moves only when a test moves it.

mod common;

use std::time::Duration;

use common::{Bench, create_request, order_id};
use zalopay_emulator::{EmulatorConfig, FailWith, Faults, RateLimit};
use zalopay_tracker::{
    MemoryStore, OrderState, RateBudget, SqlStore, Store, TrackedOrder, Tracker, TrackerConfig,
    TrackerError,
};

/// An instance with the budget `budget` (and room to send a whole burst at once).
fn instance<S: Store>(bench: &Bench, store: S, name: &str, budget: RateBudget) -> Tracker<S> {
    Tracker::new(
        store,
        bench.client(),
        TrackerConfig::new(name)
            .with_jitter_seed(7)
            .with_max_in_flight(16)
            .with_batch_size(1000)
            .with_rate_budget(budget),
    )
}

/// Creates `n` orders through an instance without a budget (all due 66 s later: 60 s and up to 5 s of jitter).
async fn open_orders<S: Store>(bench: &Bench, store: S, prefix: &str, n: usize) -> Vec<String> {
    let seeder = Tracker::new(store, bench.client(), TrackerConfig::new("seeder"));
    let mut ids = Vec::new();
    for i in 0..n {
        let id = order_id(bench.now(), &format!("{prefix}{i}"));
        seeder
            .create_order(
                &create_request(&id, 1_000, bench.now(), None),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

/// `-429` answers in the emulator's log.
fn rate_limited(bench: &Bench) -> usize {
    bench
        .emulator
        .state()
        .request_log()
        .iter()
        .filter(|r| r.sub_return_code == Some(-429))
        .count()
}

/// The instances poll together every `step_ms` of test time for `steps` steps; the queries
/// sent in each step.
async fn drive<S: Store + Clone>(
    bench: &Bench,
    instances: &[&Tracker<S>],
    step_ms: u64,
    steps: usize,
) -> Vec<usize> {
    let mut sent = Vec::new();
    for _ in 0..steps {
        bench.clock.advance(Duration::from_millis(step_ms));
        let mut passes = tokio::task::JoinSet::new();
        for tracker in instances {
            let tracker = (*tracker).clone();
            passes.spawn(async move { tracker.poll_due().await.unwrap().queried });
        }
        sent.push(passes.join_all().await.iter().sum());
    }
    sent
}

/// The most queries in any window of `window` consecutive steps.
fn busiest(sent: &[usize], window: usize) -> usize {
    sent.windows(window.min(sent.len()).max(1))
        .map(|w| w.iter().sum())
        .max()
        .unwrap_or(0)
}

/// Two instances on one database share 20 queries a second (burst 2): the emulator, limiting
/// the app to exactly that on the same clock, never answers `-429`, no one-second window
/// carries more than rate + burst, and the budget is used while the backlog lasts.
async fn shared_budget_is_never_exceeded<S: Store + Clone>(one: S, two: S) {
    let limit = RateLimit::per_second(20).with_burst(2);
    let bench = Bench::new(EmulatorConfig::default()).await;
    open_orders(&bench, one.clone(), "share", 120).await;
    bench.emulator.state().set_rate_limit(Some(limit));
    let budget = RateBudget::per_second(20)
        .with_burst(2)
        .with_reserve_percent(0);
    let a = instance(&bench, one, "one", budget);
    let b = instance(&bench, two, "two", budget);
    // The bucket is made (empty) by the first pass and full two tokens later.
    a.poll_due().await.unwrap();
    bench.advance_secs(66);
    // 5 s in steps of 50 ms: 120 orders due, 100 tokens come.
    let sent = drive(&bench, &[&a, &b], 50, 100).await;
    assert_eq!(
        rate_limited(&bench),
        0,
        "the emulator refused some: {sent:?}"
    );
    assert!(busiest(&sent, 20) <= 22, "{sent:?}");
    let total: usize = sent.iter().sum();
    assert!(
        (98..=102).contains(&total),
        "used {total} of 100 tokens: {sent:?}"
    );
}

#[tokio::test]
async fn sqlite_two_instances_share_one_budget() {
    let url = common::fresh_sqlite("budget_share");
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    shared_budget_is_never_exceeded(one, two).await;
}

#[tokio::test]
async fn postgres_two_instances_share_one_budget() {
    let url = common::fresh_postgres("tracker_budget_share").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    shared_budget_is_never_exceeded(one, two).await;
}

/// The same traffic without a budget draws `-429`s: the emulator's limiter is a real judge.
#[tokio::test]
async fn without_a_budget_the_limiter_refuses() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let store = SqlStore::connect(&common::fresh_sqlite("budget_none"))
        .await
        .unwrap();
    open_orders(&bench, store.clone(), "nobudget", 30).await;
    bench
        .emulator
        .state()
        .set_rate_limit(Some(RateLimit::per_second(20).with_burst(2)));
    let tracker = Tracker::new(store, bench.client(), TrackerConfig::new("one"));
    bench.advance_secs(66);
    let pass = tracker.poll_due().await.unwrap();
    assert!(pass.rate_limited);
    assert!(rate_limited(&bench) >= 1);
}

/// A `-429` seen by one instance pauses the other too (stored in the database).
async fn a_429_pauses_every_instance<S: Store + Clone>(one: S, two: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    open_orders(&bench, one.clone(), "pause", 6).await;
    let budget = RateBudget::per_second(1000);
    let a = instance(&bench, one, "one", budget);
    let b = instance(&bench, two, "two", budget);
    a.poll_due().await.unwrap();
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_fail_burst(1)
                .with_fail_with(FailWith::Code429)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(66);
    let first = a.poll_due().await.unwrap();
    assert!(first.rate_limited);
    let other = b.poll_due().await.unwrap();
    assert!(other.rate_limited, "the other instance did not pause");
    assert_eq!((other.leased, other.queried), (0, 0));
    // The pause is the initial backoff (10 s); then both go on (the rows put off come due
    // again after a poll interval and their backoff).
    bench.advance_secs(9);
    let paused = b.poll_due().await.unwrap();
    assert!(paused.rate_limited);
    assert_eq!(paused.queried, 0);
    bench.advance_secs(66);
    let after = b.poll_due().await.unwrap();
    assert!(!after.rate_limited);
    assert!(after.queried > 0, "{after:?}");
}

#[tokio::test]
async fn sqlite_a_429_pauses_every_instance() {
    let url = common::fresh_sqlite("budget_pause");
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    a_429_pauses_every_instance(one, two).await;
}

#[tokio::test]
async fn postgres_a_429_pauses_every_instance() {
    let url = common::fresh_postgres("tracker_budget_pause").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    a_429_pauses_every_instance(one, two).await;
}

/// Without a budget configured a `-429` still pauses the group (the pause is in the store).
#[tokio::test]
async fn without_a_budget_a_429_still_pauses_the_group() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let url = common::fresh_sqlite("budget_pause_nobudget");
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    open_orders(&bench, one.clone(), "pausenb", 4).await;
    let a = Tracker::new(one, bench.client(), TrackerConfig::new("one"));
    let b = Tracker::new(two, bench.client(), TrackerConfig::new("two"));
    bench
        .emulator
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_fail_burst(1)
                .with_fail_with(FailWith::Code429)
                .with_operations(["order.query"]),
        )
        .unwrap();
    bench.advance_secs(66);
    assert!(a.poll_due().await.unwrap().rate_limited);
    let other = b.poll_due().await.unwrap();
    assert!(other.rate_limited);
    assert_eq!(other.queried, 0);
}

/// Creates and refunds get their tokens while routine queries have a backlog: they leave the reserve.
async fn creates_get_through_a_poll_backlog<S: Store + Clone>(store: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    open_orders(&bench, store.clone(), "backlog", 40).await;
    let budget = RateBudget::per_second(10)
        .with_burst(5)
        .with_reserve_percent(40)
        .with_send_wait(Duration::from_millis(200));
    let tracker = instance(&bench, store, "one", budget);
    tracker.poll_due().await.unwrap();
    bench.advance_secs(66);
    // The bucket is full (5 tokens); routine queries take 3 and leave 2.
    assert_eq!(tracker.poll_due().await.unwrap().queried, 3);
    assert_eq!(tracker.poll_due().await.unwrap().queried, 0);
    assert!(tracker.backlog().await.unwrap().due_orders > 30);
    for n in 0..2 {
        let id = order_id(bench.now(), &format!("urgent{n}"));
        let order = tracker
            .create_order(
                &create_request(&id, 5_000, bench.now(), None),
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        assert_eq!(order.state, OrderState::Open);
    }
    // The third waits for a token (the clock stands still): refused before anything was
    // recorded or sent.
    let id = order_id(bench.now(), "urgent2");
    let refused = tracker
        .create_order(
            &create_request(&id, 5_000, bench.now(), None),
            &serde_json::json!({}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, TrackerError::RateLimited { .. }),
        "{refused}"
    );
    assert!(tracker.store().order(&id).await.unwrap().is_none());
    // The reserve refills before routine queries get anything again (100 ms a token).
    bench.clock.advance(Duration::from_millis(200));
    assert_eq!(tracker.poll_due().await.unwrap().queried, 0);
    bench.clock.advance(Duration::from_millis(100));
    assert_eq!(tracker.poll_due().await.unwrap().queried, 1);
}

#[tokio::test]
async fn sqlite_creates_get_through_a_poll_backlog() {
    let store = SqlStore::connect(&common::fresh_sqlite("budget_creates"))
        .await
        .unwrap();
    creates_get_through_a_poll_backlog(store).await;
}

#[tokio::test]
async fn postgres_creates_get_through_a_poll_backlog() {
    let url = common::fresh_postgres("tracker_budget_creates").await;
    creates_get_through_a_poll_backlog(SqlStore::connect(&url).await.unwrap()).await;
}

/// Creates order `id` (5 000 VND, `app_time` now) while, 100 ms of real time in, the clock
/// moves by `by`: a create that waits for its budget token gets one when the clock moves.
async fn create_while_the_clock_moves<S: Store>(
    bench: &Bench,
    tracker: &Tracker<S>,
    id: &str,
    by: Duration,
) -> TrackedOrder {
    let app_time = bench.now();
    let clock = bench.clock.clone();
    let mover = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        clock.advance(by);
    });
    let order = tracker
        .create_order(
            &create_request(id, 5_000, app_time, None),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    mover.await.unwrap();
    order
}

/// A create that waited for its token reaches the gateway after its `app_time`; its lifetime,
/// and the final query a minute after it, count from the send (D-164), so the final query
/// finds the order expired instead of still open.
async fn a_create_that_waited_expires_from_its_send<S: Store>(store: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    // One token a second, the bucket empty at the start: the create waits for its token.
    let budget = RateBudget::per_second(1).with_burst(1);
    let tracker = instance(&bench, store, "one", budget);
    let app_time = bench.now();
    let id = order_id(app_time, "waited");
    // 90 s pass (a loaded group, a long queue of creates) while the create waits.
    let order = create_while_the_clock_moves(&bench, &tracker, &id, Duration::from_secs(90)).await;
    assert_eq!(order.app_time, app_time, "the request is sent as given");
    assert_eq!(order.expire_at, app_time + 90_000 + 900_000);
    // At the final query (a minute after expiry, up to 5 s of jitter) the gateway has
    // expired the order: one final query settles it.
    bench.clock.advance(Duration::from_secs(15 * 60 + 66));
    tracker.poll_due().await.unwrap();
    let order = tracker.store().order(&id).await.unwrap().unwrap();
    assert!(
        order.state.is_final(),
        "{:?} after {} queries",
        order.state,
        order.queries
    );
    assert_eq!(order.queries, 1);
}

/// `with_send_wait(Duration::MAX)` means "wait as long as it takes": the create waits for its
/// token and is sent. It panicked (an `Instant` plus `Duration::MAX` overflows).
#[tokio::test]
async fn an_endless_send_wait_waits_for_the_token() {
    let bench = Bench::new(EmulatorConfig::default()).await;
    let budget = RateBudget::per_second(1)
        .with_burst(1)
        .with_send_wait(Duration::MAX);
    let tracker = instance(&bench, MemoryStore::new(), "one", budget);
    let id = order_id(bench.now(), "endless");
    let order = create_while_the_clock_moves(&bench, &tracker, &id, Duration::from_secs(2)).await;
    assert_eq!(order.state, OrderState::Open);
}

#[tokio::test]
async fn memory_a_create_that_waited_expires_from_its_send() {
    a_create_that_waited_expires_from_its_send(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_a_create_that_waited_expires_from_its_send() {
    let store = SqlStore::connect(&common::fresh_sqlite("budget_waited"))
        .await
        .unwrap();
    a_create_that_waited_expires_from_its_send(store).await;
}

/// Final queries (past expiry, up to the 48-hour edge) are leased before routine queries that
/// came due earlier.
async fn final_queries_first<S: Store>(store: S) {
    store.migrate().await.unwrap();
    let now = common::START_MS;
    let row = |id: &str, expire_at: i64, next: i64| {
        let mut order = TrackedOrder::new(
            order_id(now, id),
            common::APP_ID,
            1_000,
            now - 3_600_000,
            expire_at,
            now,
        );
        order.state = OrderState::Open;
        order.next_query_at = Some(next);
        order
    };
    // Routine polls due long ago, a final query and a 48-hour-edge query due just now.
    for order in [
        row("routine1", now + 600_000, now - 50_000),
        row("routine2", now + 600_000, now - 40_000),
        row("final", now - 60_000, now - 1_000),
        row("edge", now - 3_000_000, now),
    ] {
        assert!(store.insert_order(&order).await.unwrap());
    }
    let lease = |limit| zalopay_tracker::store::Lease {
        owner: "one".to_owned(),
        now,
        until: now + 120_000,
        limit,
    };
    let first: Vec<String> = store
        .lease_orders(&lease(2))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.app_trans_id)
        .collect();
    assert_eq!(first, [order_id(now, "final"), order_id(now, "edge")]);
    let next: Vec<String> = store
        .lease_orders(&lease(3))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.app_trans_id)
        .collect();
    assert_eq!(next, [order_id(now, "routine1"), order_id(now, "routine2")]);
}

#[tokio::test]
async fn memory_final_queries_first() {
    final_queries_first(MemoryStore::new()).await;
}

#[tokio::test]
async fn sqlite_final_queries_first() {
    final_queries_first(
        SqlStore::connect(&common::fresh_sqlite("budget_final"))
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn postgres_final_queries_first() {
    let url = common::fresh_postgres("tracker_budget_final").await;
    final_queries_first(SqlStore::connect(&url).await.unwrap()).await;
}

/// After five minutes without polling (every instance down, or restarted), 200 orders are
/// overdue at once: they go out at the budget's pace, the first pass carries at most the
/// burst, and no one-second window more than rate + burst.
async fn no_burst_after_an_outage<S: Store + Clone>(one: S, two: S) {
    let bench = Bench::new(EmulatorConfig::default()).await;
    open_orders(&bench, one.clone(), "outage", 200).await;
    bench
        .emulator
        .state()
        .set_rate_limit(Some(RateLimit::per_second(20).with_burst(2)));
    let budget = RateBudget::per_second(20)
        .with_burst(2)
        .with_reserve_percent(0);
    let a = instance(&bench, one, "one", budget);
    // One instance draws from the budget, then everything stops for five minutes.
    bench.advance_secs(66);
    drive(&bench, &[&a], 100, 10).await;
    bench.advance_secs(300);
    // Restarted instances (new processes: nothing in memory).
    let a = instance(&bench, a.store().clone(), "one-again", budget);
    let b = instance(&bench, two, "two-again", budget);
    let first = drive(&bench, &[&a, &b], 0, 1).await;
    assert!(first[0] <= 2, "a burst of {} after the outage", first[0]);
    let sent = drive(&bench, &[&a, &b], 50, 60).await;
    assert!(busiest(&sent, 20) <= 22, "{sent:?}");
    assert_eq!(rate_limited(&bench), 0);
}

#[tokio::test]
async fn sqlite_no_burst_after_an_outage() {
    let url = common::fresh_sqlite("budget_outage");
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    no_burst_after_an_outage(one, two).await;
}

#[tokio::test]
async fn postgres_no_burst_after_an_outage() {
    let url = common::fresh_postgres("tracker_budget_outage").await;
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    no_burst_after_an_outage(one, two).await;
}

/// A proxy in front of the gateway answering HTTP 429 with `Retry-After: 30` pauses every
/// instance for those 30 s, not for the default 10.
#[tokio::test]
async fn an_http_429_with_retry_after_pauses_the_group_that_long() {
    http_429_pauses_the_group("30", "budget_retry_after", Duration::from_secs(30)).await;
}

/// A `Retry-After` of a day (a proxy's mistake, or a hostile answer) pauses the group for the
/// schedule's `max_backoff` (5 min), not a day: the final queries and the 48-hour window do
/// not wait on it. It paused every instance for the whole day.
#[tokio::test]
async fn a_retry_after_longer_than_max_backoff_pauses_only_max_backoff() {
    http_429_pauses_the_group("86400", "budget_retry_after_day", Duration::from_secs(300)).await;
}

/// Two instances on one SQLite file, three due orders, a server answering every request HTTP
/// 429 with `Retry-After: retry_after`: after the first instance's pass, the second leases
/// nothing until `paused_for` has passed, and leases again after it.
async fn http_429_pauses_the_group(retry_after: &'static str, db: &str, paused_for: Duration) {
    use std::sync::Arc;
    use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
    use zalopay_emulator::ManualClock;
    let app = axum::Router::new().fallback(move || async move {
        (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, retry_after)],
            "slow down",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let clock = ManualClock::new(common::START_MS);
    let client = || {
        Client::new(
            Config::new(
                common::APP_ID,
                Keys::new(common::KEY1, common::KEY2).unwrap(),
                Environment::Custom(format!("http://{addr}")),
            )
            .with_clock(Arc::new(clock.clone()))
            .with_retry(RetryPolicy::none()),
        )
        .unwrap()
    };
    let url = common::fresh_sqlite(db);
    let one = SqlStore::connect(&url).await.unwrap();
    let two = SqlStore::connect(&url).await.unwrap();
    let now = common::START_MS;
    for n in 0..3 {
        let mut order = TrackedOrder::new(
            order_id(now, &format!("ra{n}")),
            common::APP_ID,
            1_000,
            now,
            now + 900_000,
            now,
        );
        order.state = OrderState::Open;
        order.next_query_at = Some(now);
        one.insert_order(&order).await.unwrap();
    }
    let a = Tracker::new(one, client(), TrackerConfig::new("one"));
    let b = Tracker::new(two, client(), TrackerConfig::new("two"));
    assert!(a.poll_due().await.unwrap().rate_limited);
    clock.advance(paused_for - Duration::from_secs(1));
    let paused = b.poll_due().await.unwrap();
    assert!(paused.rate_limited);
    assert_eq!(paused.leased, 0);
    clock.advance(Duration::from_secs(2));
    let resumed = b.poll_due().await.unwrap();
    assert!(resumed.leased > 0, "{resumed:?}");
}
