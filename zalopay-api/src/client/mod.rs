//! The async client: signs any [`Endpoint`] request, sends it, decodes the typed response.
//!
//! Without the `client` feature (no tokio, no reqwest) this module still has [`Config`],
//! [`RetryPolicy`], [`prepare_checked`] / [`prepare`] to validate, sign and encode a request
//! for any HTTP stack, and [`decode`] to sort its answer into result or rejection.

#[cfg(feature = "client")]
use std::sync::Arc;
use std::time::Duration;

mod config;
mod options;
pub(crate) mod prepared;
mod retry;

pub use config::Config;
pub use options::CallOptions;
pub use prepared::PreparedRequest;
pub use retry::{RetryPolicy, should_retry};

use crate::endpoint::{Encoding, Endpoint, SignatureScheme, Signed};
#[cfg(feature = "client")]
use crate::endpoint::{Method, RetryClass};
use crate::error::{Error, excerpt};
use crate::fill::FillContext;
use crate::response::GatewayResponse;
use crate::validation::ValidationContext;

/// Default time allowed for a whole request (connect, send, receive), applied to every request
/// (also with [`Client::with_http_client`]). ZaloPay documents no latency; its own SDKs wait
/// far longer, but an order page that hangs for half a minute is already lost.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body: 1 MiB. ZaloPay's answers are a few hundred bytes; anything
/// near this is a proxy's error page or a hostile peer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The ZaloPay client. Cheap to clone: clones share one connection pool.
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<Config>,
}

