//! Property tests (proptest, 64 cases each).
//!
//! 1. For every operation the SDK types, with random field values (unicode, `|` and URL
//!    metacharacters inside values, empty strings, amounts up to `i64::MAX`, JSON texts with
//!    unusual spacing), the signature sent equals an **independent reference**: the MAC input
//!    is rebuilt from `specs/zalopay.openapi.json`'s `x-zalopay.mac.fields` using the values
//!    decoded back out of the *encoded* request (form body, JSON body or query string), the
//!    key text for `@key`, the struct's raw value for `name!`, leaving `name?` out when the
//!    parameter is absent; it is HMAC-ed with the `hmac` crate directly and compared with the
//!    `mac` parameter (top-up's `sig`: RSA over that hex with the public test key).
//! 2. `sign_callback` → `verify_callback` and `sign_redirect` → `verify_redirect` give back
//!    what was signed, and any one-character change in the data, the values or the MAC makes
//!    verification fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use zalopay_api::ids::{AppTransId, BindingId, MRefundId, PartnerOrderId, PayToken, ZpTransToken};

use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::{Value, json};
use sha2::Sha256;
use zalopay_api::agreement::*;
use zalopay_api::banks::ListBanks;
use zalopay_api::callback::{
    AgreementStatus, Callback, CallbackError, PaymentCallback, sign_callback, verify_callback,
};
use zalopay_api::disbursement::*;
use zalopay_api::hybrid::HybridPay;
use zalopay_api::order::*;
use zalopay_api::quickpay::{PaymentCode, QuickPay};
use zalopay_api::redirect::{Redirect, RedirectError, sign_redirect, verify_redirect};
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;
use zalopay_api::{Config, Encoding, Endpoint, Environment, Error, JsonString, Keys};

const CASES: u32 = 64;
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/zalopay.openapi.json");

// ---------------------------------------------------------------------------------------------
// Random values

/// Strings that stress MAC assembly and encoding: empty, plain ids, separators and URL
/// metacharacters, any non-control unicode, and anything at all (controls, NUL, newlines).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z0-9_]{1,20}",
        "[a-z0-9|&=+%#?/ ;,\"'\\\\]{0,16}",
        "\\PC{0,24}",
        "(?s).{0,24}",
        Just("Nguyễn Văn A|VIP".to_owned()),
        Just("Thanh toán đơn hàng #1 | 50.000₫ 🎉".to_owned()),
    ]
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(i64::MAX),
        1i64..10_000_000,
        0i64..=i64::MAX,
        any::<i64>(),
    ]
}

fn whitespace() -> impl Strategy<Value = String> {
    "[ \t\r\n]{0,3}"
}

fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("1.50e3".to_owned()),
        Just("[ ]".to_owned()),
    ]
}

/// A JSON object as text, with random spacing around every token (kept byte for byte).
fn json_object() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((text(), json_scalar(), whitespace(), whitespace()), 0..4),
        whitespace(),
        whitespace(),
    )
        .prop_map(|(pairs, open, close)| {
            let body: Vec<String> = pairs
                .into_iter()
                .map(|(key, value, a, b)| {
                    format!(
                        "{a}{}{b}:{a}{value}{b}",
                        serde_json::to_string(&key).unwrap()
                    )
                })
                .collect();
            format!("{open}{{{open}{}{close}}}{close}", body.join(","))
        })
}

fn json_array() -> impl Strategy<Value = String> {
    (prop::collection::vec(json_object(), 0..3), whitespace())
        .prop_map(|(items, ws)| format!("[{ws}{}{ws}]", items.join(&format!("{ws},"))))
}

fn json_text() -> impl Strategy<Value = JsonString> {
    prop_oneof![json_object(), json_array()].prop_map(|t| JsonString::from_raw(t).unwrap())
}

/// Random ids and tokens, each of a valid shape (their types refuse any other) but with every
/// character the shape allows: `|`, `&`, `=`, `+`, `%`, `#`, `?` in the opaque tokens.
#[derive(Debug, Clone)]
struct Ids {
    trans: AppTransId,
    refund: MRefundId,
    partner: PartnerOrderId,
    zp_token: ZpTransToken,
    pay_token: PayToken,
    binding: BindingId,
}

