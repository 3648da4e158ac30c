//! The emulator's memory: orders, refunds, bindings, top-ups, and the callbacks it owes.
//!
//! Everything lives behind one `std::sync::Mutex`, held only for short synchronous sections
//! (never across an `.await`).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use zalopay_api::clock::{Clock, SystemClock};

use crate::attempts::Attempts;
use crate::config::{App, EmulatorConfig};
use crate::faults::RequestPlan;
use crate::faults::{ActiveFaults, FaultError, Faults, hits, roll};
use crate::records::{Binding, Books, Key, Order, Refund, Topup, lock};
use crate::request_log::{RecentRequests, RequestRecord};
#[cfg(feature = "sqlite")]
use crate::storage::Storage;

/// The request log and, per (operation, app, merchant id), how many requests came.
pub(crate) struct RequestLog {
    records: RecentRequests,
    attempts: Attempts,
}

pub(crate) struct Inner {
    pub config: EmulatorConfig,
    pub apps: HashMap<i64, App>,
    pub clock: Arc<dyn Clock>,
    pub base_url: RwLock<Option<String>>,
    pub books: Mutex<Books>,
    pub http: Option<reqwest::Client>,
    seq: AtomicU64,
    seed: u64,
    /// Start of the monotonic clock the request log uses.
    started: Instant,
    request_seq: AtomicU64,
    requests: Mutex<RequestLog>,
    faults: Mutex<ActiveFaults>,
    /// The per-app rate limit (D-162).
    pub(crate) limiter: crate::limiter::Limiter,
    /// Added to `clock`: how far the clock was advanced by hand.
    clock_offset_ms: AtomicI64,
    /// Signalled whenever the clock is advanced by hand.
    clock_moved: tokio::sync::watch::Sender<()>,
    /// Where the state is kept across restarts, if anywhere.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    storage: Option<Storage>,
}

/// Without the `sqlite` feature there is never any storage.
#[cfg(not(feature = "sqlite"))]
pub(crate) enum Storage {}

