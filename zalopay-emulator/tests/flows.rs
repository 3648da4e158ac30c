//! Stateful flows: callbacks and retries, expiry, refunds, duplicates, the HTML wallet page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn paying_sends_a_callback_signed_with_key2() {
    let mut merchant = Merchant::ok().await;
    let env = start().await;
    let id = format!("{TODAY}_cb");
    let embed = r#"{"merchantinfo":"embeddata123"}"#;
    let params = create_params(&id, 10_000, embed, &[("callback_url", merchant.url())]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (1, 1));
    let paid = env.pay(&id).await;
    assert_eq!(code(&paid), (1, 1), "{paid}");

    let callback = merchant.next().await;
    assert_eq!(callback["type"], 1);
    let data = callback["data"].as_str().unwrap();
    assert!(verify(KEY2, data, callback["mac"].as_str().unwrap()));
    assert!(!verify(KEY1, data, callback["mac"].as_str().unwrap()));
    // Exactly the fields captured callbacks carry, in their order (specs/traffic c01).
    let keys: Vec<&str> = data
        .trim_matches(|c| c == '{' || c == '}')
        .split(",\"")
        .map(|kv| kv.trim_start_matches('"').split('"').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "app_id",
            "app_trans_id",
            "app_time",
            "app_user",
            "amount",
            "embed_data",
            "item",
            "zp_trans_id",
            "server_time",
            "channel",
            "merchant_user_id",
            "zp_user_id",
            "user_fee_amount",
            "discount_amount"
        ]
    );
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["app_id"], APP);
    assert_eq!(data["app_trans_id"], id.as_str());
    assert_eq!(data["amount"], 10_000);
    assert_eq!(data["embed_data"], embed);
    assert_eq!(data["item"], "[]");
    assert_eq!(data["channel"], 38);
    assert_eq!(data["server_time"], NOW);
    assert_eq!(data["zp_trans_id"], paid["order"]["zp_trans_id"]);
    let order = wait_for_order(&env, &id, |o| o["callback"]["delivered"] == true).await;
    assert_eq!(order["callback"]["attempts"], 1);
}

#[tokio::test]
async fn the_apps_registered_callback_url_is_the_fallback() {
    let mut merchant = Merchant::ok().await;
    let env = start_with_callback(&merchant.url()).await;
    let id = format!("{TODAY}_registered");
    env.create(&id, 1000, &[]).await;
    env.pay(&id).await;
    let callback = merchant.next().await;
    assert!(verify(
        KEY2,
        callback["data"].as_str().unwrap(),
        callback["mac"].as_str().unwrap()
    ));
}

