//! `POST /v2/agreement/bind`: ask the buyer to bind their wallet.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Starts a wallet binding; the buyer confirms through one of the returned links.
///
/// MAC (key1): `app_id|app_trans_id|binding_data|binding_type|identifier|max_amount|req_date`
/// (absent optional values sign as empty text).
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.bind", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/bind", encoding = form, response = AgreementBindResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, binding_data, binding_type, identifier, max_amount, req_date])]
pub struct AgreementBind {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's binding request id (`yyMMdd_…`, ≤ 40 chars).
    #[check(app_trans_id)]
    pub app_trans_id: AppTransId,
    /// Request time, Unix milliseconds (within 15 minutes of now).
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
    /// The merchant's id for the buyer (user id, phone or email).
    #[check(non_empty)]
    pub identifier: String,
    /// Largest amount one payment may take, VND (default: the real balance).
    #[zalopay(default = Some(0))]
    pub max_amount: Option<i64>,
    /// Only `WALLET` is documented (the default).
    #[zalopay(default = Some("WALLET".to_owned()))]
    pub binding_type: Option<String>,
    /// What the buyer consents to, as a JSON string (`{}` in the samples).
    #[zalopay(default = Some(JsonString::empty_object()))]
    pub binding_data: Option<JsonString>,
    /// Desktop flow: page the buyer returns to.
    pub redirect_url: Option<String>,
    /// Mobile flow: deep link the buyer returns to.
    pub redirect_deep_link: Option<String>,
    /// Binding callback (`type = 2`) URL.
    pub callback_url: Option<String>,
}

/// The answer to [`AgreementBind`]. Sources disagree on the link fields' names, so both
/// variants are kept, all optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementBindResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Binding id (SDK OpenAPI file naming).
    #[serde(default)]
    pub binding_id: Option<String>,
    /// Binding page URL (SDK OpenAPI file naming).
    #[serde(default)]
    pub binding_url: Option<String>,
    /// Binding token (SDK mock / official sample naming).
    #[serde(default)]
    pub binding_token: Option<String>,
    /// Web / QR binding link.
    #[serde(default)]
    pub binding_qr_link: Option<String>,
    /// `zalopay://…?view=authorize&b=<token>` deep link.
    #[serde(default)]
    pub deep_link: Option<String>,
    /// Short link.
    #[serde(default)]
    pub short_link: Option<String>,
}

crate::default_gateway_response!(AgreementBindResponse);
