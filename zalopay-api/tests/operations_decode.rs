//! Decoding a realistic response for every operation through `client::decode`, with the
//! samples of api-facts §19.4 and the documented response field lists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::agreement::*;
use zalopay_api::banks::{ListBanksResponse, pmcid};
use zalopay_api::client::decode;
use zalopay_api::disbursement::*;
use zalopay_api::hybrid::HybridPayResponse;
use zalopay_api::order::*;
use zalopay_api::quickpay::QuickPayResponse;
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;
use zalopay_api::{Error, GatewayResponse};

const URL: &str = "https://sb-openapi.zalopay.vn/test";

fn ok<T: serde::de::DeserializeOwned + GatewayResponse>(body: &str) -> T {
    match decode::<T>(URL, body.as_bytes()) {
        Ok(value) => value,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn create_order_sample() {
    let r: CreateOrderResponse = ok(
        r#"{"return_code":1,"return_message":"Transaction successful.","sub_return_code":1,"sub_return_message":"Transaction successful.","zp_trans_token":"ACdrmzS_TGxHZyafUiHs3OjQ","order_url":"https://qcgateway.zalopay.vn/openinapp?order=eyJ6cHRyYW5zdG9rZW4iOiJBQ2RybXpTX1RHeEhaeWFmVWlIczNPalEiLCJhcHBpZCI6MTU4NDd9"}"#,
    );
    assert!(r.codes.is_success());
    assert_eq!(
        r.zp_trans_token.as_deref(),
        Some("ACdrmzS_TGxHZyafUiHs3OjQ")
    );
}

#[test]
fn create_order_rejection_keeps_the_codes() {
    let err = decode::<CreateOrderResponse>(
        URL,
        br#"{"return_code":2,"return_message":"Giao dich that bai","sub_return_code":-401,"sub_return_message":"Du lieu yeu cau khong hop le"}"#,
    )
    .unwrap_err();
    let Error::Gateway(g) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(g.return_code, 2);
    assert_eq!(g.sub_return_code, Some(-401));
    assert_eq!(g.return_message, "Giao dich that bai");
    assert_eq!(
        g.sub_return_message.as_deref(),
        Some("Du lieu yeu cau khong hop le")
    );
    assert!(!g.is_transient());
}

#[test]
fn query_order_sample() {
    let r: QueryOrderResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","amount":5000,"is_processing":false,"zp_trans_id":230512000007041}"#,
    );
    assert_eq!(
        r.status(),
        OrderStatus::Paid {
            zp_trans_id: 230_512_000_007_041,
            amount: 5000,
            discount_amount: None
        }
    );
}

#[test]
fn cancel_order() {
    let r: CancelOrderResponse = ok(
        r#"{"return_code":1,"return_message":"Success","sub_return_code":1,"sub_return_message":"Success"}"#,
    );
    assert!(r.codes.is_success());
}

#[test]
fn refund_processing() {
    let r: RefundOrderResponse = ok(
        r#"{"return_code":3,"return_message":"Processing","sub_return_code":3,"sub_return_message":"Refund is processing","refund_id":123456789}"#,
    );
    assert!(r.codes.is_processing());
    assert_eq!(r.refund_id, Some(123_456_789));
}

#[test]
fn query_refund_states() {
    let r: QueryRefundResponse =
        ok(r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":""}"#);
    assert_eq!(r.status(), RefundStatus::Refunded);
    let r: QueryRefundResponse = ok(
        r#"{"return_code":3,"return_message":"","sub_return_code":2,"sub_return_message":"REFUND_PROCESSING"}"#,
    );
    assert_eq!(
        r.status(),
        RefundStatus::Processing {
            sub_return_code: Some(2)
        }
    );
    let r: QueryRefundResponse = ok(
        r#"{"return_code":2,"return_message":"","sub_return_code":-13,"sub_return_message":"REFUND_EXPIRE_TIME"}"#,
    );
    assert_eq!(
        r.status(),
        RefundStatus::Failed {
            sub_return_code: Some(-13)
        }
    );
    // A request-level sub code is still a rejection.
    let err = decode::<QueryRefundResponse>(
        URL,
        br#"{"return_code":2,"return_message":"","sub_return_code":-402,"sub_return_message":"bad mac"}"#,
    )
    .unwrap_err();
    assert_eq!(err.gateway().unwrap().sub_return_code, Some(-402));
}

#[test]
fn zp_trans_id_reads_numbers_and_strings() {
    let a: ZpTransId = serde_json::from_str("240913000002388").unwrap();
    let b: ZpTransId = serde_json::from_str(r#""240913000002388""#).unwrap();
    assert_eq!(a, b);
    assert_eq!(serde_json::to_string(&a).unwrap(), r#""240913000002388""#);
}

#[test]
fn list_banks() {
    let r: ListBanksResponse = ok(
        r#"{"returncode":1,"returnmessage":"","banks":{"38":[{"bankcode":"zalopayapp","name":"Ví ZaloPay","displayorder":0,"pmcid":38,"minamount":1000,"maxamount":50000000}],"39":[{"bankcode":"VTB","name":"VietinBank","displayorder":1,"pmcid":39,"minamount":10000,"maxamount":100000000},{"bankcode":"VCB","name":"Vietcombank","displayorder":2,"pmcid":39,"minamount":10000,"maxamount":100000000}]}}"#,
    );
    assert_eq!(r.channel(pmcid::ATM).len(), 2);
    assert_eq!(r.channel(pmcid::ZALOPAY_WALLET)[0].bank_code, "zalopayapp");
    assert_eq!(r.channel(pmcid::ATM)[1].max_amount, 100_000_000);
    assert!(r.channel(pmcid::CREDIT_CARD).is_empty());
    let err =
        decode::<ListBanksResponse>(URL, br#"{"returncode":-2,"returnmessage":"mac invalid"}"#)
            .unwrap_err();
    assert_eq!(err.gateway().unwrap().return_code, -2);
}

#[test]
fn quick_pay_processing() {
    let r: QuickPayResponse = ok(
        r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","is_processing":true,"zp_trans_id":0}"#,
    );
    assert!(r.is_processing);
}

#[test]
fn agreement_bind_both_namings() {
    let r: AgreementBindResponse = ok(
        r#"{"return_code":1,"return_message":"Giao dịch thành công","sub_return_code":1,"sub_return_message":"Giao dịch thành công","binding_token":"230407qQe7vGnqp0agyforLAy0D2b1x3","binding_qr_link":"https://qcgateway.zalopay.vn/openinapp?b=230407qQe7vGnqp0agyforLAy0D2b1x3","deep_link":"zalopay://launch/app/730?view=authorize&b=230407qQe7vGnqp0agyforLAy0D2b1x3","short_link":"https://zlpqc.page.link/x"}"#,
    );
    assert!(r.deep_link.unwrap().contains("view=authorize"));
    let r: AgreementBindResponse = ok(
        r#"{"return_code":1,"return_message":"","binding_id":"B1","binding_url":"https://example.invalid/bind"}"#,
    );
    assert_eq!(r.binding_id.as_deref(), Some("B1"));
}

#[test]
fn agreement_query() {
    let r: AgreementQueryResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"app_id":2554,"app_trans_id":"230407_13221300383","binding_id":"230407qQe7vGnqp0agyforLAy0D2b1x3","pay_token":"NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI","server_time":1680850000,"merchant_user_id":"ZLP User","status":1,"msg_type":1,"zp_user_id":"u1","masked_user_phone":"****6938","expiry_timestamp_in_ms":1712472000000}}"#,
    );
    let data = r.data.unwrap();
    assert_eq!(data.reported_status(), Some(BindingStatus::Confirmed));
    assert_eq!(data.masked_user_phone.as_deref(), Some("****6938"));
}

#[test]
fn agreement_unbind_balance_query_user() {
    let r: AgreementUnbindResponse =
        ok(r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":""}"#);
    assert!(r.codes.is_success());
    let r: AgreementBalanceResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":[{"channel":38,"payable":true,"bank_code":"zp_app"}],"discount_amount":0}"#,
    );
    assert!(r.payable());
    assert_eq!(r.data[0].bank_code, "zp_app");
    let r: AgreementQueryUserResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","phone":"****1234"}"#,
    );
    assert_eq!(r.phone.as_deref(), Some("****1234"));
}

#[test]
fn agreement_pay_processing() {
    let r: AgreementPayResponse = ok(
        r#"{"return_code":3,"return_message":"Giao dịch đang được xử lý","sub_return_code":3,"sub_return_message":"","app_trans_id":"230407_13583500399","zp_trans_id":230407000006575}"#,
    );
    assert_eq!(r.status(), PayStatus::Processing);
    assert_eq!(r.zp_trans_id, Some(230_407_000_006_575));
}

#[test]
fn tokenization() {
    let r: TokenizationBindResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","binding_token":"T1","binding_url":"https://example.invalid/b","reform_url":"https://example.invalid/r"}"#,
    );
    assert_eq!(r.binding_token.as_deref(), Some("T1"));
    let r: TokenizationQueryResponse = ok(
        r#"{"return_code":3,"return_message":"pending","sub_return_code":3,"sub_return_message":"","binding_token":"T1","order_no":12,"zp_trans_id":"230407000006575","status":3}"#,
    );
    assert!(r.codes.is_processing());
    assert_eq!(r.zp_trans_id.as_deref(), Some("230407000006575"));
}

