//! Decoding after the MAC (issue 21 item 2): once key2 verifies a callback it is ZaloPay
//! speaking, so only what money needs is required (`app_id`, `app_trans_id`, `zp_trans_id`,
//! `amount`, `server_time`) and everything else is read tolerantly. Each test pins one shape
//! the real gateway sends (specs/traffic) or may send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::Keys;
use zalopay_api::callback::{Callback, CallbackReply, sign_callback, verify_callback};

fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

/// The `data` of a sandbox callback of April 2026 (specs/traffic c01), byte for byte.
const CAPTURED_DATA: &str = r#"{"app_id":2553,"app_trans_id":"260418_7F5271","app_time":1776479895300,"app_user":"54b49784-e5ab-4ad4-bcce-5a915d09d67c","amount":100000,"embed_data":"{\"redirecturl\":\"https://dev-code-payment-service.20206205.tech/api/subscriptions/payment-return\"}","item":"[{\"item_name\":\"Thanh toan dang ky: VIP 1 tháng #260418_7F5271\",\"item_price\":100000,\"item_quantity\":1}]","zp_trans_id":260418000000225,"server_time":1776479960423,"channel":38,"merchant_user_id":"Jfy_NT0tHMtLE07x291chQ-7_jlVJzxoGZ2S1rNbGvA","zp_user_id":"Jfy_NT0tHMtLE07x291chQ-7_jlVJzxoGZ2S1rNbGvA","user_fee_amount":0,"discount_amount":0}"#;
/// Its MAC, as ZaloPay sent it (verifies under app 2553's public sandbox key2).
const CAPTURED_MAC: &str = "b89195ab41a0683b0aaae3f132a7361d72926ca38330ac715611720acd957b79";

fn payment(data: &str) -> zalopay_api::callback::PaymentCallback {
    let body = sign_callback(&keys(), data, 1);
    match verify_callback(&keys(), Some(2553), body.as_bytes()) {
        Ok(Callback::Payment(payment)) => payment,
        other => panic!("expected a payment, got {other:?}"),
    }
}

fn refusal(data: &str) -> String {
    let body = sign_callback(&keys(), data, 1);
    let error = verify_callback(&keys(), Some(2553), body.as_bytes()).unwrap_err();
    // A verified body that cannot be used is retried by ZaloPay, never rejected as forged.
    assert_eq!(CallbackReply::for_error(&error).return_code, 0, "{error}");
    error.to_string()
}

/// The headline bug: real callbacks carry both `merchant_user_id` and `zp_user_id`, and an
/// alias made that a "duplicate field" error after the MAC had verified.
#[test]
fn a_captured_callback_with_both_user_ids_is_a_payment() {
    let body = serde_json::json!({ "data": CAPTURED_DATA, "mac": CAPTURED_MAC, "type": 1 });
    let callback = verify_callback(&keys(), Some(2553), body.to_string().as_bytes()).unwrap();
    let Callback::Payment(payment) = callback else {
        panic!("expected a payment callback");
    };
    assert_eq!(payment.app_trans_id, "260418_7F5271");
    assert_eq!(payment.zp_trans_id, 260_418_000_000_225);
    assert_eq!(payment.amount, 100_000);
    assert_eq!(payment.server_time, 1_776_479_960_423);
    assert_eq!(
        payment.merchant_user_id.as_deref(),
        Some("Jfy_NT0tHMtLE07x291chQ-7_jlVJzxoGZ2S1rNbGvA")
    );
}

