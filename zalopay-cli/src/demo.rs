//! `zalopay demo`: the local emulator plus a tiny merchant shop, wired as ZaloPay's Web-to-App
//! flow.
//!
//! 1. The product page has a "Pay with ZaloPay" button (`/checkout?product=…`).
//! 2. The shop's server creates the order with the SDK against the emulator: `bank_code`
//!    `zalopayapp`, `embed_data.redirecturl` = the shop's `/result`, `callback_url` = the
//!    shop's `/callback` (mounted with [`zalopay_api::axum::callback_router`]).
//! 3. The order page shows `order_url` as a QR code (SVG rendered here, no external assets) and
//!    as a link to the emulator's wallet page.
//! 4. Paying there sends the signed callback to the shop, which records the order as paid, and
//!    redirects the browser to `/result` (checksum verified), then to the order page.
//! 5. The order page asks `/order/{id}/status` every second. If no callback came within a few
//!    seconds, the shop's tracker polls `/v2/query` instead.
//! 6. Cancelling on the wallet page sends no callback: that poll finds the order failed
//!    (`2`/`-329`) and the order page says so.
//!
//! The shop keeps its orders in a [`zalopay_tracker`] database (SQLite under `--data-dir`, a
//! temp file without one): recorded before the create is sent, callback and polls fed into
//! one state machine (money received wins; a duplicate callback changes nothing), each
//! outcome handed once to the shop's fulfilment. After a restart with the same `--data-dir`
//! an order created before it can still be paid and shows its result.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use zalopay_api::clock::{Clock as _, SystemClock};
use zalopay_api::codes::{CodeClass, SubReturnCode};
use zalopay_api::ids::AppTransId;
use zalopay_api::order::CreateOrder;
use zalopay_api::{Client, Config, Environment, JsonString, Keys};
use zalopay_emulator::{
    Emulator, EmulatorConfig, EmulatorState, RunningEmulator, escape_html as escape,
};
use zalopay_tracker::{
    Event, EventHandler, OrderState, Outcome, Schedule, Source, SqlStore, Store, TrackedOrder,
    Tracker, TrackerConfig,
};

use crate::CliError;
use crate::credentials::{DEMO_APP_ID, DEMO_KEY1, DEMO_KEY2};

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

/// Where an order stands, as far as the shop knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    /// Not paid yet (or no word yet).
    Waiting,
    /// The last payment attempt failed or was cancelled, but the order has not expired: it
    /// can still be paid, and only the query after expiry says it failed (D-101).
    Declined,
    /// Paid: confirmed by the callback or by a status query.
    Paid,
    /// Failed, cancelled or expired (learnt by a status query).
    Failed,
}

/// One order of the shop.
#[derive(Debug, Clone, Serialize)]
pub struct ShopOrder {
    /// The order id sent to ZaloPay.
    pub app_trans_id: String,
    /// The product's name.
    pub product: String,
    /// Amount, VND.
    pub amount: i64,
    /// The payment link returned by the gateway (shown as QR code and link).
    pub order_url: String,
    /// Where the order stands.
    pub status: PaymentStatus,
    /// ZaloPay's transaction id, once paid.
    pub zp_trans_id: Option<i64>,
    /// How the result became known: `callback` or `query`.
    pub confirmed_by: Option<&'static str>,
    /// The gateway's reason for a failed order (`-329`: the buyer cancelled).
    pub sub_return_code: Option<i32>,
}

struct Product {
    id: &'static str,
    name: &'static str,
    price: i64,
}

const PRODUCTS: &[Product] = &[
    Product {
        id: "coffee",
        name: "Cà phê sữa đá",
        price: 45_000,
    },
    Product {
        id: "banh-mi",
        name: "Bánh mì thịt",
        price: 25_000,
    },
];

struct Shop {
    tracker: Tracker<SqlStore>,
    base_url: String,
}

impl Shop {
    async fn order(&self, id: &str) -> Option<ShopOrder> {
        match self.tracker.store().order(id).await {
            Ok(order) => order.as_ref().map(shop_order),
            Err(error) => {
                tracing::warn!(%error, app_trans_id = %id, "cannot read the order");
                None
            }
        }
    }
}

