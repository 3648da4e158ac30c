//! The callback: ZaloPay's server-to-server notification to the merchant.
//!
//! ZaloPay `POST`s `application/json` `{"data": "<JSON text>", "mac": "<hex>", "type": 1}` to
//! the callback URL after it has collected the money (type 1), or when a binding changes
//! (type 2, agreement / auto-debit). `mac = HMAC-SHA256(key2, data)` over the `data` string
//! exactly as received (api-facts §8, \[C2]).
//!
//! [`verify_callback`] checks the MAC (in constant time) *before* anything inside `data` is
//! parsed or trusted, then returns a typed [`Callback`]. Answer ZaloPay with a
//! [`CallbackReply`] serialised as the HTTP 200 body.
//!
//! Callbacks can be lost (merchant down, timeouts) and can arrive more than once: be
//! idempotent on `app_trans_id` / `zp_trans_id`, and poll ([`crate::poll`]) for orders whose
//! callback did not come. Never record anything from a body whose MAC failed.

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::sign::{JsonString, Keys};

/// Largest callback body accepted. Real callbacks are around 1 KiB (`embed_data` ≤ 2 KiB and
/// `item` ≤ 2 KiB, escaped once more inside `data`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `type` of an order payment callback.
pub const TYPE_PAYMENT: i64 = 1;
/// `type` of an agreement (binding) callback.
pub const TYPE_AGREEMENT: i64 = 2;

/// Why a callback was refused. Every variant is safe to log (no secrets, no body content
/// beyond a JSON error message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("callback body is {len} bytes; at most {max} are accepted")]
    TooLarge {
        /// The body's length (or a lower bound when reading stopped at the limit).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body could not be read (connection closed or timed out mid-body): nothing was
    /// verified, and this is not a MAC failure. ZaloPay is asked to call again.
    #[error("callback body could not be read: {0}")]
    Unreadable(String),
    /// The body is not a JSON object.
    #[error("callback body is not a JSON object: {0}")]
    NotJson(String),
    /// A required envelope field is absent.
    #[error("callback field `{0}` is missing")]
    MissingField(&'static str),
    /// An envelope field has the wrong JSON type.
    #[error("callback field `{field}` must be {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The MAC does not match `data`: not from ZaloPay, altered, or the wrong key2.
    #[error("callback mac does not match its data (forged or altered body, or wrong key2)")]
    BadMac,
    /// The MAC matched but the callback is for another app.
    #[error("callback is for app {got}, expected app {expected}")]
    WrongAppId {
        /// The app id this endpoint serves.
        expected: i64,
        /// The app id in the callback.
        got: i64,
    },
    /// The MAC matched but `type` is neither 1 nor 2.
    #[error("callback type {0} is not known (1 = payment, 2 = agreement)")]
    UnknownType(i64),
    /// The MAC matched but `data` is not a JSON object, or lacks a field its type cannot do
    /// without (the message names it).
    #[error("callback data does not have the documented shape: {0}")]
    BadData(String),
    /// The MAC matched but a field of `data` is missing or cannot be read.
    #[error("callback data field `{field}` {problem}")]
    BadField {
        /// The field's wire name (a path such as `items[0]` for nested values).
        field: String,
        /// What is wrong with it (`is missing`, or why it could not be read).
        problem: String,
    },
}

/// A verified callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Callback {
    /// `type = 1`: an order was paid.
    Payment(PaymentCallback),
    /// `type = 2`: an agreement (binding) changed.
    Agreement(AgreementCallback),
}

impl Callback {
    /// The merchant's `app_trans_id`, when the callback carries one.
    pub fn app_trans_id(&self) -> Option<&str> {
        match self {
            Callback::Payment(payment) => Some(&payment.app_trans_id),
            Callback::Agreement(agreement) => agreement.app_trans_id.as_deref(),
        }
    }
}

/// `data` of a payment callback (`type = 1`): the order was paid (api-facts §8, \[C2]).
///
/// Read the way the gateway really sends it (specs/traffic, decisions D-90, D-91): only what
/// money needs is required (`app_id`, `app_trans_id`, `zp_trans_id`, `amount`,
/// `server_time`); everything else is optional, numbers may come as strings, unknown fields
/// and channels are accepted, and no order between `app_time` and `server_time` is assumed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "PaymentWire")]
#[non_exhaustive]
pub struct PaymentCallback {
    /// The app id.
    pub app_id: i64,
    /// The merchant's order id.
    pub app_trans_id: String,
    /// `app_time` of the order, Unix ms, when the callback says (it can be later than
    /// `server_time`: the merchant's clock, not ZaloPay's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_time: Option<i64>,
    /// `app_user` of the order (empty when the callback does not say).
    pub app_user: String,
    /// Amount paid, VND.
    pub amount: i64,
    /// The order's `embed_data`, as the JSON text sent at creation.
    pub embed_data: JsonString,
    /// The order's `item`, as the JSON text sent at creation.
    pub item: JsonString,
    /// ZaloPay's transaction id (keep it: refunds need it).
    pub zp_trans_id: i64,
    /// ZaloPay's clock when paid, Unix ms.
    pub server_time: i64,
    /// Payment channel (pmcid: 38 wallet, 39 ATM, 36 card, …; any other value is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<i32>,
    /// The payer's per-app ZaloPay user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_user_id: Option<String>,
    /// The payer's ZaloPay user id as callbacks since 2023 also send it (the same value as
    /// `merchant_user_id` in every captured callback; specs/traffic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zp_user_id: Option<String>,
    /// Fee charged to the user, VND, when the callback says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_fee_amount: Option<i64>,
    /// Discount applied, VND, when the callback says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
}

