//! key1, key2 and the RSA key never show: not in `Debug` of the config, client or keys, not in
//! errors, not in tracing output (every level) of full sends against a local server, retries
//! included. Order query is used because its MAC input contains key1 itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zalopay_api::ids::AppTransId;

use common::*;
use faulty::Fault;
use zalopay_api::{Client, Environment, Error, RetryPolicy};

const KEY1: &str = "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn";
const KEY2: &str = "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf";

/// Pieces of every secret: none of them may appear anywhere.
fn secrets() -> Vec<&'static str> {
    let mut out = vec![KEY1, KEY2, &KEY1[..12], &KEY2[..12]];
    // The base64 body of the RSA key, in a few slices.
    for start in [40, 120, 200, 300] {
        out.push(&TEST_RSA_KEY[start..start + 24]);
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(secret),
            "{what} shows a secret ({secret}):\n{text}"
        );
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(base: &str) -> Client {
    #[allow(unused_mut)]
    let mut config = fixture_config(
        2554,
        zalopay_api::Keys::new(KEY1, KEY2).unwrap(),
        Environment::Custom(base.to_owned()),
    )
    .with_retry(
        RetryPolicy::none()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(1))
            .with_rate_limit_backoff(Duration::from_millis(1))
            .with_max_retry_after(Duration::from_millis(1)),
    );
    config.timeout = Duration::from_millis(300);
    #[cfg(feature = "rsa")]
    {
        config = config.with_rsa_key(
            zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap(),
        );
    }
    Client::new(config).unwrap()
}

#[test]
fn debug_output_is_redacted() {
    let client = client("http://127.0.0.1:9");
    assert_clean("Config", &format!("{:?}", client.config()));
    assert_clean("Config (pretty)", &format!("{:#?}", client.config()));
    assert_clean("Client", &format!("{client:?}"));
    assert_clean("Keys", &format!("{:?}", client.config().keys));
    assert!(format!("{:?}", client.config()).contains("REDACTED"));
}

#[tokio::test]
async fn errors_and_tracing_never_show_a_key() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Retried faults, then a success; then a refusal, garbage, and an invalid request.
    let server = faulty::start(vec![
        Fault::Reply(500, "oops"),
        Fault::Drop,
        Fault::Reply(
            200,
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"is_processing":false,"amount":1000,"zp_trans_id":240101000000001}"#,
        ),
        Fault::Reply(
            200,
            r#"{"return_code":2,"return_message":"bad","sub_return_code":-402,"sub_return_message":"ILLEGAL_SIGNATURE_REQUEST"}"#,
        ),
        Fault::Reply(200, "not json"),
        Fault::StallHeaders,
    ])
    .await;
    let client = client(&server.base);
    client.send(&query_order()).await.unwrap();
    let mut errors: Vec<Error> = Vec::new();
    errors.push(client.send(&cancel_order()).await.unwrap_err());
    errors.push(client.send(&cancel_order()).await.unwrap_err());
    errors.push(client.send(&cancel_order()).await.unwrap_err());
    let mut invalid = create_order();
    invalid.amount = 0;
    errors.push(client.send(&invalid).await.unwrap_err());
    #[cfg(feature = "rsa")]
    errors.push(client.send(&disbursement_topup()).await.unwrap_err());
    errors.push(
        client
            .send(
                &zalopay_api::order::QueryOrder::builder()
                    .app_id(2554)
                    .app_trans_id(AppTransId::try_from(TRANS).unwrap())
                    .build(),
            )
            .await
            .unwrap_err(),
    );
    assert!(server.hits() >= 6);

    for error in &errors {
        assert_clean("error Display", &error.to_string());
        assert_clean("error Debug", &format!("{error:?}"));
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            assert_clean("error source", &inner.to_string());
            source = inner.source();
        }
    }

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        output.contains("calling ZaloPay"),
        "tracing was captured:\n{output}"
    );
    assert!(
        output.contains("retrying"),
        "retries were traced:\n{output}"
    );
    assert_clean("tracing output", &output);
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
