//! `POST /v2/disbursement/balance`: the merchant's disbursement balance.

use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Queries the merchant's balance for a payment id.
///
/// MAC (key1): `app_id|payment_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.balance", confidence = "C2", method = POST, host = openapi, path = "/v2/disbursement/balance", encoding = json, response = DisbursementBalanceResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, payment_id, time])]
pub struct DisbursementBalance {
    /// Optional request id for tracing.
    pub request_id: Option<String>,
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The payment id issued by ZaloPay (`CASHIN` in the sandbox).
    #[check(non_empty)]
    pub payment_id: String,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The balance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MerchantBalance {
    /// Balance, VND.
    #[serde(default)]
    pub balance: i64,
}

/// The answer to [`DisbursementBalance`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DisbursementBalanceResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The balance.
    #[serde(default)]
    pub data: Option<MerchantBalance>,
}

crate::default_gateway_response!(DisbursementBalanceResponse);
