//! `POST /v2/quick_pay`: charge a buyer by the payment code the merchant scanned from their
//! ZaloPay app.

use serde::{Deserialize, Serialize};

use crate::codes::CodeClass;
use crate::ids::AppTransId;
use crate::{JsonString, ResultCodes, ZaloPayRequest};

/// Charges the buyer whose payment code was scanned.
///
/// MAC (key1): `app_id|app_trans_id|app_user|amount|app_time|embed_data|item|payment_code_raw`
/// — the **raw** scanned code is signed (never sent). The wire carries it RSA-encrypted with
/// ZaloPay's public key as `payment_code`, which the client computes itself when it prepares
/// the request (`rsa` feature, [`Config::with_zalopay_public_key`](crate::Config::with_zalopay_public_key)):
/// a caller gives the raw code only, so raw and encrypted cannot be swapped.
///
/// ```
/// use zalopay_api::ids::AppTransId;
/// use zalopay_api::quickpay::{PaymentCode, QuickPay};
///
/// let charge = QuickPay::builder()
///     .app_trans_id(AppTransId::try_from("240913_till7-000123")?)
///     .app_user("till-7")
///     .amount(25_000)
///     .payment_code_raw(PaymentCode::new("012345678901234567")?)
///     .description("Coffee")
///     .build();
/// assert_eq!(format!("{:?}", charge.payment_code_raw), "PaymentCode([REDACTED])");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "quickpay.create", confidence = "C1", method = POST, host = openapi, path = "/v2/quick_pay", encoding = form, response = QuickPayResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item, payment_code_raw])]
pub struct QuickPay {
    /// The app id issued by ZaloPay.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    /// Who pays (≤ 50 chars).
    #[check(non_empty, max_len = 50)]
    pub app_user: String,
    /// The merchant's order id: `yyMMdd_` in Vietnam time, then unique text (≤ 40 chars).
    #[check(app_trans_id)]
    pub app_trans_id: AppTransId,
    /// When the order was created, Unix milliseconds.
    #[check(recent_ms)]
    #[zalopay(time)]
    pub app_time: Option<i64>,
    /// Amount in VND.
    #[check(positive)]
    pub amount: i64,
    /// Merchant data as a JSON object (`{}` when empty).
    #[check(max_len = 2048)]
    #[zalopay(default = JsonString::empty_object())]
    pub embed_data: JsonString,
    /// The order's items as a JSON array (`[]` when empty; ≤ 1024 chars for quick pay,
    /// api-facts §13).
    #[check(max_len = 1024)]
    #[zalopay(default = JsonString::empty_array())]
    pub item: JsonString,
    /// The payment code as scanned: signed, never sent.
    #[wire(skip)]
    #[check(non_empty)]
    pub payment_code_raw: PaymentCode,
    /// The payment code encrypted for the wire: filled by the client from
    /// `payment_code_raw` with ZaloPay's public key; there is no setter.
    #[zalopay(encrypt = payment_code_raw)]
    pub payment_code: Option<EncryptedPaymentCode>,
    /// Order description (≤ 100 chars).
    #[check(max_len = 100)]
    pub description: Option<String>,
    /// Overrides the registered callback URL for this order.
    pub callback_url: Option<String>,
    /// Where to send the buyer afterwards.
    pub redirect_url: Option<String>,
    /// Device information (≤ 256 chars).
    #[check(max_len = 256)]
    pub device_info: Option<String>,
    /// Currency (default VND).
    pub currency: Option<String>,
    /// Order title (≤ 256 chars).
    #[check(max_len = 256)]
    pub title: Option<String>,
    /// The buyer's IP address.
    #[wire(rename = "userIP")]
    pub user_ip: Option<String>,
}

/// Longest raw payment code accepted: what PKCS#1 v1.5 can encrypt under the smallest RSA
/// key ZaloPay has handed out (512 bits: 64 - 11 bytes). Scanned codes are far shorter.
pub const PAYMENT_CODE_MAX_LEN: usize = 53;

/// The payment code as scanned from the buyer's ZaloPay app: a one-time bearer credential.
///
/// `Debug` prints `PaymentCode([REDACTED])`; the text is wiped on drop. It is signed as the
/// last MAC segment of [`QuickPay`] and never sent: the wire carries it encrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentCode(zeroize::Zeroizing<String>);

/// Why a payment code is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentCodeError {
    /// Nothing was scanned.
    #[error("the payment code is empty")]
    Empty,
    /// Longer than can be encrypted ([`PAYMENT_CODE_MAX_LEN`]).
    #[error("the payment code is {len} bytes long; at most {max} are accepted")]
    TooLong {
        /// The maximum length.
        max: usize,
        /// The actual length.
        len: usize,
    },
    /// Not printable ASCII (a scan error, or a value that is not a payment code).
    #[error("the payment code contains a byte outside printable ASCII at offset {at}")]
    BadCharacters {
        /// Byte offset of the first offending byte.
        at: usize,
    },
}

impl PaymentCode {
    /// The scanned code, trimmed of surrounding whitespace (scanners append a newline).
    pub fn new(scanned: impl Into<String>) -> Result<Self, PaymentCodeError> {
        let scanned = zeroize::Zeroizing::new(scanned.into());
        let code = scanned.trim();
        if code.is_empty() {
            return Err(PaymentCodeError::Empty);
        }
        if code.len() > PAYMENT_CODE_MAX_LEN {
            return Err(PaymentCodeError::TooLong {
                max: PAYMENT_CODE_MAX_LEN,
                len: code.len(),
            });
        }
        if let Some(at) = code.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(PaymentCodeError::BadCharacters { at });
        }
        Ok(Self(zeroize::Zeroizing::new(code.to_owned())))
    }

    /// The code as scanned. Handle with care: it pays.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PaymentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PaymentCode([REDACTED])")
    }
}

