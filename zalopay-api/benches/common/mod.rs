//! Shared fixtures for the benches: a realistic create-order request (~300-byte MAC input).

use zalopay_api::ids::AppTransId;
use zalopay_api::order::CreateOrder;
use zalopay_api::{JsonString, Keys};

/// The sandbox demo keys of app 2553.
pub fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .expect("demo keys are non-empty")
}

/// When the fixture order was made (2024-09-13, Vietnam time): clients validating it must
/// see this as "now".
pub const FIXTURE_NOW_MS: i64 = 1_726_200_000_000;

/// A client configuration for app 2553 against `base_url`, with the clock at the fixture time.
pub fn config(base_url: &str) -> zalopay_api::Config {
    zalopay_api::Config::new(
        2553,
        keys(),
        zalopay_api::Environment::Custom(base_url.to_owned()),
    )
    .with_clock(std::sync::Arc::new(zalopay_api::clock::FixedClock(
        FIXTURE_NOW_MS,
    )))
}

/// A create-order request with realistic item and embed_data.
pub fn create_order() -> CreateOrder {
    let mut order = CreateOrder::builder()
        .app_id(2553)
        .app_trans_id(AppTransId::try_from("240913_2553_1726200000000123").unwrap())
        .app_user("user_0903123456")
        .amount(1_250_000)
        .app_time(FIXTURE_NOW_MS)
        .description("Shop ABC - Thanh toán đơn hàng #1726200000000123")
        .build();
    order.item = JsonString::new(&serde_json::json!([
        {"itemid": "sku-001", "itemname": "Áo thun", "itemprice": 250000, "itemquantity": 3},
        {"itemid": "sku-002", "itemname": "Quần jean", "itemprice": 500000, "itemquantity": 1}
    ]))
    .expect("static JSON");
    order.embed_data = JsonString::new(&serde_json::json!({
        "redirecturl": "https://shop.example.vn/checkout/result",
        "columninfo": "{\"branch_id\":\"HCM\",\"store_id\":\"CH123\"}"
    }))
    .expect("static JSON");
    order.bank_code = Some("zalopayapp".to_owned());
    order.callback_url = Some("https://shop.example.vn/zalopay/callback".to_owned());
    order
}

/// The published callback of app 2553 (api-facts §19.2 (1)), as ZaloPay sends it.
pub fn callback_body() -> Vec<u8> {
    let data = r#"{"app_id":2553,"app_trans_id":"200904_2553_1598435687208","app_time":1599189392817,"app_user":"demo","amount":10000,"embed_data":"{\"merchantinfo\":\"embeddata123\",\"promotioninfo\":\"\"}","item":"[{\"itemid\":\"knb\",\"itemname\":\"kim nguyen bao\",\"itemprice\":198400,\"itemquantity\":1}]","zp_trans_id":200904000000389,"server_time":1599189413498,"channel":38,"merchant_user_id":"7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc","user_fee_amount":0,"discount_amount":0}"#;
    serde_json::to_vec(&serde_json::json!({
        "data": data,
        "mac": "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67",
        "type": 1,
    }))
    .expect("static JSON")
}

/// The floor for callback verification: serde_json into borrowed structs, a bare HMAC, a
/// byte comparison, and the same typed `data` parse.
pub fn bare_verify_callback(
    key2: &[u8],
    body: &[u8],
) -> Option<zalopay_api::callback::PaymentCallback> {
    use hmac::{Hmac, KeyInit, Mac};
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        mac: std::borrow::Cow<'a, str>,
        #[allow(dead_code)]
        r#type: i64,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key2).ok()?;
    mac.update(envelope.data.as_bytes());
    let expected = hex::decode(envelope.mac.as_bytes()).ok()?;
    mac.verify_slice(&expected).ok()?;
    serde_json::from_str(&envelope.data).ok()
}

