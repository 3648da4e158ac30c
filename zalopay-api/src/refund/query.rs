//! `POST /v2/query_refund`: the status of a refund.

use crate::ids::MRefundId;
use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
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
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's refund id given to [`crate::refund::RefundOrder`].
    #[check(non_empty, max_len = 45)]
    pub m_refund_id: MRefundId,
    /// When the query is made, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub timestamp: Option<i64>,
}

/// The answer to [`QueryRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct QueryRefundResponse {
    /// Result codes: 1 refunded, 2 failed / not found, 3 processing / pending.
    #[serde(flatten)]
    pub codes: ResultCodes,
}

/// Where a refund stands (api-facts §6).
///
/// Only [`Refunded`](Self::Refunded) and [`Failed`](Self::Failed) are final.
/// [`NotFound`](Self::NotFound) is **not** a failure: a refund whose answer was lost (a
/// timeout) may not be visible yet. Query the *same* `m_refund_id` again, or re-send the
/// *same* refund request (same `m_refund_id`, so ZaloPay deduplicates it with `-23`); never
/// refund again under a new `m_refund_id` while the first may still go through — that is a
/// double refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundStatus {
    /// `1`: the refund succeeded (card refunds may still take days to reach the buyer).
    Refunded,
    /// `3`: still processing (`sub_return_code` 2) or pending manual handling by ZaloPay (-1),
    /// or `1` with a pending positive sub code: query again later.
    Processing {
        /// The gateway's sub code (2 processing, -1 pending).
        sub_return_code: Option<i32>,
    },
    /// `2/-101` M_REFUND_ID_NOT_FOUND: ZaloPay does not know this `m_refund_id` (yet). Not
    /// final.
    NotFound,
    /// `2`: the refund failed; the sub code says why (0 failed, -13 expired, -14 bad amount,
    /// -32 not refundable). Final.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// Codes that describe no refund state (a request-level rejection; the client returns
    /// those as `Err`). Not final.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl RefundStatus {
    /// Whether this is the gateway's last word on the refund (refunded or failed).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Refunded | Self::Failed { .. })
    }
}

impl QueryRefundResponse {
    /// The refund's status, derived from the answer's class in the code table.
    pub fn status(&self) -> RefundStatus {
        if self.rejection().is_some() {
            return RefundStatus::Unknown {
                return_code: self.codes.return_code,
                sub_return_code: self.codes.sub_return_code,
            };
        }
        RefundStatus::from_codes(&self.codes)
    }
}

impl RefundStatus {
    /// The status the codes of a refund answer (create or query) describe.
    pub(crate) fn from_codes(codes: &ResultCodes) -> Self {
        let sub_return_code = codes.sub_return_code;
        match codes.class() {
            CodeClass::Success => Self::Refunded,
            CodeClass::Processing => Self::Processing { sub_return_code },
            CodeClass::NotFound => Self::NotFound,
            CodeClass::BusinessFailure | CodeClass::Expired => Self::Failed { sub_return_code },
            _ => Self::Unknown {
                return_code: codes.return_code,
                sub_return_code,
            },
        }
    }
}

impl GatewayResponse for QueryRefundResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
