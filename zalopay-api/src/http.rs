//! The callback route for any framework built on the `http` crate (feature `http`): an
//! [`http::Request`] with its body read into bytes in, an [`http::Response`] out.
//!
//! Hyper, tower, warp, poem, salvo, lambda_http, … all hand out `http::Request`s; collect the
//! body (at most [`MAX_BODY_BYTES`]), call [`handle_callback`], and send the response back.
//! axum users have a ready-made extractor in [`crate::axum`], actix-web users in
//! `crate::actix` (feature `actix`).
//!
//! ```
//! use bytes::Bytes;
//! use zalopay_api::callback::{Callback, CallbackReply};
//! use zalopay_api::{CallbackVerifier, Keys};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = CallbackVerifier::for_app(Keys::new("key1…", "key2…")?, 2553);
//! let request = http::Request::post("/zalopay/callback").body(Bytes::from_static(b"{}"))?;
//! let response = zalopay_api::http::handle_callback(&verifier, request, |callback: Callback| async move {
//!     // Record the payment idempotently (keyed by app_trans_id), then:
//!     let _ = callback;
//!     CallbackReply::success()
//! })
//! .await;
//! assert_eq!(response.status(), 200); // `{}` is refused, but ZaloPay always gets HTTP 200
//! # Ok(()) }
//! ```
//!
//! [`MAX_BODY_BYTES`]: crate::callback::MAX_BODY_BYTES

use std::future::Future;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};

use crate::callback::{Callback, CallbackError, CallbackReply};
use crate::verifier::{CallbackRejection, CallbackVerifier};

/// Verifies the request's body; the method and headers are not looked at.
pub fn verify_request<B: AsRef<[u8]>>(
    verifier: &CallbackVerifier,
    request: &Request<B>,
) -> Result<Callback, CallbackError> {
    verifier.verify(request.body().as_ref())
}

/// Verifies a callback request, calls `handler` with the verified callback, and answers with
/// its reply.
///
/// * Only `POST` is served: any other method gets HTTP 405 and the handler is not called.
/// * A body that does not verify gets HTTP 200 with [`CallbackReply::for_error`] (the
///   documented answer to a bad MAC is `-1`) and the handler is not called.
/// * Otherwise the handler's reply is sent with HTTP 200.
pub async fn handle_callback<B, H, Fut>(
    verifier: &CallbackVerifier,
    request: Request<B>,
    handler: H,
) -> Response<Bytes>
where
    B: AsRef<[u8]>,
    H: FnOnce(Callback) -> Fut,
    Fut: Future<Output = CallbackReply>,
{
    if request.method() != Method::POST {
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    match verify_request(verifier, &request) {
        Ok(callback) => reply_response(&handler(callback).await),
        Err(error) => rejection_response(&CallbackRejection::Refused(error)),
    }
}

/// The HTTP 200 `application/json` response carrying `reply`.
pub fn reply_response(reply: &CallbackReply) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(reply.to_json()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The response for a callback that was not handed to the handler (logged as a warning).
pub fn rejection_response(rejection: &CallbackRejection) -> Response<Bytes> {
    rejection.log();
    match rejection.reply() {
        Some(reply) => reply_response(&reply),
        None => {
            let mut response = Response::new(Bytes::new());
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}
