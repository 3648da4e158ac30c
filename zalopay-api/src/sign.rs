//! Signing: keys, the values a MAC input is made of, HMAC-SHA256 and constant-time verification.
//!
//! ZaloPay signs `HMAC-SHA256(key, f1|f2|…|fn)` rendered as lowercase hex. The field order is
//! owned by each request's `#[mac(...)]` annotation (see [`crate::SignedRequest`]); this module
//! owns everything else.

use hmac::{Hmac, KeyInit, Mac as _};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Which of the merchant's two keys a MAC is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `key1`, the "mac key": signs every merchant → ZaloPay request.
    Key1,
    /// `key2`, the "callback key": verifies callbacks and redirect checksums.
    Key2,
}

impl KeyKind {
    /// The name used in ZaloPay's docs and in `specs/` (`key1` / `key2`).
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyKind::Key1 => "key1",
            KeyKind::Key2 => "key2",
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is the empty string (usually an unset environment variable).
    #[error("{0} is empty")]
    Empty(KeyKind),
}

/// One secret key.
///
/// `Debug` prints `[REDACTED]`. The key text is zeroized on drop (via `secrecy`), and so is the
/// HMAC state prepared from it: the SHA-256 states after absorbing `key ⊕ ipad` and
/// `key ⊕ opad` are computed once, when the key is wrapped, and each MAC starts from a copy
/// of them. That state is key-equivalent material; `hmac` 0.13 / `sha2` 0.11 with their
/// `zeroize` feature wipe it (and every per-call copy) when it is dropped. Figures:
/// `BENCHMARKS.md`, row 1.
#[derive(Clone)]
pub struct SecretKey {
    kind: KeyKind,
    text: SecretString,
    prepared: HmacSha256,
}

// The cached state wipes itself only if these types do; a dependency update that dropped the
// `zeroize` feature would fail here instead of silently leaving key material behind.
const _: () = {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    let _ = wiped_on_drop::<<Sha256 as hmac::EagerHash>::Core>;
    let _ = wiped_on_drop::<hmac::digest::block_api::Buffer<hmac::block_api::HmacCore<Sha256>>>;
};

impl SecretKey {
    /// Wraps a key and prepares its HMAC state; fails if it is empty.
    pub fn new(kind: KeyKind, key: impl Into<String>) -> Result<Self, KeyError> {
        let text: String = key.into();
        if text.is_empty() {
            return Err(KeyError::Empty(kind));
        }
        let prepared = hmac_state(text.as_bytes());
        Ok(Self {
            kind,
            text: SecretString::from(text),
            prepared,
        })
    }

    /// Which key this is.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The key text itself. Needed only where ZaloPay puts the key into the MAC input
    /// (order query / cancel: `app_id|app_trans_id|key1`).
    pub fn expose(&self) -> &str {
        self.text.expose_secret()
    }

    /// HMAC-SHA256 of `input` with this key, as lowercase hex (no heap allocation).
    pub fn mac(&self, input: &[u8]) -> MacHex {
        MacHex::from_digest(&self.digest(input))
    }

    /// Checks `mac_hex` against HMAC-SHA256(`input`) in constant time.
    ///
    /// Accepts upper- or lowercase hex; anything that is not 64 hex digits is a mismatch.
    pub fn verify(&self, input: &[u8], mac_hex: &str) -> bool {
        let Some(expected) = decode_hex32(mac_hex) else {
            return false;
        };
        self.digest(input).as_slice().ct_eq(&expected).into()
    }

    fn digest(&self, input: &[u8]) -> [u8; 32] {
        // A copy of the prepared state; it is wiped when `finalize` consumes it.
        let mut state = self.prepared.clone();
        state.update(input);
        state.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}([REDACTED])", self.kind.as_str())
    }
}

/// The merchant's key pair as issued by ZaloPay.
#[derive(Clone, Debug)]
pub struct Keys {
    /// Signs requests.
    pub key1: SecretKey,
    /// Verifies callbacks and redirects.
    pub key2: SecretKey,
}

impl Keys {
    /// Wraps both keys; fails if either is empty.
    pub fn new(key1: impl Into<String>, key2: impl Into<String>) -> Result<Self, KeyError> {
        Ok(Self {
            key1: SecretKey::new(KeyKind::Key1, key1)?,
            key2: SecretKey::new(KeyKind::Key2, key2)?,
        })
    }

    /// The key of the given kind.
    pub fn get(&self, kind: KeyKind) -> &SecretKey {
        match kind {
            KeyKind::Key1 => &self.key1,
            KeyKind::Key2 => &self.key2,
        }
    }
}

fn hmac_state(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length (long keys are hashed), so this cannot fail; the
    // fallback only exists to keep panics out of library code.
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(state) => state,
        Err(_) => <HmacSha256 as KeyInit>::new(&Default::default()),
    }
}

fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// A MAC as 64 lowercase hex digits, stored inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacHex([u8; 64]);

impl MacHex {
    fn from_digest(digest: &[u8]) -> Self {
        let mut out = [0u8; 64];
        // The digest is always 32 bytes, so the buffer always fits.
        let _ = hex::encode_to_slice(digest, &mut out);
        Self(out)
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into the buffer.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Display for MacHex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for MacHex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MacHex({})", self.as_str())
    }
}

