//! The checks every operation shares: the app and its MAC, merchant ids, amounts, URLs and
//! the 15-minute time window.

use axum::Json;
use serde_json::Value;

use crate::config::App;
use crate::state::EmulatorState;
use crate::vietnam::yymmdd;
use crate::wire::{ApiError, Params, Seg, verify_mac};

/// Handler result: a JSON body, or an in-band refusal.
pub(crate) type ApiResult = Result<Json<Value>, ApiError>;

/// Checks `app_field` names a known app and the signature over `segments` with key1.
/// Missing app id, signature or any of `required` is -401; unknown app or mismatch is -402.
pub(crate) fn authenticate<'a>(
    state: &'a EmulatorState,
    params: &Params,
    app_field: &str,
    sig_field: &str,
    required: &[&str],
    segments: &[Seg],
) -> Result<&'a App, ApiError> {
    let app = identify(state, params, app_field, sig_field, required)?;
    verify_mac(params, app, &app.key1, sig_field, segments)?;
    Ok(app)
}

/// [`authenticate`] without the signature check: the known app, once the app id, signature and
/// `required` parameters are present (-401 / -402 as there).
pub(crate) fn identify<'a>(
    state: &'a EmulatorState,
    params: &Params,
    app_field: &str,
    sig_field: &str,
    required: &[&str],
) -> Result<&'a App, ApiError> {
    let app_id = params.required_i64(app_field)?;
    let app = state
        .app(app_id)
        .ok_or_else(|| ApiError::bad_app(format!("unknown app {app_id}")))?;
    params.required(sig_field)?;
    for name in required {
        params.required(name)?;
    }
    Ok(app)
}

/// A merchant id longer than its documented limit is -401 on every operation, a query's
/// included (the limit is the request field's, not only a rule for new ids).
pub(crate) fn check_id_length(name: &str, id: &str, max_len: usize) -> Result<(), ApiError> {
    if id.chars().count() > max_len {
        return Err(ApiError::invalid(format!(
            "`{name}` is longer than {max_len}"
        )));
    }
    Ok(())
}

/// Checks the `yyMMdd` prefix (Vietnam time, emulator clock) and length of a merchant id.
pub(crate) fn check_dated_id(
    state: &EmulatorState,
    name: &str,
    id: &str,
    max_len: usize,
) -> Result<(), ApiError> {
    check_id_length(name, id, max_len)?;
    let today = yymmdd(state.now_ms());
    if !id.starts_with(&today) {
        return Err(ApiError::invalid(format!(
            "`{name}` must start with today's date {today} (yyMMdd, GMT+7)"
        )));
    }
    Ok(())
}

/// `name` as an amount > 0; otherwise -401.
pub(crate) fn positive_amount(params: &Params, name: &str) -> Result<i64, ApiError> {
    let amount = params.required_i64(name)?;
    if amount <= 0 {
        return Err(ApiError::invalid(format!("`{name}` must be positive")));
    }
    Ok(amount)
}

/// An optional http(s) URL parameter.
pub(crate) fn optional_url(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    match params.get(name) {
        None | Some("") => Ok(None),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(Some(url.to_owned()))
        }
        Some(_) => Err(ApiError::invalid(format!("`{name}` is not an http(s) URL"))),
    }
}

/// Allowed distance between a request's time (`app_time`, `timestamp`, `req_date`) and the
/// emulator clock, either way.
const TIMESTAMP_WINDOW_MS: u64 = 15 * 60 * 1000;

/// Whether `time` is within 15 minutes of `now`, either way (any two i64 values).
pub(crate) fn within_window(now: i64, time: i64) -> bool {
    now.checked_sub(time)
        .is_some_and(|distance| distance.unsigned_abs() <= TIMESTAMP_WINDOW_MS)
}
