//! The values a client fills in itself: the request's `app_id` (from [`Config`]), its time
//! field (`app_time`, `req_date`, `timestamp`, `time`, `reqtime`, from the client's clock),
//! and what it encrypts for the wire (quick pay's payment code, with ZaloPay's public key).
//!
//! A request marks them with `#[zalopay(app_id)]` and `#[zalopay(time)]` on `Option` fields;
//! `None` means "the client's". The client fills them once, when it prepares the request, so
//! every retry of that send carries the same values and the same MAC. A request that names
//! an app id other than the client's is refused before anything is sent.
//!
//! [`Config`]: crate::Config

use crate::error::Error;

/// What the client fills in: its app id, the moment of sending, and what encrypts
/// `#[zalopay(encrypt = ...)]` fields.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct FillContext<'a> {
    /// The client's app id (`Config::app_id`).
    pub app_id: i64,
    /// "Now" in Unix milliseconds, from the client's clock.
    pub now_ms: i64,
    /// Encrypts client-encrypted fields (ZaloPay's RSA public key, `rsa` feature), if the
    /// client has one.
    pub encryptor: Option<&'a dyn Encryptor>,
}

impl<'a> FillContext<'a> {
    /// The client `app_id` sending at `now_ms`, with nothing to encrypt with.
    pub const fn new(app_id: i64, now_ms: i64) -> Self {
        Self {
            app_id,
            now_ms,
            encryptor: None,
        }
    }

    /// Adds what encrypts client-encrypted fields.
    #[must_use]
    pub fn with_encryptor(mut self, encryptor: &'a dyn Encryptor) -> Self {
        self.encryptor = Some(encryptor);
        self
    }
}

impl std::fmt::Debug for FillContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FillContext")
            .field("app_id", &self.app_id)
            .field("now_ms", &self.now_ms)
            .field("encryptor", &self.encryptor.is_some())
            .finish()
    }
}

/// Encrypts a value the wire carries encrypted: quick pay's `payment_code`, RSA-encrypted
/// with ZaloPay's public key and base64-encoded (`rsa::ZaloPayPublicKey` implements it).
pub trait Encryptor: Send + Sync {
    /// `plain`, encrypted and encoded as the wire carries it.
    fn encrypt(&self, field: &'static str, plain: &[u8]) -> Result<String, Error>;
}

/// A field the client encrypts from another one (`#[zalopay(encrypt = source)]`): the
/// `Option` of a type with no public constructor, so a caller cannot put a plain value in it
/// and the plain and encrypted values cannot be swapped.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a client-encrypted value",
    label = "`#[zalopay(encrypt = ...)]` needs an `Option` of an encrypted type such as `quickpay::EncryptedPaymentCode`"
)]
pub trait EncryptedSlot {
    /// The plain value's type (the source field's).
    type Plain: ?Sized;
    /// Encrypts `plain` into the slot when it is empty.
    fn encrypt_into(
        &mut self,
        field: &'static str,
        plain: &Self::Plain,
        encryptor: &dyn Encryptor,
    ) -> Result<(), Error>;
    /// Whether the slot is still empty.
    fn is_unset(&self) -> bool;
}

/// Encrypts `plain` into `slot` when unset (generated code calls this). Without an
/// encryptor the request cannot be sent: the error says how to give the client one.
#[doc(hidden)]
pub fn encrypt<T: EncryptedSlot + ?Sized>(
    field: &'static str,
    plain: &T::Plain,
    slot: &mut T,
    ctx: &FillContext<'_>,
) -> Result<(), Error> {
    if !slot.is_unset() {
        return Ok(());
    }
    let Some(encryptor) = ctx.encryptor else {
        return Err(Error::Config(format!(
            "`{field}` is sent RSA-encrypted with ZaloPay's public key: enable the `rsa` feature and set `Config::with_zalopay_public_key`"
        )));
    };
    slot.encrypt_into(field, plain, encryptor)
}

/// Whether an encrypted slot is still empty (generated code calls this).
#[doc(hidden)]
pub fn is_unset<T: EncryptedSlot + ?Sized>(slot: &T) -> bool {
    slot.is_unset()
}

/// A field that holds the request's app id: `Option<i64>`, or `Option<String>` where the
/// operation sends it as text (ZOD's `appId`, the bank list's `appid`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a client-filled app id",
    label = "`#[zalopay(app_id)]` needs an `Option<i64>` or `Option<String>` field"
)]
pub trait AppIdSlot {
    /// Whether the field names `app_id` (when set).
    fn names(&self, app_id: i64) -> Option<bool>;
    /// Sets the field to `app_id` when unset.
    fn fill(&mut self, app_id: i64);
}

impl AppIdSlot for Option<i64> {
    fn names(&self, app_id: i64) -> Option<bool> {
        self.map(|own| own == app_id)
    }
    fn fill(&mut self, app_id: i64) {
        self.get_or_insert(app_id);
    }
}

impl AppIdSlot for Option<String> {
    fn names(&self, app_id: i64) -> Option<bool> {
        self.as_deref().map(|own| own == app_id.to_string())
    }
    fn fill(&mut self, app_id: i64) {
        self.get_or_insert_with(|| app_id.to_string());
    }
}

/// A field that holds the request's time, Unix milliseconds: `Option<i64>`, or
/// `Option<String>` for a decimal string (the bank list's `reqtime`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a client-filled time",
    label = "`#[zalopay(time)]` needs an `Option<i64>` or `Option<String>` field"
)]
pub trait TimeSlot {
    /// Sets the field to `now_ms` when unset.
    fn fill(&mut self, now_ms: i64);
}

impl TimeSlot for Option<i64> {
    fn fill(&mut self, now_ms: i64) {
        self.get_or_insert(now_ms);
    }
}

impl TimeSlot for Option<String> {
    fn fill(&mut self, now_ms: i64) {
        self.get_or_insert_with(|| now_ms.to_string());
    }
}

/// Refuses a request whose app id is not the client's (generated code calls this).
#[doc(hidden)]
pub fn check_app_id<T: AppIdSlot + ?Sized>(
    field: &'static str,
    value: &T,
    ctx: &FillContext<'_>,
) -> Result<(), Error> {
    match value.names(ctx.app_id) {
        Some(false) => Err(Error::InvalidField {
            field,
            reason: format!(
                "the request is for another app than this client's app {}; leave it unset to send the client's",
                ctx.app_id
            ),
        }),
        _ => Ok(()),
    }
}

/// Fills an unset app id (generated code calls this).
#[doc(hidden)]
pub fn app_id<T: AppIdSlot + ?Sized>(value: &mut T, ctx: &FillContext<'_>) {
    value.fill(ctx.app_id);
}

/// Fills an unset time (generated code calls this).
#[doc(hidden)]
pub fn time<T: TimeSlot + ?Sized>(value: &mut T, ctx: &FillContext<'_>) {
    value.fill(ctx.now_ms);
}