#[test]
fn hybrid_fallback_url_is_a_result() {
    let r: HybridPayResponse = ok(
        r#"{"return_code":2,"return_message":"","sub_return_code":-63,"sub_return_message":"balance not enough","solution_url":"https://qcgateway.zalopay.vn/pay?order=x"}"#,
    );
    assert!(r.solution_url.is_some());
}

#[test]
fn disbursement() {
    let r: DisbursementBalanceResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"balance":1000000}}"#,
    );
    assert_eq!(r.data.unwrap().balance, 1_000_000);

    let r: DisbursementUserResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"reference_id":"R1","m_u_id":"230407qQe7vGnqp0agyforLAy0D2b1x3","name":"NGUYEN VAN A","phone":"0904123456"}}"#,
    );
    assert_eq!(r.data.unwrap().name.as_deref(), Some("NGUYEN VAN A"));
    let r: DisbursementUserResponse = ok(
        r#"{"return_code":2,"return_message":"","sub_return_code":-101,"sub_return_message":"no wallet","data":{"onboarding_url":"https://example.invalid/onboard"}}"#,
    );
    assert!(r.data.unwrap().onboarding_url.is_some());

    let r: DisbursementTopupResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":"230407000000123","status":3,"m_u_id":"m","phone":"0904123456","amount":1000,"description":"Topup","partner_fee":0,"zlp_fee":0,"extra_info":"{}","time":1680848533635}}"#,
    );
    assert_eq!(
        r.data.unwrap().reported_status(),
        Some(DisbursementStatus::Processing)
    );

    let r: DisbursementTxnResponse = ok(
        r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":230407000000123,"status":1,"amount":1000,"zp_trans_id":"230407000006575","result_url":"https://example.invalid/r"}}"#,
    );
    let data = r.data.unwrap();
    assert_eq!(data.reported_status(), Some(DisbursementStatus::Disbursed));
    assert_eq!(data.order_id.as_deref(), Some("230407000000123"));
}