#[tokio::test]
async fn callback_is_retried_until_the_merchant_answers_1() {
    let mut merchant = Merchant::start(vec![
        (StatusCode::OK, 0),
        (StatusCode::INTERNAL_SERVER_ERROR, 1),
        (StatusCode::OK, 1),
    ])
    .await;
    let env = start_with_callback(&merchant.url()).await;
    let id = format!("{TODAY}_retry");
    env.create(&id, 1000, &[]).await;
    env.pay(&id).await;
    let first = merchant.next().await;
    let second = merchant.next().await;
    let third = merchant.next().await;
    assert_eq!(first, second);
    assert_eq!(second, third);
    let order = wait_for_order(&env, &id, |o| o["callback"]["delivered"] == true).await;
    assert_eq!(order["callback"]["attempts"], 3);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(merchant.hits.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn callback_gives_up_after_the_configured_retries() {
    let merchant = Merchant::start(vec![(StatusCode::OK, -1)]).await;
    let env = start_with_callback(&merchant.url()).await;
    let id = format!("{TODAY}_giveup");
    env.create(&id, 1000, &[]).await;
    env.pay(&id).await;
    let order = wait_for_order(&env, &id, |o| o["callback"]["attempts"] == 4).await;
    assert_eq!(order["callback"]["delivered"], false);
    assert!(order["callback"]["last_error"].as_str().is_some());
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(merchant.hits.load(std::sync::atomic::Ordering::SeqCst), 4);
    // The order stays paid whatever the merchant says.
    assert_eq!(code(&env.query(&id).await), (1, 1));
}

#[tokio::test]
async fn orders_expire_by_the_injected_clock() {
    let env = start().await;
    let default_id = format!("{TODAY}_exp_default");
    let short_id = format!("{TODAY}_exp_short");
    env.create(&default_id, 1000, &[]).await;
    env.create(
        &short_id,
        1000,
        &[("expire_duration_seconds", "300".into())],
    )
    .await;

    env.clock.advance(Duration::from_secs(299));
    assert_eq!(code(&env.query(&short_id).await), (3, 3));
    env.clock.advance(Duration::from_secs(1));
    let expired = env.query(&short_id).await;
    assert_eq!(code(&expired), (2, -54), "{expired}");
    assert_eq!(code(&env.pay(&short_id).await), (2, -54));
    assert_eq!(code(&env.query(&default_id).await), (3, 3));

    env.clock.advance(Duration::from_secs(15 * 60 - 300 - 1));
    assert_eq!(code(&env.query(&default_id).await), (3, 3));
    env.clock.advance(Duration::from_millis(1000));
    assert_eq!(code(&env.query(&default_id).await), (2, -54));
    let orders = env.orders().await;
    assert!(orders.iter().all(|o| o["state"] == "expired"), "{orders:?}");
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

#[tokio::test]
async fn partial_refunds_are_summed_and_ids_are_unique() {
    let env = start().await;
    let id = format!("{TODAY}_refund");
    env.create(&id, 50_000, &[]).await;
    let zp = env.pay(&id).await["order"]["zp_trans_id"].as_i64().unwrap();

    let r1 = format!("{TODAY}_{APP}_1");
    let r2 = format!("{TODAY}_{APP}_2");
    assert_eq!(code(&refund(&env, &r1, zp, 20_000).await), (1, 1));
    assert_eq!(code(&refund(&env, &r1, zp, 1_000).await), (2, -23));
    assert_eq!(code(&refund(&env, &r2, zp, 30_001).await), (2, -14));
    assert_eq!(code(&refund(&env, &r2, zp, 30_000).await), (1, 1));
    let r3 = format!("{TODAY}_{APP}_3");
    assert_eq!(code(&refund(&env, &r3, zp, 1).await), (2, -14));
    assert_eq!(code(&refund(&env, &r3, zp, 0).await), (2, -14));
    // Wrong format / date / app in m_refund_id; unknown transaction; stale timestamp.
    assert_eq!(code(&refund(&env, "nope", zp, 1).await).1, -24);
    assert_eq!(
        code(&refund(&env, &format!("240912_{APP}_9"), zp, 1).await).1,
        -25
    );
    assert_eq!(
        code(&refund(&env, &format!("{TODAY}_2554_9"), zp, 1).await).1,
        -26
    );
    assert_eq!(code(&refund(&env, &r3, 123, 1).await), (2, -101));
    env.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(code(&refund(&env, &r3, zp, 1).await), (2, -13));

    let refunds: Value = env
        .http
        .get(format!("{}/emulator/refunds", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refunds = refunds.as_array().unwrap();
    assert_eq!(refunds.len(), 2);
    let total: i64 = refunds.iter().map(|r| r["amount"].as_i64().unwrap()).sum();
    assert_eq!(total, 50_000);
    let order = &env.orders().await[0];
    assert_eq!(order["refunded_amount"], 50_000);

    // query_refund: known id succeeds, unknown is -101.
    let ts = env.running.state().now_ms();
    for (m_refund_id, expected) in [(r2.as_str(), (1, 1)), ("240913_2553_x", (2, -101))] {
        let body = env
            .form(
                "/v2/query_refund",
                &[
                    ("app_id", APP.to_string()),
                    ("m_refund_id", m_refund_id.to_owned()),
                    ("timestamp", ts.to_string()),
                    ("mac", mac(KEY1, &format!("{APP}|{m_refund_id}|{ts}"))),
                ],
            )
            .await;
        assert_eq!(code(&body), expected, "{body}");
    }
}

#[tokio::test]
async fn unpaid_orders_cannot_be_refunded_and_ids_cannot_repeat() {
    let env = start().await;
    let id = format!("{TODAY}_dup");
    assert_eq!(code(&env.create(&id, 1000, &[]).await), (1, 1));
    assert_eq!(code(&env.create(&id, 1000, &[]).await), (2, -68));
    assert_eq!(code(&env.create(&id, 2000, &[]).await), (2, -68));
    // The same id under another app is another order.
    let input = format!("2554|{id}|u|1000|{NOW}|{{}}|[]");
    let other = env
        .form(
            "/v2/create",
            &[
                ("app_id", "2554".to_owned()),
                ("app_trans_id", id.clone()),
                ("app_user", "u".into()),
                ("app_time", NOW.to_string()),
                ("amount", "1000".into()),
                ("item", "[]".into()),
                ("embed_data", "{}".into()),
                ("description", "d".into()),
                ("mac", mac("sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn", &input)),
            ],
        )
        .await;
    assert_eq!(code(&other), (1, 1), "{other}");
    // Two apps share the id now: the JSON hook needs ?app_id=.
    assert_eq!(code(&env.pay(&id).await), (2, -401));
    let paid = env
        .json(
            &format!("/emulator/orders/{id}/pay?app_id=2553"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&paid), (1, 1));
    // Paying twice, cancelling a paid order: refused.
    let again = env
        .json(
            &format!("/emulator/orders/{id}/pay?app_id=2553"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&again).0, 2);
    let cancel = env
        .json(
            &format!("/emulator/orders/{id}/cancel?app_id=2553"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&cancel).0, 2);
    // A cancelled order cannot be paid.
    let cancel = env
        .json(
            &format!("/emulator/orders/{id}/cancel?app_id=2554"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&cancel), (1, 1));
    let pay = env
        .json(
            &format!("/emulator/orders/{id}/pay?app_id=2554"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&pay), (2, -329));
}

#[tokio::test]
async fn the_pay_page_renders_and_its_forms_work() {
    let mut merchant = Merchant::ok().await;
    let env = start_with_callback(&merchant.url()).await;
    let id = format!("{TODAY}_html");
    let embed = r#"{"redirecturl":"https://shop.example/result?x=1"}"#;
    let params = create_params(&id, 50_000, embed, &[]);
    let created = env.form("/v2/create", &params).await;
    let order_url = created["order_url"].as_str().unwrap();

    let html = env
        .http
        .get(order_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("50000 VND"), "{html}");
    assert!(html.contains("Shop - Payment for the order"));
    assert!(html.contains(&id));
    assert!(html.contains("action=\"/pay/confirm\""));
    assert!(html.contains("action=\"/pay/cancel\""));

    // Submit the Pay form as a browser would.
    let encoded = order_url.split("order=").nth(1).unwrap();
    let order_param: String =
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("order={encoded}"))
            .unwrap()
            .remove(0)
            .1;
    let response = env
        .http
        .post(format!("{}/pay/confirm", env.base()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("order", &order_param)]).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://shop.example/result?x=1&"),
        "{location}"
    );
    let query: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
    assert_eq!(query["status"], "1");
    assert_eq!(query["amount"], "50000");
    assert_eq!(query["pmcid"], "38");
    assert_eq!(query["apptransid"], id);
    let input = format!(
        "{}|{}|{}|{}|{}|{}|{}",
        query["appid"],
        query["apptransid"],
        query["pmcid"],
        query["bankcode"],
        query["amount"],
        query["discountamount"],
        query["status"]
    );
    assert!(verify(KEY2, &input, &query["checksum"]));
    assert_eq!(code(&env.query(&id).await), (1, 1));
    let callback = merchant.next().await;
    assert!(verify(
        KEY2,
        callback["data"].as_str().unwrap(),
        callback["mac"].as_str().unwrap()
    ));

    // Cancel form on a second order (no redirect URL: a page is shown).
    let id2 = format!("{TODAY}_html2");
    let created = env.create(&id2, 1000, &[]).await;
    let encoded = created["order_url"]
        .as_str()
        .unwrap()
        .split("order=")
        .nth(1)
        .unwrap()
        .to_owned();
    let body = format!("order={encoded}");
    let response = env
        .http
        .post(format!("{}/pay/cancel", env.base()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("cancelled"));
    assert_eq!(code(&env.query(&id2).await), (2, -329));

    // Garbage `order` parameters get an error page, not a crash.
    for bad in ["", "!!!", "e30", "eyJ6cHRyYW5zdG9rZW4iOiJ4IiwiYXBwaWQiOjF9"] {
        let response = env
            .http
            .get(format!("{}/pay?order={bad}", env.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT, "{bad}");
    }
}

#[tokio::test]
async fn binding_page_confirms_and_sends_a_type_2_callback() {
    let mut merchant = Merchant::ok().await;
    let env = start().await;
    let id = format!("{TODAY}_bindpage");
    let bind = env
        .form(
            "/v2/agreement/bind",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("identifier", "u1".into()),
                ("callback_url", merchant.url()),
                ("mac", mac(KEY1, &format!("{APP}|{id}|||u1||{NOW}"))),
            ],
        )
        .await;
    assert_eq!(code(&bind), (1, 1), "{bind}");
    let link = bind["binding_qr_link"].as_str().unwrap();
    let html = env
        .http
        .get(link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/agreement/confirm\""), "{html}");
    let token = bind["binding_token"].as_str().unwrap();
    let response = env
        .http
        .post(format!("{}/agreement/confirm", env.base()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("b", token)]).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let callback = merchant.next().await;
    assert_eq!(callback["type"], 2);
    let data = callback["data"].as_str().unwrap();
    assert!(verify(KEY2, data, callback["mac"].as_str().unwrap()));
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["status"], 1);
    assert!(data["pay_token"].as_str().is_some());
    // Answering twice is refused.
    let again = env
        .json(&format!("/emulator/bindings/{token}/cancel"), &json!({}))
        .await;
    assert_eq!(code(&again).0, 2);
}
