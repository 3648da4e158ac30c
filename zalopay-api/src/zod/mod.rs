//! ZaloPay on Delivery (ZOD host): invoices the courier shows as a QR code at the door.
//!
//! ZOD uses camelCase names, sends `appId` as a string, and its responses carry no
//! `return_code` (they are treated as results unless one is present).

mod create;
mod invoice;
mod status;

pub use create::{ZodCreateInvoice, ZodOrderInfo, ZodReceiver};
pub use invoice::{ZodInvoiceResponse, ZodQueryInvoice};
pub use status::{ZodOrderStatus, ZodQueryStatus, ZodStatusResponse};

use serde::{Deserialize, Serialize};

use crate::response::GatewayError;

/// Result codes, when a ZOD response carries any (the documented ones do not).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
#[serde(default)]
pub struct ZodCodes {
    /// `return_code`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_code: Option<i32>,
    /// `return_message`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_message: Option<String>,
    /// `sub_return_code`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_return_code: Option<i32>,
    /// `sub_return_message`, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_return_message: Option<String>,
}

impl ZodCodes {
    /// A rejection only when a `return_code` other than 1 or 3 is present.
    pub fn rejection(&self) -> Option<GatewayError> {
        match self.return_code {
            None | Some(1) | Some(3) => None,
            Some(return_code) => Some(GatewayError {
                return_code,
                return_message: self.return_message.clone().unwrap_or_default(),
                sub_return_code: self.sub_return_code,
                sub_return_message: self.sub_return_message.clone(),
            }),
        }
    }
}
