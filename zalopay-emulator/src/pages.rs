//! The emulated "wallet": the payment page behind `order_url`, the binding page behind the
//! binding links, their JSON equivalents for tests, and state inspection.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::agreement::answer_binding;
use crate::callback::{PageOutcome, redirect_url};
use crate::orders::{cancel_order, expire_order, pay_order};
use crate::records::{Key, Order, OrderState};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, success};

/// Escapes text for HTML element content and quoted attribute values. Public because the
/// CLI's demo shop renders its pages the same way.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An amount as a Vietnamese price: `50.000 ₫` (dots between thousands).
pub(crate) fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len().saturating_mul(2));
    if amount < 0 {
        out.push('-');
    }
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && len.saturating_sub(i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out.push_str(" ₫");
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:28em;margin:3em auto}}\
         button{{font-size:1.1em;margin-right:1em}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>",
        title = escape_html(title)
    );
    (status, Html(html)).into_response()
}

fn error_page(error: &ApiError) -> Response {
    page(
        StatusCode::CONFLICT,
        "ZaloPay emulator",
        &format!(
            "<p>{} (sub_return_code {})</p>",
            escape_html(&error.message),
            error.sub_return_code
        ),
    )
}

/// The `order` parameter of `order_url`: base64 of `{"zptranstoken":..,"appid":..}`.
#[derive(Deserialize)]
struct OrderParam {
    zptranstoken: String,
    appid: i64,
}

/// Finds the order an `order=` parameter names.
fn order_key(state: &EmulatorState, encoded: &str) -> Result<Key, ApiError> {
    // A `+` that reached us unencoded in a query string has become a space.
    let encoded = encoded.trim().replace(' ', "+");
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|engine| engine.decode(&encoded).ok())
        .ok_or_else(|| ApiError::invalid("`order` is not base64"))?;
    let param: OrderParam = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::invalid("`order` does not name an order"))?;
    state
        .books()
        .order_tokens
        .get(&param.zptranstoken)
        .filter(|key| key.0 == param.appid)
        .cloned()
        .ok_or_else(|| ApiError::not_found("order not found"))
}

#[derive(Deserialize)]
pub(crate) struct PayQuery {
    order: Option<String>,
}

/// `GET /pay?order=…`: the order and two forms, Pay and Cancel.
pub(crate) async fn pay_page(
    State(state): State<EmulatorState>,
    Query(query): Query<PayQuery>,
) -> Response {
    let Some(encoded) = query.order else {
        return error_page(&ApiError::invalid("missing `order`"));
    };
    let key = match order_key(&state, &encoded) {
        Ok(key) => key,
        Err(error) => return error_page(&error),
    };
    let now = state.now_ms();
    let order = {
        let mut books = state.books();
        books.refresh(&key, now).map(|order| order.clone())
    };
    let Some(order) = order else {
        return error_page(&ApiError::not_found("order not found"));
    };
    let hidden = format!(
        "<input type=\"hidden\" name=\"order\" value=\"{}\">",
        escape_html(&encoded)
    );
    let merchant = state
        .app(order.app_id)
        .and_then(|app| app.name.clone())
        .unwrap_or_else(|| format!("Merchant app {}", order.app_id));
    let price = vnd(order.amount);
    // A payment confirmation: who is paid and how much first, then the two answers; the
    // order's details below for the curious.
    let answers = if order.state == OrderState::Created {
        format!(
            "<form method=\"post\" action=\"/pay/confirm\">{hidden}\
             <button type=\"submit\" id=\"pay\" class=\"pay\">Pay {price}</button></form>\
             <form method=\"post\" action=\"/pay/cancel\">{hidden}\
             <button type=\"submit\" id=\"cancel\" class=\"cancel\">Cancel</button></form>"
        )
    } else {
        format!(
            "<p id=\"closed\">This order is {} and cannot be paid.</p>",
            format!("{:?}", order.state).to_lowercase()
        )
    };
    let body = format!(
        "<main class=\"wallet\"><p class=\"to\">Pay to</p>\
         <p class=\"merchant\" id=\"merchant\">{merchant}</p>\
         <p class=\"price\" id=\"price\">{price}</p>\
         <p class=\"description\" id=\"description\">{description}</p>\
         {answers}\
         <details><summary>Order details</summary>\
         <dl><dt>App</dt><dd id=\"app\">{app}</dd>\
         <dt>Order</dt><dd id=\"app_trans_id\">{id}</dd>\
         <dt>Amount</dt><dd id=\"amount\">{amount} VND</dd>\
         <dt>Status</dt><dd id=\"state\">{state:?}</dd></dl></details></main>",
        merchant = escape_html(&merchant),
        app = order.app_id,
        id = escape_html(&order.app_trans_id),
        amount = order.amount,
        description = escape_html(&order.description),
        state = order.state,
    );
    wallet_page(&body)
}

