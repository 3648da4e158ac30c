//! The emulator as a test bench: the request log and faults on demand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::*;
use serde_json::{Value, json};
use zalopay_emulator::{FailWith, Faults, RequestRecord};

async fn get_json(env: &Env, path: &str) -> Value {
    env.http
        .get(format!("{}{path}", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn post_faults(env: &Env, query: &str, body: &Value) -> reqwest::Response {
    env.http
        .post(format!("{}/emulator/faults{query}", env.base()))
        .json(body)
        .send()
        .await
        .unwrap()
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
