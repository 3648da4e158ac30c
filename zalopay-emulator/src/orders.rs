//! Orders: create, query, cancel — and the payment / cancellation every other entry point
//! (page, JSON, agreement pay, quick pay, hybrid) goes through.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::callback::{self, Target, WALLET_CHANNEL};
use crate::checks::{
    ApiResult, authenticate, check_dated_id, check_id_length, optional_url, positive_amount,
    within_window,
};
use crate::config::App;
use crate::records::{Books, Key, Order, OrderKind, OrderState, insert_unique};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success, with_codes};

pub(crate) const CREATE_MAC: &[Seg] = &[
    Seg::F("app_id"),
    Seg::F("app_trans_id"),
    Seg::F("app_user"),
    Seg::F("amount"),
    Seg::F("app_time"),
    Seg::F("embed_data"),
    Seg::F("item"),
];
pub(crate) const CREATE_REQUIRED: &[&str] = &[
    "app_user",
    "app_trans_id",
    "app_time",
    "amount",
    "item",
    "embed_data",
];

/// Validates the order fields shared by create, quick pay and hybrid, and builds the order.
pub(crate) fn new_order(
    state: &EmulatorState,
    params: &Params,
    app: &App,
    kind: OrderKind,
) -> Result<Order, ApiError> {
    let app_user = params.required("app_user")?;
    if app_user.chars().count() > 50 {
        return Err(ApiError::invalid("`app_user` is longer than 50"));
    }
    let app_trans_id = params.required("app_trans_id")?;
    // A re-sent order is a duplicate whatever the date (decisions D-122); `insert_order`
    // checks again under the lock.
    if state
        .books()
        .orders
        .contains_key(&(app.app_id, app_trans_id.to_owned()))
    {
        return Err(duplicate_order());
    }
    check_dated_id(state, "app_trans_id", app_trans_id, 40)?;
    let app_time = params.required_i64("app_time")?;
    if !within_window(state.now_ms(), app_time) {
        return Err(ApiError::invalid(
            "`app_time` is more than 15 minutes away from the gateway's clock",
        ));
    }
    let amount = positive_amount(params, "amount")?;
    let description = match kind {
        OrderKind::QuickPay => params.get_or_empty("description"),
        _ => params.required("description")?,
    };
    if description.chars().count() > 256 {
        return Err(ApiError::invalid("`description` is longer than 256"));
    }
    let item = params.required("item")?;
    if !matches!(serde_json::from_str::<Value>(item), Ok(Value::Array(_))) {
        return Err(ApiError::invalid("`item` is not a JSON array"));
    }
    let embed_data = params.required("embed_data")?;
    if embed_data.chars().count() > 2048
        || !matches!(
            serde_json::from_str::<Value>(embed_data),
            Ok(Value::Object(_))
        )
    {
        return Err(ApiError::invalid(
            "`embed_data` is not a JSON object of at most 2048 characters",
        ));
    }
    let lifetime_ms = match params.optional_i64("expire_duration_seconds")? {
        Some(secs) if (300..=2_592_000).contains(&secs) => secs.saturating_mul(1000),
        Some(_) => {
            return Err(ApiError::invalid(
                "`expire_duration_seconds` must be within 300..=2592000",
            ));
        }
        None => i64::try_from(state.config().order_lifetime.as_millis()).unwrap_or(i64::MAX),
    };
    let callback_url = optional_url(params, "callback_url")?;
    let bank_code = params.get_or_empty("bank_code");
    if bank_code.chars().count() > 20 {
        return Err(ApiError::invalid("`bank_code` is longer than 20"));
    }
    let now = state.now_ms();
    Ok(Order {
        app_id: app.app_id,
        app_trans_id: app_trans_id.to_owned(),
        app_user: app_user.to_owned(),
        app_time,
        amount,
        description: description.to_owned(),
        item: item.to_owned(),
        embed_data: embed_data.to_owned(),
        bank_code: bank_code.to_owned(),
        callback_url,
        zp_trans_token: state.next_token(),
        state: OrderState::Created,
        kind,
        created_at_ms: now,
        expires_at_ms: now.saturating_add(lifetime_ms),
        paid_at_ms: None,
        zp_trans_id: None,
        channel: None,
        refunded_amount: 0,
        callback: Default::default(),
        payment_code_sha256: None,
    })
}

/// -68 DUPLICATE_APPS_TRANS_ID: this `app_trans_id` was used before.
fn duplicate_order() -> ApiError {
    ApiError::new(-68, "duplicate app_trans_id")
}

