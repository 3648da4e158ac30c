//! Disbursement (§14): merchant balance, user lookup by phone, top-up, top-up query.
//!
//! Top-up's `sig` is `base64(RSASSA-PKCS1-v1_5-SHA256(merchant private key, hex HMAC))`, the
//! hex HMAC being HMAC-SHA256(key1, `app_id|payment_id|partner_order_id|m_u_id|amount|
//! description|partner_embed_data|extra_info|time`). When the app has an RSA public key
//! ([`crate::App::rsa_public_key`]; the demo app 15555 has the published test key's), the
//! emulator verifies exactly that, as the gateway does. When it has none, it can only check
//! the HMAC step: `sig` must then be the hex HMAC itself. Either way a wrong `sig` is 2 / -402.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::Verifier as _;
use serde_json::{Value, json};

use crate::callback::merchant_user_id;
use crate::checks::{ApiResult, authenticate, identify, positive_amount};
use crate::config::App;
use crate::records::{Books, Key, Topup};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, mac_input, success, verify_mac, with_codes};

/// `POST /v2/disbursement/balance`.
pub(crate) async fn balance(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["payment_id", "time"],
        &[Seg::F("app_id"), Seg::F("payment_id"), Seg::F("time")],
    )?;
    params.required_i64("time")?;
    let balance = *state
        .books()
        .merchant_balances
        .entry(app.app_id)
        .or_insert(state.config().disbursement_balance);
    Ok(Json(success(json!({ "data": { "balance": balance } }))))
}

fn onboarding_url(state: &EmulatorState) -> String {
    format!("{}/onboarding", state.base_url())
}

/// `POST /v2/disbursement/user`: any phone of 9–11 digits has a wallet, except those ending in
/// `0000` (2/-101 with `onboarding_url`).
pub(crate) async fn user(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["phone", "time"],
        &[Seg::F("app_id"), Seg::F("phone"), Seg::F("time")],
    )?;
    params.required_i64("time")?;
    let phone = params.get_or_empty("phone");
    if !(9..=11).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("`phone` must be 9 to 11 digits"));
    }
    let reference_id = params.get_or_empty("request_id");
    if phone.ends_with("0000") {
        return Ok(Json(with_codes(
            2,
            -101,
            "this phone has no ZaloPay wallet",
            json!({ "data": { "reference_id": reference_id, "phone": phone, "onboarding_url": onboarding_url(&state) } }),
        )));
    }
    let m_u_id: String = merchant_user_id(app.app_id, &format!("phone:{phone}"))
        .chars()
        .take(32)
        .collect();
    state
        .books()
        .wallet_users
        .insert(m_u_id.clone(), phone.to_owned());
    Ok(Json(success(json!({
        "data": {
            "reference_id": reference_id,
            "m_u_id": m_u_id,
            "name": "NGUYEN VAN A",
            "phone": phone,
            "onboarding_url": "",
        }
    }))))
}

const TOPUP_REQUIRED: &[&str] = &[
    "payment_id",
    "partner_order_id",
    "m_u_id",
    "amount",
    "description",
    "partner_embed_data",
    "extra_info",
    "time",
];

const TOPUP_MAC: &[Seg] = &[
    Seg::F("app_id"),
    Seg::F("payment_id"),
    Seg::F("partner_order_id"),
    Seg::F("m_u_id"),
    Seg::F("amount"),
    Seg::F("description"),
    Seg::F("partner_embed_data"),
    Seg::F("extra_info"),
    Seg::F("time"),
];

/// Checks top-up's `sig` (see the module docs): RSA over the hex HMAC when the app has a public
/// key, the hex HMAC itself when it has none. A mismatch is -402.
fn verify_topup_sig(params: &Params, app: &App) -> Result<(), ApiError> {
    let Some(public) = &app.rsa_public_key else {
        return verify_mac(params, app, &app.key1, "sig", TOPUP_MAC);
    };
    let sig = params.required("sig")?;
    let hex_hmac = app.key1.mac(mac_input(params, app, TOPUP_MAC).as_bytes());
    let mismatch = || ApiError::bad_app("`sig` is not the RSA-SHA256 signature of the request");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(sig.as_bytes())
        .map_err(|_| mismatch())?;
    let signature = Signature::try_from(raw.as_slice()).map_err(|_| mismatch())?;
    VerifyingKey::<Sha256>::new(public.clone())
        .verify(hex_hmac.as_str().as_bytes(), &signature)
        .map_err(|_| mismatch())
}

