//! What the emulator is configured with: apps and their keys, timing, callback retries, and the
//! clock it reads time from.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey as _;
use zalopay_api::{KeyError, KeyKind, SecretKey};

use crate::faults::Faults;

/// The public half of the published 512-bit test RSA key (api-facts §19.1, the Node SDK's
/// tests and the disbursement sample), as base64 SubjectPublicKeyInfo DER. The sandbox
/// disbursement app 15555 verifies top-up signatures with it.
pub const TEST_RSA_PUBLIC_KEY: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALoa/X7LGrmTmnn+BwhCeDgCUOoPMjvHXuSsAdSzP3yJUWRrJw9FTvmARq3bbZyrInhK0D7o5sle058Nfci1RhsCAwEAAQ==";

/// The published 512-bit test RSA private key (api-facts §19.1), base64 PKCS#8 DER. The
/// emulator plays ZaloPay's own key pair with it: it decrypts quick pay's `payment_code`.
/// A test key that anyone can read, never a production one.
pub const TEST_RSA_PRIVATE_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

/// "ZaloPay's public key" as the emulator plays it (the public half of
/// [`TEST_RSA_PRIVATE_KEY`]): give it to a client (`Config::with_zalopay_public_key`,
/// `zalopay --zalopay-public-key`) to encrypt quick pay's payment code for the emulator.
pub const ZALOPAY_PUBLIC_KEY: &str = TEST_RSA_PUBLIC_KEY;

/// The sandbox disbursement demo app (api-facts §19.1, `payment_id` `CASHIN`).
pub const DISBURSEMENT_DEMO_APP_ID: i64 = 15555;

/// An RSA public key that could not be parsed (see [`App::with_rsa_public_key_base64`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKeyError(String);

impl std::fmt::Display for RsaKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid RSA public key: {}", self.0)
    }
}

impl std::error::Error for RsaKeyError {}

/// One merchant app the emulator knows, with its key pair.
///
/// `Debug` never shows the keys (they are [`SecretKey`]s).
#[derive(Clone, Debug)]
pub struct App {
    /// The app id (`app_id` / `appid` / `appId` on the wire).
    pub app_id: i64,
    /// The merchant's name, shown on the wallet's payment page (default: "Merchant app N").
    pub name: Option<String>,
    /// key1: verifies every merchant → gateway request.
    pub key1: SecretKey,
    /// key2: signs callbacks and redirect checksums.
    pub key2: SecretKey,
    /// The callback URL "registered on the merchant portal": used when an order carries no
    /// `callback_url` of its own. `None`: such orders get no callback.
    pub callback_url: Option<String>,
    /// The redirect URL "registered on the merchant portal": used after payment when the order's
    /// `embed_data` has no `redirecturl`.
    pub redirect_url: Option<String>,
    /// The merchant's RSA public key, for disbursement top-up's `sig`. With one, `sig` must be
    /// `base64(RSASSA-PKCS1-v1_5-SHA256(private key, hex HMAC))` as at the real gateway; with
    /// `None`, the emulator accepts the hex HMAC-SHA256(key1, input) itself as `sig`.
    pub rsa_public_key: Option<RsaPublicKey>,
}

impl App {
    /// An app with no registered callback or redirect URL; fails if a key is empty.
    pub fn new(
        app_id: i64,
        key1: impl Into<String>,
        key2: impl Into<String>,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            app_id,
            name: None,
            key1: SecretKey::new(KeyKind::Key1, key1)?,
            key2: SecretKey::new(KeyKind::Key2, key2)?,
            callback_url: None,
            redirect_url: None,
            rsa_public_key: None,
        })
    }

    /// Sets the RSA public key top-up signatures are verified with.
    pub fn with_rsa_public_key(mut self, key: RsaPublicKey) -> Self {
        self.rsa_public_key = Some(key);
        self
    }

    /// Sets the RSA public key from base64 of its SubjectPublicKeyInfo DER (`BEGIN PUBLIC
    /// KEY`; PEM armour lines and whitespace are ignored). Fails if it is not such a key.
    pub fn with_rsa_public_key_base64(self, text: &str) -> Result<Self, RsaKeyError> {
        let body: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("-----"))
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| RsaKeyError(format!("not base64: {e}")))?;
        let key =
            RsaPublicKey::from_public_key_der(&der).map_err(|e| RsaKeyError(e.to_string()))?;
        Ok(self.with_rsa_public_key(key))
    }

    /// Sets the merchant's name shown on the payment page.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the registered callback URL.
    pub fn with_callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets the registered redirect URL.
    pub fn with_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.redirect_url = Some(url.into());
        self
    }

    /// The public sandbox demo apps (api-facts §19.1): 2553 and 2554, and the disbursement app
    /// 15555 with [`TEST_RSA_PUBLIC_KEY`], so top-ups signed with the published test private
    /// key verify. ZaloPay publishes no key2 for 15555 (disbursement sends no callbacks), so the
    /// emulator uses its key1 there too.
    pub fn sandbox_demo_apps() -> Vec<App> {
        let demo = [
            (
                2553,
                "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
                "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
            ),
            (
                2554,
                "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
                "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
            ),
        ];
        // The literals are non-empty and the key is valid, so nothing is dropped here.
        let mut apps: Vec<App> = demo
            .into_iter()
            .filter_map(|(id, k1, k2)| {
                App::new(id, k1, k2)
                    .ok()
                    .map(|app| app.with_name(format!("ZaloPay demo shop {id}")))
            })
            .collect();
        let disbursement_key1 = "2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO";
        apps.extend(
            App::new(
                DISBURSEMENT_DEMO_APP_ID,
                disbursement_key1,
                disbursement_key1,
            )
            .ok()
            .and_then(|app| app.with_rsa_public_key_base64(TEST_RSA_PUBLIC_KEY).ok()),
        );
        apps
    }
}

