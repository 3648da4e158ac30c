//! `POST /v2/agreement/unbind`: end a wallet binding.

use crate::ids::BindingId;
use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Ends a binding.
///
/// MAC (key1): `app_id|identifier|binding_id|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.unbind", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/unbind", encoding = form, response = AgreementUnbindResponse)]
#[mac(key = key1, fields = [app_id, identifier, binding_id, req_date])]
pub struct AgreementUnbind {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's id for the buyer, as bound.
    #[check(non_empty)]
    pub identifier: String,
    /// ZaloPay's binding id (`BindingData::binding_id` of the agreement query, through
    /// `BindingId::try_from`).
    #[check(non_empty)]
    pub binding_id: BindingId,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// The answer to [`AgreementUnbind`]: result codes only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementUnbindResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
}

crate::default_gateway_response!(AgreementUnbindResponse);
