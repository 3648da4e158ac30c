//! The emulator as a test bench: the request log and faults on demand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::*;
use serde_json::{Value, json};
use zalopay_emulator::{
    DEFAULT_REQUEST_LOG_LIMIT, EmulatorConfig, FailWith, Faults, RequestRecord,
};

async fn get(env: &Env, path: &str) -> reqwest::Response {
    env.http
        .get(format!("{}{path}", env.base()))
        .send()
        .await
        .unwrap()
}

async fn get_json(env: &Env, path: &str) -> Value {
    get(env, path).await.json().await.unwrap()
}

async fn get_text(env: &Env, path: &str) -> String {
    get(env, path).await.text().await.unwrap()
}

async fn post_faults(env: &Env, query: &str, body: &Value) -> reqwest::Response {
    env.http
        .post(format!("{}/emulator/faults{query}", env.base()))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// An emulator left running under load must not grow without end: the log keeps the latest
/// requests up to its limit and counts the ones it dropped.
#[tokio::test]
async fn the_request_log_keeps_the_latest_requests_up_to_its_limit() {
    let env = start_with(EmulatorConfig {
        request_log_limit: Some(3),
        ..fast_config()
    })
    .await;
    let state = env.running.state();
    for n in 0..5 {
        env.query(&format!("{TODAY}_unknown{n}")).await;
    }
    let log = state.request_log();
    let seqs: Vec<u64> = log.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [3, 4, 5], "the latest three, oldest first");
    assert_eq!(
        log[2].merchant_id.as_deref(),
        Some(format!("{TODAY}_unknown4").as_str())
    );
    assert_eq!(state.request_log_dropped(), 2);
    assert_eq!(state.requests_served(), 5);
    let over_http = get_json(&env, "/emulator/requests").await;
    assert_eq!(over_http.as_array().map(Vec::len), Some(3));
    // The dashboard counts every request, not only those kept.
    let page = get_text(&env, "/emulator").await;
    assert!(
        page.contains("5 gateway requests served") && page.contains("the latest 3"),
        "{page}"
    );
    state.clear_request_log();
    assert!(state.request_log().is_empty());
    assert_eq!(state.request_log_dropped(), 0);

    // By default the limit is large, and `None` keeps every request.
    assert_eq!(
        EmulatorConfig::default().request_log_limit,
        Some(DEFAULT_REQUEST_LOG_LIMIT)
    );
    let unbounded = start_with(EmulatorConfig {
        request_log_limit: None,
        ..fast_config()
    })
    .await;
    for n in 0..5 {
        unbounded.query(&format!("{TODAY}_unknown{n}")).await;
    }
    assert_eq!(unbounded.running.state().request_log().len(), 5);
    assert_eq!(unbounded.running.state().request_log_dropped(), 0);
}

