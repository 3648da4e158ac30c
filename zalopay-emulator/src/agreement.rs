//! Agreement (auto-debit, §10): bind, confirm on the binding page, query, unbind, balance,
//! pay by token, query user. Tokenization v2 (`tokenization`) and hybrid (`hybrid`) use the
//! same bindings.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::callback::{self, Target, WALLET_CHANNEL};
use crate::checks::{
    ApiResult, authenticate, check_dated_id, check_id_length, optional_url, positive_amount,
    within_window,
};
use crate::orders::{after_payment, pay_locked};
use crate::records::{Binding, BindingStatus, Key, OrderState, insert_unique};
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg, success, with_codes};

/// The binding page for a token.
pub(crate) fn binding_page_url(state: &EmulatorState, token: &str) -> String {
    let query = serde_urlencoded::to_string([("b", token)]).unwrap_or_default();
    format!("{}/agreement?{query}", state.base_url())
}

pub(crate) fn deep_link(token: &str) -> String {
    format!("zalopay://launch/app/730?view=authorize&b={token}")
}

/// A fake phone number for a user, stable per identifier.
fn phone_for(identifier: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(identifier.as_bytes());
    let n = digest
        .iter()
        .take(4)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    format!("090{:07}", n % 10_000_000)
}

fn masked(phone: &str) -> String {
    let tail: String = phone
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

pub(crate) fn store_binding(state: &EmulatorState, binding: Binding) -> Result<Binding, ApiError> {
    let key: Key = (binding.app_id, binding.app_trans_id.clone());
    let token = binding.binding_token.clone();
    let books = &mut *state.books();
    insert_unique(
        &mut books.bindings,
        &mut books.binding_tokens,
        key,
        &token,
        binding,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn new_binding(
    state: &EmulatorState,
    app_id: i64,
    app_trans_id: &str,
    api: &'static str,
    identifier: &str,
    max_amount: i64,
    binding_type: &str,
    binding_data: &str,
    redirect_url: Option<String>,
    callback_url: Option<String>,
) -> Binding {
    Binding {
        app_id,
        app_trans_id: app_trans_id.to_owned(),
        api: api.to_owned(),
        identifier: identifier.to_owned(),
        binding_token: state.next_token(),
        binding_id: None,
        pay_token: None,
        status: BindingStatus::Pending,
        max_amount,
        binding_type: binding_type.to_owned(),
        binding_data: binding_data.to_owned(),
        redirect_url,
        callback_url,
        balance: state.config().wallet_balance,
        phone: phone_for(identifier),
        created_at_ms: state.now_ms(),
        callback: Default::default(),
    }
}

/// A binding request's `req_date` must be within 15 minutes of the gateway's clock (-401).
pub(crate) fn check_req_date(state: &EmulatorState, params: &Params) -> Result<(), ApiError> {
    if within_window(state.now_ms(), params.required_i64("req_date")?) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "`req_date` is more than 15 minutes away from the gateway's clock",
        ))
    }
}

/// Authenticates an agreement request signed with `app_id` and `mac` (as `authenticate`) and
/// reads its `req_date`: a value that is not a whole number is -401, as for `bind`, whose
/// window the gateway documents; the other operations' window is not documented, so only the
/// type is checked.
fn authenticate_dated<'a>(
    state: &'a EmulatorState,
    params: &Params,
    required: &[&str],
    segments: &[Seg],
) -> Result<&'a crate::App, ApiError> {
    let app = authenticate(state, params, "app_id", "mac", required, segments)?;
    params.required_i64("req_date")?;
    Ok(app)
}

/// `POST /v2/agreement/bind`.
pub(crate) async fn bind(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate(
        &state,
        &params,
        "app_id",
        "mac",
        &["app_trans_id", "req_date", "identifier"],
        &[
            Seg::F("app_id"),
            Seg::F("app_trans_id"),
            Seg::F("binding_data"),
            Seg::F("binding_type"),
            Seg::F("identifier"),
            Seg::F("max_amount"),
            Seg::F("req_date"),
        ],
    )?;
    let app_trans_id = params.required("app_trans_id")?;
    check_dated_id(&state, "app_trans_id", app_trans_id, 40)?;
    check_req_date(&state, &params)?;
    let max_amount = params.optional_i64("max_amount")?.unwrap_or(0);
    if max_amount < 0 {
        return Err(ApiError::invalid("`max_amount` must not be negative"));
    }
    let binding_type = match params.get_or_empty("binding_type") {
        "" | "WALLET" => "WALLET",
        _ => return Err(ApiError::invalid("`binding_type` must be WALLET")),
    };
    let binding = new_binding(
        &state,
        app.app_id,
        app_trans_id,
        "agreement",
        params.required("identifier")?,
        max_amount,
        binding_type,
        params.get_or_empty("binding_data"),
        optional_url(&params, "redirect_url")?,
        optional_url(&params, "callback_url")?,
    );
    let binding = store_binding(&state, binding)?;
    tracing::info!(
        app_id = app.app_id,
        app_trans_id,
        "agreement binding requested"
    );
    let link = binding_page_url(&state, &binding.binding_token);
    Ok(Json(success(json!({
        "binding_token": binding.binding_token,
        "binding_qr_link": link,
        "deep_link": deep_link(&binding.binding_token),
        "short_link": link,
    }))))
}

