//! Shared fixtures for the benches: a realistic create-order request (~300-byte MAC input).

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

/// A create-order request with realistic item and embed_data.
pub fn create_order() -> CreateOrder {
    let mut order = CreateOrder::new(
        2553,
        "240913_2553_1726200000000123",
        "user_0903123456",
        1_250_000,
        1_726_200_000_000,
        "Shop ABC - Thanh toán đơn hàng #1726200000000123",
    );
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