/// Stores a new order; -68 when its id is taken.
pub(crate) fn insert_order(state: &EmulatorState, order: Order) -> Result<Order, ApiError> {
    let key: Key = (order.app_id, order.app_trans_id.clone());
    let token = order.zp_trans_token.clone();
    let books = &mut *state.books();
    insert_unique(
        &mut books.orders,
        &mut books.order_tokens,
        key,
        &token,
        order,
    )
}

/// `{base}/pay?order=<base64 of {"zptranstoken":..,"appid":..}>`, like the real gateway's
/// `openinapp?order=` links.
pub(crate) fn order_url(state: &EmulatorState, order: &Order) -> String {
    let inner = json!({ "zptranstoken": order.zp_trans_token, "appid": order.app_id });
    let encoded = base64::engine::general_purpose::STANDARD.encode(inner.to_string());
    let query = serde_urlencoded::to_string([("order", encoded)]).unwrap_or_default();
    format!("{}/pay?{query}", state.base_url())
}

/// A VietQR-shaped (EMVCo TLV with CRC16) payload naming the order.
fn qr_code(order: &Order) -> String {
    fn tlv(tag: &str, value: &str) -> String {
        format!("{tag}{:02}{value}", value.len())
    }
    let merchant = tlv("00", "vn.zalopay") + &tlv("01", &order.zp_trans_token);
    let mut payload = tlv("00", "01")
        + &tlv("01", "12")
        + &tlv("26", &merchant)
        + &tlv("53", "704")
        + &tlv("54", &order.amount.to_string())
        + &tlv("58", "VN")
        + "6304";
    let crc = crc16_ccitt(payload.as_bytes());
    payload.push_str(&format!("{crc:04X}"));
    payload
}

fn crc16_ccitt(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// `POST /v2/create`.
pub(crate) async fn create(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        CREATE_REQUIRED,
        CREATE_MAC,
    )?;
    let order = new_order(&state, &params, app, OrderKind::Order)?;
    let order = insert_order(&state, order)?;
    tracing::info!(app_id = order.app_id, app_trans_id = %order.app_trans_id, amount = order.amount, "order created");
    Ok(Json(success(json!({
        "order_url": order_url(&state, &order),
        "zp_trans_token": order.zp_trans_token,
        "order_token": order.zp_trans_token,
        "qr_code": qr_code(&order),
    }))))
}

const QUERY_MAC: &[Seg] = &[Seg::F("app_id"), Seg::F("app_trans_id"), Seg::Key1];

/// Authenticates an order query or cancel (`app_id|app_trans_id|key1`) and returns the key of
/// the order it names.
fn order_key(state: &EmulatorState, params: &Params) -> Result<Key, ApiError> {
    let app = authenticate(state, params, "app_id", "mac", &["app_trans_id"], QUERY_MAC)?;
    let app_trans_id = params.get_or_empty("app_trans_id");
    check_id_length("app_trans_id", app_trans_id, 40)?;
    Ok((app.app_id, app_trans_id.to_owned()))
}

/// `POST /v2/query`.
pub(crate) async fn query(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = order_key(&state, &params)?;
    let now = state.now_ms();
    let mut books = state.books();
    let order = books
        .refresh(&key, now)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    if now.saturating_sub(order.created_at_ms) >= query_window_ms() {
        return Err(ApiError::not_found(
            "order is older than 48 hours: no longer queryable by API (see the merchant portal)",
        ));
    }
    Ok(Json(order_status(order, now)))
}

/// How long after creation an order answers `/v2/query`: the SDK's
/// [`QUERY_WINDOW`](zalopay_api::order::QUERY_WINDOW) (api-facts §1.4: 48 h), in milliseconds.
fn query_window_ms() -> i64 {
    i64::try_from(zalopay_api::order::QUERY_WINDOW.as_millis()).unwrap_or(i64::MAX)
}

/// Expires an unpaid order now (the dashboard's Expire button); expired already is fine,
/// paid → 2/406, cancelled → 2/-329, unknown → 2/-101.
pub(crate) fn expire_order(state: &EmulatorState, key: &Key) -> Result<Order, ApiError> {
    let now = state.now_ms();
    let mut books = state.books();
    let order = books
        .refresh(key, now)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    match order.state {
        OrderState::Created | OrderState::Expired => {
            order.state = OrderState::Expired;
            order.expires_at_ms = order.expires_at_ms.min(now);
            Ok(order.clone())
        }
        OrderState::Paid => Err(ApiError::new(406, "order already paid")),
        OrderState::Cancelled => Err(ApiError::new(-329, "order cancelled")),
    }
}

