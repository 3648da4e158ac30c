//! Typed ids and tokens of requests: the merchant ids ZaloPay checks (`app_trans_id`,
//! `m_refund_id`, disbursement's `partner_order_id`) and the opaque values ZaloPay hands out
//! (`zp_trans_token`, `pay_token`, `binding_id`).
//!
//! A request field of one of these types takes only that type, so an `m_refund_id` cannot go
//! where an `app_trans_id` belongs, nor a pay token where the order's token belongs. A bare
//! string never becomes an id silently: bring your own with `TryFrom` / `FromStr`, which check
//! the shape, or generate one. On the wire and in the MAC each is exactly its text.
//!
//! Both must start with *today's* `yyMMdd` in Vietnam time (GMT+7) when new and are unique per
//! app; they are also the idempotency keys of create order (`-68` on reuse) and refund (`-23`).
//! "Dated today" is a send-time check of *new* ids: a re-send of a request whose answer was
//! lost ([`CallOptions::resend`](crate::CallOptions::resend)) keeps its ids on any day, and
//! after a lost refund answer the sure path is to query the same `m_refund_id`, which works on
//! any day.
//!
//! * `app_trans_id` = `yyMMdd_<unique>`, at most 40 characters \[C2].
//! * `m_refund_id` = `yyMMdd_<app_id>_<unique>`, at most 45 characters (pattern \[C2], length
//!   \[3P]).
//!
//! The unique part comes from an [`IdSource`]; the default one needs no extra dependency.
//! Characters are limited to ASCII letters, digits, `_`, `-` and `.`: ZaloPay documents no
//! character set, every example uses digits and `_`, and these survive form and URL encoding
//! unchanged (this restriction is this library's choice).
//!
//! * `partner_order_id`: "unique in the partner system", nothing more is documented; this
//!   library accepts at most 50 characters of the set above and generates `yyMMdd_<unique>`
//!   (specs/decisions.md).
//! * `zp_trans_token`, `pay_token`, `binding_id`: opaque text from ZaloPay, not empty, at most
//!   [`TOKEN_MAX_LEN`] visible ASCII characters. A [`PayToken`] charges the buyer's wallet:
//!   its `Debug` shows only its length and it has no `Display`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::clock::{Clock, OutOfRange, vietnam_yymmdd};

/// Maximum length of an `app_trans_id`.
pub const APP_TRANS_ID_MAX_LEN: usize = 40;
/// Maximum length of an `m_refund_id`.
pub const M_REFUND_ID_MAX_LEN: usize = 45;
/// Maximum length of a `partner_order_id` (undocumented by ZaloPay; this library's limit).
pub const PARTNER_ORDER_ID_MAX_LEN: usize = 50;
/// Maximum length of a `zp_trans_token`, `pay_token` or `binding_id` (undocumented by
/// ZaloPay; this library's limit, far above every value seen).
pub const TOKEN_MAX_LEN: usize = 512;

/// Why an id is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id (or the unique part) is empty.
    #[error("the id is empty")]
    Empty,
    /// The id is longer than ZaloPay accepts.
    #[error("the id is {len} characters long; at most {max} are accepted")]
    TooLong {
        /// The maximum length.
        max: usize,
        /// The actual length.
        len: usize,
    },
    /// The id contains a character outside ASCII letters, digits, `_`, `-`, `.`.
    #[error(
        "the id contains {found:?} at byte {at}; only ASCII letters, digits, `_`, `-`, `.` are allowed"
    )]
    BadCharacters {
        /// The first offending character.
        found: char,
        /// Its byte offset.
        at: usize,
    },
    /// The id does not start with today's Vietnam date and `_`.
    #[error("the id must start with `{expected}` (today in GMT+7), found `{got}`")]
    WrongDatePrefix {
        /// The expected prefix, e.g. `240102_`.
        expected: String,
        /// What the id starts with instead (at most as long as `expected`).
        got: String,
    },
    /// The `m_refund_id` does not carry the app id after the date (`yyMMdd_<app_id>_…`).
    #[error("the m_refund_id must continue with `{expected}` after the date, found `{got}`")]
    WrongAppId {
        /// The expected part, e.g. `2553_`.
        expected: String,
        /// What follows the date instead.
        got: String,
    },
    /// A token contains a space, a control character or non-ASCII text (the character is not
    /// shown: tokens can be credentials).
    #[error("the token contains a character other than visible ASCII at byte {at}")]
    NotVisibleAscii {
        /// Its byte offset.
        at: usize,
    },
    /// The clock reading cannot be turned into a date.
    #[error(transparent)]
    Clock(#[from] OutOfRange),
}