#[test]
fn zod() {
    let r: ZodInvoiceResponse =
        ok(r#"{"orderUrl":"https://sbgateway.zalopay.vn/openinapp?order=x"}"#);
    assert!(r.order_url.is_some());
    let r: ZodStatusResponse = ok(r#"{"amount":"430000","status":1,"zpTransId":"0"}"#);
    assert_eq!(r.amount, Some(430_000));
    assert_eq!(r.status(), ZodOrderStatus::Paid);
    assert_eq!(r.zp_trans_id.as_deref(), Some("0"));
    let r: ZodStatusResponse = ok(r#"{"amount":430000,"status":"3","zpTransId":0}"#);
    assert_eq!(r.status(), ZodOrderStatus::Processing);
    let err = decode::<ZodStatusResponse>(URL, br#"{"amount":"43x","status":1}"#).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let err = decode::<ZodInvoiceResponse>(
        URL,
        br#"{"return_code":2,"return_message":"bad","sub_return_code":-401}"#,
    )
    .unwrap_err();
    assert_eq!(err.gateway().unwrap().sub_return_code, Some(-401));
}

/// A successful answer for each operation id: the bodies above, and the All-in-One answers of
/// facts-update §B1 (`data` objects as the Go demo and the TypeScript payout client read them).
fn sample(id: &str) -> Option<&'static str> {
    Some(match id {
        "order.create" => {
            r#"{"return_code":1,"return_message":"Transaction successful.","sub_return_code":1,"sub_return_message":"","zp_trans_token":"ACdrmzS_TGxHZyafUiHs3OjQ","order_url":"https://qcgateway.zalopay.vn/openinapp?order=x"}"#
        }
        "order.query" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","amount":5000,"is_processing":false,"zp_trans_id":230512000007041}"#
        }
        "order.cancel" | "agreement.unbind" => {
            r#"{"return_code":1,"return_message":"Success","sub_return_code":1,"sub_return_message":"Success"}"#
        }
        "refund.create" => {
            r#"{"return_code":3,"return_message":"Processing","sub_return_code":3,"sub_return_message":"","refund_id":123456789}"#
        }
        "refund.query" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":""}"#
        }
        "banks.list" => {
            r#"{"returncode":1,"returnmessage":"","banks":{"38":[{"bankcode":"zalopayapp","name":"Ví ZaloPay","displayorder":0,"pmcid":38,"minamount":1000,"maxamount":50000000}]}}"#
        }
        "quickpay.create" => {
            r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","is_processing":true,"zp_trans_id":0}"#
        }
        "agreement.bind" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","binding_token":"230407qQe7vGnqp0agyforLAy0D2b1x3","binding_qr_link":"https://qcgateway.zalopay.vn/openinapp?b=x","deep_link":"zalopay://launch/app/730?b=x"}"#
        }
        "agreement.query" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"app_id":2554,"app_trans_id":"230407_13221300383","binding_id":"B1","pay_token":"NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI","server_time":1680850000,"status":1}}"#
        }
        "agreement.balance" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":[{"channel":38,"payable":true,"bank_code":"zp_app"}],"discount_amount":0}"#
        }
        "agreement.pay" => {
            r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","app_trans_id":"230407_13583500399","zp_trans_id":230407000006575}"#
        }
        "agreement.query_user" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","phone":"****1234"}"#
        }
        "tokenization.bind" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","binding_token":"T1","binding_url":"https://example.invalid/b"}"#
        }
        "tokenization.query" => {
            r#"{"return_code":3,"return_message":"pending","sub_return_code":3,"sub_return_message":"","binding_token":"T1","status":3}"#
        }
        "hybrid.pay" => {
            r#"{"return_code":3,"return_message":"","sub_return_code":3,"sub_return_message":"","app_trans_id":"230407_1","zp_trans_id":230407000006575}"#
        }
        "disbursement.balance" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"balance":1000000}}"#
        }
        "disbursement.user" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"reference_id":"R1","m_u_id":"m1","name":"NGUYEN VAN A","phone":"0904123456"}}"#
        }
        "disbursement.topup" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":"230407000000123","status":3,"m_u_id":"m","amount":1000,"partner_fee":0,"zlp_fee":0,"time":1680848533635}}"#
        }
        "disbursement.txn" | "disbursement.query_txn" | "disbursement.transfer_fund" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":230407000000123,"status":1,"amount":1000,"zp_trans_id":"230407000006575"}}"#
        }
        "disbursement.verify_account" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"account_holder_name":"NGUYEN VAN A"}}"#
        }
        "disbursement.bank_codes" => {
            r#"{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"bank_list":[{"bank_code":"VCB","short_name":"Vietcombank"}]}}"#
        }
        "zod.create" | "zod.invoice" => {
            r#"{"orderUrl":"https://sbgateway.zalopay.vn/openinapp?order=x"}"#
        }
        "zod.status" => r#"{"amount":"430000","status":1,"zpTransId":"230407000006575"}"#,
        _ => return None,
    })
}

/// Decodes each listed operation's sample as that operation's response type; returns the ids
/// without a sample.
macro_rules! decode_every_operation {
    ($($request:ty),* $(,)?) => {{
        let mut missing: Vec<&'static str> = Vec::new();
        $(
            let id = <$request as zalopay_api::Operation>::ID;
            match sample(id) {
                Some(body) => {
                    let answer = ok::<<$request as zalopay_api::Endpoint>::Response>(body);
                    assert!(answer.rejection().is_none(), "{id}: its sample reads as a refusal");
                }
                None => missing.push(id),
            }
        )*
        missing
    }};
}

#[test]
fn every_operation_of_the_one_list_decodes_its_answer() {
    let missing = zalopay_api::for_each_operation!(decode_every_operation);
    assert!(
        missing.is_empty(),
        "operations without a decoded sample: {missing:?}"
    );
}
