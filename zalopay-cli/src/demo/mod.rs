//! `zalopay demo`: the local emulator plus a small merchant shop, wired as ZaloPay's
//! Web-to-App flow: the reference merchant back end to copy, on axum and [`zalopay_tracker`].
//!
//! What a merchant copies (`shop.rs`, about 250 lines with the fulfilment handler):
//!
//! 1. **Create the order, recorded before it is sent.** `POST /checkout` builds a
//!    [`CreateOrder`](zalopay_api::order::CreateOrder) with a fresh
//!    [`AppTransId`](zalopay_api::ids::AppTransId) (logged before sending), `bank_code`
//!    `zalopayapp`, `embed_data.redirecturl` = the shop's `/result` and `callback_url` = the
//!    shop's `/callback`, and hands it to [`Tracker::create_order`], which stores the order and
//!    then sends it. An answer lost on the way is resolved by a status query under the same
//!    id, never by a second order.
//! 2. **The callback route goes through the tracker.** `POST /callback` passes the raw body to
//!    [`Tracker::handle_callback`]: verified with key2, recorded once (a duplicate changes
//!    nothing), answered as ZaloPay expects. If no callback comes within a grace period, the
//!    tracker's own poll pass queries `/v2/query` instead; both feed one state machine in
//!    which money received wins.
//! 3. **Fulfil from the tracker's events, not from the browser.** [`Tracker::run`] delivers each
//!    outcome once to an [`EventHandler`](zalopay_tracker::EventHandler) (the shop's
//!    `Fulfilment`) until it succeeds: idempotent on the event's key. The redirect to `/result`
//!    is only checked (checksum) and shown; it is never taken as a payment.
//! 4. **The status page reads the tracker's database.** `GET /order/{id}/status` turns the
//!    tracked order into what the buyer sees (`status.rs`): waiting, declined (can still pay),
//!    paid, failed, or *needs attention* when ZaloPay reports another amount than the order's.
//! 5. **Refunds go the same way.** `POST /order/{id}/refund` (the button on a paid order)
//!    hands a full [`RefundOrder`](zalopay_api::refund::RefundOrder) to [`Tracker::refund`]:
//!    its [`MRefundId`](zalopay_api::ids::MRefundId) is logged and stored before sending,
//!    a second press the same day is the same refund, and the tracker follows it until
//!    final; `GET /refund/{m_refund_id}` shows it.
//!
//! What is demo only (this file, `pages.rs`, `products.rs`): starting the emulator beside the
//! shop, the product table, and the HTML. The order page shows `order_url` as a QR code and a
//! link to the emulator's wallet page; paying there sends the signed callback and redirects the
//! browser; cancelling sends no callback, so the poll finds the order failed (`2`/`-329`).
//!
//! The shop keeps its orders in a [`zalopay_tracker`] database (SQLite under `--data-dir`, a
//! temp file without one). After a restart with the same `--data-dir` an order created before
//! it can still be paid and shows its result.

mod pages;
mod products;
mod shop;
mod status;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use zalopay_api::clock::{Clock as _, SystemClock};
use zalopay_api::{Client, Config, Environment, Keys};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, RunningEmulator};
use zalopay_tracker::{Schedule, SqlStore, Store, Tracker, TrackerConfig};

use crate::CliError;
use crate::credentials::{DEMO_APP_ID, DEMO_KEY1, DEMO_KEY2};
use shop::{Fulfilment, Shop};
pub use status::{PaymentStatus, ShopOrder};

/// Where the demo listens and how patient it is.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The shop's address (use port 0 for a free port).
    pub shop_addr: SocketAddr,
    /// The emulator's address (use port 0 for a free port). With
    /// [`emulator_data_dir`](Self::emulator_data_dir), a port-0 address is replaced by the
    /// address the emulator had at the last start, kept in that directory: the wallet links
    /// (`order_url`) of orders created before a restart point there and must keep working.
    pub emulator_addr: SocketAddr,
    /// How long the shop waits for a callback before it starts polling the order status.
    pub callback_grace: Duration,
    /// Time between status queries once polling.
    pub poll_interval: Duration,
    /// Where the emulator keeps its state across restarts (`None`: in memory).
    pub emulator_data_dir: Option<std::path::PathBuf>,
    /// Where the shop keeps its tracker database (`shop.db`; `None`: a fresh temp file).
    pub shop_data_dir: Option<std::path::PathBuf>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            shop_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            emulator_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            callback_grace: Duration::from_secs(3),
            poll_interval: Duration::from_secs(1),
            emulator_data_dir: None,
            shop_data_dir: None,
        }
    }
}

/// A running demo: the emulator and the shop. Dropping it leaves both running until the
/// runtime ends; call [`DemoHandle::shutdown`] to stop them.
pub struct DemoHandle {
    shop: Arc<Shop>,
    shop_addr: SocketAddr,
    emulator: RunningEmulator,
    stop: watch::Sender<bool>,
    shop_stop: Option<oneshot::Sender<()>>,
    shop_task: JoinHandle<std::io::Result<()>>,
    tracker_task: JoinHandle<()>,
    /// The shop's database when it is a temp file (removed at shutdown).
    temp_db: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for DemoHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoHandle")
            .field("shop_url", &self.shop_url())
            .field("emulator_url", &self.emulator_url())
            .finish()
    }
}

impl DemoHandle {
    /// `http://127.0.0.1:PORT` of the shop.
    pub fn shop_url(&self) -> String {
        format!("http://{}", self.shop_addr)
    }