/// The wallet's payment confirmation page.
fn wallet_page(body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ZaloPay: confirm payment</title><style>\
         body{{font-family:sans-serif;background:#eef4ff;margin:0}}\
         .wallet{{max-width:24em;margin:2em auto;background:#fff;border-radius:12px;\
         padding:1.5em;text-align:center;box-shadow:0 2px 8px #0002}}\
         .to{{color:#666;margin:0}}.merchant{{font-size:1.3em;font-weight:bold;margin:.2em 0}}\
         .price{{font-size:2.4em;font-weight:bold;color:#0068ff;margin:.3em 0}}\
         .description{{color:#444}}form{{margin:.5em 0}}\
         button{{width:100%;font-size:1.1em;padding:.7em;border-radius:8px;border:0}}\
         .pay{{background:#0068ff;color:#fff}}.cancel{{background:#eee;color:#333}}\
         details{{text-align:left;margin-top:1.5em;color:#555}}\
         </style></head><body>{body}</body></html>"
    );
    (StatusCode::OK, Html(html)).into_response()
}

/// Where the browser goes after the page: `embed_data.redirecturl`, else the app's registered
/// redirect URL.
fn redirect_target(state: &EmulatorState, order: &Order) -> Option<String> {
    serde_json::from_str::<Value>(&order.embed_data)
        .ok()
        .and_then(|embed| {
            embed
                .get("redirecturl")
                .and_then(Value::as_str)
                .filter(|url| !url.is_empty())
                .map(str::to_owned)
        })
        .or_else(|| {
            state
                .app(order.app_id)
                .and_then(|app| app.redirect_url.clone())
        })
}

/// The redirect URL with its signed parameters, if the order has a redirect target.
fn signed_redirect(state: &EmulatorState, order: &Order, outcome: PageOutcome) -> Option<String> {
    let target = redirect_target(state, order)?;
    let app = state.app(order.app_id)?;
    Some(redirect_url(&target, order, &app.key2, outcome))
}

fn finish_page(
    state: &EmulatorState,
    order: &Order,
    outcome: PageOutcome,
    title: &str,
) -> Response {
    match signed_redirect(state, order, outcome) {
        Some(url) => (StatusCode::SEE_OTHER, [(LOCATION, url)]).into_response(),
        None => page(
            StatusCode::OK,
            title,
            &format!("<p>Order {}</p>", escape_html(&order.app_trans_id)),
        ),
    }
}

/// `POST /pay/confirm` (form field `order`): pays, then redirects (status 1).
pub(crate) async fn confirm_form(State(state): State<EmulatorState>, params: Params) -> Response {
    let result =
        order_key(&state, params.get_or_empty("order")).and_then(|key| pay_order(&state, &key));
    match result {
        Ok(order) => finish_page(&state, &order, PageOutcome::Paid, "Payment successful"),
        Err(error) => error_page(&error),
    }
}

/// `POST /pay/cancel` (form field `order`): cancels, then redirects as the gateway does after
/// a cancel (status -49, pmcid 0, no bank).
pub(crate) async fn cancel_form(State(state): State<EmulatorState>, params: Params) -> Response {
    let result =
        order_key(&state, params.get_or_empty("order")).and_then(|key| cancel_order(&state, &key));
    match result {
        Ok(order) => finish_page(&state, &order, PageOutcome::Cancelled, "Payment cancelled"),
        Err(error) => error_page(&error),
    }
}

#[derive(Deserialize)]
pub(crate) struct AppQuery {
    pub(crate) app_id: Option<i64>,
}

/// The order with this `app_trans_id` (of `app_id`, when given; otherwise it must be unique).
pub(crate) fn find_order(
    state: &EmulatorState,
    app_id: Option<i64>,
    id: &str,
) -> Result<Key, ApiError> {
    let books = state.books();
    let mut matches = books
        .orders
        .keys()
        .filter(|(app, trans)| trans == id && app_id.is_none_or(|want| want == *app));
    match (matches.next(), matches.next()) {
        (Some(key), None) => Ok(key.clone()),
        (None, _) => Err(ApiError::not_found("order not found")),
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "several apps have this app_trans_id: add ?app_id=",
        )),
    }
}

/// `POST /emulator/orders/{app_trans_id}/pay[?app_id=]`: the Pay button, as JSON. Answers
/// `{return_code: 1, order, redirect_url}` (`redirect_url` is where the browser would go).
pub(crate) async fn pay_json(
    State(state): State<EmulatorState>,
    Path(app_trans_id): Path<String>,
    Query(query): Query<AppQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = find_order(&state, query.app_id, &app_trans_id)?;
    let order = pay_order(&state, &key)?;
    let redirect = signed_redirect(&state, &order, PageOutcome::Paid);
    Ok(Json(success(
        json!({ "order": order, "redirect_url": redirect }),
    )))
}

/// `POST /emulator/orders/{app_trans_id}/cancel[?app_id=]`: the Cancel button, as JSON.
pub(crate) async fn cancel_json(
    State(state): State<EmulatorState>,
    Path(app_trans_id): Path<String>,
    Query(query): Query<AppQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = find_order(&state, query.app_id, &app_trans_id)?;
    let order = cancel_order(&state, &key)?;
    let redirect = signed_redirect(&state, &order, PageOutcome::Cancelled);
    Ok(Json(success(
        json!({ "order": order, "redirect_url": redirect }),
    )))
}

/// `POST /emulator/orders/{app_trans_id}/expire[?app_id=]`: expires an unpaid order now.
pub(crate) async fn expire_json(
    State(state): State<EmulatorState>,
    Path(app_trans_id): Path<String>,
    Query(query): Query<AppQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = find_order(&state, query.app_id, &app_trans_id)?;
    let order = expire_order(&state, &key)?;
    Ok(Json(success(json!({ "order": order }))))
}

#[derive(Deserialize)]
pub(crate) struct BindingQuery {
    b: Option<String>,
}

/// `GET /agreement?b=<binding_token>`: the binding consent page (Confirm / Refuse).
pub(crate) async fn binding_page(
    State(state): State<EmulatorState>,
    Query(query): Query<BindingQuery>,
) -> Response {
    let token = query.b.unwrap_or_default();
    let binding = {
        let books = state.books();
        books
            .binding_tokens
            .get(&token)
            .and_then(|key| books.bindings.get(key))
            .cloned()
    };
    let Some(binding) = binding else {
        return error_page(&ApiError::not_found("binding not found"));
    };
    let hidden = format!(
        "<input type=\"hidden\" name=\"b\" value=\"{}\">",
        escape_html(&token)
    );
    let body = format!(
        "<dl><dt>App</dt><dd>{app}</dd><dt>User</dt><dd>{user}</dd>\
         <dt>Max amount</dt><dd>{max} VND</dd><dt>Status</dt><dd id=\"state\">{state:?}</dd></dl>\
         <form method=\"post\" action=\"/agreement/confirm\">{hidden}<button type=\"submit\">Confirm</button></form>\
         <form method=\"post\" action=\"/agreement/cancel\">{hidden}<button type=\"submit\">Refuse</button></form>",
        app = binding.app_id,
        user = escape_html(&binding.identifier),
        max = binding.max_amount,
        state = binding.status,
    );
    page(StatusCode::OK, "ZaloPay emulator: link wallet", &body)
}

fn binding_answer_page(state: &EmulatorState, token: &str, confirm: bool) -> Response {
    match answer_binding(state, token, confirm) {
        Ok(binding) => match binding.redirect_url {
            Some(url) => (StatusCode::SEE_OTHER, [(LOCATION, url)]).into_response(),
            None => page(
                StatusCode::OK,
                if confirm {
                    "Wallet linked"
                } else {
                    "Linking refused"
                },
                "",
            ),
        },
        Err(error) => error_page(&error),
    }
}

/// `POST /agreement/confirm` (form field `b`).
pub(crate) async fn binding_confirm_form(
    State(state): State<EmulatorState>,
    params: Params,
) -> Response {
    binding_answer_page(&state, params.get_or_empty("b"), true)
}

/// `POST /agreement/cancel` (form field `b`).
pub(crate) async fn binding_cancel_form(
    State(state): State<EmulatorState>,
    params: Params,
) -> Response {
    binding_answer_page(&state, params.get_or_empty("b"), false)
}

/// `POST /emulator/bindings/{binding_token}/confirm`.
pub(crate) async fn binding_confirm_json(
    State(state): State<EmulatorState>,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let binding = answer_binding(&state, &token, true)?;
    Ok(Json(success(json!({ "binding": binding }))))
}

/// `POST /emulator/bindings/{binding_token}/cancel`.
pub(crate) async fn binding_cancel_json(
    State(state): State<EmulatorState>,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let binding = answer_binding(&state, &token, false)?;
    Ok(Json(success(json!({ "binding": binding }))))
}

/// `GET /emulator/orders`.
pub(crate) async fn list_orders(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.orders()))
}

/// `GET /emulator/refunds`.
pub(crate) async fn list_refunds(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.refunds()))
}

/// `GET /emulator/bindings`.
pub(crate) async fn list_bindings(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.bindings()))
}

/// `GET /emulator/topups`.
pub(crate) async fn list_topups(State(state): State<EmulatorState>) -> Json<Value> {
    Json(json!(state.topups()))
}
