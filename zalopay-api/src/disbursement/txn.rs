//! `POST /v2/disbursement/txn`: the state of a top-up.

use serde::{Deserialize, Serialize};

use super::DisbursementOrder;
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a top-up by the merchant's order id.
///
/// MAC (key1): `app_id|partner_order_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.txn", confidence = "C2", method = POST, host = openapi, path = "/v2/disbursement/txn", encoding = json, response = DisbursementTxnResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, partner_order_id, time])]
pub struct DisbursementTxn {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// The merchant's order id given to [`crate::disbursement::DisbursementTopup`].
    #[check(non_empty)]
    pub partner_order_id: String,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    pub time: i64,
}

impl DisbursementTxn {
    /// A top-up query.
    pub fn new(app_id: i64, partner_order_id: impl Into<String>, time: i64) -> Self {
        Self {
            app_id,
            partner_order_id: partner_order_id.into(),
            time,
        }
    }
}

/// The answer to [`DisbursementTxn`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct DisbursementTxnResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The order.
    #[serde(default)]
    pub data: Option<DisbursementOrder>,
}

crate::default_gateway_response!(DisbursementTxnResponse);
