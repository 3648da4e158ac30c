//! Quick pay through the SDK: the caller gives the raw payment code only; the client encrypts
//! it with ZaloPay's public key (here the emulator's) and signs the raw code; the emulator
//! decrypts it and checks the MAC over the decrypted code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{APP, KEY1, KEY2, TODAY, start};
use zalopay_api::codes::{CodeClass, SubReturnCode};
use zalopay_api::ids::AppTransId;
use zalopay_api::order::{OrderStatus, QueryOrder};
use zalopay_api::quickpay::{PaymentCode, QuickPay, QuickPayStatus};
use zalopay_api::rsa::ZaloPayPublicKey;
use zalopay_api::{Client, Config, Environment, Error, Keys};
use zalopay_emulator::ZALOPAY_PUBLIC_KEY;

fn config(env: &common::Env) -> Config {
    Config::new(
        APP,
        Keys::new(KEY1, KEY2).unwrap(),
        Environment::Custom(env.base()),
    )
    .with_clock(Arc::new(env.clock.clone()))
}

fn charge(id: &str) -> QuickPay {
    QuickPay::builder()
        .app_trans_id(AppTransId::try_from(format!("{TODAY}_{id}")).unwrap())
        .app_user("till-7")
        .amount(25_000)
        .payment_code_raw(PaymentCode::new("012345678901234567\n").unwrap())
        .description("Coffee")
        .build()
}

#[tokio::test]
async fn the_client_encrypts_the_raw_code_and_the_emulator_reads_it() {
    let env = start().await;
    let key = ZaloPayPublicKey::from_base64_der(ZALOPAY_PUBLIC_KEY).unwrap();
    let client = Client::new(config(&env).with_zalopay_public_key(key)).unwrap();
    let request = charge("qp1");
    let prepared = client.prepare(&request).unwrap();
    let body = String::from_utf8(prepared.body.clone()).unwrap();
    assert!(
        !body.contains("012345678901234567"),
        "the raw code is never sent: {body}"
    );
    let sent: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(&body).unwrap();
    assert!(sent["payment_code"].len() > 40, "{body}");

    let paid = client.send(&request).await.unwrap();
    assert_eq!(paid.codes.return_code, 1, "{paid:?}");
    assert!(paid.zp_trans_id.is_some());
    let query = QueryOrder::builder()
        .app_trans_id(AppTransId::try_from(format!("{TODAY}_qp1")).unwrap())
        .build();
    assert!(matches!(
        client.send(&query).await.unwrap().status(),
        OrderStatus::Paid { .. }
    ));
}

#[tokio::test]
async fn without_zalopays_key_nothing_is_sent() {
    let env = start().await;
    let client = Client::new(config(&env)).unwrap();
    let error = client.send(&charge("qp2")).await.unwrap_err();
    assert!(
        matches!(&error, Error::Config(message) if message.contains("with_zalopay_public_key")),
        "{error:?}"
    );
    assert!(
        env.running.state().orders().is_empty(),
        "refused before any request reached the gateway"
    );
}

#[tokio::test]
async fn a_filled_request_keeps_its_ciphertext_so_a_resend_is_identical() {
    let env = start().await;
    let key = ZaloPayPublicKey::from_base64_der(ZALOPAY_PUBLIC_KEY).unwrap();
    let client = Client::new(config(&env).with_zalopay_public_key(key)).unwrap();
    let filled = client.fill(&charge("qp3")).unwrap();
    assert!(filled.payment_code.is_some());
    let first = client.prepare(&filled).unwrap();
    let again = client.prepare(&filled).unwrap();
    assert_eq!(
        first.body, again.body,
        "same app time, same ciphertext, same MAC"
    );
    // RSA PKCS#1 v1.5 is randomised: preparing the unfilled request twice encrypts twice.
    let fresh = client.prepare(&charge("qp3")).unwrap();
    assert_ne!(first.body, fresh.body);
}

/// A payment code pays once (issue 23): charging the same scanned code again, even under a
/// new `app_trans_id`, is refused with the gateway's `2/-322` (expired or used) and creates
/// no second order, so a careless retry cannot charge the buyer twice.
#[tokio::test]
async fn a_payment_code_pays_once_and_a_retry_with_it_is_refused() {
    let env = start().await;
    let key = ZaloPayPublicKey::from_base64_der(ZALOPAY_PUBLIC_KEY).unwrap();
    let client = Client::new(config(&env).with_zalopay_public_key(key)).unwrap();
    let first = client.send(&charge("qp4")).await.unwrap();
    assert!(
        matches!(
            first.status(),
            QuickPayStatus::Paid {
                zp_trans_id: Some(_)
            }
        ),
        "{first:?}"
    );
    assert!(first.status().is_final());

    // The same request again (same app_trans_id) is a duplicate order (-68, decision D-122),
    // checked before the code; the same code under a new app_trans_id is a used code (-322).
    let error = client.send(&charge("qp4")).await.unwrap_err();
    let Error::Gateway(gateway) = &error else {
        panic!("qp4: {error:?}");
    };
    assert_eq!(
        (gateway.return_code, gateway.sub_return_code),
        (2, Some(-68)),
        "qp4: {gateway:?}"
    );
    assert!(gateway.is_duplicate(), "qp4: {gateway:?}");
    let error = client.send(&charge("qp5")).await.unwrap_err();
    let Error::Gateway(gateway) = &error else {
        panic!("qp5: {error:?}");
    };
    assert_eq!(
        (gateway.return_code, gateway.sub_return_code),
        (2, Some(-322)),
        "qp5: {gateway:?}"
    );
    assert_eq!(gateway.code(), SubReturnCode::PaymentCodeExpired);
    assert_eq!(gateway.code().class(), CodeClass::Expired);
    let orders = env.running.state().orders();
    assert_eq!(orders.len(), 1, "one order, paid once: {orders:?}");
    assert!(
        orders.iter().all(|order| order
            .payment_code_sha256
            .as_deref()
            .is_some_and(|digest| !digest.contains("012345678901234567"))),
        "only a digest of the code is kept"
    );

    // A new code pays.
    let mut fresh = charge("qp6");
    fresh.payment_code_raw = PaymentCode::new("765432109876543210").unwrap();
    assert!(matches!(
        client.send(&fresh).await.unwrap().status(),
        QuickPayStatus::Paid { .. }
    ));
}
