//! `POST /v2/disbursement/verify-account`: who would receive an All-in-One payout (§B1, 3P).

use serde::{Deserialize, Serialize};

use super::DisbursementType;
use crate::{ResultCodes, ZaloPayRequest};

/// Checks a receiver before paying out: a wallet's `m_u_id`, an account's or a card's
/// holder name.
///
/// MAC (key1): `app_id|disbursement_type|receiver_info|amount|time`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "disbursement.verify_account", confidence = "3P", method = POST, host = openapi, path = "/v2/disbursement/verify-account", encoding = json, response = VerifyAccountResponse, retry = safe)]
#[mac(key = key1, fields = [app_id, disbursement_type, receiver_info, amount, time])]
pub struct VerifyAccount {
    /// The app id; the client's when unset.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Wallet or bank.
    pub disbursement_type: DisbursementType,
    /// The receiver's JSON, RSA-encrypted with ZaloPay's public key, base64 (module docs).
    #[check(non_empty)]
    pub receiver_info: String,
    /// The amount that would be paid, VND.
    #[check(positive)]
    pub amount: i64,
    /// Where an unverified user is sent to finish their account (optional).
    pub redirect_url: Option<String>,
    /// Request time, Unix milliseconds; the client's clock when unset.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub time: Option<i64>,
}

/// The verified receiver.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VerifiedReceiver {
    /// A wallet's merchant-scoped user id (pay it with `TransferFund`).
    pub m_u_id: Option<String>,
    /// A bank account's holder name.
    pub account_holder_name: Option<String>,
    /// A card's holder name.
    pub card_holder_name: Option<String>,
}

/// The answer to [`VerifyAccount`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct VerifyAccountResponse {
    /// Result codes (-101 not found, -406 over the KYC limit, -1103 not identified).
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The receiver, when verified.
    #[serde(default)]
    pub data: Option<VerifiedReceiver>,
    /// Where the user completes their account (on -406 / -101).
    #[serde(default, alias = "onboarding_url")]
    pub reform_url: Option<String>,
}

crate::default_gateway_response!(VerifyAccountResponse);