/// The shop's view of a tracked order.
fn shop_order(order: &TrackedOrder) -> ShopOrder {
    let metadata: serde_json::Value = serde_json::from_str(&order.metadata).unwrap_or_default();
    let status = match order.state {
        OrderState::Paid => PaymentStatus::Paid,
        OrderState::Failed | OrderState::Expired | OrderState::Abandoned => PaymentStatus::Failed,
        // An open order keeps the sub code of a failure seen before expiry (a not-found code
        // is not a declined attempt).
        _ if order
            .sub_return_code
            .is_some_and(|code| SubReturnCode::from(code).class() != CodeClass::NotFound) =>
        {
            PaymentStatus::Declined
        }
        _ => PaymentStatus::Waiting,
    };
    ShopOrder {
        app_trans_id: order.app_trans_id.clone(),
        product: metadata["product"].as_str().unwrap_or_default().to_owned(),
        amount: order.amount,
        order_url: order.order_url.clone().unwrap_or_default(),
        status,
        zp_trans_id: order.zp_trans_id,
        confirmed_by: match order.confirmed_by {
            Some(Source::Callback) => Some("callback"),
            Some(Source::Query) => Some("query"),
            Some(_) => Some("create"),
            None => None,
        },
        sub_return_code: matches!(status, PaymentStatus::Failed | PaymentStatus::Declined)
            .then_some(order.sub_return_code)
            .flatten(),
    }
}

/// The shop's fulfilment: hands out the goods once per order (idempotent on the event's key).
struct Fulfilment;

impl EventHandler for Fulfilment {
    type Error = std::convert::Infallible;