/// Produces the unique part of generated ids.
///
/// Closures `Fn() -> String` implement it, so a test can pass `|| "0001".to_owned()`.
pub trait IdSource: Send + Sync {
    /// A string that has not been returned before (within the same app and day at least).
    fn unique(&self) -> String;
}

impl<F: Fn() -> String + Send + Sync> IdSource for F {
    fn unique(&self) -> String {
        self()
    }
}

/// The default [`IdSource`]: 20 decimal digits from a keyed hash (SipHash, keyed randomly
/// per process by the standard library) of a process-wide counter and the current time.
///
/// Unique within a process by construction (distinct counter values give distinct inputs,
/// and a 64-bit collision is negligible); across processes and restarts the random key makes
/// collisions as unlikely as for a random 64-bit number. It is not a secret and must not be
/// used as one.
#[derive(Debug, Clone, Default)]
pub struct RandomIdSource {
    hasher: RandomState,
}

impl RandomIdSource {
    /// A source with a fresh random key.
    pub fn new() -> Self {
        Self::default()
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl IdSource for RandomIdSource {
    fn unique(&self) -> String {
        let mut hasher = self.hasher.build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        hasher.write_u128(nanos);
        format!("{:020}", hasher.finish())
    }
}

/// An [`IdSource`] counting up from a start value, zero-padded to `width` digits
/// (deterministic: for tests and examples).
#[derive(Debug)]
pub struct CounterIdSource {
    next: AtomicU64,
    width: usize,
}

impl CounterIdSource {
    /// Counts `start`, `start + 1`, … padded to `width` digits.
    pub fn new(start: u64, width: usize) -> Self {
        Self {
            next: AtomicU64::new(start),
            width,
        }
    }
}

impl IdSource for CounterIdSource {
    fn unique(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{n:0width$}", width = self.width)
    }
}

fn check_chars(id: &str) -> Result<(), IdError> {
    match id
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        Some((at, found)) => Err(IdError::BadCharacters { found, at }),
        None => Ok(()),
    }
}

fn check_len(id: &str, max: usize) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    let len = id.chars().count();
    if len > max {
        return Err(IdError::TooLong { max, len });
    }
    Ok(())
}

fn check_prefix(id: &str, now_ms: i64) -> Result<usize, IdError> {
    let expected = format!("{}_", vietnam_yymmdd(now_ms)?);
    if id.starts_with(&expected) {
        Ok(expected.len())
    } else {
        let got = id.chars().take(expected.len()).collect();
        Err(IdError::WrongDatePrefix { expected, got })
    }
}

/// Whether `id` starts with six digits and `_`.
fn has_date_shape(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() > 7 && bytes[..6].iter().all(u8::is_ascii_digit) && bytes[6] == b'_'
}

/// Checks a merchant-supplied `app_trans_id` for a *new* order created at `now_ms`: not
/// empty, at most 40 characters, allowed characters only, and starting with the Vietnam date
/// of `now_ms` and `_`.
///
/// Around midnight (17:00 UTC) an id made a moment earlier fails this check; ZaloPay would
/// refuse it too, so make a new one.
pub fn validate_app_trans_id(id: &str, now_ms: i64) -> Result<(), IdError> {
    check_len(id, APP_TRANS_ID_MAX_LEN)?;
    check_chars(id)?;
    let prefix = check_prefix(id, now_ms)?;
    if id.len() == prefix {
        return Err(IdError::Empty);
    }
    Ok(())
}