/// The emulator's shared state: configuration, clock and memory. Cheap to clone.
#[derive(Clone)]
pub struct EmulatorState {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for EmulatorState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorState")
            .field("apps", &self.inner.apps.keys().collect::<Vec<_>>())
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

/// The emulator's clock as the SDK's [`Clock`]: a client, poller or tracker given the state
/// reads the gateway's time, [`EmulatorState::advance_clock`] included.
impl Clock for EmulatorState {
    fn now_ms(&self) -> i64 {
        EmulatorState::now_ms(self)
    }
}

impl EmulatorState {
    /// State on the system clock.
    pub fn new(config: EmulatorConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// State on the given clock (a [`crate::ManualClock`] in tests).
    pub fn with_clock(config: EmulatorConfig, clock: Arc<dyn Clock>) -> Self {
        Self::build(config, clock, Books::default(), 0, 0, None)
    }

    /// State kept in `dir/emulator.sqlite3` (created if missing): what it holds is loaded,
    /// and every change is written there before the answer goes out, so a restart on the
    /// same directory loses nothing (see [`crate::StorageError`] for what can fail).
    #[cfg(feature = "sqlite")]
    pub fn open(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        dir: &std::path::Path,
    ) -> Result<Self, crate::storage::StorageError> {
        let (storage, books, meta) = crate::storage::Storage::open(dir)?;
        let state = Self::build(
            config,
            clock,
            books,
            meta.seq,
            meta.clock_offset_ms,
            Some(storage),
        );
        tracing::info!(dir = %dir.display(), orders = state.books().orders.len(), "emulator state loaded");
        Ok(state)
    }

    fn build(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        books: Books,
        seq: u64,
        clock_offset_ms: i64,
        storage: Option<Storage>,
    ) -> Self {
        let apps = config
            .apps
            .iter()
            .map(|app| (app.app_id, app.clone()))
            .collect();
        let http = match reqwest::Client::builder()
            .timeout(config.callback_timeout)
            .user_agent("zalopay-emulator")
            .build()
        {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::error!(%error, "cannot build the HTTP client: callbacks will fail");
                None
            }
        };
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let attempts = Attempts::new(config.fault_memory);
        let faults = ActiveFaults {
            global: config.faults.clone(),
            apps: config.app_faults.clone(),
        };
        let limiter = crate::limiter::Limiter::new(config.rate_limit);
        let records = RecentRequests::new(config.request_log_limit);
        Self {
            inner: Arc::new(Inner {
                base_url: RwLock::new(config.public_base_url.clone()),
                config,
                apps,
                clock,
                books: Mutex::new(books),
                http,
                seq: AtomicU64::new(seq),
                seed,
                started: Instant::now(),
                request_seq: AtomicU64::new(0),
                requests: Mutex::new(RequestLog { records, attempts }),
                faults: Mutex::new(faults),
                limiter,
                clock_offset_ms: AtomicI64::new(clock_offset_ms),
                clock_moved: tokio::sync::watch::Sender::new(()),
                storage,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// Now on the emulator's clock, Unix ms: the configured clock plus every
    /// [`EmulatorState::advance_clock`] so far.
    pub fn now_ms(&self) -> i64 {
        self.inner
            .clock
            .now_ms()
            .saturating_add(self.inner.clock_offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the emulator's clock forward (`POST /emulator/clock/advance?seconds=N`): orders
    /// past their lifetime expire, orders older than 48 h leave the query API, refunds past
    /// their delay settle, and callback retries waiting for that time are sent. Returns the
    /// new time.
    pub fn advance_clock(&self, by: Duration) -> i64 {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ =
            self.inner
                .clock_offset_ms
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                    Some(offset.saturating_add(ms))
                });
        self.inner.clock_moved.send_replace(());
        self.now_ms()
    }

    /// Completes once the emulator's clock reads `at_ms` or later through
    /// [`EmulatorState::advance_clock`] (a clock moving by itself is not watched: pair this
    /// with a real-time wait).
    pub(crate) async fn clock_reaches(&self, at_ms: i64) {
        let mut moved = self.inner.clock_moved.subscribe();
        while self.now_ms() < at_ms {
            if moved.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The base URL used in the links the emulator hands out (no trailing `/`).
    pub fn base_url(&self) -> String {
        let guard = self
            .inner
            .base_url
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8090".to_owned())
    }

    /// Sets the base URL if the configuration did not give one.
    pub(crate) fn default_base_url(&self, url: String) {
        let mut guard = self
            .inner
            .base_url
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(url);
        }
    }

    /// A known app.
    pub fn app(&self, app_id: i64) -> Option<&App> {
        self.inner.apps.get(&app_id)
    }

    pub(crate) fn books(&self) -> MutexGuard<'_, Books> {
        self.inner
            .books
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every order, oldest first (expired ones marked as such).
    pub fn orders(&self) -> Vec<Order> {
        let now = self.now_ms();
        let mut books = self.books();
        let keys: Vec<Key> = books.orders.keys().cloned().collect();
        for key in &keys {
            books.refresh(key, now);
        }
        let mut out: Vec<Order> = books.orders.values().cloned().collect();
        out.sort_by(|a, b| {
            (a.created_at_ms, a.app_id, &a.app_trans_id).cmp(&(
                b.created_at_ms,
                b.app_id,
                &b.app_trans_id,
            ))
        });
        out
    }

    /// Every accepted refund, oldest first.
    pub fn refunds(&self) -> Vec<Refund> {
        let mut out: Vec<Refund> = self.books().refunds.values().cloned().collect();
        out.sort_by_key(|r| (r.created_at_ms, r.refund_id));
        out
    }

    /// Every binding, oldest first.
    pub fn bindings(&self) -> Vec<Binding> {
        let mut out: Vec<Binding> = self.books().bindings.values().cloned().collect();
        out.sort_by(|a, b| {
            (a.created_at_ms, &a.app_trans_id).cmp(&(b.created_at_ms, &b.app_trans_id))
        });
        out
    }

    /// Every top-up, by ZaloPay order id.
    pub fn topups(&self) -> Vec<Topup> {
        let mut out: Vec<Topup> = self.books().topups.values().cloned().collect();
        out.sort_by_key(|t| t.order_id);
        out
    }

    /// The gateway API requests served, in arrival order (see [`RequestRecord`]): every one
    /// since the start or the last [`clear_request_log`](Self::clear_request_log), but the
    /// oldest beyond [`EmulatorConfig::request_log_limit`].
    pub fn request_log(&self) -> Vec<RequestRecord> {
        lock(&self.inner.requests).records.to_vec()
    }

    /// How many requests the log dropped to stay within
    /// [`EmulatorConfig::request_log_limit`] since the start or the last clear.
    pub fn request_log_dropped(&self) -> u64 {
        lock(&self.inner.requests).records.dropped()
    }

    /// How many requests the log holds now (without copying them).
    pub(crate) fn request_log_len(&self) -> usize {
        lock(&self.inner.requests).records.len()
    }

    /// Gateway API requests that arrived since the emulator started (kept in the log or not).
    pub fn requests_served(&self) -> u64 {
        self.inner.request_seq.load(Ordering::SeqCst)
    }

    /// Empties the request log and its dropped count (the attempt counts faults are derived
    /// from are kept).
    pub fn clear_request_log(&self) {
        lock(&self.inner.requests).records.clear();
    }

    /// The faults in force.
    pub fn faults(&self) -> ActiveFaults {
        lock(&self.inner.faults).clone()
    }

    /// Replaces the global faults (`app_id` `None`) or those of one app. Fails, changing
    /// nothing, if a rate is outside `0.0..=1.0`.
    pub fn set_faults(&self, app_id: Option<i64>, faults: Faults) -> Result<(), FaultError> {
        faults.validate()?;
        let mut active = lock(&self.inner.faults);
        match app_id {
            Some(id) => {
                active.apps.insert(id, faults);
            }
            None => active.global = faults,
        }
        Ok(())
    }

    /// Replaces the per-app rate limit (`None`: no limit); every app's bucket starts full.
    pub fn set_rate_limit(&self, limit: Option<crate::RateLimit>) {
        self.inner.limiter.set(limit);
    }

    /// The per-app rate limit in force.
    pub fn rate_limit(&self) -> Option<crate::RateLimit> {
        self.inner.limiter.limit()
    }

    /// The faults that apply to `app_id` (its own, else the global ones).
    pub(crate) fn faults_for(&self, app_id: i64) -> Faults {
        let mut active = lock(&self.inner.faults);
        active.for_app_mut(Some(app_id)).clone()
    }

    /// Writes what changed to the data directory, if there is one; fails if it could not.
    pub(crate) fn persist(&self) -> Result<(), String> {
        #[cfg(feature = "sqlite")]
        if let Some(storage) = &self.inner.storage {
            return storage
                .save(|| {
                    let rows = crate::storage::rows(&self.books());
                    let meta = crate::storage::Meta {
                        seq: self.inner.seq.load(Ordering::SeqCst),
                        clock_offset_ms: self.inner.clock_offset_ms.load(Ordering::SeqCst),
                    };
                    (rows, meta)
                })
                .map_err(|e| {
                    tracing::error!(error = %e, "the emulator's state could not be saved");
                    e.to_string()
                });
        }
        Ok(())
    }

    /// Microseconds since the emulator started, on a monotonic real clock.
    pub(crate) fn elapsed_us(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    pub(crate) fn next_request_seq(&self) -> u64 {
        self.inner
            .request_seq
            .fetch_add(1, Ordering::SeqCst)
            .saturating_add(1)
    }

    /// Counts the request and decides what the faults in force do to it. The choice is
    /// derived from the seed, the operation, the app, the merchant's id and how many times
    /// that id was sent to that operation (requests without an id use their arrival number).
    pub(crate) fn plan_request(
        &self,
        operation: &'static str,
        app_id: Option<i64>,
        merchant_id: Option<&str>,
        seq: u64,
    ) -> RequestPlan {
        let attempt = match merchant_id {
            Some(id) => {
                let mut log = lock(&self.inner.requests);
                log.attempts
                    .count((operation, app_id, id.to_owned()), Instant::now())
            }
            None => seq,
        };
        let mut active = lock(&self.inner.faults);
        let faults = active.for_app_mut(app_id);
        if !faults.covers(operation) {
            return RequestPlan::default();
        }
        let app = app_id.map(|id| id.to_string()).unwrap_or_default();
        let parts = [operation, app.as_str(), merchant_id.unwrap_or("")];
        let fail = if faults.fail_burst > 0 {
            faults.fail_burst = faults.fail_burst.saturating_sub(1);
            true
        } else {
            hits(faults.fail_rate, roll(faults.seed, "fail", &parts, attempt))
        };
        let reset = !fail
            && if faults.reset_burst > 0 {
                faults.reset_burst = faults.reset_burst.saturating_sub(1);
                true
            } else {
                hits(
                    faults.reset_rate,
                    roll(faults.seed, "reset", &parts, attempt),
                )
            };
        RequestPlan {
            latency: (faults.latency_ms > 0).then(|| Duration::from_millis(faults.latency_ms)),
            fail: fail.then_some(faults.fail_with),
            reset,
        }
    }

    pub(crate) fn record_request(&self, record: RequestRecord) {
        lock(&self.inner.requests).records.push(record);
    }

    /// A fresh id: `yyMMdd` (Vietnam time, emulator clock) followed by 9 digits.
    pub(crate) fn next_id(&self) -> i64 {
        let seq = self
            .inner
            .seq
            .fetch_add(1, Ordering::SeqCst)
            .wrapping_add(1);
        // At most 991231 (six digits): the product and sum stay far below i64::MAX.
        let day: i64 = crate::vietnam::yymmdd(self.now_ms()).parse().unwrap_or(0);
        let serial = i64::try_from(seq.checked_rem(1_000_000_000).unwrap_or(0)).unwrap_or(0);
        day.saturating_mul(1_000_000_000).saturating_add(serial)
    }

    /// A fresh opaque token (24 URL-safe characters, like `ACdrmzS_TGxHZyafUiHs3OjQ`).
    pub(crate) fn next_token(&self) -> String {
        let seq = self
            .inner
            .seq
            .fetch_add(1, Ordering::SeqCst)
            .wrapping_add(1);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        hasher.write_u64(self.inner.seed);
        hasher.write_u64(seq);
        let mut bytes = [0u8; 18];
        bytes[..8].copy_from_slice(&hasher.finish().to_be_bytes());
        bytes[8..16].copy_from_slice(&seq.to_be_bytes());
        bytes[16..].copy_from_slice(&self.inner.seed.to_be_bytes()[..2]);
        URL_SAFE_NO_PAD.encode(bytes)
    }
}
