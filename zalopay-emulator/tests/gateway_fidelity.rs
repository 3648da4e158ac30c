//! The emulator speaks like the gateway (issue 21 item 4), compared byte shape for byte
//! shape with captured traffic (specs/traffic): callback fields, their order and escaping,
//! the redirect after a cancel, and the gateway's Vietnamese messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};
use zalopay_api::Keys;
use zalopay_api::callback::{Callback, verify_callback};
use zalopay_api::redirect::verify_redirect;

fn traffic(file: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../specs/traffic/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The keys of a flat JSON object's text, in order (values of `data` are scalars or strings).
fn key_order(data: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(data);
    // serde_json's Map keeps sorted keys; walk the text with a visitor instead.
    struct Keys<'a>(&'a mut Vec<String>);
    impl<'de> serde::de::Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                self.0.push(key);
            }
            Ok(())
        }
    }
    serde::Deserializer::deserialize_map(&mut deserializer, Keys(&mut keys)).unwrap();
    keys
}

fn keys() -> Keys {
    Keys::new(KEY1, KEY2).unwrap()
}

#[tokio::test]
async fn a_callback_has_the_captured_fields_order_and_escaping() {
    let mut merchant = Merchant::ok().await;
    let env = start().await;
    let id = format!("{TODAY}_shape");
    let embed = r#"{"redirecturl":"https://shop.example/r?a=1&b=2"}"#;
    let params = create_params(&id, 10_000, embed, &[("callback_url", merchant.url())]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (1, 1));
    assert_eq!(code(&env.pay(&id).await), (1, 1));

    let body = merchant.next().await;
    let data = body["data"].as_str().unwrap();
    let captured: Value =
        serde_json::from_str(&traffic("callbacks/c01-2553-260418_7F5271.body.json")).unwrap();
    assert_eq!(
        key_order(data),
        key_order(captured["data"].as_str().unwrap()),
        "{data}"
    );
    // `&` inside embed_data goes out as \u0026, as in captured c05.
    assert!(
        data.contains(r"https://shop.example/r?a=1\u0026b=2"),
        "{data}"
    );
    assert!(!data.contains('&'), "{data}");

    let signed = serde_json::to_string(&body).unwrap();
    let Callback::Payment(payment) =
        verify_callback(&keys(), Some(APP), signed.as_bytes()).unwrap()
    else {
        panic!("expected a payment");
    };
    assert!(payment.merchant_user_id.is_some());
    assert_eq!(payment.zp_user_id, payment.merchant_user_id);
    assert_eq!(payment.channel, Some(38));
    assert_eq!(
        (payment.user_fee_amount, payment.discount_amount),
        (Some(0), Some(0))
    );
    let embed: Value = serde_json::from_str(payment.embed_data.as_str()).unwrap();
    assert_eq!(embed["redirecturl"], "https://shop.example/r?a=1&b=2");
}

/// The query string's parameter names, in order.
fn param_order(query: &str) -> Vec<String> {
    form_pairs(query).into_iter().map(|(k, _)| k).collect()
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap()
}

async fn redirect_after(env: &Env, action: &str, id: &str) -> String {
    let embed = r#"{"redirecturl":"https://shop.example/result"}"#;
    let params = create_params(id, 50_000, embed, &[]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (1, 1));
    let answer = env
        .json(&format!("/emulator/orders/{id}/{action}"), &json!({}))
        .await;
    let url = answer["redirect_url"].as_str().unwrap().to_owned();
    url.split_once('?').unwrap().1.to_owned()
}

#[tokio::test]
async fn a_cancel_on_the_wallet_page_redirects_like_the_gateway() {
    let env = start().await;
    let captured = traffic("redirects/r01-2553-240621_11-cancel.query.txt");

    let query = redirect_after(&env, "cancel", &format!("{TODAY}_cancel")).await;
    assert_eq!(param_order(&query), param_order(&captured), "{query}");
    let redirect = verify_redirect(&keys(), &query).unwrap();
    assert_eq!(redirect.status, -49, "{query}");
    assert_eq!(redirect.pmcid, Some(0), "{query}");
    assert_eq!(redirect.bank_code, "", "{query}");
    assert_eq!(redirect.amount, 50_000);
    assert!(!redirect.looks_successful());

    let query = redirect_after(&env, "pay", &format!("{TODAY}_paid")).await;
    assert_eq!(param_order(&query), param_order(&captured), "{query}");
    let redirect = verify_redirect(&keys(), &query).unwrap();
    assert_eq!((redirect.status, redirect.pmcid), (1, Some(38)), "{query}");
    assert_eq!(redirect.bank_code, "", "{query}");
}

#[tokio::test]
async fn messages_are_the_gateways() {
    let env = start().await;
    // Created: the captured create answers' message.
    let created = env.create(&format!("{TODAY}_msg"), 1000, &[]).await;
    assert_eq!(
        created["return_message"], "Giao dịch thành công",
        "{created}"
    );
    // A refusal: the gateway's generic message, the emulator's reason beside it.
    let refused = env.create("not-a-date_msg", 1000, &[]).await;
    assert_eq!(code(&refused).0, 2, "{refused}");
    assert_eq!(refused["return_message"], "Giao dịch thất bại", "{refused}");
    assert_ne!(
        refused["sub_return_message"], "Giao dịch thất bại",
        "{refused}"
    );
}
