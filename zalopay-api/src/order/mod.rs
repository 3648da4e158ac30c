//! Orders: create, query, cancel (refunds live in [`crate::refund`]).

mod cancel;
mod create;
mod query;

pub use cancel::{CancelOrder, CancelOrderResponse};
pub use create::{CreateOrder, CreateOrderResponse, PRODUCT_CODE_AGREEMENT};
pub use query::{OrderStatus, QueryOrder, QueryOrderResponse};
