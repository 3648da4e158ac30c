//! The axum callback route: verified callbacks reach the handler, everything else gets the
//! documented reply, always with HTTP 200.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

#[path = "common/callback_kat.rs"]
mod kat;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use zalopay_api::Keys;
use zalopay_api::callback::{Callback, CallbackReply, MAX_BODY_BYTES, sign_callback};

const KAT_DATA: &str = r#"{"app_id":2553,"app_trans_id":"200904_2553_1598435687208","app_time":1599189392817,"app_user":"demo","amount":10000,"embed_data":"{\"merchantinfo\":\"embeddata123\",\"promotioninfo\":\"\"}","item":"[{\"itemid\":\"knb\",\"itemname\":\"kim nguyen bao\",\"itemprice\":198400,\"itemquantity\":1}]","zp_trans_id":200904000000389,"server_time":1599189413498,"channel":38,"merchant_user_id":"7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc","user_fee_amount":0,"discount_amount":0}"#;
const KAT_MAC: &str = "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67";

fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

type Seen = Arc<Mutex<Vec<String>>>;

fn app(seen: Seen, reply: CallbackReply) -> axum::Router {
    zalopay_api::axum::callback_router(keys(), Some(2553), move |callback: Callback| {
        let seen = Arc::clone(&seen);
        let reply = reply.clone();
        async move {
            seen.lock()
                .unwrap()
                .push(callback.app_trans_id().unwrap_or_default().to_owned());
            reply
        }
    })
}

