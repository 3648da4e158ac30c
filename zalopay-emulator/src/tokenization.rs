//! Tokenization v2 (§11): bind (confirmed on the binding page, as an agreement binding), query.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::agreement::{
    binding_key, binding_page_url, check_req_date, deep_link, new_binding, store_binding,
};
use crate::checks::{ApiResult, authenticate, check_dated_id};
use crate::records::BindingStatus;
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success, with_codes};

/// `POST /v2/tokenization/bind`. `BIND_AND_PAY`'s `payment_data` is stored but no payment is
/// made.
pub(crate) async fn token_bind(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &[
            "app_trans_id",
            "req_date",
            "identifier",
            "binding_type",
            "binding_mode",
            "device_type",
            "binding_data",
        ],
        &[
            Seg::F("app_id"),
            Seg::F("app_trans_id"),
            Seg::F("identifier"),
            Seg::F("binding_mode"),
            Seg::F("binding_type"),
            Seg::F("device_type"),
            Seg::F("binding_data"),
            Seg::F("payment_data"),
            Seg::F("req_date"),
        ],
    )?;
    let app_trans_id = params.required("app_trans_id")?;
    check_dated_id(&state, "app_trans_id", app_trans_id, 40)?;
    check_req_date(&state, &params)?;
    let binding_type = params.get_or_empty("binding_type");
    if !matches!(binding_type, "WALLET" | "CARD") {
        return Err(ApiError::invalid("`binding_type` must be WALLET or CARD"));
    }
    if !matches!(params.get_or_empty("binding_mode"), "BIND" | "BIND_AND_PAY") {
        return Err(ApiError::invalid(
            "`binding_mode` must be BIND or BIND_AND_PAY",
        ));
    }
    if !matches!(params.get_or_empty("device_type"), "MOBILE" | "DESKTOP") {
        return Err(ApiError::invalid("`device_type` must be MOBILE or DESKTOP"));
    }
    let data_text = params.get_or_empty("binding_data");
    let Ok(Value::Object(data)) = serde_json::from_str::<Value>(data_text) else {
        return Err(ApiError::invalid("`binding_data` is not a JSON object"));
    };
    let url_in = |name: &str| {
        data.get(name)
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(str::to_owned)
    };
    let binding = new_binding(
        &state,
        app.app_id,
        app_trans_id,
        "tokenization",
        params.get_or_empty("identifier"),
        0,
        binding_type,
        data_text,
        url_in("redirect_url"),
        url_in("callback_url"),
    );
    let binding = store_binding(&state, binding)?;
    tracing::info!(
        app_id = app.app_id,
        app_trans_id,
        "tokenization binding requested"
    );
    let link = binding_page_url(&state, &binding.binding_token);
    Ok(Json(success(json!({
        "binding_token": binding.binding_token,
        "binding_url": link,
        "reform_url": link,
    }))))
}

/// `POST /v2/tokenization/query`: pending 3, confirmed 1, refused 2/-329.
pub(crate) async fn token_query(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = binding_key(&state, &params)?;
    let books = state.books();
    let binding = books
        .bindings
        .get(&key)
        .ok_or_else(|| ApiError::not_found("binding not found"))?;
    let link = binding_page_url(&state, &binding.binding_token);
    let body = json!({
        "binding_token": binding.binding_token,
        "binding_qr_link": link,
        "deep_link": deep_link(&binding.binding_token),
        "short_link": link,
        "status": binding.status.code(),
        "pay_token": binding.pay_token,
    });
    Ok(Json(match binding.status {
        BindingStatus::Pending => with_codes(3, 3, "waiting for the user", body),
        BindingStatus::Cancelled => with_codes(2, -329, "the user refused", body),
        BindingStatus::Confirmed | BindingStatus::Disabled => success(body),
    }))
}