/// The `/v2/query` body for an order.
pub(crate) fn order_status(order: &Order, now: i64) -> Value {
    let mut extra = json!({
        "is_processing": false,
        "amount": order.amount,
        "discount_amount": 0,
        "server_time": now,
    });
    if let (Some(zp_trans_id), Value::Object(map)) = (order.zp_trans_id, &mut extra) {
        map.insert("zp_trans_id".to_owned(), json!(zp_trans_id));
    }
    match order.state {
        OrderState::Paid => success(extra),
        OrderState::Created => with_codes(3, 3, "Giao dịch chưa thực hiện hoặc đang xử lý", extra),
        OrderState::Expired => with_codes(2, -54, "order expired (TIME_INVALID)", extra),
        OrderState::Cancelled => with_codes(2, -329, "cancelled", extra),
    }
}

/// `POST /v2/cancel`.
pub(crate) async fn cancel(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = order_key(&state, &params)?;
    cancel_order(&state, &key)?;
    Ok(Json(success(json!({}))))
}

/// Cancels an unpaid order (idempotent); paid → 2/406, expired → 2/-54, unknown → 2/-101.
pub(crate) fn cancel_order(state: &EmulatorState, key: &Key) -> Result<Order, ApiError> {
    let now = state.now_ms();
    let mut books = state.books();
    let order = books
        .refresh(key, now)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    match order.state {
        OrderState::Created | OrderState::Cancelled => {
            order.state = OrderState::Cancelled;
            tracing::info!(app_id = key.0, app_trans_id = %key.1, "order cancelled");
            Ok(order.clone())
        }
        OrderState::Paid => Err(ApiError::new(406, "order already paid (ILLEGAL_STATUS)")),
        OrderState::Expired => Err(ApiError::new(-54, "order expired (TIME_INVALID)")),
    }
}

/// Pays an order now (channel 38, a fresh `zp_trans_id`) and sends its callback.
/// Already paid → 2/406, cancelled → 2/-329, expired → 2/-54, unknown → 2/-101.
pub(crate) fn pay_order(state: &EmulatorState, key: &Key) -> Result<Order, ApiError> {
    let now = state.now_ms();
    let order = {
        let mut books = state.books();
        pay_locked(state, &mut books, key, now)?
    };
    after_payment(state, key, &order, now);
    Ok(order)
}

/// The state change of a payment, under the caller's lock. Call [`after_payment`] once the
/// lock is released.
pub(crate) fn pay_locked(
    state: &EmulatorState,
    books: &mut Books,
    key: &Key,
    now: i64,
) -> Result<Order, ApiError> {
    let order = books
        .refresh(key, now)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    match order.state {
        OrderState::Created => {}
        OrderState::Paid => return Err(ApiError::new(406, "order already paid")),
        OrderState::Cancelled => return Err(ApiError::new(-329, "order cancelled")),
        OrderState::Expired => return Err(ApiError::new(-54, "order expired")),
    }
    let zp_trans_id = state.next_id();
    order.state = OrderState::Paid;
    order.zp_trans_id = Some(zp_trans_id);
    order.channel = Some(WALLET_CHANNEL);
    order.paid_at_ms = Some(now);
    order.callback.url = order.callback_url.clone().or_else(|| {
        state
            .app(order.app_id)
            .and_then(|app| app.callback_url.clone())
    });
    let order = order.clone();
    books.zp_trans_ids.insert(zp_trans_id, key.clone());
    Ok(order)
}

/// Logs a payment and sends its callback (no lock may be held).
pub(crate) fn after_payment(state: &EmulatorState, key: &Key, order: &Order, now: i64) {
    tracing::info!(app_id = order.app_id, app_trans_id = %order.app_trans_id, zp_trans_id = ?order.zp_trans_id, "order paid");
    match (&order.callback.url, state.app(order.app_id)) {
        (Some(url), Some(app)) => callback::send(
            state,
            Target::Order(key.clone()),
            url.clone(),
            &app.key2,
            callback::order_callback_data(order, now),
            1,
        ),
        _ => tracing::info!(app_trans_id = %order.app_trans_id, "no callback URL: no callback"),
    }
}
