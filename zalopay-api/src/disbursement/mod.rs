//! Disbursement (`/v2/disbursement/*`): pay out to a user's ZaloPay wallet.
//!
//! Needs a `payment_id` from ZaloPay and, for top-up, the merchant's RSA private key
//! (`rsa` feature, `Config::rsa_key`).

mod balance;
mod topup;
mod txn;
mod user;

pub use balance::{DisbursementBalance, DisbursementBalanceResponse, MerchantBalance};
pub use topup::{DisbursementTopup, DisbursementTopupResponse};
pub use txn::{DisbursementTxn, DisbursementTxnResponse};
pub use user::{DisbursementUser, DisbursementUserResponse, WalletUser};

use serde::{Deserialize, Serialize};

/// A top-up order, as [`DisbursementTopup`] answers it and [`DisbursementTxn`] reports it
/// (api-facts §14: the query returns the same `data`, without `upgrade_url`, plus
/// `zp_trans_id` and `result_url`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DisbursementOrder {
    /// ZaloPay's order id.
    #[serde(deserialize_with = "crate::wire::lenient_opt_string")]
    pub order_id: Option<String>,
    /// 1 success, 2 fail, 3 processing, 4 pending (see [`DisbursementOrder::disbursement_status`]).
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
    /// The typed status, if one was sent.
    pub fn disbursement_status(&self) -> Option<DisbursementStatus> {
        self.status.map(DisbursementStatus::from)
    }
}

/// The state of a disbursement order (`data.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisbursementStatus {
    /// `1`: the money reached the wallet.
    Success,
    /// `2`: failed.
    Failed,
    /// `3`: processing; query again.
    Processing,
    /// `4`: pending manual handling by ZaloPay.
    Pending,
    /// Any other value, kept as received.
    Other(i32),
}

impl From<i32> for DisbursementStatus {
    fn from(status: i32) -> Self {
        match status {
            1 => Self::Success,
            2 => Self::Failed,
            3 => Self::Processing,
            4 => Self::Pending,
            other => Self::Other(other),
        }
    }
}
