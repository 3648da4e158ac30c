//! `POST /v2/refund`: refund all or part of a paid transaction.

use crate::ids::MRefundId;
use serde::{Deserialize, Serialize};

use crate::refund::RefundStatus;

use super::ZpTransId;
use crate::{ResultCodes, ZaloPayRequest};

/// Refunds a paid transaction, fully or partly. Processing is asynchronous: follow up with
/// [`crate::refund::QueryRefund`].
///
/// MAC (key1): `app_id|zp_trans_id|amount|description|timestamp`, or with a fee
/// `app_id|zp_trans_id|amount|refund_fee_amount|description|timestamp`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "refund.create", confidence = "C2", method = POST, host = openapi, path = "/v2/refund", encoding = form, response = RefundOrderResponse)]
#[mac(key = key1, fields = [app_id, zp_trans_id, amount, refund_fee_amount?, description, timestamp])]
pub struct RefundOrder {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's refund id: `yyMMdd_<app_id>_<unique>`, `yyMMdd` in Vietnam time (≤ 45 chars).
    #[check(m_refund_id)]
    pub m_refund_id: MRefundId,
    /// The transaction to refund (sent as a string).
    #[check(positive)]
    pub zp_trans_id: ZpTransId,
    /// Amount refunded to the buyer, VND.
    #[check(positive)]
    pub amount: i64,
    /// Fee deducted from what the buyer gets back, VND (not negative, not above `amount`).
    #[check(min = 0, not_above = "amount")]
    pub refund_fee_amount: Option<i64>,
    /// When the refund was requested, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub timestamp: Option<i64>,
    /// Reason for the refund.
    #[check(non_empty)]
    pub description: String,
}

impl RefundOrder {
    /// Sets the fee deducted from the refund.
    pub fn with_fee(mut self, refund_fee_amount: i64) -> Self {
        self.refund_fee_amount = Some(refund_fee_amount);
        self
    }
}

/// The answer to [`RefundOrder`]: 1 refunded, 3 processing (query again).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RefundOrderResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// ZaloPay's refund id (keep for reconciliation).
    #[serde(default, deserialize_with = "crate::lenient::int")]
    pub refund_id: Option<i64>,
}

impl RefundOrderResponse {
    /// The refund's status as the refund answer tells it: [`RefundStatus::Refunded`] or
    /// [`RefundStatus::Processing`] (refunds are processed asynchronously: follow it with
    /// [`QueryRefund`](crate::refund::QueryRefund) and the *same* `m_refund_id`).
    ///
    /// Read through the code table like every status. The client returns every other answer
    /// as `Err`; a hand-built one reads as the table says (`2/-14` failed, `2/-429` unknown).
    pub fn status(&self) -> RefundStatus {
        RefundStatus::from_codes(&self.codes)
    }
}

crate::default_gateway_response!(RefundOrderResponse);