    async fn handle(&self, event: &Event) -> Result<(), Self::Error> {
        match &event.outcome {
            Outcome::Paid {
                app_trans_id,
                amount,
                zp_trans_id,
                ..
            } => {
                tracing::info!(%app_trans_id, amount, zp_trans_id, key = %event.idempotency_key, "fulfil the order")
            }
            other => tracing::info!(
                subject = other.subject(),
                kind = other.kind(),
                "release the order"
            ),
        }
        Ok(())
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
        Ok(orders.iter().map(shop_order).collect())
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
    let app = Router::new()
        .route("/", get(products_page))
        .route("/checkout", get(checkout_get).post(checkout_post))
        .route("/order/{id}", get(order_page))
        .route("/order/{id}/status", get(order_status))
        .route("/result", get(result_page))
        .route("/callback", post(callback))
        .with_state(Arc::clone(&shop));
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

/// ZaloPay's callback: verified with key2 and recorded by the tracker, which gives the reply.
async fn callback(State(shop): Shared, body: Bytes) -> Json<zalopay_api::CallbackReply> {
    Json(shop.tracker.handle_callback(&body).await)
}

type Shared = State<Arc<Shop>>;

/// `45000` → `45.000` (Vietnamese grouping).
fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    format!("{out} ₫")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34em;margin:2em auto;\
padding:0 1em;color:#222;background:#fff}\
.card{border:1px solid #ddd;border-radius:8px;padding:1em;margin:1em 0}\
button{background:#0068ff;color:#fff;border:0;border-radius:6px;padding:.6em 1.2em;\
font-size:1em;cursor:pointer}\
.qr svg{display:block;width:280px;height:280px}\
#status{font-size:1.3em;font-weight:bold;padding:.5em;border-radius:6px}\
.waiting{background:#fff6d5}.paid{background:#d9f7d9}.failed{background:#fbdada}.declined{background:#fde6cf}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><h1>{title}</h1>{body}<p><a href=\"/\">Back to the shop</a></p></body></html>",
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

async fn products_page() -> Response {
    let mut body = String::from(
        "<p>A demo merchant paying through the local ZaloPay emulator (Web-to-App flow).</p>",
    );
    for product in PRODUCTS {
        body.push_str(&format!(
            "<div class=\"card\"><h2>{name}</h2><p>{price}</p>\
             <form method=\"post\" action=\"/checkout\">\
             <input type=\"hidden\" name=\"product\" value=\"{id}\">\
             <button type=\"submit\">Pay with ZaloPay</button></form></div>",
            name = escape(product.name),
            price = vnd(product.price),
            id = product.id,
        ));
    }
    page(StatusCode::OK, "ZaloPay demo shop", &body)
}

#[derive(Deserialize)]
struct CheckoutParams {
    product: Option<String>,
}

async fn checkout_get(State(shop): Shared, Query(params): Query<CheckoutParams>) -> Response {
    checkout(&shop, params.product.as_deref()).await
}

async fn checkout_post(State(shop): Shared, Form(params): Form<CheckoutParams>) -> Response {
    checkout(&shop, params.product.as_deref()).await
}

/// Creates the order at the gateway and sends the browser to its order page.
async fn checkout(shop: &Arc<Shop>, product: Option<&str>) -> Response {
    let Some(product) = PRODUCTS.iter().find(|p| Some(p.id) == product) else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown product",
            "<p>No such product.</p>",
        );
    };
    match create_order(shop, product).await {
        Ok(id) => (StatusCode::SEE_OTHER, [(LOCATION, format!("/order/{id}"))]).into_response(),
        Err(error) => page(
            StatusCode::BAD_GATEWAY,
            "Could not create the order",
            &format!("<p>{}</p>", escape(&error.to_string())),
        ),
    }
}

async fn create_order(shop: &Arc<Shop>, product: &Product) -> Result<String, CliError> {
    let id = AppTransId::random()?;
    let mut request = CreateOrder::builder()
        .app_id(DEMO_APP_ID)
        .app_trans_id(&id)
        .app_user("demo-buyer")
        .amount(product.price)
        .description(format!("ZaloPay demo shop - Payment for the order #{id}"))
        .build();
    request.bank_code = Some("zalopayapp".to_owned());
    request.callback_url = Some(format!("{}/callback", shop.base_url));
    request.embed_data = JsonString::new(
        &serde_json::json!({ "redirecturl": format!("{}/result", shop.base_url) }),
    )?;
    request.item = JsonString::new(&serde_json::json!([
        { "itemid": product.id, "itemname": product.name, "itemprice": product.price, "itemquantity": 1 }
    ]))?;
    // Recorded before it is sent; the tracker follows it from here (callback or poll).
    let order = shop
        .tracker
        .create_order(&request, &serde_json::json!({ "product": product.name }))
        .await?;
    if order.order_url.is_none() {
        return Err(CliError::new("the gateway returned no order_url"));
    }
    Ok(id.into_string())
}

fn status_text(order: &ShopOrder) -> String {
    match order.status {
        PaymentStatus::Paid => format!(
            "Paid: {} (zp_trans_id {})",
            vnd(order.amount),
            order.zp_trans_id.unwrap_or_default()
        ),
        PaymentStatus::Failed => match order.sub_return_code {
            Some(code) => format!("Payment failed or cancelled (sub_return_code {code})"),
            None => "Payment failed or cancelled".to_owned(),
        },
        PaymentStatus::Declined => match order.sub_return_code {
            Some(code) => format!(
                "The payment was not completed (sub_return_code {code}): you can still pay until the order expires"
            ),
            None => "The payment was not completed: you can still pay until the order expires"
                .to_owned(),
        },
        PaymentStatus::Waiting => "Waiting for payment…".to_owned(),
    }
}

fn status_json(order: &ShopOrder) -> serde_json::Value {
    serde_json::json!({
        "app_trans_id": order.app_trans_id,
        "status": order.status,
        "text": status_text(order),
        "amount": order.amount,
        "zp_trans_id": order.zp_trans_id,
        "confirmed_by": order.confirmed_by,
        "sub_return_code": order.sub_return_code,
        "order_url": order.order_url,
    })
}

fn qr_svg(text: &str) -> Result<String, CliError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| CliError::new(format!("cannot make a QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration: the SVG goes inline into HTML.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_owned()))
}

const ORDER_SCRIPT: &str = r#"<script>
const box = document.getElementById('status');
const pay = document.getElementById('pay');
const timer = setInterval(async () => {
  try {
    const s = await (await fetch(location.pathname + '/status')).json();
    box.textContent = s.text;
    box.className = s.status;
    if (s.status !== 'waiting' && s.status !== 'declined') { clearInterval(timer); pay.hidden = true; }
  } catch (e) { /* the shop may be restarting: try again next second */ }
}, 1000);
</script>"#;

async fn order_page(State(shop): Shared, Path(id): Path<String>) -> Response {
    let Some(order) = shop.order(&id).await else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown order",
            "<p>No such order.</p>",
        );
    };
    let qr = match qr_svg(&order.order_url) {
        Ok(svg) => svg,
        Err(error) => format!("<p>{}</p>", escape(&error.to_string())),
    };
    let waiting = matches!(
        order.status,
        PaymentStatus::Waiting | PaymentStatus::Declined
    );
    let body = format!(
        "<div class=\"card\"><p>{product}: <b>{amount}</b><br>Order <code>{id}</code></p>\
         <p id=\"status\" class=\"{class}\">{status}</p></div>\
         <div id=\"pay\" class=\"card\"{hidden}><p>Scan with ZaloPay, or open the wallet page:</p>\
         <div class=\"qr\">{qr}</div>\
         <p><a id=\"order-link\" href=\"{url}\">Open ZaloPay (emulator wallet)</a></p></div>\
         {ORDER_SCRIPT}",
        product = escape(&order.product),
        amount = vnd(order.amount),
        id = escape(&order.app_trans_id),
        class = serde_json::to_value(order.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        status = escape(&status_text(&order)),
        hidden = if waiting { "" } else { " hidden" },
        url = escape(&order.order_url),
    );
    page(StatusCode::OK, "Your order", &body)
}

async fn order_status(State(shop): Shared, Path(id): Path<String>) -> Response {
    match shop.order(&id).await {
        Some(order) => Json(status_json(&order)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": "no such order" })),
        )
            .into_response(),
    }
}

/// The gateway's redirect: verify the checksum (a hint only), then show the order page, whose
/// status comes from the callback or a query.
async fn result_page(State(shop): Shared, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let keys = shop.tracker.client().config().keys.clone();
    match zalopay_api::redirect::verify_redirect(&keys, &query) {
        Ok(redirect) if shop.order(&redirect.app_trans_id).await.is_some() => (
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/order/{}", redirect.app_trans_id))],
        )
            .into_response(),
        Ok(_) => page(
            StatusCode::NOT_FOUND,
            "Unknown order",
            "<p>No such order.</p>",
        ),
        Err(error) => page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            &format!("<p>{}</p>", escape(&error.to_string())),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dong() {
        assert_eq!(vnd(45_000), "45.000 ₫");
        assert_eq!(vnd(1_234_567), "1.234.567 ₫");
        assert_eq!(vnd(5), "5 ₫");
    }

    #[test]
    fn qr_is_inline_svg() {
        let svg = qr_svg("http://127.0.0.1:1/pay?order=x").unwrap();
        assert!(svg.starts_with("<svg"));
    }
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[test]
    fn the_shop_shows_what_the_tracker_knows() {
        let mut order = TrackedOrder::new("240101_1", DEMO_APP_ID, 45_000, 1, 900_001, 1);
        order.metadata = r#"{"product":"Cà phê"}"#.to_owned();
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Waiting);
        assert_eq!(view.product, "Cà phê");
        // Open, with a failure seen before expiry: declined, still payable; not found is not.
        order.state = OrderState::Open;
        order.sub_return_code = Some(-101);
        assert_eq!(shop_order(&order).status, PaymentStatus::Waiting);
        order.sub_return_code = Some(-329);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Declined);
        assert_eq!(view.sub_return_code, Some(-329));
        assert!(
            status_text(&view).contains("still pay"),
            "{}",
            status_text(&view)
        );
        order.state = OrderState::Failed;
        order.sub_return_code = Some(-329);
        order.confirmed_by = Some(Source::Query);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Failed);
        assert_eq!(view.sub_return_code, Some(-329));
        assert_eq!(view.confirmed_by, Some("query"));
        // Money received wins in the tracker's state machine; the shop shows it as paid.
        order.state = OrderState::Paid;
        order.zp_trans_id = Some(7);
        order.confirmed_by = Some(Source::Callback);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Paid);
        assert_eq!(view.zp_trans_id, Some(7));
        assert_eq!(view.sub_return_code, None);
        assert_eq!(view.confirmed_by, Some("callback"));
    }
}