impl PaymentCallback {
    /// A payment callback with the fields money needs; the rest empty (for tests, emulators
    /// and replays: the struct is `#[non_exhaustive]`).
    pub fn new(
        app_id: i64,
        app_trans_id: impl Into<String>,
        zp_trans_id: i64,
        amount: i64,
        server_time: i64,
    ) -> Self {
        Self {
            app_id,
            app_trans_id: app_trans_id.into(),
            app_time: None,
            app_user: String::new(),
            amount,
            embed_data: JsonString::default(),
            item: JsonString::empty_array(),
            zp_trans_id,
            server_time,
            channel: None,
            merchant_user_id: None,
            zp_user_id: None,
            user_fee_amount: None,
            discount_amount: None,
        }
    }
}

/// The payment callback as it arrives: every field optional and read tolerantly, so that the
/// one check after it can name what is missing.
#[derive(Deserialize)]
struct PaymentWire {
    #[serde(default, deserialize_with = "lenient::int")]
    app_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    app_trans_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    app_time: Option<i64>,
    #[serde(default, deserialize_with = "lenient::text")]
    app_user: String,
    #[serde(default, deserialize_with = "lenient::int")]
    amount: Option<i64>,
    #[serde(default, deserialize_with = "json_text")]
    embed_data: Option<JsonString>,
    #[serde(default, deserialize_with = "json_text")]
    item: Option<JsonString>,
    #[serde(default, deserialize_with = "lenient::int")]
    zp_trans_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    server_time: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    channel: Option<i32>,
    #[serde(default, deserialize_with = "lenient::string")]
    merchant_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    zp_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    user_fee_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    discount_amount: Option<i64>,
}

/// `embed_data` / `item`: the JSON text the merchant sent, kept as text; `null` or `""` is
/// absent.
fn json_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<JsonString>, D::Error> {
    match lenient::string(d)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => JsonString::from_raw(text)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

impl TryFrom<PaymentWire> for PaymentCallback {
    type Error = CallbackError;

    fn try_from(wire: PaymentWire) -> Result<Self, CallbackError> {
        let missing = |field: &'static str| CallbackError::BadField {
            field: field.to_owned(),
            problem: "is missing".to_owned(),
        };
        Ok(Self {
            app_id: wire.app_id.ok_or_else(|| missing("app_id"))?,
            app_trans_id: wire.app_trans_id.ok_or_else(|| missing("app_trans_id"))?,
            app_time: wire.app_time,
            app_user: wire.app_user,
            amount: wire.amount.ok_or_else(|| missing("amount"))?,
            embed_data: wire.embed_data.unwrap_or_default(),
            item: wire.item.unwrap_or_else(JsonString::empty_array),
            zp_trans_id: wire.zp_trans_id.ok_or_else(|| missing("zp_trans_id"))?,
            server_time: wire.server_time.ok_or_else(|| missing("server_time"))?,
            channel: wire.channel,
            merchant_user_id: wire.merchant_user_id,
            zp_user_id: wire.zp_user_id,
            user_fee_amount: wire.user_fee_amount,
            discount_amount: wire.discount_amount,
        })
    }
}

/// `status` of an agreement callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgreementStatus {
    /// `1`: the user confirmed the binding: store `pay_token`.
    Confirmed,
    /// `3`: the user cancelled the binding.
    Cancelled,
    /// `4`: the binding was disabled: drop the agreement.
    Disabled,
    /// Any other value, kept as received.
    Other(i32),
}

impl From<i32> for AgreementStatus {
    fn from(code: i32) -> Self {
        match code {
            1 => Self::Confirmed,
            3 => Self::Cancelled,
            4 => Self::Disabled,
            other => Self::Other(other),
        }
    }
}

impl AgreementStatus {
    /// The value as ZaloPay sends it.
    pub fn code(self) -> i32 {
        match self {
            Self::Confirmed => 1,
            Self::Cancelled => 3,
            Self::Disabled => 4,
            Self::Other(code) => code,
        }
    }
}

