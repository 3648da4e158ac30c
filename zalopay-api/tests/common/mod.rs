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
use zalopay_api::ids::{AppTransId, BindingId, MRefundId, PartnerOrderId, PayToken, ZpTransToken};
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

/// [`TRANS`] as the typed id.
pub fn trans() -> AppTransId {
    AppTransId::try_from(TRANS).unwrap()
}
/// [`PAY_TOKEN`] as the typed token.
pub fn pay_token() -> PayToken {
    PayToken::try_from(PAY_TOKEN).unwrap()
}
pub const M_REFUND: &str = "240913_2553_1726200000000123";
/// [`M_REFUND`] as the typed id.
pub fn m_refund() -> MRefundId {
    MRefundId::try_from(M_REFUND).unwrap()
}
pub const PARTNER_ORDER: &str = "202305110902928474";
/// [`PARTNER_ORDER`] as the typed id.
pub fn partner_order() -> PartnerOrderId {
    PartnerOrderId::try_from(PARTNER_ORDER).unwrap()
}

pub fn create_order() -> CreateOrder {
    CreateOrder::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .app_user("user123")
        .amount(50_000)
        .app_time(TIME)
        .description("Demo - Payment for the order #13221300383")
        .build()
}
pub fn query_order() -> QueryOrder {
    QueryOrder::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .build()
}
pub fn cancel_order() -> CancelOrder {
    CancelOrder::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .build()
}
pub fn refund() -> RefundOrder {
    RefundOrder::builder()
        .app_id(2553)
        .m_refund_id(m_refund())
        .zp_trans_id(240_913_000_002_388_i64)
        .amount(3_000_000)
        .timestamp(1_726_200_000_000)
        .description("ZaloPay Refund Demo")
        .build()
}
pub fn refund_with_fee() -> RefundOrder {
    refund().with_fee(1000)
}
pub fn query_refund() -> QueryRefund {
    QueryRefund::builder()
        .app_id(2553)
        .m_refund_id(m_refund())
        .timestamp(1_726_200_000_000)
        .build()
}
pub fn list_banks() -> ListBanks {
    ListBanks::builder()
        .app_id("2553")
        .req_time("1726200000000")
        .build()
}
pub fn quick_pay() -> QuickPay {
    QuickPay::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .app_user("user123")
        .amount(50_000)
        .app_time(TIME)
        .payment_code_raw(PaymentCode::new("PAYMENTCODERAW123").unwrap())
        .build()
}
pub fn agreement_bind() -> AgreementBind {
    AgreementBind::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .identifier("ZLP User")
        .req_date(TIME)
        .build()
}
pub fn agreement_query() -> AgreementQuery {
    AgreementQuery::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .req_date(TIME)
        .build()
}
pub fn agreement_unbind() -> AgreementUnbind {
    AgreementUnbind::builder()
        .app_id(2554)
        .identifier("ZLP User")
        .binding_id(BindingId::try_from("230407qQe7vGnqp0agyforLAy0D2b1x3").unwrap())
        .req_date(TIME)
        .build()
}
pub fn agreement_balance() -> AgreementBalance {
    AgreementBalance::builder()
        .app_id(2554)
        .identifier("ZLP User")
        .pay_token(pay_token())
        .amount(50_000)
        .req_date(TIME)
        .build()
}
pub fn agreement_pay() -> AgreementPay {
    AgreementPay::builder()
        .app_id(2554)
        .identifier("ZLP User")
        .zp_trans_token(ZpTransToken::try_from("ACdrmzS_TGxHZyafUiHs3OjQ").unwrap())
        .pay_token(pay_token())
        .req_date(TIME)
        .build()
}
pub fn agreement_query_user() -> AgreementQueryUser {
    AgreementQueryUser::builder()
        .app_id(2554)
        .access_token(pay_token())
        .req_date(TIME)
        .build()
}
pub fn tokenization_bind() -> TokenizationBind {
    TokenizationBind::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .identifier("ZLP User")
        .binding_type(TokenBindingType::Wallet)
        .binding_mode(BindingMode::Bind)
        .device_type(DeviceType::Mobile)
        .req_date(TIME)
        .build()
}
pub fn tokenization_query() -> TokenizationQuery {
    TokenizationQuery::builder()
        .app_id(2554)
        .app_trans_id(trans())
        .req_date(TIME)
        .build()
}
pub fn hybrid_pay() -> HybridPay {
    HybridPay {
        app_id: Some(2554),
        identifier: "ZLP User".to_owned(),
        pay_token: pay_token(),
        app_user: "user123".to_owned(),
        app_trans_id: trans(),
        app_time: Some(TIME),
        amount: 50_000,
        description: "Demo - hybrid payment".to_owned(),
        item: JsonString::empty_array(),
        embed_data: JsonString::empty_object(),
    }
}
pub fn disbursement_balance() -> DisbursementBalance {
    DisbursementBalance::builder()
        .app_id(15555)
        .payment_id("CASHIN")
        .time(TIME)
        .build()
}
pub fn disbursement_user() -> DisbursementUser {
    DisbursementUser::builder()
        .app_id(15555)
        .phone("0904123456")
        .time(TIME)
        .build()
}
pub fn disbursement_topup() -> DisbursementTopup {
    DisbursementTopup::builder()
        .app_id(15555)
        .payment_id("CASHIN")
        .partner_order_id(partner_order())
        .m_u_id("230407qQe7vGnqp0agyforLAy0D2b1x3")
        .amount(1000)
        .description("Topup")
        .time(TIME)
        .build()
}
pub fn disbursement_txn() -> DisbursementTxn {
    DisbursementTxn::builder()
        .app_id(15555)
        .partner_order_id(partner_order())
        .time(TIME)
        .build()
}
pub fn zod_create() -> ZodCreateInvoice {
    ZodCreateInvoice::builder()
        .app_id("553")
        .mc_ref_id("ORDER_001")
        .amount(430_000)
        .receiver(ZodReceiver {
            contact: "0904123456".to_owned(),
        })
        .order_info(vec![ZodOrderInfo {
            tracking_number: "TRACK_001".to_owned(),
            description: "Parcel 1".to_owned(),
            amount: 430_000,
        }])
        .build()
}
pub fn zod_invoice() -> ZodQueryInvoice {
    ZodQueryInvoice::builder()
        .app_id("553")
        .mc_ref_id("ORDER_001")
        .build()
}
pub fn zod_status() -> ZodQueryStatus {
    ZodQueryStatus::builder()
        .app_id("553")
        .mc_ref_id("ORDER_001")
        .build()
}
