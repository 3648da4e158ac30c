//! `POST /v2/create`: create an order and get the link / QR the buyer pays with.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Creates a payment order.
///
/// MAC (key1): `app_id|app_trans_id|app_user|amount|app_time|embed_data|item`.
/// `item` and `embed_data` are signed and sent as the same [`JsonString`] text.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "order.create", confidence = "C2", method = POST, host = openapi, path = "/v2/create", encoding = form, response = CreateOrderResponse, retry = same_id)]
#[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item])]
pub struct CreateOrder {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Who pays: user id, name or phone (≤ 50 chars; the app name if unknown).
    #[check(non_empty, max_len = 50)]
    pub app_user: String,
    /// The merchant's order id: `yyMMdd_` in Vietnam time, then unique text (≤ 40 chars).
    #[check(app_trans_id)]
    pub app_trans_id: AppTransId,
    /// When the order was created, Unix milliseconds (within 15 minutes of now).
    #[check(recent_ms)]
    #[zalopay(time)]
    pub app_time: Option<i64>,
    /// Seconds until the order expires (300 ..= 2 592 000; ZaloPay's default is 900).
    #[check(min = 300, max = 2592000)]
    pub expire_duration_seconds: Option<i64>,
    /// Amount in VND.
    #[check(positive)]
    pub amount: i64,
    /// The order's items as a JSON array (`[]` when empty).
    #[check(max_len = 2048)]
    #[zalopay(default = JsonString::empty_array())]
    pub item: JsonString,
    /// Shown to the buyer in the ZaloPay app (mandatory, ≤ 256 chars).
    #[check(non_empty, max_len = 256)]
    pub description: String,
    /// Merchant data as a JSON object (`{}` when empty); `redirecturl` and
    /// `preferred_payment_method` have meaning to ZaloPay.
    ///
    /// Checked at ≤ 2048 chars: the v2 overview says 1024, a copied table 2048 (api-facts §2
    /// `[?]`); the larger limit is checked so that no valid order is refused locally.
    #[check(max_len = 2048)]
    #[zalopay(default = JsonString::empty_object())]
    pub embed_data: JsonString,
    /// Payment method: `zalopayapp`, `CC`, a bank code, or empty for all.
    #[check(max_len = 20)]
    pub bank_code: Option<String>,
    /// Overrides the callback URL registered for the app, for this order only.
    pub callback_url: Option<String>,
    /// Service / sub-app id, for merchants that have one.
    #[check(max_len = 50)]
    pub sub_app_id: Option<String>,
    /// Order title.
    pub title: Option<String>,
    /// Device information as a JSON string.
    pub device_info: Option<JsonString>,
    /// Buyer's phone.
    pub phone: Option<String>,
    /// Buyer's email.
    pub email: Option<String>,
    /// Buyer's address.
    pub address: Option<String>,
    /// The product the order is paid with: `AGREEMENT` for an order that will be paid by
    /// [`AgreementPay`](crate::agreement::AgreementPay) with a bound wallet. Sent, not signed
    /// (the official SDK's spec; api-facts §2 `[?]`, specs/decisions.md).
    #[check(max_len = 50)]
    pub product_code: Option<String>,
}

impl CreateOrder {
    /// Marks the order as one to be paid by agreement pay (`product_code=AGREEMENT`).
    pub fn for_agreement_pay(mut self) -> Self {
        self.product_code = Some(PRODUCT_CODE_AGREEMENT.to_owned());
        self
    }
}

/// `product_code` of an order paid with a bound wallet through agreement pay.
pub const PRODUCT_CODE_AGREEMENT: &str = "AGREEMENT";

/// The answer to [`CreateOrder`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CreateOrderResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Link to the payment page / app; show it as a link or a QR code.
    #[serde(default)]
    pub order_url: Option<String>,
    /// Transaction token (input to the app SDKs and to agreement pay).
    #[serde(default)]
    pub zp_trans_token: Option<String>,
    /// Same value as `zp_trans_token` in every documented example.
    #[serde(default)]
    pub order_token: Option<String>,
    /// EMVCo / VietQR payload, payable by ZaloPay and banking apps.
    #[serde(default)]
    pub qr_code: Option<String>,
    /// Link to ZaloPay's web cashier page, for payment in a desktop browser (`order_url` is
    /// the app / deep link). Seen in many integrations, in no official page (facts-update §A7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_order_url: Option<String>,
}

crate::default_gateway_response!(CreateOrderResponse);