/// `data` of an agreement callback (`type = 2`).
///
/// Only `status` and `pay_token` are seen in an official sample \[C1]; the rest is the
/// agreement-query `data` object, which the callback probably mirrors \[?]. Everything but
/// `status` is therefore optional, ids are accepted as strings or numbers, and unknown fields
/// are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AgreementCallback {
    /// `status`: confirmed, cancelled or disabled.
    #[serde(deserialize_with = "agreement_status")]
    pub status: AgreementStatus,
    /// The token to pay with (present when confirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub pay_token: Option<String>,
    /// ZaloPay's binding id (needed to unbind).
    #[serde(default, deserialize_with = "lenient::string")]
    pub binding_id: Option<String>,
    /// The merchant's `app_trans_id` of the bind request.
    #[serde(default, deserialize_with = "lenient::string")]
    pub app_trans_id: Option<String>,
    /// The app id.
    #[serde(default, deserialize_with = "lenient::int")]
    pub app_id: Option<i64>,
    /// The merchant's user identifier given at bind time.
    #[serde(default, deserialize_with = "lenient::string")]
    pub merchant_user_id: Option<String>,
    /// ZaloPay's user id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub zp_user_id: Option<String>,
    /// The user's phone, masked (`****6938`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub masked_user_phone: Option<String>,
    /// ZaloPay's clock (seconds in the agreement query; unit unconfirmed here).
    #[serde(default, deserialize_with = "lenient::int")]
    pub server_time: Option<i64>,
    /// `1` confirm, `2` update (agreement query).
    #[serde(default, deserialize_with = "lenient::int")]
    pub msg_type: Option<i64>,
}

/// `status`: required, an integer or a string holding one.
fn agreement_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AgreementStatus, D::Error> {
    lenient::required_int::<D, i32>(d).map(AgreementStatus::from)
}

/// Verifies a callback body against key2 and returns its typed content.
///
/// Order of checks: size; envelope shape (`data` string, `mac` string, `type` integer; a
/// missing `type` is taken as 1, as in the legacy v1 envelope); the MAC over `data` exactly as
/// received, in constant time; then `type`, the shape of `data`, and the app id when
/// `expected_app_id` is given. Nothing in `data` is looked at before the MAC matched.
pub fn verify_callback(
    keys: &Keys,
    expected_app_id: Option<i64>,
    raw_body: &[u8],
) -> Result<Callback, CallbackError> {
    if raw_body.len() > MAX_BODY_BYTES {
        return Err(CallbackError::TooLarge {
            len: raw_body.len(),
            max: MAX_BODY_BYTES,
        });
    }
    let envelope: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(raw_body).map_err(|e| CallbackError::NotJson(e.to_string()))?;
    let data = match envelope.get("data") {
        None => return Err(CallbackError::MissingField("data")),
        Some(serde_json::Value::String(data)) => data,
        Some(_) => {
            return Err(CallbackError::WrongType {
                field: "data",
                expected: "a string",
            });
        }
    };
    let mac = match envelope.get("mac") {
        None => return Err(CallbackError::MissingField("mac")),
        Some(serde_json::Value::String(mac)) => mac,
        Some(_) => {
            return Err(CallbackError::WrongType {
                field: "mac",
                expected: "a string",
            });
        }
    };
    let callback_type = match envelope.get("type") {
        None => TYPE_PAYMENT,
        Some(value) => value.as_i64().ok_or(CallbackError::WrongType {
            field: "type",
            expected: "an integer",
        })?,
    };

    if !keys.key2.verify(data.as_bytes(), mac) {
        return Err(CallbackError::BadMac);
    }

    let check_app = |got: i64| match expected_app_id {
        Some(expected) if expected != got => Err(CallbackError::WrongAppId { expected, got }),
        _ => Ok(()),
    };
    match callback_type {
        TYPE_PAYMENT => {
            let payment = PaymentCallback::try_from(decode_data::<PaymentWire>(data)?)?;
            check_app(payment.app_id)?;
            Ok(Callback::Payment(payment))
        }
        TYPE_AGREEMENT => {
            let agreement: AgreementCallback = decode_data(data)?;
            if let Some(app_id) = agreement.app_id {
                check_app(app_id)?;
            }
            Ok(Callback::Agreement(agreement))
        }
        other => Err(CallbackError::UnknownType(other)),
    }
}

