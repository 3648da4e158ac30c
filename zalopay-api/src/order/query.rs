//! `POST /v2/query`: the status of an order.

use serde::{Deserialize, Serialize};

use crate::response::{GatewayError, GatewayResponse};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries an order's status (valid for 48 hours after creation).
///
/// MAC (key1): `app_id|app_trans_id|key1`: the key itself is the last segment.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "order.query", confidence = "C2", method = POST, host = openapi, path = "/v2/query", encoding = form, response = QueryOrderResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, app_trans_id, @key])]
pub struct QueryOrder {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// The merchant's order id given at creation.
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: String,
}

impl QueryOrder {
    /// A query for one order.
    pub fn new(app_id: i64, app_trans_id: impl Into<String>) -> Self {
        Self {
            app_id,
            app_trans_id: app_trans_id.into(),
        }
    }
}

/// The answer to [`QueryOrder`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct QueryOrderResponse {
    /// Result codes: 1 paid, 2 failed, 3 not paid yet / processing.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Whether ZaloPay is still processing the payment.
    #[serde(default)]
    pub is_processing: bool,
    /// Amount paid (meaningful when paid).
    #[serde(default)]
    pub amount: Option<i64>,
    /// ZaloPay's transaction id (needed to refund).
    #[serde(default)]
    pub zp_trans_id: Option<i64>,
    /// ZaloPay's clock, Unix milliseconds.
    #[serde(default)]
    pub server_time: Option<i64>,
    /// Discount applied, VND.
    #[serde(default)]
    pub discount_amount: Option<i64>,
}

/// Where an order stands, as far as a query can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Paid: the money is collected.
    Paid {
        /// ZaloPay's transaction id.
        zp_trans_id: i64,
        /// Amount paid, VND.
        amount: i64,
        /// Discount applied, VND.
        discount_amount: i64,
    },
    /// Not paid yet, or payment in progress: ask again later.
    Processing,
    /// The payment failed or the order expired; `sub_return_code` says why.
    Failed {
        /// The gateway's reason (e.g. -54 expired).
        sub_return_code: Option<i32>,
    },
}

impl QueryOrderResponse {
    /// The order's status.
    pub fn status(&self) -> OrderStatus {
        match self.codes.return_code {
            1 if !self.is_processing => OrderStatus::Paid {
                zp_trans_id: self.zp_trans_id.unwrap_or_default(),
                amount: self.amount.unwrap_or_default(),
                discount_amount: self.discount_amount.unwrap_or_default(),
            },
            2 => OrderStatus::Failed {
                sub_return_code: self.codes.sub_return_code,
            },
            _ => OrderStatus::Processing,
        }
    }
}

/// `return_code 2` is the order's payment failing (a result), unless its sub code says the
/// query itself was wrong or could not be served.
impl GatewayResponse for QueryOrderResponse {
    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
