//! One `tracing` span per call (`zalopay.call`) and one per attempt (`zalopay.attempt`).
//!
//! Fields, all safe to log: the operation's spec id, method and path; the merchant's own id
//! of the object (`app_trans_id`, `m_refund_id`, `partner_order_id`, ZOD's `mcRefId` or
//! `binding_id`, whichever the request carries); the attempt number; the outcome; the
//! latency in milliseconds. Never a key, a MAC, a MAC input, a token or a request body: the
//! merchant id is read from the encoded parameters by name, and only those names are read.

use std::time::{Duration, Instant};

use tracing::field::Empty;

use crate::client::prepared::PreparedRequest;
use crate::endpoint::{Encoding, Endpoint};
use crate::error::Error;

/// The request parameters (wire names) that name the object a call is about, most specific
/// first.
const MERCHANT_ID_PARAMS: [&str; 5] = [
    "m_refund_id",
    "app_trans_id",
    "partner_order_id",
    "mcRefId",
    "binding_id",
];

/// The span of a whole call (every attempt), entered by `Client::send`.
/// `prepared` is `None` when the request did not even pass validation.
pub(crate) fn call_span<R: Endpoint>(prepared: Option<&PreparedRequest>) -> tracing::Span {
    let span = tracing::info_span!(
        "zalopay.call",
        operation = operation_id::<R>(),
        method = R::METHOD.as_str(),
        path = R::PATH,
        merchant_id_param = Empty,
        merchant_id = Empty,
        attempts = Empty,
        outcome = Empty,
        return_code = Empty,
        sub_return_code = Empty,
        latency_ms = Empty,
    );
    // Decoding the parameters costs a little; skip it when nobody listens.
    let found = prepared
        .filter(|_| !span.is_disabled())
        .and_then(|prepared| merchant_id(R::ENCODING, prepared));
    if let Some((param, value)) = found {
        span.record("merchant_id_param", param);
        span.record("merchant_id", value.as_str());
    }
    span
}

/// The span of one attempt, a child of the call's span.
pub(crate) fn attempt_span(attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "zalopay.attempt",
        attempt,
        outcome = Empty,
        return_code = Empty,
        sub_return_code = Empty,
        latency_ms = Empty,
    )
}

/// Records how a call or an attempt ended, and how long it took.
pub(crate) fn record<T>(span: &tracing::Span, started: Instant, result: &Result<T, Error>) {
    span.record("latency_ms", millis(started.elapsed()));
    match result {
        Ok(_) => {
            span.record("outcome", "ok");
        }
        Err(error) => {
            span.record("outcome", outcome(error));
            let gateway = match error {
                Error::Gateway(gateway) | Error::AlreadySubmitted { gateway, .. } => Some(gateway),
                _ => None,
            };
            if let Some(gateway) = gateway {
                span.record("return_code", gateway.return_code);
                if let Some(sub) = gateway.sub_return_code {
                    span.record("sub_return_code", sub);
                }
            }
        }
    }
}

fn millis(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

/// A short, stable name for each kind of failure.
fn outcome(error: &Error) -> &'static str {
    match error {
        Error::Config(_) => "config",
        Error::InvalidField { .. } => "invalid_field",
        Error::ResendRefused { .. } => "resend_refused",
        Error::Encode(_) => "encode",
        Error::Timeout { .. } => "timeout",
        Error::Transport { connect: true, .. } => "connect_failed",
        Error::Transport { .. } => "transport",
        Error::HttpStatus { .. } => "http_status",
        Error::ResponseTooLarge { .. } => "response_too_large",
        Error::Decode { .. } => "decode",
        Error::Gateway(_) => "gateway_refused",
        Error::AlreadySubmitted { .. } => "already_submitted",
    }
}

/// The operation's id (`order.create`, …), or `custom` for an operation outside the catalog.
fn operation_id<R: Endpoint>() -> &'static str {
    R::OPERATION_ID.unwrap_or("custom")
}

/// The first of [`MERCHANT_ID_PARAMS`] among the encoded parameters.
fn merchant_id(encoding: Encoding, prepared: &PreparedRequest) -> Option<(&'static str, String)> {
    match encoding {
        Encoding::Form => first_form_id(&prepared.body),
        Encoding::Query => {
            let (_, query) = prepared.url.split_once('?')?;
            first_form_id(query.as_bytes())
        }
        Encoding::Json => {
            let params: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&prepared.body).ok()?;
            MERCHANT_ID_PARAMS.iter().find_map(|name| {
                let value = match params.get(*name)? {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Number(number) => number.to_string(),
                    _ => return None,
                };
                Some((*name, value))
            })
        }
    }
}

fn first_form_id(encoded: &[u8]) -> Option<(&'static str, String)> {
    let pairs: Vec<_> = form_urlencoded::parse(encoded).collect();
    MERCHANT_ID_PARAMS.iter().find_map(|name| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| (*name, value.clone().into_owned()))
    })
}
