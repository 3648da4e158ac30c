//! A tracker process for the crash test (`tests/tracker_crash.rs`): creates orders
//! `<yyMMdd>_crash<n>` for n in 0..COUNT through the tracker (skipping those already
//! recorded), then polls and dispatches until killed. Its clock is a file the test writes
//! (Unix ms), so the test moves time for it and the emulator alike; every event handed to
//! its handler is appended to the events file.
//!
//! Environment: `WORKER_DB`, `WORKER_GATEWAY` (base URL), `WORKER_CLOCK_FILE`,
//! `WORKER_EVENTS_FILE`, `WORKER_COUNT`, `WORKER_INSTANCE`.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zalopay_api::ids::AppTransId;

use axum::body::Bytes;
use axum::extract::State;
use zalopay_api::clock::Clock;
use zalopay_api::order::CreateOrder;
use zalopay_api::{Client, Config, Environment, Keys, RetryPolicy};
use zalopay_tracker::{Event, EventHandler, SqlStore, Tracker, TrackerConfig};

const APP_ID: i64 = 2553;
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// Reads "now" from a file the test writes; keeps the last good value if a read fails.
struct FileClock {
    path: String,
    last: Mutex<i64>,
}

impl Clock for FileClock {
    fn now_ms(&self) -> i64 {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(text) = std::fs::read_to_string(&self.path)
            && let Ok(now) = text.trim().parse::<i64>()
        {
            *last = now.max(*last);
        }
        *last
    }
}

/// Appends each event's key and kind to a file (one `write` per line, so a kill never leaves
/// half a line).
struct AppendHandler {
    file: Mutex<std::fs::File>,
}

impl EventHandler for AppendHandler {
    type Error = std::io::Error;

    async fn handle(&self, event: &Event) -> Result<(), std::io::Error> {
        let line = format!("{} {}\n", event.idempotency_key, event.outcome.kind());
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(line.as_bytes())
    }
}

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let db = var("WORKER_DB")?;
    let gateway = var("WORKER_GATEWAY")?;
    let count: u32 = var("WORKER_COUNT")?
        .parse()
        .map_err(|e| format!("WORKER_COUNT: {e}"))?;
    let clock = Arc::new(FileClock {
        path: var("WORKER_CLOCK_FILE")?,
        last: Mutex::new(0),
    });
    let events = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(var("WORKER_EVENTS_FILE")?)
        .map_err(|e| e.to_string())?;
    let keys = Keys::new(KEY1, KEY2).map_err(|e| e.to_string())?;
    let config = Config::new(APP_ID, keys, Environment::Custom(gateway))
        .with_clock(clock.clone())
        .with_retry(RetryPolicy::none());
    let client = Client::new(config).map_err(|e| e.to_string())?;
    let store = SqlStore::connect(&db).await.map_err(|e| e.to_string())?;
    let tracker = Tracker::new(
        store,
        client,
        TrackerConfig::new(var("WORKER_INSTANCE")?)
            .with_lease(Duration::from_secs(30))
            .with_jitter_seed(11),
    );

    let app = axum::Router::new()
        .route(
            "/callback",
            axum::routing::post(
                |State(tracker): State<Tracker<SqlStore>>, body: Bytes| async move {
                    axum::Json(tracker.handle_callback(&body).await)
                },
            ),
        )
        .with_state(tracker.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let callback_url = format!(
        "http://{}/callback",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let handler = AppendHandler {
        file: Mutex::new(events),
    };
    let runner = {
        let tracker = tracker.clone();
        tokio::spawn(async move {
            tracker
                .run(&handler, Duration::from_millis(5), std::future::pending())
                .await;
        })
    };

    for n in 0..count {
        let now = clock.now_ms();
        let id = AppTransId::with_unique(now, &format!("crash{n}")).map_err(|e| e.to_string())?;
        let mut request = CreateOrder::builder()
            .app_id(APP_ID)
            .app_trans_id(&id)
            .app_user("buyer")
            .amount(1_000 + i64::from(n))
            .description(format!("Order #{n}"))
            .build();
        request.callback_url = Some(callback_url.clone());
        // A failed create is the tracker's to resolve; carry on with the next order.
        if let Err(error) = tracker
            .create_order(&request, &serde_json::json!({ "n": n }))
            .await
        {
            eprintln!("create {id}: {error}");
        }
    }
    println!("created {count}");
    runner.await.map_err(|e| e.to_string())
}
