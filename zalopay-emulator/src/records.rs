//! The emulator's records: orders, refunds, bindings, top-ups, the callback attempts made
//! for them, and the books (`Books`) that hold them all under one lock.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::wire::ApiError;

/// Why a callback POST was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptCause {
    /// The first attempt.
    First,
    /// A retry after a failed attempt.
    Retry,
    /// A second delivery of an accepted callback (fault `callback_duplicate`).
    Duplicate,
    /// Re-sent by hand (`POST /emulator/orders/{id}/callback`).
    Resend,
}

/// One callback attempt, as kept on its order or binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackAttempt {
    /// Emulator clock when it was made, Unix ms.
    pub at_ms: i64,
    /// Why it was made.
    pub cause: AttemptCause,
    /// Where it went.
    pub url: String,
    /// The JSON body sent (`{data, mac, type}`).
    pub body: String,
    /// HTTP status of the merchant's answer, if one came.
    pub http_status: Option<u16>,
    /// The merchant's answer body (at most 4 KiB of it), if one came.
    pub reply: Option<String>,
    /// Real time the attempt took, µs.
    pub latency_us: u64,
    /// Why it did not count as accepted; `None` when the merchant accepted it (HTTP 200,
    /// `return_code` 1, or 2 for "already processed").
    pub error: Option<String>,
    /// Whether a fault made it never reach the merchant (`callback_loss`).
    pub lost: bool,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Created, not paid yet (query: `return_code` 3).
    Created,
    /// Paid (query: 1).
    Paid,
    /// Cancelled by the buyer on the payment page or by the merchant (query: 2 / -329).
    Cancelled,
    /// Not paid within its lifetime (query: 2 / -54).
    Expired,
}

/// How an order came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// `/v2/create`.
    Order,
    /// `/v2/quick_pay` (paid on creation).
    QuickPay,
    /// `/v2/zod` (ZaloPay on Delivery invoice; `app_trans_id` holds `mcRefId`).
    Zod,
}

/// What happened to a callback the emulator owes the merchant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackStatus {
    /// Where it is sent; `None` when neither the request nor the app had a callback URL.
    pub url: Option<String>,
    /// POSTs made so far.
    pub attempts: u32,
    /// Whether the merchant accepted it (HTTP 200 with `return_code` 1).
    pub delivered: bool,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// The JSON body last sent (what a re-send sends again).
    pub body: Option<String>,
    /// Every attempt, oldest first.
    pub history: Vec<CallbackAttempt>,
}

/// An order as the emulator keeps it (`GET /emulator/orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The app.
    pub app_id: i64,
    /// The merchant's order id.
    pub app_trans_id: String,
    /// Who pays.
    pub app_user: String,
    /// The merchant's creation time, Unix ms.
    pub app_time: i64,
    /// Amount, VND.
    pub amount: i64,
    /// Description shown to the buyer.
    pub description: String,
    /// `item`, exactly as received.
    pub item: String,
    /// `embed_data`, exactly as received.
    pub embed_data: String,
    /// `bank_code` as received (`""` when absent).
    pub bank_code: String,
    /// The order's own `callback_url`, if it had one.
    pub callback_url: Option<String>,
    /// The transaction token in `order_url` (also the agreement-pay input).
    pub zp_trans_token: String,
    /// Where the order stands.
    pub state: OrderState,
    /// How it was created.
    pub kind: OrderKind,
    /// Emulator clock at creation, Unix ms.
    pub created_at_ms: i64,
    /// Emulator clock at which it expires unless paid, Unix ms.
    pub expires_at_ms: i64,
    /// Emulator clock at payment, Unix ms.
    pub paid_at_ms: Option<i64>,
    /// ZaloPay's transaction id, once paid (`yyMMdd` + 9 digits).
    pub zp_trans_id: Option<i64>,
    /// Payment channel (pmcid), once paid: 38 (wallet) in this emulator.
    pub channel: Option<i32>,
    /// Sum of accepted refunds, VND.
    pub refunded_amount: i64,
    /// The payment callback.
    pub callback: CallbackStatus,
    /// Quick pay: SHA-256 (hex) of the payment code that paid it. A payment code pays once
    /// (D-104); the code itself is never kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_code_sha256: Option<String>,
}

/// A refund as the emulator keeps it (`GET /emulator/refunds`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The app.
    pub app_id: i64,
    /// The merchant's refund id.
    pub m_refund_id: String,
    /// ZaloPay's refund id.
    pub refund_id: i64,
    /// The refunded transaction.
    pub zp_trans_id: i64,
    /// The refunded order's `app_trans_id`.
    pub app_trans_id: String,
    /// Amount refunded, VND.
    pub amount: i64,
    /// Fee kept from the buyer, VND.
    pub refund_fee_amount: i64,
    /// Reason given.
    pub description: String,
    /// The request's `timestamp`.
    pub timestamp: i64,
    /// Emulator clock when accepted, Unix ms.
    pub created_at_ms: i64,
    /// Emulator clock from which it is settled (query refund: 1); before, it is processing
    /// (3). Equal to `created_at_ms` without a refund delay.
    pub settles_at_ms: i64,
}

impl Refund {
    /// Whether it has settled by `now` (emulator clock).
    pub fn settled(&self, now: i64) -> bool {
        now >= self.settles_at_ms
    }
}

