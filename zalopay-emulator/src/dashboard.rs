//! The dashboard at `/emulator`: orders, refunds, bindings, top-ups, callback attempts, the
//! clock and the faults in force, with buttons (plain HTML forms, no script) to pay, cancel,
//! expire, re-send a callback, advance the clock and set faults.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::callback::{self, Target};
use crate::faults::Faults;
use crate::orders::{cancel_order, expire_order, pay_order};
use crate::pages::{AppQuery, escape_html as esc, find_order, vnd};
use crate::records::OrderState;
use crate::state::EmulatorState;
use crate::vietnam::display as vietnam_time;
use crate::wire::{ApiError, Params};

#[derive(Deserialize)]
pub(crate) struct Notice {
    notice: Option<String>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin-bottom:1.5em}\
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}form{display:inline}button{margin:.1em}\
.notice{background:#fff3c4;padding:.5em}code,pre{font-size:.9em}";

/// `GET /emulator`.
pub(crate) async fn page(
    State(state): State<EmulatorState>,
    Query(notice): Query<Notice>,
) -> Html<String> {
    let now = state.now_ms();
    let mut html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ZaloPay emulator</title>\
         <style>{STYLE}</style></head><body><h1>ZaloPay emulator</h1>"
    );
    if let Some(notice) = notice.notice.filter(|n| !n.is_empty()) {
        html.push_str(&format!(
            "<p class=\"notice\" id=\"notice\">{}</p>",
            esc(&notice)
        ));
    }
    html.push_str(&format!(
        "<h2>Clock</h2><p id=\"clock\" data-now-ms=\"{now}\">{} (Vietnam time), {now} ms</p>\
         <form method=\"post\" action=\"/emulator/dashboard/clock\">\
         <input name=\"seconds\" type=\"number\" min=\"0\" value=\"60\" aria-label=\"seconds\"> s \
         <button type=\"submit\" id=\"advance\">Advance clock</button></form>",
        vietnam_time(now)
    ));

    let faults = state.faults();
    let faults_json = serde_json::to_string_pretty(&faults).unwrap_or_default();
    html.push_str(&format!(
        "<h2>Faults</h2><pre id=\"faults\">{}</pre>\
         <form method=\"post\" action=\"/emulator/dashboard/faults\">\
         <textarea name=\"faults\" rows=\"3\" cols=\"70\" aria-label=\"faults\">{}</textarea><br>\
         app id (empty: all apps) <input name=\"app_id\" size=\"8\" aria-label=\"app id\"> \
         <button type=\"submit\" id=\"set-faults\">Set faults</button></form>",
        esc(&faults_json),
        esc(&serde_json::to_string(&faults.global).unwrap_or_default()),
    ));

    let orders = state.orders();
    html.push_str(&format!(
        "<h2>Orders ({})</h2><table id=\"orders\"><tr><th>App</th><th>app_trans_id</th>\
         <th>Amount</th><th>State</th><th>zp_trans_id</th><th>Refunded</th><th>Callback</th>\
         <th>Created</th><th>Actions</th></tr>",
        orders.len()
    ));
    for order in &orders {
        let id = esc(&order.app_trans_id);
        let action = |verb: &str, label: &str| {
            format!(
                "<form method=\"post\" action=\"/emulator/dashboard/orders/{}/{verb}?app_id={}\">\
                 <button type=\"submit\">{label}</button></form>",
                esc(&urlencode(&order.app_trans_id)),
                order.app_id
            )
        };
        let mut actions = String::new();
        if order.state == OrderState::Created {
            actions.push_str(&action("pay", "Pay"));
            actions.push_str(&action("cancel", "Cancel"));
            actions.push_str(&action("expire", "Expire"));
        }
        if order.callback.body.is_some() {
            actions.push_str(&action("callback", "Resend callback"));
        }
        let callback = match (&order.callback.url, order.callback.delivered) {
            (None, _) => "none".to_owned(),
            (Some(_), true) => format!("delivered ({} attempts)", order.callback.attempts),
            (Some(_), false) => format!("not delivered ({} attempts)", order.callback.attempts),
        };
        html.push_str(&format!(
            "<tr data-order=\"{id}\"><td>{}</td><td>{id}</td><td>{}</td><td class=\"state\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{actions}</td></tr>",
            order.app_id,
            vnd(order.amount),
            state_name(order.state),
            order
                .zp_trans_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            vnd(order.refunded_amount),
            esc(&callback),
            vietnam_time(order.created_at_ms),
        ));
    }
    html.push_str("</table>");

    html.push_str(
        "<h2>Callback attempts</h2><table id=\"callbacks\"><tr><th>app_trans_id</th>\
         <th>At</th><th>Cause</th><th>URL</th><th>HTTP</th><th>Reply</th><th>Latency</th>\
         <th>Error</th></tr>",
    );
    for order in &orders {
        for attempt in &order.callback.history {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{:?}</td><td>{}</td><td>{}</td><td><code>{}</code></td>\
                 <td>{} ms</td><td>{}</td></tr>",
                esc(&order.app_trans_id),
                vietnam_time(attempt.at_ms),
                attempt.cause,
                esc(&attempt.url),
                attempt.http_status.map(|s| s.to_string()).unwrap_or_default(),
                esc(attempt.reply.as_deref().unwrap_or("")),
                attempt.latency_us / 1000,
                esc(attempt.error.as_deref().unwrap_or("")),
            ));
        }
    }
    html.push_str("</table>");

    let refunds = state.refunds();
    html.push_str(&format!(
        "<h2>Refunds ({})</h2><table id=\"refunds\"><tr><th>App</th><th>m_refund_id</th>\
         <th>app_trans_id</th><th>Amount</th><th>Fee</th><th>Status</th><th>Created</th></tr>",
        refunds.len()
    ));
    for refund in &refunds {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            refund.app_id,
            esc(&refund.m_refund_id),
            esc(&refund.app_trans_id),
            vnd(refund.amount),
            vnd(refund.refund_fee_amount),
            if refund.settled(now) { "refunded" } else { "processing" },
            vietnam_time(refund.created_at_ms),
        ));
    }
    html.push_str("</table>");

    let bindings = state.bindings();
    html.push_str(&format!(
        "<h2>Bindings ({})</h2><table id=\"bindings\"><tr><th>App</th><th>app_trans_id</th>\
         <th>API</th><th>User</th><th>Status</th><th>Balance</th></tr>",
        bindings.len()
    ));
    for binding in &bindings {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:?}</td><td>{}</td></tr>",
            binding.app_id,
            esc(&binding.app_trans_id),
            esc(&binding.api),
            esc(&binding.identifier),
            binding.status,
            vnd(binding.balance),
        ));
    }
    html.push_str("</table>");

    let topups = state.topups();
    html.push_str(&format!(
        "<h2>Top-ups ({})</h2><table id=\"topups\"><tr><th>App</th><th>partner_order_id</th>\
         <th>Phone</th><th>Amount</th><th>Description</th></tr>",
        topups.len()
    ));
    for topup in &topups {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            topup.app_id,
            esc(&topup.partner_order_id),
            esc(&topup.phone),
            vnd(topup.amount),
            esc(&topup.description),
        ));
    }
    html.push_str("</table>");
    html.push_str(&format!(
        "<p>{} gateway requests served (<a href=\"/emulator/requests\">request log</a>: the \
         latest {}).</p></body></html>",
        state.requests_served(),
        state.request_log_len()
    ));
    Html(html)
}

