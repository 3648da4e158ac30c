//! `GET /v2/zod/invoice`: fetch a ZOD invoice's payment URL again.

use serde::{Deserialize, Serialize};

use super::ZodCodes;
use crate::ZaloPayRequest;
use crate::response::{GatewayError, GatewayResponse};

/// Queries an invoice (query-string parameters).
///
/// MAC (key1): `appId|mcRefId`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "zod.invoice", confidence = "C2", method = GET, host = zod, path = "/v2/zod/invoice", encoding = query, response = ZodInvoiceResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, mc_ref_id])]
pub struct ZodQueryInvoice {
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

/// The answer to [`crate::zod::ZodCreateInvoice`] and [`ZodQueryInvoice`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ZodInvoiceResponse {
    /// Result codes, if any were sent.
    #[serde(flatten)]
    pub codes: ZodCodes,
    /// Payment URL; render it as a QR code.
    #[serde(rename = "orderUrl", default)]
    pub order_url: Option<String>,
}

impl GatewayResponse for ZodInvoiceResponse {
    fn rejection(&self) -> Option<GatewayError> {
        self.codes.rejection()
    }
}
