//! `POST /api/getlistmerchantbanks` (gateway host): the banks and payment channels enabled
//! for the app. Legacy field style: `appid`, `reqtime`, `returncode`, `returnmessage`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ZaloPayRequest;
use crate::response::{GatewayError, GatewayResponse};

/// Lists the banks enabled for the app, grouped by payment channel (`pmcid`).
///
/// MAC (key1): `appid|reqtime`. Form-encoded only; both values are strings on the wire.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "banks.list", confidence = "C2", method = POST, host = gateway, path = "/api/getlistmerchantbanks", encoding = form, response = ListBanksResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, req_time])]
pub struct ListBanks {
    /// The app id, as decimal text (`appid`).
    #[wire(rename = "appid")]
    #[check(non_empty)]
    #[zalopay(app_id)]
    pub app_id: Option<String>,
    /// Request time, Unix milliseconds as decimal text (`reqtime`).
    #[wire(rename = "reqtime")]
    #[check(recent_ms)]
    #[zalopay(time)]
    pub req_time: Option<String>,
}

/// Payment channel ids used as keys of [`ListBanksResponse::banks`].
pub mod pmcid {
    /// Visa / Master / JCB credit cards.
    pub const CREDIT_CARD: i32 = 36;
    /// Bank account.
    pub const BANK_ACCOUNT: i32 = 37;
    /// ZaloPay wallet.
    pub const ZALOPAY_WALLET: i32 = 38;
    /// Domestic ATM cards.
    pub const ATM: i32 = 39;
    /// Visa / Master debit cards.
    pub const DEBIT_CARD: i32 = 41;
}

/// One bank within a payment channel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Bank {
    /// Bank code, usable as `bank_code` of [`crate::order::CreateOrder`].
    #[serde(rename = "bankcode")]
    pub bank_code: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Suggested display position.
    #[serde(rename = "displayorder", default)]
    pub display_order: i32,
    /// Payment channel id (see [`pmcid`]).
    #[serde(default)]
    pub pmcid: i32,
    /// Smallest amount accepted, VND.
    #[serde(rename = "minamount", default)]
    pub min_amount: i64,
    /// Largest amount accepted, VND.
    #[serde(rename = "maxamount", default)]
    pub max_amount: i64,
}

/// The answer to [`ListBanks`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ListBanksResponse {
    /// `1` ok, `2` fail (legacy name `returncode`).
    #[serde(rename = "returncode")]
    pub return_code: i32,
    /// Message for `return_code` (legacy name `returnmessage`).
    #[serde(rename = "returnmessage", default)]
    pub return_message: String,
    /// Banks per payment channel; keys are `pmcid` as text (`"38"`).
    #[serde(default)]
    pub banks: BTreeMap<String, Vec<Bank>>,
}

impl ListBanksResponse {
    /// The banks of one payment channel (see [`pmcid`]); empty if none.
    pub fn channel(&self, pmcid: i32) -> &[Bank] {
        self.banks
            .get(&pmcid.to_string())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

impl GatewayResponse for ListBanksResponse {
    fn rejection(&self) -> Option<GatewayError> {
        (self.return_code != 1).then(|| GatewayError {
            return_code: self.return_code,
            return_message: self.return_message.clone(),
            sub_return_code: None,
            sub_return_message: None,
        })
    }
}