/// Reads verified `data`, naming the field that could not be read. A required field that is
/// absent altogether is reported by the type's own check, also by name.
fn decode_data<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, CallbackError> {
    // serde would read a struct from an array too: `data` is an object or it is not a callback.
    if !data.trim_start().starts_with('{') {
        return Err(CallbackError::BadData(
            "data is not a JSON object".to_owned(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_str(data);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        if field.is_empty() || field == "." {
            CallbackError::BadData(inner.to_string())
        } else {
            CallbackError::BadField {
                field,
                problem: format!("cannot be read: {inner}"),
            }
        }
    })
}

/// Builds a callback body the way ZaloPay does: `{"data": data, "mac": HMAC(key2, data),
/// "type": callback_type}`. For tests and the local emulator.
pub fn sign_callback(keys: &Keys, data: &str, callback_type: i64) -> String {
    let mac = keys.key2.mac(data.as_bytes());
    serde_json::json!({
        "data": data,
        "mac": mac.as_str(),
        "type": callback_type,
    })
    .to_string()
}

/// The merchant's answer to a callback, sent as the JSON body of an HTTP 200 response:
/// `{"return_code":1,"return_message":"success"}`.
///
/// What the codes mean to ZaloPay (facts-update §A4: v2 doc text quoted in two independent
/// integrations, the v1 doc text, the official samples and the official WooCommerce plugin):
///
/// | code | constructor | meaning | confidence |
/// |---|---|---|---|
/// | `1` | [`success`](Self::success) | processed now; ZaloPay stops calling | \[C2] |
/// | `2` | [`already_processed`](Self::already_processed) | duplicate: this `app_trans_id` / `zp_trans_id` was already delivered earlier; ZaloPay stops calling | \[3P×2, v2 doc text] |
/// | `0` | [`retry_later`](Self::retry_later) | could not process now: ZaloPay calls again, at most 3 times | \[C2 samples + 3P doc text] |
/// | `-1` | [`reject`](Self::reject) | refused (bad MAC, undecodable): ZaloPay does not call again | \[C2 samples, C1 plugin] |
///
/// Any other code is a failure for which ZaloPay does not call again; v1 also had `3`
/// ("refund the money to the user's wallet"), deliberately not offered here (only a v1 copy
/// documents it). Whatever you reply, keep querying orders whose callback you could not
/// process: callbacks are retried only a few times. Always reply with HTTP 200 and one of
/// these bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackReply {
    /// The code (see the table above).
    pub return_code: i32,
    /// A short message for ZaloPay's logs.
    pub return_message: String,
}

impl CallbackReply {
    /// `1 success`: processed now; ZaloPay stops calling.
    pub fn success() -> Self {
        Self {
            return_code: 1,
            return_message: "success".to_owned(),
        }
    }

    /// `2`: a duplicate callback for an order you had already recorded (ZaloPay's "already
    /// delivered to the user"); ZaloPay stops calling.
    pub fn already_processed() -> Self {
        Self {
            return_code: 2,
            return_message: "already processed".to_owned(),
        }
    }

    /// `0`: not processed this time (database down, ...); ZaloPay calls again, at most three
    /// times. Keep polling the order regardless.
    pub fn retry_later(message: impl Into<String>) -> Self {
        Self {
            return_code: 0,
            return_message: message.into(),
        }
    }

    /// `-1`: refused (the MAC did not verify, the body is not a callback); ZaloPay does not
    /// call again.
    pub fn reject(message: impl Into<String>) -> Self {
        Self {
            return_code: -1,
            return_message: message.into(),
        }
    }

    /// The reply this library gives when [`verify_callback`] fails:
    ///
    /// * anything that could not be verified (size, envelope, MAC) → [`reject`](Self::reject):
    ///   it did not come from ZaloPay, or the keys are wrong, and retrying cannot help;
    /// * a body that could not be read, or verified but unusable (`type`, `data` shape, app
    ///   id) → [`retry_later`](Self::retry_later), like
    ///   the samples' answer to an exception: ZaloPay is genuinely calling, and a fixed
    ///   deployment may accept the retry.
    pub fn for_error(error: &CallbackError) -> Self {
        match error {
            CallbackError::TooLarge { .. }
            | CallbackError::NotJson(_)
            | CallbackError::MissingField(_)
            | CallbackError::WrongType { .. }
            | CallbackError::BadMac => Self::reject("mac not equal"),
            CallbackError::Unreadable(_)
            | CallbackError::WrongAppId { .. }
            | CallbackError::UnknownType(_)
            | CallbackError::BadData(_)
            | CallbackError::BadField { .. } => Self::retry_later(error.to_string()),
        }
    }

    /// The exact JSON body, e.g. `{"return_code":1,"return_message":"success"}`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"return_code\":");
        out.push_str(itoa::Buffer::new().format(self.return_code));
        out.push_str(",\"return_message\":");
        // Serialising a `str` to JSON cannot fail; the fallback keeps panics out anyway.
        out.push_str(
            &serde_json::to_string(&self.return_message).unwrap_or_else(|_| "\"\"".to_owned()),
        );
        out.push('}');
        out
    }
}

impl std::fmt::Display for CallbackReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}
