//! The emulator under concurrent load, driven through the SDK client: 200 orders created,
//! paid (test hook), partially refunded (plus one refused over-refund each) and queried, all at
//! once and bounded in time; then the books are reconciled from `GET /emulator/orders` and
//! `/emulator/refunds`, and the merchant's callback server must have received each payment
//! callback exactly once (more only where the emulator recorded a retried failure).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zalopay_api::ids::{AppTransId, MRefundId};

use common::*;
use serde_json::{Value, json};
use zalopay_api::callback::{Callback, verify_callback};
use zalopay_api::order::{CreateOrder, OrderStatus, QueryOrder};
use zalopay_api::refund::{QueryRefund, RefundOrder};
use zalopay_api::{Error, Keys};

const ORDERS: usize = 200;
/// The whole run (requests and callback delivery) must finish within this.
const BUDGET: Duration = Duration::from_secs(120);

/// What one task sent and saw.
#[derive(Debug)]
struct Outcome {
    app_trans_id: String,
    amount: i64,
    zp_trans_id: i64,
    refunds: Vec<(String, i64)>,
    requests: usize,
}

async fn one_order(env: Arc<Env>, client: zalopay_api::Client, i: usize) -> Outcome {
    let app_trans_id = format!("{TODAY}_load_{i:04}");
    let amount = 10_000 + 1_000 * i as i64;
    let mut requests = 0;

    let create = CreateOrder::builder()
        .app_id(APP)
        .app_trans_id(AppTransId::try_from(&app_trans_id).unwrap())
        .app_user("load-user")
        .amount(amount)
        .app_time(NOW)
        .description("Load test")
        .build();
    let created = client.send(&create).await.unwrap();
    requests += 1;
    assert!(created.codes.is_success(), "{created:?}");

    let paid = env.pay(&app_trans_id).await;
    requests += 1;
    assert_eq!(code(&paid), (1, 1), "{paid}");
    let zp_trans_id = paid["order"]["zp_trans_id"].as_i64().unwrap();

    let query = client
        .send(
            &QueryOrder::builder()
                .app_id(APP)
                .app_trans_id(AppTransId::try_from(&app_trans_id).unwrap())
                .build(),
        )
        .await
        .unwrap();
    requests += 1;
    match query.status() {
        OrderStatus::Paid {
            zp_trans_id: queried,
            amount: paid_amount,
            ..
        } => assert_eq!((queried, paid_amount), (zp_trans_id, amount)),
        other => panic!("{app_trans_id} is {other:?} after paying"),
    }

    // 1 to 3 partial refunds of a quarter each: at most three quarters of the amount.
    let mut refunds = Vec::new();
    for j in 0..(1 + i % 3) {
        let m_refund_id = format!("{TODAY}_{APP}_load{i:04}r{j}");
        let part = amount / 4;
        let refund = RefundOrder::builder()
            .app_id(APP)
            .m_refund_id(MRefundId::try_from(&m_refund_id).unwrap())
            .zp_trans_id(zp_trans_id)
            .amount(part)
            .timestamp(NOW)
            .description("partial")
            .build();
        let answer = client.send(&refund).await.unwrap();
        requests += 1;
        assert!(answer.codes.return_code == 1 || answer.codes.return_code == 3);
        refunds.push((m_refund_id, part));
    }
    // One more than what is left must be refused, and must leave no trace.
    let refunded: i64 = refunds.iter().map(|(_, a)| a).sum();
    let over = RefundOrder::builder()
        .app_id(APP)
        .m_refund_id(MRefundId::try_from(format!("{TODAY}_{APP}_load{i:04}over")).unwrap())
        .zp_trans_id(zp_trans_id)
        .amount(amount - refunded + 1)
        .timestamp(NOW)
        .description("too much")
        .build();
    match client.send(&over).await {
        Err(Error::Gateway(_)) => {}
        other => panic!("over-refund of {app_trans_id} was not refused: {other:?}"),
    }
    requests += 1;
    for (m_refund_id, _) in &refunds {
        let status = client
            .send(
                &QueryRefund::builder()
                    .app_id(APP)
                    .m_refund_id(MRefundId::try_from(m_refund_id).unwrap())
                    .timestamp(NOW)
                    .build(),
            )
            .await
            .unwrap();
        requests += 1;
        assert!(status.codes.return_code == 1 || status.codes.return_code == 3);
    }
    Outcome {
        app_trans_id,
        amount,
        zp_trans_id,
        refunds,
        requests,
    }
}

