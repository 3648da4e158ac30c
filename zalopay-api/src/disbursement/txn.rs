//! `POST /v2/disbursement/txn`: the state of a top-up.

use serde::{Deserialize, Serialize};

use super::DisbursementStatus;
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a top-up by the merchant's order id.
///
/// MAC (key1): `app_id|partner_order_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/disbursement/txn", encoding = json, response = DisbursementTxnResponse, retry = safe)]
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

/// The top-up order, as queried.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TxnData {
    /// ZaloPay's order id.
    #[serde(deserialize_with = "crate::wire::lenient_opt_string")]
    pub order_id: Option<String>,
    /// 1 success, 2 fail, 3 processing, 4 pending (see [`TxnData::disbursement_status`]).
    pub status: Option<i32>,
    /// The user's `m_u_id`.
    pub m_u_id: Option<String>,
    /// The user's phone.
    pub phone: Option<String>,
    /// Amount, VND.
    pub amount: Option<i64>,
    /// Description.
    pub description: Option<String>,
    /// Fee charged to the partner, VND.
    pub partner_fee: Option<i64>,
    /// ZaloPay's fee, VND.
    pub zlp_fee: Option<i64>,
    /// Extra information (JSON text).
    pub extra_info: Option<String>,
    /// Order time, Unix milliseconds.
    pub time: Option<i64>,
    /// ZaloPay's transaction id (a string here).
    #[serde(deserialize_with = "crate::wire::lenient_opt_string")]
    pub zp_trans_id: Option<String>,
    /// Receipt page.
    pub result_url: Option<String>,
}

impl TxnData {
    /// The typed status, if one was sent.
    pub fn disbursement_status(&self) -> Option<DisbursementStatus> {
        self.status.map(DisbursementStatus::from)
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
    pub data: Option<TxnData>,
}

crate::default_gateway_response!(DisbursementTxnResponse);
