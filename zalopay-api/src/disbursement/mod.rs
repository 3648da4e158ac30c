//! Disbursement (`/v2/disbursement/*`): pay out to a user's ZaloPay wallet.
//!
//! Needs a `payment_id` from ZaloPay and, for top-up, the merchant's RSA private key
//! (`rsa` feature, `Config::rsa_key`).

mod aio;
mod balance;
mod bank_codes;
mod query_txn;
mod topup;
mod transfer_fund;
mod txn;
mod user;
mod verify_account;

pub use balance::{DisbursementBalance, DisbursementBalanceResponse, MerchantBalance};
pub use topup::{DisbursementTopup, DisbursementTopupResponse};
pub use txn::{DisbursementTxn, DisbursementTxnResponse};
pub use user::{DisbursementUser, DisbursementUserResponse, WalletUser};
// All-in-One disbursement (facts-update §B1, confidence 3P).
pub use aio::DisbursementType;
pub use bank_codes::{BankCodes, BankCodesResponse, BankList, DisbursementBank};
pub use query_txn::{QueryTxn, QueryTxnResponse};
pub use transfer_fund::{TransferFund, TransferFundResponse};
pub use verify_account::{VerifiedReceiver, VerifyAccount, VerifyAccountResponse};

use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;

/// A top-up order, as [`DisbursementTopup`] answers it and [`DisbursementTxn`] reports it
/// (api-facts §14: the query returns the same `data`, without `upgrade_url`, plus
/// `zp_trans_id` and `result_url`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
#[serde(default)]
pub struct DisbursementOrder {
    /// ZaloPay's order id.
    #[serde(deserialize_with = "crate::wire::lenient_opt_string")]
    pub order_id: Option<String>,
    /// 1 success, 2 fail, 3 processing, 4 pending (see [`DisbursementTxnResponse::status`](crate::disbursement::DisbursementTxnResponse::status)).
    pub status: Option<i32>,
    /// The user's `m_u_id`.
    pub m_u_id: Option<String>,
    /// The user's phone.
    pub phone: Option<String>,
    /// Amount, VND.
    pub amount: Option<i64>,
    /// Description.
    pub description: Option<String>,
    /// Fee charged to the partner, VND.
    pub partner_fee: Option<i64>,
    /// ZaloPay's fee, VND.
    pub zlp_fee: Option<i64>,
    /// Extra information (JSON text).
    pub extra_info: Option<String>,
    /// Order time, Unix milliseconds.
    pub time: Option<i64>,
    /// Top-up only: where the user can raise their fund-in limit (with `2 / -406`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_url: Option<String>,
    /// Query only: ZaloPay's transaction id (a string here).
    #[serde(
        deserialize_with = "crate::wire::lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub zp_trans_id: Option<String>,
    /// Query only: receipt page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_url: Option<String>,
}

impl DisbursementOrder {
    /// The order's `status` field, typed (`None` when absent). Not a verdict on its own: the
    /// responses' `status()` read it together with the answer's codes.
    pub fn reported_status(&self) -> Option<DisbursementStatus> {
        self.status.map(DisbursementStatus::from)
    }
}

impl DisbursementStatus {
    /// Whether this is the gateway's last word on the payout (disbursed or failed).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Disbursed | Self::Failed)
    }
}

/// Where a top-up stands (`data.status`: 1 success, 2 fail, 3 processing, 4 pending manual
/// handling by ZaloPay; api-facts §14 \[C2]).
///
/// Only [`Disbursed`](Self::Disbursed) and [`Failed`](Self::Failed) are final.
/// [`NotFound`](Self::NotFound) is not a failure: a top-up whose answer was lost may not be
/// visible yet. Query the same `partner_order_id` again; never top up again under a new
/// `partner_order_id` while the first may still go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisbursementStatus {
    /// `1`: the money reached the user's wallet.
    Disbursed,
    /// `2`: the top-up failed.
    Failed,
    /// `3`, or an answer without `data.status`: still processing; query again.
    Processing,
    /// `4`: pending manual handling by ZaloPay; query again later.
    Pending,
    /// `2/-101`: ZaloPay does not know this `partner_order_id` (yet). Not final.
    NotFound,
    /// A `data.status` value no source documents, kept as received.
    Other(i32),
    /// Codes that describe no top-up state (a request-level rejection; the client returns
    /// those as `Err`).
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl From<i32> for DisbursementStatus {
    fn from(status: i32) -> Self {
        match status {
            1 => Self::Disbursed,
            2 => Self::Failed,
            3 => Self::Processing,
            4 => Self::Pending,
            other => Self::Other(other),
        }
    }
}

/// The status of a top-up / payout answer or query, derived from the answer's class in the
/// code table, then `data.status`.
pub(crate) fn disbursement_status(
    codes: &crate::ResultCodes,
    data: Option<&DisbursementOrder>,
) -> DisbursementStatus {
    let unknown = DisbursementStatus::Unknown {
        return_code: codes.return_code,
        sub_return_code: codes.sub_return_code,
    };
    if crate::wire::result_unless_request_level(codes).is_some() {
        return unknown;
    }
    let reported = data.and_then(DisbursementOrder::reported_status);
    match codes.class() {
        CodeClass::Success => reported.unwrap_or(DisbursementStatus::Processing),
        CodeClass::Processing => DisbursementStatus::Processing,
        CodeClass::NotFound => DisbursementStatus::NotFound,
        CodeClass::BusinessFailure | CodeClass::Expired => {
            reported.unwrap_or(DisbursementStatus::Failed)
        }
        _ => unknown,
    }
}
