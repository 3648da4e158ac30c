//! [`PreparedRequest`]: what signing and encoding produce, and what the transport sends
//! (and the call's tracing reads), apart from both.

use crate::endpoint::Method;

/// A signed request, ready to go on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: Method,
    /// Full URL, including the query string for `GET`.
    pub url: String,
    /// `Content-Type` of the body, if there is one.
    pub content_type: Option<&'static str>,
    /// The encoded body (empty for `GET`).
    pub body: Vec<u8>,
}
