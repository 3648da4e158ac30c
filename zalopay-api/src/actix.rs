//! ZaloPay callbacks in actix-web 4 (feature `actix`): an extractor that verifies.
//!
//! Register a [`CallbackVerifier`] as app data (`web::Data<CallbackVerifier>` or the plain
//! value), take [`VerifiedCallback`] as the handler's argument next to any other extractor,
//! and answer with a [`CallbackReply`] (which is a `Responder`):
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use zalopay_api::actix::VerifiedCallback;
//! use zalopay_api::callback::{Callback, CallbackReply};
//! use zalopay_api::{CallbackVerifier, Keys};
//!
//! async fn on_callback(
//!     orders: web::Data<std::sync::Mutex<Vec<String>>>, // your database pool
//!     VerifiedCallback(callback): VerifiedCallback,
//! ) -> CallbackReply {
//!     if let Callback::Payment(payment) = callback {
//!         // Record the payment idempotently, keyed by app_trans_id.
//!         if let Ok(mut orders) = orders.lock() {
//!             orders.push(payment.app_trans_id);
//!         }
//!     }
//!     CallbackReply::success()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = web::Data::new(CallbackVerifier::for_app(Keys::new("key1…", "key2…")?, 2553));
//! let orders = web::Data::new(std::sync::Mutex::new(Vec::<String>::new()));
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(verifier.clone())
//!         .app_data(orders.clone())
//!         .route("/zalopay/callback", web::post().to(on_callback))
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await?;
//! # Ok(()) }
//! ```
//!
//! The body is read up to [`MAX_BODY_BYTES`] whatever `PayloadConfig` says. A callback that
//! does not verify never reaches the handler: it is answered HTTP 200 with
//! [`CallbackReply::for_error`] (`-1` for a bad MAC). A body that cannot be read is
//! [`CallbackError::Unreadable`], answered with `0` (call again), never reported as a MAC
//! failure. A route without a registered verifier answers HTTP 500.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, ResponseError, web};
use futures_core::Stream;

use crate::callback::{Callback, CallbackError, CallbackReply, MAX_BODY_BYTES};
use crate::verifier::{CallbackRejection, CallbackVerifier};

/// A callback whose MAC (and app id, when the verifier has one) checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCallback(pub Callback);

impl FromRequest for VerifiedCallback {
    type Error = CallbackRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let verifier = request
            .app_data::<web::Data<CallbackVerifier>>()
            .map(|data| data.get_ref().clone())
            .or_else(|| request.app_data::<CallbackVerifier>().cloned());
        let mut payload = payload.take();
        Box::pin(async move {
            let verifier = verifier.ok_or(CallbackRejection::NoVerifier)?;
            let body = read_body(&mut payload).await?;
            Ok(Self(verifier.verify(&body)?))
        })
    }
}

/// Reads at most [`MAX_BODY_BYTES`]: more is [`CallbackError::TooLarge`], a broken body is
/// [`CallbackError::Unreadable`].
async fn read_body(payload: &mut Payload) -> Result<Vec<u8>, CallbackError> {
    let mut body = Vec::new();
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx)).await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(PayloadError::Overflow) => return Err(too_large(body.len())),
            Err(error) => return Err(CallbackError::Unreadable(error.to_string())),
        };
        let len = body.len().saturating_add(chunk.len());
        if len > MAX_BODY_BYTES {
            return Err(too_large(len));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(len: usize) -> CallbackError {
    CallbackError::TooLarge {
        len: len.max(MAX_BODY_BYTES.saturating_add(1)),
        max: MAX_BODY_BYTES,
    }
}

impl ResponseError for CallbackRejection {
    /// HTTP 200 for a refused callback (ZaloPay reads the reply body), 500 without a verifier.
    fn status_code(&self) -> StatusCode {
        match self.reply() {
            Some(_) => StatusCode::OK,
            None => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        self.log();
        match self.reply() {
            Some(reply) => reply_response(&reply),
            None => HttpResponse::InternalServerError().finish(),
        }
    }
}

impl Responder for CallbackReply {
    type Body = BoxBody;

    /// HTTP 200, `application/json`, the exact reply body.
    fn respond_to(self, _request: &HttpRequest) -> HttpResponse<Self::Body> {
        reply_response(&self)
    }
}

fn reply_response(reply: &CallbackReply) -> HttpResponse<BoxBody> {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(reply.to_json())
}
