//! Known-answer tests: for every operation, the MAC input and MAC must equal the strings of
//! api-facts §19.2 / §19.3, copied from the fact sheet (never produced by this library).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use zalopay_api::ids::AppTransId;
use zalopay_api::{Keys, SignedRequest};

#[track_caller]
fn check<R: SignedRequest>(req: &R, keys: &Keys, input: &str, mac: &str) {
    assert_eq!(req.mac_input(keys), input, "MAC input");
    assert_eq!(req.mac(keys).as_str(), mac, "MAC");
}

#[test]
fn create_order() {
    check(
        &common::create_order(),
        &keys_2554(),
        "2554|230407_13221300383|user123|50000|1680848533635|{}|[]",
        "4caca58ffa2a1b392232f40ff812c2bb5f36d7f3f5d0c549ec6a26ae331cbdbe",
    );
}

#[test]
fn create_order_with_redirect() {
    let mut req = zalopay_api::order::CreateOrder::builder()
        .app_id(2553)
        .app_trans_id(AppTransId::try_from("240101_123456").unwrap())
        .app_user("user123")
        .amount(50_000)
        .app_time(1_704_067_200_000)
        .description("x")
        .build();
    req.embed_data =
        zalopay_api::JsonString::from_raw(r#"{"redirecturl":"https://example.com/result"}"#)
            .unwrap();
    req.item = zalopay_api::JsonString::from_raw("[{}]").unwrap();
    check(
        &req,
        &keys_2553(),
        r#"2553|240101_123456|user123|50000|1704067200000|{"redirecturl":"https://example.com/result"}|[{}]"#,
        "22da8cae1102362291b122befa065818efb8806d92e1556b6a4f77dbd56297ad",
    );
}

#[test]
fn query_and_cancel_order() {
    let input = "2554|230407_13221300383|sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn";
    let mac = "7cec9f5d7de580a55c25a2ed92b42cf4f802a8d0c0beb87c5009b1865665b43c";
    check(&common::query_order(), &keys_2554(), input, mac);
    check(&common::cancel_order(), &keys_2554(), input, mac);
}

#[test]
fn refund_without_fee() {
    check(
        &common::refund(),
        &keys_2553(),
        "2553|240913000002388|3000000|ZaloPay Refund Demo|1726200000000",
        "13caafeea5bdc8d1976c7a83e8d3cc5b7a2525bd7c18c2cab3024a0cd64ff2ca",
    );
}

#[test]
fn refund_with_fee() {
    check(
        &common::refund_with_fee(),
        &keys_2553(),
        "2553|240913000002388|3000000|1000|ZaloPay Refund Demo|1726200000000",
        "e7c2f821f47a52208534b18d69fd2f932f20784bbefc81a952edf441a10131ac",
    );
}

#[test]
fn query_refund() {
    check(
        &common::query_refund(),
        &keys_2553(),
        "2553|240913_2553_1726200000000123|1726200000000",
        "951a0515d8c6300b9dc382c2afcd6d488b9d32f3939fef70eec8176f6bc838c2",
    );
}

#[test]
fn list_banks() {
    check(
        &common::list_banks(),
        &keys_2553(),
        "2553|1726200000000",
        "3107842d14ed45e863aa16be0d403425fd9b638097fff45d060f69952927e519",
    );
}

#[test]
fn quick_pay_signs_the_raw_code() {
    check(
        &common::quick_pay(),
        &keys_2554(),
        "2554|230407_13221300383|user123|50000|1680848533635|{}|[]|PAYMENTCODERAW123",
        "7edc0c0b22051f7276e9c192335e9fa263561d6306808ad8e20130e6bc7181cd",
    );
}

#[test]
fn agreement_bind() {
    check(
        &common::agreement_bind(),
        &keys_2554(),
        "2554|230407_13221300383|{}|WALLET|ZLP User|0|1680848533635",
        "69281e9affc62e17e9cbe8d6f476eba42d8c65168e03c58156f0ccb4bd256c9f",
    );
}

#[test]
fn agreement_unbind() {
    check(
        &common::agreement_unbind(),
        &keys_2554(),
        "2554|ZLP User|230407qQe7vGnqp0agyforLAy0D2b1x3|1680848533635",
        "33a3a660e0e29180d39df278d899649d6081c54aa0341b07db88bfa6f11d5c92",
    );
}

#[test]
fn agreement_query() {
    check(
        &common::agreement_query(),
        &keys_2554(),
        "2554|230407_13221300383|1680848533635",
        "566e844c9e91df86788198c5b79686ee31450f8306c75ad24d2f1b87d56477d6",
    );
}

#[test]
fn agreement_balance_puts_pay_token_first() {
    check(
        &common::agreement_balance(),
        &keys_2554(),
        "2554|NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI|ZLP User|50000|1680848533635",
        "2b0788ea1e47e3233549eed940442545b6bae049e72f8a515b244c332719ea72",
    );
}

#[test]
fn agreement_pay() {
    check(
        &common::agreement_pay(),
        &keys_2554(),
        "2554|ZLP User|ACdrmzS_TGxHZyafUiHs3OjQ|NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI|1680848533635",
        "07b27794ee504fd4687cb457787c41e421970e31e0c9469a193df58b4bbd38b5",
    );
}

#[test]
fn agreement_query_user() {
    check(
        &common::agreement_query_user(),
        &keys_2554(),
        "2554|NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI|1680848533635",
        "1cc46b74dcc72f7226491333d512a0bb4230ab50aa13408c8887b07c897e4fd0",
    );
}

#[test]
fn tokenization_query() {
    // Same formula and values as the agreement query vector (api-facts §19.3).
    check(
        &common::tokenization_query(),
        &keys_2554(),
        "2554|230407_13221300383|1680848533635",
        "566e844c9e91df86788198c5b79686ee31450f8306c75ad24d2f1b87d56477d6",
    );
}

#[test]
fn tokenization_bind() {
    // No vector in the fact sheet: the input is the §11 formula written out by hand
    // (payment_data `{}` for BIND, specs/decisions.md D-03) and the MAC was computed with
    // Python's `hmac` module.
    check(
        &common::tokenization_bind(),
        &keys_2554(),
        "2554|230407_13221300383|ZLP User|BIND|WALLET|MOBILE|{}|{}|1680848533635",
        "9fcb2df3663ef161d0195a873b7fc4f494656022566aa4925561c4dcd06c2aa2",
    );
}

#[test]
fn hybrid_pay() {
    // UNCONFIRMED formula (spec `hybrid.pay`): identical to create v2, so the create vector applies.
    check(
        &common::hybrid_pay(),
        &keys_2554(),
        "2554|230407_13221300383|user123|50000|1680848533635|{}|[]",
        "4caca58ffa2a1b392232f40ff812c2bb5f36d7f3f5d0c549ec6a26ae331cbdbe",
    );
}

#[test]
fn disbursement_balance() {
    check(
        &common::disbursement_balance(),
        &keys_15555(),
        "15555|CASHIN|1680848533635",
        "5978a2d4a73bc9141865e36496bd7bd6d9fedacd57c42413ac8071ba2c5f0dd5",
    );
}

#[test]
fn disbursement_user() {
    check(
        &common::disbursement_user(),
        &keys_15555(),
        "15555|0904123456|1680848533635",
        "7fb5af3b0fe34c9c129be1a1c1fd05d6884d616bcf6783c4210e53918b626956",
    );
}

#[test]
fn disbursement_topup_hmac_step() {
    check(
        &common::disbursement_topup(),
        &keys_15555(),
        "15555|CASHIN|202305110902928474|230407qQe7vGnqp0agyforLAy0D2b1x3|1000|Topup|{}|{}|1680848533635",
        "33c4dee9476236fc87c663a11d310c31668534c0d82cf426b239212ee137dc6f",
    );
}

#[cfg(feature = "rsa")]
#[test]
fn disbursement_topup_sig_step() {
    use zalopay_api::rsa::MerchantRsaKey;
    use zalopay_api::{Client, Environment};

    let key = MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap();
    // The RSA step alone, on the hex of the HMAC step.
    assert_eq!(
        key.sign_base64(b"33c4dee9476236fc87c663a11d310c31668534c0d82cf426b239212ee137dc6f")
            .unwrap(),
        "JtlQTaXZOxGzZY+fR10l3+TgzhzN0zc4t7nmqpOp6pxIiDfOrEX10rNKLTzk4/goFYioRUcXTNcL0CYOhaircQ=="
    );
    // And end to end through the client: the `sig` parameter carries it.
    let mut config = fixture_config(15555, keys_15555(), Environment::Sandbox);
    config = config.with_rsa_key(key);
    let prepared = Client::new(config)
        .unwrap()
        .prepare(&common::disbursement_topup())
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(
        body["sig"],
        "JtlQTaXZOxGzZY+fR10l3+TgzhzN0zc4t7nmqpOp6pxIiDfOrEX10rNKLTzk4/goFYioRUcXTNcL0CYOhaircQ=="
    );
    assert!(body.get("mac").is_none());
}

#[cfg(feature = "rsa")]
#[test]
fn published_rsa_vector() {
    // api-facts §19.2 (3).
    let key = zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(TEST_RSA_KEY).unwrap();
    assert_eq!(
        key.sign_base64(b"cd7a32337eedd9763bda3a0654ac9855f36f8d759b7a505e4bfd646a5f5b8056")
            .unwrap(),
        "FUsBSTRZAIuz5A8F+KZixT8q3s7iLgLQJLqFzPfazdJnoHv9FJxCRlLaGk10b3SUnsEtLOAkhpQk9QXsepFotw=="
    );
}

#[test]
fn zod_create() {
    check(
        &common::zod_create(),
        &keys_553(),
        "553|ORDER_001|430000|{}",
        "ed9e5845252703cddf72f39b8182244d3e9dd9357a99a92f0f96083e770fb3e5",
    );
}

#[test]
fn zod_invoice_and_status() {
    let input = "553|ORDER_001";
    let mac = "d2e6671cbdcb51791e622977ad99eb732345158963385f87f8b3bb6a08e564d1";
    check(&common::zod_invoice(), &keys_553(), input, mac);
    check(&common::zod_status(), &keys_553(), input, mac);
}

#[test]
fn published_v1_create_vector_pins_the_create_order() {
    // api-facts §19.2 (2): the v1 QR example uses the same ordering as v2 create.
    let mut req = zalopay_api::order::CreateOrder::builder()
        .app_id(553)
        .app_trans_id(AppTransId::try_from("200904_000234").unwrap())
        .app_user("user123")
        .amount(10_000)
        .app_time(1_599_202_366_026)
        .description("x")
        .build();
    req.item = zalopay_api::JsonString::empty_array();
    check(
        &req,
        &keys_553(),
        "553|200904_000234|user123|10000|1599202366026|{}|[]",
        "7e95836a9feace32458f23416feea423172ef0a098f27a668a1e10788b5a6838",
    );
}
