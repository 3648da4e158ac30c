//! Shared fixtures: every operation built with the values of api-facts §19.2 / §19.3.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use zalopay_api::agreement::*;
use zalopay_api::banks::ListBanks;
use zalopay_api::disbursement::*;
use zalopay_api::hybrid::HybridPay;
use zalopay_api::order::*;
use zalopay_api::quickpay::{PaymentCode, QuickPay};
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;

use zalopay_api::clock::FixedClock;
use zalopay_api::{Config, Environment, JsonString, Keys};

/// A config whose clock stands at the moment the fixtures of `app_id` were made (app 2553's
/// are dated 2024-09-13, the others 2023-04-07), so that client-side validation accepts them.
pub fn fixture_config(app_id: i64, keys: Keys, environment: Environment) -> Config {
    let now = if app_id == 2553 {
        1_726_200_000_000
    } else {
        TIME
    };
    Config::new(app_id, keys, environment)
        .with_clock(Arc::new(FixedClock(now)))
        .with_encryptor(Arc::new(FixedEncryptor))
}

/// The payment code every fixture sends: a stand-in for ZaloPay's RSA encryption (which is
/// randomised), so that request bodies stay byte-for-byte comparable.
pub const ENCRYPTED_PAYMENT_CODE: &str = "ENCRYPTED+PAYMENT/CODE==";

/// Encrypts every payment code to [`ENCRYPTED_PAYMENT_CODE`].
pub struct FixedEncryptor;

impl zalopay_api::fill::Encryptor for FixedEncryptor {
    fn encrypt(&self, _field: &'static str, _plain: &[u8]) -> Result<String, zalopay_api::Error> {
        Ok(ENCRYPTED_PAYMENT_CODE.to_owned())
    }
}

/// api-facts §19.1.
pub fn keys_2553() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}
pub fn keys_2554() -> Keys {
    Keys::new(
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    )
    .unwrap()
}
/// key2 of 15555 is not published; disbursement signs with key1 only.
pub fn keys_15555() -> Keys {
    Keys::new("2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO", "unused-key2").unwrap()
}
/// key2 of 553 is disputed (§19.1); ZOD signs with key1 only.
pub fn keys_553() -> Keys {
    Keys::new(
        "9phuAOYhan4urywHTh0ndEXiV3pKHr5Q",
        "A53q3asfJ9qQMEVDUuruW86nIloLoAUq",
    )
    .unwrap()
}

/// api-facts §19.1: the public 512-bit test key (PKCS#8, base64 DER).
pub const TEST_RSA_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

pub const TIME: i64 = 1_680_848_533_635;
pub const TRANS: &str = "230407_13221300383";
pub const PAY_TOKEN: &str = "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI";

pub fn create_order() -> CreateOrder {
    CreateOrder::new(
        2554,
        TRANS,
        "user123",
        50_000,
        TIME,
        "Demo - Payment for the order #13221300383",
    )
}
pub fn query_order() -> QueryOrder {
    QueryOrder::new(2554, TRANS)
}
pub fn cancel_order() -> CancelOrder {
    CancelOrder::new(2554, TRANS)
}
pub fn refund() -> RefundOrder {
    RefundOrder::new(
        2553,
        "240913_2553_1726200000000123",
        240_913_000_002_388,
        3_000_000,
        1_726_200_000_000,
        "ZaloPay Refund Demo",
    )
}
pub fn refund_with_fee() -> RefundOrder {
    refund().with_fee(1000)
}
pub fn query_refund() -> QueryRefund {
    QueryRefund::new(2553, "240913_2553_1726200000000123", 1_726_200_000_000)
}
pub fn list_banks() -> ListBanks {
    ListBanks::new(2553, 1_726_200_000_000)
}
pub fn quick_pay() -> QuickPay {
    QuickPay::builder()
        .app_id(2554)
        .app_trans_id(TRANS)
        .app_user("user123")
        .amount(50_000)
        .app_time(TIME)
        .payment_code_raw(PaymentCode::new("PAYMENTCODERAW123").unwrap())
        .build()
}
pub fn agreement_bind() -> AgreementBind {
    AgreementBind::new(2554, TRANS, "ZLP User", TIME)
}
pub fn agreement_query() -> AgreementQuery {
    AgreementQuery::new(2554, TRANS, TIME)
}
pub fn agreement_unbind() -> AgreementUnbind {
    AgreementUnbind::new(2554, "ZLP User", "230407qQe7vGnqp0agyforLAy0D2b1x3", TIME)
}
pub fn agreement_balance() -> AgreementBalance {
    AgreementBalance::new(2554, "ZLP User", PAY_TOKEN, 50_000, TIME)
}
pub fn agreement_pay() -> AgreementPay {
    AgreementPay::new(
        2554,
        "ZLP User",
        "ACdrmzS_TGxHZyafUiHs3OjQ",
        PAY_TOKEN,
        TIME,
    )
}
pub fn agreement_query_user() -> AgreementQueryUser {
    AgreementQueryUser::new(2554, PAY_TOKEN, TIME)
}
pub fn tokenization_bind() -> TokenizationBind {
    TokenizationBind::new(
        2554,
        TRANS,
        "ZLP User",
        TokenBindingType::Wallet,
        BindingMode::Bind,
        DeviceType::Mobile,
        TIME,
    )
}
pub fn tokenization_query() -> TokenizationQuery {
    TokenizationQuery::new(2554, TRANS, TIME)
}
pub fn hybrid_pay() -> HybridPay {
    HybridPay {
        app_id: Some(2554),
        identifier: "ZLP User".to_owned(),
        pay_token: PAY_TOKEN.to_owned(),
        app_user: "user123".to_owned(),
        app_trans_id: TRANS.to_owned(),
        app_time: Some(TIME),
        amount: 50_000,
        description: "Demo - hybrid payment".to_owned(),
        item: JsonString::empty_array(),
        embed_data: JsonString::empty_object(),
    }
}
pub fn disbursement_balance() -> DisbursementBalance {
    DisbursementBalance::new(15555, "CASHIN", TIME)
}
pub fn disbursement_user() -> DisbursementUser {
    DisbursementUser::new(15555, "0904123456", TIME)
}
pub fn disbursement_topup() -> DisbursementTopup {
    DisbursementTopup::new(
        15555,
        "CASHIN",
        "202305110902928474",
        "230407qQe7vGnqp0agyforLAy0D2b1x3",
        1000,
        "Topup",
        TIME,
    )
}
pub fn disbursement_txn() -> DisbursementTxn {
    DisbursementTxn::new(15555, "202305110902928474", TIME)
}
pub fn zod_create() -> ZodCreateInvoice {
    ZodCreateInvoice::new(
        553,
        "ORDER_001",
        430_000,
        "0904123456",
        vec![ZodOrderInfo {
            tracking_number: "TRACK_001".to_owned(),
            description: "Parcel 1".to_owned(),
            amount: 430_000,
        }],
    )
}
pub fn zod_invoice() -> ZodQueryInvoice {
    ZodQueryInvoice::new(553, "ORDER_001")
}
pub fn zod_status() -> ZodQueryStatus {
    ZodQueryStatus::new(553, "ORDER_001")
}
