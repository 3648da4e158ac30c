//! Disbursement (`/v2/disbursement/*`): pay out to a user's ZaloPay wallet.
//!
//! Needs a `payment_id` from ZaloPay and, for top-up, the merchant's RSA private key
//! (`rsa` feature, `Config::rsa_key`).

mod balance;
mod topup;
mod txn;
mod user;

pub use balance::{DisbursementBalance, DisbursementBalanceResponse, MerchantBalance};
pub use topup::{DisbursementTopup, DisbursementTopupResponse, TopupData};
pub use txn::{DisbursementTxn, DisbursementTxnResponse, TxnData};
pub use user::{DisbursementUser, DisbursementUserResponse, WalletUser};

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
