//! A typed SDK for the ZaloPay payment gateway (Vietnam): every operation as an annotated
//! struct, signed exactly as documented, sent by an async client that knows which failures
//! are safe to retry, and verifiers for what ZaloPay sends back.
//!
//! # Quickstart
//!
//! Create an order, show its QR / link, then learn the outcome from the callback or by
//! querying (sandbox demo app 2553; `cargo run -p zalopay-api --example quickstart` runs the
//! same code):
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use zalopay_api::ids::AppTransId;
//! use zalopay_api::order::{CreateOrder, QueryOrder};
//! use zalopay_api::{Client, Config};
//!
//! let client = Client::new(Config::sandbox_demo()?)?; // or Config::new(app_id, keys, environment)
//! let id = AppTransId::random()?; // yyMMdd_… in Vietnam time
//! // Named setters; app_id and app_time are left to the client (its Config and clock).
//! let order = CreateOrder::builder()
//!     .app_trans_id(&id)
//!     .app_user("user123")
//!     .amount(50_000)
//!     .description("Shop - Payment for the order #123")
//!     .build();
//! let created = client.send(&order).await?; // validated, signed with key1, sent, decoded
//! println!("pay here: {:?}", created.order_url);
//! let query = QueryOrder::builder().app_trans_id(&id).build();
//! let status = client.send(&query).await?.status();
//! println!("{status:?}");
//! # Ok(()) }
//! ```
//!
//! # The seed flow, and where each step lives
//!
//! 1. **Create** the order ([`order::CreateOrder`]) with an [`ids::AppTransId`] dated today in
//!    Vietnam time. A retry re-sends the same id, so a lost answer never creates a second
//!    order ([`RetryClass::SameId`], [`Error::AlreadySubmitted`]).
//! 2. **Show** `order_url` (or its QR code) to the buyer.
//! 3. **Learn the outcome** from the callback, verified with key2 before anything in it is
//!    trusted ([`verify_callback`], [`CallbackVerifier`], and the integrations for
//!    `http`, `axum` and `actix`), answered with a
//!    [`CallbackReply`]; or, since callbacks get lost, by **polling**
//!    ([`order::QueryOrder`], the `poll` module) until paid, failed or expired. The browser
//!    redirect ([`verify_redirect`]) is only a hint for the page shown to the buyer.
//! 4. **Refund** ([`refund::RefundOrder`]) with an [`ids::MRefundId`], then follow it with
//!    [`refund::QueryRefund`] under the *same* `m_refund_id` until it settles.
//!
//! Every answer keeps ZaloPay's `return_code` / `sub_return_code` ([`codes`],
//! [`GatewayError`]); "processing", "not found yet" and "duplicate" are states of their own,
//! never failures.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `client` | yes | [`Client`] (tokio + reqwest with rustls), retries, the `poll` module. Without it every request and response type, signing, [`client::prepare`] / [`client::decode`] for your own HTTP stack, callback and redirect verification, ids, clocks and the [`catalog`] remain, with no tokio, reqwest or hyper in the build. |
//! | `rsa` | no | disbursement top-up's RSA signature and quick pay's payment-code encryption (the `rsa` module; see SECURITY.md on RUSTSEC-2023-0071) |
//! | `http` | no | `zalopay_api::http`: the callback route for any framework built on the `http` crate |
//! | `axum` | no | `zalopay_api::axum`: a verifying callback extractor for axum 0.8 that keeps your `State` |
//! | `actix` | no | `zalopay_api::actix`: a verifying callback extractor for actix-web 4 |
//! | `test-util` | no | test helpers: `clock::ManualClock` and `poll::VirtualSleeper` (virtual time) |
//!
//! # Guarantees
//!
//! MACs are compared in constant time; keys (and the HMAC state prepared from them) are
//! wiped on drop and never logged; requests are validated before anything is sent; every
//! call is one `tracing` span (`zalopay.call`, with one `zalopay.attempt` per attempt)
//! carrying the operation id, the merchant's id, the attempt count, the outcome and the
//! latency, never a key or a MAC input. SECURITY.md says which test holds each guarantee.

// Library code never unwraps, expects or panics on input; tests may.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the derive's absolute paths (`::zalopay_api::…`) resolve inside this crate too.
extern crate self as zalopay_api;

// Operations, one module per API family.
pub mod agreement;
pub mod banks;
pub mod disbursement;
pub mod hybrid;
pub mod order;
pub mod quickpay;
pub mod refund;
pub mod tokenization;
pub mod zod;

// Signing, transport and the merchant's side.
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod builder;
pub mod callback;
pub mod catalog;
pub mod client;
pub mod clock;
pub mod codes;
pub mod endpoint;
pub mod environment;
pub mod error;
pub mod fill;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
pub mod ids;
mod lenient;
mod param_kind;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod poll;
pub mod redirect;
pub mod response;
#[cfg(feature = "rsa")]
#[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
pub mod rsa;
pub mod sign;
#[cfg(feature = "client")]
mod trace;
pub mod validation;
mod verifier;
mod wire;

pub use callback::{Callback, CallbackError, CallbackReply, verify_callback};
#[cfg(feature = "client")]
pub use client::Client;
pub use client::{CallOptions, Config, PreparedRequest, RetryPolicy};
pub use endpoint::{
    Confidence, Encoding, Endpoint, Host, MacSegment, Method, Operation, OperationResponse, Param,
    ParamKind, RetryClass, SignatureScheme, Signed, SignedRequest,
};
pub use environment::Environment;
pub use error::Error;
pub use fill::FillContext;
pub use redirect::{Redirect, RedirectError, verify_redirect};
pub use response::{GatewayError, GatewayResponse, IncompleteResponse, ResultCodes};
pub use sign::{JsonString, KeyError, KeyKind, Keys, MacHex, MacValue, SecretKey};
pub use validation::ValidationContext;
pub use verifier::{CallbackRejection, CallbackVerifier};
pub use zalopay_derive::ZaloPayRequest;

/// Items the derive's generated code refers to. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::builder::{Set, Unset};
    pub use crate::endpoint::{
        Confidence, Encoding, Endpoint, Host, KindOf, MacSegment, Method, NoResponse, Operation,
        Param, ParamKind, RetryClass, SignatureScheme, SignedRequest, Structured,
    };
    pub use crate::error::Error;
    pub use crate::fill::{self, FillContext};
    pub use crate::sign::{KeyKind, MacValue};
    pub use crate::validation::{ValidationContext, check};
    pub use ::core::clone::Clone;
    pub use ::core::convert::Into;
    pub use ::core::default::Default;
    pub use ::core::marker::PhantomData;
    pub use ::core::option::Option::{self, None, Some};
    pub use ::core::result::Result::{self, Ok};
    pub use ::core::unreachable;
    pub use ::serde::Serializer;
    pub use ::serde::ser::SerializeStruct;
    pub use ::std::string::String;
}