fn topup_data(topup: &Topup) -> Value {
    json!({
        "order_id": topup.order_id,
        "status": 1,
        "m_u_id": topup.m_u_id,
        "phone": topup.phone,
        "amount": topup.amount,
        "description": topup.description,
        "partner_fee": 0,
        "zlp_fee": 0,
        "extra_info": topup.extra_info,
        "time": topup.time,
    })
}

/// `POST /v2/disbursement/topup` (see the module docs for `sig`). Unknown `m_u_id` → -101
/// (ask `/v2/disbursement/user` first), duplicate `partner_order_id` → -68, merchant balance
/// too low → -63.
pub(crate) async fn topup(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = identify(&state, &params, "app_id", "sig", TOPUP_REQUIRED)?;
    verify_topup_sig(&params, app)?;
    let amount = positive_amount(&params, "amount")?;
    let time = params.required_i64("time")?;
    let m_u_id = params.get_or_empty("m_u_id");
    let topup = pay_out(&state, app.app_id, &params, amount, time, |books| {
        let phone = books
            .wallet_users
            .get(m_u_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("unknown m_u_id"))?;
        Ok((m_u_id.to_owned(), phone))
    })?;
    let data = topup_data(&topup);
    tracing::info!(
        app_id = app.app_id,
        partner_order_id = topup.partner_order_id,
        amount,
        "top-up done"
    );
    Ok(Json(success(json!({ "data": data }))))
}

/// One payout, a classic top-up or an All-in-One transfer of `amount` at `time`, the other
/// fields from `params`, under one lock on the books: a `partner_order_id` the app used
/// before → -68; then `receiver` names the receiver's `(m_u_id, phone)` (it may refuse, e.g.
/// an unknown `m_u_id`); a merchant balance below `amount` → -63; otherwise the balance is
/// debited and the payout kept. Both kinds share one balance and one `partner_order_id`
/// namespace per app.
pub(crate) fn pay_out(
    state: &EmulatorState,
    app_id: i64,
    params: &Params,
    amount: i64,
    time: i64,
    receiver: impl FnOnce(&Books) -> Result<(String, String), ApiError>,
) -> Result<Topup, ApiError> {
    let partner_order_id = params.get_or_empty("partner_order_id");
    let order_id = state.next_id();
    let zp_trans_id = state.next_id().to_string();
    let mut books = state.books();
    let key: Key = (app_id, partner_order_id.to_owned());
    if books.topups.contains_key(&key) {
        return Err(ApiError::new(-68, "duplicate partner_order_id"));
    }
    let (m_u_id, phone) = receiver(&books)?;
    let starting = state.config().disbursement_balance;
    let balance = books.merchant_balances.entry(app_id).or_insert(starting);
    *balance = balance
        .checked_sub(amount)
        .filter(|left| *left >= 0)
        .ok_or_else(|| ApiError::new(-63, "merchant balance too low"))?;
    let topup = Topup {
        app_id,
        payment_id: params.get_or_empty("payment_id").to_owned(),
        partner_order_id: partner_order_id.to_owned(),
        order_id,
        zp_trans_id,
        m_u_id,
        phone,
        amount,
        description: params.get_or_empty("description").to_owned(),
        extra_info: params.get_or_empty("extra_info").to_owned(),
        partner_embed_data: params.get_or_empty("partner_embed_data").to_owned(),
        time,
    };
    books.topups.insert(key, topup.clone());
    Ok(topup)
}

/// Authenticates a transaction query (`app_id|partner_order_id|time`, the same MAC for the
/// classic `txn` and All-in-One `query-txn`) and returns the top-up's key.
pub(crate) fn txn_key(state: &EmulatorState, params: &Params) -> Result<Key, ApiError> {
    let app = authenticate(
        state,
        params,
        "app_id",
        "mac",
        &["partner_order_id", "time"],
        &[Seg::F("app_id"), Seg::F("partner_order_id"), Seg::F("time")],
    )?;
    params.required_i64("time")?;
    Ok((
        app.app_id,
        params.get_or_empty("partner_order_id").to_owned(),
    ))
}

/// `POST /v2/disbursement/txn`.
pub(crate) async fn txn(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = txn_key(&state, &params)?;
    let books = state.books();
    let topup = books
        .topups
        .get(&key)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    let mut data = topup_data(topup);
    if let Value::Object(map) = &mut data {
        map.insert("zp_trans_id".to_owned(), json!(topup.zp_trans_id));
        map.insert(
            "result_url".to_owned(),
            json!(format!(
                "{}/disbursement/{}",
                state.base_url(),
                topup.order_id
            )),
        );
    }
    Ok(Json(success(json!({ "data": data }))))
}
