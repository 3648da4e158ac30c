//! `POST /v2/disbursement/transfer-fund`: an All-in-One payout (§B1, 3P).

use crate::ids::PartnerOrderId;
use serde::{Deserialize, Serialize};

use super::{DisbursementOrder, DisbursementStatus, DisbursementType};
use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Pays out to a wallet, bank account or card. `partner_order_id` is the idempotency key
/// (`-68` on reuse: query it with [`super::QueryTxn`]); the request is never repeated by the
/// client after it may have been sent.
///
/// MAC (key1): `app_id|payment_id|partner_order_id|disbursement_type|receiver_info|amount|
/// description|partner_embed_data|extra_info|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.transfer_fund", confidence = "3P", method = POST, host = openapi, path = "/v2/disbursement/transfer-fund", encoding = json, response = TransferFundResponse)]
#[mac(key = key1, fields = [app_id, payment_id, partner_order_id, disbursement_type, receiver_info, amount, description, partner_embed_data, extra_info, time])]
pub struct TransferFund {
    /// The app id; the client's when unset.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The disbursement payment id issued by ZaloPay.
    #[check(non_empty)]
    pub payment_id: String,
    /// The merchant's unique order id (the idempotency key).
    #[check(non_empty)]
    pub partner_order_id: PartnerOrderId,
    /// Wallet or bank.
    pub disbursement_type: DisbursementType,
    /// The receiver's JSON, RSA-encrypted with ZaloPay's public key, base64.
    #[check(non_empty)]
    pub receiver_info: String,
    /// Amount, VND.
    #[check(positive)]
    pub amount: i64,
    /// Shown to the receiver.
    #[check(non_empty)]
    pub description: String,
    /// Merchant data, JSON (`{}` when empty).
    #[zalopay(default = JsonString::empty_object())]
    pub partner_embed_data: JsonString,
    /// Extra information, JSON (`{}` when empty).
    #[zalopay(default = JsonString::empty_object())]
    pub extra_info: JsonString,
    /// Request time, Unix milliseconds; the client's clock when unset.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The answer to [`TransferFund`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TransferFundResponse {
    /// Result codes (3 processing; -68 duplicate `partner_order_id`; -107 bank disruption).
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The payout.
    #[serde(default)]
    pub data: Option<DisbursementOrder>,
}

impl TransferFundResponse {
    /// The payout's status.
    pub fn status(&self) -> DisbursementStatus {
        super::disbursement_status(&self.codes, self.data.as_ref())
    }
}

crate::default_gateway_response!(TransferFundResponse);
