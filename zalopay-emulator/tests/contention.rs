//! Issue 10 item 15: many concurrent requests on the same records, then a reconciliation of
//! the emulator's books: no money created or lost, refunds never above what was paid, one
//! terminal state per order, each refund id counted once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use common::*;
use serde_json::{Value, json};
use zalopay_emulator::Faults;

const USER: &str = "ZLP User";
const ORDERS: usize = 40;
const HYBRIDS: usize = 40;
const REFUNDERS: i64 = 4;

/// Binds the user's wallet and returns its pay token.
async fn pay_token(env: &Env) -> String {
    let id = format!("{TODAY}_contention_bind");
    let bind = env
        .form(
            "/v2/agreement/bind",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("identifier", USER.into()),
                ("max_amount", "0".into()),
                ("binding_type", "WALLET".into()),
                ("binding_data", "{}".into()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|{id}|{{}}|WALLET|{USER}|0|{NOW}")),
                ),
            ],
        )
        .await;
    let token = bind["binding_token"].as_str().unwrap();
    let confirmed = env
        .json(&format!("/emulator/bindings/{token}/confirm"), &json!({}))
        .await;
    confirmed["binding"]["pay_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn cancel(env: &Env, id: &str) -> Value {
    env.form(
        "/v2/cancel",
        &[
            ("app_id", APP.to_string()),
            ("app_trans_id", id.to_owned()),
            ("mac", mac(KEY1, &format!("{APP}|{id}|{KEY1}"))),
        ],
    )
    .await
}

async fn agreement_pay(env: &Env, zp_trans_token: &str, pay_token: &str) -> Value {
    env.form(
        "/v2/agreement/pay",
        &[
            ("app_id", APP.to_string()),
            ("identifier", USER.into()),
            ("zp_trans_token", zp_trans_token.to_owned()),
            ("pay_token", pay_token.to_owned()),
            ("req_date", NOW.to_string()),
            (
                "mac",
                mac(
                    KEY1,
                    &format!("{APP}|{USER}|{zp_trans_token}|{pay_token}|{NOW}"),
                ),
            ),
        ],
    )
    .await
}

async fn hybrid(env: &Env, id: &str, amount: i64, pay_token: &str) -> Value {
    let params = create_params(
        id,
        amount,
        "{}",
        &[
            ("identifier", USER.to_owned()),
            ("pay_token", pay_token.to_owned()),
        ],
    );
    env.form("/v2/agreement/hybrid", &params).await
}

async fn refund(env: &Env, m_refund_id: &str, zp: i64, amount: i64) -> Value {
    env.form(
        "/v2/refund",
        &[
            ("app_id", APP.to_string()),
            ("m_refund_id", m_refund_id.to_owned()),
            ("zp_trans_id", zp.to_string()),
            ("amount", amount.to_string()),
            ("timestamp", NOW.to_string()),
            ("description", "refund".into()),
            (
                "mac",
                mac(KEY1, &format!("{APP}|{zp}|{amount}|refund|{NOW}")),
            ),
        ],
    )
    .await
}

/// Repeats `call` while the order does not exist yet (-101); returns the first other answer.
async fn once_it_exists<F, Fut>(call: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    loop {
        let answer = call().await;
        if code(&answer) != (2, -101) {
            return answer;
        }
        tokio::task::yield_now().await;
    }
}

/// Who won the race for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Winner {
    Page,
    Cancel,
    Token,
}

fn winner(outcomes: &[(Winner, &Value)]) -> Winner {
    let winners: Vec<Winner> = outcomes
        .iter()
        .filter(|(_, answer)| code(answer) == (1, 1))
        .map(|(who, _)| *who)
        .collect();
    assert_eq!(winners.len(), 1, "not exactly one winner: {outcomes:?}");
    winners[0]
}

