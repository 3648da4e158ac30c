//! The published callback of app 2553 (api-facts §19.2 (1)) and helpers shared by the
//! framework integration tests. Included with `#[path]` so these tests do not pull in the
//! request fixtures of `common/mod.rs`.
#![allow(dead_code, clippy::unwrap_used)]

use zalopay_api::{CallbackVerifier, Keys};

pub const KAT_DATA: &str = r#"{"app_id":2553,"app_trans_id":"200904_2553_1598435687208","app_time":1599189392817,"app_user":"demo","amount":10000,"embed_data":"{\"merchantinfo\":\"embeddata123\",\"promotioninfo\":\"\"}","item":"[{\"itemid\":\"knb\",\"itemname\":\"kim nguyen bao\",\"itemprice\":198400,\"itemquantity\":1}]","zp_trans_id":200904000000389,"server_time":1599189413498,"channel":38,"merchant_user_id":"7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc","user_fee_amount":0,"discount_amount":0}"#;
pub const KAT_MAC: &str = "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67";
pub const KAT_APP_TRANS_ID: &str = "200904_2553_1598435687208";
pub const BAD_MAC_REPLY: &str = r#"{"return_code":-1,"return_message":"mac not equal"}"#;

pub fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

pub fn verifier() -> CallbackVerifier {
    CallbackVerifier::for_app(keys(), 2553)
}

/// The published body, as ZaloPay sends it.
pub fn kat_body() -> String {
    serde_json::json!({ "data": KAT_DATA, "mac": KAT_MAC, "type": 1 }).to_string()
}

/// The published body with the amount changed after signing.
pub fn tampered_body() -> String {
    let tampered = KAT_DATA.replace("10000", "10001");
    serde_json::json!({ "data": tampered, "mac": KAT_MAC, "type": 1 }).to_string()
}

/// The reply's `return_code`.
pub fn return_code(reply: &[u8]) -> i64 {
    let value: serde_json::Value = serde_json::from_slice(reply).unwrap();
    value["return_code"].as_i64().unwrap()
}
