//! A tracked refund: followed with the same `m_refund_id` until the gateway says it is final.

use serde::Serialize;

use super::StoredName;

/// Where a tracked refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RefundState {
    /// Recorded, refund sent (or about to be); no answer yet. A query resolves it.
    Requested,
    /// The gateway is processing it (`3`): queried again with the same `m_refund_id`.
    Processing,
    /// The gateway said refunded. Final.
    Refunded,
    /// The gateway said the refund failed (or the send certainly never left). Final.
    Failed,
    /// Unresolved: reconcile. The gateway did not know the refund (or did not answer) within
    /// the window although the send may have reached ZaloPay, or its `m_refund_id` was already
    /// in use by a refund this tracker never sent (D-112). Money may have moved: never read it
    /// as failed. Final for the tracker; the merchant reconciles.
    Unresolved,
}

impl RefundState {
    /// Whether the tracker stops following the refund.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refunded | Self::Failed | Self::Unresolved)
    }
}

impl StoredName for RefundState {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Processing => "processing",
            Self::Refunded => "refunded",
            Self::Failed => "failed",
            Self::Unresolved => "unresolved",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "requested" => Self::Requested,
            "processing" => Self::Processing,
            "refunded" => Self::Refunded,
            "failed" => Self::Failed,
            "unresolved" => Self::Unresolved,
            _ => return None,
        })
    }
}

impl std::fmt::Display for RefundState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refund as the tracker keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TrackedRefund {
    /// The merchant's refund id (the primary key; a retry re-uses it, never a new one).
    pub m_refund_id: String,
    /// The app the refund belongs to.
    pub app_id: i64,
    /// The refunded transaction.
    pub zp_trans_id: i64,
    /// The amount refunded, VND.
    pub amount: i64,
    /// `timestamp` sent with the refund, Unix ms.
    pub timestamp: i64,
    /// Where the refund stands.
    pub state: RefundState,
    /// ZaloPay's refund id, once known.
    pub refund_id: Option<i64>,
    /// The gateway's last sub code.
    pub sub_return_code: Option<i32>,
    /// When the tracker asks the gateway next, Unix ms; `None`: it does not.
    pub next_query_at: Option<i64>,
    /// Failed attempts to get an answer in a row (drives the backoff).
    pub error_streak: i64,
    /// Status queries made for this refund.
    pub queries: i64,
    /// When the tracker recorded the refund, Unix ms.
    pub recorded_at: i64,
    /// When the record last changed, Unix ms.
    pub updated_at: i64,
    /// The instance currently asking the gateway about it, if any.
    pub lease_owner: Option<String>,
    /// Until when that lease holds, Unix ms.
    pub lease_until: Option<i64>,
    /// The lease's generation (see [`TrackedOrder::lease_token`](super::TrackedOrder)).
    pub lease_token: i64,
}

impl TrackedRefund {
    /// A freshly recorded refund, not yet sent.
    pub fn new(
        m_refund_id: impl Into<String>,
        app_id: i64,
        zp_trans_id: i64,
        amount: i64,
        timestamp: i64,
        recorded_at: i64,
    ) -> Self {
        Self {
            m_refund_id: m_refund_id.into(),
            app_id,
            zp_trans_id,
            amount,
            timestamp,
            state: RefundState::Requested,
            refund_id: None,
            sub_return_code: None,
            next_query_at: None,
            error_streak: 0,
            queries: 0,
            recorded_at,
            updated_at: recorded_at,
            lease_owner: None,
            lease_until: None,
            lease_token: 0,
        }
    }
}
