//! Callbacks to the merchant (§8, §10.7) with retries, and the browser redirect (§9).

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use zalopay_api::SecretKey;

use crate::faults::{hits, roll};
use crate::records::{AttemptCause, Books, CallbackAttempt, CallbackStatus, Key, Order};
use crate::state::EmulatorState;

/// The payment channel every emulated payment uses: 38, the ZaloPay wallet.
pub const WALLET_CHANNEL: i32 = 38;

/// Which record a callback belongs to (its delivery status is written there).
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Order(Key),
    Binding(Key),
}

/// `data` of an order callback, fields in the order captured callbacks carry them (§8;
/// specs/traffic c01–c03, decision D-92): `zp_user_id` right after `merchant_user_id`.
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
    zp_user_id: String,
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
        // The same pseudonym under both names, as in every captured callback.
        zp_user_id: merchant_user_id(order.app_id, &order.app_user),
        user_fee_amount: 0,
        discount_amount: 0,
    };
    gateway_escaping(&serde_json::to_string(&data).unwrap_or_default())
}

/// The gateway's JSON escaping of `data`: `&` as `\u0026` (captured, specs/traffic c05);
/// other characters as serde_json writes them (non-ASCII as UTF-8, as captured in c01, c02).
/// `&` only ever appears inside a JSON string, where `\u0026` means the same character.
fn gateway_escaping(json: &str) -> String {
    json.replace('&', "\\u0026")
}

/// A stable per-app pseudonym for a user (43 URL-safe characters, like ZaloPay's).
pub(crate) fn merchant_user_id(app_id: i64, user: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("zalopay-emulator|{app_id}|{user}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

impl Target {
    fn key(&self) -> &Key {
        match self {
            Target::Order(key) | Target::Binding(key) => key,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Target::Order(_) => "order",
            Target::Binding(_) => "binding",
        }
    }
}

/// Sends `{data, mac: HMAC(key2, data), type}` to `url` in the background, retrying as
/// configured, and records each attempt on `target`. The faults in force for the app may
/// delay it, lose it, or deliver it twice.
pub(crate) fn send(
    state: &EmulatorState,
    target: Target,
    url: String,
    key2: &SecretKey,
    data: String,
    kind: i32,
) {
    let mac = key2.mac(data.as_bytes());
    let body = json!({ "data": data, "mac": mac.as_str(), "type": kind }).to_string();
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the callback is not sent");
        return;
    };
    let faults = state.faults_for(target.key().0);
    let app = target.key().0.to_string();
    let parts = [target.kind(), app.as_str(), target.key().1.as_str()];
    let plan = Plan {
        lost: hits(
            faults.callback_loss,
            roll(faults.seed, "callback_loss", &parts, 1),
        ),
        duplicate: hits(
            faults.callback_duplicate,
            roll(faults.seed, "callback_duplicate", &parts, 1),
        ),
        delay: Duration::from_millis(faults.callback_delay_ms),
    };
    record(state, &target, |status| status.body = Some(body.clone()));
    let state = state.clone();
    handle.spawn(async move { deliver(state, target, url, body, plan).await });
}

/// Re-sends the callback last sent for `target` once, now, without faults. `None` when it has
/// none (never paid, or no callback URL).
pub(crate) fn resend(state: &EmulatorState, target: Target) -> Option<()> {
    let (url, body) = {
        let mut books = state.books();
        let status = status_of(&mut books, &target)?;
        (status.url.clone()?, status.body.clone()?)
    };
    let handle = tokio::runtime::Handle::try_current().ok()?;
    let state = state.clone();
    handle.spawn(async move {
        attempt_and_record(&state, &target, &url, &body, AttemptCause::Resend).await;
    });
    Some(())
}

/// What the faults do to one callback.
struct Plan {
    lost: bool,
    duplicate: bool,
    delay: Duration,
}

async fn deliver(state: EmulatorState, target: Target, url: String, body: String, plan: Plan) {
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    if plan.lost {
        tracing::info!(%url, "fault: callback lost");
        let attempt = CallbackAttempt {
            at_ms: state.now_ms(),
            cause: AttemptCause::First,
            url,
            body,
            http_status: None,
            reply: None,
            latency_us: 0,
            error: Some("lost on the way (fault callback_loss)".to_owned()),
            lost: true,
        };
        record(&state, &target, |status| {
            status.attempts = status.attempts.saturating_add(1);
            status.last_error = attempt.error.clone();
            status.history.push(attempt);
        });
        return;
    }
    let config = state.config();
    let retries = config.callback_retries;
    let backoff = config.callback_backoff;
    for attempt in 0..=retries {
        if attempt > 0 {
            // The retry is due after the backoff in real time, or as soon as the emulator's
            // clock is advanced past it: retries follow the test clock.
            let wait = backoff.saturating_mul(attempt);
            let due = state
                .now_ms()
                .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = state.clock_reaches(due) => {}
            }
        }
        let cause = if attempt == 0 {
            AttemptCause::First
        } else {
            AttemptCause::Retry
        };
        if attempt_and_record(&state, &target, &url, &body, cause).await {
            if plan.duplicate {
                tracing::info!(%url, "fault: callback delivered twice");
                attempt_and_record(&state, &target, &url, &body, AttemptCause::Duplicate).await;
            }
            return;
        }
    }
}