#[tokio::test]
async fn the_request_log_names_operation_app_and_merchant_id() {
    let env = start().await;
    let id = format!("{TODAY}_log");
    env.create(&id, 1000, &[]).await;
    env.query(&id).await;
    env.pay(&id).await; // a test hook: not a gateway request
    let log = env.running.state().request_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].operation, "order.create");
    assert_eq!(log[1].operation, "order.query");
    for (n, record) in log.iter().enumerate() {
        assert_eq!(record.seq, n as u64 + 1);
        assert_eq!(record.app_id, Some(APP));
        assert_eq!(record.merchant_id.as_deref(), Some(id.as_str()));
        assert!(record.started_us <= record.finished_us);
        assert_eq!(record.http_status, 200);
        assert_eq!(record.fault, None);
    }
    assert_eq!(log[0].return_code, Some(1));
    assert_eq!(log[1].return_code, Some(3));
    assert!(log[0].finished_us <= log[1].started_us);
    assert!(!log[0].overlaps(&log[1]));

    // The same over HTTP; a refused request is logged with its codes.
    env.form("/v2/query", &[("app_id", APP.to_string())]).await;
    let over_http: Vec<RequestRecord> =
        serde_json::from_value(get_json(&env, "/emulator/requests").await).unwrap();
    assert_eq!(over_http.len(), 3);
    assert_eq!(&over_http[..2], &log[..]);
    assert_eq!(over_http[2].merchant_id, None);
    assert_eq!(
        (over_http[2].return_code, over_http[2].sub_return_code),
        (Some(2), Some(-401))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_queries_of_one_order_are_visible_in_the_log() {
    let env = Arc::new(start().await);
    let id = format!("{TODAY}_overlap");
    env.create(&id, 1000, &[]).await;
    env.running
        .state()
        .set_faults(
            None,
            Faults::default()
                .with_latency_ms(300)
                .with_operations(["order.query"]),
        )
        .unwrap();
    let (a, b) = tokio::join!(env.query(&id), env.query(&id));
    assert_eq!(code(&a), (3, 3));
    assert_eq!(code(&b), (3, 3));
    let queries: Vec<RequestRecord> = env
        .running
        .state()
        .request_log()
        .into_iter()
        .filter(|r| r.operation == "order.query")
        .collect();
    assert_eq!(queries.len(), 2);
    assert!(queries[0].overlaps(&queries[1]), "{queries:?}");
    // The latency applies to queries only: the create before did not wait.
    let create = &env.running.state().request_log()[0];
    assert_eq!(create.operation, "order.create");
    assert!(queries[0].finished_us - queries[0].started_us >= 300_000);
}

/// Pays `n` orders with callbacks and returns the ids whose callback was lost.
async fn lost_callbacks(faults: Faults, n: usize) -> (BTreeSet<String>, usize) {
    let merchant = Merchant::ok().await;
    let mut config = fast_config();
    config.faults = faults;
    config.apps = zalopay_emulator::App::sandbox_demo_apps()
        .into_iter()
        .map(|app| app.with_callback_url(merchant.url()))
        .collect();
    let env = start_with(config).await;
    for i in 0..n {
        let id = format!("{TODAY}_loss_{i}");
        env.create(&id, 1000, &[]).await;
        env.pay(&id).await;
    }
    let mut lost = BTreeSet::new();
    for i in 0..n {
        let id = format!("{TODAY}_loss_{i}");
        let order = wait_for_order(&env, &id, |o| o["callback"]["attempts"] == 1).await;
        let attempt = &order["callback"]["history"][0];
        if attempt["lost"] == true {
            assert_eq!(order["callback"]["delivered"], false);
            assert_eq!(attempt["http_status"], Value::Null);
            lost.insert(id);
        } else {
            assert_eq!(order["callback"]["delivered"], true, "{order}");
            assert_eq!(attempt["http_status"], 200);
            assert_eq!(attempt["cause"], "first");
        }
    }
    let hits = merchant.hits.load(std::sync::atomic::Ordering::SeqCst);
    (lost, hits)
}

#[tokio::test]
async fn callback_loss_is_reproducible_from_the_seed() {
    let faults = Faults::default().with_seed(42).with_callback_loss(0.5);
    let (first, hits) = lost_callbacks(faults.clone(), 30).await;
    assert_eq!(
        hits,
        30 - first.len(),
        "a lost callback reached the merchant"
    );
    assert!((5..=25).contains(&first.len()), "{}", first.len());
    let (again, _) = lost_callbacks(faults, 30).await;
    assert_eq!(first, again, "same seed, same losses");
    let (other, _) =
        lost_callbacks(Faults::default().with_seed(43).with_callback_loss(0.5), 30).await;
    assert_ne!(first, other, "another seed, other losses");
    let (all, hits) = lost_callbacks(Faults::default().with_callback_loss(1.0), 5).await;
    assert_eq!((all.len(), hits), (5, 0));
    let (none, hits) = lost_callbacks(Faults::default(), 5).await;
    assert_eq!((none.len(), hits), (0, 5));
}

#[tokio::test]
async fn faults_are_set_at_run_time_per_app_or_globally() {
    let env = start().await;
    let body = json!({ "seed": 9, "fail_burst": 1, "fail_with": "code_500" });
    let response = post_faults(&env, "?app_id=2554", &body).await;
    assert_eq!(response.status(), 200);
    let active: Value = response.json().await.unwrap();
    assert_eq!(active["apps"]["2554"]["fail_burst"], 1);
    assert_eq!(active["global"]["fail_burst"], 0);
    // App 2553 is not affected.
    let id = format!("{TODAY}_rt");
    assert_eq!(code(&env.create(&id, 1000, &[]).await), (1, 1));

    let body = json!({ "fail_burst": 2, "fail_with": "code_429" });
    assert_eq!(post_faults(&env, "", &body).await.status(), 200);
    assert_eq!(code(&env.query(&id).await), (2, -429));
    assert_eq!(code(&env.query(&id).await), (2, -429));
    assert_eq!(code(&env.query(&id).await), (3, 3));
    let log = env.running.state().request_log();
    let faults: Vec<Option<&str>> = log.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(faults, [None, Some("code_429"), Some("code_429"), None]);

    // Refusals: unknown fields and rates outside 0..=1 change nothing.
    for bad in [json!({ "callback_lost": 0.5 }), json!({ "fail_rate": 2.0 })] {
        let response = post_faults(&env, "", &bad).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
    assert_eq!(
        get_json(&env, "/emulator/faults").await["global"]["fail_burst"],
        0
    );
    assert!(
        env.running
            .state()
            .set_faults(None, Faults::default().with_callback_loss(-0.1))
            .is_err()
    );
}

#[tokio::test]
async fn http_503_refuses_before_processing_and_reset_drops_after() {
    let env = start().await;
    let state = env.running.state();
    state
        .set_faults(
            None,
            Faults::default()
                .with_fail_burst(1)
                .with_fail_with(FailWith::Http503),
        )
        .unwrap();
    let id = format!("{TODAY}_503");
    let params = create_params(&id, 1000, "{}", &[]);
    let response = env
        .http
        .post(format!("{}/v2/create", env.base()))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(state.orders().is_empty(), "refused before processing");
    assert_eq!(code(&env.form("/v2/create", &params).await), (1, 1));
    assert_eq!(state.orders().len(), 1);

    state
        .set_faults(None, Faults::default().with_reset_rate(1.0))
        .unwrap();
    let id2 = format!("{TODAY}_reset");
    let params = create_params(&id2, 1000, "{}", &[]);
    let outcome = async {
        let response = env
            .http
            .post(format!("{}/v2/create", env.base()))
            .form(&params)
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "an answer came through: {outcome:?}");
    assert_eq!(state.orders().len(), 2, "processed before the drop");
    let last = state.request_log().pop().unwrap();
    assert_eq!(
        (last.fault.as_deref(), last.http_status, last.return_code),
        (Some("reset"), 0, Some(1))
    );
}

async fn advance(env: &Env, seconds: u64) -> i64 {
    let answer: Value = env
        .http
        .post(format!(
            "{}/emulator/clock/advance?seconds={seconds}",
            env.base()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["now_ms"].as_i64().unwrap()
}

#[tokio::test]
async fn the_test_clock_expires_orders_and_closes_the_48_hour_window() {
    let env = start().await;
    let id = format!("{TODAY}_clock");
    env.create(&id, 1000, &[]).await;
    let paid_id = format!("{TODAY}_clock_paid");
    env.create(&paid_id, 1000, &[]).await;
    env.pay(&paid_id).await;
    assert_eq!(advance(&env, 15 * 60 - 1).await, NOW + (15 * 60 - 1) * 1000);
    assert_eq!(code(&env.query(&id).await), (3, 3));
    advance(&env, 1).await;
    assert_eq!(code(&env.query(&id).await), (2, -54));
    assert_eq!(
        get_json(&env, "/emulator/clock").await["now_ms"],
        NOW + 15 * 60 * 1000
    );
    // 48 h after creation the query API no longer knows either order.
    advance(&env, 48 * 3600 - 15 * 60 - 1).await;
    assert_eq!(code(&env.query(&paid_id).await), (1, 1));
    advance(&env, 1).await;
    assert_eq!(code(&env.query(&paid_id).await), (2, -101));
    assert_eq!(code(&env.query(&id).await), (2, -101));
    let refused = env
        .http
        .post(format!("{}/emulator/clock/advance?seconds=-5", env.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn callback_retries_follow_the_test_clock_and_can_be_resent() {
    let mut merchant = Merchant::start(vec![
        (axum::http::StatusCode::OK, 0),
        (axum::http::StatusCode::OK, 1),
    ])
    .await;
    let mut config = fast_config();
    // A real-time wait no test would sit through: the retry must come from the clock.
    config.callback_backoff = std::time::Duration::from_secs(3600);
    config.apps = zalopay_emulator::App::sandbox_demo_apps()
        .into_iter()
        .map(|app| app.with_callback_url(merchant.url()))
        .collect();
    let env = start_with(config).await;
    let id = format!("{TODAY}_clock_cb");
    env.create(&id, 1000, &[]).await;
    let unpaid = format!("{TODAY}_clock_unpaid");
    env.create(
        &unpaid,
        1000,
        &[("expire_duration_seconds", "86400".into())],
    )
    .await;
    env.pay(&id).await;
    let first = merchant.next().await;
    wait_for_order(&env, &id, |o| o["callback"]["attempts"] == 1).await;
    advance(&env, 3600).await;
    let second = merchant.next().await;
    assert_eq!(first, second);
    let order = wait_for_order(&env, &id, |o| o["callback"]["delivered"] == true).await;
    let history = order["callback"]["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["cause"], "first");
    assert_eq!(history[0]["error"], "return_code Some(0)");
    assert_eq!(
        history[0]["reply"],
        r#"{"return_code":0,"return_message":""}"#
    );
    assert_eq!(history[1]["cause"], "retry");
    assert_eq!(history[1]["at_ms"], NOW + 3_600_000);
    assert_eq!(history[1]["error"], Value::Null);
    assert_eq!(history[1]["body"], first.to_string());

    // Re-sent by hand: the same body once more.
    let resent = env
        .json(&format!("/emulator/orders/{id}/callback"), &json!({}))
        .await;
    assert_eq!(code(&resent), (1, 1), "{resent}");
    assert_eq!(merchant.next().await, first);
    let order = wait_for_order(&env, &id, |o| o["callback"]["attempts"] == 3).await;
    assert_eq!(order["callback"]["history"][2]["cause"], "resend");
    // Nothing to re-send for an unpaid or unknown order.
    let none = env
        .json(&format!("/emulator/orders/{unpaid}/callback"), &json!({}))
        .await;
    assert_eq!(code(&none), (2, -401));
    let unknown = env.json("/emulator/orders/nope/callback", &json!({})).await;
    assert_eq!(code(&unknown), (2, -101));
}

#[tokio::test]
async fn refunds_settle_when_the_clock_is_advanced_over_http() {
    let mut config = fast_config();
    config.refund_delay = std::time::Duration::from_secs(600);
    let env = start_with(config).await;
    let id = format!("{TODAY}_clock_rf");
    env.create(&id, 5000, &[]).await;
    let zp = env.pay(&id).await["order"]["zp_trans_id"].as_i64().unwrap();
    let m_refund_id = format!("{TODAY}_{APP}_clk");
    let refund = env
        .form(
            "/v2/refund",
            &[
                ("app_id", APP.to_string()),
                ("m_refund_id", m_refund_id.clone()),
                ("zp_trans_id", zp.to_string()),
                ("amount", "5000".into()),
                ("timestamp", NOW.to_string()),
                ("description", "r".into()),
                ("mac", mac(KEY1, &format!("{APP}|{zp}|5000|r|{NOW}"))),
            ],
        )
        .await;
    assert_eq!(code(&refund), (3, 2), "{refund}");
    let query = |ts: i64| {
        let m_refund_id = m_refund_id.clone();
        let env = &env;
        async move {
            env.form(
                "/v2/query_refund",
                &[
                    ("app_id", APP.to_string()),
                    ("m_refund_id", m_refund_id.clone()),
                    ("timestamp", ts.to_string()),
                    ("mac", mac(KEY1, &format!("{APP}|{m_refund_id}|{ts}"))),
                ],
            )
            .await
        }
    };
    assert_eq!(code(&query(NOW).await), (3, 2));
    let now = advance(&env, 600).await;
    assert_eq!(code(&query(now).await), (1, 1));
}

/// The per-app rate limiter (D-162): off by default; when set, requests beyond the bucket are
/// refused before processing with the gateway's `-429` (HTTP 200, return_code 2,
/// LIMIT_REQUEST_REACH), per app, and the bucket refills on the emulator's clock.
#[tokio::test]
async fn the_rate_limiter_refuses_with_429_per_app() {
    let env = start().await;
    let state = env.running.state();
    assert_eq!(state.rate_limit(), None);
    let id = format!("{TODAY}_rl");
    assert_eq!(code(&env.create(&id, 1000, &[]).await), (1, 1));
    state.set_rate_limit(Some(
        zalopay_emulator::RateLimit::per_second(10).with_burst(2),
    ));
    assert_eq!(code(&env.query(&id).await), (3, 3));
    assert_eq!(code(&env.query(&id).await), (3, 3));
    let refused = env.query(&id).await;
    assert_eq!(code(&refused), (2, -429));
    assert!(
        refused.to_string().contains("LIMIT_REQUEST_REACH"),
        "{refused}"
    );
    // A refused create is not processed: the id stays free.
    let other = format!("{TODAY}_rl2");
    assert_eq!(code(&env.create(&other, 1000, &[]).await), (2, -429));
    assert!(!state.orders().iter().any(|o| o.app_trans_id == other));
    // 100 ms at 10/s: one more token.
    env.clock.advance(std::time::Duration::from_millis(100));
    assert_eq!(code(&env.create(&other, 1000, &[]).await), (1, 1));
    assert_eq!(code(&env.query(&id).await), (2, -429));
    let log = state.request_log();
    let faults: Vec<Option<&str>> = log.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(
        faults,
        [
            None,
            None,
            None,
            Some("rate_limit"),
            Some("rate_limit"),
            None,
            Some("rate_limit")
        ]
    );
    state.set_rate_limit(None);
    for _ in 0..5 {
        assert_eq!(code(&env.query(&id).await), (3, 3));
    }
}
