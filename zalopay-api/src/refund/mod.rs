//! Refunds: refund a paid transaction (fully or partly) and follow the refund's status.

mod create;
mod query;

pub use create::{RefundOrder, RefundOrderResponse};
pub use query::{QueryRefund, QueryRefundResponse, RefundStatus};

/// ZaloPay's transaction id: an `i64` in responses and callbacks, sent as a **string** in
/// refund requests (api-facts §5, §19.4).
///
/// Serialises as a decimal string; deserialises from a number or a decimal string; renders
/// into a MAC input as plain decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ZpTransId(pub i64);

impl ZpTransId {
    /// The numeric id.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl crate::validation::CheckInteger for ZpTransId {
    fn integer(&self) -> Option<i128> {
        Some(i128::from(self.0))
    }
}

impl From<i64> for ZpTransId {
    fn from(id: i64) -> Self {
        Self(id)
    }
}

impl std::fmt::Display for ZpTransId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for ZpTransId {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(Self)
    }
}

impl crate::MacValue for ZpTransId {
    fn write_mac(&self, out: &mut String) {
        self.0.write_mac(out);
    }
}

/// Sent as a decimal string (see `Serialize`), so a JSON body carries text.
impl crate::endpoint::WireKind for ZpTransId {
    const KIND: crate::endpoint::ParamKind = crate::endpoint::ParamKind::Text;
}

impl serde::Serialize for ZpTransId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ZpTransId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::wire::lenient_i64(deserializer).map(Self)
    }
}
