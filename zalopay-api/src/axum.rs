//! ZaloPay callbacks in axum 0.8 (feature `axum`): an extractor that verifies, and a
//! ready-made route.
//!
//! [`VerifiedCallback`] reads the raw body (at most [`MAX_BODY_BYTES`]), verifies it with the
//! [`CallbackVerifier`] found in the app's state (through `FromRef`, so the state can hold
//! your database pool next to it), and hands the handler a typed [`Callback`]. The handler
//! keeps every other extractor, `State` included, and answers with a [`CallbackReply`]
//! (which is an `IntoResponse`):
//!
//! ```no_run
//! use axum::extract::{FromRef, State};
//! use axum::routing::post;
//! use zalopay_api::axum::VerifiedCallback;
//! use zalopay_api::callback::{Callback, CallbackReply};
//! use zalopay_api::{CallbackVerifier, Keys};
//!
//! #[derive(Clone)]
//! struct AppState {
//!     verifier: CallbackVerifier,
//!     orders: std::sync::Arc<std::sync::Mutex<Vec<String>>>, // your database pool
//! }
//!
//! impl FromRef<AppState> for CallbackVerifier {
//!     fn from_ref(state: &AppState) -> Self {
//!         state.verifier.clone()
//!     }
//! }
//!
//! async fn on_callback(
//!     State(state): State<AppState>,
//!     VerifiedCallback(callback): VerifiedCallback,
//! ) -> CallbackReply {
//!     if let Callback::Payment(payment) = callback {
//!         // Record the payment idempotently, keyed by app_trans_id.
//!         if let Ok(mut orders) = state.orders.lock() {
//!             orders.push(payment.app_trans_id);
//!         }
//!     }
//!     CallbackReply::success()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let state = AppState {
//!     verifier: CallbackVerifier::for_app(Keys::new("key1…", "key2…")?, 2553),
//!     orders: Default::default(),
//! };
//! let app = axum::Router::new()
//!     .route("/zalopay/callback", post(on_callback))
//!     .with_state(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! A callback that does not verify never reaches the handler: the extractor's rejection
//! answers HTTP 200 with [`CallbackReply::for_error`] (`-1` for a bad MAC). A body that cannot
//! be read (the connection broke) is [`CallbackError::Unreadable`], answered with `0` (call
//! again), never reported as a MAC failure.
//!
//! Without state of your own, [`callback_router`] mounts a handler closure directly.

use std::future::Future;
use std::sync::Arc;

use ::axum::Router;
use ::axum::body::Body;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::{StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, post};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::callback::{Callback, CallbackError, CallbackReply, MAX_BODY_BYTES};
use crate::sign::Keys;
use crate::verifier::{CallbackRejection, CallbackVerifier};

/// A callback whose MAC (and app id, when the verifier has one) checked out.
///
/// Extract it last (it consumes the body). Needs `CallbackVerifier: FromRef<S>` for the
/// router's state `S`; a `Router` whose state *is* a `CallbackVerifier` has that already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCallback(pub Callback);

impl<S> FromRequest<S> for VerifiedCallback
where
    CallbackVerifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = CallbackVerifier::from_ref(state);
        let bytes = read_body(request.into_body()).await?;
        Ok(Self(verifier.verify(&bytes)?))
    }
}

/// Reads at most [`MAX_BODY_BYTES`]: more is [`CallbackError::TooLarge`], a broken body is
/// [`CallbackError::Unreadable`].
async fn read_body(body: Body) -> Result<::axum::body::Bytes, CallbackError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(CallbackError::TooLarge {
                len: MAX_BODY_BYTES.saturating_add(1),
                max: MAX_BODY_BYTES,
            })
        }
        Err(error) => Err(CallbackError::Unreadable(error.to_string())),
    }
}

impl IntoResponse for CallbackRejection {
    /// HTTP 200 with the documented reply, or HTTP 500 for a route without a verifier.
    fn into_response(self) -> Response {
        self.log();
        match self.reply() {
            Some(reply) => reply.into_response(),
            None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

impl IntoResponse for CallbackReply {
    /// HTTP 200, `application/json`, the exact reply body.
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            self.to_json(),
        )
            .into_response()
    }
}

/// A `POST` method router for the callback, to mount with `Router::route(path, …)`.
///
/// `app_id`: when `Some`, callbacks for other apps are refused ([`CallbackError::WrongAppId`]).
pub fn callback_handler<H, Fut>(keys: Keys, app_id: Option<i64>, handler: H) -> MethodRouter
where
    H: Fn(Callback) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CallbackReply> + Send + 'static,
{
    let verifier = match app_id {
        Some(app_id) => CallbackVerifier::for_app(keys, app_id),
        None => CallbackVerifier::new(keys),
    };
    let handler = Arc::new(handler);
    post(move |request: Request| {
        let verifier = verifier.clone();
        let handler = Arc::clone(&handler);
        async move {
            match VerifiedCallback::from_request(request, &verifier).await {
                Ok(VerifiedCallback(callback)) => handler(callback).await.into_response(),
                Err(rejection) => rejection.into_response(),
            }
        }
    })
}

/// A router answering `POST /` with the callback handler; `nest` it under your callback path.
pub fn callback_router<H, Fut>(keys: Keys, app_id: Option<i64>, handler: H) -> Router
where
    H: Fn(Callback) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CallbackReply> + Send + 'static,
{
    Router::new().route("/", callback_handler(keys, app_id, handler))
}
