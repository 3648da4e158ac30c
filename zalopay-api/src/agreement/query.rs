//! `POST /v2/agreement/query`: the state of a binding request.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
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
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The binding request id given to [`crate::agreement::AgreementBind`].
    #[check(non_empty, max_len = 40)]
    pub app_trans_id: AppTransId,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// The binding, as ZaloPay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
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
    /// 1 confirmed, 3 cancelled, 4 disabled (see [`AgreementQueryResponse::status`]).
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

/// Where a binding stands, as far as [`AgreementQuery`] can tell (`data.status`: 1 confirmed,
/// 3 cancelled, 4 disabled).
///
/// [`NotFound`](Self::NotFound) and [`Processing`](Self::Processing) are not final: query the
/// same `app_trans_id` again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingStatus {
    /// `1`: the user confirmed; store `pay_token`.
    Confirmed,
    /// `3`: the user cancelled.
    Cancelled,
    /// `4`: the binding was disabled.
    Disabled,
    /// `return_code 3`, or an answer without `data.status` yet: the user has not answered.
    Processing,
    /// `2/-101`: ZaloPay does not know the binding request (yet). Not final.
    NotFound,
    /// `return_code 2` with another sub code: the binding request failed.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// A `data.status` value no source documents, kept as received.
    Other(i32),
    /// Codes that describe no binding state (a request-level rejection; the client returns
    /// those as `Err`).
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
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
    /// The binding's `status` field, typed (`None` when absent). Not a verdict on its own:
    /// [`AgreementQueryResponse::status`] reads it together with the answer's codes.
    pub fn reported_status(&self) -> Option<BindingStatus> {
        self.status.map(BindingStatus::from)
    }
}

impl BindingStatus {
    /// Whether this is the gateway's last word on the binding (confirmed, cancelled, disabled
    /// or failed).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Confirmed | Self::Cancelled | Self::Disabled | Self::Failed { .. }
        )
    }
}

impl AgreementQueryResponse {
    /// The binding's status.
    pub fn status(&self) -> BindingStatus {
        binding_status(&self.codes, self.data.as_ref().and_then(|data| data.status))
    }
}

/// The binding status of a query answer (agreement or tokenization), derived from the
/// answer's class in the code table: refusals are `Unknown`, not found is `NotFound`, success
/// reads `status` (absent: processing).
pub(crate) fn binding_status(codes: &ResultCodes, status: Option<i32>) -> BindingStatus {
    let unknown = BindingStatus::Unknown {
        return_code: codes.return_code,
        sub_return_code: codes.sub_return_code,
    };
    if crate::wire::result_unless_request_level(codes).is_some() {
        return unknown;
    }
    match codes.class() {
        CodeClass::Success => status.map_or(BindingStatus::Processing, BindingStatus::from),
        CodeClass::Processing => BindingStatus::Processing,
        CodeClass::NotFound => BindingStatus::NotFound,
        CodeClass::BusinessFailure | CodeClass::Expired => BindingStatus::Failed {
            sub_return_code: codes.sub_return_code,
        },
        _ => unknown,
    }
}

/// The answer to [`AgreementQuery`]: return_code 1 success, 2 failed, 3 pending.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementQueryResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The binding.
    #[serde(default)]
    pub data: Option<BindingData>,
}

impl GatewayResponse for AgreementQueryResponse {
    const FAILED_IS_STATE: bool = true;

    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_unless_request_level(&self.codes)
    }
}
