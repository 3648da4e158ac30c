//! Orders: create, query, cancel, refund, query refund, bank list, quick pay — and the
//! payment / cancellation every other entry point (page, JSON, agreement pay) goes through.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::callback::{self, Target, WALLET_CHANNEL};
use crate::config::App;
use crate::records::{Key, Order, OrderKind, OrderState, Refund, Store, insert_unique};
use crate::state::{EmulatorState, yymmdd};
use crate::wire::{ApiError, Params, Seg, success, verify_mac, with_codes};

/// Handler result: a JSON body, or an in-band refusal.
pub(crate) type ApiResult = Result<Json<Value>, ApiError>;

/// Checks `app_field` names a known app and the signature over `segments` with key1.
/// Missing app id, signature or any of `required` is -401; unknown app or mismatch is -402.
pub(crate) fn authenticate<'a>(
    state: &'a EmulatorState,
    params: &Params,
    app_field: &str,
    sig_field: &str,
    required: &[&str],
    segments: &[Seg],
) -> Result<&'a App, ApiError> {
    let app = identify(state, params, app_field, sig_field, required)?;
    verify_mac(params, app, &app.key1, sig_field, segments)?;
    Ok(app)
}

/// [`authenticate`] without the signature check: the known app, once the app id, signature and
/// `required` parameters are present (-401 / -402 as there).
pub(crate) fn identify<'a>(
    state: &'a EmulatorState,
    params: &Params,
    app_field: &str,
    sig_field: &str,
    required: &[&str],
) -> Result<&'a App, ApiError> {
    let app_id = params.required_i64(app_field)?;
    let app = state
        .app(app_id)
        .ok_or_else(|| ApiError::bad_app(format!("unknown app {app_id}")))?;
    params.required(sig_field)?;
    for name in required {
        params.required(name)?;
    }
    Ok(app)
}

/// A merchant id longer than its documented limit is -401 on every operation, a query's
/// included (the limit is the request field's, not only a rule for new ids).
pub(crate) fn check_id_length(name: &str, id: &str, max_len: usize) -> Result<(), ApiError> {
    if id.chars().count() > max_len {
        return Err(ApiError::invalid(format!(
            "`{name}` is longer than {max_len}"
        )));
    }
    Ok(())
}

/// Checks the `yyMMdd` prefix (Vietnam time, emulator clock) and length of a merchant id.
pub(crate) fn check_dated_id(
    state: &EmulatorState,
    name: &str,
    id: &str,
    max_len: usize,
) -> Result<(), ApiError> {
    check_id_length(name, id, max_len)?;
    let today = yymmdd(state.now_ms());
    if !id.starts_with(&today) {
        return Err(ApiError::invalid(format!(
            "`{name}` must start with today's date {today} (yyMMdd, GMT+7)"
        )));
    }
    Ok(())
}

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
        .store()
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

/// `name` as an amount > 0; otherwise -401.
pub(crate) fn positive_amount(params: &Params, name: &str) -> Result<i64, ApiError> {
    let amount = params.required_i64(name)?;
    if amount <= 0 {
        return Err(ApiError::invalid(format!("`{name}` must be positive")));
    }
    Ok(amount)
}

/// An optional http(s) URL parameter.
pub(crate) fn optional_url(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    match params.get(name) {
        None | Some("") => Ok(None),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(Some(url.to_owned()))
        }
        Some(_) => Err(ApiError::invalid(format!("`{name}` is not an http(s) URL"))),
    }
}

/// -68 DUPLICATE_APPS_TRANS_ID: this `app_trans_id` was used before.
fn duplicate_order() -> ApiError {
    ApiError::new(-68, "duplicate app_trans_id")
}

/// Stores a new order; -68 when its id is taken.
pub(crate) fn insert_order(state: &EmulatorState, order: Order) -> Result<Order, ApiError> {
    let key: Key = (order.app_id, order.app_trans_id.clone());
    let token = order.zp_trans_token.clone();
    let store = &mut *state.store();
    insert_unique(
        &mut store.orders,
        &mut store.order_tokens,
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
    let mut store = state.store();
    let order = store
        .refresh(&key, now)
        .ok_or_else(|| ApiError::not_found("order not found"))?;
    if now.saturating_sub(order.created_at_ms) >= QUERY_WINDOW_MS {
        return Err(ApiError::not_found(
            "order is older than 48 hours: no longer queryable by API (see the merchant portal)",
        ));
    }
    Ok(Json(order_status(order, now)))
}

/// How long after creation an order answers `/v2/query` (api-facts §1.4: 48 h).
const QUERY_WINDOW_MS: i64 = 48 * 60 * 60 * 1000;

/// Expires an unpaid order now (the dashboard's Expire button); expired already is fine,
/// paid → 2/406, cancelled → 2/-329, unknown → 2/-101.
pub(crate) fn expire_order(state: &EmulatorState, key: &Key) -> Result<Order, ApiError> {
    let now = state.now_ms();
    let mut store = state.store();
    let order = store
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
    let mut store = state.store();
    let order = store
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
        let mut store = state.store();
        pay_locked(state, &mut store, key, now)?
    };
    after_payment(state, key, &order, now);
    Ok(order)
}

