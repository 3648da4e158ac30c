//! [`Config`]: who the merchant is, where to talk, and how patiently.

use std::sync::Arc;
use std::time::Duration;

use super::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, RetryPolicy};
use crate::clock::{Clock, SystemClock};
use crate::environment::Environment;
use crate::error::Error;
use crate::fill::Encryptor;
use crate::sign::Keys;

/// Everything the client needs to know about the merchant and where to talk.
///
/// `#[non_exhaustive]`: build it with [`Config::new`] and the `with_*` setters. The struct has
/// the same public fields with every set of cargo features; the RSA keys (`rsa` feature) are
/// set with [`Config::with_rsa_key`] and [`Config::with_zalopay_public_key`] (the latter is
/// one [`Encryptor`], see [`Config::with_encryptor`]).
///
/// `Debug` shows no secret: keys and the RSA key print as `[REDACTED]`.
///
/// ```
/// use std::time::Duration;
/// use zalopay_api::{Config, Environment, Keys, RetryPolicy};
///
/// let keys = Keys::new("key1 from the merchant portal", "key2 from the merchant portal")?;
/// let config = Config::new(2553, keys, Environment::Sandbox)
///     .with_timeout(Duration::from_secs(10))
///     .with_retry(RetryPolicy::default().with_max_attempts(2));
/// assert_eq!(config.timeout, Duration::from_secs(10));
/// # Ok::<(), zalopay_api::KeyError>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The app id issued by ZaloPay.
    pub app_id: i64,
    /// key1 and key2 (redacted in `Debug`).
    pub keys: Keys,
    /// Sandbox, production, or a custom base URL.
    pub environment: Environment,
    /// Time allowed for a whole request (a call can shorten or lengthen it with
    /// [`CallOptions::timeout`](super::CallOptions::timeout)).
    pub timeout: Duration,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// The clock requests are validated against (ids dated today in Vietnam time,
    /// timestamps within 15 minutes). Default: [`SystemClock`].
    pub clock: Arc<dyn Clock>,
    /// How transient failures are retried (for operations where that is safe).
    pub retry: RetryPolicy,
    /// Largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]); a larger
    /// one fails with [`Error::ResponseTooLarge`] instead of being read without limit.
    pub max_response_bytes: usize,
    /// The merchant's RSA key: private so that the struct's shape does not depend on the
    /// `rsa` feature.
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    rsa: RsaKey,
    /// Encrypts quick pay's payment code (ZaloPay's public key).
    encryptor: Option<Arc<dyn Encryptor>>,
}

/// The merchant's RSA private key, if any; empty without the `rsa` feature.
#[derive(Clone, Default)]
struct RsaKey {
    /// Signs disbursement top-up.
    #[cfg(feature = "rsa")]
    merchant: Option<crate::rsa::MerchantRsaKey>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("Config");
        out.field("app_id", &self.app_id)
            .field("keys", &self.keys)
            .field("environment", &self.environment)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout);
        #[cfg(feature = "rsa")]
        out.field("rsa_key", &self.rsa.merchant);
        out.field("encryptor", &self.encryptor.is_some())
            .field("clock_now_ms", &self.clock.now_ms())
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl Config {
    /// A configuration with default timeouts, retries and the system clock.
    pub fn new(app_id: i64, keys: Keys, environment: Environment) -> Self {
        Self {
            app_id,
            keys,
            environment,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            rsa: RsaKey::default(),
            encryptor: None,
        }
    }

    /// Replaces the clock (tests, replays).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the environment (sandbox, production, a custom base URL).
    #[must_use]
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Time allowed for a whole request (default [`DEFAULT_TIMEOUT`]).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default [`DEFAULT_CONNECT_TIMEOUT`]).
    #[must_use]
    pub fn with_connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// Largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    #[must_use]
    pub fn with_max_response_bytes(mut self, max_response_bytes: usize) -> Self {
        self.max_response_bytes = max_response_bytes;
        self
    }

    /// The merchant's RSA private key, which signs disbursement top-up (`sig`).
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    #[must_use]
    pub fn with_rsa_key(mut self, key: crate::rsa::MerchantRsaKey) -> Self {
        self.rsa.merchant = Some(key);
        self
    }

    /// ZaloPay's RSA public key, with which the client encrypts quick pay's payment code.
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    #[must_use]
    pub fn with_zalopay_public_key(self, key: crate::rsa::ZaloPayPublicKey) -> Self {
        self.with_encryptor(Arc::new(key))
    }

    /// What encrypts the values the wire carries encrypted (quick pay's payment code), when
    /// it is not [`rsa::ZaloPayPublicKey`](Config::with_zalopay_public_key): a key held in an
    /// HSM, or a fixed stand-in in tests.
    #[must_use]
    pub fn with_encryptor(mut self, encryptor: Arc<dyn Encryptor>) -> Self {
        self.encryptor = Some(encryptor);
        self
    }

    /// The merchant's RSA private key, if set.
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    pub fn rsa_key(&self) -> Option<&crate::rsa::MerchantRsaKey> {
        self.rsa.merchant.as_ref()
    }

    /// What encrypts client-encrypted fields (quick pay's payment code), if set.
    pub fn encryptor(&self) -> Option<&dyn Encryptor> {
        self.encryptor.as_deref()
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
