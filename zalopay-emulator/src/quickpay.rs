//! Quick pay: an order paid on the spot with the user's payment code.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use serde_json::json;

use crate::checks::{ApiResult, authenticate, identify};
use crate::orders::{CREATE_REQUIRED, after_payment, new_order, pay_locked};
use crate::records::{Key, OrderKind, insert_unique};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success};

/// Where quick pay's decrypted payment code is kept for the MAC check.
const PAYMENT_CODE_RAW: &str = "payment_code_raw";

/// `-322` PAYMENT_CODE_EXPIRED: the answer to a payment code used a second time (D-104).
const PAYMENT_CODE_EXPIRED: i32 = -322;

/// SHA-256 of a payment code, lowercase hex: what the emulator keeps to refuse a second use.
fn code_digest(code: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(code.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The decrypted raw code (empty if absent; quick pay puts it there first).
fn raw_code(params: &Params) -> &str {
    params.get_or_empty(PAYMENT_CODE_RAW)
}

/// The raw payment code inside `encrypted` (base64 of PKCS#1 v1.5 ciphertext).
fn decrypt_payment_code(state: &EmulatorState, encrypted: &str) -> Result<String, ApiError> {
    let refuse = |why: &str| ApiError::new(-401, format!("payment_code: {why}"));
    let key = state
        .config()
        .zalopay_rsa_key
        .as_ref()
        .ok_or_else(|| refuse("this emulator has no ZaloPay RSA key to decrypt it"))?;
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(encrypted.as_bytes())
        .map_err(|_| refuse("not base64"))?;
    let plain = key
        .decrypt(rsa::Pkcs1v15Encrypt, &ciphertext)
        .map_err(|_| refuse("does not decrypt with ZaloPay's public key's private half"))?;
    String::from_utf8(plain).map_err(|_| refuse("the decrypted code is not text"))
}

/// `POST /v2/quick_pay`: `payment_code` is decrypted with the emulator's stand-in for ZaloPay's
/// RSA private key ([`crate::EmulatorConfig::zalopay_rsa_key`]); the MAC's last segment is the
/// decrypted raw code. A code that does not decrypt is refused (-401, before the MAC is
/// checked, since the MAC cannot be computed without it). The order is paid on the spot. A
/// payment code pays once: a second use (even under a new `app_trans_id`) is refused with
/// `2/-322` PAYMENT_CODE_EXPIRED and creates nothing.
pub(crate) async fn quick_pay(State(state): State<EmulatorState>, mut params: Params) -> ApiResult {
    const QUICK_PAY_MAC: &[Seg] = &[
        Seg::F("app_id"),
        Seg::F("app_trans_id"),
        Seg::F("app_user"),
        Seg::F("amount"),
        Seg::F("app_time"),
        Seg::F("embed_data"),
        Seg::F("item"),
        Seg::F(PAYMENT_CODE_RAW),
    ];
    let mut required = CREATE_REQUIRED.to_vec();
    required.push("payment_code");
    identify(&state, &params, "app_id", "mac", &required)?;
    let raw = decrypt_payment_code(&state, params.required("payment_code")?)?;
    // The raw code is never sent; a client-sent value of this name is overwritten.
    params.0.insert(PAYMENT_CODE_RAW.to_owned(), raw);
    let app = authenticate(&state, &params, "app_id", "mac", &required, QUICK_PAY_MAC)?;
    let mut order = new_order(&state, &params, app, OrderKind::QuickPay)?;
    let digest = code_digest(raw_code(&params));
    order.payment_code_sha256 = Some(digest.clone());
    let key: Key = (order.app_id, order.app_trans_id.clone());
    let now = state.now_ms();
    // The use check, the order and the payment under one lock: a code pays once.
    let paid = {
        let mut books = state.books();
        if books
            .orders
            .values()
            .any(|earlier| earlier.payment_code_sha256.as_deref() == Some(digest.as_str()))
        {
            return Err(ApiError::new(
                PAYMENT_CODE_EXPIRED,
                "payment code expired or already used",
            ));
        }
        let token = order.zp_trans_token.clone();
        let books = &mut *books;
        insert_unique(
            &mut books.orders,
            &mut books.order_tokens,
            key.clone(),
            &token,
            order,
        )?;
        pay_locked(&state, books, &key, now)?
    };
    after_payment(&state, &key, &paid, now);
    Ok(Json(success(json!({
        "is_processing": false,
        "zp_trans_id": paid.zp_trans_id,
        "app_trans_id": paid.app_trans_id,
    }))))
}