async fn post(app: axum::Router, body: impl Into<Body>) -> (StatusCode, String, String) {
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn verified_callback_reaches_the_handler() {
    let seen = Seen::default();
    let body = serde_json::json!({ "data": KAT_DATA, "mac": KAT_MAC, "type": 1 }).to_string();
    let (status, content_type, reply) =
        post(app(seen.clone(), CallbackReply::success()), body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    assert_eq!(reply, r#"{"return_code":1,"return_message":"success"}"#);
    assert_eq!(*seen.lock().unwrap(), vec!["200904_2553_1598435687208"]);
}

#[tokio::test]
async fn handler_reply_is_passed_through() {
    let seen = Seen::default();
    let body = sign_callback(&keys(), KAT_DATA, 1);
    let (status, _, reply) = post(
        app(seen.clone(), CallbackReply::retry_later("db down")),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply, r#"{"return_code":0,"return_message":"db down"}"#);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_mac_gets_minus_one_and_skips_the_handler() {
    let seen = Seen::default();
    let tampered = KAT_DATA.replace("10000", "10001");
    let body = serde_json::json!({ "data": tampered, "mac": KAT_MAC, "type": 1 }).to_string();
    let (status, _, reply) = post(app(seen.clone(), CallbackReply::success()), body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reply,
        r#"{"return_code":-1,"return_message":"mac not equal"}"#
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_200_and_a_reply() {
    let seen = Seen::default();
    for body in [
        Body::from("not json"),
        Body::from(""),
        Body::from(r#"{"data":{},"mac":"x"}"#),
        Body::from(vec![b' '; MAX_BODY_BYTES * 2]),
    ] {
        let (status, _, reply) = post(app(seen.clone(), CallbackReply::success()), body).await;
        assert_eq!(status, StatusCode::OK);
        let value: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(value["return_code"], -1, "{reply}");
    }
    // Verified but for another app: retry (0), handler not called.
    let other = KAT_DATA.replace("\"app_id\":2553", "\"app_id\":2554");
    let body = sign_callback(&keys(), &other, 1);
    let (_, _, reply) = post(app(seen.clone(), CallbackReply::success()), body).await;
    assert!(reply.starts_with(r#"{"return_code":0,"#), "{reply}");
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn real_server_on_loopback() {
    let seen = Seen::default();
    let router = axum::Router::new().nest(
        "/zalopay/callback",
        app(seen.clone(), CallbackReply::success()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/zalopay/callback"))
        .header("content-type", "application/json")
        .body(sign_callback(&keys(), KAT_DATA, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"return_code":1,"return_message":"success"}"#
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    server.abort();
}

mod extractor {
    //! `VerifiedCallback` next to the app's own `State`.

    use super::kat;

    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};

    use axum::body::{Body, Bytes};
    use axum::extract::{FromRef, State};
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use zalopay_api::CallbackVerifier;
    use zalopay_api::axum::VerifiedCallback;
    use zalopay_api::callback::{Callback, CallbackReply};

    #[derive(Clone)]
    struct AppState {
        verifier: CallbackVerifier,
        orders: Arc<Mutex<Vec<(String, i64)>>>,
    }

    impl FromRef<AppState> for CallbackVerifier {
        fn from_ref(state: &AppState) -> Self {
            state.verifier.clone()
        }
    }

    async fn on_callback(
        State(state): State<AppState>,
        VerifiedCallback(callback): VerifiedCallback,
    ) -> CallbackReply {
        match callback {
            Callback::Payment(payment) => {
                state
                    .orders
                    .lock()
                    .unwrap()
                    .push((payment.app_trans_id, payment.amount));
                CallbackReply::success()
            }
            _ => CallbackReply::retry_later("unexpected callback type"),
        }
    }

    fn app(orders: &Arc<Mutex<Vec<(String, i64)>>>) -> axum::Router {
        axum::Router::new()
            .route("/zalopay/callback", post(on_callback))
            .with_state(AppState {
                verifier: kat::verifier(),
                orders: Arc::clone(orders),
            })
    }

    async fn call(app: axum::Router, body: Body) -> (StatusCode, Bytes) {
        let request = Request::post("/zalopay/callback").body(body).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        (
            status,
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    }

    #[tokio::test]
    async fn handler_gets_the_typed_callback_and_its_state() {
        let orders = Arc::default();
        let (status, body) = call(app(&orders), Body::from(kat::kat_body())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body.as_ref(),
            br#"{"return_code":1,"return_message":"success"}"#
        );
        assert_eq!(
            *orders.lock().unwrap(),
            vec![(kat::KAT_APP_TRANS_ID.to_owned(), 10_000)]
        );
    }

    #[tokio::test]
    async fn bad_mac_is_rejected_before_the_handler() {
        let orders = Arc::default();
        let (status, body) = call(app(&orders), Body::from(kat::tampered_body())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.as_ref(), kat::BAD_MAC_REPLY.as_bytes());
        assert!(orders.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_verifier_as_the_whole_state_works_too() {
        async fn bare(VerifiedCallback(callback): VerifiedCallback) -> CallbackReply {
            assert_eq!(callback.app_trans_id(), Some(kat::KAT_APP_TRANS_ID));
            CallbackReply::success()
        }
        let app = axum::Router::new()
            .route("/zalopay/callback", post(bare))
            .with_state(kat::verifier());
        let (_, body) = call(app, Body::from(kat::kat_body())).await;
        assert_eq!(kat::return_code(&body), 1);
    }

    /// A body whose connection breaks after the first chunk.
    struct Broken(bool);

    impl http_body::Body for Broken {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            if self.0 {
                let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
                return Poll::Ready(Some(Err(reset)));
            }
            self.0 = true;
            Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(
                b"{\"data\":",
            )))))
        }
    }

    #[tokio::test]
    async fn an_unreadable_body_is_not_a_mac_failure() {
        // The extractor and the ready-made route alike: "call again" (0), never -1.
        let orders = Arc::default();
        let (status, body) = call(app(&orders), Body::new(Broken(false))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kat::return_code(&body), 0, "{body:?}");
        assert!(orders.lock().unwrap().is_empty());

        let router = zalopay_api::axum::callback_router(kat::keys(), Some(2553), |_| async {
            panic!("the handler must not run for an unreadable body")
        });
        let request = Request::post("/").body(Body::new(Broken(false))).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(kat::return_code(&body), 0, "{body:?}");
    }
}