/// A minimal loopback server answering every POST with a canned create-order response, and
/// recording the peer address of each request (distinct peers = distinct connections).
pub mod server {
    use std::collections::HashSet;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    /// The canned response (api-facts §19.4).
    pub const CREATE_RESPONSE: &str = r#"{"return_code":1,"return_message":"Transaction successful.","sub_return_code":1,"sub_return_message":"Transaction successful.","zp_trans_token":"ACdrmzS_TGxHZyafUiHs3OjQ","order_url":"https://qcgateway.zalopay.vn/openinapp?order=eyJ6cHRyYW5zdG9rZW4iOiJBQ2RybXpTX1RHeEhaeWFmVWlIczNPalEiLCJhcHBpZCI6MTU4NDd9"}"#;

    /// Peers seen so far.
    pub type Peers = Arc<Mutex<HashSet<SocketAddr>>>;

    /// Starts the server on 127.0.0.1:0; returns its address and the peer set.
    pub async fn start() -> (SocketAddr, Peers) {
        let peers: Peers = Arc::default();
        let seen = peers.clone();
        let app = axum::Router::new().fallback(
            move |axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>| {
                let seen = seen.clone();
                async move {
                    if let Ok(mut set) = seen.lock() {
                        set.insert(peer);
                    }
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        CREATE_RESPONSE,
                    )
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback bind");
        let addr = listener.local_addr().expect("bound address");
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        (addr, peers)
    }
}

/// What an integrator without the SDK must do per create-order call: build the MAC input,
/// HMAC it with key1, form-encode a hand-made struct, and after the call decode the JSON.
pub mod by_hand {
    use hmac::{Hmac, KeyInit, Mac};

    /// The hand-made request parameters.
    #[derive(serde::Serialize, Clone, Copy)]
    pub struct Params<'a> {
        app_id: i64,
        app_user: &'a str,
        app_trans_id: &'a str,
        app_time: i64,
        amount: i64,
        item: &'a str,
        description: &'a str,
        embed_data: &'a str,
        bank_code: Option<&'a str>,
        callback_url: Option<&'a str>,
        mac: &'a str,
    }

    /// The hand-made response.
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    pub struct Reply {
        return_code: i32,
        return_message: String,
        sub_return_code: i32,
        sub_return_message: String,
        zp_trans_token: Option<String>,
        order_url: Option<String>,
    }

    /// Signs and form-encodes `order` by hand.
    pub fn body(order: &zalopay_api::order::CreateOrder, key1: &[u8]) -> String {
        let input = format!(
            "{}|{}|{}|{}|{}|{}|{}",
            order.app_id.expect("built with an app id"),
            order.app_trans_id,
            order.app_user,
            order.amount,
            order.app_time.expect("built with a time"),
            order.embed_data,
            order.item
        );
        let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key1).expect("any key length");
        m.update(input.as_bytes());
        let mac = hex::encode(m.finalize().into_bytes());
        serde_urlencoded::to_string(params(order, &mac)).expect("encodes")
    }

    /// The parameters of `order` with a known `mac`, as a hand-made serde struct.
    pub fn params<'a>(order: &'a zalopay_api::order::CreateOrder, mac: &'a str) -> Params<'a> {
        Params {
            app_id: order.app_id.expect("built with an app id"),
            app_user: &order.app_user,
            app_trans_id: order.app_trans_id.as_str(),
            app_time: order.app_time.expect("built with a time"),
            amount: order.amount,
            item: order.item.as_str(),
            description: &order.description,
            embed_data: order.embed_data.as_str(),
            bank_code: order.bank_code.as_deref(),
            callback_url: order.callback_url.as_deref(),
            mac,
        }
    }

    /// Posts a hand-made body and decodes the reply.
    pub async fn round_trip(raw: &reqwest::Client, url: &str, body: String) -> Reply {
        let response = raw
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("sent");
        let bytes = response.bytes().await.expect("body");
        serde_json::from_slice(&bytes).expect("JSON reply")
    }
}
