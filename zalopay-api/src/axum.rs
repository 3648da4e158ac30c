//! A ready-made axum 0.8 route for ZaloPay callbacks (feature `axum`).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use zalopay_api::callback::{Callback, CallbackReply};
//! use zalopay_api::Keys;
//!
//! let keys = Keys::new("key1…", "key2…")?;
//! let app = axum::Router::new().nest(
//!     "/zalopay/callback",
//!     zalopay_api::axum::callback_router(keys, Some(2553), |callback: Callback| async move {
//!         // Record the payment idempotently (keyed by app_trans_id), then:
//!         let _ = callback;
//!         CallbackReply::success()
//!     }),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! The route reads the raw body (at most [`MAX_BODY_BYTES`]), verifies it with
//! [`verify_callback`], calls the handler only for a verified callback, and always answers
//! HTTP 200 with the JSON reply ZaloPay expects. A body that fails verification gets
//! [`CallbackReply::for_error`] (`-1` for a bad MAC) and never reaches the handler.

use std::future::Future;
use std::sync::Arc;

use ::axum::Router;
use ::axum::body::Body;
use ::axum::http::{StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, post};

use crate::callback::{Callback, CallbackError, CallbackReply, MAX_BODY_BYTES, verify_callback};
use crate::sign::Keys;

struct Inner<H> {
    keys: Keys,
    app_id: Option<i64>,
    handler: H,
}

/// A `POST` method router for the callback, to mount with `Router::route(path, …)`.
///
/// `app_id`: when `Some`, callbacks for other apps are refused ([`CallbackError::WrongAppId`]).
pub fn callback_handler<H, Fut>(keys: Keys, app_id: Option<i64>, handler: H) -> MethodRouter
where
    H: Fn(Callback) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CallbackReply> + Send + 'static,
{
    let inner = Arc::new(Inner {
        keys,
        app_id,
        handler,
    });
    post(move |body: Body| {
        let inner = Arc::clone(&inner);
        async move { handle(&inner, body).await }
    })
}

/// A router answering `POST /` with the callback handler; `nest` it under your callback path
/// (see the module docs).
pub fn callback_router<H, Fut>(keys: Keys, app_id: Option<i64>, handler: H) -> Router
where
    H: Fn(Callback) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CallbackReply> + Send + 'static,
{
    Router::new().route("/", callback_handler(keys, app_id, handler))
}

async fn handle<H, Fut>(inner: &Inner<H>, body: Body) -> Response
where
    H: Fn(Callback) -> Fut,
    Fut: Future<Output = CallbackReply>,
{
    let reply = match ::axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Err(error) => {
            tracing::warn!(%error, "could not read the ZaloPay callback body");
            CallbackReply::for_error(&CallbackError::TooLarge {
                len: MAX_BODY_BYTES + 1,
                max: MAX_BODY_BYTES,
            })
        }
        Ok(bytes) => match verify_callback(&inner.keys, inner.app_id, &bytes) {
            Ok(callback) => (inner.handler)(callback).await,
            Err(error) => {
                tracing::warn!(%error, "refused a ZaloPay callback");
                CallbackReply::for_error(&error)
            }
        },
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        reply.to_json(),
    )
        .into_response()
}