/// Checks a merchant-supplied `m_refund_id` for a refund made at `now_ms`:
/// `yyMMdd_<app_id>_<unique>` with today's Vietnam date, at most 45 characters, allowed
/// characters only.
pub fn validate_m_refund_id(id: &str, app_id: i64, now_ms: i64) -> Result<(), IdError> {
    check_len(id, M_REFUND_ID_MAX_LEN)?;
    check_chars(id)?;
    let prefix = check_prefix(id, now_ms)?;
    let rest = &id[prefix..];
    let expected = format!("{app_id}_");
    if !rest.starts_with(&expected) {
        let got = rest.chars().take(expected.len()).collect();
        return Err(IdError::WrongAppId { expected, got });
    }
    if rest.len() == expected.len() {
        return Err(IdError::Empty);
    }
    Ok(())
}

/// Checks the `m_refund_id` of a refund sent before (a re-send): the shape of an existing id
/// (any date) and `app_id` after the date. Whether it is a duplicate is ZaloPay's to say.
pub fn validate_existing_m_refund_id(id: &str, app_id: i64) -> Result<(), IdError> {
    let id = MRefundId::existing(id)?;
    let expected = app_id.to_string();
    if id.app_id_part() != expected {
        return Err(IdError::WrongAppId {
            expected: format!("{expected}_"),
            got: format!("{}_", id.app_id_part()),
        });
    }
    Ok(())
}

/// An `app_trans_id`: `yyMMdd_<unique>`, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppTransId(String);

impl AppTransId {
    /// A new id for an order created now: today's Vietnam date per `clock`, `_`, then
    /// `source.unique()`.
    pub fn generate(clock: &dyn Clock, source: &dyn IdSource) -> Result<Self, IdError> {
        Self::with_unique(clock.now_ms(), &source.unique())
    }

    /// A new id with the default clock and id source.
    pub fn random() -> Result<Self, IdError> {
        Self::generate(&crate::clock::SystemClock, &RandomIdSource::new())
    }

    /// `yyMMdd_<unique>` for the instant `now_ms`, checked like
    /// [`validate_app_trans_id`].
    pub fn with_unique(now_ms: i64, unique: &str) -> Result<Self, IdError> {
        if unique.is_empty() {
            return Err(IdError::Empty);
        }
        let id = format!("{}_{unique}", vietnam_yymmdd(now_ms)?);
        validate_app_trans_id(&id, now_ms)?;
        Ok(Self(id))
    }

    /// A merchant-supplied id for a new order created at `now_ms` (see
    /// [`validate_app_trans_id`]).
    pub fn new_checked(id: impl Into<String>, now_ms: i64) -> Result<Self, IdError> {
        let id = id.into();
        validate_app_trans_id(&id, now_ms)?;
        Ok(Self(id))
    }

