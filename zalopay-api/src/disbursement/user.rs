//! `POST /v2/disbursement/user`: find the ZaloPay wallet of a phone number.

use serde::{Deserialize, Serialize};

use crate::response::{GatewayError, GatewayResponse};
use crate::{ResultCodes, ZaloPayRequest};

/// Looks up the wallet behind a phone number.
///
/// MAC (key1): `app_id|phone|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.user", confidence = "C2", method = POST, host = openapi, path = "/v2/disbursement/user", encoding = json, response = DisbursementUserResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, phone, time])]
pub struct DisbursementUser {
    /// Optional request id for tracing.
    pub request_id: Option<String>,
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The user's phone number.
    #[check(non_empty)]
    pub phone: String,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The wallet found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
#[serde(default)]
pub struct WalletUser {
    /// Reference id.
    pub reference_id: Option<String>,
    /// The user's merchant-scoped id (input to top-up).
    pub m_u_id: Option<String>,
    /// The user's name.
    pub name: Option<String>,
    /// The user's phone.
    pub phone: Option<String>,
    /// Where the user can create a wallet (with `return_code` 2 / `sub_return_code` -101).
    pub onboarding_url: Option<String>,
}

/// The answer to [`DisbursementUser`]. `2 / -101` (no wallet, with `onboarding_url`) is a
/// result, not a rejection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DisbursementUserResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The wallet.
    #[serde(default)]
    pub data: Option<WalletUser>,
}

impl GatewayResponse for DisbursementUserResponse {
    fn rejection(&self) -> Option<GatewayError> {
        crate::wire::result_for_sub_codes(&self.codes, &[-101])
    }
}
