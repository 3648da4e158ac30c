//! `POST /v2/disbursement/query-txn`: the state of an All-in-One payout (§B1, 3P).

use crate::ids::PartnerOrderId;
use serde::{Deserialize, Serialize};

use super::{DisbursementOrder, DisbursementStatus};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a payout by the merchant's order id.
///
/// MAC (key1): `app_id|partner_order_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.query_txn", confidence = "3P", method = POST, host = openapi, path = "/v2/disbursement/query-txn", encoding = json, response = QueryTxnResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, partner_order_id, time])]
pub struct QueryTxn {
    /// The app id; the client's when unset.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's order id given to [`super::TransferFund`].
    #[check(non_empty)]
    pub partner_order_id: PartnerOrderId,
    /// Request time, Unix milliseconds; the client's clock when unset.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The answer to [`QueryTxn`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct QueryTxnResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The payout.
    #[serde(default)]
    pub data: Option<DisbursementOrder>,
}

impl QueryTxnResponse {
    /// The payout's status (`NotFound` for `2/-101`: not final; ask again with the same id).
    pub fn status(&self) -> DisbursementStatus {
        super::disbursement_status(&self.codes, self.data.as_ref())
    }
}

/// Like the top-up query: `return_code 2` is the payout's state unless the sub code says
/// the query itself was wrong.
impl crate::response::GatewayResponse for QueryTxnResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<crate::response::GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
