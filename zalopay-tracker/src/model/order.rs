//! A tracked order: what was sent, what the gateway said, when to ask next.

use serde::Serialize;

use super::StoredName;

/// Where a tracked order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OrderState {
    /// Recorded, create sent (or about to be); no answer yet. A query resolves it.
    Creating,
    /// The gateway has the order; waiting for the payment.
    Open,
    /// The gateway said paid (callback or query). Final: money received wins.
    Paid,
    /// The gateway said the payment failed (or refused the create). Final unless a payment
    /// arrives after all.
    Failed,
    /// The gateway said the order expired unpaid. Final unless a payment arrives after all.
    Expired,
    /// The gateway never knew the order within the query window (or never answered): the
    /// tracker stops asking and never re-creates it under a new id. Also the end of an order
    /// whose create was refused because its id was already in use by an order this tracker
    /// never sent (`-68` to the first attempt, D-115).
    Abandoned,
    /// The gateway says paid, but a different amount than the order's own (D-114). Final: the
    /// tracker stops; the merchant decides (the order is not fulfilled as paid).
    AmountMismatch,
}

impl OrderState {
    /// Whether the tracker stops following the order.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Failed | Self::Expired | Self::Abandoned | Self::AmountMismatch
        )
    }
}

impl StoredName for OrderState {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Abandoned => "abandoned",
            Self::AmountMismatch => "amount_mismatch",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "creating" => Self::Creating,
            "open" => Self::Open,
            "paid" => Self::Paid,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            "abandoned" => Self::Abandoned,
            "amount_mismatch" => Self::AmountMismatch,
            _ => return None,
        })
    }
}

impl std::fmt::Display for OrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a verdict reached the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Source {
    /// The create order call's own answer.
    Create,
    /// A verified callback (key2).
    Callback,
    /// A status query.
    Query,
}

impl StoredName for Source {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Callback => "callback",
            Self::Query => "query",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "create" => Self::Create,
            "callback" => Self::Callback,
            "query" => Self::Query,
            _ => return None,
        })
    }
}

/// One order as the tracker keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TrackedOrder {
    /// The merchant's order id (the primary key; never replaced by a new one).
    pub app_trans_id: String,
    /// The app the order belongs to.
    pub app_id: i64,
    /// The amount asked for, VND.
    pub amount: i64,
    /// `app_time` sent with the create, Unix ms.
    pub app_time: i64,
    /// When the order expires unpaid at the gateway, Unix ms.
    pub expire_at: i64,
    /// Where the order stands.
    pub state: OrderState,
    /// The payment link from the create answer.
    pub order_url: Option<String>,
    /// ZaloPay's transaction id, once paid.
    pub zp_trans_id: Option<i64>,
    /// The amount the gateway says was paid, VND.
    pub paid_amount: Option<i64>,
    /// The gateway's reason for a failed, expired or unknown order.
    pub sub_return_code: Option<i32>,
    /// How the current state became known.
    pub confirmed_by: Option<Source>,
    /// When the tracker asks the gateway next, Unix ms; `None`: it does not.
    pub next_query_at: Option<i64>,
    /// Failed attempts to get an answer in a row (drives the backoff).
    pub error_streak: i64,
    /// Status queries made for this order.
    pub queries: i64,
    /// The merchant's own data (JSON text), e.g. the cart.
    pub metadata: String,
    /// When the tracker recorded the order, Unix ms.
    pub recorded_at: i64,
    /// When the record last changed, Unix ms.
    pub updated_at: i64,
    /// The instance currently asking the gateway about it, if any.
    pub lease_owner: Option<String>,
    /// Until when that lease holds, Unix ms.
    pub lease_until: Option<i64>,
    /// The lease's generation: raised by every lease granted, never lowered. A write made
    /// under a lease names it and is refused once the row was leased again (D-110).
    pub lease_token: i64,
}

impl TrackedOrder {
    /// A freshly recorded order, not yet sent.
    pub fn new(
        app_trans_id: impl Into<String>,
        app_id: i64,
        amount: i64,
        app_time: i64,
        expire_at: i64,
        recorded_at: i64,
    ) -> Self {
        Self {
            app_trans_id: app_trans_id.into(),
            app_id,
            amount,
            app_time,
            expire_at,
            state: OrderState::Creating,
            order_url: None,
            zp_trans_id: None,
            paid_amount: None,
            sub_return_code: None,
            confirmed_by: None,
            next_query_at: None,
            error_streak: 0,
            queries: 0,
            metadata: "{}".to_owned(),
            recorded_at,
            updated_at: recorded_at,
            lease_owner: None,
            lease_until: None,
            lease_token: 0,
        }
    }
}
