//! Hybrid payment: pay with a binding's token or, when the token cannot pay, get a fallback
//! gateway URL (`solution_url`).
//!
//! UNCONFIRMED: neither the path nor the MAC is documented consistently (api-facts §12, §21);
//! both follow `specs/zalopay.openapi.json` (`hybrid.pay`, confidence `?`). Test in the sandbox
//! before shipping. Changing either is a one-line change in the annotation below.

use crate::ids::{AppTransId, PayToken};
use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Pays an order with a pay token, or returns a fallback URL.
///
/// MAC (key1, unconfirmed): `app_id|app_trans_id|app_user|amount|app_time|embed_data|item`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
// UNCONFIRMED: path and MAC (see the module docs).
#[endpoint(id = "hybrid.pay", confidence = "?", method = POST, host = openapi, path = "/v2/agreement/hybrid", encoding = form, response = HybridPayResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item])]
pub struct HybridPay {
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
    /// Who pays (≤ 50 chars).
    #[check(non_empty, max_len = 50)]
    pub app_user: String,
    /// The merchant's order id (`yyMMdd_…`, ≤ 40 chars).
    #[check(app_trans_id)]
    pub app_trans_id: AppTransId,
    /// When the order was created, Unix milliseconds (within 15 minutes of now).
    #[check(recent_ms)]
    #[zalopay(time)]
    pub app_time: Option<i64>,
    /// Amount in VND.
    #[check(positive)]
    pub amount: i64,
    /// Order description.
    #[check(max_len = 256)]
    pub description: String,
    /// The order's items as a JSON array (`[]` when empty).
    #[check(max_len = 2048)]
    pub item: JsonString,
    /// Merchant data as a JSON object (`{}` when empty).
    #[check(max_len = 2048)]
    pub embed_data: JsonString,
}

/// The answer to [`HybridPay`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct HybridPayResponse {
    /// Result codes: 1 paid, 3 processing.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The order's id.
    #[serde(default)]
    pub app_trans_id: Option<String>,
    /// ZaloPay's transaction id.
    #[serde(default)]
    pub zp_trans_id: Option<i64>,
    /// Fallback payment URL when the token cannot pay.
    #[serde(default)]
    pub solution_url: Option<String>,
}

/// Where a hybrid payment stands, as its own answer tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HybridStatus {
    /// Paid with the token.
    Paid {
        /// ZaloPay's transaction id, when the answer carried it.
        zp_trans_id: Option<i64>,
    },
    /// In progress: poll [`crate::order::QueryOrder`] with the same `app_trans_id`.
    Processing,
    /// The token cannot pay: send the buyer to `solution_url`. Not final: the order is paid
    /// (or not) there; poll it.
    Fallback {
        /// The gateway payment URL.
        solution_url: String,
    },
    /// Refused for good (a business failure or an expiry in the code table). The client
    /// returns this as `Err`; only hand-built values get here.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// Codes that describe no payment state (maintenance, request-level, unrecognised): not
    /// final.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl HybridStatus {
    /// Whether this is the gateway's last word on the payment (paid or failed).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Paid { .. } | Self::Failed { .. })
    }
}

impl HybridPayResponse {
    /// The payment's status: a `solution_url` is a fallback, otherwise the answer's class in
    /// the code table decides.
    pub fn status(&self) -> HybridStatus {
        if let Some(solution_url) = &self.solution_url {
            return HybridStatus::Fallback {
                solution_url: solution_url.clone(),
            };
        }
        let codes = &self.codes;
        match codes.class() {
            CodeClass::Success => HybridStatus::Paid {
                zp_trans_id: self.zp_trans_id,
            },
            CodeClass::Processing => HybridStatus::Processing,
            CodeClass::BusinessFailure | CodeClass::Expired => HybridStatus::Failed {
                sub_return_code: codes.sub_return_code,
            },
            _ => HybridStatus::Unknown {
                return_code: codes.return_code,
                sub_return_code: codes.sub_return_code,
            },
        }
    }
}

impl crate::GatewayResponse for HybridPayResponse {
    /// A response carrying a `solution_url` is a result (pay through that URL instead), even
    /// with `return_code` 2; otherwise the default rule applies.
    fn rejection(&self) -> Option<crate::GatewayError> {
        match self.solution_url {
            Some(_) => None,
            None => self.codes.rejection(),
        }
    }
}
