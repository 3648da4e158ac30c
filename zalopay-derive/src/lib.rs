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
//!   encoding = form | json | query, response = Type)]`
//! * on fields: `#[wire(rename = "appId")]` (wire name), `#[wire(skip)]` (signed, never sent).
//!
//! The macro works in three steps, one module each: [`model`] parses attributes into a small
//! model, [`validate`] checks it (collecting every error), [`expand`] generates code that names
//! only absolute paths (`::zalopay_api::__private::…`).

// Library code never unwraps, expects or panics on input; tests may.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod expand;
mod model;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Derives `zalopay_api::SignedRequest` and `zalopay_api::Endpoint`. See the crate docs.
#[proc_macro_derive(ZaloPayRequest, attributes(mac, endpoint, wire))]
pub fn derive_zalopay_request(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