    /// An id of an existing order (from storage, a callback, a redirect): checks the shape
    /// only (six digits, `_`, length, characters), not that the date is today.
    pub fn existing(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        check_len(&id, APP_TRANS_ID_MAX_LEN)?;
        check_chars(&id)?;
        if !has_date_shape(&id) {
            let got = id.chars().take(7).collect();
            return Err(IdError::WrongDatePrefix {
                expected: "yyMMdd_".to_owned(),
                got,
            });
        }
        Ok(Self(id))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `yyMMdd` part.
    pub fn date_part(&self) -> &str {
        self.0.get(..6).unwrap_or_default()
    }

    /// The id text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An `m_refund_id`: `yyMMdd_<app_id>_<unique>`, at most 45 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MRefundId(String);

impl MRefundId {
    /// A new id for a refund made now by `app_id`.
    pub fn generate(
        clock: &dyn Clock,
        app_id: i64,
        source: &dyn IdSource,
    ) -> Result<Self, IdError> {
        Self::with_unique(clock.now_ms(), app_id, &source.unique())
    }

    /// A new id with the default clock and id source.
    pub fn random(app_id: i64) -> Result<Self, IdError> {
        Self::generate(&crate::clock::SystemClock, app_id, &RandomIdSource::new())
    }

    /// `yyMMdd_<app_id>_<unique>` for the instant `now_ms`, checked like
    /// [`validate_m_refund_id`].
    pub fn with_unique(now_ms: i64, app_id: i64, unique: &str) -> Result<Self, IdError> {
        if unique.is_empty() {
            return Err(IdError::Empty);
        }
        let id = format!("{}_{app_id}_{unique}", vietnam_yymmdd(now_ms)?);
        validate_m_refund_id(&id, app_id, now_ms)?;
        Ok(Self(id))
    }

    /// A merchant-supplied id for a refund made at `now_ms` (see [`validate_m_refund_id`]).
    pub fn new_checked(id: impl Into<String>, app_id: i64, now_ms: i64) -> Result<Self, IdError> {
        let id = id.into();
        validate_m_refund_id(&id, app_id, now_ms)?;
        Ok(Self(id))
    }

    /// An id of an existing refund (from storage, to query it): checks the shape only
    /// (`yyMMdd_<digits>_<unique>`, length, characters), not the date nor the app id.
    pub fn existing(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        check_len(&id, M_REFUND_ID_MAX_LEN)?;
        check_chars(&id)?;
        if !has_date_shape(&id) {
            let got = id.chars().take(7).collect();
            return Err(IdError::WrongDatePrefix {
                expected: "yyMMdd_".to_owned(),
                got,
            });
        }
        let rest = id.get(7..).unwrap_or_default();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = rest.get(digits..).unwrap_or_default();
        if digits == 0 || !after.starts_with('_') {
            let got = rest.chars().take(digits.saturating_add(1)).collect();
            return Err(IdError::WrongAppId {
                expected: "<app_id>_".to_owned(),
                got,
            });
        }
        if after.len() == 1 {
            return Err(IdError::Empty);
        }
        Ok(Self(id))
    }

    /// The app id part (between the date and the unique part).
    pub fn app_id_part(&self) -> &str {
        let rest = self.0.get(7..).unwrap_or_default();
        rest.split('_').next().unwrap_or_default()
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A disbursement `partner_order_id` (top-up, transfer fund and their queries): the
/// merchant's unique id of a payout, and its idempotency key (`-68` on reuse).
///
/// ZaloPay documents no format; this library accepts 1 to 50 characters of ASCII letters,
/// digits, `_`, `-`, `.` and generates `yyMMdd_<unique>` with the Vietnam date, like
/// [`AppTransId`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartnerOrderId(String);

impl PartnerOrderId {
    /// A new id: today's Vietnam date per `clock`, `_`, then `source.unique()`.
    pub fn generate(clock: &dyn Clock, source: &dyn IdSource) -> Result<Self, IdError> {
        Self::with_unique(clock.now_ms(), &source.unique())
    }

    /// A new id with the default clock and id source.
    pub fn random() -> Result<Self, IdError> {
        Self::generate(&crate::clock::SystemClock, &RandomIdSource::new())
    }

    /// `yyMMdd_<unique>` for the instant `now_ms`.
    pub fn with_unique(now_ms: i64, unique: &str) -> Result<Self, IdError> {
        if unique.is_empty() {
            return Err(IdError::Empty);
        }
        Self::existing(format!("{}_{unique}", vietnam_yymmdd(now_ms)?))
    }

    /// A merchant-supplied id (new or existing): 1 to 50 allowed characters, any format.
    pub fn existing(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        check_len(&id, PARTNER_ORDER_ID_MAX_LEN)?;
        check_chars(&id)?;
        Ok(Self(id))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn check_token(token: &str) -> Result<(), IdError> {
    check_len(token, TOKEN_MAX_LEN)?;
    match token.bytes().position(|b| !b.is_ascii_graphic()) {
        Some(at) => Err(IdError::NotVisibleAscii { at }),
        None => Ok(()),
    }
}

/// An order's `zp_trans_token` from [`CreateOrderResponse`](crate::order::CreateOrderResponse),
/// what [`AgreementPay`](crate::agreement::AgreementPay) pays.
///
/// Opaque: not empty, at most [`TOKEN_MAX_LEN`] visible ASCII characters. `Debug` shows the
/// first four characters only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ZpTransToken(String);

/// A binding's `pay_token` (from the agreement query or callback): a bearer credential that
/// charges the buyer's wallet. Store it like a password.
///
/// Opaque: not empty, at most [`TOKEN_MAX_LEN`] visible ASCII characters. `Debug` shows only
/// its length; there is no `Display` (use [`as_str`](Self::as_str) where the text is needed).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PayToken(String);

/// ZaloPay's `binding_id` of a wallet binding (from the agreement query), what
/// [`AgreementUnbind`](crate::agreement::AgreementUnbind) ends.
///
/// Opaque: not empty, at most [`TOKEN_MAX_LEN`] visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(String);

macro_rules! token_type {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// Checks `token` (not empty, at most [`TOKEN_MAX_LEN`] visible ASCII characters).
            pub fn new(token: impl Into<String>) -> Result<Self, IdError> {
                let token = token.into();
                check_token(&token)?;
                Ok(Self(token))
            }

            /// The text, as sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

    )*};
}
token_type!(ZpTransToken, PayToken, BindingId);

impl std::fmt::Debug for ZpTransToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.0.get(..4).unwrap_or_default();
        write!(f, "ZpTransToken({shown:?}…)")
    }
}

impl std::fmt::Debug for PayToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PayToken(<redacted, {} chars>)", self.0.len())
    }
}

