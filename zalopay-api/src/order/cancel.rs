//! `POST /v2/cancel`: cancel an order that has not been paid.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Cancels an unpaid order; once cancelled it can never be paid.
///
/// MAC (key1): `app_id|app_trans_id|key1`, as for [`crate::order::QueryOrder`].
/// The path `/v2/cancel` comes from third-party material only (api-facts §4).
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "order.cancel", confidence = "3P", method = POST, host = openapi, path = "/v2/cancel", encoding = form, response = CancelOrderResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, @key])]
pub struct CancelOrder {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's order id given at creation.
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: AppTransId,
}

/// The answer to [`CancelOrder`]: result codes only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CancelOrderResponse {
    /// Result codes: 1 cancelled.
    #[serde(flatten)]
    pub codes: ResultCodes,
}

crate::default_gateway_response!(CancelOrderResponse);
