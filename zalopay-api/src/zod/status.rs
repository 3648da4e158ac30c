//! `GET /v2/zod/status`: whether a ZOD invoice was paid.

use serde::{Deserialize, Serialize};

use super::ZodCodes;
use crate::ZaloPayRequest;
use crate::codes::CodeClass;
use crate::response::{GatewayError, GatewayResponse};

/// Queries an invoice's payment status (query-string parameters).
///
/// MAC (key1): `appId|mcRefId`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "zod.status", confidence = "C2", method = GET, host = zod, path = "/v2/zod/status", encoding = query, response = ZodStatusResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, mc_ref_id])]
pub struct ZodQueryStatus {
    /// The app id, as text (`appId`).
    #[wire(rename = "appId")]
    #[check(non_empty)]
    #[zalopay(app_id)]
    pub app_id: Option<String>,
    /// The merchant's reference id (`mcRefId`).
    #[wire(rename = "mcRefId")]
    #[check(non_empty)]
    pub mc_ref_id: String,
}

/// The state of a ZOD invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZodOrderStatus {
    /// `1`: paid.
    Paid,
    /// `2`: payment failed.
    Failed,
    /// `3`: not paid yet.
    Processing,
    /// A `status` value no source documents, kept as received. Not final.
    Other(i64),
    /// The answer carried result codes that describe no invoice state (maintenance,
    /// request-level, unrecognised: the client returns those as `Err`). Not final.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl ZodOrderStatus {
    /// Whether this is the gateway's last word on the invoice (paid or failed).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Paid | Self::Failed)
    }
}

impl From<i64> for ZodOrderStatus {
    fn from(status: i64) -> Self {
        match status {
            1 => Self::Paid,
            2 => Self::Failed,
            3 => Self::Processing,
            other => Self::Other(other),
        }
    }
}

/// The answer to [`ZodQueryStatus`]. `status` and `amount` arrive as numbers or as decimal
/// strings depending on the source (`{"amount":"430000"}`); both decode to integers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ZodStatusResponse {
    /// Result codes, if any were sent.
    #[serde(flatten)]
    pub codes: ZodCodes,
    /// 1 paid, 2 failed, 3 unpaid (see [`ZodStatusResponse::status`]).
    #[serde(deserialize_with = "crate::wire::lenient_i64")]
    pub status: i64,
    /// Amount, VND.
    #[serde(default, deserialize_with = "crate::wire::lenient_opt_i64")]
    pub amount: Option<i64>,
    /// ZaloPay's transaction id (`"0"` while unpaid).
    #[serde(
        rename = "zpTransId",
        default,
        deserialize_with = "crate::wire::lenient_opt_string"
    )]
    pub zp_trans_id: Option<String>,
}

impl ZodStatusResponse {
    /// The invoice's status: `status` (1 paid, 2 failed, 3 unpaid), unless the answer also
    /// carried result codes whose class in the code table is not a state of the invoice
    /// (ZOD answers normally carry none).
    pub fn status(&self) -> ZodOrderStatus {
        let typed = ZodOrderStatus::from(self.status);
        let Some(return_code) = self.codes.return_code else {
            return typed;
        };
        let unknown = ZodOrderStatus::Unknown {
            return_code,
            sub_return_code: self.codes.sub_return_code,
        };
        match crate::codes::classify(return_code, self.codes.sub_return_code) {
            CodeClass::Success => typed,
            CodeClass::Processing => ZodOrderStatus::Processing,
            // Codes and `status` must agree before a failure is final.
            CodeClass::BusinessFailure | CodeClass::Expired if typed == ZodOrderStatus::Failed => {
                typed
            }
            _ => unknown,
        }
    }
}

impl GatewayResponse for ZodStatusResponse {
    fn rejection(&self) -> Option<GatewayError> {
        self.codes.rejection()
    }
}