impl AsRef<str> for MacHex {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The separator between MAC input segments.
pub const SEPARATOR: char = '|';

/// A value that can stand as one segment of a MAC input.
///
/// Implemented for integers (plain decimal), strings, [`JsonString`] (the exact JSON text sent),
/// and `Option<T>` (`None` renders as the empty string, as the official SDK does).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rendered into a ZaloPay MAC input",
    label = "this field's type has no MAC rendering",
    note = "MAC segments must be integers, strings, `zalopay_api::JsonString`, or types implementing `zalopay_api::MacValue`"
)]
pub trait MacValue {
    /// Appends the value exactly as it is sent on the wire.
    fn write_mac(&self, out: &mut String);
}

macro_rules! mac_value_int {
    ($($t:ty),*) => {$(
        impl MacValue for $t {
            fn write_mac(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
mac_value_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl MacValue for str {
    fn write_mac(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl MacValue for String {
    fn write_mac(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: MacValue + ?Sized> MacValue for &T {
    fn write_mac(&self, out: &mut String) {
        (**self).write_mac(out);
    }
}

impl<T: MacValue> MacValue for Option<T> {
    fn write_mac(&self, out: &mut String) {
        if let Some(value) = self {
            value.write_mac(out);
        }
    }
}

/// A JSON value kept as the exact text that is sent and signed (`item`, `embed_data`, …).
///
/// ZaloPay signs these fields as strings; re-serialising between signing and sending is the
/// classic cause of MAC mismatches, so the text is produced once and reused for both.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct JsonString(String);

/// A JSON string in a JSON body (ZaloPay signs and reads it as text), not a nested value.
impl crate::param_kind::WireKind for JsonString {
    const KIND: crate::param_kind::ParamKind = crate::param_kind::ParamKind::Text;
}

impl JsonString {
    /// Serialises `value` once.
    pub fn new<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(Self)
    }

    /// Takes JSON text as it is, after checking that it parses (spacing is kept byte for byte).
    pub fn from_raw(text: impl Into<String>) -> Result<Self, serde_json::Error> {
        let text = text.into();
        serde_json::from_str::<serde::de::IgnoredAny>(&text)?;
        Ok(Self(text))
    }

    /// `{}`: the documented value of an empty `embed_data`.
    pub fn empty_object() -> Self {
        Self("{}".to_owned())
    }

    /// `[]`: the documented value of an empty `item`.
    pub fn empty_array() -> Self {
        Self("[]".to_owned())
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text into `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

impl Default for JsonString {
    fn default() -> Self {
        Self::empty_object()
    }
}

impl std::fmt::Debug for JsonString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonString({})", self.0)
    }
}

impl std::fmt::Display for JsonString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl MacValue for JsonString {
    fn write_mac(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

impl serde::Serialize for JsonString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for JsonString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_raw(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_v1_create_order_vector() {
        // api-facts §19.2 (2): docs QR-code example for app 553.
        let key = SecretKey::new(KeyKind::Key1, "9phuAOYhan4urywHTh0ndEXiV3pKHr5Q").unwrap();
        let mac = key.mac(b"553|200904_000234|user123|10000|1599202366026|{}|[]");
        assert_eq!(
            mac.as_str(),
            "7e95836a9feace32458f23416feea423172ef0a098f27a668a1e10788b5a6838"
        );
        assert!(key.verify(
            b"553|200904_000234|user123|10000|1599202366026|{}|[]",
            "7E95836A9FEACE32458F23416FEEA423172EF0A098F27A668A1E10788B5A6838"
        ));
        assert!(!key.verify(
            b"553|200904_000234|user123|10001|1599202366026|{}|[]",
            mac.as_str()
        ));
        assert!(!key.verify(b"x", "not hex"));
        assert!(!key.verify(b"x", ""));
    }

    #[test]
    fn keys_are_redacted_and_non_empty() {
        let keys = Keys::new(
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
        )
        .unwrap();
        let shown = format!("{keys:?}");
        assert!(!shown.contains("PcY4"), "{shown}");
        assert!(!shown.contains("kLtg"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert_eq!(
            Keys::new("", "x").unwrap_err(),
            KeyError::Empty(KeyKind::Key1)
        );
        assert_eq!(
            Keys::new("x", "").unwrap_err(),
            KeyError::Empty(KeyKind::Key2)
        );
    }

    #[test]
    fn json_string_keeps_exact_text() {
        let raw = r#"{ "redirecturl" :"https://x"}"#;
        let json = JsonString::from_raw(raw).unwrap();
        let mut out = String::new();
        json.write_mac(&mut out);
        assert_eq!(out, raw);
        assert!(JsonString::from_raw("{not json").is_err());
        assert_eq!(
            JsonString::new(&serde_json::json!({"a": 1}))
                .unwrap()
                .as_str(),
            r#"{"a":1}"#
        );
    }

    #[test]
    fn option_and_ints_render_plainly() {
        let mut out = String::new();
        None::<i64>.write_mac(&mut out);
        assert_eq!(out, "");
        Some(-5i64).write_mac(&mut out);
        u64::MAX.write_mac(&mut out);
        assert_eq!(out, "-518446744073709551615");
    }
}