fn state_name(state: OrderState) -> &'static str {
    match state {
        OrderState::Created => "created",
        OrderState::Paid => "paid",
        OrderState::Cancelled => "cancelled",
        OrderState::Expired => "expired",
    }
}

/// `text` as one URL path segment (everything but unreserved characters percent-encoded).
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Back to the dashboard, with a notice.
fn back(notice: &str) -> Response {
    let location = format!("/emulator?notice={}", urlencode(notice));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

fn refused(error: &ApiError) -> String {
    format!("refused: {} ({})", error.message, error.sub_return_code)
}

/// `POST /emulator/dashboard/orders/{app_trans_id}/{action}?app_id=`: pay, cancel, expire or
/// callback (re-send), then back to the dashboard.
pub(crate) async fn order_action(
    State(state): State<EmulatorState>,
    Path((app_trans_id, action)): Path<(String, String)>,
    Query(query): Query<AppQuery>,
) -> Response {
    let key = match find_order(&state, query.app_id, &app_trans_id) {
        Ok(key) => key,
        Err(error) => return back(&refused(&error)),
    };
    let outcome = match action.as_str() {
        "pay" => pay_order(&state, &key).map(|_| "paid"),
        "cancel" => cancel_order(&state, &key).map(|_| "cancelled"),
        "expire" => expire_order(&state, &key).map(|_| "expired"),
        "callback" => callback::resend(&state, Target::Order(key.clone()))
            .map(|()| "callback re-sent")
            .ok_or_else(|| ApiError::invalid("the order has no callback to re-send")),
        _ => Err(ApiError::invalid(format!("unknown action `{action}`"))),
    };
    match outcome {
        Ok(done) => back(&format!("{app_trans_id}: {done}")),
        Err(error) => back(&format!("{app_trans_id}: {}", refused(&error))),
    }
}

/// `POST /emulator/dashboard/clock` (form field `seconds`).
pub(crate) async fn advance_clock(State(state): State<EmulatorState>, params: Params) -> Response {
    match params.get_or_empty("seconds").trim().parse::<u64>() {
        Ok(seconds) => {
            state.advance_clock(std::time::Duration::from_secs(seconds));
            back(&format!("clock advanced by {seconds} s"))
        }
        Err(_) => back("refused: seconds must be a whole number ≥ 0"),
    }
}

/// `POST /emulator/dashboard/faults` (form fields `faults`, a JSON fault set, and `app_id`).
pub(crate) async fn set_faults(State(state): State<EmulatorState>, params: Params) -> Response {
    let app_id = match params.get_or_empty("app_id").trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return back("refused: app id is not a number"),
        },
    };
    let text = match params.get_or_empty("faults").trim() {
        "" => "{}",
        text => text,
    };
    let faults: Faults = match serde_json::from_str(text) {
        Ok(faults) => faults,
        Err(error) => return back(&format!("refused: not a fault set: {error}")),
    };
    match state.set_faults(app_id, faults) {
        Ok(()) => back("faults set"),
        Err(error) => back(&format!("refused: {error}")),
    }
}
