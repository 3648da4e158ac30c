//! Disbursement top-up's full signature scheme: hex HMAC, then RSA-SHA256 under the merchant's
//! private key, verified with the app's RSA public key (demo app 15555 has the published test
//! key's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use zalopay_api::ids::PartnerOrderId;

use common::{NOW, code, mac, start};
use serde_json::{Value, json};
use zalopay_api::disbursement::{DisbursementTopup, DisbursementUser};
use zalopay_api::rsa::MerchantRsaKey;
use zalopay_api::{Client, Config, Environment, Keys};
use zalopay_emulator::{App, DISBURSEMENT_DEMO_APP_ID, EmulatorConfig, TEST_RSA_PUBLIC_KEY};

const APP: i64 = DISBURSEMENT_DEMO_APP_ID;
const KEY1: &str = "2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO";
/// The published 512-bit test private key (api-facts §19.1).
const TEST_RSA_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

fn rsa_client(env: &common::Env) -> Client {
    let mut config = Config::new(
        APP,
        Keys::new(KEY1, KEY1).unwrap(),
        Environment::Custom(env.base()),
    )
    .with_clock(Arc::new(env.clock.clone()));
    config = config.with_rsa_key(MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap());
    Client::new(config).unwrap()
}

async fn m_u_id(client: &Client) -> String {
    let user = client
        .send(
            &DisbursementUser::builder()
                .app_id(APP)
                .phone("0904123456")
                .time(NOW)
                .build(),
        )
        .await
        .unwrap();
    user.data.unwrap().m_u_id.unwrap()
}

fn topup_body(m_u_id: &str, partner_order_id: &str, sig: &str) -> Value {
    json!({
        "app_id": APP, "payment_id": "CASHIN", "partner_order_id": partner_order_id,
        "m_u_id": m_u_id, "amount": 1000, "description": "Topup", "partner_embed_data": "{}",
        "extra_info": "{}", "time": NOW, "sig": sig,
    })
}

fn hex_hmac(m_u_id: &str, partner_order_id: &str) -> String {
    mac(
        KEY1,
        &format!("{APP}|CASHIN|{partner_order_id}|{m_u_id}|1000|Topup|{{}}|{{}}|{NOW}"),
    )
}

#[tokio::test]
async fn sdk_signed_topup_succeeds() {
    let env = start().await;
    let client = rsa_client(&env);
    let m_u_id = m_u_id(&client).await;
    let request = DisbursementTopup::builder()
        .app_id(APP)
        .payment_id("CASHIN")
        .partner_order_id(PartnerOrderId::try_from("rsa-order-1").unwrap())
        .m_u_id(&m_u_id)
        .amount(1000)
        .description("Topup")
        .time(NOW)
        .build();
    let response = client.send(&request).await.unwrap();
    assert_eq!(response.codes.return_code, 1, "{response:?}");
    let topups = env.running.state().topups();
    assert_eq!(topups.len(), 1);
    assert_eq!(topups[0].partner_order_id, "rsa-order-1");
}

#[tokio::test]
async fn tampered_or_hmac_only_sig_is_402() {
    let env = start().await;
    let client = rsa_client(&env);
    let m_u_id = m_u_id(&client).await;
    let key = MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap();
    let hex = hex_hmac(&m_u_id, "rsa-order-2");
    let good = key.sign_base64(hex.as_bytes()).unwrap();

    // One base64 character changed (inside the signature, not the padding).
    let mut chars: Vec<char> = good.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let cases = [
        tampered,
        hex.clone(),
        "not base64!".to_owned(),
        "AAAA".to_owned(),
    ];
    for sig in cases {
        let answer = env
            .json(
                "/v2/disbursement/topup",
                &topup_body(&m_u_id, "rsa-order-2", &sig),
            )
            .await;
        assert_eq!(code(&answer), (2, -402), "{sig}: {answer}");
    }
    // A good signature over a different request (another order id) does not verify either.
    let answer = env
        .json(
            "/v2/disbursement/topup",
            &topup_body(&m_u_id, "rsa-order-3", &good),
        )
        .await;
    assert_eq!(code(&answer), (2, -402), "{answer}");
    assert!(env.running.state().topups().is_empty());

    let answer = env
        .json(
            "/v2/disbursement/topup",
            &topup_body(&m_u_id, "rsa-order-2", &good),
        )
        .await;
    assert_eq!(code(&answer), (1, 1), "{answer}");
}

/// An app configured with a public key parsed from base64 SPKI behaves like the demo app; one
/// without a key keeps accepting the bare hex HMAC.
#[tokio::test]
async fn configured_key_and_keyless_app() {
    let custom = App::new(4242, KEY1, KEY1)
        .unwrap()
        .with_rsa_public_key_base64(&format!(
            "-----BEGIN PUBLIC KEY-----\n{TEST_RSA_PUBLIC_KEY}\n-----END PUBLIC KEY-----\n"
        ))
        .unwrap();
    assert!(
        App::new(1, KEY1, KEY1)
            .unwrap()
            .with_rsa_public_key_base64("bm90IGEga2V5")
            .is_err()
    );
    let keyless = App::new(4343, KEY1, KEY1).unwrap();
    let config = EmulatorConfig {
        apps: vec![custom, keyless],
        ..common::fast_config()
    };
    let env = common::start_with(config).await;
    let key = MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap();
    for (app, rsa) in [(4242, true), (4343, false)] {
        let user = env
            .json(
                "/v2/disbursement/user",
                &json!({ "app_id": app, "phone": "0904123456", "time": NOW,
                         "mac": mac(KEY1, &format!("{app}|0904123456|{NOW}")) }),
            )
            .await;
        let m_u_id = user["data"]["m_u_id"].as_str().unwrap().to_owned();
        let input = format!("{app}|CASHIN|o|{m_u_id}|1000|Topup|{{}}|{{}}|{NOW}");
        let hex = mac(KEY1, &input);
        let signed = key.sign_base64(hex.as_bytes()).unwrap();
        let (right, wrong) = if rsa { (signed, hex) } else { (hex, signed) };
        let mut body = topup_body(&m_u_id, "o", &wrong);
        body["app_id"] = json!(app);
        assert_eq!(
            code(&env.json("/v2/disbursement/topup", &body).await),
            (2, -402)
        );
        body["sig"] = json!(right);
        let answer = env.json("/v2/disbursement/topup", &body).await;
        assert_eq!(code(&answer), (1, 1), "{app}: {answer}");
    }
}
