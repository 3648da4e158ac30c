//! `POST /v2/agreement/unbind`: end a wallet binding.

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
    /// ZaloPay's binding id.
    #[check(non_empty)]
    pub binding_id: String,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

impl AgreementUnbind {
    /// Unbinds `binding_id` of `identifier`.
    pub fn new(
        app_id: i64,
        identifier: impl Into<String>,
        binding_id: impl Into<String>,
        req_date: i64,
    ) -> Self {
        Self {
            app_id: Some(app_id),
            identifier: identifier.into(),
            binding_id: binding_id.into(),
            req_date: Some(req_date),
        }
    }
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