fn ids() -> impl Strategy<Value = Ids> {
    (
        "[0-9]{6}_[A-Za-z0-9_.-]{1,33}",
        "[0-9]{6}_[0-9]{1,10}_[A-Za-z0-9_.-]{1,27}",
        "[A-Za-z0-9_.-]{1,50}",
        prop::array::uniform3("[!-~]{1,64}"),
    )
        .prop_map(|(trans, refund, partner, [zp, pay, binding])| Ids {
            trans: AppTransId::try_from(trans).unwrap(),
            refund: MRefundId::try_from(refund).unwrap(),
            partner: PartnerOrderId::try_from(partner).unwrap(),
            zp_token: ZpTransToken::try_from(zp).unwrap(),
            pay_token: PayToken::try_from(pay).unwrap(),
            binding: BindingId::try_from(binding).unwrap(),
        })
}

/// A bag of random values the request builders draw from.
#[derive(Debug, Clone)]
struct Bag {
    id: Ids,
    s: [String; 8],
    o: [Option<String>; 4],
    n: [i64; 4],
    app_id: i64,
    time: i64,
    obj: [JsonString; 2],
    arr: JsonString,
    opt_json: Option<JsonString>,
    opt_n: Option<i64>,
    pick: u8,
}

fn bag() -> impl Strategy<Value = Bag> {
    (
        prop::array::uniform8(text()),
        prop::array::uniform4(prop::option::of(text())),
        prop::array::uniform4(amount()),
        (any::<i64>(), amount()),
        (
            prop::array::uniform2(json_object().prop_map(|t| JsonString::from_raw(t).unwrap())),
            json_array().prop_map(|t| JsonString::from_raw(t).unwrap()),
            prop::option::of(json_text()),
        ),
        (prop::option::of(amount()), any::<u8>(), ids()),
    )
        .prop_map(
            |(s, o, n, (app_id, time), (obj, arr, opt_json), (opt_n, pick, id))| Bag {
                id,
                s,
                o,
                n,
                app_id,
                time,
                obj,
                arr,
                opt_json,
                opt_n,
                pick,
            },
        )
}

fn keys() -> impl Strategy<Value = Keys> {
    prop_oneof![
        Just((
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL".to_owned(),
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz".to_owned()
        )),
        ("[ -~]{1,48}", "[ -~]{1,48}"),
        ("\\PC{1,20}", "\\PC{1,20}"),
    ]
    .prop_map(|(k1, k2)| Keys::new(k1, k2).unwrap())
}

// ---------------------------------------------------------------------------------------------
// The independent reference

struct SpecOp {
    encoding: String,
    fields: Vec<String>,
    key: String,
    param: String,
    scheme: String,
}

fn spec() -> &'static BTreeMap<String, SpecOp> {
    static SPEC_OPS: OnceLock<BTreeMap<String, SpecOp>> = OnceLock::new();
    SPEC_OPS.get_or_init(|| {
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(SPEC).unwrap()).unwrap();
        let mut out = BTreeMap::new();
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let x = &op["x-zalopay"];
                let text = |v: &Value| v.as_str().unwrap().to_owned();
                out.insert(
                    id.to_owned(),
                    SpecOp {
                        encoding: text(&x["encoding"]),
                        fields: x["mac"]["fields"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(text)
                            .collect(),
                        key: text(&x["mac"]["key"]),
                        param: text(&x["mac"]["param"]),
                        scheme: text(&x["mac"]["scheme"]),
                    },
                );
            }
        }
        out
    })
}

/// The parameters as they went on the wire, decoded back into a map.
fn wire_params(
    encoding: &str,
    prepared: &zalopay_api::PreparedRequest,
) -> BTreeMap<String, String> {
    let pairs: Vec<(String, String)> = match encoding {
        "form" => serde_urlencoded::from_bytes(&prepared.body).unwrap(),
        "query" => {
            let (_, query) = prepared.url.split_once('?').unwrap();
            serde_urlencoded::from_str(query).unwrap()
        }
        "json" => {
            let Value::Object(object) = serde_json::from_slice(&prepared.body).unwrap() else {
                panic!("JSON body is not an object")
            };
            object
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect()
        }
        other => panic!("unknown encoding {other}"),
    };
    let mut map = BTreeMap::new();
    for (name, value) in pairs {
        assert!(
            map.insert(name.clone(), value).is_none(),
            "`{name}` sent twice"
        );
    }
    map
}

