//! `POST /v2/agreement/pay`: charge a bound wallet for an order created with
//! [`crate::order::CreateOrder`].

use crate::ids::{PayToken, ZpTransToken};
use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
use crate::{ResultCodes, ZaloPayRequest};

/// Pays an order (its `zp_trans_token`) with a binding's `pay_token`.
///
/// MAC (key1): `app_id|identifier|zp_trans_token|pay_token|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "agreement.pay", confidence = "C2", method = POST, host = openapi, path = "/v2/agreement/pay", encoding = form, response = AgreementPayResponse)]
#[mac(key = key1, fields = [app_id, identifier, zp_trans_token, pay_token, req_date])]
pub struct AgreementPay {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// The merchant's id for the buyer, as bound.
    #[check(non_empty)]
    pub identifier: String,
    /// The order's `zp_trans_token` from [`crate::order::CreateOrderResponse`] (through
    /// `ZpTransToken::try_from`).
    #[check(non_empty)]
    pub zp_trans_token: ZpTransToken,
    /// The binding's pay token (from the agreement query or callback, through
    /// `PayToken::try_from`).
    #[check(non_empty)]
    pub pay_token: PayToken,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
}

/// The answer to [`AgreementPay`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AgreementPayResponse {
    /// Result codes: 1 paid, 3 processing (poll [`crate::order::QueryOrder`]).
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The order's id.
    #[serde(default)]
    pub app_trans_id: Option<String>,
    /// ZaloPay's transaction id.
    #[serde(default)]
    pub zp_trans_id: Option<i64>,
}

/// Where a token payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayStatus {
    /// `1` (with no pending sub code): paid. The payment callback follows; the order query
    /// has `zp_trans_id` and the amount.
    Paid,
    /// `3`, or `1` with a pending positive sub code: in progress; poll the order with
    /// [`crate::order::QueryOrder`].
    Processing,
    /// The payment was refused for good (a business failure or an expiry in the code table).
    /// The client returns these as `Err`; only hand-built values get here.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// Codes that describe no payment state (maintenance, request-level, unrecognised): not
    /// final. The client returns these as `Err`; only hand-built values get here.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl PayStatus {
    /// Whether this is the gateway's last word on the payment (paid or failed).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Paid | Self::Failed { .. })
    }
}

impl AgreementPayResponse {
    /// The payment's status, derived from the answer's class in the code table.
    pub fn status(&self) -> PayStatus {
        let codes = &self.codes;
        match codes.class() {
            CodeClass::Success => PayStatus::Paid,
            CodeClass::Processing => PayStatus::Processing,
            CodeClass::BusinessFailure | CodeClass::Expired => PayStatus::Failed {
                sub_return_code: codes.sub_return_code,
            },
            _ => PayStatus::Unknown {
                return_code: codes.return_code,
                sub_return_code: codes.sub_return_code,
            },
        }
    }
}

crate::default_gateway_response!(AgreementPayResponse);
