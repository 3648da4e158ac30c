//! `POST /v2/tokenization/bind`: start a wallet or card binding.

use crate::ids::AppTransId;
use serde::{Deserialize, Serialize};

use crate::{JsonString, MacValue, ResultCodes, ZaloPayRequest};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            /// The value as sent and signed.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),*
                }
            }
        }

        impl MacValue for $name {
            fn write_mac(&self, out: &mut String) {
                out.push_str(self.as_str());
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// What is bound.
    TokenBindingType {
        /// `WALLET`: the buyer's ZaloPay wallet.
        Wallet => "WALLET",
        /// `CARD`: a bank card.
        Card => "CARD",
    }
}

wire_enum! {
    /// Bind only, or bind and pay an order in one go.
    BindingMode {
        /// `BIND`.
        Bind => "BIND",
        /// `BIND_AND_PAY` (send `payment_data`).
        BindAndPay => "BIND_AND_PAY",
    }
}

wire_enum! {
    /// The buyer's device.
    DeviceType {
        /// `MOBILE`.
        Mobile => "MOBILE",
        /// `DESKTOP`.
        Desktop => "DESKTOP",
    }
}

/// Starts a tokenization binding.
///
/// MAC (key1, third-party source only):
/// `app_id|app_trans_id|identifier|binding_mode|binding_type|device_type|binding_data|payment_data|req_date`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "tokenization.bind", confidence = "3P", method = POST, host = openapi, path = "/v2/tokenization/bind", encoding = form, response = TokenizationBindResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, identifier, binding_mode, binding_type, device_type, binding_data, payment_data, req_date])]
pub struct TokenizationBind {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Request time, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_date: Option<i64>,
    /// The merchant's binding request id (`yyMMdd_…`).
    #[check(app_trans_id)]
    pub app_trans_id: AppTransId,
    /// The merchant's id for the buyer.
    #[check(non_empty)]
    pub identifier: String,
    /// Wallet or card.
    pub binding_type: TokenBindingType,
    /// Bind, or bind and pay.
    pub binding_mode: BindingMode,
    /// Mobile or desktop flow.
    pub device_type: DeviceType,
    /// JSON: `redirect_url`, `redirect_deep_link`, `callback_url`, `embed_data`.
    #[zalopay(default = JsonString::empty_object())]
    pub binding_data: JsonString,
    /// JSON for `BIND_AND_PAY`: `amount`, `description`, `callback_url`, `embed_data`;
    /// `{}` for `BIND` (sent and signed either way, see specs/decisions.md D-03).
    #[zalopay(default = JsonString::empty_object())]
    pub payment_data: JsonString,
}

/// The answer to [`TokenizationBind`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TokenizationBindResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Binding token.
    #[serde(default)]
    pub binding_token: Option<String>,
    /// Binding page URL.
    #[serde(default)]
    pub binding_url: Option<String>,
    /// URL to restart the binding.
    #[serde(default)]
    pub reform_url: Option<String>,
}

crate::default_gateway_response!(TokenizationBindResponse);
