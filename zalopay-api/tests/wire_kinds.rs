//! A parameter's `ParamKind` (what the catalog's untyped `prepare` puts in a JSON body) agrees
//! with what the typed client sends for the field's type: the SDK's ids and tokens are text
//! even when they look like numbers, whatever name the field's type is written under.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::*;
use zalopay_api::catalog::OperationInfo;
use zalopay_api::ids::{AppTransId, BindingId, PartnerOrderId, PayToken, ZpTransToken};
use zalopay_api::refund::ZpTransId;
use zalopay_api::{Environment, ParamKind, SignedRequest, ZaloPayRequest};

/// ZaloPay's transaction id under another name, as a merchant's own module may re-export it.
type TransId = ZpTransId;

/// An operation with every SDK id and token type, sent as JSON.
#[derive(Clone, ZaloPayRequest)]
#[endpoint(id = "test.tokens", confidence = "?", method = POST, host = openapi, path = "/v2/test/tokens", encoding = json, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id, zp_trans_id, trans_id, zp_trans_token, pay_token, binding_id, app_trans_id, partner_order_id, amount])]
pub struct Tokens {
    /// A number.
    pub app_id: i64,
    /// Text on the wire, numeric in responses.
    pub zp_trans_id: ZpTransId,
    /// The same id, written under another name.
    pub trans_id: Option<TransId>,
    /// An opaque token.
    pub zp_trans_token: ZpTransToken,
    /// An opaque token.
    pub pay_token: PayToken,
    /// An opaque id.
    pub binding_id: BindingId,
    /// A merchant id.
    pub app_trans_id: AppTransId,
    /// A merchant id.
    pub partner_order_id: PartnerOrderId,
    /// A number.
    pub amount: u32,
}

fn tokens() -> Tokens {
    Tokens {
        app_id: 2554,
        zp_trans_id: ZpTransId(230_407_000_006_575),
        trans_id: Some(ZpTransId(230_407_000_006_576)),
        // Opaque tokens that happen to be all digits (or JSON words) are still text.
        zp_trans_token: ZpTransToken::new("230407000006577").unwrap(),
        pay_token: PayToken::new("true").unwrap(),
        binding_id: BindingId::new("12345").unwrap(),
        app_trans_id: AppTransId::existing("230407_1").unwrap(),
        partner_order_id: PartnerOrderId::existing("42").unwrap(),
        amount: 50_000,
    }
}

#[test]
fn ids_and_tokens_are_text_and_numbers_are_integers() {
    let kinds: Vec<(&str, ParamKind)> = Tokens::PARAMS.iter().map(|p| (p.name, p.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("app_id", ParamKind::Integer),
            ("zp_trans_id", ParamKind::Text),
            ("trans_id", ParamKind::Text),
            ("zp_trans_token", ParamKind::Text),
            ("pay_token", ParamKind::Text),
            ("binding_id", ParamKind::Text),
            ("app_trans_id", ParamKind::Text),
            ("partner_order_id", ParamKind::Text),
            ("amount", ParamKind::Integer),
        ]
    );
}

#[test]
fn the_catalog_sends_the_json_body_the_typed_client_sends() {
    let config = fixture_config(2554, keys_2554(), Environment::Sandbox);
    let typed = zalopay_api::client::prepare_checked(&config, &tokens()).unwrap();
    let typed: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&typed.body).unwrap();

    // The same values as text, the way a tool (`zalopay call`) has them.
    let mut values = BTreeMap::new();
    let mut signature = String::new();
    for (name, value) in &typed {
        let text = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if name == "mac" {
            signature = text;
        } else {
            values.insert(name.clone(), text);
        }
    }
    let untyped = OperationInfo::of::<Tokens>()
        .prepare(&values, &signature, "https://sb-openapi.zalopay.vn")
        .unwrap();
    let untyped: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&untyped.body).unwrap();
    assert_eq!(untyped, typed);
    assert_eq!(typed["binding_id"], serde_json::json!("12345"));
    assert_eq!(typed["trans_id"], serde_json::json!("230407000006576"));
}
