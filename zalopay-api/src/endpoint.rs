//! What `#[derive(ZaloPayRequest)]` implements: the MAC input of a request and where it is sent.

pub use crate::param_kind::{KindOf, ParamKind, Structured, WireKind};
use crate::sign::{KeyKind, Keys, MacHex, SEPARATOR};

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`, parameters in the query string (ZOD queries).
    Get,
    /// `POST`, parameters in the body.
    Post,
}

impl Method {
    /// `GET` / `POST`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// The host family an endpoint lives on; each has its own sandbox and production host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    /// `sb-openapi.zalopay.vn` / `openapi.zalopay.vn`: orders, refunds, agreement, disbursement.
    OpenApi,
    /// `sbgateway.zalopay.vn` / `gateway.zalopay.vn`: bank list and payment pages.
    Gateway,
    /// `sbapimep.zalopay.vn` / `apimep.zalopay.vn`: ZaloPay-on-Delivery.
    Zod,
}

impl Host {
    /// The name used in `specs/` (`openapi`, `gateway`, `zod`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Host::OpenApi => "openapi",
            Host::Gateway => "gateway",
            Host::Zod => "zod",
        }
    }
}

/// How the parameters are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` body.
    Form,
    /// `application/json` body.
    Json,
    /// URL query string, no body.
    Query,
}

impl Encoding {
    /// The name used in `specs/` (`form`, `json`, `query`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Encoding::Form => "form",
            Encoding::Json => "json",
            Encoding::Query => "query",
        }
    }
}

/// How the signature parameter is produced from the HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// Lowercase hex HMAC-SHA256 (every operation but one).
    Hmac,
    /// The hex HMAC, signed again with RSA-SHA256 (PKCS#1 v1.5) under the merchant's private
    /// key and base64-encoded (disbursement top-up `sig`).
    HmacThenRsaSha256,
}

