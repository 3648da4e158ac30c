//! Shared test helpers: an emulator on 127.0.0.1 with a manual clock, signing, HTTP helpers and
//! a local merchant callback server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use zalopay_api::{KeyKind, SecretKey};
use zalopay_emulator::{
    App, Emulator, EmulatorConfig, EmulatorState, ManualClock, RunningEmulator,
};

pub const APP: i64 = 2553;
pub const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
pub const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";
/// 2024-09-13 04:00 UTC = 11:00 in Vietnam: ids start with `240913`.
pub const NOW: i64 = 1_726_200_000_000;
pub const TODAY: &str = "240913";

pub fn mac(key: &str, input: &str) -> String {
    SecretKey::new(KeyKind::Key1, key)
        .unwrap()
        .mac(input.as_bytes())
        .to_string()
}

pub fn verify(key: &str, input: &str, mac: &str) -> bool {
    SecretKey::new(KeyKind::Key2, key)
        .unwrap()
        .verify(input.as_bytes(), mac)
}

pub struct Env {
    pub running: RunningEmulator,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

pub fn fast_config() -> EmulatorConfig {
    EmulatorConfig {
        callback_backoff: Duration::from_millis(10),
        ..EmulatorConfig::default()
    }
}

pub async fn start() -> Env {
    start_with(fast_config()).await
}

pub async fn start_with(config: EmulatorConfig) -> Env {
    let clock = ManualClock::new(NOW);
    let state = EmulatorState::with_clock(config, Arc::new(clock.clone()));
    let running = Emulator::spawn(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Env {
        running,
        clock,
        http,
    }
}

impl Env {
    pub fn base(&self) -> String {
        self.running.base_url()
    }

    /// A client that validates requests against the emulator's (manual) clock.
    pub fn client(&self) -> zalopay_api::Client {
        let keys = zalopay_api::Keys::new(KEY1, KEY2).unwrap();
        let config =
            zalopay_api::Config::new(APP, keys, zalopay_api::Environment::Custom(self.base()))
                .with_clock(Arc::new(self.clock.clone()));
        zalopay_api::Client::new(config).unwrap()
    }

    /// POSTs a form body.
    pub async fn form<P: serde::Serialize + ?Sized>(&self, path: &str, params: &P) -> Value {
        let body = serde_urlencoded::to_string(params).unwrap();
        let response = self
            .http
            .post(format!("{}{path}", self.base()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    /// POSTs a JSON body.
    pub async fn json(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base()))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    /// GETs with query parameters.
    pub async fn get(&self, path: &str, params: &[(&str, String)]) -> Value {
        let query = serde_urlencoded::to_string(params).unwrap();
        let response = self
            .http
            .get(format!("{}{path}?{query}", self.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    /// Creates an order signed by hand (form body). Returns the response.
    pub async fn create(&self, app_trans_id: &str, amount: i64, extra: &[(&str, String)]) -> Value {
        let params = create_params(app_trans_id, amount, "{}", extra);
        self.form("/v2/create", &params).await
    }

    /// The JSON "Pay" button.
    pub async fn pay(&self, app_trans_id: &str) -> Value {
        self.json(&format!("/emulator/orders/{app_trans_id}/pay"), &json!({}))
            .await
    }

    pub async fn query(&self, app_trans_id: &str) -> Value {
        let input = format!("{APP}|{app_trans_id}|{KEY1}");
        self.form(
            "/v2/query",
            &[
                ("app_id", APP.to_string()),
                ("app_trans_id", app_trans_id.to_owned()),
                ("mac", mac(KEY1, &input)),
            ],
        )
        .await
    }

    pub async fn orders(&self) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/emulator/orders", self.base()))
            .send()
            .await
            .unwrap();
        match response.json::<Value>().await.unwrap() {
            Value::Array(orders) => orders,
            other => panic!("not an array: {other}"),
        }
    }
}

/// Form parameters of a hand-signed `/v2/create`.
pub fn create_params(
    app_trans_id: &str,
    amount: i64,
    embed_data: &str,
    extra: &[(&str, String)],
) -> Vec<(String, String)> {
    let item = "[]";
    let input = format!("{APP}|{app_trans_id}|user123|{amount}|{NOW}|{embed_data}|{item}");
    let mut params: Vec<(String, String)> = [
        ("app_id", APP.to_string()),
        ("app_trans_id", app_trans_id.to_owned()),
        ("app_user", "user123".to_owned()),
        ("app_time", NOW.to_string()),
        ("amount", amount.to_string()),
        ("item", item.to_owned()),
        ("embed_data", embed_data.to_owned()),
        ("description", "Shop - Payment for the order".to_owned()),
        ("mac", mac(KEY1, &input)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (name, value) in extra {
        params.push(((*name).to_owned(), value.clone()));
    }
    params
}

pub fn code(body: &Value) -> (i64, i64) {
    (
        body["return_code"].as_i64().unwrap_or(i64::MIN),
        body["sub_return_code"].as_i64().unwrap_or(i64::MIN),
    )
}

/// A merchant callback server on 127.0.0.1: answers each callback with the next `return_code`
/// from `replies` (the last one repeats), as HTTP `status`.
pub struct Merchant {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    pub rx: mpsc::UnboundedReceiver<Value>,
}

#[derive(Clone)]
struct MerchantState {
    replies: Arc<Vec<(StatusCode, i64)>>,
    hits: Arc<AtomicUsize>,
    tx: mpsc::UnboundedSender<Value>,
}

async fn merchant_callback(
    State(state): State<MerchantState>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let n = state.hits.fetch_add(1, Ordering::SeqCst);
    let (status, code) = state.replies[n.min(state.replies.len() - 1)];
    let _ = state.tx.send(body);
    (
        status,
        Json(json!({ "return_code": code, "return_message": "" })),
    )
}

impl Merchant {
    pub async fn start(replies: Vec<(StatusCode, i64)>) -> Merchant {
        let (tx, rx) = mpsc::unbounded_channel();
        let hits = Arc::new(AtomicUsize::new(0));
        let state = MerchantState {
            replies: Arc::new(replies),
            hits: hits.clone(),
            tx,
        };
        let app = axum::Router::new()
            .route("/callback", post(merchant_callback))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Merchant { addr, hits, rx }
    }

    pub async fn ok() -> Merchant {
        Self::start(vec![(StatusCode::OK, 1)]).await
    }

    pub fn url(&self) -> String {
        format!("http://{}/callback", self.addr)
    }

    /// The next callback body (fails after 5 s).
    pub async fn next(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("no callback within 5 s")
            .expect("merchant closed")
    }
}

/// An emulator whose app 2553 has a registered callback URL.
pub async fn start_with_callback(url: &str) -> Env {
    let mut config = fast_config();
    config.apps = App::sandbox_demo_apps()
        .into_iter()
        .map(|app| app.with_callback_url(url))
        .collect();
    start_with(config).await
}

/// Polls `/emulator/orders` until `check` holds for the order (fails after 5 s).
pub async fn wait_for_order(
    env: &Env,
    app_trans_id: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..500 {
        let orders = env.orders().await;
        if let Some(order) = orders.iter().find(|o| o["app_trans_id"] == app_trans_id)
            && check(order)
        {
            return order.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("order {app_trans_id} never reached the expected state");
}
