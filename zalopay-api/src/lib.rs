//! A typed client for the ZaloPay payment gateway.
//!
//! Every operation is a plain struct annotated with `#[derive(ZaloPayRequest)]`: the annotation
//! states the documented MAC order and key and the endpoint; the library builds the MAC input,
//! signs it and sends the request. Nobody hand-writes a `|`-joined MAC string.

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
pub mod poll;
pub mod redirect;
pub mod response;
#[cfg(feature = "rsa")]
#[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
pub mod rsa;
pub mod sign;
pub mod validation;
mod verifier;
mod wire;

pub use callback::{Callback, CallbackError, CallbackReply, verify_callback};
pub use client::{Client, Config, PreparedRequest, RetryPolicy};
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
        Confidence, Encoding, Endpoint, Host, MacSegment, Method, NoResponse, Operation, Param,
        ParamKind, RetryClass, SignatureScheme, SignedRequest,
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
