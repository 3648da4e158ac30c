//! Secrets stay secret: keys never appear in `Debug` output, error messages or log events
//! (including while signing a query whose MAC input contains key1 itself), and the TLS stack
//! is rustls only (no native-tls / OpenSSL anywhere in the dependency graph).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use zalopay_api::order::{CreateOrder, QueryOrder};
use zalopay_api::{Client, Config, Environment, Keys};

const KEY1: &str = "K1-secret-PcY4iZIKFCIdgZvA6ueMcMHH";
const KEY2: &str = "K2-secret-kLtgPl8HHhfvMuDHPwKfgfsY";

fn assert_no_key(what: &str, text: &str) {
    for key in [KEY1, KEY2, &KEY1[10..], &KEY2[10..]] {
        assert!(!text.contains(key), "{what} shows a key: {text}");
    }
}

/// A tracing subscriber that writes every field of every span and event into a string.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

struct Fields<'a>(&'a Mutex<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0.lock().unwrap(), "{}={value:?}; ", field.name());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Fields(&self.0));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&self.0));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(&self.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

async fn gateway(status: axum::http::StatusCode, body: &'static str) -> String {
    let app = axum::Router::new().fallback(move || async move { (status, body) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[test]
fn keys_never_reach_debug_errors_or_logs() {
    let recorder = Recorder::default();
    let log = recorder.0.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder, || {
        runtime.block_on(async {
            let keys = Keys::new(KEY1, KEY2).unwrap();
            assert_no_key("Keys", &format!("{keys:?}"));
            assert_no_key("SecretKey", &format!("{:?} {:#?}", keys.key1, keys.key2));

            for (status, body) in [
                (axum::http::StatusCode::OK, r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","amount":1,"is_processing":false,"zp_trans_id":1}"#),
                (axum::http::StatusCode::OK, r#"{"return_code":2,"return_message":"bad","sub_return_code":-402,"sub_return_message":"mac"}"#),
                (axum::http::StatusCode::OK, "not json"),
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "oops"),
            ] {
                let base = gateway(status, body).await;
                let config = Config::new(2553, keys.clone(), Environment::Custom(base));
                assert_no_key("Config", &format!("{config:?}"));
                let client = Client::new(config).unwrap();
                assert_no_key("Client", &format!("{client:?}"));
                // Query's MAC input is `app_id|app_trans_id|key1`: the key is signed, not sent.
                let query = QueryOrder::new(2553, "240913_1");
                let prepared = client.prepare(&query).unwrap();
                assert_no_key("the prepared request", &format!("{prepared:?}"));
                assert_no_key("the request body", &String::from_utf8_lossy(&prepared.body));
                if let Err(e) = client.send(&query).await {
                    assert_no_key("an error", &format!("{e} {e:?}"));
                }
                let create = CreateOrder::new(2553, "240913_2", "u", 1, 1, "d");
                if let Err(e) = client.send(&create).await {
                    assert_no_key("an error", &format!("{e} {e:?}"));
                }
            }
            // Unreachable gateway: transport errors too.
            let config = Config::new(2553, keys.clone(), Environment::Custom("http://127.0.0.1:9".into()));
            let e = Client::new(config).unwrap().send(&QueryOrder::new(1, "x")).await.unwrap_err();
            assert_no_key("a transport error", &format!("{e} {e:?}"));
        });
    });
    let log = log.lock().unwrap();
    assert!(
        log.contains("calling ZaloPay"),
        "the recorder saw no event: {log}"
    );
    assert_no_key("the log", &log);
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_key_is_redacted() {
    let key = zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64("MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2").unwrap();
    assert_eq!(format!("{key:?}"), "MerchantRsaKey([REDACTED])");
}

/// rustls only: the lock file has no native-tls, OpenSSL or hyper-tls package.
#[test]
fn tls_is_rustls_only() {
    let lock =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
    let packages: Vec<&str> = lock
        .lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .map(|name| name.trim_end_matches('"'))
        .collect();
    for banned in [
        "native-tls",
        "openssl",
        "openssl-sys",
        "hyper-tls",
        "tokio-native-tls",
    ] {
        assert!(!packages.contains(&banned), "{banned} is in Cargo.lock");
    }
    assert!(
        packages.contains(&"rustls"),
        "rustls is missing from Cargo.lock"
    );
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
    let reqwest = manifest
        .lines()
        .find(|line| line.starts_with("reqwest"))
        .unwrap();
    assert!(
        reqwest.contains("default-features = false") && reqwest.contains("rustls-tls"),
        "{reqwest}"
    );
}
