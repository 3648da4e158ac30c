//! What every response shares: the gateway's result codes, and how a response is sorted into
//! "a business state" (returned as `Ok`) or "the gateway rejected the request" (an `Err`).
//!
//! # One rule for `return_code 2`
//!
//! A response that describes the state of an object (order, refund, binding, top-up) has a
//! `status()` accessor and [`GatewayResponse::FAILED_IS_STATE`] `= true`: its `return_code 2`
//! comes back as `Ok`, and `status()` says which state (failed, expired, **not found**), unless
//! the code refuses the request (request-level `-401`/`-402`, temporary `-429`/`-500`/`-33`
//! maintenance, duplicate: [`crate::codes::CodeClass::is_refusal`]), which is an `Err`.
//! Every other response (create, refund, pay, bind, ...) has `FAILED_IS_STATE = false`: its
//! `return_code 2` is the gateway refusing the request, an `Err(`[`GatewayError`]`)` with both
//! codes kept. `return_code 1` is success only with no sub code or sub code `1`.
//!
//! Every `status()` derives its verdict from one table: the answer's class
//! ([`ResultCodes::class`], [`crate::codes::classify`]). The status enums share one
//! vocabulary: `Paid` (money collected), `Refunded`, `Disbursed`, `Confirmed` (binding);
//! `Processing` and `NotFound` (not final: ask again with the same id); `Failed {
//! sub_return_code }` / `Expired` (final); and `Unknown { .. }` for codes that describe no
//! state (maintenance, request-level, unrecognised), which never reads as final. Each has
//! `is_final()`.

use serde::Deserialize;

/// `return_code` / `sub_return_code` and their messages, as ZaloPay sent them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct ResultCodes {
    /// `1` success, `2` fail, `3` processing; negative values are request-level errors.
    #[serde(deserialize_with = "crate::lenient::required_int")]
    pub return_code: i32,
    /// Human-readable message for `return_code`.
    #[serde(default, deserialize_with = "crate::lenient::text")]
    pub return_message: String,
    /// Detailed code (see [`crate::codes`]).
    #[serde(default, deserialize_with = "crate::lenient::int")]
    pub sub_return_code: Option<i32>,
    /// Human-readable message for `sub_return_code`.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub sub_return_message: Option<String>,
}

impl ResultCodes {
    /// `return_code == 1` with no sub code or sub code `1`. A positive sub code other than 1
    /// (pending-type codes such as `4`, `5`, `48`) is **not** success.
    pub fn is_success(&self) -> bool {
        self.return_code == 1 && success_sub_code(self.sub_return_code)
    }

    /// The answer's class in the code table ([`crate::codes::classify`]): what every
    /// `status()` derives its verdict from.
    pub fn class(&self) -> crate::codes::CodeClass {
        crate::codes::classify(self.return_code, self.sub_return_code)
    }

    /// `return_code == 3`: the gateway is still working on it; query again later.
    pub fn is_processing(&self) -> bool {
        self.return_code == 3
    }

    /// The rejection these codes describe, if they are neither success nor processing.
    pub fn rejection(&self) -> Option<GatewayError> {
        match self.return_code {
            1 | 3 => None,
            _ => Some(GatewayError::from(self.clone())),
        }
    }
}

/// The gateway answered, and refused the request.
///
/// Both codes and both messages are kept exactly as received; [`crate::codes`] explains them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::codes::describe(self.return_code, self.sub_return_code, &self.return_message, self.sub_return_message.as_deref()))]
pub struct GatewayError {
    /// `return_code` as received.
    pub return_code: i32,
    /// `return_message` as received.
    pub return_message: String,
    /// `sub_return_code` as received, if any.
    pub sub_return_code: Option<i32>,
    /// `sub_return_message` as received, if any.
    pub sub_return_message: Option<String>,
}

impl From<ResultCodes> for GatewayError {
    fn from(codes: ResultCodes) -> Self {
        Self {
            return_code: codes.return_code,
            return_message: codes.return_message,
            sub_return_code: codes.sub_return_code,
            sub_return_message: codes.sub_return_message,
        }
    }
}

impl GatewayError {
    /// The typed `sub_return_code` (or the `return_code` when no sub code came back).
    pub fn code(&self) -> crate::codes::SubReturnCode {
        crate::codes::SubReturnCode::from(self.sub_return_code.unwrap_or(self.return_code))
    }

    /// Whether repeating the *same* request later may succeed (rate limit, system error,
    /// maintenance). Whether it is *safe* to repeat depends on the operation.
    pub fn is_transient(&self) -> bool {
        self.code().is_transient()
    }

    /// Whether the merchant id was used before (`-68`, `-23`): query the existing object.
    pub fn is_duplicate(&self) -> bool {
        self.code().is_duplicate()
    }
}

/// A result the gateway reported without a field that result needs (a "paid" order query
/// without `zp_trans_id`, ...). The SDK refuses to decode such an answer rather than invent
/// the value; the answer's codes are lost with it, so query again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} answered `{state}` without `{field}`; refusing to invent it")]
pub struct IncompleteResponse {
    /// The operation id (`order.query`, ...).
    pub operation: &'static str,
    /// The state the answer claimed.
    pub state: &'static str,
    /// The wire name of the missing field.
    pub field: &'static str,
}

/// Whether a `sub_return_code` is compatible with success: absent or `1`. Positive codes other
/// than 1 exist (`2` duplicate, `4` in notify queue, `5` processing, `48` wait for query, ...:
/// the errors page lists them as *pending*); none of them reads as success.
pub(crate) fn success_sub_code(sub_return_code: Option<i32>) -> bool {
    matches!(sub_return_code, None | Some(1))
}

/// A typed response the client can sort into business state or rejection.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the `response = ...` of an operation: it does not implement `GatewayResponse`",
    label = "named in `#[endpoint(response = ...)]` here",
    note = "implement `zalopay_api::GatewayResponse` for it: its `rejection()` says whether an answer is a result or the gateway's refusal"
)]
pub trait GatewayResponse {
    /// Whether `return_code 2` describes the object's state (`Ok`, read it with `status()`)
    /// rather than a refusal of the request (`Err`). See the [module docs](self).
    const FAILED_IS_STATE: bool = false;

    /// `Some` when the gateway refused the request; `None` when the response is a result
    /// (success, failure of the payment itself, or still processing).
    fn rejection(&self) -> Option<GatewayError>;
}

/// Implements [`GatewayResponse`] for a response with a `codes: ResultCodes` field, using the
/// default rule: codes 1 and 3 are results, anything else is a rejection.
#[macro_export]
#[doc(hidden)]
macro_rules! default_gateway_response {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::response::GatewayResponse for $ty {
            fn rejection(&self) -> ::core::option::Option<$crate::response::GatewayError> {
                self.codes.rejection()
            }
        }
    )*};
}