#[cfg(feature = "client")]
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
    /// `Config::timeout` is applied to every request on top of the client's own timeouts.
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

    /// The request as this client would send it now: client-filled fields that are `None`
    /// set to the client's app id and the clock's reading. Keep the result to send the very
    /// same request (same time, same MAC) again later. Fails when the request names another
    /// app id than the client's.
    pub fn fill<R: Endpoint + Clone>(&self, request: &R) -> Result<R, Error> {
        let filled = request.fill(&self.fill_context(self.config.clock.now_ms()))?;
        Ok(filled.unwrap_or_else(|| request.clone()))
    }

    fn fill_context(&self, now_ms: i64) -> FillContext<'_> {
        fill_context(&self.config, now_ms)
    }

    /// Fills the request's client-filled fields (`app_id` from [`Config`], the time field
    /// from the clock) where they are `None`, validates it (`#[check(...)]`, against the same
    /// clock reading), signs and encodes it without sending it. A request for another app id
    /// is refused here, before any I/O.
    ///
    /// The values are fixed once per call: [`Client::send`] prepares once and every retry
    /// re-sends these exact bytes, so the same app id, time and MAC.
    pub fn prepare<R: Endpoint>(&self, request: &R) -> Result<PreparedRequest, Error> {
        prepare_checked(&self.config, request)
    }

    /// [`prepare`](Self::prepare) for a re-send of a request sent before (see
    /// [`CallOptions::resend`]): its merchant ids need not be dated today, and a refusal is
    /// [`Error::ResendRefused`].
    pub fn prepare_resend<R: Endpoint>(&self, request: &R) -> Result<PreparedRequest, Error> {
        prepare_resend(&self.config, request)
    }

    /// Validates, signs, sends and decodes a request, retrying transient failures where the
    /// operation's [`RetryClass`] allows it (see [`RetryPolicy`]).
    ///
    /// An invalid request fails with [`Error::InvalidField`] before any network I/O. `Ok`
    /// carries every *result* (paid, failed payment, still processing); `Err` means the
    /// request was invalid, never got an answer, or was refused by the gateway. After retries
    /// the last attempt's error is returned.
    pub async fn send<R>(&self, request: &R) -> Result<R::Response, Error>
    where
        R: Endpoint,
        R::Response: GatewayResponse,
    {
        self.send_with(request, CallOptions::new()).await
    }

    /// [`send`](Self::send) with options for this call only: its own timeout, fewer
    /// attempts, or a stricter retry class (an option never makes an operation retry more
    /// than its [`RetryClass`] and the client's [`RetryPolicy`] allow).
    ///
    /// ```no_run
    /// # async fn run(client: &zalopay_api::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use zalopay_api::{CallOptions, ids::AppTransId, order::QueryOrder};
    ///
    /// let query = QueryOrder::builder()
    ///     .app_trans_id(AppTransId::existing("240101_000001")?)
    ///     .build();
    /// // From a request handler: answer within 3 s, one attempt.
    /// let status = client
    ///     .send_with(&query, CallOptions::new().timeout(Duration::from_secs(3)).max_attempts(1))
    ///     .await?
    ///     .status();
    /// # let _ = status;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_with<R>(
        &self,
        request: &R,
        options: CallOptions,
    ) -> Result<R::Response, Error>
    where
        R: Endpoint,
        R::Response: GatewayResponse,
    {
        use tracing::Instrument as _;
        let started = std::time::Instant::now();
        let prepared = if options.resend {
            self.prepare_resend(request)
        } else {
            self.prepare(request)
        };
        let span = crate::trace::call_span::<R>(prepared.as_ref().ok());
        let result = match prepared {
            Ok(prepared) => {
                self.send_prepared::<R>(&prepared, &span, options)
                    .instrument(span.clone())
                    .await
            }
            Err(error) => Err(error),
        };
        crate::trace::record(&span, started, &result);
        result
    }

    /// The attempts of one [`send`](Self::send), each in its own span.
    async fn send_prepared<R>(
        &self,
        prepared: &PreparedRequest,
        span: &tracing::Span,
        options: CallOptions,
    ) -> Result<R::Response, Error>
    where
        R: Endpoint,
        R::Response: GatewayResponse,
    {
        use tracing::Instrument as _;
        let policy = self.config.retry;
        let class = options.effective_class(R::RETRY);
        let max_attempts = options.effective_attempts(policy.max_attempts);
        let timeout = options.timeout.unwrap_or(self.config.timeout);
        let mut attempt: u32 = 1;
        // The first earlier attempt that may have reached ZaloPay (its answer lost): the
        // evidence behind `AlreadySubmitted`. Refused connections and connect timeouts never
        // reached it.
        let mut reached: Option<Error> = None;
        loop {
            let attempt_span = crate::trace::attempt_span(attempt);
            let attempt_started = std::time::Instant::now();
            let result = async {
                match self.execute_within(prepared, timeout).await {
                    Ok(body) => decode::<R::Response>(&prepared.url, &body),
                    Err(error) => Err(error),
                }
            }
            .instrument(attempt_span.clone())
            .await;
            crate::trace::record(&attempt_span, attempt_started, &result);
            span.record("attempts", attempt);
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            // A duplicate answer to a *retry* of a same-id request, after an attempt that may
            // have got through: that attempt created the object and its answer was lost.
            if let Error::Gateway(gateway) = &error
                && class == RetryClass::SameId
                && gateway.is_duplicate()
                && let Some(earlier) = reached.take()
            {
                return Err(Error::AlreadySubmitted {
                    url: prepared.url.clone(),
                    attempts: attempt,
                    gateway: gateway.clone(),
                    earlier: Box::new(earlier),
                });
            }
            if attempt >= max_attempts || !should_retry(class, &error) {
                return Err(error);
            }
            let Some(wait) = policy.wait_after(attempt, &error) else {
                return Err(error);
            };
            tracing::debug!(
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error = %error,
                "retrying ZaloPay request"
            );
            if reached.is_none() && error.may_have_been_sent() {
                reached = Some(error);
            }
            tokio::time::sleep(wait).await;
            attempt = attempt.saturating_add(1);
        }
    }

    /// Sends an already prepared request once and returns the raw response body.
    pub async fn execute(&self, prepared: &PreparedRequest) -> Result<Vec<u8>, Error> {
        self.execute_within(prepared, self.config.timeout).await
    }

    /// One attempt, allowed `timeout` in all.
    async fn execute_within(
        &self,
        prepared: &PreparedRequest,
        timeout: Duration,
    ) -> Result<Vec<u8>, Error> {
        let url = &prepared.url;
        let mut builder = match prepared.method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
        }
        .timeout(timeout);
        if let Some(content_type) = prepared.content_type {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(prepared.body.clone());
        }
        tracing::debug!(method = prepared.method.as_str(), url = %url, "calling ZaloPay");
        let mut response = builder.send().await.map_err(|e| transport(url, e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let limit = self.config.max_response_bytes;
        let too_large = || Error::ResponseTooLarge {
            url: url.clone(),
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| usize::try_from(length).map_or(true, |length| length > limit))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| transport(url, e))? {
            if chunk.len() > limit.saturating_sub(body.len()) {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(Error::HttpStatus {
                status: status.as_u16(),
                url: url.clone(),
                body: excerpt(&body),
                retry_after,
            });
        }
        Ok(body)
    }
}