    /// `http://127.0.0.1:PORT` of the emulator.
    pub fn emulator_url(&self) -> String {
        self.emulator.base_url()
    }

    /// The emulator's state (for tests and inspection).
    pub fn emulator_state(&self) -> &EmulatorState {
        self.emulator.state()
    }

    /// A snapshot of the shop's orders, most recent first.
    pub async fn orders(&self) -> Result<Vec<ShopOrder>, CliError> {
        let orders = self.shop.tracker.store().orders(1_000).await?;
        Ok(orders.iter().map(status::shop_order).collect())
    }

    /// The shop's tracker (its database, events).
    pub fn tracker(&self) -> &Tracker<SqlStore> {
        &self.shop.tracker
    }

    /// Stops the shop (and its pollers) and the emulator.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(stop) = self.shop_stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.shop_task).await;
        let _ = (&mut self.tracker_task).await;
        let _ = self.emulator.shutdown().await;
        if let Some(db) = self.temp_db.take() {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = db.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The file, in the emulator's data directory, that keeps the address it listened on.
const EMULATOR_ADDRESS_FILE: &str = "demo-address";

/// The emulator address to bind: the one asked for, or with a port-0 request and a data
/// directory, the address kept from the last start (so earlier orders' links still work).
fn emulator_addr(options: &DemoOptions) -> Result<(SocketAddr, bool), CliError> {
    let kept = match &options.emulator_data_dir {
        Some(dir) if options.emulator_addr.port() == 0 => {
            match std::fs::read_to_string(dir.join(EMULATOR_ADDRESS_FILE)) {
                Ok(text) => Some(text.trim().parse::<SocketAddr>().map_err(|e| {
                    CliError::new(format!(
                        "{}: not an address ({e}); delete the file to pick a new one",
                        dir.join(EMULATOR_ADDRESS_FILE).display()
                    ))
                })?),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => return Err(error.into()),
            }
        }
        _ => None,
    };
    Ok(match kept {
        Some(addr) => (addr, true),
        None => (options.emulator_addr, false),
    })
}

/// Starts the emulator and the shop; returns once both listen.
pub async fn start(options: DemoOptions) -> Result<DemoHandle, CliError> {
    let (emulator_addr, kept) = emulator_addr(&options)?;
    let emulator_state = match &options.emulator_data_dir {
        Some(dir) => EmulatorState::open(
            EmulatorConfig::default(),
            std::sync::Arc::new(zalopay_emulator::SystemClock),
            dir,
        )
        .map_err(|e| CliError::new(format!("emulator data in {}: {e}", dir.display())))?,
        None => EmulatorState::new(EmulatorConfig::default()),
    };
    let emulator = Emulator::spawn(emulator_state, emulator_addr)
        .await
        .map_err(|e| {
            CliError::new(if kept {
                format!(
                    "cannot start the emulator on {emulator_addr}, its address at the last start (kept so that earlier orders' wallet links still work): {e}; free that port, or use a new --data-dir"
                )
            } else {
                format!("cannot start the emulator on {emulator_addr}: {e}")
            })
        })?;
    if let Some(dir) = &options.emulator_data_dir {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(EMULATOR_ADDRESS_FILE), emulator.addr().to_string())?;
    }
    let listener = tokio::net::TcpListener::bind(options.shop_addr)
        .await
        .map_err(|e| {
            CliError::new(format!(
                "cannot start the shop on {}: {e} (try --port)",
                options.shop_addr
            ))
        })?;
    let shop_addr = listener.local_addr()?;
    let keys = Keys::new(DEMO_KEY1, DEMO_KEY2)?;
    let config = Config::new(
        DEMO_APP_ID,
        keys.clone(),
        Environment::Custom(emulator.base_url()),
    );
    let (db, temp_db) = match &options.shop_data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            (dir.join("shop.db"), None)
        }
        None => {
            // Unique per demo, also for two demos started in one millisecond by one process.
            static DEMOS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = DEMOS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let db = std::env::temp_dir().join(format!(
                "zalopay-demo-shop-{}-{}-{n}.db",
                std::process::id(),
                SystemClock.now_ms()
            ));
            (db.clone(), Some(db))
        }
    };
    let store = SqlStore::connect(&db.to_string_lossy()).await?;
    let mut schedule = Schedule::default()
        .with_interval(options.poll_interval)
        .with_jitter(Duration::from_millis(100));
    schedule.first_query_after = options.callback_grace;
    schedule.initial_backoff = options.poll_interval;
    let mut tracker_config = TrackerConfig::new("demo-shop").with_schedule(schedule);
    tracker_config.event_retry = Duration::from_secs(1);
    let tracker = Tracker::new(store, Client::new(config)?, tracker_config);
    let (stop, mut stopping) = watch::channel(false);
    let shop = Arc::new(Shop {
        tracker: tracker.clone(),
        base_url: format!("http://{shop_addr}"),
    });
    let tracker_task = tokio::spawn(async move {
        let stopped = async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        tracker
            .run(&Fulfilment, Duration::from_millis(100), stopped)
            .await;
    });
    let app = Shop::router(Arc::clone(&shop));
    let (shop_stop, stopped) = oneshot::channel::<()>();
    let shop_task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(DemoHandle {
        shop,
        shop_addr,
        emulator,
        stop,
        shop_stop: Some(shop_stop),
        shop_task,
        tracker_task,
        temp_db,
    })
}
