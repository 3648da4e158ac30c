//! The test bench's controls, as JSON: the request log and the faults in force.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use axum::extract::Path;

use crate::callback::{self, Target};
use crate::faults::Faults;
use crate::pages::{AppQuery, find_order};
use crate::state::EmulatorState;
use crate::wire::{ApiError, success};

/// `GET /emulator/requests`: the request log, oldest first.
pub(crate) async fn requests(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.request_log()))
}

#[derive(Deserialize)]
pub(crate) struct FaultScope {
    app_id: Option<i64>,
}

/// `GET /emulator/faults`: `{global, apps}`.
pub(crate) async fn faults(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.faults()))
}

/// `POST /emulator/faults[?app_id=]` with a [`Faults`] JSON object: replaces the global faults
/// or those of one app, and answers the faults now in force. A field that is not a fault, or a
/// rate outside `0.0..=1.0`, is HTTP 400 and changes nothing.
pub(crate) async fn set_faults(
    State(state): State<EmulatorState>,
    Query(scope): Query<FaultScope>,
    body: axum::body::Bytes,
) -> Response {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &body[..]
    };
    let faults: Faults = match serde_json::from_slice(text) {
        Ok(faults) => faults,
        Err(error) => return bad_request(&format!("not a fault set: {error}")),
    };
    match state.set_faults(scope.app_id, faults) {
        Ok(()) => {
            tracing::info!(app_id = ?scope.app_id, "faults changed");
            Json(json!(state.faults())).into_response()
        }
        Err(error) => bad_request(&error.to_string()),
    }
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// `POST /emulator/orders/{app_trans_id}/callback[?app_id=]`: re-sends the order's callback
/// once, now, without faults (the attempt is added to its history). 2/-101 for an unknown
/// order, 2/-401 when it has no callback to send (not paid, or no callback URL).
pub(crate) async fn resend_callback(
    State(state): State<EmulatorState>,
    Path(app_trans_id): Path<String>,
    Query(query): Query<AppQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = find_order(&state, query.app_id, &app_trans_id)?;
    callback::resend(&state, Target::Order(key))
        .ok_or_else(|| ApiError::invalid("the order has no callback to re-send"))?;
    Ok(Json(success(json!({}))))
}

#[derive(Deserialize)]
pub(crate) struct Advance {
    seconds: Option<u64>,
}

/// `GET /emulator/clock`: `{now_ms}` on the emulator's clock.
pub(crate) async fn clock(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!({ "now_ms": state.now_ms() }))
}

/// `POST /emulator/clock/advance?seconds=N`: moves the emulator's clock forward; answers
/// `{now_ms}`. A missing or negative `seconds` is HTTP 400.
pub(crate) async fn advance_clock(
    State(state): State<EmulatorState>,
    Query(advance): Query<Advance>,
) -> Response {
    let Some(seconds) = advance.seconds else {
        return bad_request("`seconds` (a whole number ≥ 0) is required");
    };
    let now_ms = state.advance_clock(std::time::Duration::from_secs(seconds));
    tracing::info!(seconds, now_ms, "clock advanced");
    Json(json!({ "now_ms": now_ms })).into_response()
}