impl std::str::FromStr for PaymentCode {
    type Err = PaymentCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl crate::sign::MacValue for PaymentCode {
    fn write_mac(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

impl crate::validation::CheckText for PaymentCode {
    fn text(&self) -> Option<&str> {
        Some(&self.0)
    }
}

/// Quick pay's `payment_code` as sent: the raw code RSA-encrypted with ZaloPay's public key,
/// base64. Only the client makes one (when it prepares a [`QuickPay`]); a retry re-sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedPaymentCode(String);

impl EncryptedPaymentCode {
    /// The base64 text sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for EncryptedPaymentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptedPaymentCode({} chars)", self.0.len())
    }
}

/// Base64 text in a JSON body.
impl crate::endpoint::WireKind for EncryptedPaymentCode {
    const KIND: crate::endpoint::ParamKind = crate::endpoint::ParamKind::Text;
}

/// Never sent (it is `#[wire(skip)]`), but text wherever it is listed.
impl crate::endpoint::WireKind for PaymentCode {
    const KIND: crate::endpoint::ParamKind = crate::endpoint::ParamKind::Text;
}

impl Serialize for EncryptedPaymentCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl crate::fill::EncryptedSlot for Option<EncryptedPaymentCode> {
    type Plain = PaymentCode;

    fn encrypt_into(
        &mut self,
        field: &'static str,
        plain: &PaymentCode,
        encryptor: &dyn crate::fill::Encryptor,
    ) -> Result<(), crate::Error> {
        let text = encryptor.encrypt(field, plain.expose().as_bytes())?;
        *self = Some(EncryptedPaymentCode(text));
        Ok(())
    }

    fn is_unset(&self) -> bool {
        self.is_none()
    }
}

/// The answer to [`QuickPay`]. Read it with [`QuickPayResponse::status`]: `return_code 1`
/// while `is_processing` is not paid yet, and a `2` while `is_processing` is not a refusal;
/// in both cases poll [`crate::order::QueryOrder`] with the same `app_trans_id`. Field names of
/// the v2 response are not confirmed (api-facts §13).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct QuickPayResponse {
    /// Result codes (-322 payment code expired or already used, -329 user cancelled).
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// Whether the payment is still in progress.
    #[serde(default)]
    pub is_processing: bool,
    /// ZaloPay's transaction id, once paid.
    #[serde(default)]
    pub zp_trans_id: Option<i64>,
}

/// Where a quick payment stands, as its own answer tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuickPayStatus {
    /// Paid (`return_code 1`, not processing). The order query has the amount.
    Paid {
        /// ZaloPay's transaction id, when the answer carried it.
        zp_trans_id: Option<i64>,
    },
    /// Not final: `is_processing` (with `return_code` 1 or 2), `return_code 3`, or a pending
    /// sub code. Poll [`crate::order::QueryOrder`] with the same `app_trans_id`; never charge
    /// the code again.
    Processing,
    /// The payment code expired or was already used (`-322`): ask the buyer for a new code;
    /// a new charge needs a new `app_trans_id`. The client returns this as `Err`; only
    /// hand-built values get here.
    Expired {
        /// The gateway's code.
        sub_return_code: Option<i32>,
    },
    /// The payment was refused for good (user cancelled, balance, bank). The client returns
    /// this as `Err`; only hand-built values get here.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// Codes that describe no payment state (maintenance, request-level, unrecognised): not
    /// final. Query the order with the same `app_trans_id` before charging again.
    Unknown {
        /// `return_code` as received.
        return_code: i32,
        /// `sub_return_code` as received.
        sub_return_code: Option<i32>,
    },
}

impl QuickPayStatus {
    /// Whether this is the gateway's last word on the payment (paid, expired or failed).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Paid { .. } | Self::Expired { .. } | Self::Failed { .. }
        )
    }
}

impl QuickPayResponse {
    /// The payment's status, derived from the answer's class in the code table;
    /// `is_processing` keeps any answer that is not a refusal open.
    pub fn status(&self) -> QuickPayStatus {
        let codes = &self.codes;
        let class = codes.class();
        if self.is_processing && !class.is_refusal() && matches!(codes.return_code, 1..=3) {
            return QuickPayStatus::Processing;
        }
        let sub_return_code = codes.sub_return_code;
        match class {
            CodeClass::Success => QuickPayStatus::Paid {
                zp_trans_id: self.zp_trans_id,
            },
            CodeClass::Processing => QuickPayStatus::Processing,
            CodeClass::Expired => QuickPayStatus::Expired { sub_return_code },
            CodeClass::BusinessFailure => QuickPayStatus::Failed { sub_return_code },
            _ => QuickPayStatus::Unknown {
                return_code: codes.return_code,
                sub_return_code,
            },
        }
    }
}

/// A `return_code 2` while `is_processing` is the payment in progress, not a refusal;
/// otherwise the default rule (1 and 3 are results, anything else is a rejection).
impl crate::response::GatewayResponse for QuickPayResponse {
    fn rejection(&self) -> Option<crate::response::GatewayError> {
        if self.is_processing && self.codes.return_code == 2 && !self.codes.class().is_refusal() {
            return None;
        }
        self.codes.rejection()
    }
}
