//! `POST /v2/disbursement/get-bank-code`: the banks an All-in-One payout can reach (§B1, 3P).

use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Lists the bank codes accepted in `receiver_info`.
///
/// MAC (key1): `app_id|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.bank_codes", confidence = "3P", method = POST, host = openapi, path = "/v2/disbursement/get-bank-code", encoding = json, response = BankCodesResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, time])]
pub struct BankCodes {
    /// The app id; the client's when unset.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Request time, Unix milliseconds; the client's clock when unset.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// One bank.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DisbursementBank {
    /// The code to put in `receiver_info`.
    pub bank_code: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Logo URL.
    pub logo_url: Option<String>,
}

/// The list (`bank_list` in one source, `banks` in another).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BankList {
    /// The banks.
    #[serde(alias = "banks")]
    pub bank_list: Vec<DisbursementBank>,
}

/// The answer to [`BankCodes`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct BankCodesResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The banks.
    #[serde(default)]
    pub data: Option<BankList>,
}

crate::default_gateway_response!(BankCodesResponse);
