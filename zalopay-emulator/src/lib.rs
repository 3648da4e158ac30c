//! A local, stateful stand-in for the ZaloPay gateway — like `stripe-mock`, but it remembers.
//!
//! The emulator serves the documented ZaloPay operations on one base URL (the same paths as
//! ZaloPay's hosts), verifies every request's MAC with the app's key1 — computing the MAC
//! input from the *received* parameters with its own field lists, independently of the
//! `zalopay-api` request types — and keeps orders, refunds, bindings and top-ups in memory. A
//! small HTML "wallet" page lets a browser (or a test) pay or cancel an order; paying sends the
//! signed callback to the merchant (with retries) and redirects the browser with the signed
//! redirect parameters.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState};
//!
//! let state = EmulatorState::new(EmulatorConfig::default());
//! let running = Emulator::spawn(state, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
//! println!("ZaloPay emulator at {}", running.base_url());
//! # Ok(()) }
//! ```
//!
//! Every refusal is in-band with HTTP 200, as at the gateway: a missing or malformed parameter
//! is `return_code` 2 / `sub_return_code` -401, an unknown app or a MAC mismatch is 2 / -402.
//!
//! Disbursement top-up's `sig` (hex HMAC, then RSA-SHA256 under the merchant's private key) is
//! verified in full for apps with an RSA public key ([`App::with_rsa_public_key`]; the demo app
//! [`DISBURSEMENT_DEMO_APP_ID`] has [`TEST_RSA_PUBLIC_KEY`]). For apps without one, `sig` must
//! be the hex HMAC itself.
//! Keys are never logged.
//!
//! It is also a test bench: a test clock ([`EmulatorState::advance_clock`], `POST
//! /emulator/clock/advance?seconds=N`) that expiry, the 48-hour query window, refund settlement
//! ([`EmulatorConfig::refund_delay`]) and callback retries follow; [`Faults`] reproducible from
//! a seed (callbacks lost, delayed or duplicated, slow answers, -500 / -429 / HTTP 503, a
//! connection dropped after processing); every callback attempt kept per order and re-sent on
//! demand; the request log ([`EmulatorState::request_log`]); a dashboard at `/emulator`; and,
//! with the `sqlite` feature, state that survives a restart (`EmulatorState::open`).

#![forbid(unsafe_code)]
// No request value may panic a handler: no unwrap, expect or panic, and no arithmetic that
// can overflow or index that can be out of bounds (tests may).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing
    )
)]

mod agreement;
mod attempts;
mod banks;
mod callback;
mod checks;
mod config;
mod control;
mod dashboard;
mod disbursement;
mod disbursement_aio;
mod faults;
mod gateway;
mod hybrid;
mod limiter;
mod orders;
mod pages;
mod quickpay;
mod records;
mod refunds;
mod request_log;
mod state;
#[cfg(feature = "sqlite")]
mod storage;
mod tokenization;
mod vietnam;
mod wire;
mod zod;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use callback::WALLET_CHANNEL;
pub use config::{
    App, DEFAULT_REQUEST_LOG_LIMIT, DISBURSEMENT_DEMO_APP_ID, EmulatorConfig, RsaKeyError,
    TEST_RSA_PRIVATE_KEY, TEST_RSA_PUBLIC_KEY, ZALOPAY_PUBLIC_KEY,
};
pub use faults::{ActiveFaults, FailWith, FaultError, Faults};
pub use limiter::RateLimit;
pub use pages::escape_html;
pub use records::{
    AttemptCause, Binding, BindingStatus, CallbackAttempt, CallbackStatus, Order, OrderKind,
    OrderState, Refund, Topup,
};
pub use request_log::RequestRecord;
/// The RSA public key type of [`App::rsa_public_key`] (from the `rsa` crate, 0.9).
pub use rsa::RsaPublicKey;
pub use state::EmulatorState;
#[cfg(feature = "sqlite")]
pub use storage::{DATABASE_FILE, StorageError};
pub use wire::{ApiError, Params};
/// The emulator's source of time is the SDK's, so one clock serves the emulator, the client
/// and the tracker alike (tests move it instead of waiting). [`ManualClock`] is the SDK's
/// test clock: clones share one time, so the same clock can go to all three.
pub use zalopay_api::clock::{Clock, ManualClock, SystemClock};

