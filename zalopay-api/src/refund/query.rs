//! `POST /v2/query_refund`: the status of a refund.

use serde::{Deserialize, Serialize};

use crate::response::{GatewayError, GatewayResponse};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries the status of a refund by the merchant's refund id.
///
/// MAC (key1): `app_id|m_refund_id|timestamp`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "refund.query", confidence = "C2", method = POST, host = openapi, path = "/v2/query_refund", encoding = form, response = QueryRefundResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, m_refund_id, timestamp])]
pub struct QueryRefund {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// The merchant's refund id given to [`crate::refund::RefundOrder`].
    #[check(non_empty, max_len = 45)]
    pub m_refund_id: String,
    /// When the query is made, Unix milliseconds.
    #[check(recent_ms)]
    pub timestamp: i64,
}

impl QueryRefund {
    /// A query for one refund.
    pub fn new(app_id: i64, m_refund_id: impl Into<String>, timestamp: i64) -> Self {
        Self {
            app_id,
            m_refund_id: m_refund_id.into(),
            timestamp,
        }
    }
}

/// The answer to [`QueryRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct QueryRefundResponse {
    /// Result codes: 1 refunded, 2 failed, 3 processing / pending.
    #[serde(flatten)]
    pub codes: ResultCodes,
}

/// Where a refund stands (api-facts §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// `1`: the refund succeeded (card refunds may still take days to reach the buyer).
    Success,
    /// `3`: still processing (`sub_return_code` 2) or pending manual handling by ZaloPay (-1):
    /// query again later.
    Processing {
        /// The gateway's sub code (2 processing, -1 pending).
        sub_return_code: Option<i32>,
    },
    /// `2`: the refund failed; the sub code says why (0 failed, -13 expired, -14 bad amount,
    /// -32 not refundable, -101 unknown `m_refund_id`).
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
}

impl QueryRefundResponse {
    /// The refund's status.
    pub fn status(&self) -> RefundStatus {
        let sub_return_code = self.codes.sub_return_code;
        match self.codes.return_code {
            1 => RefundStatus::Success,
            3 => RefundStatus::Processing { sub_return_code },
            _ => RefundStatus::Failed { sub_return_code },
        }
    }
}

impl GatewayResponse for QueryRefundResponse {
    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