async fn list(env: &Env, path: &str) -> Vec<Value> {
    let value: Value = env
        .http
        .get(format!("{}{path}", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    value.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pay_cancel_hybrid_refunds_and_duplicate_callbacks_reconcile() {
    let mut merchant = Merchant::ok().await;
    let env = Arc::new(start_with_callback(&merchant.url()).await);
    env.running
        .state()
        .set_faults(None, Faults::default().with_callback_duplicate(1.0))
        .unwrap();
    let wallet_start = env.running.state().config().wallet_balance;
    let pay_token = Arc::new(pay_token(&env).await);

    // Pay (page) vs cancel vs agreement pay on one created order.
    let mut races = Vec::new();
    for i in 0..ORDERS {
        let env = env.clone();
        let pay_token = pay_token.clone();
        races.push(tokio::spawn(async move {
            let id = format!("{TODAY}_race_{i}");
            let amount = 10_000 + i as i64;
            let created = env.create(&id, amount, &[]).await;
            let token = created["zp_trans_token"].as_str().unwrap().to_owned();
            let (page, cancelled, by_token) = tokio::join!(
                env.pay(&id),
                cancel(&env, &id),
                agreement_pay(&env, &token, &pay_token)
            );
            let who = winner(&[
                (Winner::Page, &page),
                (Winner::Cancel, &cancelled),
                (Winner::Token, &by_token),
            ]);
            (id, amount, who)
        }));
    }
    // Hybrid (creates and pays at once) vs cancel vs page pay of the order it creates.
    for i in 0..HYBRIDS {
        let env = env.clone();
        let pay_token = pay_token.clone();
        races.push(tokio::spawn(async move {
            let id = format!("{TODAY}_hybrid_{i}");
            let amount = 20_000 + i as i64;
            let (by_token, cancelled, page) = tokio::join!(
                hybrid(&env, &id, amount, &pay_token),
                once_it_exists(|| cancel(&env, &id)),
                once_it_exists(|| env.pay(&id)),
            );
            let who = winner(&[
                (Winner::Token, &by_token),
                (Winner::Cancel, &cancelled),
                (Winner::Page, &page),
            ]);
            (id, amount, who)
        }));
    }
    let mut winners: HashMap<String, (i64, Winner)> = HashMap::new();
    for race in races {
        let (id, amount, who) = race.await.unwrap();
        winners.insert(id, (amount, who));
    }

    // Partial refunds racing on every paid order: together they would exceed the amount; the
    // first refund id is also sent twice at once.
    let orders = list(&env, "/emulator/orders").await;
    let mut refund_tasks = Vec::new();
    for order in orders.iter().filter(|o| o["state"] == "paid") {
        let zp = order["zp_trans_id"].as_i64().unwrap();
        let amount = order["amount"].as_i64().unwrap();
        let id = order["app_trans_id"].as_str().unwrap().to_owned();
        for r in 0..REFUNDERS {
            let env = env.clone();
            let m_refund_id = format!("{TODAY}_{APP}_{}_{r}", id.replace('_', ""));
            let copies = if r == 0 { 2 } else { 1 };
            for _ in 0..copies {
                let env = env.clone();
                let m_refund_id = m_refund_id.clone();
                refund_tasks.push(tokio::spawn(async move {
                    let answer = refund(&env, &m_refund_id, zp, amount * 2 / 5).await;
                    (m_refund_id, code(&answer))
                }));
            }
        }
    }
    let mut accepted: HashMap<String, usize> = HashMap::new();
    for task in refund_tasks {
        let (m_refund_id, codes) = task.await.unwrap();
        match codes {
            (1, 1) => *accepted.entry(m_refund_id).or_default() += 1,
            (2, -14) | (2, -23) => {}
            other => panic!("refund {m_refund_id}: unexpected {other:?}"),
        }
    }

    // Reconciliation.
    let orders = list(&env, "/emulator/orders").await;
    let refunds = list(&env, "/emulator/refunds").await;
    let bindings = list(&env, "/emulator/bindings").await;
    assert_eq!(orders.len(), ORDERS + HYBRIDS);
    let mut by_token = 0i64;
    let mut zp_ids = HashSet::new();
    let mut paid_ids = HashSet::new();
    for order in &orders {
        let id = order["app_trans_id"].as_str().unwrap();
        let (amount, who) = winners[id];
        assert_eq!(order["amount"], amount);
        let expected = if who == Winner::Cancel {
            "cancelled"
        } else {
            "paid"
        };
        assert_eq!(order["state"], expected, "{id}: won by {who:?}: {order}");
        if who == Winner::Token {
            by_token += amount;
        }
        if expected == "paid" {
            assert!(zp_ids.insert(order["zp_trans_id"].as_i64().unwrap()));
            paid_ids.insert(id.to_owned());
        } else {
            assert_eq!(order["zp_trans_id"], Value::Null);
            assert_eq!(order["refunded_amount"], 0);
        }
    }
    // No money created or lost: the wallet paid exactly the orders its token won.
    let balance = bindings[0]["balance"].as_i64().unwrap();
    assert_eq!(wallet_start - balance, by_token);

    // Refunds: each id once, only on paid orders, never above what was paid.
    let mut refund_ids = HashSet::new();
    let mut refunded: HashMap<i64, i64> = HashMap::new();
    for r in &refunds {
        assert!(refund_ids.insert(r["m_refund_id"].as_str().unwrap().to_owned()));
        let zp = r["zp_trans_id"].as_i64().unwrap();
        assert!(zp_ids.contains(&zp), "refund of an unpaid transaction: {r}");
        *refunded.entry(zp).or_default() += r["amount"].as_i64().unwrap();
    }
    assert_eq!(refunds.len(), accepted.len());
    assert!(accepted.values().all(|n| *n == 1), "{accepted:?}");
    for order in orders.iter().filter(|o| o["state"] == "paid") {
        let zp = order["zp_trans_id"].as_i64().unwrap();
        let amount = order["amount"].as_i64().unwrap();
        let total = refunded.get(&zp).copied().unwrap_or(0);
        assert_eq!(order["refunded_amount"], total);
        assert!(total <= amount);
        // 2 of the 4 refunds of 40% fit.
        assert_eq!(total, 2 * (amount * 2 / 5), "{order}");
    }

    // Duplicated callbacks: every paid order's callback arrived twice, and changed nothing.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut payments = 0;
    while payments < paid_ids.len() * 2 {
        let callback = merchant.next().await;
        if callback["type"] != 1 {
            continue; // the binding's own callback
        }
        payments += 1;
        let data: Value = serde_json::from_str(callback["data"].as_str().unwrap()).unwrap();
        *seen
            .entry(data["app_trans_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(seen.keys().cloned().collect::<HashSet<_>>(), paid_ids);
    assert!(seen.values().all(|n| *n == 2), "{seen:?}");
    for id in &paid_ids {
        let order = wait_for_order(&env, id, |o| o["callback"]["attempts"] == 2).await;
        assert_eq!(order["state"], "paid");
        assert_eq!(order["callback"]["history"][1]["cause"], "duplicate");
    }
}
