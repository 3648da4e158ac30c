//! `POST /v2/disbursement/topup`: pay money into a user's wallet.

use crate::ids::PartnerOrderId;
use serde::{Deserialize, Serialize};

use super::{DisbursementOrder, DisbursementStatus};
use crate::response::{GatewayError, GatewayResponse};
use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Tops up a user's wallet.
///
/// Signature: HMAC-SHA256 (key1) of
/// `app_id|payment_id|partner_order_id|m_u_id|amount|description|partner_embed_data|extra_info|time`,
/// whose hex text is signed again with RSA-SHA256 (PKCS#1 v1.5) under the merchant's private
/// key and sent base64-encoded as `sig` (needs the `rsa` feature and `Config::rsa_key`).
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.topup", confidence = "C2", method = POST, host = openapi, path = "/v2/disbursement/topup", encoding = json, response = DisbursementTopupResponse)]
#[mac(key = key1, fields = [app_id, payment_id, partner_order_id, m_u_id, amount, description, partner_embed_data, extra_info, time], param = "sig", then = rsa_sha256)]
pub struct DisbursementTopup {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The payment id issued by ZaloPay.
    #[check(non_empty)]
    pub payment_id: String,
    /// The merchant's order id (unique; the idempotency key, `-68` on reuse).
    #[check(non_empty)]
    pub partner_order_id: PartnerOrderId,
    /// The user's `m_u_id` from [`crate::disbursement::DisbursementUser`].
    #[check(non_empty)]
    pub m_u_id: String,
    /// Amount, VND.
    #[check(positive)]
    pub amount: i64,
    /// Description shown to the user.
    pub description: String,
    /// Merchant data as a JSON string (`{}` when empty).
    #[zalopay(default = JsonString::empty_object())]
    pub partner_embed_data: JsonString,
    /// Optional reference id.
    pub reference_id: Option<String>,
    /// Extra information as a JSON string (`{}` when empty).
    #[zalopay(default = JsonString::empty_object())]
    pub extra_info: JsonString,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The answer to [`DisbursementTopup`]. `2 / -406` (fund-in limit, with `upgrade_url`) is a
/// result, not a rejection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DisbursementTopupResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The order.
    #[serde(default)]
    pub data: Option<DisbursementOrder>,
}

impl DisbursementTopupResponse {
    /// The top-up's status; `2/-406` (fund-in limit) is [`DisbursementStatus::Failed`].
    /// Anything this operation returns as `Err` reads as [`DisbursementStatus::Unknown`].
    pub fn status(&self) -> DisbursementStatus {
        if self.rejection().is_some() {
            return DisbursementStatus::Unknown {
                return_code: self.codes.return_code,
                sub_return_code: self.codes.sub_return_code,
            };
        }
        super::disbursement_status(&self.codes, self.data.as_ref())
    }
}

impl GatewayResponse for DisbursementTopupResponse {
    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_for_sub_codes(&self.codes, &[-406])
    }
}
