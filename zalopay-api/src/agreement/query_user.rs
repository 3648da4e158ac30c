//! `POST /v2/agreement/query_user`: the bound user's (masked) phone.

use crate::ids::PayToken;
use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Looks up the user behind a pay token.
///
/// MAC (key1): `app_id|access_token|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.query_user", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/query_user", encoding = form, response = AgreementQueryUserResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, access_token, req_date])]
pub struct AgreementQueryUser {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The binding's pay token (from the agreement query or callback, through
    /// `PayToken::try_from`).
    #[check(non_empty)]
    pub access_token: PayToken,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// The answer to [`AgreementQueryUser`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementQueryUserResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The user's masked phone (`****1234`).
    #[serde(default)]
    pub phone: Option<String>,
}

crate::default_gateway_response!(AgreementQueryUserResponse);