fn reference_input(
    op: &SpecOp,
    params: &BTreeMap<String, String>,
    key: &str,
    unsent: &[(&str, &str)],
) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for field in &op.fields {
        if field == "@key" {
            segments.push(key);
        } else if let Some(name) = field.strip_suffix('!') {
            let (_, value) = unsent
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no raw value given for `{field}`"));
            segments.push(value);
        } else if let Some(name) = field.strip_suffix('?') {
            if let Some(value) = params.get(name) {
                segments.push(value);
            }
        } else {
            segments.push(params.get(field.as_str()).map_or("", String::as_str));
        }
    }
    segments.join("|")
}

fn hmac_hex(key: &str, input: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(feature = "rsa")]
const TEST_RSA_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

/// A payment code made from random text: its printable ASCII, at most 53 bytes (what the
/// type accepts), or `0`.
fn payment_code(text: &str) -> PaymentCode {
    let code: String = text
        .chars()
        .filter(char::is_ascii_graphic)
        .take(zalopay_api::quickpay::PAYMENT_CODE_MAX_LEN)
        .collect();
    PaymentCode::new(if code.is_empty() {
        "0".to_owned()
    } else {
        code
    })
    .unwrap()
}

/// Stands in for ZaloPay's (randomised) RSA encryption: the MAC never covers the encrypted
/// code, and the wire must carry exactly what the encryptor returned.
struct MarkedEncryptor;

impl zalopay_api::fill::Encryptor for MarkedEncryptor {
    fn encrypt(&self, _field: &'static str, plain: &[u8]) -> Result<String, Error> {
        Ok(format!("enc:{}", plain.len()))
    }
}

/// A client for `app_id`: the app the random request is for (a client refuses requests for
/// another app before signing them).
fn config(keys: &Keys, app_id: i64) -> Config {
    #[allow(unused_mut)]
    let mut config = Config::new(
        app_id,
        keys.clone(),
        Environment::Custom("http://127.0.0.1:9".to_owned()),
    )
    .with_encryptor(std::sync::Arc::new(MarkedEncryptor));
    #[cfg(feature = "rsa")]
    {
        config = config.with_rsa_key(
            zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap(),
        );
    }
    config
}

/// Checks one request against the reference. `Ok(false)` when the SDK refused to send it
/// (field validation): nothing was signed, so there is nothing to compare.
fn check<R: Endpoint + std::fmt::Debug>(
    id: &str,
    request: &R,
    keys: &Keys,
    unsent: &[(&str, &str)],
    app_id: i64,
) -> Result<bool, TestCaseError> {
    let op = spec()
        .get(id)
        .unwrap_or_else(|| panic!("`{id}` is not in the spec"));
    prop_assert_eq!(R::ENCODING.as_str(), op.encoding.as_str());
    let prepared =
        match zalopay_api::client::prepare(&config(keys, app_id), request, &mut String::new()) {
            Ok(prepared) => prepared,
            Err(Error::InvalidField { .. }) => return Ok(false),
            Err(other) => return Err(TestCaseError::fail(format!("prepare failed: {other}"))),
        };
    if R::ENCODING == Encoding::Query {
        prop_assert!(prepared.body.is_empty());
    }
    let params = wire_params(&op.encoding, &prepared);
    let key = match op.key.as_str() {
        "key1" => keys.key1.expose(),
        "key2" => keys.key2.expose(),
        other => panic!("unknown key {other}"),
    };
    let input = reference_input(op, &params, key, unsent);
    prop_assert_eq!(
        &input,
        &zalopay_api::SignedRequest::mac_input(request, keys),
        "MAC input"
    );
    let expected = hmac_hex(key, &input);
    let sent = params
        .get(&op.param)
        .unwrap_or_else(|| panic!("`{}` not sent", op.param));
    match op.scheme.as_str() {
        "hmac" => prop_assert_eq!(sent, &expected, "mac for input {:?}", input),
        #[cfg(feature = "rsa")]
        "hmac_then_rsa_sha256" => {
            let key = zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap();
            // PKCS#1 v1.5 is deterministic: the same hex signs to the same text.
            prop_assert_eq!(sent, &key.sign_base64(expected.as_bytes()).unwrap());
        }
        other => panic!("scheme {other} not handled"),
    }
    Ok(true)
}

