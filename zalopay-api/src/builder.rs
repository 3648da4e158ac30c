//! The typestate markers of the builders `#[derive(ZaloPayRequest)]` generates.
//!
//! Every request type has `Request::builder()`: named setters, then `build()`. A required
//! field's slot in the builder's type is [`Unset`] until its setter is called and [`Set`]
//! afterwards, so forgetting one is a compile error at `build()` that names the field, and a
//! required field cannot be set twice:
//!
//! ```
//! use zalopay_api::ids::AppTransId;
//! use zalopay_api::order::CreateOrder;
//!
//! let order = CreateOrder::builder()
//!     .app_trans_id(AppTransId::try_from("240102_0001")?)
//!     .app_user("user123")
//!     .amount(50_000)
//!     .description("Order #1")
//!     .build();
//! assert_eq!(order.app_id, None); // the client sends its own app id
//! # Ok::<(), zalopay_api::ids::IdError>(())
//! ```
//!
//! ```compile_fail
//! use zalopay_api::ids::AppTransId;
//! use zalopay_api::order::CreateOrder;
//!
//! // `amount` is missing: "`CreateOrder` is missing its required field `amount`".
//! let order = CreateOrder::builder()
//!     .app_trans_id(AppTransId::try_from("240102_0001").unwrap())
//!     .app_user("user123")
//!     .description("Order #1")
//!     .build();
//! ```

/// A required builder field that has not been set yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unset;

/// A required builder field that has been set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Set<T>(T);

impl<T> Set<T> {
    /// Wraps a value (called by generated setters).
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value (called by generated `build()`).
    pub fn into_inner(self) -> T {
        self.0
    }
}