/// The state change of a payment, under the caller's lock. Call [`after_payment`] once the
/// lock is released.
pub(crate) fn pay_locked(
    state: &EmulatorState,
    store: &mut Store,
    key: &Key,
    now: i64,
) -> Result<Order, ApiError> {
    let order = store
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
    store.zp_trans_ids.insert(zp_trans_id, key.clone());
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

const REFUND_MAC: &[Seg] = &[
    Seg::F("app_id"),
    Seg::F("zp_trans_id"),
    Seg::F("amount"),
    Seg::Opt("refund_fee_amount"),
    Seg::F("description"),
    Seg::F("timestamp"),
];

/// Allowed distance between a request's time (`app_time`, `timestamp`, `req_date`) and the
/// emulator clock, either way.
const TIMESTAMP_WINDOW_MS: u64 = 15 * 60 * 1000;

/// Whether `time` is within 15 minutes of `now`, either way (any two i64 values).
pub(crate) fn within_window(now: i64, time: i64) -> bool {
    now.checked_sub(time)
        .is_some_and(|distance| distance.unsigned_abs() <= TIMESTAMP_WINDOW_MS)
}

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
        .store()
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
    let mut store = state.store();
    let refund_key: Key = (app.app_id, m_refund_id.to_owned());
    if store.refunds.contains_key(&refund_key) {
        return Err(duplicate_refund());
    }
    let order_key = store
        .zp_trans_ids
        .get(&zp_trans_id)
        .filter(|key| key.0 == app.app_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("no paid transaction with this zp_trans_id"))?;
    let order = store
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
    store.refunds.insert(
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
    let store = state.store();
    let refund = store
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

/// `POST /api/getlistmerchantbanks` (old field style: `appid`, `reqtime`; `returncode`).
/// Refusals come back as `returncode` 2 with the usual sub code in `subreturncode`.
pub(crate) async fn bank_list(
    State(state): State<EmulatorState>,
    params: Result<Params, ApiError>,
) -> Json<Value> {
    let outcome = params.and_then(|params| {
        authenticate(
            &state,
            &params,
            "appid",
            "mac",
            &["reqtime"],
            &[Seg::F("appid"), Seg::F("reqtime")],
        )?;
        // Unix ms as decimal text, as the sample clients send it.
        params.required_i64("reqtime").map(|_| ())
    });
    Json(match outcome {
        Ok(()) => json!({
            "returncode": 1,
            "returnmessage": "",
            "banks": banks(),
        }),
        Err(error) => json!({
            "returncode": error.return_code,
            "returnmessage": error.message,
            "subreturncode": error.sub_return_code,
        }),
    })
}

fn banks() -> Value {
    fn bank(code: &str, name: &str, order: i32, pmcid: i32, min: i64, max: i64) -> Value {
        json!({
            "bankcode": code, "name": name, "displayorder": order, "pmcid": pmcid,
            "minamount": min, "maxamount": max,
        })
    }
    json!({
        "36": [bank("CC", "Visa/Master/JCB", 0, 36, 1000, 100_000_000)],
        "37": [
            bank("VCB", "Vietcombank", 0, 37, 10_000, 100_000_000),
            bank("TCB", "Techcombank", 1, 37, 10_000, 100_000_000),
        ],
        "38": [bank("zalopayapp", "ZaloPay", 0, 38, 1000, 100_000_000)],
        "39": [
            bank("VTB", "Vietinbank", 0, 39, 10_000, 50_000_000),
            bank("VCB", "Vietcombank", 1, 39, 10_000, 50_000_000),
            bank("BIDV", "BIDV", 2, 39, 10_000, 50_000_000),
            bank("SCB", "Sacombank", 3, 39, 10_000, 50_000_000),
        ],
    })
}

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
        let mut store = state.store();
        if store
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
        let store = &mut *store;
        insert_unique(
            &mut store.orders,
            &mut store.order_tokens,
            key.clone(),
            &token,
            order,
        )?;
        pay_locked(&state, store, &key, now)?
    };
    after_payment(&state, &key, &paid, now);
    Ok(Json(success(json!({
        "is_processing": false,
        "zp_trans_id": paid.zp_trans_id,
        "app_trans_id": paid.app_trans_id,
    }))))
}
