//! All-in-One disbursement (facts-update §B1): pay out from the merchant's business wallet to
//! a ZaloPay wallet, a bank account or an ATM card. Paths, fields and MACs come from two
//! independent third-party sources and one official guide that confirms the product
//! (confidence `3P`): try them in the sandbox before relying on them.
//!
//! The receiver is `receiver_info`: base64 of the receiver's JSON (`{"phone"}` to verify a
//! wallet, `{"m_u_id"}` to pay it, `{"bank_code","account_no","account_holder_name"}` or
//! `{"bank_code","card_no","card_holder_name"}`) RSA-encrypted (PKCS#1 v1.5) with ZaloPay's
//! public key. The ciphertext is signed exactly as sent.

use serde::{Deserialize, Serialize};

use crate::MacValue;

/// Where the money goes: `WALLET` or `BANK` (a bank account and a card are both `BANK`; the
/// encrypted `receiver_info` tells them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub enum DisbursementType {
    /// A ZaloPay wallet.
    #[serde(rename = "WALLET")]
    Wallet,
    /// A bank account or an ATM card.
    #[serde(rename = "BANK")]
    Bank,
}

impl DisbursementType {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            DisbursementType::Wallet => "WALLET",
            DisbursementType::Bank => "BANK",
        }
    }
}

impl MacValue for DisbursementType {
    fn write_mac(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl Serialize for DisbursementType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
