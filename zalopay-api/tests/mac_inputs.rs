//! Known-answer tests for the first two real operations, plus a snapshot of their MAC inputs.
//! Expected values come from `../shared/zalopay/api-facts.md` §19, never from this library.

use zalopay_api::ids::AppTransId;
use zalopay_api::order::{CreateOrder, QueryOrder};
use zalopay_api::{JsonString, Keys, SignedRequest};

fn keys(key1: &str, key2: &str) -> Keys {
    Keys::new(key1, key2).unwrap()
}

/// §19.2 (2): published by ZaloPay (QR-code docs page), app 553. v2 uses the same order.
#[test]
fn create_order_published_vector_app_553() {
    let keys = keys("9phuAOYhan4urywHTh0ndEXiV3pKHr5Q", "unused");
    let order = CreateOrder::builder()
        .app_id(553)
        .app_trans_id(AppTransId::try_from("200904_000234").unwrap())
        .app_user("user123")
        .amount(10000)
        .app_time(1599202366026)
        .description("x")
        .build();
    assert_eq!(
        order.mac_input(&keys),
        "553|200904_000234|user123|10000|1599202366026|{}|[]"
    );
    assert_eq!(
        order.mac(&keys).as_str(),
        "7e95836a9feace32458f23416feea423172ef0a098f27a668a1e10788b5a6838"
    );
}

/// §19.3: self-computed with Python's hmac, app 2554 key1.
#[test]
fn create_order_vector_app_2554() {
    let keys = keys(
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    );
    let order = CreateOrder::builder()
        .app_id(2554)
        .app_trans_id(AppTransId::try_from("230407_13221300383").unwrap())
        .app_user("user123")
        .amount(50000)
        .app_time(1680848533635)
        .description("x")
        .build();
    assert_eq!(
        order.mac(&keys).as_str(),
        "4caca58ffa2a1b392232f40ff812c2bb5f36d7f3f5d0c549ec6a26ae331cbdbe"
    );
}

/// §19.3: create with a redirect URL in embed_data and a non-empty item, app 2553 key1.
#[test]
fn create_order_vector_with_embed_data() {
    let keys = keys(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    );
    let mut order = CreateOrder::builder()
        .app_id(2553)
        .app_trans_id(AppTransId::try_from("240101_123456").unwrap())
        .app_user("user123")
        .amount(50000)
        .app_time(1704067200000)
        .description("x")
        .build();
    order.embed_data =
        JsonString::new(&serde_json::json!({"redirecturl": "https://example.com/result"})).unwrap();
    order.item = JsonString::from_raw("[{}]").unwrap();
    assert_eq!(
        order.mac_input(&keys),
        r#"2553|240101_123456|user123|50000|1704067200000|{"redirecturl":"https://example.com/result"}|[{}]"#
    );
    assert_eq!(
        order.mac(&keys).as_str(),
        "22da8cae1102362291b122befa065818efb8806d92e1556b6a4f77dbd56297ad"
    );
}

/// §19.3: query signs `app_id|app_trans_id|key1`, app 2554.
#[test]
fn query_order_vector_includes_the_key() {
    let keys = keys(
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    );
    let query = QueryOrder::builder()
        .app_id(2554)
        .app_trans_id(AppTransId::try_from("230407_13221300383").unwrap())
        .build();
    assert_eq!(
        query.mac_input(&keys),
        "2554|230407_13221300383|sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn"
    );
    assert_eq!(
        query.mac(&keys).as_str(),
        "7cec9f5d7de580a55c25a2ed92b42cf4f802a8d0c0beb87c5009b1865665b43c"
    );
}

/// The exact bytes sent are the bytes signed: the body carries the same JSON text, and
/// unusual spacing, unicode and `|` inside values are kept as they are.
#[test]
fn signed_text_is_the_sent_text() {
    let keys = keys("k1", "k2");
    let mut order = CreateOrder::builder()
        .app_id(1)
        .app_trans_id(AppTransId::try_from("240101_1").unwrap())
        .app_user("Nguyễn Văn A|VIP")
        .amount(1)
        .app_time(2)
        .description("Mua hàng")
        .build();
    order.embed_data = JsonString::from_raw(r#"{ "a" : [1, 2] }"#).unwrap();
    let input = order.mac_input(&keys);
    let config = zalopay_api::Config::new(
        1,
        keys.clone(),
        zalopay_api::Environment::Custom("http://127.0.0.1:9".into()),
    );
    // Signing only: the made-up ids and times would not pass `Client::prepare`'s validation.
    let prepared = zalopay_api::client::prepare(&config, &order, &mut String::new()).unwrap();
    let body: Vec<(String, String)> = serde_urlencoded::from_bytes(&prepared.body).unwrap();
    let get = |name: &str| {
        body.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let rebuilt = [
        "app_id",
        "app_trans_id",
        "app_user",
        "amount",
        "app_time",
        "embed_data",
        "item",
    ]
    .map(get)
    .join("|");
    assert_eq!(rebuilt, input);
    assert_eq!(get("mac"), order.mac(&keys).as_str());
    insta::assert_snapshot!(input, @r#"1|240101_1|Nguyễn Văn A|VIP|1|2|{ "a" : [1, 2] }|[]"#);
}