/// One segment of a documented MAC input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacSegment {
    /// A request parameter, by its wire name; absent optional values render as `""`.
    Field(&'static str),
    /// A request parameter that is left out, with its separator, when absent
    /// (refund's `refund_fee_amount`).
    OmittedWhenAbsent(&'static str),
    /// A value that is signed but not sent under this name (quick pay's raw payment code).
    Unsent(&'static str),
    /// The signing key itself (order query / cancel end with `key1`).
    Key,
}

/// One request parameter as sent on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Param {
    /// Wire name.
    pub name: &'static str,
    /// `false` for `Option` fields, which are left out when `None`.
    pub required: bool,
    /// What the value is, as far as a JSON body tells (form bodies send everything as text).
    pub kind: ParamKind,
}

/// A request whose MAC input is defined by a `#[mac(...)]` annotation.
///
/// Implemented by `#[derive(ZaloPayRequest)]`; not meant to be implemented by hand.
pub trait SignedRequest {
    /// The key that signs.
    const KEY: KeyKind;
    /// The documented MAC order.
    const MAC_SEGMENTS: &'static [MacSegment];
    /// The parameters sent on the wire, in struct order (the signature parameter excluded).
    const PARAMS: &'static [Param];
    /// The name of the signature parameter on the wire (`mac`, or `sig` for top-up).
    const SIGNATURE_PARAM: &'static str;
    /// How the signature is produced from the HMAC.
    const SIGNATURE_SCHEME: SignatureScheme;
    /// The wire name of the client-filled app id (`#[zalopay(app_id)]`), if any.
    const APP_ID_PARAM: Option<&'static str> = None;
    /// The wire name of the client-filled time (`#[zalopay(time)]`), if any.
    const TIME_PARAM: Option<&'static str> = None;

    /// Appends the MAC input (`f1|f2|…`) to `out`. `key` is the signing key's text, used only
    /// by inputs that contain the key itself.
    fn write_mac_input(&self, key: &str, out: &mut String);

    /// Serialises the request's parameters followed by the signature parameter.
    fn serialize_signed<S: serde::Serializer>(
        &self,
        signature: &str,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;

    /// Checks the fields' documented constraints (`#[check(...)]`) at the moment `ctx`
    /// describes. The client calls this before signing and sending; the default (used by
    /// requests without checks) accepts everything.
    fn validate(&self, ctx: &crate::validation::ValidationContext) -> Result<(), crate::Error> {
        let _ = ctx;
        Ok(())
    }

    /// The request with its client-filled fields (`#[zalopay(app_id)]`, `#[zalopay(time)]`)
    /// set from `ctx` where the caller left them `None`: `Ok(None)` when nothing was missing
    /// (send `self` as it is). Fails before any I/O when the request names an app id other
    /// than the client's. The default (requests without such fields) changes nothing.
    fn fill(&self, ctx: &crate::fill::FillContext<'_>) -> Result<Option<Self>, crate::Error>
    where
        Self: Sized,
    {
        let _ = ctx;
        Ok(None)
    }

    /// The MAC input as a fresh string (for debugging and tests; signing reuses a buffer).
    ///
    /// For order query and cancel the input ends with key1 itself: treat the result as secret.
    fn mac_input(&self, keys: &Keys) -> String {
        let mut out = String::new();
        self.write_mac_input(keys.get(Self::KEY).expose(), &mut out);
        out
    }

    /// HMAC-SHA256 of the MAC input, using `buf` as scratch space (cleared first).
    fn mac_with_buffer(&self, keys: &Keys, buf: &mut String) -> MacHex {
        buf.clear();
        let key = keys.get(Self::KEY);
        self.write_mac_input(key.expose(), buf);
        key.mac(buf.as_bytes())
    }

    /// HMAC-SHA256 of the MAC input.
    fn mac(&self, keys: &Keys) -> MacHex {
        self.mac_with_buffer(keys, &mut String::new())
    }
}

/// What an operation's answer must be: JSON the client can decode, and a
/// [`GatewayResponse`](crate::GatewayResponse) that says whether it is a result or a refusal.
pub trait OperationResponse: serde::de::DeserializeOwned + crate::GatewayResponse {}

impl<T: serde::de::DeserializeOwned + crate::GatewayResponse> OperationResponse for T {}

/// Where and how a request is sent, and what comes back.
///
/// Implemented by `#[derive(ZaloPayRequest)]` from the `#[endpoint(...)]` annotation.
pub trait Endpoint: SignedRequest {
    /// The typed response.
    type Response: OperationResponse;
    /// HTTP method.
    const METHOD: Method;
    /// Host family.
    const HOST: Host;
    /// Path on the host, starting with `/`.
    const PATH: &'static str;
    /// Parameter encoding.
    const ENCODING: Encoding;
    /// Whether the client may send the request again after a transient failure.
    const RETRY: RetryClass = RetryClass::Never;
    /// The spec's operation id ([`Operation::ID`]) when the type is catalogued, `None` for an
    /// operation of your own: what the client's tracing names the call by, without a lookup.
    const OPERATION_ID: Option<&'static str> = None;
}

/// Whether repeating a request is safe, declared per operation with
/// `#[endpoint(..., retry = safe | same_id | never)]`.
///
/// What is retried, by class (and only up to [`RetryPolicy::max_attempts`](crate::RetryPolicy)):
///
/// | failure | `Safe` | `SameId` | `Never` |
/// |---|---|---|---|
/// | connection failed (nothing was sent) | yes | yes | yes |
/// | timeout, connection reset, other transport errors | yes | yes | no |
/// | HTTP 429 / 5xx | yes | yes | no |
/// | gateway `-429` / `-500` / `-999` and other transient codes | yes | yes | no |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// Never repeated once it may have been sent: refunds, payments, top-ups, binds, cancels.
    Never,
    /// Repeating changes nothing: queries.
    Safe,
    /// Repeating the *identical* signed request is deduplicated by its merchant id
    /// (create order's `app_trans_id`). If a retry is refused as a duplicate, an earlier
    /// attempt went through: the client returns [`Error::AlreadySubmitted`](crate::Error).
    SameId,
}

/// How sure this crate is of an operation's path and MAC together, after the api-facts
/// legend (`specs/README.md`). Anything below [`Confidence::C2`] should be tried in the
/// sandbox before relying on it; [`Confidence::Unconfirmed`] must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Confidence {
    /// `C2`: two independent official sources agree.
    C2,
    /// `C1`: one official source.
    C1,
    /// `3P`: third-party material only, for the path or the MAC.
    ThirdParty,
    /// `?`: unconfirmed or contradictory.
    Unconfirmed,
}

impl Confidence {
    /// The legend's label: `C2`, `C1`, `3P`, `?`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Confidence::C2 => "C2",
            Confidence::C1 => "C1",
            Confidence::ThirdParty => "3P",
            Confidence::Unconfirmed => "?",
        }
    }

    /// Whether the operation is documented by ZaloPay itself (`C2` or `C1`).
    pub const fn is_official(self) -> bool {
        matches!(self, Confidence::C2 | Confidence::C1)
    }
}

/// A catalogued operation: its spec id and confidence, declared in the annotation
/// (`#[endpoint(id = "order.create", confidence = "C2", ...)]`) next to everything else.
pub trait Operation: Endpoint {
    /// The spec's `operationId` (`order.create`, `refund.query`, …).
    const ID: &'static str;
    /// How sure the path and MAC are.
    const CONFIDENCE: Confidence;
}

/// The response of the stub impls the derive emits next to its errors. Never decoded.
#[doc(hidden)]
#[derive(Debug, serde::Deserialize)]
pub struct NoResponse {}

impl crate::GatewayResponse for NoResponse {
    fn rejection(&self) -> Option<crate::GatewayError> {
        None
    }
}

/// A request paired with its signature, serialised as the wire parameters.
pub struct Signed<'a, R: ?Sized> {
    /// The request.
    pub request: &'a R,
    /// The signature parameter's value.
    pub signature: &'a str,
}

impl<R: SignedRequest + ?Sized> serde::Serialize for Signed<'_, R> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.request.serialize_signed(self.signature, serializer)
    }
}

/// Writes `segment` separators: used by generated code between MAC segments.
#[doc(hidden)]
#[inline]
pub fn push_separator(out: &mut String) {
    out.push(SEPARATOR);
}
