//! The async client: signs any [`Endpoint`] request, sends it, decodes the typed response.

use std::sync::Arc;
use std::time::Duration;

use crate::endpoint::{Encoding, Endpoint, Method, SignatureScheme, Signed};
use crate::environment::Environment;
use crate::error::{Error, excerpt};
use crate::response::GatewayResponse;
use crate::sign::Keys;

/// Default time allowed for a whole request (connect, send, receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the client needs to know about the merchant and where to talk.
#[derive(Clone, Debug)]
pub struct Config {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// key1 and key2 (redacted in `Debug`).
    pub keys: Keys,
    /// Sandbox, production, or a custom base URL.
    pub environment: Environment,
    /// Time allowed for a whole request.
    pub timeout: Duration,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// The merchant's RSA private key for disbursement top-up (`rsa` feature).
    #[cfg(feature = "rsa")]
    pub rsa_key: Option<crate::rsa::MerchantRsaKey>,
}

impl Config {
    /// A configuration with default timeouts.
    pub fn new(app_id: i64, keys: Keys, environment: Environment) -> Self {
        Self {
            app_id,
            keys,
            environment,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            #[cfg(feature = "rsa")]
            rsa_key: None,
        }
    }

    /// The public sandbox demo app 2553 printed in ZaloPay's docs and samples. For trying
    /// things out only: anyone can sign as this app.
    pub fn sandbox_demo() -> Result<Self, Error> {
        let keys = Keys::new(
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
        )
        .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Self::new(2553, keys, Environment::Sandbox))
    }
}

/// A signed request, ready to go on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: Method,
    /// Full URL, including the query string for `GET`.
    pub url: String,
    /// `Content-Type` of the body, if there is one.
    pub content_type: Option<&'static str>,
    /// The encoded body (empty for `GET`).
    pub body: Vec<u8>,
}

/// The ZaloPay client. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<Config>,
}

impl Client {
    /// Builds a client (rustls TLS, pooled connections, the configured timeouts).
    pub fn new(config: Config) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("zalopay-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(Self::with_http_client(config, http))
    }

    /// Uses an existing `reqwest::Client` (for custom proxies, TLS roots, or sharing a pool).
    /// Its own timeouts apply.
    pub fn with_http_client(config: Config, http: reqwest::Client) -> Self {
        Self {
            http,
            config: Arc::new(config),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The merchant's app id.
    pub fn app_id(&self) -> i64 {
        self.config.app_id
    }

    /// Signs and encodes a request without sending it.
    pub fn prepare<R: Endpoint>(&self, request: &R) -> Result<PreparedRequest, Error> {
        prepare(&self.config, request, &mut String::new())
    }

    /// Signs, sends and decodes a request.
    ///
    /// `Ok` carries every *result* (paid, failed payment, still processing); `Err` means the
    /// request was invalid, never got an answer, or was refused by the gateway.
    pub async fn send<R>(&self, request: &R) -> Result<R::Response, Error>
    where
        R: Endpoint,
        R::Response: GatewayResponse,
    {
        let prepared = self.prepare(request)?;
        let body = self.execute(&prepared).await?;
        decode::<R::Response>(&prepared.url, &body)
    }

    /// Sends an already prepared request and returns the raw response body.
    pub async fn execute(&self, prepared: &PreparedRequest) -> Result<Vec<u8>, Error> {
        let url = &prepared.url;
        let mut builder = match prepared.method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
        };
        if let Some(content_type) = prepared.content_type {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(prepared.body.clone());
        }
        tracing::debug!(method = prepared.method.as_str(), url = %url, "calling ZaloPay");
        let response = builder.send().await.map_err(|e| transport(url, e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| transport(url, e))?;
        if !status.is_success() {
            return Err(Error::HttpStatus {
                status: status.as_u16(),
                url: url.clone(),
                body: excerpt(&body),
            });
        }
        Ok(body.to_vec())
    }
}

fn transport(url: &str, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout {
            url: url.to_owned(),
        }
    } else {
        Error::Transport {
            url: url.to_owned(),
            connect: error.is_connect(),
            source: error,
        }
    }
}

/// Decodes a response body and sorts it into result or rejection.
pub fn decode<T>(url: &str, body: &[u8]) -> Result<T, Error>
where
    T: serde::de::DeserializeOwned + GatewayResponse,
{
    let value: T = serde_json::from_slice(body).map_err(|source| Error::Decode {
        url: url.to_owned(),
        body: excerpt(body),
        source,
    })?;
    match value.rejection() {
        Some(rejection) => Err(Error::Gateway(rejection)),
        None => Ok(value),
    }
}

/// Signs and encodes `request` for `config`, using `buf` as scratch space for the MAC input.
pub fn prepare<R: Endpoint>(
    config: &Config,
    request: &R,
    buf: &mut String,
) -> Result<PreparedRequest, Error> {
    let mac = request.mac_with_buffer(&config.keys, buf);
    let signature = match R::SIGNATURE_SCHEME {
        SignatureScheme::Hmac => SignatureText::Hex(mac),
        SignatureScheme::HmacThenRsaSha256 => SignatureText::Owned(rsa_signature(config, mac)?),
    };
    let signed = Signed {
        request,
        signature: signature.as_str(),
    };
    let base = config.environment.base_url(R::HOST);
    let url = format!("{base}{}", R::PATH);
    let encode = |e: &dyn std::fmt::Display| Error::Encode(e.to_string());
    Ok(match R::ENCODING {
        Encoding::Form => PreparedRequest {
            method: R::METHOD,
            url,
            content_type: Some("application/x-www-form-urlencoded"),
            body: serde_urlencoded::to_string(&signed)
                .map_err(|e| encode(&e))?
                .into_bytes(),
        },
        Encoding::Json => PreparedRequest {
            method: R::METHOD,
            url,
            content_type: Some("application/json"),
            body: serde_json::to_vec(&signed).map_err(|e| encode(&e))?,
        },
        Encoding::Query => {
            let query = serde_urlencoded::to_string(&signed).map_err(|e| encode(&e))?;
            PreparedRequest {
                method: R::METHOD,
                url: format!("{url}?{query}"),
                content_type: None,
                body: Vec::new(),
            }
        }
    })
}

enum SignatureText {
    Hex(crate::sign::MacHex),
    Owned(String),
}

impl SignatureText {
    fn as_str(&self) -> &str {
        match self {
            SignatureText::Hex(mac) => mac.as_str(),
            SignatureText::Owned(text) => text,
        }
    }
}

#[cfg(feature = "rsa")]
fn rsa_signature(config: &Config, mac: crate::sign::MacHex) -> Result<String, Error> {
    let key = config.rsa_key.as_ref().ok_or_else(|| {
        Error::Config("this operation is RSA-signed: set `Config::rsa_key`".to_owned())
    })?;
    key.sign_base64(mac.as_str().as_bytes())
}

#[cfg(not(feature = "rsa"))]
fn rsa_signature(_: &Config, _: crate::sign::MacHex) -> Result<String, Error> {
    Err(Error::Config(
        "this operation is RSA-signed: enable the `rsa` feature of zalopay-api".to_owned(),
    ))
}
