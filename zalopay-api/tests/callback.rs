//! Callback verification: the published known-answer vector, tampering, malformed bodies,
//! agreement callbacks and the reply bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::Keys;
use zalopay_api::callback::{
    AgreementStatus, Callback, CallbackError, CallbackReply, MAX_BODY_BYTES, sign_callback,
    verify_callback,
};

/// api-facts §19.2 (1): the `data` of the docs' callback sample, byte for byte.
const KAT_DATA: &str = r#"{"app_id":2553,"app_trans_id":"200904_2553_1598435687208","app_time":1599189392817,"app_user":"demo","amount":10000,"embed_data":"{\"merchantinfo\":\"embeddata123\",\"promotioninfo\":\"\"}","item":"[{\"itemid\":\"knb\",\"itemname\":\"kim nguyen bao\",\"itemprice\":198400,\"itemquantity\":1}]","zp_trans_id":200904000000389,"server_time":1599189413498,"channel":38,"merchant_user_id":"7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc","user_fee_amount":0,"discount_amount":0}"#;
const KAT_MAC: &str = "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67";

fn keys_2553() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

fn kat_body() -> String {
    serde_json::json!({ "data": KAT_DATA, "mac": KAT_MAC, "type": 1 }).to_string()
}

#[test]
fn published_vector_verifies_and_parses() {
    let callback = verify_callback(&keys_2553(), Some(2553), kat_body().as_bytes()).unwrap();
    let Callback::Payment(payment) = callback else {
        panic!("expected a payment callback");
    };
    assert_eq!(payment.app_id, 2553);
    assert_eq!(payment.app_trans_id, "200904_2553_1598435687208");
    assert_eq!(payment.app_time, Some(1_599_189_392_817));
    assert_eq!(payment.app_user, "demo");
    assert_eq!(payment.amount, 10_000);
    assert_eq!(
        payment.embed_data.as_str(),
        r#"{"merchantinfo":"embeddata123","promotioninfo":""}"#
    );
    assert_eq!(
        payment.item.as_str(),
        r#"[{"itemid":"knb","itemname":"kim nguyen bao","itemprice":198400,"itemquantity":1}]"#
    );
    assert_eq!(payment.zp_trans_id, 200_904_000_000_389);
    assert_eq!(payment.server_time, 1_599_189_413_498);
    assert_eq!(payment.channel, Some(38));
    assert_eq!(
        payment.merchant_user_id.as_deref(),
        Some("7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc")
    );
    assert_eq!(payment.user_fee_amount, Some(0));
    assert_eq!(payment.discount_amount, Some(0));
}

#[test]
fn sign_callback_reproduces_the_published_mac() {
    let body = sign_callback(&keys_2553(), KAT_DATA, 1);
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["mac"], KAT_MAC);
    assert_eq!(value["data"], KAT_DATA);
    assert_eq!(value["type"], 1);
}

#[test]
fn uppercase_mac_is_accepted() {
    let body = serde_json::json!({ "data": KAT_DATA, "mac": KAT_MAC.to_uppercase(), "type": 1 });
    assert!(verify_callback(&keys_2553(), None, body.to_string().as_bytes()).is_ok());
}

#[test]
fn any_changed_byte_of_data_is_a_bad_mac() {
    let keys = keys_2553();
    let bytes = KAT_DATA.as_bytes();
    for index in 0..bytes.len() {
        let mut tampered = bytes.to_vec();
        // Flip to another printable ASCII character so `data` stays a valid string.
        tampered[index] = if bytes[index] == b'0' { b'1' } else { b'0' };
        let data = String::from_utf8(tampered).unwrap();
        let body = serde_json::json!({ "data": data, "mac": KAT_MAC, "type": 1 }).to_string();
        assert_eq!(
            verify_callback(&keys, Some(2553), body.as_bytes()),
            Err(CallbackError::BadMac),
            "byte {index} changed"
        );
    }
}

#[test]
fn any_changed_mac_digit_is_a_bad_mac() {
    let keys = keys_2553();
    for index in 0..KAT_MAC.len() {
        let mut mac = KAT_MAC.as_bytes().to_vec();
        mac[index] = if mac[index] == b'a' { b'b' } else { b'a' };
        let mac = String::from_utf8(mac).unwrap();
        let body = serde_json::json!({ "data": KAT_DATA, "mac": mac, "type": 1 }).to_string();
        assert_eq!(
            verify_callback(&keys, None, body.as_bytes()),
            Err(CallbackError::BadMac),
            "mac digit {index} changed"
        );
    }
}

