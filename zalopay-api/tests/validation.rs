//! Client-side validation (`#[check(...)]`): invalid requests fail before any network I/O, with
//! the wire field named; valid ones pass; each operation declares its retry class.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/faulty.rs"]
mod faulty;

use std::sync::Arc;
use zalopay_api::ids::{AppTransId, IdError};

use common::*;
use faulty::Fault;
use zalopay_api::agreement::*;
use zalopay_api::banks::ListBanks;
use zalopay_api::clock::{FixedClock, ManualClock};
use zalopay_api::disbursement::*;
use zalopay_api::hybrid::HybridPay;
use zalopay_api::order::*;
use zalopay_api::quickpay::QuickPay;
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;
use zalopay_api::{
    Client, Endpoint, Environment, Error, RetryClass, SignedRequest, ValidationContext,
};

/// 2023-04-07 13:22 in Vietnam, when the 2554 fixtures were made.
const NOW: i64 = TIME;

fn field_of(error: Error) -> (&'static str, String) {
    match error {
        Error::InvalidField { field, reason } => (field, reason),
        other => panic!("expected InvalidField, got {other:?}"),
    }
}

fn check<R: SignedRequest>(request: &R) -> Result<(), Error> {
    request.validate(&ValidationContext::at(NOW))
}

#[tokio::test]
async fn an_invalid_request_never_reaches_the_server() {
    let server = faulty::start(vec![Fault::Reply(200, "{}")]).await;
    let client = Client::new(fixture_config(
        2554,
        keys_2554(),
        Environment::Custom(server.base.clone()),
    ))
    .unwrap();
    let mut order = create_order();
    order.amount = 0;
    let (field, reason) = field_of(client.send(&order).await.unwrap_err());
    assert_eq!(
        (field, reason.as_str()),
        ("amount", "must be greater than 0, got 0")
    );
    let (field, _) = field_of(client.prepare(&order).unwrap_err());
    assert_eq!(field, "amount");
    assert_eq!(server.hits(), 0);
}

#[test]
fn the_clock_comes_from_the_config() {
    let clock = Arc::new(ManualClock::new(NOW));
    let client = Client::new(
        fixture_config(2554, keys_2554(), Environment::Sandbox).with_clock(clock.clone()),
    )
    .unwrap();
    client.prepare(&create_order()).unwrap();
    // 16 minutes later the same order is stale.
    clock.advance(std::time::Duration::from_secs(16 * 60));
    let (field, reason) = field_of(client.prepare(&create_order()).unwrap_err());
    assert_eq!(field, "app_time");
    assert!(reason.contains("16 minutes behind"), "{reason}");
}

#[test]
fn create_order_checks() {
    assert!(check(&create_order()).is_ok());
    type Change = Box<dyn Fn(&mut CreateOrder)>;
    let cases: Vec<(&str, Change)> = vec![
        ("amount", Box::new(|o| o.amount = -1)),
        ("app_user", Box::new(|o| o.app_user = " ".into())),
        ("app_user", Box::new(|o| o.app_user = "u".repeat(51))),
        (
            "app_trans_id",
            Box::new(|o| o.app_trans_id = AppTransId::try_from("230406_1").unwrap()),
        ),
        ("app_time", Box::new(|o| o.app_time = Some(NOW / 1000))),
        ("description", Box::new(|o| o.description = "d".repeat(257))),
        (
            "bank_code",
            Box::new(|o| o.bank_code = Some("b".repeat(21))),
        ),
        (
            "embed_data",
            Box::new(|o| {
                o.embed_data =
                    zalopay_api::JsonString::new(&serde_json::json!({ "x": "y".repeat(2048) }))
                        .unwrap()
            }),
        ),
    ];
    for (expected, change) in cases {
        let mut order = create_order();
        change(&mut order);
        let (field, reason) = field_of(check(&order).unwrap_err());
        assert_eq!(field, expected, "{reason}");
    }
    // An id over 40 characters cannot even be made: its type refuses it.
    assert_eq!(
        AppTransId::try_from(format!("230407_{}", "9".repeat(34))),
        Err(IdError::TooLong { max: 40, len: 41 })
    );
    // Limits are inclusive and count characters, not bytes.
    let mut order = create_order();
    order.app_user = "ồ".repeat(50);
    order.description = "ồ".repeat(256);
    order.bank_code = None;
    assert!(check(&order).is_ok());
}

