//! ZaloPay on Delivery (§15): create an invoice, query it, query its status.
//!
//! An invoice is an order (kind `zod`, `app_trans_id` = `mcRefId`, no date rule) paid on the
//! same `/pay` page; its callback is the order callback, sent to the app's registered URL.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::checks::{ApiResult, authenticate, positive_amount};
use crate::orders::{insert_order, order_url};
use crate::records::{Key, Order, OrderKind, OrderState};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success};

/// Accepts the snake_case names the official sample sends as well as the documented camelCase.
fn normalise(mut params: Params) -> Params {
    for (snake, camel) in [("app_id", "appId"), ("mc_ref_id", "mcRefId")] {
        if !params.0.contains_key(camel)
            && let Some(value) = params.0.get(snake).cloned()
        {
            params.0.insert(camel.to_owned(), value);
        }
    }
    params
}

/// `POST /v2/zod`.
pub(crate) async fn create(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let params = normalise(params);
    let app = authenticate(
        &state,
        &params,
        "appId",
        "mac",
        &["mcRefId", "amount", "receiver", "orderInfo", "mcExtInfo"],
        &[
            Seg::F("appId"),
            Seg::F("mcRefId"),
            Seg::F("amount"),
            Seg::F("mcExtInfo"),
        ],
    )?;
    let amount = positive_amount(&params, "amount")?;
    let mc_ref_id = params.get_or_empty("mcRefId");
    if mc_ref_id.chars().count() > 40 {
        return Err(ApiError::invalid("`mcRefId` is longer than 40"));
    }
    let item = match params.get("orderInfo") {
        Some(text) => {
            check_order_info(text)?;
            text
        }
        None => "[]",
    };
    // `receiver` is a JSON object (D-130); its `contact` names the payer on the pay page.
    let receiver = match params.get("receiver").map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(fields))) => fields,
        _ => return Err(ApiError::invalid("`receiver` is not a JSON object")),
    };
    let contact = receiver
        .get("contact")
        .and_then(Value::as_str)
        .map_or_else(|| "zod".to_owned(), str::to_owned);
    let now = state.now_ms();
    let lifetime = i64::try_from(state.config().order_lifetime.as_millis()).unwrap_or(i64::MAX);
    let order = Order {
        app_id: app.app_id,
        app_trans_id: mc_ref_id.to_owned(),
        app_user: contact,
        app_time: now,
        amount,
        description: format!("ZOD invoice {mc_ref_id}"),
        item: item.to_owned(),
        embed_data: match params.get_or_empty("mcExtInfo") {
            "" => "{}".to_owned(),
            other => other.to_owned(),
        },
        bank_code: String::new(),
        callback_url: None,
        zp_trans_token: state.next_token(),
        state: OrderState::Created,
        kind: OrderKind::Zod,
        created_at_ms: now,
        expires_at_ms: now.saturating_add(lifetime),
        paid_at_ms: None,
        zp_trans_id: None,
        channel: None,
        refunded_amount: 0,
        callback: Default::default(),
        payment_code_sha256: None,
    };
    let order = insert_order(&state, order)?;
    tracing::info!(
        app_id = app.app_id,
        mc_ref_id,
        amount,
        "ZOD invoice created"
    );
    Ok(Json(success(
        json!({ "orderUrl": order_url(&state, &order) }),
    )))
}

/// `orderInfo` is a JSON array of objects whose `amount`, when present, is a JSON integer within
/// int64 (the documented type; like the top-level amounts, `354.0` and `"354"` are refused):
/// D-130, confidence ?: inferred from the documented type, not observed.
fn check_order_info(text: &str) -> Result<(), ApiError> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(ApiError::invalid("`orderInfo` is not a JSON array"));
    };
    for (index, item) in items.iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(ApiError::invalid(format!(
                "`orderInfo[{index}]` is not a JSON object"
            )));
        };
        if let Some(amount) = fields.get("amount")
            && amount.as_i64().is_none()
        {
            return Err(ApiError::invalid(format!(
                "`orderInfo[{index}].amount` is not a whole number within int64"
            )));
        }
    }
    Ok(())
}

fn find(state: &EmulatorState, params: Params) -> Result<Order, ApiError> {
    let params = normalise(params);
    let app = authenticate(
        state,
        &params,
        "appId",
        "mac",
        &["mcRefId"],
        &[Seg::F("appId"), Seg::F("mcRefId")],
    )?;
    let key: Key = (app.app_id, params.get_or_empty("mcRefId").to_owned());
    let now = state.now_ms();
    let mut books = state.books();
    books
        .refresh(&key, now)
        .filter(|order| order.kind == OrderKind::Zod)
        .cloned()
        .ok_or_else(|| ApiError::not_found("invoice not found"))
}

/// `GET /v2/zod/invoice?appId=&mcRefId=&mac=`.
pub(crate) async fn invoice(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let order = find(&state, params)?;
    Ok(Json(success(json!({
        "orderUrl": order_url(&state, &order),
        "amount": order.amount.to_string(),
    }))))
}

/// `GET /v2/zod/status?appId=&mcRefId=&mac=`: `status` 1 paid, 2 failed (cancelled/expired),
/// 3 unpaid; `amount` and `zpTransId` are strings.
pub(crate) async fn status(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let order = find(&state, params)?;
    let status = match order.state {
        OrderState::Paid => 1,
        OrderState::Cancelled | OrderState::Expired => 2,
        OrderState::Created => 3,
    };
    Ok(Json(success(json!({
        "status": status,
        "amount": order.amount.to_string(),
        "zpTransId": order.zp_trans_id.unwrap_or(0).to_string(),
    }))))
}
