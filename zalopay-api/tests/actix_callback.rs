//! The actix-web callback extractor, driven with actix-web's own test tools.
#![cfg(feature = "actix")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/callback_kat.rs"]
mod kat;

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{App, FromRequest, ResponseError, test, web};
use zalopay_api::actix::VerifiedCallback;
use zalopay_api::callback::{Callback, CallbackError, CallbackReply, MAX_BODY_BYTES};
use zalopay_api::{CallbackRejection, CallbackVerifier};

type Orders = web::Data<Mutex<Vec<String>>>;

/// A handler with another extractor next to the callback: the app's own data.
async fn on_callback(
    orders: Orders,
    VerifiedCallback(callback): VerifiedCallback,
) -> CallbackReply {
    if let Callback::Payment(payment) = callback {
        orders.lock().unwrap().push(payment.app_trans_id);
    }
    CallbackReply::success()
}

async fn post(
    verifier: Option<CallbackVerifier>,
    orders: &Orders,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let mut app = App::new().app_data(orders.clone());
    if let Some(verifier) = verifier {
        app = app.app_data(web::Data::new(verifier));
    }
    let service = test::init_service(app.route("/cb", web::post().to(on_callback))).await;
    let request = test::TestRequest::post()
        .uri("/cb")
        .insert_header(("content-type", "application/json"))
        .set_payload(body)
        .to_request();
    let response = test::call_service(&service, request).await;
    let status = response.status();
    (status, test::read_body(response).await.to_vec())
}

#[actix_web::test]
async fn verified_callback_reaches_the_handler_with_its_app_data() {
    let orders = Orders::default();
    let (status, body) = post(Some(kat::verifier()), &orders, kat::kat_body().into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, br#"{"return_code":1,"return_message":"success"}"#);
    assert_eq!(*orders.lock().unwrap(), vec![kat::KAT_APP_TRANS_ID]);
}

#[actix_web::test]
async fn bad_mac_and_oversized_bodies_get_minus_one_and_skip_the_handler() {
    let orders = Orders::default();
    for body in [
        kat::tampered_body().into_bytes(),
        b"not json".to_vec(),
        vec![b' '; MAX_BODY_BYTES + 1],
    ] {
        let (status, reply) = post(Some(kat::verifier()), &orders, body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(reply, kat::BAD_MAC_REPLY.as_bytes());
    }
    assert!(orders.lock().unwrap().is_empty());
}

#[actix_web::test]
async fn a_plain_verifier_as_app_data_works_too() {
    let orders = Orders::default();
    let service = test::init_service(
        App::new()
            .app_data(orders.clone())
            .app_data(kat::verifier())
            .route("/cb", web::post().to(on_callback)),
    )
    .await;
    let request = test::TestRequest::post()
        .uri("/cb")
        .set_payload(kat::kat_body())
        .to_request();
    let response = test::call_service(&service, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(orders.lock().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_route_without_a_verifier_is_a_500() {
    let orders = Orders::default();
    let (status, _) = post(None, &orders, kat::kat_body().into_bytes()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(orders.lock().unwrap().is_empty());
}

/// A payload whose connection breaks after the first chunk.
struct Broken(bool);

impl futures_core::Stream for Broken {
    type Item = Result<web::Bytes, PayloadError>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.0 {
            return Poll::Ready(Some(Err(PayloadError::Incomplete(None))));
        }
        self.0 = true;
        Poll::Ready(Some(Ok(web::Bytes::from_static(b"{\"data\":"))))
    }
}

#[actix_web::test]
async fn an_unreadable_body_is_not_a_mac_failure() {
    let (request, _) = test::TestRequest::post()
        .app_data(web::Data::new(kat::verifier()))
        .to_http_parts();
    let stream: Pin<Box<dyn futures_core::Stream<Item = Result<web::Bytes, PayloadError>>>> =
        Box::pin(Broken(false));
    let mut payload = Payload::from(stream);
    let rejection = VerifiedCallback::from_request(&request, &mut payload)
        .await
        .unwrap_err();
    assert!(
        matches!(
            rejection,
            CallbackRejection::Refused(CallbackError::Unreadable(_))
        ),
        "{rejection:?}"
    );
    let response = rejection.error_response();
    assert_eq!(response.status(), StatusCode::OK);
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap();
    assert_eq!(kat::return_code(&body), 0, "call again, not -1");
}
