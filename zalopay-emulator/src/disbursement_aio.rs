//! All-in-One disbursement (facts-update §B1): verify a receiver, pay out, query the payout,
//! list bank codes. MAC field lists are written out here, independently of the SDK's.
//!
//! The emulator has no ZaloPay private key, so `receiver_info` stays opaque: a wallet's
//! `m_u_id` is derived from it, a bank receiver is always "NGUYEN VAN A". Payouts share the
//! top-up books (one merchant balance, one `partner_order_id` namespace per app), debited
//! under the same lock as the duplicate check.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::callback::merchant_user_id;
use crate::checks::{ApiResult, authenticate, positive_amount};
use crate::disbursement::pay_out;
use crate::records::Topup;
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success};

fn disbursement_type(params: &Params) -> Result<&str, ApiError> {
    match params.required("disbursement_type")? {
        kind @ ("WALLET" | "BANK") => Ok(kind),
        _ => Err(ApiError::invalid(
            "`disbursement_type` must be WALLET or BANK",
        )),
    }
}

fn wallet_user(app_id: i64, receiver_info: &str) -> String {
    merchant_user_id(app_id, &format!("receiver:{receiver_info}"))
        .chars()
        .take(32)
        .collect()
}

/// `POST /v2/disbursement/verify-account`.
pub(crate) async fn verify_account(
    State(state): State<EmulatorState>,
    params: Params,
) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["disbursement_type", "receiver_info", "amount", "time"],
        &[
            Seg::F("app_id"),
            Seg::F("disbursement_type"),
            Seg::F("receiver_info"),
            Seg::F("amount"),
            Seg::F("time"),
        ],
    )?;
    params.required_i64("time")?;
    positive_amount(&params, "amount")?;
    let receiver_info = params.required("receiver_info")?;
    let data = match disbursement_type(&params)? {
        "WALLET" => json!({ "m_u_id": wallet_user(app.app_id, receiver_info) }),
        _ => json!({ "account_holder_name": "NGUYEN VAN A" }),
    };
    Ok(Json(success(json!({ "data": data }))))
}

fn payout_data(topup: &Topup, kind: &str) -> Value {
    json!({
        "order_id": topup.order_id,
        "disbursement_type": kind,
        "status": 1,
        "m_u_id": topup.m_u_id,
        "amount": topup.amount,
        "description": topup.description,
        "partner_fee": 0,
        "zlp_fee": 0,
        "extra_info": topup.extra_info,
        "time": topup.time,
        "zp_trans_id": topup.zp_trans_id,
    })
}

/// `POST /v2/disbursement/transfer-fund`: duplicate `partner_order_id` → -68, balance too
/// low → -63.
pub(crate) async fn transfer_fund(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &[
            "payment_id",
            "partner_order_id",
            "disbursement_type",
            "receiver_info",
            "amount",
            "description",
            "partner_embed_data",
            "extra_info",
            "time",
        ],
        &[
            Seg::F("app_id"),
            Seg::F("payment_id"),
            Seg::F("partner_order_id"),
            Seg::F("disbursement_type"),
            Seg::F("receiver_info"),
            Seg::F("amount"),
            Seg::F("description"),
            Seg::F("partner_embed_data"),
            Seg::F("extra_info"),
            Seg::F("time"),
        ],
    )?;
    let kind = disbursement_type(&params)?;
    let amount = positive_amount(&params, "amount")?;
    let time = params.required_i64("time")?;
    let m_u_id = match kind {
        "WALLET" => wallet_user(app.app_id, params.get_or_empty("receiver_info")),
        _ => String::new(),
    };
    let topup = pay_out(&state, app.app_id, &params, amount, time, |_| {
        Ok((m_u_id, String::new()))
    })?;
    let data = payout_data(&topup, kind);
    Ok(Json(success(json!({ "data": data }))))
}

/// `POST /v2/disbursement/query-txn`: unknown `partner_order_id` → 2/-101.
pub(crate) async fn query_txn(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = super::disbursement::txn_key(&state, &params)?;
    let books = state.books();
    let topup = books
        .topups
        .get(&key)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    let kind = if topup.m_u_id.is_empty() {
        "BANK"
    } else {
        "WALLET"
    };
    Ok(Json(success(json!({ "data": payout_data(topup, kind) }))))
}

/// `POST /v2/disbursement/get-bank-code`.
pub(crate) async fn bank_codes(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["time"],
        &[Seg::F("app_id"), Seg::F("time")],
    )?;
    params.required_i64("time")?;
    Ok(Json(success(json!({
        "data": {
            "bank_list": [
                { "bank_code": "VCB", "short_name": "Vietcombank", "name": "Ngân hàng TMCP Ngoại thương Việt Nam", "logo_url": "" },
                { "bank_code": "TCB", "short_name": "Techcombank", "name": "Ngân hàng TMCP Kỹ thương Việt Nam", "logo_url": "" },
                { "bank_code": "BIDV", "short_name": "BIDV", "name": "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", "logo_url": "" }
            ]
        }
    }))))
}
