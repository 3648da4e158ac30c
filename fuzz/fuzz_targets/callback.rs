//! `verify_callback` on hostile input.
//!
//! The first byte picks a mode:
//! * `0..=127` raw: the rest is the whole HTTP body, verified with the demo key2 (almost every
//!   input stops at the envelope or the MAC: that path must never panic);
//! * `128..=191` signed text: the rest (lossy UTF-8) is `data`, signed with key2 the way
//!   ZaloPay does, so the MAC passes and the `data` parser runs on arbitrary text;
//! * `192..=255` signed structure: an `arbitrary` payment/agreement object with fields of
//!   every JSON type, signed, so the typed parser sees plausible-but-wrong shapes.
//!
//! Invariants: no panic; a body signed with key2 never fails with `BadMac` or an envelope
//! error; a `BadMac` for the raw mode never carries parsed content.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use zalopay_api::Keys;
use zalopay_api::callback::{
    Callback, CallbackError, CallbackReply, sign_callback, verify_callback,
};

const APP_ID: i64 = 2553;

fn keys() -> Keys {
    // The public sandbox demo keys of app 2553 (api-facts §19.1).
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .expect("non-empty keys")
}

/// A JSON value of any type, biased towards the ones the callback fields use.
#[derive(Arbitrary, Debug)]
enum Field {
    Absent,
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    NumericText(i64),
    JsonText(Vec<(String, i32)>),
    Array(Vec<i64>),
    Object(Vec<(String, String)>),
}

impl Field {
    fn into_value(self) -> Option<Value> {
        Some(match self {
            Field::Absent => return None,
            Field::Null => Value::Null,
            Field::Bool(b) => json!(b),
            Field::Int(n) => json!(n),
            Field::UInt(n) => json!(n),
            Field::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Field::Text(s) => json!(s),
            Field::NumericText(n) => json!(n.to_string()),
            Field::JsonText(pairs) => {
                let object: Map<String, Value> =
                    pairs.into_iter().map(|(k, v)| (k, json!(v))).collect();
                json!(Value::Object(object).to_string())
            }
            Field::Array(items) => json!(items),
            Field::Object(pairs) => {
                Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
            }
        })
    }
}

const PAYMENT_FIELDS: &[&str] = &[
    "app_id",
    "app_trans_id",
    "app_time",
    "app_user",
    "amount",
    "embed_data",
    "item",
    "zp_trans_id",
    "server_time",
    "channel",
    "merchant_user_id",
    "zp_user_id",
    "user_fee_amount",
    "discount_amount",
];

const AGREEMENT_FIELDS: &[&str] = &[
    "status",
    "pay_token",
    "binding_id",
    "app_trans_id",
    "app_id",
    "merchant_user_id",
    "zp_user_id",
    "masked_user_phone",
    "server_time",
    "msg_type",
];

fn structured(u: &mut Unstructured<'_>) -> arbitrary::Result<(String, i64)> {
    let callback_type: i64 = match u.int_in_range(0u8..=9)? {
        0..=5 => 1,
        6..=8 => 2,
        _ => i64::arbitrary(u)?,
    };
    let names = if callback_type == 2 {
        AGREEMENT_FIELDS
    } else {
        PAYMENT_FIELDS
    };
    let mut object = Map::new();
    for name in names {
        if let Some(value) = Field::arbitrary(u)?.into_value() {
            object.insert((*name).to_owned(), value);
        }
    }
    // Sometimes a well-formed payment, so the success path and the app id check run too.
    if callback_type == 1 && bool::arbitrary(u)? {
        for (name, value) in [
            (
                "app_id",
                json!(if bool::arbitrary(u)? { APP_ID } else { 1 }),
            ),
            ("app_trans_id", json!(String::arbitrary(u)?)),
            ("app_time", json!(i64::arbitrary(u)?)),
            ("amount", json!(i64::arbitrary(u)?)),
            ("zp_trans_id", json!(i64::arbitrary(u)?)),
            ("server_time", json!(i64::arbitrary(u)?)),
        ] {
            object.insert(name.to_owned(), value);
        }
    }
    let text = if bool::arbitrary(u)? {
        serde_json::to_string_pretty(&Value::Object(object))
    } else {
        serde_json::to_string(&Value::Object(object))
    }
    .unwrap_or_default();
    Ok((text, callback_type))
}

fn check_signed(keys: &Keys, body: &str) {
    match verify_callback(keys, Some(APP_ID), body.as_bytes()) {
        Err(
            e @ (CallbackError::BadMac
            | CallbackError::NotJson(_)
            | CallbackError::MissingField(_)
            | CallbackError::WrongType { .. }),
        ) => panic!("a body signed with key2 was refused before its data: {e}"),
        Err(CallbackError::TooLarge { .. }) => {}
        Err(e) => {
            let _ = CallbackReply::for_error(&e).to_json();
        }
        Ok(callback) => {
            if let Callback::Payment(p) = &callback {
                assert_eq!(p.app_id, APP_ID, "wrong app id accepted");
            }
            let _ = callback.app_trans_id();
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let keys = keys();
    match mode {
        0..=127 => {
            let result = verify_callback(&keys, Some(APP_ID), rest);
            let _ = verify_callback(&keys, None, rest);
            if let Err(e) = &result {
                let _ = CallbackReply::for_error(e).to_json();
                let _ = e.to_string();
            }
        }
        128..=191 => {
            let data = String::from_utf8_lossy(rest);
            let callback_type = i64::from(mode % 3);
            check_signed(&keys, &sign_callback(&keys, &data, callback_type));
        }
        _ => {
            let mut u = Unstructured::new(rest);
            if let Ok((data, callback_type)) = structured(&mut u) {
                check_signed(&keys, &sign_callback(&keys, &data, callback_type));
            }
        }
    }
});
