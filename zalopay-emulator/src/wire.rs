//! Reading requests (form, JSON or query string, all as strings) and writing the gateway's
//! in-band result codes.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use zalopay_api::SecretKey;

use crate::config::App;

/// Largest request body the emulator reads.
pub(crate) const BODY_LIMIT: usize = 256 * 1024;

/// A request's parameters, whatever the encoding, as the strings that were sent.
///
/// Form bodies and query strings are taken as they are; in a JSON object, strings are taken
/// as they are, numbers and booleans in their JSON text, objects and arrays as compact JSON,
/// and `null` as absent. Query-string parameters are merged in (the official quick-starts send
/// some calls as `POST ?params` with an empty body); a body parameter wins over a query one.
#[derive(Debug, Clone, Default)]
pub struct Params(pub HashMap<String, String>);

impl Params {
    /// The value of `name`, if sent (an empty string counts as sent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name`, or `""` when absent (how an absent optional field is signed).
    pub fn get_or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// The value of `name`; absent or empty is a -401.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(ApiError::invalid(format!("missing parameter `{name}`"))),
        }
    }

    /// `name` as an integer; absent, empty or not an integer is a -401.
    pub fn required_i64(&self, name: &str) -> Result<i64, ApiError> {
        let text = self.required(name)?;
        text.trim()
            .parse()
            .map_err(|_| ApiError::invalid(format!("`{name}` is not an integer")))
    }

    /// `name` as an integer if present and non-empty; present but not an integer is a -401.
    pub fn optional_i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError::invalid(format!("`{name}` is not an integer"))),
        }
    }

    /// Parses `query` (a URL query string) into parameters.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::invalid("malformed query string"))?;
        Ok(Self(pairs.into_iter().collect()))
    }

    fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| ApiError::invalid("the body is not valid JSON"))?;
        let Value::Object(map) = value else {
            return Err(ApiError::invalid("the JSON body is not an object"));
        };
        Ok(Self::from_json_map(map))
    }

    fn from_json_map(map: Map<String, Value>) -> Self {
        let mut out = HashMap::with_capacity(map.len());
        for (name, value) in map {
            let text = match value {
                Value::Null => continue,
                Value::String(text) => text,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other @ (Value::Array(_) | Value::Object(_)) => other.to_string(),
            };
            out.insert(name, text);
        }
        Self(out)
    }
}

impl Params {
    /// A request's parameters from its parts: the query string, merged with the body's (form
    /// or JSON by `content_type`). A body on a `GET` or `HEAD` is ignored: their parameters
    /// come from the query string only (some clients send a stray JSON `""` on every call).
    pub(crate) fn from_parts(
        method: &Method,
        query: Option<&str>,
        content_type: Option<&HeaderValue>,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let mut params = match query {
            Some(query) => Self::from_query(query)?,
            None => Self::default(),
        };
        if method == Method::GET || method == Method::HEAD {
            return Ok(params);
        }
        if body.len() > BODY_LIMIT {
            return Err(ApiError::invalid("body too large"));
        }
        let content_type = content_type
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let from_body = if body.iter().all(u8::is_ascii_whitespace) {
            Self::default()
        } else if content_type == "application/json" || content_type.ends_with("+json") {
            Self::from_json(body)?
        } else if content_type == "application/x-www-form-urlencoded" || content_type.is_empty() {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|_| ApiError::invalid("malformed form body"))?;
            Self(pairs.into_iter().collect())
        } else {
            return Err(ApiError::invalid(format!(
                "unsupported content type `{content_type}` (use form or JSON)"
            )));
        };
        params.0.extend(from_body.0);
        Ok(params)
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().clone();
        let query = req.uri().query().map(str::to_owned);
        let content_type = req.headers().get(CONTENT_TYPE).cloned();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::invalid("could not read the body"))?;
        Self::from_parts(&method, query.as_deref(), content_type.as_ref(), &body)
    }
}

/// A refusal or a business failure, reported in-band with HTTP 200 as the gateway does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// `return_code` (2 for every refusal the emulator makes).
    pub return_code: i32,
    /// `sub_return_code`.
    pub sub_return_code: i32,
    /// Human-readable explanation (`return_message` and `sub_return_message`).
    pub message: String,
}

impl ApiError {
    /// `return_code` 2 with the given sub code.
    pub fn new(sub_return_code: i32, message: impl Into<String>) -> Self {
        Self {
            return_code: 2,
            sub_return_code,
            message: message.into(),
        }
    }

