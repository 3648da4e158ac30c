//! `POST /v2/quick_pay`: charge a buyer by the payment code the merchant scanned from their
//! ZaloPay app.

use serde::{Deserialize, Serialize};

use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Charges the buyer whose payment code was scanned.
///
/// MAC (key1): `app_id|app_trans_id|app_user|amount|app_time|embed_data|item|payment_code_raw`
/// — the **raw** scanned code is signed (never sent); the RSA-encrypted code is sent as
/// `payment_code` (see `crate::rsa::ZaloPayPublicKey` with the `rsa` feature).
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "quickpay.create", confidence = "C1", method = POST, host = openapi, path = "/v2/quick_pay", encoding = form, response = QuickPayResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item, payment_code_raw])]
pub struct QuickPay {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Who pays (≤ 50 chars).
    #[check(non_empty, max_len = 50)]
    pub app_user: String,
    /// The merchant's order id: `yyMMdd_` in Vietnam time, then unique text (≤ 40 chars).
    #[check(app_trans_id)]
    pub app_trans_id: String,
    /// When the order was created, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub app_time: Option<i64>,
    /// Amount in VND.
    #[check(positive)]
    pub amount: i64,
    /// Merchant data as a JSON object (`{}` when empty).
    #[check(max_len = 2048)]
    #[zalopay(default = JsonString::empty_object())]
    pub embed_data: JsonString,
    /// The order's items as a JSON array (`[]` when empty; ≤ 1024 chars for quick pay,
    /// api-facts §13).
    #[check(max_len = 1024)]
    #[zalopay(default = JsonString::empty_array())]
    pub item: JsonString,
    /// The payment code, RSA-encrypted with ZaloPay's public key, base64.
    #[check(non_empty)]
    pub payment_code: String,
    /// The payment code as scanned: signed, never sent.
    #[wire(skip)]
    #[check(non_empty)]
    pub payment_code_raw: String,
    /// Order description (≤ 100 chars).
    #[check(max_len = 100)]
    pub description: Option<String>,
    /// Overrides the registered callback URL for this order.
    pub callback_url: Option<String>,
    /// Where to send the buyer afterwards.
    pub redirect_url: Option<String>,
    /// Device information (≤ 256 chars).
    #[check(max_len = 256)]
    pub device_info: Option<String>,
    /// Currency (default VND).
    pub currency: Option<String>,
    /// Order title (≤ 256 chars).
    #[check(max_len = 256)]
    pub title: Option<String>,
    /// The buyer's IP address.
    #[wire(rename = "userIP")]
    pub user_ip: Option<String>,
}

impl QuickPay {
    /// A quick-pay order with the mandatory fields, no items and empty `embed_data`.
    pub fn new(
        app_id: i64,
        app_trans_id: impl Into<String>,
        app_user: impl Into<String>,
        amount: i64,
        app_time: i64,
        payment_code_raw: impl Into<String>,
        payment_code_encrypted: impl Into<String>,
    ) -> Self {
        Self {
            app_id: Some(app_id),
            app_user: app_user.into(),
            app_trans_id: app_trans_id.into(),
            app_time: Some(app_time),
            amount,
            embed_data: JsonString::empty_object(),
            item: JsonString::empty_array(),
            payment_code: payment_code_encrypted.into(),
            payment_code_raw: payment_code_raw.into(),
            description: None,
            callback_url: None,
            redirect_url: None,
            device_info: None,
            currency: None,
            title: None,
            user_ip: None,
        }
    }
}

/// The answer to [`QuickPay`]. While `is_processing` (or `return_code` 3), poll
/// [`crate::order::QueryOrder`]. Field names of the v2 response are not confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct QuickPayResponse {
    /// Result codes (-322 payment code expired, -329 user cancelled).
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Whether the payment is still in progress.
    #[serde(default)]
    pub is_processing: bool,
    /// ZaloPay's transaction id, once paid.
    #[serde(default)]
    pub zp_trans_id: Option<i64>,
}

crate::default_gateway_response!(QuickPayResponse);
