//! `POST /v2/tokenization/query`: the state of a tokenization binding.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::response::{GatewayError, GatewayResponse};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a tokenization binding.
///
/// MAC (key1): `app_id|app_trans_id|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "tokenization.query", confidence = "3P", method = POST, host = openapi, path = "/v2/tokenization/query", encoding = form, response = TokenizationQueryResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, app_trans_id, req_date])]
pub struct TokenizationQuery {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The binding request id given to [`crate::tokenization::TokenizationBind`].
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: AppTransId,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// The answer to [`TokenizationQuery`]: return_code 1 success, 2 failed, 3 pending.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TokenizationQueryResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Binding token.
    #[serde(default)]
    pub binding_token: Option<String>,
    /// Web / QR binding link.
    #[serde(default)]
    pub binding_qr_link: Option<String>,
    /// App deep link.
    #[serde(default)]
    pub deep_link: Option<String>,
    /// Short link.
    #[serde(default)]
    pub short_link: Option<String>,
    /// Order number (bind-and-pay).
    #[serde(default)]
    pub order_no: Option<i64>,
    /// Order token (bind-and-pay).
    #[serde(default)]
    pub order_token: Option<String>,
    /// Order URL (bind-and-pay).
    #[serde(default)]
    pub order_url: Option<String>,
    /// ZaloPay's transaction id (a string here).
    #[serde(default, deserialize_with = "crate::wire::lenient_opt_string")]
    pub zp_trans_id: Option<String>,
    /// Binding status (typed by [`TokenizationQueryResponse::status`]).
    #[serde(default)]
    pub status: Option<i32>,
}

impl TokenizationQueryResponse {
    /// The binding's status, read like [`AgreementQueryResponse::status`]
    /// (`status` 1 confirmed, 3 cancelled, 4 disabled; `2/-101` not found) \[3P: the
    /// tokenization spec mirrors the agreement one].
    ///
    /// [`AgreementQueryResponse::status`]: crate::agreement::AgreementQueryResponse::status
    pub fn status(&self) -> crate::agreement::BindingStatus {
        crate::agreement::query::binding_status(&self.codes, self.status)
    }
}

impl GatewayResponse for TokenizationQueryResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