#[test]
fn numbers_sent_as_strings_are_read() {
    let data = CAPTURED_DATA
        .replace(r#""amount":100000"#, r#""amount":"100000""#)
        .replace(
            r#""zp_trans_id":260418000000225"#,
            r#""zp_trans_id":"260418000000225""#,
        )
        .replace(r#""channel":38"#, r#""channel":"38""#)
        .replace(r#""user_fee_amount":0"#, r#""user_fee_amount":"0""#);
    let payment = payment(&data);
    assert_eq!(payment.amount, 100_000);
    assert_eq!(payment.zp_trans_id, 260_418_000_000_225);
    assert_eq!(payment.channel, Some(38));
    assert_eq!(payment.user_fee_amount, Some(0));
}

#[test]
fn unknown_fields_and_unknown_channels_are_accepted() {
    let data = CAPTURED_DATA
        .replace(r#""channel":38"#, r#""channel":1234"#)
        .replace(
            r#""discount_amount":0}"#,
            r#""discount_amount":0,"promotion":{"code":"X"},"bank_code":"VCB","new_flag":true}"#,
        );
    let payment = payment(&data);
    assert_eq!(payment.channel, Some(1234));
    assert_eq!(payment.amount, 100_000);
}

#[test]
fn only_what_money_needs_is_required() {
    let data = r#"{"app_id":2553,"app_trans_id":"260418_7F5271","amount":100000,"zp_trans_id":260418000000225,"server_time":1776479960423}"#;
    let payment = payment(data);
    assert_eq!(payment.app_trans_id, "260418_7F5271");
    assert_eq!(payment.amount, 100_000);
    assert_eq!(payment.merchant_user_id, None);
    assert_eq!(payment.channel, None);
}

#[test]
fn null_optional_fields_are_absent_values() {
    let data = CAPTURED_DATA
        .replace(r#""channel":38"#, r#""channel":null"#)
        .replace(
            r#""app_user":"54b49784-e5ab-4ad4-bcce-5a915d09d67c""#,
            r#""app_user":null"#,
        )
        .replace(r#""discount_amount":0"#, r#""discount_amount":null"#);
    let payment = payment(&data);
    assert_eq!(payment.channel, None);
    assert_eq!(payment.discount_amount, None);
    assert_eq!(payment.amount, 100_000);
}

#[test]
fn server_time_before_app_time_is_accepted() {
    // specs/traffic c06: a production callback whose server_time is 97 s before app_time.
    let data = CAPTURED_DATA.replace(
        r#""server_time":1776479960423"#,
        r#""server_time":1776479800000"#,
    );
    let payment = payment(&data);
    assert_eq!(payment.server_time, 1_776_479_800_000);
}

#[test]
fn escapes_inside_embed_data_are_kept_as_json() {
    let data = CAPTURED_DATA.replace(
        r#""embed_data":"{\"redirecturl\":\"https://dev-code-payment-service.20206205.tech/api/subscriptions/payment-return\"}""#,
        r#""embed_data":"{\"redirecturl\":\"https:\\/\\/shop.example\\/r?a=1\u0026b=2\"}""#,
    );
    let payment = payment(&data);
    let embed: serde_json::Value = serde_json::from_str(payment.embed_data.as_str()).unwrap();
    assert_eq!(embed["redirecturl"], "https://shop.example/r?a=1&b=2");
}

#[test]
fn a_missing_money_field_is_named() {
    for field in [
        "app_id",
        "app_trans_id",
        "zp_trans_id",
        "amount",
        "server_time",
    ] {
        let mut value: serde_json::Value = serde_json::from_str(CAPTURED_DATA).unwrap();
        value.as_object_mut().unwrap().remove(field);
        let message = refusal(&value.to_string());
        assert!(
            message.contains(&format!("`{field}`")) && message.contains("missing"),
            "{field}: {message}"
        );
    }
}

#[test]
fn a_malformed_money_field_is_named() {
    for (field, bad) in [
        ("zp_trans_id", r#""not a number""#),
        ("amount", "[1]"),
        ("app_id", r#""2553x""#),
        ("server_time", "{}"),
        ("app_trans_id", "{}"),
    ] {
        let mut value: serde_json::Value = serde_json::from_str(CAPTURED_DATA).unwrap();
        value[field] = serde_json::from_str(bad).unwrap();
        let message = refusal(&value.to_string());
        assert!(
            message.contains(&format!("`{field}`")),
            "{field}: {message}"
        );
    }
}

#[test]
fn agreement_callbacks_are_read_tolerantly_and_name_a_bad_status() {
    let data = r#"{"app_id":"2553","app_trans_id":"260418_bind","binding_id":123,"status":"1","pay_token":"TOKEN","server_time":"1776479960423","extra":{"x":1}}"#;
    let body = sign_callback(&keys(), data, 2);
    let Callback::Agreement(agreement) =
        verify_callback(&keys(), Some(2553), body.as_bytes()).unwrap()
    else {
        panic!("expected an agreement callback");
    };
    assert_eq!(agreement.pay_token.as_deref(), Some("TOKEN"));
    assert_eq!(agreement.binding_id.as_deref(), Some("123"));
    assert_eq!(agreement.server_time, Some(1_776_479_960_423));

    let body = sign_callback(&keys(), r#"{"status":"yes"}"#, 2);
    let error = verify_callback(&keys(), Some(2553), body.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("`status`"), "{error}");
    let body = sign_callback(&keys(), r#"{"pay_token":"T"}"#, 2);
    let error = verify_callback(&keys(), Some(2553), body.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("`status`"), "{error}");
}