/// Runs `CASES` cases of `test` on a thread with a large stack: the composed strategies
/// (unicode regexes inside nested tuples) need more than the 2 MiB default in debug builds.
fn run_cases<S, F>(name: &str, strategy: S, test: F)
where
    S: Strategy + Send + 'static,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
{
    let name = name.to_owned();
    let outcome = std::thread::Builder::new()
        .name(name.clone())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let mut runner = TestRunner::new(ProptestConfig {
                cases: CASES,
                failure_persistence: None,
                ..ProptestConfig::default()
            });
            runner.run(&strategy, test).map_err(|e| e.to_string())
        })
        .unwrap()
        .join()
        .unwrap();
    if let Err(e) = outcome {
        panic!("{name}: {e}");
    }
}

/// Runs `CASES` random requests of one operation through [`check`].
fn property<R, F>(id: &'static str, build: F)
where
    R: Endpoint + std::fmt::Debug,
    F: Fn(&Bag) -> (R, Vec<(&'static str, String)>) + Send + 'static,
{
    let checked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = checked.clone();
    run_cases(id, (bag(), keys()), move |(bag, keys)| {
        let (request, unsent) = build(&bag);
        let unsent: Vec<(&str, &str)> = unsent.iter().map(|(n, v)| (*n, v.as_str())).collect();
        if check(id, &request, &keys, &unsent, bag.app_id)? {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    assert!(
        checked.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "{id}: every random request was refused by validation; nothing was compared"
    );
}

fn none() -> Vec<(&'static str, String)> {
    Vec::new()
}

const COVERED: &[&str] = &[
    "order.create",
    "order.query",
    "order.cancel",
    "refund.create",
    "refund.query",
    "banks.list",
    "quickpay.create",
    "agreement.bind",
    "agreement.query",
    "agreement.unbind",
    "agreement.balance",
    "agreement.pay",
    "agreement.query_user",
    "tokenization.bind",
    "tokenization.query",
    "hybrid.pay",
    "disbursement.balance",
    "disbursement.user",
    "disbursement.topup",
    "disbursement.txn",
    "disbursement.verify_account",
    "disbursement.transfer_fund",
    "disbursement.query_txn",
    "disbursement.bank_codes",
    "zod.create",
    "zod.invoice",
    "zod.status",
];

#[test]
fn every_spec_operation_has_a_property() {
    let in_spec: BTreeSet<&str> = spec().keys().map(String::as_str).collect();
    let covered: BTreeSet<&str> = COVERED.iter().copied().collect();
    assert_eq!(in_spec, covered);
}

// ---------------------------------------------------------------------------------------------
// One property per operation

#[test]
fn order_create() {
    property("order.create", |b| {
        let mut r = CreateOrder::builder()
            .app_id(b.app_id)
            .app_trans_id(b.id.trans.clone())
            .app_user(&b.s[1])
            .amount(b.n[0])
            .app_time(b.time)
            .description(&b.s[2])
            .build();
        r.embed_data = b.obj[0].clone();
        r.item = b.arr.clone();
        r.expire_duration_seconds = b.opt_n;
        r.bank_code = b.o[0].clone();
        r.callback_url = b.o[1].clone();
        r.title = b.o[2].clone();
        r.device_info = b.opt_json.clone();
        r.phone = b.o[3].clone();
        r.sub_app_id = (b.pick & 1 == 1).then(|| b.s[3].clone());
        r.email = (b.pick & 2 == 2).then(|| b.s[4].clone());
        r.address = (b.pick & 4 == 4).then(|| b.s[5].clone());
        (r, none())
    });
}

#[test]
fn order_query() {
    property("order.query", |b| {
        (
            QueryOrder::builder()
                .app_id(b.app_id)
                .app_trans_id(b.id.trans.clone())
                .build(),
            none(),
        )
    });
}

#[test]
fn order_cancel() {
    property("order.cancel", |b| {
        (
            CancelOrder::builder()
                .app_id(b.app_id)
                .app_trans_id(b.id.trans.clone())
                .build(),
            none(),
        )
    });
}

#[test]
fn refund_create() {
    property("refund.create", |b| {
        let r = RefundOrder::builder()
            .app_id(b.app_id)
            .m_refund_id(b.id.refund.clone())
            .zp_trans_id(b.n[0])
            .amount(b.n[1])
            .timestamp(b.time)
            .description(&b.s[1])
            .build();
        // Both with and without the fee: `refund_fee_amount?` drops out with its separator.
        let r = match b.opt_n {
            Some(fee) => r.with_fee(fee),
            None => r,
        };
        (r, none())
    });
}

#[test]
fn refund_query() {
    property("refund.query", |b| {
        (
            QueryRefund::builder()
                .app_id(b.app_id)
                .m_refund_id(b.id.refund.clone())
                .timestamp(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn banks_list() {
    property("banks.list", |b| {
        let mut r = ListBanks::builder()
            .app_id(b.app_id.to_string())
            .req_time(b.time.to_string())
            .build();
        if b.pick & 1 == 1 {
            r.app_id = Some(b.s[0].clone());
            r.req_time = Some(b.s[1].clone());
        }
        (r, none())
    });
}

#[test]
fn quickpay_create() {
    property("quickpay.create", |b| {
        let mut r = QuickPay::builder()
            .app_id(b.app_id)
            .app_trans_id(b.id.trans.clone())
            .app_user(&b.s[1])
            .amount(b.n[0])
            .app_time(b.time)
            .payment_code_raw(payment_code(&b.s[2]))
            .build();
        r.embed_data = b.obj[0].clone();
        r.item = b.arr.clone();
        r.description = b.o[0].clone();
        r.callback_url = b.o[1].clone();
        r.redirect_url = b.o[2].clone();
        r.device_info = b.o[3].clone();
        r.title = (b.pick & 1 == 1).then(|| b.s[4].clone());
        r.user_ip = (b.pick & 2 == 2).then(|| b.s[5].clone());
        r.currency = (b.pick & 4 == 4).then(|| "VND".to_owned());
        // `payment_code_raw!`: signed, never sent.
        let raw = r.payment_code_raw.expose().to_owned();
        (r, vec![("payment_code_raw", raw)])
    });
}

#[test]
fn agreement_bind() {
    property("agreement.bind", |b| {
        let mut r = AgreementBind::builder()
            .app_id(b.app_id)
            .app_trans_id(b.id.trans.clone())
            .identifier(&b.s[1])
            .req_date(b.time)
            .build();
        r.max_amount = b.opt_n;
        r.binding_type = b.o[0].clone();
        r.binding_data = b.opt_json.clone();
        r.redirect_url = b.o[1].clone();
        r.redirect_deep_link = b.o[2].clone();
        r.callback_url = b.o[3].clone();
        (r, none())
    });
}

#[test]
fn agreement_query() {
    property("agreement.query", |b| {
        (
            AgreementQuery::builder()
                .app_id(b.app_id)
                .app_trans_id(b.id.trans.clone())
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn agreement_unbind() {
    property("agreement.unbind", |b| {
        (
            AgreementUnbind::builder()
                .app_id(b.app_id)
                .identifier(&b.s[0])
                .binding_id(b.id.binding.clone())
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn agreement_balance() {
    property("agreement.balance", |b| {
        (
            AgreementBalance::builder()
                .app_id(b.app_id)
                .identifier(&b.s[0])
                .pay_token(b.id.pay_token.clone())
                .amount(b.n[0])
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn agreement_pay() {
    property("agreement.pay", |b| {
        (
            AgreementPay::builder()
                .app_id(b.app_id)
                .identifier(&b.s[0])
                .zp_trans_token(b.id.zp_token.clone())
                .pay_token(b.id.pay_token.clone())
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn agreement_query_user() {
    property("agreement.query_user", |b| {
        (
            AgreementQueryUser::builder()
                .app_id(b.app_id)
                .access_token(b.id.pay_token.clone())
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn tokenization_bind() {
    property("tokenization.bind", |b| {
        let binding_type = if b.pick & 1 == 1 {
            TokenBindingType::Wallet
        } else {
            TokenBindingType::Card
        };
        let mode = if b.pick & 2 == 2 {
            BindingMode::Bind
        } else {
            BindingMode::BindAndPay
        };
        let device = if b.pick & 4 == 4 {
            DeviceType::Mobile
        } else {
            DeviceType::Desktop
        };
        let mut r = TokenizationBind::builder()
            .app_id(b.app_id)
            .app_trans_id(b.id.trans.clone())
            .identifier(&b.s[1])
            .binding_type(binding_type)
            .binding_mode(mode)
            .device_type(device)
            .req_date(b.time)
            .build();
        r.binding_data = b.obj[0].clone();
        r.payment_data = b.obj[1].clone();
        (r, none())
    });
}

#[test]
fn tokenization_query() {
    property("tokenization.query", |b| {
        (
            TokenizationQuery::builder()
                .app_id(b.app_id)
                .app_trans_id(b.id.trans.clone())
                .req_date(b.time)
                .build(),
            none(),
        )
    });
}

#[test]
fn hybrid_pay() {
    property("hybrid.pay", |b| {
        let r = HybridPay {
            app_id: Some(b.app_id),
            identifier: b.s[0].clone(),
            pay_token: b.id.pay_token.clone(),
            app_user: b.s[2].clone(),
            app_trans_id: b.id.trans.clone(),
            app_time: Some(b.time),
            amount: b.n[0],
            description: b.s[4].clone(),
            item: b.arr.clone(),
            embed_data: b.obj[0].clone(),
        };
        (r, none())
    });
}

#[test]
fn disbursement_balance() {
    property("disbursement.balance", |b| {
        let mut r = DisbursementBalance::builder()
            .app_id(b.app_id)
            .payment_id(&b.s[0])
            .time(b.time)
            .build();
        r.request_id = b.o[0].clone();
        (r, none())
    });
}

#[test]
fn disbursement_user() {
    property("disbursement.user", |b| {
        let mut r = DisbursementUser::builder()
            .app_id(b.app_id)
            .phone(&b.s[0])
            .time(b.time)
            .build();
        r.request_id = b.o[0].clone();
        (r, none())
    });
}

#[cfg(feature = "rsa")]
#[test]
fn disbursement_topup() {
    property("disbursement.topup", |b| {
        let mut r = DisbursementTopup::builder()
            .app_id(b.app_id)
            .payment_id(&b.s[0])
            .partner_order_id(b.id.partner.clone())
            .m_u_id(&b.s[2])
            .amount(b.n[0])
            .description(&b.s[3])
            .time(b.time)
            .build();
        r.partner_embed_data = b.obj[0].clone();
        r.extra_info = b.obj[1].clone();
        r.reference_id = b.o[0].clone();
        (r, none())
    });
}

#[test]
fn disbursement_txn() {
    property("disbursement.txn", |b| {
        (
            DisbursementTxn::builder()
                .app_id(b.app_id)
                .partner_order_id(b.id.partner.clone())
                .time(b.time)
                .build(),
            none(),
        )
    });
}

fn disbursement_type(b: &Bag) -> DisbursementType {
    if b.pick & 1 == 1 {
        DisbursementType::Wallet
    } else {
        DisbursementType::Bank
    }
}

#[test]
fn disbursement_verify_account() {
    property("disbursement.verify_account", |b| {
        let mut builder = VerifyAccount::builder()
            .app_id(b.app_id)
            .disbursement_type(disbursement_type(b))
            .receiver_info(b.s[0].clone())
            .amount(b.n[0])
            .time(b.time);
        if let Some(url) = &b.o[0] {
            builder = builder.redirect_url(url.clone());
        }
        (builder.build(), none())
    });
}

#[test]
fn disbursement_transfer_fund() {
    property("disbursement.transfer_fund", |b| {
        let r = TransferFund::builder()
            .app_id(b.app_id)
            .payment_id(b.s[0].clone())
            .partner_order_id(b.id.partner.clone())
            .disbursement_type(disbursement_type(b))
            .receiver_info(b.s[2].clone())
            .amount(b.n[0])
            .description(b.s[3].clone())
            .partner_embed_data(b.obj[0].clone())
            .extra_info(b.obj[1].clone())
            .time(b.time)
            .build();
        (r, none())
    });
}

#[test]
fn disbursement_query_txn() {
    property("disbursement.query_txn", |b| {
        let r = QueryTxn::builder()
            .app_id(b.app_id)
            .partner_order_id(b.id.partner.clone())
            .time(b.time)
            .build();
        (r, none())
    });
}

#[test]
fn disbursement_bank_codes() {
    property("disbursement.bank_codes", |b| {
        (
            BankCodes::builder().app_id(b.app_id).time(b.time).build(),
            none(),
        )
    });
}

#[test]
fn zod_create() {
    property("zod.create", |b| {
        let parcels: Vec<ZodOrderInfo> = (0..(b.pick % 3))
            .map(|i| ZodOrderInfo {
                tracking_number: b.s[2 + usize::from(i)].clone(),
                description: b.s[5].clone(),
                amount: b.n[1 + usize::from(i)],
            })
            .collect();
        let mut r = ZodCreateInvoice::builder()
            .app_id(b.app_id.to_string())
            .mc_ref_id(&b.s[0])
            .amount(b.n[0])
            .receiver(ZodReceiver {
                contact: b.s[1].clone(),
            })
            .order_info(parcels)
            .build();
        r.mc_ext_info = b.obj[0].clone();
        r.hub_id = b.o[0].clone();
        r.driver_id = b.o[1].clone();
        if b.pick & 8 == 8 {
            r.app_id = Some(b.s[6].clone());
        }
        (r, none())
    });
}

#[test]
fn zod_invoice() {
    property("zod.invoice", |b| {
        let mut r = ZodQueryInvoice::builder()
            .app_id(b.app_id.to_string())
            .mc_ref_id(&b.s[0])
            .build();
        if b.pick & 1 == 1 {
            r.app_id = Some(b.s[1].clone());
        }
        (r, none())
    });
}

#[test]
fn zod_status() {
    property("zod.status", |b| {
        let mut r = ZodQueryStatus::builder()
            .app_id(b.app_id.to_string())
            .mc_ref_id(&b.s[0])
            .build();
        if b.pick & 1 == 1 {
            r.app_id = Some(b.s[1].clone());
        }
        (r, none())
    });
}

// ---------------------------------------------------------------------------------------------
// Callback and redirect round trips

/// Replaces the character at `at` with a different one.
fn change_char(text: &str, at: Index, replacement: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let i = at.index(chars.len());
    let new = if chars[i] == replacement {
        if replacement == 'x' { 'y' } else { 'x' }
    } else {
        replacement
    };
    chars
        .iter()
        .enumerate()
        .map(|(j, c)| if j == i { new } else { *c })
        .collect()
}

/// Replaces the hex digit at `at` with a digit of another value (case does not count).
fn change_hex(mac: &str, at: Index, shift: u8) -> String {
    let mut bytes = mac.as_bytes().to_vec();
    let i = at.index(bytes.len());
    let value = (bytes[i] as char).to_digit(16).unwrap() as u8;
    let new = (value + 1 + shift % 15) % 16;
    bytes[i] = b"0123456789abcdef"[usize::from(new)];
    String::from_utf8(bytes).unwrap()
}

fn payment() -> impl Strategy<Value = PaymentCallback> {
    (bag(), any::<Option<i32>>(), any::<(i64, i64, i64)>()).prop_map(|(b, channel, t)| {
        let mut payment = PaymentCallback::new(b.app_id, b.s[0].clone(), t.0, b.n[0], t.1);
        payment.app_time = Some(b.time);
        payment.app_user = b.s[1].clone();
        payment.embed_data = b.obj[0].clone();
        payment.item = b.arr.clone();
        payment.channel = channel;
        payment.merchant_user_id = b.o[0].clone();
        payment.zp_user_id = b.o[0].clone();
        payment.user_fee_amount = Some(b.n[1]);
        payment.discount_amount = (t.2 % 2 == 0).then_some(t.2);
        payment
    })
}

#[test]
fn payment_callback_round_trips() {
    run_cases(
        "payment_callback_round_trips",
        (payment(), keys(), any::<bool>()),
        |(p, keys, pretty)| {
            let data = if pretty {
                serde_json::to_string_pretty(&p).unwrap()
            } else {
                serde_json::to_string(&p).unwrap()
            };
            let body = sign_callback(&keys, &data, 1);
            prop_assert_eq!(
                verify_callback(&keys, Some(p.app_id), body.as_bytes()),
                Ok(Callback::Payment(p.clone()))
            );
            // Another app's endpoint refuses it, after the MAC matched.
            let other = p.app_id.wrapping_add(1);
            prop_assert_eq!(
                verify_callback(&keys, Some(other), body.as_bytes()),
                Err(CallbackError::WrongAppId {
                    expected: other,
                    got: p.app_id
                })
            );
            Ok(())
        },
    );
}

#[test]
fn agreement_callback_round_trips() {
    run_cases(
        "agreement_callback_round_trips",
        (any::<i32>(), prop::option::of(text()), any::<i64>(), keys()),
        |(status, token, app_id, keys)| {
            let data = json!({"status": status, "pay_token": token, "app_id": app_id}).to_string();
            let body = sign_callback(&keys, &data, 2);
            let Ok(Callback::Agreement(agreement)) =
                verify_callback(&keys, Some(app_id), body.as_bytes())
            else {
                return Err(TestCaseError::fail(format!("{body} did not verify")));
            };
            prop_assert_eq!(agreement.status, AgreementStatus::from(status));
            prop_assert_eq!(agreement.status.code(), status);
            prop_assert_eq!(agreement.pay_token, token);
            prop_assert_eq!(agreement.app_id, Some(app_id));
            Ok(())
        },
    );
}

#[test]
fn callback_one_character_change_fails() {
    run_cases(
        "callback_one_character_change_fails",
        (
            payment(),
            keys(),
            any::<bool>(),
            any::<Index>(),
            any::<char>(),
            any::<u8>(),
        ),
        |(p, keys, in_mac, at, replacement, shift)| {
            let data = serde_json::to_string(&p).unwrap();
            let mac = keys.key2.mac(data.as_bytes()).to_string();
            let (data, mac) = if in_mac {
                (data, change_hex(&mac, at, shift))
            } else {
                (change_char(&data, at, replacement), mac)
            };
            let body = json!({"data": data, "mac": mac, "type": 1}).to_string();
            prop_assert_eq!(
                verify_callback(&keys, None, body.as_bytes()),
                Err(CallbackError::BadMac)
            );
            // And another key2 never verifies the untouched body.
            let other = Keys::new("other-key1", format!("{}x", keys.key2.expose())).unwrap();
            let good = sign_callback(&keys, &serde_json::to_string(&p).unwrap(), 1);
            prop_assert_eq!(
                verify_callback(&other, None, good.as_bytes()),
                Err(CallbackError::BadMac)
            );
            Ok(())
        },
    );
}

#[test]
fn redirect_round_trips() {
    run_cases(
        "redirect_round_trips",
        (
            bag(),
            any::<Option<i32>>(),
            any::<i32>(),
            keys(),
            any::<bool>(),
        ),
        |(b, pmcid, status, keys, question_mark)| {
            let redirect = Redirect {
                app_id: b.app_id,
                app_trans_id: b.s[0].clone(),
                pmcid,
                bank_code: b.s[1].clone(),
                amount: b.n[0],
                discount_amount: b.n[1],
                status,
            };
            let mut query = sign_redirect(&keys, &redirect);
            if question_mark {
                query.insert(0, '?');
            }
            prop_assert_eq!(verify_redirect(&keys, &query), Ok(redirect));
            Ok(())
        },
    );
}

#[test]
fn redirect_one_character_change_fails() {
    run_cases(
        "redirect_one_character_change_fails",
        (
            bag(),
            keys(),
            0usize..8,
            any::<Index>(),
            any::<char>(),
            any::<u8>(),
        ),
        |(b, keys, which, at, replacement, shift)| {
            let mut values = [
                b.app_id.to_string(),
                b.s[0].clone(),
                "38".to_owned(),
                b.s[1].clone(),
                b.n[0].to_string(),
                b.n[1].to_string(),
                "1".to_owned(),
            ];
            let mut checksum = hmac_hex(keys.key2.expose(), &values.join("|"));
            if which == 7 {
                checksum = change_hex(&checksum, at, shift);
            } else if values[which].is_empty() {
                values[which] = replacement.to_string();
            } else {
                values[which] = change_char(&values[which], at, replacement);
            }
            let names = [
                "appid",
                "apptransid",
                "pmcid",
                "bankcode",
                "amount",
                "discountamount",
                "status",
            ];
            let mut pairs: Vec<(&str, &str)> = names
                .iter()
                .copied()
                .zip(values.iter().map(String::as_str))
                .collect();
            pairs.push(("checksum", &checksum));
            let query = serde_urlencoded::to_string(&pairs).unwrap();
            prop_assert_eq!(
                verify_redirect(&keys, &query),
                Err(RedirectError::BadChecksum)
            );
            Ok(())
        },
    );
}