/// `Retry-After` as a number of seconds (the HTTP-date form is not used by gateways in
/// front of ZaloPay as far as anyone reports; it is ignored, and the policy's backoff applies).
#[cfg(feature = "client")]
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(feature = "client")]
fn transport(url: &str, error: reqwest::Error) -> Error {
    // A connect timeout is both `is_connect` and `is_timeout`: nothing was sent, so it is a
    // connect failure first.
    if error.is_timeout() && !error.is_connect() {
        Error::Timeout {
            url: url.to_owned(),
        }
    } else {
        Error::Transport {
            url: url.to_owned(),
            connect: error.is_connect(),
            source: Box::new(error),
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

/// Fills the client-filled fields left `None` (app id, time), validates `request`
/// (`#[check(...)]`, against `config`'s clock), signs and encodes it: what
/// [`Client::prepare`] does, for sending it with an HTTP stack of your own. The scratch
/// buffer that held the MAC input (which for order query / cancel contains key1) is wiped.
///
/// Send [`PreparedRequest::method`] to [`PreparedRequest::url`] with the body and its
/// `Content-Type`, then sort the answer with [`decode`].
pub fn prepare_checked<R: Endpoint>(
    config: &Config,
    request: &R,
) -> Result<PreparedRequest, Error> {
    prepare_validated(config, request, false)
}

/// [`prepare_checked`] for a re-send of a request sent before whose answer was lost
/// ([`CallOptions::resend`]): merchant ids are checked as existing ids (any day), and a
/// refusal is [`Error::ResendRefused`] (an earlier attempt may have reached ZaloPay).
pub fn prepare_resend<R: Endpoint>(config: &Config, request: &R) -> Result<PreparedRequest, Error> {
    prepare_validated(config, request, true)
}

fn prepare_validated<R: Endpoint>(
    config: &Config,
    request: &R,
    resend: bool,
) -> Result<PreparedRequest, Error> {
    // One clock reading fills the time field and validates the request.
    let now_ms = config.clock.now_ms();
    let filled = request.fill(&fill_context(config, now_ms))?;
    let request = filled.as_ref().unwrap_or(request);
    if resend {
        request
            .validate(&ValidationContext::at(now_ms).resending())
            .map_err(|error| match error {
                Error::InvalidField { field, reason } => Error::ResendRefused { field, reason },
                other => other,
            })?;
    } else {
        request.validate(&ValidationContext::at(now_ms))?;
    }
    let mut buf = String::new();
    let prepared = prepare(config, request, &mut buf);
    // For order query / cancel the MAC input ends with key1 itself.
    zeroize::Zeroize::zeroize(&mut buf);
    prepared
}

/// Signs and encodes `request` for `config`, using `buf` as scratch space for the MAC input.
/// Client-filled fields left `None` are filled from `config` first (a request for another
/// app id is refused).
///
/// Does **not** validate: [`prepare_checked`], [`Client::prepare`] and [`Client::send`] do. `buf` holds the MAC
/// input afterwards, which for order query / cancel contains key1: clear it when done.
pub fn prepare<R: Endpoint>(
    config: &Config,
    request: &R,
    buf: &mut String,
) -> Result<PreparedRequest, Error> {
    let filled = request.fill(&fill_context(config, config.clock.now_ms()))?;
    let request = filled.as_ref().unwrap_or(request);
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

/// What `config` fills into a request at `now_ms`: its app id, the time, its encryptor.
fn fill_context(config: &Config, now_ms: i64) -> FillContext<'_> {
    let context = FillContext::new(config.app_id, now_ms);
    match config.encryptor() {
        Some(encryptor) => context.with_encryptor(encryptor),
        None => context,
    }
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
    let key = config.rsa_key().ok_or_else(|| {
        Error::Config("this operation is RSA-signed: set `Config::with_rsa_key`".to_owned())
    })?;
    key.sign_base64(mac.as_str().as_bytes())
}

#[cfg(not(feature = "rsa"))]
fn rsa_signature(_: &Config, _: crate::sign::MacHex) -> Result<String, Error> {
    Err(Error::Config(
        "this operation is RSA-signed: enable the `rsa` feature of zalopay-api".to_owned(),
    ))
}
