//! Every endpoint answers a correctly signed request with success, and a wrong MAC with -402.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{Value, json};
use zalopay_api::ids::AppTransId;
use zalopay_api::order::{CreateOrder, OrderStatus, QueryOrder};

#[tokio::test]
async fn sdk_create_and_query_against_the_emulator() {
    let env = start().await;
    let client = env.client();
    let order = CreateOrder::builder()
        .app_id(APP)
        .app_trans_id(AppTransId::try_from(format!("{TODAY}_sdk_1")).unwrap())
        .app_user("user123")
        .amount(50_000)
        .app_time(NOW)
        .description("Shop <b> - order #1")
        .build();
    let created = client.send(&order).await.unwrap();
    assert_eq!(created.codes.return_code, 1);
    let url = created.order_url.unwrap();
    assert!(
        url.starts_with(&format!("{}/pay?order=", env.base())),
        "{url}"
    );
    assert_eq!(created.order_token, created.zp_trans_token);
    assert!(created.qr_code.unwrap().starts_with("000201"));

    let status = client
        .send(
            &QueryOrder::builder()
                .app_id(APP)
                .app_trans_id(AppTransId::try_from(format!("{TODAY}_sdk_1")).unwrap())
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(status.codes.return_code, 3);
    assert_eq!(status.status(), OrderStatus::Processing);

    env.pay(&format!("{TODAY}_sdk_1")).await;
    let status = client
        .send(
            &QueryOrder::builder()
                .app_id(APP)
                .app_trans_id(AppTransId::try_from(format!("{TODAY}_sdk_1")).unwrap())
                .build(),
        )
        .await
        .unwrap();
    let OrderStatus::Paid {
        zp_trans_id,
        amount,
        discount_amount,
    } = status.status()
    else {
        panic!("not paid: {status:?}");
    };
    assert_eq!((amount, discount_amount), (50_000, Some(0)));
    assert!(!status.is_processing);
    let id = zp_trans_id.to_string();
    assert_eq!(id.len(), 15, "{id}");
    assert!(id.starts_with(TODAY), "{id}");
}

#[tokio::test]
async fn create_accepts_json_bodies_and_query_string_params() {
    let env = start().await;
    let id = format!("{TODAY}_json");
    let embed = r#"{"redirecturl":"https://example.com/result"}"#;
    let input = format!("{APP}|{id}|user123|50000|{NOW}|{embed}|[]");
    let body = json!({
        "app_id": APP, "app_trans_id": id, "app_user": "user123", "app_time": NOW,
        "amount": 50000, "item": "[]", "embed_data": embed, "description": "d",
        "mac": mac(KEY1, &input),
    });
    let created = env.json("/v2/create", &body).await;
    assert_eq!(code(&created), (1, 1), "{created}");

    // The official quick-starts send parameters in the query string with an empty body.
    let id2 = format!("{TODAY}_query_string");
    let params = create_params(&id2, 1000, "{}", &[]);
    let query = serde_urlencoded::to_string(&params).unwrap();
    let response: Value = env
        .http
        .post(format!("{}/v2/create?{query}", env.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(code(&response), (1, 1), "{response}");
}

#[tokio::test]
async fn create_refusals() {
    let env = start().await;
    let id = format!("{TODAY}_r");
    // Wrong MAC.
    let mut params = create_params(&id, 1000, "{}", &[]);
    params.retain(|(k, _)| k != "mac");
    params.push(("mac".into(), "0".repeat(64)));
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -402));
    // Amount tampered after signing.
    let mut params = create_params(&id, 1000, "{}", &[]);
    for (k, v) in &mut params {
        if k == "amount" {
            *v = "1".into();
        }
    }
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -402));
    // Unknown app.
    let mut params = create_params(&id, 1000, "{}", &[]);
    params[0].1 = "9999".into();
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -402));
    // Missing description, app_id not a number.
    let mut params = create_params(&id, 1000, "{}", &[]);
    params.retain(|(k, _)| k != "description");
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -401));
    let mut params = create_params(&id, 1000, "{}", &[]);
    params[0].1 = "abc".into();
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -401));
    // Yesterday's date prefix, bad lifetime, unsupported body.
    let params = create_params("240912_old", 1000, "{}", &[]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -401));
    let params = create_params(&id, 1000, "{}", &[("expire_duration_seconds", "10".into())]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -401));
    let xml: Value = env
        .http
        .post(format!("{}/v2/create", env.base()))
        .header("content-type", "application/xml")
        .body("<x/>")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(code(&xml), (2, -401));
    // Nothing was stored.
    assert!(env.orders().await.is_empty());
}