/// One POST, recorded on `target`; whether the merchant accepted it.
async fn attempt_and_record(
    state: &EmulatorState,
    target: &Target,
    url: &str,
    body: &str,
    cause: AttemptCause,
) -> bool {
    let at_ms = state.now_ms();
    let started = Instant::now();
    let outcome = attempt_once(state, url, body).await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let accepted = outcome.error.is_none();
    match &outcome.error {
        None => tracing::info!(%url, ?cause, "callback accepted"),
        Some(why) => tracing::warn!(%url, ?cause, %why, "callback not accepted"),
    }
    let attempt = CallbackAttempt {
        at_ms,
        cause,
        url: url.to_owned(),
        body: body.to_owned(),
        http_status: outcome.http_status,
        reply: outcome.reply,
        latency_us,
        error: outcome.error,
        lost: false,
    };
    record(state, target, |status| {
        status.attempts = status.attempts.saturating_add(1);
        status.delivered |= accepted;
        status.last_error = attempt.error.clone();
        status.history.push(attempt);
    });
    accepted
}

/// What came of one POST.
struct Outcome {
    http_status: Option<u16>,
    reply: Option<String>,
    error: Option<String>,
}

/// Longest merchant reply kept in an attempt's record.
const REPLY_KEPT: usize = 4096;

async fn attempt_once(state: &EmulatorState, url: &str, body: &str) -> Outcome {
    let failed = |error: String| Outcome {
        http_status: None,
        reply: None,
        error: Some(error),
    };
    let Some(http) = state.inner.http.as_ref() else {
        return failed("no HTTP client".to_owned());
    };
    let response = match http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
    {
        Ok(response) => response,
        Err(e) => return failed(format!("POST failed: {e}")),
    };
    let status = response.status();
    let text = match response.text().await {
        Ok(text) => text,
        Err(e) => {
            return Outcome {
                http_status: Some(status.as_u16()),
                reply: None,
                error: Some(format!("reading the answer failed: {e}")),
            };
        }
    };
    let error = reply_error(status, &text);
    let mut kept = text;
    if kept.len() > REPLY_KEPT {
        let mut end = REPLY_KEPT;
        while !kept.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        kept.truncate(end);
    }
    Outcome {
        http_status: Some(status.as_u16()),
        reply: Some(kept),
        error,
    }
}

/// Why a merchant's answer does not accept the callback: it must be HTTP 200 with
/// `return_code` 1 (processed) or 2 (already processed, facts-update §A4).
fn reply_error(status: reqwest::StatusCode, text: &str) -> Option<String> {
    if status != reqwest::StatusCode::OK {
        return Some(format!("HTTP {status}"));
    }
    let Ok(reply) = serde_json::from_str::<Value>(text) else {
        return Some("the answer is not JSON".to_owned());
    };
    let code = reply.get("return_code").and_then(|code| match code {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    match code {
        Some(1 | 2) => None,
        other => Some(format!("return_code {other:?}")),
    }
}

fn status_of<'a>(books: &'a mut Books, target: &Target) -> Option<&'a mut CallbackStatus> {
    match target {
        Target::Order(key) => books.orders.get_mut(key).map(|o| &mut o.callback),
        Target::Binding(key) => books.bindings.get_mut(key).map(|b| &mut b.callback),
    }
}

fn record(state: &EmulatorState, target: &Target, update: impl FnOnce(&mut CallbackStatus)) {
    {
        let mut books = state.books();
        if let Some(status) = status_of(&mut books, target) {
            update(status);
        }
    }
    // A failure is logged there; the attempt stays in memory.
    let _ = state.persist();
}

/// `status` of the redirect after a payment the buyer cancelled on the gateway page, with
/// `pmcid=0` and an empty `bankcode` (captured: specs/traffic r01–r03, decision D-93).
pub const CANCELLED_REDIRECT_STATUS: i32 = -49;

/// How the buyer left the gateway page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageOutcome {
    /// Paid: `status=1`, the channel's `pmcid`.
    Paid,
    /// Cancelled: `status=-49`, `pmcid=0`, no bank.
    Cancelled,
}

/// The browser redirect after payment (§9): `base` with amount, appid, apptransid, bankcode,
/// checksum, discountamount, pmcid and status, in that (alphabetical) order as every captured
/// redirect has them (specs/traffic r01–r10), and checksum = HMAC(key2, appid|apptransid|
/// pmcid|bankcode|amount|discountamount|status).
pub(crate) fn redirect_url(
    base: &str,
    order: &Order,
    key2: &SecretKey,
    outcome: PageOutcome,
) -> String {
    let (pmcid, status) = match outcome {
        PageOutcome::Paid => (order.channel.unwrap_or(WALLET_CHANNEL), 1),
        PageOutcome::Cancelled => (0, CANCELLED_REDIRECT_STATUS),
    };
    let pmcid = pmcid.to_string();
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
        ("amount", amount.as_str()),
        ("appid", appid.as_str()),
        ("apptransid", order.app_trans_id.as_str()),
        ("bankcode", bankcode),
        ("checksum", checksum.as_str()),
        ("discountamount", discount),
        ("pmcid", pmcid.as_str()),
        ("status", status.as_str()),
    ])
    .unwrap_or_default();
    let joiner = if base.contains('?') { '&' } else { '?' };
    format!("{base}{joiner}{query}")
}
