//! `POST /v2/query`: the status of an order.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
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
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's order id given at creation.
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: AppTransId,
}

/// The answer to [`QueryOrder`].
///
/// Decoding refuses a "paid" answer that lacks `zp_trans_id` or `amount` (naming the missing
/// field), so a [`OrderStatus::Paid`] always carries what the gateway said.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "QueryOrderWire")]
#[non_exhaustive]
pub struct QueryOrderResponse {
    /// Result codes: 1 paid, 2 failed / not found, 3 not paid yet / processing.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Whether ZaloPay is still processing the payment.
    pub is_processing: bool,
    /// Amount paid (present when paid).
    pub amount: Option<i64>,
    /// ZaloPay's transaction id (needed to refund; present when paid).
    pub zp_trans_id: Option<i64>,
    /// ZaloPay's clock, Unix milliseconds.
    pub server_time: Option<i64>,
    /// Discount applied, VND.
    pub discount_amount: Option<i64>,
}

/// The wire shape, before the paid-answer check; numbers may come as strings and unknown
/// fields are ignored (D-91).
#[derive(Deserialize)]
struct QueryOrderWire {
    #[serde(flatten)]
    codes: ResultCodes,
    #[serde(default, deserialize_with = "crate::lenient::flag")]
    is_processing: bool,
    #[serde(default, deserialize_with = "crate::lenient::int")]
    amount: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::int")]
    zp_trans_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::int")]
    server_time: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::int")]
    discount_amount: Option<i64>,
}

impl TryFrom<QueryOrderWire> for QueryOrderResponse {
    type Error = crate::response::IncompleteResponse;

    fn try_from(wire: QueryOrderWire) -> Result<Self, Self::Error> {
        let response = Self {
            codes: wire.codes,
            is_processing: wire.is_processing,
            amount: wire.amount,
            zp_trans_id: wire.zp_trans_id,
            server_time: wire.server_time,
            discount_amount: wire.discount_amount,
        };
        if response.says_paid() {
            let missing = if response.zp_trans_id.is_none() {
                Some("zp_trans_id")
            } else if response.amount.is_none() {
                Some("amount")
            } else {
                None
            };
            if let Some(field) = missing {
                return Err(crate::response::IncompleteResponse {
                    operation: "order.query",
                    state: "paid",
                    field,
                });
            }
        }
        Ok(response)
    }
}

/// Where an order stands, as far as a query can tell.
///
/// Only [`Paid`](Self::Paid), [`Expired`](Self::Expired) and [`Failed`](Self::Failed) are
/// final. [`NotFound`](Self::NotFound) is **not** a failure: an order whose create answer was
/// lost may not be visible yet. Keep querying the *same* `app_trans_id` within the 48 h query
/// window (the [poller](crate::poll) does); never create it again under a new id while it may
/// still be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderStatus {
    /// Paid: the money is collected.
    Paid {
        /// ZaloPay's transaction id (needed to refund).
        zp_trans_id: i64,
        /// Amount paid, VND.
        amount: i64,
        /// Discount applied, VND, when the gateway said.
        discount_amount: Option<i64>,
    },
    /// Not paid yet, or payment in progress (`return_code 3`, `is_processing`, or a pending
    /// positive `sub_return_code`): ask again later.
    Processing,
    /// ZaloPay does not know the order (yet): `2/-101` ORDER_NOT_EXIST or `2/-92`
    /// APPTRANSID_INVALID. Not final: query the same `app_trans_id` again.
    NotFound {
        /// The gateway's code (-101 or -92).
        sub_return_code: i32,
    },
    /// The order expired unpaid (`2/-54`). Final.
    Expired,
    /// The payment failed; `sub_return_code` says why (e.g. -329 the user cancelled). Final.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// Codes that describe no order state: request-level (`-402`), temporary (maintenance
    /// `-33`/`-88`/`-135`, system error `-301`, `-429`, `-500`: the client returns those as
    /// `Err`) or a `return_code 2` with a code no source documents. Not final: ask again; the
    /// query after the order's expiry decides.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl OrderStatus {
    /// Whether this is the gateway's last word on the order (paid, expired or failed).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Paid { .. } | Self::Expired | Self::Failed { .. }
        )
    }
}

impl QueryOrderResponse {
    /// `return_code 1`, not processing, and no pending sub code: what "paid" looks like.
    fn says_paid(&self) -> bool {
        self.codes.class() == CodeClass::Success && !self.is_processing
    }

    /// The order's status, derived from the answer's class in the code table
    /// ([`crate::codes::classify`]). `is_processing` keeps any answer that is not paid open
    /// (a `return_code 2` while ZaloPay is still processing is not a failure). Maintenance,
    /// rate-limit, request-level and unrecognised codes are [`OrderStatus::Unknown`], never
    /// final: ask again, and let the query after the order's expiry decide.
    pub fn status(&self) -> OrderStatus {
        let codes = &self.codes;
        let unknown = OrderStatus::Unknown {
            return_code: codes.return_code,
            sub_return_code: codes.sub_return_code,
        };
        if self.says_paid() {
            return match (self.zp_trans_id, self.amount) {
                (Some(zp_trans_id), Some(amount)) => OrderStatus::Paid {
                    zp_trans_id,
                    amount,
                    discount_amount: self.discount_amount,
                },
                // Unreachable for a decoded answer (decoding refuses it); never invent values.
                _ => unknown,
            };
        }
        if self.rejection().is_some() {
            return unknown;
        }
        match codes.class() {
            CodeClass::Success | CodeClass::Processing => OrderStatus::Processing,
            _ if self.is_processing => OrderStatus::Processing,
            CodeClass::NotFound => match codes.sub_return_code {
                Some(sub_return_code) => OrderStatus::NotFound { sub_return_code },
                None => unknown,
            },
            CodeClass::Expired => OrderStatus::Expired,
            CodeClass::BusinessFailure => OrderStatus::Failed {
                sub_return_code: codes.sub_return_code,
            },
            _ => unknown,
        }
    }
}

/// `return_code 2` is the order's state (failed, expired, not found), unless its sub code says
/// the query itself was wrong or could not be served.
impl GatewayResponse for QueryOrderResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
