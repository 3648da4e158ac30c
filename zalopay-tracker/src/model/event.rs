//! Events: the outcomes handed to the merchant's handler, each with a stable idempotency key.

use serde::{Deserialize, Serialize};

use super::{Source, StoredName};

/// A final outcome, as handed to the merchant's handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The gateway says the order was paid: fulfil it.
    Paid {
        /// The merchant's order id.
        app_trans_id: String,
        /// ZaloPay's transaction id (refunds need it).
        zp_trans_id: i64,
        /// The amount paid, as the gateway said, VND.
        amount: i64,
        /// Discount applied, VND, when the gateway said.
        discount_amount: Option<i64>,
        /// Callback or query.
        confirmed_by: Source,
        /// Set when the handler was already handed an earlier failed / expired / abandoned
        /// event of this order: the money came after all (money received wins), so undo
        /// what it did (e.g. restock, then fulfil). `None` when there was no such verdict or
        /// its event was never handed out (it is superseded and never will be, D-62).
        overrides: Option<String>,
    },
    /// The gateway says the order was paid, but not the order's own amount (an id
    /// collision, a reused id, a tampered order): do not fulfil as paid; the merchant decides
    /// (D-114).
    AmountMismatch {
        /// The merchant's order id.
        app_trans_id: String,
        /// ZaloPay's transaction id of the payment.
        zp_trans_id: i64,
        /// The order's own amount, VND.
        expected_amount: i64,
        /// The amount the gateway says was paid, VND.
        paid_amount: i64,
        /// Callback or query.
        confirmed_by: Source,
        /// As in [`Outcome::Paid`]: the earlier verdict the handler was already handed.
        overrides: Option<String>,
    },
    /// The payment failed (or the gateway refused the create): release the goods.
    Failed {
        /// The merchant's order id.
        app_trans_id: String,
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// The order expired unpaid: release the goods.
    Expired {
        /// The merchant's order id.
        app_trans_id: String,
    },
    /// The gateway never knew the order (or never answered) within the query window; the
    /// tracker stops and never re-creates it under a new id.
    Abandoned {
        /// The merchant's order id.
        app_trans_id: String,
        /// Why the tracker gave up.
        reason: String,
    },
    /// The refund went through.
    Refunded {
        /// The merchant's refund id.
        m_refund_id: String,
        /// The refunded transaction.
        zp_trans_id: i64,
        /// The amount refunded, VND.
        amount: i64,
        /// ZaloPay's refund id, when known.
        refund_id: Option<i64>,
    },
    /// The refund failed (the gateway said so, or the send certainly never left). Nothing was
    /// refunded; a new refund is the merchant's decision.
    RefundFailed {
        /// The merchant's refund id.
        m_refund_id: String,
        /// The refunded transaction.
        zp_trans_id: i64,
        /// The gateway's reason.
        sub_return_code: Option<i32>,
        /// What happened.
        reason: String,
    },
    /// Unresolved: reconcile. The tracker could not learn the refund's fate (the gateway did
    /// not know it or did not answer within the window, though the send may have reached
    /// ZaloPay; or its `m_refund_id` was taken by a refund this tracker never sent). Money
    /// may have moved: check with ZaloPay (portal, reconciliation file) before refunding
    /// again under a new id (D-112).
    RefundUnresolved {
        /// The merchant's refund id.
        m_refund_id: String,
        /// The refunded transaction.
        zp_trans_id: i64,
        /// The amount asked for, VND.
        amount: i64,
        /// The gateway's last sub code, if any.
        sub_return_code: Option<i32>,
        /// Why the tracker could not tell.
        reason: String,
    },
}

impl Outcome {
    /// The stored kind, e.g. `paid`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Paid { .. } => "paid",
            Self::Failed { .. } => "failed",
            Self::Expired { .. } => "expired",
            Self::Abandoned { .. } => "abandoned",
            Self::Refunded { .. } => "refunded",
            Self::RefundFailed { .. } => "refund_failed",
            Self::AmountMismatch { .. } => "amount_mismatch",
            Self::RefundUnresolved { .. } => "refund_unresolved",
        }
    }

    /// The order or refund id the outcome is about.
    pub fn subject(&self) -> &str {
        match self {
            Self::Paid { app_trans_id, .. }
            | Self::Failed { app_trans_id, .. }
            | Self::Expired { app_trans_id }
            | Self::Abandoned { app_trans_id, .. }
            | Self::AmountMismatch { app_trans_id, .. } => app_trans_id,
            Self::Refunded { m_refund_id, .. }
            | Self::RefundFailed { m_refund_id, .. }
            | Self::RefundUnresolved { m_refund_id, .. } => m_refund_id,
        }
    }

    /// The earlier verdict an order's money outcome names as overridden, for the store to
    /// settle against what the handler was really handed (D-62).
    pub(crate) fn overrides_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Self::Paid { overrides, .. } | Self::AmountMismatch { overrides, .. } => {
                Some(overrides)
            }
            _ => None,
        }
    }

    /// The stable idempotency key: `order:<app_trans_id>:<kind>` or `refund:<m_refund_id>:<kind>`.
    /// The same outcome of the same order always has the same key.
    pub fn idempotency_key(&self) -> String {
        let family = match self {
            Self::Refunded { .. } | Self::RefundFailed { .. } | Self::RefundUnresolved { .. } => {
                "refund"
            }
            _ => "order",
        };
        format!("{family}:{}:{}", self.subject(), self.kind())
    }
}

/// Whether an event still has to be handed to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EventStatus {
    /// Not yet handled successfully.
    Pending,
    /// The handler succeeded.
    Done,
    /// Replaced before it was handled (a payment arrived after a failed verdict).
    Superseded,
}

impl StoredName for EventStatus {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Superseded => "superseded",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "done" => Self::Done,
            "superseded" => Self::Superseded,
            _ => return None,
        })
    }
}

/// An event about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The outcome.
    pub outcome: Outcome,
    /// When it was recorded, Unix ms.
    pub created_at: i64,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// The store's id (increasing).
    pub id: i64,
    /// The stable idempotency key (see [`Outcome::idempotency_key`]): hand it to whatever
    /// the handler changes, so a second delivery of the same event does nothing.
    pub idempotency_key: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Whether it still has to be handled.
    pub status: EventStatus,
    /// Deliveries attempted so far (`0`: never handed to the handler).
    pub attempts: i64,
    /// When it was recorded, Unix ms.
    pub created_at: i64,
    /// When the handler succeeded, Unix ms.
    pub done_at: Option<i64>,
}