/// The agreement query `data` object (§10.2), also the `data` of the binding callback.
fn binding_data(binding: &Binding, now: i64) -> Value {
    json!({
        "app_id": binding.app_id,
        "app_trans_id": binding.app_trans_id,
        "binding_id": binding.binding_id,
        "pay_token": binding.pay_token,
        "server_time": now / 1000,
        "merchant_user_id": binding.identifier,
        "status": binding.status.code(),
        "msg_type": 1,
        "zp_user_id": callback::merchant_user_id(binding.app_id, &binding.identifier),
        "masked_user_phone": masked(&binding.phone),
    })
}

const QUERY_BINDING_MAC: &[Seg] = &[Seg::F("app_id"), Seg::F("app_trans_id"), Seg::F("req_date")];

/// Authenticates an agreement or tokenization query (`app_id|app_trans_id|req_date`) and
/// returns the key of the binding it names.
pub(crate) fn binding_key(state: &EmulatorState, params: &Params) -> Result<Key, ApiError> {
    let app = authenticate_dated(
        state,
        params,
        &["app_trans_id", "req_date"],
        QUERY_BINDING_MAC,
    )?;
    let app_trans_id = params.get_or_empty("app_trans_id");
    check_id_length("app_trans_id", app_trans_id, 40)?;
    Ok((app.app_id, app_trans_id.to_owned()))
}

/// `POST /v2/agreement/query`: pending 3, confirmed or unbound 1 (data.status 1 / 4),
/// refused 2/-329 (data.status 3).
pub(crate) async fn query(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let key = binding_key(&state, &params)?;
    let books = state.books();
    let binding = books
        .bindings
        .get(&key)
        .ok_or_else(|| ApiError::not_found("binding not found"))?;
    let data = json!({ "data": binding_data(binding, state.now_ms()) });
    Ok(Json(match binding.status {
        BindingStatus::Pending => with_codes(3, 3, "waiting for the user", data),
        BindingStatus::Cancelled => with_codes(2, -329, "the user refused", data),
        BindingStatus::Confirmed | BindingStatus::Disabled => success(data),
    }))
}

/// `POST /v2/agreement/unbind`.
pub(crate) async fn unbind(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate_dated(
        &state,
        &params,
        &["identifier", "binding_id", "req_date"],
        &[
            Seg::F("app_id"),
            Seg::F("identifier"),
            Seg::F("binding_id"),
            Seg::F("req_date"),
        ],
    )?;
    let identifier = params.get_or_empty("identifier");
    let binding_id = params.get_or_empty("binding_id");
    let mut books = state.books();
    let binding = books
        .bindings
        .values_mut()
        .find(|b| {
            b.app_id == app.app_id
                && b.identifier == identifier
                && b.binding_id.as_deref() == Some(binding_id)
                && b.status == BindingStatus::Confirmed
        })
        .ok_or_else(|| ApiError::not_found("no active binding with this binding_id"))?;
    binding.status = BindingStatus::Disabled;
    tracing::info!(app_id = app.app_id, "binding disabled");
    Ok(Json(success(json!({}))))
}

/// The active binding a pay token belongs to, for this app (and identifier, if given).
pub(crate) fn active_binding<'a>(
    books: &'a mut crate::records::Books,
    app_id: i64,
    pay_token: &str,
    identifier: Option<&str>,
) -> Result<&'a mut Binding, ApiError> {
    let key = books
        .pay_tokens
        .get(pay_token)
        .cloned()
        .ok_or_else(|| ApiError::not_found("pay_token not found"))?;
    books
        .bindings
        .get_mut(&key)
        .filter(|b| {
            b.app_id == app_id
                && b.status == BindingStatus::Confirmed
                && identifier.is_none_or(|id| id == b.identifier)
        })
        .ok_or_else(|| ApiError::not_found("no active binding for this pay_token"))
}

fn can_pay(binding: &Binding, amount: i64) -> bool {
    amount <= binding.balance && (binding.max_amount == 0 || amount <= binding.max_amount)
}

/// The wallet balance after paying `amount`; -63 when the balance or `max_amount` does not
/// allow it. Changes nothing: the caller stores the balance once the payment is made.
pub(crate) fn debit(binding: &Binding, amount: i64) -> Result<i64, ApiError> {
    if !can_pay(binding, amount) {
        return Err(ApiError::new(-63, "wallet balance or max_amount too low"));
    }
    binding
        .balance
        .checked_sub(amount)
        .ok_or_else(|| ApiError::new(-63, "wallet balance too low"))
}