async fn list(env: &Env, path: &str) -> Vec<Value> {
    let body: Value = env
        .http
        .get(format!("{}{path}", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_orders_at_once_reconcile() {
    let started = Instant::now();
    let mut merchant = Merchant::ok().await;
    let env = Arc::new(start_with_callback(&merchant.url()).await);
    let client = env.client();

    let tasks: Vec<_> = (0..ORDERS)
        .map(|i| tokio::spawn(one_order(env.clone(), client.clone(), i)))
        .collect();
    let outcomes = tokio::time::timeout(BUDGET, async {
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    })
    .await
    .expect("the load did not finish within the time budget");
    let load_time = started.elapsed();
    let requests: usize = outcomes.iter().map(|o| o.requests).sum();

    // Callbacks: wait for one per order (bounded), then a little longer for duplicates.
    let keys = Keys::new(KEY1, KEY2).unwrap();
    let mut callbacks: BTreeMap<String, usize> = BTreeMap::new();
    let deadline = Instant::now() + (BUDGET.saturating_sub(started.elapsed()));
    let mut received = 0;
    loop {
        let wait = if received < ORDERS {
            deadline.saturating_duration_since(Instant::now())
        } else {
            Duration::from_millis(300)
        };
        let Ok(Some(body)) = tokio::time::timeout(wait, merchant.rx.recv()).await else {
            break;
        };
        received += 1;
        let raw = serde_json::to_vec(&body).unwrap();
        let Ok(Callback::Payment(payment)) = verify_callback(&keys, Some(APP), &raw) else {
            panic!("callback did not verify: {body}");
        };
        *callbacks.entry(payment.app_trans_id).or_default() += 1;
    }

    // Reconcile the orders.
    let orders = list(&env, "/emulator/orders").await;
    let mut by_id: BTreeMap<String, &Value> = BTreeMap::new();
    for order in &orders {
        let id = order["app_trans_id"].as_str().unwrap().to_owned();
        assert!(
            by_id.insert(id.clone(), order).is_none(),
            "{id} listed twice"
        );
    }
    assert_eq!(by_id.len(), ORDERS, "orders created exactly once");
    let mut zp_ids = BTreeSet::new();
    let mut retried = 0;
    for outcome in &outcomes {
        let order = by_id[&outcome.app_trans_id];
        assert_eq!(order["state"], "paid", "{order}");
        assert_eq!(order["amount"], outcome.amount);
        assert_eq!(order["zp_trans_id"], outcome.zp_trans_id);
        assert!(zp_ids.insert(outcome.zp_trans_id), "zp_trans_id reused");
        let sent: i64 = outcome.refunds.iter().map(|(_, a)| a).sum();
        assert_eq!(order["refunded_amount"], sent, "{order}");
        assert!(sent <= outcome.amount);

        let got = callbacks.get(&outcome.app_trans_id).copied().unwrap_or(0);
        let attempts = order["callback"]["attempts"].as_u64().unwrap() as usize;
        assert_eq!(order["callback"]["delivered"], json!(true), "{order}");
        // Exactly once, unless the emulator recorded failed attempts it then retried.
        assert!(
            got == 1 || (got > 1 && got <= attempts),
            "{}: {got} callbacks received, {attempts} attempts recorded",
            outcome.app_trans_id
        );
        if attempts > 1 {
            retried += 1;
        }
    }
    assert_eq!(callbacks.len(), ORDERS, "a callback for every order");

    // Reconcile the refunds.
    let refunds = list(&env, "/emulator/refunds").await;
    let mut m_ids = BTreeSet::new();
    let mut per_order: BTreeMap<String, i64> = BTreeMap::new();
    for refund in &refunds {
        let m_refund_id = refund["m_refund_id"].as_str().unwrap().to_owned();
        assert!(
            !m_refund_id.ends_with("over"),
            "a refused refund was recorded"
        );
        assert!(m_ids.insert(m_refund_id), "refund recorded twice");
        *per_order
            .entry(refund["app_trans_id"].as_str().unwrap().to_owned())
            .or_default() += refund["amount"].as_i64().unwrap();
    }
    let sent_refunds: usize = outcomes.iter().map(|o| o.refunds.len()).sum();
    assert_eq!(refunds.len(), sent_refunds);
    for outcome in &outcomes {
        let sent: i64 = outcome.refunds.iter().map(|(_, a)| a).sum();
        assert_eq!(per_order[&outcome.app_trans_id], sent);
        assert!(per_order[&outcome.app_trans_id] <= outcome.amount);
        for (m_refund_id, _) in &outcome.refunds {
            assert!(m_ids.contains(m_refund_id));
        }
    }

    println!(
        "load: {ORDERS} orders, {requests} requests in {:.2?} ({:.0} req/s); \
         {received} callbacks ({retried} retried); {sent_refunds} refunds; total {:.2?}",
        load_time,
        requests as f64 / load_time.as_secs_f64(),
        started.elapsed()
    );
}
