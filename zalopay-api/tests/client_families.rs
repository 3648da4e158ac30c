//! One test per API family against a local server on 127.0.0.1: the server checks method,
//! path and content type, recomputes the MAC from the *received* parameters with its own field
//! list (HMAC-SHA256 with key1, written here independently of the library), and answers with
//! a canned response.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use common::*;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zalopay_api::{Client, Environment, Keys};

/// What the server expects on one path, and what it answers.
struct Route {
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    /// MAC input in the documented order: wire names, `name?` (left out when absent), `@key`,
    /// `=literal` (a value that is signed but not sent).
    mac_fields: &'static [&'static str],
    /// `mac`, or `sig` (RSA over the hex HMAC).
    sig_param: &'static str,
    response: &'static str,
}

struct Server {
    key1: &'static str,
    routes: Vec<Route>,
}

fn hmac_hex(key: &str, input: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn params(content_type: Option<&str>, uri: &Uri, body: &[u8]) -> HashMap<String, String> {
    match content_type {
        Some("application/json") => {
            let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            value
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                    serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
                    _ => None,
                })
                .collect()
        }
        Some(_) => serde_urlencoded::from_bytes(body).unwrap_or_default(),
        None => serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default(),
    }
}

async fn handle(
    State(server): State<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let Some(route) = server.routes.iter().find(|r| r.path == uri.path()) else {
        return (StatusCode::NOT_FOUND, format!("no route {}", uri.path()));
    };
    if method.as_str() != route.method {
        return (StatusCode::BAD_REQUEST, format!("method {method}"));
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    if content_type != route.content_type {
        return (
            StatusCode::BAD_REQUEST,
            format!("content type {content_type:?}"),
        );
    }
    if method == Method::GET && !body.is_empty() {
        return (StatusCode::BAD_REQUEST, "GET with a body".to_owned());
    }
    let received = params(content_type, &uri, &body);
    let mut input = Vec::new();
    for field in route.mac_fields {
        if *field == "@key" {
            input.push(server.key1.to_owned());
        } else if let Some(literal) = field.strip_prefix('=') {
            // A value the server knows by other means (quick pay: the decrypted payment code).
            input.push(literal.to_owned());
        } else if let Some(name) = field.strip_suffix('?') {
            if let Some(v) = received.get(name) {
                input.push(v.clone());
            }
        } else {
            input.push(received.get(*field).cloned().unwrap_or_default());
        }
    }
    let expected = hmac_hex(server.key1, &input.join("|"));
    let Some(got) = received.get(route.sig_param) else {
        return (StatusCode::BAD_REQUEST, format!("no {}", route.sig_param));
    };
    let valid = if route.sig_param == "mac" {
        *got == expected
    } else {
        verify_rsa(&expected, got)
    };
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            format!("bad {} for input {:?}", route.sig_param, input.join("|")),
        );
    }
    (StatusCode::OK, route.response.to_owned())
}

#[cfg(feature = "rsa")]
fn verify_rsa(hex_hmac: &str, sig_b64: &str) -> bool {
    use base64::Engine as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::signature::Verifier as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(TEST_RSA_KEY)
        .unwrap();
    let private = rsa::RsaPrivateKey::from_pkcs8_der(&der).unwrap();
    let verifying = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(private.to_public_key());
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig_b64) else {
        return false;
    };
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(raw.as_slice()) else {
        return false;
    };
    verifying.verify(hex_hmac.as_bytes(), &signature).is_ok()
}

#[cfg(not(feature = "rsa"))]
fn verify_rsa(_: &str, _: &str) -> bool {
    false
}

async fn start(server: Server, app_id: i64, keys: Keys) -> Client {
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    #[allow(unused_mut)]
    let mut config = fixture_config(app_id, keys, Environment::Custom(format!("http://{addr}")));
    #[cfg(feature = "rsa")]
    {
        config = config.with_rsa_key(
            zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap(),
        );
    }
    Client::new(config).unwrap()
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json");
const CODES_OK: &str =
    r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":""}"#;

fn post(
    path: &'static str,
    ct: Option<&'static str>,
    mac: &'static [&'static str],
    response: &'static str,
) -> Route {
    Route {
        method: "POST",
        path,
        content_type: ct,
        mac_fields: mac,
        sig_param: "mac",
        response,
    }
}

