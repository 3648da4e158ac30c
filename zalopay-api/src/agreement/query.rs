//! `POST /v2/agreement/query`: the state of a binding request.

use serde::{Deserialize, Serialize};

use crate::response::{GatewayError, GatewayResponse};
use crate::{ResultCodes, ZaloPayRequest};

/// Queries a binding request by its `app_trans_id`.
///
/// MAC (key1): `app_id|app_trans_id|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.query", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/query", encoding = form, response = AgreementQueryResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, app_trans_id, req_date])]
pub struct AgreementQuery {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// The binding request id given to [`crate::agreement::AgreementBind`].
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: String,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    pub req_date: i64,
}

impl AgreementQuery {
    /// A query for one binding.
    pub fn new(app_id: i64, app_trans_id: impl Into<String>, req_date: i64) -> Self {
        Self {
            app_id,
            app_trans_id: app_trans_id.into(),
            req_date,
        }
    }
}

/// The binding, as ZaloPay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BindingData {
    /// The app id.
    pub app_id: Option<i64>,
    /// The binding request id.
    pub app_trans_id: Option<String>,
    /// ZaloPay's binding id (needed to unbind).
    pub binding_id: Option<String>,
    /// The token to charge the wallet with (store it securely).
    pub pay_token: Option<String>,
    /// ZaloPay's clock, Unix **seconds**.
    pub server_time: Option<i64>,
    /// The merchant's `identifier`.
    pub merchant_user_id: Option<String>,
    /// 1 confirmed, 3 cancelled, 4 disabled (see [`BindingData::binding_status`]).
    pub status: Option<i32>,
    /// 1 confirm, 2 update.
    pub msg_type: Option<i32>,
    /// ZaloPay's user id.
    pub zp_user_id: Option<String>,
    /// The buyer's masked phone (`****6938`).
    pub masked_user_phone: Option<String>,
    /// When the binding expires, Unix milliseconds.
    pub expiry_timestamp_in_ms: Option<i64>,
}

/// The state of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingStatus {
    /// `1`: the buyer confirmed; `pay_token` is usable.
    Confirmed,
    /// `3`: the buyer cancelled.
    Cancelled,
    /// `4`: the binding was disabled; drop the agreement.
    Disabled,
    /// Any other value, kept as received.
    Other(i32),
}

impl From<i32> for BindingStatus {
    fn from(status: i32) -> Self {
        match status {
            1 => Self::Confirmed,
            3 => Self::Cancelled,
            4 => Self::Disabled,
            other => Self::Other(other),
        }
    }
}

impl BindingData {
    /// The typed `status`, if one was sent.
    pub fn binding_status(&self) -> Option<BindingStatus> {
        self.status.map(BindingStatus::from)
    }
}

/// The answer to [`AgreementQuery`]: return_code 1 success, 2 failed, 3 pending.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AgreementQueryResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The binding.
    #[serde(default)]
    pub data: Option<BindingData>,
}

impl GatewayResponse for AgreementQueryResponse {
    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