/// The request log's default size: [`EmulatorConfig::request_log_limit`].
pub const DEFAULT_REQUEST_LOG_LIMIT: usize = 100_000;

/// How the emulator behaves.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// The apps that may call the emulator. Default: [`App::sandbox_demo_apps`] (2553, 2554, 15555).
    pub apps: Vec<App>,
    /// How long an order can be paid when it has no `expire_duration_seconds`. Default 15 min.
    pub order_lifetime: Duration,
    /// How many times a callback is *re*-sent after a failed attempt (non-200 answer, an
    /// answer whose `return_code` is not `1`, or no answer). Default 3, i.e. at most 4 POSTs.
    pub callback_retries: u32,
    /// Wait before retry `n` is `n × callback_backoff`. Default 200 ms.
    pub callback_backoff: Duration,
    /// Time allowed for one callback POST. Default 5 s.
    pub callback_timeout: Duration,
    /// The base URL browsers and tests reach the emulator at (used in `order_url`, binding
    /// links, ZOD `orderUrl`). `None`: `http://<bound address>` after [`crate::Emulator::spawn`],
    /// `http://127.0.0.1:8090` for a bare [`crate::Emulator::router`].
    pub public_base_url: Option<String>,
    /// The merchant balance every app starts with for disbursement (VND). Default 1 000 000 000.
    pub disbursement_balance: i64,
    /// The wallet balance every bound user starts with (VND). Default 10 000 000.
    pub wallet_balance: i64,
    /// How long a refund stays processing before it settles, on the emulator's clock: with a
    /// delay, `/v2/refund` answers 3 (processing) and `/v2/query_refund` shows 3 until then,
    /// as the gateway processes refunds asynchronously. Default 0: refunds complete at once.
    pub refund_delay: Duration,
    /// Faults injected for every app without its own (default: none). Changed at run time
    /// with [`crate::EmulatorState::set_faults`] or `POST /emulator/faults`.
    pub faults: Faults,
    /// Faults injected for one app instead of [`EmulatorConfig::faults`].
    pub app_faults: BTreeMap<i64, Faults>,
    /// ZaloPay's RSA private key as the emulator plays it: decrypts quick pay's
    /// `payment_code`. Default: [`TEST_RSA_PRIVATE_KEY`] (public half [`ZALOPAY_PUBLIC_KEY`]).
    /// `None`: quick pay is refused (-401), as nothing can read the code.
    pub zalopay_rsa_key: Option<rsa::RsaPrivateKey>,
    /// How long the faults remember that an id was sent (so a re-send of it gets the next roll,
    /// not the first again): an id is forgotten between one and two of these after its last
    /// request, which keeps memory flat under endless new ids. Default 10 min.
    pub fault_memory: Duration,
    /// A per-app rate limit on the gateway API: requests beyond it are refused with `-429`
    /// LIMIT_REQUEST_REACH before processing. Default `None` (no limit). Changed at run time
    /// with [`crate::EmulatorState::set_rate_limit`].
    pub rate_limit: Option<crate::RateLimit>,
    /// How many of the latest gateway requests the request log keeps
    /// ([`crate::EmulatorState::request_log`]); older ones are dropped first and counted
    /// ([`crate::EmulatorState::request_log_dropped`]), so an emulator left running under load
    /// keeps flat memory. Default 100 000 (about 20 MB). `None` keeps every request: for a
    /// test or a benchmark that reads the whole of a long run.
    pub request_log_limit: Option<usize>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            apps: App::sandbox_demo_apps(),
            order_lifetime: zalopay_api::order::DEFAULT_LIFETIME,
            callback_retries: 3,
            callback_backoff: Duration::from_millis(200),
            callback_timeout: Duration::from_secs(5),
            public_base_url: None,
            disbursement_balance: 1_000_000_000,
            wallet_balance: 10_000_000,
            refund_delay: Duration::ZERO,
            faults: Faults::default(),
            app_faults: BTreeMap::new(),
            zalopay_rsa_key: test_zalopay_key(),
            fault_memory: Duration::from_secs(10 * 60),
            rate_limit: None,
            request_log_limit: Some(DEFAULT_REQUEST_LOG_LIMIT),
        }
    }
}

/// [`TEST_RSA_PRIVATE_KEY`], parsed (a constant that parses; `None` would only refuse quick pay).
fn test_zalopay_key() -> Option<rsa::RsaPrivateKey> {
    use rsa::pkcs8::DecodePrivateKey as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(TEST_RSA_PRIVATE_KEY)
        .ok()?;
    rsa::RsaPrivateKey::from_pkcs8_der(&der).ok()
}