#[tokio::test]
async fn cancel_refund_query_refund_bank_list_quick_pay() {
    let env = start().await;
    let id = format!("{TODAY}_c");
    env.create(&id, 1000, &[]).await;
    let cancel = env
        .form(
            "/v2/cancel",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("mac", mac(KEY1, &format!("{APP}|{id}|{KEY1}"))),
            ],
        )
        .await;
    assert_eq!(code(&cancel), (1, 1), "{cancel}");
    assert_eq!(code(&env.query(&id).await), (2, -329));

    let id = format!("{TODAY}_p");
    env.create(&id, 50_000, &[]).await;
    let paid = env.pay(&id).await;
    let zp = paid["order"]["zp_trans_id"].as_i64().unwrap();
    let m_refund_id = format!("{TODAY}_{APP}_1");
    let refund = env
        .form(
            "/v2/refund",
            &[
                ("app_id", APP.to_string()),
                ("m_refund_id", m_refund_id.clone()),
                ("zp_trans_id", zp.to_string()),
                ("amount", "10000".into()),
                ("refund_fee_amount", "100".into()),
                ("timestamp", NOW.to_string()),
                ("description", "ZaloPay Refund Demo".into()),
                (
                    "mac",
                    mac(
                        KEY1,
                        &format!("{APP}|{zp}|10000|100|ZaloPay Refund Demo|{NOW}"),
                    ),
                ),
            ],
        )
        .await;
    assert_eq!(code(&refund), (1, 1), "{refund}");
    assert!(refund["refund_id"].as_i64().unwrap() > 0);
    let query_refund = env
        .json(
            "/v2/query_refund",
            &json!({
                "app_id": APP, "m_refund_id": m_refund_id, "timestamp": NOW,
                "mac": mac(KEY1, &format!("{APP}|{m_refund_id}|{NOW}")),
            }),
        )
        .await;
    assert_eq!(code(&query_refund), (1, 1), "{query_refund}");

    let banks = env
        .form(
            "/api/getlistmerchantbanks",
            &[
                ("appid", APP.to_string()),
                ("reqtime", NOW.to_string()),
                ("mac", mac(KEY1, &format!("{APP}|{NOW}"))),
            ],
        )
        .await;
    assert_eq!(banks["returncode"], 1, "{banks}");
    for pmcid in ["36", "37", "38", "39"] {
        assert!(!banks["banks"][pmcid].as_array().unwrap().is_empty());
    }
    assert_eq!(banks["banks"]["39"][0]["pmcid"], 39);

    let qp_id = format!("{TODAY}_qp");
    let input = format!("{APP}|{qp_id}|user123|20000|{NOW}|{{}}|[]|PAYMENTCODERAW123");
    let zalopay_key =
        zalopay_api::rsa::ZaloPayPublicKey::from_base64_der(zalopay_emulator::ZALOPAY_PUBLIC_KEY)
            .unwrap();
    let quick_pay = |payment_code: String| {
        vec![
            ("app_id", APP.to_string()),
            ("app_trans_id", qp_id.clone()),
            ("app_user", "user123".into()),
            ("app_time", NOW.to_string()),
            ("amount", "20000".into()),
            ("item", "[]".into()),
            ("embed_data", "{}".into()),
            ("payment_code", payment_code),
            ("mac", mac(KEY1, &input)),
        ]
    };
    // The raw code on the wire (what the emulator used to accept) does not decrypt: refused
    // before anything is paid.
    let plain = env
        .form("/v2/quick_pay", &quick_pay("PAYMENTCODERAW123".into()))
        .await;
    assert_eq!(code(&plain), (2, -401), "{plain}");
    assert_eq!(code(&env.query(&qp_id).await).0, 2, "no order was made");
    // Encrypted with another key: refused too.
    let other = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&[0xC5; 64]),
        rsa::BigUint::from(65_537u32),
    )
    .unwrap();
    let foreign = base64::engine::general_purpose::STANDARD.encode(
        other
            .encrypt(
                &mut rsa::rand_core::OsRng,
                rsa::Pkcs1v15Encrypt,
                b"PAYMENTCODERAW123",
            )
            .unwrap(),
    );
    let wrong_key = env.form("/v2/quick_pay", &quick_pay(foreign)).await;
    assert_eq!(code(&wrong_key), (2, -401), "{wrong_key}");
    // Encrypted with ZaloPay's (the emulator's) public key: the MAC over the raw code holds.
    let encrypted = zalopay_key
        .encrypt_payment_code("PAYMENTCODERAW123")
        .unwrap();
    let quick = env.form("/v2/quick_pay", &quick_pay(encrypted)).await;
    assert_eq!(code(&quick), (1, 1), "{quick}");
    assert!(quick["zp_trans_id"].as_i64().is_some());
    assert_eq!(code(&env.query(&qp_id).await), (1, 1));
}

