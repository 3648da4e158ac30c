//! `--data-dir`: the emulator's state survives a restart.
#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use zalopay_emulator::{Emulator, EmulatorState, ManualClock};

/// A fresh directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "zalopay-emulator-{name}-{}-{nanos}",
            std::process::id()
        ));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn open(dir: &TempDir) -> Env {
    let clock = ManualClock::new(NOW);
    let state = EmulatorState::open(fast_config(), Arc::new(clock.clone()), &dir.0).unwrap();
    let running = Emulator::spawn(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Env {
        running,
        clock,
        http: reqwest::Client::new(),
    }
}

async fn refund(env: &Env, m_refund_id: &str, zp: i64, amount: i64) -> Value {
    let ts = env.running.state().now_ms();
    env.form(
        "/v2/refund",
        &[
            ("app_id", APP.to_string()),
            ("m_refund_id", m_refund_id.to_owned()),
            ("zp_trans_id", zp.to_string()),
            ("amount", amount.to_string()),
            ("timestamp", ts.to_string()),
            ("description", "r".into()),
            ("mac", mac(KEY1, &format!("{APP}|{zp}|{amount}|r|{ts}"))),
        ],
    )
    .await
}

async fn bind_and_confirm(env: &Env) -> String {
    let id = format!("{TODAY}_persist_bind");
    let bind = env
        .form(
            "/v2/agreement/bind",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("identifier", "u".into()),
                ("max_amount", "0".into()),
                ("binding_type", "WALLET".into()),
                ("binding_data", "{}".into()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|{id}|{{}}|WALLET|u|0|{NOW}")),
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

#[tokio::test]
async fn a_restart_on_the_same_data_dir_loses_nothing() {
    let dir = TempDir::new("restart");
    let env = open(&dir).await;
    let unpaid = format!("{TODAY}_persist_unpaid");
    let paid = format!("{TODAY}_persist_paid");
    let for_token = format!("{TODAY}_persist_token");
    env.create(&unpaid, 1000, &[]).await;
    env.create(&paid, 9000, &[]).await;
    let created = env.create(&for_token, 500, &[]).await;
    let zp_trans_token = created["zp_trans_token"].as_str().unwrap().to_owned();
    let zp = env.pay(&paid).await["order"]["zp_trans_id"]
        .as_i64()
        .unwrap();
    let r1 = format!("{TODAY}_{APP}_p1");
    assert_eq!(code(&refund(&env, &r1, zp, 4000).await), (1, 1));
    let pay_token = bind_and_confirm(&env).await;
    let advanced = env
        .http
        .post(format!("{}/emulator/clock/advance?seconds=60", env.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let state = env.running.state();
    let (orders, refunds, bindings, now) = (
        state.orders(),
        state.refunds(),
        state.bindings(),
        state.now_ms(),
    );
    assert_eq!(now, NOW + 60_000);
    env.running.shutdown().await.unwrap();

    // Same directory, new process state: everything is back, the clock's offset included.
    let env = open(&dir).await;
    let state = env.running.state();
    assert_eq!(state.orders(), orders);
    assert_eq!(state.refunds(), refunds);
    assert_eq!(state.bindings(), bindings);
    assert_eq!(state.now_ms(), now);
    // The indexes work again: the unpaid order can be paid, the paid one refunded further,
    // the binding's pay token spends, and new ids do not repeat old ones.
    let paid_later = env.pay(&unpaid).await;
    assert_eq!(code(&paid_later), (1, 1), "{paid_later}");
    assert_ne!(paid_later["order"]["zp_trans_id"], zp);
    let r2 = format!("{TODAY}_{APP}_p2");
    assert_eq!(code(&refund(&env, &r2, zp, 5000).await), (1, 1));
    assert_eq!(code(&refund(&env, &r1, zp, 1).await), (2, -23));
    let ts = state.now_ms();
    let by_token = env
        .form(
            "/v2/agreement/pay",
            &[
                ("app_id", APP.to_string()),
                ("identifier", "u".into()),
                ("zp_trans_token", zp_trans_token.clone()),
                ("pay_token", pay_token.clone()),
                ("req_date", ts.to_string()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|u|{zp_trans_token}|{pay_token}|{ts}")),
                ),
            ],
        )
        .await;
    assert_eq!(code(&by_token), (1, 1), "{by_token}");
    let order = state
        .orders()
        .into_iter()
        .find(|o| o.app_trans_id == paid)
        .unwrap();
    assert_eq!(order.refunded_amount, 9000);
    env.running.shutdown().await.unwrap();

    // And once more: the changes made after the first restart are kept too.
    let env = open(&dir).await;
    let state = env.running.state();
    assert_eq!(state.refunds().len(), 2);
    assert!(
        state
            .orders()
            .iter()
            .all(|o| o.state == zalopay_emulator::OrderState::Paid)
    );
    assert_eq!(
        state.bindings()[0].balance,
        state.config().wallet_balance - 500
    );
    env.clock.advance(Duration::from_secs(1));
    assert_eq!(state.now_ms(), NOW + 61_000);
}

#[test]
fn a_file_that_is_not_an_emulator_database_is_refused() {
    let dir = TempDir::new("corrupt");
    std::fs::create_dir_all(&dir.0).unwrap();
    std::fs::write(
        dir.0.join(zalopay_emulator::DATABASE_FILE),
        b"not a database at all, just text that is long enough to look like a header..",
    )
    .unwrap();
    let opened = EmulatorState::open(fast_config(), Arc::new(ManualClock::new(NOW)), &dir.0);
    let error = opened.unwrap_err();
    assert!(error.to_string().contains("SQLite"), "{error}");
}
