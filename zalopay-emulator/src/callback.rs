//! Callbacks to the merchant (§8, §10.7) with retries, and the browser redirect (§9).

use serde::Serialize;
use serde_json::{Value, json};
use zalopay_api::SecretKey;

use crate::state::{CallbackStatus, EmulatorState, Key, Order};

/// The payment channel every emulated payment uses: 38, the ZaloPay wallet.
pub const WALLET_CHANNEL: i32 = 38;

/// Which record a callback belongs to (its delivery status is written there).
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Order(Key),
    Binding(Key),
}

/// `data` of an order callback, fields in the documented order (§8).
#[derive(Serialize)]
struct OrderCallbackData<'a> {
    app_id: i64,
    app_trans_id: &'a str,
    app_time: i64,
    app_user: &'a str,
    amount: i64,
    embed_data: &'a str,
    item: &'a str,
    zp_trans_id: i64,
    server_time: i64,
    channel: i32,
    merchant_user_id: String,
    user_fee_amount: i64,
    discount_amount: i64,
}

/// The `data` string of a paid order's callback.
pub(crate) fn order_callback_data(order: &Order, server_time: i64) -> String {
    let data = OrderCallbackData {
        app_id: order.app_id,
        app_trans_id: &order.app_trans_id,
        app_time: order.app_time,
        app_user: &order.app_user,
        amount: order.amount,
        embed_data: &order.embed_data,
        item: &order.item,
        zp_trans_id: order.zp_trans_id.unwrap_or_default(),
        server_time,
        channel: order.channel.unwrap_or(WALLET_CHANNEL),
        merchant_user_id: merchant_user_id(order.app_id, &order.app_user),
        user_fee_amount: 0,
        discount_amount: 0,
    };
    serde_json::to_string(&data).unwrap_or_default()
}

/// A stable per-app pseudonym for a user (43 URL-safe characters, like ZaloPay's).
pub(crate) fn merchant_user_id(app_id: i64, user: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("zalopay-emulator|{app_id}|{user}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Sends `{data, mac: HMAC(key2, data), type}` to `url` in the background, retrying as
/// configured, and records each attempt on `target`.
pub(crate) fn send(
    state: &EmulatorState,
    target: Target,
    url: String,
    key2: &SecretKey,
    data: String,
    kind: i32,
) {
    let mac = key2.mac(data.as_bytes());
    let body = json!({ "data": data, "mac": mac.as_str(), "type": kind });
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the callback is not sent");
        return;
    };
    let state = state.clone();
    handle.spawn(async move { deliver(state, target, url, body).await });
}

async fn deliver(state: EmulatorState, target: Target, url: String, body: Value) {
    let config = state.config();
    let retries = config.callback_retries;
    let backoff = config.callback_backoff;
    for attempt in 0..=retries {
        if attempt > 0 {
            tokio::time::sleep(backoff.saturating_mul(attempt)).await;
        }
        let outcome = attempt_once(&state, &url, &body).await;
        let delivered = outcome.is_ok();
        match &outcome {
            Ok(()) => tracing::info!(%url, attempt = attempt + 1, "callback accepted"),
            Err(why) => tracing::warn!(%url, attempt = attempt + 1, %why, "callback not accepted"),
        }
        record(&state, &target, |status| {
            status.attempts += 1;
            status.delivered = delivered;
            status.last_error = outcome.err();
        });
        if delivered {
            return;
        }
    }
}

async fn attempt_once(state: &EmulatorState, url: &str, body: &Value) -> Result<(), String> {
    let Some(http) = state.inner.http.as_ref() else {
        return Err("no HTTP client".to_owned());
    };
    let response = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("POST failed: {e}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| format!("reading the answer failed: {e}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {status}"));
    }
    let reply: Value =
        serde_json::from_str(&text).map_err(|_| "the answer is not JSON".to_owned())?;
    let code = reply.get("return_code").and_then(|code| match code {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    match code {
        Some(1) => Ok(()),
        other => Err(format!("return_code {other:?}")),
    }
}

fn record(state: &EmulatorState, target: &Target, update: impl FnOnce(&mut CallbackStatus)) {
    let mut store = state.store();
    let status = match target {
        Target::Order(key) => store.orders.get_mut(key).map(|o| &mut o.callback),
        Target::Binding(key) => store.bindings.get_mut(key).map(|b| &mut b.callback),
    };
    if let Some(status) = status {
        update(status);
    }
}

/// The browser redirect after payment (§9): `base` with appid, apptransid, pmcid, bankcode,
/// amount, discountamount, status and checksum = HMAC(key2, appid|apptransid|pmcid|bankcode|
/// amount|discountamount|status).
pub(crate) fn redirect_url(base: &str, order: &Order, key2: &SecretKey, status: i32) -> String {
    let pmcid = order.channel.unwrap_or(WALLET_CHANNEL).to_string();
    let bankcode = "";
    let amount = order.amount.to_string();
    let discount = "0";
    let status = status.to_string();
    let appid = order.app_id.to_string();
    let input = format!(
        "{appid}|{}|{pmcid}|{bankcode}|{amount}|{discount}|{status}",
        order.app_trans_id
    );
    let checksum = key2.mac(input.as_bytes());
    let query = serde_urlencoded::to_string([
        ("appid", appid.as_str()),
        ("apptransid", order.app_trans_id.as_str()),
        ("pmcid", pmcid.as_str()),
        ("bankcode", bankcode),
        ("amount", amount.as_str()),
        ("discountamount", discount),
        ("status", status.as_str()),
        ("checksum", checksum.as_str()),
    ])
    .unwrap_or_default();
    let joiner = if base.contains('?') { '&' } else { '?' };
    format!("{base}{joiner}{query}")
}