#[test]
fn wrong_key2_is_a_bad_mac() {
    let keys = Keys::new("x", "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf").unwrap();
    assert_eq!(
        verify_callback(&keys, None, kat_body().as_bytes()),
        Err(CallbackError::BadMac)
    );
}

#[test]
fn whitespace_in_the_envelope_does_not_matter() {
    let body = format!(
        "{{ \"type\" : 1 ,\n \"mac\": \"{KAT_MAC}\", \"data\": {} }}",
        serde_json::to_string(KAT_DATA).unwrap()
    );
    assert!(verify_callback(&keys_2553(), Some(2553), body.as_bytes()).is_ok());
}

#[test]
fn malformed_bodies_give_typed_errors() {
    let keys = keys_2553();
    let check = |body: &[u8]| verify_callback(&keys, Some(2553), body);

    assert!(matches!(check(b""), Err(CallbackError::NotJson(_))));
    assert!(matches!(
        check(b"data=x&mac=y"),
        Err(CallbackError::NotJson(_))
    ));
    assert!(matches!(check(b"[1,2]"), Err(CallbackError::NotJson(_))));
    assert!(matches!(check(b"\"x\""), Err(CallbackError::NotJson(_))));
    assert!(matches!(
        check(&[0xff, 0xfe, b'{']),
        Err(CallbackError::NotJson(_))
    ));
    assert!(matches!(
        check(b"{\"data\":"),
        Err(CallbackError::NotJson(_))
    ));

    assert_eq!(
        check(format!(r#"{{"mac":"{KAT_MAC}","type":1}}"#).as_bytes()),
        Err(CallbackError::MissingField("data"))
    );
    let data = serde_json::to_string(KAT_DATA).unwrap();
    assert_eq!(
        check(format!(r#"{{"data":{data},"type":1}}"#).as_bytes()),
        Err(CallbackError::MissingField("mac"))
    );
    // `data` as an object instead of a string.
    assert_eq!(
        check(format!(r#"{{"data":{KAT_DATA},"mac":"{KAT_MAC}","type":1}}"#).as_bytes()),
        Err(CallbackError::WrongType {
            field: "data",
            expected: "a string"
        })
    );
    assert_eq!(
        check(format!(r#"{{"data":{data},"mac":12,"type":1}}"#).as_bytes()),
        Err(CallbackError::WrongType {
            field: "mac",
            expected: "a string"
        })
    );
    assert_eq!(
        check(format!(r#"{{"data":{data},"mac":"{KAT_MAC}","type":"1"}}"#).as_bytes()),
        Err(CallbackError::WrongType {
            field: "type",
            expected: "an integer"
        })
    );
    assert_eq!(
        check(format!(r#"{{"data":{data},"mac":"not hex","type":1}}"#).as_bytes()),
        Err(CallbackError::BadMac)
    );
    assert_eq!(
        check(format!(r#"{{"data":{data},"mac":"","type":1}}"#).as_bytes()),
        Err(CallbackError::BadMac)
    );
}

#[test]
fn oversized_body_is_refused_before_parsing() {
    let mut body = vec![b' '; MAX_BODY_BYTES + 1];
    body[0] = b'{';
    assert_eq!(
        verify_callback(&keys_2553(), None, &body),
        Err(CallbackError::TooLarge {
            len: MAX_BODY_BYTES + 1,
            max: MAX_BODY_BYTES
        })
    );
}

#[test]
fn missing_type_means_payment() {
    let body = serde_json::json!({ "data": KAT_DATA, "mac": KAT_MAC }).to_string();
    assert!(matches!(
        verify_callback(&keys_2553(), Some(2553), body.as_bytes()),
        Ok(Callback::Payment(_))
    ));
}

#[test]
fn checks_after_the_mac() {
    let keys = keys_2553();
    // Valid MAC, unknown type.
    let body = sign_callback(&keys, KAT_DATA, 7);
    assert_eq!(
        verify_callback(&keys, None, body.as_bytes()),
        Err(CallbackError::UnknownType(7))
    );
    // Valid MAC, other app.
    assert_eq!(
        verify_callback(&keys, Some(2554), kat_body().as_bytes()),
        Err(CallbackError::WrongAppId {
            expected: 2554,
            got: 2553
        })
    );
    // Valid MAC, data not JSON / not an object.
    for data in ["not json", "[]"] {
        let body = sign_callback(&keys, data, 1);
        assert!(
            matches!(
                verify_callback(&keys, None, body.as_bytes()),
                Err(CallbackError::BadData(_))
            ),
            "{data}"
        );
    }
    // Valid MAC, a field money needs missing or unreadable: named.
    for (data, named) in [
        (r#"{"app_id":2553}"#, "app_trans_id"),
        (r#"{"amount":"x"}"#, "amount"),
    ] {
        let body = sign_callback(&keys, data, 1);
        match verify_callback(&keys, None, body.as_bytes()) {
            Err(CallbackError::BadField { field, .. }) => assert_eq!(field, named, "{data}"),
            other => panic!("{data}: {other:?}"),
        }
    }
    // A forged body with an unknown type is a bad MAC, not an unknown type.
    let forged = serde_json::json!({ "data": KAT_DATA, "mac": "00".repeat(32), "type": 7 });
    assert_eq!(
        verify_callback(&keys, None, forged.to_string().as_bytes()),
        Err(CallbackError::BadMac)
    );
}

#[test]
fn agreement_callbacks() {
    let keys = keys_2553();
    let data = r#"{"app_id":2553,"app_trans_id":"240102_1","binding_id":230407000001,"pay_token":"NJLHNTRLZDET","status":1,"msg_type":1,"server_time":1680848533,"masked_user_phone":"****6938","new_field":{"x":1}}"#;
    let body = sign_callback(&keys, data, 2);
    let Callback::Agreement(agreement) =
        verify_callback(&keys, Some(2553), body.as_bytes()).unwrap()
    else {
        panic!("expected an agreement callback");
    };
    assert_eq!(agreement.status, AgreementStatus::Confirmed);
    assert_eq!(agreement.pay_token.as_deref(), Some("NJLHNTRLZDET"));
    assert_eq!(agreement.binding_id.as_deref(), Some("230407000001"));
    assert_eq!(agreement.app_trans_id.as_deref(), Some("240102_1"));
    assert_eq!(agreement.masked_user_phone.as_deref(), Some("****6938"));
    assert_eq!(agreement.msg_type, Some(1));

    // Minimal sample shape: status and pay_token only; statuses 3 and 4.
    for (status, expected) in [
        ("3", AgreementStatus::Cancelled),
        ("\"4\"", AgreementStatus::Disabled),
        ("9", AgreementStatus::Other(9)),
    ] {
        let data = format!(r#"{{"status":{status},"pay_token":"t"}}"#);
        let body = sign_callback(&keys, &data, 2);
        match verify_callback(&keys, Some(2553), body.as_bytes()) {
            Ok(Callback::Agreement(a)) => assert_eq!(a.status, expected),
            other => panic!("{other:?}"),
        }
    }

    // Status is the one required field; another app's agreement is refused.
    let body = sign_callback(&keys, r#"{"pay_token":"t"}"#, 2);
    assert!(matches!(
        verify_callback(&keys, None, body.as_bytes()),
        Err(CallbackError::BadData(_))
    ));
    let body = sign_callback(&keys, r#"{"status":1,"app_id":"15847"}"#, 2);
    assert_eq!(
        verify_callback(&keys, Some(2553), body.as_bytes()),
        Err(CallbackError::WrongAppId {
            expected: 2553,
            got: 15847
        })
    );
}

#[test]
fn reply_bodies_are_exact() {
    assert_eq!(
        CallbackReply::success().to_json(),
        r#"{"return_code":1,"return_message":"success"}"#
    );
    assert_eq!(
        CallbackReply::reject("mac not equal").to_json(),
        r#"{"return_code":-1,"return_message":"mac not equal"}"#
    );
    assert_eq!(
        CallbackReply::retry_later("db \"down\"").to_json(),
        r#"{"return_code":0,"return_message":"db \"down\""}"#
    );
    assert_eq!(
        CallbackReply::already_processed().to_string(),
        r#"{"return_code":2,"return_message":"already processed"}"#
    );
    // Same as serde's rendering.
    let reply = CallbackReply::retry_later("x");
    assert_eq!(serde_json::to_string(&reply).unwrap(), reply.to_json());

    assert_eq!(
        CallbackReply::for_error(&CallbackError::BadMac),
        CallbackReply::reject("mac not equal")
    );
    assert_eq!(
        CallbackReply::for_error(&CallbackError::NotJson("x".into())).return_code,
        -1
    );
    assert_eq!(
        CallbackReply::for_error(&CallbackError::BadData("x".into())).return_code,
        0
    );
}

#[test]
fn errors_read_well() {
    assert_eq!(
        CallbackError::WrongAppId {
            expected: 1,
            got: 2
        }
        .to_string(),
        "callback is for app 2, expected app 1"
    );
    assert_eq!(
        CallbackError::MissingField("mac").to_string(),
        "callback field `mac` is missing"
    );
}
