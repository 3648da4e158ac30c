//! `POST /v2/agreement/balance`: can the bound wallet pay this amount?

use crate::ids::PayToken;
use serde::{Deserialize, Serialize};

use crate::{ResultCodes, ZaloPayRequest};

/// Asks which channels of the bound wallet can pay `amount`.
///
/// MAC (key1): `app_id|pay_token|identifier|amount|req_date` — note `pay_token` **before**
/// `identifier`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.balance", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/balance", encoding = form, response = AgreementBalanceResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, pay_token, identifier, amount, req_date])]
pub struct AgreementBalance {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's id for the buyer, as bound.
    #[check(non_empty)]
    pub identifier: String,
    /// The binding's pay token (from the agreement query or callback, through
    /// `PayToken::try_from`).
    #[check(non_empty)]
    pub pay_token: PayToken,
    /// Amount to check, VND.
    #[check(positive)]
    pub amount: i64,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// One channel and whether it can pay.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct PayableChannel {
    /// Payment channel id (`pmcid`, 38 = wallet).
    pub channel: i64,
    /// Whether this channel can pay the amount.
    #[serde(default)]
    pub payable: bool,
    /// Bank code (`zp_app` for the wallet).
    #[serde(default)]
    pub bank_code: String,
}

/// The answer to [`AgreementBalance`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementBalanceResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Channels and their payability.
    #[serde(default)]
    pub data: Vec<PayableChannel>,
    /// Usable voucher discount, VND (0 = none).
    #[serde(default)]
    pub discount_amount: Option<i64>,
}

impl AgreementBalanceResponse {
    /// Whether any channel can pay.
    pub fn payable(&self) -> bool {
        self.data.iter().any(|c| c.payable)
    }
}

crate::default_gateway_response!(AgreementBalanceResponse);