/// `POST /v2/agreement/balance`.
pub(crate) async fn balance(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate_dated(
        &state,
        &params,
        &["identifier", "pay_token", "amount", "req_date"],
        &[
            Seg::F("app_id"),
            Seg::F("pay_token"),
            Seg::F("identifier"),
            Seg::F("amount"),
            Seg::F("req_date"),
        ],
    )?;
    let amount = positive_amount(&params, "amount")?;
    let mut books = state.books();
    let binding = active_binding(
        &mut books,
        app.app_id,
        params.get_or_empty("pay_token"),
        Some(params.get_or_empty("identifier")),
    )?;
    Ok(Json(success(json!({
        "data": [{ "channel": WALLET_CHANNEL, "payable": can_pay(binding, amount), "bank_code": "zp_app" }],
        "discount_amount": 0,
    }))))
}

/// `POST /v2/agreement/pay`: pays a created order from the bound wallet (-63 when the balance
/// or `max_amount` does not allow it); the order callback (type 1) follows.
pub(crate) async fn pay(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate_dated(
        &state,
        &params,
        &["identifier", "zp_trans_token", "pay_token", "req_date"],
        &[
            Seg::F("app_id"),
            Seg::F("identifier"),
            Seg::F("zp_trans_token"),
            Seg::F("pay_token"),
            Seg::F("req_date"),
        ],
    )?;
    let now = state.now_ms();
    let (key, order) = {
        let mut books = state.books();
        let key = books
            .order_tokens
            .get(params.get_or_empty("zp_trans_token"))
            .filter(|key| key.0 == app.app_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("zp_trans_token not found"))?;
        let amount = match books.refresh(&key, now) {
            Some(order) if order.state == OrderState::Created => order.amount,
            Some(order) if order.state == OrderState::Expired => {
                return Err(ApiError::new(-54, "order expired"));
            }
            Some(_) => return Err(ApiError::new(406, "order is not payable")),
            None => return Err(ApiError::not_found("order not found")),
        };
        let pay_token = params.get_or_empty("pay_token");
        let identifier = Some(params.get_or_empty("identifier"));
        let left = debit(
            active_binding(&mut books, app.app_id, pay_token, identifier)?,
            amount,
        )?;
        // The order's state and the wallet move together, under this one lock.
        let order = pay_locked(&state, &mut books, &key, now)?;
        active_binding(&mut books, app.app_id, pay_token, identifier)?.balance = left;
        (key, order)
    };
    after_payment(&state, &key, &order, now);
    Ok(Json(success(json!({
        "app_trans_id": order.app_trans_id,
        "zp_trans_id": order.zp_trans_id,
    }))))
}

/// `POST /v2/agreement/query_user`.
pub(crate) async fn query_user(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let app = authenticate_dated(
        &state,
        &params,
        &["access_token", "req_date"],
        &[Seg::F("app_id"), Seg::F("access_token"), Seg::F("req_date")],
    )?;
    let mut books = state.books();
    let binding = active_binding(
        &mut books,
        app.app_id,
        params.get_or_empty("access_token"),
        None,
    )?;
    Ok(Json(success(json!({ "phone": masked(&binding.phone) }))))
}

/// The user's answer on the binding page: confirm (assigns `binding_id` and `pay_token`) or
/// refuse. Sends the binding callback (type 2) if there is a URL. Unknown token → -101; a
/// binding that was already answered → 406.
pub(crate) fn answer_binding(
    state: &EmulatorState,
    token: &str,
    confirm: bool,
) -> Result<Binding, ApiError> {
    let now = state.now_ms();
    let binding = {
        let mut books = state.books();
        let key = books
            .binding_tokens
            .get(token)
            .cloned()
            .ok_or_else(|| ApiError::not_found("binding token not found"))?;
        let binding_id = state.next_token();
        let pay_token = state.next_token();
        let binding = books
            .bindings
            .get_mut(&key)
            .ok_or_else(|| ApiError::not_found("binding not found"))?;
        if binding.status != BindingStatus::Pending {
            return Err(ApiError::new(406, "binding already answered"));
        }
        if confirm {
            binding.status = BindingStatus::Confirmed;
            binding.binding_id = Some(binding_id);
            binding.pay_token = Some(pay_token.clone());
        } else {
            binding.status = BindingStatus::Cancelled;
        }
        binding.callback.url = binding.callback_url.clone().or_else(|| {
            state
                .app(binding.app_id)
                .and_then(|app| app.callback_url.clone())
        });
        let binding = binding.clone();
        if confirm {
            books.pay_tokens.insert(pay_token, key);
        }
        binding
    };
    tracing::info!(app_id = binding.app_id, app_trans_id = %binding.app_trans_id, status = ?binding.status, "binding answered");
    if let (Some(url), Some(app)) = (&binding.callback.url, state.app(binding.app_id)) {
        callback::send(
            state,
            Target::Binding((binding.app_id, binding.app_trans_id.clone())),
            url.clone(),
            &app.key2,
            binding_data(&binding, now).to_string(),
            2,
        );
    }
    Ok(binding)
}