/// `TryFrom` text and `FromStr`, each through the type's checking constructor `$check`
/// (`existing` for ids, `new` for tokens): text never becomes an id unchecked.
macro_rules! checked_conversions {
    ($check:ident => $($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = IdError;

            fn try_from(text: String) -> Result<Self, IdError> {
                Self::$check(text)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = IdError;

            fn try_from(text: &str) -> Result<Self, IdError> {
                Self::$check(text)
            }
        }

        impl TryFrom<&String> for $ty {
            type Error = IdError;

            fn try_from(text: &String) -> Result<Self, IdError> {
                Self::$check(text.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = IdError;

            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::$check(text)
            }
        }
    )*};
}
checked_conversions!(existing => AppTransId, MRefundId, PartnerOrderId);
checked_conversions!(new => ZpTransToken, PayToken, BindingId);

macro_rules! id_display {
    ($($ty:ident),*) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
id_display!(
    AppTransId,
    MRefundId,
    PartnerOrderId,
    ZpTransToken,
    BindingId
);

macro_rules! string_newtype {
    ($($ty:ty),*) => {$(
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }

        /// A copy, so that a setter can take `&id` and the caller keeps the id.
        impl From<&$ty> for $ty {
            fn from(id: &$ty) -> $ty {
                id.clone()
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl crate::sign::MacValue for $ty {
            fn write_mac(&self, out: &mut String) {
                out.push_str(&self.0);
            }
        }

        /// Opaque text: a JSON string even when it looks like a number.
        impl crate::param_kind::WireKind for $ty {
            const KIND: crate::param_kind::ParamKind = crate::param_kind::ParamKind::Text;
        }
    )*};
}
string_newtype!(
    AppTransId,
    MRefundId,
    PartnerOrderId,
    ZpTransToken,
    PayToken,
    BindingId
);