    /// -401 ILLEGAL_DATA_REQUEST: a parameter is missing or malformed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(-401, message)
    }

    /// -402 ILLEGAL_APP_REQUEST: unknown app or MAC mismatch.
    pub fn bad_app(message: impl Into<String>) -> Self {
        Self::new(-402, message)
    }

    /// -101: the thing asked about does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(-101, message)
    }

    /// The JSON body: `return_code`, `return_message`, `sub_return_code`, `sub_return_message`.
    /// `return_message` is the gateway's (`Giao dịch thất bại` for `return_code 2`, as
    /// logged from the sandbox); `sub_return_message` carries the emulator's own explanation,
    /// which says more than the gateway's generic text (decision D-94).
    pub fn to_json(&self) -> Value {
        let return_message = match self.return_code {
            2 => FAILED_MESSAGE,
            _ => self.message.as_str(),
        };
        json!({
            "return_code": self.return_code,
            "return_message": return_message,
            "sub_return_code": self.sub_return_code,
            "sub_return_message": self.message,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A rate limiter under load refuses thousands a second; those are counted in the
        // request log (and the dashboard), so one line each would only flood the output.
        if self.sub_return_code == LIMIT_REQUEST_REACH.0 {
            tracing::debug!(message = %self.message, "request refused: rate limit");
        } else {
            tracing::info!(
                sub_return_code = self.sub_return_code,
                message = %self.message,
                "request refused"
            );
        }
        axum::Json(self.to_json()).into_response()
    }
}

/// The gateway's answer to a request over the app's rate limit: `sub_return_code` and
/// ZaloPay's name for it (D-162). The limiter's refusal and the `code_429` fault both send it.
pub(crate) const LIMIT_REQUEST_REACH: (i32, &str) = (-429, "LIMIT_REQUEST_REACH");

/// The gateway's `return_message` of a `return_code 2` refusal (logs of sandbox answers:
/// specs/traffic README, decision D-94).
pub const FAILED_MESSAGE: &str = "Giao dịch thất bại";

/// A success body: codes 1/1 merged with `extra` (which must be a JSON object).
pub fn success(extra: Value) -> Value {
    with_codes(1, 1, "Giao dịch thành công", extra)
}

/// Codes merged with `extra` (which must be a JSON object).
pub fn with_codes(return_code: i32, sub_return_code: i32, message: &str, extra: Value) -> Value {
    let mut body = json!({
        "return_code": return_code,
        "return_message": message,
        "sub_return_code": sub_return_code,
        "sub_return_message": message,
    });
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    body
}

/// One segment of a MAC input, as the emulator's own field lists name them.
#[derive(Debug, Clone, Copy)]
pub enum Seg {
    /// A received parameter, by wire name; absent renders as `""`.
    F(&'static str),
    /// A received parameter left out, with its separator, when absent (refund fee).
    Opt(&'static str),
    /// key1 itself (order query / cancel).
    Key1,
}

/// Builds the MAC input from the *received* parameters.
pub fn mac_input(params: &Params, app: &App, segments: &[Seg]) -> String {
    let mut out = String::new();
    let mut first = true;
    for seg in segments {
        let value = match seg {
            Seg::F(name) => params.get_or_empty(name),
            Seg::Opt(name) => match params.get(name) {
                Some(v) if !v.is_empty() => v,
                _ => continue,
            },
            Seg::Key1 => app.key1.expose(),
        };
        if !first {
            out.push('|');
        }
        first = false;
        out.push_str(value);
    }
    out
}

/// Checks the request's signature parameter (`sig_param`) against HMAC(`key`, input).
pub fn verify_mac(
    params: &Params,
    app: &App,
    key: &SecretKey,
    sig_param: &str,
    segments: &[Seg],
) -> Result<(), ApiError> {
    let mac = params.required(sig_param)?;
    let input = mac_input(params, app, segments);
    if key.verify(input.as_bytes(), mac) {
        Ok(())
    } else {
        Err(ApiError::bad_app(format!(
            "`{sig_param}` does not match the request"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    fn app(id: i64) -> App {
        App::sandbox_demo_apps()
            .into_iter()
            .find(|a| a.app_id == id)
            .unwrap()
    }

    /// The emulator's own field lists reproduce the api-facts §19.3 vectors.
    #[test]
    fn field_lists_match_the_vectors() {
        let create = params(&[
            ("app_id", "2553"),
            ("app_trans_id", "240101_123456"),
            ("app_user", "user123"),
            ("amount", "50000"),
            ("app_time", "1704067200000"),
            (
                "embed_data",
                r#"{"redirecturl":"https://example.com/result"}"#,
            ),
            ("item", "[{}]"),
            (
                "mac",
                "22da8cae1102362291b122befa065818efb8806d92e1556b6a4f77dbd56297ad",
            ),
        ]);
        let a = app(2553);
        let segs = [
            Seg::F("app_id"),
            Seg::F("app_trans_id"),
            Seg::F("app_user"),
            Seg::F("amount"),
            Seg::F("app_time"),
            Seg::F("embed_data"),
            Seg::F("item"),
        ];
        assert!(verify_mac(&create, &a, &a.key1, "mac", &segs).is_ok());

        let b = app(2554);
        let query = params(&[
            ("app_id", "2554"),
            ("app_trans_id", "230407_13221300383"),
            (
                "mac",
                "7cec9f5d7de580a55c25a2ed92b42cf4f802a8d0c0beb87c5009b1865665b43c",
            ),
        ]);
        let segs = [Seg::F("app_id"), Seg::F("app_trans_id"), Seg::Key1];
        assert!(verify_mac(&query, &b, &b.key1, "mac", &segs).is_ok());

        let refund_segs = [
            Seg::F("app_id"),
            Seg::F("zp_trans_id"),
            Seg::F("amount"),
            Seg::Opt("refund_fee_amount"),
            Seg::F("description"),
            Seg::F("timestamp"),
        ];
        let mut refund = params(&[
            ("app_id", "2553"),
            ("zp_trans_id", "240913000002388"),
            ("amount", "3000000"),
            ("description", "ZaloPay Refund Demo"),
            ("timestamp", "1726200000000"),
            (
                "mac",
                "13caafeea5bdc8d1976c7a83e8d3cc5b7a2525bd7c18c2cab3024a0cd64ff2ca",
            ),
        ]);
        assert!(verify_mac(&refund, &a, &a.key1, "mac", &refund_segs).is_ok());
        refund.0.insert("refund_fee_amount".into(), "1000".into());
        refund.0.insert(
            "mac".into(),
            "e7c2f821f47a52208534b18d69fd2f932f20784bbefc81a952edf441a10131ac".into(),
        );
        assert!(verify_mac(&refund, &a, &a.key1, "mac", &refund_segs).is_ok());
        refund.0.insert("amount".into(), "3000001".into());
        assert_eq!(
            verify_mac(&refund, &a, &a.key1, "mac", &refund_segs)
                .unwrap_err()
                .sub_return_code,
            -402
        );

        let bind = params(&[
            ("app_id", "2554"),
            ("app_trans_id", "230407_13221300383"),
            ("binding_data", "{}"),
            ("binding_type", "WALLET"),
            ("identifier", "ZLP User"),
            ("max_amount", "0"),
            ("req_date", "1680848533635"),
            (
                "mac",
                "69281e9affc62e17e9cbe8d6f476eba42d8c65168e03c58156f0ccb4bd256c9f",
            ),
        ]);
        let segs = [
            Seg::F("app_id"),
            Seg::F("app_trans_id"),
            Seg::F("binding_data"),
            Seg::F("binding_type"),
            Seg::F("identifier"),
            Seg::F("max_amount"),
            Seg::F("req_date"),
        ];
        assert!(verify_mac(&bind, &b, &b.key1, "mac", &segs).is_ok());
    }

    #[test]
    fn json_values_become_their_text() {
        let p = Params::from_json(
            br#"{"app_id":2553,"ok":true,"none":null,"s":"x y","o":{"b":1},"a":[1,"2"]}"#,
        )
        .unwrap();
        assert_eq!(p.get("app_id"), Some("2553"));
        assert_eq!(p.get("ok"), Some("true"));
        assert_eq!(p.get("none"), None);
        assert_eq!(p.get("s"), Some("x y"));
        assert_eq!(p.get("o"), Some(r#"{"b":1}"#));
        assert_eq!(p.get("a"), Some(r#"[1,"2"]"#));
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(b"{").is_err());
        assert_eq!(p.required_i64("s").unwrap_err().sub_return_code, -401);
    }
}
