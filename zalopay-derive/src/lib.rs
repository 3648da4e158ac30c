//! `#[derive(ZaloPayRequest)]`: turns an annotated request struct into its canonical MAC input
//! builder and its endpoint binding.
//!
//! ```ignore
//! #[derive(ZaloPayRequest)]
//! #[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form,
//!            response = QueryOrderResponse)]
//! #[mac(key = key1, fields = [app_id, app_trans_id, @key])]
//! pub struct QueryOrder {
//!     pub app_id: i64,
//!     pub app_trans_id: String,
//! }
//! ```
//!
//! Grammar (every part is checked; mistakes are compile errors pointing at the token):
//!
//! * `#[mac(key = key1 | key2, fields = [SEGMENT, ...], param = "sig", then = rsa_sha256)]`
//!   - `SEGMENT` is a field name (absent `Option`s render as `""`), `name?` (an `Option` field
//!     left out together with its separator when `None`), or `@key` (the signing key itself).
//!   - `param` (default `"mac"`) names the signature parameter on the wire; `then = rsa_sha256`
//!     signs the hex HMAC again with the merchant's RSA key.
//! * `#[endpoint(method = GET | POST, host = openapi | gateway | zod, path = "/...",
//!   encoding = form | json | query, response = Type, retry = safe | same_id | never,
//!   id = "family.name", confidence = "C2" | "C1" | "3P" | "?")]`
//!   - `response` must implement `serde::Deserialize` and `zalopay_api::GatewayResponse`;
//!     a type that does not is reported on the annotation.
//!   - `retry` (default `never`) says whether the client may send the request again after a
//!     transient failure, emitted as `Endpoint::RETRY`: `safe` for queries (repeating changes
//!     nothing); `same_id` for creations deduplicated by a merchant id (the identical signed
//!     request is sent again; a duplicate answer to a retry becomes
//!     `Error::AlreadySubmitted`); `never` for anything that moves money or state. Only
//!     connection failures, where nothing was sent, are retried for `never`.
//!   - `id` and `confidence` (together) make the request a catalogued `Operation`: the spec's
//!     `operationId` and how sure its path and MAC are (the api-facts legend).
//! * on fields: `#[wire(rename = "appId")]` (wire name), `#[wire(skip)]` (signed, never sent).
//! * on fields: `#[zalopay(app_id)]` / `#[zalopay(time)]` on an `Option` field: `None` means
//!   the client fills it (its `Config::app_id`, its clock's reading) when it prepares the
//!   request, once, so retries re-send the same values; a request naming another app id is
//!   refused before any I/O. `#[zalopay(default)]` / `#[zalopay(default = EXPR)]`: the
//!   builder's value when the caller sets none. Any other option is an error.
//! * on fields: `#[check(CHECK, ...)]`, validated by `SignedRequest::validate` before anything
//!   is signed or sent; a failure is `Error::InvalidField { field, reason }` naming the wire
//!   field. An absent `Option` passes every check. Checks:
//!   - `positive`: an integer greater than zero (amounts).
//!   - `max_len = N`: at most `N` characters (Unicode scalar values, not bytes).
//!   - `non_empty`: not the empty string (nor only whitespace).
//!   - `app_trans_id`: a *new* `app_trans_id`: `yyMMdd_<unique>`, ≤ 40 characters, dated today
//!     in Vietnam time (UTC+7) by the client's clock (`zalopay_api::ids::validate_app_trans_id`).
//!     Queries of existing ids use `max_len = 40, non_empty` instead: yesterday's ids are valid.
//!   - `m_refund_id`: a new `yyMMdd_<app_id>_<unique>`, ≤ 45 characters, dated today, against
//!     the struct's `app_id` field (`zalopay_api::ids::validate_m_refund_id`).
//!   - `recent_ms`: Unix milliseconds within ±15 minutes of the client's clock (`app_time`,
//!     `req_date`, `timestamp`, `time`; a decimal string such as `reqtime` is accepted too).
//!   - `json`: the text parses as JSON (for plain `String` fields; `JsonString` already is).
//!   - `min = N`, `max = N`: an integer within an inclusive bound.
//!   - `not_above = "field"`: an integer no greater than another field of the request.
//!
//!   Text checks take `String`, `&str`, `JsonString` and `Option`s of them; `positive` takes
//!   integers; `recent_ms` integers or decimal strings. A check that does not fit the field's
//!   type is a compile error on the check's name.
//!
//! * on the struct: `#[zalopay(crate = path::to::zalopay_api)]` when the runtime crate is
//!   renamed in `Cargo.toml` or re-exported (generated code then names `path::__private`
//!   instead of `::zalopay_api::__private`).
//!
//! Every request also gets a typestate builder: `Request::builder()`, one setter per field,
//! `build()` once every required field (not an `Option`, no default) is set. A missing field
//! is a compile error at `build()` naming it; a required field cannot be set twice.
//!
//! The macro works in steps, one module each, after serde_derive; data flows one way:
//!
//! * `attr` reads every attribute into typed values, each option in an `Attr` slot that
//!   reports a repeat (`checks` is the one table of `#[check(...)]` entries);
//! * `model` builds the request from them and resolves every name an attribute writes to the
//!   field it names;
//! * `validate` checks how the resolved parts relate, one named rule each;
//! * `expand` and `builder` generate code from the model, naming only absolute paths
//!   (`::zalopay_api::__private::…`); how a field goes on the wire comes from its type's
//!   `WireKind` impl in the runtime crate, never from the type's name.
//!
//! Errors go to one accumulator (`ctxt`) that can only be used inside a scope that reports all
//! of them.

// Library code never unwraps, expects or panics on input; tests may.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod attr;
mod builder;
mod checks;
mod ctxt;
mod expand;
mod model;
mod names;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Derives `zalopay_api::SignedRequest`, `zalopay_api::Endpoint` (and `zalopay_api::Operation`
/// with an `id`) and a typestate builder. See the crate docs.
#[proc_macro_derive(ZaloPayRequest, attributes(mac, endpoint, wire, check, zalopay))]
pub fn derive_zalopay_request(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
