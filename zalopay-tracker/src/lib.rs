//! A durable payment tracker for ZaloPay: the seed flow's "callback or poll" rule as a
//! library.
//!
//! The guide below walks the seed flow (create → QR → callback or poll → fulfilment).
//!
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod budget;
mod config;
mod error;
mod handler;
pub mod machine;
pub mod metrics;
pub mod model;
mod observe;
pub mod schedule;
pub mod store;
mod tracker;

pub use budget::RateBudget;
pub use config::TrackerConfig;
pub use error::{StoreError, TrackerError};
pub use handler::EventHandler;
pub use model::{
    Event, EventStatus, OrderState, Outcome, RefundState, Source, TrackedOrder, TrackedRefund,
};
pub use schedule::Schedule;
pub use store::{Backend, BudgetStore, MemoryStore, SqlStore, Store};
pub use tracker::{
    CallbackFailure, CallbackOutcome, DispatchReport, PassReport, Tracker, describe,
};
