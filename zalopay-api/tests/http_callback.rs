//! The framework-neutral callback entry: `http::Request` with a bytes body in,
//! `http::Response` out.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/callback_kat.rs"]
mod kat;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, StatusCode, header};
use zalopay_api::callback::{Callback, CallbackReply, sign_callback};
use zalopay_api::http::{handle_callback, reply_response, verify_request};

type Seen = Arc<Mutex<Vec<String>>>;

async fn call(request: Request<Bytes>, seen: &Seen, reply: CallbackReply) -> http::Response<Bytes> {
    let seen = Arc::clone(seen);
    handle_callback(
        &kat::verifier(),
        request,
        move |callback: Callback| async move {
            seen.lock()
                .unwrap()
                .push(callback.app_trans_id().unwrap_or_default().to_owned());
            reply
        },
    )
    .await
}

fn post(body: impl Into<Bytes>) -> Request<Bytes> {
    Request::post("/zalopay/callback")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn verified_callback_reaches_the_handler() {
    let seen = Seen::default();
    let response = call(post(kat::kat_body()), &seen, CallbackReply::success()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        response.body().as_ref(),
        br#"{"return_code":1,"return_message":"success"}"#
    );
    assert_eq!(*seen.lock().unwrap(), vec![kat::KAT_APP_TRANS_ID]);
}

#[tokio::test]
async fn handler_reply_is_passed_through() {
    let seen = Seen::default();
    let body = sign_callback(&kat::keys(), kat::KAT_DATA, 1);
    let response = call(post(body), &seen, CallbackReply::retry_later("db down")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.body().as_ref(),
        br#"{"return_code":0,"return_message":"db down"}"#
    );
}

#[tokio::test]
async fn refused_bodies_get_200_and_skip_the_handler() {
    let seen = Seen::default();
    for body in [kat::tampered_body(), "not json".to_owned(), String::new()] {
        let response = call(post(body), &seen, CallbackReply::success()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body().as_ref(), kat::BAD_MAC_REPLY.as_bytes());
    }
    // Correctly signed, but for another app: verified, so "call again" (0), not -1.
    let other = kat::KAT_DATA.replace("\"app_id\":2553", "\"app_id\":2554");
    let response = call(
        post(sign_callback(&kat::keys(), &other, 1)),
        &seen,
        CallbackReply::success(),
    )
    .await;
    assert_eq!(kat::return_code(response.body()), 0);
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn only_post_is_served() {
    let seen = Seen::default();
    let request = Request::get("/zalopay/callback")
        .body(Bytes::from(kat::kat_body()))
        .unwrap();
    let response = call(request, &seen, CallbackReply::success()).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn any_byte_container_verifies() {
    let verifier = kat::verifier();
    let as_vec = Request::post("/")
        .body(kat::kat_body().into_bytes())
        .unwrap();
    let as_string = Request::post("/").body(kat::kat_body()).unwrap();
    for callback in [
        verify_request(&verifier, &as_vec).unwrap(),
        verify_request(&verifier, &as_string).unwrap(),
    ] {
        assert_eq!(callback.app_trans_id(), Some(kat::KAT_APP_TRANS_ID));
    }
    let response = reply_response(&CallbackReply::reject("mac not equal"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), kat::BAD_MAC_REPLY.as_bytes());
}