/// Issue 23 item 3: "dated today" applies to new ids only. A re-send checks its ids as
/// existing ones (any day), still refusing a wrong shape or another app's `m_refund_id`; a new
/// send of yesterday's id is refused with a reason that says it may have been sent before.
#[test]
fn a_re_send_keeps_its_ids_across_midnight() {
    let next_day = NOW + 86_400_000;
    let mut order = create_order();
    order.app_time = Some(next_day);
    let resend = ValidationContext::at(next_day).resending();
    assert!(order.validate(&resend).is_ok());
    let (field, reason) = field_of(
        order
            .validate(&ValidationContext::at(next_day))
            .unwrap_err(),
    );
    assert_eq!(field, "app_trans_id");
    assert!(reason.contains("if this id was sent before"), "{reason}");
    assert!(reason.contains("CallOptions::resend"), "{reason}");

    let mut refund = refund();
    let refund_day = refund.timestamp.unwrap() + 86_400_000;
    refund.timestamp = Some(refund_day);
    assert!(
        refund
            .validate(&ValidationContext::at(refund_day).resending())
            .is_ok()
    );
    let (field, reason) = field_of(
        refund
            .validate(&ValidationContext::at(refund_day))
            .unwrap_err(),
    );
    assert_eq!(field, "m_refund_id");
    assert!(reason.contains("query it by this id"), "{reason}");
    // Another app's id is wrong on any day, re-send or not.
    refund.app_id = Some(2554);
    let (field, reason) = field_of(
        refund
            .validate(&ValidationContext::at(refund_day).resending())
            .unwrap_err(),
    );
    assert_eq!(field, "m_refund_id");
    assert!(reason.contains("2554_"), "{reason}");
}

#[test]
fn ids_are_dated_in_vietnam_time() {
    // 2023-04-07T16:59:59.999Z is 23:59:59.999 in Vietnam; one ms later it is 2023-04-08.
    let before_midnight = 1_680_886_799_999;
    let mut order = create_order();
    order.app_time = Some(before_midnight);
    assert!(
        order
            .validate(&ValidationContext::at(before_midnight))
            .is_ok()
    );
    order.app_time = Some(before_midnight + 1);
    let (field, reason) = field_of(
        order
            .validate(&ValidationContext::at(before_midnight + 1))
            .unwrap_err(),
    );
    assert_eq!(field, "app_trans_id");
    assert!(reason.contains("230408_"), "{reason}");
    // A query of yesterday's order is fine: only the length is checked.
    assert!(
        query_order()
            .validate(&ValidationContext::at(before_midnight + 86_400_000))
            .is_ok()
    );
    // One of the wrong shape cannot be queried: its type refuses it.
    assert_eq!(
        AppTransId::try_from("x".repeat(41)),
        Err(IdError::TooLong { max: 40, len: 41 })
    );
    assert!(matches!(
        AppTransId::try_from("x".repeat(40)),
        Err(IdError::WrongDatePrefix { .. })
    ));
}

#[test]
fn refund_checks_m_refund_id_against_app_id() {
    let at = ValidationContext::at(1_726_200_000_000);
    assert!(refund().validate(&at).is_ok());
    let mut wrong_app = refund();
    wrong_app.app_id = Some(2554);
    let (field, reason) = field_of(wrong_app.validate(&at).unwrap_err());
    assert_eq!(field, "m_refund_id");
    assert!(reason.contains("2554_"), "{reason}");
    let mut zero = refund();
    zero.amount = 0;
    assert_eq!(field_of(zero.validate(&at).unwrap_err()).0, "amount");
    let mut stale = refund();
    stale.timestamp = stale.timestamp.map(|t| t - 16 * 60 * 1000);
    assert_eq!(field_of(stale.validate(&at).unwrap_err()).0, "timestamp");
}

#[test]
fn other_operations_check_their_fields() {
    let at_2553 = ValidationContext::at(1_726_200_000_000);
    let mut banks = list_banks();
    banks.req_time = Some("yesterday".into());
    assert_eq!(field_of(banks.validate(&at_2553).unwrap_err()).0, "reqtime");
    let mut zod = zod_create();
    zod.mc_ref_id = String::new();
    assert_eq!(field_of(check(&zod).unwrap_err()).0, "mcRefId");
    let mut topup = disbursement_topup();
    topup.amount = 0;
    assert_eq!(field_of(check(&topup).unwrap_err()).0, "amount");
    let mut balance = agreement_balance();
    balance.req_date = balance.req_date.map(|t| t + 20 * 60 * 1000);
    assert_eq!(field_of(check(&balance).unwrap_err()).0, "req_date");
    // An empty payment code cannot even be made: the type refuses it.
    use zalopay_api::quickpay::{PaymentCode, PaymentCodeError};
    assert_eq!(PaymentCode::new(""), Err(PaymentCodeError::Empty));
    assert_eq!(PaymentCode::new(" \n"), Err(PaymentCodeError::Empty));
    let mut bind = agreement_bind();
    bind.app_trans_id = AppTransId::try_from("230101_1").unwrap();
    assert_eq!(field_of(check(&bind).unwrap_err()).0, "app_trans_id");
}

