//! The client's error type. Three outcomes are kept apart: the request never got a usable
//! answer (transport), the gateway refused it ([`GatewayError`]), or it was invalid before
//! anything was sent. A payment that is still processing is *not* an error.

pub use crate::response::GatewayError;

/// Everything that can go wrong when sending a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (bad base URL, missing RSA key, …). Nothing was sent.
    #[error("configuration error: {0}")]
    Config(String),

    /// A request field is invalid. Nothing was sent.
    #[error("invalid `{field}`: {reason}")]
    InvalidField {
        /// The wire name of the field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// A re-send ([`CallOptions::resend`](crate::CallOptions::resend)) was refused before
    /// sending: a field is invalid now (a kept time older than 15 minutes, an id of the wrong
    /// shape or app). Nothing was sent *this time*, but an earlier attempt of the request may
    /// have reached ZaloPay: query the object by its merchant id (order query, refund query,
    /// top-up txn: they work on any day) before doing anything else, and never send it again
    /// under a new id.
    #[error(
        "not re-sent: invalid `{field}`: {reason}; nothing was sent this time, but an earlier attempt may have reached ZaloPay: query it by its id before anything else, never send it again under a new id"
    )]
    ResendRefused {
        /// The wire name of the field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The request could not be encoded. Nothing was sent.
    #[error("could not encode the request: {0}")]
    Encode(String),

    /// No answer within the configured timeout. The request **may** have reached ZaloPay.
    #[error("timed out waiting for ZaloPay ({url})")]
    Timeout {
        /// The URL that was called.
        url: String,
    },

    /// Connecting, sending or reading failed. The request may have reached ZaloPay unless
    /// `connect` is true.
    #[error("transport error calling {url}: {source}")]
    Transport {
        /// The URL that was called.
        url: String,
        /// `true` when the connection itself failed, so nothing was sent.
        connect: bool,
        /// The underlying error (a `reqwest::Error` from [`Client`](crate::Client); boxed so
        /// that this type has one shape with and without the `client` feature).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// ZaloPay (or something in front of it) answered with a non-2xx HTTP status.
    #[error("HTTP {status} from {url}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The URL that was called.
        url: String,
        /// The start of the response body (at most 512 bytes), for diagnosis.
        body: String,
        /// `Retry-After`, when the answer carried one (in seconds).
        retry_after: Option<std::time::Duration>,
    },

    /// The response body was larger than `Config::max_response_bytes`; it was not read
    /// further. The request **may** have been processed.
    #[error("the response from {url} is larger than {limit} bytes")]
    ResponseTooLarge {
        /// The URL that was called.
        url: String,
        /// The configured limit.
        limit: usize,
    },

    /// The response was not the JSON this operation documents.
    #[error("could not decode the response from {url}: {source}")]
    Decode {
        /// The URL that was called.
        url: String,
        /// The start of the response body (at most 512 bytes), for diagnosis.
        body: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// ZaloPay answered and refused the request.
    #[error(transparent)]
    Gateway(#[from] GatewayError),

    /// A retry of a `retry = same_id` request (create order) was refused as a duplicate
    /// (`-68`) after an earlier attempt that may have reached ZaloPay (`earlier`: a timeout, a
    /// reset, a 5xx — never a refused connection): that attempt, whose answer was lost,
    /// created the object. Nothing was created twice. The lost answer (e.g. `order_url`) cannot be
    /// recovered: query the object by its merchant id (`QueryOrder`), and if it is unpaid and
    /// the link is needed, cancel it and create a new order with a new id.
    #[error(
        "an earlier attempt already reached ZaloPay ({url}); the retry after {attempts} attempts was refused as a duplicate: {gateway}"
    )]
    AlreadySubmitted {
        /// The URL that was called.
        url: String,
        /// How many times the request was sent.
        attempts: u32,
        /// The duplicate refusal of the last attempt.
        gateway: GatewayError,
        /// The failure of the earlier attempt that may have got through.
        #[source]
        earlier: Box<Error>,
    },
}

impl Error {
    /// The gateway's refusal, if that is what this is.
    pub fn gateway(&self) -> Option<&GatewayError> {
        match self {
            Error::Gateway(error) => Some(error),
            _ => None,
        }
    }

    /// Whether asking again later may succeed: a timeout, a transport failure, HTTP 429 or
    /// 5xx, or a transient gateway code (rate limit, system error, maintenance). Whether
    /// repeating is *safe* depends on the operation (queries always are).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::HttpStatus { status, .. } => *status == 429 || *status >= 500,
            Error::Gateway(error) => error.is_transient(),
            Error::Config(_)
            | Error::InvalidField { .. }
            | Error::ResendRefused { .. }
            | Error::Encode(_)
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::AlreadySubmitted { .. } => false,
        }
    }

    /// Whether the request may have reached ZaloPay (so blindly re-sending a non-idempotent
    /// request could act twice). A refused re-send ([`Error::ResendRefused`]) counts: this
    /// call sent nothing, but an earlier one may have.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Config(_) | Error::InvalidField { .. } | Error::Encode(_) => false,
            Error::ResendRefused { .. } => true,
            Error::Transport { connect, .. } => !connect,
            Error::Timeout { .. }
            | Error::HttpStatus { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Decode { .. }
            | Error::Gateway(_)
            | Error::AlreadySubmitted { .. } => true,
        }
    }
}

/// Cuts a response body to a short, valid UTF-8 excerpt for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(512)];
    String::from_utf8_lossy(cut).into_owned()
}
