//! Snapshots of the exact encoded request of every operation (method, URL, content type,
//! body), as `Client::prepare` produces it for the sandbox. Reviewed by eye; CI never writes
//! snapshots (`INSTA_UPDATE=always` only when changing them on purpose).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use zalopay_api::{Client, Endpoint, Environment, Keys};

/// The MAC input (what is signed) above the request (what is sent), so a reviewer sees both.
fn render<R: Endpoint>(app_id: i64, keys: Keys, req: &R) -> String {
    let mac_input = req.mac_input(&keys);
    let client = Client::new(fixture_config(app_id, keys, Environment::Sandbox)).unwrap();
    let prepared = client.prepare(req).unwrap();
    format!(
        "mac input: {mac_input}\n\n{} {}\ncontent-type: {}\n\n{}",
        prepared.method.as_str(),
        prepared.url,
        prepared.content_type.unwrap_or("(none)"),
        String::from_utf8(prepared.body).unwrap()
    )
}

macro_rules! snap {
    ($name:ident, $app:expr, $keys:expr, $req:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(render($app, $keys, &$req));
        }
    };
}

snap!(order_create, 2554, keys_2554(), create_order());
snap!(order_query, 2554, keys_2554(), query_order());
snap!(order_cancel, 2554, keys_2554(), cancel_order());
snap!(refund_create, 2553, keys_2553(), refund());
snap!(refund_create_with_fee, 2553, keys_2553(), refund_with_fee());
snap!(refund_query, 2553, keys_2553(), query_refund());
snap!(banks_list, 2553, keys_2553(), list_banks());
snap!(quickpay_create, 2554, keys_2554(), quick_pay());
snap!(agreement_bind_, 2554, keys_2554(), agreement_bind());
snap!(agreement_query_, 2554, keys_2554(), agreement_query());
snap!(agreement_unbind_, 2554, keys_2554(), agreement_unbind());
snap!(agreement_balance_, 2554, keys_2554(), agreement_balance());
snap!(agreement_pay_, 2554, keys_2554(), agreement_pay());
snap!(
    agreement_query_user_,
    2554,
    keys_2554(),
    agreement_query_user()
);
snap!(tokenization_bind_, 2554, keys_2554(), tokenization_bind());
snap!(tokenization_query_, 2554, keys_2554(), tokenization_query());
snap!(hybrid_pay_, 2554, keys_2554(), hybrid_pay());
snap!(
    disbursement_balance_,
    15555,
    keys_15555(),
    disbursement_balance()
);
snap!(disbursement_user_, 15555, keys_15555(), disbursement_user());
snap!(disbursement_txn_, 15555, keys_15555(), disbursement_txn());
snap!(zod_create_, 553, keys_553(), zod_create());
snap!(zod_invoice_, 553, keys_553(), zod_invoice());
snap!(zod_status_, 553, keys_553(), zod_status());

#[cfg(feature = "rsa")]
#[test]
fn disbursement_topup_() {
    let mut config = fixture_config(15555, keys_15555(), Environment::Sandbox);
    config = config
        .with_rsa_key(zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap());
    let prepared = Client::new(config)
        .unwrap()
        .prepare(&disbursement_topup())
        .unwrap();
    insta::assert_snapshot!(format!(
        "{} {}\ncontent-type: {}\n\n{}",
        prepared.method.as_str(),
        prepared.url,
        prepared.content_type.unwrap_or("(none)"),
        String::from_utf8(prepared.body).unwrap()
    ));
}

#[cfg(not(feature = "rsa"))]
#[test]
fn disbursement_topup_needs_the_rsa_feature() {
    let client = Client::new(fixture_config(15555, keys_15555(), Environment::Sandbox)).unwrap();
    let err = client.prepare(&disbursement_topup()).unwrap_err();
    assert!(err.to_string().contains("rsa"), "{err}");
}
