//! Shared by the tracker's integration tests: real databases and the emulator.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use zalopay_api::ids::AppTransId;

mod pg;
#[allow(unused_imports)] // not every test binary uses Postgres
pub use pg::fresh_postgres;

static FILES: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite file path in the temp dir.
pub fn fresh_sqlite(name: &str) -> String {
    let n = FILES.fetch_add(1, Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("zalopay-tracker-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("tracker.db").to_string_lossy().into_owned()
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

use zalopay_api::order::CreateOrder;
use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
use zalopay_emulator::{
    Emulator, EmulatorConfig, EmulatorState, Faults, ManualClock, RunningEmulator,
};
use zalopay_tracker::{Event, EventHandler, Store, Tracker, TrackerConfig};

/// 2025-12-01T12:00:00Z: the start of every test's clock.
pub const START_MS: i64 = 1_764_590_400_000;
/// The sandbox demo app the emulator knows.
pub const APP_ID: i64 = 2553;
pub const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
pub const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// An emulator on its manual clock.
pub struct Bench {
    pub emulator: RunningEmulator,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

impl Bench {
    pub async fn new(config: EmulatorConfig) -> Self {
        let clock = ManualClock::new(START_MS);
        let state = EmulatorState::with_clock(config, Arc::new(clock.clone()));
        let emulator = Emulator::spawn(state, ([127, 0, 0, 1], 0).into())
            .await
            .unwrap();
        Self {
            emulator,
            clock,
            http: reqwest::Client::new(),
        }
    }

    pub async fn with_faults(faults: Faults) -> Self {
        let bench = Self::new(EmulatorConfig::default()).await;
        bench.emulator.state().set_faults(None, faults).unwrap();
        bench
    }

    pub fn now(&self) -> i64 {
        zalopay_emulator::Clock::now_ms(&self.clock)
    }

    pub fn advance_secs(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    pub fn client(&self) -> Client {
        let config = Config::new(
            APP_ID,
            Keys::new(KEY1, KEY2).unwrap(),
            Environment::Custom(self.emulator.base_url()),
        )
        .with_clock(Arc::new(self.clock.clone()))
        .with_retry(RetryPolicy::none());
        Client::new(config).unwrap()
    }

    /// Pays an order on the wallet side (the callback goes out as the emulator decides).
    pub async fn pay(&self, app_trans_id: &str) {
        self.emulator_post(&format!(
            "/emulator/orders/{app_trans_id}/pay?app_id={APP_ID}"
        ))
        .await;
    }

    pub async fn cancel(&self, app_trans_id: &str) {
        self.emulator_post(&format!(
            "/emulator/orders/{app_trans_id}/cancel?app_id={APP_ID}"
        ))
        .await;
    }

    async fn emulator_post(&self, path: &str) {
        let response = self
            .http
            .post(format!("{}{path}", self.emulator.base_url()))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        assert!(body.contains("\"return_code\":1"), "{path}: {body}");
    }
}

/// `yyMMdd_<suffix>` dated by the test clock.
pub fn order_id(now_ms: i64, suffix: &str) -> String {
    AppTransId::with_unique(now_ms, suffix)
        .unwrap()
        .into_string()
}

/// A create order request at `now` with an optional callback URL.
pub fn create_request(id: &str, amount: i64, now: i64, callback_url: Option<&str>) -> CreateOrder {
    let mut request = CreateOrder::builder()
        .app_id(APP_ID)
        .app_trans_id(AppTransId::try_from(id).unwrap())
        .app_user("buyer")
        .amount(amount)
        .app_time(now)
        .description(format!("Order #{id}"))
        .build();
    request.callback_url = callback_url.map(str::to_owned);
    request
}

/// Serves `POST /callback` for a tracker on a free port; returns the callback URL.
pub async fn callback_server<S: Store>(tracker: Tracker<S>) -> String {
    use axum::body::Bytes;
    use axum::extract::State;
    let app = axum::Router::new()
        .route(
            "/callback",
            axum::routing::post(
                |State(tracker): State<Tracker<S>>, body: Bytes| async move {
                    axum::Json(tracker.handle_callback(&body).await)
                },
            ),
        )
        .with_state(tracker);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/callback")
}

/// A tracker over `store` with the test client and a fixed jitter seed.
pub fn tracker<S: Store>(bench: &Bench, store: S, instance: &str) -> Tracker<S> {
    Tracker::new(
        store,
        bench.client(),
        TrackerConfig::new(instance).with_jitter_seed(7),
    )
}

/// Records every event it is handed; fails while `failing` is set.
#[derive(Debug, Default)]
pub struct Recorder {
    pub seen: Mutex<Vec<Event>>,
    pub failing: std::sync::atomic::AtomicBool,
}

impl Recorder {
    pub fn keys(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.idempotency_key.clone())
            .collect()
    }
}

impl EventHandler for Recorder {
    type Error = String;

    async fn handle(&self, event: &Event) -> Result<(), String> {
        self.seen.lock().unwrap().push(event.clone());
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("merchant database down".to_owned());
        }
        Ok(())
    }
}

/// Waits (real time, bounded) until `check` holds; for callbacks that travel over HTTP.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("gave up waiting for: {what}");
}
