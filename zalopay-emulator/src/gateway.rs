//! The layer in front of every gateway API route: it records the request in the request log
//! and injects the request faults (latency, refusals before processing, a connection dropped
//! after processing).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde_json::Value;

use crate::faults::FailWith;
use crate::request_log::{APP_ID_FIELDS, RequestRecord, operation};
use crate::state::EmulatorState;
use crate::wire::{ApiError, BODY_LIMIT, LIMIT_REQUEST_REACH, Params};

/// The middleware (see the module docs). Pages and test hooks pass straight through.
pub(crate) async fn layer(
    State(state): State<EmulatorState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(operation) = operation(request.uri().path()) else {
        return next.run(request).await;
    };
    let started_us = state.elapsed_us();
    let seq = state.next_request_seq();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT.saturating_add(1)).await;
    let params = bytes.as_ref().ok().and_then(|bytes| {
        Params::from_parts(
            &parts.method,
            parts.uri.query(),
            parts.headers.get(CONTENT_TYPE),
            bytes,
        )
        .ok()
    });
    let app_id = params.as_ref().and_then(|p| {
        APP_ID_FIELDS
            .iter()
            .find_map(|field| p.get(field))
            .and_then(|v| v.trim().parse::<i64>().ok())
    });
    let merchant_id = params.as_ref().and_then(|p| {
        operation
            .merchant_id
            .iter()
            .find_map(|field| p.get(field))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    });
    let plan = state.plan_request(operation.id, app_id, merchant_id.as_deref(), seq);
    if let Some(latency) = plan.latency {
        tokio::time::sleep(latency).await;
    }
    // The per-app limit before anything else is done (D-162); a refused request takes no token.
    let limited = plan.fail.is_none() && !state.inner.limiter.admit(app_id, state.now_ms());
    let (response, fault) = match (bytes, plan.fail) {
        (Err(_), _) => (
            ApiError::invalid("body too large or unreadable").into_response(),
            None,
        ),
        (Ok(_), None) if limited => (
            ApiError::new(LIMIT_REQUEST_REACH.0, LIMIT_REQUEST_REACH.1).into_response(),
            Some("rate_limit"),
        ),
        (Ok(_), Some(fail)) => (refusal(fail), Some(fail.name())),
        (Ok(bytes), None) => (
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await,
            plan.reset.then_some("reset"),
        ),
    };
    let (head, body) = response.into_parts();
    // The emulator's own answers are small JSON documents.
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let (return_code, sub_return_code) = codes(&body);
    let reset = fault == Some("reset");
    state.record_request(RequestRecord {
        seq,
        operation: operation.id.to_owned(),
        app_id,
        merchant_id,
        started_us,
        finished_us: state.elapsed_us(),
        http_status: if reset { 0 } else { head.status.as_u16() },
        return_code,
        sub_return_code,
        fault: fault.map(str::to_owned),
    });
    if reset {
        tracing::info!(
            operation = operation.id,
            "fault: connection dropped after processing"
        );
        return Response::new(Body::new(Dropped));
    }
    Response::from_parts(head, Body::from(body))
}

/// The answer to a request refused by a fault: HTTP 503, or the gateway's `return_code 2`
/// answer with the fault's sub code (the four code fields every answer carries).
fn refusal(fail: FailWith) -> Response {
    match fail.gateway_code() {
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable (emulator fault)",
        )
            .into_response(),
        Some((code, name)) => {
            ApiError::new(code, format!("{name} (emulator fault)")).into_response()
        }
    }
}

/// `return_code` / `sub_return_code` of a JSON answer (old-style names for the bank list).
fn codes(body: &[u8]) -> (Option<i64>, Option<i64>) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return (None, None);
    };
    let code = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|name| map.get(*name))
            .and_then(Value::as_i64)
    };
    (
        code(["return_code", "returncode"]),
        code(["sub_return_code", "subreturncode"]),
    )
}

/// A body that fails at once: the server drops the connection without (the rest of) an answer.
struct Dropped;

impl http_body::Body for Dropped {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other(
            "emulator fault: connection dropped after processing",
        ))))
    }
}

/// After every request that may change state (anything but `GET`), writes what changed to
/// the data directory before the answer goes out. If that fails the answer becomes HTTP 503:
/// the change may have happened, but it is not safe.
pub(crate) async fn save_after(
    State(state): State<EmulatorState>,
    request: Request,
    next: Next,
) -> Response {
    let changes = request.method() != axum::http::Method::GET;
    let response = next.run(request).await;
    if changes && let Err(error) = state.persist() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the emulator could not save its state: {error}"),
        )
            .into_response();
    }
    response
}
