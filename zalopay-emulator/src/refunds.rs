//! Refunds: refund a paid order (in part or in full), query a refund.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::checks::{ApiResult, authenticate, check_id_length, within_window};
use crate::records::{Key, OrderState, Refund};
use crate::state::EmulatorState;
use crate::vietnam::yymmdd;
use crate::wire::{ApiError, Params, Seg, success, with_codes};

const REFUND_MAC: &[Seg] = &[
    Seg::F("app_id"),
    Seg::F("zp_trans_id"),
    Seg::F("amount"),
    Seg::Opt("refund_fee_amount"),
    Seg::F("description"),
    Seg::F("timestamp"),
];

/// `POST /v2/refund`.
pub(crate) async fn refund(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &[
            "m_refund_id",
            "zp_trans_id",
            "amount",
            "description",
            "timestamp",
        ],
        REFUND_MAC,
    )?;
    let m_refund_id = params.required("m_refund_id")?;
    // A re-sent refund is a duplicate whatever the date: its id need not be today's any more
    // (decisions D-122). Checked again under the lock below, where the refund is stored.
    if state
        .books()
        .refunds
        .contains_key(&(app.app_id, m_refund_id.to_owned()))
    {
        return Err(duplicate_refund());
    }
    check_refund_id(&state, app.app_id, m_refund_id)?;
    let zp_trans_id = params.required_i64("zp_trans_id")?;
    let timestamp = params.required_i64("timestamp")?;
    if !within_window(state.now_ms(), timestamp) {
        return Err(ApiError::new(
            -13,
            "`timestamp` is outside the 15-minute window",
        ));
    }
    let now = state.now_ms();
    let amount = params.required_i64("amount")?;
    let fee = params.optional_i64("refund_fee_amount")?.unwrap_or(0);
    if amount <= 0 || fee < 0 || fee > amount {
        return Err(ApiError::new(-14, "refund amount invalid"));
    }
    let description = params.required("description")?;
    let delay_ms = i64::try_from(state.config().refund_delay.as_millis()).unwrap_or(i64::MAX);
    let refund_id = state.next_id();
    let mut books = state.books();
    let refund_key: Key = (app.app_id, m_refund_id.to_owned());
    if books.refunds.contains_key(&refund_key) {
        return Err(duplicate_refund());
    }
    let order_key = books
        .zp_trans_ids
        .get(&zp_trans_id)
        .filter(|key| key.0 == app.app_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("no paid transaction with this zp_trans_id"))?;
    let order = books
        .orders
        .get_mut(&order_key)
        .filter(|order| order.state == OrderState::Paid)
        .ok_or_else(|| ApiError::not_found("no paid transaction with this zp_trans_id"))?;
    let refunded = order
        .refunded_amount
        .checked_add(amount)
        .filter(|total| *total <= order.amount)
        .ok_or_else(|| {
            ApiError::new(
                -14,
                "refund amount invalid: refunds would exceed the paid amount",
            )
        })?;
    order.refunded_amount = refunded;
    let app_trans_id = order.app_trans_id.clone();
    books.refunds.insert(
        refund_key,
        Refund {
            app_id: app.app_id,
            m_refund_id: m_refund_id.to_owned(),
            refund_id,
            zp_trans_id,
            app_trans_id,
            amount,
            refund_fee_amount: fee,
            description: description.to_owned(),
            timestamp,
            created_at_ms: now,
            settles_at_ms: now.saturating_add(delay_ms),
        },
    );
    tracing::info!(
        app_id = app.app_id,
        m_refund_id,
        zp_trans_id,
        amount,
        "refund accepted"
    );
    let body = json!({ "refund_id": refund_id });
    Ok(Json(if delay_ms > 0 {
        processing_refund(body)
    } else {
        success(body)
    }))
}

/// -23 DUPLICATE_M_REFUND_ID: this `m_refund_id` was accepted before.
fn duplicate_refund() -> ApiError {
    ApiError::new(-23, "duplicate m_refund_id")
}

/// 3 / 2: accepted, not settled yet (keep querying the same `m_refund_id`), with the
/// gateway's message (specs/traffic p05, decision D-94).
fn processing_refund(extra: Value) -> Value {
    with_codes(3, 2, "Giao dịch đang refund!", extra)
}

/// 1 / 1 on a refund query: the refund is done, with the gateway's message (specs/traffic
/// p06, decision D-94).
fn refunded(extra: Value) -> Value {
    with_codes(1, 1, "Hoàn tiền thành công", extra)
}

/// `m_refund_id` = `yyMMdd_<app_id>_<unique>`, ≤ 45 chars: format -24, date -25, app id -26.
fn check_refund_id(state: &EmulatorState, app_id: i64, id: &str) -> Result<(), ApiError> {
    let mut parts = id.splitn(3, '_');
    let (Some(date), Some(app), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ApiError::new(
            -24,
            "m_refund_id must be yyMMdd_<app_id>_<unique>",
        ));
    };
    if id.chars().count() > 45 || rest.is_empty() {
        return Err(ApiError::new(
            -24,
            "m_refund_id must be yyMMdd_<app_id>_<unique>, ≤ 45 chars",
        ));
    }
    if date != yymmdd(state.now_ms()) {
        return Err(ApiError::new(
            -25,
            "m_refund_id must start with today's yyMMdd (GMT+7)",
        ));
    }
    if app != app_id.to_string() {
        return Err(ApiError::new(
            -26,
            "m_refund_id's app id part is not the app id",
        ));
    }
    Ok(())
}

/// `POST /v2/query_refund`.
pub(crate) async fn query_refund(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["m_refund_id", "timestamp"],
        &[Seg::F("app_id"), Seg::F("m_refund_id"), Seg::F("timestamp")],
    )?;
    params.required_i64("timestamp")?;
    let m_refund_id = params.get_or_empty("m_refund_id");
    check_id_length("m_refund_id", m_refund_id, 45)?;
    let key: Key = (app.app_id, m_refund_id.to_owned());
    let now = state.now_ms();
    let books = state.books();
    let refund = books
        .refunds
        .get(&key)
        .ok_or_else(|| ApiError::not_found("m_refund_id not found"))?;
    let body = json!({
        "refund_id": refund.refund_id,
        "amount": refund.amount,
    });
    Ok(Json(if refund.settled(now) {
        refunded(body)
    } else {
        processing_refund(body)
    }))
}