#[tokio::test]
async fn order_family() {
    let client = start(
        Server {
            key1: "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
            routes: vec![
                post(
                    "/v2/create",
                    FORM,
                    &["app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item"],
                    r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","zp_trans_token":"T","order_url":"https://x"}"#,
                ),
                post(
                    "/v2/query",
                    FORM,
                    &["app_id", "app_trans_id", "@key"],
                    r#"{"return_code":3,"return_message":"","sub_return_code":-49,"sub_return_message":"","is_processing":true}"#,
                ),
                post("/v2/cancel", FORM, &["app_id", "app_trans_id", "@key"], CODES_OK),
                post(
                    "/v2/quick_pay",
                    FORM,
                    &["app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item", "=PAYMENTCODERAW123"],
                    CODES_OK,
                ),
            ],
        },
        2554,
        keys_2554(),
    )
    .await;
    let created = client.send(&create_order()).await.unwrap();
    assert_eq!(created.zp_trans_token.as_deref(), Some("T"));
    let status = client.send(&query_order()).await.unwrap().status();
    assert_eq!(status, zalopay_api::order::OrderStatus::Processing);
    client.send(&cancel_order()).await.unwrap();
    // The raw payment code is signed but never sent (the server checks the MAC with the code
    // it decrypted, here a literal).
    client.send(&quick_pay()).await.unwrap();
    let body = String::from_utf8(client.prepare(&quick_pay()).unwrap().body).unwrap();
    assert!(!body.contains("PAYMENTCODERAW123"), "{body}");
}

#[tokio::test]
async fn refund_family() {
    let client = start(
        Server {
            key1: "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            routes: vec![
                post(
                    "/v2/refund",
                    FORM,
                    &["app_id", "zp_trans_id", "amount", "refund_fee_amount?", "description", "timestamp"],
                    r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","refund_id":42}"#,
                ),
                post(
                    "/v2/query_refund",
                    FORM,
                    &["app_id", "m_refund_id", "timestamp"],
                    r#"{"return_code":2,"return_message":"","sub_return_code":-13,"sub_return_message":"REFUND_EXPIRE_TIME"}"#,
                ),
            ],
        },
        2553,
        keys_2553(),
    )
    .await;
    assert_eq!(client.send(&refund()).await.unwrap().refund_id, Some(42));
    assert_eq!(
        client.send(&refund_with_fee()).await.unwrap().refund_id,
        Some(42)
    );
    assert_eq!(
        client.send(&query_refund()).await.unwrap().status(),
        zalopay_api::refund::RefundStatus::Failed {
            sub_return_code: Some(-13)
        }
    );
}

#[tokio::test]
async fn banks_family() {
    let client = start(
        Server {
            key1: "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            routes: vec![post(
                "/api/getlistmerchantbanks",
                FORM,
                &["appid", "reqtime"],
                r#"{"returncode":1,"returnmessage":"","banks":{"39":[{"bankcode":"VCB","name":"Vietcombank","displayorder":1,"pmcid":39,"minamount":10000,"maxamount":1000000}]}}"#,
            )],
        },
        2553,
        keys_2553(),
    )
    .await;
    let banks = client.send(&list_banks()).await.unwrap();
    assert_eq!(banks.channel(39)[0].bank_code, "VCB");
}

#[tokio::test]
async fn agreement_family() {
    let client = start(
        Server {
            key1: "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
            routes: vec![
                post(
                    "/v2/agreement/bind",
                    FORM,
                    &["app_id", "app_trans_id", "binding_data", "binding_type", "identifier", "max_amount", "req_date"],
                    r#"{"return_code":1,"return_message":"","binding_token":"B","deep_link":"zalopay://x"}"#,
                ),
                post(
                    "/v2/agreement/query",
                    FORM,
                    &["app_id", "app_trans_id", "req_date"],
                    r#"{"return_code":1,"return_message":"","data":{"pay_token":"P","status":1}}"#,
                ),
                post("/v2/agreement/unbind", FORM, &["app_id", "identifier", "binding_id", "req_date"], CODES_OK),
                post(
                    "/v2/agreement/balance",
                    FORM,
                    &["app_id", "pay_token", "identifier", "amount", "req_date"],
                    r#"{"return_code":1,"return_message":"","data":[{"channel":38,"payable":true,"bank_code":"zp_app"}]}"#,
                ),
                post(
                    "/v2/agreement/pay",
                    FORM,
                    &["app_id", "identifier", "zp_trans_token", "pay_token", "req_date"],
                    r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","app_trans_id":"230407_13583500399","zp_trans_id":230407000006575}"#,
                ),
                post(
                    "/v2/agreement/query_user",
                    FORM,
                    &["app_id", "access_token", "req_date"],
                    r#"{"return_code":1,"return_message":"","phone":"****1234"}"#,
                ),
            ],
        },
        2554,
        keys_2554(),
    )
    .await;
    assert_eq!(
        client
            .send(&agreement_bind())
            .await
            .unwrap()
            .binding_token
            .as_deref(),
        Some("B")
    );
    let q = client.send(&agreement_query()).await.unwrap();
    assert_eq!(q.data.unwrap().pay_token.as_deref(), Some("P"));
    client.send(&agreement_unbind()).await.unwrap();
    assert!(client.send(&agreement_balance()).await.unwrap().payable());
    assert_eq!(
        client.send(&agreement_pay()).await.unwrap().status(),
        zalopay_api::agreement::PayStatus::Processing
    );
    assert_eq!(
        client
            .send(&agreement_query_user())
            .await
            .unwrap()
            .phone
            .as_deref(),
        Some("****1234")
    );
}