fn now_params(extra: &[(&str, String)]) -> Vec<(String, String)> {
    extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[tokio::test]
async fn agreement_flow_every_endpoint() {
    let env = start().await;
    let app = APP.to_string();
    let id = format!("{TODAY}_bind1");
    let bind = env
        .form(
            "/v2/agreement/bind",
            &now_params(&[
                ("app_id", app.clone()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("identifier", "ZLP User".into()),
                ("max_amount", "0".into()),
                ("binding_type", "WALLET".into()),
                ("binding_data", "{}".into()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|{id}|{{}}|WALLET|ZLP User|0|{NOW}")),
                ),
            ]),
        )
        .await;
    assert_eq!(code(&bind), (1, 1), "{bind}");
    let token = bind["binding_token"].as_str().unwrap().to_owned();
    assert!(bind["deep_link"].as_str().unwrap().contains(&token));
    assert!(
        bind["binding_qr_link"]
            .as_str()
            .unwrap()
            .starts_with(&env.base())
    );

    let query_params = now_params(&[
        ("app_id", app.clone()),
        ("app_trans_id", id.clone()),
        ("req_date", NOW.to_string()),
        ("mac", mac(KEY1, &format!("{APP}|{id}|{NOW}"))),
    ]);
    let pending = env.form("/v2/agreement/query", &query_params).await;
    assert_eq!(code(&pending), (3, 3), "{pending}");

    let confirmed = env
        .json(&format!("/emulator/bindings/{token}/confirm"), &json!({}))
        .await;
    assert_eq!(code(&confirmed), (1, 1), "{confirmed}");
    let query = env.form("/v2/agreement/query", &query_params).await;
    assert_eq!(code(&query), (1, 1), "{query}");
    assert_eq!(query["data"]["status"], 1);
    let pay_token = query["data"]["pay_token"].as_str().unwrap().to_owned();
    let binding_id = query["data"]["binding_id"].as_str().unwrap().to_owned();

    let balance = env
        .form(
            "/v2/agreement/balance",
            &now_params(&[
                ("app_id", app.clone()),
                ("identifier", "ZLP User".into()),
                ("pay_token", pay_token.clone()),
                ("amount", "50000".into()),
                ("req_date", NOW.to_string()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|{pay_token}|ZLP User|50000|{NOW}")),
                ),
            ]),
        )
        .await;
    assert_eq!(code(&balance), (1, 1), "{balance}");
    assert_eq!(balance["data"][0]["payable"], true);

    let order_id = format!("{TODAY}_agr_order");
    let created = env.create(&order_id, 50_000, &[]).await;
    let zp_trans_token = created["zp_trans_token"].as_str().unwrap().to_owned();
    let pay = env
        .form(
            "/v2/agreement/pay",
            &now_params(&[
                ("app_id", app.clone()),
                ("identifier", "ZLP User".into()),
                ("zp_trans_token", zp_trans_token.clone()),
                ("pay_token", pay_token.clone()),
                ("req_date", NOW.to_string()),
                (
                    "mac",
                    mac(
                        KEY1,
                        &format!("{APP}|ZLP User|{zp_trans_token}|{pay_token}|{NOW}"),
                    ),
                ),
            ]),
        )
        .await;
    assert_eq!(code(&pay), (1, 1), "{pay}");
    assert_eq!(pay["app_trans_id"], order_id.as_str());
    let queried = env.query(&order_id).await;
    assert_eq!(code(&queried), (1, 1));
    assert_eq!(queried["zp_trans_id"], pay["zp_trans_id"]);

    let user = env
        .form(
            "/v2/agreement/query_user",
            &now_params(&[
                ("app_id", app.clone()),
                ("access_token", pay_token.clone()),
                ("req_date", NOW.to_string()),
                ("mac", mac(KEY1, &format!("{APP}|{pay_token}|{NOW}"))),
            ]),
        )
        .await;
    assert_eq!(code(&user), (1, 1), "{user}");
    assert!(user["phone"].as_str().unwrap().starts_with("****"));

    let unbind = env
        .form(
            "/v2/agreement/unbind",
            &now_params(&[
                ("app_id", app.clone()),
                ("identifier", "ZLP User".into()),
                ("binding_id", binding_id.clone()),
                ("req_date", NOW.to_string()),
                (
                    "mac",
                    mac(KEY1, &format!("{APP}|ZLP User|{binding_id}|{NOW}")),
                ),
            ]),
        )
        .await;
    assert_eq!(code(&unbind), (1, 1), "{unbind}");
    let query = env.form("/v2/agreement/query", &query_params).await;
    assert_eq!(query["data"]["status"], 4);
}

#[tokio::test]
async fn tokenization_bind_and_query() {
    let env = start().await;
    let id = format!("{TODAY}_tok");
    let data = r#"{"redirect_url":"https://example.com/r"}"#;
    let input = format!("{APP}|{id}|user1|BIND|WALLET|DESKTOP|{data}||{NOW}");
    let bind = env
        .json(
            "/v2/tokenization/bind",
            &json!({
                "app_id": APP, "app_trans_id": id, "req_date": NOW, "identifier": "user1",
                "binding_type": "WALLET", "binding_mode": "BIND", "device_type": "DESKTOP",
                "binding_data": data, "mac": mac(KEY1, &input),
            }),
        )
        .await;
    assert_eq!(code(&bind), (1, 1), "{bind}");
    let query = env
        .form(
            "/v2/tokenization/query",
            &now_params(&[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("mac", mac(KEY1, &format!("{APP}|{id}|{NOW}"))),
            ]),
        )
        .await;
    assert_eq!(code(&query), (3, 3), "{query}");
    assert_eq!(query["binding_token"], bind["binding_token"]);
    let token = bind["binding_token"].as_str().unwrap();
    env.json(&format!("/emulator/bindings/{token}/confirm"), &json!({}))
        .await;
    let query = env
        .form(
            "/v2/tokenization/query",
            &now_params(&[
                ("app_id", APP.to_string()),
                ("app_trans_id", id.clone()),
                ("req_date", NOW.to_string()),
                ("mac", mac(KEY1, &format!("{APP}|{id}|{NOW}"))),
            ]),
        )
        .await;
    assert_eq!(code(&query), (1, 1), "{query}");
    assert_eq!(query["status"], 1);
}

#[tokio::test]
async fn disbursement_every_endpoint() {
    let env = start().await;
    let balance = env
        .json(
            "/v2/disbursement/balance",
            &json!({ "app_id": APP, "payment_id": "CASHIN", "time": NOW,
                     "mac": mac(KEY1, &format!("{APP}|CASHIN|{NOW}")) }),
        )
        .await;
    assert_eq!(code(&balance), (1, 1), "{balance}");
    let start_balance = balance["data"]["balance"].as_i64().unwrap();

    let user = env
        .json(
            "/v2/disbursement/user",
            &json!({ "app_id": APP, "phone": "0904123456", "time": NOW,
                     "mac": mac(KEY1, &format!("{APP}|0904123456|{NOW}")) }),
        )
        .await;
    assert_eq!(code(&user), (1, 1), "{user}");
    let m_u_id = user["data"]["m_u_id"].as_str().unwrap().to_owned();

    let input = format!("{APP}|CASHIN|order1|{m_u_id}|1000|Topup|{{}}|{{}}|{NOW}");
    let topup_body = json!({
        "app_id": APP, "payment_id": "CASHIN", "partner_order_id": "order1", "m_u_id": m_u_id,
        "amount": 1000, "description": "Topup", "partner_embed_data": "{}", "extra_info": "{}",
        "time": NOW, "sig": mac(KEY1, &input),
    });
    let topup = env.json("/v2/disbursement/topup", &topup_body).await;
    assert_eq!(code(&topup), (1, 1), "{topup}");
    assert_eq!(topup["data"]["status"], 1);
    assert_eq!(
        code(&env.json("/v2/disbursement/topup", &topup_body).await),
        (2, -68)
    );

    let txn = env
        .json(
            "/v2/disbursement/txn",
            &json!({ "app_id": APP, "partner_order_id": "order1", "time": NOW,
                     "mac": mac(KEY1, &format!("{APP}|order1|{NOW}")) }),
        )
        .await;
    assert_eq!(code(&txn), (1, 1), "{txn}");
    assert_eq!(txn["data"]["amount"], 1000);
    assert!(txn["data"]["zp_trans_id"].is_string());

    let balance = env
        .json(
            "/v2/disbursement/balance",
            &json!({ "app_id": APP, "payment_id": "CASHIN", "time": NOW,
                     "mac": mac(KEY1, &format!("{APP}|CASHIN|{NOW}")) }),
        )
        .await;
    assert_eq!(
        balance["data"]["balance"].as_i64().unwrap(),
        start_balance - 1000
    );
}

#[tokio::test]
async fn zod_create_invoice_status() {
    let env = start().await;
    let create = env
        .json(
            "/v2/zod",
            &json!({
                "appId": APP.to_string(), "mcRefId": "ORDER_001", "amount": 430000,
                "receiver": { "contact": "0904123456" },
                "orderInfo": [{ "trackingNumber": "T1", "description": "d", "amount": 430000 }],
                "mcExtInfo": "{}",
                "mac": mac(KEY1, &format!("{APP}|ORDER_001|430000|{{}}")),
            }),
        )
        .await;
    assert_eq!(code(&create), (1, 1), "{create}");
    assert!(create["orderUrl"].as_str().unwrap().contains("/pay?order="));
    let q = [
        ("appId", APP.to_string()),
        ("mcRefId", "ORDER_001".to_owned()),
        ("mac", mac(KEY1, &format!("{APP}|ORDER_001"))),
    ];
    let invoice = env.get("/v2/zod/invoice", &q).await;
    assert_eq!(invoice["orderUrl"], create["orderUrl"]);
    let status = env.get("/v2/zod/status", &q).await;
    assert_eq!(status["status"], 3);
    assert_eq!(status["amount"], "430000");
    env.pay("ORDER_001").await;
    // The sample's snake_case names work too.
    let snake = [
        ("app_id", APP.to_string()),
        ("mc_ref_id", "ORDER_001".to_owned()),
        ("mac", mac(KEY1, &format!("{APP}|ORDER_001"))),
    ];
    let status = env.get("/v2/zod/status", &snake).await;
    assert_eq!(status["status"], 1, "{status}");
    assert_ne!(status["zpTransId"], "0");
}

/// Every API endpoint, with all its required parameters present but a wrong MAC: -402.
#[tokio::test]
async fn wrong_mac_is_402_everywhere() {
    let env = start().await;
    let bad = "ab".repeat(32);
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "/v2/create",
            "app_id",
            "mac",
            &[
                "app_user",
                "app_trans_id",
                "app_time",
                "amount",
                "item",
                "embed_data",
                "description",
            ],
        ),
        ("/v2/query", "app_id", "mac", &["app_trans_id"]),
        ("/v2/cancel", "app_id", "mac", &["app_trans_id"]),
        (
            "/v2/refund",
            "app_id",
            "mac",
            &[
                "m_refund_id",
                "zp_trans_id",
                "amount",
                "description",
                "timestamp",
            ],
        ),
        (
            "/v2/query_refund",
            "app_id",
            "mac",
            &["m_refund_id", "timestamp"],
        ),
        (
            "/v2/quick_pay",
            "app_id",
            "mac",
            &[
                "app_user",
                "app_trans_id",
                "app_time",
                "amount",
                "item",
                "embed_data",
                "payment_code",
            ],
        ),
        (
            "/v2/agreement/bind",
            "app_id",
            "mac",
            &["app_trans_id", "req_date", "identifier"],
        ),
        (
            "/v2/agreement/query",
            "app_id",
            "mac",
            &["app_trans_id", "req_date"],
        ),
        (
            "/v2/agreement/unbind",
            "app_id",
            "mac",
            &["identifier", "binding_id", "req_date"],
        ),
        (
            "/v2/agreement/balance",
            "app_id",
            "mac",
            &["identifier", "pay_token", "amount", "req_date"],
        ),
        (
            "/v2/agreement/pay",
            "app_id",
            "mac",
            &["identifier", "zp_trans_token", "pay_token", "req_date"],
        ),
        (
            "/v2/agreement/query_user",
            "app_id",
            "mac",
            &["access_token", "req_date"],
        ),
        (
            "/v2/agreement/hybrid",
            "app_id",
            "mac",
            &[
                "app_user",
                "app_trans_id",
                "app_time",
                "amount",
                "item",
                "embed_data",
                "description",
                "identifier",
                "pay_token",
            ],
        ),
        (
            "/v2/tokenization/bind",
            "app_id",
            "mac",
            &[
                "app_trans_id",
                "req_date",
                "identifier",
                "binding_type",
                "binding_mode",
                "device_type",
                "binding_data",
            ],
        ),
        (
            "/v2/tokenization/query",
            "app_id",
            "mac",
            &["app_trans_id", "req_date"],
        ),
        (
            "/v2/disbursement/balance",
            "app_id",
            "mac",
            &["payment_id", "time"],
        ),
        ("/v2/disbursement/user", "app_id", "mac", &["phone", "time"]),
        (
            "/v2/disbursement/topup",
            "app_id",
            "sig",
            &[
                "payment_id",
                "partner_order_id",
                "m_u_id",
                "amount",
                "description",
                "partner_embed_data",
                "extra_info",
                "time",
            ],
        ),
        (
            "/v2/disbursement/txn",
            "app_id",
            "mac",
            &["partner_order_id", "time"],
        ),
        (
            "/v2/zod",
            "appId",
            "mac",
            &["mcRefId", "amount", "receiver", "orderInfo", "mcExtInfo"],
        ),
    ];
    for (path, app_field, sig, fields) in cases {
        let mut params: Vec<(String, String)> = fields
            .iter()
            .map(|f| ((*f).to_owned(), "1".to_owned()))
            .collect();
        params.push(((*app_field).to_owned(), APP.to_string()));
        params.push(((*sig).to_owned(), bad.clone()));
        if *path == "/v2/quick_pay" {
            // The MAC covers the decrypted code: a code that does not decrypt is refused
            // (-401) before there is a MAC to compare, so this one decrypts.
            let key = zalopay_api::rsa::ZaloPayPublicKey::from_base64_der(
                zalopay_emulator::ZALOPAY_PUBLIC_KEY,
            )
            .unwrap();
            for (name, value) in &mut params {
                if name == "payment_code" {
                    *value = key.encrypt_payment_code("1").unwrap();
                }
            }
        }
        let form = env.form(path, &params).await;
        assert_eq!(code(&form), (2, -402), "{path} (form): {form}");
        let object: serde_json::Map<String, Value> = params
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let as_json = env.json(path, &Value::Object(object)).await;
        assert_eq!(code(&as_json), (2, -402), "{path} (json): {as_json}");
    }
    for path in ["/v2/zod/invoice", "/v2/zod/status"] {
        let body = env
            .get(
                path,
                &[
                    ("appId", APP.to_string()),
                    ("mcRefId", "X".into()),
                    ("mac", bad.clone()),
                ],
            )
            .await;
        assert_eq!(code(&body), (2, -402), "{path}: {body}");
    }
    let banks = env
        .form(
            "/api/getlistmerchantbanks",
            &[
                ("appid", APP.to_string()),
                ("reqtime", NOW.to_string()),
                ("mac", bad.clone()),
            ],
        )
        .await;
    assert_eq!(
        (
            banks["returncode"].as_i64(),
            banks["subreturncode"].as_i64()
        ),
        (Some(2), Some(-402))
    );
    // Missing MAC: -401, never a success.
    let body = env
        .form(
            "/v2/query",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", "x".to_owned()),
            ],
        )
        .await;
    assert_eq!(code(&body), (2, -401));
}