/// Where a binding (agreement / tokenization) stands; numbers as in agreement query `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingStatus {
    /// Waiting for the user to confirm on the binding page.
    Pending,
    /// Confirmed (status 1): `pay_token` usable.
    Confirmed,
    /// Refused by the user (status 3).
    Cancelled,
    /// Unbound (status 4).
    Disabled,
}

impl BindingStatus {
    /// The number agreement query reports (`0` for pending).
    pub fn code(self) -> i32 {
        match self {
            BindingStatus::Pending => 0,
            BindingStatus::Confirmed => 1,
            BindingStatus::Cancelled => 3,
            BindingStatus::Disabled => 4,
        }
    }
}

/// A wallet/card binding (`/v2/agreement/bind` or `/v2/tokenization/bind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The app.
    pub app_id: i64,
    /// The merchant's binding request id.
    pub app_trans_id: String,
    /// `agreement` or `tokenization`.
    pub api: String,
    /// The merchant's user id.
    pub identifier: String,
    /// The token in the binding links.
    pub binding_token: String,
    /// Assigned on confirmation.
    pub binding_id: Option<String>,
    /// Assigned on confirmation; what agreement pay spends with.
    pub pay_token: Option<String>,
    /// Where it stands.
    pub status: BindingStatus,
    /// `max_amount` (0 = no limit).
    pub max_amount: i64,
    /// `binding_type` (`WALLET` when absent).
    pub binding_type: String,
    /// `binding_data`, as received.
    pub binding_data: String,
    /// Desktop return page.
    pub redirect_url: Option<String>,
    /// The binding callback URL (type 2).
    pub callback_url: Option<String>,
    /// The user's wallet balance, VND.
    pub balance: i64,
    /// The user's (fake) phone number.
    pub phone: String,
    /// Emulator clock at creation, Unix ms.
    pub created_at_ms: i64,
    /// The binding callback.
    pub callback: CallbackStatus,
}

/// A disbursement top-up (`/v2/disbursement/topup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topup {
    /// The app.
    pub app_id: i64,
    /// `payment_id`.
    pub payment_id: String,
    /// The merchant's order id.
    pub partner_order_id: String,
    /// ZaloPay's order id.
    pub order_id: i64,
    /// ZaloPay's transaction id (a string on the wire).
    pub zp_trans_id: String,
    /// The receiving user.
    pub m_u_id: String,
    /// The receiving user's phone.
    pub phone: String,
    /// Amount, VND.
    pub amount: i64,
    /// Description.
    pub description: String,
    /// `extra_info`, as received.
    pub extra_info: String,
    /// `partner_embed_data`, as received.
    pub partner_embed_data: String,
    /// The request's `time`.
    pub time: i64,
}

pub(crate) type Key = (i64, String);

#[derive(Default)]
pub(crate) struct Books {
    pub orders: HashMap<Key, Order>,
    pub order_tokens: HashMap<String, Key>,
    pub zp_trans_ids: HashMap<i64, Key>,
    pub refunds: HashMap<Key, Refund>,
    pub bindings: HashMap<Key, Binding>,
    pub binding_tokens: HashMap<String, Key>,
    pub pay_tokens: HashMap<String, Key>,
    pub topups: HashMap<Key, Topup>,
    pub merchant_balances: HashMap<i64, i64>,
    /// Disbursement user ids handed out by `/v2/disbursement/user`, to their phone.
    pub wallet_users: HashMap<String, String>,
}

/// Stores `value` under `key` and indexes it by `token`; refused with -68 (duplicate
/// `app_trans_id`) when `key` is taken. Orders and bindings are both kept this way.
pub(crate) fn insert_unique<V: Clone>(
    records: &mut HashMap<Key, V>,
    tokens: &mut HashMap<String, Key>,
    key: Key,
    token: &str,
    value: V,
) -> Result<V, ApiError> {
    if records.contains_key(&key) {
        return Err(ApiError::new(-68, "duplicate app_trans_id"));
    }
    tokens.insert(token.to_owned(), key.clone());
    records.insert(key, value.clone());
    Ok(value)
}

impl Books {
    /// Rebuilds the token and id indexes from the records (after loading them).
    #[cfg(feature = "sqlite")]
    pub(crate) fn reindex(&mut self) {
        self.order_tokens.clear();
        self.zp_trans_ids.clear();
        self.binding_tokens.clear();
        self.pay_tokens.clear();
        for (key, order) in &self.orders {
            self.order_tokens
                .insert(order.zp_trans_token.clone(), key.clone());
            if let Some(zp_trans_id) = order.zp_trans_id {
                self.zp_trans_ids.insert(zp_trans_id, key.clone());
            }
        }
        for (key, binding) in &self.bindings {
            self.binding_tokens
                .insert(binding.binding_token.clone(), key.clone());
            if let Some(pay_token) = &binding.pay_token {
                self.pay_tokens.insert(pay_token.clone(), key.clone());
            }
        }
    }

    /// Marks the order expired if its time is up. Returns the (possibly updated) order.
    pub fn refresh(&mut self, key: &Key, now: i64) -> Option<&mut Order> {
        let order = self.orders.get_mut(key)?;
        if order.state == OrderState::Created && now >= order.expires_at_ms {
            order.state = OrderState::Expired;
        }
        Some(order)
    }
}

/// Locks `mutex`, taking over a lock a panicking thread left behind (the data stays usable:
/// every section under a lock leaves it consistent before anything can fail).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