#[test]
fn every_fixture_is_valid_at_its_own_time() {
    let at_2553 = ValidationContext::at(1_726_200_000_000);
    let at = ValidationContext::at(NOW);
    refund().validate(&at_2553).unwrap();
    refund_with_fee().validate(&at_2553).unwrap();
    query_refund().validate(&at_2553).unwrap();
    list_banks().validate(&at_2553).unwrap();
    for result in [
        create_order().validate(&at),
        query_order().validate(&at),
        cancel_order().validate(&at),
        quick_pay().validate(&at),
        agreement_bind().validate(&at),
        agreement_query().validate(&at),
        agreement_unbind().validate(&at),
        agreement_balance().validate(&at),
        agreement_pay().validate(&at),
        agreement_query_user().validate(&at),
        tokenization_bind().validate(&at),
        tokenization_query().validate(&at),
        hybrid_pay().validate(&at),
        disbursement_balance().validate(&at),
        disbursement_user().validate(&at),
        disbursement_topup().validate(&at),
        disbursement_txn().validate(&at),
        zod_create().validate(&at),
        zod_invoice().validate(&at),
        zod_status().validate(&at),
    ] {
        result.unwrap();
    }
    let _ = FixedClock(NOW);
}

#[test]
fn retry_classes() {
    use RetryClass::*;
    let classes = [
        ("create order", CreateOrder::RETRY, SameId),
        ("query order", QueryOrder::RETRY, Safe),
        ("cancel order", CancelOrder::RETRY, Never),
        ("refund", RefundOrder::RETRY, Never),
        ("query refund", QueryRefund::RETRY, Safe),
        ("list banks", ListBanks::RETRY, Safe),
        ("quick pay", QuickPay::RETRY, Never),
        ("hybrid pay", HybridPay::RETRY, Never),
        ("agreement bind", AgreementBind::RETRY, Never),
        ("agreement query", AgreementQuery::RETRY, Safe),
        ("agreement unbind", AgreementUnbind::RETRY, Never),
        ("agreement balance", AgreementBalance::RETRY, Safe),
        ("agreement pay", AgreementPay::RETRY, Never),
        ("agreement query user", AgreementQueryUser::RETRY, Safe),
        ("tokenization bind", TokenizationBind::RETRY, Never),
        ("tokenization query", TokenizationQuery::RETRY, Safe),
        ("disbursement balance", DisbursementBalance::RETRY, Safe),
        ("disbursement user", DisbursementUser::RETRY, Safe),
        ("disbursement top-up", DisbursementTopup::RETRY, Never),
        ("disbursement txn", DisbursementTxn::RETRY, Safe),
        ("zod create", ZodCreateInvoice::RETRY, Never),
        ("zod invoice", ZodQueryInvoice::RETRY, Safe),
        ("zod status", ZodQueryStatus::RETRY, Safe),
    ];
    for (name, actual, expected) in classes {
        assert_eq!(actual, expected, "{name}");
    }
}

/// Checks are generated, so a request type of one's own gets them too.
#[test]
fn custom_request_checks() {
    #[derive(zalopay_api::ZaloPayRequest)]
    #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = QueryOrderResponse, retry = safe)]
    #[mac(key = key1, fields = [app_id, note])]
    struct Custom {
        app_id: i64,
        #[check(json, max_len = 10)]
        note: Option<String>,
    }
    let ok = Custom {
        app_id: 1,
        note: Some("[1,2]".into()),
    };
    assert!(check(&ok).is_ok());
    assert!(check(&Custom { note: None, ..ok }).is_ok());
    let bad = Custom {
        app_id: 1,
        note: Some("{".into()),
    };
    let (field, reason) = field_of(check(&bad).unwrap_err());
    assert_eq!(field, "note");
    assert!(reason.starts_with("is not valid JSON"), "{reason}");
    assert_eq!(<Custom as Endpoint>::RETRY, RetryClass::Safe);
}