/// Builds and runs the emulator's HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// Every route, over `state`.
    ///
    /// Gateway API (form or JSON bodies, query-string parameters merged in): `POST /v2/create`,
    /// `/v2/query`, `/v2/cancel`, `/v2/refund`, `/v2/query_refund`, `/api/getlistmerchantbanks`,
    /// `/v2/quick_pay`, `/v2/agreement/{bind,query,unbind,balance,pay,query_user}`,
    /// `/v2/tokenization/{bind,query}`, `/v2/disbursement/{balance,user,topup,txn}`,
    /// `/v2/zod`; `GET /v2/zod/invoice`, `/v2/zod/status`.
    ///
    /// Wallet pages: `GET /pay?order=`, `POST /pay/confirm`, `POST /pay/cancel`,
    /// `GET /agreement?b=`, `POST /agreement/confirm`, `POST /agreement/cancel`.
    ///
    /// Test hooks: `POST /emulator/orders/{app_trans_id}/pay|cancel|expire`,
    /// `POST /emulator/bindings/{binding_token}/confirm|cancel`, and `GET /emulator/orders`,
    /// `/emulator/refunds`, `/emulator/bindings`, `/emulator/topups`.
    ///
    /// Dashboard: `GET /emulator` (HTML; its forms post to `/emulator/dashboard/…`).
    ///
    /// Test bench: `GET /emulator/requests` (the request log, [`RequestRecord`]),
    /// `GET /emulator/faults` and `POST /emulator/faults[?app_id=]` ([`Faults`] as JSON),
    /// `POST /emulator/orders/{app_trans_id}/callback` (re-sends the order's callback),
    /// `GET /emulator/clock`, `POST /emulator/clock/advance?seconds=N`.
    /// Every gateway API request goes through the request log and the faults in force.
    pub fn router(state: EmulatorState) -> Router {
        Router::new()
            .route("/v2/create", post(orders::create))
            .route("/v2/query", post(orders::query))
            .route("/v2/cancel", post(orders::cancel))
            .route("/v2/refund", post(refunds::refund))
            .route("/v2/query_refund", post(refunds::query_refund))
            .route("/api/getlistmerchantbanks", post(banks::bank_list))
            .route("/v2/quick_pay", post(quickpay::quick_pay))
            .route("/v2/agreement/bind", post(agreement::bind))
            .route("/v2/agreement/query", post(agreement::query))
            .route("/v2/agreement/unbind", post(agreement::unbind))
            .route("/v2/agreement/balance", post(agreement::balance))
            .route("/v2/agreement/pay", post(agreement::pay))
            .route("/v2/agreement/query_user", post(agreement::query_user))
            .route("/v2/agreement/hybrid", post(hybrid::hybrid))
            .route("/v2/tokenization/bind", post(tokenization::token_bind))
            .route("/v2/tokenization/query", post(tokenization::token_query))
            .route("/v2/disbursement/balance", post(disbursement::balance))
            .route("/v2/disbursement/user", post(disbursement::user))
            .route("/v2/disbursement/topup", post(disbursement::topup))
            .route("/v2/disbursement/txn", post(disbursement::txn))
            .route(
                "/v2/disbursement/verify-account",
                post(disbursement_aio::verify_account),
            )
            .route(
                "/v2/disbursement/transfer-fund",
                post(disbursement_aio::transfer_fund),
            )
            .route(
                "/v2/disbursement/query-txn",
                post(disbursement_aio::query_txn),
            )
            .route(
                "/v2/disbursement/get-bank-code",
                post(disbursement_aio::bank_codes),
            )
            .route("/v2/zod", post(zod::create))
            .route("/v2/zod/invoice", get(zod::invoice))
            .route("/v2/zod/status", get(zod::status))
            .route("/pay", get(pages::pay_page))
            .route("/pay/confirm", post(pages::confirm_form))
            .route("/pay/cancel", post(pages::cancel_form))
            .route("/agreement", get(pages::binding_page))
            .route("/agreement/confirm", post(pages::binding_confirm_form))
            .route("/agreement/cancel", post(pages::binding_cancel_form))
            .route("/emulator/orders", get(pages::list_orders))
            .route("/emulator/refunds", get(pages::list_refunds))
            .route("/emulator/bindings", get(pages::list_bindings))
            .route("/emulator/topups", get(pages::list_topups))
            .route("/emulator/orders/{app_trans_id}/pay", post(pages::pay_json))
            .route(
                "/emulator/orders/{app_trans_id}/cancel",
                post(pages::cancel_json),
            )
            .route(
                "/emulator/orders/{app_trans_id}/expire",
                post(pages::expire_json),
            )
            .route(
                "/emulator/bindings/{binding_token}/confirm",
                post(pages::binding_confirm_json),
            )
            .route(
                "/emulator/bindings/{binding_token}/cancel",
                post(pages::binding_cancel_json),
            )
            .route("/emulator", get(dashboard::page))
            .route(
                "/emulator/dashboard/orders/{app_trans_id}/{action}",
                post(dashboard::order_action),
            )
            .route("/emulator/dashboard/clock", post(dashboard::advance_clock))
            .route("/emulator/dashboard/faults", post(dashboard::set_faults))
            .route("/emulator/requests", get(control::requests))
            .route("/emulator/clock", get(control::clock))
            .route("/emulator/clock/advance", post(control::advance_clock))
            .route(
                "/emulator/orders/{app_trans_id}/callback",
                post(control::resend_callback),
            )
            .route(
                "/emulator/faults",
                get(control::faults).post(control::set_faults),
            )
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                gateway::layer,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                gateway::save_after,
            ))
            .with_state(state)
    }

    /// Binds `addr` (use `127.0.0.1:0` for a free port), serves [`Emulator::router`] in a
    /// background task, and returns the running server. When the configuration has no
    /// `public_base_url`, links point at `http://<bound address>`.
    pub async fn spawn(state: EmulatorState, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        state.default_base_url(format!("http://{addr}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = Self::router(state.clone());
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        });
        tracing::info!(%addr, base_url = %state.base_url(), "ZaloPay emulator listening");
        Ok(RunningEmulator {
            addr,
            state,
            stop: Some(stop),
            task,
        })
    }
}

/// A running emulator. Dropping it leaves the server running until the runtime ends; call
/// [`RunningEmulator::shutdown`] to stop it.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    state: EmulatorState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<bound address>`: the base URL to give a client (`Environment::Custom`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The emulator's state (orders, refunds, clock, …).
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Stops accepting connections, lets open requests finish, and waits for the server.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        }
    }
}