#[tokio::test]
async fn tokenization_and_hybrid_family() {
    let client = start(
        Server {
            key1: "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
            routes: vec![
                post(
                    "/v2/tokenization/bind",
                    FORM,
                    &["app_id", "app_trans_id", "identifier", "binding_mode", "binding_type", "device_type", "binding_data", "payment_data", "req_date"],
                    r#"{"return_code":1,"return_message":"","binding_token":"T","binding_url":"https://x"}"#,
                ),
                post(
                    "/v2/tokenization/query",
                    FORM,
                    &["app_id", "app_trans_id", "req_date"],
                    r#"{"return_code":3,"return_message":"pending","status":3}"#,
                ),
                post(
                    "/v2/agreement/hybrid",
                    FORM,
                    &["app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item"],
                    r#"{"return_code":1,"return_message":"","app_trans_id":"230407_13221300383","zp_trans_id":1}"#,
                ),
            ],
        },
        2554,
        keys_2554(),
    )
    .await;
    assert_eq!(
        client
            .send(&tokenization_bind())
            .await
            .unwrap()
            .binding_token
            .as_deref(),
        Some("T")
    );
    assert!(
        client
            .send(&tokenization_query())
            .await
            .unwrap()
            .codes
            .is_processing()
    );
    assert_eq!(
        client.send(&hybrid_pay()).await.unwrap().zp_trans_id,
        Some(1)
    );
}

#[tokio::test]
async fn disbursement_family() {
    let client = start(
        Server {
            key1: "2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO",
            routes: vec![
                post(
                    "/v2/disbursement/balance",
                    JSON,
                    &["app_id", "payment_id", "time"],
                    r#"{"return_code":1,"return_message":"","data":{"balance":5000000}}"#,
                ),
                post(
                    "/v2/disbursement/user",
                    JSON,
                    &["app_id", "phone", "time"],
                    r#"{"return_code":1,"return_message":"","data":{"m_u_id":"M","name":"A"}}"#,
                ),
                Route {
                    method: "POST",
                    path: "/v2/disbursement/topup",
                    content_type: JSON,
                    mac_fields: &["app_id", "payment_id", "partner_order_id", "m_u_id", "amount", "description", "partner_embed_data", "extra_info", "time"],
                    sig_param: "sig",
                    response: r#"{"return_code":1,"return_message":"","data":{"order_id":"O","status":3}}"#,
                },
                post(
                    "/v2/disbursement/txn",
                    JSON,
                    &["app_id", "partner_order_id", "time"],
                    r#"{"return_code":1,"return_message":"","data":{"order_id":"O","status":1,"zp_trans_id":"Z"}}"#,
                ),
            ],
        },
        15555,
        keys_15555(),
    )
    .await;
    assert_eq!(
        client
            .send(&disbursement_balance())
            .await
            .unwrap()
            .data
            .unwrap()
            .balance,
        5_000_000
    );
    assert_eq!(
        client
            .send(&disbursement_user())
            .await
            .unwrap()
            .data
            .unwrap()
            .m_u_id
            .as_deref(),
        Some("M")
    );
    #[cfg(feature = "rsa")]
    assert_eq!(
        client
            .send(&disbursement_topup())
            .await
            .unwrap()
            .data
            .unwrap()
            .status,
        Some(3)
    );
    let txn = client
        .send(&disbursement_txn())
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(txn.zp_trans_id.as_deref(), Some("Z"));
}

#[tokio::test]
async fn zod_family() {
    let client = start(
        Server {
            key1: "9phuAOYhan4urywHTh0ndEXiV3pKHr5Q",
            routes: vec![
                post(
                    "/v2/zod",
                    JSON,
                    &["appId", "mcRefId", "amount", "mcExtInfo"],
                    r#"{"orderUrl":"https://sbgateway.zalopay.vn/openinapp?order=x"}"#,
                ),
                Route {
                    method: "GET",
                    path: "/v2/zod/invoice",
                    content_type: None,
                    mac_fields: &["appId", "mcRefId"],
                    sig_param: "mac",
                    response: r#"{"orderUrl":"https://sbgateway.zalopay.vn/openinapp?order=x"}"#,
                },
                Route {
                    method: "GET",
                    path: "/v2/zod/status",
                    content_type: None,
                    mac_fields: &["appId", "mcRefId"],
                    sig_param: "mac",
                    response: r#"{"amount":"430000","status":1,"zpTransId":"0"}"#,
                },
            ],
        },
        553,
        keys_553(),
    )
    .await;
    assert!(
        client
            .send(&zod_create())
            .await
            .unwrap()
            .order_url
            .is_some()
    );
    assert!(
        client
            .send(&zod_invoice())
            .await
            .unwrap()
            .order_url
            .is_some()
    );
    let status = client.send(&zod_status()).await.unwrap();
    assert_eq!(status.amount, Some(430_000));
}
