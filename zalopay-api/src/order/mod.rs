//! Orders: create, query, cancel (refunds live in [`crate::refund`]).

mod cancel;
mod create;
mod query;

pub use cancel::{CancelOrder, CancelOrderResponse};
pub use create::{CreateOrder, CreateOrderResponse, PRODUCT_CODE_AGREEMENT};
pub use query::{OrderStatus, QueryOrder, QueryOrderResponse};

use std::time::Duration;

/// ZaloPay's default order lifetime: 15 minutes, when a create carries no
/// `expire_duration_seconds` (api-facts §1.4 "order lifetime", confidence C2; D-172).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How long after creation ZaloPay answers status queries: 48 hours; later only the merchant
/// portal knows (api-facts §1.4 "order query window", confidence C1; D-41, D-172).
pub const QUERY_WINDOW: Duration = Duration::from_secs(48 * 60 * 60);
