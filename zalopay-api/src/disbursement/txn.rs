//! `POST /v2/disbursement/txn`: the state of a top-up.

use crate::ids::PartnerOrderId;
use serde::{Deserialize, Serialize};

use super::{DisbursementOrder, DisbursementStatus};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a top-up by the merchant's order id.
///
/// MAC (key1): `app_id|partner_order_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.txn", confidence = "C2", method = POST, host = openapi, path = "/v2/disbursement/txn", encoding = json, response = DisbursementTxnResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, partner_order_id, time])]
pub struct DisbursementTxn {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's order id given to [`crate::disbursement::DisbursementTopup`].
    #[check(non_empty)]
    pub partner_order_id: PartnerOrderId,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The answer to [`DisbursementTxn`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DisbursementTxnResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The order.
    #[serde(default)]
    pub data: Option<DisbursementOrder>,
}

impl DisbursementTxnResponse {
    /// The top-up's status ([`DisbursementStatus::NotFound`] for `2/-101`: not final).
    pub fn status(&self) -> DisbursementStatus {
        super::disbursement_status(&self.codes, self.data.as_ref())
    }
}

/// `return_code 2` is the top-up's state (failed, not found), unless its sub code says the
/// query itself was wrong or could not be served.
impl crate::response::GatewayResponse for DisbursementTxnResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<crate::response::GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
