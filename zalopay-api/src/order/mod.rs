//! Orders: create, query (and, in sibling modules, cancel and refunds).

mod create;
mod query;

pub use create::{CreateOrder, CreateOrderResponse};
pub use query::{OrderStatus, QueryOrder, QueryOrderResponse};
